"""Markdown for the benchmark pages that the scripts write under ``docs/``."""

import numpy as np


def markdown_table(header, rows, numeric_from=1):
    """The lines of a markdown table.

    ``header`` and each of ``rows`` are lists of cell strings; columns from
    ``numeric_from`` on are right-aligned.
    """
    align = ["---" if j < numeric_from else "---:" for j in range(len(header))]
    return ["| " + " | ".join(cells) + " |" for cells in (header, align, *rows)]


def seed_stats(values):
    """Mean, standard deviation and each value of one figure over seeds."""
    return {
        "mean": float(np.mean(values)),
        "std": float(np.std(values)),
        "per_seed": [float(v) for v in values],
    }
