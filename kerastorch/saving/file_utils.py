"""Atomic file writes: a crash mid-write leaves the previous file intact.

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
import contextlib
import os
import tempfile


@contextlib.contextmanager
def atomic_write(path):
    """Yield a temporary path in the target's folder; on success flush it to disk and
    rename it over ``path`` (atomic on POSIX); on failure remove it."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    handle, tmp_path = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    os.close(handle)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as f:
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_path, path)
        fsync_folder(folder)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp_path)
        raise


def fsync_folder(folder):
    """Flush a folder's entries (a rename inside it) to disk, where the platform allows it."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
