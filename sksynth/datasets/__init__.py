"""Benchmark data sets of the TimeGAN and CTGAN papers, loaded offline."""

from ._loaders import load_adult, load_energy, load_stocks, make_sines

__all__ = ["load_adult", "load_energy", "load_stocks", "make_sines"]
