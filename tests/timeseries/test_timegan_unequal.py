"""TimeGANSampler on panels whose sequences differ in length."""

import numpy as np
import pandas as pd
import pytest
import torch
from sktime.datatypes import convert_to

from sksynth import TimeGANSampler
from sksynth._core.masking import step_mask
from sksynth._core.panels import padded_to_panel, panel_to_padded
from sksynth.timeseries._sequence_latent import SequenceLatentTrainer
from sksynth.timeseries._sequence_latent import make_networks as sequence_networks
from sksynth.timeseries._trainer import _make_networks, _TimeGANTrainer
from sksynth.utils.estimator_checks import small_sampler

LATENTS = ["step", "sequence"]
MTYPES = ["df-list", "nested_univ", "pd-multiindex"]
LENGTHS = [3, 6, 4, 6, 5, 3, 6, 4, 5, 6, 3, 4]


def _frames(lengths=LENGTHS, seed=0):
    rng = np.random.default_rng(seed)
    return [pd.DataFrame(rng.uniform(size=(n, 2)), columns=["x", "z"]) for n in lengths]


def _panel(mtype, lengths=LENGTHS, seed=0):
    frames = _frames(lengths, seed)
    return frames if mtype == "df-list" else convert_to(frames, to_type=mtype)


def _lengths(panel):
    _, lengths, _ = panel_to_padded(
        panel, "df-list" if isinstance(panel, list) else _kind(panel)
    )
    return lengths


def _kind(frame):
    return "pd-multiindex" if isinstance(frame.index, pd.MultiIndex) else "nested_univ"


@pytest.mark.parametrize("latent", LATENTS)
@pytest.mark.parametrize("mtype", MTYPES)
def test_every_mtype_comes_back_with_unequal_lengths(mtype, latent):
    sampler = small_sampler(TimeGANSampler, seq_len="auto", latent=latent).fit(
        _panel(mtype)
    )
    assert sampler.seq_len_ == 6
    out = sampler.sample(20, random_state=0)
    assert type(out) is type(_panel(mtype))
    columns = out[0].columns if mtype == "df-list" else out.columns
    assert list(columns) == ["x", "z"]
    lengths = _lengths(out)
    assert len(lengths) == 20 and len(set(lengths)) > 1


@pytest.mark.parametrize("latent", LATENTS)
def test_sampled_lengths_occur_in_the_training_data(latent):
    lengths = [2, 7, 2, 7, 4, 7, 2, 4]
    sampler = small_sampler(TimeGANSampler, seq_len="auto", latent=latent).fit(
        _panel("df-list", lengths)
    )
    sampled = _lengths(sampler.sample(300, random_state=0))
    assert set(sampled) == {2, 4, 7}
    # 3 of 8 training sequences have 7 steps; four binomial standard errors.
    assert abs(np.mean(sampled == 7) - 3 / 8) < 4 * np.sqrt(3 / 8 * 5 / 8 / 300)


@pytest.mark.parametrize("latent", LATENTS)
def test_conditional_lengths_are_drawn_per_class(latent):
    lengths = [3, 3, 3, 3, 6, 6, 6, 5]
    y = np.array(["short"] * 4 + ["long"] * 4)
    sampler = small_sampler(TimeGANSampler, seq_len="auto", latent=latent).fit(
        _panel("nested_univ", lengths), y
    )
    X_new, y_new = sampler.sample(60, random_state=0)
    sampled = _lengths(X_new)
    assert set(sampled[y_new == "short"]) == {3}
    assert set(sampled[y_new == "long"]) <= {5, 6}
    X_long, _ = sampler.sample(10, y="long", random_state=1)
    assert set(_lengths(X_long)) <= {5, 6}


@pytest.mark.parametrize("latent", LATENTS)
def test_samples_stay_in_the_range_of_the_valid_steps(latent):
    frames = _frames()
    for frame in frames:
        frame["x"] += 10.0
    sampler = small_sampler(TimeGANSampler, seq_len="auto", latent=latent).fit(frames)
    np.testing.assert_array_equal(
        sampler.data_min_, np.min([f.min() for f in frames], axis=0)
    )
    out = sampler.sample(30, random_state=0)
    values = pd.concat(out)
    assert values["x"].min() >= 10.0 - 1e-9 and values["x"].max() <= 11.0 + 1e-9
    assert not values.isna().any().any()


def _train(trainer_class, padding):
    """Weights after a few steps of each phase on data padded with ``padding``."""
    lengths = torch.tensor(LENGTHS)
    mask = step_mask(lengths, 6)
    data = torch.rand(len(LENGTHS), 6, 2, generator=torch.Generator().manual_seed(0))
    data = torch.where(mask, data, padding)
    conditions = torch.stack([lengths / 6, (lengths > 4).float()], dim=1)
    with torch.random.fork_rng(devices=[]):
        torch.random.manual_seed(0)
        if trainer_class is _TimeGANTrainer:
            modules = _make_networks(2, 4, 2, "gru", n_conditions=2)
            trainer = _TimeGANTrainer(
                modules,
                data,
                batch_size=8,
                learning_rate=1e-3,
                gamma=1.0,
                rng=torch.Generator().manual_seed(0),
                conditions=conditions,
                mask=mask,
            )
            steps = [trainer.autoencoder_step, trainer.supervisor_step]
            steps += [trainer.joint_step]
        else:
            modules = sequence_networks(2, 6, 4, 2, "gru", n_conditions=2, n_classes=2)
            trainer = SequenceLatentTrainer(
                modules,
                data,
                batch_size=8,
                learning_rate=1e-3,
                rng=torch.Generator().manual_seed(0),
                conditions=conditions,
                lengths=lengths,
                classes=(lengths > 4).long(),
            )
            steps = [trainer.autoencoder_step, trainer.adversarial_step]
    for step in steps:
        for _ in range(3):
            step()
    return {
        f"{name}.{key}": value.detach().clone()
        for name, module in modules.items()
        for key, value in module.state_dict().items()
    }


@pytest.mark.parametrize("trainer_class", [_TimeGANTrainer, SequenceLatentTrainer])
def test_the_padding_value_changes_no_fitted_weight(trainer_class):
    zero = _train(trainer_class, 0.0)
    other = _train(trainer_class, 7.5)
    assert zero.keys() == other.keys()
    for name, value in zero.items():
        torch.testing.assert_close(other[name], value, rtol=0, atol=0, msg=name)


def test_padded_panel_round_trip_keeps_values_and_lengths():
    frames = _frames()
    X3, lengths, columns = panel_to_padded(frames, "df-list")
    assert X3.shape == (12, 2, 6) and columns == ["x", "z"]
    np.testing.assert_array_equal(lengths, LENGTHS)
    assert np.isnan(X3[0, :, 3:]).all()
    for mtype in MTYPES:
        back = padded_to_panel(X3, lengths, mtype, columns)
        again, again_lengths, _ = panel_to_padded(back, mtype)
        np.testing.assert_array_equal(again, X3)
        np.testing.assert_array_equal(again_lengths, lengths)


@pytest.mark.parametrize(
    "make_panel, match",
    [
        (lambda: _panel("df-list", [4, 1, 3]), "shorter than 2 time points.*[1]"),
        (lambda: _panel("df-list", [4])[:1], "X holds 1 sequence.*minimum of 2"),
        (
            lambda: _with_inf(_frames()),
            "X holds infinity at instance 2, channel 0, time point 1",
        ),
        (lambda: _ragged_channels(), "Instance 0 of X has channels of different"),
    ],
    ids=["length-one", "one-sequence", "inf", "ragged-channels"],
)
def test_bad_unequal_panels_are_clear_errors(make_panel, match):
    with pytest.raises(ValueError, match=match):
        small_sampler(TimeGANSampler, seq_len="auto").fit(make_panel())


def _with_inf(frames):
    frames[2].iloc[1, 0] = np.inf
    return frames


def _ragged_channels():
    """A nested_univ panel whose first instance has a channel cut short."""
    panel = convert_to(_frames(), to_type="nested_univ")
    cells = np.empty(len(panel), dtype=object)
    for row, cell in enumerate(panel.iloc[:, 1]):
        cells[row] = cell.iloc[:2] if row == 0 else cell
    panel[panel.columns[1]] = cells
    return panel


def test_seq_len_must_be_auto_or_the_longest_length():
    with pytest.raises(ValueError, match="length 6, the longest of its lengths"):
        small_sampler(TimeGANSampler, seq_len=4).fit(_frames())
    assert small_sampler(TimeGANSampler, seq_len=6).fit(_frames()).seq_len_ == 6


def test_seq_len_auto_takes_a_panel_s_length_and_cuts_a_series_into_24_steps():
    sampler = small_sampler(TimeGANSampler, seq_len="auto").fit(
        np.random.default_rng(0).uniform(size=(10, 2, 7))
    )
    assert sampler.seq_len_ == 7
    assert sampler.sample(3).shape == (3, 2, 7)
    assert not hasattr(sampler, "length_counts_")
    series = np.random.default_rng(0).uniform(size=(30, 2))
    sampler = small_sampler(TimeGANSampler, seq_len="auto").fit(series)
    assert sampler.seq_len_ == 24
    assert sampler.sample(3).shape == (3, 2, 24)
    with pytest.raises(ValueError, match="seq_len=24 need at least .* 25 time"):
        small_sampler(TimeGANSampler, seq_len="auto").fit(series[:24])


@pytest.mark.parametrize("latent", LATENTS)
def test_sample_gives_the_lengths_asked_for(latent):
    lengths = [2, 7, 2, 7, 4, 7, 2, 4]
    sampler = small_sampler(TimeGANSampler, seq_len="auto", latent=latent).fit(
        _panel("df-list", lengths)
    )
    # 5 is no training length, but within their range: interpolated.
    same = sampler.sample(6, lengths=5, random_state=0)
    assert [len(frame) for frame in same] == [5] * 6
    asked = np.array([2, 3, 7, 6])
    out = sampler.sample(4, lengths=asked, random_state=0)
    assert [len(frame) for frame in out] == asked.tolist()
    assert all(np.isfinite(frame.to_numpy()).all() for frame in out)


@pytest.mark.parametrize(
    ("lengths", "match"),
    [
        (1, "between the shortest and the longest training length, 2 and 7"),
        (8, "between the shortest and the longest training length, 2 and 7"),
        ([3, 4], "an integer or n_samples=3 integers"),
        (3.5, "an integer or n_samples=3 integers"),
    ],
)
def test_bad_lengths_to_sample(lengths, match):
    sampler = small_sampler(TimeGANSampler, seq_len="auto").fit(
        _panel("df-list", [2, 7, 2, 7, 4, 7, 2, 4])
    )
    with pytest.raises(ValueError, match=match):
        sampler.sample(3, lengths=lengths)


def test_lengths_need_a_sampler_fitted_on_unequal_lengths():
    sampler = small_sampler(TimeGANSampler, seq_len="auto").fit(
        _panel("df-list", [5] * 8)
    )
    with pytest.raises(ValueError, match="lengths applies to a sampler fitted"):
        sampler.sample(3, lengths=5)
