"""The modes of mode-specific normalization: a Gaussian mixture per column.

CTGAN's encoding of a numeric column: a variational (Dirichlet-process)
Gaussian mixture says which modes the values come from, and each value is
encoded relative to a mode drawn from its posterior.
"""

import warnings

import numpy as np

# Values per numeric column that the Gaussian mixture is fitted on.
MIXTURE_SUBSAMPLE = 2_000


def fit_modes(values, rng, max_modes, weight_threshold):
    """Fit a variational Gaussian mixture to a numeric column's values.

    At most ``max_modes`` modes, fitted on a subsample of at most
    ``MIXTURE_SUBSAMPLE`` values drawn with ``rng``. Returns the means,
    standard deviations and log weights of the modes that keep a weight of at
    least ``weight_threshold`` (the weights renormalized over them).
    """
    if len(values) > MIXTURE_SUBSAMPLE:
        values = rng.choice(values, MIXTURE_SUBSAMPLE, replace=False)
    n_distinct = len(np.unique(values))
    scale = max(float(np.std(values)), 1e-3 * max(1.0, float(np.abs(values).max())))
    if n_distinct < 2:
        return np.array([values[0]]), np.array([scale]), np.zeros(1)
    # Imported here: sklearn.mixture loads sklearn.cluster and sklearn.manifold,
    # a fifth of a second that `import sksynth` need not pay.
    from sklearn.mixture import BayesianGaussianMixture

    mixture = BayesianGaussianMixture(
        n_components=min(max_modes, n_distinct),
        weight_concentration_prior_type="dirichlet_process",
        weight_concentration_prior=1e-3,
        n_init=1,
        init_params="k-means++",
        random_state=int(rng.integers(2**31 - 1)),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning on tiny columns
        mixture.fit(values.reshape(-1, 1))
    keep = mixture.weights_ >= weight_threshold
    if not keep.any():
        keep = mixture.weights_ == mixture.weights_.max()
    means = mixture.means_[keep, 0]
    stds = np.sqrt(mixture.covariances_[keep, 0, 0])
    # A mode narrower than the data's resolution would blow values up.
    stds = np.maximum(stds, 1e-6 * scale)
    weights = mixture.weights_[keep] / mixture.weights_[keep].sum()
    return means, stds, np.log(weights)


def mode_log_posterior(values, means, stds, log_weights):
    """Unnormalized log posterior of each mode for each value, (n, n_modes)."""
    z = (values[:, None] - means) / stds
    return log_weights - np.log(stds) - 0.5 * z**2
