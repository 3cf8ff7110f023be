"""
Sequences with attributes and gaps
==================================

Sensor panels come with attributes that do not change over time (a machine's
model, a site's altitude) and with gaps where a sensor dropped out.
:class:`~sksynth.TimeGANSampler` takes both: ``fit(X, attributes)`` with one
row of attributes per sequence, and NaN inside the sequences.

Here: 300 two-channel sequences of 24 steps from machines of two models; model
"B" swings twice as wide, a machine's ``altitude`` shifts its level, and
channel 1 drops out for runs of about three steps, 10 % of the time. For the
gallery the networks are narrowed to 32 units and the budget cut to 300
autoencoder and 300 adversarial steps.
"""

# %%
# A panel with attributes and gaps
# --------------------------------
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sksynth import TimeGANSampler

rng = np.random.default_rng(0)
n, steps = 300, 24
model = rng.choice(["A", "B"], n)
altitude = rng.uniform(0, 1_000, n)
t = np.arange(steps)
phase = rng.uniform(0, 2 * np.pi, (n, 1))
swing = np.where(model == "B", 2.0, 1.0)[:, None]
level = altitude[:, None] / 500
X = np.stack(
    [
        level + swing * np.sin(t / 3 + phase),
        level + swing * np.cos(t / 3 + phase) + 0.1 * rng.normal(size=(n, steps)),
    ],
    axis=1,
)
# Channel 1 drops out: a gap starts with chance 0.037 and goes on with 0.67.
dropped = np.zeros((n, steps), dtype=bool)
for step in range(1, steps):
    chance = np.where(dropped[:, step - 1], 0.67, 0.037)
    dropped[:, step] = rng.random(n) < chance
X[:, 1][dropped] = np.nan
attributes = pd.DataFrame({"model": pd.Categorical(model), "altitude": altitude})
print(f"channel 1 missing: {np.isnan(X[:, 1]).mean():.1%}")

# %%
# Fit, and sample given attributes
# --------------------------------
# ``sample(n)`` would draw attributes too; here we ask for machines of each
# model at 500 m, and get sequences for exactly those attributes. At this
# gallery budget the model "B" sequences swing wider, as they should, but the
# paths are rougher than the real ones and some sit at the wrong level; the
# attributes benchmark (``docs/timegan_attributes_benchmark.md``) runs the
# defaults' budget.
sampler = TimeGANSampler(hidden_dim=32, n_iter_pretrain=300, n_iter=300, random_state=0)
sampler.fit(X, attributes)
wanted = pd.DataFrame(
    {"model": pd.Categorical(["A"] * 6 + ["B"] * 6), "altitude": [500.0] * 12}
)
synthetic, given = sampler.sample(len(wanted), y=wanted, random_state=0)
figure, axes = plt.subplots(1, 2, figsize=(9, 3), sharey=True)
for ax, name in zip(axes, ["A", "B"], strict=True):
    real = X[(model == name) & (np.abs(altitude - 500) < 100)][:6, 0]
    ax.plot(real.T, color="grey", alpha=0.5)
    ax.plot(synthetic[(given["model"] == name).to_numpy(), 0].T, color="C1")
    ax.set_title(f"model {name}, about 500 m: real (grey), synthetic")
    ax.set_xlabel("step")
plt.tight_layout()

# %%
# Gaps come back
# --------------
# With ``gaps="keep"`` (the default), each channel's gaps are drawn from a
# two-state chain fitted to the data's, so samples miss values as the sensor
# did: at its rate, in runs of its length.
synthetic, drawn = sampler.sample(2_000, random_state=0)
print(f"synthetic channel 1 missing: {np.isnan(synthetic[:, 1]).mean():.1%}")
figure, axes = plt.subplots(1, 2, figsize=(9, 2.5), sharey=True)
for ax, data, title in ((axes[0], X, "real"), (axes[1], synthetic, "synthetic")):
    ax.imshow(np.isnan(data[:40, 1]), aspect="auto", cmap="Greys")
    ax.set_title(f"{title}: gaps of channel 1 (black)")
    ax.set_xlabel("step")
axes[0].set_ylabel("sequence")
plt.tight_layout()
