"""sksynth: synthetic tables and time series as scikit-learn estimators."""

from typing import TYPE_CHECKING

from .base import BaseSampler
from .pipeline import SamplingPipeline, make_sampling_pipeline
from .tabular import GANSampler
from .timeseries import TimeGANSampler

if TYPE_CHECKING:  # imported on first use, see __getattr__
    from .oversampling import GANOverSampler

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


def __getattr__(name):
    # Loaded on first use: GANOverSampler brings in imbalanced-learn.
    if name == "GANOverSampler":
        from .oversampling import GANOverSampler

        return GANOverSampler
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
