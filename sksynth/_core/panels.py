"""Time-series layouts: sktime panels and long series to numpy3D arrays, and back.

sktime panels (``numpy3D``, ``pd-multiindex``, ``nested_univ``, ``df-list``)
and long series (2-D arrays or DataFrames, one row per time point) convert to
and from a numpy3D array of shape (n_instances, n_channels, n_timepoints);
long series are cut into stride-1 windows, and channels are min-max scaled.
"""

import numpy as np
import pandas as pd

from .validation import check_real

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
    columns : list
        The channel names, as the panel holds them.

    Raises
    ------
    ValueError
        If the sequences differ in length, hold complex numbers, or sktime
        cannot read the panel.
    """
    X3, lengths, columns = panel_to_padded(X, kind, name)
    if lengths is not None:
        raise ValueError(
            f"{name} must hold sequences of equal length; got lengths from "
            f"{lengths.min()} to {lengths.max()}. Cut or pad them to one length."
        )
    return X3, columns


def panel_to_padded(X, kind, name="X"):
    """Convert an sktime panel, of equal or unequal lengths, to a numpy3D array.

    Sequences shorter than the longest are padded with NaN after their last
    time point.

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
    X3 : ndarray of shape (n_instances, n_channels, max_length)
    lengths : ndarray of shape (n_instances,) of int64, or None
        Each sequence's length; None when all are equal.
    columns : list
        The channel names, as the panel holds them.

    Raises
    ------
    ValueError
        If the panel holds complex numbers or values that are not numbers, if
        an instance's channels differ in length, or if sktime cannot read it.
    """
    columns = list((X[0] if kind == "df-list" else X).columns)
    check_time_indexes(X, kind, name)
    lengths = _instance_lengths(X, kind)
    check_real(X, name, noun="channel")
    if len(set(lengths)) > 1:
        X3 = _padded_values(X, kind, name, max(lengths))
        check_real(X3, name, noun="channel")
        return X3, np.asarray(lengths, dtype=np.int64), columns
    from sktime.datatypes import convert_to

    try:
        X3 = convert_to(X, to_type="numpy3D")
    except Exception as exc:  # sktime raises bare TypeError/ValueError variants
        raise ValueError(f"{name} is not a valid {kind} panel: {exc}") from None
    # nested_univ cells are Series, whose complex values only show here.
    check_real(X3, name, noun="channel")
    return np.asarray(X3, dtype=np.float64), None, columns


def check_time_indexes(X, kind, name="X"):
    """Raise a ValueError unless each sequence's time points are evenly spaced.

    The rows of a sequence are read as consecutive steps, so a gap (a missing
    time point) or rows out of time order would silently join steps that are
    not neighbours. A pd-multiindex panel's time points must be integers,
    dates or periods; in other layouts, time points that are not numbers,
    dates, periods or durations are not checked.

    Parameters
    ----------
    X : DataFrame or list of DataFrames
        A panel of mtype ``kind`` (one of :data:`PANEL_MTYPES`), or with
        ``kind="series-frame"`` one long series.
    kind : str
        The layout, as returned by :func:`panel_kind`.
    name : str, default="X"
        The parameter holding ``X``, for the message.
    """
    if kind == "pd-multiindex":
        _check_time_level(X.index.get_level_values(1), name)
        if _evenly_spaced_panel(X.index):
            return
        instances = X.groupby(level=0, sort=False)
        indexes = ((i, group.index.get_level_values(1)) for i, group in instances)
    elif kind == "df-list":
        indexes = ((i, frame.index) for i, frame in enumerate(X))
    elif kind == "nested_univ":
        indexes = (
            (X.index[row], cell.index)
            for row, cells in enumerate(X.itertuples(index=False))
            for cell in cells
        )
    else:
        indexes = [(None, X.index)]
    for instance, index in indexes:
        problem = _uneven_steps(index)
        if problem is not None:
            where = name if instance is None else f"Instance {instance!r} of {name}"
            found, remedy = problem
            raise ValueError(
                f"{where} {found}, but its rows are read as consecutive time "
                f"steps at even intervals. {remedy}"
            )


def _check_time_level(times, name):
    """Refuse time points that sktime's pd-multiindex panels cannot hold."""
    if pd.api.types.is_integer_dtype(times) or isinstance(
        times, (pd.DatetimeIndex, pd.PeriodIndex)
    ):
        return
    raise ValueError(
        f"The time points of {name} (its second index level) are {times.dtype} "
        f"values such as {times[0]!r}; a pd-multiindex panel's time points must "
        "be integers, dates or periods. Number the rows of each instance 0, 1, "
        f"2, ..., e.g. with {name}.groupby(level=0).cumcount()."
    )


def _time_points(index):
    """Time points as numbers, or None for an index of other values."""
    if isinstance(index, (pd.PeriodIndex, pd.DatetimeIndex, pd.TimedeltaIndex)):
        return index.asi8
    if pd.api.types.is_numeric_dtype(index) and not pd.api.types.is_bool_dtype(index):
        return np.asarray(index, dtype=np.float64)
    return None


def _evenly_spaced_panel(index):
    """Whether every instance of a pd-multiindex steps by one common step.

    The common case, checked without a loop over instances; False leaves
    the verdict to the check of each instance. The time points are integers,
    dates or periods (``_check_time_level``).
    """
    points = _time_points(index.get_level_values(1))
    instance = index.codes[0]
    steps = np.diff(points)[instance[1:] == instance[:-1]]
    if not len(steps):
        return True
    even = np.ptp(steps) <= _step_tolerance(points, steps)
    return bool((steps > 0).all() and even)


def _step_tolerance(points, steps):
    """How far two steps between ``points`` may differ and count as equal.

    Float time points carry their own rounding error, which grows with their
    magnitude.
    """
    tolerance = 1e-9 * steps.max()
    if points.dtype.kind == "f":
        tolerance += 4 * np.spacing(np.abs(points).max())
    return tolerance


def _uneven_steps(index):
    """What is wrong with the time points ``index``, and the remedy, or None.

    None where they increase by even steps, or are not numbers, dates,
    periods or durations.
    """
    points = _time_points(index)
    if len(index) < 2 or points is None:
        return None
    steps = np.diff(points)
    if (steps <= 0).any():
        at = int(np.argmax(steps <= 0))
        return (
            f"has time points out of order ({index[at]} is followed by "
            f"{index[at + 1]})",
            "Sort them, e.g. with sort_index().",
        )
    uneven = np.abs(steps - steps[0]) > _step_tolerance(points, steps)
    if not uneven.any():
        return None
    if isinstance(index, pd.DatetimeIndex) and pd.infer_freq(index) is not None:
        return None  # calendar steps, such as months
    at = int(np.argmax(uneven))
    return (
        f"has a gap in its time index ({index[at]} is followed by "
        f"{index[at + 1]}, where {index[0]} is followed by {index[1]})",
        "Fill the missing time points (e.g. by interpolation) or cut the "
        "sequence at the gap; if the rows are consecutive steps, number them "
        "0, 1, 2, ...",
    )


def _padded_values(X, kind, name, max_length):
    """The sequences of an unequal-length panel, NaN-padded to ``max_length``."""
    if kind == "df-list":
        instances = [frame.to_numpy() for frame in X]
    elif kind == "pd-multiindex":
        instances = [group.to_numpy() for _, group in X.groupby(level=0, sort=False)]
    else:
        instances = []
        for row, cells in enumerate(X.itertuples(index=False)):
            sizes = {len(cell) for cell in cells}
            if len(sizes) > 1:
                raise ValueError(
                    f"Instance {row} of {name} has channels of different lengths "
                    f"{sorted(sizes)}; the channels of one sequence must have "
                    "one length."
                )
            instances.append(np.column_stack([np.asarray(c) for c in cells]))
    X3 = np.full((len(instances), instances[0].shape[1], max_length), np.nan)
    for i, values in enumerate(instances):
        try:
            X3[i, :, : len(values)] = np.asarray(values, dtype=np.float64).T
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must hold numbers; instance {i}: {exc}") from None
    return X3


def _instance_lengths(X, kind):
    if kind == "df-list":
        return [len(frame) for frame in X]
    if kind == "pd-multiindex":
        return X.groupby(level=0, sort=False).size().tolist()
    return [len(cell) for cell in X.iloc[:, 0]]


def padded_to_panel(X3, lengths, kind, columns):
    """Sequences of unequal lengths in the panel mtype ``kind``.

    Parameters
    ----------
    X3 : ndarray of shape (n_instances, n_channels, max_length)
        Padded sequences; sequence ``i`` is ``X3[i, :, :lengths[i]]``.
    lengths : array-like of shape (n_instances,) of int
        The sequences' lengths.
    kind : str
        One of :data:`PANEL_MTYPES`.
    columns : list or None
        Channel names; None names them ``var_0``, ``var_1``, ... as sktime does.

    Returns
    -------
    DataFrame or list of DataFrames
    """
    if columns is None:
        columns = [f"var_{c}" for c in range(X3.shape[1])]
    sequences = [X3[i, :, :length].T for i, length in enumerate(lengths)]
    if kind == "df-list":
        return [pd.DataFrame(values, columns=columns) for values in sequences]
    if kind == "pd-multiindex":
        index = pd.MultiIndex.from_arrays(
            [
                np.repeat(np.arange(len(sequences)), [len(v) for v in sequences]),
                np.concatenate([np.arange(len(v)) for v in sequences]),
            ],
            names=["instances", "timepoints"],
        )
        return pd.DataFrame(np.concatenate(sequences), index=index, columns=columns)
    return pd.DataFrame(
        {
            column: [pd.Series(values[:, c]) for values in sequences]
            for c, column in enumerate(columns)
        }
    )


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
    columns : list or None
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

    NaN (the padding of unequal-length panels) are left out.

    A constant channel gets a span of 1, so that it scales to 0. Raises a
    ValueError naming the channel (by its name in ``channels``, if given) whose
    range overflows float64.
    """
    padded = np.isnan(X3).any()
    low = (np.nanmin if padded else np.min)(X3, axis=(0, 2))
    with np.errstate(over="ignore"):
        span = (np.nanmax if padded else np.max)(X3, axis=(0, 2)) - low
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
