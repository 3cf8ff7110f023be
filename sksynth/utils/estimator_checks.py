"""The project's own checks of the sampler contract (fit, sample, seeding, saving).

Each check takes an unfitted sampler (small, ``device="cpu"``, an int
``random_state``) and training data it accepts, and raises AssertionError when
the contract is broken. Test modules parametrize over ``SAMPLER_CHECKS``.
"""

import pickle
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from sksynth import BaseSampler, GANSampler, TimeGANSampler


def assert_same_samples(a, b):
    """Assert two sampler outputs (arrays, frames, lists or tuples) are identical."""
    assert type(a) is type(b)
    if isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert_same_samples(x, y)
    elif isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b)
    else:
        np.testing.assert_array_equal(a, b)


def _features(draw):
    """The X part of a draw (a conditional sampler returns (X, y))."""
    return draw[0] if isinstance(draw, tuple) else draw


def check_sample_before_fit_raises(sampler, X):
    with pytest.raises(NotFittedError):
        sampler.sample(3)


def _n_instances(draw):
    if isinstance(draw, pd.DataFrame) and isinstance(draw.index, pd.MultiIndex):
        return draw.index.get_level_values(0).nunique()
    return len(draw)


def check_sample_sizes(sampler, X):
    fitted = clone(sampler).fit(X)
    for n in (1, 7):
        draw = _features(fitted.sample(n, random_state=0))
        assert _n_instances(draw) == n
        if isinstance(draw, np.ndarray):
            assert draw.dtype.kind == "f"
            assert np.isfinite(draw).all()


def check_fit_is_seeded(sampler, X):
    first = clone(sampler).fit(X).sample(5, random_state=1)
    second = clone(sampler).fit(X).sample(5, random_state=1)
    assert_same_samples(first, second)


def check_sample_random_state(sampler, X):
    fitted = clone(sampler).fit(X)
    assert_same_samples(
        fitted.sample(6, random_state=3), fitted.sample(6, random_state=3)
    )
    # As text, so that missing values (pd.NA) compare too.
    a = np.asarray(_features(fitted.sample(6)), dtype=object).astype(str)
    b = np.asarray(_features(fitted.sample(6)), dtype=object).astype(str)
    assert not np.array_equal(a, b), "random_state=None repeated the same draws"


def check_pickle_round_trip(sampler, X):
    fitted = clone(sampler).fit(X)
    restored = pickle.loads(pickle.dumps(fitted))
    assert restored.device_ == fitted.device_
    assert_same_samples(
        fitted.sample(4, random_state=2), restored.sample(4, random_state=2)
    )


def check_save_load_round_trip(sampler, X):
    fitted = clone(sampler).fit(X)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.pt"
        fitted.save(path)
        loaded = [loader.load(path) for loader in (type(fitted), BaseSampler)]
    for restored in loaded:
        assert type(restored) is type(fitted)
        assert restored.get_params() == fitted.get_params()
        assert_same_samples(
            fitted.sample(4, random_state=5), restored.sample(4, random_state=5)
        )


def check_global_rng_untouched(sampler, X):
    torch_state = torch.get_rng_state()
    numpy_state = np.random.get_state()  # noqa: NPY002 - the global state itself
    fitted = clone(sampler).fit(X)
    fitted.sample(3, random_state=0)
    fitted.sample(3)
    assert torch.equal(torch.get_rng_state(), torch_state)
    after = np.random.get_state()  # noqa: NPY002
    assert after[0] == numpy_state[0]
    np.testing.assert_array_equal(after[1], numpy_state[1])
    assert after[2:] == numpy_state[2:]


_BAD_N_SAMPLES = (0, -2, 1.5, "3", True, None)


def check_bad_n_samples(sampler, X):
    fitted = clone(sampler).fit(X)
    for bad in _BAD_N_SAMPLES:
        with pytest.raises(ValueError, match="n_samples"):
            fitted.sample(bad)


def check_failed_fit_keeps_previous_model(sampler, X):
    fitted = clone(sampler).fit(X)
    before = fitted.sample(4, random_state=0)
    state_keys = set(vars(fitted))
    with pytest.raises(ValueError):
        fitted.fit(_with_inf(X))
    assert set(vars(fitted)) == state_keys
    assert_same_samples(before, fitted.sample(4, random_state=0))


def check_failed_first_fit_leaves_unfitted(sampler, X):
    estimator = clone(sampler)
    with pytest.raises(ValueError):
        estimator.fit(_with_inf(X))
    with pytest.raises(NotFittedError):
        estimator.sample(2)


def _with_inf(X):
    # NaN is valid data for some samplers (missing values); inf never is.
    if isinstance(X, pd.DataFrame):
        bad = X.copy()
        bad[bad.select_dtypes("number").columns[0]] = np.inf
        return bad
    bad = np.array(X, dtype=float, copy=True)
    bad.flat[0] = np.inf
    return bad


SAMPLER_CHECKS = [
    check_sample_before_fit_raises,
    check_sample_sizes,
    check_fit_is_seeded,
    check_sample_random_state,
    check_pickle_round_trip,
    check_save_load_round_trip,
    check_global_rng_untouched,
    check_bad_n_samples,
    check_failed_fit_keeps_previous_model,
    check_failed_first_fit_leaves_unfitted,
]


def tiny_gan_sampler(**params):
    """A GANSampler small enough to fit in well under a second, on the CPU."""
    defaults = dict(
        epochs=1,
        min_steps=0,
        batch_size=20,
        pac=2,
        embedding_dim=4,
        generator_dim=(8,),
        discriminator_dim=(8,),
        device="cpu",
        random_state=0,
    )
    return GANSampler(**{**defaults, **params})


def tiny_timegan_sampler(**params):
    """A TimeGANSampler of a few steps and hidden size 4, on the CPU."""
    defaults = dict(
        seq_len=6, hidden_dim=4, n_iter=3, batch_size=8, device="cpu", random_state=0
    )
    return TimeGANSampler(**{**defaults, **params})
