"""
Synthetic time series: pictures and the TimeGAN paper's scores
==============================================================

Fit :class:`~sksynth.TimeGANSampler` on the TimeGAN paper's sine data and
compare synthetic sequences with real ones four ways: sample paths, PCA and
t-SNE of whole sequences, the discriminative score (how well a post-hoc GRU
tells synthetic from real; 0 is best) and the predictive score (a next-step
predictor trained on synthetic sequences and tested on real ones, beside the
same predictor trained on real ones).

The budget here is 500 sequences and the defaults cut down to
300 autoencoder and 300 adversarial steps, judged by
post-hoc networks of 300 steps. Post-hoc
networks this short are weak judges, so the scores below flatter the samples;
``docs/timegan_budget_benchmark.md`` gives the defaults' own budget (2,000 and
1,500 steps) judged with the paper's post-hoc budgets.
"""

# %%
# Fit and sample
# --------------
# Arrays follow sktime's numpy3D layout: (instances, channels, timepoints).
import matplotlib.pyplot as plt

from sksynth import TimeGANSampler
from sksynth.datasets import make_sines
from sksynth.evaluation import (
    discriminative_score,
    plot_pca,
    plot_tsne,
    predictive_score,
)

X = make_sines(500, seq_len=24, n_channels=5, random_state=0)
# The defaults, on a budget small enough for the gallery.
sampler = TimeGANSampler(n_iter_pretrain=300, n_iter=300, random_state=0)
sampler.fit(X)
X_synth = sampler.sample(len(X), random_state=0)
print(X.shape, X_synth.shape)

# %%
# Sample paths
# ------------
# The first channel of a few real and synthetic sequences.
fig, axes = plt.subplots(1, 2, figsize=(9, 3), sharey=True)
for ax, data, title in ((axes[0], X, "real"), (axes[1], X_synth, "synthetic")):
    ax.plot(data[:8, 0].T, alpha=0.8)
    ax.set_title(f"{title}, channel 0")
    ax.set_xlabel("time step")
fig.tight_layout()

# %%
# PCA and t-SNE
# -------------
# Each sequence is one point (its channels and time steps flattened); where the
# synthetic points cover the real ones, the sampler covers the data.
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
plot_pca(X, X_synth, random_state=0, ax=left)
plot_tsne(X, X_synth, n_samples=300, random_state=0, ax=right)
fig.tight_layout()

# %%
# Discriminative and predictive scores
# ------------------------------------
# ``return_baseline=True`` also trains the predictor on real sequences: the
# lowest error a synthetic set can hope to match.
disc = discriminative_score(X, X_synth, n_steps=300, random_state=0, device="cpu")
mae, baseline = predictive_score(
    X, X_synth, n_steps=300, return_baseline=True, random_state=0, device="cpu"
)
print(f"discriminative score: {float(disc):.3f} (TimeGAN paper on sines: 0.011)")
print(f"predictive score: {float(mae):.3f}, trained on real: {float(baseline):.3f}")
