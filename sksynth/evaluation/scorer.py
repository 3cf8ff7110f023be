"""Scorers that let scikit-learn's model selection tune samplers."""

import inspect
from numbers import Integral

import pandas as pd

from .._core.validation import check_positive_int
from .discriminative import discriminative_score
from .predictive import predictive_score

_METRICS = {
    "discriminative": discriminative_score,
    "predictive": predictive_score,
}
# Integer settings of the named metrics, checked when the scorer is made so
# that a search fails before its first fit, not at its first score.
_POSITIVE_INT_KWARGS = ("n_steps", "batch_size", "n_repeats")


def make_sampler_scorer(
    metric, *, greater_is_better=False, random_state=None, **metric_kwargs
):
    """Make a scorer that judges a fitted sampler against held-out real data.

    The scorer draws as many synthetic samples as the held-out data has rows
    (or sequences) and computes ``metric(X_held_out, X_synth)``. It can be
    passed as ``scoring=`` to :class:`~sklearn.model_selection.GridSearchCV`,
    :func:`~sklearn.model_selection.cross_validate` and friends, for samplers
    and sampling pipelines alike. Following scikit-learn's convention that
    greater scores are better, lower-is-better metrics are negated.

    Parameters
    ----------
    metric : {"discriminative", "predictive"} or callable
        A metric name or a callable ``metric(X_real, X_synth, **metric_kwargs)``
        returning a float (or a :class:`ScoreResult`, whose mean is used).
    greater_is_better : bool, default=False
        Whether higher metric values mean better samplers. The named metrics
        are lower-is-better; their scores are negated.
    random_state : int or None, default=None
        Seeds the sampling, and the metric when it takes a ``random_state`` not
        given in ``metric_kwargs``. With an int every call of the scorer draws
        and scores identically.
    **metric_kwargs
        Passed to ``metric``, e.g. ``n_steps=500`` or ``device="cpu"``.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y=None) -> float``. When ``y`` is given (the
        sampler was fitted with labels), the samples are drawn with ``y=y`` so
        that the synthetic classes match the held-out ones.

    Raises
    ------
    ValueError
        If ``metric`` names no metric, ``greater_is_better`` is not a bool,
        ``random_state`` is not an int or None, or an integer setting of a
        named metric is not a positive integer.
    TypeError
        If ``metric_kwargs`` holds a parameter that ``metric`` does not take.

    Examples
    --------
    >>> from sksynth.evaluation import make_sampler_scorer
    >>> scorer = make_sampler_scorer("discriminative", n_steps=500, random_state=0)
    >>> # GridSearchCV(TimeGANSampler(), {"hidden_dim": [12, 24]}, scoring=scorer)
    """
    named = isinstance(metric, str)
    if named:
        if metric not in _METRICS:
            raise ValueError(
                f"metric must be one of {sorted(_METRICS)} or a callable, "
                f"got {metric!r}."
            )
        metric = _METRICS[metric]
    elif not callable(metric):
        raise ValueError(f"metric must be a metric name or a callable, got {metric!r}.")
    if not isinstance(greater_is_better, bool):
        raise ValueError(
            f"greater_is_better must be True or False, got {greater_is_better!r}."
        )
    if random_state is not None and (
        not isinstance(random_state, Integral) or isinstance(random_state, bool)
    ):
        raise ValueError(
            "random_state must be an int or None, so that every call of the "
            f"scorer draws alike; got {random_state!r}."
        )
    _check_metric_kwargs(metric, metric_kwargs)
    if named:
        for name in _POSITIVE_INT_KWARGS:
            if name in metric_kwargs:
                check_positive_int(metric_kwargs[name], name)
    kwargs = dict(metric_kwargs)
    if "random_state" not in kwargs and _accepts(metric, "random_state"):
        kwargs["random_state"] = random_state
    return _SamplerScorer(metric, greater_is_better, random_state, kwargs)


class _SamplerScorer:
    """The callable returned by :func:`make_sampler_scorer` (picklable)."""

    def __init__(self, metric, greater_is_better, random_state, metric_kwargs):
        self.metric = metric
        self.sign = 1.0 if greater_is_better else -1.0
        self.random_state = random_state
        self.metric_kwargs = metric_kwargs

    def __call__(self, estimator, X, y=None):
        if not hasattr(estimator, "sample"):
            raise TypeError(
                "make_sampler_scorer scores samplers, estimators with a sample "
                f"method; {type(estimator).__name__} has none."
            )
        n_samples = _n_samples(X)
        if y is None:
            synthetic = estimator.sample(n_samples, random_state=self.random_state)
        else:
            synthetic = estimator.sample(n_samples, y=y, random_state=self.random_state)
        if isinstance(synthetic, tuple):
            synthetic = synthetic[0]
        return self.sign * float(self.metric(X, synthetic, **self.metric_kwargs))

    def __repr__(self):
        name = getattr(self.metric, "__name__", repr(self.metric))
        sign = "" if self.sign > 0 else "-"
        return f"make_sampler_scorer({sign}{name}, {self.metric_kwargs})"


def _accepts(function, name):
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False
    return name in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )


def _check_metric_kwargs(metric, metric_kwargs):
    """Raise a TypeError if ``metric(X_real, X_synth, **metric_kwargs)`` cannot bind."""
    try:
        signature = inspect.signature(metric)
    except (TypeError, ValueError):  # builtins without a signature
        return
    try:
        signature.bind(None, None, **metric_kwargs)
    except TypeError as exc:
        name = getattr(metric, "__name__", repr(metric))
        raise TypeError(
            f"metric_kwargs {sorted(metric_kwargs)} do not fit {name}: {exc}."
        ) from None


def _n_samples(X):
    """Rows of a table or instances of a panel."""
    if not hasattr(X, "__len__") or isinstance(X, str):
        raise TypeError(
            f"The scorer needs held-out data X (a table or panel), got "
            f"{type(X).__name__}."
        )
    if isinstance(X, pd.DataFrame) and isinstance(X.index, pd.MultiIndex):
        return X.index.get_level_values(0).nunique()
    return len(X)
