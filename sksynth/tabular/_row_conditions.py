"""Conditions on the rows ``GANSampler.sample`` returns, and how they are met.

``sample(n, conditions=...)`` asks for rows whose columns hold given values or
fall in given ranges. Each condition is checked against what the training data
holds before anything is generated. The rarest categorical condition is then
met by construction: each row's conditional vector names one of its allowed
categories, drawn at their frequencies among the training rows of the row's
class and missing-value pattern, and the column's output is held to that
category; classes and patterns are drawn only among those whose training rows
can meet every categorical condition. The other conditions are met by
generating more rows than asked and keeping those that meet every condition,
with a bounded number of tries per row: too rare a condition is an error,
never fewer rows.
"""

import math
from dataclasses import dataclass
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
import pandas as pd
import torch

from ._conditions import SamplingConditions
from ._encoded_columns import CategoricalColumn
from ._generation import concat_tables, take_rows

# Most rows generated per row asked for before the conditions count as too rare.
MAX_TRIES_PER_ROW = 1_000
# Most rows generated in one round of the search for rows meeting conditions.
MAX_ROUND_ROWS = 65_536
# Rows generated before the rate at which they meet the conditions decides
# whether the budget can fill the rows asked for.
EARLY_VERDICT_ROWS = 100_000


@dataclass(frozen=True)
class ColumnCondition:
    """What one column of a generated row must hold.

    Attributes
    ----------
    position : int
        The column's index in the table.
    name : object
        The column as ``conditions`` names it, for messages.
    values : tuple
        The values that meet the condition, missing excluded.
    interval : pandas.Interval or None
        The range of numbers that meets the condition.
    missing : bool
        Whether a missing value meets the condition.
    """

    position: int
    name: object
    values: tuple = ()
    interval: pd.Interval | None = None
    missing: bool = False

    def __str__(self):
        allowed = [f"in {self.interval}"] if self.interval is not None else []
        if len(self.values) == 1:
            allowed.append(f"== {self.values[0]!r}")
        elif self.values:
            allowed.append(f"in {list(self.values)!r}")
        if self.missing:
            allowed.append("missing")
        return f"{self.name!r} " + " or ".join(allowed)

    def met(self, values):
        """Whether each of a column's generated ``values`` meets the condition."""
        series = pd.Series(values)
        met = (
            series.isna().to_numpy(copy=True)
            if self.missing
            else np.zeros(len(series), bool)
        )
        if self.values:
            met |= series.isin(self.values).to_numpy(dtype=bool)
        if self.interval is not None:
            x = pd.to_numeric(series, errors="coerce").to_numpy(float, na_value=np.nan)
            interval = self.interval
            above = (x >= interval.left) if interval.closed_left else x > interval.left
            below = (
                (x <= interval.right) if interval.closed_right else x < interval.right
            )
            met |= above & below
        return met


class Plan(NamedTuple):
    """How the rows of one set of conditions are generated.

    Attributes
    ----------
    conditions : list of ColumnCondition
        What every row must meet.
    drawn : SamplingConditions
        The conditional vectors, held to the conditions.
    class_weights : ndarray
        Per class (one entry without classes), the training rows that the
        drawn vectors can stand for; labels are drawn in proportion to them.
    held : tuple or None
        The span held to the category the conditional vector names, and its
        offset in that vector, as ``generate`` takes it.
    """

    conditions: list
    drawn: SamplingConditions
    class_weights: np.ndarray
    held: tuple | None


def _is_missing(value):
    return pd.api.types.is_scalar(value) and bool(pd.isna(value))


def _short(values, limit=10):
    values = list(values)
    more = f", ... ({len(values)} in all)" if len(values) > limit else ""
    return ", ".join(repr(v) for v in values[:limit]) + more


class RowConditions:
    """Read, check and meet the conditions of ``GANSampler.sample``.

    Parameters
    ----------
    encoder : TabularEncoder
        The sampler's fitted encoder.
    condition_counts : ndarray
        Training rows per group (class, or class and missing-value pattern)
        and category of each span the conditional vector names.
    n_labels : int
        Number of classes; 0 for a sampler fitted without y.
    class_counts : ndarray or None
        Training rows per class.
    patterns, pattern_counts : ndarray or None
        The observed missing-value patterns and the rows per class and pattern.
    """

    def __init__(
        self,
        encoder,
        condition_counts,
        n_labels,
        class_counts=None,
        patterns=None,
        pattern_counts=None,
    ):
        self.encoder = encoder
        self.counts = np.asarray(condition_counts, dtype=np.float64)
        self.n_labels = n_labels
        self.class_counts = class_counts
        self.patterns = patterns
        self.pattern_counts = pattern_counts
        self.layout = encoder.layout()
        # The span of each generated column, by the column's index.
        generated = [j for j, c in enumerate(encoder.columns) if not c.is_derived]
        self.span_of = {j: span for span, j in enumerate(generated)}
        self.sizes = [self.layout.spans[s].size for s in self.layout.condition_spans]
        self.offsets = np.cumsum([0, *self.sizes[:-1]]).astype(int)

    # -- reading --------------------------------------------------------------

    def groups(self, conditions, n_samples):
        """The conditions of each group of rows, and the rows' positions.

        ``conditions`` is a dict (one set for all rows) or a DataFrame of one
        row of exact values per generated row, whose missing cells ask for
        nothing. Returns a list of (list of ColumnCondition, positions).
        """
        if isinstance(conditions, pd.DataFrame):
            if len(conditions) != n_samples:
                raise ValueError(
                    "conditions as a DataFrame holds one row per generated row: "
                    f"{len(conditions)} rows for n_samples={n_samples}."
                )
            codes = np.stack(
                [
                    pd.factorize(conditions.iloc[:, j])[0]
                    for j in range(conditions.shape[1])
                ]
                or [np.zeros(n_samples, dtype=np.int64)],
                axis=1,
            )
            _, group = np.unique(codes, axis=0, return_inverse=True)
            group = group.ravel()
            found = []
            for g in range(group.max() + 1):
                rows = np.flatnonzero(group == g)
                first = {
                    name: conditions.iloc[rows[0], j]
                    for j, name in enumerate(conditions.columns)
                }
                wanted = {k: v for k, v in first.items() if not _is_missing(v)}
                found.append((self.read(wanted), rows))
            return found
        if not isinstance(conditions, dict):
            raise ValueError(
                "conditions must be a dict of column -> value, list of values or "
                "pandas.Interval, or a DataFrame of one row per generated row; "
                f"got {type(conditions).__name__}."
            )
        return [(self.read(conditions), np.arange(n_samples))]

    def read(self, conditions):
        """The checked ColumnConditions of a dict of column -> what it must hold."""
        return [self._read_one(key, wanted) for key, wanted in conditions.items()]

    def _position(self, key):
        container = self.encoder.container
        if container["kind"] == "DataFrame":
            names = container["columns"]
            if key in names:
                return names.index(key)
            known = _short(names)
        else:
            n_columns = len(self.encoder.columns)
            if isinstance(key, Integral) and not isinstance(key, bool):
                if 0 <= key < n_columns:
                    return int(key)
            known = f"the positions 0 to {n_columns - 1}"
        raise ValueError(
            f"conditions names the column {key!r}, which the data given to fit "
            f"did not have; its columns are {known}."
        )

    def _read_one(self, key, wanted):
        position = self._position(key)
        column = self.encoder.columns[position]
        where = f"conditions[{key!r}]"
        if isinstance(wanted, pd.Interval):
            condition = ColumnCondition(position, key, interval=wanted)
        elif isinstance(wanted, tuple):
            raise ValueError(
                f"{where} is a tuple, which could mean a range or two values; "
                "give a list of values, or a pandas.Interval for a range."
            )
        elif isinstance(wanted, list | set | frozenset | np.ndarray | pd.Series):
            values = list(wanted.tolist() if hasattr(wanted, "tolist") else wanted)
            if not values:
                raise ValueError(f"{where} lists no value.")
            condition = ColumnCondition(
                position,
                key,
                values=tuple(v for v in values if not _is_missing(v)),
                missing=any(_is_missing(v) for v in values),
            )
        elif pd.api.types.is_scalar(wanted):
            missing = _is_missing(wanted)
            values = () if missing else (wanted,)
            condition = ColumnCondition(position, key, values=values, missing=missing)
        else:
            raise ValueError(
                f"{where} must be a value, a list of values or a pandas.Interval; "
                f"got {type(wanted).__name__}."
            )
        if condition.missing and not column.has_missing:
            raise ValueError(
                f"{where} asks for missing values, and column {key!r} has none "
                "in the training data."
            )
        if isinstance(column, CategoricalColumn):
            self._check_categories(condition, column, where)
        else:
            self._check_numbers(condition, column, where)
        return condition

    @staticmethod
    def _check_categories(condition, column, where):
        if condition.interval is not None:
            raise ValueError(
                f"{where} is a range, and column {condition.name!r} is "
                "categorical; give a value or a list of values."
            )
        codes = pd.Index(column.categories, dtype=object).get_indexer(
            list(condition.values)
        )
        unseen = [condition.values[k] for k in np.flatnonzero(codes < 0)]
        if unseen:
            raise ValueError(
                f"{where} asks for {_short(unseen)}, which column "
                f"{condition.name!r} never holds in the training data; it holds "
                f"{_short(column.categories)}."
            )

    @staticmethod
    def _check_numbers(condition, column, where):
        bad = [
            v
            for v in condition.values
            if not isinstance(v, Real) or isinstance(v, bool)
        ]
        interval = condition.interval
        if interval is not None and not isinstance(interval.left, Real):
            bad.append(interval)
        if bad:
            raise ValueError(
                f"{where} must hold numbers for the numeric column "
                f"{condition.name!r}; got {_short(bad)}."
            )
        levels = column.levels
        low = min([column.min, *column.values])
        high = max([column.max, *column.values])
        unseen = [
            v
            for v in condition.values
            if (v not in levels if levels is not None else not low <= v <= high)
        ]
        if unseen:
            seen = (
                f"the values {_short(levels)}"
                if levels is not None
                else f"values in [{low:g}, {high:g}]"
            )
            raise ValueError(
                f"{where} asks for {_short(unseen)}, which column "
                f"{condition.name!r} never holds in the training data; it holds "
                f"{seen}."
            )
        if interval is None:
            return
        if levels is not None:
            empty = not any(level in interval for level in levels)
        else:
            empty = not interval.overlaps(pd.Interval(low, high, closed="both"))
        if empty:
            raise ValueError(
                f"{where} = {interval} holds no value that column "
                f"{condition.name!r} takes in the training data, which lie in "
                f"[{low:g}, {high:g}]."
            )

    # -- planning -------------------------------------------------------------

    def plan(self, conditions):
        """How to generate rows that meet ``conditions``: a :class:`Plan`.

        A group of training rows (a class, or a class and missing-value
        pattern) is only drawn if it holds rows meeting each categorical
        condition and its pattern meets the conditions on missing values;
        the rarest categorical condition is held (:meth:`_held_condition`).
        """
        counts = self.counts.copy()
        # Per group, its training rows meeting each categorical condition.
        masses = {
            index: counts[:, self._block(index)][:, slots].sum(1)
            for index, slots in self._categorical(conditions).values()
        }
        feasible = np.ones(len(counts), dtype=bool)
        for mass in masses.values():
            feasible &= mass > 0
        held = self._held_condition(conditions, masses)
        if held is not None:
            span, index, slots = held
            block = counts[:, self._block(index)]
            outside = np.ones(block.shape[1], dtype=bool)
            outside[slots] = False
            block[:, outside] = 0
            group_rows = masses[index]
        patterns, pattern_counts = self.patterns, self.pattern_counts
        if patterns is not None:
            if held is not None:
                pattern_counts = group_rows.reshape(pattern_counts.shape)
            pattern_counts = (
                pattern_counts
                * feasible.reshape(pattern_counts.shape)
                * self._allowed_patterns(conditions)
            )
            class_weights = pattern_counts.sum(1)
        elif held is not None:
            class_weights = group_rows * feasible
        elif self.class_counts is not None:
            class_weights = np.asarray(self.class_counts, np.float64) * feasible
        else:
            class_weights = feasible.astype(np.float64)
        if not class_weights.sum():
            raise ValueError(
                "No training row meets "
                + " and ".join(str(c) for c in conditions)
                + "; the sampler cannot generate such rows."
            )
        drawn = SamplingConditions(
            counts,
            self.sizes,
            self.n_labels,
            patterns,
            pattern_counts,
            columns=None if held is None else [held[1]],
        )
        held_span = None if held is None else (held[0], self.offsets[held[1]])
        return Plan(conditions, drawn, class_weights, held_span)

    def _block(self, index):
        """The slice of the condition vector of condition span ``index``."""
        return slice(self.offsets[index], self.offsets[index] + self.sizes[index])

    def _categorical(self, conditions):
        """The conditions the conditional vector can name, by position.

        Maps a condition's column position to the index of its span among
        the condition spans and the slots that meet it.
        """
        found = {}
        for condition in conditions:
            column = self.encoder.columns[condition.position]
            span = self.span_of.get(condition.position)
            if not isinstance(column, CategoricalColumn) or span is None:
                continue
            slots = pd.Index(column.categories, dtype=object).get_indexer(
                list(condition.values)
            )
            if condition.missing:
                slots = np.append(slots, len(column.categories))
            found[condition.position] = (self.layout.condition_spans.index(span), slots)
        return found

    def _held_condition(self, conditions, masses):
        """The categorical condition the conditional vector meets: the rarest.

        Returns (span, index among the condition spans, allowed slots), or
        None where no condition is on such a column.
        """
        best, best_share = None, math.inf
        for index, slots in self._categorical(conditions).values():
            share = masses[index].sum() / max(
                self.counts[:, self._block(index)].sum(), 1
            )
            if share < best_share:
                span = self.layout.condition_spans[index]
                best, best_share = (span, index, slots.tolist()), share
        return best

    def _allowed_patterns(self, conditions):
        """Which observed missing-value patterns the conditions allow."""
        allowed = np.ones(len(self.patterns), dtype=bool)
        missing_spans = self.layout.missing_spans
        for condition in conditions:
            span = self.span_of.get(condition.position)
            if span not in missing_spans:
                continue
            missing = self.patterns[:, missing_spans.index(span)]
            if not condition.missing:
                allowed &= ~missing
            elif not condition.values and condition.interval is None:
                allowed &= missing
        return allowed

    # -- sampling -------------------------------------------------------------

    def sample(self, plan, n_rows, labels, generate, rng):
        """``n_rows`` generated rows that meet ``plan.conditions``.

        ``labels`` are the class codes asked for (a CPU tensor) or None, which
        draws them in proportion to ``plan.class_weights`` for a sampler with
        classes. ``generate(drawn, n, labels, held)`` generates ``n`` rows.
        Returns the rows and their class codes (None without classes).
        """
        if labels is not None:
            weights = torch.as_tensor(plan.class_weights)[labels]
            if not (weights > 0).all():
                raise ValueError(
                    "No training row of the class asked for in y meets "
                    + " and ".join(str(c) for c in plan.conditions)
                    + "."
                )
        todo = np.arange(n_rows)
        tables, positions, drawn_labels = [], [], []
        generated = met_all = 0
        met_each = np.zeros(len(plan.conditions))
        tries = 1
        budget = MAX_TRIES_PER_ROW * n_rows
        while len(todo):
            remaining = budget - generated
            # Once the rate met is known, a budget it cannot fill ends the search.
            known = generated >= min(budget, EARLY_VERDICT_ROWS)
            if remaining <= 0 or (known and met_all * budget < n_rows * generated):
                raise ValueError(
                    self._too_rare(plan, n_rows, generated, met_all, met_each)
                )
            tries = min(tries, remaining)
            rows = todo[: max(1, min(MAX_ROUND_ROWS, remaining) // tries)]
            if labels is not None:
                round_labels = labels[rows].repeat_interleave(tries)
            elif self.n_labels:
                weights = torch.as_tensor(plan.class_weights, dtype=torch.float64)
                round_labels = torch.multinomial(
                    weights, len(rows) * tries, True, generator=rng
                )
            else:
                round_labels = None
            table = generate(plan.drawn, len(rows) * tries, round_labels, plan.held)
            met = np.ones((len(rows) * tries, len(plan.conditions)), dtype=bool)
            for k, condition in enumerate(plan.conditions):
                met[:, k] = condition.met(_column(table, condition.position))
            generated += len(met)
            met_each += met.sum(0)
            ok = met.all(1)
            met_all += int(ok.sum())
            ok = ok.reshape(len(rows), tries)
            found = ok.any(1)
            chosen = np.flatnonzero(found) * tries + ok.argmax(1)[found]
            tables.append(take_rows(table, chosen))
            positions.append(rows[found])
            if round_labels is not None:
                drawn_labels.append(round_labels[torch.as_tensor(chosen)])
            todo = np.concatenate([rows[~found], todo[len(rows) :]])
            rate = met_all / generated
            tries = (
                MAX_TRIES_PER_ROW
                if not rate
                else min(MAX_TRIES_PER_ROW, math.ceil(1.5 / rate))
            )
        order = np.argsort(np.concatenate(positions), kind="stable")
        X = take_rows(concat_tables(tables), order)
        if not drawn_labels:
            return X, None
        return X, torch.cat(drawn_labels)[torch.as_tensor(order)]

    @staticmethod
    def _too_rare(plan, n_rows, generated, met_all, met_each):
        shares = met_each / generated
        rarest = int(np.argmin(shares))
        return (
            f"Only {met_all:,} of the {generated:,} rows generated met the "
            f"conditions, too few for the {n_rows:,} rows asked for (at most "
            f"{MAX_TRIES_PER_ROW:,} rows are generated per row asked for). The "
            f"rarest, {plan.conditions[rarest]}, was met by {shares[rarest]:.3%} "
            "of them. Widen the conditions or ask for fewer rows."
        )


def _column(table, position):
    """The values of a generated table's column at ``position``."""
    if isinstance(table, pd.DataFrame):
        return table.iloc[:, position]
    return table[:, position]


def conditions_from_text(encoder, texts):
    """The ``conditions`` dict of command-line conditions such as ``"age=25..30"``.

    Each text is ``COLUMN=VALUE`` or, for a numeric column, ``COLUMN=LOW..HIGH``
    (a closed range; either end may be left out). A column named more than
    once takes any of its values. Values are read as the column's numbers or
    matched to its categories as text.
    """
    names = encoder.container.get("columns")
    conditions = {}
    for text in texts:
        name, equals, value = text.partition("=")
        if not equals or not name:
            raise ValueError(
                f"A condition reads COLUMN=VALUE or COLUMN=LOW..HIGH; got {text!r}."
            )
        key = name if names is not None or not name.isdigit() else int(name)
        position = names.index(key) if names is not None and key in names else None
        column = None if position is None else encoder.columns[position]
        if column is None or isinstance(column, CategoricalColumn):
            categories = [] if column is None else column.categories
            matches = [c for c in categories if str(c) == value]
            wanted = matches[0] if matches else value
        elif ".." in value:
            low, _, high = value.partition("..")
            wanted = pd.Interval(
                _number(low or "-inf", text), _number(high or "inf", text), "both"
            )
        else:
            wanted = _number(value, text)
        if key in conditions and not isinstance(wanted, pd.Interval):
            previous = conditions[key]
            listed = previous if isinstance(previous, list) else [previous]
            conditions[key] = [*listed, wanted]
        else:
            conditions[key] = wanted
    return conditions


def _number(text, condition):
    try:
        return float(text)
    except ValueError:
        raise ValueError(
            f"The condition {condition!r} needs a number, not {text!r}."
        ) from None
