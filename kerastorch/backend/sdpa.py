"""torch's fused attention under Keras's ``flash_attention`` argument (private helper for ``ops`` and layers).

:func:`scaled_dot_product_attention` is ``torch.nn.functional.scaled_dot_product_attention`` with the kernel
choice that Keras's ``flash_attention`` argument asks for:

- ``None``: torch picks its kernel (flash attention where it applies and the global switch
  ``keras.config.enable_flash_attention()`` / ``torch.backends.cuda.enable_flash_sdp`` allows it);
- ``False``: the call runs inside ``torch.nn.attention.sdpa_kernel`` with every backend torch has enabled
  except ``FLASH_ATTENTION`` (the memory-efficient, cuDNN or plain math kernels), so flash attention is off
  for that call only;
- ``True``: the call runs with ``FLASH_ATTENTION`` only; inputs that torch's flash kernel does not take (on
  CUDA: float32, a mask, an unsupported head size ...) raise a ``RuntimeError`` naming ``flash_attention``,
  as Keras does. On CPU torch has a flash kernel for every dtype and mask.

The kernels compute the same attention, so the three give the same values up to float round-off.

Example:
    >>> q = torch.randn(1, 2, 3, 4, generator=torch.Generator().manual_seed(0))
    >>> off = scaled_dot_product_attention(q, q, q, flash_attention=False)
    >>> on = scaled_dot_product_attention(q, q, q, flash_attention=True)
    >>> torch.allclose(off, on, atol=1e-6)
    True
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

__all__ = ["check_flash_attention", "scaled_dot_product_attention"]

# The global switch of each backend that has one; the others (OVERRIDEABLE) are always allowed.
_SWITCHES = {
    "MATH": torch.backends.cuda.math_sdp_enabled,
    "EFFICIENT_ATTENTION": torch.backends.cuda.mem_efficient_sdp_enabled,
    "CUDNN_ATTENTION": torch.backends.cuda.cudnn_sdp_enabled,
}


def check_flash_attention(owner: str, flash_attention: object) -> bool | None:
    """``flash_attention`` checked to be None, True or False.

    Args:
        owner: str: who refuses, at the start of the message.
        flash_attention: the value to check.

    Returns:
        None or a bool.

    Raises:
        ValueError: for anything else.

    Example:
        >>> check_flash_attention("ops.dot_product_attention", None) is None
        True
        >>> check_flash_attention("ops.dot_product_attention", "yes")
        Traceback (most recent call last):
        ...
        ValueError: ops.dot_product_attention: flash_attention must be None, True or False, received 'yes'
    """
    if flash_attention is None or isinstance(flash_attention, bool):
        return flash_attention
    raise ValueError(f"{owner}: flash_attention must be None, True or False, received {flash_attention!r}")


def _non_flash_backends():
    """The kernels torch has enabled, less flash attention."""
    backends = []
    for name, backend in SDPBackend.__members__.items():
        if name in ("ERROR", "FLASH_ATTENTION"):
            continue
        switch = _SWITCHES.get(name)
        if switch is None or switch():
            backends.append(backend)
    return backends


def scaled_dot_product_attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    attn_mask: torch.Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
    flash_attention: bool | None = None,
    owner: str = "ops.dot_product_attention",
) -> torch.Tensor:
    """``F.scaled_dot_product_attention`` on heads-first tensors, with the kernel ``flash_attention`` asks for.

    Args:
        query: tensor ``(batch, heads, query_seq, head_dim)``.
        key: tensor ``(batch, key_heads, key_seq, head_dim)``.
        value: tensor ``(batch, key_heads, key_seq, value_dim)``.
        attn_mask: tensor or None, default None: a bool mask (True attends) or an additive float mask.
        dropout_p: float, default 0.0: the dropout rate on the attention probabilities.
        is_causal: bool, default False: torch's causal mask.
        scale: float or None, default None: the logits' scale; None uses ``1 / sqrt(head_dim)``.
        enable_gqa: bool, default False: let ``key``/``value`` have fewer heads than ``query``.
        flash_attention: bool or None, default None: None lets torch choose, False keeps the call off the flash
            kernel, True demands it (see the module docstring).
        owner: str, default ``"ops.dot_product_attention"``: who raises, at the start of an error message.

    Returns:
        A tensor ``(batch, heads, query_seq, value_dim)``.

    Raises:
        RuntimeError: with ``flash_attention=True``, when torch's flash kernel does not take these inputs; with
            ``flash_attention=False``, when every other kernel is switched off globally.

    Example:
        >>> q = torch.ones(1, 1, 2, 4)
        >>> scaled_dot_product_attention(q, q, q, flash_attention=False).shape
        torch.Size([1, 1, 2, 4])
    """
    if flash_attention is None:
        return F.scaled_dot_product_attention(
            query,
            key,
            value,
            attn_mask=attn_mask,
            dropout_p=dropout_p,
            is_causal=is_causal,
            scale=scale,
            enable_gqa=enable_gqa,
        )
    backends = [SDPBackend.FLASH_ATTENTION] if flash_attention else _non_flash_backends()
    try:
        with sdpa_kernel(backends):
            return F.scaled_dot_product_attention(
                query,
                key,
                value,
                attn_mask=attn_mask,
                dropout_p=dropout_p,
                is_causal=is_causal,
                scale=scale,
                enable_gqa=enable_gqa,
            )
    except RuntimeError as error:
        if "No available kernel" not in str(error):
            raise
        if flash_attention:
            raise RuntimeError(
                f"{owner}: flash_attention=True, but torch's flash attention kernel does not support these inputs "
                f"(query {tuple(query.shape)} {query.dtype} on {query.device}, "
                f"{'a mask' if attn_mask is not None else 'no mask'}; on CUDA it needs float16 or bfloat16, no "
                "mask and a supported head size). Pass flash_attention=None or False to use another kernel"
            ) from error
        raise RuntimeError(
            f"{owner}: flash_attention=False, but every other attention kernel is switched off "
            "(torch.backends.cuda.enable_math_sdp and the like)"
        ) from error
