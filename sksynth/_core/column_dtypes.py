"""Column dtypes as JSON-able data, so that samples come back in fit's dtypes.

A fitted sampler records each column's dtype (and a conditional sampler its
labels' dtype) with :func:`dtype_spec`, saves it without pickle, and rebuilds
it with :func:`make_dtype` to give generated values the training dtype.
"""

import numpy as np
import pandas as pd

from .model_file import is_json_scalar

# The dtype names a saved model may hold: those of the columns and labels that
# the samplers accept (numbers, booleans, objects and strings), so that a
# crafted model file cannot name a dtype such as "S2000000000", whose few
# values would take gigabytes.
DTYPE_NAMES = frozenset(
    {"bool", "boolean", "object", "str", "string", "float32", "float64"}
    | {
        f"{kind}{bits}"
        for kind in ("int", "uint", "Int", "UInt")
        for bits in (8, 16, 32, 64)
    }
    | {"float16", "Float32", "Float64"}
)


def python_scalar(value):
    """A category value as a JSON-able Python object (numpy scalars unwrapped)."""
    return value.item() if isinstance(value, np.generic) else value


def dtype_spec(dtype):
    """Describe a pandas/numpy dtype as JSON-able data for :func:`make_dtype`."""
    if isinstance(dtype, pd.CategoricalDtype):
        return {
            "type": "category",
            "categories": [python_scalar(v) for v in dtype.categories.tolist()],
            "categories_dtype": str(dtype.categories.dtype),
            "ordered": bool(dtype.ordered),
        }
    if isinstance(dtype, pd.StringDtype):
        na_value = getattr(dtype, "na_value", pd.NA)
        return {
            "type": "string",
            "storage": dtype.storage,
            "na_is_nan": na_value is not pd.NA,
        }
    return {"type": "name", "name": str(dtype)}


def make_dtype(spec):
    """The dtype that :func:`dtype_spec` described."""
    if spec["type"] == "category":
        categories = pd.Index(
            spec["categories"],
            dtype=pd.api.types.pandas_dtype(spec["categories_dtype"]),
        )
        return pd.CategoricalDtype(categories, ordered=spec["ordered"])
    if spec["type"] == "string":
        na_value = np.nan if spec["na_is_nan"] else pd.NA
        try:
            return pd.StringDtype(storage=spec["storage"], na_value=na_value)
        except TypeError:  # pandas < 2.3 has no na_value argument
            return pd.StringDtype(storage=spec["storage"])
    return pd.api.types.pandas_dtype(spec["name"])


def check_dtype_spec(spec):
    """Raise ValueError unless ``spec`` is a :func:`dtype_spec` of a known dtype."""
    kind = spec.get("type") if isinstance(spec, dict) else None
    if kind == "name":
        valid = spec.get("name") in DTYPE_NAMES and set(spec) == {"type", "name"}
    elif kind == "string":
        valid = (
            spec.get("storage") in ("python", "pyarrow")
            and isinstance(spec.get("na_is_nan"), bool)
            and set(spec) == {"type", "storage", "na_is_nan"}
        )
    elif kind == "category":
        categories = spec.get("categories")
        valid = (
            isinstance(categories, list)
            and all(is_json_scalar(value) for value in categories)
            and spec.get("categories_dtype") in DTYPE_NAMES
            and isinstance(spec.get("ordered"), bool)
            and set(spec) == {"type", "categories", "categories_dtype", "ordered"}
        )
    else:
        valid = False
    if not valid:
        raise ValueError(f"{spec!r:.200} does not describe a column dtype")
    try:
        make_dtype(spec)
    except (ImportError, TypeError, ValueError) as exc:
        problem = f"{spec!r:.200} does not describe a column dtype: {exc}"
        raise ValueError(problem) from None


def restore_series(values, spec):
    """A decoded column (float or object values) as a Series of dtype ``spec``."""
    dtype = make_dtype(spec)
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.Series(pd.Categorical(values, dtype=dtype))
    if isinstance(dtype, np.dtype) and dtype.kind == "O":
        return pd.Series(values, dtype=object)
    return pd.Series(values).astype(dtype)
