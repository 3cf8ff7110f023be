"""TimeGANSampler(latent="sequence"): one latent vector per sequence."""

import numpy as np
import pandas as pd
import pytest
import torch
from sampler_checks import SAMPLER_CHECKS
from sklearn.utils.estimator_checks import parametrize_with_checks

from sksynth import TimeGANSampler
from sksynth.datasets import make_sines
from sksynth.sequence_latent import NOISE_RANK, SequenceDecoder


def _small(**params):
    defaults = dict(
        seq_len=6,
        latent="sequence",
        hidden_dim=4,
        n_iter=3,
        batch_size=8,
        device="cpu",
        random_state=0,
    )
    return TimeGANSampler(**{**defaults, **params})


@pytest.fixture(scope="module")
def sines():
    return make_sines(40, seq_len=6, n_channels=3, random_state=0)


@parametrize_with_checks([_small(seq_len=3, n_iter=2)])
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("check", SAMPLER_CHECKS, ids=lambda c: c.__name__)
def test_sampler_contract(check, sines):
    check(_small(), sines)


def test_phases_networks_and_history(sines):
    sampler = _small(n_iter=10, n_iter_pretrain=20).fit(sines)
    assert sampler.n_iter_ == {"autoencoder": 20, "adversarial": 10}
    steps = pd.DataFrame(sampler.history_).groupby("phase").step.max()
    assert steps.to_dict() == {"autoencoder": 20, "adversarial": 10}
    assert not hasattr(sampler, "supervisor_")
    assert sampler.generator_(torch.zeros(2, 4)).shape == (2, 4)


def test_training_lowers_losses_and_samples_stay_in_range():
    X = make_sines(300, seq_len=12, n_channels=3, random_state=0)
    sampler = TimeGANSampler(
        seq_len=12,
        latent="sequence",
        hidden_dim=16,
        num_layers=2,
        n_iter=100,
        n_iter_pretrain=300,
        batch_size=32,
        device="cpu",
        random_state=0,
    ).fit(X)
    history = pd.DataFrame(sampler.history_)
    autoencoder = history.loc[history.phase == "autoencoder"]
    for loss in ("reconstruction", "residual_nll"):
        curve = autoencoder[loss].to_numpy()
        assert curve[-3:].mean() < curve[:3].mean() - 0.1 * abs(curve[:3].mean()), (
            loss,
            curve,
        )
    adversarial = history.loc[history.phase == "adversarial"]
    assert np.isfinite(adversarial[["critic", "generator"]].to_numpy()).all()
    out = sampler.sample(200, random_state=0)
    assert out.min() >= X.min() and out.max() <= X.max()
    # The samples vary: the generator has not collapsed onto one sequence.
    assert out.std(axis=0).mean() > 0.05


def test_decoder_residual_follows_its_ar_process():
    torch.manual_seed(0)
    decoder = SequenceDecoder(3, 5, 2, num_layers=2, cell="gru")
    z = torch.rand(4, 3) * 2 - 1
    noise = torch.randn(4, 6, 2 + NOISE_RANK)
    with torch.no_grad():
        decoder.ar_coef.fill_(0.5)  # tanh(0.5) is the AR coefficient
        mean, scale, factor = decoder(z, 6)
        # Without noise the decoder returns its mean.
        torch.testing.assert_close(decoder.sample(z, 6, torch.zeros_like(noise)), mean)
        residual = decoder.sample(z, 6, noise) - mean
    innovation = scale * noise[..., :2] + (factor @ noise[..., 2:, None])[..., 0]
    expected = innovation.clone()
    for t in range(1, 6):
        expected[:, t] += np.tanh(0.5) * expected[:, t - 1]
    torch.testing.assert_close(residual, expected)


def test_residual_likelihood_prefers_the_right_scale():
    torch.manual_seed(0)
    decoder = SequenceDecoder(3, 5, 2, num_layers=2, cell="gru")
    mean = torch.zeros(64, 6, 2)
    factor = torch.zeros(64, 6, 2, NOISE_RANK)
    x = 0.1 * torch.randn(64, 6, 2)
    nll = {
        s: float(decoder.residual_nll(x, mean, torch.full_like(mean, s), factor))
        for s in (0.01, 0.1, 1.0)
    }
    assert nll[0.1] < nll[0.01] and nll[0.1] < nll[1.0]


def test_seeded_fits_are_identical_and_load_samples_the_same(sines, tmp_path):
    a = _small().fit(sines)
    b = _small().fit(sines)
    np.testing.assert_array_equal(
        a.sample(5, random_state=1), b.sample(5, random_state=1)
    )
    a.save(tmp_path / "model.pt")
    loaded = TimeGANSampler.load(tmp_path / "model.pt")
    np.testing.assert_array_equal(
        a.sample(5, random_state=1), loaded.sample(5, random_state=1)
    )


@pytest.mark.parametrize("cell", ["lstm", "tf-gru"])
def test_other_cells(cell, sines):
    assert _small(cell=cell).fit(sines).sample(2).shape == (2, 3, 6)


def test_unknown_latent_is_a_clear_error(sines):
    with pytest.raises(ValueError, match="'latent' parameter"):
        _small(latent="vector").fit(sines)
