"""Samplers inside scikit-learn and imbalanced-learn pipelines.

:class:`SamplingPipeline` chains preprocessing steps in front of a sampler and
maps the sampler's draws back through them, so synthetic data come out in the
units of the input. :class:`GANOverSampler` wraps a sampler as an
imbalanced-learn over-sampler, so class-conditional synthetic rows augment a
classifier's training folds and nothing else.
"""

import numpy as np
import pandas as pd
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_target_type
from sklearn.base import clone
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.validation import validate_data

from ._validation import check_class_labels, short_repr
from .memory import check_sample_memory

__all__ = ["GANOverSampler", "SamplingPipeline", "make_sampling_pipeline"]


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
        ``inverse_transform`` (``"passthrough"`` and ``None`` steps are
        skipped); the final step must have ``fit`` and ``sample``.
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
            If the pipeline has no steps, or ``n_samples`` is not a positive
            integer or asks for more samples than memory holds.
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


class GANOverSampler(BaseOverSampler):
    """Over-sample classes with synthetic rows from a generative sampler.

    An imbalanced-learn over-sampler: :meth:`fit_resample` fits a clone of
    ``sampler`` on ``(X, y)`` and appends, to the real samples, as many
    synthetic samples of each class as ``sampling_strategy`` asks for. It has no
    ``transform``, so in an :class:`imblearn.pipeline.Pipeline` it adds rows
    while the pipeline is fitted and leaves prediction untouched.

    Read more in the augmentation section of the user guide.

    Parameters
    ----------
    sampler : sampler estimator, default=None
        The generative model; cloned before fitting. It must have ``fit`` and
        ``sample``. None uses :class:`~sksynth.GANSampler` with its defaults.

        A sampler that conditions on labels (one whose ``sample(n, y=labels)``
        returns ``(X, y)`` after ``fit(X, y)``, such as
        :class:`~sksynth.GANSampler`) is fitted once on all rows. Otherwise one
        clone is fitted per class to over-sample, on that class's rows only:
        :class:`~sksynth.TimeGANSampler` does not condition on labels and is
        always handled this way; any other sampler whose ``sample`` ignores
        ``y`` is found out after its first fit and refitted per class.
    sampling_strategy : float, str, dict or callable, default="auto"
        How many samples each class has after resampling, with
        imbalanced-learn's meanings:

        - float: the ratio of the minority class's count after resampling to
          the majority class's count (binary problems only);
        - ``"minority"``, ``"not minority"``, ``"not majority"``, ``"all"``,
          ``"auto"`` (= ``"not majority"``): the classes to bring up to the
          majority class's count;
        - dict: ``{class: count after resampling}`` for the targeted classes;
        - callable: ``y -> dict`` as above.
    random_state : int, RandomState instance or None, default=None
        Seeds the sampler clones (their ``random_state`` parameter) and the
        draws. None gives a different augmentation at every call.

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{class: number of synthetic samples added}``.
    samplers_ : dict
        The fitted sampler clones, ``{class: sampler}``; a conditional sampler
        appears under every over-sampled class.
    n_features_in_ : int
        Number of features (channels, for numpy3D panels) seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names seen in ``fit``, when they are all strings.

    See Also
    --------
    imblearn.over_sampling.RandomOverSampler : Over-sample by repeating rows.
    SamplingPipeline : Sample a sampler through invertible preprocessing.

    Notes
    -----
    ``X`` may be an ndarray, a DataFrame with mixed column types (for
    :class:`~sksynth.GANSampler`) or a numpy3D panel of shape (n_instances,
    n_channels, n_timepoints) (for :class:`~sksynth.TimeGANSampler`, one label
    per instance). The resampled ``X`` holds the real samples first, in their
    order, then the synthetic ones; a DataFrame gets a fresh
    :class:`~pandas.RangeIndex`.

    Examples
    --------
    >>> from collections import Counter
    >>> import numpy as np
    >>> from sksynth import TimeGANSampler
    >>> from sksynth.pipeline import GANOverSampler
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(size=(30, 2, 6))
    >>> y = np.array([0] * 24 + [1] * 6)
    >>> sampler = TimeGANSampler(seq_len=6, n_iter=5, device="cpu")
    >>> augment = GANOverSampler(sampler, random_state=0)
    >>> X_res, y_res = augment.fit_resample(X, y)
    >>> X_res.shape, sorted(Counter(y_res.tolist()).items())
    ((48, 2, 6), [(0, 24), (1, 24)])
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "sampler": [HasMethods(["fit", "sample"]), None],
    }

    def __init__(self, sampler=None, *, sampling_strategy="auto", random_state=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.sampler = sampler
        self.random_state = random_state

    def fit_resample(self, X, y):
        """Fit the sampler and append synthetic samples of the targeted classes.

        Parameters
        ----------
        X : ndarray, DataFrame or numpy3D array
            Real samples: a table of shape (n_samples, n_features) or a panel
            of shape (n_instances, n_channels, n_timepoints).
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        X_resampled : same container kind as X
            The real samples, then the synthetic ones.
        y_resampled : same container kind and dtype as y
            Their labels.

        Raises
        ------
        ValueError
            If y holds missing, mixed-type or continuous labels, if X does not
            suit the sampler (a TimeGANSampler needs a numpy3D panel), or if
            ``sampling_strategy`` asks for more samples than memory holds.
        """
        check_class_labels(y, "GANOverSampler")
        X_resampled, y_resampled = super().fit_resample(X, y)
        # imbalanced-learn restores Series and lists, not pandas arrays such as
        # a Categorical.
        if isinstance(y, pd.api.extensions.ExtensionArray):
            y_resampled = pd.array(y_resampled, dtype=y.dtype)
        return X_resampled, y_resampled

    def _check_X_y(self, X, y):
        # The sampler validates X itself: DataFrames keep their mixed dtypes and
        # numpy3D panels their three axes, which sklearn's check_array rejects.
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        if isinstance(X, pd.DataFrame) and isinstance(X.index, pd.MultiIndex):
            raise ValueError(
                "GANOverSampler takes tables and numpy3D panels (n_instances, "
                "n_channels, n_timepoints); convert pandas panels with "
                "sktime.datatypes.convert_to(X, 'numpy3D')."
            )
        if not (isinstance(X, pd.DataFrame) or hasattr(X, "shape")):
            X = np.asarray(X)
        if _is_timegan(self._base_sampler()) and np.ndim(X) != 3:
            raise ValueError(
                "GANOverSampler with a TimeGANSampler needs X as a numpy3D panel "
                "(n_instances, n_channels, n_timepoints) with one label per "
                f"sequence; got X of shape {np.shape(X)}. Cut a long series into "
                "windows first."
            )
        if len(X) != len(y):
            raise ValueError(
                f"X has {len(X)} samples but y has {len(y)} labels; pass one "
                "label per sample (per sequence of a panel)."
            )
        validate_data(self, X=X, y=y, reset=True, skip_check_array=True)
        return X, y, binarize_y

    def _fit_resample(self, X, y):
        rng = check_random_state(self.random_state)
        targets = {c: n for c, n in self.sampling_strategy_.items() if n > 0}
        self.samplers_ = {}
        if not targets:
            return X, y
        _check_resampled_memory(X, y, sum(targets.values()))
        base = self._base_sampler()
        if not _is_timegan(base):
            fitted = _seeded_clone(base, rng).fit(X, y)
            labels = np.repeat(list(targets), list(targets.values()))
            draws = fitted.sample(len(labels), y=labels, random_state=_seed(rng))
            if isinstance(draws, tuple):
                self.samplers_ = dict.fromkeys(targets, fitted)
                X_new, y_new = draws
                return _append(X, X_new), np.concatenate([y, np.asarray(y_new)])
        parts, label_parts = [], []
        for label, count in targets.items():
            rows = np.flatnonzero(y == label)
            fitted = _seeded_clone(base, rng).fit(_take(X, rows))
            self.samplers_[label] = fitted
            parts.append(fitted.sample(count, random_state=_seed(rng)))
            label_parts.append(np.full(count, label, dtype=y.dtype))
        return _append(X, *parts), np.concatenate([y, *label_parts])

    def _base_sampler(self):
        if self.sampler is not None:
            return self.sampler
        from .gan import GANSampler

        return GANSampler()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        return tags


def _is_timegan(sampler):
    """Whether ``sampler``, or the final step of a pipeline, is a TimeGANSampler.

    Such a sampler does not condition on labels, so it is fitted per class
    (see ``GANOverSampler.sampler``).
    """
    from .timegan import TimeGANSampler

    while isinstance(sampler, Pipeline) and sampler.steps:
        sampler = sampler.steps[-1][1]
    return isinstance(sampler, TimeGANSampler)


def _check_resampled_memory(X, y, n_synthetic):
    """Refuse, before any fit, a sampling_strategy whose result cannot fit in memory.

    Each synthetic sample takes at least what a real one does, once drawn and
    once in the concatenated result.
    """
    if isinstance(X, pd.DataFrame):
        row_bytes = X.memory_usage(index=False).sum() / max(len(X), 1)
    else:
        row_bytes = X.itemsize * np.prod(X.shape[1:], dtype=np.int64)
    try:
        check_sample_memory(n_synthetic, 2 * (int(row_bytes) + y.itemsize))
    except ValueError as exc:
        raise ValueError(
            f"sampling_strategy asks for {n_synthetic:,} synthetic samples in "
            f"all, too many for memory: {exc}"
        ) from None


def _seed(rng):
    return int(rng.randint(np.iinfo(np.int32).max))


def _seeded_clone(sampler, rng):
    fresh = clone(sampler)
    if "random_state" in fresh.get_params(deep=False):
        fresh.set_params(random_state=_seed(rng))
    return fresh


def _take(X, rows):
    if isinstance(X, pd.DataFrame):
        return X.iloc[rows]
    return X[rows]


def _append(X, *synthetic):
    """Real samples first, then the synthetic ones, in the container of X."""
    if isinstance(X, pd.DataFrame):
        frames = [X, *(pd.DataFrame(part, columns=X.columns) for part in synthetic)]
        resampled = pd.concat(frames, ignore_index=True)
        return resampled.astype(X.dtypes.to_dict())
    arrays = [np.asarray(X), *(np.asarray(part) for part in synthetic)]
    return np.concatenate(arrays, axis=0)
