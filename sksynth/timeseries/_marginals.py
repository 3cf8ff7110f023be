"""Quantile mapping of generated channels onto the data's marginals:
``TimeGANSampler(marginals="matched")``.

After training, a calibration sample from the fitted networks gives each
channel's quantiles over all valid time steps; ``sample`` then carries every
generated value through the monotone map that sends those quantiles onto the
training data's (quantile mapping, the bias correction of climate-model
output). Each channel then has the data's distribution, its bounds and point
masses included, while the order of the values within a sequence, and with
it the sequence's shape, is kept.
"""

import numpy as np

# Quantile levels kept per channel: the minimum, the maximum and 999 between.
N_LEVELS = 1_001


def channel_quantiles(values):
    """Quantiles (N_LEVELS, channels) of values (n, time, channels) per channel.

    NaN entries (the padding of unequal lengths) are left out.
    """
    levels = np.linspace(0.0, 1.0, N_LEVELS)
    channels = np.moveaxis(np.asarray(values, dtype=np.float64), -1, 0)
    return np.stack([np.quantile(c[~np.isnan(c)], levels) for c in channels], axis=1)


def map_quantiles(values, source, target):
    """Map values (..., channels) from the ``source`` quantiles onto ``target``'s.

    Both quantile arrays are (N_LEVELS, channels). Values are interpolated
    between quantiles and held at the end ones beyond them. Where several
    source quantiles tie, their target quantiles are averaged.
    """
    out = np.empty(np.shape(values), dtype=np.float64)
    for c in range(out.shape[-1]):
        distinct, inverse = np.unique(source[:, c], return_inverse=True)
        mapped = np.bincount(inverse, target[:, c]) / np.bincount(inverse)
        out[..., c] = np.interp(values[..., c], distinct, mapped)
    return out
