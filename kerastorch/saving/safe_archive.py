"""Reading and writing saved-model archives safely: limits, strict names, atomic writes.

A saved model is a set of named members (``config.json``, ``metadata.json``,
``model.weights.safetensors``, ...) stored either in one zip file (``.keras``) or in a
folder. :func:`read_archive` returns the members as ``{name: bytes}`` after checking every
entry; anything suspicious raises :class:`UnsafeArchiveError` (a ``ValueError``) naming the
file and the problem, before a byte of the suspicious member is used:

- member names must be relative POSIX paths: no absolute paths, drive letters,
  backslashes, ``.``/``..`` components, empty components or control characters, at most
  ``MAX_DEPTH`` components, no duplicates (also case-insensitively), no name that is both
  a file and a folder;
- zip members must be stored or deflated, not encrypted, not symlinks, must not overlap
  (a zip-bomb trick), must each stay under ``MAX_MEMBER_BYTES``, together under
  ``MAX_TOTAL_BYTES`` (a ``.json`` member under ``MAX_JSON_BYTES``), and not expand more than
  ``MAX_COMPRESSION_RATIO`` times; declared
  sizes are not trusted: reading stops at the declared size and the CRC is checked;
- folders may hold only regular files and folders (no symlinks, devices or pipes).

:func:`write_archive` writes atomically through :mod:`kerastorch.saving.file_utils`: a zip goes
to a private temporary file in the same folder that is flushed, fsynced and renamed over the
target; a folder is written complete under a private temporary name and swapped in atomically.
A folder write replaces only a folder holding nothing but the members it writes. A crash leaves
the old or the new complete archive (where a swap takes two renames and a crash falls between
them, :func:`read_archive` and the next write finish it).

:func:`load_json` parses JSON with size and depth limits and only JSON values, in memory
proportional to its size.

Example:
    >>> write_archive("model.keras", {"config.json": b'{"a": 1}'}, zipped=True)
    >>> members = read_archive("model.keras")
    >>> load_json(members["config.json"], "config.json")
    {'a': 1}
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import shutil
import stat
import zipfile
from typing import Any, Callable, Collection

from kerastorch.saving import file_utils

__all__ = ["UnsafeArchiveError", "read_archive", "write_archive", "load_json"]

MAX_MEMBER_BYTES = 4 * 1024**3
MAX_TOTAL_BYTES = 4 * 1024**3
MAX_COMPRESSION_RATIO = 200
MAX_MEMBERS = 1000
MAX_DEPTH = 8
MAX_JSON_BYTES = 32 * 1024**2
MAX_JSON_DEPTH = 256

_CHUNK = 1024 * 1024
_FOLDER_READ_TRIES = 20
_ZIP_LOCAL_HEADER = 30
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class UnsafeArchiveError(ValueError):
    """A saved-model archive, folder or JSON member that is broken, hostile or over a limit."""


def _fail(where, problem):
    raise UnsafeArchiveError(f"{where}: {problem}")


def _check_name(where, name):
    """Raise unless ``name`` is a safe relative POSIX member path; return its components."""
    if not isinstance(name, str) or not name:
        _fail(where, f"member name {name!r} is empty")
    if _CONTROL.search(name):
        _fail(where, f"member name {name!r} contains control characters")
    if "\\" in name:
        _fail(where, f"member name {name!r} contains a backslash")
    if name.startswith("/"):
        _fail(where, f"member name {name!r} is an absolute path")
    parts = name.split("/")
    if ":" in parts[0]:
        _fail(where, f"member name {name!r} starts with a drive letter or scheme")
    for part in parts:
        if part in ("", ".", ".."):
            kind = "path traversal ('..')" if part == ".." else f"an empty or '.' component ({part!r})"
            _fail(where, f"member name {name!r} contains {kind}")
    if len(parts) > MAX_DEPTH:
        _fail(where, f"member name {name!r} is nested {len(parts)} levels deep; the limit is {MAX_DEPTH}")
    return parts


class _Names:
    """Collects member names, refusing duplicates and names that are both a file and a folder."""

    def __init__(self, where):
        self.where, self.files, self.folders = where, {}, set()

    def add(self, name, is_folder=False):
        parts = _check_name(self.where, name)
        key = name.casefold()
        if is_folder:
            if key in self.files:
                _fail(self.where, f"{name!r} is both a file and a folder")
            self.folders.add(key)
            return
        if key in self.files:
            _fail(self.where, f"duplicate member name {name!r} (same as {self.files[key]!r})")
        if key in self.folders:
            _fail(self.where, f"{name!r} is both a file and a folder")
        prefixes = ["/".join(parts[:i]).casefold() for i in range(1, len(parts))]
        for prefix in prefixes:
            if prefix in self.files:
                _fail(self.where, f"{self.files[prefix]!r} is both a file and a folder")
        self.files[key] = name
        self.folders.update(prefixes)
        if len(self.files) > MAX_MEMBERS:
            _fail(self.where, f"more than {MAX_MEMBERS} members")


def _check_sizes(where, name, size, total):
    if name.endswith(".json") and size > MAX_JSON_BYTES:  # refused before a byte is decompressed
        _fail(where, f"member {name!r} is {size} bytes of JSON; the limit is MAX_JSON_BYTES={MAX_JSON_BYTES}")
    if size > MAX_MEMBER_BYTES:
        _fail(where, f"member {name!r} is {size} bytes; the limit is MAX_MEMBER_BYTES={MAX_MEMBER_BYTES}")
    if total + size > MAX_TOTAL_BYTES:
        _fail(where, f"the members are more than MAX_TOTAL_BYTES={MAX_TOTAL_BYTES} bytes together")
    return total + size


def _read_limited(where, name, handle, size):
    """Read exactly ``size`` bytes from ``handle``; more or fewer is an error."""
    data = handle.read(size + 1)
    if len(data) != size:
        _fail(
            where,
            f"member {name!r} holds {'more' if len(data) > size else 'fewer'} bytes than its "
            f"declared size {size} (truncated or altered)",
        )
    return data


# --------------------------------------------------------------------------- reading


def read_archive(path: str | os.PathLike[str], wanted: Callable[[str], bool] | None = None) -> dict[str, bytes]:
    """Return the members of a ``.keras`` zip archive or a saved-model folder as ``{name: bytes}``.

    Every entry is checked; only the members ``wanted`` names are read (and decompressed), so a large
    member the caller never uses costs nothing.

    Args:
        path: str or path-like: the archive or folder.
        wanted: callable or None, default None: ``wanted(name)`` says whether to read a member; None reads all.

    Returns:
        dict of str to bytes: the members read.

    Raises:
        UnsafeArchiveError: a broken or hostile archive.
        FileNotFoundError: nothing at ``path`` (and no interrupted folder write to recover).
    """
    path = os.fspath(path)
    wanted = wanted or (lambda name: True)
    if not os.path.lexists(path):
        path = file_utils.recover_folder(path)
    if os.path.isdir(path):
        return _read_folder(path, wanted)
    return _read_zip(path, wanted)


def _read_zip(path, wanted):
    where = f"archive {path!r}"
    try:
        with open(path, "rb") as f:
            if f.read(4) not in (b"PK\x03\x04", b"PK\x05\x06"):
                _fail(where, "is not a zip archive (a .keras file is a zip archive)")
            archive_size = os.fstat(f.fileno()).st_size
            with zipfile.ZipFile(f) as zf:
                return _read_zip_members(where, zf, archive_size, wanted)
    except UnsafeArchiveError:
        raise
    except (FileNotFoundError, PermissionError, IsADirectoryError):
        raise
    except Exception as error:  # noqa: BLE001 - zipfile reports damage in many ways (BadZipFile, EOFError ...)
        raise UnsafeArchiveError(f"{where}: is corrupted or truncated ({type(error).__name__}: {error})") from None


def _read_zip_members(where, zf, archive_size, wanted):
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        _fail(where, f"has {len(infos)} entries; the limit is MAX_MEMBERS={MAX_MEMBERS}")
    names, files, total = _Names(where), [], 0
    for info in infos:
        name = info.filename
        if name.endswith("/") and info.file_size == 0:
            names.add(name.rstrip("/"), is_folder=True)
            continue
        names.add(name)
        if info.flag_bits & 0x1:
            _fail(where, f"member {name!r} is encrypted")
        if stat.S_ISLNK(info.external_attr >> 16):
            _fail(where, f"member {name!r} is a symbolic link")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            _fail(
                where,
                f"member {name!r} uses compression method {info.compress_type}; only stored and "
                "deflated members are read",
            )
        total = _check_sizes(where, name, info.file_size, total)
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
            _fail(where, f"member {name!r} is stored uncompressed but its sizes differ")
        if info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1) and info.file_size > 1024:
            _fail(
                where,
                f"member {name!r} expands {info.file_size} / {info.compress_size} bytes, more than "
                f"MAX_COMPRESSION_RATIO={MAX_COMPRESSION_RATIO} (a zip bomb?)",
            )
        files.append(info)
    end = 0
    for info in sorted(files, key=lambda i: i.header_offset):
        if info.header_offset < end:
            _fail(where, f"member {info.filename!r} overlaps the previous member (a zip-bomb trick)")
        end = info.header_offset + _ZIP_LOCAL_HEADER + len(info.filename) + info.compress_size
        if end > archive_size:
            _fail(where, f"member {info.filename!r} extends past the end of the file (truncated)")
    members = {}
    for info in files:
        if not wanted(info.filename):
            continue
        with zf.open(info) as handle:
            members[info.filename] = _read_limited(where, info.filename, handle, info.file_size)
    return members


def _read_folder(path, wanted):
    """Read a saved-model folder; when another process replaces it meanwhile, read it again (never a mixture).

    Where the platform allows, every member is opened relative to one open handle of the folder, so a
    replacement during the read cannot mix two versions; the folder at ``path`` must still be the one read
    when the read ends, else it is read again.
    """
    for _ in range(_FOLDER_READ_TRIES):
        try:
            root = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)) if _RELATIVE_OPEN else path
        except FileNotFoundError:
            continue
        try:
            identity = _identity(os.stat(root))
            members = _read_folder_once(path, root, wanted)
            if _identity(os.stat(path)) == identity:  # the same folder from start to end
                return members
        except FileNotFoundError:  # a writer replaced and removed the version being read
            continue
        finally:
            if _RELATIVE_OPEN:
                os.close(root)
    raise OSError(
        f"folder {path!r} was replaced by other processes {_FOLDER_READ_TRIES} times while it was being read; try again"
    )


_RELATIVE_OPEN = os.open in os.supports_dir_fd and os.scandir in os.supports_fd


def _identity(status):
    return status.st_dev, status.st_ino, status.st_ctime_ns


def _open_in(folder, name, flags):
    """Open ``name`` inside ``folder`` (an open folder handle, or a path where handles are not supported)."""
    flags |= getattr(os, "O_NOFOLLOW", 0)
    if _RELATIVE_OPEN:
        return os.open(name, flags, dir_fd=folder)
    return os.open(os.path.join(folder, name), flags)


def _read_folder_once(path, root, wanted):
    where = f"folder {path!r}"
    names, members, sizes = _Names(where), {}, [0]
    pending = [("", root, False)]  # (name prefix, folder handle or path, whether we opened the handle)
    try:
        while pending:
            prefix, folder, owned = pending.pop()
            try:
                _read_entries(where, names, members, sizes, wanted, pending, prefix, folder)
            finally:
                if owned:
                    os.close(folder)
    finally:
        for _, folder, owned in pending:  # left open by an error
            if owned:
                os.close(folder)
    return members


def _read_entries(where, names, members, sizes, wanted, pending, prefix, folder):
    """Check and read the entries of one folder; its subfolders are appended to ``pending``."""
    with os.scandir(folder) as entries:
        listed = sorted(entries, key=lambda e: e.name)
    for entry in listed:
        name = prefix + entry.name
        names.add(name, is_folder=entry.is_dir(follow_symlinks=False))
        if entry.is_symlink():
            _fail(where, f"member {name!r} is a symbolic link")
        if entry.is_dir(follow_symlinks=False):
            sub = (
                _open_in(folder, entry.name, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
                if _RELATIVE_OPEN
                else os.path.join(folder, entry.name)
            )
            pending.append((name + "/", sub, _RELATIVE_OPEN))
            continue
        if not entry.is_file(follow_symlinks=False):
            _fail(where, f"member {name!r} is not a regular file")
        # (non-blocking: a pipe swapped in after the check above cannot stall the read)
        with os.fdopen(_open_in(folder, entry.name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as handle:
            status = os.fstat(handle.fileno())
            if not stat.S_ISREG(status.st_mode):
                _fail(where, f"member {name!r} is not a regular file")
            sizes[0] = _check_sizes(where, name, status.st_size, sizes[0])
            if wanted(name):
                members[name] = _read_limited(where, name, handle, status.st_size)


# --------------------------------------------------------------------------- writing


def write_archive(
    path: str | os.PathLike[str], members: dict[str, bytes], zipped: bool, own_names: Collection[str] | None = None
) -> None:
    """Write ``members`` (``{name: bytes}``) atomically as a zip file (``zipped=True``) or a folder.

    Args:
        path: str or path-like: the ``.keras`` file or the folder to write.
        members: dict of str to bytes: the members.
        zipped: bool: one zip file, or a folder.
        own_names: collection of str or None, default None: for a folder, the top-level names an existing
            folder at ``path`` may hold to be replaced (a folder this writer wrote); None means the top-level
            names of ``members``.

    Raises:
        FileExistsError: a folder write would replace a file, a symbolic link or a folder with other contents.
        IsADirectoryError: a zip write would replace a folder.
        OSError: the write failed; the previous version is intact.
    """
    path = os.fspath(path)
    names = _Names(f"write_archive({path!r})")
    for name, data in members.items():
        names.add(name)
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"write_archive: member {name!r} must be bytes, received {type(data).__name__}")
    if zipped:
        with file_utils.atomic_write(path) as tmp_path:
            with zipfile.ZipFile(tmp_path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
                for name, data in members.items():
                    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                    info.external_attr = (stat.S_IFREG | 0o644) << 16
                    zf.writestr(info, bytes(data))
        return
    if own_names is None:
        own_names = {name.split("/")[0] for name in members}
    file_utils.check_folder_replaceable(path, own_names, "write_archive")
    _write_folder(path, members)


def _write_folder(path, members):
    if not os.path.lexists(path):
        with contextlib.suppress(FileNotFoundError):
            file_utils.recover_folder(path)  # never lose the one complete copy of an interrupted swap
    tmp = file_utils.new_temporary_folder(path)
    mode = file_utils.new_file_mode()
    try:
        for name, data in members.items():
            target = os.path.join(tmp, *name.split("/"))
            os.makedirs(os.path.dirname(target), mode=file_utils.new_folder_mode(), exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(target, mode)
        for folder, _, _ in os.walk(tmp):
            file_utils.fsync_folder(folder)
        file_utils.publish_folder(tmp, path)
    except BaseException:  # any failure, Ctrl-C included: remove the partial folder, then re-raise the error
        with contextlib.suppress(OSError):
            shutil.rmtree(tmp)
        raise


# --------------------------------------------------------------------------- JSON


def _reject_constant(name):
    raise ValueError(f"{name} is not a JSON value")


def _finite_float(text):
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]} is out of range")
    return value


def _no_duplicates(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def load_json(data: bytes | str, what: str) -> Any:
    """Parse JSON ``data`` (bytes or str) with size and nesting limits; errors name ``what``.

    Only JSON values are accepted: no ``NaN``/``Infinity``, no out-of-range numbers, no
    duplicate keys, valid UTF-8 only.
    """
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"{what}: expected JSON bytes, received {type(data).__name__}")
    data = bytes(data)
    if len(data) > MAX_JSON_BYTES:
        _fail(what, f"is {len(data)} bytes of JSON; the limit is MAX_JSON_BYTES={MAX_JSON_BYTES}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnsafeArchiveError(f"{what}: is not valid UTF-8 JSON ({error})") from None
    try:
        value = json.loads(
            text, parse_constant=_reject_constant, parse_float=_finite_float, object_pairs_hook=_no_duplicates
        )
    except RecursionError:  # the parser's own depth limit, far below what would exhaust memory
        _fail(what, f"JSON is nested deeper than the limit MAX_JSON_DEPTH={MAX_JSON_DEPTH}")
    except ValueError as error:
        raise UnsafeArchiveError(f"{what}: is not valid JSON ({error})") from None
    depth = _json_depth(value)
    if depth > MAX_JSON_DEPTH:
        _fail(what, f"JSON is nested {depth} levels deep; the limit is MAX_JSON_DEPTH={MAX_JSON_DEPTH}")
    return value


def _json_depth(value):
    """How many arrays and objects are nested in a parsed JSON value (iteratively: no recursion)."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        pending.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest
