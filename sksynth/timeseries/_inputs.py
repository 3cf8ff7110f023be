"""Input checks of TimeGANSampler: sequences, their lengths and their labels."""

import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.utils.validation import validate_data

from .._core.labels import validate_labels
from .._core.model_values import check_column_names
from .._core.panels import (
    PANEL_MTYPES,
    check_time_indexes,
    panel_kind,
    panel_to_padded,
    stride_windows,
)
from .._core.validation import check_real

# seq_len="auto" cuts one long series into windows of this many time points,
# the length of the TimeGAN paper's windows.
AUTO_WINDOW = 24


class Sequences(NamedTuple):
    """Validated sequences: a float64 numpy3D array and their lengths.

    ``lengths`` is None unless the sequences differ in length; then ``X`` is
    padded with NaN after each sequence's last step.
    """

    X: np.ndarray
    lengths: np.ndarray | None


def validate_sequences(sampler, X):
    """Return X as a float64 numpy3D array, its lengths, layout and channels.

    The lengths are None unless the sequences of a panel differ in length;
    then the array is padded with NaN after each sequence's last step.
    """
    kind = panel_kind(X)
    columns, lengths = None, None
    if kind in PANEL_MTYPES:
        first = X[0] if kind == "df-list" else X
        check_column_names(first.columns, "X")
        _reject_non_numeric(first)
        X, lengths, columns = panel_to_padded(X, kind)
    else:
        check_real(X, "X", noun="channel")
    if kind in ("numpy3D", *PANEL_MTYPES):
        if np.ndim(X) == 3 and len(X) == 1:
            raise ValueError(
                "X holds 1 sequence, but TimeGANSampler needs a minimum of 2 "
                "sequences to train on."
            )
        if lengths is None:
            X = validate_data(
                sampler,
                X,
                allow_nd=True,
                ensure_min_samples=2,
                dtype=np.float64,
                ensure_all_finite=False,
            )
            _check_finite(X, ("instance", "channel", "time point"), 1)
        else:
            X = _validate_padded(sampler, X, lengths)
        if 0 in X.shape[1:]:
            raise ValueError(
                f"X has shape {X.shape} (n_instances, n_channels, "
                "n_timepoints); TimeGANSampler needs at least one channel "
                "and one time point."
            )
        if sampler.seq_len != "auto" and X.shape[2] != sampler.seq_len:
            longest = ", the longest of its lengths," if lengths is not None else ""
            raise ValueError(
                f"X holds sequences of length {X.shape[2]}{longest} but "
                f"seq_len={sampler.seq_len}; set seq_len={X.shape[2]} or "
                "seq_len='auto'."
            )
        _check_supervisor_length(sampler, X.shape[2])
        if columns is not None and all(isinstance(c, str) for c in columns):
            sampler.feature_names_in_ = np.asarray(columns, dtype=object)
        return X, lengths, kind, columns

    seq_len = AUTO_WINDOW if sampler.seq_len == "auto" else sampler.seq_len
    _check_supervisor_length(sampler, seq_len)
    if isinstance(X, pd.DataFrame):
        check_column_names(X.columns, "X")
        _reject_non_numeric(X)
        check_time_indexes(X, kind)
        columns = list(X.columns)
    series = validate_data(sampler, X, dtype=np.float64, ensure_all_finite=False)
    _check_finite(series, ("time point", "channel"), 1)
    n_timepoints = series.shape[0]
    if n_timepoints < seq_len + 1:
        raise ValueError(
            f"X holds one series of n_samples = {n_timepoints} time points; "
            f"windows of seq_len={seq_len} need at least seq_len + 1 = "
            f"{seq_len + 1} time points to cut 2 windows."
        )
    windows = stride_windows(series, seq_len)
    return windows, None, kind, columns


def _check_finite(X, axes, channel_axis):
    """Raise a ValueError naming X's first infinite value, or an empty channel.

    NaN are gaps (missing values), but every channel needs an observed value.
    ``axes`` names X's axes, for the message.
    """
    bad = np.isinf(X)
    if bad.any():
        first = np.unravel_index(np.argmax(bad), X.shape)
        where = ", ".join(f"{axis} {i}" for axis, i in zip(axes, first, strict=True))
        raise ValueError(
            f"X holds infinity at {where} ({int(bad.sum())} value(s) are "
            "infinite); TimeGANSampler needs finite values or NaN for missing "
            "ones."
        )
    others = tuple(a for a in range(X.ndim) if a != channel_axis)
    empty = np.isnan(X).all(axis=others)
    if X.size and empty.any():
        raise ValueError(
            f"X's channel {int(np.flatnonzero(empty)[0])} holds no value, only "
            "NaN; drop it."
        )


def _check_supervisor_length(sampler, seq_len):
    """Refuse sequences too short for TimeGAN's supervisor (``latent="step"``)."""
    if sampler.latent == "step" and seq_len < 2:
        raise ValueError(
            f"seq_len must be at least 2 with latent='step', got sequences of "
            f"{seq_len} time point: TimeGAN's supervisor learns to predict each "
            "time step from the one before. Use seq_len >= 2, or "
            "latent='sequence'."
        )


def _validate_padded(sampler, X, lengths):
    """Check the values and lengths of a NaN-padded unequal-length panel."""
    if lengths.min() < 2:
        short = np.flatnonzero(lengths < 2)[:5].tolist()
        raise ValueError(
            f"X holds sequences shorter than 2 time points (instances "
            f"{short}); TimeGANSampler needs at least 2 per sequence, so drop "
            "or lengthen them."
        )
    _check_finite(X, ("instance", "channel", "time point"), 1)
    filled = validate_data(
        sampler, np.nan_to_num(X, nan=0.0), allow_nd=True, dtype=np.float64
    )
    # The padding, and the gaps.
    filled[np.isnan(X)] = np.nan
    return filled


def validate_attributes(y, X3, kind):
    """y as a table of attributes: a DataFrame of one row per sequence of X."""
    if kind.startswith("series"):
        raise ValueError(
            "y as a DataFrame holds attributes of the sequences of a panel, and X "
            "is one long series; pass a panel, or y=None."
        )
    if len(y) != len(X3) or not y.shape[1]:
        raise ValueError(
            f"y as a DataFrame holds attributes, one row per sequence: X has "
            f"{len(X3)} sequences, y has {len(y)} rows and {y.shape[1]} columns."
        )
    check_column_names(y.columns, "y")
    return y.reset_index(drop=True)


def validate_sequence_labels(y, X3, kind):
    """Class codes, classes and container of y (None each without y).

    Labels are one per sequence of a panel. A long series has none: a y of
    one label per time point is ignored with a warning (scikit-learn's
    checks pass one), any other y is an error.
    """
    if y is None or not kind.startswith("series"):
        return validate_labels(y, len(X3), "TimeGANSampler", unit="sequence")
    n_labels = np.shape(y)[0] if np.ndim(y) else None
    n_timepoints = X3.shape[0] + X3.shape[2] - 1
    why = (
        "TimeGANSampler conditions on one label per sequence of a panel; cut "
        "the series into labelled windows (a numpy3D panel) to fit with y, or "
        "pass y=None."
    )
    if n_labels != n_timepoints:
        given = "no length" if n_labels is None else f"{n_labels} labels"
        raise ValueError(
            f"y has {given} but X has {n_timepoints} time points of one long "
            f"series. {why}"
        )
    warnings.warn(
        f"y is ignored: X is one long series, not a panel. {why}",
        UserWarning,
        stacklevel=4,
    )
    return None, None, None


def _reject_non_numeric(frame):
    non_numeric = [
        c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])
    ]
    # nested_univ cells hold Series (object dtype); their values are checked later.
    if non_numeric and not isinstance(frame.iloc[0, 0], pd.Series):
        raise ValueError(
            f"X must hold numeric channels only; columns {non_numeric} are not "
            "numeric. Encode or drop them first."
        )
