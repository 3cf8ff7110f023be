"""Data-parallel GANSampler: two gloo processes on the CPU, spawned by the test."""

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import torch
import torch.distributed as dist

from sksynth import GANSampler
from sksynth.utils.estimator_checks import assert_same_samples, small_sampler

from .process_group import assert_same_weights, join_group, spawn_ranks


def _table(n_rows=120):
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "x": rng.normal(size=n_rows),
            "colour": rng.choice(["red", "green", "blue"], n_rows),
        }
    )


def _weights(sampler):
    return {
        f"{name}.{key}": value
        for name in ("generator_", "discriminator_")
        for key, value in getattr(sampler, name).state_dict().items()
    }


def _fit_on_rank(rank, folder):
    """One process of the data-parallel fits; writes what it saw to ``folder``.

    Two fits with the same seed, then one where rank 1 has a row less, all in
    one process group: spawning processes costs far more than these fits.
    """
    join_group(rank, folder)
    try:
        runs = []
        for _ in range(2):
            sampler = small_sampler(GANSampler, epochs=2, random_state=0).fit(_table())
            runs.append(_weights(sampler))
        if rank == 0:
            sampler.save(f"{folder}/model.sksynth")
        try:
            small_sampler(GANSampler, epochs=2).fit(_table(120 - rank))
            error = None
        except ValueError as exc:
            error = str(exc)
        try:
            small_sampler(GANSampler, early_stopping=True).fit(_table())
            early_stopping_error = None
        except ValueError as exc:
            early_stopping_error = str(exc)
        # One process alone, its peer idle: no collective may wait on the peer.
        alone = None
        if rank == 0:
            alone = _weights(
                small_sampler(GANSampler, data_parallel=False).fit(_table())
            )
        dist.barrier()
        torch.save(
            {
                "runs": runs,
                "error": error,
                "early_stopping_error": early_stopping_error,
                "alone": alone,
            },
            f"{folder}/rank_{rank}.pt",
        )
    finally:
        dist.destroy_process_group()


@pytest.fixture(scope="module")
def ranks(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data_parallel")
    return folder, spawn_ranks(_fit_on_rank, folder)


def test_both_processes_end_with_the_same_weights(ranks):
    _, (rank_0, rank_1) = ranks
    assert_same_weights(rank_0["runs"][0], rank_1["runs"][0])
    # Training moved them: they are not the initial weights of a plain fit.
    untrained = _weights(
        small_sampler(GANSampler, epochs=1, random_state=0).fit(_table())
    )
    assert any(
        not torch.equal(value, rank_0["runs"][0][key])
        for key, value in untrained.items()
    )


def test_the_same_seed_gives_the_same_weights_twice(ranks):
    _, (rank_0, _) = ranks
    assert_same_weights(*rank_0["runs"])


def test_the_saved_model_loads_and_samples_like_a_plain_fit(ranks):
    folder, _ = ranks
    loaded = GANSampler.load(folder / "model.sksynth")
    plain = small_sampler(GANSampler, epochs=2, random_state=0).fit(_table())
    assert set(vars(loaded)) == set(vars(plain))
    synth = loaded.sample(50, random_state=0)
    assert list(synth.columns) == ["x", "colour"]
    assert set(synth["colour"]) <= {"red", "green", "blue"}
    assert_same_samples(synth, loaded.sample(50, random_state=0))


def test_data_parallel_false_fits_alone_inside_a_group(ranks):
    _, (rank_0, _) = ranks
    plain = _weights(small_sampler(GANSampler).fit(_table()))
    assert_same_weights(rank_0["alone"], plain)


def test_processes_given_different_tables_fail_clearly(ranks):
    _, seen = ranks
    for rank in seen:  # every process raises, none hangs
        assert "different data" in rank["error"]
        assert "[[120, 2," in rank["error"] and "[119, 2," in rank["error"]


def test_early_stopping_is_refused_on_every_process(ranks):
    _, seen = ranks
    for rank in seen:
        assert (
            "early_stopping=True does not train data-parallel"
            in (rank["early_stopping_error"])
        )


def _torchrun_fit_and_sample(folder, device):
    data = folder / "table.csv"
    _table().to_csv(data, index=False)
    model = folder / "model.sksynth"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2"]
    command += ["-m", "sksynth", "fit", str(data), "--model", "gan"]
    command += ["--epochs", "1", "--device", device, "-o", str(model)]
    fitted = subprocess.run(command, capture_output=True, text=True, env=env)
    assert fitted.returncode == 0, fitted.stderr
    assert fitted.stdout.count("saved to") == 1  # rank 0 alone reports and writes
    out = folder / "synthetic.csv"
    sample = [sys.executable, "-m", "sksynth", "sample", str(model), "-n", "20"]
    sampled = subprocess.run(
        [*sample, "-o", str(out)], capture_output=True, text=True, env=env
    )
    assert sampled.returncode == 0, sampled.stderr
    assert len(pd.read_csv(out)) == 20


def test_torchrun_fits_through_the_command_line(tmp_path):
    _torchrun_fit_and_sample(tmp_path, "cpu")


@pytest.mark.skipif(torch.cuda.device_count() < 2, reason="needs two CUDA GPUs")
def test_torchrun_fits_on_two_gpus_with_nccl(tmp_path):
    _torchrun_fit_and_sample(tmp_path, "cuda")


def test_torchrun_refuses_the_published_timegan(tmp_path, monkeypatch, capsys):
    from sksynth._cli import main

    data = tmp_path / "series.csv"
    pd.DataFrame({"a": np.arange(40.0)}).to_csv(data, index=False)
    monkeypatch.setenv("WORLD_SIZE", "2")  # as torchrun sets it
    with pytest.raises(SystemExit):
        main(
            ["fit", str(data), "--model", "timegan", "--seq-len", "4"]
            + ["--preset", "timegan-2019", "--device", "cpu"]
            + ["-o", str(tmp_path / "model")]
        )
    assert "not --preset timegan-2019" in capsys.readouterr().err
