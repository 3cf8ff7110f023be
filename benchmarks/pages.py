"""Markdown for the benchmark pages that the scripts write under ``docs/``."""

import json

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


def runs_by(folder, *keys):
    """The JSON runs in ``folder``, grouped by the values of ``keys``.

    Returns a list of (key values, runs) sorted by key values, each group's
    runs sorted by seed.
    """
    groups = {}
    for path in sorted(folder.glob("*.json")):
        record = json.loads(path.read_text())
        groups.setdefault(tuple(record[k] for k in keys), []).append(record)
    return [
        (group, sorted(runs, key=lambda r: r["seed"]))
        for group, runs in sorted(groups.items())
    ]
