"""Tables: :class:`GANSampler` and what only it uses."""

from ._gan import GANSampler

__all__ = ["GANSampler"]
