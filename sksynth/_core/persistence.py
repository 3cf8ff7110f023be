"""Pickle-free model files: what ``BaseSampler.save`` writes and ``load`` reads.

A model file is torch's zip format holding the constructor parameters and
fitted attributes as JSON, NumPy arrays and the networks' ``state_dict`` as
tensors, and a SHA-256 checksum of them all; it is read back with
``torch.load(weights_only=True)``, so loading a file cannot run code.
"""

import hashlib
import inspect
import json
import os
import zipfile
from pathlib import Path

import numpy as np
import torch

SAVE_FORMAT = "sksynth"
# Version 2 added the checksum. Version 1 files, written before it, hold the
# same payload without one; they still load, unchecked. Version 3 stores a
# sampler's fitted records (``BaseSampler._fitted_records``) under their own
# names; earlier files held them as JSON under older names
# (``BaseSampler._legacy_attribute_names``), which load still.
SAVE_FORMAT_VERSION = 3
_CHECKSUM_SINCE_VERSION = 2
_PAYLOAD_STRINGS = ("estimator", "params", "attributes", "object_arrays")


def to_json_value(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, torch.device):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


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


def check_writable(path, *, folder=False, parents=False):
    """Raise an ``OSError`` naming ``path`` unless it can be written.

    Called before any long work, so that a fit or a score is never lost to a
    bad output path.

    Parameters
    ----------
    path : str or path-like
        The file, or with ``folder=True`` the folder, to write.
    folder : bool, default=False
        Whether ``path`` is a folder to write files into, made with its
        parents where missing.
    parents : bool, default=False
        Whether missing folders above the file ``path`` will be made; if
        False, the file's folder must exist.
    """
    path = Path(path)
    if folder and path.exists() and not path.is_dir():
        raise NotADirectoryError(
            f"cannot write into {path}: it is a file, not a folder."
        )
    if not folder and path.is_dir():
        raise IsADirectoryError(f"cannot write {path}: it is a folder, not a file.")
    if not folder and path.exists() and not os.access(path, os.W_OK):
        raise PermissionError(f"cannot write {path}: the file is read-only.")
    existing = path if folder else path.parent
    while (folder or parents) and not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        raise NotADirectoryError(
            f"cannot write {path}: {existing} is a file, not a folder."
        )
    if not existing.is_dir():
        raise FileNotFoundError(
            f"cannot write {path}: the folder {existing} does not exist."
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(
            f"cannot write {path}: the folder {existing} is not writable."
        )


def payload_checksum(payload):
    """SHA-256 of a saved payload's JSON strings and tensors, in a fixed order."""
    digest = hashlib.sha256()

    def add(label, data):
        # Length-prefixed, so that no two different payloads feed the same bytes.
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    for key in _PAYLOAD_STRINGS:
        add(key, payload[key].encode())
    tensors = [(f"arrays/{name}", t) for name, t in payload["arrays"].items()]
    tensors += [
        (f"modules/{module}/{key}", t)
        for module, state in payload["modules"].items()
        for key, t in state.items()
    ]
    for label, tensor in sorted(tensors, key=lambda item: item[0]):
        data = tensor.detach().cpu().contiguous().reshape(-1).view(torch.uint8)
        add(f"{label}\0{tensor.dtype}\0{tuple(tensor.shape)}", data.numpy())
    return digest.hexdigest()


def damaged(path, problem):
    return ValueError(f"{path} is a damaged sksynth model file: {problem}.")


def _is_tensor_dict(value):
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in value.items()
    )


def _not_a_model_file(path, head):
    if not head:
        return (
            f"{path} is empty, not a sksynth model file; was it cut short while "
            "being written or copied?"
        )
    if head[:1] == b"\x80":
        return (
            f"{path} holds a pickle, not a sksynth model file; load() reads only "
            "files written by save(), which hold no code."
        )
    return f"{path} is not a sksynth model file; those are written by save()."


def read_payload(path):
    """The checked contents of a file written by ``BaseSampler.save``."""
    with open(path, "rb") as file:
        head = file.read(4)
        # save() always writes torch's zip format; anything else is foreign,
        # and is never handed to torch's unpickler.
        if head != b"PK\x03\x04":
            raise ValueError(_not_a_model_file(path, head))
        if not zipfile.is_zipfile(file):
            raise ValueError(
                f"{path} is truncated or damaged: the end of its archive is "
                "missing. Save the model again."
            )
        file.seek(0)
        try:
            payload = torch.load(file, weights_only=True, map_location="cpu")
        except Exception:  # torch raises many types for damaged archives
            raise ValueError(
                f"{path} is damaged or is not a sksynth model file: its archive "
                "cannot be read."
            ) from None
    if not isinstance(payload, dict) or payload.get("format") != SAVE_FORMAT:
        raise ValueError(f"{path} is not a sksynth model file.")
    version = payload.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise damaged(path, f"its format version {version!r} is not a positive integer")
    if version > SAVE_FORMAT_VERSION:
        raise ValueError(
            f"{path} was written by a newer sksynth, format version {version}; "
            f"this version reads up to {SAVE_FORMAT_VERSION}. Upgrade sksynth to "
            "load it."
        )
    for key in _PAYLOAD_STRINGS:
        if not isinstance(payload.get(key), str):
            raise damaged(path, f"its {key!r} entry is missing or not a string")
    if not _is_tensor_dict(payload.get("arrays")):
        raise damaged(path, "its 'arrays' entry is missing or not tensors")
    modules = payload.get("modules")
    if not isinstance(modules, dict) or not all(
        _is_tensor_dict(state) for state in modules.values()
    ):
        raise damaged(path, "its 'modules' entry is missing or not weights")
    if version >= _CHECKSUM_SINCE_VERSION:
        checksum = payload.get("checksum")
        if not isinstance(checksum, str):
            raise damaged(path, "its checksum is missing")
        if checksum != payload_checksum(payload):
            raise damaged(
                path,
                "its contents do not match the checksum written by save(); the "
                "file was changed or corrupted after saving",
            )
    return payload


def _state_dict_mismatch(module, state):
    """How ``state`` fails to fit ``module``: missing, extra and misshapen keys."""
    expected = module.state_dict()
    problems = []
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing:
        problems.append(f"missing {missing}")
    if unexpected:
        problems.append(f"unexpected {unexpected}")
    problems += [
        f"{key} has shape {tuple(state[key].shape)}, not {tuple(tensor.shape)}"
        for key, tensor in expected.items()
        if key in state and state[key].shape != tensor.shape
    ]
    return "; ".join(problems) or "their dtypes do not fit"


def restored_sampler(target, payload, path):
    """A fitted ``target`` rebuilt from a checked payload."""
    try:
        params = json.loads(payload["params"])
        attributes = json.loads(payload["attributes"])
        object_arrays = json.loads(payload["object_arrays"])
    except ValueError as exc:
        raise damaged(path, f"its JSON cannot be parsed ({exc})") from None
    if not (
        isinstance(params, dict)
        and isinstance(attributes, dict)
        and isinstance(object_arrays, list)
        and all(isinstance(name, str) and name in attributes for name in object_arrays)
    ):
        raise damaged(path, "its parameters or fitted attributes are malformed")
    fitted_names = [*attributes, *payload["arrays"], *payload["modules"]]
    if not all(name.endswith("_") for name in fitted_names):
        raise damaged(path, "it names fitted attributes without a trailing '_'")
    unknown = sorted(set(params) - set(inspect.signature(target).parameters))
    if unknown:
        raise ValueError(
            f"{path} sets parameters that {target.__name__} does not have: "
            f"{unknown}; was it written by another version of sksynth?"
        )
    sampler = target(**_tuples_restored(target, params))
    for old, new in target._legacy_attribute_names.items():
        if old in attributes:
            attributes[new] = attributes.pop(old)
    for name, record_class in target._fitted_records.items():
        if name in attributes:
            try:
                attributes[name] = record_class.from_dict(attributes[name])
            except (KeyError, TypeError, ValueError) as exc:
                raise damaged(
                    path, f"its {name} is malformed ({type(exc).__name__}: {exc})"
                ) from None
    for name in object_arrays:
        attributes[name] = np.asarray(attributes[name], dtype=object)
    for name, tensor in payload["arrays"].items():
        try:
            attributes[name] = tensor.numpy()
        except TypeError:  # a dtype NumPy lacks, such as bfloat16
            raise damaged(path, f"its array {name} has dtype {tensor.dtype}") from None
    sampler.__dict__.update(attributes)
    try:
        modules = sampler._build_modules()
    except (AttributeError, IndexError, KeyError, TypeError, ValueError) as exc:
        raise damaged(
            path,
            f"its fitted attributes do not describe {target.__name__}'s networks "
            f"({type(exc).__name__}: {exc})",
        ) from None
    if set(modules) != set(payload["modules"]):
        raise damaged(
            path,
            f"it holds weights for {sorted(payload['modules'])}, but "
            f"{target.__name__} has the networks {sorted(modules)}",
        )
    for name, module in modules.items():
        state = payload["modules"][name]
        try:
            module.load_state_dict(state)
        except RuntimeError:
            raise damaged(
                path,
                f"the weights of {name} do not fit its network: "
                f"{_state_dict_mismatch(module, state)}",
            ) from None
        setattr(sampler, name, module)
    return sampler


def write_model(sampler, path):
    """Write a fitted sampler's parameters, fitted state and weights to ``path``.

    ``path`` is checked before anything is serialized; see ``BaseSampler.save``.
    """
    check_writable(path)
    params = sampler.get_params(deep=False)
    try:
        params_json = json.dumps(params, default=to_json_value)
    except TypeError as exc:
        raise ValueError(
            "save() needs JSON-serializable parameters (random_state must be "
            f"an int or None): {exc}"
        ) from None
    modules, arrays, attributes = {}, {}, {}
    for name, value in vars(sampler).items():
        if not name.endswith("_") or name == "device_":
            continue
        if isinstance(value, torch.nn.Module):
            modules[name] = {k: v.cpu() for k, v in value.state_dict().items()}
        elif name in type(sampler)._fitted_records:
            attributes[name] = value.to_dict()
        elif isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
            arrays[name] = torch.from_numpy(np.ascontiguousarray(value))
        else:
            attributes[name] = value
    payload = {
        "format": SAVE_FORMAT,
        "format_version": SAVE_FORMAT_VERSION,
        "estimator": type(sampler).__name__,
        "params": params_json,
        "attributes": json.dumps(attributes, default=to_json_value),
        "object_arrays": json.dumps(
            [n for n, v in attributes.items() if isinstance(v, np.ndarray)]
        ),
        "arrays": arrays,
        "modules": modules,
    }
    payload["checksum"] = payload_checksum(payload)
    with open(path, "wb") as file:
        torch.save(payload, file)
