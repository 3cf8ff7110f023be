"""Class labels of conditional samplers: checked in ``fit``, drawn in ``sample``.

``fit(X, y)`` turns ``y`` into class codes, the sorted classes and a record of
its container and dtype (:func:`validate_labels`); ``sample`` draws or checks
the codes to generate (:func:`sample_labels`) and gives the labels back in
``fit``'s container (:func:`restore_labels`).
"""

import numpy as np
import pandas as pd
import torch
from sklearn.utils.validation import column_or_1d

from .column_dtypes import check_dtype_spec, dtype_spec, make_dtype
from .model_values import check_storable_dtype
from .validation import check_class_labels, holds_strings


def validate_labels(y, n_samples, owner, unit="row"):
    """Class codes of y, the sorted classes and y's container and dtype.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or None
        Class labels given to ``fit``.
    n_samples : int
        The number of rows (or sequences) of X, one label each.
    owner : str
        The estimator, for error messages.
    unit : str, default="row"
        What one label stands for, for error messages.

    Returns
    -------
    codes : ndarray of shape (n_samples,) of int64, or None
    classes : ndarray of shape (n_classes,), or None
    label_type : dict or None
        See :func:`label_type`. Without y, all three are None.
    """
    if y is None:
        return None, None, None
    container = label_type(y)
    check_class_labels(y, owner)
    if container is not None:
        check_storable_dtype(container["dtype"], "y", "y")
    if hasattr(y, "__len__") and not hasattr(y, "shape"):
        y = np.asarray(y, dtype=object if holds_strings(y) else None)
    if len(y) != n_samples:
        raise ValueError(
            f"y has {len(y)} labels but X has {n_samples} {unit}s; pass one label "
            f"per {unit}."
        )
    y = column_or_1d(
        y.to_numpy(dtype=object)
        if isinstance(y, pd.Series) and not pd.api.types.is_numeric_dtype(y.dtype)
        else y,
        dtype=None,
        warn=True,
    )
    classes, codes = np.unique(y, return_inverse=True)
    return codes.astype(np.int64).ravel(), classes, container


def sample_labels(classes, class_counts, n_samples, y, rng):
    """Class codes to generate, as a CPU tensor, or None for a sampler without y.

    Parameters
    ----------
    classes : ndarray of shape (n_classes,) or None
        The classes seen in ``fit``; None if it was fitted without y.
    class_counts : ndarray of shape (n_classes,) or None
        How often each class occurred in ``fit``.
    n_samples : int
        Number of samples to generate.
    y : label, array-like of shape (n_samples,) or None
        The labels asked for; None draws them in the training proportions.
    rng : torch.Generator
        The CPU random generator of ``sample``.
    """
    if classes is None or not len(classes):
        if y is not None:
            raise ValueError(
                "y was given to sample, but the sampler was fitted without y; "
                "fit with class labels to generate chosen classes."
            )
        return None
    if y is None:
        counts = torch.as_tensor(class_counts, dtype=torch.float64)
        return torch.multinomial(counts, n_samples, True, generator=rng)
    requested = np.asarray(y, dtype=object if holds_strings(y) else None)
    if requested.ndim == 0:
        requested = np.full(n_samples, requested.item(), dtype=requested.dtype)
    if requested.ndim != 1 or len(requested) != n_samples:
        raise ValueError(
            f"y must be one label or an array of n_samples={n_samples} labels; "
            f"got shape {requested.shape}."
        )
    codes = pd.Index(classes).get_indexer(requested)
    if (codes < 0).any():
        unseen = pd.unique(requested[codes < 0])[:5].tolist()
        raise ValueError(
            f"y holds labels not seen in fit: {unseen}; known labels are "
            f"{classes.tolist()}."
        )
    return torch.as_tensor(codes, dtype=torch.int64)


def label_type(y):
    """The container, name and dtype of fit's y, as JSON-able data (None: ndarray).

    A Series and a pandas array (such as a Categorical) are described; other
    containers give None, and labels then come back as an ndarray.
    """
    if isinstance(y, pd.Series):
        name = y.name if y.name is None or isinstance(y.name, (str, int)) else None
        return {"container": "Series", "name": name, "dtype": dtype_spec(y.dtype)}
    if isinstance(y, pd.api.extensions.ExtensionArray):
        return {"container": "array", "dtype": dtype_spec(y.dtype)}
    return None


def check_label_type(value):
    """Raise ValueError unless ``value`` is what :func:`label_type` returns."""
    if value is None:
        return
    keys = {"Series": {"container", "name", "dtype"}, "array": {"container", "dtype"}}
    if not (
        isinstance(value, dict)
        and set(value) == keys.get(value.get("container"))
        and (value.get("name") is None or isinstance(value["name"], (str, int)))
    ):
        raise ValueError(f"{value!r:.200} does not describe a container of labels")
    check_dtype_spec(value["dtype"])


def restore_labels(labels, label_type):
    """Sampled labels (an ndarray) in the container recorded by :func:`label_type`."""
    if label_type is None:
        return labels
    dtype = make_dtype(label_type["dtype"])
    if label_type["container"] == "Series":
        return pd.Series(labels, dtype=dtype, name=label_type["name"])
    return pd.array(labels, dtype=dtype)
