"""Reproduce the TimeGAN paper's table (sequence length 24) with sksynth.

For one data set at a time, fit ``TimeGANSampler`` with a named configuration,
sample as many sequences as the real set, and compute the discriminative and
predictive scores with ``sksynth.evaluation`` (5 repeats, mean and std). Each
run writes ``benchmarks/results/timegan_table/<dataset>-<config>-<n_iter>.json``
and then rebuilds ``docs/benchmarks.md`` from every JSON file there.

Runs resume: a fitted model is saved next to the JSON before scoring, and a run
whose JSON exists is skipped unless ``--force`` is given. Typical use, in the
background::

    nohup python benchmarks/timegan_table.py --dataset stocks --n-iter 2000 &
    python benchmarks/timegan_table.py --render   # only rebuild the markdown
"""

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import torch

from sksynth import TimeGANSampler
from sksynth.base import resolve_device
from sksynth.datasets import load_energy, load_stocks, make_sines
from sksynth.evaluation import discriminative_score, predictive_score

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "timegan_table"
MARKDOWN = ROOT / "docs" / "benchmarks.md"
SPEED_RESULTS = ROOT / "benchmarks" / "results"  # timegan_speed_*.json
DATASETS = ("sines", "stocks", "energy")

# Named configurations: keyword arguments of TimeGANSampler beyond n_iter.
CONFIGS = {
    "faithful": {},  # the original code's defaults
    "hidden-auto": {"hidden_dim": "auto"},  # 4 x channels, as in the submission code
}

# Published reference rows (DESIGN.md section 6), mean and std.
REFERENCE = {
    "TimeGAN paper": {
        "discriminative": {
            "sines": (0.011, 0.008),
            "stocks": (0.102, 0.021),
            "energy": (0.236, 0.012),
        },
        "predictive": {
            "sines": (0.093, 0.019),
            "stocks": (0.038, 0.001),
            "energy": (0.273, 0.004),
        },
    },
    "Trained on real data (paper)": {
        "predictive": {
            "sines": (0.094, 0.001),
            "stocks": (0.036, 0.001),
            "energy": (0.250, 0.003),
        },
    },
    "Diffusion-TS (ICLR 2024)": {
        "discriminative": {
            "sines": (0.006, 0.007),
            "stocks": (0.067, 0.015),
            "energy": (0.122, 0.003),
        },
    },
}
# The goals of issue 5: at or below these.
GOALS = {
    "discriminative": {"sines": 0.011, "stocks": 0.102, "energy": 0.236},
    "predictive": {"sines": 0.096, "stocks": 0.038, "energy": 0.255},
}


def load(dataset, seed):
    if dataset == "sines":
        return make_sines(10_000, seq_len=24, n_channels=5, random_state=seed)
    if dataset == "stocks":
        return load_stocks(seq_len=24)
    return load_energy(seq_len=24)


def run(args):
    name = f"{args.dataset}-{args.config}-{args.n_iter}"
    result_path = RESULTS / f"{name}.json"
    model_path = RESULTS / "models" / f"{name}.pt"
    if result_path.exists() and not args.force:
        print(f"{result_path} exists; use --force to run again.")
        return
    torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    X = load(args.dataset, args.seed)

    if model_path.exists() and not args.force:
        sampler = TimeGANSampler.load(model_path, device=str(device))
        print(f"Resumed from {model_path}.")
    else:
        sampler = TimeGANSampler(
            n_iter=args.n_iter,
            device=str(device),
            random_state=args.seed,
            verbose=1,
            **CONFIGS[args.config],
        )
        sampler.fit(X)
        model_path.parent.mkdir(parents=True, exist_ok=True)
        sampler.save(model_path)

    X_synth = sampler.sample(len(X), random_state=args.seed)
    scores, seconds = {}, {}
    for metric, score in [
        ("discriminative", discriminative_score),
        ("predictive", predictive_score),
    ]:
        start = time.perf_counter()
        result = score(
            X, X_synth, n_repeats=args.repeats, random_state=args.seed, device=device
        )
        seconds[metric] = time.perf_counter() - start
        values = np.atleast_1d(getattr(result, "values", result)).astype(float)
        scores[metric] = {
            "mean": float(values.mean()),
            "std": float(values.std()),
            "values": values.tolist(),
        }
        print(f"{metric}: {values.mean():.4f} +- {values.std():.4f}", flush=True)

    report = {
        "dataset": args.dataset,
        "shape": list(X.shape),
        "config": args.config,
        "params": {k: v for k, v in sampler.get_params().items() if k != "verbose"},
        "seed": args.seed,
        "repeats": args.repeats,
        "scores": scores,
        "phase_seconds": sampler.phase_seconds_,
        "score_seconds": seconds,
        "hardware": {
            "device": str(device),
            "device_name": torch.cuda.get_device_name(device)
            if device.type == "cuda"
            else platform.machine(),
            "cpu_count": os.cpu_count(),
            "torch_threads": torch.get_num_threads(),
            "torch": torch.__version__,
        },
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    result_path.write_text(json.dumps(report, indent=2))
    print(f"Wrote {result_path}.")


def _cell(mean_std):
    return "—" if mean_std is None else f"{mean_std[0]:.3f} ± {mean_std[1]:.3f}"


def render():
    """Write docs/benchmarks.md from the reference rows and every result JSON."""
    runs = sorted(
        (json.loads(p.read_text()) for p in RESULTS.glob("*.json")),
        key=lambda r: (r["config"], r["params"]["n_iter"]),
    )
    lines = [
        "# TimeGAN benchmark: sequence length 24",
        "",
        "Generated by `benchmarks/timegan_table.py` from the JSON files in",
        "`benchmarks/results/timegan_table/`; do not edit by hand. Scores are the",
        "mean ± std over repeats of the post-hoc networks of `sksynth.evaluation`",
        "on one fitted model; lower is better.",
        "",
    ]
    for metric in ("discriminative", "predictive"):
        lines += [
            f"## {metric.capitalize()} score",
            "",
            "| source | Sines | Stocks | Energy |",
            "|---|---|---|---|",
        ]
        for source, rows in REFERENCE.items():
            if metric in rows:
                cells = [_cell(rows[metric].get(d)) for d in DATASETS]
                lines.append(f"| {source} | " + " | ".join(cells) + " |")
        for config in dict.fromkeys(r["config"] for r in runs):
            for n_iter in sorted(
                {r["params"]["n_iter"] for r in runs if r["config"] == config}
            ):
                found = {
                    r["dataset"]: r
                    for r in runs
                    if r["config"] == config and r["params"]["n_iter"] == n_iter
                }
                cells = []
                for dataset in DATASETS:
                    run_ = found.get(dataset)
                    if run_ is None:
                        cells.append("not run")
                        continue
                    score = run_["scores"][metric]
                    gap = score["mean"] - GOALS[metric][dataset]
                    verdict = "meets goal" if gap <= 0 else f"goal missed by {gap:.3f}"
                    cells.append(
                        f"{score['mean']:.3f} ± {score['std']:.3f} ({verdict})"
                    )
                label = f"sksynth `{config}`, n_iter={n_iter}"
                lines.append(f"| {label} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += [
        "## Runs",
        "",
        "| dataset | config | n_iter | device | threads "
        "| fit seconds (autoencoder / supervisor / joint) |",
        "|---|---|---|---|---|---|",
    ]
    for r in runs:
        phases = " / ".join(f"{s:.0f}" for s in r["phase_seconds"].values())
        hw = r["hardware"]
        lines.append(
            f"| {r['dataset']} | {r['config']} | {r['params']['n_iter']} | "
            f"{hw['device_name']} | {hw['torch_threads']} | {phases} |"
        )
    lines += _speed_section()
    MARKDOWN.write_text("\n".join(lines) + "\n")
    print(f"Wrote {MARKDOWN}.")


def _speed_section():
    """Markdown for the results of ``benchmarks/timegan_speed.py``."""
    lines = [
        "",
        "## Training speed",
        "",
        "From `benchmarks/timegan_speed.py`: seconds per training step of each",
        "phase for a plain eager PyTorch version of the same math",
        "(`benchmarks/timegan_plain.py`: `nn.GRU`, every network called once",
        "per input, default Adam) and for sksynth's trainer, on Sines",
        "(10,000 x 5 x 24), batch 128, three GRU layers of 24. The schedule",
        "ratio weighs the phases equally, as the paper's schedule does (the",
        "same number of steps in each).",
        "",
        "| device | threads | phase | plain s/step | sksynth s/step | ratio |",
        "|---|---|---|---|---|---|",
    ]
    reports = []
    for path in sorted(SPEED_RESULTS.glob("timegan_speed_*.json")):
        report = json.loads(path.read_text())
        reports.append((path.name, report))
        for phase, r in report["phases"].items():
            lines.append(
                f"| {report['device_name']} | {report['threads']} | {phase} | "
                f"{r['plain_seconds_per_step']:.4f} | "
                f"{r['sksynth_seconds_per_step']:.4f} | {r['speedup']:.2f}x |"
            )
    lines.append("")
    for name, report in reports:
        ratio = report.get("schedule_speedup")
        commit = report.get("git_commit")
        commit = f"commit {commit[:10]}" if commit else "commit not recorded"
        lines.append(
            f"- `{name}` ({report['device_name']}, torch {report['torch']}, "
            f"{commit}): "
            + ("" if ratio is None else f"schedule ratio {ratio:.2f}x; ")
            + "the paper's schedule (3 x 50,000 steps) would take about "
            f"{report['estimated_paper_schedule_seconds']:,.0f} s at these "
            "speeds (an estimate from the timed steps, not a measured run)."
        )
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=DATASETS)
    parser.add_argument("--config", choices=sorted(CONFIGS), default="faithful")
    parser.add_argument("--n-iter", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--render", action="store_true", help="only rebuild the docs")
    args = parser.parse_args()
    if not args.render:
        if args.dataset is None:
            parser.error("--dataset is required unless --render is given")
        run(args)
    render()


if __name__ == "__main__":
    main()
