"""GANSampler's generation: rows from the generator, decoded chunk by chunk.

The same path serves ``sample`` and early stopping, which scores generated rows
against held-out real ones during training.
"""

import numpy as np
import pandas as pd
import torch

from .._core.nn import FoldedGenerator
from .._core.table_distances import table_gap
from ._layout import OutputLayout

# Rows generated per forward pass; bounds memory. The noise is drawn chunk by
# chunk in a fixed order, so results do not depend on the device.
SAMPLE_CHUNK = 16_384


def decoded(encoder, chunks):
    """The rows of :func:`encoded_chunks`, each chunk decoded as it comes.

    Memory holds the output and one chunk.
    """
    return concat_tables([encoder.inverse_transform(*chunk) for chunk in chunks])


def stacked(chunks):
    """The scalars and slots of :func:`encoded_chunks`, not decoded, as two arrays."""
    return tuple(np.concatenate(part) for part in zip(*chunks, strict=True))


def encoded_chunks(
    generator,
    encoder,
    conditions,
    embedding_dim,
    n_samples,
    labels,
    rng,
    held=None,
):
    """Generate ``n_samples`` rows; yield each chunk's scalars and slots.

    ``labels`` are class codes (a CPU tensor) or None; the noise, conditions
    and slot draws come from the CPU generator ``rng``. ``held``, a pair of
    a span (an index into the encoder's spans) that the conditional vectors
    name and its offset in them, keeps that span to the slot they name. The
    scalars and slots are float64 and int64 ndarrays.
    """
    device = next(generator.parameters()).device
    output = OutputLayout(encoder.layout(), encoder.n_encoded, device)
    network = FoldedGenerator(generator, embedding_dim, conditions.n_missing)
    work = torch.empty(min(SAMPLE_CHUNK, n_samples), network.work_width, device=device)
    for start in range(0, n_samples, SAMPLE_CHUNK):
        size = min(SAMPLE_CHUNK, n_samples - start)
        noise = torch.randn(size, embedding_dim, generator=rng)
        chunk_labels = None if labels is None else labels[start : start + size]
        ones, missing = conditions.draw(size, chunk_labels, rng)
        uniform = torch.rand(size, len(output.span_positions), generator=rng)
        if missing is not None:
            missing = missing.to(device)
        raw = network(
            noise.to(device),
            ones.to(device),
            None if missing is None else missing.float(),
            out=work[:size],
        )
        allowed = None
        if held is not None:
            span, offset = held
            allowed = output.allowed_slots(span, ones[:, 0].to(device) - offset)
        scalars, slots = output.decode(raw, uniform.to(device), missing, allowed)
        yield scalars.cpu().double().numpy(), slots.cpu().numpy()


class HeldOutRows:
    """The held-out rows of early stopping, scored against generated rows.

    Every round draws the same noise (common random numbers), so that scores
    differ by the generator, not by the draw.
    """

    def __init__(self, X, labels, embedding_dim, seed):
        self.X = X
        self.labels = None if labels is None else torch.as_tensor(labels)
        self.embedding_dim = embedding_dim
        self.seed = seed

    def score(self, generator, encoder, conditions):
        """``table_gap`` of the held-out rows and as many generated ones."""
        training = generator.training
        generator.eval()
        rng = torch.Generator().manual_seed(self.seed)
        chunks = encoded_chunks(
            generator,
            encoder,
            conditions,
            self.embedding_dim,
            len(self.X),
            self.labels,
            rng,
        )
        synthetic = decoded(encoder, chunks)
        generator.train(training)
        return table_gap(_as_frame(self.X), _as_frame(synthetic))


def _as_frame(X):
    return X if isinstance(X, pd.DataFrame) else pd.DataFrame(X).infer_objects()


def take_rows(X, rows):
    """The rows of a table (DataFrame or ndarray) at positions ``rows``."""
    return (
        X.iloc[rows].reset_index(drop=True) if isinstance(X, pd.DataFrame) else X[rows]
    )


def concat_tables(parts):
    """The decoded chunks as one table (a DataFrame or an ndarray)."""
    if isinstance(parts[0], pd.DataFrame):
        return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return np.concatenate(parts)
