"""Data-parallel training over the processes of a ``torch.distributed`` group.

When ``GANSampler.fit`` runs in every process of an initialized process group
of more than one process (as under ``torchrun``), each process trains on its
own shard of the rows and gradients are averaged before every optimizer step,
so all processes hold the same weights throughout. The launcher owns the
process group: :func:`init_from_environment` starts one from the variables
``torchrun`` sets, and the estimators only use a group that exists.
"""

import datetime
import os
import sys

import numpy as np
import torch
import torch.distributed as dist

from .training import Callback

# The variables besides WORLD_SIZE that a process of a group needs.
_GROUP_VARIABLES = ("RANK", "MASTER_ADDR", "MASTER_PORT")
# How long the processes of a group started without torchrun wait for each
# other before giving up.
RENDEZVOUS_SECONDS = 300


class DataParallel:
    """The process group of one data-parallel fit, and what it shares.

    Parameters
    ----------
    device : torch.device
        The device this process trains on; collectives run on it (NCCL needs
        CUDA tensors, gloo takes CPU ones).
    """

    def __init__(self, device):
        self.rank = dist.get_rank()
        self.world_size = dist.get_world_size()
        self.device = device

    @classmethod
    def current(cls, device):
        """The running group, or None outside one or in a group of one."""
        if not (dist.is_available() and dist.is_initialized()):
            return None
        if dist.get_world_size() == 1:
            return None
        return cls(device)

    @property
    def is_main(self):
        """Whether this process reports progress and writes files (rank 0)."""
        return self.rank == 0

    def common_seed(self, seed):
        """Rank 0's seed, on every process: the encoder and initial weights."""
        value = torch.tensor([seed], dtype=torch.int64, device=self.device)
        dist.broadcast(value, src=0)
        return int(value.item())

    def rank_seed(self, seed):
        """This process's own seed for its batches and noise, from the common one.

        Rank 0 keeps ``seed``; the others draw theirs from ``(seed, rank)``.
        """
        if self.is_main:
            return seed
        return int(np.random.SeedSequence([seed, self.rank]).generate_state(1)[0])

    def shard(self, n_rows):
        """The rows this process trains on: every ``world_size``-th one."""
        return np.arange(self.rank, n_rows, self.world_size)

    def rows_per_process(self, n_rows):
        """Rows of the smallest shard: every process runs as many steps."""
        return n_rows // self.world_size

    def check_same(self, values, what):
        """Raise on every process unless all processes hold the same ``values``.

        ``values`` are integers describing the data (rows, columns, encoded
        width); a process fitted on other data than its peers would otherwise
        train a model of nothing in particular, or hang in a collective.
        """
        local = torch.tensor(values, dtype=torch.int64, device=self.device)
        gathered = [torch.empty_like(local) for _ in range(self.world_size)]
        dist.all_gather(gathered, local)
        if any(not torch.equal(other, local) for other in gathered):
            seen = [other.tolist() for other in gathered]
            raise ValueError(
                f"Data-parallel fit: the {self.world_size} processes were given "
                f"different data ({what} per rank: {seen}); give every process "
                "the same table."
            )

    def average_gradients(self, optimizer):
        """Average ``optimizer``'s gradients over the processes before each step.

        Gradients are flattened into one buffer, so a step costs one
        all-reduce whatever the number of parameter tensors.
        """

        def hook(optimizer, args, kwargs):
            grads = [
                p.grad
                for group in optimizer.param_groups
                for p in group["params"]
                if p.grad is not None
            ]
            flat = torch.cat([g.reshape(-1) for g in grads])
            dist.all_reduce(flat)
            flat /= self.world_size
            offset = 0
            for g in grads:
                g.copy_(flat[offset : offset + g.numel()].view_as(g))
                offset += g.numel()

        optimizer.register_step_pre_hook(hook)

    def average_buffers(self, module):
        """Average ``module``'s floating-point buffers (BatchNorm statistics).

        Each process normalizes its own batches, so running statistics differ
        between processes; their mean is what every process keeps.
        """
        for buffer in module.buffers():
            if buffer.is_floating_point():
                dist.all_reduce(buffer)
                buffer /= self.world_size


class AverageOverProcesses(Callback):
    """Keep the networks of a data-parallel fit the same on every process.

    Averages the gradients of ``optimizers`` before each of their steps and,
    when training ends, the floating-point buffers of the loop's networks.

    Parameters
    ----------
    group : DataParallel
        The process group.
    optimizers : list of torch.optim.Optimizer
        The optimizers of the training steps.
    """

    def __init__(self, group, optimizers):
        self.group = group
        self.optimizers = list(optimizers)

    def on_train_begin(self, loop):
        for optimizer in self.optimizers:
            self.group.average_gradients(optimizer)

    def on_train_end(self, loop):
        for network in loop.networks.values():
            self.group.average_buffers(network)


def world_size_from_environment():
    """The ``WORLD_SIZE`` a launcher such as ``torchrun`` set; 1 where unset."""
    if "WORLD_SIZE" not in os.environ:
        return 1
    world_size = _integer_variable("WORLD_SIZE")
    if world_size < 1:
        raise ValueError(
            f"The environment variable WORLD_SIZE must be a positive integer, "
            f"got {world_size}. Unset it to train in one process."
        )
    return world_size


def _integer_variable(name):
    text = os.environ[name]
    try:
        return int(text)
    except ValueError:
        raise ValueError(
            f"The environment variable {name} must be an integer, as torchrun "
            f"sets it; got {text!r}."
        ) from None


def init_from_environment(device):
    """Start the process group that ``torchrun`` describes, if there is one.

    Reads ``WORLD_SIZE``, ``RANK``, ``MASTER_ADDR`` and ``MASTER_PORT``. NCCL
    is used for CUDA devices, gloo otherwise; under NCCL each process takes the
    GPU ``LOCAL_RANK``. Outside ``torchrun``, which starts every process
    itself, the processes must all join within :data:`RENDEZVOUS_SECONDS`.

    Returns
    -------
    started : bool
        Whether a group was started here (the caller then ends it with
        ``torch.distributed.destroy_process_group``).

    Raises
    ------
    ValueError
        If ``WORLD_SIZE`` asks for several processes but the other variables
        are missing, or the build of PyTorch has no ``torch.distributed``.
    TimeoutError
        If the other processes do not join in time.
    """
    world_size = world_size_from_environment()
    if world_size <= 1 or dist.is_initialized():
        return False
    if not dist.is_available():
        raise ValueError(
            "WORLD_SIZE is set, but this build of PyTorch has no torch.distributed."
        )
    missing = [name for name in _GROUP_VARIABLES if not os.environ.get(name)]
    if missing:
        raise ValueError(
            f"WORLD_SIZE={world_size} asks for data-parallel training over "
            f"{world_size} processes, but {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not set, as torchrun sets "
            "them. Start the job with torchrun, or unset WORLD_SIZE to train in "
            "one process."
        )
    backend = "gloo"
    if device.type == "cuda":
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
        backend = "nccl"
    if os.environ.get("TORCHELASTIC_RUN_ID"):
        # torchrun started every process and serves the rendezvous itself.
        dist.init_process_group(backend)
    else:
        rank = _integer_variable("RANK")
        store = _rendezvous(world_size, rank)
        dist.init_process_group(backend, store=store, rank=rank, world_size=world_size)
    return True


def _rendezvous(world_size, rank):
    """The store through which the processes of the group find each other."""
    host, port = os.environ["MASTER_ADDR"], _integer_variable("MASTER_PORT")
    print(
        f"Rank {rank} of WORLD_SIZE={world_size}: waiting up to "
        f"{RENDEZVOUS_SECONDS} s for the other processes at {host}:{port}.",
        file=sys.stderr,
        flush=True,
    )
    try:
        return dist.TCPStore(
            host,
            port,
            world_size,
            is_master=rank == 0,
            timeout=datetime.timedelta(seconds=RENDEZVOUS_SECONDS),
        )
    except RuntimeError as exc:  # torch.distributed.DistError and others
        raise TimeoutError(
            f"WORLD_SIZE={world_size}, RANK={rank}: the {world_size} processes "
            f"could not all meet at MASTER_ADDR={host}, MASTER_PORT={port} within "
            f"{RENDEZVOUS_SECONDS} s ({_first_line(exc)}). Start every process "
            "(torchrun does), or unset WORLD_SIZE to train in one process."
        ) from None


def _first_line(exc):
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def is_main_process():
    """Whether this process is rank 0 of the running group, or runs alone."""
    return not (dist.is_available() and dist.is_initialized()) or dist.get_rank() == 0
