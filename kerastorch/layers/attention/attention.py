"""``Attention`` (Luong dot-product / concat scores) and ``AdditiveAttention`` (Bahdanau), on one base.

Both are called on ``[query, value]`` or ``[query, value, key]`` (``key`` defaults to ``value``), with
``mask=[query_mask, value_mask]`` or, when it is not given, the Keras masks (``_keras_mask``) of the input
tensors. As in Keras 3, masked value positions get ``score - 1e9`` before the softmax (a fully masked row
therefore becomes a near-uniform distribution, not NaN), query positions that are masked give zero
outputs, and the output carries the query mask. ``use_causal_mask=True`` lets position ``i`` attend to
positions ``j <= i`` only.

Speed: dot scores without dropout and without ``return_attention_scores`` run
``torch.nn.functional.scaled_dot_product_attention`` with an additive ``-1e9`` mask (the same arithmetic
as the explicit softmax); a learned ``scale`` multiplies the query first. Dropout draws from torch's
global generator, or from the layer's own seed generator when ``seed`` is given.

Example:
    >>> q, v = torch.ones(2, 3, 4), torch.ones(2, 5, 4)
    >>> Attention()([q, v]).shape
    torch.Size([2, 3, 4])
"""

from __future__ import annotations

import numbers
from typing import Any, Callable, Sequence, cast

import torch
import torch.nn.functional as F

from kerastorch import random as krandom
from kerastorch.backend.annotations import Shape, TensorLike
from kerastorch.backend.forward_mode import forward_mode_active
from kerastorch.layers.base import Layer, attach_mask, mask_of
from kerastorch.layers.layer_utils import check_seed, layer_label
from kerastorch.serialization.object_registration import register_builtin

_PADDING = 1.0e9
_PADDING_HALF = 65504.0
_MASKS: dict[tuple[Any, ...], torch.Tensor] = {}


def position_mask(
    rows: int, cols: int, like: torch.Tensor, causal: bool = True, window: int | None = None
) -> torch.Tensor:
    """Boolean ``(rows, cols)`` mask: ``j <= i`` (``causal``) and ``|i - j| < window`` (a sliding window).

    Made once per size and device and reused (a constant on the hot path); tensors of other types (fake
    tensors during shape inference or tracing) get a fresh one.

    >>> position_mask(2, 3, torch.ones(1)).tolist()
    [[True, False, False], [True, True, False]]
    """
    key = (rows, cols, like.device, causal, window)
    mask = _MASKS.get(key) if type(like) is torch.Tensor else None
    if mask is None:
        with torch.inference_mode(False):
            i = torch.arange(rows, device=like.device).unsqueeze(-1)
            j = torch.arange(cols, device=like.device)
            mask = j <= i if causal else torch.ones(rows, cols, dtype=torch.bool, device=like.device)
            if window is not None:
                mask = mask & ((i - j).abs() < window)
        if type(like) is torch.Tensor:
            if len(_MASKS) > 64:
                _MASKS.clear()
            _MASKS[key] = mask
    return mask


class _BaseAttention(Layer):
    """Shared call: scores (``_scores``, subclass), masks, softmax, dropout, weighted sum of values."""

    _dot_scores = False  # True when _scores is a scaled q @ k^T (then the fused kernel may run)
    _scores: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # defined by the subclasses

    def __init__(self, use_scale: bool, dropout: float, seed: int | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # (float listed for mypy, which does not see float as a numbers.Real)
        if isinstance(dropout, bool) or not isinstance(dropout, (float, numbers.Real)) or not 0 <= dropout <= 1:
            raise ValueError(f"{layer_label(self)}: dropout must be a number in [0, 1], received dropout={dropout!r}")
        check_seed(self, seed)
        self.use_scale = bool(use_scale)
        self.dropout = dropout
        self.seed = seed
        self.seed_generator = krandom.SeedGenerator(seed) if dropout > 0 and seed is not None else None
        self.supports_masking = True
        self.scale: torch.Tensor | None = None

    # ------------------------------------------------------------ validation
    def _validate(self, inputs, mask=None):
        if not isinstance(inputs, (list, tuple)) or (
            inputs and (inputs[0] is None or isinstance(inputs[0], numbers.Integral))
        ):  # a tensor, or the shape of one
            raise ValueError(
                f"{layer_label(self)}: must be called on a list [query, value] or [query, value, key], "
                f"received a single input ({type(inputs).__name__})"
            )
        if not 2 <= len(inputs) <= 3:
            raise ValueError(
                f"{layer_label(self)}: expected a list of 2 or 3 inputs [query, value(, key)], "
                f"received {len(inputs)} inputs"
            )
        if mask is not None and (not isinstance(mask, (list, tuple)) or not 2 <= len(mask) <= 3):
            raise ValueError(
                f"{layer_label(self)}: mask must be a list [query_mask, value_mask], received "
                f"{mask if not isinstance(mask, (list, tuple)) else f'a list of {len(mask)}'}"
            )

    def _check_shapes(self, shapes):
        query, value = shapes[0], shapes[1]
        key = shapes[2] if len(shapes) > 2 else value
        if len(query) < 2 or len(value) < 2 or len(key) < 2:
            raise ValueError(
                f"{layer_label(self)}: query, value and key need a time and a feature axis, received "
                f"shapes {[tuple(s) for s in shapes]}"
            )
        if query[-1] is not None and key[-1] is not None and query[-1] != key[-1]:
            raise ValueError(
                f"{layer_label(self)}: the last axes of query and key (value when no key is given) "
                f"must match, received query {tuple(query)} and key {tuple(key)}"
            )
        if value[-2] is not None and key[-2] is not None and value[-2] != key[-2]:
            raise ValueError(
                f"{layer_label(self)}: value and key must have the same number of timesteps, received "
                f"value {tuple(value)} and key {tuple(key)}"
            )

    def build(self, input_shape: Sequence[Shape]) -> None:
        self._validate(input_shape)
        self._check_shapes(input_shape)
        self._build_weights(input_shape)
        self.built = True

    def _build_weights(self, input_shape):
        pass

    # -------------------------------------------------------------------- call
    def call(
        self,
        inputs: Sequence[torch.Tensor],
        mask: Sequence[torch.Tensor | None] | None = None,
        training: bool | None = False,
        return_attention_scores: bool = False,
        use_causal_mask: bool = False,
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        self._validate(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        if mask is None:
            mask = cast("list[torch.Tensor | None] | None", mask_of(list(inputs)))  # (a list for a list)
        q_mask = mask[0] if mask else None
        v_mask = mask[1] if mask else None
        scores_mask = self._scores_mask(query, key, v_mask, use_causal_mask)
        dropout = self.dropout if training else 0.0
        # (the fused attention kernels have no forward-mode (JVP) rule: explicit path under forward mode)
        if self._dot_scores and not return_attention_scores and dropout == 0 and not forward_mode_active():
            if self.scale is not None:
                query = query * self.scale
            bias = None
            if scores_mask is not None:
                bias = torch.where(scores_mask, 0.0, -self._padding(query.dtype)).to(query.dtype)
            outputs = F.scaled_dot_product_attention(query, key, value, attn_mask=bias, scale=1.0)
            weights = None
        else:
            scores = self._scores(query, key)
            if scores_mask is not None:
                scores = torch.where(scores_mask, scores, scores - self._padding(scores.dtype))
            weights = torch.softmax(scores, dim=-1)
            if dropout > 0:
                weights = (
                    F.dropout(weights, dropout, True)
                    if self.seed_generator is None
                    else krandom.dropout(weights, dropout, seed=self.seed_generator)
                )
            outputs = torch.matmul(weights, value)
        if q_mask is not None:
            outputs = torch.where(q_mask.to(torch.bool).unsqueeze(-1), outputs, 0.0)
            attach_mask(outputs, q_mask)
        if return_attention_scores:
            assert weights is not None  # the fused path (no weights) runs without return_attention_scores only
            return outputs, weights
        return outputs

    @staticmethod
    def _padding(dtype):
        return _PADDING_HALF if dtype == torch.float16 else _PADDING

    @staticmethod
    def _scores_mask(query, key, v_mask, use_causal_mask):
        """Boolean ``(batch, 1 or Tq, Tv)`` mask of the scores that count, or None."""
        if v_mask is not None:
            v_mask = v_mask.to(torch.bool).unsqueeze(-2)
        if not use_causal_mask:
            return v_mask
        causal = position_mask(query.shape[-2], key.shape[-2], query)
        return causal if v_mask is None else v_mask & causal

    def compute_mask(
        self, inputs: Sequence[torch.Tensor], mask: Sequence[TensorLike | None] | None = None
    ) -> torch.Tensor | None:
        """The query mask (``mask[0]``), or None.

        >>> q = torch.ones(1, 2, 3)
        >>> Attention().compute_mask([q, q], [torch.tensor([[True, False]]), None])
        tensor([[ True, False]])
        """
        self._validate(inputs, mask)
        if mask is None or mask[0] is None:
            return None
        return torch.as_tensor(mask[0])

    def compute_output_shape(self, input_shape: Sequence[Shape]) -> Shape:
        self._validate(input_shape)
        return (*tuple(input_shape[0])[:-1], tuple(input_shape[1])[-1])

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"use_scale": self.use_scale, "dropout": self.dropout, "seed": self.seed})
        return config


@register_builtin("keras.layers")
class Attention(_BaseAttention):
    """Dot-product (Luong) attention: ``softmax(scores) @ value`` for ``[query, value(, key)]``.

    The scores are ``scale * query @ key^T`` (``score_mode="dot"``), or
    ``concat_score_weight * sum(tanh(scale * (query + key)), axis=-1)`` (``score_mode="concat"``).
    Weights: ``scale`` (a scalar, with ``use_scale``), ``concat_score_weight`` (a scalar, for ``"concat"``).

    Args:
        use_scale: bool, default False: whether to learn the scalar ``scale`` (initialized to 1) applied
            to the scores.
        score_mode: str, default ``"dot"``: ``"dot"`` or ``"concat"``, how query and key are scored.
        dropout: float, default 0.0: the dropout rate on the attention probabilities, in ``[0, 1]``.
        seed: int or None, default None: the seed of the dropout (torch's global generator when None).
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Call arguments:
        inputs: list ``[query, value]`` or ``[query, value, key]``; ``key`` defaults to ``value``.
        mask: list ``[query_mask, value_mask]`` of boolean tensors ``(batch_size, Tq)`` and
            ``(batch_size, Tv)`` (True = keep), default None: the input tensors' Keras masks when None.
            Masked value positions are left out of the softmax; masked query positions give zeros.
        training: bool, default False: whether the attention dropout is applied.
        return_attention_scores: bool, default False: whether to also return the attention
            probabilities ``(batch_size, Tq, Tv)``.
        use_causal_mask: bool, default False: whether query position ``i`` attends to key positions
            ``j <= i`` only (decoder self-attention).

    Input shape:
        query ``(batch_size, Tq, dim)``, value ``(batch_size, Tv, value_dim)`` and key
        ``(batch_size, Tv, dim)``.

    Output shape:
        ``(batch_size, Tq, value_dim)``, with the query mask; with ``return_attention_scores`` also the
        scores ``(batch_size, Tq, Tv)``.

    Raises:
        ValueError: a ``score_mode`` other than ``"dot"`` / ``"concat"``, a ``dropout`` outside ``[0, 1]``,
            a non-int ``seed``; when called, inputs that are not a list of 2 or 3 tensors, query and key
            with different last axes, or value and key with different numbers of timesteps.

    >>> layer = Attention(use_scale=True)
    >>> out, scores = layer([torch.ones(1, 2, 3), torch.ones(1, 4, 3)], return_attention_scores=True)
    >>> tuple(out.shape), tuple(scores.shape), [w.name for w in layer.weights]
    ((1, 2, 3), (1, 2, 4), ['scale'])
    """

    def __init__(
        self,
        use_scale: bool = False,
        score_mode: str = "dot",
        dropout: float = 0.0,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(use_scale, dropout, seed, **kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(
                f"{layer_label(self)}: score_mode must be 'dot' or 'concat', received score_mode={score_mode!r}"
            )
        self.score_mode = score_mode
        self._dot_scores = score_mode == "dot"
        self.concat_score_weight: torch.Tensor | None = None

    def _build_weights(self, input_shape):
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(), initializer="ones")

    def _scores(self, query, key):
        if self.score_mode == "dot":
            scores = torch.matmul(query, key.transpose(-2, -1))
            return scores if self.scale is None else scores * self.scale
        summed = query.unsqueeze(-2) + key.unsqueeze(-3)
        if self.scale is not None:
            summed = summed * self.scale
        return self.concat_score_weight * torch.tanh(summed).sum(-1)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["score_mode"] = self.score_mode
        return config


@register_builtin("keras.layers")
class AdditiveAttention(_BaseAttention):
    """Additive (Bahdanau) attention: ``softmax(scores) @ value`` with scores
    ``sum(scale * tanh(query + key), axis=-1)``.

    ``scale`` is a learned vector of shape ``(dim,)`` (glorot-uniform initialized) when ``use_scale``,
    else 1.

    Args:
        use_scale: bool, default True: whether to learn the ``scale`` vector.
        dropout: float, default 0.0: the dropout rate on the attention probabilities, in ``[0, 1]``.
        seed: int or None, default None: the seed of the dropout (torch's global generator when None).
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Call arguments:
        inputs: list ``[query, value]`` or ``[query, value, key]``; ``key`` defaults to ``value``.
        mask: list ``[query_mask, value_mask]`` of boolean tensors ``(batch_size, Tq)`` and
            ``(batch_size, Tv)`` (True = keep), default None: the input tensors' Keras masks when None.
            Masked value positions are left out of the softmax; masked query positions give zeros.
        training: bool, default False: whether the attention dropout is applied.
        return_attention_scores: bool, default False: whether to also return the attention
            probabilities ``(batch_size, Tq, Tv)``.
        use_causal_mask: bool, default False: whether query position ``i`` attends to key positions
            ``j <= i`` only (decoder self-attention).

    Input shape:
        query ``(batch_size, Tq, dim)``, value ``(batch_size, Tv, value_dim)`` and key
        ``(batch_size, Tv, dim)``.

    Output shape:
        ``(batch_size, Tq, value_dim)``, with the query mask; with ``return_attention_scores`` also the
        scores ``(batch_size, Tq, Tv)``.

    Raises:
        ValueError: a ``dropout`` outside ``[0, 1]`` or a non-int ``seed``; when called, inputs that are not
            a list of 2 or 3 tensors, query and key with different last axes, or value and key with
            different numbers of timesteps.

    >>> layer = AdditiveAttention()
    >>> layer([torch.ones(2, 3, 4), torch.ones(2, 5, 4)]).shape, tuple(layer.scale.shape)
    (torch.Size([2, 3, 4]), (4,))
    """

    def __init__(self, use_scale: bool = True, dropout: float = 0.0, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(use_scale, dropout, seed, **kwargs)

    def _build_weights(self, input_shape):
        if self.use_scale:
            dim = tuple(input_shape[0])[-1]
            self.scale = self.add_weight(name="scale", shape=(dim,), initializer="glorot_uniform")

    def _scores(self, query, key):
        tanh = torch.tanh(query.unsqueeze(-2) + key.unsqueeze(-3))
        if self.scale is not None:
            return torch.matmul(tanh, self.scale)
        return tanh.sum(-1)
