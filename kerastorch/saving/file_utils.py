"""Writing files safely: atomic replacement, the user's file modes, private temporaries, and what a save may replace.

Every writer of kerastorch (``model.save``, ``save_weights``, checkpoints, backups, downloads) goes through this
module, so the rules hold everywhere:

- **Atomic.** A file is written to a temporary file beside its target, flushed, fsynced and renamed over it; a
  folder is written complete under a temporary name and swapped in with one atomic exchange (``renameat2`` with
  ``RENAME_EXCHANGE`` on Linux; elsewhere two renames, and a reader finishes an interrupted swap). A crash at
  any moment leaves the previous complete version or the new one, and a reader never sees a mixture.
- **Private temporaries.** Each writer's temporary names carry its process id and a random part
  (``.<name>.kt-tmp-<pid>-<random>``), so concurrent writers never collide and the last complete write wins.
  Temporaries left by a process that died mid-write are removed by the next write to the same place; the
  target is never mistaken for one.
- **The user's modes.** A new file gets the mode a plain ``open()`` gives under the process umask (0644 under
  umask 022), a new folder what ``mkdir`` gives (0755); replacing keeps the existing file's or folder's mode.
- **Nothing that is not ours is destroyed.** A file writer refuses a target that is a folder and writes
  through a symbolic link to a file (the link stays). A folder writer creates a new folder or replaces a folder
  that holds only the entries it writes itself (or nothing); a file, a symbolic link or a folder with other
  contents is refused with an error naming the path.
- **Disk full.** A failed write raises the ``OSError`` of the operating system (``errno.ENOSPC``) and leaves
  the previous version intact.

Example:
    >>> with atomic_write("notes.txt") as tmp_path:   # write to tmp_path; it becomes notes.txt
    ...     with open(tmp_path, "w") as f:
    ...         _ = f.write("version 1")
    >>> with atomic_write("notes.txt") as tmp_path:
    ...     with open(tmp_path, "w") as f:
    ...         _ = f.write("vers")
    ...     raise OSError("disk full")                 # a crash mid-write
    Traceback (most recent call last):
    ...
    OSError: disk full
    >>> with open("notes.txt") as f:                    # the previous file, intact; no temporary left
    ...     f.read(), os.listdir(".")
    ('version 1', ['notes.txt'])
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import secrets
import shutil
import stat
import sys
import threading
from typing import Collection, Iterator

__all__ = [
    "TEMPORARY_MARK",
    "atomic_write",
    "write_bytes",
    "new_temporary_folder",
    "publish_folder",
    "check_folder_replaceable",
    "recover_folder",
    "remove_stale_temporaries",
    "new_file_mode",
    "new_folder_mode",
    "fsync_folder",
    "exchange_paths",
]

TEMPORARY_MARK = ".kt-tmp-"
_OLD_MARK = ".kt-old-"
_UMASK_LOCK = threading.Lock()


def _split(path):
    folder, base = os.path.split(os.path.abspath(os.fspath(path)))
    return folder, base


def _temporary_path(path, mark=TEMPORARY_MARK):
    folder, base = _split(path)
    return os.path.join(folder, f".{base}{mark}{os.getpid()}-{secrets.token_hex(4)}")


def _umask():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _UMASK_LOCK:  # no /proc: read it the portable way (set and restore)
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def new_file_mode() -> int:
    """The permission bits a plain ``open(path, "w")`` gives a new file under the current umask.

    Returns:
        int: ``0o666`` less the umask (``0o644`` under umask ``022``).
    """
    return 0o666 & ~_umask()


def new_folder_mode() -> int:
    """The permission bits ``os.mkdir`` gives a new folder under the current umask (``0o755`` under ``022``).

    Returns:
        int: ``0o777`` less the umask.
    """
    return 0o777 & ~_umask()


def _mode_for(path, folder):
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return new_folder_mode() if folder else new_file_mode()


def _pid_running(pid):
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def remove_stale_temporaries(path: str | os.PathLike[str]) -> None:
    """Remove the temporaries that writers which are no longer running left beside ``path``.

    Only names of the form ``.<name>.kt-tmp-<pid>-<random>`` whose process has ended are removed; a running
    writer's temporaries and every other file stay.

    Args:
        path: str or path-like: the target whose temporaries are cleaned up.

    Example:
        >>> _ = open(".model.keras.kt-tmp-999999999-0a1b2c3d", "w").close()   # left by a process that died
        >>> remove_stale_temporaries("model.keras")
        >>> [name for name in os.listdir(".") if name.startswith(".model.keras")]
        []
    """
    folder, base = _split(path)
    prefix = f".{base}{TEMPORARY_MARK}"
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if not name.startswith(prefix):
            continue
        pid = name[len(prefix) :].split("-", 1)[0]
        if pid.isdigit() and not _pid_running(int(pid)):
            _remove(os.path.join(folder, name))


def _remove(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)


def fsync_folder(folder: str) -> None:
    """Flush a folder's entries (a rename inside it) to disk, where the platform allows it.

    Args:
        folder: str: the folder whose entries are flushed.
    """
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_target(path):
    """The file a write to ``path`` replaces: ``path`` itself, or the file a symbolic link points to."""
    path = os.path.abspath(os.fspath(path))
    target = os.path.realpath(path) if os.path.islink(path) else path
    if os.path.isdir(target):
        raise IsADirectoryError(
            f"{path!r} is a folder; a file cannot replace it (choose a file name, or remove the folder yourself)"
        )
    return target


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], keep_previous: str | None = None) -> Iterator[str]:
    """Yield a temporary path beside ``path``; on success it becomes ``path`` atomically; on failure it is removed.

    The temporary file is flushed and fsynced, given ``path``'s mode (or a new file's mode) and renamed over
    ``path``. A symbolic link at ``path`` is written through.

    Args:
        path: str or path-like: the file to write.
        keep_previous: str or None, default None: when given and ``path`` exists, the previous file is moved
            there (atomically) just before the new one takes its place.

    Yields:
        str: the temporary path to write to.

    Raises:
        IsADirectoryError: ``path`` is a folder.
        OSError: the write failed (for example ``errno.ENOSPC``); the previous file is intact.
    """
    target = _write_target(path)
    folder = os.path.dirname(target)
    os.makedirs(folder, exist_ok=True)
    remove_stale_temporaries(target)
    tmp_path = _temporary_path(target)
    os.close(os.open(tmp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as f:
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp_path, _mode_for(target, folder=False))
        if keep_previous is not None and os.path.exists(target):
            os.replace(target, keep_previous)
        os.replace(tmp_path, target)
        fsync_folder(folder)
    except BaseException:  # any failure, Ctrl-C included: remove the partial file, then re-raise the error
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp_path)
        raise


def write_bytes(
    path: str | os.PathLike[str], data: bytes | bytearray | memoryview, keep_previous: str | None = None
) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_write`).

    Args:
        path: str or path-like: the file to write.
        data: bytes-like: its new contents.
        keep_previous: str or None, default None: where the previous file goes, if any.

    Raises:
        IsADirectoryError: ``path`` is a folder.
        OSError: the write failed; the previous file is intact.

    Example:
        >>> write_bytes("state.bin", b"v1")
        >>> write_bytes("state.bin", b"v2", keep_previous="state.bin.bkp")
        >>> sorted(name for name in os.listdir(".") if name.startswith("state")), open("state.bin", "rb").read()
        (['state.bin', 'state.bin.bkp'], b'v2')
    """
    with atomic_write(path, keep_previous=keep_previous) as tmp_path:
        with open(tmp_path, "wb") as f:
            f.write(data)


def check_folder_replaceable(path: str, own_names: Collection[str], writer: str) -> None:
    """Raise unless a folder write may put a folder at ``path``.

    It may when nothing is there, or when ``path`` is a folder (not a link) holding nothing but entries named in
    ``own_names`` (what the writer itself writes). Anything else would destroy what is not ours.

    Args:
        path: str: the folder to write.
        own_names: collection of str: the top-level entry names the writer writes.
        writer: str: who writes (named in the error).

    Raises:
        FileExistsError: ``path`` is a file, a symbolic link or a folder holding other entries.

    Example:
        >>> os.makedirs("Documents"); _ = open("Documents/thesis.txt", "w").close()
        >>> check_folder_replaceable("Documents", {"config.json"}, "model.save")
        Traceback (most recent call last):
        ...
        FileExistsError: model.save: 'Documents' is a folder that holds other files (thesis.txt); a save replaces only a folder it wrote itself. Choose a new path, or a name ending in ".keras" for one file
    """
    hint = 'Choose a new path, or a name ending in ".keras" for one file'
    if not os.path.lexists(path):
        return
    if os.path.islink(path):
        raise FileExistsError(f"{writer}: {path!r} is a symbolic link; a save does not replace links. {hint}")
    if not os.path.isdir(path):
        raise FileExistsError(f"{writer}: {path!r} is an existing file, not a saved model; it is not replaced. {hint}")
    foreign = sorted(set(os.listdir(path)) - set(own_names))
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise FileExistsError(
            f"{writer}: {path!r} is a folder that holds other files ({shown}); a save "
            f"replaces only a folder it wrote itself. {hint}"
        )


def new_temporary_folder(path: str) -> str:
    """Create a private, empty temporary folder beside ``path`` (cleaning up dead writers' first).

    Args:
        path: str: the folder it will replace.

    Returns:
        str: the temporary folder.
    """
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    remove_stale_temporaries(path)
    tmp = _temporary_path(path)
    os.mkdir(tmp, 0o700)
    return tmp


_LIBC_RENAMEAT2 = None


def _renameat2():
    global _LIBC_RENAMEAT2
    if _LIBC_RENAMEAT2 is None:
        function = False
        if sys.platform.startswith("linux"):
            with contextlib.suppress(OSError, AttributeError):
                function = ctypes.CDLL(None, use_errno=True).renameat2
                function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
                function.restype = ctypes.c_int
        _LIBC_RENAMEAT2 = function
    return _LIBC_RENAMEAT2


def exchange_paths(first: str, second: str) -> None:
    """Swap two existing paths in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``).

    Args:
        first: str: a path.
        second: str: another path on the same file system.

    Raises:
        NotImplementedError: the platform or file system cannot exchange paths.
        OSError: the exchange failed.
    """
    function = _renameat2()
    if not function:
        raise NotImplementedError("atomic exchange needs renameat2 (Linux)")
    at_fdcwd, rename_exchange = -100, 2
    if function(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) != 0:
        code = ctypes.get_errno()
        if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
            raise NotImplementedError(f"the file system cannot exchange paths ({os.strerror(code)})")
        raise OSError(code, os.strerror(code), first)


def publish_folder(staging: str, path: str) -> None:
    """Put the complete folder ``staging`` at ``path`` atomically, replacing what is there.

    ``path``'s mode is kept (a new folder gets a new folder's mode). Where paths cannot be exchanged the
    previous folder moves aside (``.<name>.kt-old-...``) for an instant; :func:`recover_folder` puts it back
    if the process dies then.

    Args:
        staging: str: the complete new folder (from :func:`new_temporary_folder`).
        path: str: where it goes.
    """
    parent = os.path.dirname(os.path.abspath(path))
    os.chmod(staging, _mode_for(path, folder=True))
    fsync_folder(parent)
    try:
        os.rename(staging, path)  # nothing there (or an empty folder)
    except OSError as error:
        if error.errno not in (errno.ENOTEMPTY, errno.EEXIST):
            raise
        try:
            exchange_paths(staging, path)  # staging now holds the previous version
        except NotImplementedError:
            old = _temporary_path(path, _OLD_MARK)
            os.rename(path, old)
            os.rename(staging, path)
            staging = old
    fsync_folder(parent)
    _remove(staging)


def recover_folder(path: str) -> str:
    """Finish a folder swap interrupted between its two renames (platforms without exchange).

    Args:
        path: str: a folder path that does not exist.

    Returns:
        str: the path to read: ``path`` once the previous version is back, or that version where it is when
        it cannot be moved (a read-only place).

    Raises:
        FileNotFoundError: there is nothing to recover.
    """
    folder, base = _split(path)
    prefix = f".{base}{_OLD_MARK}"
    with contextlib.suppress(OSError):
        for name in sorted(os.listdir(folder)):
            candidate = os.path.join(folder, name)
            if name.startswith(prefix) and os.path.isdir(candidate) and not os.path.islink(candidate):
                try:
                    os.rename(candidate, path)
                except OSError:
                    return candidate
                fsync_folder(folder)
                return path
    raise FileNotFoundError(f"No saved model or archive at {path!r}")
