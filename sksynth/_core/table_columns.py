"""Which columns of a table are categorical, and GANSampler's table checks.

One rule decides, everywhere in sksynth (the samplers, the evaluation and the
benchmarks), which columns of a DataFrame are categorical:
:func:`is_categorical_dtype`. ``GANSampler`` adds the columns its
``categorical_features`` parameter names.
"""

import numpy as np
import pandas as pd
from sklearn.utils.validation import validate_data

from .model_values import check_column_names
from .validation import check_real, check_table_cells


def is_categorical_dtype(dtype):
    """Whether a column of this dtype is categorical: bool or not numeric.

    ``category`` dtype (even with numeric categories), strings, objects and
    booleans are categorical; integers and floats are numbers.
    """
    return pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype)


def categorical_columns(frame):
    """Names of the categorical columns of a DataFrame: :func:`is_categorical_dtype`."""
    return [
        column for column, dtype in frame.dtypes.items() if is_categorical_dtype(dtype)
    ]


def validate_table(estimator, X):
    """Validate GANSampler's X; return it (a DataFrame or a 2-D ndarray) and
    its categorical mask.

    ``estimator`` records ``n_features_in_`` (and ``feature_names_in_``) and
    gives ``categorical_features``.
    """
    # Before validate_data, whose complex-data error prints the whole array.
    check_real(X, "X")
    if isinstance(X, pd.DataFrame):
        check_column_names(X.columns, "X")
        check_table_cells(X, "X")
        validate_data(estimator, X, skip_check_array=True)
        n_samples, n_features = X.shape
        if n_samples == 0 or n_features == 0:
            raise ValueError(
                f"X is empty: found a DataFrame of shape {X.shape}; GANSampler "
                "needs at least 2 rows and 1 column."
            )
        if n_samples < 2:
            raise ValueError(
                "X has n_samples = 1 row; GANSampler needs at least 2 rows."
            )
        inherent = np.zeros(n_features, dtype=bool)
        for j, dtype in enumerate(X.dtypes):
            if pd.api.types.is_datetime64_any_dtype(
                dtype
            ) or pd.api.types.is_timedelta64_dtype(dtype):
                raise ValueError(
                    f"Column {X.columns[j]!r} has dtype {dtype}, which "
                    "GANSampler does not support; convert it to numbers first."
                )
            inherent[j] = is_categorical_dtype(dtype)
        return X, inherent | _requested_categorical(estimator, n_features)

    X = validate_data(
        estimator, X, dtype=None, ensure_all_finite=False, ensure_min_samples=2
    )
    check_table_cells(X, "X")
    n_features = X.shape[1]
    if X.dtype.kind in "Mm":
        # Their values would be stored as bare integers of nanoseconds.
        kind = "datetime" if X.dtype.kind == "M" else "timedelta"
        raise ValueError(
            f"Column 0 of X holds {kind} values (dtype {X.dtype}), which "
            "GANSampler does not support; convert X[:, 0] and the other columns "
            "to numbers or strings first."
        )
    if X.dtype.kind in "iuf":
        inherent = np.zeros(n_features, dtype=bool)
    elif X.dtype.kind == "O":
        X, inherent = _numeric_object_columns(X)
    else:  # bool and string arrays
        inherent = np.ones(n_features, dtype=bool)
    return X, inherent | _requested_categorical(estimator, n_features)


def _requested_categorical(estimator, n_features):
    """The ``categorical_features`` parameter as a boolean mask."""
    spec = estimator.categorical_features
    mask = np.zeros(n_features, dtype=bool)
    if spec is None or (isinstance(spec, str) and spec == "from_dtype"):
        return mask
    spec = np.asarray(spec)
    if spec.size == 0:
        return mask
    if spec.ndim != 1:
        raise ValueError("categorical_features must be 1-D.")
    if spec.dtype.kind == "b":
        if len(spec) != n_features:
            raise ValueError(
                f"categorical_features is a boolean mask of length {len(spec)} "
                f"but X has {n_features} columns."
            )
        return spec.copy()
    if spec.dtype.kind in "iu":
        if spec.min() < -n_features or spec.max() >= n_features:
            raise ValueError(
                f"categorical_features holds indices out of range for X with "
                f"{n_features} columns: {spec.tolist()}."
            )
        mask[spec] = True
        return mask
    if spec.dtype.kind in "UO":
        names = getattr(estimator, "feature_names_in_", None)
        if names is None:
            raise ValueError(
                "categorical_features holds column names, but X has no string "
                "column names; pass indices or a boolean mask."
            )
        missing = sorted(set(spec.tolist()) - set(names.tolist()))
        if missing:
            raise ValueError(f"categorical_features names columns not in X: {missing}.")
        mask[np.isin(names, spec)] = True
        return mask
    raise ValueError(
        "categorical_features must be None, 'from_dtype', or an array of "
        "column indices, column names or booleans; got "
        f"{estimator.categorical_features!r}."
    )


def _numeric_object_columns(X):
    """Read the numeric columns of an object array as floats.

    Returns a copy of X whose numeric columns hold floats (NaN for None) and the
    mask of the other columns, which are categorical: those holding a value
    that is not a number (strings, dates, other objects).
    """
    X = X.copy()
    categorical = np.zeros(X.shape[1], dtype=bool)
    for j in range(X.shape[1]):
        column = X[:, j]
        missing = pd.isna(column)
        values = np.full(len(column), np.nan)
        try:
            values[~missing] = column[~missing].astype(np.float64)
        except (ValueError, TypeError):  # not numbers: a categorical column
            categorical[j] = True
            continue
        X[:, j] = values
    return X, categorical
