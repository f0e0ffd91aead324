"""``GroupQueryAttention`` (grouped-query attention, Ainslie et al., 2023) with Keras 3's structure:
``EinsumDense`` sublayers ``query`` (``bqm,muh->bquh``), ``key`` and ``value`` (``bkm,mvh->bkvh``),
(``gate``, sigmoid, ``bqm,muh->bquh``) and ``attention_output`` (``bquh,uhm->bqm``), weights in the order
query, key, (gate), value, attention_output, with Keras's paths (``grouped_query_attention/query/kernel``).
Keras's default layer name is ``grouped_query_attention`` (its class is ``GroupedQueryAttention``, exported
as ``GroupQueryAttention``); configs use the class name ``GroupQueryAttention``, as Keras writes them.

``num_query_heads`` query heads share ``num_key_value_heads`` key/value heads: query head ``h`` attends
with key/value head ``h // num_repeats`` (``num_repeats = num_query_heads // num_key_value_heads``), as
``repeat_interleave`` of the key/value heads gives. The scale is ``1 / sqrt(head_dim)``. Inputs are
``(batch, seq, features)``; the output has the query's shape and carries the query mask.

Masks are combined exactly as in ``MultiHeadAttention`` (both share ``_core.AttentionCore``): the
``attention_mask`` ``(B, T, S)``, the query, value and key masks (arguments, else the tensors' Keras
masks), the causal mask and the sliding window band ``|i - j| < sliding_window``. A query position with
nothing to attend to gets all-zero probabilities (Keras's explicit path; Keras's fused path averages
uniformly there instead).

Speed: without ``return_attention_scores`` the attention is one
``torch.nn.functional.scaled_dot_product_attention`` call (``is_causal`` when the causal mask is the only
mask). It gets the unrepeated key/value heads with ``enable_gqa=True`` on CPU (measured as fast as repeated
heads, forward + backward) and on CUDA for half precision without a mask (flash attention); other CUDA
cases get ``repeat_interleave``-d heads, because CUDA's memory-efficient kernel refuses ``enable_gqa`` and
torch would fall back to its math kernel. Returned scores and a seeded dropout in training take the
explicit path, which groups the query heads (``(B, T, kv_heads, num_repeats, head_dim)``) against the
unrepeated keys and values in two einsums and gives the same numbers.

Example:
    >>> layer = GroupQueryAttention(head_dim=3, num_query_heads=4, num_key_value_heads=2)
    >>> out, scores = layer(torch.ones(2, 5, 6), torch.ones(2, 7, 8), return_attention_scores=True)
    >>> tuple(out.shape), tuple(scores.shape)
    ((2, 5, 6), (2, 4, 5, 7))
"""

from __future__ import annotations

from typing import Any

import torch

from kerastorch.backend.annotations import Identifier, Shape
from kerastorch.backend.naming import unique_name
from kerastorch.backend.sdpa import scaled_dot_product_attention
from kerastorch.layers.attention._core import AttentionCore
from kerastorch.layers.layer_utils import layer_label, positive_int
from kerastorch.serialization.object_registration import register_builtin

# Grouped attention for the explicit path: q (B, T, kv, g, D), k and v (B, S, kv, D), scores (B, kv, g, T, S).
_DOT_EQUATION = "bskd,btkgd->bkgts"
_COMBINE_EQUATION = "bkgts,bskd->btkgd"


@register_builtin("keras.layers")
class GroupQueryAttention(AttentionCore):
    """Grouped-query attention: ``num_query_heads`` query heads of size ``head_dim`` share
    ``num_key_value_heads`` key/value heads; the heads are projected back to the query's feature size.

    ``call(query, value, key=None, query_mask=None, value_mask=None, key_mask=None, attention_mask=None,
    return_attention_scores=False, training=None, use_causal_mask=False)``.

    Args:
        head_dim: int: the size of each attention head (the scores are scaled by ``1 / sqrt(head_dim)``).
        num_query_heads: int: the number of query heads.
        num_key_value_heads: int: the number of key/value heads; it must divide ``num_query_heads``.
        dropout: float, default 0.0: the dropout rate on the attention probabilities, in ``[0, 1)``.
        use_bias: bool, default True: whether the dense projections have biases.
        sliding_window: int or None, default None: when given, query position ``i`` attends only to key
            positions ``j`` with ``|i - j| < sliding_window``.
        flash_attention: bool or None, default None: the flash-attention kernel of the fused
            ``scaled_dot_product_attention`` call: None lets torch choose (flash attention where it applies
            and ``keras.config.is_flash_attention_enabled()`` allows it); False keeps the layer off the flash
            kernel (torch's memory-efficient, cuDNN or math kernel runs); True runs the flash kernel only,
            raising when it does not take the inputs (on CUDA: float16/bfloat16 and no mask), and refuses
            ``dropout > 0`` and ``return_attention_scores``, as Keras does. The outputs are the same up to
            float round-off. Kept in the config when not None.
        kernel_initializer: str or initializer, default ``"glorot_uniform"``: the initializer of the
            projection kernels.
        bias_initializer: str or initializer, default ``"zeros"``: the initializer of the projection biases.
        kernel_regularizer: str, regularizer or None, default None: a penalty on the projection kernels.
        bias_regularizer: str, regularizer or None, default None: a penalty on the projection biases.
        activity_regularizer: str, regularizer or None, default None: a penalty on the outputs of the
            projections and of the layer itself.
        kernel_constraint: str, constraint or None, default None: a constraint on the projection kernels.
        bias_constraint: str, constraint or None, default None: a constraint on the projection biases.
        use_gate: bool, default False: whether a sigmoid gate projected from the query multiplies the
            attention output of each head before the output projection.
        seed: int or None, default None: the seed of the attention dropout (torch's global generator when
            None).
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Call arguments:
        query: tensor ``(batch_size, Tq, query_dim)``.
        value: tensor ``(batch_size, Tv, value_features)``.
        key: tensor ``(batch_size, Tv, key_features)`` or None, default None: the keys; ``value`` when None.
        query_mask: boolean tensor ``(batch_size, Tq)`` or None: the query's Keras mask when None.
        value_mask: boolean tensor ``(batch_size, Tv)`` or None: the value's Keras mask when None.
        key_mask: boolean tensor ``(batch_size, Tv)`` or None: the key's Keras mask when None.
        attention_mask: boolean tensor ``(batch_size, Tq, Tv)`` or None: True where a query position may
            attend to a key position; combined (logical and) with the other masks.
        return_attention_scores: bool, default False: whether to also return the attention
            probabilities.
        training: bool or None: whether the attention dropout is applied.
        use_causal_mask: bool, default False: whether query position ``i`` attends to key positions
            ``j <= i`` only.

    Input shape:
        query ``(batch_size, Tq, query_dim)``, value ``(batch_size, Tv, value_features)`` and key
        ``(batch_size, Tv, key_features)``.

    Output shape:
        ``(batch_size, Tq, query_dim)``, with the query mask; with ``return_attention_scores`` also the
        scores ``(batch_size, num_query_heads, Tq, Tv)``.

    Raises:
        ValueError: a ``head_dim``, ``num_query_heads``, ``num_key_value_heads`` or ``sliding_window``
            that is not a positive int, ``num_query_heads`` not a multiple of ``num_key_value_heads``, a
            ``dropout`` outside ``[0, 1)``, a ``flash_attention`` other than None, True or False,
            ``flash_attention=True`` with dropout; when building, inputs not of rank 3 with a known last axis, or
            value and key of different lengths; when called, ``return_attention_scores`` with
            ``flash_attention=True``.
        RuntimeError: when called with ``flash_attention=True`` on inputs torch's flash kernel does not take.

    >>> gqa = GroupQueryAttention(head_dim=2, num_query_heads=4, num_key_value_heads=2, name="gqa")
    >>> gqa(torch.ones(1, 3, 5), torch.ones(1, 4, 6), use_causal_mask=True).shape
    torch.Size([1, 3, 5])
    >>> [(w.path, tuple(w.shape)) for w in gqa.weights][2:4]
    [('gqa/key/kernel', (6, 2, 2)), ('gqa/key/bias', (2, 2))]
    """

    _fusable = True

    def __init__(
        self,
        head_dim: int,
        num_query_heads: int,
        num_key_value_heads: int,
        dropout: float = 0.0,
        use_bias: bool = True,
        sliding_window: int | None = None,
        flash_attention: bool | None = None,
        kernel_initializer: Identifier = "glorot_uniform",
        bias_initializer: Identifier = "zeros",
        kernel_regularizer: Identifier = None,
        bias_regularizer: Identifier = None,
        activity_regularizer: Identifier = None,
        kernel_constraint: Identifier = None,
        bias_constraint: Identifier = None,
        use_gate: bool = False,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        if kwargs.get("name") is None:
            kwargs["name"] = unique_name("grouped_query_attention")  # Keras's default name
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)  # also on the output, as in Keras
        self.head_dim = positive_int(self, "head_dim", head_dim)
        self.num_query_heads = positive_int(self, "num_query_heads", num_query_heads)
        self.num_key_value_heads = positive_int(self, "num_key_value_heads", num_key_value_heads)
        if self.num_query_heads % self.num_key_value_heads:
            raise ValueError(
                f"{layer_label(self)}: num_query_heads must be a multiple of num_key_value_heads, received "
                f"num_query_heads={num_query_heads} and num_key_value_heads={num_key_value_heads}"
            )
        self.num_repeats = self.num_query_heads // self.num_key_value_heads
        self._init_attention(
            self.head_dim,
            dropout,
            use_bias,
            use_gate,
            sliding_window,
            flash_attention,
            seed,
            self.activity_regularizer,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
        )
        self._dot_equation, self._combine_equation, self._n_attn = _DOT_EQUATION, _COMBINE_EQUATION, 1
        self.feature_dim: int | None = None

    # ------------------------------------------------------------------ build
    def _sublayer(self, name, equation, heads, bias_axes, input_shape, activation=None):
        output_shape = (None, heads, self.head_dim) if heads else (None, self.feature_dim)
        return self._projection(name, equation, output_shape, bias_axes, input_shape, activation)

    def build(  # type: ignore[override]  # Keras's signature: the query, value and key shapes
        self, query_shape: Shape, value_shape: Shape, key_shape: Shape | None = None
    ) -> None:
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        for name, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if len(shape) != 3 or shape[-1] is None:
                raise ValueError(
                    f"{layer_label(self)}: {name} must have shape (batch, sequence, features) with known "
                    f"features, received shape {shape}"
                )
        _check_value_and_key(self, value_shape, key_shape)
        self.feature_dim = query_shape[-1]
        q_heads, kv_heads = self.num_query_heads, self.num_key_value_heads
        self._query_dense = self._sublayer("query", "bqm,muh->bquh", q_heads, "uh", query_shape)
        self._key_dense = self._sublayer("key", "bkm,mvh->bkvh", kv_heads, "vh", key_shape)
        if self._use_gate:
            self._gate_dense = self._sublayer("gate", "bqm,muh->bquh", q_heads, "uh", query_shape, activation="sigmoid")
        self._value_dense = self._sublayer("value", "bkm,mvh->bkvh", kv_heads, "vh", value_shape)
        self._output_dense = self._sublayer(
            "attention_output", "bquh,uhm->bqm", None, "m", query_shape[:-1] + (q_heads, self.head_dim)
        )
        self._record_shapes(query_shape, value_shape, key_shape)
        self.built = True

    # ------------------------------------------------------------------- call
    def _fused_attention(self, q, k, v, mask, dropout, causal_only):
        # on CUDA only the flash kernel takes unrepeated heads: with flash refused, repeat them
        native = (
            self.num_repeats > 1
            and _native_gqa(q, mask)
            and not (self._flash_attention is False and q.device.type == "cuda")
        )
        if self.num_repeats > 1 and not native:
            k, v = k.repeat_interleave(self.num_repeats, 1), v.repeat_interleave(self.num_repeats, 1)
        return scaled_dot_product_attention(
            q,
            k,
            v,
            attn_mask=mask,
            dropout_p=dropout,
            is_causal=causal_only,
            scale=self._inverse_sqrt_key_dim,
            enable_gqa=native,
            flash_attention=self._flash_attention,
            owner=layer_label(self),
        )

    def _explicit(self, q, k, v, mask, dropout):
        """Query heads grouped ``(B, T, kv_heads, num_repeats, D)`` against the unrepeated keys and values."""
        grouped = q.unflatten(2, (self.num_key_value_heads, self.num_repeats))
        outputs, scores = self._explicit_attention(grouped, k, v, mask, dropout)
        return outputs.flatten(2, 3), scores.flatten(1, 2)

    # ---------------------------------------------------------------- shapes
    def compute_output_shape(
        self, query_shape: Shape, value_shape: Shape | None = None, key_shape: Shape | None = None
    ) -> Shape:
        """The query's shape (Keras 3.15 also demands equal query and value feature sizes here, although
        ``call`` accepts different ones; this layer does not)."""
        query_shape = tuple(query_shape)
        value_shape = query_shape if value_shape is None else tuple(value_shape)
        _check_value_and_key(self, value_shape, None if key_shape is None else tuple(key_shape))
        return query_shape

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "head_dim": self.head_dim,
                "num_query_heads": self.num_query_heads,
                "num_key_value_heads": self.num_key_value_heads,
                **self._attention_config(),
            }
        )
        return config


def _native_gqa(query, mask):
    """Whether ``scaled_dot_product_attention(enable_gqa=True)`` can run a fused kernel: always on CPU; on CUDA
    only flash attention takes it (half precision, no mask), other CUDA cases would fall back to the math
    kernel, so there the key/value heads are repeated instead and the memory-efficient kernel runs."""
    return query.device.type != "cuda" or (mask is None and query.dtype in (torch.float16, torch.bfloat16))


def _check_value_and_key(layer, value_shape, key_shape):
    """Value and key must have the same sequence length (where both are known)."""
    if key_shape is None or len(value_shape) != len(key_shape):
        return
    if any(a is not None and b is not None and a != b for a, b in zip(value_shape[1:-1], key_shape[1:-1])):
        raise ValueError(
            f"{layer_label(layer)}: value and key must have the same sequence length, received value shape "
            f"{value_shape} and key shape {key_shape}"
        )
