"""Bad input to a public entry point gets a clear error, never a silent result.

Every case asserts the exception type and that the message names the
parameter, column or channel at fault. Requests too large for memory run in a
subprocess under an address-space cap, so that a missed check fails the test
instead of the machine.
"""

import json
import re
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import Normalizer, StandardScaler
from sktime.datatypes import convert_to

from sksynth import GANSampler, TimeGANSampler
from sksynth.datasets import make_sines
from sksynth.evaluation import (
    column_report,
    dcr_score,
    discriminative_score,
    make_sampler_scorer,
    predictive_score,
    tstr_score,
)
from sksynth.pipeline import GANOverSampler, SamplingPipeline
from sksynth.timeseries import _timegan as timegan
from sksynth.utils.estimator_checks import small_sampler

_FAST = dict(n_steps=2, device="cpu", random_state=0)


def _table(n=40, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {"num": rng.normal(size=n), "cat": rng.choice(["x", "y", "z"], n)}
    )


TABLE = _table()
OTHER_TABLE = _table(seed=1)
LABELS = np.array(["a"] * 30 + ["b"] * 10)
NAN_LABELS = np.append(LABELS[:-1].astype(object), np.nan)
PANEL = make_sines(8, seq_len=6, n_channels=3, random_state=0)
OTHER_PANEL = make_sines(8, seq_len=6, n_channels=3, random_state=1)
EMPTY_PANEL = np.zeros((8, 0, 6))
_ORDERED = pd.CategoricalDtype(["b", "a"], ordered=True)


def _raises(expected):
    """pytest.raises for a case: a regex (of a ValueError) or (error type, regex)."""
    error, match = expected if isinstance(expected, tuple) else (ValueError, expected)
    return pytest.raises(error, match=match)


def _with_nan_channel(X):
    bad = X.copy()
    bad[:, 1] = np.nan
    return bad


def _params(cases):
    """pytest parameters from (id, *values) case tuples."""
    return [pytest.param(*case[1:], id=case[0]) for case in cases]


def _cells(values):
    """An object column holding ``values`` (lists, dicts...) cell by cell."""
    column = np.empty(len(values), dtype=object)
    column[:] = values
    return column


@pytest.fixture(scope="module")
def gan():
    return small_sampler(GANSampler).fit(TABLE)


@pytest.fixture(scope="module")
def conditional_gan():
    return small_sampler(GANSampler).fit(TABLE, LABELS)


@pytest.fixture(scope="module")
def fitted_timegan():
    return small_sampler(TimeGANSampler).fit(PANEL)


@pytest.fixture(scope="module")
def pipeline():
    steps = [("scale", StandardScaler()), ("gan", small_sampler(GANSampler))]
    return SamplingPipeline(steps).fit(TABLE[["num"]].to_numpy())


# --------------------------------------------------------------------------
# GANSampler
# --------------------------------------------------------------------------

_GAN_FIT = [
    (
        "complex-column",
        lambda: (TABLE.assign(num=TABLE.num + 1j), None),
        "Complex data not supported.*'num'",
    ),
    (
        "complex-array",
        lambda: (np.c_[TABLE.num + 1j, TABLE.num], None),
        "Complex data not supported: X",
    ),
    (
        "complex-object-cells",
        lambda: (TABLE.assign(cat=_cells([1 + 2j] * 40)), None),
        "Complex data not supported: column 'cat'",
    ),
    (
        "list-cells",
        lambda: (TABLE.assign(cat=_cells([[1, 2]] * 40)), None),
        (TypeError, "Column 'cat' of X holds list values"),
    ),
    (
        "dict-cells-array",
        lambda: (np.c_[_cells([{"a": 1}] * 40), TABLE.num], None),
        (TypeError, "Column 0 of X holds dict values"),
    ),
    (
        "huge-finite-numbers",
        lambda: (TABLE.assign(num=TABLE.num * 1e300), None),
        "Column 'num' holds values as large as",
    ),
    (
        "datetime-column",
        lambda: (TABLE.assign(num=pd.Timestamp("2020")), None),
        "Column 'num' has dtype datetime64",
    ),
    ("one-row", lambda: (TABLE.iloc[:1], None), "n_samples = 1"),
    (
        "continuous-y",
        lambda: (TABLE, np.linspace(0, 1, 40) + 0.01),
        "y holds 40 distinct non-integer numbers.*continuous",
    ),
    (
        "nan-in-string-y",
        lambda: (TABLE, NAN_LABELS),
        "y holds missing labels",
    ),
    (
        "mixed-type-y",
        lambda: (TABLE, np.array([1, "a"] * 20, dtype=object)),
        "y mixes label types",
    ),
    ("short-y", lambda: (TABLE, LABELS[:-1]), "y has 39 labels but X has 40 rows"),
    ("scalar-y", lambda: (TABLE, 5), "y must be an array-like of class labels"),
]


@pytest.mark.parametrize(
    ("make_bad", "match"),
    _params(_GAN_FIT),
)
def test_gan_fit(make_bad, match):
    X, y = make_bad()
    sampler = small_sampler(GANSampler)
    with _raises(match):
        sampler.fit(X, y)
    assert not hasattr(sampler, "device_")


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"batch_size": 25, "pac": 10}, "batch_size=25 must be a multiple of pac=10"),
        ({"categorical_features": ["nope"]}, "categorical_features names columns"),
        ({"generator_dim": (8, -1)}, "generator_dim must be a tuple"),
    ],
    ids=["batch-not-multiple-of-pac", "unknown-categorical-column", "bad-widths"],
)
def test_gan_fit_parameters(params, match):
    with _raises(match):
        small_sampler(GANSampler, **params).fit(TABLE)


def test_failed_gan_fit_keeps_the_fitted_model():
    sampler = small_sampler(GANSampler).fit(TABLE)
    before = sampler.sample(4, random_state=0)
    with pytest.raises(ValueError, match="Complex data not supported"):
        sampler.fit(TABLE.assign(num=TABLE.num + 1j))
    pd.testing.assert_frame_equal(sampler.sample(4, random_state=0), before)


_GAN_SAMPLE = [
    ("zero", lambda s: s.sample(0), "n_samples must be a positive integer"),
    ("fraction", lambda s: s.sample(1.5), "n_samples must be a positive integer"),
    ("unseen-label", lambda s: s.sample(3, y="zz"), "y holds labels not seen in fit"),
    ("nan-label", lambda s: s.sample(2, y=["a", np.nan]), "not seen in fit"),
    (
        "wrong-length-y",
        lambda s: s.sample(3, y=["a", "b"]),
        "y must be one label or an array of n_samples=3",
    ),
]


@pytest.mark.parametrize(
    ("call", "match"),
    _params(_GAN_SAMPLE),
)
def test_gan_sample(conditional_gan, call, match):
    with _raises(match):
        call(conditional_gan)


def test_gan_sample_y_without_labels_in_fit(gan):
    with pytest.raises(ValueError, match="fitted without y"):
        gan.sample(3, y="a")


def test_gan_handles_mixed_type_object_column():
    mixed = TABLE.assign(cat=_cells([1, "a"] * 20))
    synthetic = small_sampler(GANSampler).fit(mixed).sample(50, random_state=0)
    assert set(synthetic["cat"]) <= {1, "a"}


@pytest.mark.parametrize(
    "make_y",
    [
        lambda y: pd.Series(y, name="grade", dtype=_ORDERED),
        lambda y: pd.Categorical(y, dtype=_ORDERED),
        lambda y: pd.Series(y, name="grade", dtype="string"),
    ],
    ids=["ordered-series", "ordered-categorical", "string-series"],
)
def test_gan_returns_y_in_the_type_fit_got(make_y):
    y = make_y(LABELS)
    _, sampled = (
        small_sampler(GANSampler)
        .fit(TABLE, y)
        .sample(6, y=["b", "a"] * 3, random_state=0)
    )
    assert type(sampled) is type(y) and sampled.dtype == y.dtype
    assert list(sampled) == ["b", "a"] * 3
    assert getattr(sampled, "name", None) == getattr(y, "name", None)


# --------------------------------------------------------------------------
# TimeGANSampler
# --------------------------------------------------------------------------

_TIMEGAN_FIT = [
    ("no-channels", lambda: (EMPTY_PANEL, None), "at least one channel"),
    (
        "no-time-points",
        lambda: (np.zeros((8, 3, 0)), None),
        "at least one channel and one time point",
    ),
    ("complex-panel", lambda: (PANEL + 1j, None), "Complex data not supported: X"),
    (
        "complex-series-frame",
        lambda: (pd.DataFrame({"a": np.arange(20) + 1j}), None),
        "Complex data not supported.*channel.*'a'",
    ),
    (
        "channel-range-overflows",
        lambda: (np.concatenate([PANEL, -PANEL]) * 1.5e308, None),
        "Channel 0 of X spans",
    ),
    ("nan-channel", lambda: (_with_nan_channel(PANEL), None), "channel 1 holds no"),
    ("four-dimensions", lambda: (PANEL[..., None], None), "4 dimension"),
    ("wrong-seq-len", lambda: (PANEL[:, :, :5], None), "seq_len"),
    (
        "short-y",
        lambda: (PANEL, np.zeros(5)),
        "y has 5 labels but X has 8 sequences; pass one label per sequence",
    ),
    (
        "short-y-long-series",
        lambda: (np.zeros((20, 2)), np.zeros(8)),
        "y has 8 labels but X has 20 time points",
    ),
]


@pytest.mark.parametrize(
    ("make_bad", "match"),
    _params(_TIMEGAN_FIT),
)
def test_timegan_fit(make_bad, match):
    X, y = make_bad()
    with _raises(match):
        small_sampler(TimeGANSampler).fit(X, y)


_TIMEGAN_SAMPLE = [
    ("labels", lambda s: s.sample(3, y=[0, 1, 0]), "fitted without y"),
    ("zero", lambda s: s.sample(0), "n_samples must be a positive integer"),
    ("negative", lambda s: s.sample(-2), "n_samples must be a positive integer"),
    ("string", lambda s: s.sample("3"), "n_samples must be a positive integer"),
    ("none", lambda s: s.sample(None), "n_samples must be a positive integer"),
]


@pytest.mark.parametrize(
    ("call", "match"),
    _params(_TIMEGAN_SAMPLE),
)
def test_timegan_sample(fitted_timegan, call, match):
    with _raises(match):
        call(fitted_timegan)


def test_timegan_noise_in_chunks_gives_the_same_samples(fitted_timegan, monkeypatch):
    whole = fitted_timegan.sample(10, random_state=0)
    monkeypatch.setattr(timegan, "_SAMPLE_CHUNK", 3)
    # The same noise; the recurrent networks' sums round differently in
    # batches of another size.
    np.testing.assert_allclose(
        fitted_timegan.sample(10, random_state=0), whole, rtol=1e-6
    )


# --------------------------------------------------------------------------
# SamplingPipeline
# --------------------------------------------------------------------------

_PIPELINE = [
    (
        "no-steps-fit",
        lambda p: SamplingPipeline([]).fit(TABLE),
        ValueError,
        "steps must be a non-empty list",
    ),
    (
        "no-steps-sample",
        lambda p: SamplingPipeline([]).sample(3),
        ValueError,
        "steps must be a non-empty list",
    ),
    (
        "steps-not-a-list",
        lambda p: SamplingPipeline("gan").fit(TABLE),
        ValueError,
        "steps must be a non-empty list",
    ),
    (
        "step-not-a-pair",
        lambda p: SamplingPipeline([("gan",)]).fit(TABLE),
        ValueError,
        "steps must be a non-empty list",
    ),
    (
        "step-without-inverse",
        lambda p: SamplingPipeline(
            [("norm", Normalizer()), ("gan", small_sampler(GANSampler))]
        ).fit(TABLE),
        TypeError,
        "Step 'norm'.*inverse_transform",
    ),
    (
        "final-step-not-a-sampler",
        lambda p: SamplingPipeline([("scale", StandardScaler())]).fit(TABLE),
        TypeError,
        "final step 'scale'.*sample",
    ),
    ("zero-samples", lambda p: p.sample(0), ValueError, "n_samples"),
    (
        "labels-without-labels-in-fit",
        lambda p: p.sample(3, y="a"),
        ValueError,
        "fitted without y",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "match"),
    _params(_PIPELINE),
)
def test_sampling_pipeline(pipeline, call, error, match):
    with pytest.raises(error, match=match):
        call(pipeline)


# --------------------------------------------------------------------------
# GANOverSampler
# --------------------------------------------------------------------------

_OVERSAMPLER = [
    (
        "no-y",
        lambda: (small_sampler(GANSampler), {}, TABLE, None),
        "y must be an array-like",
    ),
    (
        "nan-in-string-y",
        lambda: (small_sampler(GANSampler), {}, TABLE, NAN_LABELS),
        "y holds missing labels",
    ),
    (
        "continuous-y",
        lambda: (small_sampler(GANSampler), {}, TABLE, np.linspace(0, 1, 40) + 0.01),
        "continuous target",
    ),
    (
        "mixed-type-y",
        lambda: (small_sampler(GANSampler), {}, TABLE, np.array([1, "a"] * 20, object)),
        "y mixes label types",
    ),
    (
        "short-y",
        lambda: (small_sampler(GANSampler), {}, TABLE, LABELS[:-1]),
        "X has 40 samples but y has 39 labels",
    ),
    (
        "timegan-on-a-table",
        lambda: (small_sampler(TimeGANSampler), {}, TABLE[["num"]], LABELS),
        "TimeGANSampler needs X as a numpy3D panel",
    ),
    (
        "complex-X",
        lambda: (
            small_sampler(GANSampler),
            {},
            TABLE.assign(num=TABLE.num + 1j),
            LABELS,
        ),
        "Complex data not supported.*'num'",
    ),
    (
        "pandas-panel",
        lambda: (
            small_sampler(TimeGANSampler),
            {},
            convert_to(PANEL, "pd-multiindex"),
            LABELS[:8],
        ),
        "numpy3D",
    ),
    (
        "unknown-class",
        lambda: (
            small_sampler(GANSampler),
            {"sampling_strategy": {"c": 50}},
            TABLE,
            LABELS,
        ),
        r"\{'c'\} target class",
    ),
]


@pytest.mark.parametrize(
    ("make_bad", "match"),
    _params(_OVERSAMPLER),
)
def test_gan_oversampler(make_bad, match):
    sampler, params, X, y = make_bad()
    with _raises(match):
        GANOverSampler(sampler, random_state=0, **params).fit_resample(X, y)


@pytest.mark.parametrize(
    "make_y",
    [
        lambda y: pd.Categorical(y, dtype=_ORDERED),
        lambda y: pd.Series(y, name="grade", dtype=_ORDERED),
    ],
    ids=["ordered-categorical", "ordered-series"],
)
def test_gan_oversampler_returns_y_in_the_type_it_got(make_y):
    y = make_y(LABELS)
    _, y_res = GANOverSampler(small_sampler(GANSampler), random_state=0).fit_resample(
        TABLE, y
    )
    assert type(y_res) is type(y) and y_res.dtype == y.dtype
    assert list(pd.Series(y_res).value_counts().sort_index()) == [30, 30]


# --------------------------------------------------------------------------
# discriminative_score and predictive_score
# --------------------------------------------------------------------------

# Cells that no (X_real, X_synth) table metric can read.
_BAD_REAL_CELLS = [
    (
        "list-cells",
        lambda: (TABLE.assign(cat=_cells([[1]] * 40)), OTHER_TABLE, {}),
        (TypeError, "Column 'cat' of X_real holds list values"),
    ),
    (
        "mixed-types",
        lambda: (TABLE.assign(cat=_cells([1, "a"] * 20)), OTHER_TABLE, {}),
        "Column 'cat' mixes values of unorderable types",
    ),
]

_DISCRIMINATIVE = [
    *_BAD_REAL_CELLS,
    ("X-none", lambda: (None, OTHER_PANEL, {}), "X_real must be a 3-D array"),
    (
        "zero-steps",
        lambda: (PANEL, OTHER_PANEL, {"n_steps": 0}),
        "n_steps must be a positive integer",
    ),
    (
        "negative-batch",
        lambda: (PANEL, OTHER_PANEL, {"batch_size": -1}),
        "batch_size must be a positive integer",
    ),
    (
        "test-size",
        lambda: (PANEL, OTHER_PANEL, {"test_size": 1.5}),
        r"test_size must be a number in \(0, 1\)",
    ),
    (
        "no-channels",
        lambda: (EMPTY_PANEL, EMPTY_PANEL, {}),
        "at least one channel and one time point.*X_real",
    ),
    (
        "complex-panel",
        lambda: (PANEL + 1j, OTHER_PANEL, {}),
        "Complex data not supported: X_real",
    ),
    (
        "too-large-for-float32",
        lambda: (PANEL * 1e35, OTHER_PANEL, {}),
        "X_real holds values as large as.*float32",
    ),
    (
        "table-and-array",
        lambda: (TABLE, OTHER_TABLE.to_numpy(), {}),
        "both be DataFrames or both be arrays",
    ),
    (
        "unknown-cell",
        lambda: (PANEL, OTHER_PANEL, {"cell": "lstm"}),
        "cell must be one of",
    ),
]


@pytest.mark.parametrize(
    ("make_bad", "match"),
    _params(_DISCRIMINATIVE),
)
def test_discriminative_score(make_bad, match):
    X_real, X_synth, params = make_bad()
    with _raises(match):
        discriminative_score(X_real, X_synth, **{**_FAST, **params})


_PREDICTIVE = [
    (
        "zero-steps",
        lambda: (PANEL, OTHER_PANEL, {"n_steps": 0}),
        "n_steps must be a positive integer",
    ),
    (
        "zero-batch",
        lambda: (PANEL, OTHER_PANEL, {"batch_size": 0}),
        "batch_size must be a positive integer",
    ),
    (
        "no-channels",
        lambda: (EMPTY_PANEL, EMPTY_PANEL, {}),
        "at least one channel and one time point.*X_real",
    ),
    (
        "one-channel",
        lambda: (PANEL[:, :1], OTHER_PANEL[:, :1], {}),
        "at least 2 channels",
    ),
    (
        "complex-panel",
        lambda: (PANEL, OTHER_PANEL + 1j, {}),
        "Complex data not supported: X_synth",
    ),
    (
        "outside-unit-range",
        lambda: (PANEL * 5, OTHER_PANEL, {}),
        r"needs values in \[0, 1\].*X_real",
    ),
    (
        "range-overflows-scaling",
        lambda: (
            np.concatenate([PANEL, -PANEL]) * 1.5e308,
            OTHER_PANEL,
            {"scale": True},
        ),
        "Channel 0 of X_real spans a range wider",
    ),
    (
        "synthetic-far-outside-after-scaling",
        lambda: (PANEL, OTHER_PANEL * 1e300, {"scale": True}),
        "X_synth after scaling holds values",
    ),
    (
        "table",
        lambda: (np.zeros((40, 3)), np.zeros((40, 3)), {}),
        "needs time-series panels",
    ),
]


@pytest.mark.parametrize(
    ("make_bad", "match"),
    _params(_PREDICTIVE),
)
def test_predictive_score(make_bad, match):
    X_real, X_synth, params = make_bad()
    with _raises(match):
        predictive_score(X_real, X_synth, **{**_FAST, **params})


# --------------------------------------------------------------------------
# tstr_score
# --------------------------------------------------------------------------

_X = np.random.default_rng(0).normal(size=(40, 2))
_Y = np.array([0, 1] * 20)
_TSTR = [
    (
        "no-shared-labels",
        lambda: (LogisticRegression(), _X, np.array(["a", "b"] * 20), {}),
        ValueError,
        r"None of the synthetic labels y_synth \(\['a', 'b'\]\)",
    ),
    (
        "short-y",
        lambda: (LogisticRegression(), _X, _Y[:-1], {}),
        ValueError,
        "synthetic X and y must have the same length",
    ),
    (
        "not-an-estimator",
        lambda: ("model", _X, _Y, {}),
        TypeError,
        "estimator must be a scikit-learn estimator",
    ),
    (
        "unknown-scoring",
        lambda: (LogisticRegression(), _X, _Y, {"scoring": "nope"}),
        ValueError,
        "scoring must be a scorer name",
    ),
    (
        "X-none",
        lambda: (LogisticRegression(), None, _Y, {}),
        TypeError,
        "X_synth must be array-like",
    ),
    (
        "complex-X",
        lambda: (LogisticRegression(), _X + 1j, _Y, {}),
        ValueError,
        "Complex data not supported: X_synth",
    ),
    (
        "zero-repeats",
        lambda: (LogisticRegression(), _X, _Y, {"n_repeats": 0}),
        ValueError,
        "n_repeats must be a positive integer",
    ),
]


@pytest.mark.parametrize(
    ("make_bad", "error", "match"),
    _params(_TSTR),
)
def test_tstr_score(make_bad, error, match):
    estimator, X_synth, y_synth, params = make_bad()
    with pytest.raises(error, match=match):
        tstr_score(estimator, X_synth, y_synth, _X, _Y, random_state=0, **params)


def test_tstr_score_warns_about_synthetic_labels_the_real_data_lack():
    y_synth = np.array([0, 2] * 20)
    with pytest.warns(UserWarning, match=r"synthetic labels \[2\] of y_synth"):
        tstr_score(LogisticRegression(), _X, y_synth, _X, _Y, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tstr_score(LogisticRegression(), _X, _Y, _X, _Y, random_state=0)
    assert not [w for w in caught if "y_synth" in str(w.message)]


# --------------------------------------------------------------------------
# dcr_score and column_report
# --------------------------------------------------------------------------

_DCR = [
    (
        "quantile-above-one",
        lambda: (TABLE, OTHER_TABLE, OTHER_TABLE, {"quantile": 1.5}),
        r"quantile must be a number in \(0, 1\)",
    ),
    (
        "quantile-string",
        lambda: (TABLE, OTHER_TABLE, OTHER_TABLE, {"quantile": "5%"}),
        r"quantile must be a number in \(0, 1\)",
    ),
    (
        "no-channels",
        lambda: (EMPTY_PANEL, EMPTY_PANEL, EMPTY_PANEL, {}),
        "at least one channel and one time point.*X_train",
    ),
    (
        "list-cells",
        lambda: (TABLE.assign(cat=_cells([[1]] * 40)), OTHER_TABLE, OTHER_TABLE, {}),
        (TypeError, "Column 'cat' of X_train holds list values"),
    ),
    (
        "complex-column",
        lambda: (TABLE.assign(num=TABLE.num + 1j), OTHER_TABLE, OTHER_TABLE, {}),
        "Complex data not supported: X_train.*'num'",
    ),
    (
        "mixed-types",
        lambda: (TABLE.assign(cat=_cells([1, "a"] * 20)), OTHER_TABLE, OTHER_TABLE, {}),
        "Column 'cat' mixes values of unorderable types",
    ),
    (
        "huge-finite-numbers",
        lambda: (TABLE.assign(num=TABLE.num * 1e300), OTHER_TABLE, OTHER_TABLE, {}),
        "Column 'num' of X_train holds values as large as",
    ),
    (
        "panel-and-table",
        lambda: (PANEL, OTHER_TABLE, OTHER_TABLE, {}),
        "must all be tables or all be panels",
    ),
]


@pytest.mark.parametrize(
    ("make_bad", "match"),
    _params(_DCR),
)
def test_dcr_score(make_bad, match):
    X_train, X_synth, X_holdout, params = make_bad()
    with _raises(match):
        dcr_score(X_train, X_synth, X_holdout, **params)


_COLUMN_REPORT = [
    *_BAD_REAL_CELLS,
    (
        "test-size",
        lambda: (TABLE, OTHER_TABLE, {"test_size": 0}),
        r"test_size must be a number in \(0, 1\)",
    ),
    (
        "zero-repeats",
        lambda: (TABLE, OTHER_TABLE, {"n_repeats": 0}),
        "n_repeats must be a positive integer",
    ),
    (
        "numbers-against-strings",
        lambda: (TABLE, OTHER_TABLE.assign(num=OTHER_TABLE.cat), {}),
        "Column 'num' mixes values of unorderable types",
    ),
    (
        "complex-column",
        lambda: (TABLE, OTHER_TABLE.assign(num=OTHER_TABLE.num + 1j), {}),
        "Complex data not supported: X_synth.*'num'",
    ),
    (
        "other-columns",
        lambda: (TABLE, OTHER_TABLE.rename(columns={"num": "n"}), {}),
        "same columns",
    ),
    ("one-row", lambda: (TABLE.iloc[:1], OTHER_TABLE, {}), "at least 2 rows in X_real"),
]


@pytest.mark.parametrize(
    ("make_bad", "match"),
    _params(_COLUMN_REPORT),
)
def test_column_report(make_bad, match):
    X_real, X_synth, params = make_bad()
    with _raises(match):
        column_report(X_real, X_synth, random_state=0, **params)


# --------------------------------------------------------------------------
# make_sampler_scorer
# --------------------------------------------------------------------------

_SCORER = [
    (
        "unknown-name",
        lambda: make_sampler_scorer("accuracy"),
        ValueError,
        "metric must be one of",
    ),
    (
        "not-callable",
        lambda: make_sampler_scorer(5),
        ValueError,
        "metric must be a metric name or a callable",
    ),
    (
        "zero-steps",
        lambda: make_sampler_scorer("discriminative", n_steps=0),
        ValueError,
        "n_steps must be a positive integer",
    ),
    (
        "unknown-keyword",
        lambda: make_sampler_scorer("predictive", steps=10),
        TypeError,
        r"metric_kwargs \['steps'\] do not fit predictive_score",
    ),
    (
        "greater-is-better-string",
        lambda: make_sampler_scorer("discriminative", greater_is_better="yes"),
        ValueError,
        "greater_is_better must be True or False",
    ),
    (
        "random-state-string",
        lambda: make_sampler_scorer("discriminative", random_state="0"),
        ValueError,
        "random_state must be an int or None",
    ),
    (
        "scores-a-non-sampler",
        lambda: make_sampler_scorer("discriminative")(StandardScaler(), PANEL),
        TypeError,
        "StandardScaler has none",
    ),
    (
        "no-held-out-data",
        lambda: make_sampler_scorer("discriminative")(
            small_sampler(TimeGANSampler), None
        ),
        TypeError,
        "held-out data X",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "match"),
    _params(_SCORER),
)
def test_make_sampler_scorer(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --------------------------------------------------------------------------
# Requests too large for memory
# --------------------------------------------------------------------------

# Fits tiny samplers, caps the address space at 4 GiB above what the process
# uses, then makes each request and reports how it ended and how long it took.
_RUNAWAY_SCRIPT = textwrap.dedent(
    """
    import json, resource, time, warnings
    warnings.simplefilter("ignore")
    import numpy as np, torch
    torch.set_num_threads(1)
    from sklearn.preprocessing import StandardScaler
    from sksynth import GANSampler, TimeGANSampler
    from sksynth.datasets import make_sines
    from sksynth.pipeline import GANOverSampler, SamplingPipeline
    from sksynth.utils.estimator_checks import small_sampler

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = np.array([0] * 30 + [1] * 10)
    panel = make_sines(40, seq_len=6, n_channels=3, random_state=0)
    gan = small_sampler(GANSampler).fit(X)
    timegan = small_sampler(TimeGANSampler).fit(panel)
    pipe = SamplingPipeline(
        [("scale", StandardScaler()), ("gan", small_sampler(GANSampler))]
    ).fit(X)

    def kib(field, path):
        with open(path) as lines:
            line = next(line for line in lines if line.startswith(field))
        return int(line.split()[1]) * 1024

    # More sequences than their float32 values alone can fit in memory here.
    n_sequences = max(10**8, kib("MemAvailable:", "/proc/meminfo") // (4 * 18) + 1)
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    cap = kib("VmSize:", "/proc/self/status") + 4 * 2**30
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    cases = {
        "gan-sample": lambda: gan.sample(10**12),
        "timegan-sample": lambda: timegan.sample(n_sequences),
        "pipeline-sample": lambda: pipe.sample(10**12),
        "oversampler-gan": lambda: GANOverSampler(
            small_sampler(GANSampler), sampling_strategy={1: 10**12}
        ).fit_resample(X, y),
        "oversampler-timegan": lambda: GANOverSampler(
            small_sampler(TimeGANSampler), sampling_strategy={1: 10**12}
        ).fit_resample(panel, y),
    }
    results = {}
    for name, call in cases.items():
        start = time.perf_counter()
        try:
            call()
            outcome = ["returned", ""]
        except BaseException as exc:
            outcome = [type(exc).__name__, str(exc)]
        results[name] = [*outcome, time.perf_counter() - start]
    print(json.dumps(results))
    """
)


@pytest.fixture(scope="module")
def runaway_results():
    script = _RUNAWAY_SCRIPT
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


_RUNAWAYS = {
    "gan-sample": r"n_samples=1000000000000 would need about .* GiB",
    "timegan-sample": r"n_samples=\d+ would need about .* GiB",
    "pipeline-sample": r"n_samples=1000000000000 would need about .* GiB",
    "oversampler-gan": r"sampling_strategy asks for 999,999,999,990 synthetic",
    "oversampler-timegan": r"sampling_strategy asks for 999,999,999,990 synthetic",
}


@pytest.mark.parametrize("case", list(_RUNAWAYS))
def test_request_too_large_for_memory_fails_at_once(runaway_results, case):
    error, message, seconds = runaway_results[case]
    assert error == "ValueError", (error, message)
    assert re.search(_RUNAWAYS[case], message), message
    assert seconds < 5, seconds
