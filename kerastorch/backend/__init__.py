"""Private torch helpers shared by layers (the submodules), and Keras 3's public ``keras.backend`` essentials.

The public names mirror ``keras.backend``: ``backend()`` is always ``"torch"``; ``floatx``/``epsilon``/
``image_data_format`` and their setters are the global settings of ``kerastorch.config``; ``result_type`` is
Keras's dtype promotion (``kerastorch.ops.dtypes``). ``device`` is a context manager that sets the default
device (Keras 3 exposes it as ``keras.device``). ``clear_session(free_memory=True)`` resets the name counters
and, with ``free_memory``, releases torch's cached accelerator memory (it does not run Python's garbage
collector, which Keras does: the test suite calls ``clear_session`` before every test).

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
import contextlib

import torch

from kerastorch import config as _config
from kerastorch.backend import naming as _naming
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.backend.naming import to_snake_case, unique_name  # noqa: F401 - private helpers used by layers
from kerastorch.config import epsilon, floatx, image_data_format, set_epsilon, set_floatx, set_image_data_format

__all__ = [
    "KerasTensor", "backend", "clear_session", "device", "epsilon", "floatx", "get_uid", "image_data_format",
    "is_float_dtype", "is_int_dtype", "is_keras_tensor", "result_type", "set_epsilon", "set_floatx",
    "set_image_data_format", "standardize_dtype",
]


def backend():
    """The name of the backend: always ``"torch"``."""
    return "torch"


def clear_session(free_memory=True):
    """Reset the layer-name counters (new layers are named ``dense``, ``dense_1`` ... again); with
    ``free_memory``, also release torch's cached CUDA memory."""
    _naming.clear_session()
    if free_memory and torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.empty_cache()


def get_uid(prefix=""):
    """1, 2, 3 ... on successive calls with the same ``prefix``."""
    return _naming.get_uid(prefix)


def is_keras_tensor(x):
    """True for a symbolic :class:`KerasTensor` (the output of ``keras.Input``)."""
    return isinstance(x, KerasTensor)


def standardize_dtype(dtype):
    """The Keras name of a dtype (a string, torch / NumPy dtype, or ``int``/``float``/``bool``)."""
    if dtype is int:
        return "int32"
    if dtype is float:
        return floatx()
    return _config.standardize_dtype(dtype)


def is_float_dtype(dtype):
    """Whether ``dtype`` is a floating type (bfloat16, float16/32/64)."""
    return "float" in standardize_dtype(dtype)


def is_int_dtype(dtype):
    """Whether ``dtype`` is an integer type (signed or unsigned; not bool)."""
    return "int" in standardize_dtype(dtype)


def result_type(*dtypes):
    """The dtype Keras's promotion gives for dtypes, tensors or Python scalars, e.g. ``int8, uint8 -> int16``."""
    from kerastorch.ops.dtypes import result_type as promote

    return promote(*dtypes)


_DEVICE_NAMES = {"gpu": "cuda"}


@contextlib.contextmanager
def device(device_name):
    """Within the block, new tensors and weights go to ``device_name`` (``"cpu"``, ``"cuda:0"``, ``"gpu:1"``)."""
    if isinstance(device_name, str):
        kind, _, index = device_name.lower().partition(":")
        device_name = _DEVICE_NAMES.get(kind, kind) + (f":{index}" if index else "")
    previous = _config._DEVICE
    _config.set_device(device_name)
    try:
        yield
    finally:
        _config.set_device(previous)
