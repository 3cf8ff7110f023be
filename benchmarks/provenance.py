"""Where a benchmark result came from: commit, machine and threads."""

import os
import platform
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def git_commit():
    """The checked-out commit of this repository, or None outside a git clone.

    A result records the commit it ran on; a working tree with uncommitted
    changes is flagged by a ``+dirty`` suffix.
    """
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changes = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return commit + ("+dirty" if changes else "")


def machine():
    """The processor, its widest matrix or vector instructions, and CPU count.

    Matrix-product speed, and so any ceiling a benchmark derives from it,
    depends on those instructions (AVX2, AVX-512, AMX), which differ between
    machines of the same architecture.
    """
    model, flags = platform.machine(), set()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                key, _, value = line.partition(":")
                if key.strip() == "model name":
                    model = f"{value.strip()} ({platform.machine()})"
                elif key.strip() == "flags":
                    flags = set(value.split())
                if flags and model != platform.machine():
                    break
    except OSError:
        pass
    names = [("amx_bf16", "AMX"), ("avx512f", "AVX-512"), ("avx2", "AVX2")]
    widest = next((name for flag, name in names if flag in flags), None)
    described = model if widest is None else f"{model}, {widest}"
    return f"{described}, {os.cpu_count()} CPUs"


def provenance(threads):
    """What every benchmark result records: commit, machine and threads.

    ``threads`` is the torch intra-op thread count the result ran with.
    """
    import torch

    return {
        "commit": git_commit(),
        "machine": machine(),
        "threads": threads,
        "python": platform.python_version(),
        "torch": torch.__version__,
    }


def describe(*records):
    """The machine, threads and commit of one or more results, in words.

    Each record holds the keys of `provenance` (at its top level); a key that
    a result lacks, one written before it was recorded, reads "not recorded".
    Distinct values across the records are listed, sorted.
    """

    def listed(key, show=str):
        shown = sorted({show(r[key]) for r in records if r.get(key) is not None})
        if any(r.get(key) is None for r in records):
            shown.append("not recorded")
        return shown

    def short(commit):
        dirty = "+dirty" if commit.endswith("+dirty") else ""
        return f"`{commit.removesuffix('+dirty')[:10]}{dirty}`"

    commits = listed("commit", short)
    return (
        f"Machine: {' / '.join(listed('machine'))}; "
        f"torch threads: {', '.join(listed('threads'))}; "
        f"{'commits' if len(commits) > 1 else 'commit'} {', '.join(commits)}"
    )
