"""Data-parallel training over the processes of a ``torch.distributed`` group.

When ``GANSampler.fit`` runs in every process of an initialized process group
of more than one process (as under ``torchrun``), each process trains on its
own shard of the rows and gradients are averaged before every optimizer step,
so all processes hold the same weights throughout. The launcher owns the
process group: :func:`init_from_environment` starts one from the variables
``torchrun`` sets, and the estimators only use a group that exists.
"""

import os

import numpy as np
import torch
import torch.distributed as dist

from .training import Callback


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


def init_from_environment(device):
    """Start the process group that ``torchrun`` describes, if there is one.

    Reads ``WORLD_SIZE`` (and, through ``init_process_group``, ``RANK``,
    ``MASTER_ADDR`` and ``MASTER_PORT``). NCCL is used for CUDA devices, gloo
    otherwise; under NCCL each process takes the GPU ``LOCAL_RANK``.

    Returns
    -------
    started : bool
        Whether a group was started here (the caller then ends it with
        ``torch.distributed.destroy_process_group``).
    """
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1 or dist.is_initialized():
        return False
    if not dist.is_available():
        raise ValueError(
            "WORLD_SIZE is set, but this build of PyTorch has no torch.distributed."
        )
    backend = "gloo"
    if device.type == "cuda":
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
        backend = "nccl"
    dist.init_process_group(backend)
    return True


def is_main_process():
    """Whether this process is rank 0 of the running group, or runs alone."""
    return not (dist.is_available() and dist.is_initialized()) or dist.get_rank() == 0
