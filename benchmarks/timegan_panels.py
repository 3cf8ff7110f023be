"""Conditional TimeGAN on labelled panels: train on synthetic, augmentation, lengths.

Four labelled panels bundled with sktime, loaded offline: BasicMotions (6
channels, length 100, 4 classes) and JapaneseVowels (12 channels, lengths 7
to 29, 9 classes), on which TimeGANSampler's settings were chosen, and two
held out from that choice: ItalyPowerDemand (daily power demand, 1 channel,
length 24, 2 classes, 67 training sequences) and GunPoint (hand motion, 1
channel, length 150, 2 classes, 50 training sequences; not run yet). The
``defaults`` configuration is ``TimeGANSampler()`` as it comes. Each run fits one
conditional ``TimeGANSampler`` on one panel's training split with one training
seed and measures three things:

- train on synthetic, test on real: a classifier trained on as many synthetic
  sequences per class as the training split holds, against the same
  classifier trained on the training split, both scored on the real test
  split (accuracy overall and per class);
- augmentation: the training split made imbalanced on purpose (every second
  class keeps a third of its sequences), then the classifier alone, behind
  imbalanced-learn's ``RandomOverSampler`` and behind ``GANOverSampler`` with
  the conditional sampler, in an imbalanced-learn pipeline, scored by
  balanced accuracy and macro F1 on the real test split;
- the lengths of the sampled sequences against the training lengths.

The classifier is a random forest on per-sequence features (each channel's
mean, spread, range, ends and 10 values spread over the sequence's own
length, and the length), so it reads every sequence up to its own length.

Runs resume: one JSON per (panel, configuration, seed) under
``benchmarks/results/timegan_panels/``; an existing file is skipped.
``--render`` aggregates them into ``benchmarks/results/timegan_panels.json``
and writes ``docs/timegan_panels_benchmark.md``. Typical use, one thread::

    OMP_NUM_THREADS=1 nohup python benchmarks/timegan_panels.py \\
        --dataset japanese_vowels --seeds 0 1 2 &
    python benchmarks/timegan_panels.py --render
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import Pipeline
from provenance import provenance
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score
from sklearn.preprocessing import FunctionTransformer

from sksynth import TimeGANSampler
from sksynth._core.panels import panel_kind, panel_to_padded
from sksynth.pipeline import GANOverSampler

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / "benchmarks" / "results" / "timegan_panels"
SUMMARY = ROOT / "benchmarks" / "results" / "timegan_panels.json"
MARKDOWN = ROOT / "docs" / "timegan_panels_benchmark.md"
# The first two were used while choosing TimeGANSampler's settings; the last
# two are held out (docs/defaults_series_benchmark.md): nothing was tuned on them.
DATASETS = ("basic_motions", "japanese_vowels", "italy_power_demand", "gun_point")
# TimeGANSampler settings per configuration: the sequence latent without
# weight averaging or matched marginals, with fewer steps than the defaults,
# about 2 to 3 minutes per fit on one CPU thread.
CONFIGS = {
    "defaults": {},
    "sequence": {
        "latent": "sequence",
        "hidden_dim": 64,
        "num_layers": 2,
        "n_iter_pretrain": 1_000,
        "n_iter": 800,
        "ema_decay": None,
        "marginals": "learned",
        "seq_len": "auto",
    },
    # Twice the steps, about 5 minutes per fit.
    "sequence-long": {
        "latent": "sequence",
        "hidden_dim": 64,
        "num_layers": 2,
        "n_iter_pretrain": 2_000,
        "n_iter": 1_600,
        "ema_decay": None,
        "marginals": "learned",
        "seq_len": "auto",
    },
}
# Every second class keeps this share of its training sequences.
MINORITY_SHARE = 1 / 3
TARGET_RATIO = 0.85


def load(dataset):
    """The (X_train, y_train, X_test, y_test) of a panel, nested_univ."""
    from sktime.datasets import (
        load_basic_motions,
        load_gunpoint,
        load_italy_power_demand,
        load_japanese_vowels,
    )

    loader = {
        "basic_motions": load_basic_motions,
        "japanese_vowels": load_japanese_vowels,
        "italy_power_demand": load_italy_power_demand,
        "gun_point": load_gunpoint,
    }[dataset]
    X_train, y_train = loader(split="train", return_X_y=True)
    X_test, y_test = loader(split="test", return_X_y=True)
    return X_train, np.asarray(y_train), X_test, np.asarray(y_test)


def lengths_of(X):
    """Each sequence's length."""
    X3, lengths, _ = _padded(X)
    return np.full(len(X3), X3.shape[2]) if lengths is None else lengths


def _padded(X):
    kind = panel_kind(X)
    if kind == "numpy3D":
        return np.asarray(X, dtype=np.float64), None, None
    return panel_to_padded(X, kind)


def features(X):
    """Per-sequence features of a panel of any lengths, as a table."""
    X3, lengths, _ = _padded(X)
    if lengths is None:
        lengths = np.full(len(X3), X3.shape[2])
    rows = []
    for values, length in zip(X3, lengths, strict=True):
        values = values[:, :length]
        grid = np.linspace(0, length - 1, 10)
        resampled = [np.interp(grid, np.arange(length), channel) for channel in values]
        summary = [
            values.mean(1),
            values.std(1),
            values.min(1),
            values.max(1),
            values[:, 0],
            values[:, -1],
        ]
        rows.append(np.concatenate([*summary, *resampled, [length]]))
    return np.asarray(rows)


def classifier(seed):
    return RandomForestClassifier(n_estimators=300, random_state=seed, n_jobs=1)


def featurized(seed, on_panels=(), on_features=()):
    """The classifier on features, behind optional resampling steps."""
    return Pipeline(
        [
            *on_panels,
            ("features", FunctionTransformer(features)),
            *on_features,
            ("forest", classifier(seed)),
        ]
    )


def imbalanced(y, seed):
    """Indices of a training split where every second class keeps a third."""
    rng = np.random.default_rng(seed)
    classes = np.unique(y)
    keep = []
    for position, label in enumerate(classes):
        rows = np.flatnonzero(y == label)
        if position % 2:
            n_kept = max(2, round(len(rows) * MINORITY_SHARE))
            rows = np.sort(rng.choice(rows, n_kept, replace=False))
        keep.append(rows)
    return np.sort(np.concatenate(keep)), classes[1::2]


def take(X, rows):
    return X.iloc[rows].reset_index(drop=True)


def per_class_accuracy(y_true, y_pred):
    return {
        str(label): float(np.mean(y_pred[y_true == label] == label))
        for label in np.unique(y_true)
    }


def length_histogram(lengths):
    values, counts = np.unique(lengths, return_counts=True)
    return {str(int(v)): int(c) for v, c in zip(values, counts, strict=True)}


def run_path(dataset, config, seed):
    return RUNS / f"{dataset}_{config}_seed{seed}.json"


def run(dataset, config, seed, threads):
    path = run_path(dataset, config, seed)
    if path.exists():
        print(f"skip {path.name}: exists")
        return
    torch.set_num_threads(threads)
    X_train, y_train, X_test, y_test = load(dataset)
    settings = CONFIGS[config]
    sampler = TimeGANSampler(**settings, device="cpu", random_state=seed)

    start = time.perf_counter()
    sampler.fit(X_train, y_train)
    train_seconds = time.perf_counter() - start
    X_synth, y_synth = sampler.sample(len(y_train), y=y_train, random_state=seed)

    on_real = featurized(seed).fit(X_train, y_train)
    on_synth = featurized(seed).fit(X_synth, y_synth)
    real_pred, synth_pred = on_real.predict(X_test), on_synth.predict(X_test)

    rows, minority = imbalanced(y_train, seed)
    X_small, y_small = take(X_train, rows), y_train[rows]
    augmenters = {
        "none": featurized(seed),
        "random_oversampler": featurized(
            seed, on_features=[("oversample", RandomOverSampler(random_state=seed))]
        ),
        "gan_oversampler": featurized(
            seed,
            on_panels=[
                (
                    "augment",
                    GANOverSampler(
                        TimeGANSampler(**settings, device="cpu"), random_state=seed
                    ),
                )
            ],
        ),
    }
    augmentation = {}
    for name, pipe in augmenters.items():
        start = time.perf_counter()
        pred = pipe.fit(X_small, y_small).predict(X_test)
        augmentation[name] = {
            "balanced_accuracy": float(balanced_accuracy_score(y_test, pred)),
            "macro_f1": float(f1_score(y_test, pred, average="macro")),
            "minority_recall": float(
                np.mean([np.mean(pred[y_test == c] == c) for c in minority])
            ),
            "fit_seconds": time.perf_counter() - start,
        }

    record = {
        "dataset": dataset,
        "config": config,
        "settings": settings,
        "seed": seed,
        "train_seconds": train_seconds,
        "n_train": len(y_train),
        "n_test": len(y_test),
        "tstr_accuracy": float(accuracy_score(y_test, synth_pred)),
        "trtr_accuracy": float(accuracy_score(y_test, real_pred)),
        "tstr_per_class": per_class_accuracy(y_test, synth_pred),
        "trtr_per_class": per_class_accuracy(y_test, real_pred),
        "imbalanced_counts": {
            str(c): int((y_small == c).sum()) for c in np.unique(y_small)
        },
        "minority_classes": [str(c) for c in minority],
        "augmentation": augmentation,
        "real_lengths": length_histogram(lengths_of(X_train)),
        "synthetic_lengths": length_histogram(lengths_of(X_synth)),
        **provenance(threads),
    }
    RUNS.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {path.name} in {train_seconds:.0f} s of training")


def _stats(values):
    return {
        "mean": float(np.mean(values)),
        "std": float(np.std(values)),
        "per_seed": [float(v) for v in values],
    }


def _length_summary(histogram):
    lengths = np.repeat(
        [int(k) for k in histogram], [int(v) for v in histogram.values()]
    )
    return lengths.mean(), lengths.std(), lengths.min(), lengths.max()


def _total_variation(a, b):
    keys = set(a) | set(b)
    na, nb = sum(a.values()), sum(b.values())
    return 0.5 * sum(abs(a.get(k, 0) / na - b.get(k, 0) / nb) for k in keys)


def summarize():
    """One record per (panel, configuration) over its seeds."""
    runs = [json.loads(p.read_text()) for p in sorted(RUNS.glob("*.json"))]
    records = []
    for key in sorted({(r["dataset"], r["config"]) for r in runs}):
        group = [r for r in runs if (r["dataset"], r["config"]) == key]
        first = group[0]
        record = {
            "dataset": key[0],
            "config": key[1],
            "settings": first["settings"],
            "seeds": [r["seed"] for r in group],
            "train_seconds": [r["train_seconds"] for r in group],
            "tstr_accuracy": _stats([r["tstr_accuracy"] for r in group]),
            "trtr_accuracy": _stats([r["trtr_accuracy"] for r in group]),
            "tstr_per_class": {
                c: _stats([r["tstr_per_class"][c] for r in group])
                for c in first["tstr_per_class"]
            },
            "trtr_per_class": {
                c: _stats([r["trtr_per_class"][c] for r in group])
                for c in first["trtr_per_class"]
            },
            "augmentation": {
                name: {
                    metric: _stats([r["augmentation"][name][metric] for r in group])
                    for metric in first["augmentation"][name]
                }
                for name in first["augmentation"]
            },
            "length_total_variation": _stats(
                [
                    _total_variation(r["real_lengths"], r["synthetic_lengths"])
                    for r in group
                ]
            ),
            "real_lengths": first["real_lengths"],
            "synthetic_lengths_seed0": first["synthetic_lengths"],
            "minority_classes": first["minority_classes"],
            "imbalanced_counts": first["imbalanced_counts"],
            "commits": sorted({r["commit"] or "unknown" for r in group}),
            **{k: first[k] for k in ("machine", "threads", "torch")},
        }
        records.append(record)
    SUMMARY.write_text(json.dumps(records, indent=1) + "\n")
    return records


def _fmt(stats):
    return f"{stats['mean']:.3f} ± {stats['std']:.3f}"


def render():
    records = summarize()
    lines = [
        "# Conditional TimeGAN on labelled panels",
        "",
        "Generated by `benchmarks/timegan_panels.py` from the JSON files in",
        "`benchmarks/results/timegan_panels/`; do not edit by hand. Each run fits",
        "one conditional `TimeGANSampler` (`fit(X, y)`) on a panel's training",
        "split; figures are mean ± std over training seeds. The classifier is a",
        "random forest on per-sequence features read up to each sequence's own",
        "length; train on synthetic (TSTR) uses as many synthetic sequences per",
        "class as the training split, train on real (TRTR) the training split,",
        "and both are scored on the real test split. The runs shared the",
        "2-core machine with other benchmarks and tests (up to six processes),",
        "so the training times are longer than on an idle core.",
        "",
        "## Train on synthetic, test on real",
        "",
        "| panel | config | seeds | TSTR accuracy | TRTR accuracy | TSTR / TRTR "
        f"(goal ≥ {TARGET_RATIO:.2f}) | training s |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in records:
        ratio = r["tstr_accuracy"]["mean"] / r["trtr_accuracy"]["mean"]
        verdict = "meets goal" if ratio >= TARGET_RATIO else "misses goal"
        lines.append(
            f"| {r['dataset']} | `{r['config']}` | {r['seeds']} | "
            f"{_fmt(r['tstr_accuracy'])} | {_fmt(r['trtr_accuracy'])} | "
            f"{ratio:.2f} ({verdict}) | {np.mean(r['train_seconds']):.0f} |"
        )
    for r in records:
        lines += [
            "",
            f"### Per class: {r['dataset']}, `{r['config']}`",
            "",
            "| class | TSTR accuracy | TRTR accuracy |",
            "|---|---|---|",
        ]
        for c in r["tstr_per_class"]:
            lines.append(
                f"| {c} | {_fmt(r['tstr_per_class'][c])} | "
                f"{_fmt(r['trtr_per_class'][c])} |"
            )
    lines += [
        "",
        "## Augmenting an imbalanced training split",
        "",
        f"Every second class keeps {MINORITY_SHARE:.0%} of its training sequences;",
        "the over-samplers bring every class up to the largest class's count.",
        "Scores on the real test split; minority recall is the mean recall of",
        "the classes cut down. The goal: `gan_oversampler` no worse than `none`",
        "in mean balanced accuracy.",
        "",
        "| panel | config | augmentation | balanced accuracy | macro F1 | "
        "minority recall |",
        "|---|---|---|---|---|---|",
    ]
    for r in records:
        for name, scores in r["augmentation"].items():
            verdict = ""
            if name == "gan_oversampler":
                none = r["augmentation"]["none"]["balanced_accuracy"]["mean"]
                better = scores["balanced_accuracy"]["mean"] >= none
                verdict = " (meets goal)" if better else " (misses goal)"
            lines.append(
                f"| {r['dataset']} | `{r['config']}` | {name}{verdict} | "
                f"{_fmt(scores['balanced_accuracy'])} | "
                f"{_fmt(scores['macro_f1'])} | {_fmt(scores['minority_recall'])} |"
            )
    lines += ["", "Training-split class counts after the cut:", ""]
    for r in records:
        lines.append(f"- {r['dataset']}: {r['imbalanced_counts']}")
    lines += [
        "",
        "## Sequence lengths, real against synthetic",
        "",
        "Lengths of the training split and of the synthetic sequences of seed",
        "0; the total variation distance between the two length distributions",
        "is over all seeds (0: the same distribution).",
        "",
        "| panel | config | real mean ± std [min, max] | synthetic mean ± std "
        "[min, max] | total variation |",
        "|---|---|---|---|---|",
    ]
    for r in records:
        real = _length_summary(r["real_lengths"])
        synth = _length_summary(r["synthetic_lengths_seed0"])
        lines.append(
            f"| {r['dataset']} | `{r['config']}` | "
            f"{real[0]:.1f} ± {real[1]:.1f} [{real[2]}, {real[3]}] | "
            f"{synth[0]:.1f} ± {synth[1]:.1f} [{synth[2]}, {synth[3]}] | "
            f"{_fmt(r['length_total_variation'])} |"
        )
    lines += ["", "## Settings and provenance", ""]
    for r in records:
        lines.append(
            f"- {r['dataset']}, `{r['config']}`: `{r['settings']}`; commit(s) "
            f"{', '.join(r['commits'])}; {r['machine']}, {r['threads']} "
            f"thread(s), torch {r['torch']}."
        )
    MARKDOWN.write_text("\n".join(lines) + "\n")
    print(f"wrote {MARKDOWN.relative_to(ROOT)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", choices=DATASETS, nargs="+", default=DATASETS)
    parser.add_argument("--config", choices=sorted(CONFIGS), default="sequence")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--render", action="store_true")
    args = parser.parse_args()
    if args.render:
        render()
        return
    for seed in args.seeds:
        for dataset in args.dataset:
            run(dataset, args.config, seed, args.threads)


if __name__ == "__main__":
    main()
