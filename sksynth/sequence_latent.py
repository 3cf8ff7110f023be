"""One latent vector per sequence: the networks and training steps of
``TimeGANSampler(latent="sequence")``.

An autoencoder compresses each whole sequence into one vector; a Wasserstein
GAN with gradient penalty (Gulrajani et al., 2017) then learns the
distribution of those vectors with small fully connected networks, the
approach of RTSGAN (Pei et al., ICDM 2021). What a deterministic decoder
cannot reconstruct from one vector, the step-to-step noise of a series, is
modelled by the decoder's residual head: a Gaussian per step whose
covariance is low rank plus diagonal (so correlated channels jitter
together) and whose innovations follow a per-channel AR(1) process (so a
smooth channel's residual drifts slowly while a white-noise channel's does
not).
"""

import torch
import torch.nn.functional as F
from torch import nn
from torch.distributions import LowRankMultivariateNormal

from .nn import RecurrentStack

# Rank of the residual covariance's low-rank part.
NOISE_RANK = 2
# WGAN-GP settings of Gulrajani et al.: critic steps per generator step,
# gradient-penalty weight, and Adam's learning rate and betas.
N_CRITIC = 5
GRADIENT_PENALTY = 10.0
GAN_LEARNING_RATE = 1e-4
GAN_BETAS = (0.5, 0.9)
# Width of the generator's and critic's three hidden layers.
GAN_WIDTH = 256


class SequenceEncoder(nn.Module):
    """Map sequences (batch, time, channels) to latent vectors in (-1, 1).

    A recurrent stack reads the sequence; its last output and its mean over
    time go through a linear map and ``tanh``.
    """

    def __init__(self, n_channels, hidden_dim, latent_dim, num_layers, cell):
        super().__init__()
        self.rnn = RecurrentStack(
            n_channels, hidden_dim, hidden_dim, num_layers, cell, sigmoid=False
        )
        self.head = nn.Linear(2 * hidden_dim, latent_dim)

    def forward(self, x):
        """Map (batch, time, channels) to (batch, latent_dim)."""
        h = self.rnn(x)
        return torch.tanh(self.head(torch.cat([h[:, -1], h.mean(dim=1)], dim=1)))


class SequenceDecoder(nn.Module):
    """Map latent vectors to sequences: a per-step mean plus a residual model.

    A recurrent stack reads the latent vector at every step, beside the
    step's position in [0, 1]. A linear head gives the mean; the residual
    heads read the same features with their gradient stopped, so fitting the
    noise never pulls on the mean.
    """

    def __init__(self, latent_dim, hidden_dim, n_channels, num_layers, cell):
        super().__init__()
        self.rnn = RecurrentStack(
            latent_dim + 1, hidden_dim, hidden_dim, num_layers, cell, sigmoid=False
        )
        self.mean = nn.Linear(hidden_dim, n_channels)
        self.scale = nn.Linear(hidden_dim, n_channels)
        self.factor = nn.Linear(hidden_dim, n_channels * NOISE_RANK)
        # No correlated noise to begin with: the data must ask for it.
        nn.init.zeros_(self.factor.weight)
        nn.init.zeros_(self.factor.bias)
        # Per-channel AR(1) coefficient of the residual, through tanh.
        self.ar_coef = nn.Parameter(torch.zeros(n_channels))

    def forward(self, z, n_steps):
        """Mean, diagonal scale and low-rank factor of each step's residual.

        Returns tensors of shapes (batch, time, channels) twice and
        (batch, time, channels, NOISE_RANK).
        """
        position = torch.linspace(0, 1, n_steps, device=z.device)
        position = position.expand(len(z), n_steps).unsqueeze(-1)
        steps = torch.cat([z.unsqueeze(1).expand(-1, n_steps, -1), position], -1)
        h = self.rnn(steps)
        h_noise = h.detach()
        # Residuals start small: softplus(-4) is about 0.018.
        scale = F.softplus(self.scale(h_noise) - 4) + 1e-4
        factor = self.factor(h_noise)
        return self.mean(h), scale, factor.unflatten(-1, (-1, NOISE_RANK))

    def residual_nll(self, x, mean, scale, factor):
        """Negative log-likelihood per value of the residual ``x - mean``."""
        residual = x - mean.detach()
        previous = F.pad(residual[:, :-1], (0, 0, 1, 0))
        innovation = residual - torch.tanh(self.ar_coef) * previous
        noise = LowRankMultivariateNormal(
            torch.zeros_like(innovation), factor, scale.square()
        )
        return -noise.log_prob(innovation).mean() / x.shape[-1]

    def sample(self, z, n_steps, noise):
        """Sequences decoded from ``z`` with the residual driven by ``noise``.

        ``noise`` is standard normal of shape (batch, time, channels +
        NOISE_RANK), drawn by the caller so that seeding stays in its hands.
        """
        mean, scale, factor = self(z, n_steps)
        diagonal, low_rank = noise.split([mean.shape[-1], NOISE_RANK], dim=-1)
        innovation = scale * diagonal + (factor @ low_rank.unsqueeze(-1)).squeeze(-1)
        coef = torch.tanh(self.ar_coef)
        residual, steps = torch.zeros_like(mean[:, 0]), []
        for t in range(n_steps):
            residual = coef * residual + innovation[:, t]
            steps.append(residual)
        return mean + torch.stack(steps, dim=1)


def latent_mlp(in_features, out_features):
    """Three hidden layers of GAN_WIDTH with leaky ReLU, then a linear output."""
    layers, width = [], in_features
    for _ in range(3):
        layers += [nn.Linear(width, GAN_WIDTH), nn.LeakyReLU(0.2)]
        width = GAN_WIDTH
    return nn.Sequential(*layers, nn.Linear(width, out_features))


class LatentGenerator(nn.Module):
    """Map standard normal noise (batch, latent_dim) to latent vectors in (-1, 1)."""

    def __init__(self, latent_dim):
        super().__init__()
        self.net = latent_mlp(latent_dim, latent_dim)

    def forward(self, noise):
        """Map (batch, latent_dim) noise to (batch, latent_dim) latent vectors."""
        return torch.tanh(self.net(noise))


def make_networks(n_channels, hidden_dim, num_layers, cell):
    """The four networks of the sequence-latent model, as named fitted attributes.

    The latent vector has ``hidden_dim`` entries.
    """
    return {
        "embedder_": SequenceEncoder(
            n_channels, hidden_dim, hidden_dim, num_layers, cell
        ),
        "recovery_": SequenceDecoder(
            hidden_dim, hidden_dim, n_channels, num_layers, cell
        ),
        "generator_": LatentGenerator(hidden_dim),
        "discriminator_": latent_mlp(hidden_dim, 1),
    }


class SequenceLatentTrainer:
    """Optimizers and training steps of the two phases.

    Phase 1 trains the autoencoder on the reconstruction MSE of the mean plus
    the residual's negative log-likelihood; phase 2 encodes the training set
    once and trains the WGAN-GP on its latent vectors.
    """

    def __init__(self, modules, data, *, batch_size, learning_rate, generator):
        self.embedder = modules["embedder_"]
        self.recovery = modules["recovery_"]
        self.generator = modules["generator_"]
        self.critic = modules["discriminator_"]
        self.data = data
        self.batch_size = min(batch_size, len(data))
        self.rng = generator
        self.latents = None
        self.opt_ae = torch.optim.Adam(
            [*self.embedder.parameters(), *self.recovery.parameters()],
            lr=learning_rate,
        )
        self.opt_g = torch.optim.Adam(
            self.generator.parameters(), lr=GAN_LEARNING_RATE, betas=GAN_BETAS
        )
        self.opt_c = torch.optim.Adam(
            self.critic.parameters(), lr=GAN_LEARNING_RATE, betas=GAN_BETAS
        )

    def _batch(self, source):
        index = torch.randint(
            len(source), (self.batch_size,), generator=self.rng, device=source.device
        )
        return source[index]

    def _noise(self, *shape):
        return torch.randn(shape, generator=self.rng, device=self.data.device)

    def autoencoder_step(self):
        """Phase 1: one step of the encoder and decoder."""
        X = self._batch(self.data)
        mean, scale, factor = self.recovery(self.embedder(X), X.shape[1])
        mse = F.mse_loss(mean, X)
        nll = self.recovery.residual_nll(X, mean, scale, factor)
        self.opt_ae.zero_grad(set_to_none=True)
        (mse + nll).backward()
        self.opt_ae.step()
        return {
            "reconstruction": torch.sqrt(mse.detach()),
            "residual_nll": nll.detach(),
        }

    def adversarial_step(self):
        """Phase 2: N_CRITIC critic steps, then one generator step."""
        if self.latents is None:
            self.embedder.requires_grad_(False)
            self.recovery.requires_grad_(False)
            with torch.no_grad():
                self.latents = torch.cat(
                    [self.embedder(b) for b in self.data.split(1024)]
                )
        for _ in range(N_CRITIC):
            real = self._batch(self.latents)
            with torch.no_grad():
                fake = self.generator(self._noise(*real.shape))
            critic_loss = self._critic_loss(real, fake)
            self.opt_c.zero_grad(set_to_none=True)
            critic_loss.backward()
            self.opt_c.step()
        self.critic.requires_grad_(False)
        fake = self.generator(self._noise(self.batch_size, self.latents.shape[1]))
        generator_loss = -self.critic(fake).mean()
        self.opt_g.zero_grad(set_to_none=True)
        generator_loss.backward()
        self.opt_g.step()
        self.critic.requires_grad_(True)
        return {"critic": critic_loss.detach(), "generator": generator_loss.detach()}

    def _critic_loss(self, real, fake):
        mix = torch.rand(len(real), 1, generator=self.rng, device=real.device)
        between = (mix * real + (1 - mix) * fake).requires_grad_(True)
        (gradient,) = torch.autograd.grad(
            self.critic(between).sum(), between, create_graph=True
        )
        penalty = (gradient.norm(dim=1) - 1).square().mean()
        wasserstein = self.critic(fake).mean() - self.critic(real).mean()
        return wasserstein + GRADIENT_PENALTY * penalty


def sample_sequences(modules, n_samples, n_steps, generator, device, chunk_size):
    """Decode ``n_samples`` sequences (batch, time, channels) in [0, 1], on the CPU.

    Noise is drawn chunk by chunk from the CPU ``generator``, so an int seed
    gives the same draws on any device.
    """
    latent_dim = modules["generator_"].net[0].in_features
    n_channels = modules["recovery_"].mean.out_features
    chunks = []
    for start in range(0, n_samples, chunk_size):
        size = min(chunk_size, n_samples - start)
        latent_noise = torch.randn((size, latent_dim), generator=generator)
        residual_noise = torch.randn(
            (size, n_steps, n_channels + NOISE_RANK), generator=generator
        )
        z = modules["generator_"](latent_noise.to(device))
        X = modules["recovery_"].sample(z, n_steps, residual_noise.to(device))
        chunks.append(X.clamp(0, 1).cpu())
    return torch.cat(chunks)
