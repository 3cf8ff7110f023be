"""Check sksynth.evaluation against the TimeGAN paper's reference numbers.

* Predictive score trained and tested on real data (the paper's "original
  data" row): Stocks 0.036, Energy 0.250, each the mean of 5 repeats.
* Discriminative score of real against real (two disjoint random halves of the
  Stocks windows; should be near 0) and of real against uniform noise (near 0.5).

Writes ``benchmarks/results/evaluation_reference.json``. Run with
``python benchmarks/evaluation_reference.py`` (about 5 minutes on one core).
"""

import json
import time
from pathlib import Path

import numpy as np
import torch
from provenance import provenance

import sksynth
from sksynth.datasets import load_energy, load_stocks
from sksynth.evaluation import discriminative_score, predictive_score

RESULTS = Path(__file__).parent / "results"
N_REPEATS = 5
SEED = 0

# Targets from the issue (paper value ± tolerance); results are checked, not set.
TARGETS = {
    "predictive_real_stocks": (0.036, 0.004),
    "predictive_real_energy": (0.250, 0.005),
}


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def summary(result, seconds):
    return {
        "mean": result.mean,
        "std": result.std,
        "values": result.values.tolist(),
        "seconds": round(seconds, 2),
    }


def main():
    torch.set_num_threads(1)
    common = {"n_repeats": N_REPEATS, "random_state": SEED, "device": "cpu"}
    results = {}

    stocks = load_stocks()
    energy = load_energy()
    for name, data in (("stocks", stocks), ("energy", energy)):
        result, seconds = timed(predictive_score, data, data, **common)
        results[f"predictive_real_{name}"] = summary(result, seconds)
        print(
            f"predictive, {name}, real on real: {result} ({seconds:.0f} s)", flush=True
        )

    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(stocks))
    half = len(stocks) // 2
    first, second = stocks[order[:half]], stocks[order[half:]]
    result, seconds = timed(discriminative_score, first, second, **common)
    results["discriminative_stocks_real_vs_real"] = summary(result, seconds)
    print(f"discriminative, stocks halves: {result} ({seconds:.0f} s)", flush=True)

    noise = rng.uniform(size=stocks.shape)
    result, seconds = timed(discriminative_score, stocks, noise, **common)
    results["discriminative_stocks_vs_uniform_noise"] = summary(result, seconds)
    print(f"discriminative, stocks vs noise: {result} ({seconds:.0f} s)", flush=True)

    checks = {
        name: abs(results[name]["mean"] - target) <= tolerance
        for name, (target, tolerance) in TARGETS.items()
    }
    checks["discriminative_stocks_real_vs_real"] = (
        results["discriminative_stocks_real_vs_real"]["mean"] <= 0.05
    )
    checks["discriminative_stocks_vs_uniform_noise"] = (
        results["discriminative_stocks_vs_uniform_noise"]["mean"] >= 0.45
    )
    report = {
        "sksynth_version": sksynth.__version__,
        **provenance(torch.get_num_threads()),
        "n_repeats": N_REPEATS,
        "random_state": SEED,
        "device": "cpu",
        "results": results,
        "targets": {k: {"value": v, "tolerance": t} for k, (v, t) in TARGETS.items()},
        "passed": checks,
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "evaluation_reference.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(checks, indent=2))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
