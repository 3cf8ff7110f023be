"""One latent vector per sequence: the networks and training steps of
``TimeGANSampler(latent="sequence")``.

An autoencoder compresses each whole sequence into one vector; a Wasserstein
GAN with gradient penalty (Gulrajani et al., 2017) then learns the
distribution of those vectors with small fully connected networks, the
approach of RTSGAN (Pei et al., ICDM 2021). What a deterministic decoder
cannot reconstruct from one vector, the step-to-step noise of a series, is
modelled by the decoder's residual model: a per-channel Gaussian AR(1)
process (so a smooth channel's residual drifts slowly while a white-noise
channel's does not) whose innovations are correlated across channels (so
correlated channels jitter together).
"""

import torch
import torch.nn.functional as F
from torch import nn

from .nn import RecurrentStack, optimizer_step

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
    step's position in [0, 1], and a linear head gives the mean. What the mean
    misses, the residual, is modelled as a Gaussian AR(1) process per channel
    whose innovations are correlated across channels, with one covariance per
    time step; :meth:`fit_residual` estimates it in closed form from the
    training set's residuals.
    """

    def __init__(self, latent_dim, hidden_dim, n_channels, n_steps, num_layers, cell):
        super().__init__()
        self.n_steps = n_steps
        self.rnn = RecurrentStack(
            latent_dim + 1, hidden_dim, n_channels, num_layers, cell, sigmoid=False
        )
        self.register_buffer("ar_coef", torch.zeros(n_channels))
        self.register_buffer(
            "innovation_cholesky", torch.zeros(n_steps, n_channels, n_channels)
        )

    def forward(self, z):
        """Map (batch, latent_dim) to mean sequences (batch, time, channels)."""
        position = torch.linspace(0, 1, self.n_steps, device=z.device)
        position = position.expand(len(z), self.n_steps).unsqueeze(-1)
        steps = torch.cat([z.unsqueeze(1).expand(-1, self.n_steps, -1), position], -1)
        return self.rnn(steps)

    @torch.no_grad()
    def fit_residual(self, residual):
        """Estimate the residual model from residuals (batch, time, channels).

        The AR(1) coefficient of each channel is the least-squares slope of
        a step's residual on the step before; the innovations' covariance at
        each step is their sample covariance (the first step's innovation is
        its residual itself).
        """
        # In float64 on the CPU: channels that move together (or not at all)
        # make the covariance nearly singular, and MPS has no float64.
        residual = residual.detach().cpu().double()
        previous, current = residual[:, :-1], residual[:, 1:]
        coef = (current * previous).sum((0, 1)) / previous.square().sum((0, 1))
        coef = coef.nan_to_num(0.0).clamp(-0.999, 0.999)
        innovation = residual - coef * F.pad(previous, (0, 0, 1, 0))
        centred = innovation - innovation.mean(0)
        covariance = torch.einsum("btc,btd->tcd", centred, centred) / len(residual)
        # A ridge of a millionth of the mean variance keeps the factorization
        # defined for duplicated and constant channels.
        n_channels = covariance.shape[-1]
        scale = covariance.diagonal(dim1=1, dim2=2).mean() + 1e-12
        ridge = 1e-6 * scale * torch.eye(n_channels, dtype=covariance.dtype)
        self.ar_coef.copy_(coef)
        self.innovation_cholesky.copy_(torch.linalg.cholesky(covariance + ridge))

    def sample(self, z, noise):
        """Sequences decoded from ``z``, the residual driven by ``noise``.

        ``noise`` is standard normal of shape (batch, time, channels), drawn
        by the caller so that seeding stays in its hands.
        """
        mean = self(z)
        innovation = (self.innovation_cholesky @ noise.unsqueeze(-1)).squeeze(-1)
        residual, steps = torch.zeros_like(mean[:, 0]), []
        for t in range(self.n_steps):
            residual = self.ar_coef * residual + innovation[:, t]
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


def make_networks(n_channels, n_steps, hidden_dim, num_layers, cell):
    """The four networks of the sequence-latent model, as named fitted attributes.

    The latent vector has ``hidden_dim`` entries.
    """
    return {
        "embedder_": SequenceEncoder(
            n_channels, hidden_dim, hidden_dim, num_layers, cell
        ),
        "recovery_": SequenceDecoder(
            hidden_dim, hidden_dim, n_channels, n_steps, num_layers, cell
        ),
        "generator_": LatentGenerator(hidden_dim),
        "discriminator_": latent_mlp(hidden_dim, 1),
    }


class SequenceLatentTrainer:
    """Optimizers and training steps of the two phases.

    Phase 1 trains the autoencoder on the reconstruction MSE; phase 2 encodes
    the training set once, fits the decoder's residual model to what the
    reconstructions miss, and trains the WGAN-GP on the latent vectors.
    """

    def __init__(self, modules, data, *, batch_size, learning_rate, rng):
        self.embedder = modules["embedder_"]
        self.recovery = modules["recovery_"]
        self.generator = modules["generator_"]
        self.critic = modules["discriminator_"]
        self.data = data
        self.batch_size = min(batch_size, len(data))
        self.rng = rng
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
        mse = F.mse_loss(self.recovery(self.embedder(X)), X)
        optimizer_step(self.opt_ae, mse)
        return {"reconstruction": torch.sqrt(mse.detach())}

    def adversarial_step(self):
        """Phase 2: N_CRITIC critic steps, then one generator step."""
        if self.latents is None:
            self.embedder.requires_grad_(False)
            self.recovery.requires_grad_(False)
            with torch.no_grad():
                batches = self.data.split(1024)
                self.latents = torch.cat([self.embedder(b) for b in batches])
                means = torch.cat([self.recovery(z) for z in self.latents.split(1024)])
            self.recovery.fit_residual(self.data - means)
        for _ in range(N_CRITIC):
            real = self._batch(self.latents)
            with torch.no_grad():
                fake = self.generator(self._noise(*real.shape))
            critic_loss = self._critic_loss(real, fake)
            optimizer_step(self.opt_c, critic_loss)
        self.critic.requires_grad_(False)
        fake = self.generator(self._noise(self.batch_size, self.latents.shape[1]))
        generator_loss = -self.critic(fake).mean()
        optimizer_step(self.opt_g, generator_loss)
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


def sample_sequences(modules, n_samples, rng, device, chunk_size):
    """Decode ``n_samples`` sequences (batch, time, channels) in [0, 1], on the CPU.

    Noise is drawn chunk by chunk from the CPU random generator ``rng``, so an int seed
    gives the same draws on any device.
    """
    latent_dim = modules["generator_"].net[0].in_features
    decoder = modules["recovery_"]
    n_steps, n_channels = decoder.n_steps, decoder.ar_coef.shape[0]
    out = torch.empty((n_samples, n_steps, n_channels))
    for start in range(0, n_samples, chunk_size):
        size = min(chunk_size, n_samples - start)
        latent_noise = torch.randn((size, latent_dim), generator=rng)
        residual_noise = torch.randn((size, n_steps, n_channels), generator=rng)
        z = modules["generator_"](latent_noise.to(device))
        X = decoder.sample(z, residual_noise.to(device))
        out[start : start + size] = X.clamp(0, 1).cpu()
    return out
