"""Padded sequences of unequal lengths: masks of their valid steps, masked losses.

A batch of sequences of unequal lengths is one tensor (batch, time, features)
padded after each sequence's last step, and a bool mask (batch, time, 1) of
the valid steps. Recurrent networks read time forward, so the output at a
valid step never reads padding; the losses below count the valid steps only,
and use ``torch.where`` so that no padding value, not even NaN, reaches them.
"""

import torch
import torch.nn.functional as F


def step_mask(lengths, n_steps):
    """Bool mask (batch, n_steps, 1) of the steps before each sequence's length."""
    steps = torch.arange(n_steps, device=lengths.device)
    return (steps < lengths.unsqueeze(1)).unsqueeze(-1)


def masked_mse(a, b, mask):
    """MSE over the valid steps; ``mask`` (batch, time, 1) is bool, or None."""
    if mask is None:
        return F.mse_loss(a, b)
    gap = torch.where(mask, a - b, 0.0)
    return gap.square().sum() / (mask.sum() * a.shape[-1])


def last_valid_step(h, lengths):
    """The outputs (batch, features) of each sequence's last valid step."""
    return h[torch.arange(len(h), device=h.device), lengths - 1]
