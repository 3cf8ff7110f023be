"""The records of ``TabularEncoder``: its columns, and where they are encoded.

A column of the training table is a :class:`NumericColumn` or a
:class:`CategoricalColumn`; :class:`Layout` says where each generated column
lives in the encoded matrix. Columns save as JSON-able dicts
(:meth:`EncodedColumn.to_dict`), the model file's format.
"""

from dataclasses import asdict, dataclass, field, fields
from typing import ClassVar, NamedTuple

# Keys of a column's dict that are only written when they hold a value.
_WRITTEN_WHEN_SET = (
    "quantiles",
    "grid",
    "marginal_map",
    "derived_from",
    "slot_map",
    "knots",
)


@dataclass(kw_only=True)
class EncodedColumn:
    """What the encoder learned of one column of the training table.

    Attributes
    ----------
    has_missing : bool
        Whether the column has missing values; the last slot of its span
        stands for them.
    dtype : dict or None
        The column's dtype, as ``column_dtypes.dtype_spec`` records it; None
        for a column of an ndarray.
    condition : bool
        Whether the conditional vector names the column's span.
    derived_from : int or None
        For a column decoded from another instead of generated: the index of
        that column.
    slot_map : list of int or None
        For a column of few values derived from another: its value's code for
        each code of ``derived_from``'s value. A code is a category's or an
        exact value's slot, or, for a grid, the index of the value among the
        column's sorted exact and grid values; missing comes last.
    knots : list of [float, float] or None
        For a numeric column derived from a numeric one: the source's values
        and this column's value at each, interpolated in between.
    """

    kind: ClassVar[str]

    has_missing: bool
    dtype: dict | None = None
    condition: bool = False
    derived_from: int | None = None
    slot_map: list | None = None
    knots: list | None = None

    @property
    def is_derived(self):
        """Whether the column is decoded from another instead of generated."""
        return self.derived_from is not None

    def to_dict(self):
        """The column as JSON-able data, with its ``kind``."""
        state = {"kind": self.kind, **asdict(self)}
        return {
            key: value
            for key, value in state.items()
            if value is not None or key not in _WRITTEN_WHEN_SET
        }

    @staticmethod
    def from_dict(state):
        """The column of a :meth:`to_dict` dict; keys it does not know are ignored."""
        record = {"numeric": NumericColumn, "categorical": CategoricalColumn}[
            state["kind"]
        ]
        known = {f.name for f in fields(record)}
        return record(**{key: value for key, value in state.items() if key in known})


@dataclass(kw_only=True)
class NumericColumn(EncodedColumn):
    """A numeric column: mixture modes, exact values and the missing slot.

    Its span's slots are the modes of the mixture (``means``, ``stds`` and
    ``log_weights``, or one mode with ``quantiles``), then the exact
    ``values``, then the missing value.

    Attributes
    ----------
    means, stds, log_weights : list of float
        The mixture's modes; empty when every value is exact.
    values : list of float
        The values generated exactly (point masses, heaps, grid values).
    decimals : int or None
        The decimals generated values are rounded to; None leaves them.
    min, max : float
        The range generated (not exact) values are clipped to.
    integer : bool
        Whether generated values are rounded to integers.
    quantiles : list of float or None
        With quantile encoding: the training values' quantiles, which
        decode the column's scalar.
    grid : list of float or None
        For a grid column (each distinct value seen many times): the sorted
        values that generated values snap onto; None leaves them.
    marginal_map : list of [float, float] or None
        With ``marginals="matched"``: the knots of the rising map that carries
        values decoded from the modes onto the training data's distribution
        of such values, applied before rounding; None leaves them.
    """

    kind: ClassVar[str] = "numeric"

    means: list
    stds: list
    log_weights: list
    values: list = field(default_factory=list)
    decimals: int | None = None
    min: float
    max: float
    integer: bool = False
    quantiles: list | None = None
    grid: list | None = None
    marginal_map: list | None = None

    @property
    def n_slots(self):
        """Slots of the column's span: modes, exact values, and missing."""
        return len(self.means) + len(self.values) + self.has_missing

    @property
    def is_discrete(self):
        """Whether every slot of the span stands for one value (no modes)."""
        return not self.means

    @property
    def levels(self):
        """The values a column of exact values or a grid takes, sorted; or None."""
        if self.is_discrete:
            return self.values
        if self.grid is None:
            return None
        return sorted(set(self.values) | set(self.grid))

    @property
    def n_codes(self):
        """Codes of the column's values (its levels, then missing); or None."""
        levels = self.levels
        return None if levels is None else len(levels) + self.has_missing


@dataclass(kw_only=True)
class CategoricalColumn(EncodedColumn):
    """A categorical column: one slot per category, then the missing slot.

    Attributes
    ----------
    categories : list
        The distinct values, in slot order.
    missing_is_none : bool
        Whether a missing value decodes to None (else NaN).
    """

    kind: ClassVar[str] = "categorical"

    categories: list
    missing_is_none: bool
    condition: bool = True

    @property
    def n_slots(self):
        """Slots of the column's span: categories, and missing."""
        return len(self.categories) + self.has_missing

    @property
    def is_discrete(self):
        """Always True: every slot stands for one value."""
        return True

    @property
    def n_codes(self):
        """Codes of the column's values: its slots."""
        return self.n_slots


class Span(NamedTuple):
    """A one-hot span of the encoded matrix: its first column and its size."""

    start: int
    size: int


class Layout(NamedTuple):
    """Where each generated column lives in the encoded matrix.

    Attributes
    ----------
    scalars : list of int
        The positions of the numeric columns' scalars (tanh outputs).
    spans : list of Span
        Every one-hot span (softmax outputs), in column order.
    condition_spans : list of int
        The indices into ``spans`` of the spans the conditional vector names.
    missing_spans : list of int
        The indices into ``spans`` of the spans whose last slot is the
        missing value.
    missing_scalars : list of int
        Per missing span, the index into ``scalars`` of its numeric column's
        scalar (-1 for a categorical column).
    """

    scalars: list
    spans: list
    condition_spans: list
    missing_spans: list
    missing_scalars: list
