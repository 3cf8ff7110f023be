"""TimeGANSampler: TimeGAN (Yoon, Jarrett & van der Schaar, NeurIPS 2019)."""

from numbers import Integral, Real

import numpy as np
import pandas as pd
import torch
from sklearn.utils._param_validation import Interval, Options, StrOptions

from .._core.data_parallel import AverageOverProcesses, DataParallel
from .._core.labels import check_label_type, restore_labels, sample_labels
from .._core.masking import step_mask
from .._core.panels import (
    PANEL_MTYPES,
    channel_range,
    numpy3d_to_panel,
    padded_to_panel,
)
from .._core.persistence import (
    check_saved_array,
    check_saved_counts,
    check_saved_labels,
)
from .._core.seeding import seed_global_generators
from .._core.training import Phase, TrainingLoop
from .._core.training_log import TrainingLog
from .._core.weight_averaging import WeightAverage
from ..base import BaseSampler
from . import _sequence_latent as sequence_latent
from ._attributes import SequenceAttributes
from ._conditions import (
    check_lengths,
    draw_lengths,
    length_counts,
    sequence_conditions,
)
from ._gaps import check_gap_chains, draw_gaps, fill_gaps, gap_chains
from ._inputs import (
    Sequences,
    validate_attributes,
    validate_sequence_labels,
    validate_sequences,
)
from ._marginals import N_LEVELS, channel_quantiles, map_quantiles
from ._trainer import _make_networks, _TimeGANTrainer, generate

# Sequences generated per forward pass in ``sample``; bounds memory, not results.
_SAMPLE_CHUNK = 8192
# The calibration sample whose quantiles ``marginals="matched"`` maps from:
# 10,000 generated sequences, fewer where they are longer than 24 steps (at
# most 240,000 values per channel) or hold over 12.5 million values in all
# (100 MB in float64, for data of hundreds of channels).
_CALIBRATION_SEQUENCES = 10_000
_CALIBRATION_VALUES_PER_CHANNEL = 240_000
_CALIBRATION_VALUES = 12_500_000

# The published algorithm (Yoon, Jarrett & van der Schaar, 2019) with its
# network sizes; the paper trained 50,000 steps per phase, the original code's
# default. ``TimeGANSampler.preset("timegan-2019")`` returns it.
PRESETS = {
    "timegan-2019": {
        "latent": "step",
        "hidden_dim": 24,
        "num_layers": 3,
        "n_iter_pretrain": None,
        "n_iter": 10_000,
        "ema_decay": None,
        "marginals": "learned",
    },
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
    The defaults are the sequence latent, sampled from a moving average of its
    generator's weights, with each channel mapped onto the data's
    distribution: the settings that scored best on the tuning series and were
    then confirmed on held-out series (the defaults page of the
    documentation). ``TimeGANSampler.preset("timegan-2019")`` is the published
    algorithm, five recurrent networks and three phases, as the paper ran it.

    ``fit(X, y)`` with one class label per sequence of a panel makes the
    class a condition of the generator and the discriminator (and, with
    ``latent="step"``, of the supervisor); ``sample(n, y=...)`` then returns
    ``(X, y)`` with exactly the labels asked for, or without ``y`` labels
    drawn in the training proportions. ``y`` may instead be a DataFrame of
    per-sequence attributes (numbers and categories, with missing values):
    the sequences are then conditional on them, and ``sample`` draws new
    attributes from a Gaussian copula, or takes those given as ``y``. Panels
    of unequal lengths (sktime's
    ``nested_univ``, ``pd-multiindex`` and ``df-list``) are padded, and every
    loss counts each sequence's own steps only; ``sample`` draws lengths from
    those of the training sequences (of the class, when conditional) and
    returns a panel of the same mtype.

    Read more in the time-series section of the user guide.

    Parameters
    ----------
    seq_len : int or "auto", default="auto"
        Length of the generated sequences. A long series given to ``fit`` is cut
        into windows of this length with stride 1; a panel's sequences must
        have this length. ``"auto"`` takes the length of a panel's sequences,
        and cuts a long series into windows of 24 time points, as the TimeGAN
        paper does; for a panel of unequal lengths, ``seq_len`` must be
        ``"auto"`` or the longest length, the padded length the networks run
        over (each sampled sequence has a length drawn from the training
        lengths). At least 2
        with ``latent="step"``, whose supervisor predicts each step from the
        one before.
    hidden_dim : int or "auto", default=64
        Width of every recurrent layer and of the latent space. ``"auto"`` uses
        4 x the number of channels, as in TimeGAN's submission code.
    num_layers : int, default=2
        Recurrent layers per network (the supervisor has ``num_layers - 1``).
    cell : {"gru", "lstm", "tf-gru"}, default="gru"
        Recurrent cell type. ``"tf-gru"`` is TensorFlow 1's ``GRUCell``, the
        cell of the original TimeGAN code (:class:`sksynth.timeseries.TFGRU`); it
        differs from ``torch.nn.GRU`` in where the reset gate acts and in its
        initial gate biases.
    latent : {"step", "sequence"}, default="sequence"
        What the GAN generates. ``"step"`` is TimeGAN: one latent vector per
        time step, five recurrent networks and three phases. ``"sequence"``
        compresses each sequence into one latent vector of ``hidden_dim``
        entries (RTSGAN's approach): an autoencoder phase, a residual model
        fitted to what the decoder misses (a per-channel AR(1) process with
        innovations correlated across channels; see ``innovations``), then
        ``n_iter`` steps of a Wasserstein GAN with gradient penalty on the
        latent vectors. It has no supervisor.
        The benchmarks page of the documentation compares the two.
    innovations : {"empirical", "gaussian"}, default="empirical"
        The residual model's innovations (``latent="sequence"`` only).
        ``"gaussian"`` draws them from the fitted multivariate normal.
        ``"empirical"`` keeps that normal's correlations across channels
        (a Gaussian copula) but gives each channel's innovations, scaled
        to the normal's spread at each step, the distribution of its own
        training innovations (1,001 quantiles): the heavy tails of price
        returns and the point mass at zero of a sensor that holds its value
        come back, and step sizes follow the data's.
    n_iter : int, default=1_500
        Training steps of the joint phase (generator steps of the adversarial
        phase with ``latent="sequence"``), and of the pretraining phases
        unless ``n_iter_pretrain`` is set (the paper used 50,000 in each).
    n_iter_pretrain : int or None, default=2_000
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
    ema_decay : float or None, default=0.995
        Sample from exponential moving averages, over the steps of the last
        phase, of the weights of the networks that generate (the generator,
        supervisor and recovery; the latent generator with
        ``latent="sequence"``), with this decay per step (e.g. 0.999). None
        samples from the last weights, as the original does.
    marginals : {"learned", "matched"}, default="matched"
        ``"learned"`` returns what the networks generate (clipped to the
        training range with ``latent="sequence"``), as the original does.
        ``"matched"`` maps each channel's generated values onto the training
        data's distribution: after training, the quantiles of a calibration
        sample (10,000 generated sequences; fewer of sequences longer than
        24 steps or of hundreds of channels) are mapped onto the training
        data's, per channel over all time steps, by an increasing map that
        keeps each sequence's rises and falls. Noise channels then have the
        data's bounds and shape, and sensors that report few distinct values
        come back on those values.
    gaps : {"keep", "fill"}, default="keep"
        Missing values (NaN) inside the sequences are gaps; the networks
        train on them filled by linear interpolation in time. ``"keep"``
        gives samples the data's gaps: each channel's, drawn from a
        two-state Markov chain fitted to its gaps (which keeps its missing
        rate and mean gap length, not gaps shared across channels).
        ``"fill"`` samples without gaps.
    data_parallel : "auto" or False, default="auto"
        ``"auto"`` trains data-parallel when ``fit`` runs in every process of
        an initialized ``torch.distributed`` group of several processes (as
        under ``torchrun``; ``latent="sequence"`` only): each process draws
        its batches from its own share of the sequences, gradients are
        averaged before every step, and every process ends with the same
        networks. False trains on this process alone, e.g. to fit on one
        rank of a job that uses the group for other work.
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
    generated_quantiles_, data_quantiles_ : ndarray of shape (1001, n_features_in_)
        With ``marginals="matched"``: the quantiles of the generated values
        and of the training data per channel, in the [0, 1] scaled units;
        ``sample`` maps the former onto the latter.
    embedder_, recovery_, generator_, supervisor_, discriminator_ : torch.nn.Module
        The trained networks. With ``latent="sequence"`` there is no
        ``supervisor_``; ``embedder_`` and ``recovery_`` are the sequence
        encoder and decoder (the decoder holds the residual model), and
        ``discriminator_`` is the critic on latent vectors.
    seq_len_ : int
        The length the networks run over (resolves ``"auto"``; the longest
        length of an unequal-length panel).
    classes_ : ndarray of shape (n_classes,)
        The class labels, when ``fit`` received ``y``.
    class_counts_ : ndarray of shape (n_classes,)
        Training sequences per class, when ``fit`` received ``y``.
    length_counts_ : ndarray of shape (n_classes or 1, seq_len_ + 1)
        For a panel of unequal lengths: how many training sequences (of each
        class, when conditional) have each length; ``sample`` draws from it.
    attributes_ : SequenceAttributes
        For a sampler fitted with attributes (``y`` a DataFrame of one row
        per sequence): their Gaussian copula, which ``sample`` draws new rows
        from, and their encoding as conditions.
    gap_chains_ : ndarray of shape (n_features_in_, 3)
        For sequences with gaps: per channel, the probability that a sequence
        starts with a gap, that a gap starts after an observed value and that
        a gap goes on; ``sample`` draws gaps from them with ``gaps="keep"``.
    history_ : list of dict
        Losses every few steps (``pd.DataFrame(history_)`` tabulates them).
    phase_seconds_ : dict
        Wall-clock seconds of each training phase.
    n_iter_ : int
        Training steps of the last phase (the joint or adversarial phase),
        the counterpart of ``n_iter``.
    n_iter_per_phase_ : dict
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
    >>> X = make_sines(64, seq_len=12, n_channels=2, random_state=0)
    >>> sampler = TimeGANSampler(seq_len=12, hidden_dim=8, n_iter=5, batch_size=32,
    ...                          device="cpu", random_state=0)
    >>> sampler.fit(X).sample(5, random_state=0).shape
    (5, 2, 12)
    """

    _saved_attributes: dict = {
        **BaseSampler._saved_attributes,
        "hidden_dim_": "count",
        "seq_len_": "count",
        "data_min_": "numbers",
        "data_max_": "numbers",
        "generated_quantiles_": "numbers",
        "data_quantiles_": "numbers",
        "classes_": "labels",
        "class_counts_": "numbers",
        "_label_type_": "json",
        "length_counts_": "numbers",
        "gap_chains_": "numbers",
        "attributes_": SequenceAttributes,
        "phase_seconds_": "json",
        "n_iter_per_phase_": "json",
        "_input_kind_": "text",
        "_channel_names_": "json",
    }

    _parameter_constraints: dict = {
        **BaseSampler._parameter_constraints,
        "seq_len": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "hidden_dim": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "num_layers": [Interval(Integral, 2, None, closed="left")],
        "cell": [StrOptions({"gru", "lstm", "tf-gru"})],
        "latent": [StrOptions({"step", "sequence"})],
        "innovations": [StrOptions({"empirical", "gaussian"})],
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "n_iter_pretrain": [Interval(Integral, 1, None, closed="left"), None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "gamma": [Interval(Real, 0, None, closed="left")],
        "ema_decay": [Interval(Real, 0, 1, closed="left"), None],
        "marginals": [StrOptions({"learned", "matched"})],
        "gaps": [StrOptions({"keep", "fill"})],
        "data_parallel": [StrOptions({"auto"}), Options(bool, {False})],
    }

    def __init__(
        self,
        *,
        seq_len="auto",
        hidden_dim=64,
        num_layers=2,
        cell="gru",
        latent="sequence",
        innovations="empirical",
        n_iter=1_500,
        n_iter_pretrain=2_000,
        batch_size=128,
        learning_rate=1e-3,
        gamma=1.0,
        ema_decay=0.995,
        marginals="matched",
        gaps="keep",
        data_parallel="auto",
        device="auto",
        random_state=None,
        verbose=0,
    ):
        self.seq_len = seq_len
        self.hidden_dim = hidden_dim
        self.num_layers = num_layers
        self.cell = cell
        self.latent = latent
        self.innovations = innovations
        self.n_iter = n_iter
        self.n_iter_pretrain = n_iter_pretrain
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.gamma = gamma
        self.ema_decay = ema_decay
        self.marginals = marginals
        self.gaps = gaps
        self.data_parallel = data_parallel
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    @classmethod
    def preset(cls, name, **params):
        """An unfitted sampler with the settings of a named algorithm.

        Parameters
        ----------
        name : {"timegan-2019"}
            ``"timegan-2019"`` is TimeGAN as published (Yoon, Jarrett and van
            der Schaar, NeurIPS 2019): the step latent, five recurrent
            networks of 3 layers and 24 units, 10,000 steps per phase (the
            paper ran 50,000), no weight averaging, no marginal mapping.
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
        >>> sampler = TimeGANSampler.preset("timegan-2019", random_state=0)
        >>> sampler.latent, sampler.random_state
        ('step', 0)
        """
        if name not in PRESETS:
            raise ValueError(f"name must be one of {sorted(PRESETS)}; got {name!r}.")
        return cls().set_params(**{**PRESETS[name], **params})

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = True
        return tags

    def _validate_data(self, X, y):
        X3, lengths, kind, columns = validate_sequences(self, X)
        if isinstance(y, pd.DataFrame):
            self._input_kind_ = kind
            self._channel_names_ = columns
            return Sequences(X3, lengths), validate_attributes(y, X3, kind)
        codes, classes, label_type = validate_sequence_labels(y, X3, kind)
        self._input_kind_ = kind
        self._channel_names_ = columns
        if classes is not None:
            self.classes_ = classes
            self._label_type_ = label_type
        return Sequences(X3, lengths), codes

    def _fit(self, sequences, codes, device, seed):
        X3, lengths = sequences
        n_sequences, n_channels, seq_len = X3.shape
        parallel = self._process_group(device)
        if parallel is not None:
            # One set of initial weights on every process.
            seed = parallel.common_seed(seed)
            seed_global_generators(seed, device)
        valid = np.ones((n_sequences, 1, seq_len), dtype=bool)
        if lengths is not None:
            valid = (np.arange(seq_len) < lengths[:, None])[:, None, :]
        gaps = np.isnan(X3) & valid
        if gaps.any():
            self.gap_chains_ = gap_chains(gaps, valid)
        data = self._scaled(X3, lengths is not None, gaps if gaps.any() else None)
        attributes = None
        if isinstance(codes, pd.DataFrame):
            self.attributes_ = SequenceAttributes.fit(
                codes, np.random.default_rng(seed)
            )
            attributes = torch.as_tensor(self.attributes_.encode(codes))
            codes = None
        n_classes = len(getattr(self, "classes_", ()))
        torch_codes = None if codes is None else torch.as_tensor(codes)
        torch_lengths = None if lengths is None else torch.as_tensor(lengths)
        conditions = sequence_conditions(
            torch_codes, n_classes, torch_lengths, seq_len, attributes
        )

        hidden_dim = 4 * n_channels if self.hidden_dim == "auto" else self.hidden_dim
        self.hidden_dim_, self.seq_len_ = hidden_dim, seq_len
        n_conditions = 0 if conditions is None else conditions.shape[1]
        modules = self._make_networks(
            n_channels, seq_len, hidden_dim, n_conditions, n_classes
        )
        for module in modules.values():
            module.to(device)
        batch_seed, rows = seed, None
        if parallel is not None:
            parallel.check_same(
                [n_sequences, n_channels, seq_len, n_classes],
                "sequences, channels, length and classes",
            )
            rows = torch.as_tensor(parallel.shard(n_sequences), device=device)
            # Each process draws its own batches and noise.
            batch_seed = parallel.rank_seed(seed)
            seed_global_generators(batch_seed, device)
        rng = torch.Generator(device=device).manual_seed(batch_seed)
        trainer, phases = self._phases(
            modules, data, conditions, torch_lengths, torch_codes, rng, device, rows
        )
        verbose = self.verbose if parallel is None or parallel.is_main else 0
        log = TrainingLog(verbose)
        callbacks = [log]
        if self.ema_decay is not None:
            callbacks.append(WeightAverage(self._generating_networks(), self.ema_decay))
        if parallel is not None:
            callbacks.append(AverageOverProcesses(parallel, trainer.optimizers()))
        loop = TrainingLoop(modules, callbacks)
        networks = loop.run(phases)
        for name, module in networks.items():
            # Unfreeze: the CPU GRU kernel differs in its last bits with and
            # without requires_grad, and a loaded model has it set.
            module.requires_grad_(True)
            setattr(self, name, module.eval())
        self.history_ = log.history
        self.phase_seconds_ = log.phase_seconds
        self.n_iter_ = self.n_iter
        self.n_iter_per_phase_ = loop.steps_run
        if self.marginals == "matched":
            self.generated_quantiles_ = self._generated_quantiles(
                networks,
                device,
                seed,
                n_sequences,
                torch_codes,
                n_classes,
                torch_lengths,
                seq_len,
                attributes,
            )
        if codes is not None:
            self.class_counts_ = np.bincount(codes, minlength=n_classes)
        if lengths is not None:
            self.length_counts_ = length_counts(lengths, codes, n_classes, seq_len)

    def _scaled(self, X3, padded, gaps=None):
        """X3 min-max scaled per channel to [0, 1], as (batch, time, channels).

        Records the channels' range and, with ``marginals="matched"``, their
        quantiles, both of the observed values; ``gaps`` (a boolean mask of
        X3's) are then filled by interpolation, and with ``padded``, the
        padding becomes 0.
        """
        data_min, span = channel_range(X3, "X", self._channel_names_)
        self.data_min_ = data_min
        self.data_max_ = np.nanmax(X3, axis=(0, 2))
        scaled = (X3 - data_min[:, None]) / span[:, None]
        if self.marginals == "matched":
            self.data_quantiles_ = channel_quantiles(scaled.transpose(0, 2, 1))
        if gaps is not None:
            filled = fill_gaps(scaled.transpose(0, 2, 1), gaps.transpose(0, 2, 1))
            scaled = filled.transpose(0, 2, 1)
        if padded:
            scaled[np.isnan(scaled)] = 0.0  # no loss reads the padding
        # Torch modules read (batch, time, channels).
        return torch.as_tensor(scaled.transpose(0, 2, 1), dtype=torch.float32)

    def _generating_networks(self):
        """The networks that generate, whose weights ``ema_decay`` averages."""
        if self.latent == "sequence":
            return ["generator_"]
        return ["generator_", "supervisor_", "recovery_"]

    def _process_group(self, device):
        """The data-parallel process group to train over, or None."""
        if self.data_parallel is False:
            return None
        parallel = DataParallel.current(device)
        if parallel is not None and self.latent != "sequence":
            raise ValueError(
                "Data-parallel training supports latent='sequence' only; set "
                "latent='sequence', or data_parallel=False to fit in one process."
            )
        return parallel

    def _phases(self, modules, data, conditions, lengths, codes, rng, device, rows):
        """The trainer and the training phases, in order.

        ``rows`` are the sequences a data-parallel process draws batches from.
        """
        n_pretrain = (
            self.n_iter if self.n_iter_pretrain is None else self.n_iter_pretrain
        )
        data = data.to(device)
        if conditions is not None:
            conditions = conditions.to(device)
        if lengths is not None:
            lengths = lengths.to(device)
        if codes is not None:
            codes = codes.to(device)
        if self.latent == "sequence":
            trainer = sequence_latent.SequenceLatentTrainer(
                modules,
                data,
                batch_size=self.batch_size,
                learning_rate=self.learning_rate,
                rng=rng,
                conditions=conditions,
                lengths=lengths,
                classes=codes,
                rows=rows,
            )
            return trainer, [
                Phase("autoencoder", n_pretrain, trainer.autoencoder_step),
                Phase("adversarial", self.n_iter, trainer.adversarial_step),
            ]
        trainer = _TimeGANTrainer(
            modules,
            data,
            batch_size=self.batch_size,
            learning_rate=self.learning_rate,
            gamma=self.gamma,
            rng=rng,
            conditions=conditions,
            mask=None if lengths is None else step_mask(lengths, data.shape[1]),
        )
        return trainer, [
            Phase("autoencoder", n_pretrain, trainer.autoencoder_step),
            Phase("supervisor", n_pretrain, trainer.supervisor_step),
            Phase("joint", self.n_iter, trainer.joint_step),
        ]

    def sample(self, n_samples=1, *, y=None, lengths=None, random_state=None):
        """Generate synthetic sequences.

        Parameters
        ----------
        n_samples : int, default=1
            Number of sequences to generate.
        y : label, array-like of shape (n_samples,) or DataFrame, default=None
            Labels to generate, for a sampler fitted with labels; or, for one
            fitted with attributes (a DataFrame ``y``), the attributes of each
            sequence, one row each. None draws them.
        lengths : int or array-like of shape (n_samples,), default=None
            For a sampler fitted on a panel of unequal lengths: the length of
            each sequence, any integer between the shortest and the longest
            training length (lengths in between that no training sequence
            had are interpolated by the length condition). None draws lengths
            from those of the training sequences (of the class, when
            conditional).
        random_state : int, RandomState instance or None, default=None
            Seeds the noise, drawn on the CPU so that an int gives the same
            draws on any device. None gives fresh draws at every call.

        Returns
        -------
        X : same container kind as the data given to ``fit``
            The synthetic sequences. A sampler fitted with ``y`` returns
            ``(X, y)``: the labels, or the DataFrame of attributes.
        """
        return self._checked_sample(n_samples, random_state, y=y, lengths=lengths)

    def _sample(self, n_samples, y, rng, lengths=None):
        classes = getattr(self, "classes_", None)
        attributes, encoded = None, None
        if hasattr(self, "attributes_"):
            attributes = (
                self.attributes_.draw(n_samples, rng)
                if y is None
                else self.attributes_.checked(y, n_samples)
            )
            encoded = torch.as_tensor(self.attributes_.encode(attributes))
            y = None
        codes = sample_labels(
            classes, getattr(self, "class_counts_", None), n_samples, y, rng
        )
        counts = getattr(self, "length_counts_", None)
        if lengths is None:
            lengths = (
                None if counts is None else draw_lengths(counts, codes, n_samples, rng)
            )
        else:
            lengths = check_lengths(lengths, counts, n_samples, self.seq_len_)
        n_classes = 0 if classes is None else len(classes)
        generated = self._generate(
            self._fitted_modules(),
            self.device_,
            rng,
            codes,
            n_classes,
            lengths,
            (n_samples, self.seq_len_, self.n_features_in_),
            encoded,
        )
        if self.marginals == "matched":
            scaled = map_quantiles(
                generated, self.generated_quantiles_, self.data_quantiles_
            )
        else:
            scaled = generated.clip(0.0, 1.0)
        span = self.data_max_ - self.data_min_
        X3 = scaled.transpose(0, 2, 1) * span[:, None] + self.data_min_[:, None]
        if self.gaps == "keep" and hasattr(self, "gap_chains_"):
            X3[draw_gaps(self.gap_chains_, *X3.shape[::2], rng)] = np.nan
        if lengths is None:
            X = numpy3d_to_panel(X3, self._input_kind_, self._channel_names_)
        else:
            X = padded_to_panel(
                X3, lengths.tolist(), self._input_kind_, self._channel_names_
            )
        if attributes is not None:
            return X, attributes
        if codes is None:
            return X
        labels = restore_labels(classes[codes.numpy()], self._label_type_)
        return X, labels

    def _bytes_per_sample(self):
        # The float32 output, then five float64 copies on the way to the
        # caller's layout, and the uniform draws and mask of gaps; noise is
        # drawn one chunk at a time.
        return (4 + 6 * 8 + 1) * self.seq_len_ * self.n_features_in_

    def _generate(
        self, modules, device, rng, codes, n_classes, lengths, shape, attributes=None
    ):
        """Generated sequences of ``shape`` (n, time, channels), in scaled units.

        Float64 on the CPU, not yet clipped or mapped to the data's marginals;
        ``codes``, ``lengths`` and ``attributes`` (CPU tensors or None) are
        each sequence's class, length and encoded attributes, and all noise
        comes from the CPU ``rng``.
        """
        n_samples, seq_len, _ = shape
        conditions = sequence_conditions(codes, n_classes, lengths, seq_len, attributes)
        if self.latent == "sequence":
            out = sequence_latent.sample_sequences(
                modules,
                n_samples,
                rng,
                device,
                _SAMPLE_CHUNK,
                conditions,
                lengths,
                codes,
                empirical=self.innovations == "empirical",
            )
        else:
            out = _generate_steps(modules, device, rng, conditions, shape)
        return out.numpy().astype(np.float64)

    def _generated_quantiles(
        self,
        modules,
        device,
        seed,
        n_train,
        codes,
        n_classes,
        lengths,
        seq_len,
        attributes=None,
    ):
        """Per-channel quantiles of a calibration sample, for ``marginals``.

        The calibration sequences take the classes, lengths and attributes of
        training sequences drawn at random, so that they follow the training
        set's mix.
        """
        rng = torch.Generator().manual_seed(seed)
        n_calibration = min(
            _CALIBRATION_SEQUENCES,
            -(-_CALIBRATION_VALUES_PER_CHANNEL // seq_len),
            max(1, _CALIBRATION_VALUES // (seq_len * self.n_features_in_)),
        )
        index = torch.randint(n_train, (n_calibration,), generator=rng)
        codes = None if codes is None else codes[index]
        lengths = None if lengths is None else lengths[index]
        attributes = None if attributes is None else attributes[index]
        shape = (len(index), seq_len, self.n_features_in_)
        with torch.no_grad():
            generated = self._generate(
                modules, device, rng, codes, n_classes, lengths, shape, attributes
            )
        if lengths is not None:
            padding = np.arange(seq_len) >= lengths.numpy()[:, None]
            generated[padding] = np.nan
        return channel_quantiles(generated)

    def _make_networks(self, n_channels, seq_len, hidden_dim, n_conditions, n_classes):
        if self.latent == "sequence":
            return sequence_latent.make_networks(
                n_channels,
                seq_len,
                hidden_dim,
                self.num_layers,
                self.cell,
                n_conditions,
                n_classes,
            )
        return _make_networks(
            n_channels, hidden_dim, self.num_layers, self.cell, n_conditions
        )

    def _check_saved_state(self):
        # What sample() allocates from and returns: the channels (which the
        # memory guard counts), their ranges and quantiles, the labels, the
        # lengths and the layout of the output.
        super()._check_saved_state()
        n_channels = self.n_features_in_
        if self.seq_len != "auto" and self.seq_len_ != self.seq_len:
            raise ValueError(f"seq_len_={self.seq_len_} is not seq_len={self.seq_len}")
        check_saved_array("data_min_", self.data_min_, (n_channels,))
        check_saved_array("data_max_", self.data_max_, (n_channels,))
        if self.marginals == "matched":
            for name in ("generated_quantiles_", "data_quantiles_"):
                check_saved_array(name, getattr(self, name), (N_LEVELS, n_channels))
        classes = getattr(self, "classes_", None)
        check_saved_labels(classes, getattr(self, "class_counts_", None))
        check_label_type(getattr(self, "_label_type_", None))
        if hasattr(self, "gap_chains_"):
            check_gap_chains(self.gap_chains_, n_channels)
        if hasattr(self, "length_counts_"):
            n_groups = 1 if classes is None else len(classes)
            check_saved_counts(
                "length_counts_", self.length_counts_, (n_groups, self.seq_len_ + 1)
            )
        kinds = ("numpy3D", "series-array", "series-frame", *PANEL_MTYPES)
        if self._input_kind_ not in kinds:
            raise ValueError(f"_input_kind_ {self._input_kind_!r:.50} is unknown")
        names = self._channel_names_
        if names is not None and not (
            isinstance(names, list)
            and len(names) == n_channels
            and all(isinstance(name, (str, int)) for name in names)
        ):
            raise ValueError("_channel_names_ are not one name per channel")

    def _build_modules(self):
        n_classes = len(getattr(self, "classes_", ()))
        n_conditions = n_classes + hasattr(self, "length_counts_")
        if hasattr(self, "attributes_"):
            n_conditions += self.attributes_.width
        return self._make_networks(
            self.n_features_in_,
            self.seq_len_,
            self.hidden_dim_,
            n_conditions,
            n_classes,
        )


def _generate_steps(modules, device, rng, conditions, shape):
    """TimeGAN sequences of ``shape`` (n, time, channels), on the CPU."""
    # Uniform draws of consecutive chunks are the draws of one call, so
    # chunking the noise keeps the samples of a random_state.
    n_samples = shape[0]
    out = torch.empty(shape)
    for start in range(0, n_samples, _SAMPLE_CHUNK):
        size = min(_SAMPLE_CHUNK, n_samples - start)
        chunk = slice(start, start + size)
        noise = torch.rand((size, *shape[1:]), generator=rng)
        condition = None if conditions is None else conditions[chunk].to(device)
        out[chunk] = generate(modules, noise.to(device), condition).cpu()
    return out
