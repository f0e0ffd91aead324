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

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Callable, Iterator, Protocol, Union

import torch

if TYPE_CHECKING:
    import numpy as np

    class _Named(Protocol):
        """An object with a dtype name (a dtype policy)."""

        @property
        def name(self) -> str: ...

    # config sits below kerastorch.backend, so it spells out backend.annotations.DTypeLike (plus named objects)
    _DTypeArg = Union[str, torch.dtype, np.dtype, type, _Named, None]

__all__ = [
    "backend",
    "default_device",
    "disable_flash_attention",
    "disable_interactive_logging",
    "disable_traceback_filtering",
    "enable_flash_attention",
    "enable_interactive_logging",
    "enable_traceback_filtering",
    "enable_unsafe_deserialization",
    "epsilon",
    "floatx",
    "image_data_format",
    "is_flash_attention_enabled",
    "is_interactive_logging_enabled",
    "is_nnx_enabled",
    "is_traceback_filtering_enabled",
    "max_epochs",
    "max_steps_per_epoch",
    "set_backend",
    "set_device",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
    "set_max_epochs",
    "set_max_steps_per_epoch",
    "dtype_policy",
    "set_dtype_policy",
]

# Set by kerastorch/__init__.py (dtype_policies.global_policy and set_global_policy: the policies live above config)
dtype_policy: Callable[[], Any]
set_dtype_policy: Callable[[Any], None]

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_DEVICE: torch.device | None = None  # None: CUDA when available, else CPU
_UNSAFE_DESERIALIZATION = False
_INTERACTIVE_LOGGING = True
_MAX_EPOCHS: int | None = None
_MAX_STEPS_PER_EPOCH: int | None = None
_TRACEBACK_FILTERING = True

_FLOAT_TYPES = ("float16", "bfloat16", "float32", "float64")


def floatx() -> str:
    """The default float type name, e.g. ``"float32"``.

    Returns:
        String: ``"float32"`` unless changed with :func:`set_floatx`.

    >>> floatx()
    'float32'
    """
    return _FLOATX


def set_floatx(value: _DTypeArg) -> None:
    """Set the default float type: one of float16, bfloat16, float32, float64.

    New weights and float tensors that ops create without an explicit dtype take this type.

    Args:
        value: A float dtype: a name (``"float16"``, ``"bfloat16"``, ``"float32"``, ``"float64"``), or a
            torch or NumPy dtype.

    Raises:
        ValueError: If ``value`` is not one of these float types.

    >>> set_floatx("float64"); floatx()
    'float64'
    >>> set_floatx("float32")
    """
    global _FLOATX
    value = standardize_dtype(value)
    if value not in _FLOAT_TYPES:
        raise ValueError(f"set_floatx: expected one of {_FLOAT_TYPES}, received {value!r}")
    _FLOATX = value


def epsilon() -> float:
    """The fuzz factor used in numeric expressions (default 1e-7).

    Returns:
        Float: ``1e-7`` unless changed with :func:`set_epsilon`.

    >>> epsilon()
    1e-07
    """
    return _EPSILON


def set_epsilon(value: float) -> None:
    """Set the fuzz factor returned by :func:`epsilon`.

    Args:
        value: Float, the new fuzz factor (converted with ``float()``).

    Example:
        >>> set_epsilon(1e-5); epsilon()
        1e-05
        >>> set_epsilon(1e-7)
    """
    global _EPSILON
    _EPSILON = float(value)


def image_data_format() -> str:
    """``"channels_last"`` (default, NHWC) or ``"channels_first"`` (NCHW).

    Returns:
        String: the default ``data_format`` of image layers, set with :func:`set_image_data_format`.

    >>> image_data_format()
    'channels_last'
    """
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format: str) -> None:
    """Set the default image data format.

    Layers whose ``data_format`` is None (convolutions, poolings ...) take it when they are created.

    Args:
        data_format: String, ``"channels_last"`` (NHWC) or ``"channels_first"`` (NCHW), in any case.

    Raises:
        ValueError: For any other value.

    >>> set_image_data_format("channels_first"); image_data_format()
    'channels_first'
    >>> set_image_data_format("channels_last")
    """
    global _IMAGE_DATA_FORMAT
    data_format = str(data_format).lower()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            f"set_image_data_format: expected 'channels_last' or 'channels_first', received {data_format!r}"
        )
    _IMAGE_DATA_FORMAT = data_format


def default_device() -> torch.device:
    """The device new weights are created on: the one set with :func:`set_device`,
    else CUDA when it is available, else CPU.

    Returns:
        A ``torch.device``.

    >>> with device_scope("cpu"):
    ...     default_device()
    device(type='cpu')
    """
    if _DEVICE is not None:
        return _DEVICE
    return torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")


def set_device(device: str | torch.device | None) -> None:
    """Override the default device (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"gpu:0"``, or None to reset).

    Unlike :func:`device_scope`, the setting lasts until it is changed again, and only the weights and
    tensors kerastorch creates follow it (torch's own factory functions keep torch's default).

    Args:
        device: String or ``torch.device`` (Keras's ``"gpu"``/``"gpu:<i>"`` read as CUDA), or None to go
            back to CUDA when it is available, else CPU.

    Raises:
        RuntimeError: If ``device`` is not a valid torch device string.

    >>> set_device("cpu"); default_device()
    device(type='cpu')
    >>> set_device(None)
    """
    global _DEVICE
    _DEVICE = None if device is None else _torch_device(device)


def _torch_device(name):
    if isinstance(name, str) and name.lower().startswith("gpu"):
        name = "cuda" + name[3:]  # Keras's device names: "gpu", "gpu:1"
    return torch.device(name)


@contextlib.contextmanager
def device_scope(device_name: str | torch.device) -> Iterator[None]:
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


def backend() -> str:
    """The backend's name: always ``"torch"``.

    Returns:
        String: ``"torch"``.

    >>> backend()
    'torch'
    """
    return "torch"


def enable_interactive_logging() -> None:
    """Progress bars and summaries print to stdout (the default)."""
    global _INTERACTIVE_LOGGING
    _INTERACTIVE_LOGGING = True


def disable_interactive_logging() -> None:
    """Progress bars and summaries go to the ``keras`` logger (``logging``) instead of stdout, one line each.

    >>> disable_interactive_logging(); is_interactive_logging_enabled()
    False
    >>> enable_interactive_logging()
    """
    global _INTERACTIVE_LOGGING
    _INTERACTIVE_LOGGING = False


def is_interactive_logging_enabled() -> bool:
    """Whether progress output goes to stdout (see :func:`disable_interactive_logging`).

    Returns:
        Bool: True unless :func:`disable_interactive_logging` was called last.

    >>> is_interactive_logging_enabled()
    True
    """
    return _INTERACTIVE_LOGGING


def max_epochs() -> int | None:
    """The cap on ``fit``'s epochs set with :func:`set_max_epochs` (None: no cap).

    Returns:
        Int or None.

    >>> max_epochs() is None
    True
    """
    return _MAX_EPOCHS


def set_max_epochs(max_epochs: int | None) -> None:
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


def max_steps_per_epoch() -> int | None:
    """The cap on steps per epoch set with :func:`set_max_steps_per_epoch` (None: no cap).

    Returns:
        Int or None.

    >>> max_steps_per_epoch() is None
    True
    """
    return _MAX_STEPS_PER_EPOCH


def set_max_steps_per_epoch(max_steps_per_epoch: int | None) -> None:
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
    "float": "float32",
    "double": "float64",
    "half": "float16",
    "int": "int32",
    "long": "int64",
    "bool_": "bool",
}


def standardize_dtype(dtype: _DTypeArg) -> str:
    """Return the Keras name of a dtype given as a string, torch dtype or numpy dtype.

    Aliases are resolved (``"float"``, ``"double"``, ``"half"``, ``"int"``, ``"long"``); a Python type maps
    ``float`` to ``"float32"``, ``int`` to ``"int64"`` and ``bool`` to ``"bool"`` (``keras.backend``'s
    ``standardize_dtype`` gives ``"int32"`` for ``int``, as Keras does).

    Args:
        dtype: A dtype name, a ``torch.dtype``, a NumPy dtype or scalar type, an object with a ``name``
            (a dtype policy), a Python type, or None (:func:`floatx`).

    Returns:
        String, the dtype's name, like ``"float32"``.

    Raises:
        ValueError: If ``dtype`` names no torch dtype.

    >>> standardize_dtype(torch.float32)
    'float32'
    >>> standardize_dtype("double"), standardize_dtype(None)
    ('float64', 'float32')
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


def torch_dtype(dtype: _DTypeArg) -> torch.dtype:
    """The ``torch.dtype`` for a dtype name (None means :func:`floatx`).

    Args:
        dtype: Anything :func:`standardize_dtype` takes.

    Returns:
        The ``torch.dtype``.

    Raises:
        ValueError: If ``dtype`` names no torch dtype.

    >>> torch_dtype("bfloat16"), torch_dtype(None)
    (torch.bfloat16, torch.float32)
    """
    return getattr(torch, standardize_dtype(dtype))


def enable_unsafe_deserialization() -> None:
    """Allow loading configs that carry Python byte code (``Lambda`` layers) everywhere.
    Only for files from a source you trust."""
    global _UNSAFE_DESERIALIZATION
    _UNSAFE_DESERIALIZATION = True


def unsafe_deserialization_enabled() -> bool:
    """Whether :func:`enable_unsafe_deserialization` was called.

    Returns:
        Bool: False until :func:`enable_unsafe_deserialization` is called (it cannot be turned off again).

    >>> isinstance(unsafe_deserialization_enabled(), bool)  # False in a fresh process
    True
    """
    return _UNSAFE_DESERIALIZATION


# ------------------------------------------------------ Keras 3's switches: tracebacks, flash attention, NNX, backend


def enable_traceback_filtering() -> None:
    """Turn traceback filtering on (the default): see :func:`is_traceback_filtering_enabled`.

    >>> disable_traceback_filtering(); is_traceback_filtering_enabled()
    False
    >>> enable_traceback_filtering(); is_traceback_filtering_enabled()
    True
    """
    global _TRACEBACK_FILTERING
    _TRACEBACK_FILTERING = True


def disable_traceback_filtering() -> None:
    """Turn traceback filtering off: see :func:`is_traceback_filtering_enabled`."""
    global _TRACEBACK_FILTERING
    _TRACEBACK_FILTERING = False


def is_traceback_filtering_enabled() -> bool:
    """Whether traceback filtering is on (True unless :func:`disable_traceback_filtering` was called).

    Keras removes its own internal frames from the tracebacks of the errors it raises. kerastorch has no such
    frames to hide: its errors are raised where the problem is found, with messages that name the layer or
    argument, and torch's own errors pass through unchanged. The flag is kept, as Keras's, for code that reads
    or sets it; nothing in kerastorch changes with it.

    Returns:
        bool: whether filtering is enabled.
    """
    return _TRACEBACK_FILTERING


def enable_flash_attention() -> None:
    """Let attention use flash attention kernels where they apply (the default).

    kerastorch's attention (``MultiHeadAttention``, ``GroupedQueryAttention``, ``Attention``,
    ``ops.dot_product_attention``) runs ``torch.nn.functional.scaled_dot_product_attention``, which picks a
    fused kernel per call; this switch is torch's own global flag for its flash kernels
    (``torch.backends.cuda.enable_flash_sdp``, read on CPU and CUDA alike), so it also applies to other torch
    code in the process. Flash attention still needs inputs it supports (on CUDA, float16 or bfloat16 and no
    explicit mask); otherwise torch picks another kernel.

    >>> disable_flash_attention(); is_flash_attention_enabled()
    False
    >>> enable_flash_attention(); print(is_flash_attention_enabled())
    None
    """
    torch.backends.cuda.enable_flash_sdp(True)


def disable_flash_attention() -> None:
    """Keep attention off the flash attention kernels: ``scaled_dot_product_attention`` then uses the
    memory-efficient, cuDNN or plain kernels (torch's global flag, see :func:`enable_flash_attention`)."""
    torch.backends.cuda.enable_flash_sdp(False)


def is_flash_attention_enabled() -> bool | None:
    """Whether flash attention may be used, with Keras 3's values: ``False`` after
    :func:`disable_flash_attention` (or ``torch.backends.cuda.enable_flash_sdp(False)``), otherwise ``None``
    (enabled: torch uses it where the inputs allow, which is not guaranteed).

    Returns:
        None or False.
    """
    return None if torch.backends.cuda.flash_sdp_enabled() else False


def is_nnx_enabled() -> bool:
    """Whether Flax NNX features are enabled: always ``False`` here (NNX belongs to Keras's JAX backend).

    Returns:
        bool: ``False``.

    >>> is_nnx_enabled()
    False
    """
    return False


def set_backend(backend: str) -> None:
    """Keras's backend switch: kerastorch has the torch backend only, so ``"torch"`` changes nothing.

    Args:
        backend: str: the backend name; only ``"torch"`` is accepted.

    Raises:
        ValueError: for any other backend (``"jax"``, ``"tensorflow"``, ``"numpy"`` ...): use the ``keras``
            package with ``KERAS_BACKEND`` set for those.

    >>> set_backend("torch")
    >>> set_backend("jax")
    Traceback (most recent call last):
    ...
    ValueError: set_backend: kerastorch runs on the torch backend only; received backend='jax'. ...
    """
    if backend != "torch":
        raise ValueError(
            f"set_backend: kerastorch runs on the torch backend only; received backend={backend!r}. "
            "Keras 3 with KERAS_BACKEND set runs the other backends."
        )


def __dir__():
    return sorted(__all__)
