"""Model files changed the way an attacker or a damaged disk would change them.

:func:`rewrite` edits a model file's manifest and entries and signs it again
(a new SHA-256, or with ``key`` an HMAC), as anyone can; the tests then check
that ``load`` refuses what it must, quickly and in little memory.
"""

import hashlib
import hmac
import json
import zipfile

from sksynth._core.model_file import DIGEST, MANIFEST


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
