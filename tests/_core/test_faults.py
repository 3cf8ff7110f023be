"""Saves and CLI outputs under faults: a kill, Ctrl-C, a full disk, a refused
permission, concurrent writers, an output that is an input. The file written
over holds its old contents or the new ones, never a damaged mix."""

import errno
import os
import select
import signal
import sys
import threading
import time

import numpy as np
import pandas as pd
import pytest

from sksynth import BaseSampler, GANSampler
from sksynth._cli import main
from sksynth._core import model_file, output_files
from sksynth.utils.estimator_checks import assert_same_samples, small_sampler


@pytest.fixture(scope="module")
def samplers():
    """Two fitted samplers that sample differently."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=60), "c": rng.choice(["a", "b"], 60)})
    return [
        small_sampler(GANSampler).set_params(random_state=seed).fit(frame)
        for seed in (0, 1)
    ]


@pytest.fixture
def saved(samplers, tmp_path):
    """The path of a model file holding the first sampler."""
    path = tmp_path / "model.sksynth"
    samplers[0].save(path)
    return path


def _holds(path, sampler):
    """Whether the model file ``path`` loads and samples as ``sampler`` does."""
    try:
        assert_same_samples(
            sampler.sample(20, random_state=0),
            BaseSampler.load(path).sample(20, random_state=0),
        )
    except AssertionError:
        return False
    return True


def _leftovers(folder):
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


# --------------------------------------------------------------------------
# SIGKILL during save, in a forked process
# --------------------------------------------------------------------------


def _pause_at(report):
    """A writer step that reports through the pipe ``report``, then sleeps."""

    def pause(*args, **kwargs):
        os.write(report, b"paused")
        time.sleep(60)

    return pause


def _fork(work):
    """Run ``work()`` in a forked child; returns its pid."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            work()
        finally:
            os._exit(0)
    return pid


def _kill(pid):
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks")
@pytest.mark.parametrize("point", ["manifest", "first-array", "digest", "rename"])
def test_a_save_killed_at_any_point_leaves_the_old_file(
    samplers, saved, monkeypatch, point
):
    read_end, write_end = os.pipe()
    pause = _pause_at(write_end)
    if point == "rename":
        monkeypatch.setattr(output_files.os, "replace", pause)
    else:
        n_entries = {"manifest": 0, "first-array": 1, "digest": None}[point]
        written = []
        original = model_file._write_entry

        def write_entry(archive, name, data):
            is_digest = name == model_file.DIGEST and n_entries is None
            if is_digest or len(written) == n_entries:
                pause()
            written.append(name)
            original(archive, name, data)

        monkeypatch.setattr(model_file, "_write_entry", write_entry)
    pid = _fork(lambda: samplers[1].save(saved))
    try:
        ready, _, _ = select.select([read_end], [], [], 30)
        assert ready, f"the save never reached {point}"
        assert os.read(read_end, 6) == b"paused"
    finally:
        _kill(pid)
    monkeypatch.undo()
    assert _holds(saved, samplers[0])
    # The killed writer's temporary file stays, beside an intact model file.
    assert len(_leftovers(saved.parent)) == 1


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks")
def test_saves_killed_after_any_delay_leave_a_whole_file(samplers, saved):
    def save_forever():
        while True:
            for sampler in samplers:
                sampler.save(saved)

    for delay in (0.0, 0.001, 0.003, 0.01, 0.03, 0.1):
        pid = _fork(save_forever)
        time.sleep(delay)
        _kill(pid)
        assert _holds(saved, samplers[0]) or _holds(saved, samplers[1]), delay


# --------------------------------------------------------------------------
# Ctrl-C, a full disk, a refused permission
# --------------------------------------------------------------------------


def _failing_entry(exception, at=1):
    original, written = model_file._write_entry, []

    def write_entry(archive, name, data):
        if len(written) == at:
            raise exception
        written.append(name)
        original(archive, name, data)

    return write_entry


def test_ctrl_c_during_save_leaves_the_old_file(samplers, saved, monkeypatch):
    monkeypatch.setattr(model_file, "_write_entry", _failing_entry(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        samplers[1].save(saved)
    monkeypatch.undo()
    assert _holds(saved, samplers[0])
    assert _leftovers(saved.parent) == []


@pytest.mark.parametrize("where", ["write", "fsync"])
def test_a_full_disk_is_named_and_leaves_the_old_file(
    samplers, saved, monkeypatch, where
):
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    if where == "write":
        monkeypatch.setattr(model_file, "_write_entry", _failing_entry(full))
    else:

        def fsync(descriptor):
            raise full

        monkeypatch.setattr(output_files.os, "fsync", fsync)
    with pytest.raises(OSError) as info:
        samplers[1].save(saved)
    monkeypatch.undo()
    assert info.value.errno == errno.ENOSPC
    assert "no space left" in str(info.value) and str(saved) in str(info.value)
    assert _holds(saved, samplers[0])
    assert _leftovers(saved.parent) == []


def test_a_refused_permission_is_named_and_leaves_the_old_file(
    samplers, saved, monkeypatch
):
    def refuse(path, *args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)

    monkeypatch.setattr(output_files.os, "open", refuse)
    with pytest.raises(PermissionError, match="permission denied") as info:
        samplers[1].save(saved)
    monkeypatch.undo()
    assert str(saved) in str(info.value)
    assert _holds(saved, samplers[0])


def test_a_save_keeps_the_mode_of_the_file_it_replaces(samplers, saved):
    saved.chmod(0o640)
    samplers[1].save(saved)
    assert saved.stat().st_mode & 0o777 == 0o640
    assert _holds(saved, samplers[1])


def test_a_save_through_a_symbolic_link_replaces_its_target(samplers, saved):
    link = saved.with_name("link.sksynth")
    link.symlink_to(saved.name)
    samplers[1].save(link)
    assert link.is_symlink()
    assert _holds(saved, samplers[1])


# --------------------------------------------------------------------------
# Concurrent saves to one path
# --------------------------------------------------------------------------


def test_concurrent_saves_to_one_path_leave_one_whole_file(samplers, saved):
    errors = []

    def save(sampler):
        try:
            for _ in range(5):
                sampler.save(saved)
        except Exception as exc:  # reported below
            errors.append(exc)

    for _ in range(3):
        threads = [threading.Thread(target=save, args=(s,)) for s in samplers * 3]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert _holds(saved, samplers[0]) or _holds(saved, samplers[1])
    assert _leftovers(saved.parent) == []


# --------------------------------------------------------------------------
# The command: outputs that are inputs, interrupted and failed writes
# --------------------------------------------------------------------------


def _run_failing(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code not in (0, None)
    return capsys.readouterr().err


@pytest.fixture
def data_csv(tmp_path):
    path = tmp_path / "data.csv"
    pd.DataFrame({"x": np.arange(40.0), "c": ["a", "b"] * 20}).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("spelling", ["same", "relative", "link"])
def test_fit_refuses_to_write_its_model_over_its_data(
    data_csv, capsys, monkeypatch, spelling
):
    monkeypatch.chdir(data_csv.parent)
    output = {"same": str(data_csv), "relative": "./data.csv", "link": "link.csv"}
    if spelling == "link":
        (data_csv.parent / "link.csv").symlink_to(data_csv)
    before = data_csv.read_bytes()
    err = _run_failing(
        ["fit", str(data_csv), "--model", "gan", "--epochs", "1"]
        + ["-o", output[spelling]],
        capsys,
    )
    assert "is the input" in err and "another file" in err
    assert data_csv.read_bytes() == before


def test_sample_refuses_to_write_over_its_model(samplers, tmp_path, capsys):
    model = tmp_path / "model.csv"  # a model file may have any name
    samplers[0].save(model)
    before = model.read_bytes()
    err = _run_failing(["sample", str(model), "-n", "5", "-o", str(model)], capsys)
    assert "is the input" in err
    assert model.read_bytes() == before


def test_evaluate_refuses_a_report_over_its_inputs(data_csv, capsys):
    scores = data_csv.with_name("scores.csv")
    scores.write_bytes(data_csv.read_bytes())
    err = _run_failing(
        ["evaluate", str(scores), str(data_csv), "--report", str(data_csv.parent)],
        capsys,
    )
    assert "is the input" in err


@pytest.mark.parametrize(
    ("fault", "code", "message"),
    [
        (KeyboardInterrupt(), 130, "interrupted"),
        (OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), 1, "no space left"),
    ],
    ids=["ctrl-c", "full-disk"],
)
def test_sample_interrupted_while_writing_leaves_the_old_csv(
    samplers, tmp_path, capsys, monkeypatch, fault, code, message
):
    model = tmp_path / "model.sksynth"
    samplers[0].save(model)
    out = tmp_path / "synth.csv"
    out.write_text("the,old\n1,2\n")

    def write_half_then_fail(frame, file, **kwargs):
        file.write(b"half,a,file\n")
        raise fault

    monkeypatch.setattr(pd.DataFrame, "to_csv", write_half_then_fail)
    with pytest.raises(SystemExit) as exit_info:
        main(["sample", str(model), "-n", "50", "-o", str(out)])
    assert exit_info.value.code == code
    assert message in capsys.readouterr().err
    assert out.read_text() == "the,old\n1,2\n"
    assert _leftovers(tmp_path) == []
