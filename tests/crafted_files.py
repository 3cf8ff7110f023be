"""Model files changed the way an attacker or a damaged disk would change them.

:func:`rewrite` edits a model file's manifest and entries and signs it again
(a new SHA-256, or with ``key`` an HMAC), as anyone can; the tests then check
that ``load`` refuses what it must, quickly and in little memory.
"""

import hashlib
import hmac
import json
import os
import struct
import zipfile
import zlib

from sksynth._core.model_file import DIGEST, MANIFEST, MAX_FILE_BYTES


def read_entries(path):
    """The entries of a model file, {name: bytes}, in their order."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def read_manifest(path):
    return json.loads(read_entries(path)[MANIFEST])


def write_entries(path, entries, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)


def rewrite(
    path,
    change=None,
    *,
    manifest_bytes=None,
    key=None,
    compression=zipfile.ZIP_STORED,
):
    """Rewrite the model file ``path`` and sign its manifest again.

    Parameters
    ----------
    change : callable, optional
        Called with the manifest (a dict) and the other entries ({name:
        bytes}, the digest excluded) to change them in place.
    manifest_bytes : bytes, optional
        The manifest to write instead of the changed one.
    key : bytes, optional
        Sign with HMAC-SHA256 under this key instead of SHA-256.
    compression : int
        The zip compression of every entry.
    """
    stored = read_entries(path)
    manifest = json.loads(stored.pop(MANIFEST))
    stored.pop(DIGEST)
    if change is not None:
        change(manifest, stored)
    if manifest_bytes is None:
        manifest_bytes = json.dumps(manifest).encode()
    if key is None:
        digest = {"algorithm": "sha256", "digest": hashlib.sha256(manifest_bytes)}
    else:
        signature = hmac.new(key, manifest_bytes, hashlib.sha256)
        digest = {"algorithm": "hmac-sha256", "digest": signature}
    digest["digest"] = digest["digest"].hexdigest()
    write_entries(
        path,
        {MANIFEST: manifest_bytes, **stored, DIGEST: json.dumps(digest).encode()},
        compression,
    )
    return path


def replace_array(manifest, stored, name, data, dtype, shape):
    """Store ``data`` as the array ``name``, declared with its own checksum."""
    stored[name] = data
    manifest["arrays"][name] = {
        "dtype": dtype,
        "shape": list(shape),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


# --------------------------------------------------------------------------
# Crafted model files: {kind: how to make it from a GAN and a TimeGAN file}
# --------------------------------------------------------------------------

_HUGE = 2**40


def _changed(change, base="gan"):
    """A crafter that applies ``change(manifest, entries)`` to a copy of a file."""

    def craft(models, path):
        path.write_bytes(models[base].read_bytes())
        rewrite(path, change)

    return craft


def _set(section, **values):
    return lambda manifest, _: manifest[section].update(values)


def _deep_history(models, path):
    """A manifest whose history_ is a list nested 100,000 deep."""
    path.write_bytes(models["gan"].read_bytes())
    manifest = read_manifest(path)
    manifest["attributes"]["history_"] = "HERE"
    text = json.dumps(manifest).encode()
    nested = b"[" * 100_000 + b"]" * 100_000
    rewrite(path, manifest_bytes=text.replace(b'"HERE"', nested))


def _deep_digest(models, path):
    """A digest.json nested 500 deep, within the 1 KiB it may take."""
    entries = read_entries(models["gan"])
    entries[DIGEST] = b"[" * 500 + b"]" * 500
    write_entries(path, entries)


def _declared_larger(manifest, stored):
    name = next(n for n in stored if n.startswith("modules/"))
    manifest["arrays"][name]["shape"] = [2**28]


def _torch_file_with_a_stride_0_tensor(models, path):
    """What format version 3 held: torch.save of a payload, here with one
    element seen as 2**31 (8 GiB) by stride 0."""
    import torch

    payload = {"format": "sksynth", "format_version": 3}
    payload["weight"] = torch.zeros(1).expand(2**31)
    torch.save(payload, path)


def _deflate_bomb(models, path):
    """A model file whose first weight is deflated: 1 GiB of zeros in 1 MB."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(2**24)) + compressor.flush(zlib.Z_FULL_FLUSH)
    bomb = block * 64 + b"\x03\x00"  # 64 blocks of 16 MiB, then an empty last one
    entries = [(name, 0, zlib.crc32(data), len(data), data)
               for name, data in read_entries(models["gan"]).items()]  # fmt: skip
    weight = next(i for i, entry in enumerate(entries) if "modules/" in entry[0])
    entries[weight] = (entries[weight][0], 8, _CRC_OF_1_GIB_OF_ZEROS, 2**30, bomb)
    write_raw_zip(path, entries)


_CRC_OF_1_GIB_OF_ZEROS = 0x5B64C2B0


def write_raw_zip(path, entries):
    """Write a zip of ``(name, method, crc, size, data)`` entries as given:
    ``data`` is written as it is (already compressed for method 8)."""
    local, central = bytearray(), bytearray()
    for name, method, crc, size, data in entries:
        offset, encoded = len(local), name.encode()
        fields = (method, 0, 0x21, crc, len(data), size, len(encoded))
        local += struct.pack("<4s3H2H3L2H", b"PK\x03\x04", 20, 0, *fields, 0)
        local += encoded + data
        central += struct.pack(
            "<4s4H2H3L5H2L", b"PK\x01\x02", 20, 20, 0, *fields, 0, 0, 0, 0, 0, offset
        )
        central += encoded
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central),
        len(local), 0,
    )  # fmt: skip
    path.write_bytes(bytes(local + central + end))


def _fifo(models, path):
    os.mkfifo(path)


def _oversized(models, path):
    """A sparse file one byte over the limit, starting as a zip does."""
    with open(path, "wb") as file:
        file.write(b"PK\x03\x04")
        file.truncate(MAX_FILE_BYTES + 1)


def _dtype(name):
    return {"type": "name", "name": name}


def _column_dtype(manifest, _):
    manifest["attributes"]["encoder_"]["columns"][0]["dtype"] = _dtype("S2000000000")


def _category_dtype(manifest, _):
    column = manifest["attributes"]["encoder_"]["columns"][1]
    column["dtype"] = {
        "type": "category",
        "categories": column["categories"],
        "categories_dtype": "U500000000",
        "ordered": False,
    }


CRAFTED = {
    "stride-0-tensor (torch.save)": _torch_file_with_a_stride_0_tensor,
    "declared shape > entry": _changed(_declared_larger),
    "deflate bomb": _deflate_bomb,
    "huge generator_dim": _changed(_set("params", generator_dim=[2**20, 2**20])),
    "huge embedding_dim": _changed(_set("params", embedding_dim=2**30)),
    "20,000 layers": _changed(_set("params", generator_dim=[4] * 20_000)),
    "timegan 10^6 layers": _changed(_set("params", num_layers=10**6), "timegan"),
    "timegan huge hidden_dim_": _changed(
        _set("attributes", hidden_dim_=2**20), "timegan"
    ),
    "timegan huge seq_len_": _changed(_set("attributes", seq_len_=_HUGE), "timegan"),
    "n_features_in_ = -5": _changed(_set("attributes", n_features_in_=-5)),
    "n_features_in_ = 2**40": _changed(_set("attributes", n_features_in_=_HUGE)),
    "timegan n_features_in_ = -5": _changed(
        _set("attributes", n_features_in_=-5), "timegan"
    ),
    "timegan n_features_in_ = 2**40": _changed(
        _set("attributes", n_features_in_=_HUGE), "timegan"
    ),
    "column dtype S2000000000": _changed(_column_dtype),
    "category dtype U500000000": _changed(_category_dtype),
    "label dtype S2000000000": _changed(
        _set(
            "attributes",
            _label_type_={"container": "array", "dtype": _dtype("S2000000000")},
        )
    ),
    "format_version 1": _changed(lambda m, _: m.update(format_version=1)),
    "dunder attribute": _changed(_set("attributes", __class__="GANSampler")),
    "unknown attribute": _changed(_set("attributes", backdoor_=1)),
    "deep nesting (manifest)": _deep_history,
    "deep nesting (digest)": _deep_digest,
    "FIFO": _fifo,
    "oversized file": _oversized,
}
