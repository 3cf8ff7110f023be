"""Checks of user input shared by the samplers, the pipelines and the metrics.

Each check raises a ``ValueError`` (a ``TypeError`` where scikit-learn would:
for cells that are not scalars) that names the parameter, column or channel
at fault and what was expected, before the input reaches a dependency whose
own message would not.
"""

from collections.abc import Hashable
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.utils.multiclass import type_of_target

from .model_values import check_storable

# Largest magnitude of values whose squares, summed over many values, stay
# finite in float64: variances, mixtures and standardization of larger values
# overflow to inf.
MAX_MAGNITUDE = 1e150

# infer_dtype kinds whose values are all hashable scalars; others are scanned.
_SCALAR_KINDS = frozenset(
    {
        "string",
        "bytes",
        "floating",
        "integer",
        "mixed-integer-float",
        "decimal",
        "boolean",
        "datetime64",
        "datetime",
        "date",
        "timedelta64",
        "timedelta",
        "time",
        "period",
        "interval",
        "empty",
        "categorical",
    }
)


def check_positive_int(value, name):
    """Return ``value`` as an int, or raise a ValueError naming ``name``."""
    if not isinstance(value, Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def check_fraction(value, name):
    """Raise a ValueError unless ``value`` is a number strictly between 0 and 1."""
    if not isinstance(value, Real) or isinstance(value, bool) or not 0 < value < 1:
        raise ValueError(f"{name} must be a number in (0, 1), got {value!r}.")


def check_real(X, name, noun="column"):
    """Reject complex numbers, which a cast to float would silently truncate.

    Parameters
    ----------
    X : array-like, DataFrame or list of DataFrames
        The data as given by the user.
    name : str
        The parameter holding ``X``, for the message.
    noun : str, default="column"
        What the columns of ``X`` are called ("column" or "channel").
    """
    frames = X if isinstance(X, list) and X else [X]
    if all(isinstance(frame, pd.DataFrame) for frame in frames):
        complex_columns = list(
            dict.fromkeys(
                column
                for frame in frames
                for column, dtype in frame.dtypes.items()
                if dtype.kind == "c"
            )
        )
        if complex_columns:
            raise ValueError(
                f"Complex data not supported: {name} holds complex numbers in "
                f"{noun}(s) {complex_columns}. Pass the real and imaginary parts "
                f"as two {noun}s (.real and .imag)."
            )
        return
    if np.iscomplexobj(X):
        raise ValueError(
            f"Complex data not supported: {name} holds complex numbers (dtype "
            f"{np.asarray(X).dtype}). Pass the real and imaginary parts as "
            f"separate {noun}s (.real and .imag)."
        )


def check_cells(values, column, name):
    """Reject cells a table column cannot hold: unhashable or complex values.

    Unhashable values (lists, dicts, arrays) raise a TypeError, as
    scikit-learn's own checks do; complex numbers a ValueError.

    Parameters
    ----------
    values : Series or 1-D ndarray
        One column of a table, of object dtype.
    column : str or int
        The column's name, for the message.
    name : str
        The parameter holding the table, for the message.
    """
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in _SCALAR_KINDS:
        return
    for value in np.asarray(values, dtype=object):
        if isinstance(value, (complex, np.complexfloating)):
            raise ValueError(
                f"Complex data not supported: column {column!r} of {name} holds "
                f"complex numbers (such as {value!r}). Pass the real and "
                "imaginary parts as two columns."
            )
        if not isinstance(value, Hashable):
            raise TypeError(
                f"Column {column!r} of {name} holds {type(value).__name__} values "
                f"(such as {short_repr(value)}), but a cell's argument must be one "
                "string, number or other scalar. Expand the column into one "
                "column per item, or join its items into a string."
            )


def check_table_cells(X, name):
    """Run :func:`check_real` and :func:`check_cells` on every object column of X."""
    check_real(X, name)
    if isinstance(X, pd.DataFrame):
        for j, dtype in enumerate(X.dtypes):
            if pd.api.types.is_object_dtype(dtype):
                check_cells(X.iloc[:, j], X.columns[j], name)
    elif isinstance(X, np.ndarray) and X.dtype == object and X.ndim == 2:
        for j in range(X.shape[1]):
            check_cells(X[:, j], j, name)


def check_magnitude(
    values,
    where,
    limit=MAX_MAGNITUDE,
    why="up to which squares and sums of squares stay finite",
):
    """Reject finite values too large for the arithmetic that follows.

    Parameters
    ----------
    values : ndarray of float
        Values to check (NaN are ignored).
    where : str
        What holds them, for the message (e.g. "Column 'a' of X").
    limit : float, default=MAX_MAGNITUDE
        Largest magnitude allowed.
    why : str
        Why the limit, for the message.
    """
    if not np.size(values):
        return
    largest = np.nanmax(np.abs(values), initial=0.0)
    if largest > limit:
        raise ValueError(
            f"{where} holds values as large as {largest:.3g} in magnitude, beyond "
            f"the {limit:.0e} {why}. Rescale it (e.g. divide it by a power of "
            "ten) first."
        )


def check_class_labels(y, owner):
    """Reject class labels that are not 1-D: missing, mixed-type or continuous.

    Other shapes are left to the caller, whose own checks name them.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Class labels.
    owner : str
        The estimator that needs them, for the message.
    """
    if isinstance(y, (pd.Series, pd.Index, pd.api.extensions.ExtensionArray)):
        values = (
            y.to_numpy(dtype=np.float64, na_value=np.nan)
            if pd.api.types.is_numeric_dtype(y.dtype)
            else y.to_numpy(dtype=object)
        )
    else:
        values = np.asarray(y, dtype=object if holds_strings(y) else None)
    if values.ndim == 0:
        raise ValueError(
            f"y must be an array-like of class labels, one per row; got "
            f"{short_repr(y)}."
        )
    if values.ndim != 1:
        return  # shape errors are the caller's, with its own message
    missing = pd.isna(values)
    if missing.any():
        rows = np.flatnonzero(missing)[:5].tolist()
        raise ValueError(
            f"y holds missing labels (NaN or None), e.g. at rows {rows}; {owner} "
            "needs a class for every row: drop those rows or give them a class."
        )
    if values.dtype.kind in "OSMm":  # objects, bytes, dates and durations
        check_storable(pd.unique(values), "y", "y")
    if values.dtype == object:
        types = sorted({type(v).__name__ for v in values})
        if len(types) > 1 and any(isinstance(v, str) for v in values):
            raise ValueError(
                f"y mixes label types {types}; {owner} needs labels of one type. "
                "Cast them, e.g. y.astype(str)."
            )
    if type_of_target(values) in ("continuous", "continuous-multioutput"):
        raise ValueError(
            f"y holds {len(np.unique(values))} distinct non-integer numbers, a "
            f"continuous target; {owner} needs class labels. Bin y into classes "
            "first (e.g. with pandas.cut), or cast whole-number labels to int."
        )


def holds_strings(values):
    return isinstance(values, str) or (
        isinstance(values, (list, tuple)) and any(isinstance(v, str) for v in values)
    )


def short_repr(value, width=40):
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."
