"""Discriminative score: how well a classifier tells real from synthetic data."""

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder

from .._core.devices import resolve_device
from .._core.seeding import seeded_torch
from .._core.validation import check_fraction, check_positive_int
from ._inputs import (
    categorical_columns,
    check_encodable,
    check_panel_pair,
    check_table_pair,
    is_panel,
    positional,
)
from ._posthoc import (
    PairedBatches,
    check_cell,
    check_network_input,
    make_classifier,
)
from ._results import run_repeats

_METRIC = "discriminative_score"
# HistGradientBoosting's native categorical support takes up to 255 categories.
_MAX_NATIVE_CATEGORIES = 255


def discriminative_score(
    X_real,
    X_synth,
    *,
    n_steps=2000,
    batch_size=128,
    test_size=0.2,
    classifier=None,
    return_roc_auc=False,
    cell="gru",
    n_repeats=1,
    n_jobs=None,
    random_state=None,
    device="auto",
):
    """Score how well a post-hoc classifier tells synthetic from real data.

    Real and synthetic data are each split at random into a training part
    (80 % by default) and a test part. A classifier learns to tell the two
    training parts apart; the score is ``|accuracy - 0.5|`` on the two test
    parts together. 0 means the classifier does no better than chance
    (indistinguishable data); 0.5 means it separates them perfectly.

    For time series this is the TimeGAN protocol (Yoon et al., 2019): a
    one-layer GRU with ``max(1, n_channels // 2)`` units reads each sequence and
    a linear map of its last hidden state gives the logit; it is trained with
    Adam (learning rate 1e-3) and binary cross-entropy for ``n_steps``
    mini-batches of ``batch_size`` random real plus ``batch_size`` random
    synthetic training sequences, and a sequence is called real when its
    sigmoid output exceeds 0.5.

    For tables (a 2-D array or a DataFrame) the classifier is a scikit-learn
    estimator, by default a :class:`~sklearn.ensemble.HistGradientBoostingClassifier`
    with native support for categorical columns.

    Parameters
    ----------
    X_real : array-like
        Real data: a panel (3-D array of shape (n_instances, n_channels,
        n_timepoints) or an sktime ``pd-multiindex``, ``nested_univ`` or
        ``df-list`` panel, whose sequences may differ in length) or a table
        (2-D array or DataFrame). The post-hoc GRU reads each sequence up to
        its own length and classifies it by its hidden state there.
    X_synth : array-like
        Synthetic data of the same kind, channels and sequence length (or
        columns) as ``X_real``; where either holds sequences of unequal
        lengths, the lengths may differ. The two sets may differ in size.
    n_steps : int, default=2000
        Mini-batch steps of the post-hoc GRU (time series only).
    batch_size : int, default=128
        Real sequences, and again synthetic sequences, per mini-batch (time
        series only).
    test_size : float, default=0.2
        Share of each set held out for testing.
    classifier : estimator, default=None
        Classifier for tables; it receives the raw table (a DataFrame keeps its
        dtypes), so it must do its own encoding. None uses gradient boosting
        with ordinal-encoded categorical columns.
    return_roc_auc : bool, default=False
        Also return the ROC AUC of the classifier's real-vs-synthetic
        probabilities on the test parts (0.5 is chance).
    cell : {"gru", "tf-gru"}, default="gru"
        Recurrent cell of the post-hoc GRU (time series only): ``torch.nn.GRU``, or
        TensorFlow 1's ``GRUCell`` (:class:`sksynth.timeseries.TFGRU`) as in the
        original TimeGAN metrics.
    n_repeats : int, default=1
        Independent repeats (new splits, new classifier); above 1 a
        :class:`ScoreResult` is returned.
    n_jobs : int, default=None
        Repeats run in parallel with joblib; None means 1.
    random_state : int, RandomState instance or None, default=None
        Seeds the splits, the mini-batches and the classifier.
    device : {"auto", "cpu", "cuda", "cuda:N", "mps"}, default="auto"
        Where the post-hoc GRU trains.

    Returns
    -------
    score : float or ScoreResult
        ``|accuracy - 0.5|``; 0 is best.
    roc_auc : float or ScoreResult
        Only when ``return_roc_auc=True``; then ``(score, roc_auc)`` is returned.

    Examples
    --------
    >>> from sksynth.datasets import make_sines
    >>> from sksynth.evaluation import discriminative_score
    >>> real = make_sines(100, seq_len=12, random_state=0)
    >>> synth = make_sines(100, seq_len=12, random_state=1)
    >>> score = discriminative_score(real, synth, n_steps=20, random_state=0,
    ...                              device="cpu")
    >>> 0 <= score <= 0.5
    True
    """
    check_fraction(test_size, "test_size")
    n_steps = check_positive_int(n_steps, "n_steps")
    batch_size = check_positive_int(batch_size, "batch_size")
    check_cell(cell, _METRIC)
    if is_panel(X_real, "X_real") or is_panel(X_synth, "X_synth"):
        real, real_lengths, synth, synth_lengths = check_panel_pair(
            X_real, X_synth, metric=_METRIC
        )
        for name, X3 in (("X_real", real), ("X_synth", synth)):
            check_network_input(X3, name)
        torch_device = resolve_device(device)
        lengths = None if real_lengths is None else (real_lengths, synth_lengths)

        def score_once(seed):
            return _gru_discrimination(
                real,
                synth,
                n_steps,
                batch_size,
                test_size,
                seed,
                torch_device,
                cell,
                lengths,
            )

    else:
        real, synth = check_table_pair(X_real, X_synth, metric=_METRIC)
        if classifier is None:
            check_encodable([real, synth], ["X_real", "X_synth"])

        def score_once(seed):
            return _table_discrimination(real, synth, classifier, test_size, seed)

    def score_and_auc(seed):
        score, auc = score_once(seed)
        return (score, auc) if return_roc_auc else score

    return run_repeats(score_and_auc, random_state, n_repeats, n_jobs)


def split_indices(n, test_size, rng):
    """Random train and test indices of n items; at least one of each."""
    order = rng.permutation(n)
    n_train = min(max(int(n * (1 - test_size)), 1), n - 1)
    return order[:n_train], order[n_train:]


def _scores(y_true, proba_real):
    accuracy = accuracy_score(y_true, proba_real > 0.5)
    return abs(accuracy - 0.5), roc_auc_score(y_true, proba_real)


def _gru_discrimination(
    real, synth, n_steps, batch_size, test_size, seed, device, cell, lengths=None
):
    """Train and test the post-hoc GRU; ``lengths`` is (real's, synth's) or None."""
    rng = np.random.default_rng(seed)
    real_train, real_test = split_indices(len(real), test_size, rng)
    synth_train, synth_test = split_indices(len(synth), test_size, rng)
    # numpy3D (n, channels, time) -> torch layout (n, time, channels); the
    # padding of unequal lengths (NaN) becomes 0, which no output reads.
    real = np.ascontiguousarray(real.transpose(0, 2, 1), dtype=np.float32)
    synth = np.ascontiguousarray(synth.transpose(0, 2, 1), dtype=np.float32)
    if lengths is not None:
        real, synth = np.nan_to_num(real), np.nan_to_num(synth)
    batches = PairedBatches(
        real[real_train],
        synth[synth_train],
        n_steps=n_steps,
        batch_size=batch_size,
        rng=rng,
        lengths=None
        if lengths is None
        else (lengths[0][real_train], lengths[1][synth_train]),
    )
    X_test = np.concatenate([real[real_test], synth[synth_test]])
    if lengths is not None:
        test_lengths = np.concatenate([lengths[0][real_test], lengths[1][synth_test]])
        X_test = {"x": X_test, "lengths": test_lengths}
    y_test = np.r_[np.ones(len(real_test)), np.zeros(len(synth_test))]
    # Data loaders draw a seed from torch's global generator, so predicting
    # stays inside the forked generator state too.
    with seeded_torch(seed, device):
        net = make_classifier(real.shape[2], str(device), cell).fit(batches, None)
        proba_real = net.predict_proba(X_test)[:, 1]
    return _scores(y_test, proba_real)


def default_table_classifier(frame, seed):
    """The detector of real against synthetic rows, for tables like ``frame``.

    Gradient boosting, with categories encoded as ordinals. Columns missing
    throughout ``frame`` hold nothing to learn, and gradient boosting cannot
    bin them: they are dropped.
    """
    empty = frame.columns[frame.isna().all().to_numpy()].tolist()
    categorical = [c for c in categorical_columns(frame) if c not in empty]
    booster = HistGradientBoostingClassifier(random_state=seed)
    if not categorical and not empty:
        return booster
    native = [c for c in categorical if frame[c].nunique() < _MAX_NATIVE_CATEGORIES]
    ordinal = OrdinalEncoder(
        handle_unknown="use_encoded_value",
        unknown_value=np.nan,
        encoded_missing_value=np.nan,
    )
    encoder = ColumnTransformer(
        [("categorical", ordinal, categorical), ("empty", "drop", empty)],
        remainder="passthrough",
        verbose_feature_names_out=False,
    )
    n_others = frame.shape[1] - len(categorical) - len(empty)
    booster.set_params(
        categorical_features=[c in native for c in categorical] + [False] * n_others
    )
    return Pipeline([("encode", encoder), ("classify", booster)])


def _table_discrimination(real, synth, classifier, test_size, seed):
    rng = np.random.default_rng(seed)
    real_train, real_test = split_indices(len(real), test_size, rng)
    synth_train, synth_test = split_indices(len(synth), test_size, rng)
    X_train = pd.concat(
        [real.iloc[real_train], synth.iloc[synth_train]], ignore_index=True
    )
    y_train = np.r_[np.ones(len(real_train)), np.zeros(len(synth_train))].astype(int)
    X_test = pd.concat(
        [real.iloc[real_test], synth.iloc[synth_test]], ignore_index=True
    )
    y_test = np.r_[np.ones(len(real_test)), np.zeros(len(synth_test))].astype(int)
    if classifier is None:
        X_train, X_test = positional(X_train), positional(X_test)
        model = default_table_classifier(X_train, seed)
    else:
        model = clone(classifier)
        if "random_state" in model.get_params():
            model.set_params(random_state=seed)
    model.fit(X_train, y_train)
    proba = model.predict_proba(X_test)
    real_column = list(model.classes_).index(1)
    return _scores(y_test, proba[:, real_column])
