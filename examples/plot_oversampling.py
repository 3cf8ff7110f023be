"""
Augmenting a rare class in an imbalanced-learn pipeline
=======================================================

A classifier trained on a table where one class is rare tends to ignore it.
:class:`~sksynth.pipeline.GANOverSampler` adds synthetic rows of the rare class
while an :class:`imblearn.pipeline.Pipeline` is fitted, and leaves prediction
untouched. Here it stands beside no augmentation and imbalanced-learn's
:class:`~imblearn.over_sampling.RandomOverSampler` (which repeats real rows),
judged by the F1 score of the rare class on held-out real rows.

The sampler runs at its defaults with a short budget: 250 epochs of 2,100 rows
in batches of 500, 1,000 steps. A short run learns the rare class only
roughly, so read the scores as what this budget gives, not as what
augmentation can do; with one training seed and one split, differences of a
few hundredths are noise.
"""

# %%
# An imbalanced problem
# ---------------------
# Two informative features and two noise features; 5 % of the rows belong to
# class 1.
import matplotlib.pyplot as plt
import numpy as np
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import make_pipeline
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sksynth import GANSampler
from sksynth.pipeline import GANOverSampler

X, y = make_classification(
    n_samples=3000,
    n_features=4,
    n_informative=2,
    n_redundant=0,
    n_clusters_per_class=1,
    weights=[0.95],
    class_sep=0.8,
    shuffle=False,
    random_state=0,
)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
print(f"class 1: {y_train.mean():.1%} of {len(y_train)} training rows")

# %%
# Three pipelines
# ---------------
# ``GANSampler`` fitted with labels is conditional: the over-sampler fits it
# once on all rows and asks it for rows of class 1 only.
sampler = GANSampler(epochs=250, random_state=0)  # 1,000 steps
pipelines = {
    "no augmentation": make_pipeline(StandardScaler(), LogisticRegression()),
    "RandomOverSampler": make_pipeline(
        StandardScaler(), RandomOverSampler(random_state=0), LogisticRegression()
    ),
    "GANOverSampler": make_pipeline(
        StandardScaler(),
        GANOverSampler(sampler, random_state=0),
        LogisticRegression(),
    ),
}
scores = {}
for name, pipeline in pipelines.items():
    pipeline.fit(X_train, y_train)
    scores[name] = f1_score(y_test, pipeline.predict(X_test))
    print(f"{name:>18}: F1 of class 1 = {scores[name]:.3f}")

# %%
# What the over-sampler added
# ---------------------------
# The fitted over-sampler keeps its sampler (``samplers_``) and how many rows
# it added per class (``sampling_strategy_``). Below: the real rows of both
# classes and as many synthetic rows of class 1 as were added, on the two
# informative features, in the scaled units the sampler saw.
scaler, oversampler = pipelines["GANOverSampler"].steps[:2]
n_added = oversampler[1].sampling_strategy_[1]
synthetic, _ = (
    oversampler[1]
    .samplers_[1]
    .sample(n_added, y=np.ones(n_added, dtype=y.dtype), random_state=0)
)
real = scaler[1].transform(X_train)

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
left.scatter(*real[y_train == 0, :2].T, s=4, alpha=0.3, label="real, class 0")
left.scatter(*real[y_train == 1, :2].T, s=8, label="real, class 1")
left.scatter(*synthetic[:, :2].T, s=4, alpha=0.3, label="synthetic, class 1")
left.set_xlabel("feature 0 (scaled)")
left.set_ylabel("feature 1 (scaled)")
left.legend(markerscale=2, fontsize=8)
right.barh(list(scores), list(scores.values()), color=["C7", "C1", "C2"])
right.set_xlabel("F1 of class 1 on held-out rows")
right.set_xlim(0, 1)
for position, value in enumerate(scores.values()):
    right.text(value + 0.01, position, f"{value:.3f}", va="center")
fig.tight_layout()
print(f"{n_added} synthetic rows of class 1 added to {len(X_train)} real rows")
