"""GANSampler(marginals="matched"): generated numbers mapped onto the data's."""

import json

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp

from sksynth import GANSampler
from sksynth.tabular._curves import quantile_map
from sksynth.tabular._encoder import TabularEncoder


def _frame(n=600, seed=0):
    """A skewed column with a point mass at zero, a bimodal one and a category."""
    rng = np.random.default_rng(seed)
    kind = rng.choice(["a", "b"], n)
    spend = np.where(rng.random(n) < 0.4, 0.0, rng.lognormal(3, 0.8, n)).round(2)
    score = np.where(kind == "a", rng.normal(-2, 0.5, n), rng.normal(3, 1.0, n))
    return pd.DataFrame({"kind": kind, "spend": spend, "score": score.round(3)})


def _fit(marginals, frame):
    # Two epochs: the generator is far from the data, the map is not.
    return GANSampler(
        epochs=2,
        min_steps=0,
        batch_size=100,
        marginals=marginals,
        device="cpu",
        random_state=0,
    ).fit(frame)


def _nonzero(values):
    return values[values != 0]


def test_matched_marginals_follow_the_data_where_the_generator_does_not():
    frame = _frame()
    learned = _fit("learned", frame).sample(3000, random_state=1)
    matched = _fit("matched", frame).sample(3000, random_state=1)
    # The point mass at zero is the generator's to draw; the values beside
    # it are mapped.
    for column in ("score", "spend"):
        real = _nonzero(frame[column])
        far = ks_2samp(real, _nonzero(learned[column])).statistic
        near = ks_2samp(real, _nonzero(matched[column])).statistic
        assert far > 0.12, (column, far)
        assert near < 0.05, (column, near)


def test_matching_keeps_exact_values_and_the_rows_order_within_a_column():
    frame = _frame()
    learned = _fit("learned", frame)
    matched = _fit("matched", frame)
    a = learned.sample(2000, random_state=3)
    b = matched.sample(2000, random_state=3)
    # The same networks and draws: only the mapped values differ.
    pd.testing.assert_series_equal(a["kind"], b["kind"])
    zero = a["spend"] == 0
    assert zero.any()
    assert (b["spend"][zero] == 0).all() and (b["spend"][~zero] != 0).all()
    # A rising map keeps the order of the values it maps.
    order_a = a["score"].rank(method="first").to_numpy()
    order_b = b["score"].rank(method="average").to_numpy()
    assert np.corrcoef(order_a, order_b)[0, 1] > 0.999
    spend_map = matched.encoder_.columns[1].marginal_map
    assert spend_map is not None and learned.encoder_.columns[1].marginal_map is None
    assert matched.encoder_.columns[0].kind == "categorical"


def test_matched_sampler_saves_and_loads_its_maps(tmp_path):
    sampler = _fit("matched", _frame())
    path = tmp_path / "model.skops"
    sampler.save(path)
    loaded = GANSampler.load(path)
    pd.testing.assert_frame_equal(
        sampler.sample(500, random_state=0), loaded.sample(500, random_state=0)
    )


def test_quantile_map_sends_quantiles_onto_quantiles_and_averages_ties():
    source = np.r_[np.zeros(500), np.linspace(1, 2, 500)]
    target = np.linspace(10, 20, 1000)
    knots = np.asarray(quantile_map(source, target))
    assert (np.diff(knots[:, 0]) > 0).all() and (np.diff(knots[:, 1]) >= 0).all()
    # Half the source quantiles tie at 0: they go to the mean of the target's
    # lower half.
    assert knots[0, 0] == 0 and knots[0, 1] == pytest.approx(12.5, abs=0.02)
    assert knots[-1].tolist() == [2.0, 20.0]
    assert quantile_map(np.ones(50), target) is None
    assert quantile_map(np.ones(1), target) is None


def _matched_state():
    frame = _frame()
    encoder = TabularEncoder(
        np.array([True, False, False]), random_state=0, exact_values=True
    )
    encoder.fit_transform(frame)
    encoder.columns[2].marginal_map = quantile_map(
        np.linspace(-1, 1, 100), frame["score"].to_numpy()
    )
    return json.loads(json.dumps(encoder.to_dict()))


@pytest.mark.parametrize(
    "knots",
    [
        [[0.0, 1.0], [1.0, 0.0]],
        [[0.0, 0.0]],
        [[1.0, 0.0], [0.0, 1.0]],
        [[0.0, 0.0], [1.0, float("inf")]],
        "map",
    ],
    ids=["falling", "one knot", "unsorted", "infinite", "not a list"],
)
def test_a_malformed_marginal_map_is_refused(knots):
    state = _matched_state()
    TabularEncoder.from_dict(state)
    state["columns"][2]["marginal_map"] = knots
    with pytest.raises(ValueError, match="column 2's marginal map is malformed"):
        TabularEncoder.from_dict(state)


def test_a_marginal_map_on_a_column_without_modes_is_refused():
    state = _matched_state()
    column = state["columns"][2]
    column.update(means=[], stds=[], log_weights=[], values=[0.0, 1.0])
    column["marginal_map"] = [[0.0, 0.0], [1.0, 1.0]]
    with pytest.raises(ValueError, match="column 2's marginal map is malformed"):
        TabularEncoder.from_dict(state)


def test_auto_maps_onto_the_training_values():
    frame = _frame(200)
    plain = GANSampler(epochs=1, device="cpu", random_state=0).fit(frame)
    assert plain.marginals == "auto"
    knots = np.asarray(plain.encoder_.columns[2].marginal_map)
    assert knots[-1, 1] == frame["score"].max()
    assert knots[0, 1] == frame["score"].min()
