import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone

from sksynth import BaseSampler, GANSampler
from sksynth.tabular import _gan as gan_module
from sksynth.tabular._early_stopping import EarlyStopping
from sksynth.tabular._encoded_columns import Layout, Span
from sksynth.utils.estimator_checks import (
    _mixed_frame,
    assert_same_samples,
    small_sampler,
)


@pytest.fixture(scope="module")
def mixed():
    return _mixed_frame()


@pytest.fixture(scope="module")
def fitted_mixed(mixed):
    return small_sampler(GANSampler, epochs=20).fit(mixed)


def test_dtypes_and_categories_round_trip(mixed, fitted_mixed):
    synth = fitted_mixed.sample(400, random_state=0)
    assert isinstance(synth, pd.DataFrame)
    assert list(synth.columns) == list(mixed.columns)
    pd.testing.assert_series_equal(synth.dtypes, mixed.dtypes)
    assert synth["colour"].cat.categories.tolist() == ["red", "green", "blue", "violet"]
    assert set(synth["colour"].dropna()) <= {"red", "green", "blue"}
    assert set(synth["city"].dropna()) <= {"Oslo", "Lima", "Pune"}
    assert set(synth["obj"].dropna()) <= {"p", "q", "r"}
    assert synth["flag"].dtype == bool
    # Integers stay integral and inside the training range.
    assert synth["int"].between(mixed["int"].min(), mixed["int"].max()).all()
    assert (
        synth["float"]
        .dropna()
        .between(mixed["float"].min(), mixed["float"].max())
        .all()
    )


def test_missing_rates_are_reproduced(mixed):
    sampler = small_sampler(
        GANSampler,
        epochs=150,
        batch_size=40,
        generator_dim=(32,),
        discriminator_dim=(32,),
        learning_rate=1e-3,
    ).fit(mixed)
    synth = sampler.sample(2000, random_state=0)
    gaps = []
    for column in ["float", "nullable_int", "nullable_flag", "city", "obj"]:
        real, fake = mixed[column].isna().mean(), synth[column].isna().mean()
        assert abs(real - fake) < 0.15, (column, real, fake)
        gaps.append(abs(real - fake))
    assert np.mean(gaps) < 0.08, gaps
    for column in ["int", "flag", "colour", "word"]:
        assert not synth[column].isna().any(), column


def test_object_missing_value_kind_is_kept(fitted_mixed):
    synth = fitted_mixed.sample(300, random_state=1)
    missing = synth["obj"][synth["obj"].isna()]
    assert len(missing) and all(value is None for value in missing)


def test_ndarray_in_ndarray_out():
    rng = np.random.default_rng(0)
    X32 = rng.normal(size=(50, 2)).astype(np.float32)
    out = small_sampler(GANSampler).fit(X32).sample(5, random_state=0)
    assert isinstance(out, np.ndarray) and out.dtype == np.float32
    Xint = rng.integers(0, 10, size=(50, 2))
    out = small_sampler(GANSampler).fit(Xint).sample(5, random_state=0)
    assert out.dtype == Xint.dtype
    Xobj = np.array([[f"c{i % 3}", float(i)] for i in range(50)], dtype=object)
    out = small_sampler(GANSampler).fit(Xobj).sample(30, random_state=0)
    assert out.dtype == object and set(out[:, 0]) <= {"c0", "c1", "c2"}
    assert all(isinstance(v, float) for v in out[:, 1])


def test_categorical_features_override():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"code": rng.choice([3, 7, 11], 80), "x": rng.normal(size=80)})
    for spec in (["code"], [0], [True, False]):
        sampler = small_sampler(GANSampler, categorical_features=spec).fit(frame)
        synth = sampler.sample(200, random_state=0)
        assert set(synth["code"]) <= {3, 7, 11}
        assert synth["code"].dtype == frame["code"].dtype
    with pytest.raises(ValueError, match="categorical_features"):
        small_sampler(GANSampler, categorical_features=["nope"]).fit(frame)


def test_conditional_sampling_returns_exact_labels(mixed):
    y = np.where(mixed["float"].fillna(0) > 50, "high", "low")
    sampler = small_sampler(GANSampler).fit(mixed, y)
    X, labels = sampler.sample(30, y="high", random_state=0)
    assert len(X) == 30 and (labels == "high").all()
    wanted = np.array(["low", "high", "high"] * 5)
    X, labels = sampler.sample(15, y=wanted, random_state=0)
    np.testing.assert_array_equal(labels, wanted)
    assert list(sampler.classes_) == ["high", "low"]
    # Without y, labels follow the training class frequencies.
    _, labels = sampler.sample(3000, random_state=0)
    assert abs((labels == "high").mean() - (y == "high").mean()) < 0.05
    assert sampler.sample(5, y=["low"] * 5)[0].dtypes.equals(mixed.dtypes)


def test_refit_without_y_forgets_classes(mixed):
    sampler = small_sampler(GANSampler).fit(mixed, np.arange(len(mixed)) % 2)
    assert hasattr(sampler, "classes_")
    sampler.fit(mixed)
    assert not hasattr(sampler, "classes_")
    assert isinstance(sampler.sample(3), pd.DataFrame)


def test_same_seed_same_samples_and_fresh_draws_differ(mixed, fitted_mixed):
    again = small_sampler(GANSampler, epochs=20).fit(mixed)
    assert_same_samples(
        fitted_mixed.sample(50, random_state=4), again.sample(50, random_state=4)
    )
    a, b = fitted_mixed.sample(50), fitted_mixed.sample(50)
    assert not a.equals(b)


def test_save_load_and_pickle_round_trip(tmp_path, mixed):
    y = (np.arange(len(mixed)) % 3).astype(str)
    sampler = small_sampler(GANSampler).fit(mixed, y)
    path = tmp_path / "gan.pt"
    sampler.save(path)
    for restored in (
        GANSampler.load(path),
        BaseSampler.load(path),
        pickle.loads(pickle.dumps(sampler)),
    ):
        assert_same_samples(
            sampler.sample(40, y="1", random_state=3),
            restored.sample(40, y="1", random_state=3),
        )
        assert_same_samples(
            sampler.sample(40, random_state=3), restored.sample(40, random_state=3)
        )


def test_bce_loss_trains(mixed):
    sampler = small_sampler(GANSampler, loss="bce").fit(mixed)
    assert {"discriminator", "generator", "condition"} <= set(sampler.history_[0])
    assert sampler.sample(10, random_state=0).shape == (10, mixed.shape[1])


def test_history_and_n_iter(fitted_mixed):
    history = pd.DataFrame(fitted_mixed.history_)
    assert len(history) == fitted_mixed.n_iter_ == 20
    assert np.isfinite(history[["discriminator", "generator"]]).all().all()


def test_no_per_row_dependence_on_chunking(fitted_mixed, monkeypatch):
    # A row depends on its own random draws only, not on the rows generated
    # beside it: given the draws of all chunks at once, the network and the
    # decoding give the rows that sampling chunk by chunk gave.
    import sksynth.tabular._generation as generation

    run_network = generation.FoldedGenerator.__call__
    run_decode = generation.OutputLayout.decode
    chunks = []

    def network(self, noise, ones, dense=None, out=None):
        raw = run_network(self, noise, ones, dense, out=out)
        chunks.append({"network": self, "inputs": (noise, ones, dense)})
        chunks[-1]["raw"] = raw.clone()
        return raw

    def decode(self, raw, uniform, missing=None, allowed=None):
        decoded = run_decode(self, raw, uniform, missing, allowed)
        chunks[-1].update(layout=self, draws=(uniform, missing), decoded=decoded)
        return decoded

    monkeypatch.setattr(generation, "SAMPLE_CHUNK", 64)
    monkeypatch.setattr(generation.FoldedGenerator, "__call__", network)
    monkeypatch.setattr(generation.OutputLayout, "decode", decode)
    chunked = fitted_mixed.sample(150, random_state=0)
    assert len(chunked) == 150
    assert [len(chunk["raw"]) for chunk in chunks] == [64, 64, 22]

    def joined(key, index=None):
        parts = [chunk[key] if index is None else chunk[key][index] for chunk in chunks]
        return None if parts[0] is None else torch.cat(parts)

    raw = run_network(chunks[0]["network"], *(joined("inputs", i) for i in range(3)))
    torch.testing.assert_close(raw, joined("raw"))
    scalars, codes = run_decode(
        chunks[0]["layout"], joined("raw"), joined("draws", 0), joined("draws", 1)
    )
    assert torch.equal(scalars, joined("decoded", 0))
    assert torch.equal(codes, joined("decoded", 1))
    # Sampled in chunks, the rows still repeat with the seed.
    pd.testing.assert_frame_equal(chunked, fitted_mixed.sample(150, random_state=0))


@pytest.mark.parametrize(
    ("make_bad", "match"),
    [
        (lambda X: X.iloc[:0], "empty"),
        (lambda X: X.iloc[:, :0], "empty"),
        (lambda X: X.assign(float=np.nan), "'float'.*only missing"),
        (lambda X: X.assign(obj=None), "'obj'.*only missing"),
        (lambda X: X.assign(float=np.inf), "'float'.*infinite"),
        (
            lambda X: X.assign(obj=[f"v{i}" for i in range(len(X))]),
            "max_categories",
        ),
    ],
    ids=[
        "no-rows",
        "no-columns",
        "all-nan-numeric",
        "all-nan-categorical",
        "inf",
        "too-many-categories",
    ],
)
def test_bad_input_raises(mixed, make_bad, match):
    sampler = small_sampler(GANSampler, max_categories=50)
    with pytest.raises(ValueError, match=match):
        sampler.fit(make_bad(mixed))
    assert not hasattr(sampler, "device_")


def test_bad_parameters_and_labels_raise(mixed):
    with pytest.raises(ValueError, match="batch_size=25 must be a multiple of pac=10"):
        small_sampler(GANSampler, batch_size=25, pac=10).fit(mixed)
    with pytest.raises(ValueError, match="y has 3 labels but X has 120 rows"):
        small_sampler(GANSampler).fit(mixed, [0, 1, 0])
    with pytest.raises(ValueError, match="n_samples = 1"):
        small_sampler(GANSampler).fit(mixed.iloc[:1])
    fitted = small_sampler(GANSampler).fit(mixed, np.arange(len(mixed)) % 2)
    with pytest.raises(ValueError, match="not seen in fit"):
        fitted.sample(4, y=7)
    with pytest.raises(ValueError, match="n_samples=4"):
        fitted.sample(4, y=[0, 1])
    unconditional = small_sampler(GANSampler).fit(mixed)
    with pytest.raises(ValueError, match="fitted without y"):
        unconditional.sample(4, y=0)
    with pytest.raises(ValueError, match="generator_dim"):
        small_sampler(GANSampler, generator_dim=(16, -1)).fit(mixed)


def test_failed_fit_keeps_previous_model(mixed, fitted_mixed):
    sampler = clone(fitted_mixed).fit(mixed)
    before = sampler.sample(5, random_state=0)
    with pytest.raises(ValueError):
        sampler.fit(mixed.assign(int=np.inf))
    assert_same_samples(before, sampler.sample(5, random_state=0))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_fit_sample_and_move_to_cpu(tmp_path, mixed):
    y = np.where(mixed["int"] > 50, "old", "young")
    sampler = small_sampler(GANSampler, device="cuda").fit(mixed, y)
    assert sampler.device_.type == "cuda"
    assert next(sampler.generator_.parameters()).is_cuda
    X, labels = sampler.sample(300, y="old", random_state=0)
    assert (labels == "old").all()
    pd.testing.assert_series_equal(X.dtypes, mixed.dtypes)
    assert_same_samples(
        sampler.sample(50, random_state=1), sampler.sample(50, random_state=1)
    )
    path = tmp_path / "gan.pt"
    sampler.save(path)
    on_cpu = GANSampler.load(path, device="cpu")
    # Noise comes from a CPU generator: the same seed gives (up to float
    # rounding in the networks) the same rows on either device.
    a, _ = sampler.sample(200, random_state=2)
    b, _ = on_cpu.sample(200, random_state=2)
    assert (a["colour"] == b["colour"]).mean() > 0.95
    np.testing.assert_allclose(
        a["float"].to_numpy(float), b["float"].to_numpy(float), rtol=1e-3, atol=1e-3
    )


def test_bfloat16_precision_trains_float32_weights(mixed):
    sampler = small_sampler(GANSampler, precision="bfloat16", epochs=3).fit(mixed)
    history = pd.DataFrame(sampler.history_)
    assert np.isfinite(history[["discriminator", "generator"]]).all().all()
    assert all(p.dtype == torch.float32 for p in sampler.generator_.parameters())
    assert sampler.sample(10, random_state=0).shape == (10, mixed.shape[1])
    with pytest.raises(ValueError, match="precision"):
        small_sampler(GANSampler, precision="float16").fit(mixed)


def _naive_span_outputs(layout, raw):
    """Per span, in the encoder's column order: its logits and log-softmax."""
    return [
        (
            raw[:, start : start + size],
            torch.log_softmax(raw[:, start : start + size], 1),
        )
        for start, size in layout.spans
    ]


# Encoder order: numeric (scalar + 3 modes), categorical of 2, numeric
# (scalar + 2 modes), categorical of 3, categorical of 2.
_LAYOUT = Layout(
    scalars=[0, 6],
    spans=[Span(1, 3), Span(4, 2), Span(7, 2), Span(9, 3), Span(12, 2)],
    condition_spans=[1, 3, 4],
    missing_spans=[],
    missing_scalars=[],
)


def test_output_layout_groups_spans_and_maps_back():
    from sksynth.tabular._layout import OutputLayout

    layout = _LAYOUT
    output = OutputLayout(layout, 14, torch.device("cpu"))
    assert sorted(output.order.tolist()) == list(range(14))
    assert output.groups == [(0, 3, 2), (6, 2, 3)]

    torch.manual_seed(0)
    encoder_raw = torch.randn(5, 14)
    raw = encoder_raw[:, output.order]  # what the generator emits
    values, log_probs = output.activate(raw, torch.Generator().manual_seed(0))
    spans = _naive_span_outputs(layout, encoder_raw)
    # Activated spans sum to one; log-probabilities match per-span log-softmax.
    block = values[:, output.n_scalars :]
    for start, count, size in output.groups:
        sums = block[:, start : start + count * size].view(5, count, size).sum(2)
        torch.testing.assert_close(sums, torch.ones_like(sums))
    entry = 0
    for s in layout.condition_spans:
        for k in range(layout.spans[s].size):
            column = output.condition_columns[entry]
            torch.testing.assert_close(log_probs[:, column], spans[s][1][:, k])
            entry += 1
    # Decoding draws each span's slot by inverse CDF: a uniform draw picks the
    # first slot whose cumulative softmax reaches it (codes in encoder order).
    uniform = torch.rand(5, len(layout.spans), generator=torch.Generator())
    scalars, codes = output.decode(raw, uniform)
    expected = torch.stack(
        [
            torch.searchsorted(
                torch.softmax(logits, 1).cumsum(1),
                uniform[:, output.span_positions[s], None].contiguous(),
                right=True,
            )[:, 0].clamp_max(logits.shape[1] - 1)
            for s, (logits, _) in enumerate(spans)
        ],
        dim=1,
    )
    torch.testing.assert_close(codes, expected)
    # Uniform draws at 0 pick the first slot with probability above 0.
    _, first = output.decode(raw, torch.zeros(5, len(layout.spans)))
    assert (first == 0).all()
    torch.testing.assert_close(scalars, torch.tanh(encoder_raw[:, [0, 6]]))


def test_network_rows_are_the_encoded_rows_in_network_order():
    from sksynth.tabular._layout import OutputLayout

    layout = _LAYOUT
    output = OutputLayout(layout, 14, torch.device("cpu"))
    scalars = torch.tensor([[0.5, -0.25], [0.0, 0.9]])
    slots = torch.tensor([[2, 0, 1, 1, 0], [0, 1, 0, 2, 1]])
    # The same rows written out densely in the encoder's column order.
    dense = torch.zeros(2, 14)
    dense[:, layout.scalars] = scalars
    for s, (start, _) in enumerate(layout.spans):
        dense[torch.arange(2), start + slots[:, s]] = 1.0
    torch.testing.assert_close(
        output.network_rows(scalars, slots), dense[:, output.order]
    )


def test_training_conditions_never_pick_an_unseen_category():
    from sksynth.tabular._conditions import TrainingConditions

    # One categorical column of three categories; the last never occurs.
    codes = np.array([[0], [1], [1], [0], [1]])
    conditions = TrainingConditions(codes, [3], None, 0, torch.device("cpu"))
    assert conditions.last_category.tolist() == [1]
    # Even when rounding leaves the cumulative sum below a uniform draw.
    conditions.cumulative[0, 1:] = 0.999
    rows, dims, _ = conditions.draw(2000, torch.Generator().manual_seed(0))
    assert set(dims.tolist()) <= {0, 1}
    np.testing.assert_array_equal(codes[rows.numpy(), 0], dims.numpy())


def test_sampling_conditions_keep_frequencies_and_skip_unseen_categories():
    from sksynth.tabular._conditions import SamplingConditions

    # One column of three categories seen 1, 3 and 0 times.
    conditions = SamplingConditions(np.array([[1.0, 3.0, 0.0]]), [3], 0)
    assert conditions.last_category.tolist() == [[1]]
    ones, _ = conditions.draw(4000, None, torch.Generator().manual_seed(0))
    share = np.bincount(ones[:, 0].numpy(), minlength=3) / len(ones)
    assert abs(share[1] - 0.75) < 0.03 and share[2] == 0
    # Even when rounding leaves the cumulative sum below a uniform draw.
    conditions.cumulative[0, 0, 1:] = 0.5
    ones, _ = conditions.draw(2000, None, torch.Generator().manual_seed(0))
    assert (ones[:, 0] != 2).all()


def test_auto_epochs_take_100_epochs_or_min_steps_and_explicit_epochs_rule(
    mixed, monkeypatch
):
    # 120 rows at batch 20 are 6 steps an epoch: 600 steps in 100 epochs.
    assert small_sampler(GANSampler, epochs="auto").fit(mixed).n_iter_ == 100
    monkeypatch.setattr(gan_module, "AUTO_EPOCHS", 1)
    # Fewer than min_steps: 30 steps take 5 whole epochs.
    sampler = small_sampler(GANSampler, epochs="auto", min_steps=30).fit(mixed)
    assert sampler.n_iter_ == 5 and len(sampler.history_) == 5
    # More than MAX_AUTO_STEPS: cut to whole epochs of at least that many steps.
    monkeypatch.setattr(gan_module, "AUTO_EPOCHS", 3)
    monkeypatch.setattr(gan_module, "MAX_AUTO_STEPS", 10)
    assert small_sampler(GANSampler, epochs="auto", min_steps=0).fit(mixed).n_iter_ == 2
    # An explicit budget is the budget, however small the table.
    assert small_sampler(GANSampler, epochs=1, min_steps=30).fit(mixed).n_iter_ == 1
    assert small_sampler(GANSampler, epochs=7, min_steps=30).fit(mixed).n_iter_ == 7


def _point_mass_frame(n=400, seed=0):
    rng = np.random.default_rng(seed)
    level = rng.choice(["low", "mid", "high"], n)
    return pd.DataFrame(
        {
            "gain": np.where(rng.random(n) < 0.8, 0.0, rng.lognormal(6, 1, n)),
            "level": level,
            "code": pd.Series(level).map({"low": 1, "mid": 2, "high": 3}),
        }
    )


def test_exact_values_and_derived_columns_in_samples():
    frame = _point_mass_frame()
    sampler = small_sampler(GANSampler, epochs=3).fit(frame)
    gain, _, code = sampler.encoder_.columns
    assert gain.values == [0.0] and code.derived_from == 1
    synth = sampler.sample(1000, random_state=0)
    # Only the point mass is ever exactly zero, and no unseen (level, code)
    # pair comes out even after three epochs.
    assert (synth["gain"] == 0).mean() > 0.05
    assert synth["gain"][synth["gain"] != 0].min() > 1e-3 * frame["gain"].max()
    pairs = set(zip(synth["level"], synth["code"], strict=True))
    assert pairs <= set(zip(frame["level"], frame["code"], strict=True))
    plain = small_sampler(
        GANSampler, epochs=3, exact_values=False, derived_columns=False
    ).fit(frame)
    gain, _, code = plain.encoder_.columns
    assert gain.values == [] and not code.is_derived


def _missing_frame(n=1000, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "k": rng.choice(["a", "b", "c"], n),
            "z": rng.gamma(2.0, size=n),
        }
    )
    frame.loc[rng.random(n) < 0.1, "x"] = np.nan
    frame.loc[rng.random(n) < 0.15, "k"] = np.nan
    return frame


def test_condition_missing_teaches_numeric_missing_rates():
    frame = _missing_frame()
    gaps = {}
    for condition_missing in (False, True):
        sampler = small_sampler(
            GANSampler,
            epochs=100,  # 1,000 rows at batch 100: 1,000 steps
            batch_size=100,
            pac=10,
            embedding_dim=16,
            generator_dim=(64,),
            discriminator_dim=(64,),
            condition_missing=condition_missing,
            missing_patterns="learned",  # "observed" keeps the rates either way
        ).fit(frame)
        synth = sampler.sample(20_000, random_state=0)
        gaps[condition_missing] = (synth.isna().mean() - frame.isna().mean()).abs()
    # Conditioned on, the numeric missing slot comes back within a point; left
    # to the adversarial loss alone it is far off after 1,000 steps.
    assert gaps[True]["x"] < 0.01 and gaps[False]["x"] > 0.03, gaps
    assert gaps[True]["k"] < 0.025 and gaps[True]["z"] == 0, gaps


def test_sample_request_too_large_for_memory_fails_at_once(fitted_mixed):
    import time

    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"n_samples=1000000000000 .* GiB"):
        fitted_mixed.sample(10**12)
    assert time.perf_counter() - start < 1.0


def test_ema_decay_samples_from_the_averaged_generator(mixed):
    last = small_sampler(GANSampler, epochs=3).fit(mixed)
    # A decay of 0 averages nothing: the last weights exactly.
    assert_same_samples(
        last.sample(50, random_state=0),
        small_sampler(GANSampler, epochs=3, ema_decay=0.0)
        .fit(mixed)
        .sample(50, random_state=0),
    )
    averaged = small_sampler(GANSampler, epochs=3, ema_decay=0.9).fit(mixed)
    # Training is the same; the networks sampled from are not.
    assert averaged.history_ == last.history_
    assert type(averaged.generator_) is type(last.generator_)
    assert not all(
        torch.equal(a, b)
        for a, b in zip(
            averaged.generator_.state_dict().values(),
            last.generator_.state_dict().values(),
            strict=True,
        )
    )
    assert_same_samples(
        averaged.sample(20, random_state=1), averaged.sample(20, random_state=1)
    )


def test_wide_grids_snap_onto_their_values_at_the_cost_of_a_mixture():
    rng = np.random.default_rng(0)
    # 60 even ages, each seen about 50 times: a grid too wide for a slot each.
    frame = pd.DataFrame({"age": 2 * rng.integers(10, 70, 3000)})
    snapped = small_sampler(GANSampler).fit(frame)
    slotted = small_sampler(GANSampler, max_grid_values=100).fit(frame)
    (column,) = snapped.encoder_.columns
    (slotted_column,) = slotted.encoder_.columns
    assert len(slotted_column.values) == 60 and not slotted_column.means
    assert column.values == [] and column.means
    assert column.grid == sorted(set(frame["age"].astype(float)))
    # The span is the mixture's (at most 10 modes), not one slot per value.
    assert snapped.encoder_.n_encoded <= 1 + 10 < slotted.encoder_.n_encoded
    # Integers come back as integers, and only even ones: rounding alone
    # would give odd ages too.
    synth = snapped.sample(500, random_state=0)["age"]
    assert synth.dtype == frame["age"].dtype and synth.isin(frame["age"]).all()


def test_early_stopping_keeps_the_best_round_and_stops(mixed, monkeypatch):
    kept = []
    update = EarlyStopping.update

    def remember(self, score, module):
        kept.append({k: v.clone() for k, v in module.state_dict().items()})
        return update(self, score, module)

    monkeypatch.setattr(EarlyStopping, "update", remember)
    # 90 training rows: 4 steps an epoch, so a round every 25 epochs.
    params = dict(
        epochs=400, early_stopping=True, validation_fraction=0.25, n_iter_no_change=2
    )
    sampler = small_sampler(GANSampler, **params).fit(mixed)
    scores = sampler.validation_scores_
    best = int(np.argmin(scores))
    assert len(kept) == len(scores) and sampler.best_validation_score_ == scores[best]
    assert len(scores) - 1 - best == 2  # stopped two rounds after the best
    assert sampler.n_iter_ == 25 * len(scores) < 400
    # The generator sampled from is the best round's, not the last one's.
    for name, value in sampler.generator_.state_dict().items():
        assert torch.equal(value, kept[best][name])
    assert not all(
        torch.equal(value, kept[-1][name])
        for name, value in sampler.generator_.state_dict().items()
    )
    again = small_sampler(GANSampler, **params).fit(mixed)
    assert again.validation_scores_ == scores
    assert_same_samples(
        sampler.sample(30, random_state=0), again.sample(30, random_state=0)
    )


def test_early_stopping_on_arrays_and_with_labels(mixed):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    sampler = small_sampler(GANSampler, epochs=50, early_stopping=True).fit(X)
    assert sampler.validation_scores_ and sampler.sample(5).shape == (5, 3)
    y = np.where(mixed["flag"], "yes", "no")
    labelled = small_sampler(GANSampler, epochs=30, early_stopping=True).fit(
        mixed.drop(columns="flag"), y
    )
    X_new, y_new = labelled.sample(6, y=["yes"] * 6, random_state=0)
    assert len(X_new) == 6 and (np.asarray(y_new) == "yes").all()


def test_early_stopping_scores_the_last_epoch_of_a_short_budget(mixed):
    # Two epochs of 4 steps: fewer than a round's 100 steps.
    sampler = small_sampler(GANSampler, epochs=2, early_stopping=True).fit(mixed)
    assert len(sampler.validation_scores_) == 1 and sampler.n_iter_ == 2


def test_early_stopping_needs_rows_on_both_sides(mixed):
    with pytest.raises(ValueError, match=r"validation_fraction=0.01 of 120 samples"):
        small_sampler(GANSampler, early_stopping=True, validation_fraction=0.01).fit(
            mixed
        )
    with pytest.raises(ValueError, match="validation_fraction"):
        small_sampler(GANSampler, early_stopping=True, validation_fraction=1.0).fit(
            mixed
        )


def test_quantile_encoding_trains_samples_and_saves(mixed, tmp_path):
    sampler = small_sampler(GANSampler, epochs=3, numeric_encoding="quantiles").fit(
        mixed
    )
    numeric = [c for c in sampler.encoder_.columns if c.kind == "numeric"]
    assert numeric and all(c.quantiles is not None for c in numeric if c.means)
    synth = sampler.sample(200, random_state=0)
    assert synth.dtypes.equals(mixed.dtypes)
    observed = mixed["float"].dropna()
    assert synth["float"].dropna().between(observed.min(), observed.max()).all()
    sampler.save(tmp_path / "model.sksynth")
    loaded = GANSampler.load(tmp_path / "model.sksynth")
    assert_same_samples(
        loaded.sample(50, random_state=1), sampler.sample(50, random_state=1)
    )
