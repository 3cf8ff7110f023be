"""Privacy checks: distance to closest record, and a membership-inference attack."""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.neighbors import NearestNeighbors

from .._core.validation import check_fraction
from ._inputs import encode_like, is_panel, to_frame, to_numpy3d

# Distances (in standardized units) at or below this are copies: the neighbor
# search's distance arithmetic leaves rounding error on identical rows.
_COPY_DISTANCE = 1e-6


def _summary(distances):
    return {
        "min": float(distances.min()),
        "p05": float(np.quantile(distances, 0.05)),
        "median": float(np.median(distances)),
        "mean": float(distances.mean()),
    }


@dataclass(frozen=True)
class DCRResult:
    """Distances to the closest training record, for synthetic and holdout rows.

    Attributes
    ----------
    share_closer : float
        Share of synthetic rows whose distance to the closest training row is
        below ``threshold``. About ``quantile`` when the synthetic rows are as
        far from the training rows as unseen real rows are; well above it flags
        copied or memorized records.
    quantile : float
        The holdout quantile that sets ``threshold``.
    threshold : float
        The ``quantile`` of the holdout rows' distances to the training set.
    exact_match_share : float
        Share of synthetic rows identical to a training row (distance at most
        1e-6 after scaling, to absorb rounding error).
    holdout_exact_match_share : float
        Share of holdout rows identical to a training row (duplicates in the
        real data), for comparison.
    synth_summary, holdout_summary : dict
        ``min``, ``p05``, ``median`` and ``mean`` of each distance distribution.
    synth_distances, holdout_distances : ndarray
        Distance of every synthetic and every holdout row to its closest
        training row.
    """

    share_closer: float
    quantile: float
    threshold: float
    exact_match_share: float
    holdout_exact_match_share: float
    synth_summary: dict
    holdout_summary: dict
    synth_distances: np.ndarray = field(repr=False)
    holdout_distances: np.ndarray = field(repr=False)

    @property
    def risk_ratio(self):
        """``share_closer / quantile``: about 1 when nothing is memorized."""
        return self.share_closer / self.quantile


def dcr_score(X_train, X_synth, X_holdout, *, quantile=0.05, n_jobs=None):
    """Compare synthetic rows' distances to the training data with real holdout rows'.

    For every synthetic row, the distance to the closest row of the sampler's
    training data (DCR) is computed, and likewise for every row of a real
    holdout set the sampler never saw. A sampler that generalizes places its
    rows no closer to the training rows than fresh real rows are: the share
    of synthetic rows with a DCR below the holdout DCR's ``quantile`` (5th
    percentile by default) is then about ``quantile``. A share well above it,
    or exact copies, flag memorized training records.

    Features are put on one scale with the training set: numeric columns are
    median-imputed and standardized, categorical columns of a DataFrame one-hot
    encoded (so a differing category adds a distance of sqrt(2)). Panels are
    flattened. Distances are Euclidean, found with
    :class:`~sklearn.neighbors.NearestNeighbors`.

    Parameters
    ----------
    X_train : array-like
        The real data the sampler was fitted on: a table (2-D array or
        DataFrame) or a panel (3-D array or sktime panel).
    X_synth : array-like
        Synthetic data of the same kind and columns.
    X_holdout : array-like
        Real data of the same kind that the sampler did not see.
    quantile : float, default=0.05
        Quantile of the holdout distances used as the threshold, in (0, 1).
    n_jobs : int, default=None
        Parallel jobs of the neighbor search.

    Returns
    -------
    result : DCRResult
        ``share_closer`` (compare with ``quantile``), the threshold, exact-match
        shares, and summaries and arrays of both distance distributions.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.evaluation import dcr_score
    >>> rng = np.random.default_rng(0)
    >>> train, holdout = rng.normal(size=(500, 3)), rng.normal(size=(500, 3))
    >>> copied = dcr_score(train, train[:200], holdout)
    >>> copied.share_closer, copied.exact_match_share
    (1.0, 1.0)
    """
    check_fraction(quantile, "quantile")
    train, synth, holdout = _encode(X_train, X_synth, X_holdout)
    neighbors = NearestNeighbors(n_neighbors=1, n_jobs=n_jobs).fit(train)
    synth_dcr = neighbors.kneighbors(synth)[0][:, 0]
    holdout_dcr = neighbors.kneighbors(holdout)[0][:, 0]
    threshold = float(np.quantile(holdout_dcr, quantile))
    synth_copies = synth_dcr <= _COPY_DISTANCE
    # When many holdout rows duplicate training rows (threshold ~ 0), only
    # copies count as closer.
    closer = synth_dcr < threshold if threshold > _COPY_DISTANCE else synth_copies
    return DCRResult(
        share_closer=float(closer.mean()),
        quantile=float(quantile),
        threshold=threshold,
        exact_match_share=float(synth_copies.mean()),
        holdout_exact_match_share=float((holdout_dcr <= _COPY_DISTANCE).mean()),
        synth_summary=_summary(synth_dcr),
        holdout_summary=_summary(holdout_dcr),
        synth_distances=synth_dcr,
        holdout_distances=holdout_dcr,
    )


def _encode(X_train, X_synth, X_holdout):
    named = {"X_train": X_train, "X_synth": X_synth, "X_holdout": X_holdout}
    panels = {name: is_panel(X, name) for name, X in named.items()}
    if len(set(panels.values())) > 1:
        raise ValueError(
            "X_train, X_synth and X_holdout must all be tables or all be panels; "
            f"panels: {[name for name, panel in panels.items() if panel]}."
        )
    if panels["X_train"]:
        arrays = {
            name: to_numpy3d(X, name, metric="dcr_score") for name, X in named.items()
        }
        shapes = {name: X3.shape[1:] for name, X3 in arrays.items()}
        if len(set(shapes.values())) > 1:
            raise ValueError(
                "X_train, X_synth and X_holdout must have the same channels and "
                f"sequence length; got (n_channels, n_timepoints) {shapes}."
            )
        frames = {
            name: pd.DataFrame(X3.reshape(len(X3), -1)) for name, X3 in arrays.items()
        }
    else:
        frames = {name: to_frame(X, name) for name, X in named.items()}
        columns = list(frames["X_train"].columns)
        for name, frame in frames.items():
            if set(frame.columns) != set(columns) or frame.shape[1] != len(columns):
                raise ValueError(
                    f"{name} must have the same columns as X_train; got "
                    f"{list(frame.columns)} and {columns}."
                )
    for name, frame in frames.items():
        if len(frame) < 1 + (name == "X_holdout"):
            raise ValueError(f"dcr_score needs more rows in {name}, got {len(frame)}.")
    return encode_like(*frames.values(), names=list(frames))


def membership_inference_auc(X_members, X_nonmembers, X_synth, *, n_jobs=None):
    """How well distance to the synthetic data tells training rows from others.

    A distance-based membership-inference attack: every candidate row, from
    the sampler's training data (members) or not (non-members, real rows of
    the same population), is scored by how close its nearest synthetic row
    is, and the score's ROC AUC at telling members from non-members is
    returned. 0.5 means the synthetic data tells an attacker nothing about
    who was in the training data by this route; a sampler that memorizes
    rows scores well above it. Features are scaled as in :func:`dcr_score`,
    on the members.

    Parameters
    ----------
    X_members : array-like
        Rows the sampler was fitted on (or a sample of them).
    X_nonmembers : array-like
        Real rows of the same kind that the sampler did not see.
    X_synth : array-like
        Synthetic rows of the same kind.
    n_jobs : int, default=None
        Parallel jobs of the neighbor search.

    Returns
    -------
    auc : float
        ROC AUC of the attack, members as the positive class.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.evaluation import membership_inference_auc
    >>> rng = np.random.default_rng(0)
    >>> members, others = rng.normal(size=(200, 3)), rng.normal(size=(200, 3))
    >>> round(membership_inference_auc(members, others, members[:100]), 2)
    0.73
    """
    from sklearn.metrics import roc_auc_score

    members, synth, nonmembers = _encode(X_members, X_synth, X_nonmembers)
    neighbors = NearestNeighbors(n_neighbors=1, n_jobs=n_jobs).fit(synth)
    distances = neighbors.kneighbors(np.vstack([members, nonmembers]))[0][:, 0]
    labels = np.r_[np.ones(len(members)), np.zeros(len(nonmembers))]
    return float(roc_auc_score(labels, -distances))
