"""Samplers to model files and back: what ``save`` writes and ``load`` restores.

The file itself (a zip of a JSON manifest and raw arrays, checked before
use) is :mod:`model_file`'s concern; this module maps a sampler onto it:

* the manifest holds the sampler's class, its constructor parameters and its
  fitted attributes that are JSON (numbers, names, records such as
  GANSampler's encoder, saved with ``to_dict``);
* a numeric ndarray attribute is the array ``arrays/<name>``, and every
  tensor of a network's ``state_dict`` the array ``modules/<network>/<key>``.

``load`` accepts only the attributes that the class declares in
``_saved_attributes``, each of the kind declared there. It builds the
networks on the meta device (no memory), compares their shapes and dtypes
with the arrays the manifest declares, and only then reads the weights, so
they never take more memory than the file's size. Last, the sampler checks
that its attributes agree with each other (``_check_saved_state``), so that
a crafted file cannot drive ``sample`` into huge allocations either.
"""

import contextlib
import inspect
import itertools
import numbers
import threading

import numpy as np
import torch
from torch.nn.modules import module as torch_module

from .model_file import damaged, is_int, is_json_scalar, write_model_file
from .output_files import atomic_output, check_writable

# The kinds of fitted attribute a sampler declares in ``_saved_attributes``:
# {kind: (test of the JSON value, what it must be)}. A class with
# ``to_dict``/``from_dict`` is a kind too: its ``from_dict`` checks the value.
# "numbers" are numeric ndarrays, stored as arrays; "labels" are class labels,
# stored as an array when numeric and as a JSON list otherwise.
_JSON_KINDS = {
    "count": (lambda v: is_int(v) and v >= 1, "a positive integer"),
    "int": (lambda v: is_int(v) and v >= 0, "a non-negative integer"),
    "float": (lambda v: _is_number(v), "a number"),
    "text": (lambda v: isinstance(v, str), "a string"),
    "names": (
        lambda v: isinstance(v, list) and all(isinstance(s, str) for s in v),
        "a list of strings",
    ),
    "labels": (
        lambda v: isinstance(v, list) and v and all(is_json_scalar(s) for s in v),
        "a non-empty list of labels",
    ),
    "json": (lambda v: True, "JSON data"),
}
_ARRAY_KINDS = ("numbers", "labels")
_NUMERIC_DTYPES = {
    "bool", "uint8", "int8", "int16", "uint16", "int32", "uint32", "int64",
    "uint64", "float16", "float32", "float64",
}  # fmt: skip
# The parts (modules, parameters and buffers) that building the networks may
# register, per weight tensor that the file holds, and beyond.
_PARTS_PER_TENSOR, _SPARE_PARTS = 4, 64


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def to_json_value(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, torch.device):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


# --------------------------------------------------------------------------
# save
# --------------------------------------------------------------------------


def write_model(sampler, path, key=None):
    """Write a fitted sampler's parameters, fitted state and weights to ``path``.

    ``path`` is checked before anything is serialized, and written atomically;
    see ``BaseSampler.save``.
    """
    check_writable(path)
    declared = type(sampler)._saved_attributes
    attributes, arrays = {}, {}
    for name, value in vars(sampler).items():
        if not name.endswith("_") or name == "device_":
            continue
        if isinstance(value, torch.nn.Module):
            for tensor_name, tensor in value.state_dict().items():
                arrays[f"modules/{name}/{tensor_name}"] = tensor
        elif name not in declared:
            raise TypeError(
                f"{type(sampler).__name__}._saved_attributes does not declare the "
                f"fitted attribute {name}; save() writes declared attributes only."
            )
        elif isinstance(declared[name], type):
            attributes[name] = value.to_dict()
        elif isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
            arrays[f"arrays/{name}"] = value
        else:
            attributes[name] = value
    content = {
        "estimator": type(sampler).__name__,
        "params": _tagged(sampler.get_params(deep=False)),
        "attributes": attributes,
    }
    try:
        content = _json_values(content)
    except TypeError as exc:
        raise ValueError(
            "save() needs JSON-serializable parameters (random_state must be "
            f"an int or None): {exc}"
        ) from None
    with atomic_output(path) as file:
        write_model_file(file, content, arrays, key=key)


# In saved parameters, a tuple is {TUPLE: [items]} and a dict whose keys are
# not all strings {ITEMS: [[key, value], ...]}, so that get_params() after
# load equals get_params() before save (JSON has neither).
TUPLE, ITEMS = "__tuple__", "__items__"


def _tagged(value):
    """``value`` with its tuples and non-string-keyed dicts tagged for JSON."""
    if isinstance(value, tuple):
        return {TUPLE: [_tagged(v) for v in value]}
    if isinstance(value, list):
        return [_tagged(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: _tagged(v) for k, v in value.items()}
        return {ITEMS: [[k, _tagged(v)] for k, v in value.items()]}
    return value


def _untagged(value):
    """Undo :func:`_tagged` on JSON; a malformed tag is a ValueError."""
    if isinstance(value, list):
        return [_untagged(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1 and TUPLE in value and isinstance(value[TUPLE], list):
        return tuple(_untagged(v) for v in value[TUPLE])
    if len(value) == 1 and ITEMS in value:
        items = value[ITEMS]
        if not isinstance(items, list) or not all(
            isinstance(item, list) and len(item) == 2 and is_json_scalar(item[0])
            for item in items
        ):
            raise ValueError(f"{ITEMS} must hold [key, value] pairs")
        return {key: _untagged(v) for key, v in items}
    return {k: _untagged(v) for k, v in value.items()}


def _json_values(value):
    """``value`` with NumPy values, tuples and devices turned into JSON types."""
    if isinstance(value, dict):
        return {k: _json_values(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_values(v) for v in value]
    if is_json_scalar(value):
        return value
    return _json_values(to_json_value(value))


# --------------------------------------------------------------------------
# load
# --------------------------------------------------------------------------


def restored_sampler(target, model_file):
    """A fitted ``target`` rebuilt from an open, checked ``ModelFile``."""
    path = model_file.path
    params = model_file.content.get("params")
    attributes = model_file.content.get("attributes")
    if not isinstance(params, dict) or not isinstance(attributes, dict):
        raise damaged(path, "its parameters or fitted attributes are malformed")
    unknown = sorted(set(params) - set(inspect.signature(target).parameters))
    if unknown:
        raise ValueError(
            f"{path} sets parameters that {target.__name__} does not have: "
            f"{unknown}; was it written by another version of sksynth?"
        )
    try:
        sampler = target(**_tuples_restored(target, _untagged(params)))
        sampler._validate_params()
    except (TypeError, ValueError) as exc:
        raise damaged(path, f"its parameters are invalid ({exc})") from None
    stored_arrays, stored_modules = _stored_arrays(model_file)
    restored = {
        name: _restored_attribute(target, name, value, path)
        for name, value in attributes.items()
    }
    for name, entry in stored_arrays.items():
        kind = _declared_kind(target, name, path)
        dtype, shape = model_file.arrays[entry]
        if kind not in _ARRAY_KINDS or dtype not in _NUMERIC_DTYPES:
            raise damaged(path, f"its attribute {name} is an array of {dtype}")
        if name in restored:
            raise damaged(path, f"it holds the attribute {name} twice")
        # Stands in for the array until the networks are known to fit the file.
        restored[name] = np.broadcast_to(np.zeros((), dtype=dtype), shape)
    sampler.__dict__.update(restored)
    modules = _networks_on_meta(sampler, stored_modules, model_file)
    for name, entry in stored_arrays.items():
        setattr(sampler, name, model_file.read_array(entry))
    for name, module in modules.items():
        state = {
            tensor_name: model_file.read_tensor(entry)
            for tensor_name, entry in stored_modules[name].items()
        }
        module.load_state_dict(state, assign=True)
        if any(
            t.is_meta for t in itertools.chain(module.parameters(), module.buffers())
        ):
            raise TypeError(
                f"{target.__name__}._build_modules() makes {name} with state outside "
                "its state_dict, which load() cannot restore."
            )
        setattr(sampler, name, module)
    try:
        sampler._check_saved_state()
    except (AttributeError, IndexError, KeyError, TypeError, ValueError) as exc:
        raise damaged(
            path,
            f"its fitted attributes do not fit together ({type(exc).__name__}: {exc})",
        ) from None
    return sampler


def _tuples_restored(estimator_class, params):
    """Turn JSON lists back into tuples where the parameter's default is a tuple."""
    defaults = {
        name: parameter.default
        for name, parameter in inspect.signature(estimator_class).parameters.items()
    }
    return {
        name: tuple(value)
        if isinstance(value, list) and isinstance(defaults.get(name), tuple)
        else value
        for name, value in params.items()
    }


def _declared_kind(target, name, path):
    kind = target._saved_attributes.get(name)
    if kind is None:
        raise damaged(
            path,
            f"it sets the attribute {name!r}, which {target.__name__} does not save",
        )
    return kind


def _restored_attribute(target, name, value, path):
    """A fitted attribute from the manifest, checked against its declared kind."""
    kind = _declared_kind(target, name, path)
    if isinstance(kind, type):  # a record: from_dict checks its fields
        try:
            return kind.from_dict(value)
        except (IndexError, KeyError, TypeError, ValueError) as exc:
            raise damaged(
                path, f"its {name} is malformed ({type(exc).__name__}: {exc})"
            ) from None
    test, expected = _JSON_KINDS.get(kind, (lambda v: False, "an array"))
    if not test(value):
        raise damaged(path, f"its attribute {name} is not {expected}")
    return np.asarray(value, dtype=object) if kind in ("names", "labels") else value


def _stored_arrays(model_file):
    """The file's arrays: {attribute: entry} and {network: {tensor: entry}}."""
    attributes, modules = {}, {}
    for entry in model_file.arrays:
        group, _, rest = entry.partition("/")
        module, _, tensor_name = rest.partition("/")
        if group == "arrays" and rest:
            attributes[rest] = entry
        elif group == "modules" and module and tensor_name:
            modules.setdefault(module, {})[tensor_name] = entry
        else:
            raise damaged(model_file.path, f"it holds the unknown entry {entry!r}")
    return attributes, modules


def _networks_on_meta(sampler, stored_modules, model_file):
    """The sampler's networks built on the meta device, checked against the file.

    The build may register at most a few parts per weight tensor that the file
    holds, so that no parameter can make it build a million layers.
    """
    path, target = model_file.path, type(sampler).__name__
    n_tensors = sum(len(tensors) for tensors in stored_modules.values())
    try:
        with (
            torch.device("meta"),
            _registration_limit(_PARTS_PER_TENSOR * n_tensors + _SPARE_PARTS),
        ):
            modules = sampler._build_modules()
    except _TooManyParts:
        raise damaged(
            path,
            f"its parameters and fitted attributes describe networks of more "
            f"parts than the {n_tensors} weight tensors it holds",
        ) from None
    except (
        AttributeError,
        IndexError,
        KeyError,
        OverflowError,
        RuntimeError,
        TypeError,
        ValueError,
    ) as exc:
        # RuntimeError: torch refuses a shape, e.g. one whose size overflows.
        raise damaged(
            path,
            f"its fitted attributes do not describe {target}'s networks "
            f"({type(exc).__name__}: {exc})",
        ) from None
    if set(modules) != set(stored_modules):
        raise damaged(
            path,
            f"it holds weights for {sorted(stored_modules)}, but {target} has the "
            f"networks {sorted(modules)}",
        )
    for name, module in modules.items():
        problems = _state_dict_mismatch(
            module.state_dict(), stored_modules[name], model_file.arrays
        )
        if problems:
            raise damaged(
                path, f"the weights of {name} do not fit its network: {problems}"
            )
    return modules


def _state_dict_mismatch(expected, stored, arrays):
    """How the stored tensors fail to fit ``expected``: keys, shapes, dtypes."""
    problems = []
    missing = sorted(set(expected) - set(stored))
    unexpected = sorted(set(stored) - set(expected))
    if missing:
        problems.append(f"missing {missing}")
    if unexpected:
        problems.append(f"unexpected {unexpected}")
    for key, tensor in expected.items():
        if key not in stored:
            continue
        dtype, shape = arrays[stored[key]]
        wanted = str(tensor.dtype).removeprefix("torch.")
        if shape != tuple(tensor.shape) or dtype != wanted:
            problems.append(
                f"{key} is {dtype} of shape {shape}, not {wanted} of shape "
                f"{tuple(tensor.shape)}"
            )
    return "; ".join(problems)


# --------------------------------------------------------------------------
# Checks that the samplers' _check_saved_state share
# --------------------------------------------------------------------------


def check_saved_labels(classes, class_counts):
    """Raise ValueError unless a loaded sampler's classes and their counts agree."""
    if classes is None and class_counts is None:
        return
    if classes is None or class_counts is None or classes.ndim != 1:
        raise ValueError("classes_ and class_counts_ come together, classes_ in 1-D")
    check_saved_counts("class_counts_", class_counts, (len(classes),))


def check_saved_counts(name, counts, shape, *, positive_rows=True):
    """Raise ValueError unless ``counts`` are frequencies of ``shape``.

    Non-negative numbers, which ``torch.multinomial`` draws from; with
    ``positive_rows``, positive in total along the last axis.
    """
    check_saved_array(name, counts, shape, "biuf")
    if not (counts >= 0).all() or (
        positive_rows and counts.size and not (counts.sum(-1) > 0).all()
    ):
        raise ValueError(f"{name} are not frequencies: negative or all zero")


def check_saved_array(name, array, shape, kinds="f"):
    """Raise ValueError unless ``array`` is an ndarray of ``shape``, of a dtype
    of one of the ``kinds`` (NumPy's letters), and finite."""
    if (
        not isinstance(array, np.ndarray)
        or array.shape != tuple(shape)
        or array.dtype.kind not in kinds
    ):
        raise ValueError(
            f"{name} is {getattr(array, 'dtype', type(array).__name__)} of shape "
            f"{getattr(array, 'shape', None)}, not of kind {kinds!r} and shape "
            f"{tuple(shape)}"
        )
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise ValueError(f"{name} holds values that are not finite")


class _TooManyParts(Exception):
    pass


@contextlib.contextmanager
def _registration_limit(limit):
    """Raise ``_TooManyParts`` once this thread registers more than ``limit``
    modules, parameters and buffers in torch modules."""
    thread = threading.get_ident()
    count = 0

    def hook(*args):
        nonlocal count
        if threading.get_ident() == thread:
            count += 1
            if count > limit:
                raise _TooManyParts

    handles = [
        torch_module.register_module_module_registration_hook(hook),
        torch_module.register_module_parameter_registration_hook(hook),
        torch_module.register_module_buffer_registration_hook(hook),
    ]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()
