"""GANSampler(missing_patterns="observed"): missing values as the data has them."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from sksynth import GANSampler
from sksynth.tabular._layout import OutputLayout
from sksynth.utils.estimator_checks import _mixed_frame, small_sampler


def _pattern_shares(frame):
    """Share of rows per combination of missing columns."""
    return frame.isna().value_counts(normalize=True)


@pytest.fixture(scope="module")
def mixed():
    return _mixed_frame(n=400)


def test_missing_rates_and_patterns_match_the_training_rows(mixed):
    sampler = small_sampler(GANSampler, missing_patterns="observed").fit(mixed)
    synth = sampler.sample(20_000, random_state=0)
    # Binomial noise of a share near 0.3 on 20,000 rows: 0.3 points.
    gaps = (synth.isna().mean() - mixed.isna().mean()).abs()
    assert gaps.max() < 0.01, gaps
    real, fake = _pattern_shares(mixed), _pattern_shares(synth)
    assert set(fake.index) <= set(real.index)
    assert (fake - real).abs().max() < 0.01
    # The categories keep their frequencies beside the patterns.
    for column in ["colour", "city"]:
        share = synth[column].value_counts(normalize=True)
        gap = share.sub(mixed[column].value_counts(normalize=True), fill_value=0)
        assert gap.abs().max() < 0.1, (column, gap)


def test_a_learned_generator_misses_the_rates_that_observed_patterns_keep(mixed):
    """The same tiny training; only the patterns tell the two apart."""
    gaps = {}
    for option in ["learned", "observed"]:
        sampler = small_sampler(GANSampler, missing_patterns=option).fit(mixed)
        synth = sampler.sample(20_000, random_state=0)
        gaps[option] = (synth.isna().mean() - mixed.isna().mean()).abs().max()
    assert gaps["learned"] > 0.05 > 0.01 > gaps["observed"], gaps


def test_patterns_are_drawn_per_class():
    rng = np.random.default_rng(0)
    n = 600
    y = rng.integers(0, 2, n)
    frame = pd.DataFrame(
        {"a": rng.normal(size=n), "b": rng.choice(["u", "v"], n).astype(object)}
    )
    # Class 1 misses "a" in 60 % of its rows, class 0 in 5 %.
    frame.loc[rng.random(n) < np.where(y == 1, 0.6, 0.05), "a"] = np.nan
    frame.loc[rng.random(n) < 0.2, "b"] = None
    sampler = small_sampler(GANSampler, missing_patterns="observed").fit(frame, y)
    for label in (0, 1):
        synth, labels = sampler.sample(10_000, y=label, random_state=0)
        assert (labels == label).all()
        real = frame[y == label].isna().mean()
        assert (synth.isna().mean() - real).abs().max() < 0.015, label


def test_a_table_without_missing_values_trains_the_same_model(mixed):
    complete = mixed.dropna()
    samples = [
        small_sampler(GANSampler, missing_patterns=option)
        .fit(complete)
        .sample(50, random_state=0)
        for option in ("learned", "observed")
    ]
    pd.testing.assert_frame_equal(*samples)


def test_too_many_patterns_are_refused_and_leave_nothing_fitted():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 12))
    X[rng.random(X.shape) < 0.5] = np.nan  # about 3,000 distinct patterns
    sampler = small_sampler(GANSampler, missing_patterns="observed")
    with pytest.raises(ValueError, match="missing_patterns='learned'"):
        sampler.fit(X)
    with pytest.raises(NotFittedError):
        check_is_fitted(sampler)


def test_auto_keeps_the_observed_patterns_up_to_the_limit_then_learns_them(mixed):
    def sample(option, X):
        return (
            small_sampler(GANSampler, missing_patterns=option)
            .fit(X)
            .sample(50, random_state=0)
        )

    pd.testing.assert_frame_equal(sample("auto", mixed), sample("observed", mixed))
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 12))
    X[rng.random(X.shape) < 0.5] = np.nan  # about 3,000 distinct patterns
    np.testing.assert_array_equal(sample("auto", X), sample("learned", X))


def test_saved_sampler_keeps_its_patterns(mixed, tmp_path):
    sampler = small_sampler(GANSampler, missing_patterns="observed").fit(mixed)
    sampler.save(tmp_path / "model.sksynth")
    loaded = GANSampler.load(tmp_path / "model.sksynth")
    pd.testing.assert_frame_equal(
        loaded.sample(200, random_state=3), sampler.sample(200, random_state=3)
    )


def test_activations_keep_to_each_rows_pattern(mixed):
    encoder = small_sampler(GANSampler).fit(mixed).encoder_
    layout = encoder.layout()
    output = OutputLayout(layout, encoder.n_encoded, "cpu")
    n_rows = 500
    generator = torch.Generator().manual_seed(0)
    raw = 5 * torch.randn(n_rows, encoder.n_encoded, generator=generator)
    missing = torch.rand(n_rows, output.n_missing, generator=generator) < 0.5

    scalars, codes = output.decode(raw, torch.rand(n_rows, len(layout.spans)), missing)
    held = codes[:, output.missing_spans] == output.missing_slots
    assert torch.equal(held, missing)

    values, log_probs = output.activate(raw, generator, missing)
    slots = torch.stack(
        [
            values[:, start : start + size].argmax(1)
            for start, size in _network_spans(output, layout)
        ],
        dim=1,
    )
    assert torch.equal(output.missing_of(slots), missing)
    assert torch.isfinite(log_probs.exp().sum(1)).all()
    numeric = [s for s in layout.missing_scalars if s >= 0]
    owners = [j for j, s in enumerate(layout.missing_scalars) if s >= 0]
    assert (values[:, numeric][missing[:, owners]] == 0).all()
    assert (scalars[:, numeric][missing[:, owners]] == 0).all()


def _network_spans(output, layout):
    """(start, size) in network order of every span, in the encoder's order."""
    starts = output.span_starts.tolist()
    return [
        (start, size) for start, (_, size) in zip(starts, layout.spans, strict=True)
    ]
