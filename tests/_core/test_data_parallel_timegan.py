"""Data-parallel TimeGANSampler: two gloo processes on the CPU, spawned by the test."""

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import torch
import torch.distributed as dist

from sksynth import TimeGANSampler
from sksynth.datasets import make_sines
from sksynth.utils.estimator_checks import small_sampler

from .process_group import assert_same_weights, join_group, spawn_ranks

NETWORKS = ("embedder_", "recovery_", "generator_", "discriminator_")


def _sines(n=40):
    return make_sines(n, seq_len=6, n_channels=2, random_state=0)


def _sampler(**params):
    return small_sampler(TimeGANSampler, latent="sequence", n_iter=4, **params)


def _weights(sampler):
    return {
        f"{name}.{key}": value
        for name in NETWORKS
        for key, value in getattr(sampler, name).state_dict().items()
    }


def _refusal(fit):
    try:
        fit()
    except ValueError as exc:
        return str(exc)
    return None


def _fit_on_rank(rank, folder):
    """One process of the data-parallel fits; writes what it saw to ``folder``."""
    join_group(rank, folder)
    try:
        runs = []
        for _ in range(2):
            sampler = _sampler(random_state=0).fit(_sines())
            runs.append(_weights(sampler))
        if rank == 0:
            sampler.save(f"{folder}/model.sksynth")
        different = _refusal(lambda: _sampler().fit(_sines(40 + rank)))
        step = _refusal(lambda: small_sampler(TimeGANSampler).fit(_sines()))
        dist.barrier()
        torch.save(
            {"runs": runs, "different": different, "step": step},
            f"{folder}/rank_{rank}.pt",
        )
    finally:
        dist.destroy_process_group()


@pytest.fixture(scope="module")
def ranks(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data_parallel_timegan")
    return folder, spawn_ranks(_fit_on_rank, folder)


def test_both_processes_end_with_the_same_weights(ranks):
    _, (rank_0, rank_1) = ranks
    assert_same_weights(rank_0["runs"][0], rank_1["runs"][0])
    assert_same_weights(*rank_0["runs"])
    # Each process trained on its own half: not the weights of a plain fit.
    plain = _weights(_sampler(random_state=0).fit(_sines()))
    assert any(not torch.equal(v, rank_0["runs"][0][k]) for k, v in plain.items())


def test_the_saved_model_loads_and_samples(ranks):
    folder, _ = ranks
    loaded = TimeGANSampler.load(folder / "model.sksynth")
    synthetic = loaded.sample(10, random_state=0)
    assert synthetic.shape == (10, 2, 6) and np.isfinite(synthetic).all()
    np.testing.assert_array_equal(synthetic, loaded.sample(10, random_state=0))


def test_different_data_and_the_step_latent_are_refused_on_every_process(ranks):
    _, seen = ranks
    for rank in seen:  # every process raises, none hangs
        assert "different data" in rank["different"]
        assert "supports latent='sequence' only" in rank["step"]


def test_torchrun_fits_timegan_through_the_command_line(tmp_path):
    data = tmp_path / "series.csv"
    t = np.arange(60.0)
    pd.DataFrame({"a": np.sin(t / 4), "b": np.cos(t / 7)}).to_csv(data, index=False)
    model = tmp_path / "model.sksynth"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2"]
    command += ["-m", "sksynth", "fit", str(data), "--model", "timegan"]
    command += ["--seq-len", "8", "--n-iter", "3", "--n-iter-pretrain", "3"]
    command += ["--device", "cpu", "-o", str(model)]
    fitted = subprocess.run(command, capture_output=True, text=True, env=env)
    assert fitted.returncode == 0, fitted.stderr
    assert fitted.stdout.count("saved to") == 1  # rank 0 alone reports and writes
    out = tmp_path / "synthetic.csv"
    sample = [sys.executable, "-m", "sksynth", "sample", str(model), "-n", "5"]
    sampled = subprocess.run(
        [*sample, "-o", str(out)], capture_output=True, text=True, env=env
    )
    assert sampled.returncode == 0, sampled.stderr
    assert len(pd.read_csv(out)) == 5 * 8
