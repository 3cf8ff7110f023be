"""The model file container: a JSON manifest and raw arrays in a plain zip.

A model file is a zip archive of stored (never compressed) entries:

* ``manifest.json``: the format, its version, what the caller stores (for a
  sampler: its class, parameters and fitted attributes) and, for every array,
  its dtype, shape and the SHA-256 of its bytes;
* one entry per array, named as in the manifest, holding the array's bytes
  in C order, little-endian;
* ``digest.json``: the SHA-256 of the manifest, or with a key its
  HMAC-SHA256, which therefore covers every array too.

Why this and not ``torch.save`` or safetensors: reading must be safe by
construction, so the reader checks the file's size, the archive's layout
and the manifest (its digest, nesting depth and schema) before it reads one
array, and reads an array only into a buffer of exactly the size its dtype
and shape declare, which the entry's stored size must equal; a compressed
entry, a strided or shared tensor, a pickle or an entry bigger than declared
cannot occur. ``torch.load`` reads pickled tensors (strides, shared storages,
compressed entries) before anything can be checked, and safetensors checks
no digest and stores metadata only as a flat map of strings; the zip module
of the standard library writes and reads this format, and ``unzip -l``
shows what a file holds.
"""

import hashlib
import hmac
import json
import math
import os
import re
import stat
import sys
import zipfile

import numpy as np
import torch

FORMAT = "sksynth"
FORMAT_VERSION = 5

# The largest model file written or read: 2 GiB, so that no offset needs the
# zip64 extension, and a model file can never ask for more memory than that.
MAX_FILE_BYTES = 2**31 - 1
# The largest manifest (that of a table of a thousand columns takes about
# 2 MiB; parsed, a crafted one of short strings takes 15 times its size), and
# the deepest nesting of lists and dicts in it.
MAX_MANIFEST_BYTES = 8 * 2**20
MAX_JSON_DEPTH = 32
# Parsed, an empty list or object takes 20 times the 3 bytes it takes in JSON.
MAX_JSON_CONTAINERS = 1_000_000
MAX_ENTRIES = 10_000

MANIFEST = "manifest.json"
DIGEST = "digest.json"
_MAX_DIGEST_BYTES = 1024
# Arrays are read in pieces of this size, each added to the digest.
_CHUNK_BYTES = 2**20
# Entries carry a fixed date, so that one model always gives the same bytes.
_DATE = (1980, 1, 1, 0, 0, 0)
# The dtypes an array may have, with their size in bytes.
_ITEM_SIZES = {
    "bool": 1,
    "uint8": 1,
    "int8": 1,
    "int16": 2,
    "uint16": 2,
    "float16": 2,
    "bfloat16": 2,
    "int32": 4,
    "uint32": 4,
    "float32": 4,
    "int64": 8,
    "uint64": 8,
    "float64": 8,
}
_MAX_NDIM = 8
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
# JSON is scanned for its nesting in pieces of this size.
_SCAN_BYTES = 2**18
_BRACKET_STEPS = np.zeros(256, dtype=np.int8)
_BRACKET_STEPS[[ord("["), ord("{")]] = 1
_BRACKET_STEPS[[ord("]"), ord("}")]] = -1
# The end-of-archive record of a zip without comment or zip64 extension.
_END_RECORD_BYTES = 22


def damaged(path, problem):
    """The ``ValueError`` for a file that ``load`` refuses, naming the file."""
    return ValueError(f"{path} is a damaged sksynth model file: {problem}.")


def check_key(key):
    """The HMAC key as bytes (a str is encoded as UTF-8), or None."""
    if key is None:
        return None
    if isinstance(key, str):
        key = key.encode()
    if not isinstance(key, (bytes, bytearray)) or not key:
        raise ValueError(
            f"key must be a non-empty bytes or str, got {type(key).__name__}."
        )
    return bytes(key)


def dtype_name(array):
    """The name of an ndarray's or tensor's dtype in the manifest."""
    return str(array.dtype).removeprefix("torch.")


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def write_model_file(file, content, arrays, *, key=None):
    """Write a model file into the open binary ``file``.

    Parameters
    ----------
    file : binary file
        Where to write (see ``atomic_output``).
    content : dict
        JSON-able data to store in the manifest beside the format, its version
        and the array table.
    arrays : dict of str to ndarray or Tensor
        The arrays to store, by entry name.
    key : bytes or None
        Sign the manifest with HMAC-SHA256 under this key instead of a plain
        SHA-256.
    """
    data = {name: _little_endian_bytes(array) for name, array in arrays.items()}
    table = {
        name: {
            "dtype": dtype_name(array),
            "shape": list(array.shape),
            "sha256": hashlib.sha256(data[name]).hexdigest(),
        }
        for name, array in arrays.items()
    }
    manifest = json.dumps(
        {"format": FORMAT, "format_version": FORMAT_VERSION, **content, "arrays": table}
    ).encode()
    size = len(manifest) + sum(len(d) for d in data.values())
    if (
        size > MAX_FILE_BYTES - 2**20
        or len(manifest) > MAX_MANIFEST_BYTES
        or len(data) + 2 > MAX_ENTRIES
    ):
        raise ValueError(
            f"the model is too large to save: {size / 2**30:.2f} GiB in "
            f"{len(data)} arrays, with a manifest of {len(manifest) / 2**20:.1f} "
            f"MiB; a model file holds at most 2 GiB, {MAX_ENTRIES - 2} arrays "
            f"and a manifest of {MAX_MANIFEST_BYTES // 2**20} MiB."
        )
    with zipfile.ZipFile(file, "w", zipfile.ZIP_STORED) as archive:
        _write_entry(archive, MANIFEST, manifest)
        for name, array_bytes in data.items():
            _write_entry(archive, name, array_bytes)
        _write_entry(archive, DIGEST, json.dumps(_digest(manifest, key)).encode())


def _write_entry(archive, name, data):
    archive.writestr(zipfile.ZipInfo(name, _DATE), data)


def _little_endian_bytes(array):
    """The array's bytes in C order and little-endian, as a flat uint8 ndarray."""
    if isinstance(array, torch.Tensor):
        flat = array.detach().cpu().contiguous().reshape(-1).view(torch.uint8)
        flat = flat.numpy()
        item_size = array.element_size()
    else:
        flat = np.ascontiguousarray(array).reshape(-1).view(np.uint8)
        item_size = array.dtype.itemsize
    if sys.byteorder == "big" and item_size > 1:
        flat = flat.view(f">u{item_size}").astype(f"<u{item_size}").view(np.uint8)
    return flat


def _digest(manifest, key):
    if key is None:
        return {"algorithm": "sha256", "digest": hashlib.sha256(manifest).hexdigest()}
    signature = hmac.new(key, manifest, hashlib.sha256).hexdigest()
    return {"algorithm": "hmac-sha256", "digest": signature}


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


class ModelFile:
    """A model file opened for reading, its manifest checked; a context manager.

    Opening checks, before any array is read: that ``path`` is a regular file
    of at most ``MAX_FILE_BYTES``; that it is a zip of stored entries that do
    not overlap; that the manifest's digest (or with ``key``, its HMAC)
    matches; that the manifest's nesting is at most ``MAX_JSON_DEPTH`` deep;
    its format version; and that every array it declares has an allowed
    dtype, and exactly as many bytes in its entry as its dtype and shape
    take. :meth:`read_array` and :meth:`read_tensor` then read one array,
    checking its SHA-256 as it streams in.

    Parameters
    ----------
    path : str or path-like
        The file to read.
    key : bytes or None
        The HMAC key it was saved with, or None for a file saved without one.

    Attributes
    ----------
    content : dict
        The manifest, less the format, its version and the array table.
    arrays : dict of str to (str, tuple of int)
        Every array's dtype name and shape, by entry name.
    """

    def __init__(self, path, key=None):
        self.path = path
        self._file = _open_regular_file(path)
        try:
            self._open(key)
        except BaseException:
            self._file.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._archive.close()
        self._file.close()

    def _open(self, key):
        size = self._check_layout()
        try:
            self._archive = zipfile.ZipFile(self._file)
        except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
            raise damaged(self.path, f"its archive cannot be read ({exc})") from None
        self._entries = self._checked_entries(size)
        manifest = self._read_entry(MANIFEST, MAX_MANIFEST_BYTES)
        self._check_digest(manifest, key)
        content = self._parse_json(manifest, MANIFEST)
        if not isinstance(content, dict) or content.get("format") != FORMAT:
            raise ValueError(f"{self.path} is not a sksynth model file.")
        _check_version(self.path, content.get("format_version"))
        self.arrays = self._checked_array_table(content.pop("arrays", None))
        del content["format"], content["format_version"]
        self.content = content

    def _check_layout(self):
        """The file's size, once its head and its end record look like save()'s."""
        size = _file_size(self._file)
        if size > MAX_FILE_BYTES:
            raise ValueError(
                f"{self.path} is {size} bytes, more than the {MAX_FILE_BYTES} a "
                "sksynth model file holds; it was not read."
            )
        head = self._file.read(4)
        if head != b"PK\x03\x04":
            raise ValueError(_not_a_model_file(self.path, head))
        self._file.seek(max(0, size - _END_RECORD_BYTES))
        end = self._file.read(_END_RECORD_BYTES)
        if len(end) < _END_RECORD_BYTES or end[:4] != b"PK\x05\x06":
            raise ValueError(
                f"{self.path} is truncated or damaged: the end of its archive is "
                "missing. Save the model again."
            )
        disk, first_disk, on_disk, entries, directory_size, directory_start = (
            int.from_bytes(end[i : i + n], "little")
            for i, n in ((4, 2), (6, 2), (8, 2), (10, 2), (12, 4), (16, 4))
        )
        comment = int.from_bytes(end[20:22], "little")
        if (
            disk or first_disk or comment or on_disk != entries
            or not 0 < entries <= MAX_ENTRIES
            or directory_start + directory_size != size - _END_RECORD_BYTES
        ):  # fmt: skip
            raise self._foreign_archive()
        self._file.seek(0)
        return size

    def _foreign_archive(self):
        """The ValueError for a zip archive that save() did not write."""
        # The name of the first entry, which torch.save names .../data.pkl.
        self._file.seek(26)
        name_length = int.from_bytes(self._file.read(2), "little")
        self._file.seek(30)
        if self._file.read(name_length).endswith(b"data.pkl"):
            return ValueError(
                f"{self.path} is a file of torch.save, not a sksynth model file; "
                f"sksynth wrote those before format version {FORMAT_VERSION}, and "
                "this version no longer reads them: fit the model again and save it."
            )
        return ValueError(
            f"{self.path} is not a sksynth model file; those are written by save()."
        )

    def _checked_entries(self, size):
        """The archive's entries by name, checked to be stored side by side."""
        infos = self._archive.infolist()
        entries = {info.filename: info for info in infos}
        if len(entries) != len(infos):
            raise damaged(self.path, "its archive names an entry twice")
        for info in infos:
            if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:
                raise damaged(
                    self.path,
                    f"its entry {info.filename!r} is compressed or encrypted; save() "
                    "stores every entry as it is",
                )
            if info.compress_size != info.file_size:
                raise damaged(self.path, f"its entry {info.filename!r} has two sizes")
        # Entries may not share bytes, so reading them all reads at most the file.
        if sum(info.file_size for info in infos) > size:
            raise damaged(self.path, "its entries overlap")
        if MANIFEST not in entries or DIGEST not in entries:
            raise self._foreign_archive()
        return entries

    def _check_digest(self, manifest, key):
        digest = self._parse_json(self._read_entry(DIGEST, _MAX_DIGEST_BYTES), DIGEST)
        if (
            not isinstance(digest, dict)
            or digest.get("algorithm") not in ("sha256", "hmac-sha256")
            or not isinstance(digest.get("digest"), str)
        ):
            raise damaged(self.path, f"its {DIGEST} is malformed")
        signed = digest["algorithm"] == "hmac-sha256"
        if signed and key is None:
            raise ValueError(
                f"{self.path} is signed with a key (HMAC-SHA256); load it with the "
                "key it was saved with: load(path, key=...)."
            )
        if not signed and key is not None:
            raise ValueError(
                f"{self.path} is not signed: it was saved without a key, so a key "
                "cannot vouch for it. Load it without key= only if you trust "
                "where it came from."
            )
        expected = _digest(manifest, key)["digest"]
        if not hmac.compare_digest(expected, digest["digest"]):
            if signed:
                raise ValueError(
                    f"{self.path} does not match the key: the key is not the one it "
                    "was saved with, or the file was changed after saving."
                )
            raise damaged(
                self.path,
                "its contents do not match the checksum written by save(); the "
                "file was changed or corrupted after saving",
            )

    def _checked_array_table(self, table):
        """Each declared array's dtype and shape, checked against its entry."""
        if not isinstance(table, dict):
            raise damaged(self.path, "its manifest has no array table")
        stored = set(self._entries) - {MANIFEST, DIGEST}
        if set(table) != stored:
            missing = sorted(set(table) - stored)
            undeclared = sorted(stored - set(table))
            raise damaged(
                self.path,
                f"its manifest declares the arrays {missing} that it lacks, or it "
                f"holds the undeclared entries {undeclared}",
            )
        arrays = {}
        for name, spec in table.items():
            if not (
                isinstance(spec, dict)
                and spec.get("dtype") in _ITEM_SIZES
                and isinstance(spec.get("shape"), list)
                and len(spec["shape"]) <= _MAX_NDIM
                and all(_is_count(n) for n in spec["shape"])
                and isinstance(spec.get("sha256"), str)
                and _SHA256_HEX.fullmatch(spec["sha256"])
            ):
                raise damaged(self.path, f"its manifest's entry {name!r} is malformed")
            n_bytes = _ITEM_SIZES[spec["dtype"]] * math.prod(spec["shape"])
            if n_bytes != self._entries[name].file_size:
                raise damaged(
                    self.path,
                    f"its array {name!r} of dtype {spec['dtype']} and shape "
                    f"{tuple(spec['shape'])} would take {n_bytes} bytes, but its "
                    f"entry holds {self._entries[name].file_size}",
                )
            arrays[name] = (spec["dtype"], tuple(spec["shape"]))
        self._sha256 = {name: spec["sha256"] for name, spec in table.items()}
        return arrays

    def _read_entry(self, name, limit):
        info = self._entries[name]
        if info.file_size > limit:
            raise damaged(
                self.path, f"its {name} is {info.file_size} bytes, more than {limit}"
            )
        return bytes(self._read_checked(name))

    def _read_checked(self, name, sha256=None):
        """The bytes of entry ``name``, streamed into a buffer of its stored size."""
        info = self._entries[name]
        buffer = bytearray(info.file_size)
        view = memoryview(buffer)
        digest = hashlib.sha256()
        filled = 0
        try:
            with self._archive.open(info) as entry:
                while filled < len(buffer):
                    chunk = entry.read(min(_CHUNK_BYTES, len(buffer) - filled))
                    if not chunk:
                        break
                    view[filled : filled + len(chunk)] = chunk
                    digest.update(chunk)
                    filled += len(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            problem = f"its entry {name!r} cannot be read ({exc})"
            raise damaged(self.path, problem) from None
        if filled < len(buffer):
            raise damaged(self.path, f"its entry {name!r} is cut short")
        if sha256 is not None and not hmac.compare_digest(digest.hexdigest(), sha256):
            raise damaged(
                self.path,
                f"its array {name!r} does not match its checksum; the file was "
                "changed or corrupted after saving",
            )
        return buffer

    def _parse_json(self, data, name):
        """JSON, once its nesting is known to be within bounds."""
        depth, containers = _json_nesting(data)
        if depth > MAX_JSON_DEPTH:
            raise damaged(
                self.path,
                f"its {name} nests lists or objects {depth} deep, more than the "
                f"{MAX_JSON_DEPTH} a model file may",
            )
        if containers > MAX_JSON_CONTAINERS:
            raise damaged(
                self.path,
                f"its {name} holds {containers} lists and objects, more than the "
                f"{MAX_JSON_CONTAINERS} a model file may",
            )
        try:
            return json.loads(data.decode("utf-8"))
        except ValueError as exc:
            raise damaged(self.path, f"its {name} is not JSON ({exc})") from None

    def _native_buffer(self, name):
        dtype, _ = self.arrays[name]
        buffer = self._read_checked(name, self._sha256[name])
        if dtype == "bool" and np.frombuffer(buffer, np.uint8).max(initial=0) > 1:
            raise damaged(self.path, f"its array {name!r} holds a bool that is not 0/1")
        item_size = _ITEM_SIZES[dtype]
        if sys.byteorder == "big" and item_size > 1:
            np.frombuffer(buffer, f"<u{item_size}").byteswap(inplace=True)
        return buffer

    def read_array(self, name):
        """The array stored as entry ``name``, as a NumPy array."""
        dtype, shape = self.arrays[name]
        if dtype == "bfloat16":
            raise damaged(self.path, f"its array {name!r} has dtype bfloat16")
        return np.frombuffer(self._native_buffer(name), dtype=dtype).reshape(shape)

    def read_tensor(self, name):
        """The array stored as entry ``name``, as a CPU tensor."""
        dtype, shape = self.arrays[name]
        buffer = self._native_buffer(name)
        if not buffer:  # torch.frombuffer refuses an empty buffer
            return torch.empty(shape, dtype=getattr(torch, dtype))
        return torch.frombuffer(buffer, dtype=getattr(torch, dtype)).reshape(shape)


def _open_regular_file(path):
    """``path`` opened for binary reading, refused at once unless a regular file.

    Opened without blocking, so that a FIFO is refused instead of waited on.
    """
    descriptor = os.open(
        path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    )
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(
                f"{path} is a folder, not a sksynth model file; those are written "
                "by save()."
            )
        raise ValueError(
            f"{path} is not a regular file (a FIFO, socket or device); load() "
            "reads only model files written by save()."
        )
    return os.fdopen(descriptor, "rb")


def _file_size(file):
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
    return size


def _not_a_model_file(path, head):
    if not head:
        return (
            f"{path} is empty, not a sksynth model file; was it cut short while "
            "being written or copied?"
        )
    if head[:1] == b"\x80":
        return (
            f"{path} holds a pickle, not a sksynth model file; load() reads only "
            "files written by save(), which hold no code."
        )
    return f"{path} is not a sksynth model file; those are written by save()."


def _check_version(path, version):
    if not _is_count(version) or version == 0:
        raise damaged(path, f"its format version {version!r} is not a positive integer")
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{path} was written by a newer sksynth, format version {version}; "
            f"this version reads format version {FORMAT_VERSION}. Upgrade sksynth "
            "to load it."
        )
    if version < FORMAT_VERSION:
        raise ValueError(
            f"{path} has format version {version}, of an earlier development "
            f"version of sksynth; this version reads format version "
            f"{FORMAT_VERSION} only. Fit the model again and save it."
        )


def is_int(value):
    """Whether a JSON value is an int (not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_json_scalar(value):
    """Whether a JSON value is a scalar: None, a bool, a number or a string."""
    return value is None or isinstance(value, (str, int, float))


def _is_count(value):
    return is_int(value) and value >= 0


def _json_nesting(data):
    """The deepest nesting of lists and objects in JSON bytes, and their number.

    Brackets inside strings do not count. The bytes are scanned in vectorized
    pieces, carrying from one to the next whether a string is open, the run
    of backslashes at the end (an odd run escapes the next quote) and the
    depth, so that neither time nor memory depends on what the JSON holds.
    """
    in_string, backslashes, depth, deepest, containers = False, 0, 0, 0, 0
    for start in range(0, len(data), _SCAN_BYTES):
        size = min(_SCAN_BYTES, len(data) - start)
        piece = np.frombuffer(data, np.uint8, size, start)
        is_backslash = piece == ord("\\")
        if backslashes or is_backslash.any():
            # The backslashes that end right before each byte.
            at = np.arange(len(piece))
            last_other = np.maximum.accumulate(np.where(is_backslash, -1, at))
            run = at - last_other
            run[last_other < 0] += backslashes
            before = np.concatenate(([backslashes], run[:-1]))
            quotes = (piece == ord('"')) & (before % 2 == 0)
            backslashes = int(run[-1])
        else:
            quotes = piece == ord('"')
        inside = (np.cumsum(quotes) - quotes) % 2 == 1
        if in_string:
            inside = ~inside
        steps = np.where(inside, np.int8(0), _BRACKET_STEPS[piece])
        running = depth + np.cumsum(steps, dtype=np.int64)
        deepest = max(deepest, int(running.max()))
        depth = int(running[-1])
        containers += int((steps > 0).sum())
        in_string ^= bool(quotes.sum() % 2)
    return deepest, containers
