"""Monotone curves through knots: derived columns and matched marginals.

A table often holds a number and a function of it: a charge and the minutes
it bills, a wage and its logarithm. A generator that draws both draws pairs
no real row holds, which a detector spots at once. Such a column is decoded
from its source instead, through the curve the training rows trace:
``knots``, the source's distinct values and the column's value at each,
interpolated linearly in between.

The same curves carry generated values onto the training data's
distribution (``GANSampler(marginals="matched")``): knots from the quantiles
of a calibration sample to the training values' quantiles.
"""

import numpy as np

# Fewest distinct source values a curve is recognised on: with fewer, a
# monotone pairing is too likely by chance (and the discrete derivations of
# the encoder handle columns of few values).
MIN_CURVE_VALUES = 20
# Most knots a curve keeps (and a model file may hold): more distinct source
# values are thinned to this many, evenly over their sorted order.
MAX_KNOTS = 1000


def monotone_curve(x, y):
    """The knots of ``y`` as a monotone function of ``x``, or None.

    Parameters
    ----------
    x, y : ndarray of shape (n_samples,)
        Two numeric columns, NaN where missing.

    Returns
    -------
    knots : list of [float, float] or None
        Sorted distinct values of ``x`` and the value of ``y`` at each, when
        ``y`` is missing exactly where ``x`` is, every value of ``x`` goes
        with one value of ``y``, ``y`` rises (or falls) with ``x`` and is not
        constant, and ``x`` has at least ``MIN_CURVE_VALUES`` distinct values.
        None otherwise.
    """
    missing = np.isnan(x)
    if not np.array_equal(missing, np.isnan(y)):
        return None
    x, y = x[~missing], y[~missing]
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    new_value = np.r_[True, x[1:] != x[:-1]]
    if new_value.sum() < MIN_CURVE_VALUES:
        return None
    steps = np.diff(y)
    ties = ~new_value[1:]
    if (steps[ties] != 0).any():
        return None  # one value of x with two values of y
    rises, falls = (steps >= 0).all(), (steps <= 0).all()
    if not (rises or falls) or y[0] == y[-1]:
        return None
    xs, ys = x[new_value], y[new_value]
    if len(xs) > MAX_KNOTS:
        kept = np.unique(np.linspace(0, len(xs) - 1, MAX_KNOTS).round().astype(int))
        xs, ys = xs[kept], ys[kept]
    return np.column_stack([xs, ys]).tolist()


def quantile_map(source, target):
    """The knots of the rising map that sends ``source``'s quantiles onto ``target``'s.

    Quantile mapping: at ``MAX_KNOTS`` evenly spaced levels from 0 to 1, each
    quantile of ``source`` is sent to the quantile of ``target`` at the same
    level; where several source quantiles tie, their target quantiles are
    averaged. :func:`decode_curve` then carries values through the map, held
    at the end knots beyond them. Returns None when either side has fewer
    than two values or ``source`` fewer than two distinct quantiles.
    """
    if len(source) < 2 or len(target) < 2:
        return None
    levels = np.linspace(0.0, 1.0, MAX_KNOTS)
    source_q, target_q = np.quantile(source, levels), np.quantile(target, levels)
    distinct, inverse = np.unique(source_q, return_inverse=True)
    if len(distinct) < 2:
        return None
    mapped = np.bincount(inverse, target_q) / np.bincount(inverse)
    return np.column_stack([distinct, mapped]).tolist()


def decode_curve(x, knots):
    """The values the curve ``knots`` gives ``x``; NaN where ``x`` is NaN."""
    knots = np.asarray(knots, dtype=np.float64)
    values = np.interp(x, knots[:, 0], knots[:, 1])
    values[np.isnan(x)] = np.nan
    return values


def is_valid_curve(knots, rising=False):
    """Whether ``knots`` is a curve :func:`monotone_curve` could have written.

    With ``rising``, also whether it never falls, as :func:`quantile_map`'s.
    """
    if not (
        isinstance(knots, list)
        and 2 <= len(knots) <= MAX_KNOTS
        and all(
            isinstance(knot, list)
            and len(knot) == 2
            and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in knot
            )
            for knot in knots
        )
    ):
        return False
    knots = np.asarray(knots, dtype=np.float64)
    steps = np.diff(knots[:, 1])
    return bool(
        np.isfinite(knots).all()
        and (np.diff(knots[:, 0]) > 0).all()
        and ((steps >= 0).all() or (not rising and (steps <= 0).all()))
    )
