"""Per-sequence attributes: drawn from a Gaussian copula, and encoded as conditions.

A panel's sequences may come with a table of attributes, one row per sequence
(a patient's sex and age, a machine's model): numbers, categories and missing
values. :class:`SequenceAttributes` learns two things from that table:

* how to draw new rows: a Gaussian copula. Each column gets a normal score
  through its empirical distribution (a missing value takes the lowest
  interval of a column's distribution, a category the interval of its
  frequency), the scores' correlation matrix is estimated, and draws go back
  through the same distributions;
* how to hand a row to the networks as a condition vector: per numeric
  column its normal score (and a missing flag where values are missing), per
  categorical column a one-hot of its category.

The fitted state is a few quantiles, category shares and the correlation
matrix, JSON-able and checked when read from a model file.
"""

import numbers

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri
from scipy.stats import rankdata

from .._core.column_dtypes import check_dtype_spec, dtype_spec, restore_series
from .._core.model_file import is_json_scalar
from .._core.model_values import check_storable, check_storable_dtype
from .._core.table_columns import categorical_columns

# Quantiles kept per numeric column; scores are clipped to this many standard
# deviations.
N_LEVELS = 101
MAX_SCORE = 4.0


class SequenceAttributes:
    """The attributes of a panel's sequences: a copula to draw them, an encoding.

    Parameters
    ----------
    columns : list of dict
        Per column: ``name``, ``kind`` ("numeric" or "categorical"), ``dtype``
        (a ``dtype_spec``) and ``missing`` (the share of missing values);
        numeric columns add ``quantiles`` (of their observed values) and
        ``integer``; categorical columns ``categories`` and their ``shares``
        (missing, if any, is not among them).
    correlation : ndarray of shape (n_columns, n_columns)
        The correlation of the columns' normal scores.
    """

    def __init__(self, columns, correlation):
        self.columns = columns
        self.correlation = np.asarray(correlation, dtype=np.float64)

    # -- fitting ------------------------------------------------------------

    @classmethod
    def fit(cls, frame, rng):
        """Learn the attributes of ``frame`` (one row per sequence)."""
        categorical = set(categorical_columns(frame))
        columns, scores = [], []
        for name in frame.columns:
            values = frame[name]
            spec = dtype_spec(values.dtype)
            try:
                check_dtype_spec(spec)
            except ValueError:
                raise ValueError(
                    f"Attribute {name!r} of y has dtype {values.dtype}; attributes "
                    "are numbers, booleans, strings or categories."
                ) from None
            check_storable_dtype(spec, f"Attribute {name!r} of y", f"y[{name!r}]")
            missing = values.isna().to_numpy()
            if missing.all():
                raise ValueError(
                    f"Attribute {name!r} of y holds no value, only missing ones; "
                    "drop it."
                )
            column = {"name": name, "dtype": spec, "missing": float(missing.mean())}
            if name in categorical:
                column.update(_fit_categories(values[~missing]))
                check_storable(
                    column["categories"], f"Attribute {name!r} of y", f"y[{name!r}]"
                )
                column["kind"] = "categorical"
            else:
                observed = values[~missing].to_numpy(dtype=np.float64)
                levels = np.linspace(0, 1, N_LEVELS)
                column.update(
                    kind="numeric",
                    quantiles=np.quantile(observed, levels).tolist(),
                    integer=bool(pd.api.types.is_integer_dtype(values.dtype)),
                )
            columns.append(column)
            scores.append(_fit_scores(column, values, missing, rng))
        scores = np.stack(scores, axis=1)
        correlation = np.corrcoef(scores, rowvar=False) if len(frame) > 1 else None
        if correlation is None or not np.isfinite(correlation).all():
            correlation = np.eye(len(columns))
        return cls(columns, np.atleast_2d(correlation))

    # -- encoding -----------------------------------------------------------

    @property
    def width(self):
        """Entries of the condition vector of one row."""
        return sum(
            len(c["categories"]) + (c["missing"] > 0)
            if c["kind"] == "categorical"
            else 1 + (c["missing"] > 0)
            for c in self.columns
        )

    def encode(self, frame):
        """The condition vectors (n, width), float32, of the rows of ``frame``."""
        parts = []
        for column in self.columns:
            values = frame[column["name"]]
            missing = values.isna().to_numpy()
            if column["kind"] == "categorical":
                codes = _category_codes(column, values, missing)
                size = len(column["categories"]) + (column["missing"] > 0)
                parts.append(np.eye(size, dtype=np.float32)[codes])
                continue
            numbers_ = values.to_numpy(dtype=np.float64, na_value=np.nan)
            score = _numeric_scores(column, numbers_)
            parts.append(np.where(missing, 0.0, score / MAX_SCORE)[:, None])
            if column["missing"] > 0:
                parts.append(missing[:, None].astype(np.float32))
        return np.concatenate(parts, axis=1).astype(np.float32)

    def checked(self, frame, n_samples):
        """``frame`` as ``sample(y=...)`` takes it: the same columns, known values."""
        if not isinstance(frame, pd.DataFrame):
            raise ValueError(
                "y must be a DataFrame of attributes, one row per sequence, for a "
                f"sampler fitted with attributes; got {type(frame).__name__}."
            )
        names = [c["name"] for c in self.columns]
        if list(frame.columns) != names or len(frame) != n_samples:
            raise ValueError(
                f"y must hold the attributes {names} in that order, one row per "
                f"sequence (n_samples={n_samples}); got columns "
                f"{list(frame.columns)} and {len(frame)} rows."
            )
        for column in self.columns:
            values = frame[column["name"]]
            missing = values.isna().to_numpy()
            if missing.any() and not column["missing"]:
                raise ValueError(
                    f"Attribute {column['name']!r} is missing in y, and was never "
                    "missing in fit."
                )
            if column["kind"] == "categorical":
                _category_codes(column, values, missing)
            elif not pd.api.types.is_numeric_dtype(values.dtype):
                raise ValueError(
                    f"Attribute {column['name']!r} of y must hold numbers; it has "
                    f"dtype {values.dtype}."
                )
        return frame.reset_index(drop=True)

    # -- drawing ------------------------------------------------------------

    def draw(self, n_samples, rng):
        """``n_samples`` new rows of attributes, from the CPU torch ``rng``."""
        import torch

        cholesky = np.linalg.cholesky(
            self.correlation + 1e-9 * np.eye(len(self.correlation))
        )
        noise = torch.randn(
            n_samples, len(self.columns), generator=rng, dtype=torch.float64
        ).numpy()
        shares = ndtr(noise @ cholesky.T)
        series = {}
        for j, column in enumerate(self.columns):
            share, missing = shares[:, j], column["missing"]
            is_missing = share < missing
            within = np.clip((share - missing) / (1 - missing), 0.0, 1.0)
            if column["kind"] == "categorical":
                bounds = np.cumsum(column["shares"])
                codes = np.minimum(
                    np.searchsorted(bounds, within, side="right"),
                    len(column["categories"]) - 1,
                )
                values = np.asarray(column["categories"], dtype=object)[codes]
                values[is_missing] = None
            else:
                values = np.interp(
                    within, np.linspace(0, 1, N_LEVELS), column["quantiles"]
                )
                if column["integer"]:
                    values = np.round(values)
                values[is_missing] = np.nan
            series[column["name"]] = restore_series(values, column["dtype"])
        return pd.DataFrame(series)

    # -- persistence --------------------------------------------------------

    def to_dict(self):
        """The fitted state as JSON-able data."""
        return {"columns": self.columns, "correlation": self.correlation.tolist()}

    @classmethod
    def from_dict(cls, state):
        """The attributes of a :meth:`to_dict` dict, checked field by field."""
        columns = state.get("columns") if isinstance(state, dict) else None
        if not isinstance(columns, list) or not columns:
            raise ValueError("attributes_ must list its columns")
        for column in columns:
            _check_column(column)
        correlation = np.asarray(state.get("correlation"), dtype=object)
        k = len(columns)
        if correlation.shape != (k, k) or not all(
            isinstance(v, numbers.Real) for v in correlation.ravel()
        ):
            raise ValueError(f"attributes_ needs a {k} x {k} correlation matrix")
        correlation = correlation.astype(np.float64)
        eigenvalues = np.linalg.eigvalsh((correlation + correlation.T) / 2)
        if (
            not np.isfinite(correlation).all()
            or not np.allclose(np.diag(correlation), 1.0)
            or eigenvalues.min() < -1e-6
        ):
            raise ValueError("attributes_ holds no correlation matrix")
        return cls(columns, correlation)


def _fit_categories(values):
    counts = values.value_counts()
    counts = counts[counts > 0]
    categories = [v.item() if isinstance(v, np.generic) else v for v in counts.index]
    return {
        "categories": categories,
        "shares": (counts.to_numpy() / counts.sum()).tolist(),
    }


def _fit_scores(column, values, missing, rng):
    """Each row's normal score in the column's distribution (missing lowest)."""
    share = column["missing"]
    within = np.empty(len(values))
    if column["kind"] == "categorical":
        bounds = np.cumsum([0.0, *column["shares"]])
        codes = _category_codes(column, values, missing)[~missing]
        jitter = rng.random(len(codes))
        within[~missing] = bounds[codes] + jitter * np.diff(bounds)[codes]
    else:
        observed = values[~missing].to_numpy(dtype=np.float64)
        within[~missing] = (rankdata(observed) - 0.5) / len(observed)
    probability = share + (1 - share) * within
    probability[missing] = share / 2
    return ndtri(np.clip(probability, 1e-6, 1 - 1e-6))


def _category_codes(column, values, missing):
    """Each value's index among the column's categories; missing last."""
    index = pd.Index(column["categories"], dtype=object)
    codes = index.get_indexer(values.astype(object).where(~missing, None))
    unseen = ~missing & (codes < 0)
    if unseen.any():
        raise ValueError(
            f"Attribute {column['name']!r} holds "
            f"{pd.unique(values[unseen])[:5].tolist()}, not seen in fit; its "
            f"categories are {column['categories'][:10]}."
        )
    codes[missing] = len(column["categories"])
    return codes


def _numeric_scores(column, values):
    """Normal scores of numbers, through the observed values' quantiles."""
    quantiles = np.asarray(column["quantiles"])
    levels = np.linspace(0, 1, N_LEVELS)
    # Ties among quantiles (a heap of one value) take their middle level.
    within = (
        np.interp(values, quantiles, levels)
        + np.interp(-values, -quantiles[::-1], levels[::-1])
    ) / 2
    share = column["missing"]
    probability = np.clip(share + (1 - share) * within, 1e-6, 1 - 1e-6)
    return np.clip(ndtri(probability), -MAX_SCORE, MAX_SCORE)


def _check_column(column):
    if not isinstance(column, dict) or column.get("kind") not in (
        "numeric",
        "categorical",
    ):
        raise ValueError("attributes_ holds a column of no known kind")
    name = column.get("name")
    if not isinstance(name, (str, int)):
        raise ValueError("attributes_ holds a column without a name")
    check_dtype_spec(column.get("dtype"))
    missing = column.get("missing")
    if not isinstance(missing, numbers.Real) or not 0 <= missing < 1:
        raise ValueError(f"attributes_ column {name!r}: missing share not in [0, 1)")
    if column["kind"] == "numeric":
        quantiles = column.get("quantiles")
        if not (
            isinstance(quantiles, list)
            and len(quantiles) == N_LEVELS
            and all(isinstance(q, numbers.Real) for q in quantiles)
            and np.all(np.diff(quantiles) >= 0)
            and np.isfinite(quantiles).all()
            and isinstance(column.get("integer"), bool)
        ):
            raise ValueError(f"attributes_ column {name!r}: malformed quantiles")
    else:
        categories, shares = column.get("categories"), column.get("shares")
        if not (
            isinstance(categories, list)
            and isinstance(shares, list)
            and 0 < len(categories) == len(shares) <= 10_000
            and all(is_json_scalar(c) for c in categories)
            and all(isinstance(s, numbers.Real) and s >= 0 for s in shares)
            and abs(sum(shares) - 1) < 1e-6
        ):
            raise ValueError(f"attributes_ column {name!r}: malformed categories")
