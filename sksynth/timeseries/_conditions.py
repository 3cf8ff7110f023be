"""What a TimeGANSampler conditions on: the class and the sequence length.

A conditional sampler feeds its networks, per sequence, the one-hot class;
one fitted on a panel of unequal lengths also the length over the longest.
``sample`` draws lengths from the training lengths (of the class) or checks
the lengths asked for.
"""

import numpy as np
import torch
import torch.nn.functional as F

from .._core.validation import short_repr


def sequence_conditions(codes, n_classes, lengths, seq_len, attributes=None):
    """Per-sequence condition vectors (n, k) on the CPU, or None.

    The one-hot class (with labels), then the length over ``seq_len`` (for
    panels of unequal lengths), then the encoded attributes (a float tensor,
    for a sampler fitted with attributes).
    """
    parts = []
    if codes is not None:
        parts.append(F.one_hot(codes, n_classes).float())
    if lengths is not None:
        parts.append((lengths.float() / seq_len).unsqueeze(1))
    if attributes is not None:
        parts.append(attributes)
    return torch.cat(parts, dim=1) if parts else None


def length_counts(lengths, codes, n_classes, seq_len):
    """Training sequences per class and length: (max(n_classes, 1), seq_len + 1)."""
    groups = np.zeros(len(lengths), np.int64) if codes is None else codes
    counts = np.zeros((max(n_classes, 1), seq_len + 1), dtype=np.int64)
    np.add.at(counts, (groups, lengths), 1)
    return counts


def draw_lengths(counts, codes, n_samples, rng):
    """Lengths drawn from those of training (of each sequence's class)."""
    groups = torch.zeros(n_samples, dtype=torch.int64) if codes is None else codes
    lengths = torch.empty(n_samples, dtype=torch.int64)
    counts = torch.as_tensor(counts, dtype=torch.float64)
    for group in range(len(counts)):
        rows = groups == group
        if rows.any():
            draws = int(rows.sum())
            lengths[rows] = torch.multinomial(counts[group], draws, True, generator=rng)
    return lengths


def check_lengths(lengths, counts, n_samples, seq_len):
    """``sample``'s ``lengths`` as an int64 tensor, checked against ``counts``."""
    if counts is None:
        raise ValueError(
            "lengths applies to a sampler fitted on a panel of unequal "
            f"lengths; this one generates sequences of length {seq_len}."
        )
    seen = np.flatnonzero(counts.sum(axis=0))
    shortest, longest = int(seen.min()), int(seen.max())
    requested = np.asarray(lengths)
    if requested.ndim == 0:
        requested = np.full(n_samples, requested)
    if requested.shape != (n_samples,) or requested.dtype.kind not in "iu":
        raise ValueError(
            f"lengths must be an integer or n_samples={n_samples} integers; "
            f"got {short_repr(lengths)}."
        )
    if requested.min() < shortest or requested.max() > longest:
        raise ValueError(
            "lengths must lie between the shortest and the longest training "
            f"length, {shortest} and {longest}; got lengths from "
            f"{requested.min()} to {requested.max()}."
        )
    return torch.as_tensor(requested, dtype=torch.int64)
