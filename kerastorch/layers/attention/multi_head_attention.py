"""``MultiHeadAttention`` with Keras 3's structure: ``EinsumDense`` sublayers ``query``, ``key``, (``gate``),
``value`` and ``attention_output``, in that weight order, with Keras's weight paths
(``multi_head_attention/query/kernel``).

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
    >>> layer = MultiHeadAttention(num_heads=2, key_dim=3)
    >>> out, scores = layer(torch.ones(4, 5, 6), torch.ones(4, 7, 8), return_attention_scores=True)
    >>> tuple(out.shape), tuple(scores.shape)
    ((4, 5, 6), (4, 2, 5, 7))
"""
import math
import numbers
import string

import torch
import torch.nn.functional as F

from kerastorch import constraints, initializers, regularizers
from kerastorch import random as krandom
from kerastorch.layers.attention.attention import position_mask
from kerastorch.layers.base import Layer, _attach_mask
from kerastorch.layers.core import _label, _positive_int
from kerastorch.layers.einsum_dense import EinsumDense
from kerastorch.saving.object_registration import register_builtin

_LETTERS = string.ascii_lowercase


def projection_equation(free, bound, out):
    """``(equation, bias_axes, output_rank)`` of a projection that keeps ``free`` axes, contracts ``bound``
    axes with the kernel and adds ``out`` axes.

    >>> projection_equation(2, 1, 2)
    ('abc,cde->abde', 'de', 4)
    """
    inputs = _LETTERS[:free + bound]
    kernel = _LETTERS[free:free + bound + out]
    outputs = _LETTERS[:free] + _LETTERS[free + bound:free + bound + out]
    return f"{inputs},{kernel}->{outputs}", _LETTERS[free + bound:free + bound + out], len(outputs)


def attention_equations(rank, attn_axes):
    """``(dot_equation, combine_equation, scores_rank)`` for projected tensors of ``rank`` axes
    ``(batch, ..., heads, channels)`` attending over ``attn_axes``; the scores are laid out
    ``(batch dims incl. heads, query attention dims, key attention dims)``.

    >>> attention_equations(4, (1,))
    ('aecd,abcd->acbe', 'acbe,aecd->abcd', 4)
    """
    query = _LETTERS[:rank]
    key = list(query)
    for n, axis in enumerate(attn_axes):
        key[axis] = _LETTERS[rank + n]
    key = "".join(key)
    batch = [i for i in range(rank) if i not in attn_axes and i != rank - 1]
    scores = "".join([query[i] for i in batch] + [query[i] for i in attn_axes] + [key[i] for i in attn_axes])
    return f"{key},{query}->{scores}", f"{scores},{key}->{query}", len(scores)


@register_builtin("keras.layers")
class MultiHeadAttention(Layer):
    """Multi-head attention (Vaswani et al., 2017): project query, key and value per head, attend with
    ``softmax(q k^T / sqrt(key_dim))``, and project the heads back to ``output_shape`` (the query's last
    axis by default).

    ``call(query, value, key=None, query_mask=None, value_mask=None, key_mask=None, attention_mask=None,
    return_attention_scores=False, training=None, use_causal_mask=False)``.

    >>> mha = MultiHeadAttention(num_heads=2, key_dim=4, output_shape=3, name="mha")
    >>> mha(torch.ones(1, 2, 5), torch.ones(1, 6, 5), use_causal_mask=True).shape
    torch.Size([1, 2, 3])
    >>> [w.path for w in mha.weights][:2]
    ['mha/query/kernel', 'mha/query/bias']
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True, output_shape=None,
                 attention_axes=None, sliding_window=None, flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None, **kwargs):
        super().__init__(**kwargs)
        self._num_heads = _positive_int(self, "num_heads", num_heads)
        self._key_dim = _positive_int(self, "key_dim", key_dim)
        self._value_dim = self._key_dim if value_dim is None else _positive_int(self, "value_dim", value_dim)
        if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) or not 0 <= dropout < 1:
            raise ValueError(f"{_label(self)}: dropout must be a number in [0, 1), received dropout={dropout!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
            raise ValueError(f"{_label(self)}: seed must be None or an int, received seed={seed!r}")
        if output_shape:
            output_shape = (output_shape,) if isinstance(output_shape, numbers.Integral) else output_shape
            if not isinstance(output_shape, (list, tuple)) or not all(
                    isinstance(d, numbers.Integral) and not isinstance(d, bool) and d > 0 for d in output_shape):
                raise ValueError(f"{_label(self)}: output_shape must be an int or a tuple of positive ints, "
                                 f"received output_shape={output_shape!r}")
            output_shape = tuple(int(d) for d in output_shape)
        else:
            output_shape = None
        if isinstance(attention_axes, numbers.Integral) and not isinstance(attention_axes, bool):
            attention_axes = (attention_axes,)
        if attention_axes is not None:
            if not isinstance(attention_axes, (list, tuple)) or not all(
                    isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in attention_axes):
                raise ValueError(f"{_label(self)}: attention_axes must be None, an int or a tuple of ints, "
                                 f"received attention_axes={attention_axes!r}")
            attention_axes = tuple(int(a) for a in attention_axes)
        if sliding_window is not None:
            sliding_window = _positive_int(self, "sliding_window", sliding_window)
        if flash_attention and dropout > 0:
            raise ValueError(f"{_label(self)}: dropout is not supported with flash_attention=True, "
                             f"received dropout={dropout!r}; set dropout=0.0 to use flash attention")
        self._dropout = dropout
        self._use_bias = bool(use_bias)
        self._use_gate = bool(use_gate)
        self._output_shape = output_shape
        self._attention_axes_arg = attention_axes
        self._attention_axes = attention_axes
        self._sliding_window = sliding_window
        self._flash_attention = flash_attention
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._activity_regularizer = regularizers.get(activity_regularizer)  # applied by the sublayers, as in Keras
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self._seed_generator = krandom.SeedGenerator(seed) if seed is not None and dropout > 0 else None
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(self._key_dim))
        self.supports_masking = True
        self._shapes_dict = None

    num_heads = property(lambda self: self._num_heads, doc="Number of attention heads.")
    key_dim = property(lambda self: self._key_dim, doc="Size of each query/key head.")
    value_dim = property(lambda self: self._value_dim, doc="Size of each value head.")
    dropout = property(lambda self: self._dropout, doc="Dropout rate on the attention probabilities.")
    use_bias = property(lambda self: self._use_bias, doc="Whether the projections have biases.")
    attention_axes = property(lambda self: self._attention_axes, doc="Axes attention runs over.")
    query_dense = property(lambda self: self._query_dense)
    key_dense = property(lambda self: self._key_dense)
    value_dense = property(lambda self: self._value_dense)
    output_dense = property(lambda self: self._output_dense)

    # ------------------------------------------------------------------ build
    def _sublayer(self, name, rank, bound, out_dims, input_shape, activation=None):
        equation, bias_axes, out_rank = projection_equation(rank - 1, bound, len(out_dims))
        layer = EinsumDense(
            equation, output_shape=[None] * (out_rank - 1 - len(out_dims)) + list(out_dims), activation=activation,
            bias_axes=bias_axes if self._use_bias else None, name=name,
            kernel_initializer=type(self._kernel_initializer).from_config(self._kernel_initializer.get_config()),
            bias_initializer=type(self._bias_initializer).from_config(self._bias_initializer.get_config()),
            kernel_regularizer=self._kernel_regularizer, bias_regularizer=self._bias_regularizer,
            activity_regularizer=self._activity_regularizer, kernel_constraint=self._kernel_constraint,
            bias_constraint=self._bias_constraint, dtype=self.dtype_policy)
        layer._build_device = self._build_device
        try:
            layer._run_build(tuple(input_shape), args=None)
        finally:
            layer._build_device = None
        for weight in layer.weights:
            weight._path = f"{self.name}/{name}/{weight.name}"
        return layer

    def build(self, query_shape, value_shape, key_shape=None):
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(f"{_label(self)}: value and key must agree on every axis but the last, received "
                             f"value shape {value_shape} and key shape {key_shape}")
        if len(query_shape) != len(value_shape) or len(query_shape) < 3:
            raise ValueError(f"{_label(self)}: query and value must have the same rank (at least 3: batch, "
                             f"sequence, features), received query shape {query_shape} and value shape {value_shape}")
        for name, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if shape[-1] is None:
                raise ValueError(f"{_label(self)}: the last axis of {name} must be known, received shape {shape}")
        rank = len(query_shape)
        self._query_dense = self._sublayer("query", rank, 1, [self._num_heads, self._key_dim], query_shape)
        self._key_dense = self._sublayer("key", rank, 1, [self._num_heads, self._key_dim], key_shape)
        if self._use_gate:
            self._gate_dense = self._sublayer("gate", rank, 1, [self._num_heads, self._value_dim], query_shape,
                                              activation="sigmoid")
        self._value_dense = self._sublayer("value", rank, 1, [self._num_heads, self._value_dim], value_shape)
        self._build_attention(rank + 1)
        out_dims = list(self._output_shape) if self._output_shape else [query_shape[-1]]
        self._output_dense = self._sublayer("attention_output", rank, 2, out_dims,
                                            query_shape[:-1] + (self._num_heads, self._value_dim))
        self._shapes_dict = {"query_shape": query_shape, "value_shape": value_shape}
        if key_shape is not value_shape:
            self._shapes_dict["key_shape"] = key_shape
        self.built = True

    def _build_attention(self, rank):
        """Attention equations for projected tensors of ``rank`` axes ``(batch, ..., heads, channels)``."""
        if self._attention_axes_arg is None:
            axes = tuple(range(1, rank - 2))
        else:
            axes = tuple(a if a >= 0 else (rank - 1) + a for a in self._attention_axes_arg)
            if any(not 1 <= a < rank - 2 for a in axes) or len(set(axes)) != len(axes):
                raise ValueError(f"{_label(self)}: attention_axes={self._attention_axes_arg} must name distinct "
                                 f"non-batch, non-feature axes of inputs of rank {rank - 1}")
        self._attention_axes = axes
        self._dot_equation, self._combine_equation, _ = attention_equations(rank, axes)
        self._n_attn = len(axes)
        self._fused = rank == 4 and axes == (1,)

    def get_build_config(self):
        if self._shapes_dict is None:
            return None
        return {"shapes_dict": {k: list(v) for k, v in self._shapes_dict.items()}}

    def build_from_config(self, build_config):
        if build_config and not self.built:
            shapes = build_config.get("shapes_dict") or {"query_shape": build_config["input_shape"],
                                                         "value_shape": build_config["input_shape"]}
            self.build(**{k: tuple(v) for k, v in shapes.items()})

    # ------------------------------------------------------------------- call
    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None, attention_mask=None,
             return_attention_scores=False, training=None, use_causal_mask=False):
        if query_mask is None:
            query_mask = getattr(query, "_keras_mask", None)
        if value_mask is None:
            value_mask = getattr(value, "_keras_mask", None)
        if key is None:
            key = value
        elif key_mask is None:
            key_mask = getattr(key, "_keras_mask", None)
        if self._flash_attention and return_attention_scores:
            raise ValueError(f"{_label(self)}: return_attention_scores=True is not supported with "
                             "flash_attention=True; disable flash attention to get the scores")
        causal_only = (use_causal_mask and query_mask is None and value_mask is None and key_mask is None
                       and attention_mask is None and self._sliding_window is None)
        mask = None if causal_only else self._attention_mask(query, value, query_mask, value_mask, key_mask,
                                                             attention_mask, use_causal_mask)
        dropout = self._dropout if training else 0.0
        gate = self._gate_dense(query) if self._use_gate else None
        q = self._query_dense(query)
        k = self._key_dense(key)
        v = self._value_dense(value)
        scores = None
        if self._fused and not return_attention_scores and (dropout == 0 or self._seed_generator is None):
            if mask is not None:
                mask = mask.unsqueeze(-3) if mask.dim() == 3 else mask
            outputs = F.scaled_dot_product_attention(
                q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), attn_mask=mask, dropout_p=dropout,
                is_causal=causal_only, scale=self._inverse_sqrt_key_dim).transpose(1, 2)
        else:
            if causal_only:
                mask = self._causal_mask(query, value)
            outputs, scores = self._explicit_attention(q, k, v, mask, dropout)
        if gate is not None:
            outputs = outputs * gate
        outputs = self._output_dense(outputs)
        if query_mask is not None:
            _attach_mask(outputs, query_mask)
        if return_attention_scores:
            return outputs, scores
        return outputs

    def _explicit_attention(self, q, k, v, mask, dropout):
        """Attention by einsum: the general case (any attention axes) and the one that returns the scores."""
        q = q * self._inverse_sqrt_key_dim
        scores = torch.einsum(self._dot_equation, k, q)
        if mask is not None:
            mask = mask.to(torch.bool)
            for _ in range(scores.dim() - mask.dim()):
                mask = mask.unsqueeze(-2 * self._n_attn - 1)
            scores = torch.where(mask, scores, -3e4 if scores.dtype == torch.float16 else -1e9)
        n = self._n_attn
        probs = torch.softmax(scores.flatten(-n), dim=-1).view(scores.shape) if n > 1 else torch.softmax(scores, -1)
        if mask is not None:
            probs = torch.where(mask, probs, 0.0)
        dropped = probs
        if dropout > 0:
            dropped = (F.dropout(probs, dropout, True) if self._seed_generator is None
                       else krandom.dropout(probs, dropout, seed=self._seed_generator))
        return torch.einsum(self._combine_equation, dropped, v), probs

    def _attention_mask(self, query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask):
        """The boolean mask of the attention scores (True = attend), ``(B or 1, T, S)``, or None."""
        mask = None if attention_mask is None else attention_mask.to(torch.bool)
        parts = []
        if query_mask is not None:
            parts.append(query_mask.to(torch.bool).unsqueeze(-1))
        for m in (value_mask, key_mask):
            if m is not None:
                parts.append(m.to(torch.bool).unsqueeze(-2))
        if use_causal_mask:
            parts.append(self._causal_mask(query, value))
        if self._sliding_window is not None:
            parts.append(position_mask(query.shape[1], value.shape[1], query, False, self._sliding_window).unsqueeze(0))
        for part in parts:
            mask = part if mask is None else mask & part
        return mask

    @staticmethod
    def _causal_mask(query, value):
        """``(1, T, S)``: position ``i`` of the query sees positions ``j <= i`` of the value."""
        return position_mask(query.shape[1], value.shape[1], query).unsqueeze(0)

    # ---------------------------------------------------------------- shapes
    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        query_shape = tuple(query_shape)
        value_shape = query_shape if value_shape is None else tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(f"{_label(self)}: value and key must agree on every axis but the last, received "
                             f"value shape {value_shape} and key shape {key_shape}")
        if self._output_shape:
            return query_shape[:-1] + tuple(self._output_shape)
        return query_shape

    def get_config(self):
        config = super().get_config()
        config.update({
            "num_heads": self._num_heads, "key_dim": self._key_dim, "value_dim": self._value_dim,
            "dropout": self._dropout, "use_bias": self._use_bias, "use_gate": self._use_gate,
            "output_shape": None if self._output_shape is None else list(self._output_shape),
            "attention_axes": None if self._attention_axes_arg is None else list(self._attention_axes_arg),
            "sliding_window": self._sliding_window,
            "kernel_initializer": initializers.serialize(self._kernel_initializer),
            "bias_initializer": initializers.serialize(self._bias_initializer),
            "kernel_regularizer": regularizers.serialize(self._kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self._bias_regularizer),
            "activity_regularizer": regularizers.serialize(self._activity_regularizer),
            "kernel_constraint": constraints.serialize(self._kernel_constraint),
            "bias_constraint": constraints.serialize(self._bias_constraint),
            "seed": self.seed,
        })
        return config
