"""Loss history, progress bars and divergence checks of a training run."""

import math
import time
from contextlib import contextmanager

from tqdm.auto import tqdm


class TrainingLog:
    """Loss history, progress bars and divergence checks of a training run.

    Parameters
    ----------
    verbose : int
        0 silent, 1 a progress bar per phase, 2 also one printed line per
        logged step.
    log_every : int
        Losses are recorded (and checked for NaN) every ``log_every`` steps and
        at the last step of each phase.

    Attributes
    ----------
    history : list of dict
        One row per recorded step: phase, step and the losses.
    phase_seconds : dict
        Wall-clock seconds of each completed phase.
    """

    def __init__(self, verbose, log_every=10):
        self.verbose = verbose
        self.log_every = log_every
        self.history = []
        self.phase_seconds = {}

    @contextmanager
    def phase(self, name, n_steps):
        """Open a progress bar for one training phase; yields a ``record`` callback.

        ``record(step, losses)`` takes the 0-based step and a dict of scalar loss
        tensors or floats; it stores a history row every ``log_every`` steps.
        """
        bar = tqdm(total=n_steps, desc=name, disable=self.verbose < 1, leave=True)
        start = time.perf_counter()

        def record(step, losses):
            bar.update(1)
            if (step + 1) % self.log_every and step + 1 != n_steps:
                return
            row = {name_: float(value) for name_, value in losses.items()}
            for loss_name, value in row.items():
                if not math.isfinite(value):
                    raise FloatingPointError(
                        f"Training diverged: loss {loss_name!r} became {value} "
                        f"at step {step + 1} of phase {name!r}. Try a lower "
                        "learning_rate."
                    )
            self.history.append({"phase": name, "step": step + 1, **row})
            bar.set_postfix({k: f"{v:.4g}" for k, v in row.items()}, refresh=False)
            if self.verbose >= 2:
                losses_text = " ".join(f"{k}={v:.5g}" for k, v in row.items())
                tqdm.write(f"[{name}] step {step + 1}/{n_steps} {losses_text}")

        try:
            yield record
        finally:
            bar.close()
        self.phase_seconds[name] = time.perf_counter() - start
