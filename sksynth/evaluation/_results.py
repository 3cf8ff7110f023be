"""Score containers and the repeat loop shared by the evaluation metrics."""

from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed

from .._core.seeding import seed_from_random_state
from .._core.validation import check_positive_int


@dataclass(frozen=True, repr=False)
class ScoreResult:
    """Summary of a score computed over several independent repeats.

    Returned by the evaluation metrics when ``n_repeats > 1``. ``float(result)``
    gives the mean, so a result can stand in wherever a single score is
    expected.

    Attributes
    ----------
    mean : float
        Mean over the repeats.
    std : float
        Standard deviation over the repeats (``ddof=0``, as the TimeGAN paper
        reports it).
    values : ndarray of shape (n_repeats,)
        The score of each repeat.
    """

    values: np.ndarray

    def __post_init__(self):
        values = np.asarray(self.values, dtype=np.float64).reshape(-1)
        values.setflags(write=False)
        object.__setattr__(self, "values", values)

    @property
    def mean(self):
        """Mean over the repeats."""
        return float(self.values.mean())

    @property
    def std(self):
        """Standard deviation over the repeats (``ddof=0``)."""
        return float(self.values.std())

    @property
    def n_repeats(self):
        """Number of repeats."""
        return len(self.values)

    def __float__(self):
        return self.mean

    def __repr__(self):
        return (
            f"ScoreResult(mean={self.mean:.4f}, std={self.std:.4f}, "
            f"n_repeats={self.n_repeats})"
        )

    def __str__(self):
        return f"{self.mean:.4f} ± {self.std:.4f} (n={self.n_repeats})"


def repeat_seeds(random_state, n_repeats):
    """Derive one integer seed per repeat from ``random_state``.

    The seeds are a prefix-stable sequence: the first seed of ``n_repeats=5``
    is the seed of ``n_repeats=1``, so a single run reproduces the first repeat.
    """
    n_repeats = check_positive_int(n_repeats, "n_repeats")
    base = seed_from_random_state(random_state)
    return [int(s) for s in np.random.SeedSequence(base).generate_state(n_repeats)]


def run_repeats(score_once, random_state, n_repeats, n_jobs):
    """Call ``score_once(seed)`` once per repeat and summarise the results.

    ``score_once`` returns a float or a tuple of floats. With ``n_repeats=1`` the
    float (or tuple of floats) is returned as is; otherwise each float becomes a
    :class:`ScoreResult` over the repeats.
    """
    seeds = repeat_seeds(random_state, n_repeats)
    if n_repeats == 1:
        return score_once(seeds[0])
    runs = Parallel(n_jobs=n_jobs)(delayed(score_once)(seed) for seed in seeds)
    if isinstance(runs[0], tuple):
        return tuple(ScoreResult(values) for values in zip(*runs, strict=True))
    return ScoreResult(runs)
