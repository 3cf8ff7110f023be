"""GANSampler: a conditional GAN for mixed-type tables, of CTGAN's class."""

from functools import partial
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, Options, StrOptions

from .._core.data_parallel import AverageOverProcesses, DataParallel
from .._core.labels import (
    check_label_type,
    restore_labels,
    sample_labels,
    validate_labels,
)
from .._core.persistence import check_saved_counts, check_saved_labels
from .._core.seeding import seed_global_generators
from .._core.table_columns import validate_table
from .._core.training import Phase, TrainingLoop
from .._core.training_log import TrainingLog
from .._core.weight_averaging import WeightAverage
from ..base import BaseSampler
from ._conditions import (
    SamplingConditions,
    TrainingConditions,
    condition_counts,
    n_condition_inputs,
    observed_patterns,
)
from ._early_stopping import MIN_STEPS_PER_ROUND, EarlyStopping, validation_split
from ._encoder import MAX_GRID_VALUES, TabularEncoder
from ._generation import (
    HeldOutRows,
    concat_tables,
    decoded,
    encoded_chunks,
    stacked,
    take_rows,
)
from ._layout import OutputLayout
from ._privacy import (
    QUANTILE_SHARE,
    PrivateGANTrainer,
    calibrated_noise,
    check_private_fit,
    encoder_schema,
    epsilon_spent,
    max_steps,
)
from ._row_conditions import RowConditions
from ._trainer import GRADIENT_PENALTY, GANTrainer, make_networks

# The budget of epochs="auto": AUTO_EPOCHS epochs, but at most MAX_AUTO_STEPS
# and at least min_steps optimizer steps (whole epochs). 100 epochs of a table
# of 10,000 rows take 2,000 steps; min_steps raises them to 5,000.
AUTO_EPOCHS = 100
MAX_AUTO_STEPS = 10_000
# Rows of the calibration sample of marginals="matched".
CALIBRATION_ROWS = 20_000


class Table(NamedTuple):
    """A validated table and which of its columns are categorical."""

    X: object
    categorical: np.ndarray


class GANSampler(BaseSampler):
    """Synthetic mixed-type tables with a conditional tabular GAN.

    A generator and a discriminator are trained adversarially on an encoding of
    the table, in the manner of CTGAN (Xu et al., 2019):

    * numeric columns get mode-specific normalization: a variational Gaussian
      mixture (at most 10 modes; modes with weight below 0.005 dropped) is
      fitted per column on a random subsample of at most 2,000 values;
      each value is encoded as its offset from a mode drawn from its posterior,
      ``(x - mu_k) / (4 sigma_k)``, plus a one-hot of the mode ``k``;
    * categorical columns are one-hot encoded and generated with a
      Gumbel-softmax (temperature 0.2);
    * a conditional vector names one category of one categorical column, and
      training-by-sampling picks a column uniformly, a category with
      probability proportional to ``log(frequency + 1)``, and a real row of
      that category, so that rare categories are learned;
    * the losses are WGAN-GP (gradient penalty weight 10) with PacGAN packing,
      or the classic non-saturating GAN (``loss="bce"``).

    Unlike CTGAN, the generator update reuses the fake batch of the last
    discriminator update (as in the DCGAN reference training loop), which saves
    one generator forward pass per step. Five defaults go beyond CTGAN, each
    with a parameter that turns it off: point masses and integer grids come
    back as exact values (``exact_values``), a column that another determines
    is decoded from it (``derived_columns``), the missing values of numeric
    columns are conditioned on (``condition_missing``), generated numbers are
    mapped onto the data's marginals after training (``marginals``), and
    small tables get enough optimizer steps. The tables benchmark measures them
    together against CTGAN's encoding and budget. The default budget is set by
    the table's size (``epochs="auto"``): 100 epochs, at least ``min_steps``
    and at most 10,000 optimizer steps. The networks are half CTGAN's width:
    on the defaults benchmark's tuning tables, half-width networks trained
    for more steps made samples harder to detect than CTGAN's widths, at a
    similar cost.

    A NaN in a numeric column is modelled by a missing-value mode, and a
    missing value in a categorical column is a category of its own, so sampled
    data reproduce the missing rates. ``sample`` returns the container kind
    given to ``fit`` (ndarray or DataFrame) with the same columns and dtypes:
    integers stay integers (nullable ones included), booleans stay booleans,
    ``category`` columns keep their categories and strings stay strings.
    Numeric values are generated within the range seen in ``fit``.

    Given class labels ``y``, ``fit`` makes the class a condition of both
    networks, and ``sample(n, y=...)`` returns ``(X, y)`` with exactly the
    requested labels, ``y`` in the container and dtype given to ``fit`` (a
    Series or pandas array keeps its dtype, an ordered categorical included;
    anything else comes back as an ndarray).

    Read more in the tables section of the user guide.

    Parameters
    ----------
    embedding_dim : int, default=128
        Size of the noise vector fed to the generator.
    generator_dim : tuple of int, default=(128, 128)
        Widths of the generator's residual blocks (CTGAN's are (256, 256)).
    discriminator_dim : tuple of int, default=(128, 128)
        Widths of the discriminator's hidden layers (CTGAN's are (256, 256)).
    epochs : int or "auto", default="auto"
        Training epochs; an epoch is ``n_samples // batch_size`` steps (at
        least one). An int trains exactly that many. ``"auto"`` sets the
        budget by the table's size: 100 epochs, but at least ``min_steps``
        steps (whole epochs, so that small tables get enough) and at most
        10,000 (so that large ones take no more than they need; 100 epochs of
        50,000 rows at the default batch size).
    min_steps : int, default=5000
        Fewest optimizer steps of ``epochs="auto"``; an explicit ``epochs``
        ignores it.
    batch_size : int, default=500
        Rows per mini-batch; must be a multiple of ``pac``.
    pac : int, default=10
        Rows the discriminator scores together (PacGAN).
    discriminator_steps : int, default=1
        Discriminator updates per generator update.
    learning_rate : float, default=2e-4
        Learning rate of both Adam optimizers (betas (0.5, 0.9), weight decay
        1e-6).
    loss : {"wgan-gp", "bce"}, default="wgan-gp"
        ``"wgan-gp"``: Wasserstein loss with gradient penalty. ``"bce"``: the
        classic GAN of Goodfellow et al., a binary cross-entropy discriminator
        and the non-saturating generator loss.
    categorical_features : "from_dtype", array-like or None, default=None
        Which columns are categorical. None or ``"from_dtype"``: columns of
        ``category``, ``bool``, ``object`` or string dtype (and, in an object
        ndarray, columns that cannot be read as numbers). An array of column
        indices, column names, or a boolean mask adds columns to those that
        cannot be numeric, as in
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier`.
    exact_values : bool, default=True
        Generate point masses (a value holding at least 5 % of a numeric
        column, such as a column of mostly zeros), heaps (a value holding at
        least 0.5 % of the column, 20 rows, and three times the rows of each
        neighbouring value, such as round numbers of hours) and the values of
        small grids (at most ``max_grid_values`` distinct values, each seen
        at least 20 times on average) as exact values, each from a slot of its
        own in the column's mode span; the mixture models the other values,
        which come back rounded to the decimals of the training values (a
        temperature recorded to 0.1 degree comes back so; at most 6
        decimals), and on a wider grid (ages in years, counts) snapped onto
        the nearest value seen in ``fit``. False is CTGAN's encoding, where
        exact values come back blurred and generated values unrounded.
    max_grid_values : int, default=10
        Most distinct values of a grid column that ``exact_values`` generates
        exactly, a slot each. Each slot is one output of the generator; a
        wider grid gets the mixture and snapping, so that a step costs the
        same however many values a column has.
    numeric_encoding : {"auto", "modes", "quantiles"}, default="auto"
        How generated (not exact) numeric values are encoded; ``"auto"`` is
        ``"modes"``, or ``"quantiles"`` with ``epsilon``. ``"modes"`` is
        CTGAN's mode-specific normalization above (with ``epsilon``: one mode
        spanning the schema's range). ``"quantiles"`` gives each
        column one mode whose scalar is the value's quantile among the
        training values, mapped onto [-0.99, 0.99], and decodes through the
        inverse of their empirical distribution function (1,000 quantiles,
        interpolated): the generator learns relations between columns on
        scalars of one uniform distribution, with no mode to coordinate.
    derived_columns : bool, default=True
        A column of few values (categorical, or numeric made of exact values
        or on a grid) that another such column determines in the training
        data, each value of the other seen at least 10 times (such as a code
        and its label, a month and that month's figure), is not generated but
        decoded from that column, so that no combination unseen in ``fit``
        comes out; so is a numeric column that rises or falls with an earlier
        numeric column, missing where it is (a charge and its minutes, a wage
        and its logarithm), through the curve the training rows trace. False
        generates every column.
    condition_missing : bool, default=True
        Let the conditional vector also name the missing-value slot or a mode
        of a numeric column with missing values, so that training-by-sampling
        teaches the generator the missing rate of numeric columns as it does
        for categories. False conditions on categorical columns only, as
        CTGAN does.
    missing_patterns : {"auto", "observed", "learned"}, default="auto"
        How missing values come out. ``"observed"``: each generated row takes
        a missing-value pattern (which columns are missing) at its frequency
        among the training rows (of the row's class, and with its condition),
        the generator fills in the other columns conditioned on it, and the
        missing rates match the training data's up to sampling noise; at most
        1,000 distinct patterns. ``"learned"``: the generator draws them like
        any other slot. ``"auto"``: ``"observed"`` up to 1,000 distinct
        patterns, else ``"learned"``. On a table without missing values all
        three train the same model.
    marginals : {"auto", "matched", "learned"}, default="auto"
        ``"matched"``: after training, a calibration sample of 20,000 rows
        gives the quantiles of each numeric column's values decoded from its
        modes, and ``sample`` carries such values through the monotone map
        that sends those quantiles onto the training values' (quantile
        mapping), before rounding: each numeric column then follows the
        data's distribution, while a row keeps its values' order within the
        column. Exact values, missing values, categories and derived columns
        are left as generated. ``"learned"``: values as the generator makes
        them. ``"auto"``: ``"matched"``. With ``epsilon``, the map goes onto
        the numeric columns' noisy quantiles, which the budget paid for
        (post-processing, at no further cost); ``"matched"`` needs them
        (``numeric_encoding`` other than ``"modes"``), ``"auto"`` goes
        without.
    ema_decay : float or None, default=None
        Sample from an exponential moving average of the generator's weights
        (and BatchNorm statistics) over the training steps, with this decay
        per step (e.g. 0.999), rather than from the last weights. None uses
        the last weights, as CTGAN does.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows, score them against as
        many generated rows once per epoch (every ``ceil(100 / steps per
        epoch)`` epochs on tables too small for 100 steps an epoch) with
        :func:`sksynth.evaluation.distribution_gap`, keep the generator of the
        best round, and stop after ``n_iter_no_change`` rounds without a
        better one (or at the budget of ``epochs`` and ``min_steps``). False
        trains on every row for the whole budget and keeps the last weights.
    validation_fraction : float, default=0.1
        Share of the rows held out with ``early_stopping``.
    n_iter_no_change : int, default=10
        Rounds without a lower validation score after which ``early_stopping``
        stops training.
    max_categories : int, default=500
        Most distinct values allowed in a categorical column (and classes in
        ``y``); a column with more raises a ``ValueError``. Raise it for wider
        columns: each category is one output of the generator.
    precision : {"float32", "bfloat16"}, default="float32"
        Arithmetic of training. ``"bfloat16"`` runs the networks' matrix
        products under ``torch.autocast`` in bfloat16 (losses, activations
        and weights stay float32): several times faster on GPUs and on CPUs
        with bfloat16 instructions (AVX512-BF16, AMX), slower on CPUs
        without them. See the tables benchmark for its speed and quality.
    device : {"auto", "cpu", "cuda", "cuda:N", "mps"}, default="auto"
        Where to train; ``"auto"`` picks CUDA, then MPS, then the CPU.
    data_parallel : "auto" or False, default="auto"
        ``"auto"`` trains data-parallel over the processes of an initialized
        ``torch.distributed`` group of more than one process (as under
        ``torchrun``), which must then all call ``fit`` with the same table;
        see the user guide. False trains in this process alone even then,
        e.g. to fit on one rank of a job that uses the group for other work.
    epsilon : float or None, default=None
        Train with differential privacy, to this epsilon: the discriminator
        (the only network that reads real rows) by DP-SGD with Poisson
        batches of expected size ``batch_size``, each row's gradient (its
        score's clipped to ``max_grad_norm``, its gradient penalty's to a
        quarter of it) summed, Gaussian noise added; training stops
        before the steps would spend more than
        ``epsilon`` (``privacy_spent_``). Needs ``schema``; the encoding then
        reads nothing from the data but numeric columns' histograms with
        Gaussian noise (for ``numeric_encoding="quantiles"``, a tenth of
        ``epsilon``), ``pac`` is 1, ``precision`` float32, and
        ``y``, early stopping, data-parallel training, exact values, derived
        columns, observed missing patterns and training-by-sampling are off.
        See the user guide for what the guarantee covers.
    delta : float or "auto", default="auto"
        The delta of the guarantee; ``"auto"`` is ``1 / n_samples ** 1.1``.
    noise_multiplier : float or "auto", default="auto"
        DP-SGD's noise standard deviation over the sensitivity of a step's
        gradient sum, ``1.25 * max_grad_norm``. ``"auto"``
        takes the smallest (to 1 %) with which the whole budget of ``epochs``
        spends at most ``epsilon`` (``noise_multiplier_``); with a number,
        training stops when the next step would spend more.
    max_grad_norm : float, default=1.0
        The norm each row's discriminator gradient of its score is clipped
        to (that of its gradient penalty: a quarter of it); the noise's
        standard deviation is ``noise_multiplier * 1.25 * max_grad_norm``.
    schema : dict, tuple, list or None, default=None
        What the model may know of the columns without spending privacy
        budget, needed with ``epsilon``: per column (by name, or position for
        an ndarray), a ``(low, high)`` range for a numeric column (values are
        clipped to it) or the list of a categorical column's categories;
        ``None`` among them lets the column be missing, as in
        ``(low, high, None)``. One entry instead of a dict is every column's.
        Take it from public knowledge of the data, not from the data.
    random_state : int, RandomState instance or None, default=None
        Seeds the encoding, weight initialisation, mini-batches and noise
        during ``fit`` without touching global random state.
    verbose : int, default=0
        0 is silent; 1 shows a progress bar with the current losses; 2 also
        prints the losses once per epoch.

    Attributes
    ----------
    n_features_in_ : int
        Number of columns seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``fit`` received a DataFrame with string names.
    encoder_ : TabularEncoder
        The fitted column encoding (modes, categories, dtypes), which
        ``sample`` decodes generated rows with.
    classes_ : ndarray of shape (n_classes,)
        The labels seen in ``fit``; only set when ``fit`` received ``y``.
    class_counts_ : ndarray of shape (n_classes,)
        Training rows per class; ``sample`` without ``y`` draws labels in these
        proportions. Only set when ``fit`` received ``y``.
    generator_, discriminator_ : torch.nn.Module
        The trained networks.
    history_ : list of dict
        Losses once per epoch (``pd.DataFrame(history_)`` tabulates them).
    n_iter_ : int
        Epochs run: ``epochs`` (or the number ``"auto"`` chose), or fewer when
        ``early_stopping`` stopped training.
    validation_scores_ : list of float
        The validation score (``distribution_gap``, lower is better) of each
        round; only set with ``early_stopping``.
    best_validation_score_ : float
        The best of them, whose generator ``generator_`` holds; only set with
        ``early_stopping``.
    privacy_spent_ : tuple of (float, float)
        The (epsilon, delta) the training steps spent; only set with
        ``epsilon``.
    noise_multiplier_ : float
        The noise multiplier training used (``noise_multiplier``, or the one
        ``"auto"`` chose); only set with ``epsilon``.
    device_ : torch.device
        The device the networks live on.

    See Also
    --------
    TimeGANSampler : Synthetic time series.

    References
    ----------
    L. Xu, M. Skoularidou, A. Cuesta-Infante and K. Veeramachaneni, "Modeling
    Tabular Data using Conditional GAN", NeurIPS 2019.

    I. Gulrajani, F. Ahmed, M. Arjovsky, V. Dumoulin and A. Courville,
    "Improved Training of Wasserstein GANs", NeurIPS 2017.

    Z. Lin, A. Khetan, G. Fanti and S. Oh, "PacGAN: The power of two samples
    in generative adversarial networks", NeurIPS 2018.

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth import GANSampler
    >>> X = pd.DataFrame({"age": [23, 35, 47, 51, 62, 38] * 10,
    ...                   "job": ["a", "b", "a", "c", "b", "a"] * 10})
    >>> sampler = GANSampler(epochs=2, batch_size=20, device="cpu", random_state=0)
    >>> synthetic = sampler.fit(X).sample(3, random_state=0)
    >>> synthetic.shape
    (3, 2)
    >>> synthetic.dtypes.equals(X.dtypes)
    True
    """

    _saved_attributes: dict = {
        **BaseSampler._saved_attributes,
        "encoder_": TabularEncoder,
        "_condition_counts_": "numbers",
        "_missing_patterns_": "numbers",
        "_missing_pattern_counts_": "numbers",
        "classes_": "labels",
        "class_counts_": "numbers",
        "_label_type_": "json",
        "privacy_spent_": "json",
        "noise_multiplier_": "json",
        "validation_scores_": "json",
        "best_validation_score_": "float",
    }

    _parameter_constraints: dict = {
        **BaseSampler._parameter_constraints,
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "generator_dim": ["array-like"],
        "discriminator_dim": ["array-like"],
        "epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "min_steps": [Interval(Integral, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 2, None, closed="left")],
        "pac": [Interval(Integral, 1, None, closed="left")],
        "discriminator_steps": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "loss": [StrOptions({"wgan-gp", "bce"})],
        "categorical_features": ["array-like", StrOptions({"from_dtype"}), None],
        "exact_values": ["boolean"],
        "max_grid_values": [Interval(Integral, 0, None, closed="left")],
        "numeric_encoding": [StrOptions({"auto", "modes", "quantiles"})],
        "derived_columns": ["boolean"],
        "condition_missing": ["boolean"],
        "missing_patterns": [StrOptions({"auto", "learned", "observed"})],
        "marginals": [StrOptions({"auto", "learned", "matched"})],
        "ema_decay": [Interval(Real, 0, 1, closed="left"), None],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "max_categories": [Interval(Integral, 1, None, closed="left")],
        "precision": [StrOptions({"float32", "bfloat16"})],
        "data_parallel": [StrOptions({"auto"}), Options(bool, {False})],
        "epsilon": [Interval(Real, 0, None, closed="neither"), None],
        "delta": [Interval(Real, 0, 1, closed="neither"), StrOptions({"auto"})],
        "noise_multiplier": [
            Interval(Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
        "max_grad_norm": [Interval(Real, 0, None, closed="neither")],
        "schema": [dict, tuple, list, None],
    }

    def __init__(
        self,
        *,
        embedding_dim=128,
        generator_dim=(128, 128),
        discriminator_dim=(128, 128),
        epochs="auto",
        min_steps=5000,
        batch_size=500,
        pac=10,
        discriminator_steps=1,
        learning_rate=2e-4,
        loss="wgan-gp",
        categorical_features=None,
        exact_values=True,
        max_grid_values=MAX_GRID_VALUES,
        numeric_encoding="auto",
        derived_columns=True,
        condition_missing=True,
        missing_patterns="auto",
        marginals="auto",
        ema_decay=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        max_categories=500,
        precision="float32",
        device="auto",
        data_parallel="auto",
        epsilon=None,
        delta="auto",
        noise_multiplier="auto",
        max_grad_norm=1.0,
        schema=None,
        random_state=None,
        verbose=0,
    ):
        self.embedding_dim = embedding_dim
        self.generator_dim = generator_dim
        self.discriminator_dim = discriminator_dim
        self.epochs = epochs
        self.min_steps = min_steps
        self.batch_size = batch_size
        self.pac = pac
        self.discriminator_steps = discriminator_steps
        self.learning_rate = learning_rate
        self.loss = loss
        self.categorical_features = categorical_features
        self.exact_values = exact_values
        self.max_grid_values = max_grid_values
        self.numeric_encoding = numeric_encoding
        self.derived_columns = derived_columns
        self.condition_missing = condition_missing
        self.missing_patterns = missing_patterns
        self.marginals = marginals
        self.ema_decay = ema_decay
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.max_categories = max_categories
        self.precision = precision
        self.device = device
        self.data_parallel = data_parallel
        self.epsilon = epsilon
        self.delta = delta
        self.noise_multiplier = noise_multiplier
        self.max_grad_norm = max_grad_norm
        self.schema = schema
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        return tags

    # -- fit ----------------------------------------------------------------

    def _validate_data(self, X, y):
        _hidden_dims(self.generator_dim, "generator_dim")
        _hidden_dims(self.discriminator_dim, "discriminator_dim")
        if self.epsilon is not None:
            X, categorical = validate_table(self, X)
            check_private_fit(self, X, categorical, y)
            return Table(X, categorical), None
        if self.batch_size % self.pac:
            suggestion = -(-self.batch_size // self.pac) * self.pac
            raise ValueError(
                f"batch_size={self.batch_size} must be a multiple of pac={self.pac}; "
                f"use e.g. batch_size={suggestion}."
            )
        X, categorical = validate_table(self, X)
        return Table(X, categorical), self._validate_labels(y, X.shape[0])

    def _fit(self, table, labels, device, seed):
        if self.epsilon is not None:
            self._fit_private(table, device, seed)
            return
        parallel = self._process_group(device)
        if parallel is not None:
            # One encoder and one set of initial weights on every process.
            seed = parallel.common_seed(seed)
            seed_global_generators(seed, device)
        rng = np.random.default_rng(seed)
        X, held_out = table.X, None
        if self.early_stopping:
            X, labels, held_out = self._hold_out(X, labels, rng, seed)
        scalars, slots = self._fit_encoder(X, table.categorical, labels, rng)
        modules = self._build_modules()
        for module in modules.values():
            module.to(device)
        rows = slice(None)  # a view: no copy of the encoded table
        n_rows = X.shape[0]
        if parallel is not None:
            parallel.check_same(
                [n_rows, X.shape[1], self.encoder_.n_encoded, self._n_labels()],
                "rows, columns, encoded width and classes",
            )
            rows, n_rows = parallel.shard(n_rows), parallel.rows_per_process(n_rows)
            # Each process draws its own batches, noise and dropout masks.
            seed = parallel.rank_seed(seed)
            seed_global_generators(seed, device)
        trainer = self._trainer(
            modules,
            scalars[rows],
            slots[rows],
            None if labels is None else labels[rows],
            device,
            seed,
        )
        steps_per_epoch = max(1, n_rows // self.batch_size)
        epochs = self._epochs(steps_per_epoch)
        verbose = self.verbose if parallel is None or parallel.is_main else 0
        log = TrainingLog(verbose, log_every=steps_per_epoch)
        stopper = self._early_stopping(held_out, steps_per_epoch)
        averaging = None
        if self.ema_decay is not None:
            averaging = WeightAverage(["generator_"], self.ema_decay)
        synchronizing = None
        if parallel is not None:
            synchronizing = AverageOverProcesses(parallel, trainer.optimizers())
        # In this order: a step goes into the average before a round scores it.
        callbacks = [averaging, log, stopper, synchronizing]
        loop = TrainingLoop(modules, [c for c in callbacks if c is not None])
        networks = loop.run([Phase("gan", epochs * steps_per_epoch, trainer.step)])
        for name, module in networks.items():
            setattr(self, name, module.eval())
        self.history_ = log.history
        self.n_iter_ = loop.steps_run["gan"] // steps_per_epoch
        if self.marginals != "learned":
            self._match_marginals(seed, X)
        if stopper is not None:
            self.validation_scores_ = stopper.scores
            self.best_validation_score_ = stopper.best_score

    def _match_marginals(self, seed, X=None):
        """Map generated numbers onto ``X``'s marginals (``marginals``).

        Without ``X`` (under privacy), onto the released quantiles.
        """
        rng = torch.Generator().manual_seed(seed)
        labels = self._sample_labels(CALIBRATION_ROWS, None, rng)
        scalars, codes = stacked(
            encoded_chunks(
                self.generator_,
                self.encoder_,
                self._sampling_conditions(),
                self.embedding_dim,
                CALIBRATION_ROWS,
                labels,
                rng,
            )
        )
        self.encoder_.match_marginals(scalars, codes, X)

    def _fit_private(self, table, device, seed):
        """Train with a differentially private discriminator (``epsilon``)."""
        if self.data_parallel is not False and DataParallel.current(device):
            raise ValueError(
                "epsilon does not train data-parallel; set data_parallel=False "
                "to fit in this process alone."
            )
        n_rows = table.X.shape[0]
        delta = n_rows**-1.1 if self.delta == "auto" else self.delta
        # Numeric columns' quantiles from noisy histograms: one Gaussian
        # release, whose noise alone would spend QUANTILE_SHARE of epsilon.
        quantile_noise, also = None, ()
        if self.numeric_encoding != "modes" and not all(table.categorical):
            quantile_noise = calibrated_noise(
                1.0, 1, QUANTILE_SHARE * self.epsilon, delta
            )
            if quantile_noise is None:
                raise ValueError(
                    f"epsilon={self.epsilon} is too small to pay for the numeric "
                    "columns' quantiles; set numeric_encoding='modes' to encode "
                    "them by the schema's ranges alone."
                )
            also = ((1.0, quantile_noise, 1),)
        rng = np.random.default_rng(seed)
        schema = encoder_schema(
            self.schema, table.X, table.categorical, quantile_noise, rng
        )
        encoder = TabularEncoder(
            table.categorical,
            exact_values=False,
            derived_columns=False,
            schema=schema,
            random_state=rng,
        )
        scalars, slots = encoder.fit_transform(table.X)
        self.encoder_ = encoder
        self._condition_counts_ = np.zeros((1, 0))
        modules = self._build_modules()
        for module in modules.values():
            module.to(device)
        rate = min(1.0, self.batch_size / n_rows)
        steps_per_epoch = max(1, n_rows // self.batch_size)
        planned = self._epochs(steps_per_epoch) * steps_per_epoch
        noise, steps = self._private_budget(rate, planned, delta, also)
        self.noise_multiplier_ = noise
        trainer = PrivateGANTrainer(
            self._trainer(modules, scalars, slots, None, device, seed),
            n_rows,
            noise_multiplier=noise,
            max_grad_norm=self.max_grad_norm,
            gradient_penalty=GRADIENT_PENALTY,
        )
        log = TrainingLog(self.verbose, log_every=steps_per_epoch)
        averaging = None
        if self.ema_decay is not None:
            averaging = WeightAverage(["generator_"], self.ema_decay)
        callbacks = [c for c in (averaging, log) if c is not None]
        loop = TrainingLoop(modules, callbacks)
        networks = loop.run([Phase("gan", steps, trainer.step)])
        for name, module in networks.items():
            setattr(self, name, module.eval())
        self.history_ = log.history
        self.n_iter_ = loop.steps_run["gan"] // steps_per_epoch
        if self.marginals != "learned" and quantile_noise is not None:
            # Post-processing of what the budget paid for: costs nothing.
            self._match_marginals(seed)
        self.privacy_spent_ = (
            epsilon_spent(rate, noise, trainer.private_steps, delta, also),
            delta,
        )

    def _private_budget(self, rate, planned, delta, also):
        """The noise multiplier, and the steps of ``planned`` that ``epsilon`` pays.

        ``also``: what the encoding spent, as in ``epsilon_spent``.
        """
        private_steps = planned * self.discriminator_steps
        noise = self.noise_multiplier
        if noise == "auto":
            noise = calibrated_noise(rate, private_steps, self.epsilon, delta, also)
            if noise is None:
                raise ValueError(
                    f"epsilon={self.epsilon} does not pay for {private_steps} "
                    "discriminator steps even with a noise multiplier of 1,000; "
                    "raise epsilon or lower epochs."
                )
        steps = (
            max_steps(rate, noise, self.epsilon, delta, private_steps, also)
            // self.discriminator_steps
        )
        if not steps:
            first = epsilon_spent(rate, noise, 1, delta, also)
            raise ValueError(
                f"epsilon={self.epsilon} does not pay for one step: one step "
                f"with noise_multiplier={noise} and a sampling rate of "
                f"{rate:.3g} spends epsilon {first:.3g}. Raise epsilon or "
                "noise_multiplier, or lower batch_size."
            )
        return noise, steps

    def _pac(self):
        """Rows per discriminator input: ``pac``, or 1 under differential privacy."""
        return self.pac if self.epsilon is None else 1

    def _epochs(self, steps_per_epoch):
        """The epochs to train: ``epochs``, or those the table's size asks for."""
        if self.epochs != "auto":
            return self.epochs
        steps = max(min(AUTO_EPOCHS * steps_per_epoch, MAX_AUTO_STEPS), self.min_steps)
        return max(1, -(-steps // steps_per_epoch))

    def _process_group(self, device):
        """The data-parallel process group to train over, or None."""
        if self.data_parallel is False:
            return None
        parallel = DataParallel.current(device)
        if parallel is not None and self.early_stopping:
            raise ValueError(
                "early_stopping=True does not train data-parallel; set "
                "early_stopping=False or data_parallel=False."
            )
        return parallel

    def _hold_out(self, X, labels, rng, seed):
        """The training rows and labels, and the rows early stopping scores."""
        kept, held_out = validation_split(X.shape[0], self.validation_fraction, rng)

        def take(rows):
            return take_rows(X, rows), None if labels is None else labels[rows]

        return *take(kept), HeldOutRows(*take(held_out), self.embedding_dim, seed)

    def _fit_encoder(self, X, categorical, labels, rng):
        """Fit ``encoder_`` and the condition counts; return the encoded rows.

        Also records the observed missing-value patterns and the class counts
        where there are any.
        """
        encoder = TabularEncoder(
            categorical,
            max_categories=self.max_categories,
            exact_values=self.exact_values,
            max_grid_values=self.max_grid_values,
            derived_columns=self.derived_columns,
            condition_missing=self.condition_missing,
            numeric_encoding="modes"
            if self.numeric_encoding == "auto"
            else self.numeric_encoding,
            random_state=rng,
        )
        scalars, slots = encoder.fit_transform(X)
        self.encoder_ = encoder
        layout = encoder.layout()
        n_labels = self._n_labels()
        groups, n_groups = labels, n_labels
        found = None
        if self.missing_patterns != "learned" and layout.missing_spans:
            found = observed_patterns(
                slots,
                layout,
                labels,
                n_labels,
                required=self.missing_patterns == "observed",
            )
        if found is not None:
            patterns, groups, pattern_counts = found
            self._missing_patterns_ = patterns
            self._missing_pattern_counts_ = pattern_counts
            n_groups = pattern_counts.size
        self._condition_counts_ = condition_counts(
            slots[:, layout.condition_spans],
            self._condition_sizes(),
            groups,
            n_groups,
        )
        if labels is not None:
            self.class_counts_ = np.bincount(labels, minlength=n_labels)
        return scalars, slots

    def _trainer(self, modules, scalars, slots, labels, device, seed):
        """The training step of ``modules`` on these encoded rows."""
        layout = self.encoder_.layout()
        return GANTrainer(
            modules,
            torch.from_numpy(scalars).to(device),
            torch.from_numpy(slots).to(device),
            TrainingConditions(
                slots[:, layout.condition_spans],
                self._condition_sizes(),
                labels,
                self._n_labels(),
                device,
            ),
            OutputLayout(layout, self.encoder_.n_encoded, device),
            embedding_dim=self.embedding_dim,
            batch_size=self.batch_size,
            pac=self._pac(),
            learning_rate=self.learning_rate,
            loss=self.loss,
            discriminator_steps=self.discriminator_steps,
            precision=self.precision,
            rng=torch.Generator(device=device).manual_seed(seed),
            observed_missing=hasattr(self, "_missing_patterns_"),
        )

    def _early_stopping(self, held_out, steps_per_epoch):
        """The early-stopping callback scoring ``held_out``, or None without."""
        if held_out is None:
            return None
        score = partial(
            held_out.score,
            encoder=self.encoder_,
            conditions=self._sampling_conditions(),
        )
        # A round every epoch, or every few on tables too small for
        # MIN_STEPS_PER_ROUND steps an epoch.
        epochs_per_round = -(-MIN_STEPS_PER_ROUND // steps_per_epoch)
        return EarlyStopping(
            self.n_iter_no_change, score, every=epochs_per_round * steps_per_epoch
        )

    def _validate_labels(self, y, n_samples):
        """Class codes of y (None without y); records ``classes_`` and y's type."""
        labels, classes, label_type = validate_labels(y, n_samples, "GANSampler")
        if classes is None:
            return None
        if len(classes) > self.max_categories:
            raise ValueError(
                f"y has {len(classes)} classes, more than max_categories="
                f"{self.max_categories}. Raise max_categories to condition on "
                "that many classes."
            )
        self.classes_ = classes
        self._label_type_ = label_type
        return labels

    # -- sample ---------------------------------------------------------------

    def sample(self, n_samples=1, *, y=None, conditions=None, random_state=None):
        """Generate synthetic rows, all meeting ``conditions`` if given.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows to generate.
        y : label or array-like of shape (n_samples,), default=None
            Labels to generate, for a sampler fitted with ``y``.
        conditions : dict or DataFrame, default=None
            What the rows' columns must hold. A dict maps a column (its name,
            or its position for an ndarray) to a value, a list of values
            (``None`` or NaN among them for a missing value) or a
            ``pandas.Interval`` of numbers; every row meets all of them. A
            DataFrame of ``n_samples`` rows gives each generated row its own
            values, a missing cell asking for nothing. A value the column
            never holds in the training data is a ValueError at once; so is a
            condition too rare to meet within 1,000 generated rows per row
            asked for: ``sample`` never returns fewer rows than asked.
        random_state : int, RandomState instance or None, default=None
            Seeds the noise, drawn on the CPU so that an int gives the same
            draws on any device. None gives fresh draws at every call.

        Returns
        -------
        X : DataFrame or ndarray
            The rows, in the container and dtypes of the data given to
            ``fit``. A sampler fitted with ``y`` returns ``(X, y)``.

        Examples
        --------
        >>> import pandas as pd
        >>> from sksynth import GANSampler
        >>> homes = pd.DataFrame({"home": ["rent", "own", "rent", "own"] * 15,
        ...                       "rooms": [1, 4, 2, 5, 3, 6] * 10})
        >>> sampler = GANSampler(epochs=2, device="cpu", random_state=0)
        >>> rows = sampler.fit(homes).sample(
        ...     4, conditions={"home": "own", "rooms": pd.Interval(3, 6)})
        >>> rows["home"].tolist(), bool(rows["rooms"].between(4, 6).all())
        (['own', 'own', 'own', 'own'], True)
        """
        return self._checked_sample(n_samples, random_state, y=y, conditions=conditions)

    def _sample(self, n_samples, y, rng, conditions=None):
        if conditions is None:
            labels = self._sample_labels(n_samples, y, rng)
            X = self._generate(self._sampling_conditions(), n_samples, labels, rng)
        else:
            X, labels = self._sample_meeting(conditions, n_samples, y, rng)
        if labels is None:
            return X
        return X, restore_labels(
            self.classes_[labels.numpy()], getattr(self, "_label_type_", None)
        )

    def _generate(self, drawn, n_samples, labels, rng, held=None):
        chunks = encoded_chunks(
            self.generator_,
            self.encoder_,
            drawn,
            self.embedding_dim,
            n_samples,
            labels,
            rng,
            held,
        )
        return decoded(self.encoder_, chunks)

    def _sample_meeting(self, conditions, n_samples, y, rng):
        """Rows meeting ``conditions`` (see ``sample``) and their class codes."""
        requested = None if y is None else self._sample_labels(n_samples, y, rng)
        rows = RowConditions(
            self.encoder_,
            self._condition_counts_,
            self._n_labels(),
            getattr(self, "class_counts_", None),
            **self._patterns(),
        )
        groups = rows.groups(conditions, n_samples)
        plans = [rows.plan(wanted) for wanted, _ in groups]
        parts, labels, positions = [], [], []
        for plan, (_, where) in zip(plans, groups, strict=True):
            X, codes = rows.sample(
                plan,
                len(where),
                None if requested is None else requested[torch.as_tensor(where)],
                lambda drawn, n, codes, held: self._generate(
                    drawn, n, codes, rng, held
                ),
                rng,
            )
            parts.append(X)
            labels.append(codes)
            positions.append(where)
        order = np.argsort(np.concatenate(positions), kind="stable")
        X = take_rows(concat_tables(parts), order)
        if labels[0] is None:
            return X, None
        return X, torch.cat(labels)[torch.as_tensor(order)]

    def _bytes_per_sample(self):
        # The decoded chunks (8-byte floats or object pointers per column),
        # held twice while they are joined into one table.
        return 8 * 2 * self.n_features_in_

    def _condition_sizes(self):
        """The number of slots of each span the conditional vector names."""
        layout = self.encoder_.layout()
        return [layout.spans[s].size for s in layout.condition_spans]

    def _sampling_conditions(self):
        """The conditional vectors of generated rows."""
        return SamplingConditions(
            self._condition_counts_,
            self._condition_sizes(),
            self._n_labels(),
            **self._patterns(),
        )

    def _patterns(self):
        """The observed missing-value patterns as ``SamplingConditions`` takes them."""
        if not hasattr(self, "_missing_patterns_"):
            return {}
        return {
            "patterns": self._missing_patterns_,
            "pattern_counts": self._missing_pattern_counts_,
        }

    def _n_labels(self):
        classes = getattr(self, "classes_", None)
        return 0 if classes is None else len(classes)

    def _sample_labels(self, n_samples, y, rng):
        """Class codes to generate, as a CPU tensor, or None if fitted without y."""
        return sample_labels(
            getattr(self, "classes_", None),
            getattr(self, "class_counts_", None),
            n_samples,
            y,
            rng,
        )

    def _check_saved_state(self):
        # What sample() allocates from: the encoder's columns (one per
        # feature, which the memory guard counts), the labels, the
        # missing-value patterns and the category counts, whose shapes must
        # be those of the encoder's layout.
        super()._check_saved_state()
        n_columns = len(self.encoder_.columns)
        if n_columns != self.n_features_in_:
            raise ValueError(
                f"encoder_ has {n_columns} columns for n_features_in_="
                f"{self.n_features_in_}"
            )
        check_saved_labels(
            getattr(self, "classes_", None), getattr(self, "class_counts_", None)
        )
        check_label_type(getattr(self, "_label_type_", None))
        layout = self.encoder_.layout()
        n_groups = self._n_labels()
        if hasattr(self, "_missing_patterns_"):
            patterns = self._missing_patterns_
            if not (
                patterns.ndim == 2
                and patterns.shape[1] == len(layout.missing_spans)
                and patterns.dtype == bool
            ):
                raise ValueError("_missing_patterns_ do not fit the encoder's layout")
            check_saved_counts(
                "_missing_pattern_counts_",
                self._missing_pattern_counts_,
                (max(n_groups, 1), len(patterns)),
            )
            n_groups = self._missing_pattern_counts_.size
        sizes = [layout.spans[s].size for s in layout.condition_spans]
        check_saved_counts(
            "_condition_counts_",
            self._condition_counts_,
            (max(n_groups, 1), sum(sizes)),
            positive_rows=False,
        )

    def _build_modules(self):
        return make_networks(
            self.encoder_.n_encoded,
            n_condition_inputs(
                self._condition_counts_,
                self._n_labels(),
                getattr(self, "_missing_patterns_", None),
            ),
            self.embedding_dim,
            _hidden_dims(self.generator_dim, "generator_dim"),
            _hidden_dims(self.discriminator_dim, "discriminator_dim"),
            self._pac(),
        )


def _hidden_dims(dims, name):
    """Validate a tuple of layer widths (vectorized: a loaded model's may be long)."""
    try:
        dims = np.asarray(dims)
    except ValueError:  # ragged
        dims = np.asarray(None)
    if not dims.ndim or (
        dims.size and (dims.dtype.kind not in "iu" or not (dims > 0).all())
    ):
        raise ValueError(f"{name} must be a tuple of positive integers.")
    return tuple(np.ravel(dims).tolist())
