"""Load crafted model files under an address-space limit; print what each cost.

Run in a subprocess by ``test_model_file.py`` (and by hand, to measure):
``python refusal_probe.py VALID_MODEL HEADROOM_BYTES CRAFTED_JSON``, where
``CRAFTED_JSON`` maps each kind of crafted file to its path. After a warm-up
load of ``VALID_MODEL``, the address space may grow by ``HEADROOM_BYTES`` at
most; each load's outcome, seconds and peak resident memory above the
memory before it are printed as one JSON object.
"""

import json
import resource
import sys
import time

import torch

from sksynth import BaseSampler


def _status(field):
    """A field of /proc/self/status, in bytes."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def _reset_peak():
    """Reset VmHWM to the current resident memory; False where not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def _outcome(path):
    try:
        BaseSampler.load(path)
    except ValueError as exc:
        return "refused" if path in str(exc) else f"ValueError without the path: {exc}"
    except BaseException as exc:  # MemoryError, RecursionError, allocator errors
        return f"{type(exc).__name__}: {exc}"
    return "loaded"


def main(valid, headroom, crafted):
    torch.set_num_threads(1)
    # Imports, thread pools and allocator arenas that any load sets up.
    BaseSampler.load(valid).sample(5, random_state=0)
    limit = _status("VmSize") + headroom
    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.RLIM_INFINITY))
    results = {}
    for kind, path in crafted.items():
        peak_known = _reset_peak()
        before = _status("VmRSS")
        start = time.perf_counter()
        outcome = _outcome(path)
        results[kind] = {
            "outcome": outcome,
            "seconds": time.perf_counter() - start,
            "peak_bytes": _status("VmHWM") - before if peak_known else None,
        }
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]))
