"""save and load: round trips, and one clear error for every bad path or file."""

import os
import pickle
import zipfile

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.exceptions import NotFittedError

from sksynth import BaseSampler, GANSampler, TimeGANSampler
from sksynth._core import persistence
from sksynth._core.model_file import DIGEST, FORMAT_VERSION, MANIFEST
from sksynth.datasets import make_sines
from sksynth.utils.estimator_checks import assert_same_samples, small_sampler
from tests.crafted_files import read_entries, replace_array, rewrite


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {"x": rng.normal(size=60), "colour": rng.choice(["red", "blue"], 60)}
    )


@pytest.fixture(scope="module")
def fitted(frame):
    return small_sampler(GANSampler).fit(frame)


@pytest.fixture
def model_path(tmp_path, fitted):
    path = tmp_path / "model.sksynth"
    fitted.save(path)
    return path


def _load_error(path, exception=ValueError, loader=BaseSampler):
    """The message of the one exception that loading ``path`` raises."""
    with pytest.raises(exception) as info:
        loader.load(path)
    message = str(info.value)
    assert str(path) in message, message
    assert "weights_only" not in message, message
    return message


# --------------------------------------------------------------------------
# Round trips
# --------------------------------------------------------------------------


def test_gan_round_trip_and_the_same_bytes_each_time(tmp_path, fitted):
    first, second = tmp_path / "a.sksynth", tmp_path / "b.sksynth"
    fitted.save(first)
    fitted.save(second)
    assert first.read_bytes() == second.read_bytes()
    for loader in (GANSampler, BaseSampler):
        assert_same_samples(
            fitted.sample(20, random_state=1),
            loader.load(first).sample(20, random_state=1),
        )


def test_timegan_round_trip(tmp_path):
    X = make_sines(16, seq_len=4, n_channels=2, random_state=0)
    sampler = TimeGANSampler(
        seq_len=4,
        hidden_dim=4,
        n_iter=2,
        n_iter_pretrain=2,
        batch_size=8,
        device="cpu",
        random_state=0,
    ).fit(X)
    path = tmp_path / "timegan.sksynth"
    sampler.save(path)
    assert_same_samples(
        sampler.sample(5, random_state=2),
        TimeGANSampler.load(path).sample(5, random_state=2),
    )


@pytest.mark.parametrize("version", [1, 2, 3])
def test_files_of_earlier_format_versions_are_refused(model_path, version):
    # Versions 1 to 3 were torch.save files of development versions; a
    # manifest claiming one of them is refused, whatever else it holds.
    rewrite(model_path, lambda manifest, _: manifest.update(format_version=version))
    message = _load_error(model_path)
    assert f"format version {version}" in message and "Fit the model again" in message


def test_parameters_keep_tuples_and_position_keys_through_a_file(tmp_path):
    """JSON has no tuples and only string keys; the file keeps both."""
    X = np.random.default_rng(0).uniform(size=(60, 2))
    schema = {0: (0.0, 1.0), 1: [0.0, 1.0, None]}
    fitted = small_sampler(GANSampler, epsilon=10.0, pac=1, schema=schema).fit(X)
    fitted.save(tmp_path / "model.sksynth")
    restored = BaseSampler.load(tmp_path / "model.sksynth")
    assert restored.schema == schema
    assert type(restored.schema[0]) is tuple and type(restored.schema[1]) is list
    assert restored.get_params() == fitted.get_params()


def test_load_parameters_with_a_malformed_tag(model_path):
    def break_tag(manifest, _):
        manifest["params"]["generator_dim"] = {"__items__": [[[1], 2]]}

    message = _load_error(rewrite(model_path, break_tag))
    assert "parameters are invalid" in message and "__items__" in message


def test_load_a_payload_with_a_malformed_encoder(model_path):
    def break_encoder(manifest, _):
        manifest["attributes"]["encoder_"] = {"columns": []}

    message = _load_error(rewrite(model_path, break_encoder))
    assert "encoder_ is malformed" in message


# --------------------------------------------------------------------------
# save: the path is checked before anything is serialized
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "exception"),
    [
        ("missing/model.sksynth", FileNotFoundError),
        ("folder", IsADirectoryError),
        ("file.txt/model.sksynth", NotADirectoryError),
    ],
    ids=["missing-folder", "a-folder", "under-a-file"],
)
def test_save_to_a_bad_path(tmp_path, fitted, monkeypatch, where, exception):
    (tmp_path / "folder").mkdir()
    (tmp_path / "file.txt").write_text("not a folder")
    monkeypatch.setattr(persistence, "atomic_output", _must_not_run)
    path = tmp_path / where
    with pytest.raises(exception, match="cannot write") as info:
        fitted.save(path)
    assert str(path) in str(info.value)


def test_save_into_a_read_only_folder(tmp_path, fitted, monkeypatch):
    # os.access stands in for chmod, which does not stop root.
    monkeypatch.setattr(os, "access", lambda *args, **kwargs: False)
    monkeypatch.setattr(persistence, "atomic_output", _must_not_run)
    path = tmp_path / "model.sksynth"
    with pytest.raises(PermissionError, match="not writable") as info:
        fitted.save(path)
    assert str(path) in str(info.value)
    assert not path.exists()


def test_save_unfitted_or_with_an_unserializable_parameter(tmp_path):
    with pytest.raises(NotFittedError, match="GANSampler"):
        small_sampler(GANSampler).save(tmp_path / "model.sksynth")
    sampler = small_sampler(GANSampler).fit(pd.DataFrame({"x": np.arange(40.0)}))
    sampler.set_params(random_state=np.random.RandomState(0))
    with pytest.raises(ValueError, match="random_state"):
        sampler.save(tmp_path / "model.sksynth")


def _must_not_run(*args, **kwargs):
    raise AssertionError("called after a bad path should have stopped the call")


# --------------------------------------------------------------------------
# load: files that are missing, cut short, overwritten or foreign
# --------------------------------------------------------------------------


def test_load_a_missing_file_or_a_folder(tmp_path):
    _load_error(tmp_path / "absent.sksynth", FileNotFoundError)
    _load_error(tmp_path, IsADirectoryError)


def test_load_rejects_a_bad_device_before_reading(tmp_path):
    with pytest.raises(ValueError, match="device"):
        BaseSampler.load(tmp_path / "absent.sksynth", device="tpu")


def test_load_an_empty_file(tmp_path):
    path = tmp_path / "empty.sksynth"
    path.write_bytes(b"")
    assert "empty" in _load_error(path)


@pytest.mark.parametrize("keep", [0.5, -10, 100], ids=["half", "tail", "head"])
def test_load_a_truncated_file(model_path, keep):
    data = model_path.read_bytes()
    model_path.write_bytes(data[: int(len(data) * keep) if keep < 1 else keep])
    assert "truncated" in _load_error(model_path)


def _member_span(path, where):
    """The byte range of the largest weights, the manifest, or the entry at the
    middle of the file (the first after it, when the middle falls in a header).
    """
    data = path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        spans = {}
        for info in archive.infolist():
            # The local header: 30 bytes, then the name and the extra field.
            offset = info.header_offset
            name_length = int.from_bytes(data[offset + 26 : offset + 28], "little")
            extra_length = int.from_bytes(data[offset + 28 : offset + 30], "little")
            start = offset + 30 + name_length + extra_length
            spans[info.filename] = (start, start + info.compress_size)
    if where == "weights":
        member = max(
            (n for n in spans if n.startswith("modules/")),
            key=lambda n: spans[n][1] - spans[n][0],
        )
    elif where == "manifest":
        member = MANIFEST
    else:
        middle = len(data) // 2
        member = min(
            (n for n in spans if spans[n][1] > middle and spans[n][1] > spans[n][0]),
            key=lambda n: spans[n][0],
        )
    return spans[member]


@pytest.mark.parametrize("where", ["weights", "manifest", "middle-of-file"])
def test_load_a_file_with_overwritten_bytes(model_path, where):
    data = bytearray(model_path.read_bytes())
    start, end = _member_span(model_path, where)
    middle = (start + end) // 2
    data[middle : middle + 8] = bytes(b ^ 0xFF for b in data[middle : middle + 8])
    model_path.write_bytes(bytes(data))
    message = _load_error(model_path)
    if where != "middle-of-file":
        assert "checksum" in message or "CRC" in message


def test_load_a_file_from_a_newer_sksynth(model_path):
    rewrite(model_path, lambda manifest, _: manifest.update(format_version=99))
    message = _load_error(model_path)
    assert "newer sksynth, format version 99" in message
    assert f"reads format version {FORMAT_VERSION}" in message


def test_load_a_file_with_a_malformed_format_version(model_path):
    rewrite(model_path, lambda manifest, _: manifest.update(format_version="2"))
    assert "format version '2'" in _load_error(model_path)


def test_load_a_pickle(tmp_path, fitted):
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(fitted))
    message = _load_error(path)
    assert "pickle" in message and "not a sksynth model file" in message


@pytest.mark.parametrize(
    ("name", "write"),
    [
        ("data.csv", lambda path: path.write_text("a,b\n1,2\n")),
        ("weights.pt", lambda path: torch.save({"weight": torch.zeros(3)}, path)),
        ("notes.zip", lambda path: _write_zip(path)),
    ],
    ids=["text", "foreign-torch-file", "other-zip"],
)
def test_load_a_file_of_another_kind(tmp_path, name, write):
    path = tmp_path / name
    write(path)
    message = _load_error(path)
    assert "not a sksynth model file" in message
    if name == "weights.pt":
        assert "torch.save" in message and "no longer reads" in message


def _write_zip(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes/readme.txt", "hello")


# --------------------------------------------------------------------------
# load: damaged manifests, signed again so that the checksum passes
# --------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["params", "attributes", "arrays", "estimator"])
def test_load_a_manifest_with_a_missing_entry(model_path, key):
    rewrite(model_path, lambda manifest, _: manifest.pop(key))
    message = _load_error(model_path)
    assert key in message or "malformed" in message or "array table" in message


def test_load_a_file_without_its_digest(model_path):
    entries = read_entries(model_path)
    del entries[DIGEST]
    with zipfile.ZipFile(model_path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    assert "not a sksynth model file" in _load_error(model_path)


def test_load_a_manifest_with_an_entry_of_the_wrong_type(model_path):
    rewrite(model_path, lambda manifest, _: manifest.update(attributes="{}"))
    assert "parameters or fitted attributes are malformed" in _load_error(model_path)


def test_load_a_manifest_with_invalid_json(model_path):
    rewrite(model_path, manifest_bytes=b"{not json")
    assert "JSON" in _load_error(model_path)


def test_load_a_manifest_with_an_unknown_parameter(model_path):
    rewrite(model_path, lambda manifest, _: manifest["params"].update(flux=3))
    assert "flux" in _load_error(model_path)


def test_load_a_manifest_with_an_invalid_parameter(model_path):
    rewrite(model_path, lambda manifest, _: manifest["params"].update(pac=-1))
    assert "parameters are invalid" in _load_error(model_path)


def test_load_a_manifest_without_a_needed_attribute(model_path):
    rewrite(model_path, lambda manifest, _: manifest["attributes"].pop("encoder_"))
    message = _load_error(model_path)
    assert "encoder_" in message and "GANSampler" in message


@pytest.mark.parametrize("change", ["reshape", "drop", "rename", "retype"])
def test_load_weights_that_do_not_fit_the_network(model_path, change):
    def damage(manifest, stored):
        name = sorted(n for n in stored if n.startswith("modules/generator_/"))[0]
        if change == "reshape":
            replace_array(manifest, stored, name, bytes(36), "float32", (3, 3))
        elif change == "retype":
            data = stored[name]
            shape = manifest["arrays"][name]["shape"]
            shape = [*shape[:-1], shape[-1] * 2]
            replace_array(manifest, stored, name, data, "float16", shape)
        else:
            data = stored.pop(name)
            del manifest["arrays"][name]
            if change == "rename":
                replace_array(
                    manifest, stored, "modules/generator_/extra.weight", data,
                    "float32", (len(data) // 4,),
                )  # fmt: skip

    message = _load_error(rewrite(model_path, damage))
    assert "weights of generator_ do not fit" in message


def test_load_a_payload_of_an_unknown_class(model_path):
    rewrite(model_path, lambda manifest, _: manifest.update(estimator="VAESampler"))
    assert "VAESampler" in _load_error(model_path)


def test_load_with_the_wrong_class(model_path):
    message = _load_error(model_path, loader=TimeGANSampler)
    assert "holds a GANSampler, not a TimeGANSampler" in message
