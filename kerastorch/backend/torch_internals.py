"""The private PyTorch APIs that kerastorch relies on, wrapped in one place.

Names under ``torch._`` (and private attributes of public torch objects) may change in any torch release
without a deprecation period. kerastorch uses them only through this module, and
``tests/backend/test_torch_internals.py`` checks that each one still exists and still behaves as kerastorch
relies on, so a torch upgrade that changes one fails that test, naming it, instead of breaking a layer
somewhere. When it fails, fix the wrapper here (a version check, the new name); callers do not change.

What is wrapped, and what for:

- :func:`module_to_dtype` (``torch._C._nn._parse_to``): the dtype of a ``module.to(...)`` call, parsed as torch
  parses it, so ``Layer.to(torch.float64)`` makes the layer compute in float64.
- :func:`forward_ad_level` (``torch.autograd.forward_ad._current_level``) and :func:`functorch_level`
  (``torch._C._functorch.maybe_current_level``): whether forward-mode differentiation is running
  (``kerastorch.backend.forward_mode``).
- :data:`disabled_torch_function_impl` (``torch._C._disabled_torch_function_impl``): the ``__torch_function__``
  of a tensor subclass whose results are plain tensors (PyTorch's documented recipe for such subclasses).
- :class:`FakeTensorMode`, :func:`unset_fake_temporarily`, :func:`is_fake` and :data:`DATA_DEPENDENT_ERRORS`
  (``torch._subclasses.fake_tensor``): shape inference of symbolic calls on fake tensors.
- :func:`compile_failure_errors` (``torch._dynamo.exc``): what ``torch.compile`` raises when it cannot compile.
- :func:`lstm_kernel`, :func:`gru_kernel` (``torch._VF.lstm`` / ``torch._VF.gru``): the fused recurrent kernels
  behind ``torch.nn.LSTM`` / ``GRU``, called with Keras's weights.
- :func:`unscale_and_check_finite` (``torch._amp_foreach_non_finite_check_and_unscale_``): loss scaling.
- :func:`standard_gamma` (``torch._standard_gamma``): gamma sampling (``keras.random.gamma``, ``beta``).
- :func:`int8_matmul` (``torch._int_mm``): int8 by int8 matrix products accumulated in int32 (quantized layers).
- :func:`tensor_version` (``Tensor._version``) and :func:`view_base` (``Tensor._base``).

Not wrapped: the multi-tensor ops ``torch._foreach_*`` that the optimizers are written with (about forty of
them, on the training hot path). Despite the underscore they are the kernels of ``torch.optim``'s
``foreach`` implementations, the default on accelerators since torch 2.0, they have kept their names and
signatures since torch 1.7, and they are generated from torch's ``native_functions.yaml`` like the public
ops. A wrapper would add a Python call per op per step and protect nothing; instead the test checks that
every ``torch._foreach_*`` name used anywhere in kerastorch exists in the installed torch.

Example:
    >>> import torch
    >>> module_to_dtype("cpu", torch.float64)
    torch.float64
    >>> forward_ad_level()  # no torch.autograd.forward_ad.dual_level() is open
    -1
"""

from __future__ import annotations

from typing import Any

import torch
import torch.autograd.forward_ad as _fwad
from torch._subclasses import fake_tensor as _fake_tensor

__all__ = [
    "DATA_DEPENDENT_ERRORS",
    "FakeTensorMode",
    "compile_failure_errors",
    "disabled_torch_function_impl",
    "forward_ad_level",
    "functorch_level",
    "gru_kernel",
    "int8_matmul",
    "is_fake",
    "lstm_kernel",
    "module_to_dtype",
    "standard_gamma",
    "tensor_version",
    "unscale_and_check_finite",
    "unset_fake_temporarily",
    "view_base",
]

# ---------------------------------------------------------------- fake tensors (shape inference)
FakeTensorMode = _fake_tensor.FakeTensorMode
"""torch's fake-tensor mode: tensors made inside it have shapes and dtypes but no data."""

unset_fake_temporarily = _fake_tensor.unset_fake_temporarily
"""Context manager that leaves fake-tensor mode (to create real weights during a symbolic call)."""

is_fake = _fake_tensor.is_fake
"""Whether a tensor is a fake tensor (a symbolic run, where its values are unknown)."""

DATA_DEPENDENT_ERRORS = (_fake_tensor.DataDependentOutputException, _fake_tensor.DynamicOutputShapeException)
"""What a fake-tensor run raises when the computation needs the data: reading a value (``.item()``,
``bool(x)``) or an output whose shape depends on the values (``torch.nonzero``, boolean masks)."""

# ---------------------------------------------------------------- module.to
_parse_to = torch._C._nn._parse_to


def module_to_dtype(*args: Any, **kwargs: Any) -> torch.dtype | None:
    """The dtype that ``module.to(*args, **kwargs)`` converts floating-point weights to, or None.

    Args:
        *args: ``module.to``'s positional arguments (a device, a dtype, a tensor ...).
        **kwargs: its keyword arguments (``device``, ``dtype``, ``non_blocking``, ``memory_format``).

    Returns:
        A ``torch.dtype`` or None.

    Raises:
        TypeError: for arguments ``module.to`` refuses (torch's own message).

    >>> module_to_dtype(torch.float16), module_to_dtype("cpu"), module_to_dtype(torch.zeros(1, dtype=torch.float64))
    (torch.float16, None, torch.float64)
    """
    return _parse_to(*args, **kwargs)[1]


# ---------------------------------------------------------------- forward mode
functorch_level = torch._C._functorch.maybe_current_level
"""``functorch_level()``: the level of the innermost running ``torch.func`` transform, or None outside one."""


def forward_ad_level() -> int:
    """The level of the innermost open ``torch.autograd.forward_ad.dual_level()``; ``-1`` outside one.

    Returns:
        int.

    >>> import torch.autograd.forward_ad as fwad
    >>> with fwad.dual_level():
    ...     forward_ad_level()
    0
    >>> forward_ad_level()
    -1
    """
    return _fwad._current_level


# ---------------------------------------------------------------- tensor subclasses
disabled_torch_function_impl = torch._C._disabled_torch_function_impl
"""A tensor subclass's ``__torch_function__`` under which torch operations return plain tensors."""


def tensor_version(tensor: torch.Tensor) -> int:
    """The version counter of ``tensor``'s storage: it grows with every in-place change.

    Args:
        tensor: a tensor.

    Returns:
        int.

    >>> t = torch.zeros(2)
    >>> before = tensor_version(t)
    >>> _ = t.add_(1)
    >>> tensor_version(t) > before
    True
    """
    return tensor._version


def view_base(tensor: torch.Tensor) -> torch.Tensor | None:
    """The tensor that ``tensor`` is a view of, or None when it is not a view.

    Args:
        tensor: a tensor.

    Returns:
        A tensor or None.

    >>> t = torch.zeros(4)
    >>> view_base(t[:2]) is t, view_base(t)
    (True, None)
    """
    return tensor._base


# ---------------------------------------------------------------- torch.compile
def compile_failure_errors() -> tuple[type[Exception], ...]:
    """The exception types with which ``torch.compile``d code reports that it could not be compiled.

    A backend that fails (no C++ compiler for inductor, an internal compiler error), a construct that
    TorchDynamo cannot trace where it must (``fullgraph=True``), an internal TorchDynamo error. Errors of
    the compiled code itself (a shape mismatch, a ``ValueError`` it raises) are not among them. torch's
    compiler is imported on the first call, not with kerastorch.

    Returns:
        A tuple of exception classes.

    >>> all(issubclass(error, Exception) for error in compile_failure_errors())
    True
    """
    from torch._dynamo import exc

    return exc.BackendCompilerFailed, exc.Unsupported, exc.InternalTorchDynamoError


# ---------------------------------------------------------------- kernels
def lstm_kernel(*args: Any) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """torch's fused LSTM over a whole sequence (``torch._VF.lstm``, what ``torch.nn.LSTM`` runs).

    Called as ``lstm_kernel(input, (h0, c0), weights, has_biases, num_layers, dropout, train, bidirectional,
    batch_first)``, or on a packed sequence as ``lstm_kernel(data, batch_sizes, (h0, c0), weights, has_biases,
    num_layers, dropout, train, bidirectional)``.

    Args:
        *args: the kernel's arguments, as above (``weights`` in ``torch.nn.LSTM``'s parameter order).

    Returns:
        ``(output, h_n, c_n)``.

    >>> x, h = torch.zeros(1, 2, 3), torch.zeros(1, 1, 4)
    >>> weights = [torch.zeros(16, 3), torch.zeros(16, 4)]
    >>> [tuple(t.shape) for t in lstm_kernel(x, (h, h), weights, False, 1, 0.0, False, False, True)]
    [(1, 2, 4), (1, 1, 4), (1, 1, 4)]
    """
    return torch._VF.lstm(*args)


def gru_kernel(*args: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """torch's fused GRU over a whole sequence (``torch._VF.gru``, what ``torch.nn.GRU`` runs).

    Called as ``gru_kernel(input, h0, weights, has_biases, num_layers, dropout, train, bidirectional,
    batch_first)``, or on a packed sequence as ``gru_kernel(data, batch_sizes, h0, weights, has_biases, num_layers,
    dropout, train, bidirectional)``.

    Args:
        *args: the kernel's arguments, as above (``weights`` in ``torch.nn.GRU``'s parameter order).

    Returns:
        ``(output, h_n)``.

    >>> x, h = torch.zeros(1, 2, 3), torch.zeros(1, 1, 4)
    >>> weights = [torch.zeros(12, 3), torch.zeros(12, 4)]
    >>> [tuple(t.shape) for t in gru_kernel(x, h, weights, False, 1, 0.0, False, False, True)]
    [(1, 2, 4), (1, 1, 4)]
    """
    return torch._VF.gru(*args)


def unscale_and_check_finite(
    grads: list[torch.Tensor] | tuple[torch.Tensor, ...], found_inf: torch.Tensor, inverse_scale: torch.Tensor
) -> None:
    """Multiply every tensor of ``grads`` by ``inverse_scale`` in place, and set ``found_inf`` to 1 when one
    of them holds an inf or a NaN (one fused kernel per device, as ``torch.amp.GradScaler`` does).

    Args:
        grads: list of tensors on one device, of one dtype.
        found_inf: a one-element float tensor on that device, set to 1.0 (left alone when all are finite).
        inverse_scale: a one-element float tensor on that device.

    >>> grads, found = [torch.tensor([2.0, 4.0])], torch.zeros(())
    >>> unscale_and_check_finite(grads, found, torch.tensor(0.5))
    >>> grads[0], found
    (tensor([1., 2.]), tensor(0.))
    """
    torch._amp_foreach_non_finite_check_and_unscale_(grads, found_inf, inverse_scale)


def standard_gamma(alpha: torch.Tensor) -> torch.Tensor:
    """Samples of Gamma(``alpha``, 1), one per entry of ``alpha``, from torch's global generator (or the
    generator that ``torch.random.fork_rng`` / a device's seed sets).

    Args:
        alpha: a float tensor of concentrations, > 0.

    Returns:
        A tensor of ``alpha``'s shape and dtype.

    >>> _ = torch.manual_seed(0)
    >>> standard_gamma(torch.full((3,), 2.0)).shape
    torch.Size([3])
    """
    return torch._standard_gamma(alpha)


def int8_matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``a @ b`` for 2-D int8 tensors, accumulated exactly in int32 (``torch._int_mm``).

    Args:
        a: int8 tensor of shape ``(m, k)``.
        b: int8 tensor of shape ``(k, n)``.

    Returns:
        An int32 tensor of shape ``(m, n)``.

    Raises:
        RuntimeError: where the device has no int8 kernel for these shapes (torch's own message).

    >>> a, b = torch.full((2, 3), 100, dtype=torch.int8), torch.full((3, 2), 100, dtype=torch.int8)
    >>> int8_matmul(a, b)
    tensor([[30000, 30000],
            [30000, 30000]], dtype=torch.int32)
    """
    return torch._int_mm(a, b)
