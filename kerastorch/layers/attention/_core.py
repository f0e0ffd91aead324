"""The attention core shared by ``MultiHeadAttention`` and ``GroupQueryAttention``: argument checks, the
``EinsumDense`` projections, mask combination, the call (fused ``scaled_dot_product_attention`` or explicit
einsums), the build config and the common config entries.

A subclass builds ``_query_dense``, ``_key_dense``, (``_gate_dense``), ``_value_dense`` and ``_output_dense``
with ``_projection``, sets ``_dot_equation``, ``_combine_equation``, ``_n_attn`` and ``_fusable`` (whether
the fused kernel applies to its layout) and may override ``_fused_attention`` (heads-first ``q, k, v``) and
``_explicit`` (heads-last ``q, k, v``, returns ``(outputs, scores)``).

``flash_attention``: None lets torch choose the fused kernel; False keeps the fused call off the flash kernel
(``kerastorch.backend.sdpa``); True demands it: the fused call runs the flash kernel only (inputs it does not take
raise), and a call that cannot take the fused path (returned scores, other attention axes, dropout) raises.
The config carries ``flash_attention`` when it is not None.

Masks: ``attention_mask`` (``(B, T, S)``, True = attend) is combined (logical and) with the query mask
(``(B, T, 1)``), the value and key masks (``(B, 1, S)``), the causal mask (``j <= i``) and the sliding
window band. A mask argument left as None is taken from the tensor's Keras mask (``_keras_mask``). Masked
positions are left out of the softmax; a query position with nothing to attend to gets all-zero attention
probabilities.

>>> from kerastorch.layers.attention.multi_head_attention import MultiHeadAttention
>>> isinstance(MultiHeadAttention(num_heads=1, key_dim=2), AttentionCore)
True
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import torch
import torch.nn.functional as F

from kerastorch import random as krandom
from kerastorch import regularizers
from kerastorch.backend.forward_mode import forward_mode_active
from kerastorch.backend.sdpa import check_flash_attention, scaled_dot_product_attention
from kerastorch.layers.attention.attention import position_mask
from kerastorch.layers.base import Layer, attach_mask
from kerastorch.layers.einsum_dense import EinsumDense
from kerastorch.layers.layer_utils import (
    build_sublayer,
    check_seed,
    layer_label,
    positive_int,
    set_weight_options,
    weight_options_config,
)

_WEIGHT_OPTIONS = (
    "kernel_initializer",
    "bias_initializer",
    "kernel_regularizer",
    "bias_regularizer",
    "kernel_constraint",
    "bias_constraint",
)


class AttentionCore(Layer):
    """Base of the multi-head attention layers (see the module docstring); not registered, not exported."""

    _fusable = False
    # built by the subclasses' build (with _projection)
    _query_dense: EinsumDense
    _key_dense: EinsumDense
    _gate_dense: EinsumDense
    _value_dense: EinsumDense
    _output_dense: EinsumDense

    dropout = property(lambda self: self._dropout, doc="Dropout rate on the attention probabilities.")
    use_bias = property(lambda self: self._use_bias, doc="Whether the projections have biases.")
    use_gate = property(lambda self: self._use_gate, doc="Whether a sigmoid gate multiplies the heads.")
    sliding_window = property(lambda self: self._sliding_window, doc="Width of the attention band, or None.")
    query_dense = property(lambda self: self._query_dense)
    key_dense = property(lambda self: self._key_dense)
    value_dense = property(lambda self: self._value_dense)
    output_dense = property(lambda self: self._output_dense)

    def _init_attention(
        self,
        head_dim,
        dropout,
        use_bias,
        use_gate,
        sliding_window,
        flash_attention,
        seed,
        activity_regularizer,
        **options,
    ):
        """Check and store the arguments both layers take; ``options`` are the six ``kernel_*``/``bias_*``
        initializer, regularizer and constraint arguments, stored as ``_kernel_initializer`` etc."""
        if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) or not 0 <= dropout < 1:
            raise ValueError(f"{layer_label(self)}: dropout must be a number in [0, 1), received dropout={dropout!r}")
        check_seed(self, seed)
        if sliding_window is not None:
            sliding_window = positive_int(self, "sliding_window", sliding_window)
        flash_attention = check_flash_attention(layer_label(self), flash_attention)
        if flash_attention and dropout > 0:
            raise ValueError(
                f"{layer_label(self)}: dropout is not supported with flash_attention=True, "
                f"received dropout={dropout!r}; set dropout=0.0 to use flash attention"
            )
        self._dropout = dropout
        self._use_bias = bool(use_bias)
        self._use_gate = bool(use_gate)
        self._sliding_window = sliding_window
        self._flash_attention = flash_attention
        set_weight_options(self, prefix="_", **options)
        self._activity_regularizer = activity_regularizer  # applied by the projections, as in Keras
        self.seed = seed
        self._seed_generator = krandom.SeedGenerator(seed) if seed is not None and dropout > 0 else None
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(head_dim))
        self.supports_masking = True
        self._shapes_dict = None

    # ------------------------------------------------------------------ build
    def _projection(self, name, equation, output_shape, bias_axes, input_shape, activation=None):
        """A built ``EinsumDense`` sublayer ``name`` with this layer's options and weight paths
        ``<layer>/<name>/<weight>``."""
        layer = EinsumDense(
            equation,
            output_shape=output_shape,
            activation=activation,
            bias_axes=bias_axes if self._use_bias else None,
            name=name,
            kernel_initializer=type(self._kernel_initializer).from_config(self._kernel_initializer.get_config()),
            bias_initializer=type(self._bias_initializer).from_config(self._bias_initializer.get_config()),
            kernel_regularizer=self._kernel_regularizer,
            bias_regularizer=self._bias_regularizer,
            activity_regularizer=self._activity_regularizer,
            kernel_constraint=self._kernel_constraint,
            bias_constraint=self._bias_constraint,
            dtype=self.dtype_policy,
        )
        build_sublayer(self, layer, input_shape)
        return layer

    def _record_shapes(self, query_shape, value_shape, key_shape):
        """Remember the build shapes for ``get_build_config`` (the key's only when it was given)."""
        self._shapes_dict = {"query_shape": query_shape, "value_shape": value_shape}
        if key_shape is not value_shape:
            self._shapes_dict["key_shape"] = key_shape

    def get_build_config(self) -> dict[str, Any] | None:
        if self._shapes_dict is None:
            return None
        return {"shapes_dict": {k: list(v) for k, v in self._shapes_dict.items()}}

    def build_from_config(self, build_config: dict[str, Any] | None) -> None:
        if build_config and not self.built:
            shapes = build_config.get("shapes_dict") or {
                "query_shape": build_config["input_shape"],
                "value_shape": build_config["input_shape"],
            }
            self.build(**{k: tuple(v) for k, v in shapes.items()})

    # ------------------------------------------------------------------- call
    def call(
        self,
        query: torch.Tensor,
        value: torch.Tensor,
        key: torch.Tensor | None = None,
        query_mask: torch.Tensor | None = None,
        value_mask: torch.Tensor | None = None,
        key_mask: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        return_attention_scores: bool = False,
        training: bool | None = None,
        use_causal_mask: bool = False,
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        if query_mask is None:
            query_mask = getattr(query, "_keras_mask", None)
        if value_mask is None:
            value_mask = getattr(value, "_keras_mask", None)
        if key is None:
            key = value
        elif key_mask is None:
            key_mask = getattr(key, "_keras_mask", None)
        if self._flash_attention and return_attention_scores:
            raise ValueError(
                f"{layer_label(self)}: return_attention_scores=True is not supported with "
                "flash_attention=True; disable flash attention to get the scores"
            )
        causal_only = (
            use_causal_mask
            and query_mask is None
            and value_mask is None
            and key_mask is None
            and attention_mask is None
            and self._sliding_window is None
        )
        mask = (
            None
            if causal_only
            else self._attention_mask(query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask)
        )
        dropout = self._dropout if training else 0.0
        gate = self._gate_dense(query) if self._use_gate else None
        q = self._query_dense(query)
        k = self._key_dense(key)
        v = self._value_dense(value)
        scores = None
        fused = (
            self._fusable
            and not return_attention_scores
            and (dropout == 0 or self._seed_generator is None)
            and not forward_mode_active()
        )  # the fused kernels have no forward-mode (JVP) rule
        if self._flash_attention and not fused:
            raise ValueError(
                f"{layer_label(self)}: flash_attention=True needs the fused kernel, which runs for attention "
                "over the sequence axis of (batch, sequence, features) inputs only (not over other "
                "attention_axes, nor under forward-mode differentiation); pass flash_attention=None"
            )
        if fused:
            if mask is not None and mask.dim() == 3:
                mask = mask.unsqueeze(-3)
            outputs = self._fused_attention(
                q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), mask, dropout, causal_only
            ).transpose(1, 2)
        else:
            if causal_only:
                mask = self._causal_mask(query, value)
            outputs, scores = self._explicit(q, k, v, mask, dropout)
        if gate is not None:
            outputs = outputs * gate
        outputs = self._output_dense(outputs)
        if query_mask is not None:
            attach_mask(outputs, query_mask)
        if return_attention_scores:
            assert scores is not None  # return_attention_scores takes the explicit path, which gives the scores
            return outputs, scores
        return outputs

    def _fused_attention(self, q, k, v, mask, dropout, causal_only):
        """``scaled_dot_product_attention`` on heads-first ``(B, heads, T, D)`` tensors, with the kernel that
        ``flash_attention`` asks for."""
        return scaled_dot_product_attention(
            q,
            k,
            v,
            attn_mask=mask,
            dropout_p=dropout,
            is_causal=causal_only,
            scale=self._inverse_sqrt_key_dim,
            flash_attention=self._flash_attention,
            owner=layer_label(self),
        )

    def _explicit(self, q, k, v, mask, dropout):
        return self._explicit_attention(q, k, v, mask, dropout)

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
            dropped = (
                F.dropout(probs, dropout, True)
                if self._seed_generator is None
                else krandom.dropout(probs, dropout, seed=self._seed_generator)
            )
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

    # ---------------------------------------------------------------- config
    def _attention_config(self):
        """The config entries both layers write; ``flash_attention`` only when it is not None (Keras's configs
        leave it out, and its constructors take it)."""
        config = {
            "dropout": self._dropout,
            "use_bias": self._use_bias,
            "use_gate": self._use_gate,
            "sliding_window": self._sliding_window,
            **weight_options_config(self, "kernel", "bias", prefix="_"),
            "activity_regularizer": regularizers.serialize(self._activity_regularizer),
            "seed": self.seed,
        }
        if self._flash_attention is not None:
            config["flash_attention"] = self._flash_attention
        return config


def _option_view(attr: str) -> property:
    return property(lambda self: getattr(self, attr))


for _name in _WEIGHT_OPTIONS:  # read-only views of the projections' options: ``kernel_initializer`` ...
    setattr(AttentionCore, _name, _option_view("_" + _name))
del _name
