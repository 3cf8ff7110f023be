"""The five TimeGAN networks and the trainer of the original three phases.

Two extensions leave the original untouched when unused: a *condition*, a
vector per sequence (the one-hot class, and for panels of unequal lengths the
length over the longest length) that the generator, the supervisor and the
discriminator read beside their input at every step; and a *mask* of the
valid time steps of padded sequences, which every loss honours. Padding sits
after each sequence's last step and the networks are causal (each step reads
only the steps before it), so no output at a valid step ever reads padding.
"""

from typing import NamedTuple

import torch
import torch.nn.functional as F

from .._core.masking import masked_mse
from .._core.nn import RecurrentStack, fused_adam, optimizer_step


def _make_networks(n_channels, hidden_dim, num_layers, cell, n_conditions=0):
    """The five TimeGAN networks, as named fitted attributes.

    The generator, supervisor and discriminator read ``n_conditions`` more
    inputs per step: the condition vector.
    """
    return {
        "embedder_": RecurrentStack(
            n_channels, hidden_dim, hidden_dim, num_layers, cell
        ),
        "recovery_": RecurrentStack(
            hidden_dim, hidden_dim, n_channels, num_layers, cell
        ),
        "generator_": RecurrentStack(
            n_channels + n_conditions, hidden_dim, hidden_dim, num_layers, cell
        ),
        "supervisor_": RecurrentStack(
            hidden_dim + n_conditions, hidden_dim, hidden_dim, num_layers - 1, cell
        ),
        "discriminator_": RecurrentStack(
            hidden_dim + n_conditions, hidden_dim, 1, num_layers, cell, sigmoid=False
        ),
    }


def with_condition(x, condition):
    """Append the condition (batch, k) to every step of x (batch, time, features)."""
    if condition is None:
        return x
    steps = condition.unsqueeze(1).expand(-1, x.shape[1], -1)
    return torch.cat([x, steps], dim=-1)


def _supervised_loss(H, H_next, mask=None):
    """MSE between latent steps t+1 and the supervisor's prediction made at t."""
    return masked_mse(H_next[:, :-1], H[:, 1:], None if mask is None else mask[:, 1:])


def _moment_loss(X_hat, X, mask=None):
    """Mean gap in per-(time, channel) batch std and mean between X_hat and X.

    With a mask, each time step's moments are over the sequences that reach it.
    """
    if mask is None:
        std_gap = (
            torch.sqrt(X_hat.var(dim=0, unbiased=False) + 1e-6)
            - torch.sqrt(X.var(dim=0, unbiased=False) + 1e-6)
        ).abs()
        mean_gap = (X_hat.mean(dim=0) - X.mean(dim=0)).abs()
        return std_gap.mean() + mean_gap.mean()
    count = mask.sum(dim=0)  # (time, 1)
    reached = (count > 0).expand(-1, X.shape[-1])
    count = count.clamp(min=1)

    def moments(values):
        values = torch.where(mask, values, 0.0)
        mean = values.sum(dim=0) / count
        centred = torch.where(mask, values - mean, 0.0)
        return mean, torch.sqrt(centred.square().sum(dim=0) / count + 1e-6)

    (mean_hat, std_hat), (mean, std) = moments(X_hat), moments(X)
    return (std_hat - std).abs()[reached].mean() + (mean_hat - mean).abs()[
        reached
    ].mean()


def _bce(logits, target, mask=None):
    if mask is None:
        return F.binary_cross_entropy_with_logits(
            logits, torch.full_like(logits, target)
        )
    losses = F.binary_cross_entropy_with_logits(
        logits, torch.full_like(logits, target), reduction="none"
    )
    return torch.where(mask, losses, 0.0).sum() / mask.sum()


class Batch(NamedTuple):
    """A mini-batch of real sequences, their conditions and valid steps."""

    X: torch.Tensor
    condition: torch.Tensor | None
    mask: torch.Tensor | None


class _TimeGANTrainer:
    """The optimizers and one training step of each TimeGAN phase.

    The update order, losses and optimizers are those of the original code.
    Each step freezes the networks its optimizer does not update, so no
    gradient is computed for them, and runs the networks that read several
    inputs once on the concatenated batch. In the joint phase, the generator
    and embedder updates of a round read the same batch through the same
    (not yet updated) embedder, so its forward pass is computed once. The
    optimizers use Adam's fused kernel where torch has one.

    ``conditions`` (n, k) and ``mask`` (n, time, 1, bool) are per sequence of
    ``data``, or None; a generated batch takes the conditions and the mask of
    the real batch it is compared with.
    """

    def __init__(
        self,
        modules,
        data,
        *,
        batch_size,
        learning_rate,
        gamma,
        rng,
        conditions=None,
        mask=None,
    ):
        self.embedder = modules["embedder_"]
        self.recovery = modules["recovery_"]
        self.generator = modules["generator_"]
        self.supervisor = modules["supervisor_"]
        self.discriminator = modules["discriminator_"]
        self.data = data
        self.conditions = conditions
        self.mask = mask
        self.batch_size = min(batch_size, len(data))
        self.gamma = gamma
        self.rng = rng

        def adam(*networks):
            parameters = [p for net in networks for p in net.parameters()]
            return fused_adam(parameters, lr=learning_rate)

        self.opt_e0 = adam(self.embedder, self.recovery)
        self.opt_e = adam(self.embedder, self.recovery)
        self.opt_gs = adam(self.generator, self.supervisor)
        self.opt_g = adam(self.generator, self.supervisor)
        self.opt_d = adam(self.discriminator)

    def _train_only(self, *networks):
        for net in (
            self.embedder,
            self.recovery,
            self.generator,
            self.supervisor,
            self.discriminator,
        ):
            net.requires_grad_(net in networks)

    def _batch(self):
        n = len(self.data)
        index = torch.randperm(n, generator=self.rng, device=self.data.device)
        index = index[: self.batch_size]
        return Batch(
            self.data[index],
            None if self.conditions is None else self.conditions[index],
            None if self.mask is None else self.mask[index],
        )

    def _noise(self, like):
        return torch.rand(like.shape, generator=self.rng, device=like.device)

    def autoencoder_step(self):
        """Phase 1: embedder and recovery on the reconstruction loss E0."""
        X, _, mask = self._batch()
        self._train_only(self.embedder, self.recovery)
        mse = masked_mse(self.recovery(self.embedder(X)), X, mask)
        optimizer_step(self.opt_e0, 10 * torch.sqrt(mse))
        return {"reconstruction": torch.sqrt(mse.detach())}

    def supervisor_step(self):
        """Phase 2: the supervisor on the supervised loss L_S."""
        X, condition, mask = self._batch()
        self._train_only(self.supervisor)
        with torch.no_grad():
            H = self.embedder(X)
        loss = _supervised_loss(H, self.supervisor(with_condition(H, condition)), mask)
        optimizer_step(self.opt_gs, loss)
        return {"supervised": loss.detach()}

    def joint_step(self):
        """Phase 3: two (generator, embedder) rounds, then a discriminator step."""
        for _ in range(2):
            batch = self._batch()
            Z = self._noise(batch.X)
            self._train_only(self.embedder)
            H = self.embedder(batch.X)
            generator_losses = self._generator_update(batch, Z, H.detach())
            reconstruction = self._embedder_update(batch, H)
        batch = self._batch()
        discriminator = self._discriminator_update(batch, self._noise(batch.X))
        return {
            **generator_losses,
            "reconstruction": reconstruction,
            "discriminator": discriminator,
        }

    def _generator_update(self, batch, Z, H):
        X, condition, mask = batch
        self._train_only(self.generator, self.supervisor)
        E_hat = self.generator(with_condition(Z, condition))
        twice = None if condition is None else torch.cat([condition, condition])
        H_hat, H_next = self.supervisor(
            with_condition(torch.cat([E_hat, H]), twice)
        ).split(len(X))
        X_hat = self.recovery(H_hat)
        logits_hat, logits_e = self.discriminator(
            with_condition(torch.cat([H_hat, E_hat]), twice)
        ).split(len(X))
        adversarial = _bce(logits_hat, 1.0, mask) + self.gamma * _bce(
            logits_e, 1.0, mask
        )
        supervised = torch.sqrt(_supervised_loss(H, H_next, mask))
        moments = _moment_loss(X_hat, X, mask)
        optimizer_step(self.opt_g, adversarial + 100 * supervised + 100 * moments)
        return {
            "generator_adversarial": adversarial.detach(),
            "generator_supervised": supervised.detach(),
            "generator_moments": moments.detach(),
        }

    def _embedder_update(self, batch, H):
        X, condition, mask = batch
        self._train_only(self.embedder, self.recovery)
        mse = masked_mse(self.recovery(H), X, mask)
        supervised = _supervised_loss(
            H, self.supervisor(with_condition(H, condition)), mask
        )
        loss = 10 * torch.sqrt(mse) + 0.1 * supervised
        optimizer_step(self.opt_e, loss)
        return torch.sqrt(mse.detach())

    def _discriminator_update(self, batch, Z):
        X, condition, mask = batch
        self._train_only(self.discriminator)
        with torch.no_grad():
            H = self.embedder(X)
            E_hat = self.generator(with_condition(Z, condition))
            H_hat = self.supervisor(with_condition(E_hat, condition))
        thrice = None if condition is None else torch.cat([condition] * 3)
        logits_real, logits_hat, logits_e = self.discriminator(
            with_condition(torch.cat([H, H_hat, E_hat]), thrice)
        ).split(len(X))
        loss = (
            _bce(logits_real, 1.0, mask)
            + _bce(logits_hat, 0.0, mask)
            + self.gamma * _bce(logits_e, 0.0, mask)
        )
        # The original trains the discriminator only while it is not too good.
        if loss.item() > 0.15:
            optimizer_step(self.opt_d, loss)
        return loss.detach()


def generate(modules, noise, condition):
    """Sequences in [0, 1] (batch, time, channels) from noise and conditions."""
    E_hat = modules["generator_"](with_condition(noise, condition))
    H_hat = modules["supervisor_"](with_condition(E_hat, condition))
    return modules["recovery_"](H_hat)
