"""TimeGANSampler: TimeGAN (Yoon, Jarrett & van der Schaar, NeurIPS 2019)."""

from numbers import Integral, Real

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import validate_data

from . import sequence_latent
from ._validation import check_real
from .base import BaseSampler
from .nn import RecurrentStack, fused_adam, optimizer_step
from .panels import (
    PANEL_MTYPES,
    channel_range,
    numpy3d_to_panel,
    panel_kind,
    panel_to_numpy3d,
    stride_windows,
)
from .training_log import TrainingLog

# Sequences generated per forward pass in ``sample``; bounds memory, not results.
_SAMPLE_CHUNK = 8192

# Settings recommended for the benchmark data sets of the TimeGAN paper: the
# sequence-level latent, which beat every faithful TimeGAN run on all three
# (docs/timegan_budget_benchmark.md, 3 training seeds each, against
# docs/benchmarks.md), at the budget of its runs there (about 5 minutes of
# training on one CPU thread).
_SEQUENCE_LATENT = {"latent": "sequence", "hidden_dim": 64, "num_layers": 2}
PRESETS = {
    "sines": {**_SEQUENCE_LATENT, "n_iter_pretrain": 2_000, "n_iter": 1_500},
    "stocks": {**_SEQUENCE_LATENT, "n_iter_pretrain": 2_000, "n_iter": 1_500},
    "energy": {**_SEQUENCE_LATENT, "n_iter_pretrain": 2_000, "n_iter": 1_500},
}


class TimeGANSampler(BaseSampler):
    """Synthetic multivariate time series with TimeGAN.

    Five recurrent networks are trained as in the original TimeGAN code: an
    embedder and a recovery network form an autoencoder into a latent space; a
    generator maps noise to latent sequences, a supervisor predicts the next
    latent step, and a discriminator tells real from generated latent
    sequences. Training runs three phases: the autoencoder alone, the
    supervisor alone (``n_iter_pretrain`` steps each, ``n_iter`` by default as
    in the original), then all networks jointly for ``n_iter`` steps with
    adversarial, supervised, moment-matching and reconstruction losses.
    ``latent="sequence"`` replaces this with one latent vector per sequence
    and a Wasserstein GAN on those vectors (see ``latent``).
    :meth:`preset` returns the settings recommended for a known data set.

    The sampler does not condition on labels: ``fit`` accepts ``y`` only for
    scikit-learn compatibility and ignores it, and ``sample`` takes no ``y``.
    To generate sequences of one class, fit a sampler on that class's
    sequences, as :class:`~sksynth.pipeline.GANOverSampler` does per class.

    Read more in the time-series section of the user guide.

    Parameters
    ----------
    seq_len : int, default=24
        Length of the generated sequences. A long series given to ``fit`` is cut
        into windows of this length with stride 1; a panel's sequences must
        have this length.
    hidden_dim : int or "auto", default=24
        Width of every recurrent layer and of the latent space. ``"auto"`` uses
        4 x the number of channels, as in TimeGAN's submission code.
    num_layers : int, default=3
        Recurrent layers per network (the supervisor has ``num_layers - 1``).
    cell : {"gru", "lstm", "tf-gru"}, default="gru"
        Recurrent cell type. ``"tf-gru"`` is TensorFlow 1's ``GRUCell``, the
        cell of the original TimeGAN code (:class:`sksynth.nn.TFGRU`); it
        differs from ``torch.nn.GRU`` in where the reset gate acts and in its
        initial gate biases.
    latent : {"step", "sequence"}, default="step"
        What the GAN generates. ``"step"`` is TimeGAN: one latent vector per
        time step, five recurrent networks and three phases. ``"sequence"``
        compresses each sequence into one latent vector of ``hidden_dim``
        entries (RTSGAN's approach): an autoencoder phase, a residual model
        fitted to what the decoder misses (a per-channel Gaussian AR(1) process
        with innovations correlated across channels), then ``n_iter`` steps of
        a Wasserstein GAN with gradient penalty on the latent vectors. It has
        no supervisor.
        The benchmarks page of the documentation compares the two.
    n_iter : int, default=10_000
        Training steps of the joint phase (generator steps of the adversarial
        phase with ``latent="sequence"``), and of the pretraining phases
        unless ``n_iter_pretrain`` is set (the paper used 50,000 in each).
    n_iter_pretrain : int or None, default=None
        Training steps of the autoencoder phase and of the supervisor phase
        (of the autoencoder phase with ``latent="sequence"``).
        ``None`` uses ``n_iter``. Their steps cost a fraction of a joint
        step, so more of them is a cheap way to a better autoencoder; whether
        that lowers the scores depends on the data (the benchmarks page of
        the documentation has runs with and without).
    batch_size : int, default=128
        Sequences per mini-batch.
    learning_rate : float, default=1e-3
        Learning rate of the five Adam optimizers (of the autoencoder's with
        ``latent="sequence"``, whose GAN uses WGAN-GP's 1e-4).
    gamma : float, default=1.0
        Weight of the losses on the generator's unsupervised latent sequences
        (``latent="step"`` only).
    device : {"auto", "cpu", "cuda", "cuda:N", "mps"}, default="auto"
        Where to train; ``"auto"`` picks CUDA, then MPS, then the CPU.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, mini-batches and noise during ``fit``
        without touching global random state.
    verbose : int, default=0
        0 is silent; 1 shows a progress bar per phase with the current losses;
        2 also prints the losses every few steps.

    Attributes
    ----------
    n_features_in_ : int
        Number of channels seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Channel names, when ``fit`` received named columns.
    hidden_dim_ : int
        The hidden size used (resolves ``"auto"``).
    data_min_, data_max_ : ndarray of shape (n_features_in_,)
        Per-channel range of the training data, used to scale to [0, 1] and back.
    embedder_, recovery_, generator_, supervisor_, discriminator_ : torch.nn.Module
        The trained networks. With ``latent="sequence"`` there is no
        ``supervisor_``; ``embedder_`` and ``recovery_`` are the sequence
        encoder and decoder (the decoder holds the residual model), and
        ``discriminator_`` is the critic on latent vectors.
    history_ : list of dict
        Losses every few steps (``pd.DataFrame(history_)`` tabulates them).
    phase_seconds_ : dict
        Wall-clock seconds of each training phase.
    n_iter_ : dict
        Training steps run in each phase.
    device_ : torch.device
        The device the networks live on.

    See Also
    --------
    GANSampler : Synthetic tables.

    References
    ----------
    J. Yoon, D. Jarrett and M. van der Schaar, "Time-series Generative
    Adversarial Networks", NeurIPS 2019.

    Examples
    --------
    >>> from sksynth import TimeGANSampler
    >>> from sksynth.datasets import make_sines
    >>> X = make_sines(200, seq_len=12, n_channels=2, random_state=0)
    >>> sampler = TimeGANSampler(seq_len=12, n_iter=20, device="cpu", random_state=0)
    >>> sampler.fit(X).sample(5, random_state=0).shape
    (5, 2, 12)
    """

    _parameter_constraints: dict = {
        **BaseSampler._parameter_constraints,
        "seq_len": [Interval(Integral, 1, None, closed="left")],
        "hidden_dim": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "num_layers": [Interval(Integral, 2, None, closed="left")],
        "cell": [StrOptions({"gru", "lstm", "tf-gru"})],
        "latent": [StrOptions({"step", "sequence"})],
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "n_iter_pretrain": [Interval(Integral, 1, None, closed="left"), None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "gamma": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        *,
        seq_len=24,
        hidden_dim=24,
        num_layers=3,
        cell="gru",
        latent="step",
        n_iter=10_000,
        n_iter_pretrain=None,
        batch_size=128,
        learning_rate=1e-3,
        gamma=1.0,
        device="auto",
        random_state=None,
        verbose=0,
    ):
        self.seq_len = seq_len
        self.hidden_dim = hidden_dim
        self.num_layers = num_layers
        self.cell = cell
        self.latent = latent
        self.n_iter = n_iter
        self.n_iter_pretrain = n_iter_pretrain
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.gamma = gamma
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    @classmethod
    def preset(cls, name, **params):
        """An unfitted sampler with the settings recommended for a data set.

        Parameters
        ----------
        name : {"sines", "stocks", "energy"}
            The data set of the TimeGAN paper whose settings to use
            (``sksynth.timegan.PRESETS`` lists them); the benchmark that chose
            them is in the benchmarks page of the documentation.
        **params
            Parameters to set on top of the preset, e.g. ``device`` or
            ``random_state``.

        Returns
        -------
        sampler : TimeGANSampler
            A new, unfitted sampler.

        Examples
        --------
        >>> from sksynth import TimeGANSampler
        >>> sampler = TimeGANSampler.preset("energy", random_state=0)
        >>> sampler.random_state
        0
        """
        if name not in PRESETS:
            raise ValueError(f"name must be one of {sorted(PRESETS)}; got {name!r}.")
        return cls().set_params(**{**PRESETS[name], **params})

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

    def _fit(self, X, y, device, seed):
        X3, kind, columns, n_rows = self._validate_sequences(X)
        if y is not None:
            _check_ignored_labels(y, n_rows, kind)
        data_min, span = channel_range(X3, "X", columns)
        data_max = X3.max(axis=(0, 2))
        scaled = (X3 - data_min[:, None]) / span[:, None]
        # Torch modules read (batch, time, channels).
        data = torch.as_tensor(scaled.transpose(0, 2, 1), dtype=torch.float32)

        n_channels = X3.shape[1]
        hidden_dim = 4 * n_channels if self.hidden_dim == "auto" else self.hidden_dim
        modules = self._make_networks(n_channels, hidden_dim)
        for module in modules.values():
            module.to(device)
        rng = torch.Generator(device=device).manual_seed(seed)
        n_pretrain = (
            self.n_iter if self.n_iter_pretrain is None else self.n_iter_pretrain
        )
        if self.latent == "sequence":
            trainer = sequence_latent.SequenceLatentTrainer(
                modules,
                data.to(device),
                batch_size=self.batch_size,
                learning_rate=self.learning_rate,
                rng=rng,
            )
            phases = [
                ("autoencoder", n_pretrain, trainer.autoencoder_step),
                ("adversarial", self.n_iter, trainer.adversarial_step),
            ]
        else:
            trainer = _TimeGANTrainer(
                modules,
                data.to(device),
                batch_size=self.batch_size,
                learning_rate=self.learning_rate,
                gamma=self.gamma,
                rng=rng,
            )
            phases = [
                ("autoencoder", n_pretrain, trainer.autoencoder_step),
                ("supervisor", n_pretrain, trainer.supervisor_step),
                ("joint", self.n_iter, trainer.joint_step),
            ]
        n_steps = {phase: steps for phase, steps, _ in phases}
        log = TrainingLog(self.verbose)
        for phase, _, step_fn in phases:
            with log.phase(phase, n_steps[phase]) as record:
                for step in range(n_steps[phase]):
                    record(step, step_fn())
        for module in modules.values():
            # Unfreeze: the CPU GRU kernel differs in its last bits with and
            # without requires_grad, and a loaded model has it set.
            module.requires_grad_(True)
            module.eval()
        return {
            **modules,
            "hidden_dim_": hidden_dim,
            "data_min_": data_min,
            "data_max_": data_max,
            "history_": log.history,
            "phase_seconds_": log.phase_seconds,
            "n_iter_": n_steps,
            "_input_kind_": kind,
            "_channel_names_": columns,
        }

    def _validate_sequences(self, X):
        """Return X as a float64 numpy3D array, its layout, channel names and rows.

        The rows are what a label of ``y`` would stand for: sequences of a
        panel, time points of a long series.
        """
        kind = panel_kind(X)
        columns = None
        if kind in PANEL_MTYPES:
            _reject_non_numeric(X[0] if kind == "df-list" else X)
            X, columns = panel_to_numpy3d(X, kind)
        else:
            check_real(X, "X", noun="channel")
        if kind in ("numpy3D", *PANEL_MTYPES):
            X = validate_data(
                self, X, allow_nd=True, ensure_min_samples=2, dtype=np.float64
            )
            if 0 in X.shape[1:]:
                raise ValueError(
                    f"X has shape {X.shape} (n_instances, n_channels, "
                    "n_timepoints); TimeGANSampler needs at least one channel "
                    "and one time point."
                )
            if X.shape[2] != self.seq_len:
                raise ValueError(
                    f"X holds sequences of length {X.shape[2]} but seq_len="
                    f"{self.seq_len}; set seq_len={X.shape[2]}."
                )
            if columns is not None and all(isinstance(c, str) for c in columns):
                self.feature_names_in_ = np.asarray(columns, dtype=object)
            return X, kind, columns, X.shape[0]

        if isinstance(X, pd.DataFrame):
            _reject_non_numeric(X)
            columns = [str(c) for c in X.columns]
        series = validate_data(self, X, dtype=np.float64)
        n_timepoints = series.shape[0]
        if n_timepoints < self.seq_len + 1:
            raise ValueError(
                f"X holds one series of n_samples = {n_timepoints} time points; "
                f"seq_len={self.seq_len} needs at least seq_len + 1 = "
                f"{self.seq_len + 1} time points to cut 2 windows."
            )
        return stride_windows(series, self.seq_len), kind, columns, n_timepoints

    def _sample(self, n_samples, y, rng):
        if y is not None:
            raise ValueError(
                "TimeGANSampler does not condition on labels, so sample takes no "
                "y. To generate sequences of one class, fit a sampler on that "
                "class's sequences (GANOverSampler does so per class)."
            )
        if self.latent == "sequence":
            scaled = sequence_latent.sample_sequences(
                self._fitted_modules(),
                n_samples,
                rng,
                self.device_,
                _SAMPLE_CHUNK,
            )
        else:
            scaled = self._sample_timegan(n_samples, rng)
        scaled = scaled.numpy().astype(np.float64).transpose(0, 2, 1)
        span = self.data_max_ - self.data_min_
        X3 = scaled * span[:, None] + self.data_min_[:, None]
        return numpy3d_to_panel(X3, self._input_kind_, self._channel_names_)

    def _bytes_per_sample(self):
        # The float32 output, then four float64 copies on the way to the
        # caller's layout; noise is drawn one chunk at a time.
        return (4 + 4 * 8) * self.seq_len * self.n_features_in_

    def _sample_timegan(self, n_samples, rng):
        # Uniform draws of consecutive chunks are the draws of one call, so
        # chunking the noise keeps the samples of a random_state.
        shape = (self.seq_len, self.n_features_in_)
        out = torch.empty((n_samples, *shape))
        for start in range(0, n_samples, _SAMPLE_CHUNK):
            size = min(_SAMPLE_CHUNK, n_samples - start)
            noise = torch.rand((size, *shape), generator=rng)
            latent = self.supervisor_(self.generator_(noise.to(self.device_)))
            out[start : start + size] = self.recovery_(latent).cpu()
        return out

    def _make_networks(self, n_channels, hidden_dim):
        if self.latent == "sequence":
            return sequence_latent.make_networks(
                n_channels, self.seq_len, hidden_dim, self.num_layers, self.cell
            )
        return _make_networks(n_channels, hidden_dim, self.num_layers, self.cell)

    def _build_modules(self):
        return self._make_networks(self.n_features_in_, self.hidden_dim_)


def _check_ignored_labels(y, n_rows, kind):
    """Reject a y that cannot be one label per row of X (it is ignored anyway)."""
    n_labels = np.shape(y)[0] if np.ndim(y) else None
    if n_labels != n_rows:
        rows = "time points" if kind.startswith("series") else "sequences"
        raise ValueError(
            f"y has {'no length' if n_labels is None else f'{n_labels} labels'} "
            f"but X has {n_rows} {rows}. TimeGANSampler does not condition on "
            "labels and ignores y: pass y=None, or fit one sampler per class "
            "(GANOverSampler does so)."
        )


def _reject_non_numeric(frame):
    non_numeric = [
        c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])
    ]
    # nested_univ cells hold Series (object dtype); their values are checked later.
    if non_numeric and not isinstance(frame.iloc[0, 0], pd.Series):
        raise ValueError(
            f"X must hold numeric channels only; columns {non_numeric} are not "
            "numeric. Encode or drop them first."
        )


def _make_networks(n_channels, hidden_dim, num_layers, cell):
    """The five TimeGAN networks, as named fitted attributes."""
    return {
        "embedder_": RecurrentStack(
            n_channels, hidden_dim, hidden_dim, num_layers, cell
        ),
        "recovery_": RecurrentStack(
            hidden_dim, hidden_dim, n_channels, num_layers, cell
        ),
        "generator_": RecurrentStack(
            n_channels, hidden_dim, hidden_dim, num_layers, cell
        ),
        "supervisor_": RecurrentStack(
            hidden_dim, hidden_dim, hidden_dim, num_layers - 1, cell
        ),
        "discriminator_": RecurrentStack(
            hidden_dim, hidden_dim, 1, num_layers, cell, sigmoid=False
        ),
    }


def _supervised_loss(H, H_next):
    """MSE between latent steps t+1 and the supervisor's prediction made at t."""
    return F.mse_loss(H_next[:, :-1], H[:, 1:])


def _moment_loss(X_hat, X):
    """Mean gap in per-(time, channel) batch std and mean between X_hat and X."""
    std_gap = (
        torch.sqrt(X_hat.var(dim=0, unbiased=False) + 1e-6)
        - torch.sqrt(X.var(dim=0, unbiased=False) + 1e-6)
    ).abs()
    mean_gap = (X_hat.mean(dim=0) - X.mean(dim=0)).abs()
    return std_gap.mean() + mean_gap.mean()


def _bce(logits, target):
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))


class _TimeGANTrainer:
    """The optimizers and one training step of each TimeGAN phase.

    The update order, losses and optimizers are those of the original code.
    Each step freezes the networks its optimizer does not update, so no
    gradient is computed for them, and runs the networks that read several
    inputs once on the concatenated batch. In the joint phase, the generator
    and embedder updates of a round read the same batch through the same
    (not yet updated) embedder, so its forward pass is computed once. The
    optimizers use Adam's fused kernel where torch has one.
    """

    def __init__(self, modules, data, *, batch_size, learning_rate, gamma, rng):
        self.embedder = modules["embedder_"]
        self.recovery = modules["recovery_"]
        self.generator = modules["generator_"]
        self.supervisor = modules["supervisor_"]
        self.discriminator = modules["discriminator_"]
        self.data = data
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

    def _real_batch(self):
        n = len(self.data)
        index = torch.randperm(n, generator=self.rng, device=self.data.device)
        return self.data[index[: self.batch_size]]

    def _noise(self, like):
        return torch.rand(like.shape, generator=self.rng, device=like.device)

    def autoencoder_step(self):
        """Phase 1: embedder and recovery on the reconstruction loss E0."""
        X = self._real_batch()
        self._train_only(self.embedder, self.recovery)
        mse = F.mse_loss(self.recovery(self.embedder(X)), X)
        optimizer_step(self.opt_e0, 10 * torch.sqrt(mse))
        return {"reconstruction": torch.sqrt(mse.detach())}

    def supervisor_step(self):
        """Phase 2: the supervisor on the supervised loss L_S."""
        X = self._real_batch()
        self._train_only(self.supervisor)
        with torch.no_grad():
            H = self.embedder(X)
        loss = _supervised_loss(H, self.supervisor(H))
        optimizer_step(self.opt_gs, loss)
        return {"supervised": loss.detach()}

    def joint_step(self):
        """Phase 3: two (generator, embedder) rounds, then a discriminator step."""
        for _ in range(2):
            X = self._real_batch()
            Z = self._noise(X)
            self._train_only(self.embedder)
            H = self.embedder(X)
            generator_losses = self._generator_update(X, Z, H.detach())
            reconstruction = self._embedder_update(X, H)
        X = self._real_batch()
        discriminator = self._discriminator_update(X, self._noise(X))
        return {
            **generator_losses,
            "reconstruction": reconstruction,
            "discriminator": discriminator,
        }

    def _generator_update(self, X, Z, H):
        self._train_only(self.generator, self.supervisor)
        E_hat = self.generator(Z)
        H_hat, H_next = self.supervisor(torch.cat([E_hat, H])).split(len(X))
        X_hat = self.recovery(H_hat)
        logits_hat, logits_e = self.discriminator(torch.cat([H_hat, E_hat])).split(
            len(X)
        )
        adversarial = _bce(logits_hat, 1.0) + self.gamma * _bce(logits_e, 1.0)
        supervised = torch.sqrt(_supervised_loss(H, H_next))
        moments = _moment_loss(X_hat, X)
        optimizer_step(self.opt_g, adversarial + 100 * supervised + 100 * moments)
        return {
            "generator_adversarial": adversarial.detach(),
            "generator_supervised": supervised.detach(),
            "generator_moments": moments.detach(),
        }

    def _embedder_update(self, X, H):
        self._train_only(self.embedder, self.recovery)
        mse = F.mse_loss(self.recovery(H), X)
        loss = 10 * torch.sqrt(mse) + 0.1 * _supervised_loss(H, self.supervisor(H))
        optimizer_step(self.opt_e, loss)
        return torch.sqrt(mse.detach())

    def _discriminator_update(self, X, Z):
        self._train_only(self.discriminator)
        with torch.no_grad():
            H = self.embedder(X)
            E_hat = self.generator(Z)
            H_hat = self.supervisor(E_hat)
        logits_real, logits_hat, logits_e = self.discriminator(
            torch.cat([H, H_hat, E_hat])
        ).split(len(X))
        loss = (
            _bce(logits_real, 1.0)
            + _bce(logits_hat, 0.0)
            + self.gamma * _bce(logits_e, 0.0)
        )
        # The original trains the discriminator only while it is not too good.
        if loss.item() > 0.15:
            optimizer_step(self.opt_d, loss)
        return loss.detach()
