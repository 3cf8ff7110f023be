"""The training loop every sampler runs: phases of steps, and callbacks.

A sampler describes its training as :class:`Phase` objects (a name, a number
of steps and a function that runs one step and returns its losses) and hands
them to a :class:`TrainingLoop` with its callbacks. The loop runs the steps
and tells each callback what happened; everything beyond the steps is a
callback: the loss history and progress bars, weight averaging, early
stopping, gradient averaging over processes. A new training option is then one
callback, not a branch in each sampler's ``fit``.
"""

from collections.abc import Callable
from typing import NamedTuple


class Phase(NamedTuple):
    """A training phase: ``n_steps`` calls of ``step``, which returns its losses."""

    name: str
    n_steps: int
    step: Callable[[], dict]


class Callback:
    """Something a training run does beside its steps; every hook is optional.

    Each hook receives the :class:`TrainingLoop` first, whose ``networks``
    are the networks to sample from.
    """

    def on_train_begin(self, loop):
        """Before the first step."""

    def on_phase_begin(self, loop, phase):
        """Before the first step of ``phase``."""

    def on_step_end(self, loop, phase, step, losses):
        """After step ``step`` (0-based) of ``phase``; return True to stop training."""

    def on_phase_end(self, loop, phase):
        """After ``phase``, also when one of its steps raised."""

    def on_train_end(self, loop):
        """After the last step, unless a step raised."""


class TrainingLoop:
    """Run phases of training steps and notify callbacks.

    Parameters
    ----------
    networks : dict of str to torch.nn.Module
        The networks to sample from after training, by fitted-attribute name.
        Callbacks may replace them (weight averaging puts its averages here)
        or change their weights (early stopping restores the best round's).
    callbacks : list of Callback
        Notified in this order at every hook.

    Attributes
    ----------
    phases : list of Phase
        The phases of the current run.
    steps_run : dict of str to int
        Steps run in each phase so far.
    """

    def __init__(self, networks, callbacks=()):
        self.networks = dict(networks)
        self.callbacks = list(callbacks)
        self.phases = []
        self.steps_run = {}

    def notify(self, hook, *args):
        """Call ``hook`` on every callback; return whether one asked to stop."""
        answers = [getattr(callback, hook)(self, *args) for callback in self.callbacks]
        return any(answers)

    def run(self, phases):
        """Run ``phases`` in order, until their end or a callback stops training.

        Returns
        -------
        networks : dict of str to torch.nn.Module
            The networks to sample from.
        """
        self.phases = list(phases)
        self.notify("on_train_begin")
        for phase in self.phases:
            self.steps_run[phase.name] = 0
            self.notify("on_phase_begin", phase)
            try:
                stopped = self._run_phase(phase)
            finally:
                self.notify("on_phase_end", phase)
            if stopped:
                break
        self.notify("on_train_end")
        return self.networks

    def _run_phase(self, phase):
        for step in range(phase.n_steps):
            losses = phase.step()
            self.steps_run[phase.name] = step + 1
            if self.notify("on_step_end", phase, step, losses):
                return True
        return False

    def is_last_phase(self, phase):
        """Whether ``phase`` is the last phase of the run."""
        return phase is self.phases[-1]
