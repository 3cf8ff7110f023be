"""Seeding torch from a ``random_state`` without touching global random state."""

import numbers
import threading
from contextlib import contextmanager

import numpy as np
import torch
from sklearn.utils import check_random_state


def seed_from_random_state(random_state):
    """Draw a torch seed from a ``random_state`` parameter.

    ``None`` gives a fresh seed from the operating system's entropy (so the
    global NumPy state is not consumed), an int is used as is, and a
    ``RandomState`` or ``Generator`` instance is drawn from.
    """
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    if isinstance(random_state, numbers.Integral):
        return int(random_state)
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**32 - 1))
    try:
        random_state = check_random_state(random_state)
    except ValueError:
        raise ValueError(
            "random_state must be None, an int, or a numpy RandomState or "
            f"Generator, got {random_state!r}."
        ) from None
    return int(random_state.randint(2**32 - 1))


# Held while torch's process-global generators are seeded and drawn from.
_GLOBAL_GENERATORS_LOCK = threading.RLock()


@contextmanager
def seeded_torch(seed, device):
    """Seed torch's default generators for a block, restoring them afterwards.

    Module initialisation and dropout draw from torch's global generators; this
    forks the CPU generator and the one of ``device`` (``torch.random.fork_rng``)
    and seeds only those, so that seeding a fit leaves the caller's random state
    exactly as it was.

    The generators are global to the process, so the block holds a process-wide
    lock: two threads (joblib's threading backend) seeding them at once would
    draw from each other's streams and restore each other's states.
    """
    with _GLOBAL_GENERATORS_LOCK:
        with _forked_and_seeded(seed, device):
            yield


@contextmanager
def _forked_and_seeded(seed, device):
    if device.type == "mps":
        fork = torch.random.fork_rng(device_type="mps")
    else:
        fork = torch.random.fork_rng(
            devices=[device.index] if device.type == "cuda" else []
        )
    with fork:
        seed_global_generators(seed, device)
        yield


def seed_global_generators(seed, device):
    """Seed torch's CPU generator and the one of ``device``.

    Call it only inside :func:`seeded_torch`, which restores them afterwards.
    """
    torch.default_generator.manual_seed(seed)
    if device.type == "cuda":
        with torch.cuda.device(device):
            torch.cuda.manual_seed(seed)
    elif device.type == "mps":
        torch.mps.manual_seed(seed)
