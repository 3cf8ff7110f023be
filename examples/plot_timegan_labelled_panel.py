"""
Synthetic sequences per class from a labelled panel of unequal lengths
======================================================================

sktime's JapaneseVowels panel holds recordings of nine speakers saying a
vowel: 12 channels of cepstrum coefficients, and between 7 and 29 time points
per recording. :class:`~sksynth.TimeGANSampler` fitted with the speakers as
labels is conditional: ``sample(n, y=speaker)`` generates sequences of that
speaker, with lengths drawn from that speaker's recordings, and returns them
in the panel layout it was fitted on (here sktime's ``nested_univ``).

The budget is three speakers, the sequence-level latent with GRUs of 32
units, 300 autoencoder and 200 adversarial steps: about 30 seconds on one CPU
core, far below the benchmark page's (``docs/timegan_panels_benchmark.md``).
The pictures show the workflow, not what the sampler reaches.
"""

# %%
# A labelled panel of unequal lengths
# -----------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sktime.datasets import load_japanese_vowels

from sksynth import TimeGANSampler

X, y = load_japanese_vowels(split="train", return_X_y=True)
keep = np.isin(y, ["1", "2", "3"])
X, y = X[keep].reset_index(drop=True), np.asarray(y)[keep]
lengths = X.iloc[:, 0].map(len).to_numpy()
print(
    f"{len(X)} recordings of {X.shape[1]} channels, {lengths.min()} to "
    f"{lengths.max()} time points"
)

# %%
# Fit once with the labels, sample per class
# ------------------------------------------
# The networks run over the longest length (``seq_len="auto"``, the
# default); every loss counts each recording's own time points only.
sampler = TimeGANSampler(n_iter_pretrain=300, n_iter=200, random_state=0)
sampler.fit(X, y)
X_new, y_new = sampler.sample(90, y=np.repeat(["1", "2", "3"], 30), random_state=0)
new_lengths = X_new.iloc[:, 0].map(len).to_numpy()
print(type(X_new).__name__, "with labels", sorted(set(y_new)))

# %%
# Real and synthetic first coefficients, and their lengths
# --------------------------------------------------------
# Top: the first channel of 10 real (grey) and 10 synthetic (red) recordings
# per speaker. Bottom: how many recordings have each length.
figure, axes = plt.subplots(2, 3, figsize=(11, 5.5), layout="constrained")
for column, speaker in enumerate(["1", "2", "3"]):
    top, bottom = axes[0, column], axes[1, column]
    real_rows = np.flatnonzero(y == speaker)
    synth_rows = np.flatnonzero(y_new == speaker)
    for row in real_rows[:10]:
        top.plot(X.iloc[row, 0].to_numpy(), color="0.5", lw=1)
    for row in synth_rows[:10]:
        top.plot(X_new.iloc[row, 0].to_numpy(), color="tab:red", lw=1)
    top.set_title(f"speaker {speaker}")
    bins = np.arange(lengths.min(), lengths.max() + 2) - 0.5
    bottom.hist(
        lengths[real_rows],
        bins=bins,
        alpha=0.5,
        label="real",
        color="0.5",
        density=True,
    )
    bottom.hist(
        new_lengths[synth_rows],
        bins=bins,
        alpha=0.5,
        label="synthetic",
        color="tab:red",
        density=True,
    )
    bottom.set_xlabel("time points")
axes[0, 0].set_ylabel("channel 0")
axes[1, 0].set_ylabel("share of recordings")
axes[1, 0].legend()
plt.show()
