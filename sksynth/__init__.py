"""sksynth: synthetic tables and time series as scikit-learn estimators."""

from .base import BaseSampler
from .gan import GANSampler
from .timegan import TimeGANSampler

__version__ = "0.1.0"

__all__ = ["BaseSampler", "GANSampler", "TimeGANSampler", "__version__"]
