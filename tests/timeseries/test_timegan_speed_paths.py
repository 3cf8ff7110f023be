"""sksynth's TimeGAN steps compute the same losses as plain eager steps."""

import pytest
import torch

from sksynth._core.nn import gru_sequence
from sksynth.datasets import make_sines
from sksynth.timeseries._trainer import _make_networks, _TimeGANTrainer
from tests.timeseries.timegan_reference import PlainTimeGANTrainer


def _trainer(cls):
    data = torch.as_tensor(
        make_sines(64, seq_len=8, n_channels=3, random_state=0).transpose(0, 2, 1),
        dtype=torch.float32,
    )
    with torch.random.fork_rng(devices=[]):
        torch.random.manual_seed(0)
        modules = _make_networks(3, 6, 3, "gru")
    return modules, cls(
        modules,
        data,
        batch_size=16,
        learning_rate=1e-3,
        gamma=1.0,
        rng=torch.Generator().manual_seed(0),
    )


def test_fast_and_plain_steps_give_the_same_losses():
    fast_modules, fast = _trainer(_TimeGANTrainer)
    plain_modules, plain = _trainer(PlainTimeGANTrainer)
    for phase, n_steps in [
        ("autoencoder_step", 5),
        ("supervisor_step", 5),
        ("joint_step", 5),
    ]:
        for _ in range(n_steps):
            fast_losses = getattr(fast, phase)()
            plain_losses = getattr(plain, phase)()
            assert fast_losses.keys() == plain_losses.keys()
            for name in fast_losses:
                assert float(fast_losses[name]) == pytest.approx(
                    float(plain_losses[name]), rel=1e-4, abs=1e-6
                ), (phase, name)
    for network, module in fast_modules.items():
        other = dict(plain_modules[network].named_parameters())
        for name, parameter in module.named_parameters():
            torch.testing.assert_close(
                parameter, other[name], rtol=1e-4, atol=1e-5, msg=network + name
            )


@pytest.mark.parametrize("num_layers", [1, 3])
@pytest.mark.parametrize("train_weights", [True, False])
def test_gru_sequence_matches_nn_gru(num_layers, train_weights):
    torch.manual_seed(0)
    gru = torch.nn.GRU(4, 5, num_layers=num_layers, batch_first=True)
    gru.requires_grad_(train_weights)
    x = torch.randn(6, 7, 4, requires_grad=True)
    weights = torch.randn(6, 7, 5)

    expected, _ = gru(x)
    (expected * weights).sum().backward()
    expected_grads = [x.grad] + [p.grad for p in gru.parameters()]
    x.grad = None
    gru.zero_grad(set_to_none=True)

    got = gru_sequence(x, gru)
    (got * weights).sum().backward()
    got_grads = [x.grad] + [p.grad for p in gru.parameters()]

    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-6)
    for got_grad, expected_grad in zip(got_grads, expected_grads, strict=True):
        if expected_grad is None:
            assert got_grad is None
        else:
            torch.testing.assert_close(got_grad, expected_grad, rtol=1e-4, atol=1e-5)


def test_gru_sequence_refuses_double_backward():
    gru = torch.nn.GRU(2, 3, batch_first=True)
    x = torch.randn(2, 4, 2, requires_grad=True)
    (grad,) = torch.autograd.grad(gru_sequence(x, gru).sum(), x, create_graph=True)
    with pytest.raises(RuntimeError):
        grad.sum().backward()
