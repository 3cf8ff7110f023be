"""A plain eager TimeGAN training step: the reference for equivalence and speed.

Each loss is computed the obvious way — every network called once per input
through ``nn.GRU``, every backward pass through all networks, ``torch.optim.Adam``
with its default (per-tensor) kernel on the CPU — with the same losses, update
order and random draws as ``sksynth.timeseries._timegan._TimeGANTrainer``.
``test_timegan_speed_paths.py`` checks that both give the same losses, and
``benchmarks/timegan_speed.py`` times one against the other.
"""

import torch
import torch.nn.functional as F
from torch import nn

from sksynth._core.nn import optimizer_step
from sksynth.timeseries._trainer import _TimeGANTrainer


class _NativeGRUNetwork(nn.Module):
    """A TimeGAN network run through its ``nn.GRU`` (PyTorch's own kernel)."""

    def __init__(self, network):
        super().__init__()
        self.network = network

    def forward(self, x):
        hidden, _ = self.network.rnn(x)
        out = self.network.head(hidden)
        return out.sigmoid() if self.network.sigmoid else out


class PlainTimeGANTrainer(_TimeGANTrainer):
    """Same state and random draws as the fast trainer; plain eager steps."""

    def __init__(self, modules, data, *, learning_rate, **kwargs):
        super().__init__(modules, data, learning_rate=learning_rate, **kwargs)

        def adam(*networks):
            parameters = [p for net in networks for p in net.parameters()]
            return torch.optim.Adam(parameters, lr=learning_rate)

        # The same parameter groups as the fast trainer's, on torch's default
        # per-tensor Adam instead of the fused kernel.
        self.opt_e0 = adam(self.embedder, self.recovery)
        self.opt_e = adam(self.embedder, self.recovery)
        self.opt_gs = adam(self.generator, self.supervisor)
        self.opt_g = adam(self.generator, self.supervisor)
        self.opt_d = adam(self.discriminator)
        for name in (
            "embedder",
            "recovery",
            "generator",
            "supervisor",
            "discriminator",
        ):
            setattr(self, name, _NativeGRUNetwork(getattr(self, name)))

    def _train_only(self, *networks):
        # Plain: gradients flow into every network; each optimizer clears and
        # steps only its own parameters.
        pass

    def autoencoder_step(self):
        X = self._batch().X
        mse = F.mse_loss(self.recovery(self.embedder(X)), X)
        optimizer_step(self.opt_e0, 10 * torch.sqrt(mse))
        return {"reconstruction": torch.sqrt(mse.detach())}

    def supervisor_step(self):
        X = self._batch().X
        H = self.embedder(X)
        H_next = self.supervisor(H)
        loss = F.mse_loss(H_next[:, :-1], H[:, 1:])
        optimizer_step(self.opt_gs, loss)
        return {"supervised": loss.detach()}

    def joint_step(self):
        for _ in range(2):
            X = self._batch().X
            Z = self._noise(X)
            generator_losses = self._generator_update(X, Z)
            reconstruction = self._embedder_update(X)
        X = self._batch().X
        discriminator = self._discriminator_update(X, self._noise(X))
        return {
            **generator_losses,
            "reconstruction": reconstruction,
            "discriminator": discriminator,
        }

    def _generator_update(self, X, Z):
        H = self.embedder(X)
        E_hat = self.generator(Z)
        H_hat = self.supervisor(E_hat)
        H_next = self.supervisor(H)
        X_hat = self.recovery(H_hat)
        y_fake = self.discriminator(H_hat)
        y_fake_e = self.discriminator(E_hat)
        ones = torch.ones_like(y_fake)
        adversarial = F.binary_cross_entropy_with_logits(
            y_fake, ones
        ) + self.gamma * F.binary_cross_entropy_with_logits(y_fake_e, ones)
        supervised = torch.sqrt(F.mse_loss(H_next[:, :-1], H[:, 1:]))
        std_gap = torch.abs(
            torch.sqrt(X_hat.var(dim=0, unbiased=False) + 1e-6)
            - torch.sqrt(X.var(dim=0, unbiased=False) + 1e-6)
        ).mean()
        mean_gap = torch.abs(X_hat.mean(dim=0) - X.mean(dim=0)).mean()
        moments = std_gap + mean_gap
        optimizer_step(self.opt_g, adversarial + 100 * supervised + 100 * moments)
        return {
            "generator_adversarial": adversarial.detach(),
            "generator_supervised": supervised.detach(),
            "generator_moments": moments.detach(),
        }

    def _embedder_update(self, X):
        H = self.embedder(X)
        X_tilde = self.recovery(H)
        H_next = self.supervisor(H)
        mse = F.mse_loss(X_tilde, X)
        loss = 10 * torch.sqrt(mse) + 0.1 * F.mse_loss(H_next[:, :-1], H[:, 1:])
        optimizer_step(self.opt_e, loss)
        return torch.sqrt(mse.detach())

    def _discriminator_update(self, X, Z):
        H = self.embedder(X)
        E_hat = self.generator(Z)
        H_hat = self.supervisor(E_hat)
        y_real = self.discriminator(H)
        y_fake = self.discriminator(H_hat)
        y_fake_e = self.discriminator(E_hat)
        loss = (
            F.binary_cross_entropy_with_logits(y_real, torch.ones_like(y_real))
            + F.binary_cross_entropy_with_logits(y_fake, torch.zeros_like(y_fake))
            + self.gamma
            * F.binary_cross_entropy_with_logits(y_fake_e, torch.zeros_like(y_fake_e))
        )
        if loss.item() > 0.15:
            optimizer_step(self.opt_d, loss)
        return loss.detach()
