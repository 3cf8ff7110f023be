"""The values a model file stores as they are, checked in ``fit``.

``BaseSampler.save`` writes column names, categories and class labels as
JSON, which holds strings, numbers, booleans and None only. A sampler checks
in ``fit``, before training, that each such value is one of them, so that a
fitted model never fails in ``save``, nor comes back from ``load`` with other
values (a tuple as a list).
"""

import datetime
import decimal

import numpy as np
import pandas as pd

# Values JSON writes and reads back unchanged (numpy scalars as the Python
# scalar they hold).
_STORABLE = (str, bool, int, float, type(None), np.bool_, np.integer, np.floating)
_DATES = (datetime.date, datetime.time, np.datetime64, pd.Period)
_DURATIONS = (datetime.timedelta, np.timedelta64)


def unstorable(values):
    """The first value of ``values`` that a model file cannot store, or None.

    A value found is returned in a one-element tuple, so that None (which is
    storable) is never mistaken for a find.
    """
    for value in values:
        if not isinstance(value, _STORABLE):
            return (value,)
    return None


def check_storable(values, what, convert):
    """Raise a ValueError unless a model file can store every value.

    Parameters
    ----------
    values : iterable
        Category values or class labels.
    what : str
        What holds them, for the message (e.g. "Column 'when' of X").
    convert : str
        The expression for them in the user's code (e.g. "X['when']"), for
        the hint.
    """
    found = unstorable(values)
    if found is None:
        return
    value = found[0]
    raise ValueError(
        f"{what} holds {type(value).__name__} values (such as {value!r}), which "
        "a saved model cannot store: it stores strings, numbers and booleans. "
        f"{_hint(value, convert)}"
    )


def check_storable_dtype(spec, what, convert):
    """Run :func:`check_storable` on the categories of a ``dtype_spec``, if any.

    A category dtype may hold categories that no value takes; the model file
    stores them too.
    """
    if spec["type"] == "category":
        check_storable(spec["categories"], what, convert)


def check_column_names(columns, name):
    """Raise a ValueError unless a model file can store the column names.

    They must be flat, unique, and each a string, number or boolean.

    Parameters
    ----------
    columns : pandas.Index
        The columns of the DataFrame given to ``fit``.
    name : str
        The parameter holding the DataFrame, for the message.
    """
    if isinstance(columns, pd.MultiIndex):
        raise ValueError(
            f"{name} has MultiIndex columns ({columns.nlevels} levels), which a "
            "saved model cannot store. Flatten them first, e.g. "
            f"{name}.columns = ['_'.join(map(str, c)) for c in {name}.columns]."
        )
    duplicated = columns[columns.duplicated()].unique().tolist()
    if duplicated:
        raise ValueError(
            f"{name} has duplicate column names {duplicated}; give each column a "
            "name of its own."
        )
    found = unstorable(columns)
    if found is not None:
        raise ValueError(
            f"{name} has a column named {found[0]!r}, a {type(found[0]).__name__}, "
            "which a saved model cannot store: column names must be strings, "
            f"numbers or booleans. Rename it, e.g. {name}.columns = "
            f"[str(c) for c in {name}.columns]."
        )


def _hint(value, convert):
    if isinstance(value, (_DATES, _DURATIONS)):
        number = "days since a date" if isinstance(value, _DATES) else "seconds"
        return (
            f"Convert them to numbers (such as {number}) or to strings, e.g. "
            f"{convert}.astype(str)."
        )
    if isinstance(value, decimal.Decimal):
        return f"Convert them to numbers, e.g. {convert}.astype(float)."
    if isinstance(value, (bytes, np.bytes_)):
        return "Decode them to strings first."
    if isinstance(value, tuple):
        return (
            "Split each tuple into columns of its own, or join its items into a "
            f"string, e.g. {convert}.astype(str)."
        )
    return f"Convert them to strings, e.g. {convert}.astype(str)."
