"""TimeGANSampler with per-sequence attributes: y as a DataFrame."""

import numpy as np
import pandas as pd
import pytest
import torch

from sksynth import BaseSampler, TimeGANSampler
from sksynth.datasets import make_sines
from sksynth.timeseries._attributes import SequenceAttributes
from sksynth.utils.estimator_checks import small_sampler


@pytest.fixture(scope="module")
def panel():
    """Sines shifted up by one in group "hi"; visits rise with the group."""
    rng = np.random.default_rng(0)
    n = 200
    X = make_sines(n, seq_len=8, n_channels=2, random_state=0)
    group = rng.choice(["hi", "lo"], n)
    X[group == "hi"] += 1.0
    age = rng.normal(50, 10, n)
    age[rng.random(n) < 0.1] = np.nan
    attributes = pd.DataFrame(
        {
            "group": pd.Categorical(group),
            "age": age,
            "visits": (rng.integers(1, 9, n) + 3 * (group == "hi")).astype("int64"),
        }
    )
    return X, attributes


@pytest.fixture(scope="module")
def fitted(panel):
    X, attributes = panel
    sampler = small_sampler(
        TimeGANSampler,
        latent="sequence",
        seq_len=8,
        hidden_dim=16,
        n_iter=150,
        n_iter_pretrain=150,
        batch_size=64,
    )
    return sampler.fit(X, attributes)


def test_sampling_draws_attributes_with_the_sequences(panel, fitted):
    X, attributes = panel
    synthetic, drawn = fitted.sample(2_000, random_state=0)
    assert synthetic.shape == (2_000, 2, 8)
    assert drawn.dtypes.equals(attributes.dtypes)
    assert set(drawn["group"]) == {"hi", "lo"}
    # The copula keeps each attribute's distribution and their dependence.
    assert abs(drawn["age"].isna().mean() - attributes["age"].isna().mean()) < 0.03
    assert abs(drawn["age"].mean() - attributes["age"].mean()) < 1.5
    by_group = drawn.groupby("group", observed=True)["visits"].mean()
    assert by_group["hi"] - by_group["lo"] > 1.0
    # The sequences follow their drawn group: "hi" ones sit higher.
    hi = (drawn["group"] == "hi").to_numpy()
    assert synthetic[hi].mean() - synthetic[~hi].mean() > 0.6


def test_sampling_given_attributes_returns_exactly_them(fitted):
    given = pd.DataFrame(
        {
            "group": pd.Categorical(["hi"] * 50 + ["lo"] * 50),
            "age": [40.0] * 99 + [np.nan],
            "visits": np.full(100, 3, dtype="int64"),
        }
    )
    synthetic, attributes = fitted.sample(100, y=given, random_state=0)
    pd.testing.assert_frame_equal(attributes, given)
    assert synthetic[:50].mean() - synthetic[50:].mean() > 0.6


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda y: y.assign(group="mid"), "not seen in fit"),
        (lambda y: y.drop(columns="age"), "must hold the attributes"),
        (lambda y: y.iloc[:3], "must hold the attributes"),
        (lambda y: y.assign(visits=np.nan), "never missing in fit"),
        (lambda y: y["group"], "must be a DataFrame of attributes"),
    ],
)
def test_bad_given_attributes_are_clear_errors(panel, fitted, change, match):
    given = panel[1].iloc[:5].reset_index(drop=True)
    with pytest.raises(ValueError, match=match):
        fitted.sample(5, y=change(given))


@pytest.mark.parametrize(
    ("make_y", "match"),
    [
        (lambda y: y.iloc[:10], "X has 200 sequences, y has 10 rows"),
        (lambda y: y.assign(age=np.nan), "holds no value"),
        (lambda y: y.assign(when=pd.Timestamp("2020-01-01")), "has dtype datetime"),
    ],
)
def test_bad_attributes_in_fit_are_clear_errors(panel, make_y, match):
    X, attributes = panel
    with pytest.raises(ValueError, match=match):
        small_sampler(TimeGANSampler, seq_len=8).fit(X, make_y(attributes))


def test_attributes_need_a_panel():
    series = np.sin(np.arange(60.0))[:, None]
    with pytest.raises(ValueError, match="is one long series"):
        small_sampler(TimeGANSampler, seq_len=6).fit(
            series, pd.DataFrame({"a": range(60)})
        )


def test_attributes_survive_a_save_and_crafted_ones_are_refused(fitted, tmp_path):
    path = tmp_path / "model.sksynth"
    fitted.save(path)
    loaded = BaseSampler.load(path)
    X1, a1 = fitted.sample(20, random_state=1)
    X2, a2 = loaded.sample(20, random_state=1)
    np.testing.assert_array_equal(X1, X2)
    pd.testing.assert_frame_equal(a1, a2)
    state = fitted.attributes_.to_dict()
    crafted = [
        {**state, "correlation": np.full((3, 3), 2.0).tolist()},
        {**state, "columns": [{**state["columns"][1], "quantiles": [1.0, 0.0]}]},
        {**state, "columns": state["columns"][:2]},
    ]
    for bad in crafted:
        with pytest.raises(ValueError, match="attributes_"):
            SequenceAttributes.from_dict(bad)


def test_copula_draws_keep_a_correlation_and_leave_global_state_alone():
    rng = np.random.default_rng(0)
    a = rng.normal(size=2_000)
    frame = pd.DataFrame({"a": a, "b": a + 0.5 * rng.normal(size=2_000)})
    attributes = SequenceAttributes.fit(frame, np.random.default_rng(0))
    state = torch.get_rng_state()
    drawn = attributes.draw(5_000, torch.Generator().manual_seed(0))
    assert torch.equal(state, torch.get_rng_state())
    real = frame.corr().iloc[0, 1]
    assert abs(drawn.corr().iloc[0, 1] - real) < 0.03
    assert drawn["a"].between(a.min(), a.max()).all()
