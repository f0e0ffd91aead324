"""``Variable``: a ``torch.nn.Parameter`` with the Keras variable interface.

Layers create their weights with ``add_weight``, which returns a ``Variable``. It is
a Parameter in every respect (optimizers, ``state_dict``, ``.to()``), and adds what
Keras code expects: ``name``, ``path``, ``trainable``, ``numpy()``, ``assign*``.

Example:
    >>> import torch
    >>> v = Variable(torch.zeros(3), name="total", trainable=False)
    >>> v.assign_add(torch.ones(3))
    <Variable path=total, shape=(3,), dtype=float32, trainable=False, value=tensor([1., 1., 1.])>
    >>> v.numpy()
    array([1., 1., 1.], dtype=float32)
"""

from __future__ import annotations

import copy
from typing import Any, Callable, Sequence, SupportsIndex

import numpy as np
import torch

from kerastorch import config
from kerastorch.backend.annotations import DTypeLike, TensorLike
from kerastorch.backend.name_scope import scoped_path
from kerastorch.backend.stateless_scope import get_stateless_scope

# filled by kerastorch.initializers (above the backend): name -> initializer
_INITIALIZER_LOOKUP: list[Callable[[str], Callable[..., Any]]] = []


class Variable(torch.nn.Parameter):
    """A named Parameter; ``trainable`` is ``requires_grad``.

    Layers make theirs with ``add_weight``; create one directly for state of your own. It is a
    ``torch.nn.Parameter`` (optimizers, ``state_dict``, ``.to()`` all see it) with Keras's ``name``,
    ``path``, ``trainable``, ``value``, ``numpy()`` and ``assign``/``assign_add``/``assign_sub``.

    The constructor's arguments are documented on ``Variable.__new__`` (``help(Variable)`` shows them).

    Example:
        >>> v = Variable("ones", shape=(2, 2), dtype="float64", name="scale")
        >>> v.path, v.dtype, v.trainable
        ('scale', torch.float64, True)
        >>> Variable(torch.arange(3), name="counts").trainable  # an integer variable is never trainable
        False
    """

    _keras_name: str
    _path: str
    _declared_trainable: bool
    _created_trainable: bool
    regularizer: Callable[[torch.Tensor], Any] | None
    constraint: Callable[[torch.Tensor], torch.Tensor] | None
    autocast: bool
    aggregation: str
    synchronization: str

    def __new__(
        cls,
        initializer: TensorLike | str | Callable[..., Any],
        shape: Sequence[int] | None = None,
        dtype: DTypeLike = None,
        trainable: bool = True,
        autocast: bool = True,
        aggregation: str = "none",
        synchronization: str = "auto",
        name: str | None = None,
        regularizer: Callable[[torch.Tensor], Any] | None = None,
        constraint: Callable[[torch.Tensor], torch.Tensor] | None = None,
    ) -> Variable:
        """Create a variable from an initial value or an initializer.

        Args:
            initializer: The initial value (a tensor, NumPy array, nested list or number), or an initializer
                (a callable ``initializer(shape, dtype=...)`` or its name, such as ``"zeros"``) called on
                ``shape``.
            shape: Tuple of ints or None, the variable's shape: required with an initializer, checked
                against an initial value. Defaults to None.
            dtype: Dtype name or dtype, or None: an initial value is cast to it; None keeps a tensor's dtype
                and turns a NumPy float array into ``keras.config.floatx()``. Defaults to None.
            trainable: Bool, whether optimizers update it (``requires_grad``); integer and boolean variables
                are never trainable. Defaults to ``True``.
            autocast: Bool, Keras's flag for casting the variable to a layer's compute dtype under a mixed
                policy; stored as ``variable.autocast`` (layers decide casting with their own ``autocast``).
                Defaults to ``True``.
            aggregation: String, Keras's distributed aggregation mode; stored only. Defaults to ``"none"``.
            synchronization: String, Keras's distributed synchronization mode; stored only.
                Defaults to ``"auto"``.
            name: String or None, the variable's name; its ``path`` adds the enclosing
                ``keras.name_scope``. Defaults to None (``"variable"``).
            regularizer: Regularizer or None (``variable.regularizer``); a model adds its penalty on the
                variables of its layers to ``model.losses``. Defaults to None.
            constraint: Callable or None, applied by optimizers after each update (``variable.constraint``).
                Defaults to None.

        Raises:
            ValueError: If an initializer is given without ``shape``, or the initial value's shape differs
                from ``shape``.
        """
        data = _initial_value(initializer, shape, dtype, name)
        trainable = bool(trainable) and (data.is_floating_point() or data.is_complex())
        var = super().__new__(cls, data, trainable)
        var._keras_name = name or "variable"
        var._path = scoped_path(var._keras_name)  # under keras.name_scope(...): "scope/name"
        var._declared_trainable = trainable
        var._created_trainable = trainable  # fixes the Keras weight order: trainable-at-creation first
        var.regularizer = regularizer
        var.constraint = constraint
        var.autocast = bool(autocast)
        var.aggregation = aggregation
        var.synchronization = synchronization
        return var

    @property
    def name(self) -> str:
        """The weight's own name (``"kernel"``)."""
        return self._keras_name

    @property
    def path(self) -> str:
        """The weight's path in its model (``"dense_1/kernel"``)."""
        return self._path

    @property
    def trainable(self) -> bool:
        """Whether optimizers update this weight (``requires_grad``)."""
        return self.requires_grad

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._declared_trainable = bool(value)
        self.requires_grad_(bool(value))

    @property
    def value(self) -> torch.Tensor:
        """The variable itself, as Keras's ``variable.value``; inside a ``keras.StatelessScope`` that maps or
        updated it, its value in the scope."""
        scope = get_stateless_scope()
        if scope is not None:
            current = scope.get_current_value(self)
            if current is not None:
                return current
        return self

    def numpy(self) -> np.ndarray:  # type: ignore[override]  # Tensor.numpy also takes force=; this does not
        """A numpy copy of the current value (of the value in a ``keras.StatelessScope`` that maps it)."""
        return self.value.detach().cpu().numpy()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        array = self.numpy()
        return array if dtype is None else array.astype(dtype)

    def assign(self, value: TensorLike) -> Variable:
        """Overwrite the value in place (no gradient recorded); inside a ``keras.StatelessScope``, record the
        new value in the scope instead."""
        scope = get_stateless_scope()
        if scope is not None:
            scope.add_update((self, value))
            return self
        value = torch.as_tensor(np.asarray(value) if not isinstance(value, torch.Tensor) else value)
        if tuple(value.shape) != tuple(self.shape):
            raise ValueError(
                f"Variable {self.path}.assign: expected a value of shape {tuple(self.shape)}, "
                f"received shape {tuple(value.shape)}"
            )
        with torch.no_grad():
            self.copy_(value)
        return self

    def assign_add(self, value: TensorLike) -> Variable:
        """``self += value`` in place (no gradient recorded); recorded instead in a ``keras.StatelessScope``."""
        scope = get_stateless_scope()
        if scope is not None:
            scope.add_update((self, self.value + torch.as_tensor(value, dtype=self.dtype, device=self.device)))
            return self
        with torch.no_grad():
            self.add_(torch.as_tensor(value, dtype=self.dtype, device=self.device))
        return self

    def assign_sub(self, value: TensorLike) -> Variable:
        """``self -= value`` in place (no gradient recorded); recorded instead in a ``keras.StatelessScope``."""
        scope = get_stateless_scope()
        if scope is not None:
            scope.add_update((self, self.value - torch.as_tensor(value, dtype=self.dtype, device=self.device)))
            return self
        with torch.no_grad():
            self.sub_(torch.as_tensor(value, dtype=self.dtype, device=self.device))
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Variable:
        if id(self) in memo:
            return memo[id(self)]
        result = Variable(
            self.data.clone(memory_format=torch.preserve_format),
            trainable=self._declared_trainable,
            name=self._keras_name,
            regularizer=copy.deepcopy(self.regularizer, memo),
            constraint=copy.deepcopy(self.constraint, memo),
        )
        result.requires_grad_(self.requires_grad)
        result._path = self._path
        result._created_trainable = self._created_trainable
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        return (
            _rebuild_variable,
            (
                self.detach().cpu(),
                self._declared_trainable,
                self.requires_grad,
                self._keras_name,
                self._path,
                self._created_trainable,
            ),
        )

    def __repr__(self) -> str:  # type: ignore[override]  # Tensor's also takes tensor_contents=
        return (
            f"<Variable path={self.path}, shape={tuple(self.shape)}, "
            f"dtype={str(self.dtype).split('.')[-1]}, trainable={self.trainable}, value={self.data!r}>"
        )


def _with_array_operands(name):
    """``Variable.<name>`` that takes NumPy arrays as tensors (torch's own turns ``variable * array`` into
    NumPy's product, which fails on a weight that requires grad)."""
    method = getattr(torch.Tensor, name)

    def operator(self, other):
        if isinstance(other, np.ndarray):
            other = torch.as_tensor(other, device=self.device)
        return method(self, other)

    operator.__name__ = name
    return operator


for _name in (
    "__add__",
    "__radd__",
    "__sub__",
    "__rsub__",
    "__mul__",
    "__rmul__",
    "__truediv__",
    "__rtruediv__",
    "__floordiv__",
    "__rfloordiv__",
    "__mod__",
    "__rmod__",
    "__pow__",
    "__rpow__",
    "__matmul__",
    "__rmatmul__",
    "__lt__",
    "__le__",
    "__gt__",
    "__ge__",
):
    setattr(Variable, _name, _with_array_operands(_name))


def _rebuild_variable(data, declared_trainable, requires_grad, name, path, created_trainable=None):
    var = Variable(data, trainable=declared_trainable, name=name)
    var.requires_grad_(requires_grad)
    var._path = path
    var._created_trainable = declared_trainable if created_trainable is None else created_trainable
    return var


def _initial_value(initializer, shape, dtype, name):
    """The starting tensor of a Variable: a value (tensor, array, number), or an initializer called on ``shape``."""
    torch_dtype = None if dtype is None else config.torch_dtype(dtype)
    if isinstance(initializer, str) or (callable(initializer) and not isinstance(initializer, torch.Tensor)):
        if shape is None:
            raise ValueError(
                f"Variable {name or 'variable'}: an initializer ({initializer!r}) needs a shape; "
                "pass shape=..., or pass the initial value itself"
            )
        if isinstance(initializer, str):
            if not _INITIALIZER_LOOKUP:
                raise ValueError(f"Variable {name or 'variable'}: import kerastorch to name initializers by string")
            initializer = _INITIALIZER_LOOKUP[0](initializer)
        value = initializer(tuple(shape), dtype=dtype or config.floatx())
        return torch.as_tensor(value, dtype=torch_dtype)
    if isinstance(initializer, torch.Tensor):
        value = initializer.detach()
    else:
        value = torch.as_tensor(np.asarray(initializer))
        if torch_dtype is None and value.is_floating_point():
            torch_dtype = config.torch_dtype(None)  # NumPy's float64 becomes floatx, as in Keras
    if torch_dtype is not None:
        value = value.to(torch_dtype)
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise ValueError(
            f"Variable {name or 'variable'}: the initial value has shape {tuple(value.shape)}, "
            f"expected shape {tuple(shape)}"
        )
    return value


def set_initializer_lookup(get: Callable[[str], Callable[..., Any]]) -> None:
    """Let ``Variable`` resolve initializer names with ``get`` (``kerastorch.initializers`` calls this).

    Args:
        get: callable, ``name -> initializer`` (``kerastorch.initializers.get``).
    """
    _INITIALIZER_LOOKUP[:] = [get]
