"""GANSampler against CTGAN on three mixed-type tables: what gives rows away.

Each run fits one model with one configuration on the 80 % training split of one
table (stratified by the table's class column, split seed 0) with one training
seed, samples as many rows as the training split, and records:

* the detection score of ``sksynth.evaluation.discriminative_score``
  (``|accuracy - 0.5|`` of a gradient-boosting detector, 3 repeats) and its
  ROC AUC;
* train on synthetic, test on real: accuracy (and, for Adult, F1 of ``>50K``) on
  the real 20 % test split of the detector's gradient-boosting model trained to
  predict the class column, next to the same model trained on the real split;
* :func:`sksynth.evaluation.column_report`: per column, the marginal distance,
  missing rates, association gap and detector importance;
* histograms of every column, real against synthetic, for the pictures;
* fit seconds, with torch, BLAS and OpenMP at one thread.

The tables ship offline in PyPI packages: Adult (``sksynth.datasets``),
Palmer penguins (``palmerpenguins``) and Seattle weather (``vega_datasets``; its
date becomes a month column). CTGAN (PyPI ``ctgan``) is a peer, not a
dependency of sksynth.

Runs resume: one JSON per (table, configuration, seed) under
``benchmarks/results/gan_tables/``; an existing file is skipped. ``--render``
aggregates them into ``benchmarks/results/gan_tables.json``, draws
``docs/_static/gan_tables_marginals.png`` and writes
``docs/gan_tables_benchmark.md``. Typical use, one fit per core::

    nohup python benchmarks/gan_tables.py --table adult --config ctgan --seeds 0 1 2 &
    python benchmarks/gan_tables.py --render
"""

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from joblib import parallel_config
from provenance import git_commit
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from sksynth import GANSampler
from sksynth.datasets import load_adult
from sksynth.evaluation import column_report, discriminative_score
from sksynth.evaluation.discriminative import default_table_classifier

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / "benchmarks" / "results" / "gan_tables"
SUMMARY = ROOT / "benchmarks" / "results" / "gan_tables.json"
MARKDOWN = ROOT / "docs" / "gan_tables_benchmark.md"
PICTURE = ROOT / "docs" / "_static" / "gan_tables_marginals.png"
SPLIT_SEED = 0
DETECTION_REPEATS = 3
HISTOGRAM_BINS = 30


def _load_adult():
    return load_adult(), "income"


def _load_penguins():
    from palmerpenguins import load_penguins

    return load_penguins(), "species"


def _load_seattle_weather():
    from vega_datasets import data

    frame = data.seattle_weather()
    frame.insert(0, "month", frame.pop("date").dt.month)
    return frame, "weather"


TABLES = {
    "adult": _load_adult,
    "penguins": _load_penguins,
    "seattle_weather": _load_seattle_weather,
}

# Model settings per configuration and table (CTGAN refuses missing numbers,
# so it does not run on the penguins). Budgets are epochs sized so that
# one fit takes at most 15 minutes on one thread of the benchmark machine; the
# recorded fit seconds show it.
CONFIGS = {
    # Defaults, but 180 epochs on Adult (300 take about 21 minutes).
    "gansampler": {
        "model": "GANSampler",
        "params": {"adult": {"epochs": 180}, "penguins": {}, "seattle_weather": {}},
    },
    # The same budget with CTGAN's encoding and CTGAN's epochs-only budget.
    "gansampler-ctgan-encoding": {
        "model": "GANSampler",
        "params": {
            table: {
                "exact_values": False,
                "derived_columns": False,
                **({"epochs": 180} if table == "adult" else {"min_steps": 0}),
            }
            for table in ("adult", "penguins", "seattle_weather")
        },
    },
    "ctgan": {
        "model": "CTGAN",
        "params": {
            # About 9 s per epoch plus 40 s of encoding on Adult.
            "adult": {"epochs": 85},
            "seattle_weather": {"epochs": 300},
        },
    },
}


def _split(table):
    frame, target = TABLES[table]()
    train, test = train_test_split(
        frame, test_size=0.2, stratify=frame[target], random_state=SPLIT_SEED
    )
    return train.reset_index(drop=True), test.reset_index(drop=True), target


def _fit_gansampler(train, params, seed):
    sampler = GANSampler(device="cpu", random_state=seed, **params)
    sampler.fit(train)
    return lambda n: sampler.sample(n, random_state=seed), {"n_iter": sampler.n_iter_}


def _fit_ctgan(train, params, seed):
    import ctgan

    model = ctgan.CTGAN(enable_gpu=False, verbose=False, **params)
    model.set_random_state(seed)
    discrete = [
        c
        for c in train.columns
        if not pd.api.types.is_numeric_dtype(train[c])
        or isinstance(train[c].dtype, pd.CategoricalDtype)
    ]
    model.fit(train, discrete)
    return model.sample, {"ctgan_version": ctgan.__version__}


FITTERS = {"GANSampler": _fit_gansampler, "CTGAN": _fit_ctgan}


def _class_scores(train, test, target, seed, positive):
    """Accuracy (and F1 of ``positive``) on ``test`` of a booster fit on ``train``."""
    X, y = train.drop(columns=target), train[target].astype(str)
    model = default_table_classifier(X, seed).fit(X, y)
    predicted = model.predict(test.drop(columns=target))
    truth = test[target].astype(str)
    scores = {"accuracy": float(accuracy_score(truth, predicted))}
    if positive is not None:
        scores["f1"] = float(f1_score(truth, predicted, pos_label=positive))
    return scores


def _histograms(real, synth):
    """Per column, bin edges or categories and the real and synthetic shares."""
    out = {}
    for column in real.columns:
        r, s = real[column], synth[column]
        if pd.api.types.is_numeric_dtype(r) and not pd.api.types.is_bool_dtype(r):
            edges = np.unique(np.nanquantile(r, np.linspace(0, 1, HISTOGRAM_BINS + 1)))
            if len(edges) < 2:
                edges = np.array([edges[0] - 0.5, edges[0] + 0.5])
            shares = [
                (np.histogram(v.dropna().clip(edges[0], edges[-1]), edges)[0] / len(v))
                for v in (r, s)
            ]
            out[column] = {
                "kind": "numeric",
                "edges": edges.tolist(),
                "real": shares[0].tolist(),
                "synth": shares[1].tolist(),
            }
        else:
            r, s = (v.astype(object).fillna("(missing)") for v in (r, s))
            categories = r.value_counts().index.astype(str).tolist()
            out[column] = {
                "kind": "categorical",
                "categories": categories,
                "real": [float((r.astype(str) == c).mean()) for c in categories],
                "synth": [float((s.astype(str) == c).mean()) for c in categories],
            }
    return out


def run(table, config, seed):
    path = RUNS / f"{table}-{config}-seed{seed}.json"
    if path.exists():
        print(f"{path.name} exists; skipped", flush=True)
        return
    spec = CONFIGS[config]
    if table not in spec["params"]:
        print(f"{config} does not run on {table}; skipped", flush=True)
        return
    params = spec["params"][table]
    train, test, target = _split(table)
    positive = ">50K" if table == "adult" else None
    print(f"{table} {config} seed {seed}: fitting {spec['model']} {params}", flush=True)
    start, cpu_start = time.perf_counter(), time.process_time()
    sample, extra = FITTERS[spec["model"]](train, params, seed)
    fit_seconds = time.perf_counter() - start
    cpu_fit_seconds = time.process_time() - cpu_start
    synth = sample(len(train))
    score, auc = discriminative_score(
        train,
        synth,
        return_roc_auc=True,
        n_repeats=DETECTION_REPEATS,
        random_state=SPLIT_SEED,
        device="cpu",
    )
    report = column_report(train, synth, n_repeats=3, random_state=SPLIT_SEED)
    record = {
        "table": table,
        "config": config,
        "model": spec["model"],
        "params": params,
        "seed": seed,
        "n_train": len(train),
        "n_test": len(test),
        "target": target,
        "fit_seconds": fit_seconds,
        "cpu_fit_seconds": cpu_fit_seconds,
        "detection_score": float(score.mean),
        "detection_score_std": float(score.std),
        "detection_roc_auc": float(auc.mean),
        "column_report_auc": report.detector_auc,
        "tstr": _class_scores(synth, test, target, SPLIT_SEED, positive),
        "trtr": _class_scores(train, test, target, SPLIT_SEED, positive),
        "columns": report.columns.reset_index().to_dict(orient="records"),
        "pairs": report.pairs.head(10).to_dict(orient="records"),
        "histograms": _histograms(train, synth),
        **extra,
        "git_commit": git_commit(),
        "torch_threads": torch.get_num_threads(),
        "environment": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "cpu_count": os.cpu_count(),
            "machine": platform.machine(),
        },
    }
    RUNS.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1, default=float) + "\n")
    print(
        f"{path.name}: detection {record['detection_score']:.3f} "
        f"(AUC {record['detection_roc_auc']:.3f}), TSTR {record['tstr']}, "
        f"TRTR {record['trtr']}, fit {fit_seconds:.0f} s",
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--table", choices=sorted(TABLES))
    parser.add_argument("--config", choices=sorted(CONFIGS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--render", action="store_true")
    args = parser.parse_args()
    if args.render:
        render()
        return
    if args.table is None or args.config is None:
        parser.error("--table and --config are required unless --render")
    torch.set_num_threads(1)
    threadpool_limits(1)
    # CTGAN's transform runs joblib.Parallel(n_jobs=-1); keep it on this core.
    parallel_config(backend="sequential").__enter__()
    for seed in args.seeds:
        run(args.table, args.config, seed)


def render():
    raise NotImplementedError("written after the runs")


if __name__ == "__main__":
    main()
