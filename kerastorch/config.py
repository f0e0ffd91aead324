"""Global settings: float type, image data format, epsilon, default device, logging, epoch limits.

Example:
    >>> import kerastorch as keras
    >>> keras.config.floatx(), keras.config.backend()
    ('float32', 'torch')
    >>> keras.config.set_image_data_format("channels_first")
    >>> keras.config.set_image_data_format("channels_last")
    >>> with keras.device("cpu"):
    ...     keras.config.default_device()
    device(type='cpu')
"""
import contextlib

import torch

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_DEVICE = None  # None: CUDA when available, else CPU
_UNSAFE_DESERIALIZATION = False
_INTERACTIVE_LOGGING = True
_MAX_EPOCHS = None
_MAX_STEPS_PER_EPOCH = None

_FLOAT_TYPES = ("float16", "bfloat16", "float32", "float64")


def floatx():
    """The default float type name, e.g. ``"float32"``."""
    return _FLOATX


def set_floatx(value):
    """Set the default float type: one of float16, bfloat16, float32, float64."""
    global _FLOATX
    value = standardize_dtype(value)
    if value not in _FLOAT_TYPES:
        raise ValueError(f"set_floatx: expected one of {_FLOAT_TYPES}, received {value!r}")
    _FLOATX = value


def epsilon():
    """The fuzz factor used in numeric expressions (default 1e-7)."""
    return _EPSILON


def set_epsilon(value):
    """Set the fuzz factor returned by :func:`epsilon`."""
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    """``"channels_last"`` (default, NHWC) or ``"channels_first"`` (NCHW)."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    """Set the default image data format."""
    global _IMAGE_DATA_FORMAT
    data_format = str(data_format).lower()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            "set_image_data_format: expected 'channels_last' or 'channels_first', "
            f"received {data_format!r}"
        )
    _IMAGE_DATA_FORMAT = data_format


def default_device():
    """The device new weights are created on: the one set with :func:`set_device`,
    else CUDA when it is available, else CPU."""
    if _DEVICE is not None:
        return _DEVICE
    return torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")


def set_device(device):
    """Override the default device (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"gpu:0"``, or None to reset)."""
    global _DEVICE
    _DEVICE = None if device is None else _torch_device(device)


def _torch_device(name):
    if isinstance(name, str) and name.lower().startswith("gpu"):
        name = "cuda" + name[3:]  # Keras's device names: "gpu", "gpu:1"
    return torch.device(name)


@contextlib.contextmanager
def device_scope(device_name):
    """``keras.device(name)``: weights and tensors created inside are placed on ``device_name``.

    Args:
        device_name: str or torch.device: ``"cpu"``, ``"cuda"``, ``"cuda:1"``, or Keras's ``"gpu:0"``.

    Example:
        >>> import kerastorch as keras
        >>> with keras.device("cpu"):
        ...     keras.layers.Dense(2)(keras.ops.ones((1, 3))).device
        device(type='cpu')
    """
    global _DEVICE
    previous, _DEVICE = _DEVICE, _torch_device(device_name)
    try:
        with _DEVICE:  # torch's own factory functions follow it too
            yield
    finally:
        _DEVICE = previous


def backend():
    """The backend's name: always ``"torch"``."""
    return "torch"


def enable_interactive_logging():
    """Progress bars and summaries print to stdout (the default)."""
    global _INTERACTIVE_LOGGING
    _INTERACTIVE_LOGGING = True


def disable_interactive_logging():
    """Progress bars and summaries go to the ``keras`` logger (``logging``) instead of stdout, one line each.

    >>> disable_interactive_logging(); is_interactive_logging_enabled()
    False
    >>> enable_interactive_logging()
    """
    global _INTERACTIVE_LOGGING
    _INTERACTIVE_LOGGING = False


def is_interactive_logging_enabled():
    """Whether progress output goes to stdout (see :func:`disable_interactive_logging`)."""
    return _INTERACTIVE_LOGGING


def max_epochs():
    """The cap on ``fit``'s epochs set with :func:`set_max_epochs` (None: no cap)."""
    return _MAX_EPOCHS


def set_max_epochs(max_epochs):
    """Cap the epochs of every ``fit`` (Keras's switch for quick test runs of a program); None removes the cap.

    Args:
        max_epochs: int or None: the most epochs a ``fit`` runs.

    Raises:
        ValueError: for anything but a positive int or None.

    >>> set_max_epochs(1); max_epochs()
    1
    >>> set_max_epochs(None)
    """
    global _MAX_EPOCHS
    _MAX_EPOCHS = _positive_or_none(max_epochs, "set_max_epochs")


def max_steps_per_epoch():
    """The cap on steps per epoch set with :func:`set_max_steps_per_epoch` (None: no cap)."""
    return _MAX_STEPS_PER_EPOCH


def set_max_steps_per_epoch(max_steps_per_epoch):
    """Cap the steps of every epoch of ``fit`` (and of its validation); None removes the cap.

    Args:
        max_steps_per_epoch: int or None: the most batches an epoch (or its validation) reads.

    Raises:
        ValueError: for anything but a positive int or None.

    >>> set_max_steps_per_epoch(2); max_steps_per_epoch()
    2
    >>> set_max_steps_per_epoch(None)
    """
    global _MAX_STEPS_PER_EPOCH
    _MAX_STEPS_PER_EPOCH = _positive_or_none(max_steps_per_epoch, "set_max_steps_per_epoch")


def _positive_or_none(value, where):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{where}: expected a positive int or None, received {value!r}")
    return value


_DTYPE_ALIASES = {
    "float": "float32", "double": "float64", "half": "float16", "int": "int32",
    "long": "int64", "bool_": "bool",
}


def standardize_dtype(dtype):
    """Return the Keras name of a dtype given as a string, torch dtype or numpy dtype.

    >>> standardize_dtype(torch.float32)
    'float32'
    """
    if dtype is None:
        return floatx()
    if isinstance(dtype, torch.dtype):
        return str(dtype).split(".")[-1]
    if hasattr(dtype, "name") and not isinstance(dtype, str):  # numpy dtype / DTypePolicy
        dtype = dtype.name
    elif isinstance(dtype, type):  # numpy scalar type or python type
        dtype = {float: "float32", int: "int64", bool: "bool"}.get(dtype, getattr(dtype, "__name__", dtype))
    dtype = str(dtype)
    dtype = _DTYPE_ALIASES.get(dtype, dtype)
    if not isinstance(getattr(torch, dtype, None), torch.dtype):
        raise ValueError(f"Unknown dtype: expected a name such as 'float32', received {dtype!r}")
    return dtype


def torch_dtype(dtype):
    """The ``torch.dtype`` for a dtype name (None means :func:`floatx`)."""
    return getattr(torch, standardize_dtype(dtype))


def enable_unsafe_deserialization():
    """Allow loading configs that carry Python byte code (``Lambda`` layers) everywhere.
    Only for files from a source you trust."""
    global _UNSAFE_DESERIALIZATION
    _UNSAFE_DESERIALIZATION = True


def unsafe_deserialization_enabled():
    """Whether :func:`enable_unsafe_deserialization` was called."""
    return _UNSAFE_DESERIALIZATION
