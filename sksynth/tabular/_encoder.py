"""Tables to the numbers GANSampler trains on, and back.

:class:`TabularEncoder`: mode-specific normalization of numeric columns (with
exact values for point masses and integer grids), one-hot encoding of
categorical ones, missing-value slots, and columns derived from others.
"""

import numpy as np
import pandas as pd

from .._core.column_dtypes import dtype_spec, make_dtype, python_scalar, restore_series
from .._core.model_values import check_storable, check_storable_dtype
from .._core.validation import check_magnitude
from ._modes import fit_modes, mode_log_posterior
from ._numeric_values import (
    MAX_GRID_VALUES,
    N_QUANTILES,
    decimals_of,
    exact_values_of,
    from_quantile_scalar,
    to_quantile_scalar,
)

# A table is encoded column by column; the encoded matrix that the networks
# read (``layout``) is:
#
# * a numeric column becomes one scalar, (x - mu_k) / (4 sigma_k) clipped to
#   +-0.99, followed by a one-hot "mode" span: the mixture component k the value
#   was drawn from, plus one extra slot when the column has missing values (a
#   missing value is the extra mode and the scalar 0);
# * a categorical column becomes one one-hot span over its distinct values, plus
#   one slot for missing values when it has any.
#
# Four options go beyond CTGAN's encoding:
#
# * exact values: a value that holds a large share of a numeric column (a point
#   mass, such as Adult's ~90 % of zero capital gains), a value far more
#   frequent than its neighbours (a heap, such as a round number), or every
#   value of a column with few distinct values each seen many times (an
#   integer grid), gets a slot of the mode span of its own, which decodes to
#   exactly that value (the scalar is 0); the mixture is fitted on the other
#   values, and the values it generates are rounded to the decimals of the
#   training values (a temperature recorded to 0.1 degree comes back so);
# * derived columns: a column whose value is a function of an earlier discrete
#   column (categorical, or numeric made only of exact values) in the training
#   data, such as Adult's ``educational-num`` of ``education``, gets no span:
#   it is decoded from that column through the recorded map, so combinations
#   never seen in the training data cannot be generated;
# * condition on missing numbers: the mode spans of numeric columns with
#   missing values join the categorical spans as spans the conditional vector
#   can name;
# * quantiles instead of modes: the generated (not exact) values of a numeric
#   column get one mode, whose scalar is the value's quantile mapped onto
#   [-0.99, 0.99], decoded through the inverse of the training values'
#   empirical distribution function (interpolated between 1,000 quantiles).
#   Every column's scalar then has the same uniform distribution, and a
#   relation between columns is one between their scalars, whatever modes a
#   mixture would have drawn for each.
#
# ``fit_transform`` returns that matrix compactly, as each row's scalars and
# the slot it takes in every span (a one-hot span is one integer); the
# one-hot rows are only built batch by batch (``OutputLayout.network_rows``),
# so a table of a million rows costs a few hundred megabytes, not gigabytes.
#
# The fitted state is plain JSON-able data (``TabularEncoder.to_dict``) so that
# samplers can save it without pickle.

# Integer columns hold at most this magnitude: every integer up to it is a
# float64, the type the encoding computes in.
_MAX_EXACT_INTEGER = 2**53
# A column determines another only if each of its values is seen this often:
# rarer values make chance maps.
_MIN_ROWS_PER_SOURCE_VALUE = 10


def _factorize(values):
    """Integer codes (-1 for missing) and the distinct non-missing values."""
    try:
        codes, uniques = pd.factorize(values, sort=True)
    except TypeError:  # values of mixed, unorderable types
        codes, uniques = pd.factorize(values, sort=False)
    uniques = [python_scalar(v) for v in np.asarray(uniques, dtype=object).tolist()]
    return codes.astype(np.int64), uniques


class TabularEncoder:
    """Encode a mixed-type table into the float matrix a tabular GAN trains on.

    Numeric columns get mode-specific normalization: a variational Gaussian
    mixture (at most :attr:`max_modes` modes; modes with weight below
    :attr:`weight_threshold` dropped) is fitted on a bounded subsample of the
    column, each value is assigned a mode drawn from its posterior, and encoded
    as ``(x - mu_k) / (4 sigma_k)`` clipped to +-0.99 plus a one-hot of ``k``. A
    missing numeric value is an extra mode. Categorical columns are one-hot
    encoded, a missing value being its own category. Everything is vectorized
    over rows.

    The encoder remembers the container (ndarray or DataFrame), column names and
    dtypes, so that :meth:`inverse_transform` returns data of the kind given to
    :meth:`fit_transform`. Its fitted state is JSON-able: see :meth:`to_dict`.
    """

    max_modes = 10
    weight_threshold = 0.005

    def __init__(self):
        self.columns = []
        self.container = None

    # -- fitting ----------------------------------------------------------

    def fit_transform(
        self,
        X,
        categorical,
        *,
        max_categories,
        rng,
        exact_values=False,
        max_grid_values=MAX_GRID_VALUES,
        derived_columns=False,
        condition_missing=False,
        numeric_encoding="modes",
    ):
        """Fit the encoding and return every row's scalars and slots.

        Parameters
        ----------
        X : DataFrame or 2-D ndarray
            Validated data: no all-missing column, no infinite number.
        categorical : array-like of bool of shape (n_features,)
            Which columns are categorical.
        max_categories : int
            Most distinct values allowed in a categorical column.
        rng : numpy.random.Generator
            Draws the mixture subsamples and seeds, and the modes of values.
        exact_values : bool, default=False
            Give point masses, heaps and the values of integer grids slots of
            their own that decode to exactly those values.
        max_grid_values : int, default=255
            Most distinct values of a numeric column generated on its exact
            values (an integer grid) with ``exact_values``; point masses are
            exact values whatever the count.
        derived_columns : bool, default=False
            Decode a column that an earlier discrete column determines through
            the map seen in ``X``, instead of generating it.
        condition_missing : bool, default=False
            Make the mode spans of numeric columns with missing values
            condition spans too (see :meth:`layout`).
        numeric_encoding : {"modes", "quantiles"}, default="modes"
            Encode generated numeric values by their offset from a mixture
            mode (CTGAN), or by their quantile (one mode).

        Returns
        -------
        scalars : ndarray of shape (n_samples, n_scalars), float32
            The numeric columns' scalars ``(x - mu_k) / (4 sigma_k)``, in the
            order of ``layout()["scalars"]``.
        slots : ndarray of shape (n_samples, n_spans), int64
            The slot of each row in every span of :meth:`layout` (mode, exact
            value, category or missing): what :meth:`inverse_transform` reads.
        """
        if isinstance(X, pd.DataFrame):
            self.container = {"kind": "DataFrame", "columns": list(X.columns)}
            columns = [X.iloc[:, j] for j in range(X.shape[1])]
        else:
            self.container = {"kind": "ndarray", "dtype": str(X.dtype)}
            columns = [X[:, j] for j in range(X.shape[1])]
        integer_array = self.container.get("dtype", "").startswith(("int", "uint"))

        self.columns, scalars, slots = [], [], []
        for j, (values, is_categorical) in enumerate(
            zip(columns, categorical, strict=True)
        ):
            frame = isinstance(values, pd.Series)
            name = self.container["columns"][j] if frame else j
            # Who holds the values, and how to write them, for error messages.
            where = (f"Column {name!r} of X", f"X[{name!r}]" if frame else f"X[:, {j}]")
            dtype = dtype_spec(values.dtype) if frame else None
            if dtype is not None:
                check_storable_dtype(dtype, *where)
            if is_categorical:
                column, slot = self._fit_categorical(values, name, max_categories)
                check_storable(column["categories"], *where)
                scalar = None
            else:
                integer = integer_array or (
                    frame and pd.api.types.is_integer_dtype(values.dtype)
                )
                if integer:
                    _check_exact_integers(values, *where)
                column, scalar, slot = self._fit_numeric(
                    values, name, rng, exact_values, max_grid_values, numeric_encoding
                )
                column["integer"] = integer
            column["dtype"] = dtype
            self.columns.append(column)
            scalars.append(scalar)
            slots.append(slot)
        if derived_columns:
            self._find_derived_columns(slots)
        for column in self.columns:
            column["condition"] = column["kind"] == "categorical" or (
                condition_missing and column["has_missing"]
            )
        generated = [not _is_derived(c) for c in self.columns]
        n = len(slots[0])
        scalars = [s for s, keep in zip(scalars, generated, strict=True) if keep]
        slots = [s for s, keep in zip(slots, generated, strict=True) if keep]
        return (
            _stack([s for s in scalars if s is not None], n, np.float32),
            _stack(slots, n, np.int64),
        )

    def _find_derived_columns(self, slots):
        """Mark each discrete column that an earlier generated one determines.

        Functional dependence is transitive, so a column determined by a
        derived column is also determined by that column's source; sources are
        therefore only ever generated columns.
        """
        sources = []
        for j, column in enumerate(self.columns):
            if not _is_discrete(column):
                continue
            for a in sources:
                n_source = self._span_size(self.columns[a])
                slot_map = _slot_map(slots[a], slots[j], n_source)
                if slot_map is not None:
                    column["derived_from"] = a
                    column["slot_map"] = slot_map.tolist()
                    break
            else:
                sources.append(j)

    @staticmethod
    def _fit_categorical(values, name, max_categories):
        codes, categories = _factorize(values)
        missing = codes < 0
        if not categories:
            raise ValueError(
                f"Column {name!r} holds only missing values; drop it before fit."
            )
        if len(categories) > max_categories:
            raise ValueError(
                f"Categorical column {name!r} has {len(categories)} distinct values, "
                f"more than max_categories={max_categories}. Raise the limit, e.g. "
                f"max_categories={len(categories)}, treat the column as numeric "
                "with categorical_features, or drop it."
            )
        has_missing = bool(missing.any())
        missing_is_none = False
        if has_missing:
            first_missing = np.asarray(values, dtype=object)[np.argmax(missing)]
            missing_is_none = first_missing is None
            codes = np.where(missing, len(categories), codes)
        column = {
            "kind": "categorical",
            "categories": categories,
            "has_missing": has_missing,
            "missing_is_none": missing_is_none,
        }
        return column, codes

    @staticmethod
    def _fit_numeric(
        values, name, rng, exact_values, max_grid_values, numeric_encoding
    ):
        values = np.asarray(
            values.to_numpy(dtype=np.float64, na_value=np.nan)
            if isinstance(values, pd.Series)
            else values,
            dtype=np.float64,
        )
        missing = np.isnan(values)
        observed = values[~missing]
        if not len(observed):
            raise ValueError(
                f"Column {name!r} holds only missing values; drop it before fit."
            )
        if np.isinf(observed).any():
            raise ValueError(
                f"Column {name!r} holds infinite values; GANSampler accepts NaN "
                "(modelled as missing) but not inf. Replace or drop them."
            )
        exact = (
            exact_values_of(observed, max_grid_values) if exact_values else np.empty(0)
        )
        is_exact = np.isin(observed, exact)
        continuous = observed[~is_exact]
        check_magnitude(continuous, f"Column {name!r}")
        quantiles = None
        if len(continuous) and numeric_encoding == "quantiles":
            # One mode whose offset (x - 0) / (4 * 0.25) is the scalar itself.
            means, stds, log_weights = np.zeros(1), np.full(1, 0.25), np.zeros(1)
            levels = np.linspace(0, 1, min(N_QUANTILES, len(continuous)))
            quantiles = np.quantile(continuous, levels)
        elif len(continuous):
            means, stds, log_weights = fit_modes(
                continuous,
                rng,
                TabularEncoder.max_modes,
                TabularEncoder.weight_threshold,
            )
        else:
            means = stds = log_weights = np.empty(0)
        column = {
            "kind": "numeric",
            "means": means.tolist(),
            "stds": stds.tolist(),
            "log_weights": log_weights.tolist(),
            "values": exact.tolist(),
            "decimals": decimals_of(continuous) if exact_values else None,
            "has_missing": bool(missing.any()),
            # The range that generated (not exact) values are clipped to.
            "min": float((continuous if len(continuous) else observed).min()),
            "max": float((continuous if len(continuous) else observed).max()),
        }
        n, n_modes = len(values), len(means)
        # Slots: the mixture's modes, then the exact values, then missing.
        observed_slots = n_modes + np.searchsorted(exact, observed)
        offsets = np.zeros(len(observed))
        if quantiles is not None:
            column["quantiles"] = quantiles.tolist()
            observed_slots[~is_exact] = 0
            offsets[~is_exact] = to_quantile_scalar(continuous, quantiles)
        elif len(continuous):
            # Draw each value's mode from its posterior with the Gumbel-max trick.
            log_post = mode_log_posterior(continuous, column)
            gumbel = -np.log(-np.log(rng.uniform(1e-12, 1.0, size=log_post.shape)))
            modes = np.argmax(log_post + gumbel, axis=1)
            observed_slots[~is_exact] = modes
            offsets[~is_exact] = np.clip(
                (continuous - means[modes]) / (4 * stds[modes]), -0.99, 0.99
            )
        slots = np.full(n, n_modes + len(exact), dtype=np.int64)
        slots[~missing] = observed_slots
        scalar = np.zeros(n, dtype=np.float32)
        scalar[~missing] = offsets
        return column, scalar, slots

    # -- layout -----------------------------------------------------------

    @property
    def n_encoded(self):
        """Width of the encoded matrix."""
        return sum(
            self._span_size(c) + (c["kind"] == "numeric")
            for c in self.columns
            if not _is_derived(c)
        )

    @staticmethod
    def _span_size(column):
        if column["kind"] == "numeric":
            n_values = len(column["means"]) + len(column.get("values", ()))
        else:
            n_values = len(column["categories"])
        return n_values + column["has_missing"]

    def layout(self):
        """Where each column lives in the encoded matrix.

        Returns
        -------
        layout : dict
            ``scalars``: the positions of the numeric scalars (tanh outputs);
            ``spans``: ``(start, size)`` of every one-hot span (softmax outputs),
            in column order; ``condition_spans``: the indices into ``spans``
            of the spans that the conditional vector names (the categorical
            columns', and with ``condition_missing`` those of numeric columns
            with missing values); ``missing_spans``: the indices into
            ``spans`` of the spans whose last slot is the missing value, and
            ``missing_scalars``: per such span, the index into ``scalars`` of
            its numeric column's scalar (-1 for a categorical column).
            Derived columns have none of them.
        """
        scalars, spans, condition_spans = [], [], []
        missing_spans, missing_scalars = [], []
        position = 0
        for column in self.columns:
            if _is_derived(column):
                continue
            if column["kind"] == "numeric":
                scalars.append(position)
                position += 1
            if column.get("condition", column["kind"] == "categorical"):
                condition_spans.append(len(spans))
            if column["has_missing"]:
                missing_spans.append(len(spans))
                numeric = column["kind"] == "numeric"
                missing_scalars.append(len(scalars) - 1 if numeric else -1)
            size = self._span_size(column)
            spans.append((position, size))
            position += size
        return {
            "scalars": scalars,
            "spans": spans,
            "condition_spans": condition_spans,
            "missing_spans": missing_spans,
            "missing_scalars": missing_scalars,
        }

    # -- decoding ---------------------------------------------------------

    def inverse_transform(self, scalars, codes):
        """Decode generated values back to a table like the training data.

        Parameters
        ----------
        scalars : ndarray of shape (n_samples, n_numeric)
            The generated numeric columns' scalars, in [-1, 1].
        codes : ndarray of shape (n_samples, n_spans)
            The chosen slot of every span of :meth:`layout` (mode, exact
            value or category); derived columns are decoded from them.

        Returns
        -------
        X : DataFrame or ndarray
            Numeric values are clipped to the training range and rounded for
            integer columns; missing slots become missing values; dtypes and
            categories are those seen in :meth:`fit_transform`.
        """
        n = len(codes)
        column_slots, column_scalars = [], []
        span, numeric_index = 0, 0
        for column in self.columns:
            if _is_derived(column):
                source = column_slots[column["derived_from"]]
                column_slots.append(np.asarray(column["slot_map"])[source])
                column_scalars.append(np.zeros(n))
                continue
            column_slots.append(codes[:, span])
            span += 1
            if column["kind"] == "numeric":
                column_scalars.append(scalars[:, numeric_index])
                numeric_index += 1
            else:
                column_scalars.append(None)
        decoded = [
            self._decode_column(column, scalar, slot)
            for column, scalar, slot in zip(
                self.columns, column_scalars, column_slots, strict=True
            )
        ]
        if self.container["kind"] == "DataFrame":
            series = {
                j: restore_series(values, column["dtype"])
                for j, (values, column) in enumerate(
                    zip(decoded, self.columns, strict=True)
                )
            }
            frame = pd.DataFrame(series)
            frame.columns = pd.Index(self.container["columns"])
            return frame
        dtype = np.dtype(self.container["dtype"])
        if dtype.kind == "O":
            out = np.empty((n, len(decoded)), dtype=object)
            for j, values in enumerate(decoded):
                out[:, j] = values
            return out
        return np.stack([np.asarray(v).astype(dtype) for v in decoded], axis=1)

    def _decode_column(self, column, scalar, slot):
        if column["kind"] == "numeric":
            return self._decode_numeric(column, scalar, slot)
        if self.container["kind"] == "DataFrame" and column["dtype"]["type"] == (
            "category"
        ):
            # Straight to the column's categorical codes, with no lookup per
            # value; categories the dtype does not hold as they are (only if
            # a saved model changed their type) take the lookup below.
            dtype = make_dtype(column["dtype"])
            codes = dtype.categories.get_indexer(column["categories"])
            if (codes >= 0).all():
                return pd.Categorical.from_codes(
                    np.append(codes, -1)[slot], dtype=dtype
                )
        return self._decode_categorical(column, slot)

    @staticmethod
    def _decode_numeric(column, scalar, slot):
        means = np.asarray(column["means"])
        stds = np.asarray(column["stds"])
        exact = np.asarray(column.get("values", []), dtype=np.float64)
        values = np.full(len(slot), np.nan)
        continuous = slot < len(means)
        if continuous.any() and "quantiles" in column:
            offsets = from_quantile_scalar(scalar[continuous], column["quantiles"])
        elif continuous.any():
            k = slot[continuous]
            offsets = np.clip(scalar[continuous], -1.0, 1.0) * 4 * stds[k] + means[k]
        if continuous.any():
            if column["integer"]:
                offsets = np.round(offsets)
            elif column.get("decimals") is not None:
                offsets = np.round(offsets, column["decimals"])
            # Rounded first, so that rounding cannot leave the training range.
            values[continuous] = np.clip(offsets, column["min"], column["max"])
        is_exact = ~continuous & (slot < len(means) + len(exact))
        values[is_exact] = exact[slot[is_exact] - len(means)]
        return values

    @staticmethod
    def _decode_categorical(column, codes):
        lookup = np.empty(len(column["categories"]) + 1, dtype=object)
        for i, value in enumerate(column["categories"]):
            lookup[i] = value
        lookup[-1] = None if column["missing_is_none"] else np.nan
        return lookup[codes]

    # -- persistence ------------------------------------------------------

    def to_dict(self):
        """The fitted state as JSON-able data."""
        return {"container": self.container, "columns": self.columns}

    @classmethod
    def from_dict(cls, state):
        """Rebuild an encoder from :meth:`to_dict` output."""
        encoder = cls()
        encoder.container = state["container"]
        encoder.columns = state["columns"]
        return encoder


def _check_exact_integers(values, what, convert):
    """Refuse integers beyond those that float64, the encoding's arithmetic, holds.

    Larger ones would come back with their last digits changed, or wrapped
    around to the other end of the integer type.
    """
    values = pd.Series(values).dropna()
    if not len(values):
        return
    largest = max(abs(int(values.min())), abs(int(values.max())))
    if largest > _MAX_EXACT_INTEGER:
        raise ValueError(
            f"{what} holds integers as large as {largest:.3g} in magnitude, "
            "beyond 2**53, up to which float64 arithmetic holds every integer "
            "exactly. Convert the column to floats to model it approximately "
            f"(e.g. {convert}.astype(float)), or to strings if its values are "
            "identifiers."
        )


def _stack(columns, n_rows, dtype):
    """Columns side by side as one (n_rows, len(columns)) array."""
    if not columns:
        return np.zeros((n_rows, 0), dtype=dtype)
    return np.stack(columns, axis=1).astype(dtype, copy=False)


def _is_discrete(column):
    """Whether every slot of the column's span stands for one value."""
    return column["kind"] == "categorical" or not column["means"]


def _is_derived(column):
    return "derived_from" in column


def _slot_map(source, target, n_source):
    """The target slot of each source slot if the source determines the target.

    Returns None when some source slot goes with two target slots, or is seen
    fewer than ``_MIN_ROWS_PER_SOURCE_VALUE`` times.
    """
    counts = np.bincount(source, minlength=n_source)
    if counts.min() < _MIN_ROWS_PER_SOURCE_VALUE:
        return None
    slot_map = np.zeros(n_source, dtype=np.int64)
    slot_map[source] = target
    if not np.array_equal(slot_map[source], target):
        return None
    return slot_map
