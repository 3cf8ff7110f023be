"""Torch modules shared by the samplers and the evaluation networks."""

import torch
from torch import nn
from torch.autograd.function import once_differentiable


class TFGRU(nn.Module):
    """A stack of TensorFlow 1 ``GRUCell`` layers, batch first.

    The published TimeGAN numbers come from TensorFlow 1's ``GRUCell``, which
    is not :class:`torch.nn.GRU`: the reset gate multiplies the state *before*
    the candidate's matrix product, and the gate biases start at 1::

        r, u = sigmoid([x, h] W_g + b_g)        # b_g initialised to 1
        c = tanh([x, r * h] W_c + b_c)          # b_c initialised to 0
        h' = u * h + (1 - u) * c

    Kernels start Glorot-uniform over the whole ``[x, h]`` matrix, as in
    TensorFlow. The forward signature is that of ``nn.GRU`` (``batch_first``,
    zero initial state): it returns ``(output, h_n)``.

    Parameters
    ----------
    input_size : int
        Features per time step of the input.
    hidden_size : int
        Width of each layer.
    num_layers : int, default=1
        Number of stacked layers.
    """

    def __init__(self, input_size, hidden_size, num_layers=1):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.gate_kernels = nn.ParameterList()
        self.gate_biases = nn.ParameterList()
        self.candidate_kernels = nn.ParameterList()
        self.candidate_biases = nn.ParameterList()
        for layer in range(num_layers):
            n_in = (input_size if layer == 0 else hidden_size) + hidden_size
            gate = torch.empty(n_in, 2 * hidden_size)
            candidate = torch.empty(n_in, hidden_size)
            nn.init.xavier_uniform_(gate)
            nn.init.xavier_uniform_(candidate)
            self.gate_kernels.append(nn.Parameter(gate))
            self.gate_biases.append(nn.Parameter(torch.ones(2 * hidden_size)))
            self.candidate_kernels.append(nn.Parameter(candidate))
            self.candidate_biases.append(nn.Parameter(torch.zeros(hidden_size)))

    def forward(self, x):
        """Map (batch, time, input_size) to ((batch, time, hidden), h_n)."""
        width = self.hidden_size
        sequence, last_states = x, []
        for w_g, b_g, w_c, b_c in zip(
            self.gate_kernels,
            self.gate_biases,
            self.candidate_kernels,
            self.candidate_biases,
            strict=True,
        ):
            n_in = w_g.shape[0] - width
            # The input half of both products, for all steps at once.
            gate_inputs = torch.addmm(b_g, sequence.flatten(0, 1), w_g[:n_in])
            candidate_inputs = torch.addmm(b_c, sequence.flatten(0, 1), w_c[:n_in])
            gate_inputs = gate_inputs.view(*sequence.shape[:2], 2 * width)
            candidate_inputs = candidate_inputs.view(*sequence.shape[:2], width)
            w_gh, w_ch = w_g[n_in:], w_c[n_in:]
            h = x.new_zeros(x.shape[0], width)
            outputs = []
            for gate_input, candidate_input in zip(
                gate_inputs.unbind(1), candidate_inputs.unbind(1), strict=True
            ):
                r, u = torch.addmm(gate_input, h, w_gh).sigmoid().chunk(2, dim=1)
                c = torch.addmm(candidate_input, r * h, w_ch).tanh()
                h = torch.lerp(c, h, u)  # u * h + (1 - u) * c
                outputs.append(h)
            sequence = torch.stack(outputs, dim=1)
            last_states.append(h)
        return sequence, torch.stack(last_states)


_RECURRENT_CELLS = {"gru": nn.GRU, "lstm": nn.LSTM, "tf-gru": TFGRU}


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
    cell : {"gru", "lstm", "tf-gru"}, default="gru"
        Recurrent cell type; ``"tf-gru"`` is TensorFlow 1's ``GRUCell``
        (:class:`TFGRU`), which the original TimeGAN code used.
    sigmoid : bool, default=True
        Whether to squash the output to (0, 1); False returns logits.
    """

    def __init__(
        self, input_size, hidden_size, output_size, num_layers, cell="gru", sigmoid=True
    ):
        super().__init__()
        if cell == "tf-gru":
            self.rnn = TFGRU(input_size, hidden_size, num_layers)
        else:
            self.rnn = _RECURRENT_CELLS[cell](
                input_size, hidden_size, num_layers=num_layers, batch_first=True
            )
        self.head = nn.Linear(hidden_size, output_size)
        self.sigmoid = sigmoid
        # TFGRU starts as TensorFlow's cell does; the others and the head are
        # set to TensorFlow's layer defaults here.
        for module in (self.head,) if cell == "tf-gru" else (self.rnn, self.head):
            self._init_like_tensorflow(module)

    @staticmethod
    def _init_like_tensorflow(module):
        # The published TimeGAN numbers come from TensorFlow 1, whose layers start
        # from Glorot-uniform weights and zero biases; PyTorch's default uniform
        # init is scaled differently, so match TensorFlow's.
        for name, parameter in module.named_parameters():
            if name.endswith("bias") or "bias_" in name:
                nn.init.zeros_(parameter)
            else:
                nn.init.xavier_uniform_(parameter)

    def forward(self, x):
        """Map (batch, time, input_size) to (batch, time, output_size).

        On the CPU a GRU stack runs :func:`gru_sequence` (the same function as
        ``nn.GRU``, with fewer operations per step); elsewhere ``nn.GRU``.
        """
        if isinstance(self.rnn, nn.GRU) and x.device.type == "cpu":
            hidden = gru_sequence(x, self.rnn)
        else:
            hidden, _ = self.rnn(x)
        out = self.head(hidden)
        return out.sigmoid() if self.sigmoid else out


def gru_sequence(x, gru):
    """Outputs of a batch-first ``nn.GRU`` stack from a zero initial state.

    Computes what ``gru(x)[0]`` computes, one layer at a time through
    :class:`_GRULayer`. On the CPU a small GRU's time goes into per-step
    operator overhead, and this path runs fewer operations per step than
    ``nn.GRU`` and its autograd graph (``benchmarks/timegan_speed.py`` times
    both).

    Parameters
    ----------
    x : torch.Tensor of shape (batch, time, input_size)
        Input sequences.
    gru : torch.nn.GRU
        A unidirectional, batch-first GRU with biases.

    Returns
    -------
    torch.Tensor of shape (batch, time, hidden_size)
    """
    sequence = x.transpose(0, 1).contiguous()
    for layer in range(gru.num_layers):
        sequence = _GRULayer.apply(
            sequence,
            getattr(gru, f"weight_ih_l{layer}"),
            getattr(gru, f"weight_hh_l{layer}"),
            getattr(gru, f"bias_ih_l{layer}"),
            getattr(gru, f"bias_hh_l{layer}"),
        )
    return sequence.transpose(0, 1)


class _GRULayer(torch.autograd.Function):
    """One GRU layer over a time-major sequence, with a hand-written backward.

    The gates are those of ``nn.GRU``::

        r, z = sigmoid(W_ir x + b_ir + W_hr h + b_hr), sigmoid(W_iz x + ...)
        n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
        h' = (1 - z) * n + z * h

    Everything that does not depend on the recurrence (input projections,
    the factors of the backward recurrence, the weight gradients) is computed
    for all steps at once; each step runs six fused operations forward and
    five backward, writing into preallocated buffers. The layer is
    differentiable once (its gradient has no graph of its own), which is all
    training needs.
    """

    @staticmethod
    def forward(ctx, x, w_ih, w_hh, b_ih, b_hh):
        n_steps, batch, _ = x.shape
        width = w_hh.shape[1]
        rz, n = slice(0, 2 * width), slice(2 * width, None)
        inputs = torch.addmm(b_ih, x.reshape(n_steps * batch, -1), w_ih.t())
        inputs = inputs.view(n_steps, batch, 3 * width)
        # The r and z gates' recurrent bias joins their input projection once.
        inputs_rz = inputs[..., rz] + b_hh[rz]
        w_hh_rz, w_hh_n, b_hh_n = w_hh[rz].t(), w_hh[n].t(), b_hh[n]
        states = x.new_zeros(n_steps + 1, batch, width)
        gates_rz = x.new_empty(n_steps, batch, 2 * width)
        gates_n = x.new_empty(n_steps, batch, width)
        hidden_n = x.new_empty(n_steps, batch, width)  # W_hn h + b_hn
        for h, h_next, gate_rz, gate_n, recurrent_n, input_rz, input_n in zip(
            states[:-1].unbind(0),
            states[1:].unbind(0),
            gates_rz.unbind(0),
            gates_n.unbind(0),
            hidden_n.unbind(0),
            inputs_rz.unbind(0),
            inputs[..., n].unbind(0),
            strict=True,
        ):
            torch.addmm(input_rz, h, w_hh_rz, out=gate_rz).sigmoid_()
            torch.addmm(b_hh_n, h, w_hh_n, out=recurrent_n)
            torch.addcmul(input_n, gate_rz[:, :width], recurrent_n, out=gate_n).tanh_()
            torch.lerp(gate_n, h, gate_rz[:, width:], out=h_next)
        ctx.save_for_backward(x, w_ih, w_hh, states, gates_rz, gates_n, hidden_n)
        return states[1:]

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_out):
        x, w_ih, w_hh, states, gates_rz, n, hidden_n = ctx.saved_tensors
        n_steps, batch, width = grad_out.shape
        previous = states[:-1]
        r, z = gates_rz[..., :width], gates_rz[..., width:]
        # Per step, grads[t] holds the gradients of the pre-activations
        # [n, z, r, W_hn h + b_hn]: the first two are grad_h times factors_h,
        # the last two the n gradient times factors_n. Blocks 0-2 are then the
        # input projection's gradient and blocks 1-3 the recurrent one's.
        factors_h = torch.stack(
            [(1 - z) * (1 - n * n), (previous - n) * z * (1 - z)], 2
        )
        factors_n = torch.stack([hidden_n * r * (1 - r), r], 2)
        grads = grad_out.new_empty(n_steps, batch, 4, width)
        w_r, w_z, w_n = w_hh.split(width)
        w_grads = torch.cat([torch.zeros_like(w_n), w_z, w_r, w_n])
        # grad_h is the gradient of h_t: the output's own plus what flows back
        # from step t + 1. The initial state is a constant, so step 0 passes
        # nothing back. The per-step views are made up front, by unbind.
        steps = zip(
            grads[:, :, :2].unbind(0),
            grads[:, :, :1].unbind(0),
            grads[:, :, 2:].unbind(0),
            grads.view(n_steps, batch, 4 * width).unbind(0),
            factors_h.unbind(0),
            factors_n.unbind(0),
            z.unbind(0),
            (None, *grad_out[:-1].unbind(0)),  # the output gradient of step t - 1
            strict=True,
        )
        grad_h = grad_out[-1]
        for (
            grad_hz,
            grad_n,
            grad_rn,
            grad,
            factor_h,
            factor_n,
            z_t,
            grad_output,
        ) in reversed(list(steps)):
            torch.mul(grad_h.unsqueeze(1), factor_h, out=grad_hz)
            torch.mul(grad_n, factor_n, out=grad_rn)
            if grad_output is not None:
                carried = torch.addcmul(grad_output, grad_h, z_t)
                grad_h = carried.addmm_(grad, w_grads)
        grads = grads.view(n_steps * batch, 4 * width)
        grad_inputs = grads[:, : 3 * width]  # blocks n, z, r

        def gate_order(blocks, order):
            """Rows or entries in ``order`` (block indices) -> nn.GRU's r, z, n."""
            parts = blocks.split(width)
            return torch.cat([parts[order.index(gate)] for gate in "rzn"])

        grad_x = grad_w_ih = grad_w_hh = grad_b_ih = grad_b_hh = None
        if ctx.needs_input_grad[0]:
            w_r, w_z, w_n = w_ih.split(width)
            grad_x = grad_inputs.mm(torch.cat([w_n, w_z, w_r])).view_as(x)
        if any(ctx.needs_input_grad[1:]):
            grad_recurrent = grads[:, width:]  # blocks z, r, W_hn h + b_hn
            flat_x = x.reshape(n_steps * batch, -1)
            flat_previous = previous.reshape(n_steps * batch, width)
            grad_w_ih = gate_order(grad_inputs.t().mm(flat_x), "nzr")
            grad_w_hh = gate_order(grad_recurrent.t().mm(flat_previous), "zrn")
            grad_b_ih = gate_order(grad_inputs.sum(0), "nzr")
            grad_b_hh = gate_order(grad_recurrent.sum(0), "zrn")
        return grad_x, grad_w_ih, grad_w_hh, grad_b_ih, grad_b_hh


def fused_adam(parameters, **settings):
    """``torch.optim.Adam`` with its fused kernel where the build has one.

    The fused kernel updates all parameters in one call instead of a dozen
    operations per parameter tensor; the update is the same.
    """
    parameters = list(parameters)
    try:
        return torch.optim.Adam(parameters, fused=True, **settings)
    except (RuntimeError, TypeError, ValueError):
        return torch.optim.Adam(parameters, **settings)


def optimizer_step(optimizer, loss):
    """One update of ``optimizer``'s parameters down the gradient of ``loss``."""
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()


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


class FoldedGenerator:
    """A :class:`TabularGenerator`'s eval-mode function, rearranged for sampling.

    The same outputs up to rounding, for less arithmetic: batch norm (with
    its running statistics) is folded into the linear layers; each layer's
    input is split by where it comes from (the input row or a block's output),
    so that no concatenation is built and each source is multiplied once by
    its weights towards every later layer; and the input's one-hot entries are
    looked up as rows of the weights instead of multiplied.

    Parameters
    ----------
    generator : TabularGenerator
        The network; its weights are copied as they are now.
    n_noise : int
        Input columns of noise, first in the input row; a one-hot part and
        ``n_dense`` other columns follow.
    n_dense : int
        Input columns after the one-hot part, multiplied as they are.
    """

    @torch.no_grad()
    def __init__(self, generator, n_noise, n_dense):
        layers = [(block.linear, block.norm) for block in generator.blocks]
        layers.append((generator.head, None))
        weights, biases = [], []
        for linear, norm in layers:
            weight, bias = linear.weight, linear.bias
            if norm is not None:
                scale = norm.weight / torch.sqrt(norm.running_var + norm.eps)
                weight = weight * scale[:, None]
                bias = (bias - norm.running_mean) * scale + norm.bias
            weights.append(weight)
            biases.append(bias)
        self.widths = [w.shape[0] for w in weights]
        n_input = weights[0].shape[1]
        # A layer's input is [its block outputs, newest first, then the input
        # row]; source s (0: the input row, s > 0: block s's output) feeds
        # every layer from s on, through these transposed, stacked weights.
        self.source_weights = []
        for source in range(len(weights)):
            parts = []
            for layer, weight in enumerate(weights[source:], start=source):
                if source == 0:
                    parts.append(weight[:, weight.shape[1] - n_input :])
                else:
                    start = sum(self.widths[source:layer])
                    parts.append(weight[:, start : start + self.widths[source - 1]])
            self.source_weights.append(torch.cat(parts).t().contiguous())
        self.bias = torch.cat(biases)
        # Every layer's pre-activations side by side: the width calls work in.
        self.work_width = len(self.bias)
        self.n_noise = n_noise
        self.n_one_hot = n_input - n_noise - n_dense

    def __call__(self, noise, ones, dense=None, out=None):
        """The raw output rows, as ``generator`` gives for the full input row.

        ``noise`` is (n_rows, n_noise); ``ones``, (n_rows, k) integer
        positions of the ones within the one-hot part (k may be 0); ``dense``,
        (n_rows, n_dense) or None when ``n_dense`` is 0. ``out``, a float
        (n_rows, :attr:`work_width`) tensor or None, is worked in (the rows
        returned are a view of it): reusing one across calls saves the time
        a large new tensor costs the allocator.
        """
        inputs = self.source_weights[0]
        noise_weights = inputs[: self.n_noise]
        one_hot_weights = inputs[self.n_noise : self.n_noise + self.n_one_hot]
        if out is None:
            out = noise.new_empty(len(noise), self.work_width)
        if ones.shape[1]:
            torch.index_select(one_hot_weights, 0, ones[:, 0], out=out)
            for k in range(1, ones.shape[1]):
                out += one_hot_weights.index_select(0, ones[:, k])
            out += self.bias
        else:
            out.copy_(self.bias.expand_as(out))
        out.addmm_(noise, noise_weights)
        if dense is not None and dense.shape[1]:
            out.addmm_(dense, inputs[self.n_noise + self.n_one_hot :])
        start = 0
        for width, weights in zip(
            self.widths[:-1], self.source_weights[1:], strict=True
        ):
            block = torch.relu_(out[:, start : start + width])
            start += width
            out[:, start:].addmm_(block, weights)
        return out[:, start:]
