"""The training loop shared by the samplers: phases, callbacks, stopping."""

import pytest
import torch

from sksynth._core.training import Callback, Phase, TrainingLoop
from sksynth._core.weight_averaging import WeightAverage


class Recorder(Callback):
    """Writes down every hook it is called with; stops at ``stop_at``."""

    def __init__(self, events, stop_at=None):
        self.events = events
        self.stop_at = stop_at

    def on_train_begin(self, loop):
        self.events.append("train_begin")

    def on_phase_begin(self, loop, phase):
        self.events.append(f"begin {phase.name}")

    def on_step_end(self, loop, phase, step, losses):
        self.events.append(f"{phase.name} {step} {losses['loss']}")
        return (phase.name, step) == self.stop_at

    def on_phase_end(self, loop, phase):
        self.events.append(f"end {phase.name}")

    def on_train_end(self, loop):
        self.events.append("train_end")


def _phase(name, n_steps):
    counter = iter(range(n_steps))
    return Phase(name, n_steps, lambda: {"loss": next(counter)})


def test_hooks_run_in_order_for_every_callback():
    first, second = [], []
    loop = TrainingLoop({}, [Recorder(first), Recorder(second)])
    loop.run([_phase("a", 2), _phase("b", 1)])
    assert first == [
        "train_begin",
        "begin a",
        "a 0 0",
        "a 1 1",
        "end a",
        "begin b",
        "b 0 0",
        "end b",
        "train_end",
    ]
    assert second == first
    assert loop.steps_run == {"a": 2, "b": 1}


def test_a_callback_stops_training_and_the_others_still_see_the_step():
    first, second = [], []
    loop = TrainingLoop({}, [Recorder(first, stop_at=("a", 1)), Recorder(second)])
    loop.run([_phase("a", 5), _phase("b", 3)])
    assert loop.steps_run == {"a": 2}
    assert second[-3:] == ["a 1 1", "end a", "train_end"]


def test_a_failing_step_ends_the_phase_but_not_the_training():
    events = []

    def fail():
        raise RuntimeError("step failed")

    with pytest.raises(RuntimeError, match="step failed"):
        TrainingLoop({}, [Recorder(events)]).run([Phase("a", 3, fail)])
    assert events == ["train_begin", "begin a", "end a"]


def test_weight_average_replaces_the_network_and_averages_the_last_phase_only():
    network = torch.nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        network.weight.fill_(0.0)

    def add_one():
        with torch.no_grad():
            network.weight.add_(1.0)
        return {}

    loop = TrainingLoop({"net_": network}, [WeightAverage(["net_"], decay=0.5)])
    networks = loop.run([Phase("pretrain", 3, add_one), Phase("last", 2, add_one)])
    assert networks["net_"] is not network
    assert network.weight.item() == 5.0
    # The first update copies the weight of step 4; the second averages
    # 0.5 * 4 + 0.5 * 5.
    assert networks["net_"].weight.item() == 4.5
