"""TimeGANSampler(latent="sequence"): one latent vector per sequence."""

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F

from sksynth import TimeGANSampler
from sksynth.datasets import make_sines
from sksynth.timeseries._sequence_latent import SequenceDecoder
from sksynth.utils.estimator_checks import small_sampler


def test_phases_networks_and_history(sines):
    sampler = small_sampler(
        TimeGANSampler, latent="sequence", n_iter=10, n_iter_pretrain=20
    ).fit(sines)
    assert sampler.n_iter_per_phase_ == {"autoencoder": 20, "adversarial": 10}
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
    curve = history.loc[history.phase == "autoencoder", "reconstruction"].to_numpy()
    assert curve[-3:].mean() < 0.5 * curve[:3].mean(), curve
    adversarial = history.loc[history.phase == "adversarial"]
    assert np.isfinite(adversarial[["critic", "generator"]].to_numpy()).all()
    out = sampler.sample(200, random_state=0)
    assert out.min() >= X.min() and out.max() <= X.max()


def _ar_residuals(coef, cholesky, n, n_steps):
    noise = torch.randn(n, n_steps, len(coef), dtype=torch.float64)
    innovation = (cholesky @ noise.unsqueeze(-1)).squeeze(-1)
    residual = innovation.clone()
    for t in range(1, n_steps):
        residual[:, t] += coef * residual[:, t - 1]
    return residual


def test_fit_residual_recovers_the_ar_coefficients_and_covariance():
    torch.manual_seed(0)
    coef = torch.tensor([0.9, 0.0], dtype=torch.float64)
    cholesky = torch.tensor([[0.02, 0.0], [0.03, 0.04]], dtype=torch.float64)
    residual = _ar_residuals(coef, cholesky, 20_000, 8)
    decoder = SequenceDecoder(3, 5, 2, 8, num_layers=2, cell="gru").double()
    decoder.fit_residual(residual)
    torch.testing.assert_close(decoder.ar_coef, coef, atol=0.01, rtol=0)
    covariance = decoder.innovation_cholesky @ decoder.innovation_cholesky.mT
    torch.testing.assert_close(
        covariance[1:].mean(0), cholesky @ cholesky.T, atol=2e-5, rtol=0.05
    )


def test_fit_residual_copes_with_duplicated_and_constant_channels():
    torch.manual_seed(0)
    noise = torch.rand(500, 8, 1)
    residual = torch.cat([noise, noise, torch.zeros_like(noise)], dim=2)
    decoder = SequenceDecoder(3, 5, 3, 8, num_layers=2, cell="gru")
    decoder.fit_residual(residual)
    assert torch.isfinite(decoder.innovation_cholesky).all()
    covariance = decoder.innovation_cholesky @ decoder.innovation_cholesky.mT
    torch.testing.assert_close(
        covariance[:, 0, 0], covariance[:, 0, 1], rtol=1e-3, atol=0
    )


def test_decoder_samples_its_mean_plus_the_ar_residual():
    torch.manual_seed(0)
    decoder = SequenceDecoder(3, 5, 2, 6, num_layers=2, cell="gru")
    with torch.no_grad():
        decoder.ar_coef.copy_(torch.tensor([0.5, -0.2]))
        decoder.innovation_cholesky.copy_(torch.tensor([[0.1, 0.0], [0.05, 0.2]]))
        z = torch.rand(4, 3) * 2 - 1
        noise = torch.randn(4, 6, 2)
        mean = decoder(z)
        torch.testing.assert_close(decoder.sample(z, torch.zeros_like(noise)), mean)
        residual = decoder.sample(z, noise) - mean
    expected = (decoder.innovation_cholesky @ noise.unsqueeze(-1)).squeeze(-1)
    for t in range(1, 6):
        expected[:, t] += decoder.ar_coef * expected[:, t - 1]
    torch.testing.assert_close(residual, expected)


def _innovations(decoder, residual, empirical, groups=None):
    """Innovations the fitted decoder draws, with a zero mean and no AR part."""
    with torch.no_grad():
        decoder.ar_coef.zero_()
        z = torch.zeros(len(residual), 3, dtype=residual.dtype)
        noise = torch.randn(residual.shape, dtype=residual.dtype)
        return decoder.sample(z, noise, None, groups, empirical) - decoder(z)


def test_empirical_innovations_keep_heavy_tails_zeros_and_correlation():
    # Channel 0: Laplace innovations; channel 1: zero on 60 % of the steps
    # (a sensor that holds its value), else a normal step, moving with 0.
    torch.manual_seed(0)
    n, steps = 4_000, 8
    laplace = torch.distributions.Laplace(0.0, 1.0).sample((n, steps)).double()
    held = torch.rand(n, steps) < 0.6
    moving = 0.7 * laplace + 0.7 * torch.randn(n, steps, dtype=torch.float64)
    residual = torch.stack([laplace, torch.where(held, 0.0, moving)], dim=2)
    decoder = SequenceDecoder(3, 5, 2, steps, num_layers=2, cell="gru").double()
    decoder.fit_residual(residual)
    # The training innovations, with the fitted AR coefficients.
    previous = F.pad(residual[:, :-1], (0, 0, 1, 0))
    innovation = residual - decoder.ar_coef * previous
    torch.manual_seed(1)
    gaussian = _innovations(decoder, residual, empirical=False)
    empirical = _innovations(decoder, residual, empirical=True)

    def kurtosis(x):
        x = x - x.mean()
        return float((x**4).mean() / (x**2).mean() ** 2)

    assert kurtosis(residual[..., 0]) > 5.0  # Laplace: 6
    assert abs(kurtosis(empirical[..., 0]) - kurtosis(residual[..., 0])) < 1.0
    assert abs(kurtosis(gaussian[..., 0]) - 3.0) < 0.3
    assert (gaussian[..., 1] == 0).float().mean() < 0.01
    zeros = (innovation[..., 1] == 0).float().mean()
    assert zeros > 0.3
    assert abs((empirical[..., 1] == 0).float().mean() - zeros) < 0.03
    torch.testing.assert_close(
        empirical.std(dim=(0, 1)), residual.std(dim=(0, 1)), rtol=0.05, atol=0
    )
    real = torch.corrcoef(residual.reshape(-1, 2).T)[0, 1]
    made = torch.corrcoef(empirical.reshape(-1, 2).T)[0, 1]
    assert real > 0.3 and abs(made - real) < 0.1


def test_empirical_innovations_of_each_group_are_its_own():
    torch.manual_seed(0)
    quiet = 0.01 * torch.randn(500, 6, 1, dtype=torch.float64)
    loud = torch.distributions.Laplace(0.0, 1.0).sample((500, 6, 1)).double()
    residual = torch.cat([quiet, loud])
    groups = torch.repeat_interleave(torch.tensor([0, 1]), 500)
    decoder = SequenceDecoder(3, 5, 1, 6, num_layers=2, cell="gru", n_groups=2)
    decoder = decoder.double()
    decoder.fit_residual(residual, groups=groups)
    drawn = _innovations(decoder, residual, empirical=True, groups=groups)
    assert drawn[:500].abs().max() < 0.1
    assert drawn[500:].std() > 1.0


def test_innovations_change_the_sequence_latent_only(sines):
    def sample(latent, innovations):
        sampler = small_sampler(TimeGANSampler, latent=latent, innovations=innovations)
        return sampler.fit(sines).sample(20, random_state=0)

    assert not np.allclose(
        sample("sequence", "gaussian"), sample("sequence", "empirical")
    )
    np.testing.assert_array_equal(
        sample("step", "gaussian"), sample("step", "empirical")
    )


def test_seeded_fits_are_identical_and_load_samples_the_same(sines, tmp_path):
    a = small_sampler(TimeGANSampler, latent="sequence").fit(sines)
    b = small_sampler(TimeGANSampler, latent="sequence").fit(sines)
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
    assert small_sampler(TimeGANSampler, latent="sequence", cell=cell).fit(
        sines
    ).sample(2).shape == (2, 3, 6)


def test_unknown_latent_is_a_clear_error(sines):
    with pytest.raises(ValueError, match="'latent' parameter"):
        small_sampler(TimeGANSampler, latent="vector").fit(sines)


def test_adversarial_phase_moves_generated_latents_to_the_real_ones():
    from sksynth.timeseries._sequence_latent import SequenceLatentTrainer, make_networks

    torch.manual_seed(0)
    modules = make_networks(2, 6, 4, num_layers=2, cell="gru")
    data = torch.rand(64, 6, 2)
    trainer = SequenceLatentTrainer(
        modules,
        data,
        batch_size=32,
        learning_rate=1e-3,
        rng=torch.Generator().manual_seed(0),
    )
    trainer.adversarial_step()  # encodes the data and fits the residual model
    # Real latent vectors far from where the untrained generator puts its own.
    trainer.latents = 0.6 + 0.05 * torch.randn(256, 4)
    noise = torch.randn(512, 4)

    def gap():
        with torch.no_grad():
            return float((modules["generator_"](noise).mean(0) - 0.6).abs().mean())

    before = gap()
    for _ in range(300):
        trainer.adversarial_step()
    assert gap() < 0.7 * before
