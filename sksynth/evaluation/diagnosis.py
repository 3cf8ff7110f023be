"""Which columns give synthetic rows away: a per-column report for tables."""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance
from sklearn.metrics import roc_auc_score

from .._core.seeding import seed_from_random_state
from .._core.table_distances import association_pairs, marginal_distances, table_gap
from .._core.validation import check_fraction, check_positive_int
from ._inputs import (
    categorical_columns,
    check_encodable,
    check_table_pair,
    positional,
)
from .discriminative import default_table_classifier, split_indices

_METRIC = "column_report"


@dataclass(frozen=True, repr=False)
class ColumnReport:
    """What tells a synthetic table from the real one, column by column.

    Attributes
    ----------
    columns : pandas.DataFrame
        One row per column, sorted by ``detector_importance`` (largest first):
        ``kind`` ("numeric" or "categorical"); ``marginal_distance`` (the
        Kolmogorov-Smirnov statistic for numbers, the total variation distance
        for categories; 0 is identical); ``missing_real`` and
        ``missing_synth`` (shares of missing values); ``association_gap``
        (mean over the other columns of the gap in association, Cramér's V
        of the binned columns, real against synthetic); and
        ``detector_importance`` (how much the detector's ROC AUC drops when
        the column is shuffled).
    pairs : pandas.DataFrame
        One row per pair of columns, largest association gap first, with the
        association in the real and in the synthetic table.
    detector_auc : float
        ROC AUC of the real-vs-synthetic detector on held-out rows (0.5 is
        chance).
    """

    columns: pd.DataFrame
    pairs: pd.DataFrame
    detector_auc: float

    def __repr__(self):
        shown = self.columns.to_string(float_format=lambda v: f"{v:.3f}")
        return f"ColumnReport(detector_auc={self.detector_auc:.3f})\n{shown}"


def column_report(X_real, X_synth, *, test_size=0.2, n_repeats=5, random_state=None):
    """Find what gives synthetic rows away, per column and per pair of columns.

    Three views, one row per column: how far each marginal distribution is
    from the real one; how far each column's associations with the others
    are from the real ones; and how much a real-vs-synthetic detector (the
    gradient-boosting classifier of :func:`discriminative_score`) relies on
    the column, as the drop in its held-out ROC AUC when the column is
    shuffled (:func:`sklearn.inspection.permutation_importance`).

    Parameters
    ----------
    X_real, X_synth : DataFrame or 2-D array
        The real and the synthetic table, with the same columns. Missing
        values are allowed: a missing category counts as its own category and
        missing numbers are left out of the numeric distances.
    test_size : float, default=0.2
        Share of each table held out to measure the detector's reliance.
    n_repeats : int, default=5
        Shuffles per column for the detector importance.
    random_state : int, RandomState instance or None, default=None
        Seeds the split, the detector and the shuffles.

    Returns
    -------
    report : ColumnReport
        Per-column and per-pair measures, and the detector's ROC AUC.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sksynth.evaluation import column_report
    >>> rng = np.random.default_rng(0)
    >>> real = pd.DataFrame({"a": rng.normal(size=400), "b": rng.normal(size=400)})
    >>> synth = real.assign(b=rng.normal(3, 1, size=400))
    >>> column_report(real, synth, random_state=0).columns.index[0]
    'b'
    """
    check_fraction(test_size, "test_size")
    check_positive_int(n_repeats, "n_repeats")
    real, synth = check_table_pair(X_real, X_synth, metric=_METRIC)
    check_encodable([real, synth], ["X_real", "X_synth"])
    categorical = set(categorical_columns(real)) | set(categorical_columns(synth))
    seed = seed_from_random_state(random_state) % (2**32)
    columns = pd.DataFrame(
        {
            "kind": [
                "categorical" if c in categorical else "numeric" for c in real.columns
            ],
            "marginal_distance": marginal_distances(real, synth, categorical),
            "missing_real": real.isna().mean().to_numpy(),
            "missing_synth": synth.isna().mean().to_numpy(),
        },
        index=pd.Index(real.columns, name="column"),
    )
    pairs = association_pairs(real, synth, categorical)
    gaps = pd.concat(
        [
            pairs.set_index("column_a")["gap"],
            pairs.set_index("column_b")["gap"],
        ]
    )
    columns["association_gap"] = gaps.groupby(level=0).mean().reindex(columns.index)
    importance, auc = _detector_importance(real, synth, test_size, n_repeats, seed)
    columns["detector_importance"] = importance
    columns = columns.sort_values("detector_importance", ascending=False)
    return ColumnReport(columns=columns, pairs=pairs, detector_auc=auc)


def distribution_gap(X_real, X_synth):
    """How far a synthetic table's marginals and associations are from the real.

    The mean over columns of :func:`column_report`'s marginal distance
    (Kolmogorov-Smirnov for numbers, total variation for categories), plus the
    mean over pairs of columns of its association gap (Cramér's V of the binned
    columns, real against synthetic). No detector is trained, so it is cheap
    enough to score a sampler during training.

    Parameters
    ----------
    X_real, X_synth : DataFrame or 2-D array
        The real and the synthetic table, with the same columns.

    Returns
    -------
    gap : float
        0 for tables with the same marginals and associations; at most 2.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sksynth.evaluation import distribution_gap
    >>> rng = np.random.default_rng(0)
    >>> real = pd.DataFrame({"a": rng.normal(size=400), "b": rng.normal(size=400)})
    >>> distribution_gap(real, real)
    0.0
    >>> round(distribution_gap(real, real.assign(b=real["b"] + 0.1)), 3)
    0.048
    >>> round(distribution_gap(real, real.assign(b=real["b"] + 3)), 3)
    0.472
    """
    real, synth = check_table_pair(X_real, X_synth, metric="distribution_gap")
    check_encodable([real, synth], ["X_real", "X_synth"])
    return table_gap(real, synth)


def _detector_importance(real, synth, test_size, n_repeats, seed):
    rng = np.random.default_rng(seed)
    real_train, real_test = split_indices(len(real), test_size, rng)
    synth_train, synth_test = split_indices(len(synth), test_size, rng)

    def stack(real_rows, synth_rows):
        X = pd.concat([real.iloc[real_rows], synth.iloc[synth_rows]], ignore_index=True)
        X = positional(X)
        y = np.r_[np.ones(len(real_rows)), np.zeros(len(synth_rows))].astype(int)
        return X, y

    X_train, y_train = stack(real_train, synth_train)
    X_test, y_test = stack(real_test, synth_test)
    detector = default_table_classifier(X_train, seed).fit(X_train, y_train)
    auc = roc_auc_score(y_test, detector.predict_proba(X_test)[:, 1])
    result = permutation_importance(
        detector,
        X_test,
        y_test,
        scoring="roc_auc",
        n_repeats=n_repeats,
        random_state=seed,
    )
    return result.importances_mean, float(auc)
