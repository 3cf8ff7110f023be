"""
Tuning a sampler with GridSearchCV
==================================

A sampler has no labels to predict, so what does cross-validation score?
:func:`~sksynth.evaluation.make_sampler_scorer` answers: the scorer draws as
many synthetic rows as the held-out fold has and measures how well a detector
tells them from the held-out real rows (the discriminative score, negated so
that greater is better, as scikit-learn expects).
:class:`~sklearn.model_selection.GridSearchCV` then fits on the training folds
and scores on the held-out real fold, like for any estimator.

Here the grid is the learning rate of :class:`~sksynth.GANSampler` on the
two-moons data at its other defaults, 600 optimizer steps of 500 rows
each, 2 folds. Runs this
short are far from converged; the search shows which setting gets
further on this budget.
"""

# %%
# The search
# ----------
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.datasets import make_moons
from sklearn.model_selection import GridSearchCV

from sksynth import GANSampler
from sksynth.evaluation import make_sampler_scorer

X, _ = make_moons(n_samples=1000, noise=0.08, random_state=0)
sampler = GANSampler(epochs=600, random_state=0)  # 600 steps on 500 rows
search = GridSearchCV(
    sampler,
    {"learning_rate": [2e-4, 1e-3]},
    scoring=make_sampler_scorer("discriminative", random_state=0),
    cv=2,
)
search.fit(X)
results = pd.DataFrame(search.cv_results_)[
    ["param_learning_rate", "mean_test_score", "std_test_score"]
]
print(results)
print("best:", search.best_params_)

# %%
# The best sampler against the data
# ---------------------------------
# ``GridSearchCV`` refits the best settings on all rows; its
# ``best_estimator_`` is a fitted sampler.
X_synth = search.best_estimator_.sample(len(X), random_state=0)
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
left.scatter(*X.T, s=3, alpha=0.4, label="real")
left.scatter(*X_synth.T, s=3, alpha=0.4, label="synthetic")
left.legend(markerscale=4)
left.set_title(f"best: {search.best_params_}")
right.bar(
    results["param_learning_rate"].astype(str),
    -results["mean_test_score"],
    yerr=results["std_test_score"],
    color="C2",
)
right.set_xlabel("learning_rate")
right.set_ylabel("discriminative score (0 is best)")
fig.tight_layout()
