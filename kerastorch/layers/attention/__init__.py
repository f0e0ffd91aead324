"""Attention layers: ``Attention``, ``AdditiveAttention`` (attention.py), ``MultiHeadAttention``
(multi_head_attention.py, built on ``EinsumDense``) and ``GroupQueryAttention`` (grouped_query_attention.py)."""

from kerastorch.layers.attention.attention import AdditiveAttention, Attention
from kerastorch.layers.attention.grouped_query_attention import GroupQueryAttention
from kerastorch.layers.attention.multi_head_attention import MultiHeadAttention

__all__ = ["AdditiveAttention", "Attention", "GroupQueryAttention", "MultiHeadAttention"]
