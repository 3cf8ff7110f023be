"""sksynth's TimeGAN steps compute the same losses as plain eager steps."""

import sys
from pathlib import Path

import pytest
import torch

from sksynth.datasets import make_sines
from sksynth.timegan import _make_networks, _TimeGANTrainer

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
from timegan_plain import PlainTimeGANTrainer  # noqa: E402


def _trainer(cls):
    data = torch.as_tensor(
        make_sines(64, seq_len=8, n_channels=3, random_state=0).transpose(0, 2, 1),
        dtype=torch.float32,
    )
    with torch.random.fork_rng(devices=[]):
        torch.random.manual_seed(0)
        modules = _make_networks(3, 6, 3, "gru")
    return cls(
        modules,
        data,
        batch_size=16,
        learning_rate=1e-3,
        gamma=1.0,
        generator=torch.Generator().manual_seed(0),
    )


def test_fast_and_plain_steps_give_the_same_losses():
    fast, plain = _trainer(_TimeGANTrainer), _trainer(PlainTimeGANTrainer)
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
    for name, module in fast.embedder.named_parameters():
        other = dict(plain.embedder.named_parameters())[name]
        torch.testing.assert_close(module, other, rtol=1e-4, atol=1e-5)
