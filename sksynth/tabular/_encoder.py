"""Tables to the numbers GANSampler trains on, and back.

:class:`TabularEncoder`: mode-specific normalization of numeric columns (with
exact values for point masses and integer grids), one-hot encoding of
categorical ones, missing-value slots, and columns derived from others.
"""

import math

import numpy as np
import pandas as pd

from .._core.column_dtypes import (
    check_dtype_spec,
    dtype_spec,
    make_dtype,
    python_scalar,
    restore_series,
)
from .._core.model_file import is_int, is_json_scalar
from .._core.model_values import check_storable, check_storable_dtype
from .._core.validation import check_magnitude
from ._curves import decode_curve, is_valid_curve, monotone_curve, quantile_map
from ._encoded_columns import (
    CategoricalColumn,
    EncodedColumn,
    Layout,
    NumericColumn,
    Span,
)
from ._modes import fit_modes, mode_log_posterior
from ._numeric_values import (
    MAX_GRID_VALUES,
    N_QUANTILES,
    decimals_of,
    exact_values_of,
    from_quantile_scalar,
    grid_of,
    snap_to_grid,
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
#   training values (a temperature recorded to 0.1 degree comes back so); on a
#   wider grid (more than ``max_grid_values`` values, each seen many times)
#   they snap onto the nearest value of the grid, so that the span stays as
#   small as the mixture's however many values the column has;
# * derived columns: a column of few values whose value is a function of
#   another such column (categorical, or numeric made of exact values or on a
#   grid) in the training data, such as Adult's ``educational-num`` of
#   ``education``, gets no span:
#   it is decoded from that column through the recorded map, so combinations
#   never seen in the training data cannot be generated; so is a numeric
#   column that rises or falls with an earlier numeric column (a charge and
#   its minutes, a wage and its logarithm), through the recorded curve;
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

    Parameters
    ----------
    categorical : array-like of bool of shape (n_features,)
        Which columns are categorical.
    max_categories : int or None, default=None
        Most distinct values allowed in a categorical column; None for no limit.
    exact_values : bool, default=False
        Give point masses, heaps and the values of small grids slots of
        their own that decode to exactly those values, and snap the values
        generated for wider grids onto the grid.
    max_grid_values : int, default=10
        Most distinct values of a grid column generated on its exact values,
        a slot each, with ``exact_values``; point masses are exact values
        whatever the count.
    derived_columns : bool, default=False
        Decode a column of few values (categorical, exact values or a grid)
        that another such column determines through the map seen in the
        training data, and a numeric column that is a monotone function of
        an earlier numeric one through the curve seen there, instead of
        generating it.
    condition_missing : bool, default=False
        Make the mode spans of numeric columns with missing values
        condition spans too (see :meth:`layout`).
    numeric_encoding : {"modes", "quantiles"}, default="modes"
        Encode generated numeric values by their offset from a mixture
        mode (CTGAN), or by their quantile (one mode).
    random_state : int, numpy.random.Generator or None, default=None
        Draws the mixture subsamples and seeds, and the modes of values; a
        Generator is drawn from as it is.
    schema : dict or None, default=None
        Encode from a schema instead of the data: per column (by name, or by
        position for an ndarray), a pair of ``(low, high)`` for a numeric
        column, whose values are clipped to that range and encoded by one
        mode spanning it (or ``(low, high, quantiles)``: by their quantile
        among those given), or the list of a categorical column's categories,
        and whether the column may be missing (then it gets a missing slot,
        if its dtype can hold one). No column is a condition: nothing but the
        schema, the column names and the dtypes enters the fitted state.
        Needs ``exact_values`` and ``derived_columns`` off.
    """

    max_modes = 10
    weight_threshold = 0.005

    def __init__(
        self,
        categorical,
        *,
        max_categories=None,
        exact_values=False,
        max_grid_values=MAX_GRID_VALUES,
        derived_columns=False,
        condition_missing=False,
        numeric_encoding="modes",
        random_state=None,
        schema=None,
    ):
        self.categorical = categorical
        self.max_categories = max_categories
        self.exact_values = exact_values
        self.max_grid_values = max_grid_values
        self.derived_columns = derived_columns
        self.condition_missing = condition_missing
        self.numeric_encoding = numeric_encoding
        self.random_state = random_state
        self.schema = schema
        self.columns = []
        self.container = None

    # -- fitting ----------------------------------------------------------

    def fit_transform(self, X):
        """Fit the encoding and return every row's scalars and slots.

        Parameters
        ----------
        X : DataFrame or 2-D ndarray
            Validated data: no all-missing column, no infinite number.

        Returns
        -------
        scalars : ndarray of shape (n_samples, n_scalars), float32
            The numeric columns' scalars ``(x - mu_k) / (4 sigma_k)``, in the
            order of ``layout().scalars``.
        slots : ndarray of shape (n_samples, n_spans), int64
            The slot of each row in every span of :meth:`layout` (mode, exact
            value, category or missing): what :meth:`inverse_transform` reads.
        """
        rng = np.random.default_rng(self.random_state)
        if isinstance(X, pd.DataFrame):
            self.container = {"kind": "DataFrame", "columns": list(X.columns)}
            columns = [X.iloc[:, j] for j in range(X.shape[1])]
        else:
            self.container = {"kind": "ndarray", "dtype": str(X.dtype)}
            columns = [X[:, j] for j in range(X.shape[1])]
        integer_array = self.container.get("dtype", "").startswith(("int", "uint"))

        self.columns, scalars, slots, numbers = [], [], [], []
        for j, (values, is_categorical) in enumerate(
            zip(columns, self.categorical, strict=True)
        ):
            frame = isinstance(values, pd.Series)
            name = self.container["columns"][j] if frame else j
            # Who holds the values, and how to write them, for error messages.
            where = (f"Column {name!r} of X", f"X[{name!r}]" if frame else f"X[:, {j}]")
            dtype = dtype_spec(values.dtype) if frame else None
            if dtype is not None:
                check_storable_dtype(dtype, *where)
            if is_categorical:
                column, slot = self._fit_categorical(values, name)
                check_storable(column.categories, *where)
                scalar = number = None
            else:
                integer = integer_array or (
                    frame and pd.api.types.is_integer_dtype(values.dtype)
                )
                if integer:
                    _check_exact_integers(values, *where)
                column, scalar, slot = self._fit_numeric(values, name, rng)
                column.integer = bool(integer)
                number = _as_floats(values)
            column.dtype = dtype
            self.columns.append(column)
            scalars.append(scalar)
            slots.append(slot)
            numbers.append(number)
        if self.derived_columns:
            codes = [
                _value_codes(column, slot, number)
                for column, slot, number in zip(
                    self.columns, slots, numbers, strict=True
                )
            ]
            self._find_derived_columns(codes)
            self._find_curves(numbers)
        for column in self.columns:
            column.condition = self.schema is None and (
                isinstance(column, CategoricalColumn)
                or (self.condition_missing and column.has_missing)
            )
        generated = [not c.is_derived for c in self.columns]
        n = len(slots[0])
        scalars = [s for s, keep in zip(scalars, generated, strict=True) if keep]
        slots = [s for s, keep in zip(slots, generated, strict=True) if keep]
        return (
            _stack([s for s in scalars if s is not None], n, np.float32),
            _stack(slots, n, np.int64),
        )

    def _find_derived_columns(self, codes):
        """Mark each column of few values that another generated one determines.

        ``codes`` holds each column's value codes, None for a column of
        mixture values (see ``_value_codes``). Earlier columns are tried as
        sources first, then later ones. Functional dependence is transitive,
        so a column determined by a derived column is also determined by that
        column's source; sources are therefore only ever generated columns.
        """
        coded = [j for j in range(len(self.columns)) if codes[j] is not None]
        sources = set()
        for earlier in (True, False):
            for j in coded:
                if j in sources or self.columns[j].is_derived:
                    continue
                for a in coded:
                    if (a < j) != earlier or a == j or self.columns[a].is_derived:
                        continue
                    n_source = self.columns[a].n_codes
                    slot_map = _slot_map(codes[a], codes[j], n_source)
                    if slot_map is not None:
                        self.columns[j].derived_from = a
                        self.columns[j].slot_map = slot_map.tolist()
                        sources.add(a)
                        break

    def _find_curves(self, numbers):
        """Mark each numeric column that rises or falls with an earlier one.

        Only columns generated through the mixture (not discrete ones) are
        sources and targets, and a source of a slot map is neither, so that
        curves and slot maps never chain.
        """
        mapped = {c.derived_from for c in self.columns if c.slot_map is not None}
        sources = []
        for j, column in enumerate(self.columns):
            if (
                numbers[j] is None
                or column.is_discrete
                or column.is_derived
                or j in mapped
            ):
                continue
            for a in sources:
                knots = monotone_curve(numbers[a], numbers[j])
                if knots is not None:
                    column.derived_from, column.knots = a, knots
                    break
            else:
                sources.append(j)

    def _fit_categorical(self, values, name):
        if self.schema is not None:
            return _schema_categorical(values, name, *self.schema[name])
        codes, categories = _factorize(values)
        missing = codes < 0
        if not categories:
            raise ValueError(
                f"Column {name!r} holds only missing values; drop it before fit."
            )
        if self.max_categories is not None and len(categories) > self.max_categories:
            raise ValueError(
                f"Categorical column {name!r} has {len(categories)} distinct values, "
                f"more than max_categories={self.max_categories}. Raise the limit, "
                f"e.g. max_categories={len(categories)}, treat the column as numeric "
                "with categorical_features, or drop it."
            )
        has_missing = bool(missing.any())
        missing_is_none = False
        if has_missing:
            first_missing = np.asarray(values, dtype=object)[np.argmax(missing)]
            missing_is_none = first_missing is None
            codes = np.where(missing, len(categories), codes)
        column = CategoricalColumn(
            categories=categories,
            has_missing=has_missing,
            missing_is_none=missing_is_none,
        )
        return column, codes

    def _fit_numeric(self, values, name, rng):
        if self.schema is not None:
            (low, high, *quantiles), may_miss = self.schema[name]
            return _schema_numeric(
                _as_floats(values),
                name,
                low,
                high,
                may_miss and _can_miss(values),
                quantiles[0] if quantiles else None,
            )
        values = _as_floats(values)
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
        exact, grid = np.empty(0), None
        if self.exact_values:
            exact = exact_values_of(observed, self.max_grid_values)
        is_exact = np.isin(observed, exact)
        continuous = observed[~is_exact]
        if self.exact_values:
            grid = grid_of(observed, continuous)
        check_magnitude(continuous, f"Column {name!r}")
        quantiles = None
        if len(continuous) and self.numeric_encoding == "quantiles":
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
        generated = continuous if len(continuous) else observed
        column = NumericColumn(
            means=means.tolist(),
            stds=stds.tolist(),
            log_weights=log_weights.tolist(),
            values=exact.tolist(),
            decimals=decimals_of(continuous) if self.exact_values else None,
            grid=grid if grid is None else grid.tolist(),
            has_missing=bool(missing.any()),
            min=float(generated.min()),
            max=float(generated.max()),
        )
        n, n_modes = len(values), len(means)
        # Slots: the mixture's modes, then the exact values, then missing.
        observed_slots = n_modes + np.searchsorted(exact, observed)
        offsets = np.zeros(len(observed))
        if quantiles is not None:
            column.quantiles = quantiles.tolist()
            observed_slots[~is_exact] = 0
            offsets[~is_exact] = to_quantile_scalar(continuous, quantiles)
        elif len(continuous):
            # Draw each value's mode from its posterior with the Gumbel-max trick.
            log_post = mode_log_posterior(continuous, means, stds, log_weights)
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
            c.n_slots + isinstance(c, NumericColumn)
            for c in self.columns
            if not c.is_derived
        )

    def layout(self):
        """Where each generated column lives in the encoded matrix.

        Returns
        -------
        layout : Layout
            The scalars' positions, the one-hot spans in column order, and
            which spans the conditional vector names (the categorical
            columns', and with ``condition_missing`` those of numeric columns
            with missing values) and which end in a missing slot. Derived
            columns have none of them.
        """
        scalars, spans, condition_spans = [], [], []
        missing_spans, missing_scalars = [], []
        position = 0
        for column in self.columns:
            if column.is_derived:
                continue
            numeric = isinstance(column, NumericColumn)
            if numeric:
                scalars.append(position)
                position += 1
            if column.condition:
                condition_spans.append(len(spans))
            if column.has_missing:
                missing_spans.append(len(spans))
                missing_scalars.append(len(scalars) - 1 if numeric else -1)
            spans.append(Span(position, column.n_slots))
            position += column.n_slots
        return Layout(scalars, spans, condition_spans, missing_spans, missing_scalars)

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
        # The generated columns first, then those derived from them.
        decoded, value_codes = [None] * len(self.columns), [None] * len(self.columns)
        for j, column, scalar, slot in self._generated(scalars, codes):
            decoded[j] = self._decode_column(column, scalar, slot)
            value_codes[j] = _decoded_codes(column, decoded[j], slot)
        for j, column in enumerate(self.columns):
            if column.knots is not None:
                values = decode_curve(decoded[column.derived_from], column.knots)
                decoded[j] = _rounded(column, values)
            elif column.is_derived:
                code = np.asarray(column.slot_map)[value_codes[column.derived_from]]
                decoded[j] = self._decode_code(column, code)
        if self.container["kind"] == "DataFrame":
            series = {
                j: restore_series(values, column.dtype)
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

    def _decode_code(self, column, code):
        """A derived column's values, from their codes."""
        if column.is_discrete:
            return self._decode_column(column, np.zeros(len(code)), code)
        levels = np.append(np.asarray(column.levels, dtype=np.float64), np.nan)
        return levels[code]

    def _decode_column(self, column, scalar, slot):
        if isinstance(column, NumericColumn):
            return self._decode_numeric(column, scalar, slot)
        if self.container["kind"] == "DataFrame" and column.dtype["type"] == (
            "category"
        ):
            # Straight to the column's categorical codes, with no lookup per
            # value; categories the dtype does not hold as they are (only if
            # a saved model changed their type) take the lookup below.
            dtype = make_dtype(column.dtype)
            codes = dtype.categories.get_indexer(column.categories)
            if (codes >= 0).all():
                return pd.Categorical.from_codes(
                    np.append(codes, -1)[slot], dtype=dtype
                )
        return self._decode_categorical(column, slot)

    @staticmethod
    def _decode_numeric(column, scalar, slot):
        exact = np.asarray(column.values, dtype=np.float64)
        values = np.full(len(slot), np.nan)
        continuous, offsets = _from_modes(column, scalar, slot)
        if continuous.any():
            if column.marginal_map is not None:
                offsets = decode_curve(offsets, column.marginal_map)
            offsets = _rounded(column, offsets)
            if column.grid is not None:
                offsets = snap_to_grid(offsets, column.grid)
            values[continuous] = offsets
        n_modes = len(column.means)
        is_exact = ~continuous & (slot < n_modes + len(exact))
        values[is_exact] = exact[slot[is_exact] - n_modes]
        return values

    def match_marginals(self, scalars, codes, X=None):
        """Map each numeric column's generated values onto the data's marginal.

        Sets the ``marginal_map`` of every generated numeric column with
        modes: the quantile map from the values a calibration sample decodes
        from the modes to the training values that are not exact values, or,
        without ``X``, to the column's stored ``quantiles`` (under privacy,
        the noisy ones already paid for; a column without them is left).
        Exact values, missing values and derived columns are left as they are.

        Parameters
        ----------
        scalars, codes : ndarray
            A calibration sample from the generator, as
            :meth:`inverse_transform` takes them.
        X : DataFrame or 2-D ndarray, default=None
            The training data given to :meth:`fit_transform`.
        """
        for j, column, scalar, slot in self._generated(scalars, codes):
            if scalar is None:
                continue
            _, generated = _from_modes(column, scalar, slot)
            if X is None:
                target = np.asarray(column.quantiles or [], dtype=np.float64)
            else:
                target = _as_floats(
                    X.iloc[:, j] if isinstance(X, pd.DataFrame) else X[:, j]
                )
                target = target[~np.isnan(target) & ~np.isin(target, column.values)]
            column.marginal_map = quantile_map(generated, target)

    def _generated(self, scalars, codes):
        """Each generated column with its slice of a sample.

        Yields ``(j, column, scalar, slot)`` for every column that is not
        derived, in order: its index, the column, its scalars (``None`` for a
        categorical column) and the slot its span chose.
        """
        numeric_index = 0
        generated = (c for c in enumerate(self.columns) if not c[1].is_derived)
        for span, (j, column) in enumerate(generated):
            scalar = None
            if isinstance(column, NumericColumn):
                scalar = scalars[:, numeric_index]
                numeric_index += 1
            yield j, column, scalar, codes[:, span]

    @staticmethod
    def _decode_categorical(column, codes):
        lookup = np.empty(len(column.categories) + 1, dtype=object)
        for i, value in enumerate(column.categories):
            lookup[i] = value
        lookup[-1] = None if column.missing_is_none else np.nan
        return lookup[codes]

    # -- persistence ------------------------------------------------------

    def to_dict(self):
        """The fitted state as JSON-able data."""
        return {
            "container": self.container,
            "columns": [column.to_dict() for column in self.columns],
        }

    @classmethod
    def from_dict(cls, state):
        """Rebuild an encoder from :meth:`to_dict` output, checking every field.

        Raises a ValueError naming the first field that :meth:`to_dict` could
        not have written, so that a crafted model file cannot make
        :meth:`inverse_transform` allocate more than the values it decodes
        (a dtype of gigabyte-wide strings, a map to slots that do not exist).
        """
        if not isinstance(state, dict) or set(state) != {"container", "columns"}:
            raise ValueError("the encoder's state holds 'container' and 'columns'")
        container = _checked_container(state["container"])
        columns = state["columns"]
        if not isinstance(columns, list) or not columns:
            raise ValueError("the encoder's columns are not a non-empty list")
        names = container.get("columns", columns)
        if len(names) != len(columns):
            raise ValueError(
                f"the encoder has {len(columns)} columns and {len(names)} names"
            )
        in_frame = container["kind"] == "DataFrame"
        for j, column in enumerate(columns):
            _check_column(column, j, in_frame)
        for j, column in enumerate(columns):
            if set(column) & _DERIVED_FIELDS:
                _check_derived_column(column, j, columns)
        columns = [EncodedColumn.from_dict(c) for c in columns]
        encoder = cls([isinstance(c, CategoricalColumn) for c in columns])
        encoder.container = container
        encoder.columns = columns
        if not encoder.n_encoded:
            raise ValueError("the encoder generates no column")
        return encoder


def _schema_categorical(values, name, categories, may_miss):
    """A categorical column whose categories a schema gives, and its codes."""
    objects = np.asarray(values, dtype=object)
    missing = pd.isna(objects)
    _check_schema_missing(missing, name, may_miss)
    codes = pd.Index(list(categories), dtype=object).get_indexer(objects)
    unknown = ~missing & (codes < 0)
    if unknown.any():
        raise ValueError(
            f"Column {name!r} holds {pd.unique(objects[unknown])[:5].tolist()}, "
            f"which schema[{name!r}] does not list; list every category."
        )
    column = CategoricalColumn(
        categories=list(categories),
        has_missing=may_miss and _can_miss(values),
        missing_is_none=values.dtype.kind == "O",
    )
    return column, np.where(missing, len(categories), codes)


def _check_schema_missing(missing, name, may_miss):
    if missing.any() and not may_miss:
        raise ValueError(
            f"Column {name!r} has missing values, which schema[{name!r}] does "
            "not allow; list None in it, e.g. (low, high, None)."
        )


def _can_miss(values):
    """Whether a column's dtype can hold a missing value (not numpy's int, bool)."""
    dtype = values.dtype
    return isinstance(dtype, pd.api.extensions.ExtensionDtype) or (
        dtype.kind not in "iub"
    )


def _schema_numeric(values, name, low, high, has_missing, quantiles=None):
    """A numeric column spanning a schema's ``(low, high)``: scalars and slots.

    Values are clipped to the range. One mode spans it, so that a scalar of
    +-1 decodes to its ends, or, given ``quantiles`` (nondecreasing, within
    the range), a value's scalar is its quantile, as with
    ``numeric_encoding="quantiles"``.
    """
    missing = np.isnan(values)
    if np.isinf(values).any():
        raise ValueError(
            f"Column {name!r} holds infinite values; GANSampler accepts NaN "
            "(modelled as missing) but not inf. Replace or drop them."
        )
    _check_schema_missing(missing, name, has_missing)
    if quantiles is None:
        middle, std = (low + high) / 2, (high - low) / 8
    else:
        middle, std = 0.0, 0.25  # the scalar itself, as for quantiles
    column = NumericColumn(
        means=[middle],
        stds=[std],
        log_weights=[0.0],
        has_missing=has_missing,
        min=float(low),
        max=float(high),
    )
    observed = np.clip(values[~missing], low, high)
    scalar = np.zeros(len(values), dtype=np.float32)
    if quantiles is None:
        scalar[~missing] = np.clip((observed - middle) / (4 * std), -1, 1)
    else:
        column.quantiles = [float(q) for q in quantiles]
        scalar[~missing] = to_quantile_scalar(observed, column.quantiles)
    return column, scalar, missing.astype(np.int64) * has_missing


def _from_modes(column, scalar, slot):
    """Which generated values of a numeric column come from its modes, and those.

    Returns the mask of such rows and their values, not yet mapped, rounded
    or snapped.
    """
    continuous = slot < len(column.means)
    if not continuous.any():
        return continuous, np.empty(0)
    if column.quantiles is not None:
        return continuous, from_quantile_scalar(scalar[continuous], column.quantiles)
    k = slot[continuous]
    means, stds = np.asarray(column.means), np.asarray(column.stds)
    return continuous, np.clip(scalar[continuous], -1.0, 1.0) * 4 * stds[k] + means[k]


def _as_floats(values):
    """A column's values as float64, NaN where missing."""
    return np.asarray(
        values.to_numpy(dtype=np.float64, na_value=np.nan)
        if isinstance(values, pd.Series)
        else values,
        dtype=np.float64,
    )


def _rounded(column, values):
    """Generated values rounded as the column's are, within its range."""
    if column.integer:
        values = np.round(values)
    elif column.decimals is not None:
        values = np.round(values, column.decimals)
    # Rounded first, so that rounding cannot leave the training range.
    return np.clip(values, column.min, column.max)


def _value_codes(column, slots, values):
    """A column's value codes (``EncodedColumn.slot_map``), or None.

    Slots for a categorical column or one of exact values; for a grid, each
    value's index among its levels. None for a column of mixture values.
    """
    if column.is_discrete:
        return slots
    if column.levels is None:
        return None
    return _level_codes(column, values)


def _level_codes(column, values):
    """Each value's index among a grid column's levels; missing comes last."""
    codes = np.searchsorted(np.asarray(column.levels, dtype=np.float64), values)
    codes[np.isnan(values)] = len(column.levels)
    return codes


def _decoded_codes(column, values, slots):
    """The value codes of a generated column, for the columns derived from it."""
    if column.is_discrete:
        return slots
    if column.levels is None:
        return None
    return _level_codes(column, np.asarray(values, dtype=np.float64))


def _span_size(column):
    """Slots of a column's span, read from its JSON record (before it is built)."""
    if column["kind"] == "numeric":
        n_values = len(column["means"]) + len(column.get("values", ()))
    else:
        n_values = len(column["categories"])
    return n_values + column["has_missing"]


def _is_discrete(column):
    """Whether every slot of a column record's span stands for one value."""
    return column["kind"] == "categorical" or not column["means"]


def _n_codes(column):
    """Value codes of a column record (``EncodedColumn.n_codes``), or None."""
    if _is_discrete(column):
        return _span_size(column)
    if "grid" not in column:
        return None
    return len(set(column["values"]) | set(column["grid"])) + column["has_missing"]


def _is_derived(column):
    return "derived_from" in column


# The fields of a column's record, by kind, and those it may hold besides.
_COLUMN_FIELDS = {
    "numeric": {
        "kind", "means", "stds", "log_weights", "values", "decimals",
        "has_missing", "min", "max", "integer", "dtype", "condition",
    },
    "categorical": {
        "kind", "categories", "has_missing", "missing_is_none", "dtype", "condition",
    },
}  # fmt: skip
_OPTIONAL_FIELDS = {
    "numeric": {"quantiles", "grid", "marginal_map"},
    "categorical": set(),
}
_DERIVED_FIELDS = {"derived_from", "slot_map", "knots"}
# NumPy dtypes of the arrays that GANSampler fits (and samples).
_ARRAY_DTYPES = frozenset(
    {"bool", "object", "float16", "float32", "float64"}
    | {f"{kind}{bits}" for kind in ("int", "uint") for bits in (8, 16, 32, 64)}
)
# Most decimals a rounded column can have (``decimals_of`` writes at most 6).
_MAX_SAVED_DECIMALS = 15


def _checked_container(container):
    if isinstance(container, dict) and container.get("kind") == "DataFrame":
        valid = set(container) == {"kind", "columns"} and (
            isinstance(container["columns"], list)
            and all(is_json_scalar(name) for name in container["columns"])
        )
    elif isinstance(container, dict) and container.get("kind") == "ndarray":
        valid = set(container) == {"kind", "dtype"} and container["dtype"] in (
            _ARRAY_DTYPES
        )
    else:
        valid = False
    if not valid:
        raise ValueError(f"the encoder's container {container!r:.200} is malformed")
    return container


def _check_column(column, j, in_frame):
    """Raise ValueError unless ``columns[j]`` is a record that fit could write.

    The columns before ``j`` are checked already.
    """
    kind = column.get("kind") if isinstance(column, dict) else None
    if kind not in _COLUMN_FIELDS:
        raise ValueError(f"column {j} is not a numeric or categorical column")
    fields = set(column)
    extra = fields - _COLUMN_FIELDS[kind] - _OPTIONAL_FIELDS[kind] - _DERIVED_FIELDS
    if not _COLUMN_FIELDS[kind] <= fields or extra:
        raise ValueError(f"column {j} has the fields {sorted(fields)}")
    flags = ["has_missing", "condition"]
    flags.append("integer" if kind == "numeric" else "missing_is_none")
    for flag in flags:
        if not isinstance(column[flag], bool):
            raise ValueError(f"column {j}'s {flag} is not a bool")
    if in_frame:
        check_dtype_spec(column["dtype"])
    elif column["dtype"] is not None:
        raise ValueError(f"column {j} of an array has a dtype of its own")
    if kind == "numeric":
        _check_numeric_column(column, j)
    elif not (
        isinstance(column["categories"], list)
        and column["categories"]
        and all(
            is_json_scalar(value) and value is not None
            for value in column["categories"]
        )
    ):
        raise ValueError(f"column {j}'s categories are not a non-empty list of values")
    if _span_size(column) < 1:
        raise ValueError(f"column {j} has no slot")


def _check_numeric_column(column, j):
    modes = [column[name] for name in ("means", "stds", "log_weights")]
    if not (
        all(_finite_numbers(values) for values in modes)
        and len({len(values) for values in modes}) == 1
        and len(column["means"]) <= TabularEncoder.max_modes
        and all(std > 0 for std in column["stds"])
    ):
        raise ValueError(f"column {j}'s modes are malformed")
    if not _finite_numbers(column["values"]):
        raise ValueError(f"column {j}'s exact values are not a list of numbers")
    if "quantiles" in column and not (
        _finite_numbers(column["quantiles"])
        and 1 <= len(column["quantiles"]) <= N_QUANTILES
        and len(column["means"]) == 1
        and all(np.diff(column["quantiles"]) >= 0)
    ):
        raise ValueError(f"column {j}'s quantiles are malformed")
    if "grid" in column and not (
        _finite_numbers(column["grid"])
        and column["grid"]
        and all(np.diff(column["grid"]) > 0)
        and column["min"] <= column["grid"][0]
        and column["grid"][-1] <= column["max"]
    ):
        raise ValueError(f"column {j}'s grid is malformed")
    if "marginal_map" in column and not (
        column["means"] and is_valid_curve(column["marginal_map"], rising=True)
    ):
        raise ValueError(f"column {j}'s marginal map is malformed")
    decimals = column["decimals"]
    if decimals is not None and not (
        is_int(decimals) and 0 <= decimals <= _MAX_SAVED_DECIMALS
    ):
        raise ValueError(f"column {j}'s decimals are not an int from 0 to 15")
    if not (
        _finite_numbers([column["min"], column["max"]])
        and column["min"] <= column["max"]
    ):
        raise ValueError(f"column {j}'s range is malformed")


def _check_derived_column(column, j, columns):
    source = column.get("derived_from")
    if not (
        is_int(source)
        and 0 <= source < len(columns)
        and source != j
        and ("slot_map" in column) != ("knots" in column)
    ):
        raise ValueError(f"column {j} is derived from no other column")
    source_column = columns[source]
    if "knots" in column:
        if _is_derived(source_column) or not (
            column["kind"] == source_column["kind"] == "numeric"
            and not _is_discrete(source_column)
            and not _is_discrete(column)
            and column["has_missing"] == source_column["has_missing"]
        ):
            raise ValueError(
                f"column {j} is derived from column {source}, which cannot"
            )
        if not is_valid_curve(column["knots"]):
            raise ValueError(f"column {j}'s curve is malformed")
        return
    n_source, n_codes = _n_codes(source_column), _n_codes(column)
    if _is_derived(source_column) or n_source is None or n_codes is None:
        raise ValueError(f"column {j} is derived from column {source}, which cannot")
    slot_map = column["slot_map"]
    if not (
        isinstance(slot_map, list)
        and len(slot_map) == n_source
        and all(is_int(code) and 0 <= code < n_codes for code in slot_map)
    ):
        raise ValueError(f"column {j}'s slot map is malformed")


def _finite_numbers(values):
    return isinstance(values, list) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
        for v in values
    )


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
