"""BaseSampler: the fit/sample template shared by every sksynth sampler.

The base class owns everything that is not a model: device selection, seeding
without touching global random state, progress and loss history, pickling that
survives a move between machines, and pickle-free ``save``/``load``.
"""

import copy
import hashlib
import inspect
import json
import math
import numbers
import os
import threading
import time
import warnings
import zipfile
from abc import ABCMeta, abstractmethod
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from tqdm.auto import tqdm

_SAVE_FORMAT = "sksynth"
# Version 2 added the checksum. Version 1 files, written before it, hold the
# same payload without one; they still load, unchecked.
_SAVE_FORMAT_VERSION = 2
_CHECKSUM_SINCE_VERSION = 2
_PAYLOAD_STRINGS = ("estimator", "params", "attributes", "object_arrays")


def _available_memory():
    """Bytes of memory available to a new allocation, or None if unknown."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def _check_sample_memory(n_samples, bytes_per_sample):
    """Refuse at once a request whose output cannot fit in memory."""
    available = _available_memory()
    needed = n_samples * bytes_per_sample
    if available is None or needed <= available:
        return
    fitting = max(1, available // bytes_per_sample // 2)
    raise ValueError(
        f"n_samples={n_samples} would need about {needed / 2**30:,.1f} GiB of "
        f"memory, more than the {available / 2**30:,.1f} GiB available; sample "
        f"in parts of at most about {fitting:,} samples per call."
    )


def resolve_device(device):
    """Turn a ``device`` parameter into an available :class:`torch.device`.

    Parameters
    ----------
    device : str or torch.device
        ``"auto"`` (CUDA, then MPS, then CPU), ``"cpu"``, ``"cuda"``,
        ``"cuda:N"`` or ``"mps"``.

    Returns
    -------
    torch.device

    Raises
    ------
    ValueError
        If the string names no device, or a device this machine does not have.
    """
    if str(device) == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda", torch.cuda.current_device())
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError):
        resolved = None
    if resolved is None or resolved.type not in ("cpu", "cuda", "mps"):
        raise ValueError(
            f"device must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps', got {device!r}."
        )
    if resolved.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r} was requested but CUDA is not available on "
                "this machine; use device='auto' or device='cpu'."
            )
        index = 0 if resolved.index is None else resolved.index
        if index >= torch.cuda.device_count():
            raise ValueError(
                f"device={device!r} was requested but this machine has "
                f"{torch.cuda.device_count()} CUDA device(s)."
            )
        return torch.device("cuda", index)
    if resolved.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(
            f"device={device!r} was requested but MPS is not available on this "
            "machine; use device='auto' or device='cpu'."
        )
    return resolved


def _device_available(device):
    try:
        resolve_device(device)
    except ValueError:
        return False
    return True


def seed_from_random_state(random_state):
    """Draw a torch seed from a ``random_state`` parameter.

    ``None`` gives a fresh seed from the operating system's entropy (so the
    global NumPy state is not consumed), an int is used as is, and a
    ``RandomState`` or ``Generator`` instance is drawn from.
    """
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    if isinstance(random_state, numbers.Integral):
        return int(random_state)
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**32 - 1))
    return int(check_random_state(random_state).randint(2**32 - 1))


# Held while torch's process-global generators are seeded and drawn from.
_GLOBAL_GENERATORS_LOCK = threading.RLock()


@contextmanager
def seeded_torch(seed, device):
    """Seed torch's default generators for a block, restoring them afterwards.

    Module initialisation and dropout draw from torch's global generators; this
    forks the CPU generator and the one of ``device`` (``torch.random.fork_rng``)
    and seeds only those, so that seeding a fit leaves the caller's random state
    exactly as it was.

    The generators are global to the process, so the block holds a process-wide
    lock: two threads (joblib's threading backend) seeding them at once would
    draw from each other's streams and restore each other's states.
    """
    with _GLOBAL_GENERATORS_LOCK:
        with _forked_and_seeded(seed, device):
            yield


@contextmanager
def _forked_and_seeded(seed, device):
    if device.type == "mps":
        fork = torch.random.fork_rng(device_type="mps")
    else:
        fork = torch.random.fork_rng(
            devices=[device.index] if device.type == "cuda" else []
        )
    with fork:
        torch.default_generator.manual_seed(seed)
        if device.type == "cuda":
            with torch.cuda.device(device):
                torch.cuda.manual_seed(seed)
        elif device.type == "mps":
            torch.mps.manual_seed(seed)
        yield


class TrainingLog:
    """Loss history, progress bars and divergence checks of a training run.

    Parameters
    ----------
    verbose : int
        0 silent, 1 a progress bar per phase, 2 also one printed line per
        logged step.
    log_every : int
        Losses are recorded (and checked for NaN) every ``log_every`` steps and
        at the last step of each phase.

    Attributes
    ----------
    history : list of dict
        One row per recorded step: phase, step and the losses.
    phase_seconds : dict
        Wall-clock seconds of each completed phase.
    """

    def __init__(self, verbose, log_every=10):
        self.verbose = verbose
        self.log_every = log_every
        self.history = []
        self.phase_seconds = {}

    @contextmanager
    def phase(self, name, n_steps):
        """Open a progress bar for one training phase; yields a ``record`` callback.

        ``record(step, losses)`` takes the 0-based step and a dict of scalar loss
        tensors or floats; it stores a history row every ``log_every`` steps.
        """
        bar = tqdm(total=n_steps, desc=name, disable=self.verbose < 1, leave=True)
        start = time.perf_counter()

        def record(step, losses):
            bar.update(1)
            if (step + 1) % self.log_every and step + 1 != n_steps:
                return
            row = {name_: float(value) for name_, value in losses.items()}
            for loss_name, value in row.items():
                if not math.isfinite(value):
                    raise FloatingPointError(
                        f"Training diverged: loss {loss_name!r} became {value} "
                        f"at step {step + 1} of phase {name!r}. Try a lower "
                        "learning_rate."
                    )
            self.history.append({"phase": name, "step": step + 1, **row})
            bar.set_postfix({k: f"{v:.4g}" for k, v in row.items()}, refresh=False)
            if self.verbose >= 2:
                losses_text = " ".join(f"{k}={v:.5g}" for k, v in row.items())
                tqdm.write(f"[{name}] step {step + 1}/{n_steps} {losses_text}")

        try:
            yield record
        finally:
            bar.close()
        self.phase_seconds[name] = time.perf_counter() - start


def _to_json_value(value):
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


def _check_writable(path, *, folder=False, parents=False):
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


def _payload_checksum(payload):
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


def _damaged(path, problem):
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


def _read_payload(path):
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
    if not isinstance(payload, dict) or payload.get("format") != _SAVE_FORMAT:
        raise ValueError(f"{path} is not a sksynth model file.")
    version = payload.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _damaged(
            path, f"its format version {version!r} is not a positive integer"
        )
    if version > _SAVE_FORMAT_VERSION:
        raise ValueError(
            f"{path} was written by a newer sksynth, format version {version}; "
            f"this version reads up to {_SAVE_FORMAT_VERSION}. Upgrade sksynth to "
            "load it."
        )
    for key in _PAYLOAD_STRINGS:
        if not isinstance(payload.get(key), str):
            raise _damaged(path, f"its {key!r} entry is missing or not a string")
    if not _is_tensor_dict(payload.get("arrays")):
        raise _damaged(path, "its 'arrays' entry is missing or not tensors")
    modules = payload.get("modules")
    if not isinstance(modules, dict) or not all(
        _is_tensor_dict(state) for state in modules.values()
    ):
        raise _damaged(path, "its 'modules' entry is missing or not weights")
    if version >= _CHECKSUM_SINCE_VERSION:
        checksum = payload.get("checksum")
        if not isinstance(checksum, str):
            raise _damaged(path, "its checksum is missing")
        if checksum != _payload_checksum(payload):
            raise _damaged(
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


def _restored_sampler(target, payload, path):
    """A fitted ``target`` rebuilt from a checked payload."""
    try:
        params = json.loads(payload["params"])
        attributes = json.loads(payload["attributes"])
        object_arrays = json.loads(payload["object_arrays"])
    except ValueError as exc:
        raise _damaged(path, f"its JSON cannot be parsed ({exc})") from None
    if not (
        isinstance(params, dict)
        and isinstance(attributes, dict)
        and isinstance(object_arrays, list)
        and all(isinstance(name, str) and name in attributes for name in object_arrays)
    ):
        raise _damaged(path, "its parameters or fitted attributes are malformed")
    fitted_names = [*attributes, *payload["arrays"], *payload["modules"]]
    if not all(name.endswith("_") for name in fitted_names):
        raise _damaged(path, "it names fitted attributes without a trailing '_'")
    unknown = sorted(set(params) - set(inspect.signature(target).parameters))
    if unknown:
        raise ValueError(
            f"{path} sets parameters that {target.__name__} does not have: "
            f"{unknown}; was it written by another version of sksynth?"
        )
    sampler = target(**_tuples_restored(target, params))
    for name in object_arrays:
        attributes[name] = np.asarray(attributes[name], dtype=object)
    for name, tensor in payload["arrays"].items():
        try:
            attributes[name] = tensor.numpy()
        except TypeError:  # a dtype NumPy lacks, such as bfloat16
            raise _damaged(path, f"its array {name} has dtype {tensor.dtype}") from None
    sampler.__dict__.update(attributes)
    try:
        modules = sampler._build_modules()
    except (AttributeError, IndexError, KeyError, TypeError, ValueError) as exc:
        raise _damaged(
            path,
            f"its fitted attributes do not describe {target.__name__}'s networks "
            f"({type(exc).__name__}: {exc})",
        ) from None
    if set(modules) != set(payload["modules"]):
        raise _damaged(
            path,
            f"it holds weights for {sorted(payload['modules'])}, but "
            f"{target.__name__} has the networks {sorted(modules)}",
        )
    for name, module in modules.items():
        state = payload["modules"][name]
        try:
            module.load_state_dict(state)
        except RuntimeError:
            raise _damaged(
                path,
                f"the weights of {name} do not fit its network: "
                f"{_state_dict_mismatch(module, state)}",
            ) from None
        setattr(sampler, name, module)
    return sampler


class BaseSampler(BaseEstimator, metaclass=ABCMeta):
    """Base class of sksynth's samplers.

    Subclasses implement ``_fit(X, y, device, seed)``, which returns a dict of
    fitted attributes, ``_sample(n_samples, y, generator)``, and
    ``_build_modules()``, which recreates the fitted torch modules' architecture
    from the other fitted attributes (used by :meth:`load`).

    ``fit`` publishes the fitted attributes only when training succeeded: a
    failed ``fit`` leaves the estimator exactly as it was before the call.
    """

    _parameter_constraints: dict = {
        "device": [str, torch.device],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    @abstractmethod
    def _fit(self, X, y, device, seed):
        """Validate X (and y), train, and return the fitted attributes as a dict."""

    @abstractmethod
    def _sample(self, n_samples, y, generator):
        """Return ``n_samples`` draws; noise comes from the CPU ``generator``."""

    @abstractmethod
    def _build_modules(self):
        """Return a dict of untrained torch modules shaped like the fitted ones."""

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the sampler to X.

        Parameters
        ----------
        X : array-like
            Training data; see the subclass for the accepted layouts.
        y : array-like of shape (n_samples,), default=None
            Class labels; where supported, they make the sampler conditional.

        Returns
        -------
        self : object
            The fitted sampler.
        """
        previous_state = self.__dict__.copy()
        # Start from no fitted state, so nothing of an earlier fit survives a refit.
        for name in [n for n in vars(self) if n.endswith("_")]:
            delattr(self, name)
        try:
            device = resolve_device(self.device)
            seed = seed_from_random_state(self.random_state)
            with seeded_torch(seed, device):
                fitted = self._fit(X, y, device=device, seed=seed)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(previous_state)
            raise
        self.__dict__.update(fitted)
        self.device_ = device
        return self

    def sample(self, n_samples=1, *, y=None, random_state=None):
        """Generate synthetic samples.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples (rows or sequences) to generate.
        y : label or array-like of shape (n_samples,), default=None
            Labels to generate, for a sampler fitted with ``y``.
        random_state : int, RandomState instance or None, default=None
            Seeds the noise, drawn on the CPU so that an int gives the same draws
            on any device. None gives fresh draws at every call.

        Returns
        -------
        X : same container kind as the data given to ``fit``
            The synthetic samples. A sampler fitted with ``y`` returns
            ``(X, y)``.
        """
        check_is_fitted(self)
        if (
            not isinstance(n_samples, numbers.Integral)
            or isinstance(n_samples, bool)
            or n_samples < 1
        ):
            raise ValueError(
                f"n_samples must be a positive integer, got {n_samples!r}."
            )
        _check_sample_memory(int(n_samples), self._bytes_per_sample())
        generator = torch.Generator().manual_seed(seed_from_random_state(random_state))
        modules = self._fitted_modules()
        for module in modules.values():
            module.eval()
        with torch.no_grad():
            return self._sample(int(n_samples), y=y, generator=generator)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "device_")

    @abstractmethod
    def _bytes_per_sample(self):
        """An upper estimate of the memory ``sample`` holds per sample at peak."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = str(self.device) != "cpu" and not (
            str(self.device) == "auto" and resolve_device("auto").type == "cpu"
        )
        return tags

    def _fitted_modules(self):
        return {
            name: value
            for name, value in vars(self).items()
            if isinstance(value, torch.nn.Module)
        }

    def __getstate__(self):
        # A copy: object.__getstate__ may return the live __dict__ itself.
        state = dict(super().__getstate__())
        # Pickles hold CPU copies, so they load on machines without the GPU.
        for name, value in state.items():
            if isinstance(value, torch.nn.Module):
                state[name] = copy.deepcopy(value).cpu()
            elif isinstance(value, torch.Tensor):
                state[name] = value.cpu()
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if hasattr(self, "device_"):
            self._move_to_fitted_device()

    def _move_to_fitted_device(self):
        if not _device_available(self.device_):
            warnings.warn(
                f"This sampler was fitted on {self.device_}, which this machine "
                "does not have; it will run on the CPU.",
                UserWarning,
                stacklevel=3,
            )
            self.device_ = torch.device("cpu")
        for name, value in vars(self).items():
            if isinstance(value, (torch.nn.Module, torch.Tensor)):
                setattr(self, name, value.to(self.device_))

    def save(self, path):
        """Save the fitted sampler to ``path`` without pickle.

        The file holds the constructor parameters and fitted attributes as JSON
        and the networks as ``state_dict`` tensors, with a SHA-256 checksum of
        them all, written with ``torch.save`` and read back with
        ``torch.load(weights_only=True)``, so loading a file from someone else
        cannot run code.

        Parameters
        ----------
        path : str or path-like
            Destination file; its folder must exist.

        Raises
        ------
        OSError
            If ``path`` is a folder, or its folder is missing or not writable;
            checked before anything is serialized.
        ValueError
            If a parameter is not JSON-serializable.
        """
        check_is_fitted(self)
        _check_writable(path)
        params = self.get_params(deep=False)
        try:
            params_json = json.dumps(params, default=_to_json_value)
        except TypeError as exc:
            raise ValueError(
                "save() needs JSON-serializable parameters (random_state must be "
                f"an int or None): {exc}"
            ) from None
        modules, arrays, attributes = {}, {}, {}
        for name, value in vars(self).items():
            if not name.endswith("_") or name == "device_":
                continue
            if isinstance(value, torch.nn.Module):
                modules[name] = {k: v.cpu() for k, v in value.state_dict().items()}
            elif isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
                arrays[name] = torch.from_numpy(np.ascontiguousarray(value))
            else:
                attributes[name] = value
        payload = {
            "format": _SAVE_FORMAT,
            "format_version": _SAVE_FORMAT_VERSION,
            "estimator": type(self).__name__,
            "params": params_json,
            "attributes": json.dumps(attributes, default=_to_json_value),
            "object_arrays": json.dumps(
                [n for n, v in attributes.items() if isinstance(v, np.ndarray)]
            ),
            "arrays": arrays,
            "modules": modules,
        }
        payload["checksum"] = _payload_checksum(payload)
        with open(path, "wb") as file:
            torch.save(payload, file)

    @classmethod
    def load(cls, path, *, device=None):
        """Load a sampler written by :meth:`save`.

        Parameters
        ----------
        path : str or path-like
            File written by :meth:`save`.
        device : str, default=None
            Device to load onto; None uses the saved ``device`` parameter, and
            falls back to the CPU with a warning where it is not available.

        Returns
        -------
        sampler : BaseSampler
            The fitted sampler. Called on :class:`BaseSampler` itself, the class
            stored in the file is used.

        Raises
        ------
        OSError
            If ``path`` cannot be opened (``FileNotFoundError`` where it does
            not exist).
        ValueError
            If ``device`` is not available, or ``path`` is not a sksynth model
            file, is truncated or damaged (its checksum does not match), holds
            another class than ``cls``, or was written by a newer sksynth.
        """
        if device is not None:
            device = resolve_device(device)
        payload = _read_payload(path)
        stored = payload["estimator"]
        target = cls._subclass_named(stored)
        if target is None or inspect.isabstract(target):
            raise ValueError(
                f"{path} holds a {stored}, a class this version of sksynth does "
                "not have."
            )
        if cls is not BaseSampler and target is not cls:
            raise ValueError(
                f"{path} holds a {stored}, not a {cls.__name__}; load it with "
                f"{stored}.load or BaseSampler.load."
            )
        sampler = _restored_sampler(target, payload, path)
        if device is not None:
            sampler.device_ = device
        elif str(sampler.device) == "auto":
            sampler.device_ = resolve_device("auto")
        else:
            # The saved device was valid where the model was fitted; if this
            # machine lacks it, the move below warns and falls back to the CPU.
            try:
                sampler.device_ = torch.device(sampler.device)
            except (RuntimeError, TypeError):
                raise _damaged(
                    path, f"its device parameter {sampler.device!r} is no device"
                ) from None
        sampler._move_to_fitted_device()
        return sampler

    @classmethod
    def _subclass_named(cls, name):
        pending = [BaseSampler]
        while pending:
            klass = pending.pop()
            if klass.__name__ == name:
                return klass
            pending.extend(klass.__subclasses__())
        return None
