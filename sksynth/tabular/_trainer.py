"""GANSampler's networks, optimizers and training step (conditional WGAN-GP)."""

import torch
import torch.nn.functional as F

from .._core.nn import PacDiscriminator, TabularGenerator, fused_adam, optimizer_step

# Weight of the WGAN gradient penalty.
GRADIENT_PENALTY = 10.0


def make_networks(
    n_encoded, n_condition, embedding_dim, generator_dim, discriminator_dim, pac
):
    """The generator and the discriminator, as named fitted attributes."""
    return {
        "generator_": TabularGenerator(
            embedding_dim + n_condition, generator_dim, n_encoded
        ),
        "discriminator_": PacDiscriminator(
            n_encoded + n_condition, discriminator_dim, pac
        ),
    }


class GANTrainer:
    """The optimizers and one update step of each network.

    The discriminator step generates its fake rows without building the
    generator's graph, and the generator step freezes the discriminator, so
    each backward pass only computes the gradients its optimizer uses.
    """

    def __init__(
        self,
        modules,
        scalars,
        slots,
        conditions,
        output,
        *,
        embedding_dim,
        batch_size,
        pac,
        learning_rate,
        loss,
        discriminator_steps,
        precision,
        rng,
        observed_missing=False,
    ):
        self.discriminator_steps = discriminator_steps
        self.autocast = {
            "dtype": torch.bfloat16,
            "enabled": precision == "bfloat16",
        }
        self.generator = modules["generator_"]
        self.discriminator = modules["discriminator_"]
        # The training rows as the encoder returns them; one-hot rows are
        # built batch by batch.
        self.scalars = scalars
        self.slots = slots
        self.device = slots.device
        self.conditions = conditions
        self.output = output
        self.embedding_dim = embedding_dim
        self.batch_size = batch_size
        self.pac = pac
        self.loss = loss
        self.rng = rng
        self.observed_missing = observed_missing

        settings = {"lr": learning_rate, "betas": (0.5, 0.9), "weight_decay": 1e-6}
        self.opt_g = fused_adam(self.generator.parameters(), **settings)
        self.opt_d = fused_adam(self.discriminator.parameters(), **settings)

    def optimizers(self):
        """The generator's and the discriminator's optimizers."""
        return [self.opt_g, self.opt_d]

    def _noise(self):
        return torch.randn(
            self.batch_size,
            self.embedding_dim,
            generator=self.rng,
            device=self.device,
        )

    def _fake_batch(self):
        """Draw conditions, the real rows that match them and a fake batch.

        The fake rows get the real rows' conditions in a shuffled order, so
        that packs of real and fake rows do not line up; with
        ``observed_missing``, the real rows' missing-value patterns end the
        conditions and hold the fake rows to them. Also returns, per fake row,
        the log-probability the generator gave its condition's category (None
        without categorical columns).
        """
        rows, dims, condition = self.conditions.draw(self.batch_size, self.rng)
        slots = self.slots.index_select(0, rows)
        missing = None
        if self.observed_missing:
            missing = self.output.missing_of(slots)
            condition = torch.cat([condition, missing.float()], dim=1)
        permutation = torch.randperm(
            self.batch_size, generator=self.rng, device=self.device
        )
        fake_condition = condition[permutation]
        if missing is not None:
            missing = missing[permutation]
        raw = self.generator(torch.cat([self._noise(), fake_condition], dim=1))
        fake, log_probs = self.output.activate(raw.float(), self.rng, missing)
        if dims is not None:
            columns = self.output.condition_columns[dims[permutation]]
            log_probs = log_probs.gather(1, columns[:, None])
        else:
            log_probs = None
        real_rows = self.output.network_rows(self.scalars.index_select(0, rows), slots)
        real = torch.cat([real_rows, condition], dim=1)
        return real, fake, log_probs, fake_condition

    def step(self):
        """One training step: discriminator update(s), then a generator update.

        The last discriminator update and the generator update share one fake
        batch (as in the DCGAN reference training loop), which saves a forward
        pass of the generator per step; earlier discriminator updates, if
        ``discriminator_steps > 1``, generate their own without gradients.
        """
        with torch.autocast(self.device.type, **self.autocast):
            for _ in range(self.discriminator_steps - 1):
                with torch.no_grad():
                    real, fake, _, fake_condition = self._fake_batch()
                self._discriminator_update(real, fake, fake_condition)
            real, fake, log_probs, fake_condition = self._fake_batch()
            discriminator = self._discriminator_update(
                real, fake.detach(), fake_condition
            )
            losses = self._generator_update(fake, log_probs, fake_condition)
        return {"discriminator": discriminator, **losses}

    def _discriminator_update(self, real_rows, fake, fake_condition):
        fake_rows = torch.cat([fake, fake_condition], dim=1)
        n_packs = self.batch_size // self.pac
        scores_real, scores_fake = (
            self.discriminator(torch.cat([real_rows, fake_rows])).float().split(n_packs)
        )
        if self.loss == "bce":
            loss = F.binary_cross_entropy_with_logits(
                scores_real, torch.ones_like(scores_real)
            ) + F.binary_cross_entropy_with_logits(
                scores_fake, torch.zeros_like(scores_fake)
            )
        else:
            alpha = torch.rand(
                n_packs, 1, generator=self.rng, device=self.device
            ).repeat_interleave(self.pac, dim=0)
            mixed = (alpha * real_rows + (1 - alpha) * fake_rows).requires_grad_(True)
            (gradient,) = torch.autograd.grad(
                self.discriminator(mixed).sum(), mixed, create_graph=True
            )
            norms = gradient.reshape(n_packs, -1).norm(dim=1)
            penalty = ((norms - 1) ** 2).mean()
            loss = scores_fake.mean() - scores_real.mean() + GRADIENT_PENALTY * penalty
        optimizer_step(self.opt_d, loss)
        return loss.detach()

    def _generator_update(self, fake, log_probs, fake_condition):
        self.discriminator.requires_grad_(False)
        scores = self.discriminator(torch.cat([fake, fake_condition], dim=1)).float()
        self.discriminator.requires_grad_(True)
        if self.loss == "bce":
            adversarial = F.binary_cross_entropy_with_logits(
                scores, torch.ones_like(scores)
            )
        else:
            adversarial = -scores.mean()
        if log_probs is None:
            condition_loss = torch.zeros((), device=fake.device)
        else:
            condition_loss = -log_probs.mean()
        optimizer_step(self.opt_g, adversarial + condition_loss)
        return {
            "generator": adversarial.detach(),
            "condition": condition_loss.detach(),
        }
