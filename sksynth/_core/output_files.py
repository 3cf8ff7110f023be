"""Output files: checked before long work, then written whole or not at all.

:func:`check_writable` refuses a bad output path before a fit or a score that
would be lost to it. :func:`atomic_output` writes a file through a temporary
file in the target's folder, flushed to disk and then renamed over the target
(``os.replace``, atomic on POSIX and Windows): a crash, a kill, Ctrl-C, a full
disk or a second writer of the same path leaves the target with its old
contents or the new ones, never a mix. A process killed outright (SIGKILL,
power loss) may leave its temporary file, named ``.<name>.<random>.tmp``,
beside the target.
"""

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path

# Errors that mean the disk (or the user's quota) is full.
_NO_SPACE = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def check_writable(path, *, folder=False, parents=False):
    """Raise an ``OSError`` naming ``path`` unless it can be written.

    Called before any long work, so that a fit or a score is never lost to a
    bad output path.

    Parameters
    ----------
    path : str or path-like
        The file, or with ``folder=True`` the folder, to write.
    folder : bool, default=False
        Whether ``path`` is a folder to write files into, made with its
        parents where missing.
    parents : bool, default=False
        Whether missing folders above the file ``path`` will be made; if
        False, the file's folder must exist.
    """
    path = Path(path)
    if folder and path.exists() and not path.is_dir():
        raise NotADirectoryError(
            f"cannot write into {path}: it is a file, not a folder."
        )
    if not folder and path.is_dir():
        raise IsADirectoryError(f"cannot write {path}: it is a folder, not a file.")
    if not folder and path.exists() and not os.access(path, os.W_OK):
        raise PermissionError(f"cannot write {path}: the file is read-only.")
    existing = path if folder else path.parent
    while (folder or parents) and not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        raise NotADirectoryError(
            f"cannot write {path}: {existing} is a file, not a folder."
        )
    if not existing.is_dir():
        raise FileNotFoundError(
            f"cannot write {path}: the folder {existing} does not exist."
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(
            f"cannot write {path}: the folder {existing} is not writable."
        )


@contextlib.contextmanager
def atomic_output(path):
    """Write ``path`` whole or not at all.

    Yields a binary file open for writing: a new temporary file in the folder
    of ``path`` (of ``path``'s target where it is a symbolic link). When the
    ``with`` block ends without an exception, the file is flushed to disk
    (``fsync``) and renamed over ``path``; when it raises, the temporary file
    is removed and ``path`` is left as it was. Concurrent writers of one path
    each write their own temporary file; the last rename wins.

    Parameters
    ----------
    path : str or path-like
        The file to write; its folder must exist.

    Raises
    ------
    OSError
        Raised by the writer or by the file system, re-raised with a message
        that names ``path``, says that it was left as it was, and says "no
        space left" for a full disk and "permission denied" for a refusal.
    """
    target = os.path.realpath(path)
    folder, name = os.path.split(target)
    temporary = os.path.join(folder, f".{name}.{secrets.token_hex(8)}.tmp")
    try:
        descriptor = os.open(
            temporary,
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
            0o666,  # less the umask, as for any new file
        )
    except OSError as exc:
        raise _write_error(path, exc) from exc
    try:
        with contextlib.suppress(OSError):  # keep the mode of the file replaced
            os.chmod(descriptor, stat.S_IMODE(os.stat(target).st_mode))
        with os.fdopen(descriptor, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, OSError):
            raise _write_error(path, exc) from exc
        raise
    _sync_folder(folder)


def _write_error(path, exc):
    """An ``OSError`` of the same errno that names ``path`` and what went wrong."""
    if exc.errno in _NO_SPACE:
        problem = "no space left on the device"
    elif isinstance(exc, PermissionError):
        problem = "permission denied"
    else:
        problem = exc.strerror or str(exc)
    message = f"cannot write {path}: {problem}; {path} was left as it was"
    # OSError(errno, ...) picks the subclass of the errno, as the system's did.
    return OSError(message) if exc.errno is None else OSError(exc.errno, message)


def _sync_folder(folder):
    """Flush the folder's entry for the renamed file, where the system allows."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # Windows opens no folders
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
