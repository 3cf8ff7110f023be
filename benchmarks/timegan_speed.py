"""Steps per second of each TimeGAN phase: plain eager steps against sksynth's.

Both trainers start from the same weights and draw the same batches, so the
same math is timed (``tests/timeseries/test_timegan_speed_paths.py`` checks the losses
agree). Usage::

    python benchmarks/timegan_speed.py --device cpu --threads 1 --steps 30
    python benchmarks/timegan_speed.py --device cuda --steps 200
"""

import argparse
import json
import sys
import time
from pathlib import Path

import torch
from provenance import provenance

from sksynth._core.devices import resolve_device
from sksynth.datasets import make_sines
from sksynth.timeseries._timegan import _make_networks, _TimeGANTrainer

# The plain reference trainer is the test suite's oracle; it lives beside the
# test that checks it gives the same losses.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "timeseries"))
from timegan_reference import PlainTimeGANTrainer  # noqa: E402

PHASES = ("autoencoder_step", "supervisor_step", "joint_step")


def make_trainer(cls, data, device, seed=0):
    """A trainer of class ``cls`` with seeded weights on ``device``."""
    with torch.random.fork_rng(devices=[]):
        torch.random.manual_seed(seed)
        modules = _make_networks(data.shape[2], 24, 3, "gru")
    for module in modules.values():
        module.to(device)
    return cls(
        modules,
        data.to(device),
        batch_size=128,
        learning_rate=1e-3,
        gamma=1.0,
        rng=torch.Generator(device=device).manual_seed(seed),
    )


def seconds_per_step(step, n_steps, device):
    for _ in range(3):  # warm-up: allocator, kernels, Adam state
        step()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    start = time.perf_counter()
    for _ in range(n_steps):
        step()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return (time.perf_counter() - start) / n_steps


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=30, help="timed steps per phase")
    parser.add_argument("--output", default="benchmarks/results/timegan_speed.json")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    X = make_sines(10_000, random_state=0)  # (10000, 5, 24)
    data = torch.as_tensor(X.transpose(0, 2, 1), dtype=torch.float32)
    plain = make_trainer(PlainTimeGANTrainer, data, device)
    fast = make_trainer(_TimeGANTrainer, data, device)
    results = {}
    for phase in PHASES:
        # Alternate the two so that machine noise hits both alike.
        t_plain = seconds_per_step(getattr(plain, phase), args.steps, device)
        t_fast = seconds_per_step(getattr(fast, phase), args.steps, device)
        results[phase.removesuffix("_step")] = {
            "plain_seconds_per_step": t_plain,
            "sksynth_seconds_per_step": t_fast,
            "speedup": t_plain / t_fast,
        }
        print(phase, results[phase.removesuffix("_step")], flush=True)
    # The paper's schedule runs the same number of steps in each phase.
    per_round = {
        path: sum(r[f"{path}_seconds_per_step"] for r in results.values())
        for path in ("plain", "sksynth")
    }
    paper_schedule = 50_000 * per_round["sksynth"]
    report = {
        "data": "Sines 10,000 x 5 channels x 24 steps; batch 128; 3 GRU layers of 24",
        "device": str(device),
        # The machine is in the provenance; a GPU is named too.
        **(
            {"device_name": torch.cuda.get_device_name(device)}
            if device.type == "cuda"
            else {}
        ),
        **provenance(torch.get_num_threads()),
        "timed_steps_per_phase": args.steps,
        "phases": results,
        "schedule_speedup": per_round["plain"] / per_round["sksynth"],
        "estimated_paper_schedule_seconds": paper_schedule,
    }
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
