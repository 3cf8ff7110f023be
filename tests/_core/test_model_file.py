"""The model file: crafted files are refused at once and in little memory;
keys sign files; weights are read only once the networks are known to fit."""

import json
import os
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sksynth import BaseSampler, GANSampler, TimeGANSampler
from sksynth._core.model_file import MANIFEST, ModelFile
from sksynth.utils.estimator_checks import assert_same_samples, small_sampler
from tests.crafted_files import CRAFTED, read_entries, replace_array, rewrite

# What a crafted file may cost load() before it is refused.
MAX_SECONDS = 1.0
MAX_BYTES = 200 * 2**20


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """A conditional GANSampler and a TimeGANSampler, fitted and saved."""
    folder = tmp_path_factory.mktemp("models")
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=60), "c": rng.choice(["a", "b"], 60)})
    y = pd.Series(rng.choice(["u", "v"], 60), name="label")
    gan = small_sampler(GANSampler).fit(frame, y)
    X = rng.random((12, 2, 4))
    timegan = TimeGANSampler(
        seq_len=4,
        hidden_dim=4,
        n_iter=2,
        n_iter_pretrain=2,
        batch_size=6,
        device="cpu",
        random_state=0,
    ).fit(X)
    paths = {"gan": folder / "gan.sksynth", "timegan": folder / "timegan.sksynth"}
    gan.save(paths["gan"])
    timegan.save(paths["timegan"])
    return {**paths, "samplers": {"gan": gan, "timegan": timegan}}


def _load_error(path, **kwargs):
    """The message of the ValueError that loading ``path`` raises, which names it.

    Loads in a thread, so that a load that blocks (on a FIFO) fails the test
    instead of hanging it.
    """
    outcome = {}

    def load():
        try:
            BaseSampler.load(path, **kwargs)
        except Exception as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive(), f"load({path}) blocked"
    error = outcome.get("error")
    assert isinstance(error, ValueError), repr(error)
    assert str(path) in str(error), str(error)
    return str(error)


@pytest.mark.parametrize("kind", list(CRAFTED))
def test_crafted_files_are_refused(models, tmp_path, kind):
    path = tmp_path / "crafted.sksynth"
    CRAFTED[kind](models, path)
    _load_error(path)


@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="needs RLIMIT_AS and /proc"
)
def test_crafted_files_are_refused_within_a_second_and_200_mb(models, tmp_path):
    crafted = {}
    for i, (kind, craft) in enumerate(CRAFTED.items()):
        crafted[kind] = str(tmp_path / f"crafted-{i}.sksynth")
        craft(models, Path(crafted[kind]))
    probe = Path(__file__).with_name("refusal_probe.py")
    result = subprocess.run(
        [sys.executable, str(probe), str(models["gan"]), str(MAX_BYTES)]
        + [json.dumps(crafted)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    costs = json.loads(result.stdout)
    for kind, cost in costs.items():
        assert cost["outcome"] == "refused", (kind, cost)
        assert cost["seconds"] < MAX_SECONDS, (kind, cost)
        if cost["peak_bytes"] is not None:
            assert cost["peak_bytes"] < MAX_BYTES, (kind, cost)
    assert set(costs) == set(CRAFTED)


def test_a_device_file_is_refused(tmp_path):
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    assert "not a regular file" in _load_error("/dev/zero")


def test_compressed_entries_are_refused(models, tmp_path):
    path = tmp_path / "deflated.sksynth"
    path.write_bytes(models["gan"].read_bytes())
    rewrite(path, compression=8)  # ZIP_DEFLATED
    assert "compressed" in _load_error(path)


def test_an_entry_named_twice_is_refused(models, tmp_path):
    path = tmp_path / "twice.sksynth"
    path.write_bytes(models["gan"].read_bytes())
    manifest = read_entries(path)[MANIFEST]
    with zipfile.ZipFile(path, "a") as archive:
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr(MANIFEST, manifest)
    assert "twice" in _load_error(path)


@pytest.mark.parametrize("kind", ["gan", "timegan"])
def test_weights_are_read_only_once_the_networks_fit(
    models, tmp_path, monkeypatch, kind
):
    reads = []
    original = ModelFile.read_tensor
    monkeypatch.setattr(
        ModelFile,
        "read_tensor",
        lambda self, name: reads.append(name) or original(self, name),
    )
    path = tmp_path / "wide.sksynth"
    path.write_bytes(models[kind].read_bytes())
    widen = {"gan": {"embedding_dim": 9}, "timegan": {"num_layers": 3}}[kind]
    rewrite(path, lambda manifest, _: manifest["params"].update(widen))
    assert "do not fit" in _load_error(path)
    assert reads == []
    BaseSampler.load(models[kind])
    assert reads  # the check above is not vacuous


# --------------------------------------------------------------------------
# Keys: HMAC-SHA256 signatures
# --------------------------------------------------------------------------


@pytest.fixture
def signed(models, tmp_path):
    path = tmp_path / "signed.sksynth"
    models["samplers"]["gan"].save(path, key="secret")
    return path


def test_a_signed_file_loads_with_its_key(models, signed):
    fitted = models["samplers"]["gan"]
    for key in ("secret", b"secret"):
        assert_same_samples(
            fitted.sample(10, random_state=0),
            GANSampler.load(signed, key=key).sample(10, random_state=0),
        )


def test_a_signed_file_without_its_key_is_refused(signed):
    assert "signed with a key" in _load_error(signed)
    assert "does not match the key" in _load_error(signed, key="guess")


def test_an_unsigned_file_with_a_key_is_refused(models):
    assert "not signed" in _load_error(models["gan"], key="secret")


def test_a_signed_file_changed_and_signed_again_without_the_key(signed):
    change = _set_n_iter(7)
    # Signed again with a plain checksum, as anyone can: no longer signed.
    rewrite(signed, change)
    assert "not signed" in _load_error(signed, key="secret")
    # Signed with another key: does not match.
    rewrite(signed, change, key=b"other")
    assert "does not match the key" in _load_error(signed, key="secret")
    rewrite(signed, change, key=b"secret")
    assert GANSampler.load(signed, key="secret").n_iter_ == 7


def _set_n_iter(value):
    return lambda manifest, _: manifest["attributes"].update(n_iter_=value)


@pytest.mark.parametrize("key", ["", b"", 123, ["k"]])
def test_keys_must_be_non_empty_bytes_or_str(models, tmp_path, key):
    with pytest.raises(ValueError, match="key must be a non-empty bytes or str"):
        models["samplers"]["gan"].save(tmp_path / "m.sksynth", key=key)
    with pytest.raises(ValueError, match="key must be a non-empty bytes or str"):
        BaseSampler.load(models["gan"], key=key)
    assert not (tmp_path / "m.sksynth").exists()


# --------------------------------------------------------------------------
# The scan of JSON nesting, against the parsed JSON
# --------------------------------------------------------------------------


def _nesting(value):
    """(depth, number of lists and dicts) of parsed JSON."""
    children = value.values() if isinstance(value, dict) else value
    if not isinstance(value, (list, dict)):
        return 0, 0
    inner = [_nesting(child) for child in children]
    return 1 + max((d for d, _ in inner), default=0), 1 + sum(n for _, n in inner)


def _random_json(rng, depth=0):
    """Nested lists, dicts, numbers and strings full of brackets, quotes and
    backslashes."""
    alphabet = ["[", "]", "{", "}", "\\", '"', "a", " ", "é"]

    def text():
        return "".join(rng.choice(alphabet, size=rng.integers(0, 6)).tolist())

    draw = rng.random()
    if depth > 6 or draw < 0.3:
        return text()
    if draw < 0.5:
        return int(rng.integers(-5, 10**6))
    children = [_random_json(rng, depth + 1) for _ in range(rng.integers(0, 4))]
    if draw < 0.75:
        return children
    return {text() + str(i): child for i, child in enumerate(children)}


@pytest.mark.parametrize("piece", [1, 7, 2**18])
def test_the_nesting_scan_ignores_brackets_in_strings(monkeypatch, piece):
    from sksynth._core import model_file

    monkeypatch.setattr(model_file, "_SCAN_BYTES", piece)
    rng = np.random.default_rng(piece)
    for _ in range(200):
        value = _random_json(rng)
        data = json.dumps(value, ensure_ascii=bool(rng.random() < 0.5)).encode()
        assert model_file._json_nesting(data) == _nesting(value), data


# --------------------------------------------------------------------------
# Array values and the limits of save
# --------------------------------------------------------------------------


def test_a_bool_array_holds_only_0_and_1(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=60)
    x[::4] = np.nan
    frame = pd.DataFrame({"x": x, "c": rng.choice(["a", "b"], 60)})
    path = tmp_path / "patterns.sksynth"
    small_sampler(GANSampler).set_params(missing_patterns="observed").fit(frame).save(
        path
    )
    name = "arrays/_missing_patterns_"

    def set_a_2(manifest, stored):
        spec = manifest["arrays"][name]
        replace_array(manifest, stored, name, b"\x02" + stored[name][1:], "bool",
                      spec["shape"])  # fmt: skip

    BaseSampler.load(path)
    assert "not 0/1" in _load_error(rewrite(path, set_a_2))


def test_save_refuses_a_model_beyond_the_limits(models, tmp_path, monkeypatch):
    from sksynth._core import model_file

    path = tmp_path / "model.sksynth"
    path.write_bytes(b"old")
    monkeypatch.setattr(model_file, "MAX_ENTRIES", 5)
    with pytest.raises(ValueError, match="too large to save"):
        models["samplers"]["gan"].save(path)
    assert path.read_bytes() == b"old"
