"""Scores and plots that compare synthetic data with real data.

Time series follow the TimeGAN paper's protocol (discriminative and predictive
scores with small post-hoc GRU networks); tables and panels can also be judged
by training a model on synthetic data and testing it on real data
(:func:`tstr_score`), checked for memorized records (:func:`dcr_score`), and
taken apart column by column to see what gives synthetic rows away
(:func:`column_report`, and its cheap summary :func:`distribution_gap`).
Sequences also face gradient-boosting detectors on summary features or raw
values (:func:`sequence_detection_score`), which keep ranking samples that
the paper's discriminative score can no longer tell apart.
"""

from ._results import ScoreResult
from .detection import (
    DetectionResult,
    sequence_detection_score,
    sequence_feature_report,
    sequence_features,
)
from .diagnosis import ColumnReport, column_report, distribution_gap
from .discriminative import discriminative_score
from .plots import plot_history, plot_marginals, plot_pca, plot_tsne
from .predictive import predictive_score
from .privacy import DCRResult, dcr_score, membership_inference_auc
from .scorer import make_sampler_scorer
from .tstr import TSTRResult, tstr_score

__all__ = [
    "ColumnReport",
    "DCRResult",
    "DetectionResult",
    "ScoreResult",
    "TSTRResult",
    "column_report",
    "dcr_score",
    "membership_inference_auc",
    "discriminative_score",
    "distribution_gap",
    "make_sampler_scorer",
    "plot_history",
    "plot_marginals",
    "plot_pca",
    "plot_tsne",
    "predictive_score",
    "sequence_detection_score",
    "sequence_feature_report",
    "sequence_features",
    "tstr_score",
]
