"""Conditional vectors of GANSampler: category counts and training-by-sampling."""

import numpy as np
import torch

# Most distinct missing-value patterns that missing_patterns="observed" models.
MAX_MISSING_PATTERNS = 1_000


def one_hot(index, n_classes):
    """Float one-hot rows; unlike ``F.one_hot``, never waits for the GPU."""
    out = torch.zeros(len(index), n_classes, device=index.device)
    return out.scatter_(1, index[:, None], 1.0)


def observed_patterns(slots, layout, labels, n_labels, *, required=True):
    """The rows' distinct missing-value patterns, and rows per class and pattern.

    A row's pattern says, for each span of the encoder's ``layout`` with a
    missing slot (there must be one), whether the row's ``slots`` hold it.
    Returns the patterns, a boolean (n_patterns, n_missing) array; each row's
    group, ``label * n_patterns + pattern`` (``pattern`` without labels); and
    the rows per group, of shape (max(n_labels, 1), n_patterns). With more
    than ``MAX_MISSING_PATTERNS`` patterns, raises a ValueError if
    ``required``, else returns None.
    """
    spans = layout.missing_spans
    last_slots = np.asarray([layout.spans[s].size - 1 for s in spans], slots.dtype)
    missing = slots[:, spans] == last_slots
    patterns, row_pattern = np.unique(missing, axis=0, return_inverse=True)
    if len(patterns) > MAX_MISSING_PATTERNS and not required:
        return None
    if len(patterns) > MAX_MISSING_PATTERNS:
        raise ValueError(
            "missing_patterns='observed' models each combination of missing "
            f"columns, and X has {len(patterns)} distinct ones, more than "
            f"{MAX_MISSING_PATTERNS}; use missing_patterns='learned'."
        )
    row_pattern = row_pattern.astype(np.int64).ravel()
    groups = row_pattern if labels is None else labels * len(patterns) + row_pattern
    n_groups = max(n_labels, 1) * len(patterns)
    counts = np.bincount(groups, minlength=n_groups).reshape(-1, len(patterns))
    return patterns, groups, counts


def n_condition_inputs(counts, n_labels, patterns=None):
    """Width of the condition vector: categories, classes, missing columns."""
    n_missing = 0 if patterns is None else patterns.shape[1]
    return counts.shape[1] + n_labels + n_missing


def condition_counts(condition_codes, sizes, labels, n_labels):
    """Rows per (class, category of every categorical column).

    ``labels`` may also be groups of :func:`observed_patterns`, ``n_labels``
    their number. Returns an array of shape (max(n_labels, 1), sum(sizes)):
    the category frequencies that ``sample`` draws conditions from, per class.
    """
    n_rows = max(n_labels, 1)
    n_condition = int(sum(sizes))
    counts = np.zeros((n_rows, n_condition))
    if not n_condition:
        return counts
    offsets = np.cumsum([0, *sizes[:-1]])
    dims = condition_codes + offsets
    rows = np.zeros(len(dims), np.int64) if labels is None else labels
    flat = (rows[:, None] * n_condition + dims).ravel()
    counts += np.bincount(flat, minlength=n_rows * n_condition).reshape(
        n_rows, n_condition
    )
    return counts


def condition_probabilities(counts, sizes):
    """Per class and categorical column, the probabilities of its categories.

    Returns a float tensor of shape (n_classes, n_columns, max(sizes)), zero
    beyond each column's categories.
    """
    width = max(sizes, default=1)
    probabilities = torch.zeros(counts.shape[0], len(sizes), width, dtype=torch.float64)
    start = 0
    for c, size in enumerate(sizes):
        block = torch.as_tensor(counts[:, start : start + size])
        probabilities[:, c, :size] = block / block.sum(1, keepdim=True).clamp_min(1)
        start += size
    return probabilities


class TrainingConditions:
    """Training-by-sampling as tensor operations on the device.

    A draw picks, for each row of a batch, a categorical column uniformly, one of
    its categories with probability proportional to log(frequency + 1), and a
    real row holding that category. It returns the real rows, the chosen
    condition-vector entries and the condition vectors (one-hot, with the rows'
    class labels appended when the sampler is conditional on y).
    """

    def __init__(self, condition_codes, sizes, labels, n_labels, device):
        n_rows, n_columns = condition_codes.shape
        self.n_rows = n_rows
        self.n_columns = n_columns
        self.n_condition = int(sum(sizes))
        self.n_labels = n_labels
        self.device = device
        self.labels = None if labels is None else torch.as_tensor(labels, device=device)
        if not n_columns:
            return
        offsets = np.cumsum([0, *sizes[:-1]])
        dims = condition_codes + offsets
        counts = np.bincount(dims.ravel(), minlength=self.n_condition)
        # Row indices sorted by category, column after column; a category's rows
        # are the slice [starts[d], starts[d] + counts[d]).
        sorted_rows = np.argsort(dims, axis=0, kind="stable").T.ravel()
        starts = np.zeros(self.n_condition, dtype=np.int64)
        for c, (offset, size) in enumerate(zip(offsets, sizes, strict=True)):
            block = counts[offset : offset + size]
            starts[offset : offset + size] = c * n_rows + np.cumsum(block) - block
        log_counts = np.zeros((n_columns, max(sizes)))
        for c, (offset, size) in enumerate(zip(offsets, sizes, strict=True)):
            log_counts[c, :size] = np.log1p(counts[offset : offset + size])
        # Inverse-CDF sampling of categories: cheaper than torch.multinomial.
        self.cumulative = torch.as_tensor(
            np.cumsum(log_counts / log_counts.sum(1, keepdims=True), axis=1),
            dtype=torch.float32,
            device=device,
        )
        # Rounding can leave the last cumulative value just under a uniform
        # draw; such draws go to the last category that has rows.
        self.last_category = torch.as_tensor(
            [np.flatnonzero(row).max() for row in log_counts], device=device
        )
        self.offsets = torch.as_tensor(offsets, device=device)
        self.sorted_rows = torch.as_tensor(sorted_rows, device=device)
        self.starts = torch.as_tensor(starts, device=device)
        self.counts = torch.as_tensor(counts, device=device)

    def draw(self, batch_size, rng):
        """Return (rows, condition entries or None, condition with labels)."""
        if not self.n_columns:
            rows = torch.randint(
                self.n_rows, (batch_size,), generator=rng, device=self.device
            )
            dims = None
            condition = torch.zeros(batch_size, 0, device=self.device)
        else:
            column = torch.randint(
                self.n_columns, (batch_size,), generator=rng, device=self.device
            )
            uniform = torch.rand(batch_size, 2, generator=rng, device=self.device)
            above = (uniform[:, :1] > self.cumulative[column]).sum(1)
            category = torch.minimum(above, self.last_category[column])
            dims = self.offsets[column] + category
            count = self.counts[dims]
            within = torch.minimum((uniform[:, 1] * count).long(), count - 1)
            rows = self.sorted_rows[self.starts[dims] + within]
            condition = one_hot(dims, self.n_condition)
        if self.labels is not None:
            label = one_hot(self.labels[rows], self.n_labels)
            condition = torch.cat([condition, label], dim=1)
        return rows, dims, condition


def inverse_cdf(probabilities):
    """Cumulative probabilities along the last axis, and each last index with mass.

    Rounding can leave the last cumulative value just under a uniform draw;
    :func:`draw_index` then gives that draw the last index with mass.
    """
    has_mass = probabilities > 0
    last = has_mass.shape[-1] - 1 - has_mass.flip(-1).int().argmax(-1)
    return probabilities.cumsum(-1).float(), last


def draw_index(uniform, cumulative, last):
    """Per row, the index a uniform draw (n_rows, 1) picks from ``inverse_cdf``."""
    return torch.minimum((uniform >= cumulative).sum(1), last)


class SamplingConditions:
    """The conditional vectors of ``sample``: categories at their frequencies.

    For each row, a categorical column uniformly and one of its categories with
    its frequency among the training rows of the row's class, then the one-hot
    label when the sampler is conditional on y. Training draws categories by
    log-frequency instead (:class:`TrainingConditions`); sampling restores the
    frequencies of the data. Draws run on the CPU generator of ``sample``.

    Given the missing-value ``patterns`` and the rows per class and pattern
    (``pattern_counts``, of :func:`observed_patterns`), each row first draws a
    pattern at its frequency in the row's class, then its category among the
    rows of that class and pattern (``counts`` then has a row per group), and
    the pattern ends the conditional vector.

    ``columns``, the indices of the categorical columns a row's category may
    come from (all by default), lets ``sample(conditions=...)`` name one.
    """

    def __init__(
        self,
        counts,
        sizes,
        n_labels,
        patterns=None,
        pattern_counts=None,
        columns=None,
    ):
        self.sizes = list(sizes)
        self.columns = None if columns is None else torch.as_tensor(columns)
        self.n_labels = n_labels
        self.n_condition = int(sum(self.sizes))
        self.patterns = None
        self.n_missing = 0
        if patterns is not None:
            self.n_missing = patterns.shape[1]
            self.patterns = torch.as_tensor(patterns)
            frequencies = torch.as_tensor(pattern_counts, dtype=torch.float64)
            self.pattern_cumulative, self.last_pattern = inverse_cdf(
                frequencies / frequencies.sum(1, keepdim=True).clamp_min(1)
            )
        # Inverse-CDF sampling, as in training.
        self.cumulative, self.last_category = inverse_cdf(
            condition_probabilities(counts, self.sizes)
        )
        self.offsets = torch.as_tensor(np.cumsum([0, *self.sizes[:-1]]))

    def draw(self, n_rows, labels, rng):
        """Condition vectors of ``n_rows`` rows of the given class ``labels``.

        A vector is its ones (one-hot category and label) and then the row's
        missing-value pattern. Returns the positions of the ones, an integer
        (n_rows, k) tensor with k of 0 to 2, and the patterns (None without
        ``patterns``).
        """
        ones = []
        row = torch.zeros(n_rows, dtype=torch.int64) if labels is None else labels
        missing = None
        if self.patterns is not None:
            uniform = torch.rand(n_rows, 1, generator=rng)
            pattern = draw_index(
                uniform, self.pattern_cumulative[row], self.last_pattern[row]
            )
            missing = self.patterns[pattern]
            row = row * len(self.patterns) + pattern
        if self.sizes:
            columns = self.columns
            column = torch.randint(
                len(self.sizes) if columns is None else len(columns),
                (n_rows,),
                generator=rng,
            )
            if columns is not None:
                column = columns[column]
            uniform = torch.rand(n_rows, 1, generator=rng)
            category = draw_index(
                uniform, self.cumulative[row, column], self.last_category[row, column]
            )
            ones.append(self.offsets[column] + category)
        if self.n_labels:
            ones.append(self.n_condition + labels)
        return torch.stack(ones, dim=1) if ones else row.new_zeros(n_rows, 0), missing
