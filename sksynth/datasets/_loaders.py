"""Benchmark data sets of the TimeGAN and CTGAN papers, shipped with the package."""

from importlib import resources

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

from .._core.memory import check_sample_memory
from .._core.panels import channel_range, stride_windows
from .._core.validation import check_positive_int

_DATA_PACKAGE = "sksynth.datasets.data"


def _read_csv(filename, **kwargs):
    with resources.as_file(resources.files(_DATA_PACKAGE) / filename) as path:
        return pd.read_csv(path, **kwargs)


def _check_seq_len(seq_len, n_timepoints):
    if not isinstance(seq_len, (int, np.integer)) or isinstance(seq_len, bool):
        raise ValueError(f"seq_len must be an integer, got {seq_len!r}.")
    if not 1 <= seq_len <= n_timepoints:
        raise ValueError(
            f"seq_len must be between 1 and the series length {n_timepoints}, "
            f"got {seq_len}."
        )


def _minmax_windows(frame, seq_len):
    """Min-max scale each column to [0, 1], then cut stride-1 windows.

    Returns a numpy3D array (n_windows, n_channels, seq_len), oldest window first.
    """
    values = frame.to_numpy(dtype=np.float64)
    _check_seq_len(seq_len, len(values))
    low, span = channel_range(values.T[None], "the data set")
    return stride_windows((values - low) / span, seq_len)


def make_sines(n_samples=10_000, *, seq_len=24, n_channels=5, random_state=None):
    """Generate the TimeGAN paper's sine data set.

    For each sequence and channel, a frequency and a phase are drawn from
    U(0, 0.1); the channel is ``x_t = sin(freq * t + phase)`` for
    ``t = 0 .. seq_len - 1``, mapped to [0, 1] by ``(x + 1) / 2``. These are the
    ranges of the TimeGAN code behind every published Sines number.

    Parameters
    ----------
    n_samples : int, default=10_000
        Number of sequences.
    seq_len : int, default=24
        Number of time points per sequence.
    n_channels : int, default=5
        Number of channels (features) per sequence.
    random_state : int, RandomState instance or None, default=None
        Seeds the frequencies and phases.

    Returns
    -------
    X : ndarray of shape (n_samples, n_channels, seq_len)
        Sequences in sktime's numpy3D layout, values in [0, 1].

    Examples
    --------
    >>> from sksynth.datasets import make_sines
    >>> make_sines(10, seq_len=24, n_channels=5, random_state=0).shape
    (10, 5, 24)
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    seq_len = check_positive_int(seq_len, "seq_len")
    n_channels = check_positive_int(n_channels, "n_channels")
    # Frequencies and phases, then the output and two temporaries of its size.
    check_sample_memory(n_samples, 8 * n_channels * (2 + 3 * seq_len))
    rng = check_random_state(random_state)
    freq = rng.uniform(0, 0.1, size=(n_samples, n_channels, 1))
    phase = rng.uniform(0, 0.1, size=(n_samples, n_channels, 1))
    t = np.arange(seq_len)
    return (np.sin(freq * t + phase) + 1) / 2


def load_stocks(*, seq_len=24, as_frame=False):
    """Load the TimeGAN paper's Stocks data (daily Google prices, 2004-2019).

    Six columns (Open, High, Low, Close, Adj_Close, Volume), 3,685 days, oldest
    first. Each column is min-max scaled to [0, 1] and cut into stride-1
    windows. Unlike the original TimeGAN loader, the series is not reversed.

    Parameters
    ----------
    seq_len : int, default=24
        Window length.
    as_frame : bool, default=False
        If True, return the raw daily prices as a DataFrame instead of windows.

    Returns
    -------
    X : ndarray of shape (3,685 - seq_len + 1, 6, seq_len) or DataFrame
        Scaled windows in sktime's numpy3D layout, or the raw series.

    Examples
    --------
    >>> from sksynth.datasets import load_stocks
    >>> load_stocks().shape
    (3662, 6, 24)
    """
    frame = _read_csv("stock_data.csv.gz")
    return frame if as_frame else _minmax_windows(frame, seq_len)


def load_energy(*, seq_len=24, as_frame=False):
    """Load the TimeGAN paper's Energy data (UCI appliances energy prediction).

    28 columns read every 10 minutes, 19,735 rows, oldest first. The last two
    columns, ``rv1`` and ``rv2``, are the same random noise, so a next-step
    predictor of the last column cannot beat about 0.25 MAE. Each column is
    min-max scaled to [0, 1] and cut into stride-1 windows.

    Parameters
    ----------
    seq_len : int, default=24
        Window length.
    as_frame : bool, default=False
        If True, return the raw series as a DataFrame instead of windows.

    Returns
    -------
    X : ndarray of shape (19,735 - seq_len + 1, 28, seq_len) or DataFrame
        Scaled windows in sktime's numpy3D layout, or the raw series.

    Examples
    --------
    >>> from sksynth.datasets import load_energy
    >>> load_energy(as_frame=True).shape
    (19735, 28)
    """
    frame = _read_csv("energy_data.csv.gz")
    return frame if as_frame else _minmax_windows(frame, seq_len)


def load_adult(*, return_X_y=False):
    """Load the UCI Adult (Census Income) table, training and test parts together.

    48,842 rows; six integer columns and nine string columns, the last of which,
    ``income``, is the usual target (``"<=50K"`` or ``">50K"``). Missing values,
    written ``?`` in the UCI files, are NaN here.

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return ``(X, y)`` with ``y`` the ``income`` column.

    Returns
    -------
    data : DataFrame of shape (48842, 15), or tuple of (DataFrame, Series)
        The table, or its 14 feature columns and the ``income`` column.

    Examples
    --------
    >>> from sksynth.datasets import load_adult
    >>> X, y = load_adult(return_X_y=True)
    >>> X.shape, sorted(y.unique())
    ((48842, 14), ['<=50K', '>50K'])
    """
    frame = _read_csv("adult.csv.gz", na_values="?", keep_default_na=False)
    if return_X_y:
        return frame.drop(columns="income"), frame["income"]
    return frame
