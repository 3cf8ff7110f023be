import numpy as np
import pandas as pd
import pytest

from sksynth.datasets import make_sines
from sksynth.evaluation import (
    sequence_detection_score,
    sequence_feature_report,
    sequence_features,
)


@pytest.fixture(scope="module")
def sines():
    return make_sines(600, seq_len=24, n_channels=3, random_state=0)


@pytest.mark.parametrize("features", ["summary", "raw"])
def test_real_against_real_reads_as_chance(sines, features):
    result = sequence_detection_score(
        sines[:300], sines[300:], features=features, random_state=0
    )
    assert abs(result.auc - 0.5) < 0.1, result
    assert abs(result.baseline_auc - 0.5) < 0.1, result


@pytest.mark.parametrize("features", ["summary", "raw"])
def test_noise_of_one_percent_of_the_range_is_picked_out(sines, features):
    span = sines.max() - sines.min()
    noisy = sines + np.random.default_rng(1).normal(0, 0.01 * span, sines.shape)
    result = sequence_detection_score(sines, noisy, features=features, random_state=0)
    assert result.auc > 0.9, result
    assert result.excess > 0.35, result


def test_summary_features_read_repeats_steps_and_correlations():
    # One sequence: channel 0 holds each value for two steps, channel 1 is
    # channel 0 doubled.
    held = np.repeat([0.0, 1.0, 3.0], 2)
    X3 = np.stack([held, 2 * held])[None]
    features = sequence_features(X3).reshape(-1)
    level, spread, span, step, repeated, lag1, drift = features[:7]
    assert level == pytest.approx(4 / 3) and span == 3.0 and drift == 3.0
    assert step == pytest.approx(3 / 5) and repeated == pytest.approx(3 / 5)
    assert spread == pytest.approx(held.std()) and -1 <= lag1 <= 1
    assert features[7 + 1] == pytest.approx(2 * spread)  # channel 1's spread
    assert features[-1] == pytest.approx(1.0)  # the one pair's correlation


def test_sequences_of_unequal_lengths_are_read_to_their_own_length(sines):
    lengths = np.tile([12, 24], 300)
    cut = [pd.Series(s[0, :n]) for s, n in zip(sines, lengths, strict=True)]
    first, second = (pd.DataFrame({"dim_0": part}) for part in (cut[:300], cut[300:]))
    result = sequence_detection_score(first, second, random_state=0)
    assert abs(result.auc - 0.5) < 0.1, result
    with pytest.raises(ValueError, match="features='raw' needs sequences of one"):
        sequence_detection_score(first, second, features="raw")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"features": "flat"}, "features must be 'summary' or 'raw'"),
        ({"n_splits": 1}, "n_splits must be at least 2"),
        ({"max_sequences": 0}, "max_sequences"),
    ],
)
def test_bad_settings_are_refused(sines, kwargs, match):
    with pytest.raises(ValueError, match=match):
        sequence_detection_score(sines, sines, **kwargs)


def test_too_few_sequences_are_refused(sines):
    with pytest.raises(ValueError, match="needs at least 10 real and 5 synthetic"):
        sequence_detection_score(sines[:6], sines[:6])


def test_the_feature_report_names_what_gives_samples_away():
    rng = np.random.default_rng(0)
    # Two channels: a sensor holding each reading for three steps, and a
    # smooth signal; the sample jitters the sensor and doubles the signal's steps.
    held = np.repeat(np.round(rng.normal(size=(400, 1, 8)), 1), 3, axis=2)
    smooth = np.cumsum(rng.normal(0, 0.1, (400, 1, 24)), axis=2)
    real = np.concatenate([held, smooth], axis=1)
    synth = np.concatenate([held + rng.normal(0, 0.01, held.shape), 2 * smooth], axis=1)
    report = sequence_feature_report(real, synth, random_state=0)
    assert len(report) == 2 * 7 + 1
    top = report.iloc[0]
    assert (top["feature"], top["channel"]) == ("repeated share", 0)
    assert top["auc"] == 1.0 and top["real_mean"] > 0.6 > 0.0 == top["synth_mean"]
    steps = report.set_index(["feature", "channel"]).loc[("step size", 1)]
    assert steps["auc"] > 0.9
    assert steps["synth_mean"] == pytest.approx(2 * steps["real_mean"])
    alike = sequence_feature_report(real[:200], real[200:], random_state=0)
    assert alike["auc"].max() < 0.7
