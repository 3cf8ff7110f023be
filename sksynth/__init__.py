"""sksynth: synthetic tables and time series as scikit-learn estimators."""

from .base import BaseSampler
from .pipeline import GANOverSampler, SamplingPipeline, make_sampling_pipeline
from .tabular import GANSampler
from .timeseries import TimeGANSampler

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
