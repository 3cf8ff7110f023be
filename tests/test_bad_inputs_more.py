"""More bad input: values a model file cannot hold, silent unit and scale slips.

Each case either refuses the input in ``fit``, before any training, with a
message naming the column, labels or step at fault, or shows that the input
now gives the right result.
"""

import datetime
import decimal
import os
import socket
import time

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sktime.datatypes import convert_to

from sksynth import BaseSampler, GANSampler, TimeGANSampler
from sksynth._cli import main
from sksynth._core import data_parallel
from sksynth.datasets import make_sines
from sksynth.evaluation import (
    column_report,
    dcr_score,
    discriminative_score,
    distribution_gap,
)
from sksynth.pipeline import SamplingPipeline
from sksynth.tabular import _gan
from sksynth.tabular._encoder import TabularEncoder
from sksynth.tabular._numeric_values import decimals_of
from sksynth.utils.estimator_checks import assert_same_samples, small_sampler


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

    def run(*args, **kwargs):
        raise AssertionError("GANSampler started training")

    monkeypatch.setattr(_gan.TrainingLoop, "run", run)


# --------------------------------------------------------------------------
# Generated numbers stay in the training range, at any scale
# --------------------------------------------------------------------------


def test_tiny_numbers_are_not_rounded_to_zero():
    values = np.random.default_rng(0).uniform(1e-10, 3.9e-10, 100)
    assert decimals_of(values) is None
    X = pd.DataFrame({"tiny": values})
    synthetic = small_sampler(GANSampler).fit(X).sample(200, random_state=0)["tiny"]
    assert synthetic.min() >= values.min() and synthetic.max() <= values.max()


def test_decimals_are_relative_to_the_column_scale():
    # Values written with one decimal, seen through float arithmetic.
    assert decimals_of(np.array([0.1 + 0.2, 12.3, 1e3 + 0.1])) == 1
    assert decimals_of(np.array([1e-10, 3.5e-10])) is None


def test_rounding_never_leaves_the_training_range():
    # One decimal writes every value up to 1e-9 of the scale, but rounding
    # the smallest one (1e-12) gives 0, below the training range.
    values = np.r_[1e-12, np.round(np.linspace(1, 12.3, 99), 1)]
    encoder = TabularEncoder(
        [False],
        max_categories=10,
        exact_values=True,
        random_state=np.random.default_rng(0),
    )
    scalars, slots = encoder.fit_transform(pd.DataFrame({"v": values}))
    assert encoder.columns[0].decimals == 1
    lowest = encoder.inverse_transform(np.full_like(scalars, -1.0), slots)["v"]
    assert lowest.min() >= 1e-12


# --------------------------------------------------------------------------
# Values a model file cannot store are refused in fit
# --------------------------------------------------------------------------

_UNSTORABLE = [
    (
        "tuple-column-names",
        lambda: (TABLE.set_axis([("a", 1), ("b", 2)], axis=1), None),
        r"column named \('a', 1\), a tuple.*X.columns = \[str\(c\)",
    ),
    (
        "multiindex-columns",
        lambda: (
            TABLE.set_axis(pd.MultiIndex.from_tuples([("a", 1), ("b", 2)]), axis=1),
            None,
        ),
        "X has MultiIndex columns.*Flatten them",
    ),
    (
        "tuple-cells",
        lambda: (TABLE.assign(cat=_cells([(1, 2), (3, 4)])), None),
        r"Column 'cat' of X holds tuple values \(such as \(1, 2\)\)",
    ),
    (
        "tuple-categories",
        lambda: (TABLE.assign(cat=pd.Categorical(_cells([(1, 2), (3, 4)]))), None),
        "Column 'cat' of X holds tuple values",
    ),
    (
        "datetime-labels",
        lambda: (TABLE, pd.Series(pd.to_datetime(["2020-01-01", "2021-06-01"] * 20))),
        "y holds Timestamp values.*days since a date",
    ),
    (
        "datetime64-labels",
        lambda: (TABLE, pd.to_datetime(["2020-01-01", "2021-06-01"] * 20).to_numpy()),
        "y holds datetime64 values",
    ),
    (
        "tuple-labels",
        lambda: (TABLE, _cells([(1, 2), (3, 4)])),
        "y holds tuple values",
    ),
    (
        "dates",
        lambda: (TABLE.assign(cat=_cells([datetime.date(2020, 1, 1)])), None),
        r"Column 'cat' of X holds date values.*X\['cat'\].astype\(str\)",
    ),
    (
        "decimals",
        lambda: (TABLE.assign(cat=_cells([decimal.Decimal("1.5")])), None),
        r"Column 'cat' of X holds Decimal values.*astype\(float\)",
    ),
    (
        "bytes",
        lambda: (TABLE.assign(cat=_cells([b"a", b"b"])), None),
        "Column 'cat' of X holds bytes values.*Decode them",
    ),
    (
        "periods",
        lambda: (TABLE.assign(cat=pd.period_range("2020-01", periods=40)), None),
        "Column 'cat' of X holds Period values",
    ),
    (
        "timestamps-in-object-column",
        lambda: (TABLE.assign(cat=_cells([pd.Timestamp("2020"), "x"])), None),
        "Column 'cat' of X holds Timestamp values",
    ),
    (
        "timedeltas",
        lambda: (
            TABLE.assign(cat=pd.Series([pd.Timedelta("1D")] * 40, dtype=object)),
            None,
        ),
        "Column 'cat' of X holds Timedelta values.*such as seconds",
    ),
    (
        "intervals-from-cut",
        lambda: (TABLE.assign(cat=pd.cut(TABLE.num, 3)), None),
        r"Column 'cat' of X holds Interval values.*astype\(str\)",
    ),
    (
        "datetime-array",
        lambda: (pd.date_range("2020", periods=40).to_numpy().reshape(-1, 1), None),
        r"Column 0 of X holds datetime values.*X\[:, 0\]",
    ),
]


@pytest.mark.parametrize(
    ("make_bad", "match"),
    [pytest.param(*case[1:], id=case[0]) for case in _UNSTORABLE],
)
def test_values_a_model_file_cannot_store_are_refused_in_fit(
    make_bad, match, no_training
):
    X, y = make_bad()
    sampler = small_sampler(GANSampler)
    with pytest.raises(ValueError, match=match):
        sampler.fit(X, y)
    assert not hasattr(sampler, "device_")


@pytest.mark.parametrize(
    ("X", "y"),
    [
        (TABLE.set_axis([0, 1.5], axis=1), None),
        (TABLE.assign(cat=_cells([True, False, None])), None),
        (TABLE.assign(cat=pd.Categorical([1, 2] * 20)), None),
        (TABLE, pd.Series([True, False] * 20, name="flag")),
        (TABLE, pd.Series(LABELS, dtype=pd.CategoricalDtype(["b", "a", "c"]))),
    ],
    ids=["number-names", "booleans-with-none", "int-categories", "bool-y", "cat-y"],
)
def test_storable_values_come_back_from_a_model_file(tmp_path, X, y):
    sampler = small_sampler(GANSampler).fit(X, y)
    path = tmp_path / "model.sksynth"
    sampler.save(path)
    assert_same_samples(
        BaseSampler.load(path).sample(8, random_state=0),
        sampler.sample(8, random_state=0),
    )


# --------------------------------------------------------------------------
# SamplingPipeline steps that cannot map samples back
# --------------------------------------------------------------------------

_POSITIVE = np.exp(np.random.default_rng(0).normal(size=(40, 2)))
_WITH_NAN = _POSITIVE.copy()
_WITH_NAN[::5, 0] = np.nan

_NOT_INVERTED = [
    (
        "log-without-inverse",
        lambda: FunctionTransformer(np.log),
        _POSITIVE,
        r"Step 'step' \(FunctionTransformer\).*func=log but no inverse_func",
    ),
    (
        "inverse-without-func",
        lambda: FunctionTransformer(inverse_func=np.exp),
        _POSITIVE,
        "inverse_func=exp but no func",
    ),
    (
        "imputer",
        lambda: SimpleImputer(),
        _WITH_NAN,
        r"Step 'step' \(SimpleImputer\).*add_indicator=True",
    ),
    (
        "nested-log",
        lambda: make_pipeline(StandardScaler(), FunctionTransformer(np.log1p)),
        _POSITIVE,
        r"Step 'step' \(Pipeline\).*func=log1p but no inverse_func",
    ),
]


@pytest.mark.parametrize(
    ("make_step", "X", "match"),
    [pytest.param(*case[1:], id=case[0]) for case in _NOT_INVERTED],
)
def test_sampling_pipeline_refuses_steps_it_cannot_invert_before_training(
    make_step, X, match, no_training
):
    pipe = SamplingPipeline([("step", make_step()), ("gan", small_sampler(GANSampler))])
    with pytest.raises(ValueError, match=match):
        pipe.fit(X)


def test_sampling_pipeline_sample_refuses_a_step_made_uninvertible_after_fit():
    log = FunctionTransformer(np.log, inverse_func=np.exp)
    pipe = SamplingPipeline([("log", log), ("gan", small_sampler(GANSampler))]).fit(
        _POSITIVE
    )
    assert (pipe.sample(5, random_state=0) > 0).all()
    pipe.set_params(log__inverse_func=None)
    with pytest.raises(ValueError, match="func=log but no inverse_func"):
        pipe.sample(5)


def test_sampling_pipeline_with_an_indicating_imputer_restores_missing_values():
    steps = [
        ("impute", SimpleImputer(add_indicator=True)),
        ("gan", small_sampler(GANSampler)),
    ]
    synthetic = SamplingPipeline(steps).fit(_WITH_NAN).sample(50, random_state=0)
    assert synthetic.shape == (50, 2)
    assert np.isnan(synthetic[:, 0]).any() and not np.isnan(synthetic[:, 1]).any()


# --------------------------------------------------------------------------
# Time series: gaps in time indexes, sequences too short for the supervisor
# --------------------------------------------------------------------------

_SINES = make_sines(8, seq_len=6, n_channels=2, random_state=0)
_MULTIINDEX = convert_to(_SINES, "pd-multiindex")


def _with_time_points(panel, times):
    """A pd-multiindex panel whose time level is ``times`` in every instance."""
    instances = panel.index.get_level_values(0)
    return panel.set_axis(pd.MultiIndex.from_arrays([instances, times]), axis=0)


def _shifted_after(panel, instance, step):
    """``panel`` with the time points from ``step`` on of one instance moved by 1."""
    index = panel.index.to_frame(index=False)
    later = (index.iloc[:, 0] == instance) & (index.iloc[:, 1] >= step)
    index.iloc[:, 1] += later.astype(int)
    return panel.set_axis(pd.MultiIndex.from_frame(index), axis=0)


def _df_list_with_gap():
    frames = convert_to(_SINES, "df-list")
    frames[3] = frames[3].drop(index=2)
    return frames


_DAYS = np.tile(pd.date_range("2020-01-01", periods=6, freq="D"), 8)
_MONTHS = np.tile(pd.date_range("2020-01-01", periods=6, freq="MS"), 8)
_TIME_INDEXES = [
    (
        "row-dropped",
        lambda: _MULTIINDEX.drop(index=(1, 3)),
        r"Instance 1 of X has a gap in its time index \(2 is followed by 4, where "
        r"0 is followed by 1\)",
    ),
    (
        "equal-lengths-one-gap",
        lambda: _shifted_after(_MULTIINDEX, 5, 3),
        "Instance 5 of X has a gap in its time index",
    ),
    (
        "day-missing",
        lambda: _with_time_points(_MULTIINDEX, _DAYS).drop(index=(2, "2020-01-04")),
        "Instance 2 of X has a gap.*2020-01-03 00:00:00 is followed by 2020-01-05",
    ),
    (
        "out-of-order",
        lambda: _with_time_points(_MULTIINDEX, np.tile([0, 1, 3, 2, 4, 5], 8)),
        r"Instance 0 of X has time points out of order \(3 is followed by 2\)",
    ),
    ("df-list", _df_list_with_gap, "Instance 3 of X has a gap"),
    (
        "long-series",
        lambda: pd.DataFrame(
            {"a": np.arange(31.0)}, index=pd.date_range("2020", periods=31, freq="h")
        ).drop(index=pd.Timestamp("2020-01-01 10:00")),
        "^X has a gap in its time index",
    ),
]


@pytest.mark.parametrize(
    ("make_bad", "match"),
    [pytest.param(*case[1:], id=case[0]) for case in _TIME_INDEXES],
)
def test_timegan_refuses_uneven_time_indexes(make_bad, match):
    X = make_bad()
    seq_len = 4 if isinstance(X, pd.DataFrame) and X.index.nlevels == 1 else "auto"
    with pytest.raises(ValueError, match=match):
        small_sampler(TimeGANSampler, seq_len=seq_len).fit(X)


def test_discriminative_score_refuses_a_panel_with_a_gap():
    with pytest.raises(ValueError, match="Instance 1 of X_real has a gap"):
        discriminative_score(
            _MULTIINDEX.drop(index=(1, 3)), _SINES, n_steps=2, random_state=0
        )


@pytest.mark.parametrize(
    ("X", "seq_len"),
    [
        (_with_time_points(_MULTIINDEX, np.tile(np.arange(0, 12, 2), 8)), "auto"),
        (_with_time_points(_MULTIINDEX, _MONTHS), "auto"),
        (pd.DataFrame({"a": np.arange(20.0)}, index=1.6e9 + 0.1 * np.arange(20)), 4),
    ],
    ids=["step-of-two", "months", "float-seconds"],
)
def test_timegan_accepts_evenly_spaced_time_indexes(X, seq_len):
    small_sampler(TimeGANSampler, seq_len=seq_len).fit(X)


@pytest.mark.parametrize(
    ("params", "X"),
    [
        ({"seq_len": 1}, np.random.default_rng(0).normal(size=(40, 2))),
        ({"seq_len": "auto"}, _SINES[:, :, :1]),
    ],
    ids=["long-series", "panel-of-one-step"],
)
def test_timegan_step_latent_refuses_sequences_of_one_step(params, X):
    with pytest.raises(ValueError, match="seq_len must be at least 2 with latent="):
        small_sampler(TimeGANSampler, **params).fit(X)
    # One latent vector per sequence needs no next step to predict.
    sequence = small_sampler(TimeGANSampler, **params, latent="sequence")
    assert sequence.fit(X).sample(3, random_state=0).shape == (3, 2, 1)


# --------------------------------------------------------------------------
# The table metrics' encoders: nullable dtypes and column names
# --------------------------------------------------------------------------


def _nullable_table(seed):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "count": pd.array(rng.integers(0, 5, 40), dtype="Int64"),
            "level": pd.array(rng.normal(size=40), dtype="Float64"),
            "flag": pd.array(rng.choice([True, False], 40), dtype="boolean"),
            "name": pd.array(rng.choice(["u", "v"], 40), dtype="string"),
        }
    )
    frame.iloc[::7] = pd.NA
    return frame


_TABLE_METRICS = {
    "column_report": lambda real, synth: column_report(real, synth, random_state=0),
    "distribution_gap": distribution_gap,
    "discriminative_score": lambda real, synth: discriminative_score(
        real, synth, random_state=0
    ),
    "dcr_score": lambda real, synth: dcr_score(real, synth, synth),
}


@pytest.mark.parametrize("metric", list(_TABLE_METRICS))
@pytest.mark.parametrize(
    "rename",
    [
        lambda frame: frame,
        lambda frame: frame.set_axis([("a", 1), ("b", 2), ("c", 3), ("d", 4)], axis=1),
        lambda frame: frame.set_axis([3, 0, 2, 1], axis=1),
        lambda frame: frame.set_axis([0, "b", 2.5, "d"], axis=1),
    ],
    ids=["names", "tuple-names", "shuffled-int-names", "mixed-names"],
)
def test_table_metrics_read_nullable_columns_under_any_names(metric, rename):
    real, synth = rename(_nullable_table(0)), rename(_nullable_table(1))
    result = _TABLE_METRICS[metric](real, synth)
    if metric == "column_report":
        kinds = result.columns["kind"]
        assert set(kinds.index) == set(real.columns)
        assert kinds[real.columns[0]] == kinds[real.columns[1]] == "numeric"
        assert kinds[real.columns[2]] == kinds[real.columns[3]] == "categorical"


@pytest.mark.parametrize("metric", list(_TABLE_METRICS))
@pytest.mark.parametrize(
    ("columns", "match"),
    [
        (
            pd.MultiIndex.from_tuples([("a", 1), ("a", 2), ("b", 1), ("b", 2)]),
            "X_real has MultiIndex columns.*Flatten them",
        ),
        (["a", "b", "a", "c"], r"X_real has duplicate column names \['a'\]"),
    ],
    ids=["multiindex", "duplicates"],
)
def test_table_metrics_refuse_multiindex_and_duplicate_columns(metric, columns, match):
    real = _nullable_table(0).set_axis(columns, axis=1)
    synth = _nullable_table(1).set_axis(columns, axis=1)
    if metric == "dcr_score":
        match = match.replace("X_real", "X_train")
    with pytest.raises(ValueError, match=match):
        _TABLE_METRICS[metric](real, synth)


# --------------------------------------------------------------------------
# The command line: inputs that are not files, stray torchrun variables
# --------------------------------------------------------------------------


def _command_error(argv, capsys):
    """Run ``sksynth`` expecting a failure; return its one line of stderr."""
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code not in (0, None)
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    return path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_cli_says_a_pipe_is_not_a_regular_file(tmp_path, fifo, capsys):
    line = _command_error(
        ["fit", str(fifo), "--model", "gan", "-o", str(tmp_path / "m.sksynth")], capsys
    )
    assert "pipe.csv: not a regular file" in line
    line = _command_error(["evaluate", str(fifo), str(fifo)], capsys)
    assert "pipe.csv: not a regular file" in line


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_cli_says_a_device_is_not_a_model_file(tmp_path, capsys):
    out = str(tmp_path / "out.csv")
    line = _command_error(["sample", "/dev/zero", "-n", "5", "-o", out], capsys)
    assert "/dev/zero: not a regular file" in line


def test_cli_says_a_folder_is_not_a_data_file(tmp_path, capsys):
    folder = tmp_path / "data.csv"
    folder.mkdir()
    model = str(tmp_path / "m.sksynth")
    line = _command_error(["fit", str(folder), "--model", "gan", "-o", model], capsys)
    assert "data.csv: is a folder, not a file" in line


@pytest.fixture
def table_csv(tmp_path):
    path = tmp_path / "table.csv"
    TABLE.to_csv(path, index=False)
    return path


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_cli_names_the_torchrun_variables_a_stray_world_size_lacks(
    tmp_path, table_csv, capsys, monkeypatch
):
    for name in ("RANK", "MASTER_ADDR", "MASTER_PORT", "TORCHELASTIC_RUN_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WORLD_SIZE", "2")
    argv = ["fit", str(table_csv), "--model", "gan", "--epochs", "1"]
    line = _command_error(argv + ["-o", str(tmp_path / "m.sksynth")], capsys)
    assert "WORLD_SIZE=2" in line
    assert "RANK, MASTER_ADDR, MASTER_PORT are not set" in line
    monkeypatch.setenv("WORLD_SIZE", "two")
    line = _command_error(argv + ["-o", str(tmp_path / "m.sksynth")], capsys)
    assert "WORLD_SIZE must be an integer" in line


def test_a_process_group_without_its_peers_times_out(monkeypatch):
    monkeypatch.delenv("TORCHELASTIC_RUN_ID", raising=False)
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", "0")
    monkeypatch.setenv("MASTER_ADDR", "127.0.0.1")
    monkeypatch.setenv("MASTER_PORT", str(_free_port()))
    monkeypatch.setattr(data_parallel, "RENDEZVOUS_SECONDS", 1)
    start = time.perf_counter()
    with pytest.raises(TimeoutError, match="could not all meet.*within 1 s"):
        data_parallel.init_from_environment(torch.device("cpu"))
    assert time.perf_counter() - start < 30
    assert not torch.distributed.is_initialized()


# --------------------------------------------------------------------------
# More hostile inputs: huge integers, duplicate names, channel names, NaN
# --------------------------------------------------------------------------

_INT64_MAX = np.iinfo(np.int64).max


@pytest.mark.parametrize(
    ("X", "match"),
    [
        (
            TABLE.assign(num=np.r_[_INT64_MAX, np.arange(39)]),
            r"Column 'num' of X holds integers as large as 9.22e\+18.*2\*\*53",
        ),
        (
            TABLE.assign(num=np.arange(40, dtype=np.uint64) + np.uint64(2**60)),
            "Column 'num' of X holds integers as large as 1.15e",
        ),
        (
            np.c_[np.arange(40), np.arange(40) - 2**62],
            r"Column 1 of X holds integers as large as.*X\[:, 1\].astype\(float\)",
        ),
        (TABLE.set_axis(["a", "a"], axis=1), r"X has duplicate column names \['a'\]"),
    ],
    ids=["int64-max", "uint64", "int-array", "duplicate-names"],
)
def test_gan_refuses_integers_beyond_float64_and_duplicate_names(X, match, no_training):
    with pytest.raises(ValueError, match=match):
        small_sampler(GANSampler).fit(X)


def test_gan_keeps_integers_up_to_2_to_the_53_and_big_python_integers(tmp_path):
    X = TABLE.assign(
        num=np.r_[2**53, np.arange(39)],
        cat=pd.Series([10**20 + i % 3 for i in range(40)], dtype=object),
    )
    sampler = small_sampler(GANSampler).fit(X)
    sampler.save(tmp_path / "model.sksynth")
    synthetic = BaseSampler.load(tmp_path / "model.sksynth").sample(50, random_state=0)
    assert synthetic["num"].dtype == np.int64 and synthetic["num"].min() >= 0
    assert set(synthetic["cat"]) <= {10**20, 10**20 + 1, 10**20 + 2}


def _named_5_and_7(frame):
    return frame.set_axis([5, 7], axis=1)


@pytest.mark.parametrize(
    ("make_X", "seq_len"),
    [
        (lambda: _named_5_and_7(_MULTIINDEX), "auto"),
        (lambda: [_named_5_and_7(f) for f in convert_to(_SINES, "df-list")], "auto"),
        (lambda: _named_5_and_7(pd.DataFrame(_POSITIVE)), 4),
    ],
    ids=["pd-multiindex", "df-list", "long-series"],
)
def test_timegan_keeps_channel_names_that_are_not_strings(tmp_path, make_X, seq_len):
    sampler = small_sampler(TimeGANSampler, seq_len=seq_len).fit(make_X())
    sampler.save(tmp_path / "model.sksynth")
    for fitted in (sampler, BaseSampler.load(tmp_path / "model.sksynth")):
        synthetic = fitted.sample(2, random_state=0)
        frame = synthetic[0] if isinstance(synthetic, list) else synthetic
        assert frame.columns.tolist() == [5, 7]


_TIMEGAN_INPUTS = [
    (
        "tuple-channel-names",
        lambda: _MULTIINDEX.set_axis([("a", 1), ("b", 2)], axis=1),
        r"X has a column named \('a', 1\), a tuple",
    ),
    (
        "inf-in-a-panel",
        lambda: np.where(np.arange(6) == 4, np.inf, _SINES),
        "X holds infinity at instance 0, channel 0, time point 4 .16 value",
    ),
    (
        "inf-in-a-series",
        lambda: np.r_[np.random.default_rng(0).random((9, 2)), [[1.0, np.inf]]],
        "X holds infinity at time point 9, channel 1",
    ),
    (
        "string-time-points",
        lambda: _with_time_points(_MULTIINDEX, np.tile([f"t{i}" for i in range(6)], 8)),
        "time points of X .its second index level. are .* such as 't0'",
    ),
]


@pytest.mark.parametrize(
    ("make_bad", "match"),
    [pytest.param(*case[1:], id=case[0]) for case in _TIMEGAN_INPUTS],
)
def test_timegan_names_bad_channels_and_values(make_bad, match):
    X = make_bad()
    seq_len = 4 if np.ndim(X) == 2 and not isinstance(X, pd.DataFrame) else "auto"
    with pytest.raises(ValueError, match=match):
        small_sampler(TimeGANSampler, seq_len=seq_len).fit(X)


@pytest.mark.parametrize("metric", list(_TABLE_METRICS))
@pytest.mark.parametrize("missing_in", ["real", "both"])
def test_table_metrics_compare_a_column_missing_throughout(metric, missing_in):
    real = _table(seed=0).assign(num=np.nan)
    synth = _table(seed=1)
    if missing_in == "both":
        synth = synth.assign(num=np.nan)
    result = _TABLE_METRICS[metric](real, synth)
    if metric == "discriminative_score" and missing_in == "real":
        assert result == 0.5  # real rows stand out by their missing values alone


@pytest.mark.parametrize("metric", list(_TABLE_METRICS))
def test_table_metrics_refuse_tables_without_columns(metric):
    name = "X_train" if metric == "dcr_score" else "X_real"
    with pytest.raises(ValueError, match=f"{name} has no columns"):
        _TABLE_METRICS[metric](TABLE.iloc[:, :0], TABLE.iloc[:, :0])
