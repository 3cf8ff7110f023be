"""Time every sksynth.evaluation metric on Sines, Stocks and Adult, on the CPU.

Sines: 10,000 sequences x 5 channels x 24 steps, scored against another
``make_sines`` draw. Stocks: the real windows against samples of a briefly
trained TimeGANSampler (whose loss history is also plotted). Adult: the table
against a disjoint half of itself. Writes
``benchmarks/results/evaluation_speed.json`` and the figures
``benchmarks/results/evaluation_*.png``.

Run with ``python benchmarks/evaluation_speed.py [--threads N]`` (default: one
torch thread; the TimeGAN-protocol scores must each finish in 60 s on two cores).
"""

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
import torch
from provenance import provenance
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OrdinalEncoder

import sksynth
from sksynth import TimeGANSampler
from sksynth.datasets import load_adult, load_stocks, make_sines
from sksynth.evaluation import (
    dcr_score,
    discriminative_score,
    plot_history,
    plot_marginals,
    plot_pca,
    plot_tsne,
    predictive_score,
    tstr_score,
)

RESULTS = Path(__file__).parent / "results"
SEED = 0
TIMEGAN_STEPS = 200


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, round(time.perf_counter() - start, 2)


def time_panel_metrics(name, real, synth, report):
    common = {"random_state": SEED, "device": "cpu"}
    for metric in (discriminative_score, predictive_score):
        value, seconds = timed(metric, real, synth, **common)
        report[name][metric.__name__] = {"value": value, "seconds": seconds}
        print(
            f"{name:6s} {metric.__name__:22s} {value:.4f} {seconds:7.2f} s", flush=True
        )
    value, seconds = timed(
        dcr_score, real[: len(real) // 2], synth, real[len(real) // 2 :]
    )
    report[name]["dcr_score"] = {"share_closer": value.share_closer, "seconds": seconds}
    print(f"{name:6s} dcr_score              {value.share_closer:.4f} {seconds:7.2f} s")
    for plot in (plot_pca, plot_tsne):
        figure, seconds = timed(plot, real, synth, random_state=SEED)
        figure.savefig(RESULTS / f"evaluation_{name}_{plot.__name__[5:]}.png", dpi=100)
        report[name][plot.__name__] = {"seconds": seconds}
    figure, seconds = timed(plot_marginals, real, synth)
    figure.savefig(RESULTS / f"evaluation_{name}_marginals.png", dpi=100)
    report[name]["plot_marginals"] = {"seconds": seconds}


def adult_model():
    categorical = [
        "workclass", "education", "marital-status", "occupation",
        "relationship", "race", "gender", "native-country",
    ]  # fmt: skip
    encode = make_column_transformer(
        (
            OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1),
            categorical,
        ),
        remainder="passthrough",
    )
    return make_pipeline(encode, HistGradientBoostingClassifier(random_state=SEED))


def time_table_metrics(report):
    X, y = load_adult(return_X_y=True)
    order = np.random.default_rng(SEED).permutation(len(X))
    first, second = order[: len(X) // 2], order[len(X) // 2 :]
    real, synth = X.iloc[first], X.iloc[second]
    (score, auc), seconds = timed(
        discriminative_score, real, synth, random_state=SEED, return_roc_auc=True
    )
    report["adult"]["discriminative_score"] = {
        "value": score, "roc_auc": auc, "seconds": seconds
    }  # fmt: skip
    result, seconds = timed(
        tstr_score, adult_model(), synth, y.iloc[second], real, y.iloc[first],
        scoring="f1_macro", random_state=SEED,
    )  # fmt: skip
    report["adult"]["tstr_score"] = {
        "tstr": result.tstr, "trtr": result.trtr, "seconds": seconds
    }  # fmt: skip
    holdout = X.iloc[order[-5000:]]
    value, seconds = timed(dcr_score, real, synth.iloc[:-5000], holdout)
    report["adult"]["dcr_score"] = {
        "share_closer": value.share_closer,
        "seconds": seconds,
    }
    figure, seconds = timed(plot_marginals, real, synth)
    figure.savefig(RESULTS / "evaluation_adult_marginals.png", dpi=100)
    report["adult"]["plot_marginals"] = {"seconds": seconds}
    print(json.dumps(report["adult"], indent=1), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    RESULTS.mkdir(exist_ok=True)
    report = {"sines": {}, "stocks": {}, "adult": {}}

    real = make_sines(10_000, random_state=SEED)
    synth = make_sines(10_000, random_state=SEED + 1)
    time_panel_metrics("sines", real, synth, report)

    stocks = load_stocks()
    sampler = TimeGANSampler.preset(
        "timegan-2019", n_iter=TIMEGAN_STEPS, device="cpu", random_state=SEED
    )
    _, seconds = timed(sampler.fit, stocks)
    report["stocks"]["timegan_fit"] = {"n_iter": TIMEGAN_STEPS, "seconds": seconds}
    plot_history(sampler, log_scale=True).savefig(
        RESULTS / "evaluation_stocks_timegan_history.png", dpi=100
    )
    time_panel_metrics(
        "stocks", stocks, sampler.sample(len(stocks), random_state=SEED), report
    )

    time_table_metrics(report)

    gru_seconds = [
        report[data][metric]["seconds"]
        for data in ("sines", "stocks")
        for metric in ("discriminative_score", "predictive_score")
    ]
    output = {
        "sksynth_version": sksynth.__version__,
        **provenance(torch.get_num_threads()),
        "cpu_count": os.cpu_count(),
        "device": "cpu",
        "random_state": SEED,
        "shapes": {"sines": list(real.shape), "stocks": list(stocks.shape)},
        "results": report,
        "timegan_protocol_max_seconds": max(gru_seconds),
        "all_timegan_protocol_scores_within_60_s": max(gru_seconds) <= 60,
    }
    path = RESULTS / "evaluation_speed.json"
    path.write_text(json.dumps(output, indent=2, default=float) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
