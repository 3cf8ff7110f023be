"""One latent vector per sequence: the networks and training steps of
``TimeGANSampler(latent="sequence")``.

An autoencoder compresses each whole sequence into one vector; a Wasserstein
GAN with gradient penalty (Gulrajani et al., 2017) then learns the
distribution of those vectors with small fully connected networks, the
approach of RTSGAN (Pei et al., ICDM 2021). What a deterministic decoder
cannot reconstruct from one vector, the step-to-step noise of a series, is
modelled by the decoder's residual model: a per-channel AR(1) process (so a
smooth channel's residual drifts slowly while a white-noise channel's does
not) whose innovations are correlated across channels (so correlated
channels jitter together), drawn from a multivariate normal or, through a
Gaussian copula, with each channel's own distribution of innovations.

Sequences of unequal lengths are padded after their last step: the encoder
reads each up to its own length, the decoder spreads its position input over
each sequence's own length, and the losses and the residual model count the
valid steps only. A condition vector per sequence (the one-hot class, and
for unequal lengths the length over the longest one) is read by the latent
generator and the critic.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

from .._core.masking import last_valid_step, masked_mse, step_mask
from .._core.nn import RecurrentStack, optimizer_step
from ._marginals import N_LEVELS, channel_quantiles

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

    def forward(self, x, lengths=None):
        """Map (batch, time, channels) to (batch, latent_dim).

        With ``lengths`` (batch,), sequence ``i`` is read up to its step
        ``lengths[i] - 1``.
        """
        h = self.rnn(x)
        if lengths is None:
            summary = [h[:, -1], h.mean(dim=1)]
        else:
            valid = step_mask(lengths, x.shape[1])
            last = last_valid_step(h, lengths)
            mean = torch.where(valid, h, 0.0).sum(dim=1) / lengths.unsqueeze(1)
            summary = [last, mean]
        return torch.tanh(self.head(torch.cat(summary, dim=1)))


class SequenceDecoder(nn.Module):
    """Map latent vectors to sequences: a per-step mean plus a residual model.

    A recurrent stack reads the latent vector at every step, beside the
    step's position in [0, 1], and a linear head gives the mean. What the mean
    misses, the residual, is modelled as an AR(1) process per channel whose
    innovations are correlated across channels, with one covariance per time
    step and each channel's quantiles of standardized innovations;
    :meth:`fit_residual` estimates it in closed form from the training set's
    residuals. With ``n_groups`` (the classes of a conditional model), each
    group has its own residual model, so that a quiet class stays quiet.
    """

    def __init__(
        self, latent_dim, hidden_dim, n_channels, n_steps, num_layers, cell, n_groups=0
    ):
        super().__init__()
        self.n_steps = n_steps
        self.rnn = RecurrentStack(
            latent_dim + 1, hidden_dim, n_channels, num_layers, cell, sigmoid=False
        )
        groups = (n_groups,) if n_groups else ()
        self.register_buffer("ar_coef", torch.zeros(*groups, n_channels))
        self.register_buffer(
            "innovation_cholesky",
            torch.zeros(*groups, n_steps, n_channels, n_channels),
        )
        # Quantiles of each channel's innovations, each scaled by its step's
        # standard deviation: the marginals of empirical innovations.
        self.register_buffer(
            "innovation_quantiles", torch.zeros(*groups, N_LEVELS, n_channels)
        )

    def forward(self, z, lengths=None):
        """Map (batch, latent_dim) to mean sequences (batch, time, channels).

        The position runs from 0 at the first step to 1 at the last: of
        ``n_steps``, or with ``lengths`` of each sequence's own length (and
        stays at 1 on the padding after it).
        """
        if lengths is None:
            position = torch.linspace(0, 1, self.n_steps, device=z.device)
            position = position.expand(len(z), self.n_steps).unsqueeze(-1)
        else:
            steps = torch.arange(self.n_steps, device=z.device, dtype=z.dtype)
            last = (lengths - 1).to(z.dtype).unsqueeze(1)
            position = (steps / last).clamp(max=1).unsqueeze(-1)
        steps = torch.cat([z.unsqueeze(1).expand(-1, self.n_steps, -1), position], -1)
        return self.rnn(steps)

    @torch.no_grad()
    def fit_residual(self, residual, mask=None, groups=None):
        """Estimate the residual model from residuals (batch, time, channels).

        The AR(1) coefficient of each channel is the least-squares slope of
        a step's residual on the step before; the innovations' covariance at
        each step is their sample covariance (the first step's innovation is
        its residual itself), and each channel's quantiles are those of its
        innovations divided by their step's standard deviation. With ``mask``
        (batch, time, 1), only the valid steps count; with ``groups``
        (batch,), each group's model is fitted to its own sequences.
        """
        if groups is None:
            fits = [_residual_model(residual, mask)]
        else:
            fits = [
                _residual_model(
                    residual[groups == group],
                    None if mask is None else mask[groups == group],
                )
                for group in range(len(self.ar_coef))
            ]
        buffers = (self.ar_coef, self.innovation_cholesky, self.innovation_quantiles)
        for k, buffer in enumerate(buffers):
            values = [fit[k] for fit in fits]
            buffer.copy_(values[0] if groups is None else torch.stack(values))

    def sample(self, z, noise, lengths=None, groups=None, empirical=False):
        """Sequences decoded from ``z``, the residual driven by ``noise``.

        ``noise`` is standard normal of shape (batch, time, channels), drawn
        by the caller so that seeding stays in its hands; ``lengths`` as in
        :meth:`forward`; ``groups`` (batch,) picks each sequence's residual
        model, for a decoder with groups. With ``empirical``, the correlated
        normal innovations are carried through a Gaussian copula onto each
        channel's training innovations (``TimeGANSampler(innovations=...)``).
        """
        mean = self(z, lengths)
        coef, cholesky = self.ar_coef, self.innovation_cholesky
        quantiles = self.innovation_quantiles
        if groups is not None:
            coef, cholesky = coef[groups], cholesky[groups]
            quantiles = quantiles[groups]
        innovation = (cholesky @ noise.unsqueeze(-1)).squeeze(-1)
        if empirical:
            innovation = _through_copula(innovation, cholesky, quantiles)
        residual, steps = torch.zeros_like(mean[:, 0]), []
        for t in range(self.n_steps):
            residual = coef * residual + innovation[:, t]
            steps.append(residual)
        return mean + torch.stack(steps, dim=1)


def _through_copula(innovation, cholesky, quantiles):
    """Normal innovations (batch, time, channels) onto the empirical marginals.

    Each value's normal probability (at its step's standard deviation, the
    row norms of ``cholesky``) is read off the channel's standardized
    ``quantiles`` (levels evenly spaced over [0, 1], per group when they
    come one per sequence) and scaled back by that deviation.
    """
    spread = cholesky.square().sum(-1).sqrt()
    # The normal distribution function through erf, which every backend has.
    probability = 0.5 * (1 + torch.erf(innovation / (spread * math.sqrt(2))))
    position = probability * (quantiles.shape[-2] - 1)
    below = position.floor().clamp(0, quantiles.shape[-2] - 2)
    weight = position - below
    below = below.long()
    channels = torch.arange(innovation.shape[-1], device=innovation.device)
    if quantiles.dim() == 2:  # one model for all sequences
        low, high = quantiles[below, channels], quantiles[below + 1, channels]
    else:  # (batch, levels, channels): each sequence's group
        rows = torch.arange(len(innovation), device=innovation.device)[:, None, None]
        low = quantiles[rows, below, channels]
        high = quantiles[rows, below + 1, channels]
    return spread * torch.lerp(low, high, weight)


def _residual_model(residual, mask):
    """AR(1) coefficients, per-step innovation Cholesky factors and quantiles.

    In float64; the quantiles are those of each channel's innovations over
    the valid steps, each divided by its step's standard deviation.
    """
    # In float64 on the CPU: channels that move together (or not at all)
    # make the covariance nearly singular, and MPS has no float64.
    residual = residual.detach().cpu().double()
    if mask is not None:
        mask = mask.cpu()
        residual = torch.where(mask, residual, 0.0)
    previous, current = residual[:, :-1], residual[:, 1:]
    if mask is None:
        coef = (current * previous).sum((0, 1)) / previous.square().sum((0, 1))
    else:  # the pairs of steps that both exist
        pairs = torch.where(mask[:, 1:], previous.square(), 0.0)
        coef = (current * previous).sum((0, 1)) / pairs.sum((0, 1))
    coef = coef.nan_to_num(0.0).clamp(-0.999, 0.999)
    innovation = residual - coef * F.pad(previous, (0, 0, 1, 0))
    if mask is None:
        centred = innovation - innovation.mean(0)
        covariance = torch.einsum("btc,btd->tcd", centred, centred)
        covariance = covariance / len(residual)
    else:
        count = mask.sum(0).clamp(min=1)  # (time, 1)
        innovation = torch.where(mask, innovation, 0.0)
        centred = torch.where(mask, innovation - innovation.sum(0) / count, 0.0)
        covariance = torch.einsum("btc,btd->tcd", centred, centred)
        covariance = covariance / count.unsqueeze(-1)
    # A ridge of a millionth of the mean variance keeps the factorization
    # defined for duplicated and constant channels.
    n_channels = covariance.shape[-1]
    scale = covariance.diagonal(dim1=1, dim2=2).mean() + 1e-12
    ridge = 1e-6 * scale * torch.eye(n_channels, dtype=covariance.dtype)
    covariance = covariance + ridge
    spread = covariance.diagonal(dim1=1, dim2=2).sqrt()  # (time, channels)
    standardized = innovation / spread
    if mask is not None:
        standardized = torch.where(mask, standardized, torch.nan)
    quantiles = torch.as_tensor(channel_quantiles(standardized.numpy()))
    return coef, torch.linalg.cholesky(covariance), quantiles


def latent_mlp(in_features, out_features):
    """Three hidden layers of GAN_WIDTH with leaky ReLU, then a linear output."""
    layers, width = [], in_features
    for _ in range(3):
        layers += [nn.Linear(width, GAN_WIDTH), nn.LeakyReLU(0.2)]
        width = GAN_WIDTH
    return nn.Sequential(*layers, nn.Linear(width, out_features))


class LatentGenerator(nn.Module):
    """Map standard normal noise (batch, latent_dim) to latent vectors in (-1, 1).

    With ``n_conditions``, a condition vector is read beside the noise.
    """

    def __init__(self, latent_dim, n_conditions=0):
        super().__init__()
        self.net = latent_mlp(latent_dim + n_conditions, latent_dim)

    def forward(self, noise, condition=None):
        """Map (batch, latent_dim) noise to (batch, latent_dim) latent vectors."""
        return torch.tanh(self.net(append_condition(noise, condition)))


def append_condition(x, condition):
    """x (batch, features) with the condition (batch, k) appended, if any."""
    return x if condition is None else torch.cat([x, condition], dim=1)


def make_networks(
    n_channels, n_steps, hidden_dim, num_layers, cell, n_conditions=0, n_classes=0
):
    """The four networks of the sequence-latent model, as named fitted attributes.

    The latent vector has ``hidden_dim`` entries; the generator and the critic
    read ``n_conditions`` more, the condition vector; the decoder has a
    residual model per class.
    """
    return {
        "embedder_": SequenceEncoder(
            n_channels, hidden_dim, hidden_dim, num_layers, cell
        ),
        "recovery_": SequenceDecoder(
            hidden_dim, hidden_dim, n_channels, n_steps, num_layers, cell, n_classes
        ),
        "generator_": LatentGenerator(hidden_dim, n_conditions),
        "discriminator_": latent_mlp(hidden_dim + n_conditions, 1),
    }


class SequenceLatentTrainer:
    """Optimizers and training steps of the two phases.

    Phase 1 trains the autoencoder on the reconstruction MSE; phase 2 encodes
    the training set once, fits the decoder's residual model to what the
    reconstructions miss, and trains the WGAN-GP on the latent vectors.
    ``conditions`` (n, k), ``lengths`` (n,) and ``classes`` (n,) are per
    sequence of ``data``, or None; generated latent vectors take the
    conditions of real ones, and each class gets its own residual model.
    ``rows``, the indices of the sequences this process draws its batches
    from (a data-parallel fit's shard), defaults to all; the residual model
    is always fitted on all of ``data``, so that every process fits the same.
    """

    def __init__(
        self,
        modules,
        data,
        *,
        batch_size,
        learning_rate,
        rng,
        conditions=None,
        lengths=None,
        classes=None,
        rows=None,
    ):
        self.embedder = modules["embedder_"]
        self.recovery = modules["recovery_"]
        self.generator = modules["generator_"]
        self.critic = modules["discriminator_"]
        self.data = data
        self.conditions = conditions
        self.lengths = lengths
        self.classes = classes
        self.mask = None if lengths is None else step_mask(lengths, data.shape[1])
        self.rows = rows
        self.batch_size = min(batch_size, len(data if rows is None else rows))
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

    def optimizers(self):
        """The optimizers of both phases."""
        return [self.opt_ae, self.opt_g, self.opt_c]

    def _index(self):
        n = len(self.data) if self.rows is None else len(self.rows)
        index = torch.randint(
            n, (self.batch_size,), generator=self.rng, device=self.data.device
        )
        return index if self.rows is None else self.rows[index]

    def _noise(self, *shape):
        return torch.randn(shape, generator=self.rng, device=self.data.device)

    @staticmethod
    def _take(values, index):
        return None if values is None else values[index]

    def autoencoder_step(self):
        """Phase 1: one step of the encoder and decoder."""
        index = self._index()
        X, lengths = self.data[index], self._take(self.lengths, index)
        decoded = self.recovery(self.embedder(X, lengths), lengths)
        mse = masked_mse(decoded, X, self._take(self.mask, index))
        optimizer_step(self.opt_ae, mse)
        return {"reconstruction": torch.sqrt(mse.detach())}

    def adversarial_step(self):
        """Phase 2: N_CRITIC critic steps, then one generator step."""
        if self.latents is None:
            self._encode_training_set()
        for _ in range(N_CRITIC):
            index = self._index()
            real = self.latents[index]
            condition = self._take(self.conditions, index)
            with torch.no_grad():
                fake = self.generator(self._noise(*real.shape), condition)
            critic_loss = self._critic_loss(real, fake, condition)
            optimizer_step(self.opt_c, critic_loss)
        self.critic.requires_grad_(False)
        condition = None
        if self.conditions is not None:
            condition = self.conditions[self._index()]
        noise = self._noise(self.batch_size, self.latents.shape[1])
        fake = self.generator(noise, condition)
        generator_loss = -self.critic(append_condition(fake, condition)).mean()
        optimizer_step(self.opt_g, generator_loss)
        self.critic.requires_grad_(True)
        return {"critic": critic_loss.detach(), "generator": generator_loss.detach()}

    def _encode_training_set(self):
        """Freeze the autoencoder, encode the data and fit the residual model."""
        self.embedder.requires_grad_(False)
        self.recovery.requires_grad_(False)
        lengths = (
            [None] * len(self.data.split(1024))
            if self.lengths is None
            else self.lengths.split(1024)
        )
        with torch.no_grad():
            batches = zip(self.data.split(1024), lengths, strict=True)
            self.latents = torch.cat([self.embedder(b, n) for b, n in batches])
            batches = zip(self.latents.split(1024), lengths, strict=True)
            means = torch.cat([self.recovery(z, n) for z, n in batches])
        self.recovery.fit_residual(self.data - means, self.mask, self.classes)

    def _critic_loss(self, real, fake, condition):
        mix = torch.rand(len(real), 1, generator=self.rng, device=real.device)
        between = (mix * real + (1 - mix) * fake).requires_grad_(True)
        (gradient,) = torch.autograd.grad(
            self.critic(append_condition(between, condition)).sum(),
            between,
            create_graph=True,
        )
        penalty = (gradient.norm(dim=1) - 1).square().mean()
        wasserstein = (
            self.critic(append_condition(fake, condition)).mean()
            - self.critic(append_condition(real, condition)).mean()
        )
        return wasserstein + GRADIENT_PENALTY * penalty


def sample_sequences(
    modules,
    n_samples,
    rng,
    device,
    chunk_size,
    conditions=None,
    lengths=None,
    classes=None,
    empirical=False,
):
    """Decode ``n_samples`` sequences (batch, time, channels), on the CPU.

    The values are in the scaled units of the training data, not clipped to
    its [0, 1] range: the residual model can step beyond it.

    Noise is drawn chunk by chunk from the CPU random generator ``rng``, so an
    int seed gives the same draws on any device. ``conditions`` (n_samples, k),
    ``lengths`` and ``classes`` (n_samples,) are CPU tensors, or None;
    ``empirical`` as in :meth:`SequenceDecoder.sample`.
    """
    latent_dim = modules["generator_"].net[-1].out_features
    decoder = modules["recovery_"]
    n_steps, n_channels = decoder.n_steps, decoder.ar_coef.shape[-1]
    out = torch.empty((n_samples, n_steps, n_channels))
    for start in range(0, n_samples, chunk_size):
        size = min(chunk_size, n_samples - start)
        chunk = slice(start, start + size)
        latent_noise = torch.randn((size, latent_dim), generator=rng)
        residual_noise = torch.randn((size, n_steps, n_channels), generator=rng)
        condition = None if conditions is None else conditions[chunk].to(device)
        chunk_lengths = None if lengths is None else lengths[chunk].to(device)
        chunk_classes = None if classes is None else classes[chunk].to(device)
        z = modules["generator_"](latent_noise.to(device), condition)
        X = decoder.sample(
            z, residual_noise.to(device), chunk_lengths, chunk_classes, empirical
        )
        out[chunk] = X.cpu()
    return out
