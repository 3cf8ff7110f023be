"""Gaps in sequences: missing values inside them, filled to train, redrawn in samples.

A sequence's missing values (NaN before its last step) are gaps. The networks
train on the sequences with each gap filled by linear interpolation in time
(the nearest observed value at either end). Each channel's gaps are modelled
as a two-state Markov chain over time points (observed or missing), which
keeps the channel's missing rate and the mean length of its gaps; samples get
gaps drawn from the chains.
"""

import numpy as np
import pandas as pd
import torch


def gap_chains(gaps, valid):
    """Each channel's chain of missing values, from the training gaps.

    Parameters
    ----------
    gaps : ndarray of bool, shape (n, channels, time)
        Where the sequences miss a value.
    valid : ndarray of bool, shape (n, 1 or channels, time)
        Which time points the sequences hold (False in the padding after an
        unequal-length sequence's last step).

    Returns
    -------
    chains : ndarray of shape (channels, 3)
        Per channel, the probability that a sequence starts with a gap, that a
        gap starts after an observed value, and that a gap goes on.
    """
    valid = np.broadcast_to(valid, gaps.shape)
    first = gaps[:, :, 0].mean(0)
    before, after = gaps[:, :, :-1], gaps[:, :, 1:]
    steps = valid[:, :, 1:]

    def share(now, previous):
        hits = (steps & (after == now) & (before == previous)).sum((0, 2))
        total = (steps & (before == previous)).sum((0, 2))
        return np.divide(hits, total, out=np.zeros(len(hits)), where=total > 0)

    return np.stack([first, share(True, False), share(True, True)], axis=1)


def fill_gaps(values, gaps):
    """``values`` (n, time, channels) with gaps interpolated in time.

    Gaps at either end of a sequence take its nearest observed value; a channel
    that a sequence never observes takes the channel's median.
    """
    n, length, channels = values.shape
    rows = values.transpose(1, 0, 2).reshape(length, n * channels).copy()
    gaps = gaps.transpose(1, 0, 2).reshape(length, n * channels)
    touched = np.flatnonzero(gaps.any(0))
    frame = pd.DataFrame(np.where(gaps[:, touched], np.nan, rows[:, touched]))
    rows[:, touched] = frame.interpolate(limit_direction="both").to_numpy()
    filled = rows.reshape(length, n, channels).transpose(1, 0, 2)
    empty = np.isnan(filled) & gaps.reshape(length, n, channels).transpose(1, 0, 2)
    if empty.any():
        observed = np.where(
            gaps.reshape(length, n, channels).transpose(1, 0, 2), np.nan, values
        )
        medians = np.nanmedian(observed, axis=(0, 1))
        filled = np.where(empty, medians, filled)
    return filled


def draw_gaps(chains, n, length, rng):
    """Gaps of ``n`` sequences of ``length`` steps: boolean (n, channels, time).

    Draws come from the CPU generator ``rng``.
    """
    chains = torch.as_tensor(chains, dtype=torch.float64)
    uniform = torch.rand(n, len(chains), length, generator=rng, dtype=torch.float64)
    gaps = torch.empty(n, len(chains), length, dtype=torch.bool)
    gaps[:, :, 0] = uniform[:, :, 0] < chains[:, 0]
    for t in range(1, length):
        chance = torch.where(gaps[:, :, t - 1], chains[:, 2], chains[:, 1])
        gaps[:, :, t] = uniform[:, :, t] < chance
    return gaps.numpy()


def check_gap_chains(chains, n_channels):
    """Raise a ValueError unless ``chains`` are probabilities, one row per channel."""
    chains = np.asarray(chains)
    if not (
        chains.shape == (n_channels, 3)
        and chains.dtype.kind == "f"
        and ((chains >= 0) & (chains <= 1)).all()
    ):
        raise ValueError(
            f"gap_chains_ must hold probabilities of shape ({n_channels}, 3)"
        )
