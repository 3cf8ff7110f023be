"""Checks of the sampler contract, for sksynth's samplers and for new ones.

A sampler keeps scikit-learn's estimator contract (the checks of
:mod:`sklearn.utils.estimator_checks`) and a sampler's own: ``sample`` before
``fit`` raises :class:`~sklearn.exceptions.NotFittedError`; draws have the
requested size; an int ``random_state`` repeats fits and draws and ``None``
does not; neither touches the global random state; a fitted sampler survives
pickling and ``save``/``load``; a bad ``n_samples`` is a ``ValueError``, and a
fit that fails leaves the sampler as it was.

:func:`check_sampler` runs the whole contract and raises at the first broken
check; :func:`sampler_checks_generator` yields the checks one by one, for a
test runner to run each as its own test.
"""

import pickle
import re
import tempfile
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import check_estimator, estimator_checks_generator

from sksynth import BaseSampler, GANSampler, TimeGANSampler
from sksynth.datasets import make_sines

__all__ = [
    "assert_same_samples",
    "check_sampler",
    "sampler_checks_generator",
    "small_sampler",
]


def check_sampler(sampler, X=None):
    """Check that a sampler keeps the whole sampler contract.

    Runs scikit-learn's :func:`~sklearn.utils.estimator_checks.check_estimator`,
    then the sampler checks of this module on ``X``.

    Parameters
    ----------
    sampler : BaseSampler
        An unfitted sampler, small enough to fit many times in a few seconds,
        with an int ``random_state``.
    X : array-like, default=None
        Training data the sampler accepts. None uses small data sets of the
        kinds the sampler's tags call for: a numpy3D panel of sines where it
        takes 3-D arrays, else a float array and, where it takes categorical
        data with missing values, a frame of every pandas column kind.

    Raises
    ------
    AssertionError
        If the sampler breaks a check of the contract.

    See Also
    --------
    sampler_checks_generator : The same checks, one by one.

    Examples
    --------
    A test of a new sampler, small enough to fit in a fraction of a second::

        from sksynth.utils.estimator_checks import check_sampler

        def test_my_sampler_keeps_the_contract():
            check_sampler(MySampler(n_iter=5, device="cpu", random_state=0))
    """
    check_estimator(sampler)
    for estimator, check in sampler_checks_generator(sampler, X, sklearn_checks=False):
        check(estimator)


def sampler_checks_generator(sampler, X=None, *, sklearn_checks=True):
    """Yield the checks of the sampler contract, one by one.

    Parameters
    ----------
    sampler : BaseSampler
        An unfitted sampler, as for :func:`check_sampler`.
    X : array-like, default=None
        Training data for the sampler checks, as for :func:`check_sampler`.
    sklearn_checks : bool, default=True
        Whether to yield scikit-learn's estimator checks first; False yields
        only the sampler checks (for another data set of a sampler whose
        scikit-learn checks ran already).

    Yields
    ------
    estimator : BaseSampler
        The sampler to pass to ``check``.
    check : callable
        Call ``check(estimator)``; it raises ``AssertionError`` where the
        contract is broken. Each is a :func:`functools.partial` whose ``func``
        names the check.

    Examples
    --------
    >>> from sksynth import GANSampler
    >>> from sksynth.utils.estimator_checks import sampler_checks_generator
    >>> sampler = GANSampler(epochs=1, batch_size=20, device="cpu", random_state=0)
    >>> checks = sampler_checks_generator(sampler, sklearn_checks=False)
    >>> estimator, check = next(checks)
    >>> check.func.__name__
    '_check_sample_before_fit_raises'
    >>> check(estimator)  # passes: raises nothing

    With pytest, each check a test of its own::

        CHECKS = list(sampler_checks_generator(MySampler(random_state=0)))

        @pytest.mark.parametrize("sampler, check", CHECKS)
        def test_my_sampler(sampler, check):
            check(sampler)
    """
    if sklearn_checks:
        yield from estimator_checks_generator(sampler)
    for data in [X] if X is not None else _contract_data(sampler):
        for check in _SAMPLER_CHECKS:
            yield sampler, partial(check, X=data)


def assert_same_samples(a, b):
    """Assert that two sampler outputs are identical.

    Parameters
    ----------
    a, b : ndarray, DataFrame, Series, list or tuple
        Draws of a sampler: arrays, frames or series, or lists and tuples of
        them (a panel's frames, a conditional sampler's ``(X, y)``).

    Raises
    ------
    AssertionError
        If the outputs differ in type, length or any value.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.utils.estimator_checks import assert_same_samples
    >>> assert_same_samples((np.zeros(2), [1, 2]), (np.zeros(2), [1, 2]))
    """
    assert type(a) is type(b)
    if isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert_same_samples(x, y)
    elif isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b)
    else:
        np.testing.assert_array_equal(a, b)


# Settings that fit each of sksynth's samplers in well under a second on one
# CPU thread: the one test configuration of each, as sktime's get_test_params.
_SMALL_PARAMS = {
    GANSampler: dict(
        epochs=1,
        min_steps=0,
        batch_size=20,
        pac=2,
        embedding_dim=4,
        generator_dim=(8,),
        discriminator_dim=(8,),
        device="cpu",
        random_state=0,
    ),
    # The published algorithm (the preset "timegan-2019") on tiny networks;
    # pass latent="sequence", ema_decay and marginals="matched" for the
    # defaults' path.
    TimeGANSampler: dict(
        seq_len=6,
        hidden_dim=4,
        num_layers=3,
        latent="step",
        n_iter=3,
        n_iter_pretrain=None,
        ema_decay=None,
        marginals="learned",
        batch_size=8,
        device="cpu",
        random_state=0,
    ),
}


def small_sampler(sampler_class, **params):
    """Make one of sksynth's samplers small and fast enough for tests.

    Parameters
    ----------
    sampler_class : {GANSampler, TimeGANSampler}
        The sampler to make.
    **params
        Parameters that replace the small settings; ``TimeGANSampler`` takes
        sequences of 6 time points unless ``seq_len`` says otherwise, and runs
        the published algorithm (``latent="step"``) unless told otherwise.

    Returns
    -------
    sampler : BaseSampler
        An unfitted sampler on the CPU with ``random_state=0``.

    Examples
    --------
    >>> from sksynth import TimeGANSampler
    >>> from sksynth.utils.estimator_checks import small_sampler
    >>> small_sampler(TimeGANSampler, latent="sequence").latent
    'sequence'
    """
    if sampler_class not in _SMALL_PARAMS:
        raise ValueError(
            "sampler_class must be one of "
            f"{[known.__name__ for known in _SMALL_PARAMS]}, got {sampler_class!r}."
        )
    return sampler_class(**{**_SMALL_PARAMS[sampler_class], **params})


# ----------------------------------------------------------------- the checks
# Each takes an unfitted sampler and training data it accepts.


def _check_sample_before_fit_raises(sampler, X):
    with _raises(NotFittedError):
        clone(sampler).sample(3)


def _check_sample_sizes(sampler, X):
    fitted = clone(sampler).fit(X)
    for n in (1, 7):
        draw = _features(fitted.sample(n, random_state=0))
        assert _n_instances(draw) == n
        if isinstance(draw, np.ndarray):
            assert draw.dtype.kind == "f"
            assert np.isfinite(draw).all()


def _check_fit_is_seeded(sampler, X):
    first = clone(sampler).fit(X).sample(5, random_state=1)
    second = clone(sampler).fit(X).sample(5, random_state=1)
    assert_same_samples(first, second)


def _check_sample_random_state(sampler, X):
    fitted = clone(sampler).fit(X)
    assert_same_samples(
        fitted.sample(6, random_state=3), fitted.sample(6, random_state=3)
    )
    # As text, so that missing values (pd.NA) compare too.
    a = np.asarray(_features(fitted.sample(6)), dtype=object).astype(str)
    b = np.asarray(_features(fitted.sample(6)), dtype=object).astype(str)
    assert not np.array_equal(a, b), "random_state=None repeated the same draws"


def _check_pickle_round_trip(sampler, X):
    fitted = clone(sampler).fit(X)
    restored = pickle.loads(pickle.dumps(fitted))
    assert restored.device_ == fitted.device_
    assert_same_samples(
        fitted.sample(4, random_state=2), restored.sample(4, random_state=2)
    )


def _check_save_load_round_trip(sampler, X):
    fitted = clone(sampler).fit(X)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.pt"
        fitted.save(path)
        loaded = [loader.load(path) for loader in (type(fitted), BaseSampler)]
    for restored in loaded:
        assert type(restored) is type(fitted)
        assert restored.get_params() == fitted.get_params()
        assert_same_samples(
            fitted.sample(4, random_state=5), restored.sample(4, random_state=5)
        )


def _check_global_rng_untouched(sampler, X):
    torch_state = torch.get_rng_state()
    numpy_state = np.random.get_state()  # noqa: NPY002 - the global state itself
    fitted = clone(sampler).fit(X)
    fitted.sample(3, random_state=0)
    fitted.sample(3)
    assert torch.equal(torch.get_rng_state(), torch_state)
    after = np.random.get_state()  # noqa: NPY002
    assert after[0] == numpy_state[0]
    np.testing.assert_array_equal(after[1], numpy_state[1])
    assert after[2:] == numpy_state[2:]


def _check_bad_n_samples(sampler, X):
    fitted = clone(sampler).fit(X)
    for bad in (0, -2, 1.5, "3", True, None):
        with _raises(ValueError, match="n_samples"):
            fitted.sample(bad)


def _check_failed_fit_keeps_previous_model(sampler, X):
    fitted = clone(sampler).fit(X)
    before = fitted.sample(4, random_state=0)
    state_keys = set(vars(fitted))
    with _raises(ValueError):
        fitted.fit(_with_inf(X))
    assert set(vars(fitted)) == state_keys
    assert_same_samples(before, fitted.sample(4, random_state=0))


def _check_failed_first_fit_leaves_unfitted(sampler, X):
    estimator = clone(sampler)
    with _raises(ValueError):
        estimator.fit(_with_inf(X))
    with _raises(NotFittedError):
        estimator.sample(2)


_SAMPLER_CHECKS = (
    _check_sample_before_fit_raises,
    _check_sample_sizes,
    _check_fit_is_seeded,
    _check_sample_random_state,
    _check_pickle_round_trip,
    _check_save_load_round_trip,
    _check_global_rng_untouched,
    _check_bad_n_samples,
    _check_failed_fit_keeps_previous_model,
    _check_failed_first_fit_leaves_unfitted,
)


# --------------------------------------------------------------- their helpers


@contextmanager
def _raises(expected, match=None):
    """Assert that the block raises ``expected`` with a message matching ``match``."""
    try:
        yield
    except expected as error:
        if match is not None and not re.search(match, str(error)):
            raise AssertionError(
                f"{type(error).__name__}({str(error)!r}) does not match {match!r}"
            ) from error
    else:
        raise AssertionError(f"{expected.__name__} was not raised")


def _features(draw):
    """The X part of a draw (a conditional sampler returns (X, y))."""
    return draw[0] if isinstance(draw, tuple) else draw


def _n_instances(draw):
    if isinstance(draw, pd.DataFrame) and isinstance(draw.index, pd.MultiIndex):
        return draw.index.get_level_values(0).nunique()
    return len(draw)


def _with_inf(X):
    # NaN is valid data for some samplers (missing values); inf never is.
    if isinstance(X, pd.DataFrame):
        bad = X.copy()
        bad[bad.select_dtypes("number").columns[0]] = np.inf
        return bad
    bad = np.array(X, dtype=float, copy=True)
    bad.flat[0] = np.inf
    return bad


def _contract_data(sampler):
    """Small training sets of the kinds the sampler's tags call for."""
    tags = get_tags(sampler).input_tags
    if tags.three_d_array:
        return [make_sines(40, seq_len=6, n_channels=3, random_state=0)]
    data = [np.random.default_rng(0).normal(size=(60, 3))]
    if tags.categorical and tags.allow_nan:
        data.append(_mixed_frame())
    return data


def _mixed_frame(n=120, seed=0):
    """A frame with every pandas column kind a table holds, with missing values."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "float": rng.normal(50, 10, n),
            "int": rng.integers(18, 90, n),
            "nullable_int": pd.array(rng.integers(0, 5, n), dtype="Int64"),
            "flag": rng.random(n) < 0.3,
            "nullable_flag": pd.array(rng.random(n) < 0.5, dtype="boolean"),
            "colour": pd.Categorical(
                rng.choice(["red", "green", "blue"], n),
                categories=["red", "green", "blue", "violet"],
            ),
            "city": pd.array(rng.choice(["Oslo", "Lima", "Pune"], n), dtype="string"),
            "word": pd.Series(rng.choice(["x", "y"], n), dtype="str"),
            "obj": pd.Series(rng.choice(["p", "q", "r"], n), dtype=object),
        }
    )
    frame.loc[rng.random(n) < 0.25, "float"] = np.nan
    frame.loc[rng.random(n) < 0.2, "nullable_int"] = pd.NA
    frame.loc[rng.random(n) < 0.2, "nullable_flag"] = pd.NA
    frame.loc[rng.random(n) < 0.3, "city"] = pd.NA
    frame.loc[rng.random(n) < 0.2, "obj"] = None
    return frame
