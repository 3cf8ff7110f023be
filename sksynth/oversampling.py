"""GANOverSampler: a sampler as an imbalanced-learn over-sampler.

Class-conditional synthetic rows (or sequences) augment a classifier's
training folds inside an :class:`imblearn.pipeline.Pipeline`, and nothing
else: prediction is untouched.
"""

import numpy as np
import pandas as pd
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_target_type
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.validation import validate_data

from ._core.memory import check_sample_memory
from ._core.panels import panel_kind
from ._core.validation import check_class_labels

__all__ = ["GANOverSampler"]


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
        :class:`~sksynth.GANSampler` and :class:`~sksynth.TimeGANSampler`) is
        fitted once on all rows. A sampler whose ``sample`` ignores ``y`` is
        found out after its first fit and refitted per class to over-sample,
        on that class's rows only.
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
    :class:`~sksynth.GANSampler`) or a panel (for
    :class:`~sksynth.TimeGANSampler`, one label per instance): a numpy3D array
    of shape (n_instances, n_channels, n_timepoints), or an sktime ``df-list``
    or ``nested_univ`` panel, whose sequences may differ in length. The
    resampled ``X`` holds the real samples first, in their order, then the
    synthetic ones; a DataFrame gets a fresh :class:`~pandas.RangeIndex`.

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
                "GANOverSampler takes tables, numpy3D panels (n_instances, "
                "n_channels, n_timepoints) and df-list or nested_univ panels; "
                "convert pd-multiindex panels with "
                "sktime.datatypes.convert_to(X, 'df-list')."
            )
        kind = _panel_kind(X)
        if kind is None and not (isinstance(X, pd.DataFrame) or hasattr(X, "shape")):
            X = np.asarray(X)
        if _is_timegan(self._base_sampler()) and kind is None and np.ndim(X) != 3:
            raise ValueError(
                "GANOverSampler with a TimeGANSampler needs X as a numpy3D panel "
                "(n_instances, n_channels, n_timepoints), or a df-list or "
                "nested_univ panel, with one label per sequence; got "
                f"X of shape {np.shape(X)}. Cut a long series into windows first."
            )
        if len(X) != len(y):
            raise ValueError(
                f"X has {len(X)} samples but y has {len(y)} labels; pass one "
                "label per sample (per sequence of a panel)."
            )
        if kind is None:
            validate_data(self, X=X, y=y, reset=True, skip_check_array=True)
        else:
            columns = (X[0] if kind == "df-list" else X).columns
            self.n_features_in_ = len(columns)
            if all(isinstance(c, str) for c in columns):
                self.feature_names_in_ = np.asarray(columns, dtype=object)
        return X, y, binarize_y

    def _fit_resample(self, X, y):
        rng = check_random_state(self.random_state)
        targets = {c: n for c, n in self.sampling_strategy_.items() if n > 0}
        self.samplers_ = {}
        if not targets:
            return _append(X), y
        _check_resampled_memory(X, y, sum(targets.values()))
        base = self._base_sampler()
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
        from .tabular._gan import GANSampler

        return GANSampler()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        return tags


def _panel_kind(X):
    """``"df-list"`` or ``"nested_univ"`` for those sktime panels, else None."""
    if isinstance(X, (list, pd.DataFrame)) and len(X):
        kind = panel_kind(X)
        return kind if kind in ("df-list", "nested_univ") else None
    return None


def _is_timegan(sampler):
    """Whether ``sampler``, or the final step of a pipeline, is a TimeGANSampler.

    Such a sampler needs panels (see ``GANOverSampler``'s Notes).
    """
    from .timeseries._timegan import TimeGANSampler

    while isinstance(sampler, Pipeline) and sampler.steps:
        sampler = sampler.steps[-1][1]
    return isinstance(sampler, TimeGANSampler)


def _check_resampled_memory(X, y, n_synthetic):
    """Refuse, before any fit, a sampling_strategy whose result cannot fit in memory.

    Each synthetic sample takes at least what a real one does, once drawn and
    once in the concatenated result.
    """
    if isinstance(X, list):
        row_bytes = sum(frame.to_numpy().nbytes for frame in X) / len(X)
    elif _panel_kind(X) == "nested_univ":
        values = X.map(lambda cell: cell.to_numpy().nbytes).to_numpy()
        row_bytes = values.sum() / len(X)
    elif isinstance(X, pd.DataFrame):
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
    if isinstance(X, list):
        return [X[row] for row in rows]
    if isinstance(X, pd.DataFrame):
        return X.iloc[rows]
    return X[rows]


def _append(X, *synthetic):
    """Real samples first, then the synthetic ones, in the container of X."""
    if isinstance(X, list):
        # imbalanced-learn gives back a list with .tolist() of an array.
        frames = [*X, *(frame for part in synthetic for frame in part)]
        resampled = np.empty(len(frames), dtype=object)
        resampled[:] = frames
        return resampled
    if _panel_kind(X) == "nested_univ":
        return pd.concat([X, *synthetic], ignore_index=True)
    if isinstance(X, pd.DataFrame):
        frames = [X, *(pd.DataFrame(part, columns=X.columns) for part in synthetic)]
        resampled = pd.concat(frames, ignore_index=True)
        return resampled.astype(X.dtypes.to_dict())
    arrays = [np.asarray(X), *(np.asarray(part) for part in synthetic)]
    return np.concatenate(arrays, axis=0)
