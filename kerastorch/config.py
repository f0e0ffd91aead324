"""Global settings: float type, image data format, epsilon, default device.

Example:
    >>> import kerastorch as keras
    >>> keras.config.floatx()
    'float32'
    >>> keras.config.set_image_data_format("channels_first")
    >>> keras.config.set_image_data_format("channels_last")
"""
import torch

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_DEVICE = None  # None: CUDA when available, else CPU
_UNSAFE_DESERIALIZATION = False

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
    """Override the default device (``"cpu"``, ``"cuda"``, ``"cuda:1"``, or None to reset)."""
    global _DEVICE
    _DEVICE = None if device is None else torch.device(device)


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
