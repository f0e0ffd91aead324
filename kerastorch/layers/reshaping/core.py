"""The basic reshaping layers: ``Flatten``, ``Reshape``, ``Permute``, ``RepeatVector``.

Shapes and axes exclude the batch axis, as in Keras: ``Reshape((2, -1))`` on a
``(batch, 6)`` input gives ``(batch, 2, 3)``, and ``Permute((2, 1))`` swaps axes
1 and 2 of the full shape. ``Permute`` returns a view; ``RepeatVector`` returns a
new tensor (a copy, safe for in-place ops).

Example:
    >>> import torch
    >>> Flatten()(torch.ones(2, 3, 4)).shape
    torch.Size([2, 12])
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable, Sequence

import torch

from kerastorch import config
from kerastorch.backend.annotations import Shape
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.layers.base import Layer
from kerastorch.layers.input_spec import InputSpec
from kerastorch.layers.layer_utils import layer_label, positive_int
from kerastorch.serialization.object_registration import register_builtin


def _int_tuple(layer: Layer, arg: str, value: Any, valid: Callable[[Any], bool]) -> tuple[int, ...]:
    """``value`` as a tuple of ints each satisfying ``valid``, or a ValueError naming the layer."""
    try:
        items = tuple(value)
    except TypeError:
        items = None
    if items is None or not all(
        isinstance(d, (int, numbers.Integral)) and not isinstance(d, bool) and valid(d) for d in items
    ):
        raise ValueError(f"{layer_label(layer)}: invalid {arg}, received {arg}={value!r}")
    return tuple(int(d) for d in items)


@register_builtin("keras.layers")
class Flatten(Layer):
    """Flattens every axis but the batch axis; a ``(batch,)`` input becomes ``(batch, 1)``.

    With ``data_format="channels_first"`` the channel axis is moved last first, so
    the result matches a channels_last model flattening the same image.

    Args:
        data_format: ``"channels_last"`` or ``"channels_first"``, default None (``image_data_format()``): the
            inputs' layout; ``"channels_first"`` moves axis 1 last before flattening (inputs of rank 3 or more).
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        ``(batch, ...)``: at least 1D.

    Output shape:
        ``(batch, product of the other axes)``; ``(batch, 1)`` for a 1D input.

    Raises:
        ValueError: for an unknown ``data_format``, or a scalar input.

    Example:

    >>> import torch
    >>> Flatten(data_format="channels_first")(torch.arange(4.0).reshape(1, 2, 2)).tolist()
    [[0.0, 2.0, 1.0, 3.0]]
    """

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        data_format = config.image_data_format() if data_format is None else str(data_format).lower()
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(
                f"{layer_label(self)}: data_format must be 'channels_last' or 'channels_first', "
                f"received data_format={data_format!r}"
            )
        self.data_format = data_format
        self._channels_first = data_format == "channels_first"
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        if inputs.dim() == 1:
            return inputs.unsqueeze(1)
        if self._channels_first and inputs.dim() > 2:
            inputs = inputs.movedim(1, -1)
        return inputs.flatten(1)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


@register_builtin("keras.layers")
class Reshape(Layer):
    """Reshapes each sample to ``target_shape``; one entry may be -1 (inferred).

    Args:
        target_shape: tuple of ints: the shape of each sample, the batch axis excluded; positive sizes and at
            most one -1, which takes the size that keeps the number of values.
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        ``(batch, ...)``: any shape whose samples hold as many values as ``target_shape``.

    Output shape:
        ``(batch,) + target_shape``, with -1 resolved.

    Raises:
        ValueError: for a ``target_shape`` that is not a tuple of positive ints and at most one -1, or inputs
            whose samples do not hold a matching number of values.

    Example:

    >>> import torch
    >>> Reshape((-1, 2))(torch.ones(3, 8)).shape
    torch.Size([3, 4, 2])
    """

    def __init__(self, target_shape: Sequence[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        target = _int_tuple(self, "target_shape", target_shape, lambda d: d >= 1 or d == -1)
        if target.count(-1) > 1:
            raise ValueError(
                f"{layer_label(self)}: target_shape may contain at most one -1, received target_shape={target}"
            )
        self.target_shape = target
        self._known_size = math.prod(d for d in target if d != -1)

    def _resolve(self, input_shape):
        """``target_shape`` with -1 filled in for ``input_shape`` (None where unknown); checks sizes."""
        dims = tuple(input_shape)[1:]
        if any(d is None for d in dims):
            return tuple(None if d == -1 else d for d in self.target_shape)
        size = math.prod(dims)
        infer = -1 in self.target_shape
        if (infer and size % self._known_size) or (not infer and size != self._known_size):
            raise ValueError(
                f"{layer_label(self)}: cannot reshape inputs of shape {tuple(input_shape)} ({size} values per "
                f"sample) to target_shape {self.target_shape} ({self._known_size} values"
                f"{' times the inferred -1 axis' if infer else ''})"
            )
        return tuple(size // self._known_size if d == -1 else d for d in self.target_shape)

    def build(self, input_shape: Sequence[int | None]) -> None:
        self._resolve(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        return (input_shape[0],) + self._resolve(input_shape)

    def compute_output_spec(self, inputs: KerasTensor, *args: Any, **kwargs: Any) -> KerasTensor:
        return KerasTensor(self.compute_output_shape(inputs.shape), inputs.dtype)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        try:
            return inputs.reshape((inputs.shape[0],) + self.target_shape)
        except RuntimeError:  # a size mismatch (clear error below) or -1 with an empty batch
            return inputs.reshape((inputs.shape[0],) + self._resolve(inputs.shape))

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["target_shape"] = list(self.target_shape)
        return config


@register_builtin("keras.layers")
class Permute(Layer):
    """Permutes the non-batch axes; ``dims`` is a permutation of ``1 .. rank - 1``.

    The output is a view of the input (no copy).

    Args:
        dims: tuple of ints: the permutation, numbered from 1 (the batch axis 0 stays first); ``(2, 1)`` swaps
            the first two axes after the batch.
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        ``(batch, d1, ..., dn)`` with ``n = len(dims)``.

    Output shape:
        ``(batch,)`` followed by the input's sizes in the order ``dims`` names them.

    Raises:
        ValueError: for ``dims`` that are not a permutation of ``1 .. len(dims)``, or inputs of another rank.

    Example:

    >>> import torch
    >>> Permute((2, 1))(torch.ones(5, 3, 4)).shape
    torch.Size([5, 4, 3])
    """

    def __init__(self, dims: Sequence[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        dims = _int_tuple(self, "dims", dims, lambda d: True)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(
                f"{layer_label(self)}: dims must be a permutation of the axes 1 .. {len(dims)} "
                f"(the batch axis 0 excluded), received dims={dims}"
            )
        self.dims = dims
        self._permutation = (0,) + dims
        self.input_spec = InputSpec(ndim=len(dims) + 1)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return inputs.permute(self._permutation)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["dims"] = list(self.dims)
        return config


@register_builtin("keras.layers")
class RepeatVector(Layer):
    """Repeats a ``(batch, features)`` input ``n`` times: ``(batch, n, features)``.

    The output is a new tensor (a copy).

    Args:
        n: int, positive: how many times to repeat each sample.
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        2D tensor ``(batch, features)``.

    Output shape:
        3D tensor ``(batch, n, features)``.

    Raises:
        ValueError: for an ``n`` that is not a positive int, or inputs that are not 2D.

    Example:

    >>> import torch
    >>> RepeatVector(3)(torch.ones(2, 4)).shape
    torch.Size([2, 3, 4])
    """

    def __init__(self, n: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.n = positive_int(self, "n", n)
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return inputs.unsqueeze(1).repeat(1, self.n, 1)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["n"] = self.n
        return config
