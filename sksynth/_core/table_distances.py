"""How far two tables are apart, column by column and pair by pair.

The distances behind ``sksynth.evaluation.column_report`` and
``distribution_gap``; early stopping of GANSampler scores its held-out rows
with :func:`table_gap`, so they live here, below both.
"""

from itertools import combinations

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp

from .table_columns import categorical_columns

# Numbers are cut into this many bins (quantiles of the real column) to
# measure their association with other columns.
N_BINS = 10


def table_gap(real, synth):
    """Mean marginal distance plus mean association gap of two DataFrames.

    ``real`` and ``synth`` hold the same columns in the same order; see
    ``sksynth.evaluation.distribution_gap`` for the checked, public form.
    """
    categorical = set(categorical_columns(real)) | set(categorical_columns(synth))
    marginal = np.mean(marginal_distances(real, synth, categorical))
    if real.shape[1] < 2:
        return float(marginal)
    association = association_pairs(real, synth, categorical)["gap"].mean()
    return float(marginal + association)


def marginal_distances(real, synth, categorical):
    """Per column: total variation for categories, Kolmogorov-Smirnov for numbers."""
    return [
        total_variation(real[c], synth[c])
        if c in categorical
        else kolmogorov_smirnov(real[c], synth[c])
        for c in real.columns
    ]


def kolmogorov_smirnov(real, synth):
    real, synth = real.dropna(), synth.dropna()
    if len(real) == 0 or len(synth) == 0:
        return float(len(real) != len(synth))
    return float(ks_2samp(real.to_numpy(float), synth.to_numpy(float)).statistic)


def total_variation(real, synth):
    p = with_missing(real).value_counts(normalize=True)
    q = with_missing(synth).value_counts(normalize=True)
    p, q = p.align(q, fill_value=0.0)
    return float(0.5 * (p - q).abs().sum())


def with_missing(values):
    """A column as objects, missing values as the category ``"<missing>"``."""
    values = values.astype(object)
    return values.where(values.notna(), "<missing>")


def codes(real, synth, categorical):
    """Both tables as integer codes: categories as is, numbers in real quantile bins.

    Missing values get a code of their own.
    """
    codes_real, codes_synth = {}, {}
    for column in real.columns:
        if column in categorical:
            codes, _ = pd.factorize(
                with_missing(pd.concat([real[column], synth[column]]))
            )
        else:
            numbers = pd.concat([real[column], synth[column]]).to_numpy(float)
            observed = real[column].dropna().to_numpy(float)
            levels = np.linspace(0, 1, N_BINS + 1)[1:-1]
            # A real column missing throughout has one bin of numbers.
            edges = np.unique(np.quantile(observed, levels)) if len(observed) else []
            codes = np.where(
                np.isnan(numbers), len(edges) + 1, np.searchsorted(edges, numbers)
            )
        codes_real[column] = codes[: len(real)]
        codes_synth[column] = codes[len(real) :]
    return codes_real, codes_synth


def cramers_v(a, b):
    """Cramér's V of two integer-coded columns (0 independent, 1 determined)."""
    _, a = np.unique(a, return_inverse=True)
    _, b = np.unique(b, return_inverse=True)
    n_a, n_b = a.max() + 1, b.max() + 1
    if min(n_a, n_b) < 2:
        return 0.0
    table = np.bincount(a * n_b + b, minlength=n_a * n_b).reshape(n_a, n_b)
    expected = np.outer(table.sum(1), table.sum(0)) / len(a)
    chi2 = np.sum((table - expected) ** 2 / np.where(expected > 0, expected, 1))
    return float(np.sqrt(chi2 / len(a) / (min(n_a, n_b) - 1)))


def association_pairs(real, synth, categorical):
    codes_real, codes_synth = codes(real, synth, categorical)
    rows = []
    for a, b in combinations(real.columns, 2):
        v_real = cramers_v(codes_real[a], codes_real[b])
        v_synth = cramers_v(codes_synth[a], codes_synth[b])
        rows.append((a, b, v_real, v_synth, abs(v_real - v_synth)))
    pairs = pd.DataFrame(
        rows,
        columns=[
            "column_a",
            "column_b",
            "association_real",
            "association_synth",
            "gap",
        ],
    )
    return pairs.sort_values("gap", ascending=False, ignore_index=True)
