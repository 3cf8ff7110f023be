"""Early stopping: held-out samples scored during training, the best weights kept."""

import copy

import numpy as np
import torch

from .._core.training import Callback

# Held-out rows are scored at least this many optimizer steps apart, so that a
# small table (an epoch of one or two steps) is not scored after every step.
MIN_STEPS_PER_ROUND = 100


def validation_split(n_samples, validation_fraction, rng):
    """Training and validation indices, the validation rows drawn at random.

    Raises a ValueError when either part would be empty.
    """
    n_validation = int(round(validation_fraction * n_samples))
    if n_validation < 2 or n_samples - n_validation < 2:
        raise ValueError(
            f"validation_fraction={validation_fraction} of {n_samples} samples "
            f"holds out {n_validation}; early_stopping needs at least 2 samples "
            "on each side. Raise validation_fraction, pass more data, or set "
            "early_stopping=False."
        )
    order = rng.permutation(n_samples)
    return np.sort(order[n_validation:]), np.sort(order[:n_validation])


class EarlyStopping(Callback):
    """Keep the weights of the best-scoring round; stop after no improvement.

    A round ends every ``every`` steps and at the last step of a phase; it
    scores the network to sample from, ``loop.networks[network]``.

    Parameters
    ----------
    n_iter_no_change : int
        Rounds without a lower score after which training stops.
    score : callable
        ``score(module)``: the round's score of the network, lower is better.
    every : int
        Steps per round.
    network : str, default="generator_"
        The network to score and restore, by fitted-attribute name.
    """

    def __init__(self, n_iter_no_change, score, every, network="generator_"):
        self.n_iter_no_change = n_iter_no_change
        self.score = score
        self.every = every
        self.network = network
        self.scores = []
        self.best_score = np.inf
        self.best_round = None
        self._best_state = None

    def on_step_end(self, loop, phase, step, losses):
        """At the end of a round, score the network; return whether to stop."""
        if (step + 1) % self.every and step + 1 != phase.n_steps:
            return False
        module = loop.networks[self.network]
        return self.update(self.score(module), module)

    def on_train_end(self, loop):
        self.restore(loop.networks[self.network])

    def update(self, score, module):
        """Record a round's score (lower is better); return whether to stop."""
        self.scores.append(float(score))
        if score < self.best_score:
            self.best_score = float(score)
            self.best_round = len(self.scores)
            self._best_state = copy.deepcopy(module.state_dict())
        return len(self.scores) - self.best_round >= self.n_iter_no_change

    def restore(self, module):
        """Load the best round's weights (and buffers) into ``module``."""
        with torch.no_grad():
            module.load_state_dict(self._best_state)
        return module
