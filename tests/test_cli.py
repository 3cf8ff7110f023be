"""Tests of the ``sksynth`` command's fit, sample and evaluate subcommands."""

import os
import time

import numpy as np
import pandas as pd
import pytest
import torch

from sksynth import GANSampler, TimeGANSampler
from sksynth._cli import main
from sksynth.utils.estimator_checks import small_sampler


def _run_failing(argv, capsys):
    """Run the command, expect a non-zero exit; return its stderr."""
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code not in (0, None)
    return capsys.readouterr().err


def _assert_one_clear_line(err, *fragments):
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("sksynth")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture
def table_csv(tmp_path):
    rng = np.random.default_rng(0)
    n = 120
    frame = pd.DataFrame(
        {
            "age": rng.integers(18, 80, size=n),
            "income": rng.lognormal(10.0, 0.5, size=n),
            "city": rng.choice(["north", "south", "east"], size=n),
        }
    )
    path = tmp_path / "real.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def series_csv(tmp_path):
    rng = np.random.default_rng(0)
    t = np.arange(80)
    frame = pd.DataFrame(
        {"a": np.sin(t / 4), "b": np.cos(t / 6) + 0.1 * rng.normal(size=len(t))}
    )
    path = tmp_path / "series.csv"
    frame.to_csv(path, index=False)
    return path


def test_fit_sample_evaluate_round_trip_on_a_table(tmp_path, table_csv, capsys):
    model = tmp_path / "model.sksynth"
    synth = tmp_path / "synth.parquet"
    report = tmp_path / "report"
    main(
        ["fit", str(table_csv), "--model", "gan", "--epochs", "2", "--device", "cpu"]
        + ["--seed", "0", "-o", str(model)]
    )
    assert model.is_file()
    main(["sample", str(model), "-n", "80", "-o", str(synth), "--seed", "0"])
    samples = pd.read_parquet(synth)
    real = pd.read_csv(table_csv)
    assert samples.shape == (80, 3)
    assert list(samples.columns) == list(real.columns)
    assert samples["age"].dtype.kind == "i"
    assert set(samples["city"]) <= set(real["city"])
    capsys.readouterr()
    main(["evaluate", str(table_csv), str(synth), "--report", str(report), "--quiet"])
    out = capsys.readouterr().out
    assert "discriminative score" in out
    scores = pd.read_csv(report / "scores.csv")
    discriminative = scores.set_index("metric").loc["discriminative score", "value"]
    assert 0.0 <= discriminative <= 0.5
    for plot in ("pca.png", "tsne.png", "marginals.png"):
        assert (report / plot).stat().st_size > 0


def test_sampling_is_reproducible_with_a_seed(tmp_path, table_csv):
    model = tmp_path / "model.sksynth"
    main(
        ["fit", str(table_csv), "--model", "gan", "--epochs", "1", "--device", "cpu"]
        + ["-o", str(model)]
    )
    for name in ("a.csv", "b.csv"):
        main(
            [
                "sample",
                str(model),
                "-n",
                "20",
                "-o",
                str(tmp_path / name),
                "--seed",
                "3",
            ]
        )
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "b.csv")
    )


def test_fit_sample_evaluate_round_trip_on_a_series(tmp_path, series_csv, capsys):
    model = tmp_path / "series.sksynth"
    synth = tmp_path / "windows.csv"
    main(
        ["fit", str(series_csv), "--model", "timegan", "--seq-len", "6"]
        + ["--n-iter", "2", "--device", "cpu", "--seed", "0", "-o", str(model)]
    )
    main(["sample", str(model), "-n", "30", "-o", str(synth), "--seed", "0"])
    windows = pd.read_csv(synth)
    # Long format: one row per time point of each synthetic sequence.
    assert list(windows.columns) == ["instance", "timepoint", "a", "b"]
    assert len(windows) == 30 * 6
    capsys.readouterr()
    main(
        ["evaluate", str(series_csv), str(synth), "--n-steps", "5", "--device", "cpu"]
        + ["--quiet"]
    )
    out = capsys.readouterr().out
    assert "discriminative score" in out and "predictive score" in out


# --------------------------------------------------------------------------
# Bad input: one clear line on stderr and a non-zero exit, never a traceback.
# --------------------------------------------------------------------------


def test_missing_data_file(tmp_path, capsys):
    missing = tmp_path / "nothing.csv"
    err = _run_failing(
        ["fit", str(missing), "--model", "gan", "-o", str(tmp_path / "m")], capsys
    )
    _assert_one_clear_line(err, "nothing.csv", "no such file")


def test_missing_model_file(tmp_path, capsys):
    err = _run_failing(
        ["sample", str(tmp_path / "absent.sksynth"), "-n", "5", "-o", "x.csv"], capsys
    )
    _assert_one_clear_line(err, "absent.sksynth", "no such file")


def test_missing_file_to_evaluate(tmp_path, table_csv, capsys):
    err = _run_failing(["evaluate", str(table_csv), str(tmp_path / "s.csv")], capsys)
    _assert_one_clear_line(err, "s.csv", "no such file")


@pytest.mark.parametrize(
    ("name", "content"),
    [("broken.parquet", b"this is not parquet"), ("empty.csv", b"")],
)
def test_unreadable_data_file(tmp_path, capsys, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    err = _run_failing(
        ["fit", str(path), "--model", "gan", "-o", str(tmp_path / "m")], capsys
    )
    _assert_one_clear_line(err, "cannot read", name)


def test_unknown_file_type(tmp_path, capsys):
    path = tmp_path / "data.xlsx"
    path.write_bytes(b"whatever")
    err = _run_failing(
        ["fit", str(path), "--model", "gan", "-o", str(tmp_path / "m")], capsys
    )
    _assert_one_clear_line(err, "data.xlsx", "unknown file type")


def test_model_file_of_the_wrong_kind(tmp_path, table_csv, capsys):
    # A data file passed as a model ...
    err = _run_failing(
        ["sample", str(table_csv), "-n", "5", "-o", str(tmp_path / "x.csv")], capsys
    )
    _assert_one_clear_line(err, "real.csv", "not a sksynth model file")
    # ... and a torch file that is not a sksynth model.
    foreign = tmp_path / "weights.pt"
    torch.save({"weight": torch.zeros(3)}, foreign)
    err = _run_failing(
        ["sample", str(foreign), "-n", "5", "-o", str(tmp_path / "x.csv")], capsys
    )
    _assert_one_clear_line(err, "weights.pt", "not a sksynth model file")


@pytest.mark.parametrize(
    "argv",
    [
        ["fit", "DATA.csv", "--model", "vae", "-o", "m"],
        ["fit", "DATA.csv", "--model", "gan"],
        ["fit", "DATA.csv", "--model", "gan", "--epochs", "0", "-o", "m"],
        ["fit", "DATA.csv", "--model", "gan", "--epochs", "many", "-o", "m"],
        ["sample", "MODEL", "-n", "-3", "-o", "out.csv"],
        ["evaluate", "REAL.csv"],
        ["transmogrify"],
        [],
    ],
)
def test_bad_options(argv, capsys):
    err = _run_failing(argv, capsys)
    _assert_one_clear_line(err, "error")


def test_options_of_the_other_model(table_csv, tmp_path, capsys):
    err = _run_failing(
        ["fit", str(table_csv), "--model", "gan", "--seq-len", "5", "-o", "m"], capsys
    )
    _assert_one_clear_line(err, "--seq-len", "timegan")
    err = _run_failing(
        [
            "fit",
            str(table_csv),
            "--model",
            "gan",
            "--preset",
            "timegan-2019",
            "-o",
            "m",
        ],
        capsys,
    )
    _assert_one_clear_line(err, "--preset", "timegan")
    err = _run_failing(
        ["fit", str(table_csv), "--model", "gan", "--n-iter-pretrain", "5"]
        + ["-o", "m"],
        capsys,
    )
    _assert_one_clear_line(err, "--n-iter-pretrain", "timegan")
    err = _run_failing(
        ["fit", str(table_csv), "--model", "timegan", "--epochs", "5", "-o", "m"],
        capsys,
    )
    _assert_one_clear_line(err, "--epochs", "gan")


def test_fit_with_a_preset(series_csv, tmp_path):
    model = tmp_path / "preset.sksynth"
    main(
        ["fit", str(series_csv), "--model", "timegan", "--preset", "timegan-2019"]
        + ["--seq-len", "6", "--n-iter", "2", "--n-iter-pretrain", "3"]
        + ["--device", "cpu", "-o", str(model)]
    )
    sampler = TimeGANSampler.load(model)
    expected = TimeGANSampler.preset(
        "timegan-2019", seq_len=6, n_iter=2, n_iter_pretrain=3
    ).get_params()
    assert sampler.get_params() == {**expected, "device": "cpu", "verbose": 1}


def test_unknown_preset(series_csv, capsys):
    err = _run_failing(
        ["fit", str(series_csv), "--model", "timegan", "--preset", "rain", "-o", "m"],
        capsys,
    )
    _assert_one_clear_line(err, "name must be one of")


def test_unknown_device(table_csv, tmp_path, capsys):
    err = _run_failing(
        ["fit", str(table_csv), "--model", "gan", "--device", "tpu"]
        + ["-o", str(tmp_path / "m")],
        capsys,
    )
    _assert_one_clear_line(err, "device")


def test_non_numeric_series_for_timegan(table_csv, tmp_path, capsys):
    err = _run_failing(
        ["fit", str(table_csv), "--model", "timegan", "--seq-len", "4"]
        + ["--n-iter", "1", "--device", "cpu", "-o", str(tmp_path / "m")],
        capsys,
    )
    _assert_one_clear_line(err, "numeric")


def test_unknown_output_type(table_csv, tmp_path, capsys):
    model = tmp_path / "model.sksynth"
    main(
        ["fit", str(table_csv), "--model", "gan", "--epochs", "1", "--device", "cpu"]
        + ["-o", str(model)]
    )
    capsys.readouterr()
    err = _run_failing(
        ["sample", str(model), "-n", "5", "-o", str(tmp_path / "out.json")], capsys
    )
    _assert_one_clear_line(err, "out.json", "unknown file type")


def test_evaluate_mismatched_columns(tmp_path, table_csv, capsys):
    other = tmp_path / "other.csv"
    pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [3.0, 2.0, 1.0]}).to_csv(
        other, index=False
    )
    err = _run_failing(["evaluate", str(table_csv), str(other), "--quiet"], capsys)
    _assert_one_clear_line(err, "error")


def test_version_prints_the_package_version(capsys):
    import sksynth

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"sksynth {sksynth.__version__}"


# --------------------------------------------------------------------------
# Output paths are checked before any training or scoring; counts must be
# positive; a request too large for memory fails at once.
# --------------------------------------------------------------------------


@pytest.fixture
def must_not_fit(monkeypatch):
    """Record calls of the samplers' fit, which a bad command must never reach."""
    calls = []

    def fit(self, *args, **kwargs):
        calls.append(type(self).__name__)
        return self

    for sampler in (GANSampler, TimeGANSampler):
        monkeypatch.setattr(sampler, "fit", fit)
    return calls


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    frame = pd.DataFrame({"x": np.arange(40.0), "c": ["a", "b"] * 20})
    sampler = small_sampler(GANSampler)
    path = tmp_path_factory.mktemp("model") / "model.sksynth"
    sampler.fit(frame).save(path)
    return path


@pytest.mark.parametrize(
    ("output", "fragment"),
    [
        ("missing/model.sksynth", "does not exist"),
        ("folder", "is a folder"),
        ("file.txt/model.sksynth", "is a file"),
    ],
    ids=["missing-folder", "a-folder", "under-a-file"],
)
def test_fit_checks_its_output_before_training(
    tmp_path, table_csv, capsys, must_not_fit, output, fragment
):
    (tmp_path / "folder").mkdir()
    (tmp_path / "file.txt").write_text("not a folder")
    path = tmp_path / output
    err = _run_failing(
        ["fit", str(table_csv), "--model", "gan", "--epochs", "1", "-o", str(path)],
        capsys,
    )
    _assert_one_clear_line(err, "sksynth fit: error", str(path), fragment)
    assert must_not_fit == []


def test_fit_into_a_read_only_folder(
    tmp_path, series_csv, capsys, must_not_fit, monkeypatch
):
    # os.access stands in for chmod, which does not stop root.
    monkeypatch.setattr(os, "access", lambda *args, **kwargs: False)
    path = tmp_path / "model.sksynth"
    err = _run_failing(
        ["fit", str(series_csv), "--model", "timegan", "--seq-len", "4"]
        + ["-o", str(path)],
        capsys,
    )
    _assert_one_clear_line(err, str(path), "not writable")
    assert must_not_fit == []


def test_sample_checks_its_output_before_loading(tmp_path, model_file, capsys):
    (tmp_path / "file.txt").write_text("not a folder")
    out = tmp_path / "file.txt" / "synth.csv"
    err = _run_failing(["sample", str(model_file), "-n", "5", "-o", str(out)], capsys)
    _assert_one_clear_line(err, "sksynth sample: error", str(out), "is a file")


def test_sample_makes_missing_output_folders(tmp_path, model_file):
    out = tmp_path / "new" / "folder" / "synth.csv"
    main(["sample", str(model_file), "-n", "5", "-o", str(out)])
    assert len(pd.read_csv(out)) == 5


def test_sample_too_many_for_memory_fails_at_once(tmp_path, model_file, capsys):
    out = tmp_path / "synth.csv"
    start = time.perf_counter()
    err = _run_failing(
        ["sample", str(model_file), "-n", "100000000000000", "-o", str(out)], capsys
    )
    assert time.perf_counter() - start < 10
    _assert_one_clear_line(err, "n_samples=100000000000000", "GiB of memory")
    assert not out.exists()


def test_sample_a_damaged_model(tmp_path, model_file, capsys):
    damaged = tmp_path / "damaged.sksynth"
    data = bytearray(model_file.read_bytes())
    damaged.write_bytes(bytes(data[: len(data) // 2]))
    err = _run_failing(
        ["sample", str(damaged), "-n", "5", "-o", str(tmp_path / "x.csv")], capsys
    )
    _assert_one_clear_line(err, str(damaged), "truncated")


def test_sample_a_pickled_model(tmp_path, model_file, capsys):
    import pickle

    from sksynth import BaseSampler

    pickled = tmp_path / "model.pkl"
    pickled.write_bytes(pickle.dumps(BaseSampler.load(model_file)))
    err = _run_failing(
        ["sample", str(pickled), "-n", "5", "-o", str(tmp_path / "x.csv")], capsys
    )
    _assert_one_clear_line(err, str(pickled), "pickle", "not a sksynth model file")
    assert "weights_only" not in err


def test_evaluate_checks_its_report_folder_before_scoring(
    tmp_path, table_csv, capsys, monkeypatch
):
    import sksynth.evaluation

    monkeypatch.setattr(sksynth.evaluation, "discriminative_score", _must_not_run)
    report = tmp_path / "report"
    report.write_text("a file where the folder should go")
    err = _run_failing(
        ["evaluate", str(table_csv), str(table_csv), "--report", str(report)], capsys
    )
    _assert_one_clear_line(err, "sksynth evaluate: error", str(report), "is a file")


def test_demo_checks_its_output_folder_before_training(tmp_path, capsys, must_not_fit):
    output = tmp_path / "demo"
    output.write_text("a file where the folder should go")
    err = _run_failing(["demo", "--output-dir", str(output)], capsys)
    _assert_one_clear_line(err, "sksynth demo: error", str(output), "is a file")
    assert must_not_fit == []


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["demo", "--threads", "0"], "--threads"),
        (["demo", "--threads", "-2"], "--threads"),
        (["demo", "--n-iter", "0"], "--n-iter"),
        (["demo", "--n-iter-pretrain", "-1"], "--n-iter-pretrain"),
        (
            ["fit", "DATA.csv", "--model", "gan", "--threads", "0", "-o", "m"],
            "--threads",
        ),
        (["evaluate", "REAL.csv", "SYNTH.csv", "--threads", "0"], "--threads"),
        (["sample", "MODEL", "-n", "0", "-o", "out.csv"], "--n-samples"),
    ],
    ids=[
        "demo-threads-0",
        "demo-threads-negative",
        "demo-n-iter-0",
        "demo-n-iter-pretrain-negative",
        "fit-threads-0",
        "evaluate-threads-0",
        "sample-n-0",
    ],
)
def test_counts_must_be_positive(argv, option, capsys, must_not_fit):
    err = _run_failing(argv, capsys)
    _assert_one_clear_line(err, f"sksynth {argv[0]}: error", option, "positive")
    assert must_not_fit == []


def _must_not_run(*args, **kwargs):
    raise AssertionError("reached after a bad option should have stopped the command")


def test_sample_a_labelled_panel_writes_each_label_on_its_rows(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.random((12, 2, 5))
    y = np.array(["up", "down"] * 6)
    sampler = TimeGANSampler(
        seq_len=5,
        hidden_dim=4,
        n_iter=2,
        n_iter_pretrain=2,
        batch_size=6,
        device="cpu",
        random_state=0,
    ).fit(X, y)
    model = tmp_path / "panel.sksynth"
    sampler.save(model)
    out = tmp_path / "panel.csv"
    main(["sample", str(model), "-n", "4", "--seed", "0", "-o", str(out)])
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["instance", "timepoint", "x0", "x1", "y"]
    assert len(frame) == 4 * 5
    # One label per sequence, the same on each of its time points.
    per_instance = frame.groupby("instance")["y"].unique()
    assert all(len(labels) == 1 for labels in per_instance)
    _, expected = sampler.sample(4, random_state=0)
    assert per_instance.map(lambda labels: labels[0]).tolist() == list(expected)


# --------------------------------------------------------------------------
# CSV files are safe to open in a spreadsheet unless --raw-csv
# --------------------------------------------------------------------------

_FORMULAS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\r=y"]


def test_spreadsheet_safe_escapes_text_cells_only():
    from sksynth._cli import _spreadsheet_safe

    frame = pd.DataFrame(
        {
            "object": pd.Series([*_FORMULAS, "plain", None], dtype=object),
            "string": pd.Series([*_FORMULAS, "plain", None], dtype="string"),
            "category": pd.Series([*_FORMULAS, "plain", None], dtype="category"),
            "number": [-1.5, -2, 3, -4, 5, 6, -7, np.nan],
            "mixed": pd.Series([-1, "=x", 2.5, "-3", None, 1, 2, 3], dtype=object),
            "=name": np.arange(8),
        }
    )
    safe = _spreadsheet_safe(frame)
    escaped = ["'" + value for value in _FORMULAS]
    for name in ("object", "string", "category"):
        assert safe[name].tolist()[:7] == [*escaped, "plain"], name
        assert pd.isna(safe[name].iloc[7])
    pd.testing.assert_series_equal(safe["number"], frame["number"])
    assert safe["mixed"].tolist()[:4] == [-1, "'=x", 2.5, "'-3"]
    assert list(safe.columns)[-1] == "'=name"
    assert frame["object"].iloc[0] == _FORMULAS[0]  # the input is left as it was


@pytest.mark.parametrize("raw", [False, True], ids=["escaped", "raw"])
def test_sample_writes_spreadsheet_safe_csv_unless_raw(tmp_path, raw):
    frame = pd.DataFrame({"x": -np.arange(40.0), "c": ["=1+1", "@a"] * 20})
    model = tmp_path / "model.sksynth"
    small_sampler(GANSampler).fit(frame).save(model)
    out = tmp_path / "synth.csv"
    main(["sample", str(model), "-n", "30", "--seed", "0", "-o", str(out)]
         + (["--raw-csv"] if raw else []))  # fmt: skip
    written = pd.read_csv(out)
    expected = {"=1+1", "@a"} if raw else {"'=1+1", "'@a"}
    assert set(written["c"]) <= expected and len(set(written["c"])) == 2
    assert (written["x"] <= 0).all()  # negative numbers are numbers still
