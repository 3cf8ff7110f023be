"""pytest settings shared by the tests and the docstring examples."""

import torch

# Tests and examples are tiny; on two-core machines a second intra-op thread
# under any other load makes small recurrent steps up to 100x slower.
torch.set_num_threads(1)
