"""Torch modules shared by the samplers and the evaluation networks."""

import torch
from torch import nn

_RECURRENT_CELLS = {"gru": nn.GRU, "lstm": nn.LSTM}


class RecurrentStack(nn.Module):
    """Stacked GRU or LSTM layers followed by the same linear map at each step.

    This is the building block of every TimeGAN network: it reads a batch of
    sequences of shape (batch, time, input_size) and returns one output vector
    per time step, of shape (batch, time, output_size).

    Parameters
    ----------
    input_size : int
        Features per time step of the input.
    hidden_size : int
        Width of each recurrent layer.
    output_size : int
        Features per time step of the output.
    num_layers : int
        Number of stacked recurrent layers.
    cell : {"gru", "lstm"}, default="gru"
        Recurrent cell type.
    sigmoid : bool, default=True
        Whether to squash the output to (0, 1); False returns logits.
    """

    def __init__(
        self, input_size, hidden_size, output_size, num_layers, cell="gru", sigmoid=True
    ):
        super().__init__()
        self.rnn = _RECURRENT_CELLS[cell](
            input_size, hidden_size, num_layers=num_layers, batch_first=True
        )
        self.head = nn.Linear(hidden_size, output_size)
        self.sigmoid = sigmoid
        self._init_like_tensorflow()

    def _init_like_tensorflow(self):
        # The published TimeGAN numbers come from TensorFlow 1, whose layers start
        # from Glorot-uniform weights and zero biases; PyTorch's default uniform
        # init is scaled differently, so match TensorFlow's.
        for name, parameter in self.named_parameters():
            if name.endswith("bias") or "bias_" in name:
                nn.init.zeros_(parameter)
            else:
                nn.init.xavier_uniform_(parameter)

    def forward(self, x):
        """Map (batch, time, input_size) to (batch, time, output_size)."""
        hidden, _ = self.rnn(x)
        out = self.head(hidden)
        return out.sigmoid() if self.sigmoid else out


# ---------------------------------------------------------------------------
# Tabular GAN networks (GANSampler)
# ---------------------------------------------------------------------------


class ConcatResidual(nn.Module):
    """A fully connected layer whose output is concatenated to its input.

    ``x -> [relu(batchnorm(linear(x))), x]``: each block widens the
    representation by ``out_features``, so later layers see every earlier one.

    Parameters
    ----------
    in_features : int
        Width of the input.
    out_features : int
        Width added by the block.
    """

    def __init__(self, in_features, out_features):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)
        self.norm = nn.BatchNorm1d(out_features)

    def forward(self, x):
        """Map (batch, in_features) to (batch, in_features + out_features)."""
        return torch.cat([torch.relu(self.norm(self.linear(x))), x], dim=1)


class TabularGenerator(nn.Module):
    """Generator of a tabular GAN: residual blocks, then a linear output layer.

    Parameters
    ----------
    input_dim : int
        Width of the input (noise and condition vectors).
    hidden_dims : sequence of int
        Width added by each :class:`ConcatResidual` block.
    output_dim : int
        Width of the output (raw values, before the per-column activations).
    """

    def __init__(self, input_dim, hidden_dims, output_dim):
        super().__init__()
        blocks, width = [], input_dim
        for hidden in hidden_dims:
            blocks.append(ConcatResidual(width, hidden))
            width += hidden
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Linear(width, output_dim)

    def forward(self, x):
        """Map (batch, input_dim) to (batch, output_dim)."""
        return self.head(self.blocks(x))


class PacDiscriminator(nn.Module):
    """Discriminator (critic) that scores packs of ``pac`` rows together (PacGAN).

    Rows are grouped in consecutive packs of ``pac``; each pack is flattened
    into one input vector and gets one score. Hidden layers are linear, leaky
    ReLU (slope 0.2) and dropout (0.5).

    Parameters
    ----------
    input_dim : int
        Width of one row.
    hidden_dims : sequence of int
        Widths of the hidden layers.
    pac : int
        Rows per pack; the batch size must be a multiple of it.
    """

    def __init__(self, input_dim, hidden_dims, pac):
        super().__init__()
        self.pac = pac
        layers, width = [], input_dim * pac
        for hidden in hidden_dims:
            layers += [nn.Linear(width, hidden), nn.LeakyReLU(0.2), nn.Dropout(0.5)]
            width = hidden
        layers.append(nn.Linear(width, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        """Map (batch, input_dim) to one score per pack, (batch // pac,)."""
        return self.net(x.reshape(-1, x.shape[1] * self.pac)).squeeze(1)
