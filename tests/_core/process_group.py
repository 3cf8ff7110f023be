"""Helpers of the data-parallel tests: spawn a gloo group, compare weights."""

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

WORLD_SIZE = 2


def join_group(rank, folder):
    """Join the gloo group of the processes ``spawn_ranks`` started, one thread."""
    torch.set_num_threads(1)
    dist.init_process_group(
        "gloo",
        init_method=f"file://{folder}/rendezvous",
        rank=rank,
        world_size=WORLD_SIZE,
    )


def spawn_ranks(target, folder):
    """Run ``target(rank, folder)`` in WORLD_SIZE processes; return what each saved.

    Each rank saves its findings to ``folder/rank_{rank}.pt``.
    """
    mp.spawn(target, args=(str(folder),), nprocs=WORLD_SIZE, join=True)
    return [torch.load(folder / f"rank_{rank}.pt") for rank in range(WORLD_SIZE)]


def assert_same_weights(first, second):
    """Two dicts of weights hold the same tensors, bit for bit."""
    assert first.keys() == second.keys()
    for key in first:
        torch.testing.assert_close(first[key], second[key], rtol=0, atol=0, msg=key)
