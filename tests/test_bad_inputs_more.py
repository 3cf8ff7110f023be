"""More bad input: values a model file cannot hold, silent unit and scale slips.

Each case either refuses the input in ``fit``, before any training, with a
message naming the column, labels or step at fault, or shows that the input
now gives the right result.
"""

import numpy as np
import pandas as pd
import pytest
from sampler_checks import tiny_gan_sampler

from sksynth.tabular import _gan
from sksynth.tabular._encoder import TabularEncoder
from sksynth.tabular._numeric_values import decimals_of


def _table(n=40, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"num": rng.normal(size=n), "cat": rng.choice(["x", "y"], n)})


TABLE = _table()
LABELS = np.array(["a", "b"] * 20)


def _cells(values, n=40):
    """An object column repeating ``values`` cell by cell."""
    column = np.empty(n, dtype=object)
    for i in range(n):
        column[i] = values[i % len(values)]
    return column


@pytest.fixture
def no_training(monkeypatch):
    """Make any GANSampler training step fail the test: checks must come first."""

    def train_epochs(*args, **kwargs):
        raise AssertionError("GANSampler started training")

    monkeypatch.setattr(_gan, "train_epochs", train_epochs)


# --------------------------------------------------------------------------
# Generated numbers stay in the training range, at any scale
# --------------------------------------------------------------------------


def test_tiny_numbers_are_not_rounded_to_zero():
    values = np.random.default_rng(0).uniform(1e-10, 3.9e-10, 100)
    assert decimals_of(values) is None
    X = pd.DataFrame({"tiny": values})
    synthetic = tiny_gan_sampler().fit(X).sample(200, random_state=0)["tiny"]
    assert synthetic.min() >= values.min() and synthetic.max() <= values.max()


def test_decimals_are_relative_to_the_column_scale():
    # Values written with one decimal, seen through float arithmetic.
    assert decimals_of(np.array([0.1 + 0.2, 12.3, 1e3 + 0.1])) == 1
    assert decimals_of(np.array([1e-10, 3.5e-10])) is None


def test_rounding_never_leaves_the_training_range():
    # One decimal writes every value up to 1e-9 of the scale, but rounding
    # the smallest one (1e-12) gives 0, below the training range.
    values = np.r_[1e-12, np.round(np.linspace(1, 12.3, 99), 1)]
    encoder = TabularEncoder()
    scalars, slots = encoder.fit_transform(
        pd.DataFrame({"v": values}),
        [False],
        max_categories=10,
        rng=np.random.default_rng(0),
        exact_values=True,
    )
    assert encoder.columns[0]["decimals"] == 1
    lowest = encoder.inverse_transform(np.full_like(scalars, -1.0), slots)["v"]
    assert lowest.min() >= 1e-12
