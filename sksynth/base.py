"""BaseSampler: the fit/sample template shared by every sksynth sampler.

The base class owns what is not a model: it resolves the device, seeds torch
without touching global random state, publishes fitted state only when
training succeeded, refuses samples that cannot fit in memory, pickles so that
a model moves between machines, and saves without pickle (``persistence``).
"""

import copy
import inspect
import numbers
import warnings
from abc import ABCMeta, abstractmethod

import torch
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils.validation import check_is_fitted

from ._core.devices import device_available, resolve_device
from ._core.memory import check_sample_memory
from ._core.model_file import ModelFile, check_key, damaged
from ._core.persistence import restored_sampler, write_model
from ._core.seeding import seed_from_random_state, seeded_torch


class BaseSampler(BaseEstimator, metaclass=ABCMeta):
    """Base class of sksynth's samplers.

    Subclasses implement ``_validate_data(X, y)``, which checks the input and
    returns it in the form ``_fit`` trains on; ``_fit(X, y, device, seed)``,
    which trains and sets the fitted attributes on ``self``;
    ``_sample(n_samples, y, rng)``; and ``_build_modules()``, which recreates
    the fitted torch modules' architecture from the other fitted attributes
    (used by :meth:`load`, on the meta device). They declare the fitted
    attributes that :meth:`save` writes besides the networks in
    ``_saved_attributes``, and may check in ``_check_saved_state()`` that a
    loaded sampler's attributes agree with each other.

    ``fit`` keeps the fitted attributes only when training succeeded: a
    failed ``fit`` leaves the estimator exactly as it was before the call.
    """

    # The fitted attributes that ``save`` writes and ``load`` accepts, besides
    # the networks: {name: kind}. A kind is one of "count" (a positive int),
    # "int", "float", "text", "names" (an ndarray of str), "labels" (an
    # ndarray of class labels), "numbers" (a numeric ndarray), "json" (any
    # JSON data), or a class with ``to_dict`` and a checking ``from_dict``.
    _saved_attributes: dict = {
        "n_features_in_": "count",
        "feature_names_in_": "names",
        "n_iter_": "int",
        "history_": "json",
    }

    _parameter_constraints: dict = {
        "device": [str, torch.device],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    @abstractmethod
    def _validate_data(self, X, y):
        """Check X, y and the parameters that constraints cannot express.

        Returns ``(X, y)`` as ``_fit`` takes them. Records on ``self`` what
        describes the input (``n_features_in_``, ``feature_names_in_``, and
        ``classes_`` where ``y`` holds labels), as ``validate_data`` does.
        """

    @abstractmethod
    def _fit(self, X, y, device, seed):
        """Train on the validated X and y; set the fitted attributes on ``self``."""

    @abstractmethod
    def _sample(self, n_samples, y, rng):
        """Return ``n_samples`` draws; all noise comes from the CPU ``rng``."""

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
            X, y = self._validate_data(X, y)
            with seeded_torch(seed, device):
                self._fit(X, y, device=device, seed=seed)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(previous_state)
            raise
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
        return self._checked_sample(n_samples, random_state, y=y)

    def _checked_sample(self, n_samples, random_state, **options):
        """Check the request, seed the CPU ``rng`` and call ``_sample``.

        ``options`` (``y``, and what a subclass's ``sample`` adds) go to
        ``_sample`` as keyword arguments.
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
        check_sample_memory(int(n_samples), self._bytes_per_sample())
        rng = torch.Generator().manual_seed(seed_from_random_state(random_state))
        modules = self._fitted_modules()
        for module in modules.values():
            module.eval()
        with torch.no_grad():
            return self._sample(int(n_samples), rng=rng, **options)

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
        if not device_available(self.device_):
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

    def save(self, path, *, key=None):
        """Save the fitted sampler to ``path`` without pickle.

        The file is a zip archive of a JSON manifest (the class, the
        constructor parameters and the fitted attributes) and the networks'
        weights as raw arrays, with a SHA-256 checksum of each; see
        :meth:`load` for how it is read back. The file is written whole or
        not at all: into a temporary file beside ``path``, flushed to disk and
        renamed over ``path``, so that an interruption, a full disk or a
        second save of the same path never leaves a damaged file.

        The checksum detects accidental damage (a truncated copy, flipped
        bits), not deliberate changes: anyone can recompute it. With ``key``,
        the file is signed with HMAC-SHA256 instead, and :meth:`load` accepts
        it only with the same key, so that a file changed by someone without
        the key is refused. The key does not encrypt the file.

        Parameters
        ----------
        path : str or path-like
            Destination file; its folder must exist.
        key : bytes or str, default=None
            Secret key to sign the file with (a str is encoded as UTF-8);
            keep it apart from the file.

        Raises
        ------
        OSError
            If ``path`` is a folder, or its folder is missing or not writable
            (checked before anything is serialized), or writing fails (the
            message says "no space left" for a full disk); ``path`` is then
            left as it was.
        ValueError
            If a parameter is not JSON-serializable, ``key`` is not a
            non-empty bytes or str, or the model exceeds the 2 GiB a model
            file holds.
        """
        check_is_fitted(self)
        write_model(self, path, check_key(key))

    @classmethod
    def load(cls, path, *, device=None, key=None):
        """Load a sampler written by :meth:`save`.

        Loading a file from someone else cannot run code, and costs little
        more memory and time than the model it holds: only regular files of
        at most 2 GiB are opened; the manifest is checked first (the
        checksum, the nesting, the parameters and every fitted attribute,
        which the class must declare), the networks are built on the meta
        device and compared with the shapes the file declares before any
        weight is read, and each weight is read into a buffer of exactly its
        declared size and checked against its checksum as it streams in.
        Files of earlier development versions of sksynth (format version 3
        and older) are refused.

        Parameters
        ----------
        path : str or path-like
            File written by :meth:`save`.
        device : str, default=None
            Device to load onto; None uses the saved ``device`` parameter, and
            falls back to the CPU with a warning where it is not available.
        key : bytes or str, default=None
            The key the file was saved with, if any. A file saved with a key
            is refused without it or with another key, and a file saved
            without a key is refused when one is given.

        Returns
        -------
        sampler : BaseSampler
            The fitted sampler. Called on :class:`BaseSampler` itself, the class
            stored in the file is used.

        Raises
        ------
        OSError
            If ``path`` cannot be opened (``FileNotFoundError`` where it does
            not exist, ``IsADirectoryError`` for a folder).
        ValueError
            Naming ``path``: if ``device`` is not available, or ``path`` is not
            a regular file, is larger than 2 GiB, is not a sksynth model file,
            is truncated or damaged (a checksum does not match), does not
            match ``key``, holds attributes or weights that its class does not
            have or that do not fit together, holds another class than
            ``cls``, or was written by an earlier development version or a
            newer version of sksynth.
        """
        if device is not None:
            device = resolve_device(device)
        with ModelFile(path, check_key(key)) as model_file:
            stored = model_file.content.get("estimator")
            if not isinstance(stored, str):
                raise damaged(path, "its manifest names no estimator class")
            target = cls._subclass_named(stored)
            if target is None or inspect.isabstract(target):
                raise ValueError(
                    f"{path} holds a {stored}, a class this version of sksynth "
                    "does not have."
                )
            if cls is not BaseSampler and target is not cls:
                raise ValueError(
                    f"{path} holds a {stored}, not a {cls.__name__}; load it with "
                    f"{stored}.load or BaseSampler.load."
                )
            sampler = restored_sampler(target, model_file)
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
                raise damaged(
                    path, f"its device parameter {sampler.device!r} is no device"
                ) from None
        sampler._move_to_fitted_device()
        return sampler

    def _check_saved_state(self):
        """Raise ValueError unless the loaded fitted attributes agree.

        Called by :meth:`load` once the weights are read. Subclasses extend
        it to check what ``sample`` allocates from (sizes, dtypes, counts).
        """
        names = getattr(self, "feature_names_in_", None)
        if names is not None and len(names) != self.n_features_in_:
            raise ValueError(
                f"feature_names_in_ has {len(names)} names for n_features_in_="
                f"{self.n_features_in_}"
            )

    @classmethod
    def _subclass_named(cls, name):
        pending = [BaseSampler]
        while pending:
            klass = pending.pop()
            if klass.__name__ == name:
                return klass
            pending.extend(klass.__subclasses__())
        return None
