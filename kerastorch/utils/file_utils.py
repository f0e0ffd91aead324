"""``keras.utils.get_file``: download a file once, check its hash, keep it in the Keras cache.

The cache is Keras's: ``$KERAS_HOME`` or ``~/.keras`` (``/tmp/.keras`` when that cannot be written), with
datasets in ``datasets/`` and model weights in ``models/``, so files that Keras downloaded are used as they
are. Beyond Keras:

- a file whose hash does not match is never kept or returned: a download with the wrong hash is deleted,
  and a cached file with the wrong hash is downloaded again;
- an interrupted download leaves nothing behind (it is written to a temporary file, checked, then renamed);
- offline, the error names the file, its address and the folder to put it in;
- archives are extracted into a temporary folder, refusing members that would land outside it (absolute
  paths, ``..``, links, devices), then renamed into place.

Example:
    >>> import hashlib
    >>> with open("numbers.txt", "w") as f:
    ...     _ = f.write("1 2 3")
    >>> origin = "file://" + os.path.abspath("numbers.txt")
    >>> digest = hashlib.sha256(b"1 2 3").hexdigest()
    >>> path = get_file("numbers.txt", origin, file_hash=digest, cache_dir="cache")
    Downloading data from file://...numbers.txt
    ...
    >>> os.path.relpath(path)
    'cache/datasets/numbers.txt'
    >>> get_file("numbers.txt", "file:///nowhere", file_hash=digest, cache_dir="cache") == path  # cached
    True
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from typing import Sequence

from kerastorch.callbacks.progbar import Progbar
from kerastorch.saving.file_utils import atomic_write, fsync_folder

__all__ = ["get_file", "hash_file", "keras_home", "validate_file"]

_CHUNK = 1 << 16
_ARCHIVE_SUFFIXES = (".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".tbz", ".tar", ".zip")


def keras_home() -> str:
    """The Keras cache folder: ``$KERAS_HOME``, else ``~/.keras``.

    >>> os.environ["KERAS_HOME"] = "/data/keras"
    >>> keras_home()
    '/data/keras'
    >>> del os.environ["KERAS_HOME"]
    """
    return os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")


def hash_file(path: str | os.PathLike[str], algorithm: str = "sha256", chunk_size: int = _CHUNK) -> str:
    """The hex digest of a file.

    Args:
        path: str, the file.
        algorithm: str, default ``"sha256"``: ``"sha256"`` or ``"md5"``.
        chunk_size: int, bytes read at a time.

    Returns:
        The digest as a lower-case hex string.

    Raises:
        ValueError: for another algorithm.

    >>> with open("a.txt", "wb") as f:
    ...     _ = f.write(b"abc")
    >>> hash_file("a.txt", "md5")
    '900150983cd24fb0d6963f7d28e17f72'
    """
    digest = _hasher(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def validate_file(
    path: str | os.PathLike[str], file_hash: str, algorithm: str = "auto", chunk_size: int = _CHUNK
) -> bool:
    """Whether the file's hash is ``file_hash``.

    Args:
        path: str, the file.
        file_hash: str, the expected hex digest (sha256 or md5).
        algorithm: str, default ``"auto"``: ``"sha256"``, ``"md5"``, or ``"auto"`` (sha256 for a 64-character
            hash, else md5).
        chunk_size: int, bytes read at a time.

    Returns:
        bool.

    >>> with open("a.txt", "wb") as f:
    ...     _ = f.write(b"abc")
    >>> validate_file("a.txt", "900150983cd24fb0d6963f7d28e17f72"), validate_file("a.txt", "0" * 64)
    (True, False)
    """
    return hash_file(path, _resolve_algorithm(algorithm, file_hash), chunk_size) == str(file_hash).lower()


def get_file(
    fname: str | None = None,
    origin: str | None = None,
    untar: bool = False,
    md5_hash: str | None = None,
    file_hash: str | None = None,
    cache_subdir: str = "datasets",
    hash_algorithm: str = "auto",
    extract: bool = False,
    archive_format: str | Sequence[str] | None = "auto",
    cache_dir: str | None = None,
    force_download: bool = False,
) -> str:
    """Download a file from a URL unless it is already in the cache, and return its path.

    The file at ``origin`` is saved as ``cache_dir/cache_subdir/fname`` (``~/.keras/datasets/fname`` by
    default) after its hash is checked. With ``extract=True`` the archive is kept as ``fname + "_archive"``
    and extracted into the folder ``fname`` (without the archive's suffix), whose path is returned, as in
    Keras 3.

    Args:
        fname: str or None, default None: the file's name in the cache (an absolute path puts it there);
            None takes the last part of ``origin``.
        origin: str, the URL (``http(s)://``, ``ftp://`` or ``file://``).
        untar: bool, default False: deprecated, the same as ``extract=True``.
        md5_hash: str or None: deprecated, the same as ``file_hash`` with ``hash_algorithm="md5"``.
        file_hash: str or None, default None: the expected sha256 or md5 hex digest; None skips the check.
        cache_subdir: str, default ``"datasets"``: the folder under ``cache_dir`` (an absolute path is used
            as it is).
        hash_algorithm: str, default ``"auto"``: ``"sha256"``, ``"md5"`` or ``"auto"`` (from the length of
            ``file_hash``).
        extract: bool, default False: extract the file as a tar or zip archive.
        archive_format: str, list or None, default ``"auto"``: ``"tar"``, ``"zip"``, ``"auto"`` (both) or a
            list of them; what ``extract`` may open.
        cache_dir: str or None, default None: the cache folder; None is :func:`keras_home`.
        force_download: bool, default False: download even when a valid file is cached.

    Returns:
        The path of the file (the extracted folder with ``extract=True``).

    Raises:
        ValueError: without ``origin``, for an unknown hash algorithm or archive format, when the download's
            hash does not match (nothing is cached then), or when an archive cannot be extracted safely.
        OSError: when the file cannot be downloaded (offline, server error, interrupted transfer); the
            message names the file, its address and the folder to put it in by hand.
    """
    if origin is None:
        raise ValueError('get_file: please specify the "origin" argument (the URL of the file to download)')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    if file_hash is not None:
        _resolve_algorithm(hash_algorithm, file_hash)  # refuse an unknown algorithm before any download
    extract = bool(extract or untar)
    formats = _archive_formats(archive_format if not untar else "tar")
    folder = _cache_folder(cache_dir, cache_subdir)
    if fname is None:
        fname = os.path.basename(urllib.parse.urlparse(origin).path)
        if not fname:
            raise ValueError(f"get_file: cannot name the file of origin {origin!r}; pass fname")
    target = os.path.join(folder, os.fspath(fname))
    if extract:
        extracted = _strip_archive_suffix(target)
        download_path = extracted + "_archive"
    else:
        extracted, download_path = None, target
    if force_download or not _usable(download_path, file_hash, hash_algorithm):
        _download(origin, download_path, file_hash, hash_algorithm, folder)
    if not extract:
        return download_path
    if force_download or not os.path.isdir(extracted):
        _extract(download_path, extracted, formats)
    return extracted


# ---------------------------------------------------------------------------------------------- the cache
def _cache_folder(cache_dir, cache_subdir):
    base = os.path.expanduser(os.fspath(cache_dir)) if cache_dir is not None else keras_home()
    folder = os.path.join(base, os.fspath(cache_subdir))
    try:
        os.makedirs(folder, exist_ok=True)
        writable = os.access(folder, os.W_OK)
    except OSError:
        writable = False
    if writable or os.path.isabs(os.fspath(cache_subdir)):
        return folder
    fallback = os.path.join(tempfile.gettempdir(), ".keras", os.fspath(cache_subdir))  # as Keras does
    os.makedirs(fallback, exist_ok=True)
    return fallback


def _usable(path, file_hash, algorithm):
    """A cached file is used only when it exists and, given a hash, matches it."""
    if not os.path.isfile(path):
        return False
    return file_hash is None or validate_file(path, file_hash, algorithm)


# ------------------------------------------------------------------------------------------------- hashes
def _hasher(algorithm):
    if algorithm == "sha256":
        return hashlib.sha256()
    if algorithm == "md5":
        return hashlib.md5()
    raise ValueError(f"get_file: hash_algorithm must be 'sha256', 'md5' or 'auto', received {algorithm!r}")


def _resolve_algorithm(algorithm, file_hash):
    if algorithm == "auto":
        return "sha256" if len(str(file_hash)) == 64 else "md5"
    _hasher(algorithm)
    return algorithm


# ---------------------------------------------------------------------------------------------- download
def _download(origin, path, file_hash, algorithm, folder):
    name = os.path.basename(path)
    print(f"Downloading data from {origin}")
    try:
        with atomic_write(path) as tmp_path:
            with urllib.request.urlopen(origin) as response, open(tmp_path, "wb") as out:  # noqa: S310
                _copy_with_progress(response, out)
            if file_hash is not None and not validate_file(tmp_path, file_hash, algorithm):
                actual = hash_file(tmp_path, _resolve_algorithm(algorithm, file_hash))
                raise _HashMismatch(
                    f"get_file: the file downloaded from {origin} has {_resolve_algorithm(algorithm, file_hash)} "
                    f"hash {actual}, expected {file_hash}: it is incomplete or not the published file, so it "
                    f"was deleted and nothing was cached"
                )
    except _HashMismatch as error:
        raise ValueError(str(error)) from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or error
        hint = f" with {_resolve_algorithm(algorithm, file_hash)} hash {file_hash}" if file_hash else ""
        raise OSError(
            f"get_file: could not download {name!r} from {origin} ({reason}). Nothing was cached. Without a "
            f"network, download the file elsewhere and put it at {path} (in the folder {folder}){hint}; it is "
            f"then used as it is"
        ) from error


class _HashMismatch(Exception):
    pass


def _copy_with_progress(response, out):
    total = response.headers.get("Content-Length") if hasattr(response, "headers") else None
    total = int(total) if total and total.isdigit() else None
    bar = Progbar(total) if total else None
    done = 0
    for chunk in iter(lambda: response.read(_CHUNK), b""):
        out.write(chunk)
        done += len(chunk)
        if bar is not None:
            bar.update(min(done, total))
    if total is not None and done != total:
        raise OSError(f"the transfer stopped after {done} of {total} bytes")


# ----------------------------------------------------------------------------------------------- archives
def _archive_formats(archive_format):
    if archive_format is None:
        return ()
    formats = (
        ("tar", "zip")
        if archive_format == "auto"
        else (archive_format,)
        if isinstance(archive_format, str)
        else tuple(archive_format)
    )
    unknown = [f for f in formats if f not in ("tar", "zip")]
    if unknown:
        raise ValueError(
            f"get_file: archive_format must be 'tar', 'zip', 'auto', a list of them or None, "
            f"received {archive_format!r}"
        )
    return formats


def _strip_archive_suffix(path):
    lower = path.lower()
    for suffix in _ARCHIVE_SUFFIXES:
        if lower.endswith(suffix):
            return path[: -len(suffix)]
    return path


def _extract(archive, destination, formats):
    parent = os.path.dirname(destination)
    staging = tempfile.mkdtemp(prefix="." + os.path.basename(destination) + ".", dir=parent)
    try:
        if "tar" in formats and tarfile.is_tarfile(archive):
            with tarfile.open(archive) as tar:
                _extract_tar(tar, staging, archive)
        elif "zip" in formats and zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as z:
                _extract_zip(z, staging, archive)
        else:
            raise ValueError(f"get_file: {archive} is not a {' or '.join(formats) or 'known'} archive")
        if os.path.isdir(destination):
            shutil.rmtree(destination)
        os.replace(staging, destination)
        fsync_folder(parent)
    except BaseException:  # any failure, Ctrl-C included: remove the partial extraction, then re-raise the error
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _inside(root, name, archive):
    root = os.path.realpath(root)
    target = os.path.realpath(os.path.join(root, name))
    if os.path.isabs(name) or (target != root and not target.startswith(root + os.sep)):
        raise ValueError(
            f"get_file: the archive {archive} has a member {name!r} that would be written outside "
            "its folder; it is refused"
        )
    return target


def _extract_tar(tar, root, archive):
    for member in tar.getmembers():
        _inside(root, member.name, archive)
        if not (member.isfile() or member.isdir()):
            raise ValueError(
                f"get_file: the archive {archive} has a member {member.name!r} that is a link or a "
                "device; it is refused"
            )
    for member in tar.getmembers():
        target = _inside(root, member.name, archive)
        if member.isdir():
            os.makedirs(target, exist_ok=True)
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with tar.extractfile(member) as source, open(target, "wb") as out:
            shutil.copyfileobj(source, out)


def _extract_zip(z, root, archive):
    for info in z.infolist():
        _inside(root, info.filename, archive)
    for info in z.infolist():
        target = _inside(root, info.filename, archive)
        if info.is_dir():
            os.makedirs(target, exist_ok=True)
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with z.open(info) as source, open(target, "wb") as out:
            shutil.copyfileobj(source, out)
