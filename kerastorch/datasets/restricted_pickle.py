"""Reading the pickles inside Keras's dataset files without ever running code from them.

CIFAR's batches are Python pickles, and the sequences of ``imdb.npz`` and ``reuters.npz`` are object arrays,
which NumPy stores as pickles. Unpickling may call any importable function, so this project never unpickles
with :mod:`pickle`'s defaults (see ``docs/decisions.md``): these files are read by an unpickler that resolves
only NumPy's array reconstruction, ``numpy.ndarray`` and ``numpy.dtype``. Builtin containers, strings, bytes
and numbers need no global. Any other global is refused, before anything is called, with an error naming the
file.

Example:
    >>> import io, os, pickle
    >>> import numpy as np
    >>> batch = pickle.dumps({b"labels": [3, 1], b"data": np.arange(4, dtype="uint8")})
    >>> load_pickle(io.BytesIO(batch), "data_batch_1", encoding="bytes")
    {b'labels': [3, 1], b'data': array([0, 1, 2, 3], dtype=uint8)}
    >>> class Exploit:
    ...     def __reduce__(self):
    ...         return os.system, ("echo hacked",)
    >>> load_pickle(io.BytesIO(pickle.dumps(Exploit())), "evil.pkl")
    Traceback (most recent call last):
    ...
    _pickle.UnpicklingError: evil.pkl: refusing to unpickle the global posix.system: ...
"""

from __future__ import annotations

import io
import os
import pickle
import zipfile
from typing import IO, Any

import numpy as np

__all__ = ["load_npz", "load_pickle"]

_RECONSTRUCT = np.empty(0).__reduce__()[0]  # numpy's array reconstruction, whatever its module in this version
_ALLOWED_GLOBALS = {
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,  # the name in pickles written by NumPy 1
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,  # the name in pickles written by NumPy 2
}


class _RestrictedUnpickler(pickle.Unpickler):
    """An unpickler whose only globals are NumPy's array and dtype reconstruction."""

    def __init__(self, file, source, encoding):
        super().__init__(file, encoding=encoding)
        self.source = source

    def find_class(self, module, name):
        allowed = _ALLOWED_GLOBALS.get((module, name))
        if allowed is None:
            raise pickle.UnpicklingError(
                f"{self.source}: refusing to unpickle the global {module}.{name}: a dataset file needs only "
                "builtin containers and numbers, numpy arrays and dtypes, so this file is corrupt or malicious; "
                "nothing from it was called or loaded"
            )
        return allowed


def load_pickle(file: IO[bytes], source: str, encoding: str = "ASCII") -> Any:
    """Unpickle one object from an open binary file, refusing every global but NumPy's arrays and dtypes.

    Args:
        file: a binary file object positioned at the pickle.
        source: str, the file's name for error messages.
        encoding: str, default ``"ASCII"``: how Python 2 ``str`` objects are decoded, as in
            :class:`pickle.Unpickler`; CIFAR's Python 2 batches need ``"bytes"``.

    Returns:
        The unpickled object.

    Raises:
        pickle.UnpicklingError: when the pickle asks for any other global (naming ``source`` and the global;
            nothing is called) or is malformed.

    >>> import io, pickle
    >>> load_pickle(io.BytesIO(pickle.dumps([[1, 14, 22], [1, 194]])), "sequences")
    [[1, 14, 22], [1, 194]]
    >>> load_pickle(io.BytesIO(pickle.dumps(print)), "printer.pkl")
    Traceback (most recent call last):
    ...
    _pickle.UnpicklingError: printer.pkl: refusing to unpickle the global builtins.print: ...
    """
    return _RestrictedUnpickler(file, source, encoding).load()


def load_npz(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """Read every array of an ``.npz`` file; object arrays are unpickled by :func:`load_pickle`.

    Numeric arrays are read by NumPy with pickles disabled, so ``np.load(path, allow_pickle=True)`` is never
    needed for Keras's files.

    Args:
        path: str, the ``.npz`` file.

    Returns:
        A dict from each array's name to the array.

    Raises:
        pickle.UnpicklingError: when an object array's pickle asks for a global other than NumPy's arrays and
            dtypes (naming the file and the global; nothing is called).
        ValueError: when a member is not a valid ``.npy`` array.

    >>> import numpy as np
    >>> np.savez("ragged.npz", x=np.array([[1, 14, 22], [1, 194]], dtype=object), y=np.array([1, 0]))
    >>> arrays = load_npz("ragged.npz")
    >>> arrays["x"], arrays["y"]
    (array([list([1, 14, 22]), list([1, 194])], dtype=object), array([1, 0]))
    """
    with zipfile.ZipFile(path) as archive:
        return {
            member[: -len(".npy")]: _read_member(archive, member, f"{path}:{member}")
            for member in archive.namelist()
            if member.endswith(".npy")
        }


def _read_member(archive, member, source):
    f = io.BytesIO(archive.read(member))  # in memory: unpickling from the zip stream is several times slower
    if not _header_dtype(f, source).hasobject:
        f.seek(0)
        return np.lib.format.read_array(f, allow_pickle=False)
    array = load_pickle(f, source)
    if not isinstance(array, np.ndarray):
        raise ValueError(f"{source}: the object array's pickle holds a {type(array).__name__}, not an array")
    return array


def _header_dtype(f, source):
    version = np.lib.format.read_magic(f)
    if version == (1, 0):
        _, _, dtype = np.lib.format.read_array_header_1_0(f)
    elif version in ((2, 0), (3, 0)):
        _, _, dtype = np.lib.format.read_array_header_2_0(f)
    else:
        raise ValueError(f"{source}: unsupported .npy format version {version}")
    return dtype
