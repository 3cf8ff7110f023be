import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sktime.datatypes import convert_to

from sksynth import TimeGANSampler
from sksynth.datasets import make_sines
from sksynth.utils.estimator_checks import assert_same_samples, small_sampler


def test_seeded_fits_are_identical_and_unseeded_fits_differ(sines):
    a = (
        small_sampler(TimeGANSampler, random_state=0)
        .fit(sines)
        .sample(4, random_state=1)
    )
    b = (
        small_sampler(TimeGANSampler, random_state=0)
        .fit(sines)
        .sample(4, random_state=1)
    )
    c = (
        small_sampler(TimeGANSampler, random_state=None)
        .fit(sines)
        .sample(4, random_state=1)
    )
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_sample_returns_any_number_of_sequences(sines):
    sampler = small_sampler(TimeGANSampler).fit(sines)
    assert sampler.sample(3 * len(sines)).shape == (120, 3, 6)


def test_numpy3d_in_numpy3d_out_in_original_units():
    rng = np.random.default_rng(0)
    X = 1000 + 50 * rng.standard_normal((30, 2, 6))
    out = small_sampler(TimeGANSampler).fit(X).sample(10, random_state=0)
    assert out.shape == (10, 2, 6)
    assert out.dtype == np.float64
    low, high = X.min(axis=(0, 2)), X.max(axis=(0, 2))
    assert (out.min(axis=(0, 2)) >= low).all() and (out.max(axis=(0, 2)) <= high).all()
    assert 900 < out.mean() < 1100


def test_long_series_array_is_windowed_with_stride_one():
    series = np.arange(40, dtype=float).reshape(20, 2)
    sampler = small_sampler(TimeGANSampler, seq_len=5).fit(series)
    assert sampler.n_features_in_ == 2
    assert sampler.sample(3).shape == (3, 2, 5)
    assert not hasattr(sampler, "feature_names_in_")


def test_long_series_frame_gives_multiindex_panel_with_its_columns():
    frame = pd.DataFrame(
        np.random.default_rng(0).random((30, 2)), columns=["price", "volume"]
    )
    sampler = small_sampler(TimeGANSampler).fit(frame)
    np.testing.assert_array_equal(sampler.feature_names_in_, ["price", "volume"])
    out = sampler.sample(4, random_state=0)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["price", "volume"]
    assert out.index.nlevels == 2
    assert out.index.get_level_values(0).nunique() == 4
    assert len(out) == 4 * 6


@pytest.mark.parametrize("mtype", ["pd-multiindex", "nested_univ", "df-list"])
def test_sktime_panels_round_trip(mtype, sines):
    panel = convert_to(sines, to_type=mtype)
    out = small_sampler(TimeGANSampler).fit(panel).sample(5, random_state=0)
    assert type(out) is type(panel)
    back = convert_to(out, to_type="numpy3D")
    assert back.shape == (5, 3, 6)
    columns = (panel[0] if mtype == "df-list" else panel).columns
    assert list((out[0] if mtype == "df-list" else out).columns) == list(columns)


def test_training_lowers_losses_and_samples_stay_in_range():
    X = make_sines(300, seq_len=12, n_channels=3, random_state=0)
    sampler = TimeGANSampler.preset(
        "timegan-2019",
        seq_len=12,
        n_iter=300,
        device="cpu",
        random_state=0,
        batch_size=32,
    ).fit(X)
    history = pd.DataFrame(sampler.history_)
    for phase, loss in [
        ("autoencoder", "reconstruction"),
        ("supervisor", "supervised"),
    ]:
        curve = history.loc[history.phase == phase, loss].to_numpy()
        assert curve[-3:].mean() < 0.5 * curve[:3].mean(), (phase, curve)
    joint = history.loc[history.phase == "joint"]
    assert joint["reconstruction"].iloc[-1] < 0.15
    joint_losses = joint.drop(columns=["phase", "step"]).dropna(axis=1, how="all")
    assert joint_losses.shape[1] == 5
    assert np.isfinite(joint_losses.to_numpy()).all()
    out = sampler.sample(200, random_state=0)
    assert out.min() >= X.min() and out.max() <= X.max()
    assert sampler.n_iter_per_phase_ == {
        "autoencoder": 300,
        "supervisor": 300,
        "joint": 300,
    }


def test_history_loads_as_dataframe_and_verbose_prints(sines, capsys):
    sampler = small_sampler(TimeGANSampler, n_iter=20, verbose=2).fit(sines)
    history = pd.DataFrame(sampler.history_)
    assert set(history.phase) == {"autoencoder", "supervisor", "joint"}
    assert history.groupby("phase").step.max().eq(20).all()
    printed = capsys.readouterr()
    assert "[joint] step 20/20" in printed.out + printed.err


def test_n_iter_pretrain_sets_the_first_two_phases(sines):
    sampler = small_sampler(TimeGANSampler, n_iter=10, n_iter_pretrain=30).fit(sines)
    steps = pd.DataFrame(sampler.history_).groupby("phase").step.max()
    assert steps.to_dict() == {"autoencoder": 30, "supervisor": 30, "joint": 10}
    assert sampler.n_iter_per_phase_ == {
        "autoencoder": 30,
        "supervisor": 30,
        "joint": 10,
    }


@pytest.mark.parametrize("name", ["timegan-2019"])
def test_preset_is_an_unfitted_sampler_with_its_settings(name):
    from sksynth.timeseries._timegan import PRESETS

    sampler = TimeGANSampler.preset(name, random_state=3, device="cpu")
    assert not hasattr(sampler, "embedder_")
    params = sampler.get_params()
    assert params["random_state"] == 3 and params["device"] == "cpu"
    assert PRESETS[name], "a preset holds at least one setting"
    assert all(params[k] == v for k, v in PRESETS[name].items())
    # Presets are valid parameters: a short fit with them runs.
    clone(sampler).set_params(n_iter=2, n_iter_pretrain=2, seq_len=6).fit(
        make_sines(20, seq_len=6, n_channels=2, random_state=0)
    )


def test_preset_rejects_unknown_names_and_parameters():
    with pytest.raises(ValueError, match="name must be one of"):
        TimeGANSampler.preset("weather")
    with pytest.raises(ValueError, match="Invalid parameter 'epochs'"):
        TimeGANSampler.preset("timegan-2019", epochs=3)


def test_hidden_dim_auto_is_four_times_channels(sines):
    sampler = small_sampler(TimeGANSampler, hidden_dim="auto").fit(sines)
    assert sampler.hidden_dim_ == 12
    assert sampler.embedder_.head.out_features == 12


def test_lstm_cell(sines):
    sampler = small_sampler(TimeGANSampler, cell="lstm").fit(sines)
    assert isinstance(sampler.generator_.rnn, torch.nn.LSTM)
    assert sampler.sample(2).shape == (2, 3, 6)


def test_fit_ignores_global_torch_seed(sines):
    torch.random.manual_seed(123)
    a = small_sampler(TimeGANSampler).fit(sines).sample(3, random_state=0)
    torch.random.manual_seed(456)
    b = small_sampler(TimeGANSampler).fit(sines).sample(3, random_state=0)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "X, match",
    [
        (np.zeros(10), "1 dimension"),
        (np.zeros((4, 2, 6, 2)), "4 dimension"),
        (np.full((5, 2, 6), np.nan), "NaN"),
        (np.full((5, 2, 6), np.inf), "infinity"),
        (np.zeros((1, 2, 6)), "minimum of 2"),
        (np.zeros((5, 6)), "seq_len"),
        (np.zeros((5, 2, 7)), "seq_len"),
        (pd.Series(np.zeros(20)), "1-D"),
        (pd.DataFrame({"a": np.arange(20.0), "b": ["x"] * 20}), "numeric"),
    ],
)
def test_bad_input_raises_clear_error(X, match):
    with pytest.raises(ValueError, match=match):
        small_sampler(TimeGANSampler).fit(X)


def test_variable_length_panel_needs_seq_len_auto_or_its_longest_length():
    panel = convert_to(np.zeros((3, 2, 6)), to_type="df-list")
    panel[1] = panel[1].iloc[:4]
    with pytest.raises(ValueError, match="longest of its lengths.*seq_len='auto'"):
        small_sampler(TimeGANSampler, seq_len=5).fit(panel)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"seq_len": 0}, "seq_len"),
        ({"num_layers": 1}, "num_layers"),
        ({"cell": "rnn"}, "cell"),
        ({"hidden_dim": "big"}, "hidden_dim"),
        ({"learning_rate": -1.0}, "learning_rate"),
        ({"n_iter_pretrain": 0}, "n_iter_pretrain"),
        ({"device": "tpu"}, "device"),
    ],
)
def test_bad_parameters_raise_clear_error(params, match, sines):
    with pytest.raises(ValueError, match=match):
        small_sampler(TimeGANSampler, **params).fit(sines)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_unavailable_device_is_a_clear_error(sines):
    with pytest.raises(ValueError, match="CUDA is not available"):
        small_sampler(TimeGANSampler, device="cuda").fit(sines)


def test_divergence_names_phase_and_step(sines):
    sampler = small_sampler(TimeGANSampler, learning_rate=1e20, n_iter=20)
    with pytest.raises(
        FloatingPointError, match="became nan at step 10 of phase 'joint'"
    ):
        sampler.fit(sines)
    assert not hasattr(sampler, "device_")


def test_pickle_from_missing_device_falls_back_to_cpu(sines):
    import pickle

    sampler = small_sampler(TimeGANSampler).fit(sines)
    sampler.device_ = torch.device("cuda", 7)
    with pytest.warns(UserWarning, match="run on the CPU"):
        restored = pickle.loads(pickle.dumps(sampler))
    assert restored.device_ == torch.device("cpu")
    assert restored.sample(2).shape == (2, 3, 6)


def test_load_rejects_other_files(tmp_path, sines):
    path = tmp_path / "not_a_model.pt"
    torch.save({"weights": torch.zeros(2)}, path)
    with pytest.raises(ValueError, match="not a sksynth model"):
        TimeGANSampler.load(path)
    path.write_text("hello")
    with pytest.raises(ValueError, match="not a sksynth model"):
        TimeGANSampler.load(path)


def test_clone_of_fitted_sampler_is_unfitted(sines):
    sampler = small_sampler(TimeGANSampler).fit(sines)
    assert not hasattr(clone(sampler), "embedder_")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_fit_samples_like_cpu_and_pickles_to_cpu(sines):
    import pickle

    sampler = small_sampler(TimeGANSampler, device="cuda").fit(sines)
    assert sampler.device_.type == "cuda"
    assert sampler.__sklearn_tags__().non_deterministic
    draws = sampler.sample(4, random_state=0)
    state = pickle.loads(pickle.dumps(sampler))
    assert_same_samples(draws, state.sample(4, random_state=0))


def test_pickling_leaves_the_fitted_modules_in_place(sines):
    import pickle

    sampler = small_sampler(TimeGANSampler).fit(sines)
    generator = sampler.generator_
    pickle.dumps(sampler)
    assert sampler.generator_ is generator


def test_refit_drops_attributes_of_the_earlier_fit():
    frame = pd.DataFrame(np.random.default_rng(0).random((30, 2)), columns=["a", "b"])
    sampler = small_sampler(TimeGANSampler).fit(frame)
    assert hasattr(sampler, "feature_names_in_")
    sampler.fit(frame.to_numpy())
    assert not hasattr(sampler, "feature_names_in_")
    assert isinstance(sampler.sample(2), np.ndarray)


def test_sample_request_too_large_for_memory_fails_at_once(sines):
    sampler = small_sampler(TimeGANSampler).fit(sines)
    with pytest.raises(ValueError, match=r"n_samples=100000000000 .* GiB"):
        sampler.sample(10**11)


@pytest.mark.parametrize("latent", ["step", "sequence"])
def test_ema_decay_samples_from_averaged_generating_networks(latent, sines):
    last = small_sampler(TimeGANSampler, latent=latent).fit(sines)
    # A decay of 0 averages nothing: the last weights exactly.
    assert_same_samples(
        last.sample(20, random_state=0),
        small_sampler(TimeGANSampler, latent=latent, ema_decay=0.0)
        .fit(sines)
        .sample(20, random_state=0),
    )
    averaged = small_sampler(TimeGANSampler, latent=latent, ema_decay=0.9).fit(sines)
    assert averaged.history_ == last.history_  # training itself is unchanged
    generating = ["generator_"] + (["supervisor_", "recovery_"] * (latent == "step"))
    for name in ["embedder_", "recovery_", "generator_", "discriminator_"]:
        same = all(
            torch.equal(a, b)
            for a, b in zip(
                getattr(averaged, name).state_dict().values(),
                getattr(last, name).state_dict().values(),
                strict=True,
            )
        )
        assert same == (name not in generating), name
    assert_same_samples(
        averaged.sample(10, random_state=1), averaged.sample(10, random_state=1)
    )
