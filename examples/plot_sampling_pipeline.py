"""
Sampling in original units through a pipeline
==============================================

Skewed amounts are hard for a generator to learn as they are; a
:class:`~sklearn.preprocessing.PowerTransformer` in front makes them nearly
Gaussian. :func:`~sksynth.pipeline.make_sampling_pipeline` puts such steps in
front of a sampler: ``fit`` trains the sampler on the transformed data, and
``sample`` maps the draws back through each step's ``inverse_transform``, so
that samples come out in the units the data came in.

The sampler runs at its defaults with a short budget: 250 epochs of 2,000 rows
in batches of 500, 1,000 steps.
"""

# %%
# Skewed data in euros and days
# -----------------------------
import numpy as np
import pandas as pd
from sklearn.preprocessing import PowerTransformer

from sksynth import GANSampler
from sksynth.evaluation import plot_marginals
from sksynth.pipeline import make_sampling_pipeline

rng = np.random.default_rng(0)
n = 2000
duration = rng.gamma(shape=2.0, scale=15.0, size=n)
amount = np.exp(rng.normal(5.0, 0.8, size=n) + 0.01 * duration)
X = pd.DataFrame({"amount_eur": amount, "duration_days": duration})
X.describe().loc[["mean", "50%", "max"]]

# %%
# The pipeline
# ------------
# ``set_output(transform="pandas")`` hands the sampler a DataFrame, so the
# samples come back as one, with the input's column names.
pipe = make_sampling_pipeline(
    PowerTransformer().set_output(transform="pandas"),
    GANSampler(epochs=250, random_state=0),  # 1,000 steps
)
pipe.fit(X)
X_synth = pipe.sample(n, random_state=0)
X_synth.describe().loc[["mean", "50%", "max"]]

# %%
# Marginals in the original units
# -------------------------------
figure = plot_marginals(X, X_synth, n_cols=2)
print(
    "correlation of log(amount) and duration: "
    f"real {np.corrcoef(np.log(X.amount_eur), X.duration_days)[0, 1]:.2f}, "
    "synthetic "
    f"{np.corrcoef(np.log(X_synth.amount_eur), X_synth.duration_days)[0, 1]:.2f}"
)
