"""
Saving, loading and moving a sampler between devices
====================================================

``sampler.save(path)`` writes the constructor parameters and fitted state as
JSON and the networks' weights as tensors: no pickle, so loading a model file
from someone else cannot run code. ``load(path, device=...)`` places the
networks on any device; a model fitted on a GPU loads on a machine without
one. With the same ``random_state``, the loaded sampler draws exactly what the
original draws.

The sampler trains for 500 steps.
"""

# %%
# Fit and save
# ------------
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import make_moons

from sksynth import BaseSampler, GANSampler

X, _ = make_moons(n_samples=1000, noise=0.08, random_state=0)
sampler = GANSampler(epochs=300, random_state=0).fit(X)  # 600 steps

path = Path(tempfile.mkdtemp()) / "moons.sksynth"
sampler.save(path)
print(f"{path.name}: {path.stat().st_size / 1024:.0f} KiB")

# %%
# Load, on the CPU or on a GPU
# ----------------------------
# :meth:`BaseSampler.load <sksynth.BaseSampler.load>` returns a sampler of the
# class stored in the file. Here it loads on the CPU, and on CUDA when this
# machine has a GPU; noise is drawn on the CPU either way, so the draws agree
# across devices up to floating-point rounding.
loaded = BaseSampler.load(path, device="cpu")
original_draws = sampler.sample(1000, random_state=1)
loaded_draws = loaded.sample(1000, random_state=1)
print(
    type(loaded).__name__,
    "identical draws:",
    np.array_equal(original_draws, loaded_draws),
)
if torch.cuda.is_available():
    on_gpu = BaseSampler.load(path, device="cuda")
    print(
        "on",
        on_gpu.device_,
        "max difference:",
        np.abs(on_gpu.sample(1000, random_state=1) - original_draws).max(),
    )

fig, (left, right) = plt.subplots(1, 2, figsize=(9, 4), sharex=True, sharey=True)
left.scatter(*original_draws.T, s=3, color="C1")
left.set_title("fitted sampler")
right.scatter(*loaded_draws.T, s=3, color="C2")
right.set_title("loaded from disk")
fig.tight_layout()
