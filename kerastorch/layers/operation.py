"""``Operation``: something that can be called on tensors and recorded in a symbolic graph.

It is the base class of :class:`~kerastorch.layers.Layer` (and of :class:`~kerastorch.Function`), as in
Keras 3. A direct subclass is an operation without weights: define ``call`` (and, for symbolic use,
``compute_output_spec`` unless running ``call`` on torch fake tensors gives the outputs, which is the
default). Called on real tensors it runs ``call``; called on symbolic tensors (``keras.Input``,
``KerasTensor``) it returns symbolic outputs and records a node, so it can be part of a
``keras.Function`` graph. (kerastorch's functional *models* hold layers only: use a ``Layer``, or
``keras.layers.Lambda``, for a weightless step inside a ``keras.Model``.)

Example:
    >>> import torch
    >>> import kerastorch as keras
    >>> class Double(Operation):
    ...     def call(self, x):
    ...         return x * 2
    >>> op = Double()
    >>> op(torch.ones(2))
    tensor([2., 2.])
    >>> y = op(keras.KerasTensor((None, 3)))
    >>> y.shape, y._keras_history[0] is op, op.get_config()
    ((None, 3), True, {'name': 'double'})
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

from kerastorch import tree
from kerastorch.backend.keras_tensor import compute_output_spec, is_symbolic
from kerastorch.backend.naming import to_snake_case, unique_name
from kerastorch.layers.node import Node

_JSON_TYPES = (type(None), bool, int, float, str)


class Operation:
    """Base class of operations: a callable that also runs on symbolic tensors and records itself in the graph.

    Args:
        name: str, default None: the operation's name; None makes a unique one from the class name
            (``"double"``, ``"double_1"`` ...).

    Raises:
        TypeError: when ``name`` is not a string.

    Example:
        >>> import torch
        >>> class Scale(Operation):
        ...     def __init__(self, factor, name=None):
        ...         super().__init__(name=name)
        ...         self.factor = factor
        ...     def call(self, x):
        ...         return x * self.factor
        >>> op = Scale(3.0, name="triple")
        >>> op(torch.tensor([1.0, 2.0]))
        tensor([3., 6.])
        >>> config = op.get_config()
        >>> config
        {'name': 'triple', 'factor': 3.0}
        >>> Scale.from_config(config).factor
        3.0
    """

    def __new__(cls, *args, **kwargs):
        instance = super().__new__(cls)
        if args or kwargs:  # the constructor arguments, for get_config (a Layer keeps its own)
            instance.__dict__["_init_arguments"] = (args, kwargs)
        return instance

    def __init__(self, name: str | None = None) -> None:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{type(self).__name__}: name must be a string, received {name!r}")
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        self._inbound_nodes: list[Node] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if is_symbolic((args, kwargs)):
            return self._symbolic_call(args, kwargs)
        return self.call(*args, **kwargs)

    def call(self, *args: Any, **kwargs: Any) -> Any:
        """The computation on real tensors. Subclasses override it."""
        raise NotImplementedError(f"Operation {type(self).__name__} does not implement call()")

    def symbolic_call(self, *args: Any, **kwargs: Any) -> Any:
        """The call on symbolic tensors: the output KerasTensors, with this call recorded as a graph node.

        >>> import kerastorch as keras
        >>> class Negate(Operation):
        ...     def call(self, x):
        ...         return -x
        >>> Negate().symbolic_call(keras.KerasTensor((2, 5))).shape
        (2, 5)
        """
        return self._symbolic_call(args, kwargs)

    def _symbolic_call(self, args, kwargs):
        outputs = self.compute_output_spec(*args, **kwargs)
        Node(self, args, kwargs, outputs)
        return outputs

    def compute_output_spec(self, *args: Any, **kwargs: Any) -> Any:
        """Output KerasTensors for KerasTensor arguments, found by running ``call`` on torch fake tensors (no
        data, no compute). Override it when ``call`` cannot run on fake tensors."""
        return compute_output_spec(self.call, args, kwargs)

    @property
    def input(self) -> Any:
        """The symbolic input (first argument) of the first symbolic call."""
        return self._first_node("input").input_structure

    @property
    def output(self) -> Any:
        """The symbolic output of the first symbolic call."""
        return self._first_node("output").output_structure

    def _first_node(self, what):
        if not self._inbound_nodes:
            raise AttributeError(
                f'Operation "{self.name}" has never been called on symbolic inputs, so it has no {what}.'
            )
        return self._inbound_nodes[0]

    def get_config(self) -> dict[str, Any]:
        """The operation's name and constructor arguments, as plain JSON-compatible data (a subclass whose
        ``__init__`` takes other values overrides it)."""
        config: dict[str, Any] = {"name": self.name}
        cls = type(self)
        if cls.__init__ is Operation.__init__:
            return config
        args, kwargs = self.__dict__.get("_init_arguments", ((), {}))
        signature = _init_signature(cls)  # type: ignore[arg-type]  # mypy: a class object is not "Hashable"
        try:
            bound = signature.bind(None, *args, **kwargs)
        except TypeError:
            bound = None
        if bound is not None:
            bound.apply_defaults()
            values = {}
            for key, value in list(bound.arguments.items())[1:]:
                kind = signature.parameters[key].kind
                if kind == inspect.Parameter.VAR_KEYWORD:
                    values.update({k: v for k, v in value.items() if k != "name"})
                elif kind == inspect.Parameter.VAR_POSITIONAL:
                    if value:
                        bound = None
                        break
                elif key != "name":
                    values[key] = value
        if bound is None or not all(isinstance(x, _JSON_TYPES) for x in tree.flatten(list(values.values()))):
            raise NotImplementedError(
                f"Operation {cls.__name__} was created with arguments that are not plain "
                "JSON values (or positional *args), so it must override get_config()."
            )
        config.update(values)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Operation:
        """Create the operation from :meth:`get_config` output."""
        try:
            return cls(**config)
        except TypeError as error:
            raise TypeError(
                f"{cls.__name__}.from_config could not create the operation from config keys {sorted(config)}: {error}"
            ) from error

    def __repr__(self) -> str:
        return f"<Operation name={self.name}>"


@functools.lru_cache(maxsize=None)
def _init_signature(cls):
    return inspect.signature(cls.__init__)
