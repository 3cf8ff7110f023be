"""Tests of sksynth.evaluation on small data with few training steps."""

import pickle
from types import SimpleNamespace

import joblib
import matplotlib
import numpy as np
import pandas as pd
import pytest
import torch
from matplotlib.figure import Figure
from sklearn.base import BaseEstimator
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_validate, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OrdinalEncoder

from sksynth.datasets import load_adult, make_sines
from sksynth.evaluation import (
    DCRResult,
    ScoreResult,
    TSTRResult,
    dcr_score,
    discriminative_score,
    make_sampler_scorer,
    plot_history,
    plot_marginals,
    plot_pca,
    plot_tsne,
    predictive_score,
    tstr_score,
)

matplotlib.use("Agg")

FAST = {"n_steps": 30, "device": "cpu", "random_state": 0}
UNSEEDED = {"n_steps": 30, "device": "cpu"}


def _with(X, value):
    X = X.copy()
    X[0, 0, 0] = value
    return X


@pytest.fixture(scope="module")
def sines():
    return make_sines(120, seq_len=10, n_channels=3, random_state=0)


@pytest.fixture(scope="module")
def other_sines():
    return make_sines(100, seq_len=10, n_channels=3, random_state=1)


@pytest.fixture(scope="module")
def adult():
    X, y = load_adult(return_X_y=True)
    return X.iloc[:3000].reset_index(drop=True), y.iloc[:3000].reset_index(drop=True)


def _to_multiindex(X3):
    from sktime.datatypes import convert_to

    return convert_to(X3, to_type="pd-multiindex")


# ---------------------------------------------------------------- ScoreResult


def test_score_result_summary_and_repr():
    result = ScoreResult([0.1, 0.2, 0.3])
    assert result.mean == pytest.approx(0.2)
    assert result.std == pytest.approx(np.std([0.1, 0.2, 0.3]))
    assert result.n_repeats == 3
    assert float(result) == pytest.approx(0.2)
    assert repr(result) == "ScoreResult(mean=0.2000, std=0.0816, n_repeats=3)"
    with pytest.raises(ValueError):
        result.values[0] = 1.0


@pytest.mark.parametrize("n_repeats", [0, -1, 1.5, True])
def test_bad_n_repeats(sines, other_sines, n_repeats):
    with pytest.raises(ValueError, match="n_repeats"):
        discriminative_score(sines, other_sines, n_repeats=n_repeats, **FAST)


# ------------------------------------------------------- discriminative score


def test_discriminative_panel_float_and_reproducible(sines, other_sines):
    first = discriminative_score(sines, other_sines, **FAST)
    second = discriminative_score(sines, other_sines, **FAST)
    assert isinstance(first, float)
    assert 0.0 <= first <= 0.5
    assert first == second


@pytest.mark.parametrize("metric", [discriminative_score, predictive_score])
def test_metrics_leave_global_rng_alone(sines, other_sines, metric):
    torch_state = torch.random.get_rng_state()
    numpy_state = np.random.get_state()[1].copy()  # noqa: NPY002
    metric(sines, other_sines, **FAST)
    assert torch.equal(torch_state, torch.random.get_rng_state())
    assert np.array_equal(numpy_state, np.random.get_state()[1])  # noqa: NPY002


def test_discriminative_repeats(sines, other_sines):
    result = discriminative_score(sines, other_sines, n_repeats=3, **FAST)
    assert isinstance(result, ScoreResult)
    assert result.values.shape == (3,)
    # The first repeat is the single run with the same random_state.
    assert result.values[0] == discriminative_score(sines, other_sines, **FAST)
    # Parallel repeats give the same values (threads: no worker start-up cost).
    with joblib.parallel_config(backend="threading"):
        parallel = discriminative_score(
            sines, other_sines, n_repeats=3, n_jobs=2, **FAST
        )
    np.testing.assert_allclose(parallel.values, result.values)


def test_discriminative_separates_noise():
    # Six channels give the GRU three units, enough to learn this in 300 steps.
    sines = make_sines(120, seq_len=10, n_channels=6, random_state=0)
    noise = np.random.default_rng(0).uniform(size=sines.shape)
    score, auc = discriminative_score(
        sines, noise, n_steps=300, device="cpu", random_state=0, return_roc_auc=True
    )
    assert score > 0.35
    assert auc > 0.9


def test_post_hoc_networks_on_the_tensorflow_cell():
    from sksynth._core.nn import TFGRU
    from sksynth.evaluation._posthoc import make_classifier

    sines = make_sines(120, seq_len=10, n_channels=6, random_state=0)
    noise = np.random.default_rng(0).uniform(size=sines.shape)
    kwargs = {"device": "cpu", "random_state": 0, "cell": "tf-gru"}
    assert discriminative_score(sines, noise, n_steps=300, **kwargs) > 0.35
    junk = sines.copy()
    junk[:, -1, :] = np.random.default_rng(1).uniform(size=junk[:, -1, :].shape)
    assert predictive_score(sines, junk, n_steps=300, **kwargs) > predictive_score(
        sines, sines, n_steps=300, **kwargs
    )
    net = make_classifier(6, "cpu", "tf-gru").initialize()
    assert isinstance(net.module_.stack.rnn, TFGRU)


@pytest.mark.parametrize("score", [discriminative_score, predictive_score])
def test_unknown_post_hoc_cell_is_a_clear_error(score, sines, other_sines):
    with pytest.raises(ValueError, match="cell must be one of"):
        score(sines, other_sines, cell="rnn", **FAST)


def test_discriminative_accepts_sktime_panels(sines, other_sines):
    from_arrays = discriminative_score(sines, other_sines, **FAST)
    from_frames = discriminative_score(
        _to_multiindex(sines), _to_multiindex(other_sines), **FAST
    )
    assert from_frames == pytest.approx(from_arrays)


def test_discriminative_table_array():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(400, 3))
    same = discriminative_score(real, rng.normal(size=(400, 3)), random_state=0)
    shifted, auc = discriminative_score(
        real, rng.normal(2.0, size=(400, 3)), random_state=0, return_roc_auc=True
    )
    assert same < 0.15
    assert shifted > 0.35
    assert auc > 0.95


def test_discriminative_table_dataframe_with_categories(adult):
    X, _ = adult
    real, synth = X.iloc[:1500], X.iloc[1500:]
    score, auc = discriminative_score(real, synth, random_state=0, return_roc_auc=True)
    assert score < 0.1
    assert auc < 0.65
    # Shuffling one categorical column against the others is detectable.
    broken = synth.assign(
        education=synth["education"].sample(frac=1, random_state=0).to_numpy(),
        **{"educational-num": synth["educational-num"].to_numpy()[::-1]},
    )
    assert discriminative_score(real, broken, random_state=0) > score


def test_discriminative_custom_table_classifier():
    rng = np.random.default_rng(0)
    real, synth = rng.normal(size=(200, 2)), rng.normal(3.0, size=(200, 2))
    score = discriminative_score(
        real, synth, classifier=LogisticRegression(), random_state=0
    )
    assert score > 0.4


# ----------------------------------------------------------- predictive score


def test_predictive_float_and_baseline(sines, other_sines):
    score = predictive_score(sines, other_sines, **FAST)
    assert isinstance(score, float)
    assert 0.0 <= score <= 1.0
    synth_score, baseline = predictive_score(
        sines, other_sines, return_baseline=True, **FAST
    )
    assert synth_score == score
    # Trained on the real data, the "synthetic" score is the baseline.
    same, same_baseline = predictive_score(sines, sines, return_baseline=True, **FAST)
    assert same == same_baseline


def test_predictive_worse_on_uninformative_synthetic_data(sines):
    rng = np.random.default_rng(0)
    junk = sines.copy()
    junk[:, -1, :] = rng.uniform(size=junk[:, -1, :].shape)
    kwargs = {"n_steps": 300, "device": "cpu", "random_state": 0}
    assert predictive_score(sines, junk, **kwargs) > predictive_score(
        sines, sines, **kwargs
    )


def test_predictive_repeats(sines, other_sines):
    score, baseline = predictive_score(
        sines, other_sines, n_repeats=2, return_baseline=True, **FAST
    )
    assert isinstance(score, ScoreResult) and isinstance(baseline, ScoreResult)
    assert score.values.shape == baseline.values.shape == (2,)


def test_predictive_scale_is_fitted_on_real_data(sines, other_sines):
    unscaled = predictive_score(sines, other_sines, scale=True, **FAST)
    scaled = predictive_score(4 * sines - 3, 4 * other_sines - 3, scale=True, **FAST)
    assert scaled == pytest.approx(unscaled, abs=1e-5)


@pytest.mark.parametrize("side", ["real", "synth"])
def test_predictive_rejects_data_outside_unit_range(sines, other_sines, side):
    if side == "real":
        real, synth = sines * 3, other_sines
    else:
        real, synth = sines, other_sines - 1
    with pytest.raises(ValueError, match=r"\[0, 1\].*scale=True"):
        predictive_score(real, synth, **FAST)


def test_predictive_needs_two_channels(sines, other_sines):
    with pytest.raises(ValueError, match="at least 2 channels"):
        predictive_score(sines[:, :1], other_sines[:, :1], **FAST)


def test_predictive_rejects_tables():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="2-D table"):
        predictive_score(rng.uniform(size=(50, 3)), rng.uniform(size=(50, 3)), **FAST)


# ------------------------------------------------------------- bad panel input


BAD_PANELS = {
    "channels": (lambda r, s: (r, s[:, :2]), "same number of channels"),
    "length": (lambda r, s: (r, s[:, :, :8]), "same sequence length"),
    "one real": (lambda r, s: (r[:1], s), "at least 2 sequences in X_real"),
    "one synth": (lambda r, s: (r, s[:1]), "at least 2 sequences in X_synth"),
    "nan": (lambda r, s: (_with(r, np.nan), s), "X_real contains NaN or infinite"),
    "inf": (lambda r, s: (r, _with(s, np.inf)), "X_synth contains NaN or infinite"),
    "table": (lambda r, s: (r, s[:, :, 0]), "2-D table"),
}


@pytest.mark.parametrize("metric", [discriminative_score, predictive_score])
@pytest.mark.parametrize("case", list(BAD_PANELS))
def test_bad_panel_input(sines, other_sines, metric, case):
    make, message = BAD_PANELS[case]
    real, synth = make(sines, other_sines)
    with pytest.raises(ValueError, match=message):
        metric(real, synth, **FAST)


def test_bad_table_input():
    rng = np.random.default_rng(0)
    real = pd.DataFrame(rng.normal(size=(20, 2)), columns=["a", "b"])
    with pytest.raises(ValueError, match="same columns"):
        discriminative_score(real, real.rename(columns={"b": "c"}))
    with pytest.raises(ValueError, match="at least 2 rows"):
        discriminative_score(real, real.iloc[:1])
    with pytest.raises(ValueError, match="infinite"):
        discriminative_score(real, real.assign(a=np.inf))
    with pytest.raises(ValueError, match="both be DataFrames"):
        discriminative_score(real, real.to_numpy())
    with pytest.raises(ValueError, match="test_size"):
        discriminative_score(real, real, test_size=1.5)


# -------------------------------------------------------------------- TSTR


def _adult_model():
    categorical = make_column_transformer(
        (
            OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1),
            ["workclass", "education", "marital-status", "occupation", "gender"],
        ),
        remainder="passthrough",
    )
    return make_pipeline(
        categorical, HistGradientBoostingClassifier(max_iter=30, random_state=0)
    )


def test_tstr_with_real_training_split_equals_trtr(adult):
    X, y = adult
    X = X.drop(columns=["relationship", "race", "native-country"])
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.3, random_state=0)
    result = tstr_score(_adult_model(), X_train, y_train, X, y, random_state=0)
    assert isinstance(result, TSTRResult)
    assert result.tstr == result.trtr
    assert result.gap == 0.0
    assert result.trtr > 0.75
    # Synthetic data with labels unrelated to the features score lower.
    shuffled = y_train.sample(frac=1, random_state=0).to_numpy()
    worse = tstr_score(_adult_model(), X_train, shuffled, X, y, random_state=0)
    assert worse.trtr == result.trtr
    assert worse.tstr < result.trtr - 0.05


def test_tstr_scoring_and_repeats():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] > 0).astype(int)
    result = tstr_score(
        LogisticRegression(), X[:100], y[:100], X, y, scoring="f1_macro", n_repeats=3
    )
    assert isinstance(result.tstr, ScoreResult) and result.tstr.n_repeats == 3
    assert result.trtr.mean > 0.9


def test_tstr_panel_with_sktime_classifier():
    from sktime.classification.distance_based import KNeighborsTimeSeriesClassifier

    rng = np.random.default_rng(0)
    X = make_sines(60, seq_len=8, n_channels=2, random_state=0)
    y = np.repeat([0, 1], 30)
    X[y == 1] += 0.5
    knn = KNeighborsTimeSeriesClassifier(n_neighbors=1, distance="euclidean")
    result = tstr_score(knn, _to_multiindex(X[::2]), y[::2], X, y, random_state=0)
    assert result.trtr == 1.0 and result.tstr == 1.0
    worse = tstr_score(knn, X[::2], rng.permutation(y[::2]), X, y, random_state=0)
    assert worse.tstr < 1.0


def test_tstr_rejects_length_mismatch():
    X = np.zeros((10, 2))
    with pytest.raises(ValueError, match="same length"):
        tstr_score(LogisticRegression(), X, np.zeros(9), X, np.zeros(10))


# --------------------------------------------------------------------- DCR


def test_dcr_flags_copies_and_passes_fresh_draws():
    rng = np.random.default_rng(0)
    train, holdout = rng.normal(size=(600, 4)), rng.normal(size=(600, 4))
    copied = dcr_score(train, train[:300], holdout)
    assert isinstance(copied, DCRResult)
    assert copied.share_closer == 1.0 and copied.exact_match_share == 1.0
    assert copied.risk_ratio == pytest.approx(20.0)
    fresh = dcr_score(train, rng.normal(size=(600, 4)), holdout)
    assert fresh.share_closer < 0.12
    assert fresh.exact_match_share == 0.0
    assert fresh.synth_distances.shape == (600,)
    assert set(fresh.synth_summary) == {"min", "p05", "median", "mean"}
    assert fresh.threshold == pytest.approx(np.quantile(fresh.holdout_distances, 0.05))


def test_dcr_dataframe_with_categories_and_missing_values(adult):
    X, _ = adult
    train, holdout = X.iloc[:1000], X.iloc[1000:2000]
    result = dcr_score(train, X.iloc[2000:], holdout)
    assert result.share_closer < 0.15
    noisy = train.assign(age=train["age"] + 0.5)
    assert dcr_score(train, noisy, holdout).share_closer > 0.5


def test_dcr_panels(sines, other_sines):
    result = dcr_score(sines, sines[:50], other_sines)
    assert result.exact_match_share == 1.0
    shifted = dcr_score(sines, other_sines, sines[:50] + 0.01)
    assert shifted.holdout_summary["min"] > 0
    assert shifted.holdout_exact_match_share == 0.0


def test_dcr_bad_input(sines):
    table = np.zeros((10, 3))
    with pytest.raises(ValueError, match="all be tables or all be panels"):
        dcr_score(table, sines, table)
    with pytest.raises(ValueError, match="same columns"):
        dcr_score(table, np.zeros((10, 2)), table)
    with pytest.raises(ValueError, match="same channels"):
        dcr_score(sines, sines[:, :2], sines)
    with pytest.raises(ValueError, match="quantile"):
        dcr_score(table, table, table, quantile=0)


# ------------------------------------------------------------------ scorer


class _JitterSampler(BaseEstimator):
    """A toy sampler: training sequences plus noise of a given size."""

    def __init__(self, noise=0.0, with_labels=False):
        self.noise = noise
        self.with_labels = with_labels

    def fit(self, X, y=None):
        self.X_ = np.asarray(X)
        return self

    def sample(self, n_samples=1, *, y=None, random_state=None):
        rng = np.random.default_rng(random_state)
        rows = self.X_[rng.integers(len(self.X_), size=n_samples)]
        draws = np.clip(rows + rng.normal(0, self.noise, size=rows.shape), 0, 1)
        if self.with_labels:
            return draws, np.zeros(n_samples) if y is None else np.asarray(y)
        return draws


def test_sampler_scorer_negates_lower_is_better(sines, other_sines):
    scorer = make_sampler_scorer("discriminative", random_state=0, **UNSEEDED)
    sampler = _JitterSampler(noise=0.2).fit(sines)
    synthetic = sampler.sample(len(other_sines), random_state=0)
    expected = discriminative_score(other_sines, synthetic, **FAST)
    assert scorer(sampler, other_sines) == -expected
    labelled = _JitterSampler(noise=0.2, with_labels=True).fit(sines)
    assert scorer(labelled, other_sines, np.ones(len(other_sines))) == -expected
    assert "discriminative_score" in repr(scorer)
    assert pickle.loads(pickle.dumps(scorer))(sampler, other_sines) == -expected


def test_sampler_scorer_in_cross_validate(sines):
    scorer = make_sampler_scorer("predictive", random_state=0, **UNSEEDED)
    scores = cross_validate(_JitterSampler(noise=0.05), sines, scoring=scorer, cv=2)[
        "test_score"
    ]
    assert scores.shape == (2,) and (scores < 0).all()


def test_sampler_scorer_tunes_timegan_in_grid_search():
    from sklearn.model_selection import GridSearchCV

    from sksynth import TimeGANSampler

    X = make_sines(40, seq_len=6, n_channels=2, random_state=0)
    sampler = TimeGANSampler(
        seq_len=6,
        n_iter=2,
        n_iter_pretrain=2,
        batch_size=16,
        device="cpu",
        random_state=0,
    )
    scorer = make_sampler_scorer("discriminative", random_state=0, **UNSEEDED)
    search = GridSearchCV(sampler, {"hidden_dim": [4, 6]}, scoring=scorer, cv=2)
    search.fit(X)
    scores = search.cv_results_["mean_test_score"]
    assert scores.shape == (2,) and (scores <= 0).all() and (scores >= -0.5).all()
    assert search.best_estimator_.hidden_dim in (4, 6)


def test_sampler_scorer_custom_metric(sines, other_sines):
    calls = []

    def mean_gap(X_real, X_synth, scale=1.0):
        calls.append((X_real, X_synth))
        return scale * abs(X_real.mean() - X_synth.mean())

    sampler = _JitterSampler(noise=0.2).fit(sines)
    synthetic = sampler.sample(len(other_sines), random_state=0)
    gap = abs(other_sines.mean() - synthetic.mean())
    assert gap > 0
    # The metric gets the held-out data, a draw of as many sequences and the
    # keyword arguments; its value keeps its sign where greater is better.
    scorer = make_sampler_scorer(
        mean_gap, greater_is_better=True, random_state=0, scale=2.0
    )
    assert scorer(sampler, other_sines) == 2 * gap
    ((X_real, X_synth),) = calls
    assert X_real is other_sines
    np.testing.assert_array_equal(X_synth, synthetic)
    assert make_sampler_scorer(mean_gap, random_state=0)(sampler, other_sines) == -gap
    with pytest.raises(ValueError, match="metric must be one of"):
        make_sampler_scorer("fidelity")


# ------------------------------------------------------------------- plots


@pytest.mark.parametrize("plot", [plot_pca, plot_tsne])
def test_embedding_plots(plot, sines, other_sines, tmp_path):
    figure = plot(sines, other_sines, n_samples=50, random_state=0)
    assert isinstance(figure, Figure)
    (ax,) = figure.axes
    assert [text.get_text() for text in ax.get_legend().get_texts()] == [
        "real",
        "synthetic",
    ]
    assert len(ax.collections[0].get_offsets()) == 50
    figure.savefig(tmp_path / "embedding.png")


def test_pca_plot_on_table_and_given_axes(adult):
    X, _ = adult
    figure = Figure()
    ax = figure.add_subplot()
    assert plot_pca(X.iloc[:200], X.iloc[200:400], ax=ax) is figure


def test_marginals_table_and_panel(adult, sines, other_sines, tmp_path):
    X, _ = adult
    figure = plot_marginals(X.iloc[:300], X.iloc[300:600], columns=["age", "gender"])
    assert [ax.get_title() for ax in figure.axes] == ["age", "gender"]
    figure.savefig(tmp_path / "marginals.png")
    panel_figure = plot_marginals(sines, other_sines, n_cols=2)
    assert [ax.get_visible() for ax in panel_figure.axes] == [True, True, True, False]
    with pytest.raises(ValueError, match="not in the data"):
        plot_marginals(X.iloc[:10], X.iloc[10:20], columns=["salary"])


def test_history_plot(tmp_path):
    history = [
        {"phase": phase, "step": step, "loss": 1.0 / step}
        for phase in ("autoencoder", "joint")
        for step in (10, 20, 30)
    ]
    figure = plot_history(SimpleNamespace(history_=history), log_scale=True)
    assert [ax.get_title() for ax in figure.axes] == ["autoencoder", "joint"]
    assert len(figure.axes[0].lines) == 1
    figure.savefig(tmp_path / "history.png")
    assert isinstance(plot_history(pd.DataFrame(history)), Figure)
    with pytest.raises(ValueError, match="history"):
        plot_history([])


# ------------------------------------------------- unequal-length, labelled panels


def _cut(X3, seed):
    """A df-list panel of X3's sequences cut at random lengths from 4 up."""
    from sktime.datatypes import convert_to

    rng = np.random.default_rng(seed)
    frames = convert_to(X3, to_type="df-list")
    return [f.iloc[: rng.integers(4, X3.shape[2] + 1)] for f in frames]


def test_last_step_classifier_reads_each_sequence_up_to_its_length():
    from sksynth.evaluation._posthoc import LastStepClassifier

    torch.manual_seed(0)
    net = LastStepClassifier(3)
    x = torch.rand(4, 7, 3)
    lengths = torch.tensor([7, 3, 5, 2])
    padded = x.clone()
    for row, n in enumerate(lengths):
        padded[row, n:] = 9.0
    logits = net(padded, lengths)
    for row, n in enumerate(lengths):
        torch.testing.assert_close(logits[row], net(x[row : row + 1, :n])[0])


def test_masked_l1_loss_skips_nan_targets():
    from sksynth.evaluation._posthoc import MaskedL1Loss

    prediction = torch.tensor([[0.5], [0.2], [0.9]])
    target = torch.tensor([[1.0], [float("nan")], [0.4]])
    assert float(MaskedL1Loss()(prediction, target)) == pytest.approx(0.5)


@pytest.mark.parametrize("mtype", ["df-list", "nested_univ", "pd-multiindex"])
def test_discriminative_score_reads_unequal_panels_in_every_mtype(
    mtype, sines, other_sines
):
    from sktime.datatypes import convert_to

    real, synth = _cut(sines, 0), _cut(other_sines, 1)
    expected = discriminative_score(real, synth, **FAST)
    if mtype != "df-list":
        real = convert_to(real, to_type=mtype)
        synth = convert_to(synth, to_type=mtype)
    assert discriminative_score(real, synth, **FAST) == expected
    assert 0 <= expected <= 0.5


def test_discriminative_score_tells_unequal_panels_apart_by_their_values(sines):
    real = _cut(sines, 0)
    shifted = [frame + 1.0 for frame in _cut(sines, 1)]
    score = discriminative_score(
        real, shifted, n_steps=300, device="cpu", random_state=0
    )
    assert score > 0.3


def test_an_unequal_panel_may_be_compared_with_a_numpy3d_one(sines, other_sines):
    score = discriminative_score(_cut(sines, 0), other_sines, **FAST)
    assert 0 <= score <= 0.5


def test_predictive_score_on_unequal_panels_scores_each_sequence_to_its_end(
    sines, other_sines
):
    real, synth = _cut(sines, 0), _cut(other_sines, 1)
    mae, baseline = predictive_score(real, synth, return_baseline=True, **FAST)
    # NaN would show padding read as a target.
    assert 0 <= mae <= 1 and 0 <= baseline <= 1


def test_predictive_score_rejects_sequences_shorter_than_two(sines, other_sines):
    real = _cut(sines, 0)
    real[0] = real[0].iloc[:1]
    with pytest.raises(ValueError, match="at least 2 time points, got 1"):
        predictive_score(real, _cut(other_sines, 1), **FAST)


def _panel_features(X):
    """Each sequence's per-channel mean, std and length: a table."""
    from sksynth._core.panels import panel_kind, panel_to_padded

    X3, lengths, _ = panel_to_padded(X, panel_kind(X))
    return np.column_stack([np.nanmean(X3, axis=2), np.nanstd(X3, axis=2), lengths])


def _labelled_unequal(seed):
    rng = np.random.default_rng(seed)
    y = np.array(["low", "high"] * 20)
    frames = [
        pd.DataFrame(
            rng.uniform(size=(int(rng.integers(4, 9)), 2)) + (label == "high"),
            columns=["a", "b"],
        )
        for label in y
    ]
    return frames, y


def test_tstr_with_a_sklearn_pipeline_on_labelled_unequal_panels():
    X_synth, y_synth = _labelled_unequal(0)
    X_real, y_real = _labelled_unequal(1)
    model = make_pipeline(
        FunctionTransformer(_panel_features), LogisticRegression(max_iter=500)
    )
    result = tstr_score(model, X_synth, y_synth, X_real, y_real, random_state=0)
    assert result.tstr == pytest.approx(1.0) and result.trtr == pytest.approx(1.0)


@pytest.mark.filterwarnings("ignore:Data seen by SklearnClassifierPipeline")
def test_tstr_with_an_sktime_classifier_on_unequal_panels():
    from sktime.classification.compose import SklearnClassifierPipeline
    from sktime.datatypes import convert_to
    from sktime.transformations.series.summarize import SummaryTransformer

    X_synth, y_synth = _labelled_unequal(0)
    X_real, y_real = _labelled_unequal(1)
    real = convert_to(X_real, to_type="pd-multiindex")
    model = SklearnClassifierPipeline(LogisticRegression(), [SummaryTransformer()])
    result = tstr_score(model, X_synth, y_synth, real, y_real, random_state=0)
    assert result.tstr > 0.9 and result.trtr > 0.9


def test_tstr_on_a_conditional_timegan_sample():
    from sksynth import TimeGANSampler

    X_real, y_real = _labelled_unequal(1)
    sampler = TimeGANSampler(
        seq_len="auto",
        hidden_dim=4,
        n_iter=3,
        n_iter_pretrain=3,
        batch_size=8,
        device="cpu",
    )
    X_synth, y_synth = sampler.fit(X_real, y_real).sample(30, random_state=0)
    model = make_pipeline(
        FunctionTransformer(_panel_features), LogisticRegression(max_iter=500)
    )
    result = tstr_score(model, X_synth, y_synth, X_real, y_real, random_state=0)
    assert 0 <= result.tstr <= 1 and result.trtr == pytest.approx(1.0)


@pytest.mark.parametrize("plot", [plot_pca, plot_tsne])
def test_embedding_plots_on_unequal_panels(plot, sines, other_sines):
    figure = plot(_cut(sines, 0), _cut(other_sines, 1), random_state=0)
    assert isinstance(figure, Figure)


def test_marginals_of_unequal_panels_count_the_existing_steps_only(sines):
    real = _cut(sines, 0)
    figure = plot_marginals(real, _cut(sines, 1))
    heights = sum(patch.get_height() for patch in figure.axes[0].patches)
    assert np.isfinite(heights) and heights > 0
