"""Loss history, progress bars and divergence checks of a training run."""

import math
import time

from tqdm.auto import tqdm

from .training import Callback


class TrainingLog(Callback):
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
        self._bar = None
        self._start = None

    def on_phase_begin(self, loop, phase):
        self._bar = tqdm(
            total=phase.n_steps, desc=phase.name, disable=self.verbose < 1, leave=True
        )
        self._start = time.perf_counter()

    def on_step_end(self, loop, phase, step, losses):
        """Store a history row every ``log_every`` steps; raise on a NaN loss.

        ``losses`` is a dict of scalar loss tensors or floats.
        """
        self._bar.update(1)
        if (step + 1) % self.log_every and step + 1 != phase.n_steps:
            return
        row = {name: float(value) for name, value in losses.items()}
        for name, value in row.items():
            if not math.isfinite(value):
                raise FloatingPointError(
                    f"Training diverged: loss {name!r} became {value} at step "
                    f"{step + 1} of phase {phase.name!r}. Try a lower learning_rate."
                )
        self.history.append({"phase": phase.name, "step": step + 1, **row})
        self._bar.set_postfix({k: f"{v:.4g}" for k, v in row.items()}, refresh=False)
        if self.verbose >= 2:
            losses_text = " ".join(f"{k}={v:.5g}" for k, v in row.items())
            tqdm.write(f"[{phase.name}] step {step + 1}/{phase.n_steps} {losses_text}")

    def on_phase_end(self, loop, phase):
        self._bar.close()
        self.phase_seconds[phase.name] = time.perf_counter() - self._start
