"""save and load: round trips, and one clear error for every bad path or file."""

import json
import os
import pickle
import zipfile

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.exceptions import NotFittedError

from sksynth import BaseSampler, GANSampler, TimeGANSampler
from sksynth._core.persistence import SAVE_FORMAT_VERSION, payload_checksum
from sksynth.datasets import make_sines
from sksynth.utils.estimator_checks import assert_same_samples, small_sampler


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


def _rewrite(path, change, *, checksum=True):
    """Apply ``change`` to the payload of ``path``; re-sign it unless told not to."""
    payload = torch.load(path, weights_only=True)
    change(payload)
    if checksum:
        payload["checksum"] = payload_checksum(payload)
    torch.save(payload, path)
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


def test_gan_round_trip_and_a_stable_checksum(tmp_path, fitted):
    first, second = tmp_path / "a.sksynth", tmp_path / "b.sksynth"
    fitted.save(first)
    fitted.save(second)
    checksums = [torch.load(p, weights_only=True)["checksum"] for p in (first, second)]
    assert checksums[0] == checksums[1]
    for loader in (GANSampler, BaseSampler):
        assert_same_samples(
            fitted.sample(20, random_state=1),
            loader.load(first).sample(20, random_state=1),
        )


def test_timegan_round_trip(tmp_path):
    X = make_sines(16, seq_len=4, n_channels=2, random_state=0)
    sampler = TimeGANSampler(
        seq_len=4, hidden_dim=4, n_iter=2, batch_size=8, device="cpu", random_state=0
    ).fit(X)
    path = tmp_path / "timegan.sksynth"
    sampler.save(path)
    assert_same_samples(
        sampler.sample(5, random_state=2),
        TimeGANSampler.load(path).sample(5, random_state=2),
    )


def test_version_1_file_without_a_checksum_still_loads(model_path, fitted):
    def as_version_1(payload):
        del payload["checksum"]
        payload["format_version"] = 1

    _rewrite(model_path, as_version_1, checksum=False)
    assert_same_samples(
        fitted.sample(10, random_state=0),
        GANSampler.load(model_path).sample(10, random_state=0),
    )


def test_version_2_file_with_the_encoder_as_a_dict_still_loads(model_path, fitted):
    # Before version 3, GANSampler's encoder was the JSON attribute encoding_.
    def as_version_2(payload):
        attributes = json.loads(payload["attributes"])
        attributes["encoding_"] = attributes.pop("encoder_")
        payload["attributes"] = json.dumps(attributes)
        payload["format_version"] = 2

    loaded = GANSampler.load(_rewrite(model_path, as_version_2))
    assert loaded.encoder_.to_dict() == fitted.encoder_.to_dict()
    assert_same_samples(
        fitted.sample(10, random_state=0), loaded.sample(10, random_state=0)
    )


def test_load_a_payload_with_a_malformed_encoder(model_path):
    def break_encoder(payload):
        attributes = json.loads(payload["attributes"])
        attributes["encoder_"] = {"columns": []}
        payload["attributes"] = json.dumps(attributes)

    message = _load_error(_rewrite(model_path, break_encoder))
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
    monkeypatch.setattr(torch, "save", _must_not_run)
    path = tmp_path / where
    with pytest.raises(exception, match="cannot write") as info:
        fitted.save(path)
    assert str(path) in str(info.value)


def test_save_into_a_read_only_folder(tmp_path, fitted, monkeypatch):
    # os.access stands in for chmod, which does not stop root.
    monkeypatch.setattr(os, "access", lambda *args, **kwargs: False)
    monkeypatch.setattr(torch, "save", _must_not_run)
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
    """The byte range of the largest weights, the pickled payload, or the member
    at the middle of the file (the first after it, when the middle falls in a
    header or the alignment padding between members, which no reader uses).
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
            (n for n in spans if "/data/" in n), key=lambda n: spans[n][1] - spans[n][0]
        )
    elif where == "pickled-payload":
        member = next(n for n in spans if n.endswith("data.pkl"))
    else:
        middle = len(data) // 2
        member = min(
            (n for n in spans if spans[n][1] > middle and spans[n][1] > spans[n][0]),
            key=lambda n: spans[n][0],
        )
    return spans[member]


@pytest.mark.parametrize("where", ["weights", "pickled-payload", "middle-of-file"])
def test_load_a_file_with_overwritten_bytes(model_path, where):
    data = bytearray(model_path.read_bytes())
    start, end = _member_span(model_path, where)
    middle = (start + end) // 2
    data[middle : middle + 8] = bytes(b ^ 0xFF for b in data[middle : middle + 8])
    model_path.write_bytes(bytes(data))
    message = _load_error(model_path)
    if where == "weights":
        assert "checksum" in message


def test_load_a_file_from_a_newer_sksynth(model_path):
    _rewrite(model_path, lambda payload: payload.update(format_version=99))
    message = _load_error(model_path)
    assert "newer sksynth, format version 99" in message
    assert f"reads up to {SAVE_FORMAT_VERSION}" in message


def test_load_a_file_with_a_malformed_format_version(model_path):
    _rewrite(model_path, lambda payload: payload.update(format_version="2"))
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
    assert "not a sksynth model file" in _load_error(path)


def _write_zip(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes/readme.txt", "hello")


# --------------------------------------------------------------------------
# load: damaged payloads, signed again so that the checksum passes
# --------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["params", "arrays", "modules", "checksum"])
def test_load_a_payload_with_a_missing_entry(model_path, key):
    _rewrite(model_path, lambda payload: payload.pop(key), checksum=False)
    assert key in _load_error(model_path)


def test_load_a_payload_with_an_entry_of_the_wrong_type(model_path):
    _rewrite(
        model_path,
        lambda payload: payload.update(attributes=b"{}"),
        checksum=False,
    )
    assert "'attributes' entry is missing or not a string" in _load_error(model_path)


def test_load_a_payload_with_invalid_json(model_path):
    _rewrite(model_path, lambda payload: payload.update(params="{not json"))
    assert "JSON" in _load_error(model_path)


def test_load_a_payload_with_an_unknown_parameter(model_path):
    def add_parameter(payload):
        params = json.loads(payload["params"])
        payload["params"] = json.dumps({**params, "flux_capacitor": 3})

    assert "flux_capacitor" in _load_error(_rewrite(model_path, add_parameter))


def test_load_a_payload_without_a_needed_attribute(model_path):
    def drop_encoding(payload):
        attributes = json.loads(payload["attributes"])
        del attributes["encoder_"]
        payload["attributes"] = json.dumps(attributes)

    message = _load_error(_rewrite(model_path, drop_encoding))
    assert "encoder_" in message and "GANSampler" in message


@pytest.mark.parametrize("change", ["reshape", "drop", "rename"])
def test_load_weights_that_do_not_fit_the_network(model_path, change):
    def damage(payload):
        state = payload["modules"]["generator_"]
        key = sorted(state)[0]
        if change == "reshape":
            state[key] = torch.zeros(3, 3)
        else:
            tensor = state.pop(key)
            if change == "rename":
                state["extra.weight"] = tensor

    message = _load_error(_rewrite(model_path, damage))
    assert "weights of generator_ do not fit" in message


def test_load_a_payload_of_an_unknown_class(model_path):
    _rewrite(model_path, lambda payload: payload.update(estimator="VAESampler"))
    assert "VAESampler" in _load_error(model_path)


def test_load_with_the_wrong_class(model_path):
    message = _load_error(model_path, loader=TimeGANSampler)
    assert "holds a GANSampler, not a TimeGANSampler" in message
