"""Figures comparing synthetic with real data, and training loss curves.

Every function returns a :class:`matplotlib.figure.Figure` built without
``pyplot``, so it works under any backend (including Agg on servers) and
leaves pyplot's global figure list alone; notebooks display it, and
``fig.savefig(path)`` writes it.
"""

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE

from ._inputs import (
    categorical_columns,
    check_panel_pair,
    check_table_pair,
    encode_like,
    is_panel,
)

_REAL_STYLE = {"color": "tab:red", "label": "real"}
_SYNTH_STYLE = {"color": "tab:blue", "label": "synthetic"}


def _axes(ax, figsize=(5, 4)):
    if ax is not None:
        return ax.figure, ax
    figure = Figure(figsize=figsize, layout="constrained")
    return figure, figure.add_subplot()


def _subsample(X, n_samples, rng):
    if len(X) <= n_samples:
        return X
    return X[np.sort(rng.choice(len(X), n_samples, replace=False))]


def _embedding_inputs(X_real, X_synth, n_samples, random_state, metric):
    """TimeGAN's view: each sequence averaged over channels, at most n_samples each.

    Sequences of unequal lengths are each resampled, by linear interpolation
    over their own length, to the longest length. Tables are encoded
    (standardized numbers, one-hot categories) with the real data instead.
    """
    rng = np.random.default_rng(random_state)
    if is_panel(X_real, "X_real") or is_panel(X_synth, "X_synth"):
        real, real_lengths, synth, synth_lengths = check_panel_pair(
            X_real, X_synth, metric=metric
        )
        real, synth = real.mean(axis=1), synth.mean(axis=1)  # (n, n_timepoints)
        if real_lengths is not None:
            real = _resampled(real, real_lengths)
            synth = _resampled(synth, synth_lengths)
    else:
        real, synth = encode_like(
            *check_table_pair(X_real, X_synth, metric=metric),
            names=["X_real", "X_synth"],
        )
    return _subsample(real, n_samples, rng), _subsample(synth, n_samples, rng)


def _resampled(paths, lengths):
    """Each path's first ``lengths[i]`` values stretched to the common length."""
    grid = np.linspace(0, 1, paths.shape[1])
    return np.stack(
        [
            np.interp(grid, np.linspace(0, 1, n), path[:n])
            for path, n in zip(paths, lengths, strict=True)
        ]
    )


def _scatter(ax, real, synth, title, xlabel, ylabel):
    ax.scatter(real[:, 0], real[:, 1], s=8, alpha=0.3, **_REAL_STYLE)
    ax.scatter(synth[:, 0], synth[:, 1], s=8, alpha=0.3, **_SYNTH_STYLE)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.legend(markerscale=2)


def plot_pca(X_real, X_synth, *, n_samples=1000, random_state=None, ax=None):
    """Scatter real and synthetic data on the real data's first two principal axes.

    As in the TimeGAN paper, each sequence is averaged over its channels into
    one vector of ``n_timepoints`` values, at most ``n_samples`` sequences of
    each set are drawn, and the PCA is fitted on the real ones only. Tables
    are standardized and one-hot encoded instead.

    Parameters
    ----------
    X_real, X_synth : array-like
        Real and synthetic panels (3-D arrays or sktime panels) or tables.
    n_samples : int, default=1000
        Largest number of points drawn from each set.
    random_state : int or None, default=None
        Seeds the subsampling.
    ax : matplotlib Axes, default=None
        Axes to draw on; None makes a new figure.

    Returns
    -------
    figure : matplotlib.figure.Figure
        The scatter plot; drawn on ``ax`` when it is given.

    Examples
    --------
    >>> from sksynth.datasets import make_sines
    >>> from sksynth.evaluation import plot_pca
    >>> fig = plot_pca(make_sines(100, random_state=0), make_sines(100, random_state=1))
    """
    real, synth = _embedding_inputs(
        X_real, X_synth, n_samples, random_state, "plot_pca"
    )
    pca = PCA(n_components=2).fit(real)
    figure, ax = _axes(ax)
    _scatter(ax, pca.transform(real), pca.transform(synth), "PCA", "PC 1", "PC 2")
    return figure


def plot_tsne(
    X_real, X_synth, *, n_samples=1000, perplexity=40.0, random_state=None, ax=None
):
    """Scatter a t-SNE embedding of real and synthetic data together.

    TimeGAN's visualization: each sequence averaged over its channels, at most
    ``n_samples`` sequences of each set, t-SNE (perplexity 40 by default) run
    on both sets together. Tables are standardized and one-hot encoded.

    Parameters
    ----------
    X_real, X_synth : array-like
        Real and synthetic panels (3-D arrays or sktime panels) or tables.
    n_samples : int, default=1000
        Largest number of points drawn from each set.
    perplexity : float, default=40.0
        The t-SNE perplexity; lowered automatically for very small inputs.
    random_state : int or None, default=None
        Seeds the subsampling and t-SNE.
    ax : matplotlib Axes, default=None
        Axes to draw on; None makes a new figure.

    Returns
    -------
    figure : matplotlib.figure.Figure
        The scatter plot; drawn on ``ax`` when it is given.

    Examples
    --------
    >>> from sksynth.datasets import make_sines
    >>> from sksynth.evaluation import plot_tsne
    >>> fig = plot_tsne(make_sines(50, random_state=0), make_sines(50, random_state=1))
    """
    real, synth = _embedding_inputs(
        X_real, X_synth, n_samples, random_state, "plot_tsne"
    )
    both = np.concatenate([real, synth])
    tsne = TSNE(
        n_components=2,
        perplexity=min(perplexity, (len(both) - 1) / 3),
        init="pca",
        random_state=random_state,
    )
    embedded = tsne.fit_transform(both)
    figure, ax = _axes(ax)
    _scatter(
        ax, embedded[: len(real)], embedded[len(real) :], "t-SNE", "t-SNE 1", "t-SNE 2"
    )
    return figure


def plot_marginals(X_real, X_synth, *, columns=None, bins=30, n_cols=4):
    """Compare each column's distribution (or each channel's, for panels).

    Numeric columns get overlaid density histograms on shared bins;
    categorical columns get side-by-side bars of category frequencies.
    Panels show the distribution of every value of each channel.

    Parameters
    ----------
    X_real, X_synth : array-like
        Real and synthetic tables (2-D arrays or DataFrames) or panels.
    columns : list, default=None
        Columns (or channel indices) to show; None shows all.
    bins : int, default=30
        Histogram bins of numeric columns.
    n_cols : int, default=4
        Subplots per row.

    Returns
    -------
    figure : matplotlib.figure.Figure
        One subplot per column or channel.

    Examples
    --------
    >>> from sksynth.datasets import load_adult
    >>> from sksynth.evaluation import plot_marginals
    >>> adult = load_adult()
    >>> fig = plot_marginals(adult[:500], adult[500:1000], columns=["age", "gender"])
    """
    if is_panel(X_real, "X_real") or is_panel(X_synth, "X_synth"):
        # The padding of unequal lengths is NaN, which the histograms skip.
        real3, _, synth3, _ = check_panel_pair(X_real, X_synth, metric="plot_marginals")
        n_channels = real3.shape[1]
        real = pd.DataFrame(real3.transpose(0, 2, 1).reshape(-1, n_channels))
        synth = pd.DataFrame(synth3.transpose(0, 2, 1).reshape(-1, n_channels))
    else:
        real, synth = check_table_pair(X_real, X_synth, metric="plot_marginals")
    columns = list(real.columns) if columns is None else list(columns)
    missing = [c for c in columns if c not in real.columns]
    if missing:
        raise ValueError(f"columns not in the data: {missing}.")
    categorical = set(categorical_columns(real[columns]))
    n_rows = -(-len(columns) // n_cols)
    n_cols = min(n_cols, len(columns))
    figure = Figure(figsize=(3.2 * n_cols, 2.6 * n_rows), layout="constrained")
    axes = figure.subplots(n_rows, n_cols, squeeze=False).ravel()
    for ax, column in zip(axes, columns, strict=False):
        if column in categorical:
            _bars(ax, real[column], synth[column])
        else:
            _histograms(ax, real[column], synth[column], bins)
        ax.set_title(str(column))
    for ax in axes[len(columns) :]:
        ax.set_visible(False)
    axes[0].legend()
    return figure


def _histograms(ax, real, synth, bins):
    real = pd.to_numeric(real, errors="coerce").dropna().to_numpy(dtype=float)
    synth = pd.to_numeric(synth, errors="coerce").dropna().to_numpy(dtype=float)
    values = np.concatenate([real, synth])
    edges = np.histogram_bin_edges(values, bins=bins) if len(values) else bins
    ax.hist(real, bins=edges, density=True, alpha=0.5, **_REAL_STYLE)
    ax.hist(synth, bins=edges, density=True, alpha=0.5, **_SYNTH_STYLE)


def _bars(ax, real, synth, max_categories=20):
    real_freq = (
        real.astype(object).fillna("NaN").astype(str).value_counts(normalize=True)
    )
    synth_freq = (
        synth.astype(object).fillna("NaN").astype(str).value_counts(normalize=True)
    )
    categories = real_freq.index.union(synth_freq.index, sort=False)[:max_categories]
    position = np.arange(len(categories))
    ax.bar(
        position - 0.2, real_freq.reindex(categories, fill_value=0), 0.4, **_REAL_STYLE
    )
    ax.bar(
        position + 0.2,
        synth_freq.reindex(categories, fill_value=0),
        0.4,
        **_SYNTH_STYLE,
    )
    ax.set_xticks(position, [str(c) for c in categories], rotation=90, fontsize="small")
    ax.set_ylabel("share")


def plot_history(sampler_or_history, *, log_scale=False):
    """Plot training loss curves, one panel per training phase.

    Parameters
    ----------
    sampler_or_history : fitted sampler, list of dict or DataFrame
        A sampler with a ``history_`` attribute, or such a history: rows with a
        ``phase``, a ``step`` and one value per loss name.
    log_scale : bool, default=False
        Draw the losses on a logarithmic axis.

    Returns
    -------
    figure : matplotlib.figure.Figure
        One subplot per training phase.

    Examples
    --------
    >>> from sksynth.evaluation import plot_history
    >>> history = [{"phase": "autoencoder", "step": s, "E0": 1 / s} for s in (1, 2, 3)]
    >>> fig = plot_history(history)
    """
    history = getattr(sampler_or_history, "history_", sampler_or_history)
    frame = pd.DataFrame(history)
    if frame.empty or "step" not in frame:
        raise ValueError(
            "plot_history needs a fitted sampler or a non-empty history of rows "
            "with a 'step' key (and optionally 'phase')."
        )
    if "phase" not in frame:
        frame["phase"] = "training"
    phases = list(dict.fromkeys(frame["phase"]))
    figure = Figure(figsize=(4.5 * len(phases), 3.5), layout="constrained")
    axes = figure.subplots(1, len(phases), squeeze=False).ravel()
    for ax, phase in zip(axes, phases, strict=True):
        rows = frame[frame["phase"] == phase].dropna(axis=1, how="all")
        for loss in rows.columns.drop(["phase", "step"]):
            ax.plot(rows["step"], rows[loss], label=str(loss))
        ax.set(title=str(phase), xlabel="step", ylabel="loss")
        if log_scale:
            ax.set_yscale("log")
        ax.legend(fontsize="small")
    return figure
