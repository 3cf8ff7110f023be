"""column_report: what gives synthetic rows away, column by column."""

import numpy as np
import pandas as pd
import pytest

from sksynth.evaluation import ColumnReport, column_report, distribution_gap


@pytest.fixture(scope="module")
def real():
    rng = np.random.default_rng(0)
    n = 1500
    a = rng.normal(size=n)
    return pd.DataFrame(
        {
            "a": a,
            "b": a + 0.1 * rng.normal(size=n),  # b follows a closely
            "c": rng.choice(["x", "y", "z"], size=n, p=[0.6, 0.3, 0.1]),
            "d": np.where(rng.random(n) < 0.2, np.nan, rng.normal(size=n)),
        }
    )


def test_a_shifted_column_tops_the_report(real):
    rng = np.random.default_rng(1)
    synth = real.sample(frac=1, random_state=1, ignore_index=True)
    synth["d"] = np.where(synth["d"].isna(), np.nan, rng.normal(2.0, 1.0, len(synth)))
    report = column_report(real, synth, random_state=0)
    assert isinstance(report, ColumnReport)
    assert report.columns.index[0] == "d"
    assert report.columns["marginal_distance"].idxmax() == "d"
    assert report.columns.loc["d", "marginal_distance"] > 0.5
    assert report.detector_auc > 0.8
    assert "detector_auc" in repr(report)


def test_a_broken_association_shows_in_the_pairs_not_the_marginals(real):
    synth = real.copy()
    synth["b"] = real["b"].sample(frac=1, random_state=2).to_numpy()
    report = column_report(real, synth, random_state=0)
    top = report.pairs.iloc[0]
    assert {top.column_a, top.column_b} == {"a", "b"}
    assert top.association_real > 0.5 and top.association_synth < 0.2
    # Shuffling keeps every marginal exactly.
    np.testing.assert_allclose(report.columns["marginal_distance"], 0.0, atol=1e-12)
    gaps = report.columns["association_gap"]
    assert gaps[["a", "b"]].min() > gaps[["c", "d"]].max()


def test_total_variation_and_missing_rates(real):
    synth = real.copy()
    synth["c"] = np.where(real["c"] == "x", "z", real["c"])  # 60 % x become z
    synth.loc[: len(synth) // 2, "a"] = np.nan
    report = column_report(real, synth, random_state=0).columns
    assert report.loc["c", "kind"] == "categorical"
    assert report.loc["c", "marginal_distance"] == pytest.approx(
        (real["c"] == "x").mean()
    )
    assert report.loc["d", "missing_real"] == pytest.approx(real["d"].isna().mean())
    assert report.loc["a", "missing_synth"] == pytest.approx(0.5, abs=0.01)
    assert report.loc["a", "missing_real"] == 0


@pytest.mark.parametrize(
    "params, match",
    [({"test_size": 1.5}, "test_size"), ({"n_repeats": 0}, "n_repeats")],
)
def test_bad_parameters_raise_clear_errors(real, params, match):
    with pytest.raises(ValueError, match=match):
        column_report(real, real, **params)


def test_mismatched_columns_are_a_clear_error(real):
    with pytest.raises(ValueError, match="same columns"):
        column_report(real, real.rename(columns={"a": "e"}))


def test_distribution_gap_is_zero_for_the_same_table_and_grows_with_shifts():
    rng = np.random.default_rng(0)
    real = pd.DataFrame(
        {"x": rng.normal(size=500), "c": rng.choice(["a", "b", "c"], 500)}
    )
    assert distribution_gap(real, real) == 0.0
    near = real.assign(x=real["x"] + 0.2)
    far = real.assign(x=real["x"] + 2.0, c="a")
    assert 0 < distribution_gap(real, near) < distribution_gap(real, far) <= 2
    # One column: the marginal distance alone.
    assert distribution_gap(real[["c"]], far[["c"]]) == pytest.approx(
        1 - (real["c"] == "a").mean()
    )
    with pytest.raises(ValueError, match="same columns"):
        distribution_gap(real, real.rename(columns={"x": "y"}))
