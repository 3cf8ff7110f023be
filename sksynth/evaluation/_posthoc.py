"""The small recurrent networks of the TimeGAN evaluation protocol, as skorch nets.

Both networks are one GRU layer with ``max(1, n_channels // 2)`` units, trained
with Adam (learning rate 1e-3) for a fixed number of mini-batch steps. A step
is one item of a map-style dataset that returns a whole pre-drawn mini-batch,
so that skorch runs exactly ``n_steps`` optimizer steps in a single epoch and
the data loader never collates sequences one by one.

Sequences of unequal lengths come zero-padded with their lengths: the
classifier reads each one's hidden state at its own last step, and the
regressor's loss skips the targets past a sequence's end (NaN there).
"""

import numpy as np
import torch
from skorch import NeuralNetBinaryClassifier, NeuralNetRegressor
from torch import nn

from .._core.masking import last_valid_step
from .._core.nn import RecurrentStack
from .._core.validation import check_magnitude

_CELLS = ("gru", "tf-gru")
# The networks compute in float32 (at most 3.4e38); larger inputs would
# overflow their weighted sums.
_MAX_INPUT = 1e30


def check_cell(cell, metric):
    """Raise a ValueError unless ``cell`` names a post-hoc recurrent cell."""
    if not (isinstance(cell, str) and cell in _CELLS):
        raise ValueError(f"{metric}: cell must be one of {_CELLS}, got {cell!r}.")


def check_network_input(X3, name):
    """Raise a ValueError if a panel's values would overflow the float32 networks."""
    check_magnitude(
        X3,
        name,
        limit=_MAX_INPUT,
        why="up to which the post-hoc GRU's float32 arithmetic stays finite",
    )


def hidden_size(n_channels):
    """Hidden units of the post-hoc GRU: half the channels, at least one."""
    return max(1, n_channels // 2)


class LastStepClassifier(nn.Module):
    """A GRU whose last hidden state goes through a linear map to one logit."""

    def __init__(self, n_channels, cell="gru"):
        super().__init__()
        self.stack = RecurrentStack(
            n_channels, hidden_size(n_channels), 1, 1, cell, sigmoid=False
        )

    def forward(self, x, lengths=None):
        """Map (batch, time, channels) sequences to logits of shape (batch,).

        With ``lengths`` (batch,), each sequence's state at its last step.
        """
        out = self.stack(x)
        if lengths is None:
            return out[:, -1, 0]
        return last_valid_step(out, lengths)[:, 0]


class NextStepRegressor(nn.Module):
    """A GRU with a per-step linear map and sigmoid: one prediction per step."""

    def __init__(self, n_inputs, n_channels, cell="gru"):
        super().__init__()
        self.stack = RecurrentStack(
            n_inputs, hidden_size(n_channels), 1, 1, cell, sigmoid=True
        )

    def forward(self, x):
        """Map (batch, time, inputs) to predictions of shape (batch, time, 1)."""
        return self.stack(x)


def _draw_batches(rng, n_items, n_steps, batch_size):
    """Indices of ``n_steps`` mini-batches, each drawn without replacement."""
    size = min(batch_size, n_items)
    return np.stack([rng.choice(n_items, size, replace=False) for _ in range(n_steps)])


class PairedBatches(torch.utils.data.Dataset):
    """Balanced mini-batches: ``batch_size`` real then ``batch_size`` synthetic.

    Item ``k`` is the k-th pre-drawn batch ``(X, y)`` with X of shape
    (2 * batch_size, time, channels) and y = 1 for real, 0 for synthetic.
    """

    def __init__(self, real, synth, *, n_steps, batch_size, rng, lengths=None):
        self.real = torch.as_tensor(real, dtype=torch.float32)
        self.synth = torch.as_tensor(synth, dtype=torch.float32)
        # With lengths (real's, synth's), X is {"x": sequences, "lengths": ...}.
        self.lengths = (
            None if lengths is None else [torch.as_tensor(n) for n in lengths]
        )
        self.real_index = torch.as_tensor(
            _draw_batches(rng, len(real), n_steps, batch_size)
        )
        self.synth_index = torch.as_tensor(
            _draw_batches(rng, len(synth), n_steps, batch_size)
        )
        self.y = torch.cat(
            [
                torch.ones(self.real_index.shape[1]),
                torch.zeros(self.synth_index.shape[1]),
            ]
        )

    def __len__(self):
        return len(self.real_index)

    def __getitem__(self, k):
        X = torch.cat([self.real[self.real_index[k]], self.synth[self.synth_index[k]]])
        if self.lengths is None:
            return X, self.y
        real_lengths, synth_lengths = self.lengths
        lengths = torch.cat(
            [real_lengths[self.real_index[k]], synth_lengths[self.synth_index[k]]]
        )
        return {"x": X, "lengths": lengths}, self.y


class RandomBatches(torch.utils.data.Dataset):
    """Mini-batches of ``batch_size`` random (input, target) sequence pairs."""

    def __init__(self, X, y, *, n_steps, batch_size, rng):
        self.X = torch.as_tensor(X, dtype=torch.float32)
        self.y = torch.as_tensor(y, dtype=torch.float32)
        self.index = torch.as_tensor(_draw_batches(rng, len(X), n_steps, batch_size))

    def __len__(self):
        return len(self.index)

    def __getitem__(self, k):
        index = self.index[k]
        return self.X[index], self.y[index]


# One epoch over a dataset of whole batches: batch_size=None turns off the data
# loader's own batching, and no callbacks, validation split or printing run.
_STEPWISE_FIT = {
    "max_epochs": 1,
    "train_split": None,
    "callbacks": "disable",
    "optimizer": torch.optim.Adam,
    "lr": 1e-3,
    "iterator_train__batch_size": None,
    "iterator_train__shuffle": False,
    "iterator_valid__batch_size": 4096,
}


def make_classifier(n_channels, device, cell="gru"):
    """The discriminative score's post-hoc classifier, unfitted."""
    return NeuralNetBinaryClassifier(
        LastStepClassifier,
        module__n_channels=n_channels,
        module__cell=cell,
        device=device,
        **_STEPWISE_FIT,
    )


class MaskedL1Loss(nn.Module):
    """Mean absolute error over the targets that are not NaN."""

    def forward(self, prediction, target):
        valid = ~target.isnan()
        return (prediction - target.nan_to_num())[valid].abs().mean()


def make_regressor(n_inputs, n_channels, device, cell="gru", masked=False):
    """The predictive score's post-hoc next-step regressor, unfitted.

    ``masked=True`` skips NaN targets, the steps past a sequence's end.
    """
    return NeuralNetRegressor(
        NextStepRegressor,
        module__n_inputs=n_inputs,
        module__n_channels=n_channels,
        module__cell=cell,
        criterion=MaskedL1Loss if masked else nn.L1Loss,
        device=device,
        **_STEPWISE_FIT,
    )
