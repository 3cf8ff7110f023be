"""Time-series layouts: sktime panels and long series to numpy3D arrays, and back.

sktime panels (``numpy3D``, ``pd-multiindex``, ``nested_univ``, ``df-list``)
and long series (2-D arrays or DataFrames, one row per time point) convert to
and from a numpy3D array of shape (n_instances, n_channels, n_timepoints);
long series are cut into stride-1 windows, and channels are min-max scaled.
"""

import numpy as np
import pandas as pd

from ._validation import check_real

PANEL_MTYPES = ("pd-multiindex", "nested_univ", "df-list")


def panel_kind(X, name="X"):
    """Name the layout of time-series data.

    Parameters
    ----------
    X : ndarray, DataFrame or list of DataFrames
        Time-series data.
    name : str, default="X"
        The parameter holding ``X``, for error messages.

    Returns
    -------
    kind : str
        ``"numpy3D"``, one of :data:`PANEL_MTYPES`, ``"series-array"`` (a 2-D
        array holding one long series) or ``"series-frame"`` (a DataFrame holding
        one long series).

    Raises
    ------
    ValueError
        If X is neither a panel nor a 2-D long series.
    """
    if isinstance(X, pd.DataFrame):
        if isinstance(X.index, pd.MultiIndex):
            if X.index.nlevels != 2:
                raise ValueError(
                    f"{name} with a MultiIndex must be a pd-multiindex panel with two "
                    f"index levels (instance, time point), got {X.index.nlevels}."
                )
            return "pd-multiindex"
        if len(X) and any(isinstance(cell, pd.Series) for cell in X.iloc[0]):
            return "nested_univ"
        return "series-frame"
    if isinstance(X, list) and X and all(isinstance(x, pd.DataFrame) for x in X):
        return "df-list"
    if isinstance(X, pd.Series):
        raise ValueError(
            f"{name} must be 2-D (n_timepoints, n_channels) or a panel; got a 1-D "
            f"Series. Use {name}.to_frame() for a univariate series."
        )
    ndim = np.ndim(X)
    if ndim == 3:
        return "numpy3D"
    if ndim == 2:
        return "series-array"
    raise ValueError(
        f"{name} must be a 3-D array (n_instances, n_channels, n_timepoints), a 2-D "
        "long series (n_timepoints, n_channels) or an sktime panel; got an "
        f"array with {ndim} dimension(s)."
    )


def panel_to_numpy3d(X, kind, name="X"):
    """Convert an sktime panel to a float numpy3D array and its channel names.

    Parameters
    ----------
    X : DataFrame or list of DataFrames
        A panel of mtype ``kind``, one of :data:`PANEL_MTYPES`.
    kind : str
        The panel's mtype, as returned by :func:`panel_kind`.
    name : str, default="X"
        The parameter holding the panel, for error messages.

    Returns
    -------
    X3 : ndarray of shape (n_instances, n_channels, n_timepoints)
    columns : list of str

    Raises
    ------
    ValueError
        If the sequences differ in length, hold complex numbers, or sktime
        cannot read the panel.
    """
    from sktime.datatypes import convert_to

    columns = list((X[0] if kind == "df-list" else X).columns)
    lengths = _instance_lengths(X, kind)
    if len(set(lengths)) > 1:
        raise ValueError(
            f"{name} must hold sequences of equal length; got lengths from "
            f"{min(lengths)} to {max(lengths)}. Cut or pad them to one length."
        )
    check_real(X, name, noun="channel")
    try:
        X3 = convert_to(X, to_type="numpy3D")
    except Exception as exc:  # sktime raises bare TypeError/ValueError variants
        raise ValueError(f"{name} is not a valid {kind} panel: {exc}") from None
    # nested_univ cells are Series, whose complex values only show here.
    check_real(X3, name, noun="channel")
    return np.asarray(X3, dtype=np.float64), [str(c) for c in columns]


def _instance_lengths(X, kind):
    if kind == "df-list":
        return [len(frame) for frame in X]
    if kind == "pd-multiindex":
        return X.groupby(level=0, sort=False).size().tolist()
    return [len(cell) for cell in X.iloc[:, 0]]


def numpy3d_to_panel(X3, kind, columns):
    """Convert a numpy3D array back to the layout ``fit`` received.

    Parameters
    ----------
    X3 : ndarray of shape (n_instances, n_channels, n_timepoints)
        Sequences.
    kind : str
        The layout seen in ``fit`` (see :func:`panel_kind`). Long series come
        back as panels of windows: a 2-D array as numpy3D, a DataFrame as a
        ``pd-multiindex`` DataFrame.
    columns : list of str or None
        Channel names to restore.

    Returns
    -------
    ndarray, DataFrame or list of DataFrames
    """
    if kind in ("numpy3D", "series-array"):
        return X3
    from sktime.datatypes import convert_to

    mtype = "pd-multiindex" if kind == "series-frame" else kind
    panel = convert_to(X3, to_type=mtype)
    if columns is None:
        return panel
    if mtype == "df-list":
        for frame in panel:
            frame.columns = columns
    else:
        panel.columns = columns
    return panel


def stride_windows(series, seq_len):
    """Every window of ``seq_len`` consecutive rows of a (time, channels) array.

    Returns a numpy3D array (n_windows, n_channels, seq_len), oldest window
    first, copied so that callers may write to it.
    """
    windows = np.lib.stride_tricks.sliding_window_view(series, seq_len, axis=0)
    return np.ascontiguousarray(windows)


def channel_range(X3, name, channels=None):
    """Per-channel minimum and span of a numpy3D array, for min-max scaling.

    A constant channel gets a span of 1, so that it scales to 0. Raises a
    ValueError naming the channel (by its name in ``channels``, if given) whose
    range overflows float64.
    """
    low = X3.min(axis=(0, 2))
    with np.errstate(over="ignore"):
        span = X3.max(axis=(0, 2)) - low
    if not np.isfinite(span).all():
        channel = int(np.flatnonzero(~np.isfinite(span))[0])
        if channels is not None:
            channel = repr(channels[channel])
        raise ValueError(
            f"Channel {channel} of {name} spans a range wider than the largest "
            "float64, so it cannot be min-max scaled; rescale it (e.g. divide it "
            "by a power of ten) first."
        )
    span[span == 0] = 1.0
    return low, span
