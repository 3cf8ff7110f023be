"""Samplers inside scikit-learn and imbalanced-learn pipelines.

:class:`SamplingPipeline` chains preprocessing steps in front of a sampler and
maps the sampler's draws back through them, so synthetic data come out in the
units of the input. :class:`GANOverSampler` (from
:mod:`sksynth.oversampling`, importable from here) wraps a sampler as an
imbalanced-learn over-sampler; it is imported on first use, so that
``import sksynth`` does not load imbalanced-learn.
"""

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer

from ._core.validation import short_repr

if TYPE_CHECKING:  # imported on first use, see __getattr__
    from .oversampling import GANOverSampler

__all__ = ["GANOverSampler", "SamplingPipeline", "make_sampling_pipeline"]


def __getattr__(name):
    # GANOverSampler subclasses imbalanced-learn's base class: load it on demand.
    if name == "GANOverSampler":
        from .oversampling import GANOverSampler

        return GANOverSampler
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class SamplingPipeline(Pipeline):
    """A pipeline of transformers ending in a sampler, sampled in input units.

    A :class:`~sklearn.pipeline.Pipeline` whose final step is a sampler such as
    :class:`~sksynth.GANSampler` or :class:`~sksynth.TimeGANSampler`. ``fit``
    transforms the data through the earlier steps and fits the sampler on the
    result, exactly as for any pipeline. :meth:`sample` draws from the sampler
    and maps the draws back through each earlier step's ``inverse_transform``,
    last step first, so that the synthetic data are in the units and layout of
    the data given to ``fit``. Everything else (``set_params``, ``clone``,
    grid search over ``step__param`` names, ``memory``) is the ``Pipeline``'s.

    Read more in the pipelines section of the user guide.

    Parameters
    ----------
    steps : list of (str, estimator) tuples
        The transformers, then the sampler. Every transformer must have an
        ``inverse_transform`` that undoes its ``transform`` (a
        ``FunctionTransformer`` with ``func`` needs ``inverse_func``; a
        ``SimpleImputer`` needs ``add_indicator=True``); ``"passthrough"`` and
        ``None`` steps are skipped. The final step must have ``fit`` and
        ``sample``.
    transform_input : list of str, default=None
        See :class:`~sklearn.pipeline.Pipeline`.
    memory : str or object with the joblib.Memory interface, default=None
        Caches the fitted transformers; see :class:`~sklearn.pipeline.Pipeline`.
    verbose : bool, default=False
        Print the time taken by each step's ``fit``.

    Attributes
    ----------
    named_steps : :class:`~sklearn.utils.Bunch`
        The steps by name.

    See Also
    --------
    make_sampling_pipeline : Build a SamplingPipeline, naming the steps.
    GANOverSampler : Augment the minority classes of a classification set.

    Notes
    -----
    Mixed-type tables need no column transformer in front of
    :class:`~sksynth.GANSampler`: it detects numeric and categorical columns
    from their dtypes and encodes each kind itself (mode-specific normalization
    for numbers, one-hot and Gumbel-softmax for categories, missing-value
    indicators), and it returns a DataFrame with the original columns and
    dtypes. Encoding categories before it (for example with a one-hot encoder)
    would make the generator emit continuous values in the indicator columns
    and hide the categories from its conditional vector, and scaling numbers
    before it repeats what the mode-specific normalization does. This is why
    sksynth ships no invertible column transformer; use pipeline steps for
    transformations the model should learn in, such as a log transform or a
    dimensionality reduction.

    With a :class:`~sksynth.TimeGANSampler` fitted on one long series (rows are
    time points, columns are channels), the earlier steps see the series row by
    row; the sampled windows are mapped back one time point at a time, so a
    numpy3D draw of shape (n_instances, n_channels, n_timepoints) keeps its
    layout.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.preprocessing import FunctionTransformer
    >>> from sksynth import TimeGANSampler
    >>> from sksynth.pipeline import SamplingPipeline
    >>> series = np.exp(np.random.default_rng(0).normal(size=(200, 2)))
    >>> pipe = SamplingPipeline([
    ...     ("log", FunctionTransformer(np.log, inverse_func=np.exp)),
    ...     ("timegan", TimeGANSampler(seq_len=8, n_iter=5, device="cpu",
    ...                                random_state=0)),
    ... ])
    >>> windows = pipe.fit(series).sample(10, random_state=0)
    >>> windows.shape
    (10, 2, 8)
    >>> bool((windows > 0).all())
    True
    """

    def fit(self, X, y=None, **params):
        """Fit the transformers, then the sampler on the transformed data.

        Before any training, checks that every step can be undone by
        :meth:`sample`, so a long fit never ends in a pipeline that cannot
        sample.

        Parameters
        ----------
        X : array-like
            Training data, in the layout the first step accepts.
        y : array-like of shape (n_samples,), default=None
            Class labels; they make a conditional sampler conditional.
        **params : dict
            Fit parameters routed to the steps as in
            :meth:`sklearn.pipeline.Pipeline.fit`.

        Returns
        -------
        self : SamplingPipeline
            The fitted pipeline.
        """
        self._check_sampling_steps()
        return super().fit(X, y, **params)

    def sample(self, n_samples=1, *, y=None, random_state=None):
        """Draw from the final sampler and map the draws back to input units.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples (rows or sequences) to generate.
        y : label or array-like of shape (n_samples,), default=None
            Labels to generate, for a sampler fitted with ``y``.
        random_state : int, RandomState instance or None, default=None
            Seeds the sampler's noise; None gives fresh draws at every call.

        Returns
        -------
        X : array-like
            The synthetic samples, in the layout of the data given to ``fit``.
            When the sampler was fitted with ``y``, a tuple ``(X, y)``.

        Raises
        ------
        ValueError
            If the pipeline has no steps, an earlier step's
            ``inverse_transform`` does not undo its ``transform`` (see
            ``steps``), or ``n_samples`` is not a positive integer or asks for
            more samples than memory holds.
        TypeError
            If an earlier step has no ``inverse_transform`` or the final step
            no ``sample``.
        sklearn.exceptions.NotFittedError
            If the pipeline is not fitted.
        """
        self._check_sampling_steps()
        draws = self._final_estimator.sample(n_samples, y=y, random_state=random_state)
        X, labels = draws if isinstance(draws, tuple) else (draws, None)
        for name, transformer in reversed(self._inverted_steps()):
            X = _inverse_transform(name, transformer, X)
        return X if labels is None else (X, labels)

    def _inverted_steps(self):
        return [
            (name, step)
            for name, step in self.steps[:-1]
            if step is not None
            and not (isinstance(step, str) and step == "passthrough")
        ]

    def _check_sampling_steps(self):
        steps = self.steps
        if (
            not isinstance(steps, (list, tuple))
            or not steps
            or not all(isinstance(s, tuple) and len(s) == 2 for s in steps)
        ):
            raise ValueError(
                "steps must be a non-empty list of (name, estimator) tuples "
                f"ending in a sampler; got {short_repr(steps)}."
            )
        name, final = steps[-1]
        if not hasattr(final, "sample"):
            raise TypeError(
                f"The final step {name!r} of a SamplingPipeline must be a sampler "
                f"with a sample method; {type(final).__name__} has none."
            )
        for name, step in self._inverted_steps():
            if not hasattr(step, "inverse_transform"):
                raise TypeError(
                    f"Step {name!r} ({type(step).__name__}) has no "
                    "inverse_transform, so SamplingPipeline cannot map samples "
                    "back through it. Use an invertible transformer or drop the "
                    "step (GANSampler encodes mixed-type columns itself)."
                )
            problem = _not_an_inverse(step)
            if problem is not None:
                raise ValueError(
                    f"Step {name!r} ({type(step).__name__}) cannot map samples "
                    f"back: {problem}"
                )


def _not_an_inverse(step):
    """Why ``step.inverse_transform`` does not undo ``step.transform``, or None.

    Known cases of scikit-learn transformers whose ``inverse_transform``
    exists but, with the step's parameters, fails or returns its input
    unchanged; a nested pipeline is checked step by step.
    """
    if isinstance(step, Pipeline):
        for _, inner in step.steps:
            if inner is not None and not isinstance(inner, str):
                problem = _not_an_inverse(inner)
                if problem is not None:
                    return problem
        return None
    if isinstance(step, FunctionTransformer):
        if step.func is not None and step.inverse_func is None:
            return (
                f"it has func={_name(step.func)} but no inverse_func, so its "
                "inverse_transform returns samples unchanged, in the units of "
                "func's output. Set inverse_func, e.g. FunctionTransformer("
                "np.log, inverse_func=np.exp)."
            )
        if step.func is None and step.inverse_func is not None:
            return (
                f"it has inverse_func={_name(step.inverse_func)} but no func, so "
                "sampling would apply inverse_func to data it was never fitted "
                "through. Set func too, or drop inverse_func."
            )
    if isinstance(step, SimpleImputer) and not step.add_indicator:
        return (
            "its inverse_transform works only with add_indicator=True, which "
            "puts the missing values back. GANSampler models missing values "
            "itself: drop the step, or set add_indicator=True."
        )
    return None


def _name(function):
    return getattr(function, "__name__", None) or short_repr(function)


def _inverse_transform(name, transformer, X):
    """Undo one fitted pipeline step, keeping the container kind of ``X``.

    Rows are what the step transformed during ``fit``: table rows, or the time
    points of a long series. numpy3D windows are undone per time point;
    a DataFrame stays a DataFrame with the step's input column names.
    """
    if isinstance(X, np.ndarray) and X.ndim == 3:
        n_instances, _, n_timepoints = X.shape
        rows = X.transpose(0, 2, 1).reshape(n_instances * n_timepoints, -1)
        restored = np.asarray(transformer.inverse_transform(rows))
        return restored.reshape(n_instances, n_timepoints, -1).transpose(0, 2, 1)
    restored = transformer.inverse_transform(X)
    if isinstance(X, pd.DataFrame) and not isinstance(restored, pd.DataFrame):
        restored = np.asarray(restored)
        names = getattr(transformer, "feature_names_in_", None)
        if names is None or restored.ndim != 2 or restored.shape[1] != len(names):
            names = X.columns if restored.shape[1:] == (X.shape[1],) else None
        restored = pd.DataFrame(restored, index=X.index, columns=names)
    return restored


def make_sampling_pipeline(*steps, memory=None, verbose=False):
    """Build a :class:`SamplingPipeline`, naming each step after its class.

    Parameters
    ----------
    *steps : estimators
        Invertible transformers, then a sampler.
    memory : str or object with the joblib.Memory interface, default=None
        Caches the fitted transformers.
    verbose : bool, default=False
        Print the time taken by each step's ``fit``.

    Returns
    -------
    SamplingPipeline
        The pipeline, with lower-case class names as step names (numbered
        where two steps share a class), as :func:`~sklearn.pipeline.make_pipeline`
        names them.

    Examples
    --------
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sksynth import TimeGANSampler
    >>> from sksynth.pipeline import make_sampling_pipeline
    >>> pipe = make_sampling_pipeline(StandardScaler(), TimeGANSampler())
    >>> [name for name, _ in pipe.steps]
    ['standardscaler', 'timegansampler']
    """
    named = make_pipeline(*steps).steps
    return SamplingPipeline(named, memory=memory, verbose=verbose)
