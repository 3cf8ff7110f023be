import pytest

from sksynth.datasets import make_sines


@pytest.fixture(scope="module")
def sines():
    """40 sequences of 3 channels and 6 steps: the TimeGANSampler tests' data."""
    return make_sines(40, seq_len=6, n_channels=3, random_state=0)
