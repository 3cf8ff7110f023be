"""TimeGANSampler(marginals="matched"): samples mapped onto the data's quantiles."""

import numpy as np
import pandas as pd
import pytest

from sksynth import TimeGANSampler
from sksynth.timeseries._marginals import N_LEVELS, channel_quantiles, map_quantiles
from sksynth.utils.estimator_checks import assert_same_samples, small_sampler

LATENTS = ["step", "sequence"]
LEVELS = np.array([0.0, 0.3, 0.35, 1.0])


@pytest.fixture(scope="module")
def noisy():
    """60 sequences of 6 steps: a uniform-noise channel and a 4-level one."""
    rng = np.random.default_rng(0)
    noise = rng.uniform(size=(60, 6))
    levels = LEVELS[rng.integers(len(LEVELS), size=(60, 6))]
    return np.stack([noise, 10 * levels - 5], axis=1)


def _quantile_gap(synthetic, real, channel):
    probe = np.linspace(0.05, 0.95, 19)
    return np.abs(
        np.quantile(synthetic[:, channel], probe) - np.quantile(real[:, channel], probe)
    ).max()


@pytest.mark.parametrize("latent", LATENTS)
def test_matched_samples_have_the_data_quantiles(latent, noisy):
    learned = small_sampler(TimeGANSampler, latent=latent, marginals="learned").fit(
        noisy
    )
    matched = small_sampler(TimeGANSampler, marginals="matched", latent=latent).fit(
        noisy
    )
    from_learned = learned.sample(3000, random_state=0)
    from_matched = matched.sample(3000, random_state=0)
    # A few training steps leave the learned noise far from uniform...
    assert _quantile_gap(from_learned, noisy, 0) > 0.1
    # ...and the mapping brings every quantile of it back.
    assert _quantile_gap(from_matched, noisy, 0) < 0.03
    assert from_matched.min() >= noisy.min() and from_matched.max() <= noisy.max()


@pytest.mark.parametrize("latent", LATENTS)
def test_matched_samples_keep_to_a_quantized_channels_values(latent, noisy):
    synthetic = (
        small_sampler(TimeGANSampler, marginals="matched", latent=latent)
        .fit(noisy)
        .sample(3000, random_state=0)[:, 1]
    )
    on_a_level = np.isclose(synthetic[..., None], 10 * LEVELS - 5).any(axis=-1)
    assert on_a_level.mean() > 0.98
    # Each level comes back about as often as in the data (a quarter each).
    shares = np.isclose(synthetic[..., None], 10 * LEVELS - 5).mean(axis=(0, 1))
    np.testing.assert_allclose(shares, 0.25, atol=0.05)


def test_matching_keeps_each_sequences_order(noisy):
    sampler = small_sampler(TimeGANSampler, marginals="matched", latent="sequence").fit(
        noisy
    )
    learned = sampler.set_params(marginals="learned").sample(200, random_state=3)
    matched = sampler.set_params(marginals="matched").sample(200, random_state=3)
    # The map is monotone per channel: where the learned values rise, the
    # matched ones do not fall.
    rising = np.diff(learned[:, 0], axis=-1) > 0
    assert np.all(np.diff(matched[:, 0], axis=-1)[rising] >= 0)


def test_fitted_quantiles_and_save_load(noisy, tmp_path):
    sampler = small_sampler(TimeGANSampler, marginals="matched").fit(noisy)
    assert sampler.generated_quantiles_.shape == (N_LEVELS, 2)
    np.testing.assert_allclose(
        sampler.data_quantiles_[[0, -1]], [[0, 0], [1, 1]], atol=1e-2
    )
    sampler.save(tmp_path / "model.sksynth")
    loaded = TimeGANSampler.load(tmp_path / "model.sksynth")
    assert_same_samples(
        sampler.sample(50, random_state=1), loaded.sample(50, random_state=1)
    )


@pytest.mark.parametrize("latent", LATENTS)
def test_unequal_lengths_and_labels(latent):
    rng = np.random.default_rng(0)
    lengths = [3, 6, 4, 6, 5, 3, 6, 4, 5, 6, 3, 4] * 2
    frames = [
        pd.DataFrame({"x": rng.uniform(size=n), "z": rng.integers(3, size=n)})
        for n in lengths
    ]
    y = np.array(["a", "b"] * 12)
    sampler = small_sampler(
        TimeGANSampler, marginals="matched", seq_len="auto", latent=latent
    ).fit(frames, y)
    synthetic, labels = sampler.sample(30, random_state=0)
    assert len(synthetic) == 30 and set(labels) <= {"a", "b"}
    values = pd.concat(synthetic)
    # Interpolating between two of z's quantiles leaves a few off its values.
    assert np.isin(values["z"], [0.0, 1.0, 2.0]).mean() > 0.95
    assert values["x"].between(0, 1).all()


def test_map_quantiles_averages_tied_sources():
    source = np.array([[0.0], [0.0], [1.0]])
    target = np.array([[0.0], [0.2], [1.0]])
    mapped = map_quantiles(np.array([[-1.0], [0.0], [0.5], [2.0]]), source, target)
    np.testing.assert_allclose(mapped[:, 0], [0.1, 0.1, 0.55, 1.0])


def test_channel_quantiles_leave_out_padding():
    values = np.array([[[0.0], [1.0], [np.nan]], [[2.0], [np.nan], [np.nan]]])
    quantiles = channel_quantiles(values)
    assert quantiles.shape == (N_LEVELS, 1)
    np.testing.assert_allclose(quantiles[[0, N_LEVELS // 2, -1], 0], [0, 1, 2])
