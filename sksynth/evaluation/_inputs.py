"""Validation of the real and synthetic data given to the evaluation metrics.

The metrics follow the samplers' conventions with one difference: a 2-D array
or a DataFrame with a plain index is a *table* (one row per record), never a
long series. Time series are panels: a 3-D ndarray in sktime's numpy3D layout
(n_instances, n_channels, n_timepoints), or an sktime ``pd-multiindex``,
``nested_univ`` or ``df-list`` panel, whose sequences may differ in length.
Such a panel becomes a numpy3D array padded with NaN after each sequence's
last step, and its lengths.
"""

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .._core.panels import PANEL_MTYPES, panel_kind, panel_to_padded
from .._core.table_columns import categorical_columns
from .._core.validation import (
    MAX_MAGNITUDE,
    check_magnitude,
    check_real,
    check_table_cells,
)


def is_panel(X, name):
    """Whether X is time-series panel data (as opposed to a table).

    ``name`` names X in the error raised for data that is neither.
    """
    return panel_kind(X, name) in ("numpy3D", *PANEL_MTYPES)


def to_numpy3d(X, name, *, metric, max_magnitude=MAX_MAGNITUDE):
    """Convert one panel of equal-length sequences to a float64 numpy3D array.

    Tables, complex numbers, NaN/inf, values beyond ``max_magnitude`` (None:
    no limit), panels without channels or time points and sequences of
    unequal lengths raise a ValueError.
    """
    X3, lengths = to_padded(X, name, metric=metric, max_magnitude=max_magnitude)
    if lengths is not None:
        raise ValueError(
            f"{metric} needs sequences of equal length in {name}; got lengths "
            f"from {lengths.min()} to {lengths.max()}."
        )
    return X3


def to_padded(X, name, *, metric, max_magnitude=MAX_MAGNITUDE):
    """Convert one panel of any lengths to a NaN-padded numpy3D array.

    Returns ``(X3, lengths)``; ``lengths`` is None when the sequences have one
    length. Raises as :func:`to_numpy3d` does for bad values.
    """
    kind = panel_kind(X, name)
    if kind in ("series-array", "series-frame"):
        raise ValueError(
            f"{metric} needs time-series panels, but {name} is a 2-D table "
            f"(shape {np.shape(X)}). Pass a 3-D array (n_instances, n_channels, "
            "n_timepoints) or an sktime panel; cut a long series into windows first."
        )
    lengths = None
    if kind == "numpy3D":
        check_real(X, name, noun="channel")
        try:
            X3 = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must hold numbers: {exc}") from None
    else:
        X3, lengths, _ = panel_to_padded(X, kind, name)
    if 0 in X3.shape[1:]:
        raise ValueError(
            f"{metric} needs at least one channel and one time point, but {name} "
            f"has shape {X3.shape} (n_instances, n_channels, n_timepoints)."
        )
    values = X3 if lengths is None else X3.transpose(0, 2, 1)[valid_steps(lengths)]
    if not np.isfinite(values).all():
        raise ValueError(
            f"{name} contains NaN or infinite values; {metric} needs finite data."
        )
    if max_magnitude is not None:
        check_magnitude(values, name, limit=max_magnitude)
    return X3, lengths


def valid_steps(lengths, n_steps=None):
    """Bool array (n, n_steps) of the time steps before each sequence's length."""
    n_steps = max(lengths) if n_steps is None else n_steps
    return np.arange(n_steps) < np.asarray(lengths)[:, None]


def check_panel_pair(
    X_real, X_synth, *, metric, min_channels=1, max_magnitude=MAX_MAGNITUDE
):
    """Validate a real and a synthetic panel; return them and their lengths.

    Returns ``(real, real_lengths, synth, synth_lengths)``, numpy3D arrays and
    their sequences' lengths. Where both panels have one length, and the
    same, the lengths are None; otherwise both arrays are NaN-padded to the
    longest length of the two and the lengths are arrays.

    Raises
    ------
    ValueError
        If either is a table, holds NaN/inf, values beyond ``max_magnitude``
        or fewer than 2 sequences, if the two differ in channel count, or if
        two panels of equal-length sequences differ in sequence length.
    """
    real, real_lengths = to_padded(
        X_real, "X_real", metric=metric, max_magnitude=max_magnitude
    )
    synth, synth_lengths = to_padded(
        X_synth, "X_synth", metric=metric, max_magnitude=max_magnitude
    )
    for name, X3 in (("X_real", real), ("X_synth", synth)):
        if X3.shape[0] < 2:
            raise ValueError(
                f"{metric} needs at least 2 sequences in {name}, got {X3.shape[0]}."
            )
    if real.shape[1] != synth.shape[1]:
        raise ValueError(
            f"X_real and X_synth must have the same number of channels; got "
            f"{real.shape[1]} and {synth.shape[1]}."
        )
    equal = real_lengths is None and synth_lengths is None
    if equal and real.shape[2] != synth.shape[2]:
        raise ValueError(
            f"X_real and X_synth must have the same sequence length; got "
            f"{real.shape[2]} and {synth.shape[2]} time points."
        )
    if real.shape[1] < min_channels:
        raise ValueError(
            f"{metric} needs at least {min_channels} channels, got {real.shape[1]}."
        )
    if equal:
        return real, None, synth, None
    n_steps = max(real.shape[2], synth.shape[2])
    padded = []
    for X3, lengths in ((real, real_lengths), (synth, synth_lengths)):
        if lengths is None:
            lengths = np.full(len(X3), X3.shape[2], dtype=np.int64)
        extra = np.full((*X3.shape[:2], n_steps - X3.shape[2]), np.nan)
        padded += [np.concatenate([X3, extra], axis=2), lengths]
    return tuple(padded)


def to_frame(X, name):
    """Return a table as a DataFrame (ndarray columns are named x0, x1, ...).

    Columns of nullable dtypes (``Int64``, ``Float64``, ``boolean``,
    ``string``) come back as NumPy ones, with NaN for ``pd.NA``: numbers as
    float64, the others as objects. MultiIndex columns, duplicate column
    names, complex numbers and infinite values raise a ValueError, unhashable
    cells (such as lists) a TypeError, naming the column.
    """
    if isinstance(X, pd.DataFrame):
        frame = _without_nullable_dtypes(X)
    else:
        array = np.asarray(X)
        if array.ndim != 2:
            raise ValueError(
                f"{name} must be a 2-D table, got an array of shape {array.shape}."
            )
        frame = pd.DataFrame(array, columns=[f"x{i}" for i in range(array.shape[1])])
    if frame.shape[1] == 0:
        raise ValueError(f"{name} has no columns; the metrics need at least one.")
    if isinstance(frame.columns, pd.MultiIndex):
        raise ValueError(
            f"{name} has MultiIndex columns ({frame.columns.nlevels} levels); the "
            "metrics compare flat tables. Flatten them first, e.g. "
            f"{name}.columns = ['_'.join(map(str, c)) for c in {name}.columns]."
        )
    duplicated = frame.columns[frame.columns.duplicated()].unique().tolist()
    if duplicated:
        raise ValueError(
            f"{name} has duplicate column names {duplicated}; give each column "
            "a name of its own."
        )
    check_table_cells(frame, name)
    numeric = frame.select_dtypes(include="number")
    if numeric.size and np.isinf(numeric.to_numpy(dtype=np.float64)).any():
        raise ValueError(f"{name} contains infinite values.")
    return frame


def _without_nullable_dtypes(frame):
    """``frame`` with its nullable columns as NumPy ones, NaN for ``pd.NA``.

    scikit-learn's imputers and encoders cannot read ``pd.NA``.
    """
    converted = {}
    for j, dtype in enumerate(frame.dtypes):
        if not isinstance(dtype, pd.api.extensions.ExtensionDtype) or isinstance(
            dtype, (pd.CategoricalDtype, pd.IntervalDtype, pd.PeriodDtype)
        ):
            continue
        column = frame.iloc[:, j]
        if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(
            dtype
        ):
            converted[j] = column.to_numpy(dtype=np.float64, na_value=np.nan)
        elif pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
            converted[j] = column.to_numpy(dtype=object, na_value=np.nan)
    if not converted:
        return frame
    frame = frame.copy()
    for j, values in converted.items():
        frame.isetitem(j, values)
    return frame


def positional(frame):
    """``frame`` with its columns named 0, 1, 2, ... by position.

    scikit-learn's column selectors read integer names as positions and
    reject names that are neither strings nor integers (such as tuples), so
    the metrics' own encoders see the columns by position.
    """
    return frame.set_axis(pd.RangeIndex(frame.shape[1]), axis=1)


def check_table_pair(X_real, X_synth, *, metric):
    """Validate a real and a synthetic table; return both as DataFrames.

    NaN are allowed (tabular samplers reproduce missing values); the synthetic
    columns are put in the real table's order.
    """
    if isinstance(X_real, pd.DataFrame) != isinstance(X_synth, pd.DataFrame):
        raise ValueError(
            "X_real and X_synth must both be DataFrames or both be arrays; got "
            f"{type(X_real).__name__} and {type(X_synth).__name__}."
        )
    real = to_frame(X_real, "X_real")
    synth = to_frame(X_synth, "X_synth")
    if list(real.columns) != list(synth.columns):
        if len(real.columns) != len(synth.columns):
            raise ValueError(
                f"X_real and X_synth must have the same number of columns; got "
                f"{real.shape[1]} and {synth.shape[1]}."
            )
        if set(real.columns) != set(synth.columns):
            only_real = sorted(map(str, set(real.columns) - set(synth.columns)))
            only_synth = sorted(map(str, set(synth.columns) - set(real.columns)))
            raise ValueError(
                "X_real and X_synth must have the same columns; only in X_real: "
                f"{only_real}, only in X_synth: {only_synth}."
            )
        synth = synth[list(real.columns)]
    for name, frame in (("X_real", real), ("X_synth", synth)):
        if len(frame) < 2:
            raise ValueError(
                f"{metric} needs at least 2 rows in {name}, got {len(frame)}."
            )
    return real, synth


def make_table_encoder(frame):
    """An unfitted encoder mapping a table to standardized numeric features.

    Numeric columns are median-imputed (a column missing throughout becomes
    zeros) and standardized; categorical columns
    are one-hot encoded (NaN is its own category, unseen categories encode to
    all zeros).
    """
    categorical = categorical_columns(frame)
    numeric = [c for c in frame.columns if c not in categorical]
    return ColumnTransformer(
        [
            (
                "numeric",
                make_pipeline(
                    # A column missing throughout stays, as zeros.
                    SimpleImputer(strategy="median", keep_empty_features=True),
                    StandardScaler(),
                ),
                numeric,
            ),
            (
                "categorical",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                categorical,
            ),
        ],
        sparse_threshold=0.0,
    )


def check_encodable(frames, names):
    """Reject what the table encoders cannot compare, naming the column.

    The encoders sort each categorical column's values, so a column must not
    mix strings with numbers (or other unorderable types) within or across
    the tables.
    """
    for column in frames[0].columns:
        if all(pd.api.types.is_numeric_dtype(f[column]) for f in frames):
            continue
        values = pd.unique(
            pd.concat([f[column].astype(object) for f in frames]).dropna()
        )
        try:
            sorted(values)
        except TypeError:
            kinds = {
                name: sorted({type(v).__name__ for v in f[column].dropna()})
                for name, f in zip(names, frames, strict=True)
            }
            raise ValueError(
                f"Column {column!r} mixes values of unorderable types ({kinds}); "
                "the encoders need one type per column. Cast the column to one "
                f"type in every table, e.g. X[{column!r}].astype(str)."
            ) from None


def encode_like(reference, *others, names):
    """Encode tables with :func:`make_table_encoder` fitted on ``reference``.

    ``names`` names ``reference`` and ``others`` in error messages.
    """
    frames = (reference, *others)
    check_encodable(frames, names)
    for name, frame in zip(names, frames, strict=True):
        for column in frame.select_dtypes(include="number").columns:
            values = frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
            check_magnitude(values, f"Column {column!r} of {name}")
    columns = list(reference.columns)
    frames = [positional(frame[columns]) for frame in frames]
    encoder = make_table_encoder(frames[0]).fit(frames[0])
    return [np.asarray(encoder.transform(frame), dtype=np.float64) for frame in frames]
