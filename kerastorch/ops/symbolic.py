"""Keras ops on symbolic tensors: ``ops.concatenate([a, b])`` on ``keras.Input`` tensors records a graph node.

Every public op is wrapped once, when ``kerastorch.ops`` is imported. The wrapper decides before the op runs:
when some argument is a :class:`~kerastorch.backend.keras_tensor.KerasTensor` (at any depth of lists, tuples and
dicts) it hands the call to a :class:`~kerastorch.layers.tensor_op.TensorOp` layer naming the op
(``"ops.concatenate"``), otherwise it calls the op. The TensorOp layer infers the output shape on fake tensors, so
an op that cannot apply to its symbolic inputs raises its own error there (``ops.add`` of shapes that do not
broadcast raises ``ValueError``), and it replays the op when the model runs; its config holds only the op's name,
so a saved model loads without code. A few ops read what a KerasTensor holds (``shape``, ``dtype``,
``is_tensor``) and run on it directly; ``convert_to_numpy`` refuses it, as in Keras. On real tensors the wrapper
costs one extra Python call and a scan of the arguments.

Example:
    >>> import kerastorch
    >>> from kerastorch import ops
    >>> a, b = kerastorch.Input((2,)), kerastorch.Input((3,))
    >>> ops.concatenate([a, b], axis=-1).shape
    (None, 5)
"""

from __future__ import annotations

import functools
from types import ModuleType
from typing import Any, Callable, Iterable

import torch

from kerastorch.backend.keras_tensor import KerasTensor, record_operation

_READS_KERAS_TENSORS = frozenset({"shape", "dtype", "is_tensor"})
"""Ops that answer from a KerasTensor's shape and dtype: they run on it and record no node."""

_NEEDS_VALUES = frozenset({"convert_to_numpy"})
"""Ops that need the values, which a KerasTensor does not have: they refuse it."""


# Arguments of these exact types hold no KerasTensor: one set lookup settles what eager calls pass.
_PLAIN = frozenset({torch.Tensor, torch.nn.Parameter, int, float, bool, str, type(None)})


def _holds_keras_tensor(value):
    """Whether ``value`` is a KerasTensor or a list, tuple or dict (``tree``'s containers) holding one."""
    cls = type(value)
    if cls is not list and cls is not tuple:  # lists and tuples first: ops.concatenate([...]) is common
        if isinstance(value, KerasTensor):
            return True
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, (list, tuple)):
            return False
    for item in value:
        if type(item) not in _PLAIN and _holds_keras_tensor(item):
            return True
    return False


def symbolic_dispatch(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    """``fn`` that records a ``TensorOp("ops.<name>")`` node instead of running when it is called on KerasTensors."""
    if name in _READS_KERAS_TENSORS:
        dispatch = None
    elif name in _NEEDS_VALUES:

        def dispatch(args, kwargs):
            raise ValueError(
                f"ops.{name}: a KerasTensor is symbolic (a placeholder for a shape and a dtype, such as "
                "keras.Input returns): it has no values to convert; call the model on data instead"
            )
    else:

        def dispatch(args, kwargs):
            return record_operation(f"ops.{name}", *args, **kwargs)

    op: Any  # a function that gets the __wrapped_op__ attribute below
    if dispatch is None:
        op = functools.wraps(fn)(lambda *args, **kwargs: fn(*args, **kwargs))
    else:

        @functools.wraps(fn)
        def dispatching(*args, **kwargs):
            for value in args:
                if type(value) not in _PLAIN and _holds_keras_tensor(value):
                    return dispatch(args, kwargs)
            if kwargs:
                for value in kwargs.values():
                    if type(value) not in _PLAIN and _holds_keras_tensor(value):
                        return dispatch(args, kwargs)
            return fn(*args, **kwargs)

        op = dispatching

    op.__wrapped_op__ = fn
    return op


def wrap_namespaces(modules: Iterable[ModuleType]) -> None:
    """Replace every name in each module's ``__all__`` by its symbolic-aware wrapper (one wrapper per function,
    shared by every module that exports it)."""
    wrappers = {}
    for module in modules:
        for name in module.__all__:
            fn = module.__dict__.get(name)
            if not callable(fn) or isinstance(fn, type) or hasattr(fn, "__wrapped_op__"):
                continue
            if id(fn) not in wrappers:
                wrappers[id(fn)] = symbolic_dispatch(fn, name)
            module.__dict__[name] = wrappers[id(fn)]
