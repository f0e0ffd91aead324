"""``CategoryEncoding``: integer ids to one-hot, multi-hot or count vectors of length ``num_tokens``.

Modes, as Keras 3 computes them (on its torch backend):

- ``"one_hot"`` encodes every element: ``(..., num_tokens)`` is appended, except that a last axis of size 1
  (on inputs of rank >= 2) is replaced (``(batch, 1) -> (batch, num_tokens)``). One ``F.one_hot`` call.
- ``"multi_hot"`` / ``"count"`` reduce one axis of samples: the only axis of a rank-1 input (the whole vector is
  one sample, output ``(num_tokens,)``), otherwise axis 1 (``(batch, length) -> (batch, num_tokens)``). One
  ``scatter`` / ``scatter_add`` into a zero tensor, never a ``(..., length, num_tokens)`` one-hot intermediate.
  ``count`` adds ``count_weights`` (same shape as the inputs, or broadcastable to it) instead of ones.
  For inputs of rank >= 3 Keras 3 reduces axis 1 when it runs but reports the last axis reduced in its symbolic
  shapes; kerastorch reduces axis 1 in both (its symbolic shapes describe the tensors it returns).

Outputs are in the layer's ``dtype`` (float32 by default); ``count`` with ``count_weights`` in the compute dtype,
as in Keras. A scalar input is one sample of length 1.

Ids outside ``[0, num_tokens)`` raise a ValueError naming the layer. That check reads one boolean back from the
device per call (a host sync): accepted here because this is input preprocessing, usually run on the CPU before
the model. (Keras 3's torch backend raises for ids that are too large and silently encodes negative ids as zero
rows.) The check is skipped on fake tensors (symbolic shape inference) and inside ``torch.compile``.

``sparse=True`` (sparse outputs) is not supported and raises a ValueError.

Example:
    >>> layer = CategoryEncoding(num_tokens=4, output_mode="one_hot")
    >>> layer(torch.tensor([3, 2, 0, 1]))
    tensor([[0., 0., 0., 1.],
            [0., 0., 1., 0.],
            [1., 0., 0., 0.],
            [0., 1., 0., 0.]])
"""

from __future__ import annotations

import numbers
from typing import Any, Sequence

import torch
import torch.nn.functional as F

from kerastorch import config
from kerastorch.backend.annotations import Shape, TensorLike
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.backend.torch_internals import is_fake
from kerastorch.layers.base import Layer
from kerastorch.layers.layer_utils import layer_label
from kerastorch.serialization.object_registration import register_builtin

OUTPUT_MODES = ("one_hot", "multi_hot", "count")


def encoded_shape(input_shape: Shape, output_mode: str, depth: int) -> Shape:
    """The output shape of :func:`encode_categorical` for an input shape (``None`` for unknown sizes)."""
    shape = tuple(input_shape) or (1,)
    if output_mode == "int":
        return tuple(input_shape)
    if output_mode == "one_hot":
        if len(shape) > 1 and shape[-1] == 1:
            shape = shape[:-1]
        return shape + (depth,)
    if len(shape) == 1:
        return (depth,)
    return (shape[0],) + shape[2:] + (depth,)


def encode_categorical(
    ids: torch.Tensor, output_mode: str, depth: int, dtype: torch.dtype, count_weights: torch.Tensor | None = None
) -> torch.Tensor:
    """Encode an integer tensor of ids in ``[0, depth)`` (not checked) as Keras's ``output_mode`` does.

    >>> encode_categorical(torch.tensor([[0, 2, 2]]), "count", 3, torch.float32)
    tensor([[1., 0., 2.]])
    """
    if ids.dim() == 0:
        ids = ids.reshape(1)
        count_weights = None if count_weights is None else count_weights.reshape(1)
    if ids.dtype != torch.int64:
        ids = ids.long()
    if output_mode == "one_hot":
        if ids.dim() > 1 and ids.shape[-1] == 1:
            ids = ids.squeeze(-1)
        return F.one_hot(ids, depth).to(dtype)
    if ids.dim() > 2:  # Keras reduces axis 1: move it last, scatter along it
        ids = ids.movedim(1, -1)
        count_weights = None if count_weights is None else count_weights.movedim(1, -1)
    out_shape = ids.shape[:-1] + (depth,)
    if output_mode == "multi_hot":
        return torch.zeros(out_shape, dtype=dtype, device=ids.device).scatter_(-1, ids, 1.0)
    if count_weights is None:
        count_weights = torch.ones((), dtype=dtype, device=ids.device).expand(ids.shape)
    zeros = torch.zeros(out_shape, dtype=count_weights.dtype, device=ids.device)
    return zeros.scatter_add(-1, ids, count_weights)


def check_output_mode(layer: Layer, output_mode: str, allowed: Sequence[str]) -> str:
    if output_mode not in allowed:
        raise ValueError(
            f"{layer_label(layer)}: output_mode must be one of {list(allowed)}, received output_mode={output_mode!r}"
        )
    return output_mode


def _skip_checks(tensor):
    return is_fake(tensor) or torch.compiler.is_compiling()


@register_builtin("keras.layers")
class CategoryEncoding(Layer):
    """Encodes integer ids in ``[0, num_tokens)`` as one-hot, multi-hot or count vectors.

    See the module docstring for the axes each mode reduces. The call takes ``count_weights`` (a tensor
    broadcastable to the inputs' shape, ``output_mode="count"`` only): what each id adds instead of 1.

    Args:
        num_tokens: int, at least 1: the number of distinct ids, the length of the encoded vectors (required,
            though it defaults to None as in Keras).
        output_mode: str, default ``"multi_hot"``: ``"one_hot"`` (one vector per id), ``"multi_hot"`` (1 for
            each id present in a sample) or ``"count"`` (how often each id occurs); ``"binary"`` means
            ``"multi_hot"``.
        sparse: bool, default False: sparse outputs; only False is supported.
        **kwargs: base layer arguments (``name``, ``dtype``...); ``dtype`` is the outputs' dtype.

    Input shape:
        Integer ids of any rank (float and bool inputs are cast to int64): typically ``(batch, length)`` for
        ``"multi_hot"``/``"count"`` and ``(batch,)`` or ``(batch, 1)`` for ``"one_hot"``; a scalar is one
        sample of length 1.

    Output shape:
        ``"one_hot"``: the input shape with ``num_tokens`` appended (a last axis of size 1 is replaced).
        ``"multi_hot"``/``"count"``: ``(batch, num_tokens)`` for ``(batch, length)``, ``(num_tokens,)`` for
        a rank-1 input; for higher ranks axis 1 is reduced and ``num_tokens`` appended.

    Raises:
        ValueError: for a missing or non-positive ``num_tokens``, an unknown ``output_mode``, ``sparse=True``,
            ids outside ``[0, num_tokens)``, or ``count_weights`` that do not broadcast to the inputs or come
            with another mode than ``"count"``.
        TypeError: for complex inputs.

    Example:

    >>> CategoryEncoding(num_tokens=4)(torch.tensor([[0, 1], [3, 3]]))   # multi_hot
    tensor([[1., 1., 0., 0.],
            [0., 0., 0., 1.]])
    >>> CategoryEncoding(4, output_mode="count")(torch.tensor([[0, 1, 1]]),
    ...                                          count_weights=torch.tensor([[0.5, 1.0, 2.0]]))
    tensor([[0.5000, 3.0000, 0.0000, 0.0000]])
    """

    def __init__(
        self, num_tokens: int | None = None, output_mode: str = "multi_hot", sparse: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        if output_mode == "binary":  # Keras's deprecated name
            output_mode = "multi_hot"
        self.output_mode = check_output_mode(self, output_mode, OUTPUT_MODES)
        if num_tokens is None:
            raise ValueError(
                f"{layer_label(self)}: num_tokens must be set (the number of distinct ids), received num_tokens=None"
            )
        # (int listed for mypy, which does not see int as a numbers.Integral)
        if isinstance(num_tokens, bool) or not isinstance(num_tokens, (int, numbers.Integral)) or num_tokens < 1:
            raise ValueError(
                f"{layer_label(self)}: num_tokens must be an integer >= 1, received num_tokens={num_tokens!r}"
            )
        if sparse:
            raise ValueError(
                f"{layer_label(self)}: sparse outputs are not supported by kerastorch, received sparse={sparse!r}"
            )
        self.num_tokens = int(num_tokens)
        self.sparse = False

    def call(self, inputs: TensorLike, count_weights: TensorLike | None = None) -> torch.Tensor:
        ids = inputs if isinstance(inputs, torch.Tensor) else torch.as_tensor(inputs, device=self._weight_device())
        if ids.is_floating_point() or ids.dtype == torch.bool:
            ids = ids.long()
        if ids.dtype.is_complex:
            raise TypeError(f"{layer_label(self)}: expected integer ids, received a {ids.dtype} tensor")
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError(
                    f'{layer_label(self)}: count_weights is only used when output_mode="count", '
                    f"received count_weights with output_mode={self.output_mode!r}"
                )
            count_weights = torch.as_tensor(count_weights, device=ids.device).to(self._compute_torch_dtype)
            try:
                count_weights = count_weights.broadcast_to(ids.shape)
            except RuntimeError:
                raise ValueError(
                    f"{layer_label(self)}: count_weights must have the shape of the inputs {tuple(ids.shape)}, "
                    f"received shape {tuple(count_weights.shape)}"
                ) from None
        if ids.numel() and not _skip_checks(ids):
            low, high = torch.aminmax(ids)
            if bool((low < 0) | (high >= self.num_tokens)):  # one host sync per call (see module docstring)
                raise ValueError(
                    f"{layer_label(self)}: ids must lie in [0, num_tokens) = [0, {self.num_tokens}), "
                    f"received values in [{int(low)}, {int(high)}]"
                )
        return encode_categorical(ids, self.output_mode, self.num_tokens, config.torch_dtype(self.dtype), count_weights)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return encoded_shape(input_shape, self.output_mode, self.num_tokens)

    def compute_output_spec(self, inputs: KerasTensor, count_weights: Any = None) -> KerasTensor:
        return KerasTensor(self.compute_output_shape(inputs.shape), self.dtype)

    def get_config(self) -> dict[str, Any]:
        config_ = super().get_config()
        config_.update({"num_tokens": self.num_tokens, "output_mode": self.output_mode})
        return config_
