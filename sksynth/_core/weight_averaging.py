"""Exponential moving averages of networks' weights, to sample from."""

from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn


class WeightAverage:
    """Exponential moving averages of some networks' weights and buffers.

    The first :meth:`update` copies the networks as they are then, so the
    average may be set up before a pretraining phase it should not include.

    Parameters
    ----------
    networks : dict of str to torch.nn.Module
        The networks to average, by fitted-attribute name.
    decay : float
        Weight of the running average at each update (e.g. 0.999).
    """

    def __init__(self, networks, decay):
        self.networks = networks
        self.averaged = {
            name: AveragedModel(
                network, multi_avg_fn=get_ema_multi_avg_fn(decay), use_buffers=True
            )
            for name, network in networks.items()
        }

    def update(self):
        """Fold the networks' current weights into the averages."""
        for name, average in self.averaged.items():
            average.update_parameters(self.networks[name])

    def modules(self):
        """The averaged networks, by name, as plain modules."""
        return {name: average.module for name, average in self.averaged.items()}
