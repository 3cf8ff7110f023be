"""GANSampler against CTGAN on Adult, side by side in one run.

Both samplers are fitted on the same 80 % training split of Adult (stratified by
``income``, the whole table with ``income`` as a categorical column), with the
same epochs, batch size, pac and number of torch threads. The script records:

* encoder seconds: GANSampler's ``TabularEncoder.fit_transform`` against CTGAN's
  ``DataTransformer.fit`` (and ``fit`` plus ``transform``), timed inside each
  model's own ``fit`` call by wrapping those methods;
* seconds per epoch: (fit seconds - encoder seconds) / epochs, all measured in
  the same ``fit`` call;
* sampling rows per second;
* train-on-synthetic, test-on-real F1 of the ``>50K`` class on the real 20 %
  test split (a HistGradientBoostingClassifier with native categorical
  support), next to the same classifier trained on the real training split;
* the detection (discriminative) score of ``sksynth.evaluation`` when present.

Results go to ``benchmarks/results/gan_adult.json`` and the markdown table to
``docs/gan_benchmark.md``. CTGAN (PyPI ``ctgan``) is a benchmark peer only,
not a dependency of sksynth. Usage::

    python benchmarks/gan_adult.py --epochs 30 --threads 1
    python benchmarks/gan_adult.py --render-only   # rewrite the markdown page
"""

import argparse
import functools
import json
import os
import platform
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
import torch
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

import sksynth
from sksynth import GANSampler
from sksynth.datasets import load_adult
from sksynth.encoding import TabularEncoder

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "gan_adult.json"
PAGE = ROOT / "docs" / "gan_benchmark.md"
TARGET = "income"
POSITIVE = ">50K"


def _categorical_columns(frame):
    return [
        c
        for c in frame.columns
        if not pd.api.types.is_numeric_dtype(frame[c])
        or isinstance(frame[c].dtype, pd.CategoricalDtype)
    ]


def _as_model_input(frame, categories):
    """Numeric columns as floats, categorical ones with the real data's categories."""
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        if column in categories:
            values = frame[column].astype(object).where(frame[column].notna(), None)
            out[column] = pd.Categorical(values, categories=categories[column])
        else:
            out[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return out


def _f1(train, test, categories, seed):
    """F1 of the >50K class on ``test`` of a booster trained on ``train``."""
    features = [c for c in train.columns if c != TARGET]
    model = HistGradientBoostingClassifier(
        categorical_features="from_dtype", random_state=seed
    )
    y_train = (train[TARGET].astype(object) == POSITIVE).to_numpy()
    if len(np.unique(y_train)) < 2:
        return 0.0
    model.fit(_as_model_input(train[features], categories), y_train)
    predicted = model.predict(_as_model_input(test[features], categories))
    return float(f1_score((test[TARGET].astype(object) == POSITIVE), predicted))


def _detection(real, synth, seed):
    try:
        from sksynth.evaluation import discriminative_score
    except ImportError:
        return None
    result = discriminative_score(real, synth, random_state=seed, device="cpu")
    return float(getattr(result, "mean", result))


@contextmanager
def _recording(owner, method, durations):
    """Append the duration of every call of ``owner.method`` to ``durations``."""
    original = getattr(owner, method)

    @functools.wraps(original)
    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            durations.append(time.perf_counter() - start)

    setattr(owner, method, timed)
    try:
        yield durations
    finally:
        setattr(owner, method, original)


def _time(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def run_gansampler(train, args, discrete):
    sampler = GANSampler(
        epochs=args.epochs,
        batch_size=args.batch_size,
        pac=args.pac,
        device=args.device,
        random_state=args.seed,
    )
    with _recording(TabularEncoder, "fit_transform", []) as encoder_calls:
        fit_seconds, _ = _time(lambda: sampler.fit(train))
    encoder_seconds = sum(encoder_calls)
    sample_seconds, synth = _time(
        lambda: sampler.sample(args.n_synthetic, random_state=args.seed)
    )
    return {
        "encoder_seconds": encoder_seconds,
        "fit_seconds": fit_seconds,
        "seconds_per_epoch": (fit_seconds - encoder_seconds) / args.epochs,
        "sample_seconds": sample_seconds,
        "sampling_rows_per_second": args.n_synthetic / sample_seconds,
    }, synth


def run_ctgan(train, args, discrete):
    import ctgan
    from ctgan.data_transformer import DataTransformer

    model = ctgan.CTGAN(
        epochs=args.epochs,
        batch_size=args.batch_size,
        pac=args.pac,
        enable_gpu=args.device.startswith("cuda"),
        verbose=False,
    )
    model.set_random_state(args.seed)
    with (
        _recording(DataTransformer, "fit", []) as fit_calls,
        _recording(DataTransformer, "transform", []) as transform_calls,
    ):
        fit_seconds, _ = _time(lambda: model.fit(train, discrete))
    transformer_fit_seconds, transform_seconds = sum(fit_calls), sum(transform_calls)
    sample_seconds, synth = _time(lambda: model.sample(args.n_synthetic))
    encoder_seconds = transformer_fit_seconds + transform_seconds
    return {
        "ctgan_version": ctgan.__version__,
        "transformer_fit_seconds": transformer_fit_seconds,
        "transform_seconds": transform_seconds,
        "encoder_seconds": encoder_seconds,
        "fit_seconds": fit_seconds,
        "seconds_per_epoch": (fit_seconds - encoder_seconds) / args.epochs,
        "sample_seconds": sample_seconds,
        "sampling_rows_per_second": args.n_synthetic / sample_seconds,
    }, synth


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--pac", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--n-synthetic",
        type=int,
        default=None,
        help="rows to sample from each model (default: size of the training split)",
    )
    parser.add_argument(
        "--n-rows", type=int, default=None, help="subsample Adult (smoke tests only)"
    )
    parser.add_argument("--skip-ctgan", action="store_true")
    parser.add_argument("--render-only", action="store_true")
    parser.add_argument("--device", default="cpu", help="torch device of both models")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--page", type=Path, default=PAGE)
    args = parser.parse_args()
    if args.render_only:
        render(json.loads(args.output.read_text()), args.page)
        return

    torch.set_num_threads(args.threads)
    adult = load_adult()
    if args.n_rows:
        adult = adult.sample(args.n_rows, random_state=args.seed)
    train, test = train_test_split(
        adult, test_size=0.2, stratify=adult[TARGET], random_state=args.seed
    )
    train = train.reset_index(drop=True)
    test = test.reset_index(drop=True)
    args.n_synthetic = args.n_synthetic or len(train)
    discrete = _categorical_columns(train)
    categories = {
        c: sorted(adult[c].dropna().astype(object).unique().tolist()) for c in discrete
    }

    results = {
        "config": {
            "dataset": "Adult (load_adult), 80/20 split stratified by income"
            + (f", subsampled to {args.n_rows} rows" if args.n_rows else ""),
            "n_train": len(train),
            "n_test": len(test),
            "epochs": args.epochs,
            "batch_size": args.batch_size,
            "pac": args.pac,
            "torch_threads": args.threads,
            "device": args.device,
            "seed": args.seed,
            "n_synthetic": args.n_synthetic,
            "note": (
                f"Reduced equal budget: {args.epochs} epochs for both models "
                "(the papers' default is 300)."
            ),
            "steps_per_epoch": len(train) // args.batch_size,
            "classifier": "HistGradientBoostingClassifier(categorical_features="
            "'from_dtype'), F1 of the >50K class on the real test split",
        },
        "environment": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "sklearn": sklearn.__version__,
            "pandas": pd.__version__,
            "sksynth": sksynth.__version__,
            "cpu_count": os.cpu_count(),
            "machine": platform.machine(),
            "processor": platform.processor(),
            "gpu": torch.cuda.get_device_name()
            if args.device.startswith("cuda")
            else None,
        },
        "train_on_real_f1": _f1(train, test, categories, args.seed),
    }
    models = [("GANSampler", run_gansampler)]
    if not args.skip_ctgan:
        models.append(("CTGAN", run_ctgan))
    for name, runner in models:
        print(f"fitting {name} ...", flush=True)
        timings, synth = runner(train, args, discrete)
        timings["tstr_f1"] = _f1(synth, test, categories, args.seed)
        timings["detection_score"] = _detection(train, synth, args.seed)
        results[name] = timings
        print(name, json.dumps(timings, indent=1), flush=True)
        _write(results, args.output)
    if "CTGAN" in results:
        ours, theirs = results["GANSampler"], results["CTGAN"]
        results["comparison"] = {
            "encoder_speedup": theirs["encoder_seconds"] / ours["encoder_seconds"],
            "transformer_fit_speedup": theirs["transformer_fit_seconds"]
            / ours["encoder_seconds"],
            "epoch_speedup": theirs["seconds_per_epoch"] / ours["seconds_per_epoch"],
            "sampling_speedup": ours["sampling_rows_per_second"]
            / theirs["sampling_rows_per_second"],
            "tstr_f1_difference": ours["tstr_f1"] - theirs["tstr_f1"],
        }
        comparison = results["comparison"]
        results["targets"] = {
            "encoder_at_least_10x_faster": comparison["transformer_fit_speedup"] >= 10,
            "epochs_at_least_3x_faster": comparison["epoch_speedup"] >= 3,
            "tstr_f1_at_least_ctgan_minus_0.01": comparison["tstr_f1_difference"]
            >= -0.01,
        }
    _write(results, args.output)
    render(results, args.page)


def _write(results, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")


def render(results, page=PAGE):
    """Write the markdown page from the JSON results."""
    config = results["config"]
    models = [m for m in ("GANSampler", "CTGAN") if m in results]
    rows = [
        ("Encoder fit + transform (s)", "encoder_seconds", "{:.2f}"),
        ("Seconds per epoch", "seconds_per_epoch", "{:.2f}"),
        ("Total fit (s)", "fit_seconds", "{:.1f}"),
        ("Sampling (rows/s)", "sampling_rows_per_second", "{:,.0f}"),
        ("TSTR F1 (>50K)", "tstr_f1", "{:.3f}"),
        ("Detection score (0 best)", "detection_score", "{:.3f}"),
    ]
    lines = [
        "# GANSampler against CTGAN on Adult",
        "",
        "Written by `benchmarks/gan_adult.py` from "
        "`benchmarks/results/gan_adult.json`; do not edit by hand.",
        "",
        f"{config['dataset']}: {config['n_train']} training rows, "
        f"{config['n_test']} test rows. Both models: {config['epochs']} epochs of "
        f"{config['steps_per_epoch']} steps, batch size {config['batch_size']}, "
        f"pac {config['pac']}, device {config.get('device', 'cpu')}, "
        f"`torch.set_num_threads({config['torch_threads']})`, "
        f"seed {config['seed']}, {config['n_synthetic']} synthetic rows each. "
        f"{config['note']}",
        "",
        "| | " + " | ".join(models) + " |",
        "|---|" + "---:|" * len(models),
    ]
    if "CTGAN" in results:
        lines.append(
            "| CTGAN transformer fit alone (s) | | "
            f"{results['CTGAN']['transformer_fit_seconds']:.2f} |"
        )
    for label, key, fmt in rows:
        cells = [
            "n/a" if results[m].get(key) is None else fmt.format(results[m][key])
            for m in models
        ]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"Train on real, test on real F1 (>50K): {results['train_on_real_f1']:.3f}.",
        "",
    ]
    if "comparison" in results:
        c, t = results["comparison"], results["targets"]
        lines += [
            "| Ratio | Value | Target | Met |",
            "|---|---:|---|---|",
            f"| CTGAN transformer fit / GANSampler encoder | "
            f"{c['transformer_fit_speedup']:.1f}x | >= 10x | "
            f"{t['encoder_at_least_10x_faster']} |",
            f"| CTGAN / GANSampler seconds per epoch | {c['epoch_speedup']:.2f}x | "
            f">= 3x | {t['epochs_at_least_3x_faster']} |",
            f"| GANSampler - CTGAN TSTR F1 | {c['tstr_f1_difference']:+.3f} | "
            f">= -0.01 | {t['tstr_f1_at_least_ctgan_minus_0.01']} |",
            f"| Sampling speed, GANSampler / CTGAN | {c['sampling_speedup']:.1f}x | "
            "| |",
            "",
        ]
    env = results["environment"]
    if env.get("gpu"):
        lines += [f"GPU: {env['gpu']}.", ""]
    lines += [
        f"Environment: Python {env['python']}, torch {env['torch']}, scikit-learn "
        f"{env['sklearn']}, pandas {env['pandas']}, {env['cpu_count']} CPUs "
        f"({env['machine']}).",
        "",
    ]
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text("\n".join(lines))


if __name__ == "__main__":
    main()
