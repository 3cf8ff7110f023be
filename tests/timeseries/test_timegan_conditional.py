"""TimeGANSampler fitted with class labels: conditional generation."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from sksynth import TimeGANSampler
from sksynth.utils.estimator_checks import assert_same_samples, small_sampler

LATENTS = ["step", "sequence"]


@pytest.fixture(scope="module")
def labelled():
    """30 sequences of 2 channels and 6 steps; 20 of class "a", 10 of class "b"."""
    rng = np.random.default_rng(0)
    return rng.uniform(size=(30, 2, 6)), np.array(["a"] * 20 + ["b"] * 10)


@pytest.mark.parametrize("latent", LATENTS)
def test_sample_returns_exactly_the_requested_labels(latent, labelled):
    X, y = labelled
    sampler = small_sampler(TimeGANSampler, latent=latent).fit(X, y)
    requested = ["b", "a", "b", "b", "a", "a", "b"]
    X_new, y_new = sampler.sample(7, y=requested, random_state=0)
    assert X_new.shape == (7, 2, 6)
    np.testing.assert_array_equal(y_new, requested)
    _, y_one = sampler.sample(4, y="b", random_state=0)
    np.testing.assert_array_equal(y_one, ["b"] * 4)


@pytest.mark.parametrize("latent", LATENTS)
def test_sample_without_y_draws_labels_in_training_proportions(latent, labelled):
    X, y = labelled
    sampler = small_sampler(TimeGANSampler, latent=latent).fit(X, y)
    np.testing.assert_array_equal(sampler.classes_, ["a", "b"])
    np.testing.assert_array_equal(sampler.class_counts_, [20, 10])
    _, y_new = sampler.sample(3000, random_state=0)
    share_b = Counter(y_new.tolist())["b"] / 3000
    # 1/3 expected; four standard errors of a binomial share.
    assert abs(share_b - 1 / 3) < 4 * np.sqrt(2 / 9 / 3000)


@pytest.mark.parametrize(
    "make_y",
    [
        lambda y: pd.Series(y, name="label", dtype="category"),
        lambda y: pd.Series(np.where(y == "a", 3, 7), name="code"),
        lambda y: pd.Categorical(y),
        lambda y: list(np.where(y == "a", 0, 1)),
    ],
    ids=["category-series", "int-series", "categorical", "list"],
)
def test_labels_come_back_in_the_container_and_dtype_of_fit(make_y, labelled):
    X, y = labelled
    y_fit = make_y(y)
    _, y_new = small_sampler(TimeGANSampler).fit(X, y_fit).sample(6, random_state=0)
    if isinstance(y_fit, pd.Series):
        assert isinstance(y_new, pd.Series)
        assert y_new.dtype == y_fit.dtype and y_new.name == y_fit.name
    elif isinstance(y_fit, pd.Categorical):
        assert isinstance(y_new, pd.Categorical)
        assert list(y_new.categories) == list(y_fit.categories)
    else:
        assert isinstance(y_new, np.ndarray)
        assert set(y_new.tolist()) <= {0, 1}


@pytest.mark.parametrize("latent", LATENTS)
def test_the_same_noise_gives_other_sequences_for_another_class(latent, labelled):
    sampler = small_sampler(TimeGANSampler, latent=latent).fit(*labelled)
    X_a, _ = sampler.sample(4, y="a", random_state=0)
    X_b, _ = sampler.sample(4, y="b", random_state=0)
    assert not np.allclose(X_a, X_b)


def test_the_class_steers_what_is_generated():
    rng = np.random.default_rng(1)
    low = 0.1 + 0.05 * rng.standard_normal((40, 1, 6))
    X = np.concatenate([low, low + 0.8])
    y = np.array([0] * 40 + [1] * 40)
    sampler = small_sampler(
        TimeGANSampler, latent="sequence", hidden_dim=8, batch_size=32, n_iter=150
    )
    X_new, _ = sampler.fit(X, y).sample(200, y=[0] * 100 + [1] * 100, random_state=0)
    assert X_new[100:].mean() - X_new[:100].mean() > 0.3


def test_conditional_networks_read_the_one_hot_class(labelled):
    X, y = labelled
    plain = small_sampler(TimeGANSampler).fit(X)
    conditional = small_sampler(TimeGANSampler).fit(X, y)
    for name in ("generator_", "supervisor_", "discriminator_"):
        width = getattr(plain, name).rnn.input_size
        assert getattr(conditional, name).rnn.input_size == width + 2
    assert conditional.embedder_.rnn.input_size == plain.embedder_.rnn.input_size
    assert not hasattr(plain, "classes_")
    assert isinstance(plain.sample(3, random_state=0), np.ndarray)


@pytest.mark.parametrize("latent", LATENTS)
def test_save_load_keeps_classes_and_conditional_draws(latent, labelled, tmp_path):
    X, y = labelled
    sampler = small_sampler(TimeGANSampler, latent=latent).fit(
        X, pd.Series(y, dtype="category")
    )
    sampler.save(tmp_path / "model.skss")
    loaded = TimeGANSampler.load(tmp_path / "model.skss")
    assert_same_samples(
        sampler.sample(5, y=["a", "b", "a", "b", "b"], random_state=2),
        loaded.sample(5, y=["a", "b", "a", "b", "b"], random_state=2),
    )


def test_sample_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        small_sampler(TimeGANSampler).sample(3, y=["a", "b", "a"])


def test_unknown_labels_are_a_clear_error(labelled):
    sampler = small_sampler(TimeGANSampler).fit(*labelled)
    with pytest.raises(ValueError, match=r"y holds labels not seen in fit: \['c'\]"):
        sampler.sample(2, y=["a", "c"])


def test_y_of_the_wrong_length_is_a_clear_error(labelled):
    X, y = labelled
    with pytest.raises(ValueError, match="y has 29 labels but X has 30 sequences"):
        small_sampler(TimeGANSampler).fit(X, y[:-1])
    sampler = small_sampler(TimeGANSampler).fit(X, y)
    with pytest.raises(ValueError, match="y must be one label or an array of"):
        sampler.sample(3, y=["a", "b"])


def test_y_at_sample_needs_y_at_fit(labelled):
    with pytest.raises(ValueError, match="fitted without y"):
        small_sampler(TimeGANSampler).fit(labelled[0]).sample(2, y=["a", "b"])


def test_bad_labels_are_clear_errors(labelled):
    X, _ = labelled
    with pytest.raises(ValueError, match="missing labels"):
        small_sampler(TimeGANSampler).fit(X, [None] + ["a"] * 29)
    with pytest.raises(ValueError, match="continuous target"):
        small_sampler(TimeGANSampler).fit(X, np.linspace(0, 1, 30))


def test_labels_of_a_long_series_are_refused_or_ignored_with_a_warning():
    series = np.random.default_rng(0).uniform(size=(20, 2))
    with pytest.raises(ValueError, match="y has 8 labels but X has 20 time points"):
        small_sampler(TimeGANSampler).fit(series, np.zeros(8))
    with pytest.warns(UserWarning, match="y is ignored: X is one long series"):
        sampler = small_sampler(TimeGANSampler).fit(series, np.arange(20) % 2)
    assert not hasattr(sampler, "classes_")
    assert isinstance(sampler.sample(2), np.ndarray)
