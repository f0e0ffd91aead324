"""``MultiHeadAttention`` with Keras 3's structure: ``EinsumDense`` sublayers ``query``, ``key``, (``gate``),
``value`` and ``attention_output``, in that weight order, with Keras's weight paths
(``multi_head_attention/query/kernel``). Arguments, masks, the call and the config entries it shares with
``GroupQueryAttention`` live in ``_core.py`` (``AttentionCore``).

Masks: ``attention_mask`` (``(B, T, S)``, True = attend) is combined (logical and) with the query mask
(``(B, T, 1)``), the value and key masks (``(B, 1, S)``), the causal mask (``j <= i``) and the sliding
window band. A mask argument left as None is taken from the tensor's Keras mask (``_keras_mask``); an
explicit ``query_mask`` wins over the query tensor's mask (Keras 3.15 ignores the argument). The output
carries the query mask. Masked positions are left out of the softmax; a query position with nothing to
attend to gets all-zero attention probabilities (Keras's explicit softmax path; Keras's fused path gives
such rows a uniform average instead).

Speed: for the standard ``(batch, seq, dim)`` inputs (attention over axis 1) without
``return_attention_scores`` the attention runs in ``torch.nn.functional.scaled_dot_product_attention``
(boolean mask, ``is_causal`` for a causal-only mask, ``dropout_p`` in training); a seeded dropout in
training, higher-rank inputs and ``return_attention_scores`` take the explicit einsum path, which gives
the same numbers. The scale is ``1 / sqrt(key_dim)``.

Example:
    >>> import torch
    >>> layer = MultiHeadAttention(num_heads=2, key_dim=3)
    >>> out, scores = layer(torch.ones(4, 5, 6), torch.ones(4, 7, 8), return_attention_scores=True)
    >>> tuple(out.shape), tuple(scores.shape)
    ((4, 5, 6), (4, 2, 5, 7))
"""

from __future__ import annotations

import numbers
import string
from typing import Any, Sequence

from kerastorch import regularizers
from kerastorch.backend.annotations import Identifier, Shape
from kerastorch.layers.attention._core import AttentionCore
from kerastorch.layers.layer_utils import layer_label, positive_int
from kerastorch.serialization.object_registration import register_builtin

_LETTERS = string.ascii_lowercase


def projection_equation(free: int, bound: int, out: int) -> tuple[str, str, int]:
    """``(equation, bias_axes, output_rank)`` of a projection that keeps ``free`` axes, contracts ``bound``
    axes with the kernel and adds ``out`` axes.

    >>> projection_equation(2, 1, 2)
    ('abc,cde->abde', 'de', 4)
    """
    inputs = _LETTERS[: free + bound]
    kernel = _LETTERS[free : free + bound + out]
    outputs = _LETTERS[:free] + _LETTERS[free + bound : free + bound + out]
    return f"{inputs},{kernel}->{outputs}", _LETTERS[free + bound : free + bound + out], len(outputs)


def attention_equations(rank: int, attn_axes: Sequence[int]) -> tuple[str, str, int]:
    """``(dot_equation, combine_equation, scores_rank)`` for projected tensors of ``rank`` axes
    ``(batch, ..., heads, channels)`` attending over ``attn_axes``; the scores are laid out
    ``(batch dims incl. heads, query attention dims, key attention dims)``.

    >>> attention_equations(4, (1,))
    ('aecd,abcd->acbe', 'acbe,aecd->abcd', 4)
    """
    query = _LETTERS[:rank]
    key_letters = list(query)
    for n, axis in enumerate(attn_axes):
        key_letters[axis] = _LETTERS[rank + n]
    key = "".join(key_letters)
    batch = [i for i in range(rank) if i not in attn_axes and i != rank - 1]
    scores = "".join([query[i] for i in batch] + [query[i] for i in attn_axes] + [key[i] for i in attn_axes])
    return f"{key},{query}->{scores}", f"{scores},{key}->{query}", len(scores)


@register_builtin("keras.layers")
class MultiHeadAttention(AttentionCore):
    """Multi-head attention (Vaswani et al., 2017): project query, key and value per head, attend with
    ``softmax(q k^T / sqrt(key_dim))``, and project the heads back to ``output_shape`` (the query's last
    axis by default).

    ``call(query, value, key=None, query_mask=None, value_mask=None, key_mask=None, attention_mask=None,
    return_attention_scores=False, training=None, use_causal_mask=False)``.

    Args:
        num_heads: int: the number of attention heads.
        key_dim: int: the size of each query and key head (the scores are scaled by
            ``1 / sqrt(key_dim)``).
        value_dim: int or None, default None: the size of each value head; ``key_dim`` when None.
        dropout: float, default 0.0: the dropout rate on the attention probabilities, in ``[0, 1)``.
        use_bias: bool, default True: whether the dense projections have biases.
        output_shape: int, tuple of ints or None, default None: the output's trailing shape (replacing the
            query's last axis); the query's last axis when None.
        attention_axes: int, tuple of ints or None, default None: the axes attention runs over (not the
            batch or the feature axis); every axis between them when None.
        sliding_window: int or None, default None: when given, query position ``i`` attends only to key
            positions ``j`` with ``|i - j| < sliding_window``.
        flash_attention: bool or None, default None: the flash-attention kernel of the fused
            ``scaled_dot_product_attention`` call: None lets torch choose (flash attention where it applies
            and ``keras.config.is_flash_attention_enabled()`` allows it); False keeps the layer off the flash
            kernel (torch's memory-efficient, cuDNN or math kernel runs); True runs the flash kernel only,
            raising when it does not take the inputs (on CUDA: float16/bfloat16 and no mask) or when the
            call cannot be fused (attention over other axes than the sequence of rank-3 inputs), and refuses
            ``dropout > 0`` and ``return_attention_scores``, as Keras does. The outputs are the same up to
            float round-off. Kept in the config when not None.
        kernel_initializer: str or initializer, default ``"glorot_uniform"``: the initializer of the
            projection kernels.
        bias_initializer: str or initializer, default ``"zeros"``: the initializer of the projection biases.
        kernel_regularizer: str, regularizer or None, default None: a penalty on the projection kernels.
        bias_regularizer: str, regularizer or None, default None: a penalty on the projection biases.
        activity_regularizer: str, regularizer or None, default None: a penalty on the outputs of the
            projections.
        kernel_constraint: str, constraint or None, default None: a constraint on the projection kernels.
        bias_constraint: str, constraint or None, default None: a constraint on the projection biases.
        use_gate: bool, default False: whether a sigmoid gate projected from the query multiplies the
            attention output of each head before the output projection.
        seed: int or None, default None: the seed of the attention dropout (torch's global generator when
            None).
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Call arguments:
        query: tensor ``(batch_size, Tq, query_dim)`` (more axes between batch and features attend over
            ``attention_axes``).
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
        query ``(batch_size, ..., query_dim)``, value ``(batch_size, ..., value_features)`` and key
        ``(batch_size, ..., key_features)`` of one rank (3 or more); value and key agree on every axis but
        the last.

    Output shape:
        ``(batch_size, ..., query_dim)`` (the last axis replaced by ``output_shape`` when given), with
        the query mask; with ``return_attention_scores`` also the scores
        ``(batch_size, num_heads, Tq, Tv)``.

    Raises:
        ValueError: a ``num_heads``, ``key_dim``, ``value_dim`` or ``sliding_window`` that is not a
            positive int, a bad ``output_shape`` or ``attention_axes``, a ``dropout`` outside ``[0, 1)``, a
            ``flash_attention`` other than None, True or False, ``flash_attention=True`` with dropout; when
            building, query and value of different ranks (or below 3), value and key that differ on an axis
            but the last, an unknown last axis, or ``attention_axes`` naming the batch or feature axis; when
            called, ``return_attention_scores`` or attention the fused kernel cannot run with
            ``flash_attention=True``.
        RuntimeError: when called with ``flash_attention=True`` on inputs torch's flash kernel does not take.

    >>> import torch
    >>> mha = MultiHeadAttention(num_heads=2, key_dim=4, output_shape=3, name="mha")
    >>> mha(torch.ones(1, 2, 5), torch.ones(1, 6, 5), use_causal_mask=True).shape
    torch.Size([1, 2, 3])
    >>> [w.path for w in mha.weights][:2]
    ['mha/query/kernel', 'mha/query/bias']
    """

    def __init__(
        self,
        num_heads: int,
        key_dim: int,
        value_dim: int | None = None,
        dropout: float = 0.0,
        use_bias: bool = True,
        output_shape: int | tuple[int, ...] | list[int] | None = None,
        attention_axes: int | tuple[int, ...] | list[int] | None = None,
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
        super().__init__(**kwargs)
        self._num_heads = positive_int(self, "num_heads", num_heads)
        self._key_dim = positive_int(self, "key_dim", key_dim)
        self._value_dim = self._key_dim if value_dim is None else positive_int(self, "value_dim", value_dim)
        # (int listed beside numbers.Integral for mypy, which does not see int as a numbers.Integral)
        if output_shape:
            output_shape = (output_shape,) if isinstance(output_shape, (int, numbers.Integral)) else output_shape
            if not isinstance(output_shape, (list, tuple)) or not all(
                isinstance(d, (int, numbers.Integral)) and not isinstance(d, bool) and d > 0 for d in output_shape
            ):
                raise ValueError(
                    f"{layer_label(self)}: output_shape must be an int or a tuple of positive ints, "
                    f"received output_shape={output_shape!r}"
                )
            output_shape = tuple(int(d) for d in output_shape)
        else:
            output_shape = None
        if isinstance(attention_axes, (int, numbers.Integral)) and not isinstance(attention_axes, bool):
            attention_axes = (attention_axes,)
        if attention_axes is not None:
            if not isinstance(attention_axes, (list, tuple)) or not all(
                isinstance(a, (int, numbers.Integral)) and not isinstance(a, bool) for a in attention_axes
            ):
                raise ValueError(
                    f"{layer_label(self)}: attention_axes must be None, an int or a tuple of ints, "
                    f"received attention_axes={attention_axes!r}"
                )
            attention_axes = tuple(int(a) for a in attention_axes)
        self._init_attention(
            self._key_dim,
            dropout,
            use_bias,
            use_gate,
            sliding_window,
            flash_attention,
            seed,
            regularizers.get(activity_regularizer),
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
        )
        self._output_shape = output_shape
        self._attention_axes_arg = attention_axes
        self._attention_axes = attention_axes

    num_heads = property(lambda self: self._num_heads, doc="Number of attention heads.")
    key_dim = property(lambda self: self._key_dim, doc="Size of each query/key head.")
    value_dim = property(lambda self: self._value_dim, doc="Size of each value head.")
    attention_axes = property(lambda self: self._attention_axes, doc="Axes attention runs over.")

    # ------------------------------------------------------------------ build
    def _sublayer(self, name, rank, bound, out_dims, input_shape, activation=None):
        equation, bias_axes, out_rank = projection_equation(rank - 1, bound, len(out_dims))
        return self._projection(
            name, equation, [None] * (out_rank - 1 - len(out_dims)) + list(out_dims), bias_axes, input_shape, activation
        )

    def build(  # type: ignore[override]  # Keras's signature: the query, value and key shapes
        self, query_shape: Shape, value_shape: Shape, key_shape: Shape | None = None
    ) -> None:
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(
                f"{layer_label(self)}: value and key must agree on every axis but the last, received "
                f"value shape {value_shape} and key shape {key_shape}"
            )
        if len(query_shape) != len(value_shape) or len(query_shape) < 3:
            raise ValueError(
                f"{layer_label(self)}: query and value must have the same rank (at least 3: batch, "
                f"sequence, features), received query shape {query_shape} and value shape {value_shape}"
            )
        for name, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if shape[-1] is None:
                raise ValueError(f"{layer_label(self)}: the last axis of {name} must be known, received shape {shape}")
        rank = len(query_shape)
        self._query_dense = self._sublayer("query", rank, 1, [self._num_heads, self._key_dim], query_shape)
        self._key_dense = self._sublayer("key", rank, 1, [self._num_heads, self._key_dim], key_shape)
        if self._use_gate:
            self._gate_dense = self._sublayer(
                "gate", rank, 1, [self._num_heads, self._value_dim], query_shape, activation="sigmoid"
            )
        self._value_dense = self._sublayer("value", rank, 1, [self._num_heads, self._value_dim], value_shape)
        self._build_attention(rank + 1)
        out_dims = list(self._output_shape) if self._output_shape else [query_shape[-1]]
        self._output_dense = self._sublayer(
            "attention_output", rank, 2, out_dims, query_shape[:-1] + (self._num_heads, self._value_dim)
        )
        self._record_shapes(query_shape, value_shape, key_shape)
        self.built = True

    def _build_attention(self, rank):
        """Attention equations for projected tensors of ``rank`` axes ``(batch, ..., heads, channels)``."""
        if self._attention_axes_arg is None:
            axes = tuple(range(1, rank - 2))
        else:
            axes = tuple(a if a >= 0 else (rank - 1) + a for a in self._attention_axes_arg)
            if any(not 1 <= a < rank - 2 for a in axes) or len(set(axes)) != len(axes):
                raise ValueError(
                    f"{layer_label(self)}: attention_axes={self._attention_axes_arg} must name distinct "
                    f"non-batch, non-feature axes of inputs of rank {rank - 1}"
                )
        self._attention_axes = axes
        self._dot_equation, self._combine_equation, _ = attention_equations(rank, axes)
        self._n_attn = len(axes)
        self._fusable = rank == 4 and axes == (1,)

    # ---------------------------------------------------------------- shapes
    def compute_output_shape(
        self, query_shape: Shape, value_shape: Shape | None = None, key_shape: Shape | None = None
    ) -> Shape:
        query_shape = tuple(query_shape)
        value_shape = query_shape if value_shape is None else tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(
                f"{layer_label(self)}: value and key must agree on every axis but the last, received "
                f"value shape {value_shape} and key shape {key_shape}"
            )
        if self._output_shape:
            return query_shape[:-1] + tuple(self._output_shape)
        return query_shape

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "num_heads": self._num_heads,
                "key_dim": self._key_dim,
                "value_dim": self._value_dim,
                "output_shape": None if self._output_shape is None else list(self._output_shape),
                "attention_axes": None if self._attention_axes_arg is None else list(self._attention_axes_arg),
                **self._attention_config(),
            }
        )
        return config
