"""Attention layers: ``Attention``, ``AdditiveAttention`` (attention.py) and ``MultiHeadAttention``
(multi_head_attention.py, built on ``EinsumDense``)."""
from kerastorch.layers.attention.attention import AdditiveAttention, Attention
from kerastorch.layers.attention.multi_head_attention import MultiHeadAttention

__all__ = ["AdditiveAttention", "Attention", "MultiHeadAttention"]
