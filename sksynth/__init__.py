"""sksynth: synthetic tables and time series as scikit-learn estimators."""

from .base import BaseSampler
from .gan import GANSampler
from .pipeline import GANOverSampler, SamplingPipeline, make_sampling_pipeline
from .timegan import TimeGANSampler

__version__ = "0.1.0"

__all__ = [
    "BaseSampler",
    "GANOverSampler",
    "GANSampler",
    "SamplingPipeline",
    "TimeGANSampler",
    "__version__",
    "make_sampling_pipeline",
]
