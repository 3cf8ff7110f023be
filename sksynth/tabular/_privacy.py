"""Differential privacy for GANSampler: DP-SGD on the discriminator, and its accountant.

The discriminator is the only network that reads real rows. With a target
``epsilon``, each of its updates is a step of DP-SGD (Abadi et al., 2016):
real rows join the batch by Poisson sampling (each with probability
``q = batch_size / n``); each real row's gradient, its gradient-penalty term
included, is computed on its own (``torch.func``: ``vmap`` of ``grad``); the
gradient of its score is clipped to norm ``max_grad_norm``, that of its
gradient penalty to a quarter of it, and both summed; Gaussian noise of
standard deviation ``noise_multiplier * 1.25 * max_grad_norm`` (the sum's
sensitivity) is added, and the sum divided by the expected batch size. The
fake rows' term reads no real row. The generator only ever sees the
discriminator: its updates are post-processing.

Numeric columns may be encoded by quantiles read off histograms over their
schema ranges, released once with Gaussian noise (:func:`private_quantiles`);
the accountant composes that release with the steps.

The accountant is Rényi differential privacy of the Poisson-subsampled
Gaussian mechanism (Mironov, Talwar and Zhang, 2019) at integer orders,
composed over the steps and converted to (epsilon, delta) with the bound of
Balle et al. (2020), as opacus's RDP accountant does.
"""

import math
import numbers

import numpy as np
import pandas as pd
import torch
from scipy.special import gammaln, logsumexp
from torch.func import functional_call, grad, vmap

from .._core.model_file import is_json_scalar
from .._core.nn import optimizer_step

# The Rényi orders the accountant tries; the best one gives epsilon.
ORDERS = tuple(range(2, 257))


def subsampled_gaussian_rdp(q, noise_multiplier, order):
    """RDP, at an integer ``order``, of one Poisson-subsampled Gaussian step."""
    if q == 0:
        return 0.0
    if q == 1:
        return order / (2 * noise_multiplier**2)
    k = np.arange(order + 1)
    log_binomial = gammaln(order + 1) - gammaln(k + 1) - gammaln(order - k + 1)
    terms = (
        log_binomial
        + k * math.log(q)
        + (order - k) * math.log1p(-q)
        + (k * k - k) / (2 * noise_multiplier**2)
    )
    return float(logsumexp(terms)) / (order - 1)


def epsilon_spent(q, noise_multiplier, steps, delta, also=()):
    """The epsilon of ``steps`` DP-SGD steps at ``delta``, over :data:`ORDERS`.

    ``also`` lists more Gaussian mechanisms composed with them, as
    ``(q, noise_multiplier, steps)`` triples (e.g. ``(1.0, noise, 1)`` for
    one release of counts by the Gaussian mechanism).
    """
    mechanisms = [(q, noise_multiplier, steps), *also]
    if not any(count for _, _, count in mechanisms):
        return 0.0
    best = math.inf
    for order in ORDERS:
        rdp = sum(
            count * subsampled_gaussian_rdp(rate, noise, order)
            for rate, noise, count in mechanisms
            if count
        )
        epsilon = (
            rdp
            + math.log1p(-1 / order)
            - (math.log(delta) + math.log(order)) / (order - 1)
        )
        best = min(best, epsilon)
    return max(best, 0.0)


def max_steps(q, noise_multiplier, epsilon, delta, limit, also=()):
    """The most steps, at most ``limit``, whose epsilon stays within ``epsilon``."""
    if epsilon_spent(q, noise_multiplier, 1, delta, also) > epsilon:
        return 0
    low, high = 1, limit
    while low < high:
        middle = (low + high + 1) // 2
        if epsilon_spent(q, noise_multiplier, middle, delta, also) <= epsilon:
            low = middle
        else:
            high = middle - 1
    return low


# Numeric columns' quantiles under differential privacy: a histogram of
# HISTOGRAM_BINS equal bins over each column's schema range, released with
# Gaussian noise whose release alone would spend QUANTILE_SHARE of epsilon.
HISTOGRAM_BINS = 64
QUANTILE_SHARE = 0.1
PRIVATE_QUANTILES = 256


def private_quantiles(columns, ranges, noise_multiplier, rng):
    """Quantiles of each numeric column from its histogram with Gaussian noise.

    ``columns`` are float arrays (NaN: missing, not counted), ``ranges``
    their ``(low, high)``. One row adds one to one bin of each column's
    histogram: the L2 sensitivity of all of them together is the square root
    of their number, and each count gets noise of standard deviation
    ``noise_multiplier`` times it. Returns a list of arrays of
    :data:`PRIVATE_QUANTILES` quantiles, spread uniformly within each bin.
    """
    scale = noise_multiplier * math.sqrt(len(columns))
    quantiles = []
    for values, (low, high) in zip(columns, ranges, strict=True):
        edges = np.linspace(low, high, HISTOGRAM_BINS + 1)
        observed = np.clip(values[~np.isnan(values)], low, high)
        counts = np.histogram(observed, edges)[0].astype(np.float64)
        counts = np.clip(counts + rng.normal(0.0, scale, HISTOGRAM_BINS), 0.0, None)
        if counts.sum() <= 0:
            counts = np.ones(HISTOGRAM_BINS)
        cumulative = np.r_[0.0, np.cumsum(counts)] / counts.sum()
        levels = np.linspace(0.0, 1.0, PRIVATE_QUANTILES)
        quantiles.append(np.interp(levels, cumulative, edges))
    return quantiles


# A real row's gradient-penalty gradient is clipped to PENALTY_CLIP times
# max_grad_norm, its score's to max_grad_norm: one row moves a discriminator
# update's gradient sum by at most SENSITIVITY times max_grad_norm. A smaller
# share for the penalty keeps it a regularizer and lowers the noise.
PENALTY_CLIP = 0.25
SENSITIVITY = 1 + PENALTY_CLIP

# Rows whose gradients clipped_gradient_sum holds at once: each row's gradient
# is as large as the discriminator, and small chunks stay in the CPU's cache,
# several times faster than a whole batch of 500 rows at once.
CHUNK_ROWS = 64


def clipped_gradient_sum(discriminator, loss_of_row, rows, max_grad_norm):
    """The sum over ``rows`` of each row's gradient, clipped to ``max_grad_norm``.

    ``loss_of_row(score, row_inputs)`` is one row's loss, where
    ``score(x)`` is the discriminator's score of a single input vector and
    ``row_inputs`` that row's slice of each tensor of ``rows``. Returns a
    dict of summed gradients by parameter name, and the per-row norms before
    clipping. Dropout draws differ row by row. Rows are taken
    :data:`CHUNK_ROWS` at a time.
    """
    params = {name: p.detach() for name, p in discriminator.named_parameters()}

    def row_loss(params, *row):
        def score(x):
            return functional_call(discriminator, params, (x[None],)).squeeze()

        return loss_of_row(score, row)

    per_row_gradients = vmap(
        grad(row_loss), in_dims=(None, *[0] * len(rows)), randomness="different"
    )
    summed = {name: torch.zeros_like(p) for name, p in params.items()}
    norms = []
    for start in range(0, len(rows[0]), CHUNK_ROWS):
        chunk = [tensor[start : start + CHUNK_ROWS] for tensor in rows]
        per_row = per_row_gradients(params, *chunk)
        chunk_norms = torch.sqrt(
            sum(g.reshape(len(g), -1).square().sum(1) for g in per_row.values())
        )
        factors = (max_grad_norm / (chunk_norms + 1e-12)).clamp(max=1.0)
        for name, g in per_row.items():
            summed[name] += torch.einsum("i,i...->...", factors, g)
        norms.append(chunk_norms)
    return summed, torch.cat(norms) if norms else torch.zeros(0)


class PrivateGANTrainer:
    """GANSampler's training step with a differentially private discriminator.

    Parameters
    ----------
    trainer : GANTrainer
        The plain trainer, built without conditions (``pac=1``): its networks,
        optimizers, output layout and random generator are used as they are.
    n_rows : int
        The training rows; each joins a batch with probability
        ``batch_size / n_rows``.
    noise_multiplier, max_grad_norm : float
        DP-SGD's noise, as a multiple of the clipping norm, and the norm.
    gradient_penalty : float
        The weight of the WGAN gradient penalty.
    """

    def __init__(
        self, trainer, n_rows, *, noise_multiplier, max_grad_norm, gradient_penalty
    ):
        self.trainer = trainer
        self.n_rows = n_rows
        self.rate = min(1.0, trainer.batch_size / n_rows)
        self.noise_multiplier = noise_multiplier
        self.max_grad_norm = max_grad_norm
        self.gradient_penalty = gradient_penalty
        self.private_steps = 0

    def optimizers(self):
        """The generator's and the discriminator's optimizers."""
        return self.trainer.optimizers()

    def _fake(self, n_rows):
        trainer = self.trainer
        noise = torch.randn(
            n_rows, trainer.embedding_dim, generator=trainer.rng, device=trainer.device
        )
        fake, _ = trainer.output.activate(trainer.generator(noise).float(), trainer.rng)
        return fake

    def _real(self):
        """A Poisson sample of the training rows, as network-order rows."""
        trainer = self.trainer
        chosen = torch.rand(self.n_rows, generator=trainer.rng, device=trainer.device)
        rows = (chosen < self.rate).nonzero().squeeze(1)
        return trainer.output.network_rows(
            trainer.scalars.index_select(0, rows), trainer.slots.index_select(0, rows)
        )

    def step(self):
        """Private discriminator update(s), then a generator update."""
        trainer = self.trainer
        for _ in range(trainer.discriminator_steps):
            real = self._real()
            with torch.no_grad():
                fake = self._fake(trainer.batch_size)
                partners = self._fake(len(real))
            self._discriminator_update(real, fake, partners)
        discriminator = trainer.discriminator
        fake = self._fake(trainer.batch_size)
        discriminator.requires_grad_(False)
        adversarial = -discriminator(fake).float().mean()
        discriminator.requires_grad_(True)
        optimizer_step(trainer.opt_g, adversarial)
        return {"generator": adversarial.detach()}

    def _discriminator_update(self, real, fake, partners):
        """One DP-SGD step of the discriminator.

        A real row's loss has two terms: minus its score, and the gradient
        penalty at a random point between it and a fake partner of its own.
        Each term's gradient is clipped on its own, the score's to
        ``max_grad_norm`` and the penalty's to :data:`PENALTY_CLIP` times it
        (the penalty's is many times larger, and clipped together it would
        leave almost nothing of the score's), so one row moves the sum by at
        most :data:`SENSITIVITY` times ``max_grad_norm``: the noise's scale.
        The fake rows' term reads no real row; each fake row's gradient is
        clipped to ``max_grad_norm`` all the same, so that real and fake rows
        pull with the same strength.
        """
        trainer = self.trainer
        discriminator = trainer.discriminator
        penalty_weight = self.gradient_penalty
        bound = self.max_grad_norm
        mix = torch.rand(len(real), 1, generator=trainer.rng, device=trainer.device)

        def minus_score(score, row):
            return -score(row[0])

        def penalty(score, row):
            x, partner, alpha = row
            gradient = grad(score)(alpha * x + (1 - alpha) * partner)
            norm = torch.sqrt(gradient.square().sum() + 1e-12)
            return penalty_weight * (norm - 1) ** 2

        def fake_score(score, row):
            return score(row[0])

        rows = (real, partners, mix)
        real_sum, _ = clipped_gradient_sum(discriminator, minus_score, rows, bound)
        penalty_sum, _ = clipped_gradient_sum(
            discriminator, penalty, rows, PENALTY_CLIP * bound
        )
        fake_sum, _ = clipped_gradient_sum(discriminator, fake_score, (fake,), bound)
        expected = self.rate * self.n_rows
        trainer.opt_d.zero_grad(set_to_none=True)
        for name, parameter in discriminator.named_parameters():
            noise = torch.randn(
                parameter.shape, generator=trainer.rng, device=parameter.device
            )
            noise *= self.noise_multiplier * SENSITIVITY * bound
            private = real_sum[name] + penalty_sum[name] + noise
            parameter.grad = private / expected + fake_sum[name] / len(fake)
        trainer.opt_d.step()
        self.private_steps += 1


def check_private_fit(sampler, X, categorical, y):
    """Refuse what a private fit cannot do, and a schema that does not fit X."""
    if y is not None:
        raise ValueError(
            "epsilon trains without class labels, whose counts would need "
            "privacy budget of their own; make the class a column of X."
        )
    if sampler.early_stopping:
        raise ValueError(
            "early_stopping=True scores held-out real rows, which spends privacy "
            "budget; set early_stopping=False with epsilon."
        )
    if sampler.marginals == "matched" and sampler.numeric_encoding == "modes":
        raise ValueError(
            "marginals='matched' under epsilon maps samples onto the numeric "
            "columns' noisy quantiles, which numeric_encoding='modes' does not "
            "release; set numeric_encoding='auto' or marginals='learned'."
        )
    schema = sampler.schema
    names = list(X.columns) if hasattr(X, "columns") else list(range(X.shape[1]))
    example = (
        "e.g. schema={'age': (17, 90), 'job': ['clerk', 'nurse']}: a (low, high) "
        "range per numeric column, the categories of each categorical one"
    )
    if schema is None:
        raise ValueError(
            "epsilon needs a schema of every column, which the model may store "
            f"without spending privacy budget; {example}."
        )
    schema = schema_by_column(schema, names)
    missing = [name for name in names if name not in schema]
    extra = [key for key in schema if key not in names]
    if missing or extra:
        raise ValueError(
            f"schema must describe exactly the columns of X; it lacks {missing} "
            f"and has {extra} too."
        )
    for name, is_categorical in zip(names, categorical, strict=True):
        entry = schema[name]
        listed = list(entry) if isinstance(entry, list | tuple) else []
        values = [value for value in listed if value is not None]
        if is_categorical:
            valid = (
                isinstance(entry, list | tuple)
                and len(values) > 0
                and len(listed) - len(values) <= 1
                and len(set(values)) == len(values)
                and all(is_json_scalar(value) for value in values)
            )
            expected = "a list of its distinct categories (None: it may be missing)"
        else:
            valid = (
                len(values) == 2
                and len(listed) - len(values) <= 1
                and listed[:2] == values
                and all(
                    isinstance(v, numbers.Real) and not isinstance(v, bool)
                    for v in values
                )
                and np.isfinite(values).all()
                and values[0] < values[1]
            )
            expected = (
                "a (low, high) range of finite numbers, low < high, or "
                "(low, high, None) if it may be missing"
            )
        if not valid:
            raise ValueError(
                f"schema[{name!r}] must be {expected} for the "
                f"{'categorical' if is_categorical else 'numeric'} column "
                f"{name!r}; got {entry!r:.100}."
            )


def schema_by_column(schema, names):
    """``schema`` as a dict by column: a dict as it is, one entry for each name."""
    if isinstance(schema, dict):
        return schema
    return dict.fromkeys(names, schema)


def encoder_schema(schema, X, categorical, quantile_noise=None, rng=None):
    """The schema as ``TabularEncoder`` reads it.

    Per column, the categories or the ``(low, high)`` range, then whether the
    column may be missing (None listed). With a ``quantile_noise``, each
    numeric column's range is followed by its :func:`private_quantiles`,
    drawn with ``rng``.
    """
    names = list(X.columns) if hasattr(X, "columns") else list(range(X.shape[1]))
    schema = schema_by_column(schema, names)
    read = {}
    for name, is_categorical in zip(names, categorical, strict=True):
        values = [value for value in schema[name] if value is not None]
        may_miss = len(values) < len(schema[name])
        if not is_categorical:
            values = (float(values[0]), float(values[1]))
        read[name] = (values, may_miss)
    numeric = [name for name, c in zip(names, categorical, strict=True) if not c]
    if quantile_noise is not None and numeric:
        columns = [_floats(X[n] if hasattr(X, "columns") else X[:, n]) for n in numeric]
        ranges = [read[name][0] for name in numeric]
        found = private_quantiles(columns, ranges, quantile_noise, rng)
        for name, quantiles in zip(numeric, found, strict=True):
            (low, high), may_miss = read[name]
            read[name] = ((low, high, quantiles), may_miss)
    return read


def _floats(column):
    """A numeric column as float64, NaN where missing."""
    return pd.Series(column).to_numpy(dtype=np.float64, na_value=np.nan)


def calibrated_noise(q, steps, epsilon, delta, also=()):
    """The smallest noise multiplier (to 1 %) whose ``steps`` spend at most ``epsilon``.

    ``also`` as in :func:`epsilon_spent`. Returns None if even a noise
    multiplier of 1,000 does not.
    """
    low, high = 0.1, 1_000.0
    if epsilon_spent(q, high, steps, delta, also) > epsilon:
        return None
    if epsilon_spent(q, low, steps, delta, also) <= epsilon:
        return low
    while high / low > 1.01:
        middle = math.sqrt(low * high)
        if epsilon_spent(q, middle, steps, delta, also) <= epsilon:
            high = middle
        else:
            low = middle
    return high
