import json

import numpy as np
import pandas as pd
import pytest

from sksynth import encoding
from sksynth.encoding import TabularEncoder


def _frame(n=600, seed=0):
    rng = np.random.default_rng(seed)
    bimodal = np.where(rng.random(n) < 0.4, rng.normal(-20, 1, n), rng.normal(30, 2, n))
    frame = pd.DataFrame(
        {
            "x": bimodal,
            "k": rng.integers(0, 100, n),
            "c": pd.Categorical(rng.choice(["a", "b"], n), categories=["b", "a", "z"]),
            "s": pd.Series(rng.choice(["u", "v", "w"], n), dtype="str"),
        }
    )
    frame.loc[rng.random(n) < 0.1, "x"] = np.nan
    frame.loc[rng.random(n) < 0.1, "s"] = np.nan
    return frame


def _decode_encoded(encoder, encoded):
    """Read scalars and argmax codes off an encoded matrix."""
    layout = encoder.layout()
    scalars = encoded[:, layout["scalars"]].astype(np.float64)
    codes = np.stack(
        [
            encoded[:, start : start + size].argmax(axis=1)
            for start, size in layout["spans"]
        ],
        axis=1,
    )
    # The encoded scalar is (x - mu) / (4 sigma); decoding reads it as the
    # tanh output, the same quantity.
    return encoder.inverse_transform(scalars, codes)


def test_encode_decode_round_trip():
    frame = _frame()
    encoder = TabularEncoder()
    encoded, discrete = encoder.fit_transform(
        frame,
        [False, False, True, True],
        max_categories=10,
        rng=np.random.default_rng(0),
    )
    assert encoded.dtype == np.float32
    assert encoded.shape == (len(frame), encoder.n_encoded)
    assert discrete.shape == (len(frame), 2)
    # Every span is one-hot, every scalar inside +-0.99.
    layout = encoder.layout()
    for start, size in layout["spans"]:
        np.testing.assert_array_equal(encoded[:, start : start + size].sum(1), 1)
    assert np.abs(encoded[:, layout["scalars"]]).max() <= 0.99
    decoded = _decode_encoded(encoder, encoded)
    pd.testing.assert_series_equal(decoded.dtypes, frame.dtypes)
    pd.testing.assert_series_equal(decoded["c"], frame["c"])
    pd.testing.assert_series_equal(decoded["s"], frame["s"])
    assert decoded["x"].isna().equals(frame["x"].isna())
    close = np.isclose(decoded["x"], frame["x"], rtol=1e-4, atol=1e-3)
    assert close[frame["x"].notna()].mean() > 0.98
    assert (np.abs(decoded["k"] - frame["k"]) <= 1).mean() > 0.98


def test_bimodal_column_gets_two_main_modes():
    frame = _frame()
    encoder = TabularEncoder()
    encoder.fit_transform(
        frame[["x"]], [False], max_categories=10, rng=np.random.default_rng(0)
    )
    column = encoder.columns[0]
    weights = np.exp(column["log_weights"])
    assert np.all(weights >= TabularEncoder.weight_threshold)
    means = np.asarray(column["means"])[weights > 0.1]
    assert np.any(np.abs(means + 20) < 2) and np.any(np.abs(means - 30) < 3)
    assert column["has_missing"]


def test_state_is_json_and_restores():
    frame = _frame()
    encoder = TabularEncoder()
    encoded, _ = encoder.fit_transform(
        frame,
        [False, False, True, True],
        max_categories=10,
        rng=np.random.default_rng(0),
    )
    state = json.loads(json.dumps(encoder.to_dict()))
    restored = TabularEncoder.from_dict(state)
    assert restored.layout() == encoder.layout()
    pd.testing.assert_frame_equal(
        _decode_encoded(restored, encoded), _decode_encoded(encoder, encoded)
    )


def test_mixture_is_fitted_on_a_bounded_subsample(monkeypatch):
    from sklearn.mixture import BayesianGaussianMixture

    seen = []
    original = BayesianGaussianMixture.fit

    def spy(self, X, y=None):
        seen.append(len(X))
        return original(self, X, y)

    monkeypatch.setattr(encoding, "_MIXTURE_SUBSAMPLE", 300)
    monkeypatch.setattr(BayesianGaussianMixture, "fit", spy)
    x = np.random.default_rng(0).normal(size=(5000, 1))
    encoded, _ = TabularEncoder().fit_transform(
        x, [False], max_categories=10, rng=np.random.default_rng(0)
    )
    assert seen == [300]
    assert encoded.shape[0] == 5000  # every row is still encoded


def test_constant_column_and_ndarray_container():
    x = np.column_stack([np.full(50, 7.0), np.arange(50.0)])
    encoder = TabularEncoder()
    encoded, _ = encoder.fit_transform(
        x, [False, False], max_categories=10, rng=np.random.default_rng(0)
    )
    decoded = _decode_encoded(encoder, encoded)
    assert isinstance(decoded, np.ndarray) and decoded.dtype == np.float64
    np.testing.assert_allclose(decoded[:, 0], 7.0)


@pytest.mark.parametrize(
    ("column", "categorical", "match"),
    [
        (np.full(10, np.nan), False, "only missing"),
        (np.array([np.inf] + [1.0] * 9), False, "infinite"),
        (np.array([None] * 10, dtype=object), True, "only missing"),
        (np.array([f"v{i}" for i in range(10)], dtype=object), True, "max_categories"),
    ],
)
def test_bad_columns(column, categorical, match):
    with pytest.raises(ValueError, match=match):
        TabularEncoder().fit_transform(
            column.reshape(-1, 1),
            [categorical],
            max_categories=5,
            rng=np.random.default_rng(0),
        )
