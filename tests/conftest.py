import pytest
import torch

from sksynth.datasets import make_sines

# Tests are tiny; on two-core machines a second intra-op thread under any other
# load makes small recurrent steps up to 100x slower.
torch.set_num_threads(1)


@pytest.fixture(scope="module")
def sines():
    """40 sequences of 3 channels and 6 steps: the TimeGANSampler tests' data."""
    return make_sines(40, seq_len=6, n_channels=3, random_state=0)
