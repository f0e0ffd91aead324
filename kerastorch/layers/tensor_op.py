"""``TensorOp``: arithmetic and indexing on KerasTensors inside a functional model.

``x + y``, ``2 * x``, ``x[:, 0]`` on symbolic tensors each record a TensorOp node,
so the expression replays when the model runs.

Example:
    >>> x = kerastorch.Input((4,))
    >>> y = x * 2 + 1
    >>> kerastorch.Model(x, y)(torch.ones(1, 4))
    tensor([[3., 3., 3., 3.]])
"""
import operator

from kerastorch.layers.base import Layer
from kerastorch.saving.object_registration import register_builtin

_OPS = {
    "add": operator.add, "radd": lambda x, y: y + x,
    "sub": operator.sub, "rsub": lambda x, y: y - x,
    "mul": operator.mul, "rmul": lambda x, y: y * x,
    "truediv": operator.truediv, "rtruediv": lambda x, y: y / x,
    "pow": operator.pow, "matmul": operator.matmul,
    "neg": operator.neg, "abs": operator.abs, "getitem": operator.getitem,
}


@register_builtin("keras.layers")
class TensorOp(Layer):
    """Applies one Python operator (``"add"``, ``"mul"``, ``"getitem"`` ...) to its inputs."""

    def __init__(self, op, **kwargs):
        if op not in _OPS:
            raise ValueError(f"TensorOp: expected one of {sorted(_OPS)}, received {op!r}")
        kwargs.setdefault("name", None)
        super().__init__(**kwargs)
        self.op = op
        self._fn = _OPS[op]

    def call(self, x, *args):
        if self.op == "getitem" and isinstance(args[0], list):  # keys come back from JSON as lists
            args = (tuple(args[0]),)
        return self._fn(x, *args)

    def get_config(self):
        config = super().get_config()
        config["op"] = self.op
        return config
