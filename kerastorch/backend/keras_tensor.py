"""Symbolic tensors for the functional API, and shape inference without compute.

``keras.Input(shape=(4,))`` returns a :class:`KerasTensor`: a shape (``None`` for
unknown dimensions), a dtype and the layer call that produced it. Calling a layer on
KerasTensors runs the layer's ``call`` on torch *fake* tensors (no data, no compute),
once per concrete stand-in size for the unknown dimensions, inside a ``SymbolicScope``; output
dimensions that follow the stand-in are unknown (``None``) in the result. Keras masks travel too: a
KerasTensor's ``_keras_mask`` (itself a boolean KerasTensor) reaches the fake run on
its stand-in, and the masks the layers attach to their fake outputs come back as the
outputs' ``_keras_mask``, so ``Embedding(mask_zero=True)(inputs)._keras_mask`` is known
while the graph is built.

Example:
    >>> x = KerasTensor((None, 4))
    >>> x.shape
    (None, 4)
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator, NoReturn, Sequence

import torch

from kerastorch import config, tree
from kerastorch.backend.annotations import DeviceLike, DTypeLike
from kerastorch.backend.symbolic_scope import SymbolicScope
from kerastorch.backend.torch_internals import FakeTensorMode, unset_fake_temporarily

# Two stand-in sizes for unknown dimensions: a dimension of the output that differs
# between the two runs depends on an unknown input dimension and becomes None.
_STAND_INS = (7, 11)


class KerasTensor:
    """A symbolic tensor: shape, dtype, and the node that produced it.

    ``keras.Input`` and layers called on KerasTensors make them; they hold no data. Arithmetic
    (``+ - * / ** @``, negation, ``abs``) and indexing on them add ops to the functional graph; ``len``,
    ``bool`` and iteration raise ``TypeError`` (the values are not known until the model runs).

    Args:
        shape: Tuple of ints or None, the shape (None for an unknown dimension, such as the batch).
        dtype: Dtype name or dtype (anything ``keras.config.standardize_dtype`` takes).
            Defaults to ``"float32"``.
        name: String or None, the tensor's name. Defaults to None.

    Raises:
        ValueError: If ``dtype`` names no torch dtype.

    >>> x = KerasTensor((None, 3), dtype="int32", name="ids")
    >>> x
    <KerasTensor shape=(None, 3), dtype=int32, name=ids>
    >>> x.ndim
    2
    """

    def __init__(self, shape: Sequence[int | None], dtype: DTypeLike = "float32", name: str | None = None) -> None:
        self.shape: tuple[int | None, ...] = tuple(None if d is None else int(d) for d in shape)
        self.dtype: str = config.standardize_dtype(dtype)
        self.name = name
        self._keras_history: tuple[Any, int, int] | None = None  # (operation, node_index, tensor_index)
        self._keras_mask: KerasTensor | None = None  # a boolean KerasTensor when a layer attached a mask

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __len__(self) -> NoReturn:
        raise TypeError("A KerasTensor is symbolic: its length is not known until the model runs.")

    def __bool__(self) -> NoReturn:
        raise TypeError("A KerasTensor is symbolic: it has no truth value. Use a layer or ops inside the model.")

    def __iter__(self) -> NoReturn:
        raise TypeError("A KerasTensor is symbolic and cannot be iterated.")

    # Arithmetic and indexing record graph nodes (TensorOp layers, see record_operation).
    def _op(self, name: str, *args: Any) -> KerasTensor:
        return record_operation(name, self, *args)

    def __add__(self, other: Any) -> KerasTensor:
        return self._op("add", other)

    def __radd__(self, other: Any) -> KerasTensor:
        return self._op("radd", other)

    def __sub__(self, other: Any) -> KerasTensor:
        return self._op("sub", other)

    def __rsub__(self, other: Any) -> KerasTensor:
        return self._op("rsub", other)

    def __mul__(self, other: Any) -> KerasTensor:
        return self._op("mul", other)

    def __rmul__(self, other: Any) -> KerasTensor:
        return self._op("rmul", other)

    def __truediv__(self, other: Any) -> KerasTensor:
        return self._op("truediv", other)

    def __rtruediv__(self, other: Any) -> KerasTensor:
        return self._op("rtruediv", other)

    def __pow__(self, other: Any) -> KerasTensor:
        return self._op("pow", other)

    def __matmul__(self, other: Any) -> KerasTensor:
        return self._op("matmul", other)

    def __neg__(self) -> KerasTensor:
        return self._op("neg")

    def __abs__(self) -> KerasTensor:
        return self._op("abs")

    def __getitem__(self, key: Any) -> KerasTensor:
        return self._op("getitem", key)


_RECORDER: list[Callable[[str], Callable[..., Any]]] = []


def set_operation_recorder(recorder: Callable[[str], Callable[..., Any]]) -> None:
    """Install how an operation on KerasTensors becomes a graph node: ``recorder(name)`` returns a callable layer.

    ``kerastorch.layers.tensor_op`` installs its ``TensorOp`` layer when it is imported: the layers sit above
    the backend, so the backend cannot import them, and ``kerastorch``'s ``__init__`` imports the layers before
    any KerasTensor can exist (``keras.Input`` is a layer).

    Args:
        recorder: callable ``(name) -> layer``: ``name`` is a Python operator (``"add"``, ``"getitem"`` ...) or
            ``"ops.<function>"`` of the ``kerastorch.ops`` namespace.
    """
    _RECORDER[:] = [recorder]


def record_operation(name: str, *args: Any, **kwargs: Any) -> Any:
    """Apply the operation ``name`` to KerasTensor arguments: a graph node, which replays when the model runs.

    Args:
        name: str, the operation (see :func:`set_operation_recorder`).
        *args: the operands, KerasTensors among them.
        **kwargs: the operation's keyword arguments.

    Returns:
        The KerasTensor(s) the node outputs.

    Raises:
        RuntimeError: when no recorder is installed (``kerastorch.layers`` not imported).

    Example:
        >>> import kerastorch
        >>> record_operation("add", kerastorch.Input((3,)), 1.0).shape
        (None, 3)
    """
    if not _RECORDER:
        raise RuntimeError(
            f"record_operation({name!r}): no operation recorder is installed; import kerastorch "
            "(its layers install one) before operating on KerasTensors"
        )
    return _RECORDER[0](name)(*args, **kwargs)


def is_symbolic(structure: Any) -> bool:
    """True when any leaf of ``structure`` is a KerasTensor."""
    return any(isinstance(x, KerasTensor) for x in tree.flatten(structure))


@contextlib.contextmanager
def real_tensors() -> Iterator[None]:
    """Leave fake-tensor mode inside a symbolic call (to create real weights)."""
    with unset_fake_temporarily():
        yield


def compute_output_spec(
    fn: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any], device: DeviceLike = None
) -> Any:
    """Run ``fn(*args, **kwargs)`` on fake tensors standing in for the KerasTensors
    in ``args``/``kwargs`` (placed on ``device``); return the output structure with
    KerasTensors as leaves."""
    has_unknown = any(d is None for x in tree.flatten((args, kwargs)) if isinstance(x, KerasTensor) for d in x.shape)
    runs = []
    for size in _STAND_INS[: 2 if has_unknown else 1]:
        with SymbolicScope(), FakeTensorMode(allow_non_fake_inputs=True):
            fake_args, fake_kwargs = tree.map_structure(
                lambda x: _fake_like(x, size, device) if isinstance(x, KerasTensor) else x, (args, kwargs)
            )
            with torch.no_grad():
                outputs = fn(*fake_args, **fake_kwargs)
        runs.append(outputs)
    first = tree.flatten(runs[0])
    other = tree.flatten(runs[-1])
    specs = [_spec_of(a, b) for a, b in zip(first, other)]
    return tree.pack_sequence_as(runs[0], specs)


def _spec_of(a, b):
    """The KerasTensor for output ``a`` of the first run and ``b`` of the last (with its mask)."""
    if not isinstance(a, torch.Tensor):
        return a
    spec = KerasTensor(tuple(da if da == db else None for da, db in zip(a.shape, b.shape)), a.dtype)
    mask_a, mask_b = getattr(a, "_keras_mask", None), getattr(b, "_keras_mask", None)
    if isinstance(mask_a, torch.Tensor) and isinstance(mask_b, torch.Tensor):
        spec._keras_mask = _spec_of(mask_a, mask_b)
    return spec


def _fake_like(keras_tensor, size, device):
    # Called inside FakeTensorMode: torch.empty makes a fake tensor, nothing is allocated.
    shape = tuple(size if d is None else d for d in keras_tensor.shape)
    fake = torch.empty(shape, dtype=config.torch_dtype(keras_tensor.dtype), device=device or "cpu")
    mask = keras_tensor._keras_mask
    if isinstance(mask, KerasTensor):
        fake._keras_mask = _fake_like(mask, size, device)
    return fake
