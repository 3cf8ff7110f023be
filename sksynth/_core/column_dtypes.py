"""Column dtypes as JSON-able data, so that samples come back in fit's dtypes.

A fitted sampler records each column's dtype (and a conditional sampler its
labels' dtype) with :func:`dtype_spec`, saves it without pickle, and rebuilds
it with :func:`make_dtype` to give generated values the training dtype.
"""

import numpy as np
import pandas as pd


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


def restore_series(values, spec):
    """A decoded column (float or object values) as a Series of dtype ``spec``."""
    dtype = make_dtype(spec)
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.Series(pd.Categorical(values, dtype=dtype))
    if isinstance(dtype, np.dtype) and dtype.kind == "O":
        return pd.Series(values, dtype=object)
    return pd.Series(values).astype(dtype)
