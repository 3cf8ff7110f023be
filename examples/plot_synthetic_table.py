"""
A synthetic table, column by column
===================================

Fit :class:`~sksynth.GANSampler` on part of the Adult census table, then look
at what a user checks first: does each column's distribution come back, do the
columns keep their relations, and which columns give synthetic rows away to a
classifier (:func:`~sksynth.evaluation.column_report`); then ask it for rows
that meet conditions.

The sampler runs at its defaults with a short budget: 2,000 rows and 1,000
optimizer steps of 500 rows. Left to its own budget on the full table it
trains 10,000 steps; the defaults benchmark (``docs/defaults_benchmark.md``)
measures what the defaults give on a panel of public tables.
"""

# %%
# Fit on a sample of Adult
# ------------------------
# ``epochs`` sets the budget: 250 passes over 2,000 rows in batches of 500 are
# 1,000 optimizer steps. Left out, it follows the table's size (100 epochs,
# from 2,000 to 10,000 steps).
import matplotlib.pyplot as plt
import pandas as pd

from sksynth import GANSampler
from sksynth.datasets import load_adult
from sksynth.evaluation import column_report, plot_marginals

adult = load_adult().sample(2000, random_state=0)
sampler = GANSampler(epochs=250, random_state=0)
sampler.fit(adult)
synthetic = sampler.sample(len(adult), random_state=0)
synthetic.head()

# %%
# Marginals, real against synthetic
# ---------------------------------
# Histograms for numbers, bar charts for categories. ``capital-gain`` is about
# 92 % exact zeros in the real data: the sampler keeps such point masses as
# exact values instead of blurring them into a smooth mode.
columns = ["age", "hours-per-week", "capital-gain", "education", "relationship"]
figure = plot_marginals(adult, synthetic, columns=columns, n_cols=3)
print(
    f"capital-gain == 0: real {(adult['capital-gain'] == 0).mean():.1%}, "
    f"synthetic {(synthetic['capital-gain'] == 0).mean():.1%}"
)

# %%
# A pairwise relation
# -------------------
# The share of incomes above 50K by relationship status, real against
# synthetic: a relation between two columns that the marginals cannot show.
rich = pd.DataFrame(
    {
        name: frame.groupby("relationship", observed=True)["income"].apply(
            lambda income: (income == ">50K").mean()
        )
        for name, frame in (("real", adult), ("synthetic", synthetic))
    }
)
ax = rich.plot.barh(figsize=(6, 3.5))
ax.set_xlabel("share of rows with income >50K")
plt.tight_layout()

# %%
# What gives synthetic rows away
# ------------------------------
# ``column_report`` trains a gradient-boosting detector to tell real rows from
# synthetic ones and lists, per column, how much the detector relies on it
# (drop in ROC AUC when the column is shuffled), the marginal distance and the
# gap in its associations with the other columns. The columns at the top are
# the ones to look at.
report = column_report(adult, synthetic, n_repeats=2, random_state=0)
print(f"detector ROC AUC: {report.detector_auc:.3f} (0.5: cannot tell)")
report.columns.head(6)

# %%
# Rows that meet conditions
# -------------------------
# ``sample(n, conditions=...)`` returns ``n`` rows that all meet the
# conditions, here a category and a range of ages. The rarest categorical
# condition is met by construction, the rest by drawing more rows and keeping
# those that meet them; a value the data never holds is an error at once.
# The other columns of those rows should follow the real rows that meet the
# same conditions: the hours worked by wives aged 25 to 40.
conditions = {"relationship": "Wife", "age": pd.Interval(25, 40, closed="both")}
wives = sampler.sample(1000, conditions=conditions, random_state=0)
real_wives = adult[(adult["relationship"] == "Wife") & adult["age"].between(25, 40)]
met = (wives["relationship"] == "Wife") & wives["age"].between(25, 40)
print(f"{len(wives)} rows, {met.sum()} of them wives aged 25 to 40")
figure, ax = plt.subplots(figsize=(6, 3.5))
bins = range(0, 100, 5)
ax.hist(real_wives["hours-per-week"], bins=bins, density=True, alpha=0.6, label="real")
ax.hist(wives["hours-per-week"], bins=bins, density=True, alpha=0.6, label="synthetic")
ax.set_xlabel("hours per week, wives aged 25 to 40")
ax.legend()
plt.tight_layout()
