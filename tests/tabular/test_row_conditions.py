"""GANSampler.sample(conditions=...): rows that meet what is asked, or an error."""

import numpy as np
import pandas as pd
import pytest
import torch

from sksynth import GANSampler
from sksynth._cli import main
from sksynth.tabular._row_conditions import conditions_from_text
from sksynth.utils.estimator_checks import _mixed_frame, small_sampler


@pytest.fixture(scope="module")
def loans():
    """A table with missing values, and classes that tie to one column.

    ``home`` is "rent" in every row of class "bad", and "bad" is 30 % of the
    rows; ``age`` misses 10 % of its values.
    """
    rng = np.random.default_rng(0)
    n = 1_000
    y = np.where(rng.random(n) < 0.3, "bad", "good")
    home = np.where(
        y == "bad",
        "rent",
        rng.choice(["rent", "own", "mortgage"], n, p=[0.2, 0.5, 0.3]),
    )
    frame = pd.DataFrame(
        {
            "home": home,
            "job": rng.choice(list("abcde"), n, p=[0.4, 0.1, 0.2, 0.2, 0.1]),
            "age": rng.integers(18, 80, n).astype(float),
            "income": rng.lognormal(10.0, 0.5, n),
        }
    )
    frame.loc[rng.random(n) < 0.1, "age"] = np.nan
    return frame, y


@pytest.fixture(scope="module")
def fitted(loans):
    X, y = loans
    return small_sampler(GANSampler, epochs=2).fit(X, y)


def test_every_row_meets_two_categorical_conditions_and_a_numeric_range(fitted):
    conditions = {
        "home": ["own", "mortgage"],
        "job": "c",
        "age": pd.Interval(25, 30, closed="both"),
    }
    X, y = fitted.sample(3_000, conditions=conditions, random_state=0)
    assert len(X) == len(y) == 3_000
    assert X["home"].isin(["own", "mortgage"]).all()
    assert (X["job"] == "c").all()
    assert X["age"].between(25, 30).all()
    # No training row of class "bad" owns its home: no such label comes out.
    assert set(y) == {"good"}


def test_a_held_column_keeps_the_training_frequencies_of_its_values(loans, fitted):
    X, _ = fitted.sample(4_000, conditions={"job": ["a", "b"]}, random_state=0)
    real = loans[0]["job"][loans[0]["job"].isin(["a", "b"])]
    # Binomial noise of a share near 0.8 on 4,000 rows: 0.6 points.
    gap = X["job"].value_counts(normalize=True) - real.value_counts(normalize=True)
    assert gap.abs().max() < 0.03, gap


def test_labels_asked_for_are_kept_row_by_row(fitted):
    y = np.array(["good", "bad"] * 50)
    X, labels = fitted.sample(100, y=y, conditions={"home": "rent"}, random_state=0)
    np.testing.assert_array_equal(labels, y)
    assert (X["home"] == "rent").all()


def test_a_class_no_training_row_of_which_meets_the_conditions_is_refused(fitted):
    with pytest.raises(ValueError, match="No training row of the class"):
        fitted.sample(10, y="bad", conditions={"home": "own"})


def test_missing_values_can_be_asked_for_and_ruled_out(fitted):
    X, _ = fitted.sample(500, conditions={"age": np.nan}, random_state=0)
    assert X["age"].isna().all()
    X, _ = fitted.sample(500, conditions={"age": pd.Interval(18, 80)}, random_state=0)
    assert X["age"].notna().all()


def test_a_condition_frame_gives_each_row_its_own_values(fitted):
    wanted = pd.DataFrame(
        {"home": ["own", None, "rent", "own"], "age": [30.0, 41.0, np.nan, 62.0]}
    )
    X, _ = fitted.sample(4, conditions=wanted, random_state=0)
    assert X["home"].tolist()[::2] == ["own", "rent"] and X["home"][3] == "own"
    assert X["age"][[0, 1, 3]].tolist() == [30.0, 41.0, 62.0]
    with pytest.raises(ValueError, match="one row per generated row"):
        fitted.sample(5, conditions=wanted)


def test_conditions_are_reproducible_and_leave_global_state_alone(fitted):
    conditions = {"job": "b", "age": pd.Interval(30, 60)}
    state = torch.get_rng_state()
    first = fitted.sample(200, conditions=conditions, random_state=3)
    second = fitted.sample(200, conditions=conditions, random_state=3)
    pd.testing.assert_frame_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert torch.equal(state, torch.get_rng_state())


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        ({"home": "castle"}, "never holds in the training data"),
        ({"nope": 1}, "did not have"),
        ({"age": pd.Interval(100, 200)}, "holds no value"),
        ({"age": 150}, "never holds in the training data"),
        ({"age": "old"}, "must hold numbers"),
        ({"home": pd.Interval(1, 2)}, "is categorical"),
        ({"job": []}, "lists no value"),
        ({"job": None}, "has none in the training data"),
        ({"job": {"a": 1}}, "must be a value"),
        ({"age": (25, 30)}, "is a tuple"),
        ("job=a", "must be a dict"),
    ],
)
def test_a_condition_the_data_never_meets_is_refused_at_once(
    fitted, conditions, message, monkeypatch
):
    # Refused before any row is generated.
    monkeypatch.setattr(fitted, "_generate", None)
    with pytest.raises(ValueError, match=message):
        fitted.sample(10, conditions=conditions)


def test_too_rare_a_condition_is_an_error_not_fewer_rows(loans, fitted):
    # A value income takes in the training data, which generated incomes miss.
    value = float(loans[0]["income"].iloc[0])
    with pytest.raises(ValueError, match="Only 0 of the 2,000 rows generated"):
        fitted.sample(2, conditions={"income": value}, random_state=0)
    # Asked for many rows, the search stops once the rate met is known.
    with pytest.raises(ValueError, match="Only 0 of the 1[0-9][0-9],[0-9]{3} rows"):
        fitted.sample(10_000, conditions={"income": value}, random_state=0)


@pytest.mark.parametrize("missing_patterns", ["observed", "learned"])
def test_every_column_kind_takes_conditions(missing_patterns):
    frame = _mixed_frame(n=300)
    sampler = small_sampler(GANSampler, missing_patterns=missing_patterns)
    sampler.fit(frame)
    # Met by 6 of the 300 training rows: every kind of column at once is a
    # rare row.
    conditions = {
        "colour": ["green", "red"],
        "city": [None, "Lima", "Pune"],
        "word": "y",
        "obj": ["q", "r"],
        "int": pd.Interval(30, 80),
        "nullable_int": [1, 2, 3],
        "nullable_flag": True,
        "flag": False,
    }
    X = sampler.sample(300, conditions=conditions, random_state=0)
    assert len(X) == 300
    assert X["colour"].isin(["green", "red"]).all()
    assert (X["city"].isna() | X["city"].isin(["Lima", "Pune"])).all()
    assert (X["word"] == "y").all() and X["obj"].isin(["q", "r"]).all()
    assert X["int"].between(30, 80, inclusive="right").all()
    assert X["nullable_int"].isin([1, 2, 3]).all()
    assert X["nullable_flag"].eq(True).all() and (~X["flag"]).all()
    assert X.dtypes.equals(frame.dtypes)


def test_an_ndarray_sampler_takes_conditions_by_position():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=300), rng.integers(0, 3, 300)])
    sampler = small_sampler(GANSampler).fit(X)
    rows = sampler.sample(50, conditions={1: 2.0, 0: pd.Interval(0, np.inf)})
    assert (rows[:, 1] == 2).all() and (rows[:, 0] > 0).all()
    with pytest.raises(ValueError, match="positions 0 to 1"):
        sampler.sample(5, conditions={"a": 1})


def test_command_line_conditions_read_as_the_columns_hold_them(fitted):
    conditions = conditions_from_text(
        fitted.encoder_, ["job=a", "job=b", "age=25..", "income=..5e4", "home=own"]
    )
    assert conditions == {
        "job": ["a", "b"],
        "age": pd.Interval(25.0, np.inf, closed="both"),
        "income": pd.Interval(-np.inf, 5e4, closed="both"),
        "home": "own",
    }
    for text, message in [("age", "COLUMN=VALUE"), ("age=old", "needs a number")]:
        with pytest.raises(ValueError, match=message):
            conditions_from_text(fitted.encoder_, [text])


def test_sample_command_writes_only_rows_that_meet_where(
    loans, fitted, tmp_path, capsys
):
    model, out = tmp_path / "model.sksynth", tmp_path / "rows.csv"
    fitted.save(model)
    argv = ["sample", str(model), "-n", "300", "-o", str(out), "--seed", "0"]
    main([*argv, "--where", "home=own", "--where", "age=20..30"])
    rows = pd.read_csv(out)
    assert len(rows) == 300 and (rows["home"] == "own").all()
    assert rows["age"].between(20, 30).all()
    with pytest.raises(SystemExit):
        main([*argv, "--where", "home=castle"])
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1].startswith("sksynth sample: error:")
    assert "castle" in err
