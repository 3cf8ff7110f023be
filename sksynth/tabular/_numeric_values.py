"""The values of a numeric column beyond the mixture.

Which values come back exactly (point masses, heaps and small grids), the grid
that a wider grid's generated values snap onto, the decimals generated values
are rounded to, and the quantile scalars of ``numeric_encoding="quantiles"``.
Used by ``TabularEncoder``.
"""

import numpy as np

# A value holding at least this share of a numeric column is a point mass.
_POINT_MASS_SHARE = 0.05
# So is a heap: a value holding at least _HEAP_SHARE of the column (and
# _MIN_ROWS_PER_VALUE rows) and _HEAP_RATIO times the rows of each neighbouring
# value, as round numbers are in reported quantities (Adult's 35, 40, 45 and 50
# hours per week). A mixture blurs heaps onto their neighbours.
_HEAP_SHARE = 0.005
_HEAP_RATIO = 3
# A numeric column whose distinct values are each seen on average at least
# _MIN_ROWS_PER_VALUE times is a grid (counts, scores, ages in years). A grid of
# at most MAX_GRID_VALUES values (by default) is generated on its exact values,
# a slot each; a wider one gets the mixture, whose values snap onto the grid, so
# that a step costs the same however many values the column has.
MAX_GRID_VALUES = 10
_MIN_ROWS_PER_VALUE = 20
# Most decimals a column's values are rounded to with exact values; values
# with more (measurements in floating point) are not rounded.
_MAX_DECIMALS = 6
# How far, relative to the column's largest magnitude, a value may lie from
# its rounding and still count as written with those decimals.
_DECIMALS_TOLERANCE = 1e-9
# Quantiles kept per numeric column with numeric_encoding="quantiles", and the
# scalar range they map onto (inside tanh's range, as the modes' offsets are).
N_QUANTILES = 1_000
_QUANTILE_SCALE = 0.99


def _is_grid(observed, values):
    return len(observed) >= _MIN_ROWS_PER_VALUE * len(values)


def exact_values_of(observed, max_grid_values):
    """The values of a numeric column that get slots of their own, sorted."""
    values, counts = np.unique(observed, return_counts=True)
    if len(values) <= max_grid_values and _is_grid(observed, values):
        return values
    neighbours = np.maximum(
        np.concatenate([[0], counts[:-1]]), np.concatenate([counts[1:], [0]])
    )
    heap = (
        (counts >= _HEAP_SHARE * len(observed))
        & (counts >= _MIN_ROWS_PER_VALUE)
        & (counts >= _HEAP_RATIO * neighbours)
    )
    return values[heap | (counts >= _POINT_MASS_SHARE * len(observed))]


def grid_of(observed, continuous):
    """The sorted distinct values that generated values snap onto, or None.

    A column is a grid when each of its distinct values is seen on average at
    least ``_MIN_ROWS_PER_VALUE`` times; its generated (not exact) values then
    come back as the nearest of the values the mixture models.
    """
    if not len(continuous) or not _is_grid(observed, np.unique(observed)):
        return None
    return np.unique(continuous)


def snap_to_grid(values, grid):
    """Each value replaced by the nearest value of the sorted ``grid``."""
    grid = np.asarray(grid, dtype=np.float64)
    above = np.clip(np.searchsorted(grid, values), 1, max(len(grid) - 1, 1))
    below = above - 1
    above = np.minimum(above, len(grid) - 1)
    nearer_above = np.abs(grid[above] - values) < np.abs(values - grid[below])
    return np.where(nearer_above, grid[above], grid[below])


def decimals_of(values):
    """The fewest decimals (at most _MAX_DECIMALS) that write every value, or None.

    Rounding may move a value by at most _DECIMALS_TOLERANCE of the column's
    scale (its largest magnitude), only the floating-point error of a value
    written with those decimals: a column of values far below one, such as
    2e-10, has no decimals, rather than zero of them.
    """
    scale = np.max(np.abs(values), initial=0.0)
    for decimals in range(_MAX_DECIMALS + 1):
        error = np.abs(np.round(values, decimals) - values)
        if np.all(error <= _DECIMALS_TOLERANCE * scale):
            return decimals
    return None


def _quantile_grid(quantiles):
    """The distinct quantiles and the scalar of each (mean level of ties)."""
    quantiles = np.asarray(quantiles, dtype=np.float64)
    levels = np.linspace(-_QUANTILE_SCALE, _QUANTILE_SCALE, len(quantiles))
    distinct, inverse = np.unique(quantiles, return_inverse=True)
    scalars = np.bincount(inverse, levels) / np.bincount(inverse)
    return distinct, scalars


def to_quantile_scalar(values, quantiles):
    distinct, scalars = _quantile_grid(quantiles)
    if len(distinct) == 1:
        return np.zeros(len(values))
    return np.interp(values, distinct, scalars)


def from_quantile_scalar(scalar, quantiles):
    distinct, scalars = _quantile_grid(quantiles)
    if len(distinct) == 1:
        return np.full(len(scalar), distinct[0])
    return np.interp(scalar, scalars, distinct)
