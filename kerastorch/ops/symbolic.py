"""Keras ops on symbolic tensors: ``ops.concatenate([a, b])`` on ``keras.Input`` tensors records a graph node.

Every public op is wrapped once, when ``kerastorch.ops`` is imported: the wrapper calls the op, and only when the
call fails *and* some argument is a :class:`~kerastorch.backend.keras_tensor.KerasTensor` does it hand the call to
a :class:`~kerastorch.layers.tensor_op.TensorOp` layer naming the op (``"ops.concatenate"``). That layer infers the
output shape on fake tensors and replays the op when the model runs, and its config holds only the op's name, so
a saved model loads without code. On real tensors the wrapper costs one extra Python call and nothing else.

Example:
    >>> import kerastorch
    >>> from kerastorch import ops
    >>> a, b = kerastorch.Input((2,)), kerastorch.Input((3,))
    >>> ops.concatenate([a, b], axis=-1).shape
    (None, 5)
"""
import functools

from kerastorch.backend.keras_tensor import is_symbolic


def symbolic_dispatch(fn, name):
    """``fn`` that also records a ``TensorOp("ops.<name>")`` node when it is called on KerasTensors."""

    @functools.wraps(fn)
    def op(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception:
            if not is_symbolic((args, kwargs)):
                raise
        from kerastorch.layers.tensor_op import TensorOp

        return TensorOp(f"ops.{name}")(*args, **kwargs)

    op.__wrapped_op__ = fn
    return op


def wrap_namespaces(modules):
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
