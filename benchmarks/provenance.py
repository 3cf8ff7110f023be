"""Where a benchmark result came from: the code's commit."""

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
