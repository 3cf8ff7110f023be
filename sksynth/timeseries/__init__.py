"""Time series: :class:`TimeGANSampler` and what only it uses."""

from .._core.nn import TFGRU
from ._timegan import TimeGANSampler

__all__ = ["TFGRU", "TimeGANSampler"]
