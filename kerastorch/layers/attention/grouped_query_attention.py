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

Masks are combined exactly as in ``MultiHeadAttention`` (whose mask helpers this layer shares): the
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
import math
import numbers

import torch
import torch.nn.functional as F

from kerastorch import constraints, initializers, regularizers
from kerastorch import random as krandom
from kerastorch.backend.naming import unique_name
from kerastorch.layers.attention.multi_head_attention import MultiHeadAttention
from kerastorch.layers.base import Layer, _attach_mask
from kerastorch.layers.core import _label, _positive_int
from kerastorch.layers.einsum_dense import EinsumDense
from kerastorch.saving.object_registration import register_builtin

# Grouped attention for the explicit path: q (B, T, kv, g, D), k and v (B, S, kv, D), scores (B, kv, g, T, S).
_DOT_EQUATION = "bskd,btkgd->bkgts"
_COMBINE_EQUATION = "bkgts,bskd->btkgd"


@register_builtin("keras.layers")
class GroupQueryAttention(Layer):
    """Grouped-query attention: ``num_query_heads`` query heads of size ``head_dim`` share
    ``num_key_value_heads`` key/value heads; the heads are projected back to the query's feature size.

    ``call(query, value, key=None, query_mask=None, value_mask=None, key_mask=None, attention_mask=None,
    return_attention_scores=False, training=None, use_causal_mask=False)``.

    >>> gqa = GroupQueryAttention(head_dim=2, num_query_heads=4, num_key_value_heads=2, name="gqa")
    >>> gqa(torch.ones(1, 3, 5), torch.ones(1, 4, 6), use_causal_mask=True).shape
    torch.Size([1, 3, 5])
    >>> [(w.path, tuple(w.shape)) for w in gqa.weights][2:4]
    [('gqa/key/kernel', (6, 2, 2)), ('gqa/key/bias', (2, 2))]
    """

    # Mask combination, attention by einsum and the build config are MultiHeadAttention's; they read
    # ``_sliding_window``, ``_dot_equation``, ``_combine_equation``, ``_n_attn``, ``_inverse_sqrt_key_dim``,
    # ``_seed_generator`` and ``_shapes_dict``, which this layer sets.
    _attention_mask = MultiHeadAttention._attention_mask
    _causal_mask = staticmethod(MultiHeadAttention._causal_mask)
    _explicit_attention = MultiHeadAttention._explicit_attention
    get_build_config = MultiHeadAttention.get_build_config
    build_from_config = MultiHeadAttention.build_from_config

    def __init__(self, head_dim, num_query_heads, num_key_value_heads, dropout=0.0, use_bias=True, sliding_window=None,
                 flash_attention=None, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, use_gate=False, seed=None, **kwargs):
        if kwargs.get("name") is None:
            kwargs["name"] = unique_name("grouped_query_attention")  # Keras's default name
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)  # also on the output, as in Keras
        self.head_dim = _positive_int(self, "head_dim", head_dim)
        self.num_query_heads = _positive_int(self, "num_query_heads", num_query_heads)
        self.num_key_value_heads = _positive_int(self, "num_key_value_heads", num_key_value_heads)
        if self.num_query_heads % self.num_key_value_heads:
            raise ValueError(f"{_label(self)}: num_query_heads must be a multiple of num_key_value_heads, received "
                             f"num_query_heads={num_query_heads} and num_key_value_heads={num_key_value_heads}")
        self.num_repeats = self.num_query_heads // self.num_key_value_heads
        if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) or not 0 <= dropout < 1:
            raise ValueError(f"{_label(self)}: dropout must be a number in [0, 1), received dropout={dropout!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
            raise ValueError(f"{_label(self)}: seed must be None or an int, received seed={seed!r}")
        if sliding_window is not None:
            sliding_window = _positive_int(self, "sliding_window", sliding_window)
        if flash_attention and dropout > 0:
            raise ValueError(f"{_label(self)}: dropout is not supported with flash_attention=True, "
                             f"received dropout={dropout!r}; set dropout=0.0 to use flash attention")
        self.dropout = dropout
        self.use_bias = bool(use_bias)
        self.use_gate = bool(use_gate)
        self._sliding_window = sliding_window
        self._flash_attention = flash_attention
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self._seed_generator = krandom.SeedGenerator(seed) if seed is not None and dropout > 0 else None
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(self.head_dim))
        self._dot_equation, self._combine_equation, self._n_attn = _DOT_EQUATION, _COMBINE_EQUATION, 1
        self.supports_masking = True
        self.feature_dim = None
        self._shapes_dict = None

    sliding_window = property(lambda self: self._sliding_window, doc="Width of the attention band, or None.")
    query_dense = property(lambda self: self._query_dense)
    key_dense = property(lambda self: self._key_dense)
    value_dense = property(lambda self: self._value_dense)
    output_dense = property(lambda self: self._output_dense)

    # ------------------------------------------------------------------ build
    def _sublayer(self, name, equation, heads, bias_axes, input_shape, activation=None):
        layer = EinsumDense(
            equation, output_shape=(None, heads, self.head_dim) if heads else (None, self.feature_dim),
            activation=activation, bias_axes=bias_axes if self.use_bias else None, name=name,
            kernel_initializer=type(self.kernel_initializer).from_config(self.kernel_initializer.get_config()),
            bias_initializer=type(self.bias_initializer).from_config(self.bias_initializer.get_config()),
            kernel_regularizer=self.kernel_regularizer, bias_regularizer=self.bias_regularizer,
            activity_regularizer=self.activity_regularizer, kernel_constraint=self.kernel_constraint,
            bias_constraint=self.bias_constraint, dtype=self.dtype_policy)
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
        for name, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if len(shape) != 3 or shape[-1] is None:
                raise ValueError(f"{_label(self)}: {name} must have shape (batch, sequence, features) with known "
                                 f"features, received shape {shape}")
        _check_value_and_key(self, value_shape, key_shape)
        self.feature_dim = query_shape[-1]
        q_heads, kv_heads = self.num_query_heads, self.num_key_value_heads
        self._query_dense = self._sublayer("query", "bqm,muh->bquh", q_heads, "uh", query_shape)
        self._key_dense = self._sublayer("key", "bkm,mvh->bkvh", kv_heads, "vh", key_shape)
        if self.use_gate:
            self._gate_dense = self._sublayer("gate", "bqm,muh->bquh", q_heads, "uh", query_shape,
                                              activation="sigmoid")
        self._value_dense = self._sublayer("value", "bkm,mvh->bkvh", kv_heads, "vh", value_shape)
        self._output_dense = self._sublayer("attention_output", "bquh,uhm->bqm", None, "m",
                                            query_shape[:-1] + (q_heads, self.head_dim))
        self._shapes_dict = {"query_shape": query_shape, "value_shape": value_shape}
        if key_shape is not value_shape:
            self._shapes_dict["key_shape"] = key_shape
        self.built = True

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
        dropout = self.dropout if training else 0.0
        gate = self._gate_dense(query) if self.use_gate else None
        q = self._query_dense(query)  # (B, T, query heads, D)
        k = self._key_dense(key)  # (B, S, key/value heads, D)
        v = self._value_dense(value)
        scores = None
        if not return_attention_scores and (dropout == 0 or self._seed_generator is None):
            if mask is not None and mask.dim() == 3:
                mask = mask.unsqueeze(-3)
            q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
            native = self.num_repeats > 1 and _native_gqa(q, mask)
            if self.num_repeats > 1 and not native:
                k, v = k.repeat_interleave(self.num_repeats, 1), v.repeat_interleave(self.num_repeats, 1)
            outputs = F.scaled_dot_product_attention(
                q, k, v, attn_mask=mask, dropout_p=dropout, is_causal=causal_only,
                scale=self._inverse_sqrt_key_dim, enable_gqa=native).transpose(1, 2)
        else:
            if causal_only:
                mask = self._causal_mask(query, value)
            grouped = q.unflatten(2, (self.num_key_value_heads, self.num_repeats))
            outputs, scores = self._explicit_attention(grouped, k, v, mask, dropout)
            outputs, scores = outputs.flatten(2, 3), scores.flatten(1, 2)
        if gate is not None:
            outputs = outputs * gate
        outputs = self._output_dense(outputs)
        if query_mask is not None:
            _attach_mask(outputs, query_mask)
        if return_attention_scores:
            return outputs, scores
        return outputs

    # ---------------------------------------------------------------- shapes
    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        """The query's shape (Keras 3.15 also demands equal query and value feature sizes here, although
        ``call`` accepts different ones; this layer does not)."""
        query_shape = tuple(query_shape)
        value_shape = query_shape if value_shape is None else tuple(value_shape)
        _check_value_and_key(self, value_shape, None if key_shape is None else tuple(key_shape))
        return query_shape

    def get_config(self):
        config = super().get_config()
        config.update({
            "head_dim": self.head_dim, "num_query_heads": self.num_query_heads,
            "num_key_value_heads": self.num_key_value_heads, "use_bias": self.use_bias, "use_gate": self.use_gate,
            "sliding_window": self._sliding_window, "dropout": self.dropout,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "seed": self.seed,
        })
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
        raise ValueError(f"{_label(layer)}: value and key must have the same sequence length, received value shape "
                         f"{value_shape} and key shape {key_shape}")
