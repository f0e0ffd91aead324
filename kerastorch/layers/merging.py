"""Merging layers: ``Add``, ``Subtract``, ``Multiply``, ``Average``, ``Maximum``, ``Minimum``,
``Concatenate``, ``Dot``, and their functional forms ``add(inputs)``, ``concatenate(inputs)`` ...

Elementwise merges follow Keras's broadcasting: inputs of different ranks get
new axes right after the batch axis (so trailing axes line up and the batch
axis stays the batch axis), then numpy broadcasting applies. Their masks merge
as Keras 3 does: None when any input mask is None, else the logical OR.

``Dot`` contracts one axis of each input per sample (Keras's ``batch_dot``):
the result has the remaining axes of the first input, then those of the second,
and two vectors give ``(batch, 1)``.

Example:
    >>> add([torch.ones(2, 3), torch.ones(2, 3)]).tolist()
    [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]]
"""

from __future__ import annotations

import functools
import math
import numbers
from typing import Any, Callable, Sequence

import torch
import torch.nn.functional as F

from kerastorch import config
from kerastorch.backend.annotations import Shape, TensorLike
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.layers.base import Layer
from kerastorch.layers.layer_utils import layer_label
from kerastorch.serialization.object_registration import register_builtin


def _shape_str(shape):
    return str(tuple(shape))


def _batch_size(shapes):
    return next((s[0] for s in shapes if s[0] is not None), None)


class _Merge(Layer):
    """Base of the merging layers: validates the list of inputs, merges masks."""

    _n_inputs: int | None = None  # an exact number of inputs, when the layer needs one

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def _input_shapes(self, input_shape):
        """The list of input shapes, or a ValueError naming the layer."""
        shapes = input_shape
        if not isinstance(shapes, (list, tuple)) or not shapes or not all(isinstance(s, (list, tuple)) for s in shapes):
            raise ValueError(
                f"{layer_label(self)}: expected a list of input tensors, received a single input "
                f"of shape {_shape_str(shapes) if shapes is not None else None}"
            )
        if self._n_inputs is not None and len(shapes) != self._n_inputs:
            raise ValueError(
                f"{layer_label(self)}: expected exactly {self._n_inputs} inputs, received {len(shapes)} "
                f"with shapes {[tuple(s) for s in shapes]}"
            )
        batch_sizes = {s[0] for s in shapes if len(s) and s[0] is not None}
        if len(batch_sizes) > 1:
            raise ValueError(
                f"{layer_label(self)}: cannot merge tensors with different batch sizes, received "
                f"shapes {[tuple(s) for s in shapes]}"
            )
        return [tuple(s) for s in shapes]

    def _check_call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"{layer_label(self)}: expected a list of input tensors, received {type(inputs).__name__}")
        if self._n_inputs is not None and len(inputs) != self._n_inputs:
            raise ValueError(f"{layer_label(self)}: expected exactly {self._n_inputs} inputs, received {len(inputs)}")

    def build(self, input_shape: Sequence[Sequence[int | None]]) -> None:
        self.compute_output_shape(input_shape)  # validates the shapes
        self.built = True

    def compute_output_spec(self, inputs: Sequence[KerasTensor], *args: Any, **kwargs: Any) -> KerasTensor:
        """The output KerasTensor from :meth:`compute_output_shape` (exact with unknown dimensions)."""
        self._check_call(inputs)
        dtype = functools.reduce(torch.promote_types, [config.torch_dtype(x.dtype) for x in inputs])
        return KerasTensor(self.compute_output_shape([x.shape for x in inputs]), config.standardize_dtype(dtype))

    def compute_mask(
        self, inputs: Sequence[Any], mask: Sequence[TensorLike | None] | None = None
    ) -> torch.Tensor | None:
        """None when any mask is None, else the OR of the masks."""
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)) or len(mask) != len(inputs):
            raise ValueError(
                f"{layer_label(self)}: mask must be a list with one entry per input ({len(inputs)}), received {mask!r}"
            )
        if any(m is None for m in mask):
            return None
        merged = torch.as_tensor(mask[0]).bool()
        for m in mask[1:]:
            merged = torch.logical_or(merged, torch.as_tensor(m, device=merged.device))
        return merged


def _broadcast(layer, shapes):
    """The broadcast shape of the non-batch axes, aligned on the right; a ValueError if incompatible."""
    width = max(len(s) for s in shapes) - 1
    out = [1] * width
    for shape in shapes:
        padded = (1,) * (width - len(shape) + 1) + tuple(shape[1:])
        for i, d in enumerate(padded):
            current = out[i]
            if d == 1 or d == current or (d is None and current != 1):
                continue
            if current == 1 or current is None:
                out[i] = d
            else:
                raise ValueError(
                    f"{layer_label(layer)}: inputs have incompatible shapes {shapes}: sizes {current} "
                    f"and {d} cannot broadcast (non-batch axes aligned on the right)"
                )
    return tuple(out)


class _ElementwiseMerge(_Merge):
    """Folds the inputs with a binary torch op (``_op``) from left to right, as Keras does."""

    _op: Callable[..., torch.Tensor] | None = None

    def compute_output_shape(self, input_shape: Sequence[Sequence[int | None]]) -> Shape:
        shapes = self._input_shapes(input_shape)
        return (_batch_size(shapes),) + _broadcast(self, shapes)

    def build(self, input_shape: Sequence[Sequence[int | None]]) -> None:
        super().build(input_shape)
        self._ranks_differ = len({len(s) for s in input_shape}) > 1

    def call(self, inputs: Sequence[torch.Tensor]) -> torch.Tensor:
        self._check_call(inputs)
        if self._ranks_differ:
            rank = max(x.dim() for x in inputs)
            inputs = [x.reshape(x.shape[:1] + (1,) * (rank - x.dim()) + x.shape[1:]) for x in inputs]
        try:
            return self._merge(inputs)
        except RuntimeError as error:
            raise ValueError(
                f"{layer_label(self)}: inputs have incompatible shapes {[tuple(x.shape) for x in inputs]} ({error})"
            ) from None

    def _merge(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = self._op(output, x)
        return output


@register_builtin("keras.layers")
class Add(_ElementwiseMerge):
    """Sum of the inputs: ``Add()([a, b])`` is ``a + b``.

    Masks of the inputs are merged: None when any is None, else their logical OR.

    Args:
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        A list of tensors ``(batch_size, ...)`` that broadcast together once new axes are added right
        after the batch axis of the lower-rank ones.

    Output shape:
        The broadcast shape of the inputs.

    Raises:
        ValueError: the inputs are not a list, have different batch sizes or shapes that do not
            broadcast.

    >>> Add()([torch.ones(1, 2), torch.ones(1, 2)]).tolist()
    [[2.0, 2.0]]
    """

    _op = torch.add


@register_builtin("keras.layers")
class Subtract(_ElementwiseMerge):
    """Difference of exactly two inputs: ``Subtract()([a, b])`` is ``a - b``.

    Masks of the inputs are merged: None when any is None, else their logical OR.

    Args:
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        A list of tensors ``(batch_size, ...)`` that broadcast together once new axes are added right
        after the batch axis of the lower-rank ones.

    Output shape:
        The broadcast shape of the inputs.

    Raises:
        ValueError: the inputs are not a list of exactly two tensors, have different batch sizes or shapes that do not
            broadcast.

    >>> Subtract()([torch.ones(1, 2), torch.ones(1, 2)]).tolist()
    [[0.0, 0.0]]
    """

    _op = torch.sub
    _n_inputs = 2


@register_builtin("keras.layers")
class Multiply(_ElementwiseMerge):
    """Elementwise product of the inputs.

    Masks of the inputs are merged: None when any is None, else their logical OR.

    Args:
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        A list of tensors ``(batch_size, ...)`` that broadcast together once new axes are added right
        after the batch axis of the lower-rank ones.

    Output shape:
        The broadcast shape of the inputs.

    Raises:
        ValueError: the inputs are not a list, have different batch sizes or shapes that do not
            broadcast.

    >>> Multiply()([torch.full((1, 2), 2.0), torch.full((1, 2), 3.0)]).tolist()
    [[6.0, 6.0]]
    """

    _op = torch.mul


@register_builtin("keras.layers")
class Average(_ElementwiseMerge):
    """Elementwise mean of the inputs (their sum divided by their number).

    Masks of the inputs are merged: None when any is None, else their logical OR.

    Args:
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        A list of tensors ``(batch_size, ...)`` that broadcast together once new axes are added right
        after the batch axis of the lower-rank ones.

    Output shape:
        The broadcast shape of the inputs.

    Raises:
        ValueError: the inputs are not a list, have different batch sizes or shapes that do not
            broadcast.

    >>> Average()([torch.zeros(1, 2), torch.full((1, 2), 2.0)]).tolist()
    [[1.0, 1.0]]
    """

    _op = torch.add

    def _merge(self, inputs):
        return super()._merge(inputs) / len(inputs)


@register_builtin("keras.layers")
class Maximum(_ElementwiseMerge):
    """Elementwise maximum of the inputs.

    Masks of the inputs are merged: None when any is None, else their logical OR.

    Args:
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        A list of tensors ``(batch_size, ...)`` that broadcast together once new axes are added right
        after the batch axis of the lower-rank ones.

    Output shape:
        The broadcast shape of the inputs.

    Raises:
        ValueError: the inputs are not a list, have different batch sizes or shapes that do not
            broadcast.

    >>> Maximum()([torch.tensor([[1.0, 5.0]]), torch.tensor([[3.0, 2.0]])]).tolist()
    [[3.0, 5.0]]
    """

    _op = torch.maximum


@register_builtin("keras.layers")
class Minimum(_ElementwiseMerge):
    """Elementwise minimum of the inputs.

    Masks of the inputs are merged: None when any is None, else their logical OR.

    Args:
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        A list of tensors ``(batch_size, ...)`` that broadcast together once new axes are added right
        after the batch axis of the lower-rank ones.

    Output shape:
        The broadcast shape of the inputs.

    Raises:
        ValueError: the inputs are not a list, have different batch sizes or shapes that do not
            broadcast.

    >>> Minimum()([torch.tensor([[1.0, 5.0]]), torch.tensor([[3.0, 2.0]])]).tolist()
    [[1.0, 2.0]]
    """

    _op = torch.minimum


def _int_axis(layer, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, numbers.Integral)):
        raise ValueError(f"{layer_label(layer)}: {name} must be an int, received {name}={value!r}")
    return int(value)


@register_builtin("keras.layers")
class Concatenate(_Merge):
    """Concatenates the inputs along ``axis``; every other axis must match.

    When any input carries a mask, the output mask is the input masks (all True for an input without
    one) joined along ``axis``, reduced with ``any`` over the last axis.

    Args:
        axis: int, default -1: the axis to concatenate along.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        A list of tensors of one rank whose sizes agree on every axis but ``axis``.

    Output shape:
        The common shape, with the sizes along ``axis`` summed.

    Raises:
        ValueError: ``axis`` is not an int; the inputs are not a list, have different ranks, an ``axis``
            out of range or sizes that differ on another axis.

    >>> Concatenate()([torch.ones(2, 3), torch.zeros(2, 1)]).shape
    torch.Size([2, 4])
    """

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = _int_axis(self, "axis", axis)

    def compute_output_shape(self, input_shape: Sequence[Sequence[int | None]]) -> Shape:
        shapes = self._input_shapes(input_shape)
        rank = len(shapes[0])
        if any(len(s) != rank for s in shapes) or not -rank <= self.axis < rank:
            raise ValueError(
                f"{layer_label(self)}: expected inputs of one rank with axis {self.axis} in range, "
                f"received shapes {shapes}"
            )
        axis = self.axis % rank
        output = []
        for i in range(rank):
            sizes = [s[i] for s in shapes]
            if i == axis:
                output.append(None if None in sizes else sum(sizes))
                continue
            known = {d for d in sizes if d is not None}
            if len(known) > 1:
                raise ValueError(
                    f"{layer_label(self)}: inputs must match on every axis but the concatenation axis "
                    f"{self.axis}, received shapes {shapes} (axis {i} differs)"
                )
            output.append(known.pop() if known else None)
        return tuple(output)

    def call(self, inputs: list[torch.Tensor] | tuple[torch.Tensor, ...]) -> torch.Tensor:
        self._check_call(inputs)
        try:
            return torch.cat(inputs, dim=self.axis)
        except (RuntimeError, IndexError) as error:
            raise ValueError(
                f"{layer_label(self)}: cannot concatenate inputs of shapes "
                f"{[tuple(x.shape) for x in inputs]} along axis {self.axis} ({error})"
            ) from None

    def compute_mask(
        self, inputs: Sequence[Any], mask: Sequence[TensorLike | None] | None = None
    ) -> torch.Tensor | None:
        """The input masks (all-True for a missing one) joined along ``axis``, then ``any`` over the last axis."""
        if mask is None or all(m is None for m in mask):
            return None
        device = next(torch.as_tensor(m).device for m in mask if m is not None)
        masks = []
        for x, m in zip(inputs, mask):
            shape = tuple(x.shape)
            if m is None:
                m = torch.ones(shape, dtype=torch.bool, device=device)
            else:
                m = torch.as_tensor(m, device=device).bool()
                if m.dim() < len(shape):
                    m = m.unsqueeze(-1).expand(shape)
            masks.append(m)
        return torch.cat(masks, dim=self.axis).any(dim=-1)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["axis"] = self.axis
        return config


def _batch_dot(x, y, x_axis, y_axis):
    """Per-sample contraction of ``x``'s ``x_axis`` with ``y``'s ``y_axis`` (both non-batch)."""
    x = x.movedim(x_axis, -1)
    y = y.movedim(y_axis, 1)
    batch, size = x.shape[0], x.shape[-1]
    x_rest, y_rest = tuple(x.shape[1:-1]), tuple(y.shape[2:])
    out = torch.bmm(x.reshape(batch, math.prod(x_rest), size), y.reshape(batch, size, math.prod(y_rest)))
    return out.reshape((batch,) + x_rest + y_rest) if x_rest or y_rest else out.reshape(batch, 1)


@register_builtin("keras.layers")
class Dot(_Merge):
    """Dot product of two inputs along ``axes`` (an int for both, or one per input), per sample.

    With ``normalize=True`` both inputs are L2-normalized along their axis first
    (``x / max(||x||, epsilon)``), which gives the cosine similarity; a zero
    vector gives 0 with a finite gradient (Keras 3's gradient there is NaN). The output has no mask.

    Args:
        axes: int or pair of ints: the axis to contract, one for both inputs or one per input (negative
            values count from the end; the batch axis 0 cannot be contracted).
        normalize: bool, default False: whether to L2-normalize both inputs along their axis first.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        A list of two tensors of rank 2 or more, ``(batch_size, ...)``, with the same size on their
        contracted axes.

    Output shape:
        ``(batch_size,)`` followed by the remaining axes of the first input and then of the second;
        ``(batch_size, 1)`` for two vectors.

    Raises:
        ValueError: ``axes`` is not an int or a pair of ints; the inputs are not a list of two tensors
            of rank 2 or more, ``axes`` is out of range or names the batch axis, or the contracted sizes
            differ.

    >>> Dot(axes=1)([torch.ones(2, 3), torch.ones(2, 3)]).tolist()
    [[3.0], [3.0]]
    """

    _n_inputs = 2

    def __init__(self, axes: int | Sequence[int], normalize: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(axes, (list, tuple)):
            if len(axes) != 2:
                raise ValueError(f"{layer_label(self)}: axes must be an int or a pair of ints, received axes={axes!r}")
            self.axes = [_int_axis(self, "axes", a) for a in axes]
        else:
            self.axes = _int_axis(self, "axes", axes)
        self.normalize = bool(normalize)
        self.supports_masking = False
        self._built_axes = None

    def _axes_for(self, rank1, rank2):
        pair = (self.axes, self.axes) if isinstance(self.axes, int) else self.axes
        if not (-rank1 <= pair[0] < rank1 and -rank2 <= pair[1] < rank2):
            raise ValueError(
                f"{layer_label(self)}: axes={self.axes} is out of range for inputs of ranks {rank1} and {rank2}"
            )
        axes = (pair[0] % rank1, pair[1] % rank2)
        if 0 in axes:
            raise ValueError(
                f"{layer_label(self)}: cannot contract the batch axis 0, received axes={self.axes} "
                f"for inputs of ranks {rank1} and {rank2}"
            )
        return axes

    def compute_output_shape(self, input_shape: Sequence[Sequence[int | None]]) -> Shape:
        shape1, shape2 = self._input_shapes(input_shape)
        if len(shape1) < 2 or len(shape2) < 2:
            raise ValueError(
                f"{layer_label(self)}: expected inputs of rank >= 2, received shapes {shape1} and {shape2}"
            )
        a1, a2 = self._axes_for(len(shape1), len(shape2))
        if shape1[a1] is not None and shape2[a2] is not None and shape1[a1] != shape2[a2]:
            raise ValueError(
                f"{layer_label(self)}: incompatible input shapes: axis {a1} of {shape1} has size "
                f"{shape1[a1]} but axis {a2} of {shape2} has size {shape2[a2]}"
            )
        rest = shape1[1:a1] + shape1[a1 + 1 :] + shape2[1:a2] + shape2[a2 + 1 :]
        return (_batch_size([shape1, shape2]),) + (rest or (1,))

    def build(self, input_shape: Sequence[Sequence[int | None]]) -> None:
        super().build(input_shape)
        shape1, shape2 = input_shape
        self._built_axes = (len(shape1), len(shape2)) + self._axes_for(len(shape1), len(shape2))

    def call(self, inputs: Sequence[torch.Tensor]) -> torch.Tensor:
        self._check_call(inputs)
        x1, x2 = inputs
        built = self._built_axes
        if built is not None and built[0] == x1.dim() and built[1] == x2.dim():
            a1, a2 = built[2], built[3]
        else:
            a1, a2 = self._axes_for(x1.dim(), x2.dim())
        if self.normalize:
            x1 = F.normalize(x1, dim=a1, eps=config.epsilon())
            x2 = F.normalize(x2, dim=a2, eps=config.epsilon())
        try:
            return _batch_dot(x1, x2, a1, a2)
        except RuntimeError:
            raise ValueError(
                f"{layer_label(self)}: incompatible input shapes: axis {a1} of {tuple(x1.shape)} has size "
                f"{x1.shape[a1]} but axis {a2} of {tuple(x2.shape)} has size {x2.shape[a2]}"
            ) from None

    def compute_mask(self, inputs: Sequence[Any], mask: Any = None) -> None:
        """Dot drops masks: always None."""
        return None

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"axes": self.axes, "normalize": self.normalize})
        return config


def _functional_form(cls: type[_Merge]) -> Callable[..., torch.Tensor | KerasTensor]:
    name = cls.__name__.lower()

    def merge(inputs: Sequence[TensorLike | KerasTensor], **kwargs: Any) -> torch.Tensor | KerasTensor:
        return cls(**kwargs)(inputs)

    merge.__name__ = merge.__qualname__ = name
    count = "exactly two tensors" if cls._n_inputs == 2 else "tensors"
    merge.__doc__ = (
        f"Functional form of :class:`{cls.__name__}`: ``{name}(inputs, **kwargs)`` creates the "
        f"layer with ``kwargs`` and calls it on the list ``inputs``.\n\n"
        f"    Args:\n"
        f"        inputs: list of {count}: the inputs to merge (broadcast as "
        f":class:`{cls.__name__}` does).\n"
        f"        **kwargs: arguments of the :class:`{cls.__name__}` layer (``name``, ``dtype``, ...).\n\n"
        f"    Returns:\n        The merged tensor (a KerasTensor for symbolic inputs).\n\n"
        f"    Raises:\n        ValueError: inputs that :class:`{cls.__name__}` refuses (see there).\n\n"
        f"    >>> {name}([torch.ones(1, 2), torch.ones(1, 2)]).shape\n    torch.Size([1, 2])\n"
    )
    return merge


add = _functional_form(Add)
subtract = _functional_form(Subtract)
multiply = _functional_form(Multiply)
average = _functional_form(Average)
maximum = _functional_form(Maximum)
minimum = _functional_form(Minimum)


def concatenate(
    inputs: Sequence[TensorLike | KerasTensor], axis: int = -1, **kwargs: Any
) -> torch.Tensor | KerasTensor:
    """Functional form of :class:`Concatenate`: joins ``inputs`` along ``axis``.

    Args:
        inputs: list of tensors: the tensors to concatenate; they must agree on every axis but ``axis``.
        axis: int, default -1: the axis to concatenate along.
        **kwargs: other arguments of the :class:`Concatenate` layer (``name``, ``dtype``, ...).

    Returns:
        The concatenated tensor (a KerasTensor for symbolic inputs).

    Raises:
        ValueError: inputs that :class:`Concatenate` refuses (different ranks, mismatched sizes).

    >>> concatenate([torch.ones(1, 2), torch.ones(1, 3)]).shape
    torch.Size([1, 5])
    """
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(
    inputs: Sequence[TensorLike | KerasTensor], axes: int | Sequence[int] = -1, normalize: bool = False, **kwargs: Any
) -> torch.Tensor | KerasTensor:
    """Functional form of :class:`Dot`: the per-sample dot product of two tensors along ``axes``.

    Args:
        inputs: list of two tensors: the tensors to contract.
        axes: int or pair of ints, default -1: the axis to contract, one for both inputs or one per input.
        normalize: bool, default False: whether to L2-normalize both inputs along their axis first (the
            result is then the cosine similarity).
        **kwargs: other arguments of the :class:`Dot` layer (``name``, ``dtype``, ...).

    Returns:
        The contracted tensor (a KerasTensor for symbolic inputs), ``(batch_size, 1)`` for two vectors.

    Raises:
        ValueError: inputs that :class:`Dot` refuses (not two tensors, mismatched contracted sizes).

    >>> dot([torch.ones(1, 3), torch.ones(1, 3)], axes=1).tolist()
    [[3.0]]
    """
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
