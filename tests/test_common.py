"""The sampler contract (sksynth.utils.estimator_checks) on every sampler.

scikit-learn's estimator checks and the sampler checks run on each sampler and
on each option that takes its own path through fit and sample; the sampler
checks run again on the inputs only some samplers take.
"""

import numpy as np
import pandas as pd
import pytest
from sktime.datatypes import convert_to

from sksynth import GANSampler, TimeGANSampler
from sksynth._core.table_columns import categorical_columns
from sksynth.datasets import make_sines
from sksynth.utils.estimator_checks import (
    _mixed_frame,
    check_sampler,
    sampler_checks_generator,
    small_sampler,
)
from tests.test_base import GaussianSampler

VARIANTS = [
    (GANSampler, {}),
    (GANSampler, {"pac": 10}),
    (GANSampler, {"missing_patterns": "learned"}),
    (GANSampler, {"marginals": "learned"}),
    (TimeGANSampler, {}),
    (TimeGANSampler, {"latent": "sequence"}),
    (TimeGANSampler, {"marginals": "matched"}),
    (TimeGANSampler, {"marginals": "matched", "latent": "sequence"}),
    # The defaults' path: the sequence latent, weight averaging, matched marginals.
    (
        TimeGANSampler,
        {
            "latent": "sequence",
            "ema_decay": 0.995,
            "marginals": "matched",
            "num_layers": 2,
            "n_iter_pretrain": 3,
        },
    ),
]


def _long_series_frame():
    """One series of 60 time points in two named channels."""
    frame = pd.DataFrame(make_sines(1, seq_len=60, n_channels=2, random_state=1)[0].T)
    frame.columns = ["a", "b"]
    return frame


def _unequal_panel():
    """A pd-multiindex panel of 12 sequences of 3 to 6 time points."""
    rng = np.random.default_rng(0)
    frames = [
        pd.DataFrame(rng.uniform(size=(n, 2)), columns=["x", "z"])
        for n in [3, 6, 4, 6, 5, 3, 6, 4, 5, 6, 3, 4]
    ]
    return convert_to(frames, to_type="pd-multiindex")


def _numbers():
    return np.random.default_rng(0).normal(size=(60, 3))


def _schema(frame):
    """Ranges and category lists read off ``frame`` (a test's public knowledge)."""
    categorical = set(categorical_columns(frame))
    return {
        c: (
            sorted(frame[c].dropna().unique().tolist())
            if c in categorical
            else [float(frame[c].min()), float(frame[c].max())]
        )
        + [None] * bool(frame[c].isna().any())
        for c in frame.columns
    }


# Differential privacy refuses class labels, which scikit-learn's checks pass
# to fit: the sampler checks run on a private GANSampler with a schema of
# their data.
PRIVATE = {"epsilon": 10.0, "pac": 1}

# Inputs beyond those the samplers' tags call for.
MORE_INPUTS = [
    ((GANSampler, {**PRIVATE, "schema": (-5.0, 5.0)}), _numbers),
    ((GANSampler, {**PRIVATE, "schema": _schema(_mixed_frame())}), _mixed_frame),
    ((GANSampler, {}), _mixed_frame),
    ((TimeGANSampler, {}), _long_series_frame),
    ((TimeGANSampler, {"latent": "sequence"}), _long_series_frame),
    ((TimeGANSampler, {"seq_len": "auto"}), _unequal_panel),
    ((TimeGANSampler, {"seq_len": "auto", "latent": "sequence"}), _unequal_panel),
]


def _name(sampler_class, params):
    """The sampler's name in test ids, as its call."""
    options = ", ".join(f"{key}={value!r}" for key, value in params.items())
    return f"{sampler_class.__name__}({options})"


def _check_name(check):
    """The check's function name, and the kind of data a sampler check gets."""
    name = check.func.__name__.lstrip("_")
    if "X" not in check.keywords:
        return name
    X = check.keywords["X"]
    shape = "x".join(str(size) for size in np.shape(X))
    return f"{name}-{type(X).__name__}{shape}"


def _cases():
    samplers = [("GaussianSampler", GaussianSampler(random_state=0), None)]
    samplers += [
        (_name(cls, params), small_sampler(cls, **params), None)
        for cls, params in VARIANTS
    ]
    samplers += [
        (_name(cls, params), small_sampler(cls, **params), make_input())
        for (cls, params), make_input in MORE_INPUTS
    ]
    for name, sampler, X in samplers:
        # scikit-learn's checks take no data: once per sampler is enough.
        for estimator, check in sampler_checks_generator(
            sampler, X, sklearn_checks=X is None
        ):
            yield pytest.param(estimator, check, id=f"{name}-{_check_name(check)}")


@pytest.mark.parametrize("sampler, check", list(_cases()))
def test_sampler_contract(sampler, check):
    check(sampler)


def test_check_sampler_passes_a_sampler_that_keeps_the_contract():
    check_sampler(GaussianSampler(random_state=0))


class GlobalNoiseSampler(GaussianSampler):
    """Breaks the contract: draws its noise from torch's global generator."""

    def _sample(self, n_samples, y, rng):
        return super()._sample(n_samples, y, rng=None)


def test_check_sampler_fails_a_sampler_that_breaks_the_contract():
    X = np.random.default_rng(0).normal(size=(30, 2))
    with pytest.raises(AssertionError):
        check_sampler(GlobalNoiseSampler(random_state=0), X)


def test_small_sampler_knows_only_sksynth_samplers():
    with pytest.raises(ValueError, match="sampler_class must be one of"):
        small_sampler(GaussianSampler)
