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
from ._core.persistence import (
    damaged,
    read_payload,
    restored_sampler,
    write_model,
)
from ._core.seeding import seed_from_random_state, seeded_torch


class BaseSampler(BaseEstimator, metaclass=ABCMeta):
    """Base class of sksynth's samplers.

    Subclasses implement ``_validate_data(X, y)``, which checks the input and
    returns it in the form ``_fit`` trains on; ``_fit(X, y, device, seed)``,
    which trains and sets the fitted attributes on ``self``;
    ``_sample(n_samples, y, rng)``; and ``_build_modules()``, which recreates
    the fitted torch modules' architecture from the other fitted attributes
    (used by :meth:`load`).

    ``fit`` keeps the fitted attributes only when training succeeded: a
    failed ``fit`` leaves the estimator exactly as it was before the call.
    """

    # Fitted attributes that are objects with ``to_dict``/``from_dict``,
    # which ``save`` stores as JSON: {attribute name: class}.
    _fitted_records: dict = {}
    # Names that fitted attributes had in model files of earlier versions:
    # {old name: new name}; ``load`` renames them.
    _legacy_attribute_names: dict = {}

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
        write_model(self, path)

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
        payload = read_payload(path)
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
        sampler = restored_sampler(target, payload, path)
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

    @classmethod
    def _subclass_named(cls, name):
        pending = [BaseSampler]
        while pending:
            klass = pending.pop()
            if klass.__name__ == name:
                return klass
            pending.extend(klass.__subclasses__())
        return None
