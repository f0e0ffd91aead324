"""Private torch helpers shared by layers (the submodules), and Keras 3's public ``keras.backend`` essentials.

The public names mirror ``keras.backend``: ``backend()`` is always ``"torch"``; ``floatx``/``epsilon``/
``image_data_format`` and their setters are the global settings of ``kerastorch.config``; ``result_type`` is
Keras's dtype promotion (:mod:`kerastorch.backend.dtypes`, which ``kerastorch.ops`` uses too). ``device`` is a
context manager that sets the default device (Keras 3 exposes it as ``keras.device``).
``clear_session(free_memory=True)`` resets the name counters and, with ``free_memory``, releases torch's cached
accelerator memory (it does not run Python's garbage collector, which Keras does: the test suite calls
``clear_session`` before every test).

Example:
    >>> backend(), floatx(), epsilon(), image_data_format()
    ('torch', 'float32', 1e-07, 'channels_last')
    >>> result_type("int8", "uint8"), is_float_dtype("bfloat16"), is_int_dtype("bool")
    ('int16', True, False)
    >>> with device("cpu"):
    ...     import kerastorch
    ...     kerastorch.ops.convert_to_tensor([1.0]).device
    device(type='cpu')
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Iterator, Union

import torch

from kerastorch import config as _config
from kerastorch.backend import naming as _naming
from kerastorch.backend.annotations import DeviceLike, DTypeLike
from kerastorch.backend.dtypes import result_type
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.backend.naming import to_snake_case, unique_name
from kerastorch.config import epsilon, floatx, image_data_format, set_epsilon, set_floatx, set_image_data_format

if TYPE_CHECKING:
    from typing import Protocol

    class _Named(Protocol):
        """An object with a dtype name (a dtype policy)."""

        @property
        def name(self) -> str: ...

    _DTypeArg = Union[DTypeLike, _Named]

__all__ = [
    "KerasTensor",
    "backend",
    "clear_session",
    "device",
    "epsilon",
    "floatx",
    "get_uid",
    "image_data_format",
    "is_float_dtype",
    "is_int_dtype",
    "is_keras_tensor",
    "result_type",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
    "standardize_dtype",
]


def backend() -> str:
    """The name of the backend: always ``"torch"``.

    Returns:
        String: ``"torch"``.

    >>> backend()
    'torch'
    """
    return "torch"


def clear_session(free_memory: bool = True) -> None:
    """Reset the layer-name counters (new layers are named ``dense``, ``dense_1`` ... again); with
    ``free_memory``, also release torch's cached CUDA memory.

    Unlike Keras, it does not run Python's garbage collector.

    Args:
        free_memory: Bool, whether to also empty torch's CUDA memory cache (when CUDA is initialized).
            Defaults to ``True``.

    Example:
        >>> import kerastorch as keras
        >>> _ = keras.layers.Dense(1)
        >>> clear_session()
        >>> keras.layers.Dense(1).name
        'dense'
    """
    _naming.clear_session()
    if free_memory and torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.empty_cache()


def get_uid(prefix: str = "") -> int:
    """1, 2, 3 ... on successive calls with the same ``prefix``.

    Args:
        prefix: String, the counter's name; each prefix counts on its own. Defaults to ``""``.

    Returns:
        Int, the number of calls with this prefix so far (since the last :func:`clear_session`).

    >>> clear_session()
    >>> get_uid("block"), get_uid("block"), get_uid("head")
    (1, 2, 1)
    """
    return _naming.get_uid(prefix)


def is_keras_tensor(x: Any) -> bool:
    """True for a symbolic :class:`KerasTensor` (the output of ``keras.Input``).

    Args:
        x: Any value.

    Returns:
        Bool, whether ``x`` is a ``KerasTensor`` (a torch tensor is not).

    >>> import torch
    >>> import kerastorch as keras
    >>> is_keras_tensor(keras.Input((3,))), is_keras_tensor(torch.zeros(3))
    (True, False)
    """
    return isinstance(x, KerasTensor)


def standardize_dtype(dtype: _DTypeArg) -> str:
    """The Keras name of a dtype (a string, torch / NumPy dtype, or ``int``/``float``/``bool``).

    Python ``int`` is ``"int32"`` as in Keras; Python ``float`` and None are :func:`floatx` (Keras
    gives ``"float32"`` for ``float`` whatever ``floatx`` is).

    Args:
        dtype: A dtype name (``"float32"``, aliases such as ``"float"``/``"double"``/``"long"``), a
            ``torch.dtype``, a NumPy dtype or scalar type, a dtype policy, a Python type, or None.

    Returns:
        String, the dtype's name, like ``"float32"`` or ``"int64"``.

    Raises:
        ValueError: If ``dtype`` names no torch dtype.

    >>> import numpy as np
    >>> import torch
    >>> standardize_dtype(torch.int64), standardize_dtype(np.float16), standardize_dtype(int)
    ('int64', 'float16', 'int32')
    """
    if dtype is int:
        return "int32"
    if dtype is float:
        return floatx()
    return _config.standardize_dtype(dtype)


def is_float_dtype(dtype: _DTypeArg) -> bool:
    """Whether ``dtype`` is a floating type (bfloat16, float16/32/64).

    Args:
        dtype: Anything :func:`standardize_dtype` takes.

    Returns:
        Bool.

    Raises:
        ValueError: If ``dtype`` names no torch dtype.

    >>> is_float_dtype("float16"), is_float_dtype("int8")
    (True, False)
    """
    return "float" in standardize_dtype(dtype)


def is_int_dtype(dtype: _DTypeArg) -> bool:
    """Whether ``dtype`` is an integer type (signed or unsigned; not bool).

    Args:
        dtype: Anything :func:`standardize_dtype` takes.

    Returns:
        Bool.

    Raises:
        ValueError: If ``dtype`` names no torch dtype.

    >>> is_int_dtype("uint8"), is_int_dtype("float32")
    (True, False)
    """
    return "int" in standardize_dtype(dtype)


_DEVICE_NAMES = {"gpu": "cuda"}


@contextlib.contextmanager
def device(device_name: DeviceLike) -> Iterator[None]:
    """Within the block, new tensors and weights go to ``device_name`` (``"cpu"``, ``"cuda:0"``, ``"gpu:1"``).

    The previous default device is restored when the block exits.

    Args:
        device_name: String or ``torch.device``: a torch device name, or Keras's ``"gpu"``/``"gpu:<i>"``
            (read as ``"cuda"``/``"cuda:<i>"``); the name is case-insensitive.

    Raises:
        RuntimeError: If ``device_name`` is not a valid torch device string.

    >>> import kerastorch as keras
    >>> with device("CPU"):
    ...     keras.config.default_device()
    device(type='cpu')
    """
    if isinstance(device_name, str):
        kind, _, index = device_name.lower().partition(":")
        device_name = _DEVICE_NAMES.get(kind, kind) + (f":{index}" if index else "")
    previous = _config._DEVICE
    _config.set_device(device_name)
    try:
        yield
    finally:
        _config.set_device(previous)


def __dir__():
    return sorted(__all__)
