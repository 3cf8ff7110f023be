"""TimeGANSampler on sequences with gaps: trained on, and given back."""

import numpy as np
import pandas as pd
import pytest
import torch

from sksynth import BaseSampler, TimeGANSampler
from sksynth.datasets import make_sines
from sksynth.timeseries._gaps import draw_gaps, fill_gaps, gap_chains
from sksynth.utils.estimator_checks import small_sampler


def _with_gaps(X, rate, mean_length, seed=0):
    """X with gaps in channel 0: runs of mean ``mean_length`` at ``rate``."""
    rng = np.random.default_rng(seed)
    stay = 1 - 1 / mean_length
    start = rate * (1 - stay) / (1 - rate)
    gaps = np.zeros(X[:, 0].shape, dtype=bool)
    gaps[:, 0] = rng.random(len(X)) < rate
    for t in range(1, X.shape[2]):
        chance = np.where(gaps[:, t - 1], stay, start)
        gaps[:, t] = rng.random(len(X)) < chance
    X = X.copy()
    X[:, 0][gaps] = np.nan
    return X


def _runs(gaps):
    """Lengths of the runs of True along the last axis of a boolean array."""
    flat = np.pad(gaps.reshape(-1, gaps.shape[-1]), ((0, 0), (1, 1)))
    edges = np.diff(flat.astype(int), axis=1)
    return np.flatnonzero(edges.ravel() == -1) - np.flatnonzero(edges.ravel() == 1)


@pytest.fixture(scope="module")
def gappy():
    return _with_gaps(make_sines(300, seq_len=12, n_channels=2, random_state=0), 0.2, 3)


def test_samples_keep_each_channels_missing_rate_and_gap_lengths(gappy):
    sampler = small_sampler(TimeGANSampler, seq_len=12).fit(gappy)
    synthetic = sampler.sample(3_000, random_state=0)
    real_gaps, fake_gaps = np.isnan(gappy), np.isnan(synthetic)
    # Binomial noise of a rate near 0.2 on 36,000 correlated points: < 1 point.
    assert abs(fake_gaps[:, 0].mean() - real_gaps[:, 0].mean()) < 0.02
    assert not fake_gaps[:, 1].any()
    assert abs(_runs(fake_gaps[:, 0]).mean() - _runs(real_gaps[:, 0]).mean()) < 0.4
    assert np.isfinite(synthetic[~fake_gaps]).all()


def test_fill_samples_without_gaps(gappy):
    sampler = small_sampler(TimeGANSampler, seq_len=12, gaps="fill").fit(gappy)
    assert np.isfinite(sampler.sample(50, random_state=0)).all()
    assert sampler.gap_chains_.shape == (2, 3)


def test_data_without_gaps_has_no_chains_and_samples_none():
    X = make_sines(40, seq_len=6, n_channels=2, random_state=0)
    sampler = small_sampler(TimeGANSampler).fit(X)
    assert not hasattr(sampler, "gap_chains_")
    assert np.isfinite(sampler.sample(20, random_state=0)).all()


def test_gaps_do_not_change_what_the_networks_train_on_where_they_are_filled():
    """Gaps filled by interpolation train as the filled data does."""
    X = make_sines(40, seq_len=6, n_channels=2, random_state=0)
    gappy = X.copy()
    gappy[3, 0, 2] = np.nan
    filled = X.copy()
    filled[3, 0, 2] = (X[3, 0, 1] + X[3, 0, 3]) / 2
    a = small_sampler(TimeGANSampler, gaps="fill").fit(gappy)
    b = small_sampler(TimeGANSampler).fit(filled)
    np.testing.assert_array_equal(
        a.sample(5, random_state=0), b.sample(5, random_state=0)
    )


def test_a_long_series_and_an_unequal_panel_with_gaps():
    rng = np.random.default_rng(0)
    series = pd.DataFrame({"a": np.sin(np.arange(200) / 5), "b": rng.normal(size=200)})
    series.loc[rng.random(200) < 0.1, "b"] = np.nan
    sampler = small_sampler(TimeGANSampler, seq_len="auto").fit(series)
    windows = sampler.sample(400, random_state=0)
    assert 0.03 < windows["b"].isna().mean() < 0.2
    assert windows["a"].notna().all()
    frames = [
        pd.DataFrame({"x": rng.normal(size=n), "z": rng.normal(size=n)})
        for n in (5, 8, 6, 8)
    ]
    frames[1].iloc[2:4, 0] = np.nan
    sampler = small_sampler(TimeGANSampler, seq_len="auto").fit(frames)
    samples = sampler.sample(40, random_state=0)
    assert {len(s) for s in samples} <= {5, 6, 8}
    # Only channel x has gaps, and its chain never starts a sequence on one.
    assert sampler.gap_chains_[1].tolist() == [0, 0, 0]
    assert sampler.gap_chains_[0, 0] == 0 and 0 < sampler.gap_chains_[0, 1] < 1


def test_chains_survive_a_save_and_a_crafted_chain_is_refused(gappy, tmp_path):
    sampler = small_sampler(TimeGANSampler, seq_len=12).fit(gappy)
    path = tmp_path / "model.sksynth"
    sampler.save(path)
    loaded = BaseSampler.load(path)
    np.testing.assert_array_equal(loaded.gap_chains_, sampler.gap_chains_)
    np.testing.assert_array_equal(
        loaded.sample(20, random_state=1), sampler.sample(20, random_state=1)
    )
    loaded.gap_chains_ = np.full((2, 3), 2.0)
    loaded.save(tmp_path / "crafted.sksynth")
    with pytest.raises(ValueError, match="gap_chains_ must hold probabilities"):
        BaseSampler.load(tmp_path / "crafted.sksynth")


def test_chain_estimates_and_draws_agree():
    rng = np.random.default_rng(0)

    chains = np.array([[0.2, 0.1, 0.6], [0.0, 0.0, 0.0]])
    gaps = draw_gaps(chains, 20_000, 10, torch.Generator().manual_seed(0))
    valid = np.ones((20_000, 1, 10), dtype=bool)
    np.testing.assert_allclose(gap_chains(gaps, valid), chains, atol=0.01)
    values = rng.normal(size=(3, 5, 2))
    holes = np.zeros_like(values, dtype=bool)
    holes[0, 1:3, 0] = holes[1, :, 1] = holes[2, 4, 0] = True
    filled = fill_gaps(np.where(holes, np.nan, values), holes)
    np.testing.assert_allclose(
        filled[0, 1:3, 0],
        values[0, 0, 0] + (values[0, 3, 0] - values[0, 0, 0]) * np.array([1, 2]) / 3,
    )
    assert filled[2, 4, 0] == values[2, 3, 0]
    # A channel a sequence never observes takes the channel's median.
    np.testing.assert_allclose(filled[1, :, 1], np.median(values[[0, 2], :, 1]))
    np.testing.assert_array_equal(filled[~holes], values[~holes])
