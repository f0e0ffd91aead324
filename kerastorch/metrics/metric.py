"""The ``Metric`` base class: running state in plain torch tensors on the data's device.

A metric keeps its state (``total``, ``count``, confusion counts ...) in tensors made
by :meth:`Metric.add_variable`. The first ``update_state`` moves them (once) to the
device of its inputs; every update then runs a few in-place torch ops there, without
reading anything back to the host, so a training loop can update metrics each batch
and read ``result()`` only when it prints. ``update_state`` never records gradients:
subclasses' ``update_state`` run under ``torch.no_grad()`` automatically.

Custom metrics follow Keras 3: the state tensors are plain tensors that also have Keras's ``assign`` /
``assign_add`` / ``assign_sub`` (in-place torch ops underneath), so Keras 3 metric code runs unchanged; torch
in-place ops work too:

    >>> class Count(Metric):
    ...     def __init__(self, name="count", dtype=None):
    ...         super().__init__(name=name, dtype=dtype)
    ...         self.seen = self.add_variable((), name="seen")
    ...     def update_state(self, y_true, y_pred, sample_weight=None):
    ...         self.seen.add_(y_pred.shape[0])
    ...     def result(self):
    ...         return self.seen.clone()
    >>> Count()(torch.zeros(3), torch.zeros(3))
    tensor(3.)
"""

from __future__ import annotations

import functools
from typing import Any, Sequence

import numpy as np
import torch

from kerastorch import config, initializers
from kerastorch.backend.annotations import DeviceLike, DTypeLike, Identifier, TensorLike
from kerastorch.backend.naming import to_snake_case, unique_name


def _input_device(args, kwargs):
    """The device the inputs live on: the first accelerator among the tensor arguments (model outputs
    on the GPU with labels left on the CPU count as GPU inputs), else the CPU; None without tensors."""
    device = None
    for value in (*args, *kwargs.values()):
        if isinstance(value, torch.Tensor):
            if value.device.type != "cpu":
                return value.device
            device = value.device
    return device


def _assign(state, value):
    with torch.no_grad():
        state.copy_(value if isinstance(value, torch.Tensor) else torch.as_tensor(np.asarray(value), dtype=state.dtype))
    return state


def _assign_add(state, delta):
    with torch.no_grad():
        state.add_(delta if isinstance(delta, (torch.Tensor, int, float)) else torch.as_tensor(np.asarray(delta)))
    return state


def _assign_sub(state, delta):
    with torch.no_grad():
        state.sub_(delta if isinstance(delta, (torch.Tensor, int, float)) else torch.as_tensor(np.asarray(delta)))
    return state


_STATE_METHODS = {"assign": _assign, "assign_add": _assign_add, "assign_sub": _assign_sub}


def _unbound():
    return None


class _StateMethod:
    """``state.assign_add(x)`` and co.: Keras's variable methods set on a plain state tensor. Copies and pickles
    of a lone tensor drop them (the owning metric binds them again, see ``Metric.__setstate__``)."""

    __slots__ = ("state", "method")

    def __init__(self, state, method):
        self.state, self.method = state, method

    def __call__(self, value):
        return self.method(self.state, value)

    def __reduce__(self):
        return _unbound, ()

    def __deepcopy__(self, memo):
        return None


def _with_state_methods(tensor):
    """``tensor`` (a plain tensor, so ``torch.compile`` traces it as usual) given Keras's variable methods
    ``assign`` / ``assign_add`` / ``assign_sub`` as instance attributes, and ``value`` (the tensor itself)."""
    for name, method in _STATE_METHODS.items():
        setattr(tensor, name, _StateMethod(tensor, method))
    tensor.value = tensor
    return tensor


def _stateful_update(update):
    """Wrap a subclass's ``update_state``: follow the inputs' device, record no gradients."""

    @functools.wraps(update)
    def update_state(self, *args, **kwargs):
        device = _input_device(args, kwargs)
        if device is not None and device != self._device:
            self.to(device)
        with torch.no_grad():
            return update(self, *args, **kwargs)

    update_state._kerastorch_stateful = True
    return update_state


class Metric:
    """Base class of all metrics: state tensors, ``update_state``, ``result``, ``reset_state``.

    Subclasses create state with :meth:`add_variable` in ``__init__`` and implement
    ``update_state`` (in-place torch ops on the state, no host reads) and ``result``.
    ``name=None`` gives the snake-case class name, made unique (``my_metric_1`` ...).
    Calling a metric, ``metric(*args)``, runs ``update_state(*args)`` and returns ``result()``.

    Args:
        dtype: str or None, default None: the dtype of the state and of ``result()`` (None: ``floatx()``).
        name: str or None, default None: the metric's name (None: the snake-case class name, numbered when
            repeated).

    Raises:
        TypeError: if ``name`` is not a string or None.
        ValueError: for an unknown ``dtype``.

    Example:
        >>> import torch
        >>> import kerastorch as keras
        >>> m = keras.metrics.Mean()
        >>> m.update_state(torch.tensor([1.0, 3.0]))
        >>> m.result()
        tensor(2.)
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        update = cls.__dict__.get("update_state")
        if update is not None and not getattr(update, "_kerastorch_stateful", False):
            cls.update_state = _stateful_update(update)

    def __init__(self, dtype: DTypeLike = None, name: str | None = None) -> None:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{type(self).__name__}: name must be a string, received {name!r}")
        self.name = name if name is not None else unique_name(to_snake_case(type(self).__name__))
        self._dtype = config.standardize_dtype(dtype)
        self._variables: list[torch.Tensor] = []
        self._variable_names: list[str] = []
        self._constants: list[torch.Tensor] = []
        self._device = torch.device("cpu")

    # ------------------------------------------------------------------ state
    @property
    def dtype(self) -> str:
        """The dtype name of the state and of ``result()`` (default ``config.floatx()``)."""
        return self._dtype

    @property
    def variables(self) -> list[torch.Tensor]:
        """The state tensors, in creation order."""
        return list(self._variables)

    @property
    def device(self) -> torch.device:
        """The device the state lives on (that of the last inputs seen, CPU before any)."""
        return self._device

    def add_variable(
        self,
        shape: int | Sequence[int],
        initializer: Identifier | float | torch.Tensor = "zeros",
        dtype: DTypeLike = None,
        aggregation: str = "sum",
        name: str | None = None,
    ) -> torch.Tensor:
        """Create a state tensor of ``shape`` on the metric's device and track it.

        ``initializer`` is ``"zeros"``, ``"ones"``, a number, or anything
        ``keras.initializers.get`` accepts; ``aggregation`` is accepted for Keras
        compatibility. ``reset_state`` sets every state tensor back to zero. In ``__init__``:
        ``self.total = self.add_variable((), name="total")``.
        """
        shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(d) for d in shape)
        torch_dtype = config.torch_dtype(dtype or self._dtype)
        with torch.inference_mode(False), torch.no_grad():
            if initializer is None or initializer == "zeros":
                value = torch.zeros(shape, dtype=torch_dtype, device=self._device)
            elif initializer == "ones":
                value = torch.ones(shape, dtype=torch_dtype, device=self._device)
            elif isinstance(initializer, (int, float)):
                value = torch.full(shape, initializer, dtype=torch_dtype, device=self._device)
            else:
                value = torch.as_tensor(initializers.get(initializer)(shape, dtype=dtype or self._dtype))
                value = value.to(device=self._device, dtype=torch_dtype)
        self._variables.append(_with_state_methods(value))
        self._variable_names.append(name or f"variable_{len(self._variables)}")
        return value

    add_weight = add_variable

    def _add_constant(self, values, dtype=None):
        """A tensor the updates read (thresholds ...); it moves with the state."""
        with torch.inference_mode(False):
            tensor = torch.as_tensor(values, dtype=config.torch_dtype(dtype or self._dtype), device=self._device)
        self._constants.append(tensor)
        return tensor

    def to(self, device: DeviceLike) -> Metric:
        """Move the state to ``device`` in place (the tensors keep their identity); returns self."""
        with torch.inference_mode(False), torch.no_grad():
            device = torch.empty(0, device=device).device  # "cuda" -> "cuda:0", as inputs report it
            for tensor in self._variables + self._constants:
                torch.utils.swap_tensors(tensor, tensor.to(device))
            for tensor in self._variables:  # swap_tensors swaps the instance dicts too
                _with_state_methods(tensor)
        self._device = device
        return self

    def _tensor(self, x: TensorLike, dtype: DTypeLike = None) -> torch.Tensor:
        """``x`` as a tensor on the metric's device (the same tensor when it is already there); cast to
        ``dtype`` when one is given."""
        if not isinstance(x, torch.Tensor):
            x = torch.as_tensor(np.asarray(x) if not isinstance(x, (int, float, bool)) else x, device=self._device)
        elif x.device != self._device:
            x = x.to(self._device)
        if dtype is not None:
            x = x.to(config.torch_dtype(dtype))
        return x

    # -------------------------------------------------------------- interface
    def update_state(self, *args: Any, **kwargs: Any) -> None:
        """Accumulate statistics from one batch (subclasses implement it)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement update_state()")

    def result(self) -> torch.Tensor:
        """The metric value from the current state, a tensor on the state's device."""
        raise NotImplementedError(f"{type(self).__name__} does not implement result()")

    def reset_state(self) -> None:
        """Set every state tensor back to zero, in place."""
        with torch.no_grad():
            for tensor in self._variables:
                tensor.zero_()

    def __call__(self, *args: Any, **kwargs: Any) -> torch.Tensor:
        """``update_state(*args, **kwargs)``, then ``result()``."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments as a JSON-compatible dict."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        """Rebuild from :meth:`get_config` output."""
        return cls(**config)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for tensor in self._variables:  # copies and unpickled metrics: bind assign / assign_add again
            _with_state_methods(tensor)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"
