"""Torch modules shared by the samplers and the evaluation networks."""

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
