"""The recurrent building blocks of sksynth._core.nn."""

import numpy as np
import pytest
import torch

from sksynth._core.nn import TFGRU, FoldedGenerator, RecurrentStack, TabularGenerator


def _tf_gru_cell_reference(x, kernels):
    """TensorFlow 1 GRUCell equations in NumPy, one layer after another."""
    sequence = x
    for w_g, b_g, w_c, b_c in kernels:
        width = b_c.shape[0]
        h = np.zeros((x.shape[0], width))
        outputs = []
        for t in range(sequence.shape[1]):
            gates = 1 / (1 + np.exp(-(np.c_[sequence[:, t], h] @ w_g + b_g)))
            r, u = gates[:, :width], gates[:, width:]
            c = np.tanh(np.c_[sequence[:, t], r * h] @ w_c + b_c)
            h = u * h + (1 - u) * c
            outputs.append(h)
        sequence = np.stack(outputs, axis=1)
    return sequence


def test_tf_gru_matches_the_tensorflow_cell_equations():
    torch.manual_seed(0)
    gru = TFGRU(3, 4, num_layers=2).double()
    x = torch.rand(5, 6, 3, dtype=torch.float64)
    output, last = gru(x)
    kernels = [
        tuple(p.detach().numpy() for p in params)
        for params in zip(
            gru.gate_kernels,
            gru.gate_biases,
            gru.candidate_kernels,
            gru.candidate_biases,
            strict=True,
        )
    ]
    expected = _tf_gru_cell_reference(x.numpy(), kernels)
    np.testing.assert_allclose(output.detach().numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(last[-1].detach().numpy(), expected[:, -1])


def test_tf_gru_starts_as_tensorflow_does():
    torch.manual_seed(0)
    gru = TFGRU(3, 4, num_layers=2)
    for bias in gru.gate_biases:
        assert torch.all(bias == 1.0)
    for bias in gru.candidate_biases:
        assert torch.all(bias == 0.0)
    # Glorot-uniform over the whole [x, h] kernel: bound sqrt(6 / (fan_in + fan_out)).
    kernel = gru.gate_kernels[0]
    bound = np.sqrt(6 / sum(kernel.shape))
    assert kernel.abs().max() <= bound
    assert kernel.abs().max() > 0.9 * bound


def test_tf_gru_differs_from_torch_gru():
    """Same weights, different reset gate: the two cells are not the same function."""
    torch.manual_seed(0)
    tf_gru = TFGRU(2, 3).double()
    torch_gru = torch.nn.GRU(2, 3, batch_first=True).double()
    w_g, b_g = tf_gru.gate_kernels[0], tf_gru.gate_biases[0]
    w_c, b_c = tf_gru.candidate_kernels[0], tf_gru.candidate_biases[0]
    with torch.no_grad():
        torch_gru.weight_ih_l0.copy_(torch.cat([w_g[:2].t(), w_c[:2].t()]))
        torch_gru.weight_hh_l0.copy_(torch.cat([w_g[2:].t(), w_c[2:].t()]))
        torch_gru.bias_ih_l0.copy_(torch.cat([b_g, b_c]))
        torch_gru.bias_hh_l0.zero_()
    x = torch.rand(4, 5, 2, dtype=torch.float64)
    # torch's z gate is TensorFlow's u, so with the reset gate's place the only
    # difference, the outputs agree at the first step (h = 0) and differ later.
    tf_out, _ = tf_gru(x)
    torch_out, _ = torch_gru(x)
    torch.testing.assert_close(tf_out[:, 0], torch_out[:, 0])
    assert not torch.allclose(tf_out[:, -1], torch_out[:, -1])


@pytest.mark.parametrize("sigmoid", [True, False])
def test_recurrent_stack_with_the_tf_cell_trains(sigmoid):
    torch.manual_seed(0)
    stack = RecurrentStack(3, 5, 2, num_layers=2, cell="tf-gru", sigmoid=sigmoid)
    x = torch.rand(8, 4, 3)
    out = stack(x)
    assert out.shape == (8, 4, 2)
    out.sum().backward()
    assert all(p.grad is not None for p in stack.parameters())


@pytest.mark.parametrize("hidden", [(), (8,), (8, 6, 5)])
@pytest.mark.parametrize("n_ones, n_dense", [(0, 0), (1, 0), (2, 3), (0, 2)])
def test_folded_generator_gives_the_generators_outputs(hidden, n_ones, n_dense):
    torch.manual_seed(0)
    n_noise, n_one_hot, n_rows = 4, 7 * n_ones, 50
    generator = TabularGenerator(n_noise + n_one_hot + n_dense, hidden, 9)
    for block in generator.blocks:  # batch norm as after training
        block.norm.running_mean.normal_()
        block.norm.running_var.uniform_(0.5, 2.0)
        block.norm.weight.data.normal_()
        block.norm.bias.data.normal_()
    generator.eval()
    noise = torch.randn(n_rows, n_noise)
    # One hot entry in each of n_ones groups of 7 columns.
    ones = torch.randint(7, (n_rows, n_ones)) + 7 * torch.arange(n_ones)
    dense = (torch.rand(n_rows, n_dense) < 0.5).float()
    one_hot = torch.zeros(n_rows, n_one_hot).scatter_(1, ones, 1.0)
    with torch.no_grad():
        expected = generator(torch.cat([noise, one_hot, dense], dim=1))
    folded = FoldedGenerator(generator, n_noise, n_dense)
    got = folded(noise, ones, dense if n_dense else None)
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)
    assert not got.requires_grad
    # Worked in a given tensor, left full of other values, the same rows.
    work = torch.full((n_rows, folded.work_width), torch.nan)
    again = folded(noise, ones, dense if n_dense else None, out=work)
    torch.testing.assert_close(again, got)
    assert again.untyped_storage().data_ptr() == work.untyped_storage().data_ptr()
