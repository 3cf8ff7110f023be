"""Conditional sampling: rows that meet conditions, GANSampler against CTGAN.

On two tables with missing values and a class column (credit_data and the
12,500-row sample of Adult, from ``defaults.py``'s tuning half, split as
there), each model is fitted at its defaults on the training rows and asked
for 10,000 rows meeting conditions on two categorical columns and a numeric
range, in one call:

* credit_data: ``Home == "rent"``, ``Job == "fixed"``, ``Age`` in [25, 35];
* adult-10k: ``workclass == "Private"``, ``gender == "Female"``, ``age`` in
  [25, 35].

GANSampler takes them as ``sample(10_000, conditions=...)``. CTGAN 0.12.1
conditions on one categorical value (``sample(n, condition_column,
condition_value)``); the script gives it the rarer of the two in the
training rows and keeps, batch after batch, the rows that meet the rest
(reject sampling), with the same bound as GANSampler: at most 1,000 rows
generated per row asked for.

Each run records whether all rows meet the conditions, the rows generated
per row returned, the conditional detector ROC AUC (``defaults.py``'s
detector telling the training rows that meet the conditions from as many
conditional synthetic rows, beside two random halves of those real rows),
the sample call's seconds, and how long GANSampler takes to refuse a value
the data never holds. CTGAN fits on the training rows without missing
numbers and is judged against those, as in ``defaults.py``.

Runs resume (one JSON per table, model and seed under
``benchmarks/results/conditional/``); ``--render`` writes
``benchmarks/results/conditional.json`` and ``docs/conditional_benchmark.md``.

    python benchmarks/conditional_sampling.py --tables credit_data --seeds 0 1 2
    python benchmarks/conditional_sampling.py --render
"""

import argparse
import json
import time
from pathlib import Path

import pandas as pd
import torch
from defaults import TABLES, _without_missing_numbers, detector_auc, split
from joblib import parallel_config
from pages import markdown_table, runs_by, seed_stats
from provenance import describe, provenance
from threadpoolctl import threadpool_limits

from sksynth import GANSampler
from sksynth._core.table_columns import categorical_columns
from sksynth.tabular._row_conditions import MAX_TRIES_PER_ROW

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / "benchmarks" / "results" / "conditional"
SUMMARY = ROOT / "benchmarks" / "results" / "conditional.json"
MARKDOWN = ROOT / "docs" / "conditional_benchmark.md"
ROWS = 10_000
# table -> the two categorical conditions and the numeric range.
CONDITIONS = {
    "credit_data": ({"Home": "rent", "Job": "fixed"}, ("Age", 25, 35)),
    "adult-10k": ({"workclass": "Private", "gender": "Female"}, ("age", 25, 35)),
}


def meets(frame, table):
    """Which rows of ``frame`` meet the table's conditions."""
    categorical, (column, low, high) = CONDITIONS[table]
    met = frame[column].between(low, high)
    for name, value in categorical.items():
        met &= frame[name] == value
    return met.to_numpy()


def _gansampler(train, table, seed):
    sampler = GANSampler(device="cpu", random_state=seed).fit(train)
    categorical, (column, low, high) = CONDITIONS[table]
    conditions = {**categorical, column: pd.Interval(low, high, closed="both")}

    def sample():
        return sampler.sample(ROWS, conditions=conditions, random_state=seed), None

    def refuse():
        name = next(iter(categorical))
        start = time.perf_counter()
        try:
            sampler.sample(ROWS, conditions={name: "never-seen"})
        except ValueError as exc:
            return {"seconds": time.perf_counter() - start, "message": str(exc)}
        raise AssertionError("an unseen value was not refused")

    return sample, refuse


def _ctgan(train, table, seed):
    import ctgan

    model = ctgan.CTGAN(enable_gpu=False, verbose=False)
    model.set_random_state(seed)
    model.fit(train, categorical_columns(train))
    categorical, _ = CONDITIONS[table]
    # The rarer categorical condition is CTGAN's own condition.
    column = min(categorical, key=lambda c: (train[c] == categorical[c]).mean())

    def sample():
        kept, generated = [], 0
        while sum(len(k) for k in kept) < ROWS:
            if generated >= MAX_TRIES_PER_ROW * ROWS:
                raise RuntimeError("CTGAN met the conditions too rarely")
            rows = model.sample(
                ROWS,
                condition_column=column,
                condition_value=categorical[column],
            )
            generated += len(rows)
            kept.append(rows[meets(rows, table)])
        return pd.concat(kept, ignore_index=True).iloc[:ROWS], generated

    return sample, None


MODELS = {"gansampler": (_gansampler, True), "ctgan": (_ctgan, False)}


def run(table, model, seed):
    path = RUNS / f"{table}-{model}-seed{seed}.json"
    if path.exists():
        print(f"{path.name} exists; skipped.", flush=True)
        return
    torch.set_num_threads(1)
    train, _, _ = split(table)
    fitter, takes_missing_numbers = MODELS[model]
    judged = train if takes_missing_numbers else _without_missing_numbers(train)
    cpu = time.process_time()
    sample, refuse = fitter(judged, table, seed)
    fit_cpu = time.process_time() - cpu
    wall, cpu = time.perf_counter(), time.process_time()
    synth, generated = sample()
    sample_wall, sample_cpu = time.perf_counter() - wall, time.process_time() - cpu
    real = judged[meets(judged, table)]
    halves = real.sample(frac=1.0, random_state=seed)
    record = {
        "table": table,
        "model": model,
        "seed": seed,
        "conditions": _conditions_text(table),
        "training_rows": len(judged),
        "real_rows_meeting": len(real),
        "rows_asked": ROWS,
        "rows_returned": len(synth),
        "all_meet": bool(meets(synth, table).all()),
        "generated_per_row": None if generated is None else generated / ROWS,
        "fit_cpu_seconds": fit_cpu,
        "sample_seconds": sample_wall,
        "sample_cpu_seconds": sample_cpu,
        "conditional_detector_auc": detector_auc(
            real, synth[judged.columns].iloc[: len(real)], seed
        ),
        "conditional_detector_auc_real_halves": detector_auc(
            halves.iloc[: len(halves) // 2], halves.iloc[len(halves) // 2 :], seed
        ),
        "refusal": None if refuse is None else refuse(),
        **provenance(1),
    }
    RUNS.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1))
    print(
        f"{path.stem}: all meet {record['all_meet']}, conditional detector "
        f"{record['conditional_detector_auc']:.3f} (real halves "
        f"{record['conditional_detector_auc_real_halves']:.3f}), sample "
        f"{sample_wall:.1f} s",
        flush=True,
    )


def summarize():
    summary = []
    for (table, model), runs in runs_by(RUNS, "table", "model"):
        per_row = [r["generated_per_row"] for r in runs if r["generated_per_row"]]
        refusals = [r["refusal"]["seconds"] for r in runs if r["refusal"]]
        summary.append(
            {
                "table": table,
                "model": model,
                "conditions": runs[0]["conditions"],
                "seeds": [r["seed"] for r in runs],
                "training_rows": runs[0]["training_rows"],
                "real_rows_meeting": runs[0]["real_rows_meeting"],
                "all_meet_every_seed": all(r["all_meet"] for r in runs),
                "rows_returned": sorted({r["rows_returned"] for r in runs}),
                "generated_per_row": seed_stats(per_row) if per_row else None,
                "refusal_seconds": max(refusals) if refusals else None,
                "refusal_message": runs[0]["refusal"] and runs[0]["refusal"]["message"],
                **{
                    key: seed_stats([r[key] for r in runs])
                    for key in (
                        "fit_cpu_seconds",
                        "sample_seconds",
                        "conditional_detector_auc",
                        "conditional_detector_auc_real_halves",
                    )
                },
                "commits": sorted({r["commit"] for r in runs}),
                "machine": runs[0]["machine"],
                "threads": 1,
            }
        )
    return summary


def _conditions_text(table):
    categorical, (column, low, high) = CONDITIONS[table]
    equal = " and ".join(f"{k} == {v!r}" for k, v in categorical.items())
    return f"{equal}, {column} in [{low}, {high}]"


def _stat(stats, digits=3):
    if stats is None:
        return "–"
    text = f"{stats['mean']:.{digits}f}"
    if len(stats["per_seed"]) > 1:
        text += f" ± {stats['std']:.{digits}f}"
    return text


def render():
    summary = summarize()
    SUMMARY.write_text(json.dumps(summary, indent=1))
    rows = [
        [
            s["table"],
            s["model"],
            str(len(s["seeds"])),
            str(s["real_rows_meeting"]),
            "yes" if s["all_meet_every_seed"] else "**no**",
            _stat(s["conditional_detector_auc"]),
            _stat(s["conditional_detector_auc_real_halves"]),
            _stat(s["generated_per_row"], 2),
            _stat(s["sample_seconds"], 1),
            _stat(s["fit_cpu_seconds"], 0),
        ]
        for s in summary
    ]
    table = markdown_table(
        [
            "table",
            "model",
            "seeds",
            "real rows meeting",
            "all 10,000 meet",
            "conditional detector AUC",
            "real halves",
            "rows generated per row (CTGAN)",
            "sample s",
            "fit CPU s",
        ],
        rows,
    )
    refusals = [s for s in summary if s["refusal_seconds"] is not None]
    refusal = "\n".join(
        f"- {s['table']}: refused in {s['refusal_seconds'] * 1000:.0f} ms at most: "
        f"“{s['refusal_message']}”"
        for s in refusals
    )
    runs = [json.loads(p.read_text()) for p in sorted(RUNS.glob("*.json"))]
    MARKDOWN.write_text(
        "# Conditional sampling: GANSampler against CTGAN\n\n"
        "Written by `benchmarks/conditional_sampling.py --render` from "
        f"`benchmarks/results/conditional.json`. {describe(*runs)}. Mean ± "
        "standard deviation over the training seeds.\n\n"
        "Each model, fitted at its defaults on the training rows, is asked for "
        "10,000 rows meeting conditions on two categorical columns and a "
        "numeric range in one call; the conditional detector tells the "
        "training rows that meet them from as many of the sampled rows "
        "(0.5: indistinguishable), beside two halves of those real rows. CTGAN "
        "conditions on the rarer categorical value and rejects rows that miss "
        "the rest.\n\n"
        + "\n".join(f"- {name}: {_conditions_text(name)}" for name in CONDITIONS)
        + "\n\n"
        + "\n".join(table)
        + "\n\nA value the training data never holds is refused before "
        "anything is generated:\n\n" + refusal + "\n"
    )
    print(f"Wrote {SUMMARY} and {MARKDOWN}.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=list(CONDITIONS))
    parser.add_argument("--models", nargs="+", default=list(MODELS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--render", action="store_true")
    args = parser.parse_args()
    if args.render:
        render()
        return
    assert all(t in TABLES for t in args.tables)
    with threadpool_limits(1), parallel_config(backend="sequential"):
        for seed in args.seeds:
            for table in args.tables:
                for model in args.models:
                    run(table, model, seed)


if __name__ == "__main__":
    main()
