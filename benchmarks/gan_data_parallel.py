"""Data-parallel GANSampler: training throughput for 1 and N processes.

The table of ``gan_scale.py`` (30 columns) is fitted for one epoch
(``epochs=1, min_steps=0``) by 1 and by N processes of a ``torch.distributed``
group, spawned here: gloo on the CPU with one torch thread per process, and
NCCL with one GPU per process where CUDA GPUs are present. Each process
times its own ``fit`` between two barriers; throughput is the table's rows
over the slowest process's seconds, encoding included (every process encodes
the whole table, so the encoder's seconds do not shrink with N).

Results go to ``benchmarks/results/gan_data_parallel.json`` with the commit,
machine and threads. Usage::

    python benchmarks/gan_data_parallel.py --rows 100000 --processes 1 2
"""

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from gan_scale import _timed_encoder, make_table
from provenance import provenance

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "gan_data_parallel.json"


def _rank(rank, world_size, folder, n_rows, device_type):
    from sksynth import GANSampler

    torch.set_num_threads(1)
    if device_type == "cuda":
        torch.cuda.set_device(rank)
    dist.init_process_group(
        "nccl" if device_type == "cuda" else "gloo",
        init_method=f"file://{folder}/rendezvous",
        rank=rank,
        world_size=world_size,
    )
    try:
        table = make_table(n_rows)
        encoder_seconds = _timed_encoder()
        sampler = GANSampler(epochs=1, min_steps=0, device=device_type, random_state=0)
        dist.barrier()
        start = time.perf_counter()
        sampler.fit(table)
        seconds = time.perf_counter() - start
        dist.barrier()
        Path(folder, f"rank_{rank}.json").write_text(
            json.dumps({"seconds": seconds, "encoder_seconds": encoder_seconds[0]})
        )
    finally:
        dist.destroy_process_group()


def measure(n_rows, processes, device_type):
    runs = []
    for world_size in processes:
        with tempfile.TemporaryDirectory() as folder:
            mp.spawn(
                _rank,
                args=(world_size, folder, n_rows, device_type),
                nprocs=world_size,
                join=True,
            )
            ranks = [
                json.loads(Path(folder, f"rank_{r}.json").read_text())
                for r in range(world_size)
            ]
        seconds = max(r["seconds"] for r in ranks)
        encoder = max(r["encoder_seconds"] for r in ranks)
        run = {
            "device": device_type,
            "processes": world_size,
            "rows": n_rows,
            "fit_seconds": seconds,
            "encoder_seconds": encoder,
            "rows_per_second": n_rows / seconds,
            "training_rows_per_second": n_rows / (seconds - encoder),
        }
        print(json.dumps(run), flush=True)
        runs.append(run)
    return runs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    runs = measure(args.rows, args.processes, "cpu")
    if torch.cuda.device_count() > 1:
        gpus = sorted({1, torch.cuda.device_count()})
        runs += measure(args.rows, gpus, "cuda")
    RESULTS.write_text(json.dumps({**provenance(1), "runs": runs}, indent=2) + "\n")


if __name__ == "__main__":
    main()
