import json

import numpy as np
import pandas as pd
import pytest

from sksynth.tabular import _modes as modes
from sksynth.tabular._encoder import TabularEncoder


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
    """Decode what fit_transform returned."""
    scalars, slots = encoded
    # The encoded scalar is (x - mu) / (4 sigma); decoding reads it as the
    # tanh output, the same quantity.
    return encoder.inverse_transform(scalars.astype(np.float64), slots)


def test_encode_decode_round_trip():
    frame = _frame()
    encoder = TabularEncoder([False, False, True, True], max_categories=10)
    scalars, slots = encoder.fit_transform(frame)
    layout = encoder.layout()
    assert scalars.dtype == np.float32 and slots.dtype == np.int64
    assert scalars.shape == (len(frame), len(layout.scalars)) == (len(frame), 2)
    assert slots.shape == (len(frame), len(layout.spans)) == (len(frame), 4)
    # Every slot lies inside its span, every scalar inside +-0.99.
    sizes = np.array([span.size for span in layout.spans])
    assert (slots >= 0).all() and (slots < sizes).all()
    assert np.abs(scalars).max() <= 0.99
    decoded = _decode_encoded(encoder, (scalars, slots))
    pd.testing.assert_series_equal(decoded.dtypes, frame.dtypes)
    pd.testing.assert_series_equal(decoded["c"], frame["c"])
    pd.testing.assert_series_equal(decoded["s"], frame["s"])
    assert decoded["x"].isna().equals(frame["x"].isna())
    close = np.isclose(decoded["x"], frame["x"], rtol=1e-4, atol=1e-3)
    assert close[frame["x"].notna()].mean() > 0.98
    assert (np.abs(decoded["k"] - frame["k"]) <= 1).mean() > 0.98


def test_bimodal_column_gets_two_main_modes():
    frame = _frame()
    encoder = TabularEncoder([False], max_categories=10, random_state=0)
    encoder.fit_transform(frame[["x"]])
    column = encoder.columns[0]
    weights = np.exp(column.log_weights)
    assert np.all(weights >= TabularEncoder.weight_threshold)
    means = np.asarray(column.means)[weights > 0.1]
    assert np.any(np.abs(means + 20) < 2) and np.any(np.abs(means - 30) < 3)
    assert column.has_missing


def test_state_is_json_and_restores():
    frame = _frame()
    encoder = TabularEncoder([False, False, True, True], random_state=0)
    encoded = encoder.fit_transform(frame)
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

    monkeypatch.setattr(modes, "MIXTURE_SUBSAMPLE", 300)
    monkeypatch.setattr(BayesianGaussianMixture, "fit", spy)
    x = np.random.default_rng(0).normal(size=(5000, 1))
    scalars, slots = TabularEncoder([False], random_state=0).fit_transform(x)
    assert seen == [300]
    assert len(scalars) == len(slots) == 5000  # every row is still encoded


def test_constant_column_and_ndarray_container():
    x = np.column_stack([np.full(50, 7.0), np.arange(50.0)])
    encoder = TabularEncoder([False, False], random_state=0)
    encoded = encoder.fit_transform(x)
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
        TabularEncoder([categorical], max_categories=5).fit_transform(
            column.reshape(-1, 1)
        )


def _fit(frame, categorical, **options):
    encoder = TabularEncoder(categorical, max_categories=50, random_state=0, **options)
    encoded = encoder.fit_transform(frame)
    return encoder, encoded, encoded[1]


def test_point_mass_gets_an_exact_slot():
    rng = np.random.default_rng(0)
    x = np.where(rng.random(2000) < 0.7, 0.0, rng.lognormal(5, 1, 2000))
    frame = pd.DataFrame({"gain": x})
    encoder, encoded, _ = _fit(frame, [False], exact_values=True)
    column = encoder.columns[0]
    assert column.values == [0.0]
    assert column.means  # the other values keep a mixture
    decoded = _decode_encoded(encoder, encoded)["gain"]
    assert ((decoded == 0) == (x == 0)).all()
    # Without the option the zeros go to a mixture mode like any value.
    plain, _, _ = _fit(frame, [False])
    assert plain.columns[0].values == []


def test_integer_grid_is_generated_on_its_values():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"hours": rng.choice([20, 35, 40, 60], 400)})
    encoder, encoded, _ = _fit(frame, [False], exact_values=True)
    column = encoder.columns[0]
    assert column.values == [20.0, 35.0, 40.0, 60.0] and column.means == []
    assert encoder.n_encoded == 1 + 4  # the scalar and one slot per value
    decoded = _decode_encoded(encoder, encoded)
    pd.testing.assert_frame_equal(decoded, frame)
    # A grid too fine for its rows (100 values, 4 rows each) stays continuous.
    sparse = pd.DataFrame({"k": np.repeat(np.arange(100), 4)})
    encoder, _, _ = _fit(sparse, [False], exact_values=True)
    assert encoder.columns[0].values == [] and encoder.columns[0].means


def _grid_state():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"k": 5 * rng.integers(0, 40, 2000)})  # 40 values
    encoder, _, _ = _fit(frame, [False], exact_values=True)
    return json.loads(json.dumps(encoder.to_dict()))


def test_a_grid_survives_to_dict_and_from_dict():
    state = _grid_state()
    restored = TabularEncoder.from_dict(state)
    assert restored.columns[0].grid == state["columns"][0]["grid"]
    assert len(restored.columns[0].grid) == 40


@pytest.mark.parametrize(
    "grid",
    [[], [5.0, 0.0], [0.0, 0.0, 5.0], [0.0, "5"], [0.0, float("inf")], [-1e9, 0.0]],
    ids=["empty", "unsorted", "repeated", "string", "inf", "below min"],
)
def test_a_malformed_grid_is_refused(grid):
    state = _grid_state()
    state["columns"][0]["grid"] = grid
    with pytest.raises(ValueError, match="column 0's grid is malformed"):
        TabularEncoder.from_dict(state)


def test_heaped_values_get_exact_slots():
    # Reported hours: smooth integers, with round numbers far more frequent than
    # their neighbours (3 % each, against about 0.5 %); too many values for a grid.
    rng = np.random.default_rng(0)
    smooth = rng.integers(1, 200, 6000)
    heaps = rng.choice([20, 40, 60], 600)
    frame = pd.DataFrame({"hours": np.concatenate([smooth, heaps])})
    encoder, encoded, _ = _fit(frame, [False], exact_values=True, max_grid_values=50)
    column = encoder.columns[0]
    assert column.values == [20.0, 40.0, 60.0] and column.means
    decoded = _decode_encoded(encoder, encoded)["hours"]
    assert (decoded[frame["hours"].isin([20, 40, 60])].isin([20, 40, 60])).all()
    # Without the heaps, no value stands out from its neighbours.
    encoder, _, _ = _fit(
        pd.DataFrame({"hours": smooth}), [False], exact_values=True, max_grid_values=50
    )
    assert encoder.columns[0].values == []


def test_determined_column_is_derived_from_its_source():
    rng = np.random.default_rng(0)
    level = rng.choice(["low", "mid", "high"], 600)
    code = pd.Series(level).map({"low": 1, "mid": 2, "high": 3}).to_numpy()
    frame = pd.DataFrame(
        {"level": level, "code": code, "noise": rng.choice(["a", "b"], 600)}
    )
    categorical = [True, False, True]
    encoder, encoded, codes = _fit(
        frame, categorical, exact_values=True, derived_columns=True
    )
    assert encoder.columns[1].derived_from == 0
    assert not encoder.columns[2].is_derived
    # The derived column has no span and no scalar; the codes skip it.
    assert len(encoder.layout().spans) == 2 and encoder.layout().scalars == []
    assert encoder.n_encoded == 3 + 2 and codes.shape == (600, 2)
    decoded = _decode_encoded(encoder, encoded)
    pd.testing.assert_frame_equal(decoded, frame)
    # Any generated level decodes to its own code.
    some_codes = np.array([[0, 1], [1, 0], [2, 1]])
    out = encoder.inverse_transform(np.zeros((3, 0)), some_codes)
    assert dict(zip(out["level"], out["code"], strict=True)) == {
        "low": 1,
        "mid": 2,
        "high": 3,
    }
    state = TabularEncoder.from_dict(json.loads(json.dumps(encoder.to_dict())))
    pd.testing.assert_frame_equal(
        state.inverse_transform(np.zeros((3, 0)), some_codes), out
    )


def test_a_grid_determines_and_is_determined_in_either_order():
    # A month index (35 values) and the ads of each month, listed first; a
    # code of 16 values and its label, listed after it.
    rng = np.random.default_rng(0)
    n = 4000
    month = rng.integers(1, 36, n)
    ads = (month // 2 * 37) % 101 + 100  # one value per month, two months each
    code = rng.integers(1, 17, n)
    frame = pd.DataFrame(
        {
            "ads": ads,
            "month": month,
            "code": code,
            "label": pd.Series(code).map(lambda c: f"level {c:02d}").to_numpy(),
        }
    )
    encoder, encoded, _ = _fit(
        frame, [False, False, False, True], exact_values=True, derived_columns=True
    )
    assert encoder.columns[0].grid is not None  # more values than slots
    assert [c.derived_from for c in encoder.columns] == [1, None, None, 2]
    rng = np.random.default_rng(1)
    rows = rng.integers(0, n, 3000)
    scalars = rng.uniform(-1, 1, (3000, encoded[0].shape[1]))
    out = encoder.inverse_transform(scalars, encoded[1][rows])
    assert set(zip(out["month"], out["ads"], strict=True)) <= set(
        zip(month, ads, strict=True)
    )
    assert (out["label"] == out["code"].map(lambda c: f"level {c:02d}")).all()
    restored = TabularEncoder.from_dict(json.loads(json.dumps(encoder.to_dict())))
    pd.testing.assert_frame_equal(
        restored.inverse_transform(scalars, encoded[1][rows]), out
    )
    state = json.loads(json.dumps(encoder.to_dict()))
    state["columns"][0]["slot_map"] = state["columns"][0]["slot_map"][:-1]
    with pytest.raises(ValueError, match="column 0's slot map is malformed"):
        TabularEncoder.from_dict(state)
    state["columns"][0]["derived_from"] = 0
    with pytest.raises(ValueError, match="column 0 is derived from no other column"):
        TabularEncoder.from_dict(state)


def test_rare_source_values_do_not_make_a_derived_column():
    # Every value of "id" is seen twice: it determines "group" only by chance.
    frame = pd.DataFrame(
        {"id": np.repeat([f"r{i}" for i in range(20)], 2), "group": ["a", "b"] * 20}
    )
    frame["group"] = frame["id"].map({f"r{i}": "ab"[i % 2] for i in range(20)})
    encoder, _, _ = _fit(frame, [True, True], derived_columns=True)
    assert not any(c.is_derived for c in encoder.columns)


def _curve_frame(n=1000):
    rng = np.random.default_rng(0)
    minutes = np.round(rng.gamma(4.0, 40.0, n), 1)
    minutes[rng.choice(n, 50, replace=False)] = np.nan
    return pd.DataFrame(
        {
            "minutes": minutes,
            "charge": np.round(0.17 * minutes, 2),  # rises with minutes
            "left": np.round(1000 - 2 * minutes, 1),  # falls with minutes
            "noise": np.round(rng.normal(size=n), 3),
        }
    )


def test_a_monotone_function_of_a_number_is_decoded_from_it():
    frame = _curve_frame()
    encoder, encoded, _ = _fit(
        frame, [False] * 4, exact_values=True, derived_columns=True
    )
    assert [c.derived_from for c in encoder.columns] == [None, 0, 0, None]
    assert encoder.columns[1].knots is not None
    assert len(encoder.layout().scalars) == 2  # minutes and noise
    rng = np.random.default_rng(1)
    n_spans = len(encoder.layout().spans)
    scalars = rng.uniform(-1, 1, (500, 2))
    codes = encoded[1][rng.integers(0, len(frame), 500)][:, :n_spans]
    out = encoder.inverse_transform(scalars, codes)
    # Every generated charge is the one its minutes bill, rounded as trained
    # (between two observed minutes, to within the last decimal).
    np.testing.assert_allclose(
        out["charge"], np.round(0.17 * out["minutes"], 2), atol=0.01 + 1e-9
    )
    np.testing.assert_allclose(out["left"], np.round(1000 - 2 * out["minutes"], 1))
    assert out["minutes"].isna().any()
    assert out["charge"].isna().equals(out["minutes"].isna())
    restored = TabularEncoder.from_dict(json.loads(json.dumps(encoder.to_dict())))
    pd.testing.assert_frame_equal(restored.inverse_transform(scalars, codes), out)


def test_unrelated_or_non_monotone_numbers_are_generated():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 500, 1000).astype(float)
    frame = pd.DataFrame(
        {"x": x, "square": (x - 250) ** 2, "few": x % 7, "other": rng.normal(size=1000)}
    )
    encoder, _, _ = _fit(frame, [False] * 4, exact_values=True, derived_columns=True)
    assert not any(c.is_derived for c in encoder.columns)
    encoder, _, _ = _fit(_curve_frame(), [False] * 4, derived_columns=False)
    assert not any(c.is_derived for c in encoder.columns)


def _curve_state():
    encoder, _, _ = _fit(
        _curve_frame(), [False] * 4, exact_values=True, derived_columns=True
    )
    return json.loads(json.dumps(encoder.to_dict()))


@pytest.mark.parametrize(
    "knots",
    [
        [[0.0, 0.0]],
        [[1.0, 0.0], [0.0, 1.0]],
        [[0.0, 0.0], [1.0, 2.0], [2.0, 1.0]],
        [[0.0, 0.0], [1.0, "2"]],
        [[0.0, 0.0], [1.0, True]],
        [[0.0, 0.0], [1.0, float("nan")]],
        [[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]],
        [[float(i), float(i)] for i in range(1001)],
        "knots",
    ],
    ids=[
        "one knot",
        "unsorted",
        "not monotone",
        "string",
        "bool",
        "nan",
        "triples",
        "too many",
        "not a list",
    ],
)
def test_a_malformed_curve_is_refused(knots):
    state = _curve_state()
    state["columns"][1]["knots"] = knots
    with pytest.raises(ValueError, match="column 1's curve is malformed"):
        TabularEncoder.from_dict(state)


@pytest.mark.parametrize(
    "change",
    [
        lambda columns: columns[1].update(derived_from=3),  # a later column
        lambda columns: columns[1].update(slot_map=[0]),  # both kinds of map
        lambda columns: columns[0].update(kind="categorical"),  # not numeric
    ],
    ids=["later source", "slot map too", "categorical source"],
)
def test_a_curve_from_a_column_that_cannot_be_its_source_is_refused(change):
    state = _curve_state()
    change(state["columns"])
    with pytest.raises(ValueError, match="column [01]"):
        TabularEncoder.from_dict(state)


def test_quantile_encoding_round_trips_with_uniform_scalars():
    rng = np.random.default_rng(0)
    skewed = rng.lognormal(3, 1, 3000)
    zeros = np.where(rng.random(3000) < 0.3, 0.0, skewed)
    frame = pd.DataFrame({"x": skewed, "zeros": zeros})
    frame.loc[rng.random(3000) < 0.1, "x"] = np.nan
    encoder, (scalars, slots), _ = _fit(
        frame, [False, False], exact_values=True, numeric_encoding="quantiles"
    )
    for column in encoder.columns:
        assert column.means == [0.0] and len(column.quantiles) == 1000
    # One mode per column, then the exact zero or the missing slot.
    assert [span.size for span in encoder.layout().spans] == [2, 2]
    generated = slots[:, 1] == 0
    values = scalars[generated, 1]
    assert values.min() >= -0.99 and values.max() <= 0.99
    # Quantiles map onto a uniform distribution of scalars.
    uniform = np.linspace(-0.99, 0.99, len(values))
    assert np.abs(np.sort(values) - uniform).max() < 0.01
    decoded = _decode_encoded(encoder, (scalars, slots))
    # Up to the float32 scalars' rounding, steep in the sparse tails.
    np.testing.assert_allclose(decoded["zeros"], frame["zeros"], rtol=1e-4)
    np.testing.assert_allclose(decoded["x"], frame["x"], rtol=1e-4)
    # The state still saves as JSON and restores.
    restored = TabularEncoder.from_dict(json.loads(json.dumps(encoder.to_dict())))
    pd.testing.assert_frame_equal(_decode_encoded(restored, (scalars, slots)), decoded)


def test_generated_values_keep_the_decimals_of_the_training_values():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "celsius": np.round(rng.normal(12, 6, 2000), 1),
            "measured": rng.normal(0, 1, 2000),
        }
    )
    encoder, (scalars, slots), _ = _fit(frame, [False, False], exact_values=True)
    assert [c.decimals for c in encoder.columns] == [1, None]
    # Any scalar the generator writes decodes to a value on the 0.1 grid.
    noisy = rng.uniform(-1, 1, scalars.shape)
    decoded = encoder.inverse_transform(noisy, slots)
    tenths = decoded["celsius"] * 10
    np.testing.assert_allclose(tenths, np.round(tenths), atol=1e-9)
    assert not np.allclose(decoded["measured"], np.round(decoded["measured"], 6))
    # CTGAN's encoding (exact_values=False) does not round.
    plain, _, _ = _fit(frame, [False, False])
    assert [c.decimals for c in plain.columns] == [None, None]


@pytest.mark.parametrize("ordered", [False, True])
def test_categorical_dtype_round_trip_keeps_order_unused_and_missing(ordered):
    # Categories in an order of their own, one never used, some rows missing.
    values = np.random.default_rng(1).choice(["lo", "mid", "hi", None], 300)
    dtype = pd.CategoricalDtype(["hi", "unused", "lo", "mid"], ordered=ordered)
    frame = pd.DataFrame({"level": pd.Series(values, dtype=dtype)})
    encoder = TabularEncoder([True], max_categories=10)
    encoded = encoder.fit_transform(frame)
    decoded = _decode_encoded(encoder, encoded)
    pd.testing.assert_frame_equal(decoded, frame)
