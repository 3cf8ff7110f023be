"""Tests of the BaseSampler template and its device, seeding and logging parts.

A minimal sampler (a Gaussian with a learned mean and scale per feature) stands
in for the GAN samplers, so that the template's guarantees are tested on their
own: fitted state published only on success, validation of ``n_samples``, the
memory refusal, seeding without touching global random state, and save/load.
"""

import subprocess
import sys

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import validate_data

from sksynth import BaseSampler
from sksynth._core.devices import resolve_device
from sksynth._core.memory import check_sample_memory
from sksynth._core.seeding import seed_from_random_state, seeded_torch
from sksynth._core.training import Phase, TrainingLoop
from sksynth._core.training_log import TrainingLog


class _Gaussian(torch.nn.Module):
    def __init__(self, n_features):
        super().__init__()
        self.loc = torch.nn.Parameter(torch.zeros(n_features))
        self.scale = torch.nn.Parameter(torch.ones(n_features))


class GaussianSampler(BaseSampler):
    """Samples each feature from a normal distribution fitted to X."""

    def __init__(self, *, fail=False, device="cpu", random_state=None, verbose=0):
        self.fail = fail
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _validate_data(self, X, y):
        return validate_data(self, X, dtype=np.float64), y

    def _fit(self, X, y, device, seed):
        model = _Gaussian(X.shape[1])
        with torch.no_grad():
            model.loc.copy_(torch.as_tensor(X.mean(axis=0)))
            model.scale.copy_(torch.as_tensor(X.std(axis=0)))
            # Drawn from torch's global generator, which fit seeds.
            model.loc.add_(1e-6 * torch.randn(X.shape[1], dtype=torch.float64))
        if self.fail:
            raise RuntimeError("training failed")
        self.model_ = model.to(device)

    def _sample(self, n_samples, y, rng):
        noise = torch.randn(n_samples, self.n_features_in_, generator=rng)
        return (self.model_.loc + self.model_.scale * noise).numpy()

    def _build_modules(self):
        return {"model_": _Gaussian(self.n_features_in_)}

    def _bytes_per_sample(self):
        return 16 * self.n_features_in_


@pytest.fixture
def X():
    return np.random.default_rng(0).normal([1.0, -2.0], [0.5, 3.0], size=(200, 2))


def test_fit_publishes_the_fitted_state_and_sample_uses_it(X):
    sampler = GaussianSampler(random_state=0).fit(X)
    assert sampler.device_ == torch.device("cpu")
    assert sampler.n_features_in_ == 2
    draws = sampler.sample(5000, random_state=0)
    assert draws.shape == (5000, 2)
    np.testing.assert_allclose(draws.mean(axis=0), [1.0, -2.0], atol=0.15)


def test_sample_before_fit_is_not_fitted_error():
    with pytest.raises(NotFittedError):
        GaussianSampler().sample(3)


def test_failed_fit_leaves_the_earlier_fit_in_place(X):
    sampler = GaussianSampler(random_state=0).fit(X)
    model = sampler.model_
    sampler.set_params(fail=True)
    with pytest.raises(RuntimeError, match="training failed"):
        sampler.fit(X[:, :1])
    assert sampler.model_ is model
    assert sampler.n_features_in_ == 2


def test_failed_first_fit_leaves_no_fitted_state(X):
    sampler = GaussianSampler(fail=True)
    with pytest.raises(RuntimeError):
        sampler.fit(X)
    assert not [name for name in vars(sampler) if name.endswith("_")]


@pytest.mark.parametrize("n_samples", [0, -3, 2.5, True, "10"])
def test_sample_refuses_bad_n_samples(X, n_samples):
    sampler = GaussianSampler().fit(X)
    with pytest.raises(ValueError, match="n_samples must be a positive integer"):
        sampler.sample(n_samples)


def test_sample_refuses_a_request_larger_than_memory(X):
    sampler = GaussianSampler().fit(X)
    with pytest.raises(ValueError, match=r"n_samples=10+ would need about .* GiB"):
        sampler.sample(10**15)


def test_memory_check_passes_what_fits():
    check_sample_memory(1000, 8)
    with pytest.raises(ValueError, match="sample in parts of at most about"):
        check_sample_memory(10**15, 8)


def test_seeded_fits_and_samples_repeat_without_touching_global_state(X):
    torch.manual_seed(123)
    np.random.seed(123)  # noqa: NPY002 (the global state is what is tested)
    torch_state = torch.random.get_rng_state()
    numpy_state = np.random.get_state()[1].copy()  # noqa: NPY002
    first = GaussianSampler(random_state=7).fit(X)
    second = GaussianSampler(random_state=7).fit(X)
    assert torch.equal(torch.random.get_rng_state(), torch_state)
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)  # noqa: NPY002
    assert torch.equal(first.model_.loc, second.model_.loc)
    np.testing.assert_array_equal(
        first.sample(10, random_state=1), second.sample(10, random_state=1)
    )
    assert not np.array_equal(first.sample(10), first.sample(10))


def test_seed_from_random_state():
    assert seed_from_random_state(5) == 5
    rng = np.random.RandomState(0)
    assert seed_from_random_state(np.random.RandomState(0)) == seed_from_random_state(
        rng
    )
    assert seed_from_random_state(None) != seed_from_random_state(None)


def test_seeded_torch_restores_the_global_generator():
    state = torch.random.get_rng_state()
    with seeded_torch(0, torch.device("cpu")):
        inside = torch.rand(3)
    with seeded_torch(0, torch.device("cpu")):
        again = torch.rand(3)
    assert torch.equal(inside, again)
    assert torch.equal(torch.random.get_rng_state(), state)


@pytest.mark.parametrize("device", ["auto", "cpu", torch.device("cpu")])
def test_resolve_device_on_this_machine(device):
    assert isinstance(resolve_device(device), torch.device)


@pytest.mark.parametrize("device", ["banana", "tpu", "cuda:x", 3])
def test_resolve_device_refuses_what_names_no_device(device):
    with pytest.raises(ValueError, match="device must be"):
        resolve_device(device)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_resolve_device_refuses_a_missing_gpu():
    with pytest.raises(ValueError, match="CUDA is not available"):
        resolve_device("cuda")


def test_fit_on_a_missing_device_is_a_value_error(X):
    if torch.cuda.is_available():
        pytest.skip("needs a machine without CUDA")
    with pytest.raises(ValueError, match="CUDA is not available"):
        GaussianSampler(device="cuda").fit(X)


def test_training_log_records_every_few_steps_and_stops_on_divergence():
    log = TrainingLog(verbose=0, log_every=2)
    losses = iter(range(5))
    warm_up = Phase("warm-up", 5, lambda: {"loss": torch.tensor(float(next(losses)))})
    TrainingLoop({}, [log]).run([warm_up])
    assert [row["step"] for row in log.history] == [2, 4, 5]
    assert log.history[-1] == {"phase": "warm-up", "step": 5, "loss": 4.0}
    assert "warm-up" in log.phase_seconds
    joint = Phase("joint", 4, lambda: {"loss": float("nan")})
    with pytest.raises(FloatingPointError, match="'loss' became nan at step 2"):
        TrainingLoop({}, [log]).run([joint])


def test_save_and_load_round_trip_of_a_subclass(X, tmp_path):
    sampler = GaussianSampler(random_state=0).fit(X)
    path = tmp_path / "gaussian.sksynth"
    sampler.save(path)
    loaded = BaseSampler.load(path)
    assert type(loaded) is GaussianSampler
    assert loaded.get_params() == sampler.get_params()
    np.testing.assert_array_equal(
        loaded.sample(20, random_state=3), sampler.sample(20, random_state=3)
    )


def test_a_random_state_that_seeds_nothing_is_named(X):
    with pytest.raises(ValueError, match="'random_state' parameter"):
        GaussianSampler(random_state="x").fit(X)
    with pytest.raises(ValueError, match="random_state must be None, an int"):
        GaussianSampler().fit(X).sample(3, random_state="x")


def test_memory_check_respects_the_address_space_limit():
    # In a subprocess: the limit would hold for the rest of the test session.
    code = (
        "import resource\n"
        "from sksynth._core.memory import check_sample_memory\n"
        "resource.setrlimit(resource.RLIMIT_AS, (2**34, resource.RLIM_INFINITY))\n"
        "try:\n"
        "    check_sample_memory(2**35, 1)\n"
        "except ValueError as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert "n_samples=34359738368 would need about 32.0 GiB" in result.stdout
