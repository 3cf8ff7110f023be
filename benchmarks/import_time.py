"""What ``import sksynth`` costs beyond torch, pandas and ``sklearn.base``.

Each run is a fresh interpreter under ``python -X importtime`` that imports
torch, pandas and ``sklearn.base`` first and sksynth after them, so the
cumulative time of the ``sksynth`` line is what sksynth itself adds. The
dependencies' own times come from the same runs. Writes
``benchmarks/results/import_time.json``.

Run: ``python benchmarks/import_time.py --runs 7``
"""

import argparse
import json
import statistics
import subprocess
import sys

from provenance import ROOT, git_commit, machine

BASE = ("torch", "pandas", "sklearn.base")
RESULT = ROOT / "benchmarks" / "results" / "import_time.json"


def one_run():
    """Cumulative import seconds of each base module and of sksynth, one process."""
    code = f"import {', '.join(BASE)}; import sksynth"
    stderr = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stderr
    seconds = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = (part.strip() for part in line.split("|"))
        if name in (*BASE, "sksynth") and cumulative.isdigit():
            seconds[name] = int(cumulative) / 1e6
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    runs = [one_run() for _ in range(args.runs)]
    summary = {
        name: {
            "median": statistics.median(r[name] for r in runs),
            "min": min(r[name] for r in runs),
            "max": max(r[name] for r in runs),
        }
        for name in (*BASE, "sksynth")
    }
    record = {
        "what": "python -X importtime: sksynth imported after " + ", ".join(BASE),
        "seconds": summary,
        "runs": args.runs,
        "machine": machine(),
        "python": sys.version.split()[0],
        "commit": git_commit(),
    }
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(record, indent=2) + "\n")
    for name, figures in summary.items():
        print(
            f"{name:>13}: median {figures['median']:.3f} s "
            f"(min {figures['min']:.3f}, max {figures['max']:.3f})"
        )


if __name__ == "__main__":
    main()
