"""TimeGAN scores against training time, several training seeds per point.

Each run fits ``TimeGANSampler`` on one data set with one configuration at one
budget (a fixed number of steps, sized to take about that many minutes on one
CPU thread) and one training seed, samples as many sequences as the real set,
and scores them with 5 post-hoc repeats of the discriminative and predictive
scores. It also records each channel's mean step-to-step change |x_t - x_{t-1}|,
real against synthetic, which shows whether the step-to-step noise of a
channel comes back.

Runs resume: one JSON per (data set, configuration, budget, seed) under
``benchmarks/results/timegan_budget/``; an existing file is skipped. ``--render``
aggregates the runs into one record per (data set, configuration, budget) in
``benchmarks/results/timegan_budget.json`` (settings, scores, seeds, commit,
machine and threads per record),
draws ``docs/_static/timegan_budget.png`` and writes
``docs/timegan_budget_benchmark.md``. Typical use, one fit per core::

    nohup python benchmarks/timegan_budget.py --dataset stocks --config sequence \\
        --minutes 5 --seeds 0 1 2 &
    python benchmarks/timegan_budget.py --render
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from provenance import describe, provenance

from sksynth import TimeGANSampler
from sksynth.datasets import load_energy, load_stocks, make_sines
from sksynth.evaluation import discriminative_score, predictive_score
from sksynth.timeseries._timegan import PRESETS

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / "benchmarks" / "results" / "timegan_budget"
# One-seed runs of the faithful algorithm by benchmarks/timegan_table.py, drawn
# beside this benchmark's points for the longer budgets.
TABLE_RUNS = ROOT / "benchmarks" / "results" / "timegan_table"
SUMMARY = ROOT / "benchmarks" / "results" / "timegan_budget.json"
MARKDOWN = ROOT / "docs" / "timegan_budget_benchmark.md"
PICTURE = ROOT / "docs" / "_static" / "timegan_budget.png"
DATASETS = ("sines", "stocks", "energy")
REPEATS = 5


# The published algorithm (TimeGANSampler.preset("timegan-2019")).
FAITHFUL = PRESETS["timegan-2019"]


def _sequence_latent(minutes, **options):
    """The sequence-latent settings whose steps take about ``minutes``."""
    return {
        "ema_decay": None,
        "marginals": "learned",
        "latent": "sequence",
        "hidden_dim": 64,
        "num_layers": 2,
        "n_iter_pretrain": 400 * minutes,
        "n_iter": 300 * minutes,
        **options,
    }


# TimeGANSampler settings per configuration and budget (minutes on one CPU
# thread, measured on the 2-core benchmark machine with a second fit running).
CONFIGS = {
    "faithful": {
        5: {**FAITHFUL, "n_iter": 1_000},
        10: {**FAITHFUL, "n_iter": 2_000},
        20: {**FAITHFUL, "n_iter": 4_000},
    },
    # The faithful algorithm on TensorFlow 1's GRUCell, the original's cell.
    "faithful-tf-gru": {
        5: {**FAITHFUL, "n_iter": 1_000, "cell": "tf-gru"},
        10: {**FAITHFUL, "n_iter": 2_000, "cell": "tf-gru"},
        20: {**FAITHFUL, "n_iter": 4_000, "cell": "tf-gru"},
    },
    "sequence": {minutes: _sequence_latent(minutes) for minutes in (5, 10, 20)},
    # The same, sampling from a moving average of the latent generator's
    # weights (a window of about 200 of the 1,500 steps of 5 minutes).
    "sequence-ema": {
        minutes: _sequence_latent(minutes, ema_decay=0.995) for minutes in (5, 10, 20)
    },
    # The same, each channel's samples mapped onto the data's distribution.
    "sequence-ema-matched": {
        minutes: _sequence_latent(minutes, ema_decay=0.995, marginals="matched")
        for minutes in (5, 10, 20)
    },
}

# Issue 11's goals (discriminative, predictive) and the published rows.
GOALS = {
    "discriminative": {"sines": 0.02, "stocks": 0.10, "energy": 0.35},
    "predictive": {"sines": 0.096, "stocks": 0.038, "energy": 0.26},
}
PAPER = {
    "discriminative": {"sines": 0.011, "stocks": 0.102, "energy": 0.236},
    "predictive": {"sines": 0.093, "stocks": 0.038, "energy": 0.273},
}
DIFFUSION_TS = {"sines": 0.006, "stocks": 0.067, "energy": 0.122}


def load(dataset):
    if dataset == "sines":
        return make_sines(10_000, seq_len=24, n_channels=5, random_state=0)
    if dataset == "stocks":
        return load_stocks(seq_len=24)
    return load_energy(seq_len=24)


def channel_names(dataset):
    if dataset == "sines":
        return [f"sine {i}" for i in range(5)]
    frame = (load_stocks if dataset == "stocks" else load_energy)(as_frame=True)
    return [str(c) for c in frame.columns]


def step_change(X3):
    """Mean |x_t - x_{t-1}| per channel of a numpy3D array."""
    return np.abs(np.diff(X3, axis=2)).mean(axis=(0, 2))


def run_path(dataset, config, minutes, seed):
    return RUNS / f"{dataset}-{config}-{minutes}min-seed{seed}.json"


def run(dataset, config, minutes, seed, threads):
    path = run_path(dataset, config, minutes, seed)
    if path.exists():
        print(f"{path.name} exists; skipped.", flush=True)
        return
    torch.set_num_threads(threads)
    X = load(dataset)
    params = CONFIGS[config][minutes]
    sampler = TimeGANSampler(device="cpu", random_state=seed, **params)
    start = time.perf_counter()
    sampler.fit(X)
    train_seconds = time.perf_counter() - start
    X_synth = sampler.sample(len(X), random_state=seed)
    scores = {}
    # The discriminative score is also taken with the original's post-hoc
    # cell, TensorFlow 1's GRUCell, to show whether the judge's cell matters.
    for metric, score, cell in [
        ("discriminative", discriminative_score, "gru"),
        ("discriminative_tf_gru", discriminative_score, "tf-gru"),
        ("predictive", predictive_score, "gru"),
    ]:
        result = score(
            X, X_synth, cell=cell, n_repeats=REPEATS, random_state=seed, device="cpu"
        )
        scores[metric] = {"mean": result.mean, "values": result.values.tolist()}
        print(f"{path.stem} {metric}: {result}", flush=True)
    record = {
        "dataset": dataset,
        "config": config,
        "minutes": minutes,
        "settings": params,
        "seed": seed,
        "train_seconds": train_seconds,
        "phase_seconds": sampler.phase_seconds_,
        "repeats": REPEATS,
        **scores,
        "step_change": {
            "real": step_change(X).tolist(),
            "synthetic": step_change(X_synth).tolist(),
        },
        **provenance(threads),
    }
    RUNS.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1))
    print(f"Wrote {path}.", flush=True)


def summarize():
    """One record per (data set, config, budget): means over training seeds."""
    groups = {}
    for path in sorted(RUNS.glob("*.json")):
        r = json.loads(path.read_text())
        groups.setdefault((r["dataset"], r["config"], r["minutes"]), []).append(r)
    records = []
    for (dataset, config, minutes), runs in sorted(groups.items()):
        runs.sort(key=lambda r: r["seed"])
        record = {
            "dataset": dataset,
            "config": config,
            "settings": runs[0]["settings"],
            "budget_seconds": 60 * minutes,
            "train_seconds": [round(r["train_seconds"], 1) for r in runs],
            "threads": runs[0].get("threads"),
            "seeds": [r["seed"] for r in runs],
        }
        for metric in ("discriminative", "discriminative_tf_gru", "predictive"):
            per_seed = [r[metric]["mean"] for r in runs]
            record[metric] = {
                "mean": float(np.mean(per_seed)),
                "std": float(np.std(per_seed)),
                "per_seed": per_seed,
            }
        record["step_change"] = {
            "real": runs[0]["step_change"]["real"],
            "synthetic": np.mean(
                [r["step_change"]["synthetic"] for r in runs], axis=0
            ).tolist(),
        }
        record["machine"] = runs[0].get("machine")
        record["torch"] = runs[0].get("torch")
        record["commit"] = sorted({r["commit"] for r in runs if r.get("commit")})
        records.append(record)
    return records


def table_runs():
    """The faithful one-seed CPU runs of timegan_table.py: minutes and scores."""
    runs = []
    for path in sorted(TABLE_RUNS.glob("*-faithful-*.json")):
        r = json.loads(path.read_text())
        if r["hardware"]["device"] != "cpu":
            continue
        runs.append(
            {
                "dataset": r["dataset"],
                "n_iter": r["params"]["n_iter"],
                "minutes": sum(r["phase_seconds"].values()) / 60,
                **{m: r["scores"][m]["mean"] for m in ("discriminative", "predictive")},
            }
        )
    return sorted(runs, key=lambda r: (r["dataset"], r["minutes"]))


def _plot(records):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 3, figsize=(12, 6.5), constrained_layout=True)
    for column, dataset in enumerate(DATASETS):
        for row, metric in enumerate(("discriminative", "predictive")):
            ax = axes[row, column]
            # One colour per configuration on every panel.
            for index, (config, marker) in enumerate(
                zip(CONFIGS, "oDs^v", strict=True)
            ):
                points = [
                    r
                    for r in records
                    if r["dataset"] == dataset and r["config"] == config
                ]
                if not points:
                    continue
                minutes = [np.mean(r["train_seconds"]) / 60 for r in points]
                means = [r[metric]["mean"] for r in points]
                stds = [r[metric]["std"] for r in points]
                ax.errorbar(
                    minutes,
                    means,
                    yerr=stds,
                    marker=marker,
                    color=f"C{index}",
                    capsize=3,
                    label=f"{config} ({len(points[0]['seeds'])} seeds)",
                )
            single = [r for r in table_runs() if r["dataset"] == dataset]
            if single:
                ax.plot(
                    [r["minutes"] for r in single],
                    [r[metric] for r in single],
                    "x:",
                    color="grey",
                    label="faithful, timegan_table (1 seed)",
                )
            ax.axhline(GOALS[metric][dataset], color="k", ls="--", lw=1, label="goal")
            ax.axhline(
                PAPER[metric][dataset],
                color="grey",
                ls=":",
                lw=1,
                label="TimeGAN paper",
            )
            ax.set_title(f"{dataset}: {metric}")
            ax.set_xlabel("training minutes (1 CPU thread)")
            ax.legend(fontsize=7)
    PICTURE.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(PICTURE, dpi=110)


def render():
    records = summarize()
    SUMMARY.write_text(json.dumps(records, indent=1))
    _plot(records)
    lines = [
        "# TimeGAN: scores against training time",
        "",
        "Generated by `benchmarks/timegan_budget.py --render` from",
        "`benchmarks/results/timegan_budget/`; do not edit by hand. Each row is",
        "the mean ± std over training seeds of each seed's mean over",
        f"{REPEATS} post-hoc repeats; lower is better. A budget is a number of",
        "steps (the settings at the end), sized for about 5, 10 or 20 minutes",
        "with two fits on the two cores; minutes are the wall minutes each fit",
        "took, longer where more processes shared the cores (`sequence-ema` ran",
        "beside up to five others, with the same steps as `sequence`).",
        "",
        describe(*(json.loads(p.read_text()) for p in sorted(RUNS.glob("*.json"))))
        + ".",
        "",
        "![scores against training minutes](_static/timegan_budget.png)",
        "",
        "| data set | config | minutes (mean fit) | seeds | discriminative "
        "| goal | discriminative, tf-gru judge | predictive | goal |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in records:
        d, p = r["discriminative"], r["predictive"]
        dt = r["discriminative_tf_gru"]
        gd = GOALS["discriminative"][r["dataset"]]
        gp = GOALS["predictive"][r["dataset"]]
        lines.append(
            f"| {r['dataset']} | `{r['config']}` | "
            f"{np.mean(r['train_seconds']) / 60:.1f} | {len(r['seeds'])} | "
            f"{d['mean']:.3f} ± {d['std']:.3f} | {_verdict(d['mean'], gd)} | "
            f"{dt['mean']:.3f} ± {dt['std']:.3f} | "
            f"{p['mean']:.3f} ± {p['std']:.3f} | {_verdict(p['mean'], gp)} |"
        )
    lines += ["", *_cell_sentences(records)]
    lines += [
        "",
        "The faithful algorithm's longer runs on one CPU thread, one seed each,",
        "from `benchmarks/timegan_table.py` (drawn in grey above):",
        "",
        "| data set | n_iter | minutes (fit) | discriminative | predictive |",
        "|---|---|---|---|---|",
    ]
    for r in table_runs():
        lines.append(
            f"| {r['dataset']} | {r['n_iter']} | {r['minutes']:.1f} | "
            f"{r['discriminative']:.3f} | {r['predictive']:.3f} |"
        )
    lines += [
        "",
        "Diffusion-TS (ICLR 2024), discriminative: "
        + ", ".join(f"{d} {v:.3f}" for d, v in DIFFUSION_TS.items())
        + ".",
        "",
        "## Where each data set stands",
        "",
        *_standing(records),
        "",
        "Tried on Energy before each channel was mapped onto the data's "
        "distribution (`marginals='matched'`), all missing its goal: the "
        "faithful algorithm on both cells, the sequence latent at two budgets, "
        "with and without a moving average of its generator. "
        "`benchmarks/timegan_energy_diagnosis.py` (`timegan_energy_benchmark.md`) "
        "shows, channel by channel, what told those samples apart.",
        "",
        "## Step-to-step change per channel",
        "",
        "Mean |x_t - x_{t-1}| per channel of the real windows and of the",
        "synthetic ones (mean over seeds), in the data's min-max scaled units.",
        "",
    ]
    for r in records:
        real = np.asarray(r["step_change"]["real"])
        synth = np.asarray(r["step_change"]["synthetic"])
        names = channel_names(r["dataset"])
        ratio = synth / np.maximum(real, 1e-12)
        worst = np.argsort(-np.abs(np.log(ratio)))[:3]
        lines += [
            f"**{r['dataset']}, `{r['config']}`, {r['budget_seconds'] // 60} min**: "
            + ", ".join(
                f"{n} {a:.3f}/{b:.3f}"
                for n, a, b in zip(names, real, synth, strict=True)
            )
            + " (real/synthetic). Furthest off: "
            + ", ".join(f"{names[i]} ({ratio[i]:.1f}x)" for i in worst)
            + ".",
            "",
        ]
    lines += ["## Settings", ""]
    for config, budgets in CONFIGS.items():
        for minutes, params in budgets.items():
            lines.append(f"- `{config}`, {minutes} min: `{params}`")
    lines.append("")
    MARKDOWN.write_text("\n".join(lines))
    print(f"Wrote {SUMMARY}, {PICTURE} and {MARKDOWN}.")


def _cell_sentences(records):
    """What TensorFlow's GRU cell changes, in the networks and in the judge."""
    by_key = {(r["dataset"], r["config"], r["budget_seconds"]): r for r in records}
    sentences = []
    for (dataset, config, budget), tf_run in sorted(by_key.items()):
        torch_run = by_key.get((dataset, "faithful", budget))
        if config != "faithful-tf-gru" or torch_run is None:
            continue
        sentences.append(
            f"TensorFlow's GRU cell in the five networks, {dataset}, "
            f"{budget // 60} min ({len(tf_run['seeds'])} seed(s)): "
            f"discriminative {tf_run['discriminative']['mean']:.3f} and predictive "
            f"{tf_run['predictive']['mean']:.3f}, against "
            f"{torch_run['discriminative']['mean']:.3f} and "
            f"{torch_run['predictive']['mean']:.3f} with torch's GRU "
            f"({len(torch_run['seeds'])} seed(s))."
        )
    gaps = [
        r["discriminative_tf_gru"]["mean"] - r["discriminative"]["mean"]
        for r in records
    ]
    sentences.append(
        "The judge's cell: over the "
        f"{len(gaps)} rows above, the discriminative score with TensorFlow's "
        f"cell minus the score with torch's GRU is {np.mean(gaps):+.3f} on "
        f"average (from {min(gaps):+.3f} to {max(gaps):+.3f})."
    )
    return [sentence + "\n" for sentence in sentences]


def _standing(records):
    """Per data set, the best configuration over at least 3 seeds, against the goals."""
    lines = []
    for dataset in DATASETS:
        runs = [r for r in records if r["dataset"] == dataset and len(r["seeds"]) >= 3]
        if not runs:
            lines.append(f"- {dataset}: no configuration has 3 seeds yet.")
            continue
        best = min(runs, key=lambda r: r["discriminative"]["mean"])
        d, p = best["discriminative"], best["predictive"]
        lines.append(
            f"- {dataset}: best over {len(best['seeds'])} seeds `{best['config']}`, "
            f"{best['budget_seconds'] // 60} min: discriminative "
            f"{d['mean']:.3f} ± {d['std']:.3f} (goal "
            f"{GOALS['discriminative'][dataset]}: "
            f"{_verdict(d['mean'], GOALS['discriminative'][dataset])}; "
            f"Diffusion-TS {DIFFUSION_TS[dataset]}: "
            f"{_verdict(d['mean'], DIFFUSION_TS[dataset])}), predictive "
            f"{p['mean']:.3f} ± {p['std']:.3f} (goal {GOALS['predictive'][dataset]}: "
            f"{_verdict(p['mean'], GOALS['predictive'][dataset])})."
        )
    return lines


def _verdict(value, goal):
    return "meets" if value <= goal else f"missed by {value - goal:.3f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", choices=DATASETS)
    parser.add_argument("--config", choices=sorted(CONFIGS))
    parser.add_argument("--minutes", type=int, choices=(5, 10, 20))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--render", action="store_true")
    args = parser.parse_args()
    if args.render:
        render()
        return
    if None in (args.dataset, args.config, args.minutes):
        parser.error("--dataset, --config and --minutes are required to run")
    for seed in args.seeds:
        run(args.dataset, args.config, args.minutes, seed, args.threads)


if __name__ == "__main__":
    main()
