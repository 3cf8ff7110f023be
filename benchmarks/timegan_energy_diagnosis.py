"""What tells TimeGAN's Energy sequences from real ones, channel by channel.

One ``TimeGANSampler(latent="sequence")`` fit on Energy per training seed, at
half the steps of the budget benchmark's 5-minute ``sequence`` configuration,
then, per channel, real against synthetic:

* the share of steps where the channel repeats its previous value exactly
  (many of Energy's sensors hold a value for several readings);
* the standard deviation of the step-to-step change x_t - x_{t-1};
* for the training windows, the correlation of the decoder's mean's
  step-to-step change with the data's, and the ratio of their variances: a
  decoder whose mean moves where the data do not leaves it to the residual
  model to cancel those moves, which it cannot do in samples;

and the discriminative score (2 post-hoc repeats) on every channel, and on
each group of channels alone: the smooth sensors, ``Appliances`` and
``lights``, and the two white-noise channels ``rv1`` and ``rv2`` (the same
series twice).

Results go to ``benchmarks/results/timegan_energy_diagnosis.json`` (one
record per seed, resumable), the page to
``docs/timegan_energy_benchmark.md``. Usage::

    python benchmarks/timegan_energy_diagnosis.py --seeds 0
    python benchmarks/timegan_energy_diagnosis.py --render
"""

import json
import time
from pathlib import Path

import numpy as np
import torch
from pages import markdown_table
from provenance import describe, provenance
from seeded_runs import seeded_main

from sksynth import TimeGANSampler
from sksynth.datasets import load_energy
from sksynth.evaluation import discriminative_score

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "timegan_energy_diagnosis.json"
PAGE = ROOT / "docs" / "timegan_energy_benchmark.md"
SETTINGS = {
    "latent": "sequence",
    "hidden_dim": 64,
    "num_layers": 2,
    "n_iter_pretrain": 1_000,
    "n_iter": 750,
    "ema_decay": None,
    "marginals": "learned",
}
REPEATS = 2
NOISE = ("rv1", "rv2")
SPIKY = ("Appliances", "lights")


def _groups(names):
    """Channel indices of every group whose discriminative score is recorded."""
    index = {name: i for i, name in enumerate(names)}
    smooth = [i for n, i in index.items() if n not in NOISE + SPIKY]
    return {
        "all channels": list(range(len(names))),
        "smooth sensors": smooth,
        "Appliances and lights": [index[n] for n in SPIKY],
        "rv1 and rv2": [index[n] for n in NOISE],
    }


def _repeat_share(X3):
    return (np.diff(X3, axis=2) == 0).mean(axis=(0, 2))


def _step_std(X3):
    return np.diff(X3, axis=2).std(axis=(0, 2))


def _decoder_moves(sampler, X3):
    """Per channel: how the decoder mean's steps relate to the data's."""
    span = sampler.data_max_ - sampler.data_min_
    scaled = (X3 - sampler.data_min_[:, None]) / span[:, None]
    data = torch.as_tensor(scaled.transpose(0, 2, 1), dtype=torch.float32)
    with torch.no_grad():
        mean = torch.cat(
            [sampler.recovery_(sampler.embedder_(b)) for b in data.split(1024)]
        )
    moves = [a.diff(dim=1).reshape(-1, a.shape[2]).double() for a in (data, mean)]
    real, decoded = (m - m.mean(0) for m in moves)
    correlation = (real * decoded).mean(0) / (real.std(0) * decoded.std(0))
    return correlation.numpy(), (decoded.var(0) / real.var(0)).numpy()


def run(seed):
    records = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    if any(r["seed"] == seed for r in records):
        print(f"seed {seed} exists; skipped", flush=True)
        return
    torch.set_num_threads(1)
    X = load_energy()
    names = [str(c) for c in load_energy(as_frame=True).columns]
    sampler = TimeGANSampler(device="cpu", random_state=seed, **SETTINGS)
    start = time.perf_counter()
    sampler.fit(X)
    fit_seconds = time.perf_counter() - start
    synth = sampler.sample(len(X), random_state=seed)
    correlation, variance_ratio = _decoder_moves(sampler, X)
    scores = {}
    for group, channels in _groups(names).items():
        score = discriminative_score(
            X[:, channels],
            synth[:, channels],
            n_repeats=REPEATS,
            random_state=0,
            device="cpu",
        )
        scores[group] = {"mean": float(score.mean), "std": float(score.std)}
        print(f"seed {seed}, {group}: {score}", flush=True)
    records.append(
        {
            "seed": seed,
            "settings": SETTINGS,
            "fit_seconds": fit_seconds,
            "channels": names,
            "repeat_share": {
                "real": _repeat_share(X).tolist(),
                "synthetic": _repeat_share(synth).tolist(),
            },
            "step_std": {
                "real": _step_std(X).tolist(),
                "synthetic": _step_std(synth).tolist(),
            },
            "decoder_step_correlation": correlation.tolist(),
            "decoder_step_variance_ratio": variance_ratio.tolist(),
            "discriminative": scores,
            **provenance(torch.get_num_threads()),
        }
    )
    RESULTS.write_text(json.dumps(records, indent=1) + "\n")


def render():
    records = json.loads(RESULTS.read_text())
    names = records[0]["channels"]

    def mean(key, side=None):
        values = [r[key] if side is None else r[key][side] for r in records]
        return np.mean(values, axis=0)

    groups = list(records[0]["discriminative"])
    score_rows = [
        [
            group,
            f"{np.mean([r['discriminative'][group]['mean'] for r in records]):.3f}",
        ]
        for group in groups
    ]
    channel_rows = [
        [
            name,
            f"{mean('repeat_share', 'real')[i]:.2f}",
            f"{mean('repeat_share', 'synthetic')[i]:.2f}",
            f"{mean('step_std', 'real')[i]:.4f}",
            f"{mean('step_std', 'synthetic')[i]:.4f}",
            f"{mean('decoder_step_correlation')[i]:.2f}",
            f"{mean('decoder_step_variance_ratio')[i]:.2f}",
        ]
        for i, name in enumerate(names)
    ]
    lines = [
        "# What tells TimeGAN's Energy sequences apart",
        "",
        "Written by `benchmarks/timegan_energy_diagnosis.py --render` from "
        f"`benchmarks/results/{RESULTS.name}`; do not edit by hand. "
        f"`TimeGANSampler({', '.join(f'{k}={v!r}' for k, v in SETTINGS.items())})` "
        f"on Energy, {len(records)} training seed(s) "
        f"({', '.join(str(r['seed']) for r in records)}), values averaged over "
        f"them. {describe(*records)}.",
        "",
        f"Discriminative score ({REPEATS} post-hoc repeats) on every channel "
        "and on each group of channels alone:",
        "",
        *markdown_table(["channels", "discriminative"], score_rows),
        "",
        "Per channel (min-max scaled units): the share of steps that repeat "
        "the previous value exactly, the standard deviation of the "
        "step-to-step change, real and synthetic; and, on the training "
        "windows, the correlation of the decoder mean's step-to-step change "
        "with the data's and the ratio of their variances.",
        "",
        *markdown_table(
            [
                "channel",
                "repeats, real",
                "repeats, synthetic",
                "step sd, real",
                "step sd, synthetic",
                "decoder step corr",
                "decoder / data step variance",
            ],
            channel_rows,
        ),
    ]
    PAGE.write_text("\n".join(lines) + "\n")
    print(f"Wrote {PAGE}.")


def main():
    seeded_main(__doc__.splitlines()[0], run, render, default_seeds=[0])


if __name__ == "__main__":
    main()
