"""Differentially private GANSampler: utility against epsilon.

Tables from ``defaults.py``'s panel, split as there: the 12,500-row sample of
Adult (10,000 training rows) and credit_data. Each run fits one model on the
training rows and samples as many rows:

* ``gansampler-dp``: ``GANSampler(epsilon=...)`` at epsilon 1, 3 and 10
  (delta ``1 / n ** 1.1``, the noise multiplier chosen by ``"auto"`` to pay
  for the budget), with the settings named by ``--variant`` (``VARIANTS``;
  the page's runs use ``d64``, a (64, 64) discriminator) and ``--epochs``
  (``auto``: the defaults' budget, 2,000 steps on both tables);
* ``gansampler``: the same without privacy, at its defaults;
* ``mst``, ``aim``, ``dpctgan``: smartnoise-synth's synthesizers at the same
  epsilon, where the package imports (it is not installed with sksynth).

The schema (numeric ranges, category lists) is taken from the whole table, as
benchmarks in the literature do; a real release takes it from public
knowledge of the data, not from the data. Records: train-on-synthetic macro
F1 on the real test split (``defaults.py``'s booster) beside train-on-real,
the table detector's ROC AUC, a distance-based membership-inference attack's
ROC AUC (as many training rows as test rows), the epsilon spent and fit CPU
seconds.

Runs resume (one JSON per table, model, epsilon, seed, budget and settings
under ``benchmarks/results/privacy/``, or ``privacy/tuning/`` with
``--tuning`` for settings tried on the way); ``--render`` writes
``benchmarks/results/privacy.json`` and ``docs/privacy_benchmark.md``.

    python benchmarks/privacy.py --tables adult-10k --epsilons 1 3 10 \\
        --models gansampler-dp --epochs auto --variant d64 --seeds 0 1 2
    python benchmarks/privacy.py --render
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from defaults import TABLES, detector_auc, split
from pages import markdown_table, seed_stats
from provenance import describe, provenance
from sklearn.metrics import f1_score
from threadpoolctl import threadpool_limits

from sksynth import GANSampler
from sksynth._core.table_columns import categorical_columns
from sksynth.evaluation import membership_inference_auc
from sksynth.evaluation.discriminative import default_table_classifier

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / "benchmarks" / "results" / "privacy"
# Runs of settings tried to choose the private defaults (--tuning).
TUNING = RUNS / "tuning"
SUMMARY = ROOT / "benchmarks" / "results" / "privacy.json"
MARKDOWN = ROOT / "docs" / "privacy_benchmark.md"
PICTURE = ROOT / "docs" / "_static" / "privacy_utility.png"


def schema_of(frame):
    """Ranges and category lists of a whole table (see the module's note).

    A column with missing values lists None too.
    """
    categorical = set(categorical_columns(frame))
    schema = {}
    for c in frame.columns:
        entry = (
            sorted(frame[c].dropna().unique().tolist())
            if c in categorical
            else [float(frame[c].min()), float(frame[c].max())]
        )
        schema[c] = entry + [None] * bool(frame[c].isna().any())
    return schema


def macro_f1(train, test, target, seed):
    """Macro F1 on ``test`` of a booster trained on ``train`` for ``target``."""
    X, y = train.drop(columns=target), train[target].astype(str)
    model = default_table_classifier(X, seed).fit(X, y)
    predicted = model.predict(test.drop(columns=target))
    return float(f1_score(test[target].astype(str), predicted, average="macro"))


# Settings of GANSampler tried under privacy, by name, beyond
# FORMER_DEFAULTS; "defaults" is those alone. Both tables are in
# defaults.py's tuning half; the page's runs use "d64", which did best there
# (the tuning runs are on the page too).
VARIANTS = {
    "defaults": {},
    "d128": {"discriminator_dim": (128, 128)},
    "d64": {"discriminator_dim": (64, 64)},
    "d32": {"discriminator_dim": (32, 32)},
    "d64-ema": {"discriminator_dim": (64, 64), "ema_decay": 0.99},
    # Generated numbers mapped onto the noisy quantiles after training.
    "d64-matched": {"discriminator_dim": (64, 64), "marginals": "matched"},
    # GANSampler's defaults since 9a063bf and a370864, for the sampler
    # without privacy.
    "current": {
        "generator_dim": (128, 128),
        "discriminator_dim": (128, 128),
        "min_steps": 5000,
        "marginals": "auto",
    },
}


# The page's runs were made when GANSampler's defaults were these; every run
# keeps them, so that the script still reproduces the page.
FORMER_DEFAULTS = {
    "generator_dim": (256, 256),
    "discriminator_dim": (256, 256),
    "min_steps": 2000,
    "marginals": "learned",
}


def _fit_gansampler(train, schema, epsilon, seed, epochs, variant="defaults"):
    params = {
        "epochs": epochs,
        "device": "cpu",
        "random_state": seed,
        **FORMER_DEFAULTS,
        **VARIANTS[variant],
    }
    if epsilon is not None:
        params.update(epsilon=epsilon, schema=schema)
    sampler = GANSampler(**params).fit(train)
    spent = getattr(sampler, "privacy_spent_", (None, None))[0]
    return sampler.sample(len(train), random_state=seed), spent


def _fit_smartnoise(name):
    def fit(train, schema, epsilon, seed, epochs, variant="defaults"):
        from snsynth import Synthesizer
        from snsynth.transform.bin import BinTransformer
        from snsynth.transform.minmax import MinMaxTransformer

        categorical = list(categorical_columns(train))
        continuous = [c for c in train.columns if c not in categorical]
        # The schema's ranges, as smartnoise's transformers take them: bins
        # for the marginal methods, min-max scaling for DP-CTGAN.
        scale = MinMaxTransformer if name == "dpctgan" else BinTransformer
        options = {} if name == "dpctgan" else {"bins": 20}
        constraints = {
            c: scale(lower=schema[c][0], upper=schema[c][1], nullable=True, **options)
            for c in continuous
        }
        model = Synthesizer.create(name, epsilon=epsilon)
        model.fit(
            train,
            transformer=constraints,
            categorical_columns=categorical,
            continuous_columns=continuous,
            nullable=True,
        )
        return model.sample(len(train)), epsilon

    return fit


MODELS = {
    "gansampler-dp": _fit_gansampler,
    "gansampler": _fit_gansampler,
    "mst": _fit_smartnoise("mst"),
    "aim": _fit_smartnoise("aim"),
    "dpctgan": _fit_smartnoise("dpctgan"),
}


def run(table, model, epsilon, seed, epochs, variant="defaults", folder=RUNS):
    label = "none" if model == "gansampler" else f"{epsilon:g}"
    suffix = "" if variant == "defaults" else f"-{variant}"
    epochs_label = "" if epochs == 10 else f"-e{epochs}"
    path = folder / f"{table}-{model}-eps{label}-seed{seed}{epochs_label}{suffix}.json"
    if path.exists():
        print(f"{path.name} exists; skipped.", flush=True)
        return
    torch.set_num_threads(1)
    train, test, target = split(table)
    schema = schema_of(pd.concat([train, test]))
    cpu = time.process_time()
    synthetic, spent = MODELS[model](
        train, schema, None if model == "gansampler" else epsilon, seed, epochs, variant
    )
    fit_cpu = time.process_time() - cpu
    synthetic = synthetic[train.columns].astype(train.dtypes.to_dict(), errors="ignore")
    record = {
        "table": table,
        "model": model,
        "epsilon": None if model == "gansampler" else epsilon,
        "epsilon_spent": spent,
        "seed": seed,
        "epochs": epochs,
        "variant": variant,
        "tstr_macro_f1": macro_f1(
            synthetic.dropna(subset=[target]), test, target, seed
        ),
        "trtr_macro_f1": macro_f1(train, test, target, seed),
        "detector_auc": detector_auc(train, synthetic, seed),
        # Training rows against the real test rows, by distance to the sample.
        "membership_inference_auc": membership_inference_auc(
            train.iloc[: len(test)], test, synthetic
        ),
        "fit_cpu_seconds": fit_cpu,
        **provenance(1),
    }
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1))
    print(
        f"{path.stem}: TSTR F1 {record['tstr_macro_f1']:.3f} (real "
        f"{record['trtr_macro_f1']:.3f}), detector {record['detector_auc']:.3f}, "
        f"fit {fit_cpu:.0f} CPU s",
        flush=True,
    )


def _summaries(folder, by_commit=False):
    """The runs in ``folder`` by table, model, settings, epochs and epsilon
    (and commit, if ``by_commit``), and the runs."""
    groups = {}
    for path in sorted(folder.glob("*.json")):
        record = json.loads(path.read_text())
        record.setdefault("variant", "defaults")
        key = (
            record["table"],
            record["model"],
            record["variant"],
            str(record["epochs"]),
            -1 if record["epsilon"] is None else record["epsilon"],
            record["commit"] if by_commit else "",
        )
        groups.setdefault(key, []).append(record)
    summary = []
    for key in sorted(groups):
        runs = sorted(groups[key], key=lambda r: r["seed"])
        summary.append(
            {
                "table": runs[0]["table"],
                "model": runs[0]["model"],
                "variant": runs[0]["variant"],
                "epochs": runs[0]["epochs"],
                "epsilon": runs[0]["epsilon"],
                "seeds": [r["seed"] for r in runs],
                **{
                    name: seed_stats([r[name] for r in runs if name in r])
                    for name in METRICS
                    if any(name in r for r in runs)
                },
                "epsilon_spent": [r["epsilon_spent"] for r in runs],
                "commits": sorted({r["commit"] for r in runs}),
            }
        )
    return summary, [r for runs in groups.values() for r in runs]


METRICS = (
    "tstr_macro_f1",
    "trtr_macro_f1",
    "detector_auc",
    "membership_inference_auc",
    "fit_cpu_seconds",
)

HEADER = [
    "table",
    "model",
    "settings",
    "epochs",
    "epsilon",
    "seeds",
    "TSTR macro F1",
    "TRTR macro F1",
    "detector AUC",
    "attack AUC",
    "fit CPU s",
]


def _rows(summary, with_commit=False):
    def cell(s, name, digits=3):
        if name not in s:
            return "–"
        text = f"{s[name]['mean']:.{digits}f}"
        if len(s["seeds"]) > 1 and digits:
            text += f" ± {s[name]['std']:.{digits}f}"
        return text

    return [
        [
            s["table"],
            s["model"],
            *([", ".join(c[:7] for c in s["commits"])] if with_commit else []),
            *(
                [s["variant"], str(s["epochs"])]
                if s["model"].startswith("gansampler")
                else ["–", "–"]  # smartnoise's own defaults
            ),
            "–" if s["epsilon"] is None else f"{s['epsilon']:g}",
            str(len(s["seeds"])),
            cell(s, "tstr_macro_f1"),
            cell(s, "trtr_macro_f1"),
            cell(s, "detector_auc"),
            cell(s, "membership_inference_auc"),
            cell(s, "fit_cpu_seconds", 0),
        ]
        for s in summary
    ]


PAGE_TEXT = (
    "Train-on-synthetic macro F1 on the real test split (train-on-real beside "
    "it), the table detector's ROC AUC (0.5: indistinguishable) and a "
    "distance-based membership-inference attack's ROC AUC (training rows "
    "against as many unseen test rows; 0.5: the sample tells nothing about who "
    "was in the training data), mean ± standard deviation over the seeds "
    "listed. `gansampler-dp` runs `GANSampler(epsilon=..., schema=..., "
    "discriminator_dim=(64, 64))` at the defaults' budget (`epochs='auto'`, "
    "2,000 steps); `gansampler` is the sampler without privacy at its "
    "defaults. Defaults here are those of the runs' commits: (256, 256) "
    "networks, `min_steps=2000` and `marginals='learned'` (the script pins "
    "them); `current` is the sampler at today's defaults (half-width networks, "
    "`min_steps=5000`, matched marginals), and `d64-matched` the private one "
    "with its numbers mapped onto the noisy quantiles after training, as "
    "`marginals='auto'` now does under epsilon. The schema comes "
    "from the whole table, as in the literature (a "
    "real release takes it from public knowledge). smartnoise-synth's MST and "
    "DP-CTGAN ran once each, from their own environment (smartnoise pins an "
    "old opacus). The current clipping (the penalty's gradient clipped to a "
    "quarter of the score's norm) ran on Adult at epsilon 3 (3 seeds) and 10 "
    "(1 seed) without the map, and at epsilon 1, 3 and 10 (3 seeds each) "
    "with it; credit_data at epsilon 3 with it (3 seeds), and at every "
    "epsilon with the clipping before it (`7a65759`, under the settings "
    "tried below, 3 seeds each).\n\n"
    "![TSTR F1 against epsilon](_static/privacy_utility.png)\n\n"
)

TUNING_TEXT = (
    "Runs of the same script at earlier commits, on the tuning tables, to "
    "choose the private training's design and settings (a row per commit "
    "and settings). In order: `7834d07`/`892aa5f`, the first private "
    "sampler (score and gradient penalty clipped together, numbers encoded "
    "by their place in the schema's range) at 10 epochs; `379f804` to "
    "`76eb656`, the same at the defaults' budget with discriminators of 32 "
    "to 128 units; `0306f37`, with numbers encoded by quantiles of noisy "
    "histograms (once with generator weight averaging); `7a65759`, with the "
    "score and the penalty clipped each on its own to the same norm (the "
    "page's runs clip the penalty to a quarter of it, which lowers the "
    "sensitivity from 2 to 1.25 times it). The runs at epsilon 1,000 (almost no "
    "noise) isolate the clipping: clipped together, the penalty's gradient, "
    "many times the score's, leaves the discriminator almost blind to the "
    "real rows.\n\n"
)


def render():
    summary, runs = _summaries(RUNS)
    tuning, tuning_runs = _summaries(TUNING, by_commit=True)
    SUMMARY.write_text(json.dumps({"runs": summary, "tuning": tuning}, indent=1))
    _plot(summary)
    tuning_header = [*HEADER[:2], "commit", *HEADER[2:]]
    MARKDOWN.write_text(
        "# Differentially private GANSampler: utility against epsilon\n\n"
        "Written by `benchmarks/privacy.py --render` from "
        f"`benchmarks/results/privacy.json`. {describe(*runs)}.\n\n"
        + PAGE_TEXT
        + "\n".join(markdown_table(HEADER, _rows(summary)))
        + "\n\n## Settings tried on the way\n\n"
        + f"{describe(*tuning_runs)}.\n\n"
        + TUNING_TEXT
        + "\n".join(markdown_table(tuning_header, _rows(tuning, with_commit=True)))
        + "\n"
    )
    print(f"Wrote {SUMMARY} and {MARKDOWN}.")


def _plot(summary):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tables = sorted({s["table"] for s in summary})
    figure, axes = plt.subplots(1, len(tables), figsize=(5 * len(tables), 3.5))
    for ax, table in zip(np.atleast_1d(axes), tables, strict=True):
        rows = [s for s in summary if s["table"] == table]
        lines = sorted(
            {(s["model"], s["variant"], str(s["epochs"])) for s in rows if s["epsilon"]}
        )
        for model, variant, epochs in lines:
            points = sorted(
                (s["epsilon"], s["tstr_macro_f1"]["mean"])
                for s in rows
                if (s["model"], s["variant"], str(s["epochs"]))
                == (model, variant, epochs)
            )
            label = model if variant == "defaults" else f"{model} ({variant})"
            ax.plot(*zip(*points, strict=True), marker="o", label=label)
        for s in rows:
            if s["epsilon"] is None:
                ax.axhline(
                    s["tstr_macro_f1"]["mean"],
                    color="grey",
                    ls="--" if s["variant"] == "defaults" else ":",
                    label=f"gansampler, no DP ({s['variant']})",
                )
        ax.axhline(rows[0]["trtr_macro_f1"]["mean"], color="k", ls="-.", label="real")
        ax.set_xscale("log")
        ax.set_xlabel("epsilon")
        ax.set_ylabel("train-on-synthetic macro F1")
        ax.set_title(table)
        ax.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(PICTURE, dpi=100)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=["adult-10k", "credit_data"])
    parser.add_argument("--models", nargs="+", default=["gansampler-dp", "gansampler"])
    parser.add_argument("--epsilons", nargs="+", type=float, default=[1.0, 3.0, 10.0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument(
        "--epochs", type=lambda text: text if text == "auto" else int(text), default=10
    )
    parser.add_argument("--variant", choices=VARIANTS, default="defaults")
    parser.add_argument(
        "--tuning", action="store_true", help="write runs under results/privacy/tuning"
    )
    parser.add_argument("--render", action="store_true")
    args = parser.parse_args()
    if args.render:
        render()
        return
    assert all(t in TABLES for t in args.tables)
    with threadpool_limits(1):
        for seed in args.seeds:
            for table in args.tables:
                for model in args.models:
                    epsilons = [None] if model == "gansampler" else args.epsilons
                    for epsilon in epsilons:
                        run(
                            table,
                            model,
                            epsilon,
                            seed,
                            args.epochs,
                            args.variant,
                            TUNING if args.tuning else RUNS,
                        )


if __name__ == "__main__":
    main()
