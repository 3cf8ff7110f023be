"""Predictive score: train a next-step predictor on synthetic data, test on real."""

import numpy as np

from .._core.devices import resolve_device
from .._core.panels import channel_range
from .._core.seeding import seeded_torch
from .._core.validation import check_positive_int
from ._inputs import check_panel_pair
from ._posthoc import RandomBatches, check_cell, check_network_input, make_regressor
from ._results import run_repeats

_METRIC = "predictive_score"
# Values this far outside [0, 1] are rounding error, not a scaling mistake.
_RANGE_TOLERANCE = 1e-6


def predictive_score(
    X_real,
    X_synth,
    *,
    n_steps=5000,
    batch_size=128,
    scale=False,
    return_baseline=False,
    cell="gru",
    n_repeats=1,
    n_jobs=None,
    random_state=None,
    device="auto",
):
    """Score a next-step predictor trained on synthetic data by its MAE on real data.

    The TimeGAN protocol (Yoon et al., 2019): a one-layer GRU with
    ``max(1, n_channels // 2)`` units reads all channels but the last at time
    steps ``0 .. T-2``, and a per-step linear map with a sigmoid predicts the
    last channel one step ahead (time steps ``1 .. T-1``). It is trained with
    Adam (learning rate 1e-3) and the L1 loss for ``n_steps`` mini-batches of
    ``batch_size`` random synthetic sequences, then scored by its mean
    absolute error on every real sequence (the mean over sequences of each
    sequence's MAE). Lower is better; compare with the baseline trained on the
    real data itself.

    Parameters
    ----------
    X_real : array-like
        Real sequences: a 3-D array of shape (n_instances, n_channels,
        n_timepoints) or an sktime ``pd-multiindex``, ``nested_univ`` or
        ``df-list`` panel, with at least 2 channels and values in [0, 1].
        Sequences may differ in length: each is read, and scored, up to its
        own length (the predictor's MAE over its own steps), as the TimeGAN
        metrics do.
    X_synth : array-like
        Synthetic sequences with the same channels and length (any lengths
        where either panel holds sequences of unequal lengths).
    n_steps : int, default=5000
        Mini-batch steps of the post-hoc GRU.
    batch_size : int, default=128
        Sequences per mini-batch.
    scale : bool, default=False
        Min-max scale each channel of both sets with the real data's per-channel
        minimum and maximum before scoring. Without it, data outside [0, 1] (the
        range of the sigmoid output) raise a ValueError.
    return_baseline : bool, default=False
        Also train the same network on the real data and test it on the real
        data (the "original data" row of the TimeGAN paper's tables).
    cell : {"gru", "tf-gru"}, default="gru"
        Recurrent cell of the post-hoc network: ``torch.nn.GRU``, or
        TensorFlow 1's ``GRUCell`` (:class:`sksynth.timeseries.TFGRU`) as in the
        original TimeGAN metrics.
    n_repeats : int, default=1
        Independent repeats; above 1 a :class:`ScoreResult` is returned.
    n_jobs : int, default=None
        Repeats run in parallel with joblib; None means 1.
    random_state : int, RandomState instance or None, default=None
        Seeds the mini-batches and the network's initial weights.
    device : {"auto", "cpu", "cuda", "cuda:N", "mps"}, default="auto"
        Where the post-hoc GRU trains.

    Returns
    -------
    score : float or ScoreResult
        MAE on the real data of the network trained on ``X_synth``.
    baseline : float or ScoreResult
        Only when ``return_baseline=True``; then ``(score, baseline)`` is
        returned. MAE on the real data of the network trained on ``X_real``.

    Examples
    --------
    >>> from sksynth.datasets import make_sines
    >>> from sksynth.evaluation import predictive_score
    >>> real = make_sines(200, random_state=0)
    >>> synth = make_sines(200, random_state=1)
    >>> mae, baseline = predictive_score(real, synth, n_steps=50, random_state=0,
    ...                                  return_baseline=True, device="cpu")
    >>> 0 <= mae <= 1 and 0 <= baseline <= 1
    True
    """
    n_steps = check_positive_int(n_steps, "n_steps")
    batch_size = check_positive_int(batch_size, "batch_size")
    check_cell(cell, _METRIC)
    # Unscaled data must lie in [0, 1]; scaled data are first checked for a
    # finite range, so no magnitude limit applies.
    real, real_lengths, synth, synth_lengths = check_panel_pair(
        X_real, X_synth, metric=_METRIC, min_channels=2, max_magnitude=None
    )
    shortest = (
        real.shape[2]
        if real_lengths is None
        else min(real_lengths.min(), synth_lengths.min())
    )
    if shortest < 2:
        raise ValueError(
            f"{_METRIC} needs sequences of at least 2 time points, got {shortest}."
        )
    if scale:
        low, span = channel_range(real, "X_real")
        low, span = low[:, None], span[:, None]
        real, synth = (real - low) / span, (synth - low) / span
        # Synthetic values far outside the real range stay far outside it.
        check_network_input(synth, "X_synth after scaling")
    else:
        for name, X3 in (("X_real", real), ("X_synth", synth)):
            _check_unit_range(X3, name)
    torch_device = resolve_device(device)

    # Panels of unequal lengths come NaN-padded: the targets past a sequence's
    # end stay NaN, which the loss and the MAE skip.
    masked = real_lengths is not None

    def score_once(seed):
        score = _train_and_test(
            synth, real, n_steps, batch_size, seed, torch_device, cell, masked
        )
        if not return_baseline:
            return score
        baseline = _train_and_test(
            real, real, n_steps, batch_size, seed, torch_device, cell, masked
        )
        return score, baseline

    return run_repeats(score_once, random_state, n_repeats, n_jobs)


def _check_unit_range(X3, name):
    low, high = np.nanmin(X3), np.nanmax(X3)
    if low < -_RANGE_TOLERANCE or high > 1 + _RANGE_TOLERANCE:
        raise ValueError(
            f"{_METRIC} needs values in [0, 1], the range of its network's sigmoid "
            f"output, but {name} spans [{low:.4g}, {high:.4g}]. Pass scale=True to "
            "min-max scale both sets per channel with the real data's range."
        )


def _next_step_pairs(X3):
    """Inputs (channels but the last, t = 0..T-2), targets (last channel, t+1).

    NaN padding stays NaN in the targets and becomes 0 in the inputs.
    """
    X = X3.transpose(0, 2, 1).astype(np.float32)  # (n, time, channels)
    inputs = np.ascontiguousarray(X[:, :-1, :-1])
    if np.isnan(inputs).any():
        inputs = np.nan_to_num(inputs)
    return inputs, np.ascontiguousarray(X[:, 1:, -1:])


def _train_and_test(train, test, n_steps, batch_size, seed, device, cell, masked):
    rng = np.random.default_rng(seed)
    X_train, y_train = _next_step_pairs(train)
    batches = RandomBatches(
        X_train, y_train, n_steps=n_steps, batch_size=batch_size, rng=rng
    )
    with seeded_torch(seed, device):
        net = make_regressor(
            X_train.shape[2], train.shape[1], str(device), cell, masked=masked
        )
        net.fit(batches, None)
        # Data loaders draw a seed from torch's global generator.
        X_test, y_test = _next_step_pairs(test)
        prediction = net.predict(X_test)
    if masked:
        per_sequence_mae = np.nanmean(np.abs(prediction - y_test), axis=(1, 2))
    else:
        per_sequence_mae = np.abs(prediction - y_test).mean(axis=(1, 2))
    return float(per_sequence_mae.mean())
