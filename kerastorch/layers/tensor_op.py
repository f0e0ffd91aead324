"""``TensorOp``: arithmetic and indexing on KerasTensors inside a functional model.

``x + y``, ``2 * x``, ``x[:, 0]`` on symbolic tensors each record a TensorOp node,
so the expression replays when the model runs; so does a ``keras.ops`` function called on symbolic tensors
(``TensorOp("ops.concatenate")``, see ``kerastorch/ops/symbolic.py``). Only operators and names of the
``kerastorch.ops`` namespace are accepted, so a config can name nothing else.

Example:
    >>> import torch
    >>> import kerastorch
    >>> x = kerastorch.Input((4,))
    >>> y = x * 2 + 1
    >>> kerastorch.Model(x, y)(torch.ones(1, 4))
    tensor([[3., 3., 3., 3.]])
"""

from __future__ import annotations

import operator
from typing import Any

from kerastorch import ops
from kerastorch.backend import keras_tensor
from kerastorch.layers.base import Layer
from kerastorch.serialization.object_registration import register_builtin

_OPS = {
    "add": operator.add,
    "radd": lambda x, y: y + x,
    "sub": operator.sub,
    "rsub": lambda x, y: y - x,
    "mul": operator.mul,
    "rmul": lambda x, y: y * x,
    "truediv": operator.truediv,
    "rtruediv": lambda x, y: y / x,
    "pow": operator.pow,
    "matmul": operator.matmul,
    "neg": operator.neg,
    "abs": operator.abs,
    "getitem": operator.getitem,
}


def _resolve(op):
    """The function a TensorOp applies: a Python operator, or a public function of ``kerastorch.ops``."""
    if not isinstance(op, str):
        return None
    if op in _OPS:
        return _OPS[op]
    if op.startswith("ops."):
        name = op[len("ops.") :]
        fn = getattr(ops, name, None) if not name.startswith("_") else None
        return fn if callable(fn) and hasattr(fn, "__wrapped_op__") else None
    return None


@register_builtin("keras.layers")
class TensorOp(Layer):
    """Applies one Python operator (``"add"``, ``"mul"``, ``"getitem"`` ...) to its inputs.

    Functional models create these layers when an operator or a ``keras.ops`` function is applied to
    KerasTensors; ``call(x, *args, **kwargs)`` returns ``op(x, *args, **kwargs)``.

    Args:
        op: str: the operation, one of ``"add"``, ``"radd"``, ``"sub"``, ``"rsub"``, ``"mul"``, ``"rmul"``,
            ``"truediv"``, ``"rtruediv"``, ``"pow"``, ``"matmul"``, ``"neg"``, ``"abs"``, ``"getitem"`` (the
            ``r`` forms swap the two operands), or ``"ops.<name>"`` for a public ``kerastorch.ops`` function.
        **kwargs: base layer arguments (``name``, ``dtype``...); ``name`` defaults to None (an automatic one).

    Input shape:
        Whatever the operation takes: the first input, then the operation's other operands.

    Output shape:
        The operation's result's shape (broadcasting, indexing or the op's own rule).

    Raises:
        ValueError: for an ``op`` that is neither one of the operators above nor a ``kerastorch.ops`` function.
    """

    def __init__(self, op: str, **kwargs: Any) -> None:
        fn = _resolve(op)
        if fn is None:
            raise ValueError(
                f"TensorOp: expected one of {sorted(_OPS)} or 'ops.<name of a kerastorch.ops "
                f"function>', received {op!r}"
            )
        kwargs.setdefault("name", None)
        super().__init__(**kwargs)
        self.op = op
        self._fn = fn

    def call(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        if self.op == "getitem" and isinstance(args[0], list):  # keys come back from JSON as lists
            args = (tuple(args[0]),)
        return self._fn(x, *args, **kwargs)

    def extra_repr(self) -> str:
        return self._describe(op=self.op)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["op"] = self.op
        return config


keras_tensor.set_operation_recorder(TensorOp)  # KerasTensor operators and symbolic ops record TensorOps
