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
    """The processor, architecture and CPU count, in words."""
    processor = platform.processor() or platform.machine()
    return f"{processor}, {os.cpu_count()} CPUs"


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
