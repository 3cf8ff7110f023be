"""Tests of SamplingPipeline, make_sampling_pipeline and GANOverSampler."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import Pipeline as ImbPipeline
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.preprocessing import FunctionTransformer, Normalizer, StandardScaler
from sktime.datatypes import convert_to

from sksynth import GANSampler, TimeGANSampler
from sksynth.evaluation import make_sampler_scorer
from sksynth.pipeline import GANOverSampler, SamplingPipeline, make_sampling_pipeline
from sksynth.utils.estimator_checks import small_sampler


class GaussianSampler(BaseEstimator):
    """A fast stand-in sampler: independent Gaussians per column (and class).

    ``scale`` multiplies the fitted standard deviations, so a grid search can
    tell a good setting (1.0) from a bad one.
    """

    def __init__(self, *, scale=1.0, conditional=True, random_state=None):
        self.scale = scale
        self.conditional = conditional
        self.random_state = random_state

    def fit(self, X, y=None):
        self.columns_ = X.columns if isinstance(X, pd.DataFrame) else None
        data = np.asarray(X, dtype=float)
        self.n_features_in_ = data.shape[1]
        if y is not None and self.conditional:
            y = np.asarray(y)
            self.classes_ = np.unique(y)
            self.moments_ = {
                c: (data[y == c].mean(0), data[y == c].std(0)) for c in self.classes_
            }
        else:
            self.moments_ = {None: (data.mean(0), data.std(0))}
        return self

    def sample(self, n_samples=1, *, y=None, random_state=None):
        rng = np.random.default_rng(random_state)
        if hasattr(self, "classes_"):
            labels = np.broadcast_to(
                self.classes_[0] if y is None else np.asarray(y), (n_samples,)
            ).copy()
        else:
            labels = np.full(n_samples, None)
        X = np.empty((n_samples, self.n_features_in_))
        for label in np.unique(labels.astype(str)):
            rows = labels.astype(str) == label
            mean, std = self.moments_[labels[rows][0]]
            X[rows] = rng.normal(mean, self.scale * std, size=(rows.sum(), len(mean)))
        if self.columns_ is not None:
            X = pd.DataFrame(X, columns=self.columns_)
        return (X, labels) if hasattr(self, "classes_") else X


class RecordingClassifier(ClassifierMixin, BaseEstimator):
    """Logistic regression that records the number of rows it sees per call."""

    def fit(self, X, y):
        self.fit_rows_ = len(X)
        self.model_ = LogisticRegression().fit(X, y)
        self.classes_ = self.model_.classes_
        self.predict_rows_ = []
        return self

    def predict(self, X):
        self.predict_rows_.append(len(X))
        return self.model_.predict(X)


def _imbalanced(n_major=60, n_minor=15, n_features=3, seed=0):
    rng = np.random.default_rng(seed)
    X = np.vstack(
        [
            rng.normal(0.0, 1.0, size=(n_major, n_features)),
            rng.normal(2.0, 1.0, size=(n_minor, n_features)),
        ]
    )
    y = np.array([0] * n_major + [1] * n_minor)
    return X, y


def _three_classes(seed=0):
    rng = np.random.default_rng(seed)
    counts = {"a": 40, "b": 25, "c": 10}
    X = np.vstack(
        [rng.normal(i, 1.0, size=(n, 2)) for i, n in enumerate(counts.values())]
    )
    y = np.repeat(list(counts), list(counts.values()))
    return X, y


# --------------------------------------------------------------------------
# SamplingPipeline
# --------------------------------------------------------------------------


def test_sampling_pipeline_samples_in_original_units():
    rng = np.random.default_rng(0)
    X = rng.normal(1000.0, 50.0, size=(400, 3))
    pipe = make_sampling_pipeline(StandardScaler(), GaussianSampler())
    pipe.fit(X)
    # The sampler itself lives in standardized units ...
    inner = pipe[-1].sample(2000, random_state=0)
    assert abs(inner.mean()) < 0.2
    # ... and the pipeline maps its draws back.
    samples = pipe.sample(2000, random_state=0)
    assert samples.shape == (2000, 3)
    np.testing.assert_allclose(samples.mean(axis=0), 1000.0, atol=10.0)
    np.testing.assert_allclose(samples.std(axis=0), 50.0, rtol=0.15)


def test_sampling_pipeline_timegan_long_series_in_original_units():
    rng = np.random.default_rng(0)
    series = 1000.0 + 50.0 * np.cumsum(rng.normal(size=(120, 2)), axis=0) / 10
    pipe = make_sampling_pipeline(
        StandardScaler(),
        TimeGANSampler(
            seq_len=6,
            n_iter=5,
            n_iter_pretrain=5,
            hidden_dim=4,
            device="cpu",
            random_state=0,
        ),
    )
    windows = pipe.fit(series).sample(50, random_state=0)
    # numpy3D windows (n_instances, n_channels, n_timepoints), in the series' units.
    assert windows.shape == (50, 2, 6)
    low, high = series.min(axis=0), series.max(axis=0)
    assert np.all(windows.min(axis=(0, 2)) >= low - 1e-6)
    assert np.all(windows.max(axis=(0, 2)) <= high + 1e-6)
    assert 900 < windows.mean() < 1100


def test_sampling_pipeline_maps_pandas_output_back_to_input_columns():
    rng = np.random.default_rng(1)
    X = pd.DataFrame(
        rng.normal(1000.0, 50.0, size=(300, 2)), columns=["height", "weight"]
    )
    scaler = StandardScaler().set_output(transform="pandas")
    pipe = make_sampling_pipeline(scaler, GaussianSampler())
    pipe.fit(X)
    # The scaler handed the sampler a DataFrame, so it samples one ...
    assert list(pipe[-1].columns_) == ["height", "weight"]
    samples = pipe.sample(500, random_state=0)
    # ... and the pipeline returns a DataFrame with the input's columns.
    assert isinstance(samples, pd.DataFrame)
    assert list(samples.columns) == ["height", "weight"]
    assert samples.shape == (500, 2)
    assert 950 < samples["height"].mean() < 1050


def test_sampling_pipeline_returns_labels_of_conditional_sampler():
    X, y = _imbalanced()
    pipe = make_sampling_pipeline(StandardScaler(), GaussianSampler()).fit(X, y)
    X_new, y_new = pipe.sample(6, y=[0, 0, 0, 1, 1, 1], random_state=0)
    assert X_new.shape == (6, 3)
    np.testing.assert_array_equal(y_new, [0, 0, 0, 1, 1, 1])


def test_sampling_pipeline_chains_several_inverses_and_skips_passthrough():
    rng = np.random.default_rng(2)
    X = np.exp(rng.normal(3.0, 0.5, size=(500, 2)))
    pipe = make_sampling_pipeline(
        FunctionTransformer(np.log, inverse_func=np.exp),
        "passthrough",
        StandardScaler(),
        GaussianSampler(),
    )
    samples = pipe.fit(X).sample(3000, random_state=0)
    assert np.all(samples > 0)
    np.testing.assert_allclose(np.median(samples, axis=0), np.exp(3.0), rtol=0.1)


def test_sampling_pipeline_rejects_step_without_inverse_transform():
    X, _ = _imbalanced()
    pipe = make_sampling_pipeline(Normalizer(), GaussianSampler())
    with pytest.raises(
        TypeError, match="'normalizer' \\(Normalizer\\) has no inverse_transform"
    ):
        pipe.fit(X)
    columns = ColumnTransformer([("scale", StandardScaler(), [0, 1])])
    pipe = SamplingPipeline([("columns", columns), ("sampler", GaussianSampler())])
    with pytest.raises(TypeError, match="inverse_transform"):
        pipe.fit(X)


def test_sampling_pipeline_rejects_final_step_without_sample():
    X, y = _imbalanced()
    pipe = make_sampling_pipeline(StandardScaler(), LogisticRegression())
    with pytest.raises(TypeError, match="must be a sampler"):
        pipe.fit(X, y)


def test_sampling_pipeline_sample_before_fit_raises():
    from sklearn.exceptions import NotFittedError

    pipe = make_sampling_pipeline(
        StandardScaler(),
        TimeGANSampler(seq_len=4, n_iter=2, n_iter_pretrain=2, device="cpu"),
    )
    with pytest.raises(NotFittedError):
        pipe.sample(3)


def test_sampling_pipeline_inherits_params_clone_and_memory(tmp_path):
    pipe = make_sampling_pipeline(
        StandardScaler(), GaussianSampler(), memory=str(tmp_path), verbose=False
    )
    assert isinstance(pipe, SamplingPipeline)
    assert [name for name, _ in pipe.steps] == ["standardscaler", "gaussiansampler"]
    pipe.set_params(gaussiansampler__scale=2.0)
    copy = clone(pipe)
    assert isinstance(copy, SamplingPipeline)
    assert copy.get_params()["gaussiansampler__scale"] == 2.0
    X, _ = _imbalanced()
    copy.fit(X)
    assert any(tmp_path.iterdir())  # the scaler's fit was cached
    assert copy.sample(4, random_state=0).shape == (4, 3)


def test_grid_search_tunes_sampler_in_pipeline_with_custom_scorer():
    rng = np.random.default_rng(3)
    X = rng.normal(1000.0, 50.0, size=(300, 2))

    def moment_gap(estimator, X_test, y=None):
        synthetic = estimator.sample(len(X_test), random_state=0)
        return -float(np.abs(synthetic.std(0) - X_test.std(0)).mean())

    pipe = make_sampling_pipeline(StandardScaler(), GaussianSampler())
    search = GridSearchCV(
        pipe, {"gaussiansampler__scale": [0.2, 1.0, 5.0]}, scoring=moment_gap, cv=3
    )
    search.fit(X)
    assert search.best_params_ == {"gaussiansampler__scale": 1.0}
    assert isinstance(search.best_estimator_, SamplingPipeline)


# --------------------------------------------------------------------------
# GANOverSampler
# --------------------------------------------------------------------------


def test_gan_oversampler_has_no_transform():
    augment = GANOverSampler(GaussianSampler())
    assert not hasattr(augment, "transform")
    assert not hasattr(augment, "fit_transform")
    assert hasattr(augment, "fit_resample")


@pytest.mark.parametrize("conditional", [True, False])
@pytest.mark.parametrize(
    "strategy",
    [0.5, 1.0, "auto", "minority", "not majority", "all", {1: 40}],
)
def test_gan_oversampler_counts_match_random_oversampler_binary(strategy, conditional):
    X, y = _imbalanced()
    expected = RandomOverSampler(sampling_strategy=strategy).fit_resample(X, y)[1]
    augment = GANOverSampler(
        GaussianSampler(conditional=conditional),
        sampling_strategy=strategy,
        random_state=0,
    )
    X_res, y_res = augment.fit_resample(X, y)
    assert Counter(y_res.tolist()) == Counter(expected.tolist())
    assert X_res.shape == (len(y_res), X.shape[1])
    # The real rows come first, unchanged.
    np.testing.assert_array_equal(X_res[: len(X)], X)
    np.testing.assert_array_equal(y_res[: len(y)], y)


@pytest.mark.parametrize(
    "strategy",
    [
        "auto",
        "minority",
        "not minority",
        "all",
        {"b": 30, "c": 35},
        lambda y: {"c": 20},
    ],
)
def test_gan_oversampler_counts_match_random_oversampler_multiclass(strategy):
    X, y = _three_classes()
    expected = RandomOverSampler(sampling_strategy=strategy).fit_resample(X, y)[1]
    augment = GANOverSampler(
        GaussianSampler(), sampling_strategy=strategy, random_state=0
    )
    _, y_res = augment.fit_resample(X, y)
    assert Counter(y_res.tolist()) == Counter(expected.tolist())


def test_gan_oversampler_rejects_float_for_multiclass_like_imblearn():
    X, y = _three_classes()
    with pytest.raises(ValueError, match="binary"):
        GANOverSampler(GaussianSampler(), sampling_strategy=0.5).fit_resample(X, y)


def test_gan_oversampler_draws_class_conditional_rows():
    X, y = _imbalanced(n_major=200, n_minor=50)
    for conditional in (True, False):
        augment = GANOverSampler(
            GaussianSampler(conditional=conditional), random_state=0
        )
        X_res, y_res = augment.fit_resample(X, y)
        synthetic = X_res[len(X) :]
        assert np.all(y_res[len(y) :] == 1)
        # Minority rows are centred on 2, majority rows on 0.
        np.testing.assert_allclose(synthetic.mean(axis=0), 2.0, atol=0.3)
    assert set(augment.samplers_) == {1}


def test_gan_oversampler_is_reproducible_and_seeds_clones():
    X, y = _imbalanced()
    first = GANOverSampler(GaussianSampler(), random_state=7).fit_resample(X, y)
    second = GANOverSampler(GaussianSampler(), random_state=7).fit_resample(X, y)
    third = GANOverSampler(GaussianSampler(), random_state=8).fit_resample(X, y)
    np.testing.assert_array_equal(first[0], second[0])
    assert not np.array_equal(first[0], third[0])
    augment = GANOverSampler(GaussianSampler(), random_state=7).fit(X, y)
    assert augment.sampling_strategy_ == {1: 45}


def test_gan_oversampler_keeps_dataframe_and_series():
    X, y = _imbalanced()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    labels = pd.Series(np.where(y == 1, "yes", "no"), name="label")
    X_res, y_res = GANOverSampler(GaussianSampler(), random_state=0).fit_resample(
        frame, labels
    )
    assert isinstance(X_res, pd.DataFrame) and isinstance(y_res, pd.Series)
    assert list(X_res.columns) == ["a", "b", "c"]
    assert (X_res.dtypes == frame.dtypes).all()
    assert y_res.name == "label"
    assert y_res.value_counts().to_dict() == {"no": 60, "yes": 60}
    pd.testing.assert_frame_equal(X_res.iloc[: len(frame)], frame)


def test_gan_oversampler_with_timegan_fits_one_conditional_model():
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(30, 2, 5))
    y = np.array([0] * 24 + [1] * 6)
    sampler = TimeGANSampler(
        seq_len=5, n_iter=3, n_iter_pretrain=3, hidden_dim=4, device="cpu"
    )
    augment = GANOverSampler(sampler, random_state=0)
    X_res, y_res = augment.fit_resample(X, y)
    assert X_res.shape == (48, 2, 5)
    assert Counter(y_res.tolist()) == {0: 24, 1: 24}
    assert set(augment.samplers_) == {1}
    np.testing.assert_array_equal(augment.samplers_[1].classes_, [0, 1])
    np.testing.assert_array_equal(augment.samplers_[1].class_counts_, [24, 6])
    assert augment.n_features_in_ == 2


@pytest.mark.parametrize("mtype", ["df-list", "nested_univ"])
def test_gan_oversampler_augments_unequal_length_panels(mtype):
    rng = np.random.default_rng(0)
    frames = [
        pd.DataFrame(rng.uniform(size=(int(n), 2)), columns=["a", "b"])
        for n in rng.integers(3, 7, size=20)
    ]
    X = frames if mtype == "df-list" else convert_to(frames, to_type="nested_univ")
    y = np.array(["major"] * 15 + ["minor"] * 5)
    sampler = TimeGANSampler(
        seq_len="auto",
        n_iter=3,
        n_iter_pretrain=3,
        hidden_dim=4,
        device="cpu",
        random_state=0,
    )
    X_res, y_res = GANOverSampler(sampler, random_state=0).fit_resample(X, y)
    assert Counter(y_res.tolist()) == {"major": 15, "minor": 15}
    assert len(X_res) == 30 and type(X_res) is type(X)
    real_lengths = {len(f) for f in frames[15:]}
    if mtype == "df-list":
        assert all(list(f.columns) == ["a", "b"] for f in X_res)
        assert {len(f) for f in X_res[20:]} <= real_lengths
    else:
        assert list(X_res.columns) == ["a", "b"]
        assert {len(cell) for cell in X_res.iloc[20:, 0]} <= real_lengths


def test_gan_oversampler_in_imblearn_pipeline_adds_rows_during_fit_only():
    X, y = _imbalanced(n_major=80, n_minor=20)
    pipe = ImbPipeline(
        [
            ("aug", GANOverSampler(GaussianSampler(), random_state=0)),
            ("clf", RecordingClassifier()),
        ]
    )
    cv = StratifiedKFold(n_splits=4, shuffle=True, random_state=0)
    scores = cross_val_score(pipe, X, y, cv=cv, scoring="accuracy")
    assert scores.shape == (4,) and np.all(scores > 0.7)

    # One fold by hand: the classifier saw real + synthetic rows in fit and
    # only the real test rows in predict.
    train, test = next(cv.split(X, y))
    pipe.fit(X[train], y[train])
    n_major = int((y[train] == 0).sum())
    clf = pipe.named_steps["clf"]
    assert clf.fit_rows_ == 2 * n_major > len(train)
    pipe.predict(X[test])
    assert clf.predict_rows_ == [len(test)]


# --------------------------------------------------------------------------
# With GANSampler and the evaluation module
# --------------------------------------------------------------------------


def test_sampling_pipeline_with_gan_sampler_samples_in_original_units():
    rng = np.random.default_rng(0)
    X = rng.normal(1000.0, 50.0, size=(300, 2))
    pipe = make_sampling_pipeline(StandardScaler(), small_sampler(GANSampler)).fit(X)
    inner = pipe[-1].sample(1000, random_state=0)
    samples = pipe.sample(1000, random_state=0)
    assert samples.shape == (1000, 2)
    # The GAN learned standardized data; the pipeline returns original units.
    assert np.all(np.abs(inner.mean(axis=0)) < 2.0)
    assert np.all(np.abs(samples.mean(axis=0) - 1000.0) < 100.0)
    assert np.all((samples.std(axis=0) > 10.0) & (samples.std(axis=0) < 250.0))


def test_grid_search_tunes_gan_sampler_with_make_sampler_scorer():
    rng = np.random.default_rng(0)
    X = rng.normal(1000.0, 50.0, size=(240, 2))
    pipe = make_sampling_pipeline(StandardScaler(), small_sampler(GANSampler))
    grid = {"gansampler__epochs": [1, 10]}
    scorer = make_sampler_scorer("discriminative", random_state=0)
    search = GridSearchCV(pipe, grid, scoring=scorer, cv=3).fit(X)
    scores = search.cv_results_["mean_test_score"]
    # Negated discriminative scores: in [-0.5, 0], greater is better.
    assert np.all((scores <= 0.0) & (scores >= -0.5))
    best = grid["gansampler__epochs"][int(np.argmax(scores))]
    assert search.best_params_ == {"gansampler__epochs": best}
    assert isinstance(search.best_estimator_, SamplingPipeline)
    assert search.best_estimator_[-1].epochs == best
    samples = search.best_estimator_.sample(100, random_state=0)
    assert np.all(np.abs(samples.mean(axis=0) - 1000.0) < 100.0)


def test_gan_oversampler_default_sampler_is_gan_sampler():
    assert isinstance(GANOverSampler()._base_sampler(), GANSampler)


def test_gan_oversampler_with_gan_sampler_on_mixed_dataframe():
    rng = np.random.default_rng(0)
    n = 120
    y = pd.Series(np.where(np.arange(n) < 100, "common", "rare"), name="kind")
    X = pd.DataFrame(
        {
            "amount": rng.lognormal(3.0, 0.5, size=n),
            "count": rng.integers(0, 10, size=n),
            "colour": pd.Categorical(rng.choice(["red", "green", "blue"], size=n)),
        }
    )
    augment = GANOverSampler(small_sampler(GANSampler), random_state=0)
    X_res, y_res = augment.fit_resample(X, y)
    assert y_res.value_counts().to_dict() == {"common": 100, "rare": 100}
    assert (X_res.dtypes == X.dtypes).all()
    assert set(X_res["colour"].cat.categories) == {"red", "green", "blue"}
    pd.testing.assert_frame_equal(X_res.iloc[:n], X)
    # One conditional GANSampler serves the over-sampled class.
    assert list(augment.samplers_) == ["rare"]
    assert isinstance(augment.samplers_["rare"], GANSampler)


def test_gan_oversampler_with_gan_sampler_under_cross_val_score():
    X, y = _imbalanced(n_major=80, n_minor=20)
    pipe = ImbPipeline(
        [
            ("aug", GANOverSampler(small_sampler(GANSampler), random_state=0)),
            ("clf", RecordingClassifier()),
        ]
    )
    cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    scores = cross_val_score(pipe, X, y, cv=cv)
    assert scores.shape == (3,) and np.all(scores > 0.6)
    train, test = next(cv.split(X, y))
    pipe.fit(X[train], y[train])
    clf = pipe.named_steps["clf"]
    assert clf.fit_rows_ == 2 * int((y[train] == 0).sum())
    pipe.predict(X[test])
    assert clf.predict_rows_ == [len(test)]


def test_gan_oversampler_rejects_pandas_panels_with_a_hint():
    index = pd.MultiIndex.from_product([range(4), range(3)])
    panel = pd.DataFrame({"a": np.arange(12.0)}, index=index)
    with pytest.raises(ValueError, match="numpy3D"):
        GANOverSampler(GaussianSampler()).fit_resample(panel, np.array([0, 0, 0, 1]))


def test_sampling_pipeline_refuses_a_sample_too_large_for_memory():
    X = np.random.default_rng(0).normal(size=(60, 2))
    pipe = make_sampling_pipeline(StandardScaler(), small_sampler(GANSampler)).fit(X)
    with pytest.raises(ValueError, match="n_samples=1000000000000"):
        pipe.sample(10**12)
