"""Train on synthetic, test on real (TSTR), next to train on real, test on real."""

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import check_scoring
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.multiclass import type_of_target

from .._core.panels import PANEL_MTYPES, padded_to_panel, panel_kind, panel_to_padded
from .._core.validation import check_real
from ._results import ScoreResult, run_repeats


@dataclass(frozen=True)
class TSTRResult:
    """Scores of one estimator trained on synthetic and on real data.

    Attributes
    ----------
    tstr : float or ScoreResult
        Score on the real test split of the estimator trained on synthetic data.
    trtr : float or ScoreResult
        Score on the same real test split of the estimator trained on the real
        training split.
    """

    tstr: float | ScoreResult
    trtr: float | ScoreResult

    @property
    def gap(self):
        """``trtr - tstr``: how much is lost by training on synthetic data."""
        return float(self.trtr) - float(self.tstr)


def tstr_score(
    estimator,
    X_synth,
    y_synth,
    X_real,
    y_real,
    *,
    scoring=None,
    test_size=0.3,
    stratify=False,
    n_repeats=1,
    n_jobs=None,
    random_state=None,
):
    """Train on synthetic and test on real (TSTR), next to train on real (TRTR).

    The real data are split once into a training and a test part with
    :func:`sklearn.model_selection.train_test_split`. A clone of ``estimator``
    is fitted on the synthetic data and another on the real training part;
    both are scored on the same real test part. A TSTR score close to the TRTR
    score means the synthetic data carry what the model needs to learn.

    Parameters
    ----------
    estimator : estimator
        Any scikit-learn compatible estimator, for example a pipeline that
        encodes a DataFrame, or an sktime classifier for time series.
    X_synth, y_synth : array-like
        Synthetic features and targets (for a conditional sampler, the
        ``(X, y)`` that ``sample`` returns).
    X_real, y_real : array-like
        Real features and targets. Tables (2-D arrays, DataFrames) and panels
        are accepted: 3-D numpy3D arrays, and sktime pandas panels, which are
        converted to numpy3D when their sequences have one length and are
        otherwise passed on as panels (``pd-multiindex`` as ``nested_univ``),
        one label per sequence. For panels of unequal lengths, use an
        estimator that reads them: an sktime classifier with the
        ``capability:unequal_length`` tag, or a scikit-learn pipeline whose
        first step turns each sequence, up to its own length, into features.
    scoring : str or callable, default=None
        A scikit-learn scoring name or scorer; None uses ``estimator.score``
        (accuracy for classifiers, R² for regressors).
    test_size : float or int, default=0.3
        Size of the real test part, as in ``train_test_split``.
    stratify : bool, default=False
        Stratify the real split by ``y_real`` (classification).
    n_repeats : int, default=1
        Repeats with different real splits; above 1 the scores are
        :class:`ScoreResult` objects.
    n_jobs : int, default=None
        Repeats run in parallel with joblib; None means 1.
    random_state : int, RandomState instance or None, default=None
        Seeds the real split. With an int and ``n_repeats=1`` the split is
        ``train_test_split(X_real, y_real, test_size=test_size,
        random_state=random_state)``. The estimators keep their own
        ``random_state``.

    Returns
    -------
    result : TSTRResult
        ``result.tstr`` and ``result.trtr`` (higher is better for scikit-learn
        scorers), and ``result.gap = trtr - tstr``.

    Raises
    ------
    ValueError
        If X and y differ in length, hold complex numbers, or (for class
        labels) no synthetic label occurs in the real data. Synthetic labels
        that the real data lack only give a ``UserWarning``.
    TypeError
        If ``estimator`` has no ``fit`` or X is not array-like.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sksynth.evaluation import tstr_score
    >>> X, y = load_iris(return_X_y=True)
    >>> result = tstr_score(LogisticRegression(max_iter=500), X[::2], y[::2],
    ...                     X, y, random_state=0)
    >>> result.trtr > 0.9
    True
    """
    if not hasattr(estimator, "fit"):
        raise TypeError(
            f"estimator must be a scikit-learn estimator with a fit method, got "
            f"{type(estimator).__name__}."
        )
    try:
        check_scoring(estimator, scoring=scoring)
    except InvalidParameterError:
        raise ValueError(
            f"scoring must be a scorer name of sklearn.metrics.get_scorer_names(), "
            f"a callable or None; got {scoring!r}."
        ) from None
    X_synth = _as_model_input(X_synth, "X_synth")
    X_real = _as_model_input(X_real, "X_real")
    for name, X, y in (("synthetic", X_synth, y_synth), ("real", X_real, y_real)):
        if not hasattr(y, "__len__"):
            raise TypeError(f"The {name} y must be array-like, got {type(y).__name__}.")
        if len(X) != len(y):
            raise ValueError(
                f"The {name} X and y must have the same length; got {len(X)} and "
                f"{len(y)}."
            )
        if len(X) < 2:
            raise ValueError(
                f"tstr_score needs at least 2 {name} samples, got {len(X)}."
            )
    _check_shared_labels(y_synth, y_real)

    def score_once(seed):
        X_train, X_test, y_train, y_test = train_test_split(
            X_real,
            y_real,
            test_size=test_size,
            random_state=seed,
            stratify=y_real if stratify else None,
        )
        on_synth = clone(estimator).fit(X_synth, y_synth)
        on_real = clone(estimator).fit(X_train, y_train)
        scorer = check_scoring(on_real, scoring=scoring)
        return float(scorer(on_synth, X_test, y_test)), float(
            scorer(on_real, X_test, y_test)
        )

    if n_repeats == 1 and isinstance(random_state, (int, np.integer)):
        tstr, trtr = score_once(int(random_state))
    else:
        tstr, trtr = run_repeats(score_once, random_state, n_repeats, n_jobs)
    return TSTRResult(tstr=tstr, trtr=trtr)


def _as_model_input(X, name):
    """Panels in a layout whose split selects whole instances.

    Equal-length pandas panels become numpy3D; unequal-length ones stay
    panels (a ``pd-multiindex`` one becomes ``nested_univ``), which sktime
    estimators, and pipelines that turn panels into features, read.
    """
    if not hasattr(X, "__len__") or isinstance(X, str):
        raise TypeError(f"{name} must be array-like, got {type(X).__name__}.")
    if isinstance(X, (list, pd.DataFrame)):
        kind = panel_kind(X, name)
        if kind in PANEL_MTYPES:
            X3, lengths, columns = panel_to_padded(X, kind, name)
            if lengths is None:
                return X3
            if kind == "pd-multiindex":
                return padded_to_panel(X3, lengths, "nested_univ", columns)
            return X
    check_real(X, name)
    return X


def _check_shared_labels(y_synth, y_real):
    """Make sure class labels of the synthetic data are labels of the real data.

    A classifier trained on labels the real data never hold scores 0 on them;
    that is reported rather than returned as a plain score.
    """
    try:
        target = type_of_target(y_real)
    except (TypeError, ValueError):  # the estimator judges unusual targets
        return
    if target not in ("binary", "multiclass"):
        return
    synth_labels = set(pd.unique(np.asarray(y_synth, dtype=object).ravel()))
    real_labels = set(pd.unique(np.asarray(y_real, dtype=object).ravel()))
    unseen = sorted(synth_labels - real_labels, key=repr)
    if not unseen:
        return
    if len(unseen) == len(synth_labels):
        raise ValueError(
            f"None of the synthetic labels y_synth ({unseen[:10]}) occurs in the "
            f"real labels y_real ({sorted(real_labels, key=repr)[:10]}); check "
            "that both use the same classes, of the same type."
        )
    warnings.warn(
        f"The synthetic labels {unseen[:10]} of y_synth never occur in y_real; "
        "the model trained on synthetic data cannot score on them.",
        UserWarning,
        stacklevel=3,
    )
