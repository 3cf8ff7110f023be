"""How much memory a request would take, checked before it is allocated."""

import os

try:
    import resource
except ImportError:  # Windows
    resource = None


def _system_memory():
    """Bytes of memory the system has available, or None if unknown."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def _address_space_left():
    """Bytes left under this process's address-space limit, or None if unlimited."""
    if resource is None:
        return None
    limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    if limit == resource.RLIM_INFINITY:
        return None
    try:
        with open("/proc/self/statm") as statm:
            used = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return limit
    return max(0, limit - used)


def _available_memory():
    """Bytes available to a new allocation, or None if unknown.

    The smaller of the system's available memory and what is left under the
    process's address-space limit (``ulimit -v``), where one is set.
    """
    known = [m for m in (_system_memory(), _address_space_left()) if m is not None]
    return min(known) if known else None


def check_sample_memory(n_samples, bytes_per_sample):
    """Refuse at once a request whose output cannot fit in memory."""
    available = _available_memory()
    needed = n_samples * bytes_per_sample
    if available is None or needed <= available:
        return
    fitting = max(1, available // bytes_per_sample // 2)
    raise ValueError(
        f"n_samples={n_samples} would need about {needed / 2**30:,.1f} GiB of "
        f"memory, more than the {available / 2**30:,.1f} GiB available; sample "
        f"in parts of at most about {fitting:,} samples per call."
    )
