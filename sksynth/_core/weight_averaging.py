"""Exponential moving averages of networks' weights, to sample from."""

from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

from .training import Callback


class WeightAverage(Callback):
    """Sample from exponential moving averages of some networks' weights.

    The averages (of the weights and buffers) take the networks' places in
    the loop's ``networks`` when training begins and are updated after every
    step of the last phase, so that pretraining phases do not count.

    Parameters
    ----------
    names : list of str
        The networks to average, by fitted-attribute name.
    decay : float
        Weight of the running average at each update (e.g. 0.999).
    """

    def __init__(self, names, decay):
        self.names = list(names)
        self.decay = decay
        self.networks = {}
        self.averaged = {}

    def on_train_begin(self, loop):
        self.networks = {name: loop.networks[name] for name in self.names}
        self.averaged = {
            name: AveragedModel(
                network,
                multi_avg_fn=get_ema_multi_avg_fn(self.decay),
                use_buffers=True,
            )
            for name, network in self.networks.items()
        }
        loop.networks.update(
            {name: average.module for name, average in self.averaged.items()}
        )

    def on_step_end(self, loop, phase, step, losses):
        """Fold the networks' current weights into the averages."""
        if not loop.is_last_phase(phase):
            return
        for name, average in self.averaged.items():
            average.update_parameters(self.networks[name])
