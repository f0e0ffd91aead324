"""Encoding, normalization, loss and attention functions of ``keras.ops.nn`` (re-exported by
:mod:`kerastorch.ops.nn`).

``one_hot``/``multi_hot`` compare the indices with ``arange(num_classes)`` (out-of-range indices, negative or
too large, give all-zero rows; Keras's torch backend raises for the large ones). The cross-entropies run
:mod:`kerastorch.backend.crossentropy`, the numerics of ``kerastorch.losses`` too (Keras's clipping with
``epsilon``). ``dot_product_attention`` takes Keras's ``(batch, seq, heads, head_dim)`` layout and runs
``F.scaled_dot_product_attention`` unless a logits soft cap is asked for (``flash_attention`` picks the kernel).
``ctc_decode`` decodes greedily or by prefix beam search.

    >>> one_hot(torch.tensor([0, 2]), 3)
    tensor([[1., 0., 0.],
            [0., 0., 1.]])
    >>> moments(torch.tensor([1.0, 3.0]), axes=[0])
    (tensor(2.), tensor(1.))
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import torch
import torch.nn.functional as F

from kerastorch import config
from kerastorch.backend import crossentropy, validation
from kerastorch.backend.annotations import Axis, DTypeLike, TensorLike
from kerastorch.backend.sdpa import check_flash_attention, scaled_dot_product_attention
from kerastorch.ops._nn_activations import floating, tensor
from kerastorch.ops.dtypes import standardize_dtype, to_tensors

__all__ = [
    "one_hot",
    "multi_hot",
    "batch_normalization",
    "moments",
    "normalize",
    "rms_normalization",
    "layer_normalization",
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "psnr",
    "polar",
    "dot_product_attention",
    "ctc_loss",
    "ctc_decode",
]


def _torch_dtype(dtype):
    return getattr(torch, standardize_dtype(dtype if dtype is not None else config.floatx()))


def one_hot(
    x: TensorLike, num_classes: int, axis: int = -1, dtype: DTypeLike = None, sparse: bool = False
) -> torch.Tensor:
    """One-hot encoding of integer class ids: a new axis of size ``num_classes`` with a 1 at each id.

    Ids outside ``[0, num_classes)`` (negative or too large) give all-zero rows; Keras's torch backend raises for the
    large ones.

    Args:
        x: tensor or array of ints: the class ids, any shape.
        num_classes: int: the number of classes (the size of the new axis).
        axis: int, default ``-1``: where the class axis is inserted.
        dtype: str or None, default ``None``: the output dtype; None uses ``config.floatx()``.
        sparse: bool, default ``False``: a sparse result, which kerastorch does not support (True raises).

    Returns:
        A tensor of shape ``x.shape`` with a class axis of size ``num_classes`` inserted at ``axis``.

    Raises:
        ValueError: for ``sparse=True``.

    Example:
        >>> one_hot(torch.tensor([1, 0, 3]), 3)
        tensor([[0., 1., 0.],
                [1., 0., 0.],
                [0., 0., 0.]])
    """
    x = tensor(x)
    if sparse:
        raise ValueError("ops.one_hot: sparse=True is not supported by kerastorch, received sparse=True")
    classes = torch.arange(int(num_classes), device=x.device, dtype=x.dtype)
    out = (x.unsqueeze(-1) == classes).to(_torch_dtype(dtype))
    return out if axis == -1 else out.movedim(-1, axis)


def multi_hot(
    inputs: TensorLike,
    num_classes: int | None = None,
    axis: int = -1,
    dtype: DTypeLike = None,
    sparse: bool = False,
    **kwargs: Any,
) -> torch.Tensor:
    """Multi-hot encoding: for each sample, a vector of ``num_classes`` entries that is 1 for every class id present.

    A rank-1 input is one sample; for rank >= 2 inputs the last axis holds each sample's ids. Out-of-range ids are
    ignored.

    Args:
        inputs: tensor or array of ints: the class ids.
        num_classes: int, default ``None``: the number of classes; required (or given as ``num_tokens``).
        axis: int, default ``-1``: where the class axis goes in the output.
        dtype: str or None, default ``None``: the output dtype; None uses ``config.floatx()``.
        sparse: bool, default ``False``: a sparse result, which kerastorch does not support (True raises).
        **kwargs: only ``num_tokens``, Keras's former name of ``num_classes``, used when ``num_classes`` is None
            (given with a different ``num_classes`` it raises); any other keyword raises a ``TypeError``.

    Returns:
        A tensor of shape ``inputs.shape[:-1] + (num_classes,)`` (``(num_classes,)`` for rank-1 inputs), with the class
        axis at ``axis``.

    Raises:
        ValueError: when neither ``num_classes`` nor ``num_tokens`` is given, or they differ, or for ``sparse=True``.
        TypeError: for a keyword argument other than ``num_tokens``.

    Example:
        >>> multi_hot(torch.tensor([0, 2]), 3)
        tensor([1., 0., 1.])
        >>> multi_hot(torch.tensor([[0, 0], [1, 2]]), 3)
        tensor([[1., 0., 0.],
                [0., 1., 1.]])
    """
    num_tokens = kwargs.pop("num_tokens", None)
    if kwargs:
        raise TypeError(
            f"ops.multi_hot: unexpected keyword arguments {sorted(kwargs)} (the only extra one accepted is "
            "num_tokens, the former name of num_classes)"
        )
    if num_classes is None:
        num_classes = num_tokens
    elif num_tokens is not None and num_tokens != num_classes:
        raise ValueError(
            f"ops.multi_hot: num_tokens is the former name of num_classes; received both, with "
            f"different values: num_classes={num_classes!r}, num_tokens={num_tokens!r}"
        )
    if num_classes is None:
        raise ValueError("ops.multi_hot: expected an int num_classes, received num_classes=None")
    x = tensor(inputs)
    out = one_hot(x, num_classes, -1, dtype, sparse).amax(-2 if x.dim() > 0 else -1)
    return out if axis == -1 or out.dim() < 2 else out.movedim(-1, axis)


def _broadcast_stat(stat: TensorLike, x: torch.Tensor, axis: int, name: str) -> torch.Tensor:
    """A per-channel 1-D statistic shaped to broadcast against ``x`` along ``axis``."""
    stat = tensor(stat)
    if stat.dim() == 1 and x.dim() > 1:
        if stat.shape[0] not in (1, x.shape[axis]):
            raise ValueError(
                f"ops.{name}: expected statistics of shape ({x.shape[axis]},) for axis {axis} of "
                f"inputs of shape {tuple(x.shape)}, received shape {tuple(stat.shape)}"
            )
        shape = [1] * x.dim()
        shape[axis] = stat.shape[0]
        stat = stat.reshape(shape)
    return stat


def batch_normalization(
    x: TensorLike,
    mean: TensorLike,
    variance: TensorLike,
    axis: int,
    offset: TensorLike | None = None,
    scale: TensorLike | None = None,
    epsilon: float = 1e-3,
) -> torch.Tensor:
    """Normalizes ``x`` with given statistics: ``(x - mean) / sqrt(variance + epsilon) * scale + offset``.

    1-D statistics (of size ``x.shape[axis]`` or 1) are laid along ``axis``; statistics of another rank broadcast
    against ``x`` as they are.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.
        mean: tensor or array: the mean, 1-D along ``axis`` or broadcastable to ``x``.
        variance: tensor or array: the variance, shaped like ``mean``.
        axis: int: the axis of ``x`` the 1-D statistics run along (the feature axis).
        offset: tensor, array or None, default ``None``: added after scaling (beta); None adds nothing.
        scale: tensor, array or None, default ``None``: the scale (gamma); None scales by 1.
        epsilon: float, default ``1e-3``: added to ``variance`` for numerical stability.

    Returns:
        A tensor of the shape and dtype of ``x`` (``floatx()`` for integer inputs).

    Raises:
        ValueError: for 1-D statistics whose size is neither 1 nor ``x.shape[axis]``.

    Example:
        >>> batch_normalization(torch.tensor([[3.0, 1.0]]), torch.tensor([1.0, 1.0]), torch.tensor([4.0, 1.0]),
        ...                     axis=-1, epsilon=0.0)
        tensor([[1., 0.]])
    """
    x = floating(x)
    mean = _broadcast_stat(mean, x, axis, "batch_normalization")
    inv = torch.rsqrt(_broadcast_stat(variance, x, axis, "batch_normalization") + epsilon)
    if scale is not None:
        inv = inv * _broadcast_stat(scale, x, axis, "batch_normalization")
    out = (x - mean) * inv
    if offset is not None:
        out = out + _broadcast_stat(offset, x, axis, "batch_normalization")
    return out.to(x.dtype)


def _axes(axes, rank):
    return tuple(axes) if isinstance(axes, (list, tuple)) else (axes,) if axes is not None else tuple(range(rank))


def moments(
    x: TensorLike, axes: Axis, keepdims: bool = False, synchronized: bool = False
) -> tuple[torch.Tensor, torch.Tensor]:
    """The mean and (population) variance of ``x`` over ``axes``.

    float16 and bfloat16 inputs are computed in float32 and cast back.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.
        axes: int, list of ints or None: the axes to reduce; None reduces over all axes.
        keepdims: bool, default ``False``: keep the reduced axes with size 1.
        synchronized: bool, default ``False``: Keras's switch for statistics synchronized across devices, which
            Keras supports on TensorFlow only; True raises here, as on Keras's torch backend.

    Returns:
        A tuple ``(mean, variance)`` of tensors of the dtype of ``x``.

    Raises:
        NotImplementedError: for ``synchronized=True``.

    Example:
        >>> moments(torch.tensor([[1.0, 3.0], [5.0, 7.0]]), axes=[1])
        (tensor([2., 6.]), tensor([1., 1.]))
    """
    if synchronized:
        raise NotImplementedError(
            "ops.moments: synchronized=True (statistics synchronized across devices) is not "
            "supported with PyTorch, as in Keras; received synchronized=True"
        )
    x = floating(x)
    dtype = x.dtype
    if dtype in (torch.float16, torch.bfloat16):
        x = x.float()
    variance, mean = torch.var_mean(x, dim=_axes(axes, x.dim()), correction=0, keepdim=keepdims)
    return mean.to(dtype), variance.to(dtype)


def normalize(x: TensorLike, axis: int = -1, order: float = 2, epsilon: float | None = None) -> torch.Tensor:
    """Divides ``x`` by its ``order``-norm along ``axis``: ``x / max(norm(x), epsilon)``.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.
        axis: int, default ``-1``: the axis the norm is taken along.
        order: int or float, default ``2``: the norm's order (2: Euclidean, 1: sum of absolute values).
        epsilon: float or None, default ``None``: the smallest norm divided by (guards against 0); None uses
            ``config.epsilon()``.

    Returns:
        A tensor of the shape of ``x``, float.

    Example:
        >>> normalize(torch.tensor([3.0, 4.0]))
        tensor([0.6000, 0.8000])
        >>> normalize(torch.tensor([3.0, 1.0]), order=1)
        tensor([0.7500, 0.2500])
    """
    x = floating(x)
    return F.normalize(x, p=order, dim=axis, eps=config.epsilon() if epsilon is None else epsilon)


def rms_normalization(
    x: TensorLike, scale: TensorLike | None = None, axis: int = -1, epsilon: float | None = None
) -> torch.Tensor:
    """Root-mean-square normalization: ``x / sqrt(mean(x**2, axis) + epsilon) * scale``.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.
        scale: tensor, array, number or None, default ``None``: multiplies the result (broadcast along ``axis``); None
            scales by 1.
        axis: int, default ``-1``: the axis the mean square is taken over.
        epsilon: float or None, default ``None``: added for numerical stability; None uses ``config.epsilon()``.

    Returns:
        A tensor of the shape of ``x``, float.

    Example:
        >>> rms_normalization(torch.tensor([2.0, 2.0]))
        tensor([1., 1.])
        >>> rms_normalization(torch.tensor([3.0, -3.0]), scale=2.0)
        tensor([ 2., -2.])
    """
    x = floating(x)
    eps = config.epsilon() if epsilon is None else epsilon
    if axis == -1 or axis == x.dim() - 1:
        weight = None if scale is None else tensor(scale).to(device=x.device, dtype=x.dtype).expand(x.shape[-1:])
        return F.rms_norm(x, x.shape[-1:], weight, eps)
    out = x * torch.rsqrt(torch.mean(torch.square(x), dim=axis, keepdim=True) + eps)
    return out if scale is None else out * tensor(scale).to(out.dtype)


def layer_normalization(
    x: TensorLike,
    gamma: TensorLike | None = None,
    beta: TensorLike | None = None,
    axis: Axis = -1,
    epsilon: float | None = None,
    **kwargs: Any,
) -> torch.Tensor:
    """Layer normalization: ``(x - mean) / sqrt(variance + epsilon) * gamma + beta``, statistics over ``axis``.

    float16 and bfloat16 inputs are computed in float32 and cast back. Keras's deprecated ``rms_scaling=True``
    computes ``x / sqrt(variance + epsilon) * gamma`` instead (no centering, no ``beta``) and warns, as Keras does;
    ``rms_normalization`` is the root-mean-square normalization.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.
        gamma: tensor, array or None, default ``None``: the scale, broadcast against the normalized axes; None scales by
            1.
        beta: tensor, array or None, default ``None``: the offset added after scaling; None adds nothing.
        axis: int or tuple of ints, default ``-1``: the axis or axes the statistics are taken over.
        epsilon: float or None, default ``None``: added for numerical stability; None uses ``config.epsilon()``.
        **kwargs: only ``rms_scaling`` (bool, default ``False``), Keras's deprecated switch described above: True
            warns and scales by the variance without centering. Any other keyword raises a ``TypeError``.

    Returns:
        A tensor of the shape and float dtype of ``x``.

    Raises:
        TypeError: for a keyword argument other than ``rms_scaling``.
        ValueError: for a non-bool ``rms_scaling``, or ``beta`` with ``rms_scaling=True`` (which has no offset).

    Example:
        >>> layer_normalization(torch.tensor([1.0, 3.0]))
        tensor([-1.,  1.])
        >>> layer_normalization(torch.tensor([1.0, 3.0]), gamma=torch.tensor([2.0, 2.0]), beta=1.0)
        tensor([-1.,  3.])
    """
    rms_scaling = validation.boolean("ops.layer_normalization", "rms_scaling", kwargs.pop("rms_scaling", False))
    if kwargs:
        raise TypeError(
            f"ops.layer_normalization: unexpected keyword arguments {sorted(kwargs)} (the only extra one "
            "accepted is Keras's deprecated rms_scaling)"
        )
    x = floating(x)
    eps = config.epsilon() if epsilon is None else epsilon
    axes = tuple(a % x.dim() for a in _axes(axis, x.dim()))
    if rms_scaling:
        return _variance_scaling(x, gamma, beta, axes, eps)
    if axes == tuple(range(x.dim() - len(axes), x.dim())) and x.dtype not in (torch.float16, torch.bfloat16):
        shape = x.shape[x.dim() - len(axes) :]
        weight = None if gamma is None else tensor(gamma).to(x.dtype).expand(shape)
        bias = None if beta is None else tensor(beta).to(x.dtype).expand(shape)
        return F.layer_norm(x, shape, weight, bias, eps)
    compute = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x
    variance, mean = torch.var_mean(compute, dim=axes, correction=0, keepdim=True)
    out = (compute - mean) * torch.rsqrt(variance + eps)
    if gamma is not None:
        out = out * tensor(gamma).to(out.dtype)
    if beta is not None:
        out = out + tensor(beta).to(out.dtype)
    return out.to(x.dtype)


def _variance_scaling(x, gamma, beta, axes, eps):
    """Keras's deprecated ``layer_normalization(rms_scaling=True)``: ``x / sqrt(var(x) + eps) * gamma``."""
    if beta is not None:
        raise ValueError(
            "ops.layer_normalization: rms_scaling=True scales without an offset, so beta must be None; received a beta"
        )
    warnings.warn(
        "ops.layer_normalization: rms_scaling=True is deprecated, as in Keras: it scales the input by its "
        "variance, not by its root mean square; use ops.rms_normalization for RMS normalization",
        stacklevel=4,
    )
    compute = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x
    out = compute * torch.rsqrt(torch.var(compute, dim=axes, correction=0, keepdim=True) + eps)
    if gamma is not None:
        gamma = tensor(gamma).to(device=out.device, dtype=out.dtype)
        if gamma.dim() != x.dim() and axes != (x.dim() - 1,):  # laid along the normalized axes, as Keras does
            shape = [1] * x.dim()
            for a in axes:
                shape[a] = x.shape[a]
            gamma = gamma.reshape(shape)
        out = out * gamma
    return out.to(x.dtype)


def _same_shape(name, target, output):
    if target.shape != output.shape:
        raise ValueError(
            f"ops.{name}: target and output must have the same shape, received "
            f"target.shape={tuple(target.shape)} and output.shape={tuple(output.shape)}"
        )


def binary_crossentropy(target: TensorLike, output: TensorLike, from_logits: bool = False) -> torch.Tensor:
    """Elementwise binary cross-entropy ``-(target * log(p) + (1 - target) * log(1 - p))``.

    Args:
        target: tensor or array: the targets in ``[0, 1]``, of the shape of ``output``.
        output: tensor or array: the predicted probabilities, or logits with ``from_logits=True``.
        from_logits: bool, default ``False``: whether ``output`` holds logits rather than probabilities (probabilities
            are clipped to ``[epsilon, 1 - epsilon]``).

    Returns:
        A tensor of the shape of ``output`` (no reduction).

    Raises:
        ValueError: when ``target`` and ``output`` shapes differ.

    Example:
        >>> binary_crossentropy(torch.tensor([1.0, 0.0]), torch.tensor([0.5, 0.2]))
        tensor([0.6931, 0.2231])
        >>> binary_crossentropy(torch.tensor([1.0]), torch.tensor([0.0]), from_logits=True)
        tensor([0.6931])
    """
    output = floating(output)
    target = tensor(target).to(device=output.device, dtype=output.dtype)
    _same_shape("binary_crossentropy", target, output)
    return crossentropy.elementwise_binary_crossentropy(target, output, from_logits)


def categorical_crossentropy(
    target: TensorLike, output: TensorLike, from_logits: bool = False, axis: int = -1
) -> torch.Tensor:
    """Cross-entropy ``-sum(target * log(p))`` between one-hot (or soft) targets and class probabilities along ``axis``.

    Args:
        target: tensor or array: the one-hot or soft targets, of the shape of ``output``.
        output: tensor or array: the class probabilities (renormalized to sum to 1 along ``axis``), or logits with
            ``from_logits=True``.
        from_logits: bool, default ``False``: whether ``output`` holds logits rather than probabilities (probabilities
            are clipped to ``[epsilon, 1 - epsilon]``).
        axis: int, default ``-1``: the class axis.

    Returns:
        A tensor of the shape of ``output`` without ``axis``.

    Raises:
        ValueError: when ``target`` and ``output`` shapes differ, or ``axis`` is not an int within their rank.

    Example:
        >>> categorical_crossentropy(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.5, 0.5]]))
        tensor([0.6931])
        >>> categorical_crossentropy(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.0, 0.0]]), from_logits=True)
        tensor([0.6931])
    """
    output = floating(output)
    target = tensor(target).to(device=output.device, dtype=output.dtype)
    _same_shape("categorical_crossentropy", target, output)
    axis = crossentropy.class_axis("categorical_crossentropy", axis, output)
    return crossentropy.categorical_crossentropy(target, output, from_logits, axis)


def sparse_categorical_crossentropy(
    target: TensorLike, output: TensorLike, from_logits: bool = False, axis: int = -1
) -> torch.Tensor:
    """Cross-entropy ``-log(p[target])`` between integer class ids and class probabilities along ``axis``.

    Args:
        target: tensor or array of ints: the class ids, of the shape of ``output`` without ``axis``.
        output: tensor or array: the class probabilities, or logits with ``from_logits=True``.
        from_logits: bool, default ``False``: whether ``output`` holds logits rather than probabilities (probabilities
            are clipped to ``[epsilon, 1 - epsilon]``).
        axis: int, default ``-1``: the class axis of ``output``.

    Returns:
        A tensor of the shape of ``target``.

    Raises:
        ValueError: when ``target``'s shape does not fit ``output``'s, ``axis`` is not an int within ``output``'s
            rank, or (on the CPU) a class id is outside ``[0, num_classes)``.

    Example:
        >>> sparse_categorical_crossentropy(torch.tensor([1, 0]), torch.tensor([[0.5, 0.5], [0.9, 0.1]]))
        tensor([0.6931, 0.1054])
    """
    output = floating(output)
    labels, output = crossentropy.sparse_labels(
        "sparse_categorical_crossentropy", tensor(target).to(device=output.device), output, axis
    )
    return crossentropy.sparse_categorical_crossentropy(labels, output, from_logits)


def psnr(x1: TensorLike, x2: TensorLike, max_val: float) -> torch.Tensor:
    """Peak signal-to-noise ratio in decibels: ``20 * log10(max_val) - 10 * log10(mean((x1 - x2)**2))``.

    The mean runs over every entry (one value for the whole batch).

    Args:
        x1: tensor or array: the first signal or image batch.
        x2: tensor or array: the second, of the shape of ``x1``.
        max_val: float: the largest possible value of the signal (1.0 for images in ``[0, 1]``, 255 for bytes).

    Returns:
        A scalar float tensor (``inf`` for identical inputs).

    Raises:
        ValueError: when ``x1`` and ``x2`` shapes differ.

    Example:
        >>> psnr(torch.tensor([0.5, 0.5]), torch.tensor([0.0, 0.0]), 1.0)
        tensor(6.0206)
    """
    x1, x2 = to_tensors(floating(x1), floating(x2))
    if x1.shape != x2.shape:
        raise ValueError(
            f"ops.psnr: x1 and x2 must have the same shape, received {tuple(x1.shape)} and {tuple(x2.shape)}"
        )
    mse = torch.mean(torch.square(x1 - x2))
    return 20.0 * math.log10(max_val) - 10.0 * torch.log10(mse)


def polar(abs_: TensorLike, angle: TensorLike) -> torch.Tensor:
    """The complex number with magnitude ``abs_`` and phase ``angle``: ``abs_ * exp(1j * angle)``.

    float16 and bfloat16 inputs are computed in float32 (complex64).

    Args:
        abs_: tensor, array or number: the magnitudes.
        angle: tensor, array or number: the phases in radians, broadcastable with ``abs_``.

    Returns:
        A complex tensor (complex64 for float32 inputs, complex128 for float64).

    Example:
        >>> polar(torch.tensor([2.0]), torch.tensor([0.0]))
        tensor([2.+0.j])
    """
    abs_, angle = to_tensors(floating(abs_), floating(angle))
    if abs_.dtype in (torch.float16, torch.bfloat16):
        abs_, angle = abs_.float(), angle.float()
    return torch.polar(abs_, angle)


def _attention_mask(name, mask, bias, is_causal, q_len, k_len, device, dtype):
    """One additive float mask (or None) from a bool ``mask``, a float ``bias`` and ``is_causal``."""
    parts = []
    if mask is not None:
        mask = tensor(mask).to(device)
        parts.append(
            torch.zeros((), dtype=dtype, device=device).masked_fill(~mask.bool(), float("-inf"))
            if mask.dtype == torch.bool
            else torch.where(mask != 0, 0.0, float("-inf")).to(dtype)
        )
    if is_causal:
        causal = torch.ones(q_len, k_len, dtype=torch.bool, device=device).tril()
        parts.append(torch.zeros(q_len, k_len, dtype=dtype, device=device).masked_fill(~causal, float("-inf")))
    if bias is not None:
        parts.append(tensor(bias).to(device=device, dtype=dtype))
    if not parts:
        return None
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return total


def dot_product_attention(
    query: TensorLike,
    key: TensorLike,
    value: TensorLike,
    bias: TensorLike | None = None,
    mask: TensorLike | None = None,
    scale: float | None = None,
    is_causal: bool = False,
    flash_attention: bool | None = None,
    attn_logits_soft_cap: float | None = None,
) -> torch.Tensor:
    """Scaled dot-product attention ``softmax(query @ key^T * scale + bias, masked) @ value``.

    Inputs are in Keras's layout ``(batch, seq, heads, head_dim)`` (or unbatched ``(seq, heads, head_dim)``). When
    ``key``/``value`` have fewer heads than ``query`` (grouped-query attention) they are repeated. The work is one
    ``F.scaled_dot_product_attention`` call unless ``attn_logits_soft_cap`` is set.

    Args:
        query: tensor or array: ``(batch, query_seq, heads, head_dim)``.
        key: tensor or array: ``(batch, key_seq, key_heads, head_dim)``; ``heads`` must be a multiple of ``key_heads``.
        value: tensor or array: ``(batch, key_seq, key_heads, value_dim)``.
        bias: tensor, array or None, default ``None``: added to the attention logits, broadcastable to ``(batch, heads,
            query_seq, key_seq)``.
        mask: tensor, array or None, default ``None``: bool (or 0/1) of that broadcastable shape; True where a query may
            attend to a key.
        scale: float or None, default ``None``: the logits' scale; None uses ``1 / sqrt(head_dim)``.
        is_causal: bool, default ``False``: let each query attend only to keys at or before its position.
        flash_attention: bool or None, default ``None``: the flash-attention kernel: None lets torch choose its fused
            kernel (flash attention where it applies and ``keras.config.is_flash_attention_enabled()`` allows it),
            False keeps this call off the flash kernel (torch's memory-efficient, cuDNN or math kernel runs), True
            runs the flash kernel only and raises when it does not take the inputs (on CUDA it needs float16 or
            bfloat16 and no mask), as Keras does. The values are the same up to float round-off.
        attn_logits_soft_cap: float or None, default ``None``: when set, logits become ``cap * tanh(logits / cap)``
            before masking (computed without the fused kernel, so ``flash_attention=True`` is refused with it).

    Returns:
        A tensor ``(batch, query_seq, heads, value_dim)`` (unbatched when the inputs are).

    Raises:
        ValueError: for inputs not all of rank 3 or 4, query heads that are not a multiple of the key heads, a
            ``flash_attention`` other than None, True or False, or ``flash_attention=True`` with
            ``attn_logits_soft_cap``.
        RuntimeError: with ``flash_attention=True``, when torch's flash kernel does not take these inputs.

    Example:
        >>> q = torch.ones(1, 2, 1, 4)
        >>> dot_product_attention(q, torch.ones(1, 3, 1, 4), torch.ones(1, 3, 1, 4)).shape
        torch.Size([1, 2, 1, 4])
        >>> v = torch.tensor([1.0, 3.0]).reshape(1, 2, 1, 1)
        >>> dot_product_attention(torch.ones(1, 2, 1, 1), torch.ones(1, 2, 1, 1), v, is_causal=True)[0, :, 0, 0]
        tensor([1., 2.])
    """
    name = "dot_product_attention"
    flash_attention = check_flash_attention(f"ops.{name}", flash_attention)
    if flash_attention and attn_logits_soft_cap is not None:
        raise ValueError(
            f"ops.{name}: flash_attention=True cannot be combined with attn_logits_soft_cap (the flash "
            f"kernel has no logits soft cap), received attn_logits_soft_cap={attn_logits_soft_cap!r}"
        )
    query, key, value = to_tensors(floating(query), floating(key), floating(value))
    unbatched = query.dim() == 3
    if query.dim() not in (3, 4) or key.dim() != query.dim() or value.dim() != query.dim():
        raise ValueError(
            f"ops.{name}: expected query, key and value of rank 4 (batch, seq, heads, head_dim) or 3, "
            f"received shapes {tuple(query.shape)}, {tuple(key.shape)}, {tuple(value.shape)}"
        )
    if unbatched:
        query, key, value = query.unsqueeze(0), key.unsqueeze(0), value.unsqueeze(0)
        bias = None if bias is None else tensor(bias).unsqueeze(0)
        mask = None if mask is None else tensor(mask).unsqueeze(0)
    q, k, v = query.transpose(1, 2), key.transpose(1, 2), value.transpose(1, 2)
    heads, kv_heads = q.shape[1], k.shape[1]
    if kv_heads != heads:
        if kv_heads == 0 or heads % kv_heads:
            raise ValueError(f"ops.{name}: the query heads ({heads}) must be a multiple of the key heads ({kv_heads})")
        k = k.repeat_interleave(heads // kv_heads, 1)
        v = v.repeat_interleave(heads // kv_heads, 1)
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    fused_causal = is_causal and mask is None and bias is None and attn_logits_soft_cap is None
    attn_mask = _attention_mask(
        name, mask, bias, is_causal and not fused_causal, q.shape[2], k.shape[2], q.device, q.dtype
    )
    if attn_logits_soft_cap is None:  # torch's fused kernel (its causal mask too: no mask tensor is built)
        out = scaled_dot_product_attention(
            q,
            k,
            v,
            attn_mask=attn_mask,
            is_causal=fused_causal,
            scale=scale,
            flash_attention=flash_attention,
            owner=f"ops.{name}",
        )
    else:
        logits = torch.matmul(q, k.transpose(-1, -2)) * scale
        logits = torch.tanh(logits / attn_logits_soft_cap) * attn_logits_soft_cap
        if attn_mask is not None:
            logits = logits + attn_mask
        out = torch.matmul(torch.softmax(logits, -1), v)
    out = out.transpose(1, 2)
    return out.squeeze(0) if unbatched else out


def ctc_loss(
    target: TensorLike, output: TensorLike, target_length: TensorLike, output_length: TensorLike, mask_index: int = 0
) -> torch.Tensor:
    """Connectionist temporal classification (CTC) loss of each sample.

    ``output`` holds logits; they are log-softmaxed over the classes before ``F.ctc_loss``.

    Args:
        target: tensor or array of ints: the labels ``(batch, max_label_length)``, padded beyond each ``target_length``.
        output: tensor or array: the logits ``(batch, max_time, num_classes)``.
        target_length: tensor or array of ints: the label length of each sample, ``(batch,)``.
        output_length: tensor or array of ints: the number of valid time steps of each sample, ``(batch,)``.
        mask_index: int, default ``0``: the class id of the blank.

    Returns:
        A tensor ``(batch,)`` of losses (negative log-likelihoods), of the dtype of ``output``.

    Example:
        >>> ctc_loss(torch.tensor([[1]]), torch.zeros(1, 2, 2), torch.tensor([1]), torch.tensor([2]))
        tensor([0.2877])
    """
    output = floating(output)
    target = tensor(target).to(output.device).long()
    log_probs = torch.log_softmax(output, -1).transpose(0, 1)
    target_length = tensor(target_length).to(output.device).long()
    output_length = tensor(output_length).to(output.device).long()
    if log_probs.dtype in (torch.float16, torch.bfloat16):
        return F.ctc_loss(
            log_probs.float(),
            target,
            output_length,
            target_length,
            blank=mask_index,
            reduction="none",
            zero_infinity=False,
        ).to(output.dtype)
    return F.ctc_loss(log_probs, target, output_length, target_length, blank=mask_index, reduction="none")


def ctc_decode(
    inputs: TensorLike,
    sequence_lengths: TensorLike,
    strategy: str = "greedy",
    beam_width: int = 100,
    top_paths: int = 1,
    merge_repeated: bool = True,
    mask_index: int | None = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """CTC decoding of per-step class scores into label sequences: greedy, or by prefix beam search.

    ``strategy="greedy"`` takes the best class at each valid step, merges repeats (with ``merge_repeated``) and drops
    blanks. ``strategy="beam_search"`` is CTC prefix beam search, as Keras 3 computes it: the logits are
    log-softmaxed, each label prefix keeps the log-probability of its alignments ending in a blank and of those ending
    in its last label, every step extends the ``beam_width`` most probable prefixes by each class (a repeat of the
    last label extends the prefix only after a blank, so repeats not separated by a blank merge, as CTC defines
    it) and merges the alignments that give the same prefix; the ``top_paths`` most probable prefixes are returned
    with their log-probabilities. A sample with fewer than ``top_paths`` prefixes of non-zero probability gets
    rows of -1 with score ``-inf`` (as in Keras); one of length 0 decodes to the empty sequence with score 0.

    Args:
        inputs: tensor or array: the logits ``(batch, max_time, num_classes)``.
        sequence_lengths: tensor or array of ints: the number of valid time steps of each sample, ``(batch,)``.
        strategy: str, default ``"greedy"``: ``"greedy"`` or ``"beam_search"``.
        beam_width: int, default ``100``: the number of prefixes beam search keeps at each step (a positive int);
            the greedy strategy follows a single path and does not read it.
        top_paths: int, default ``1``: the number of decoded sequences beam search returns, best first (a positive
            int); the greedy strategy returns one (any other value raises).
        merge_repeated: bool, default ``True``: greedy: merge consecutive repeats of a class into one. Beam search
            always merges repeats that no blank separates (CTC's rule, which Keras's beam search applies whatever this
            value); ``merge_repeated=False`` with it raises.
        mask_index: int or None, default ``0``: the class id of the blank, dropped from the result; None means the
            last class.

    Returns:
        A tuple ``(decoded, scores)``: ``decoded`` int32 ``(top_paths, batch, max_time)`` (``top_paths`` is 1 for
        greedy), each row's labels first and padded with -1; ``scores`` float32 ``(batch, top_paths)`` (the inputs
        are computed in float32, as Keras does): greedy, minus the sum of each valid step's largest logit; beam
        search, each sequence's log-probability.

    Raises:
        ValueError: for an unknown ``strategy``, a ``beam_width`` or ``top_paths`` that is not a positive int,
            ``top_paths > 1`` with the greedy strategy, ``merge_repeated=False`` with beam search, or inputs not of
            rank 3.

    Example:
        >>> decoded, scores = ctc_decode(torch.tensor([[[0.0, 1.0], [0.0, 1.0], [1.0, 0.0]]]), torch.tensor([3]))
        >>> decoded
        tensor([[[ 1, -1, -1]]], dtype=torch.int32)
        >>> scores
        tensor([[-3.]])
        >>> probs = torch.tensor([[[0.1, 0.9], [0.6, 0.4]]])  # blank 0, label 1; alignments 11, 10, 01 give [1]
        >>> decoded, scores = ctc_decode(probs.log(), torch.tensor([2]), strategy="beam_search", top_paths=2)
        >>> decoded[:, 0]
        tensor([[ 1, -1],
                [-1, -1]], dtype=torch.int32)
        >>> scores.exp()
        tensor([[0.9400, 0.0600]])
    """
    name = "ops.ctc_decode"
    if strategy not in ("greedy", "beam_search"):
        raise ValueError(f"{name}: strategy must be 'greedy' or 'beam_search', received strategy={strategy!r}")
    beam_width = validation.positive_int(name, "beam_width", beam_width)
    top_paths = validation.positive_int(name, "top_paths", top_paths)
    x = floating(inputs)
    if x.dim() != 3:
        raise ValueError(
            f"{name}: expected inputs of shape (batch, max_time, num_classes), received shape {tuple(x.shape)}"
        )
    x = x.float()  # computed and scored in float32 whatever the float type, as Keras 3 does
    if mask_index is None:
        mask_index = x.shape[-1] - 1
    lengths = tensor(sequence_lengths).to(x.device).long()
    if strategy == "beam_search":
        if not merge_repeated:
            raise ValueError(
                f"{name}: merge_repeated=False is not supported with strategy='beam_search' (CTC beam "
                "search merges repeats that no blank separates, as Keras's does whatever the flag); "
                "received merge_repeated=False"
            )
        return _ctc_beam_search(x, lengths, beam_width, top_paths, int(mask_index))
    if top_paths != 1:
        raise ValueError(
            f"{name}: the greedy strategy decodes one path, so top_paths must be 1; received "
            f"top_paths={top_paths} (use strategy='beam_search' for several)"
        )
    best, labels = x.max(-1)
    steps = torch.arange(x.shape[1], device=x.device)
    valid = steps < lengths.unsqueeze(-1)
    keep = valid & (labels != mask_index)
    if merge_repeated:
        repeated = torch.cat([torch.zeros_like(labels[:, :1], dtype=torch.bool), labels[:, 1:] == labels[:, :-1]], 1)
        keep = keep & ~repeated
    # stable partition: kept labels first, in order
    order = torch.argsort((~keep).to(torch.int8), dim=1, stable=True)
    decoded = torch.where(keep, labels, -1).gather(1, order)
    scores = -torch.where(valid, best, 0.0).sum(-1, keepdim=True)
    return decoded.unsqueeze(0).to(torch.int32), scores


_HASH_BASE = 0x9E3779B97F4A7C15  # an odd 64-bit constant: prefixes hash to sum((label + 1) * base**position)


def _hash_powers(steps, device):
    """``base**k`` for ``k < steps`` as wrapping int64 (two's complement of the value modulo ``2**64``)."""
    powers, value = [], 1
    for _ in range(max(steps, 1)):
        powers.append(value - (1 << 64) if value >= 1 << 63 else value)
        value = value * _HASH_BASE % (1 << 64)
    return torch.tensor(powers, dtype=torch.long, device=device)


def _ctc_beam_search(logits, lengths, beam_width, top_paths, blank):
    """CTC prefix beam search over ``(batch, time, classes)`` logits, the whole batch at once.

    The beam of each sample is ``width`` prefixes ``(batch, width, time)`` (-1 after each prefix's ``length``) with
    ``last`` (the last label, -1 for the empty prefix), a hash of each prefix and two log-probabilities:
    ``p_blank`` of the alignments ending in a blank and ``p_label`` of those ending in the last label. A prefix whose
    total is ``-inf`` is dead (an empty slot). Steps at or past a sample's length leave its beam as it is.

    An extension of prefix ``i`` by class ``c`` that equals prefix ``j`` of the beam joins ``j``: the match is found
    by hash and confirmed label by label, so a hash collision can at worst miss a merge, never make a wrong one.
    """
    batch, steps, classes = logits.shape
    device, dtype = logits.device, logits.dtype
    log_probs = torch.log_softmax(logits, -1)
    neg_inf = torch.tensor(float("-inf"), dtype=dtype, device=device)
    class_ids = torch.arange(classes, device=device)
    powers = _hash_powers(steps, device)
    prefixes = torch.full((batch, 1, steps), -1, dtype=torch.long, device=device)
    length = torch.zeros((batch, 1), dtype=torch.long, device=device)
    last = torch.full((batch, 1), -1, dtype=torch.long, device=device)
    hashes = torch.zeros((batch, 1), dtype=torch.long, device=device)
    p_blank = torch.zeros((batch, 1), dtype=dtype, device=device)
    p_label = torch.full((batch, 1), float("-inf"), dtype=dtype, device=device)
    for t in range(min(steps, int(lengths.max()) if batch else 0)):
        width = prefixes.shape[1]
        active = (lengths > t).unsqueeze(-1)  # (batch, 1)
        step = log_probs[:, t]  # (batch, classes)
        total = torch.logaddexp(p_blank, p_label)
        # the prefix unchanged: a blank after anything, or the last label repeated (merged)
        stay_blank = torch.where(active, total + step[:, blank, None], p_blank)
        repeat = torch.where(last >= 0, p_label + step.gather(1, last.clamp(min=0)), neg_inf)
        stay_label = torch.where(active, repeat, p_label)
        # the prefix extended by class c: after a blank only when c repeats the last label
        is_last = class_ids == last.unsqueeze(-1)  # (batch, width, classes)
        extend = torch.where(is_last, p_blank.unsqueeze(-1), total.unsqueeze(-1)) + step.unsqueeze(1)
        extend[..., blank] = float("-inf")
        extend = torch.where(active.unsqueeze(-1), extend, neg_inf).flatten(1)  # (batch, width * classes)
        if width > 1:  # prefix j = prefix i + its last label: extension (i, last_j) joins j's p_label
            alive = total > float("-inf")
            has_parent = (length > 0) & alive & active
            parent_hash = hashes - (last.clamp(min=0) + 1) * powers[(length - 1).clamp(min=0)]
            candidate = (parent_hash.unsqueeze(-1) == hashes.unsqueeze(1)) & alive.unsqueeze(1)  # (batch, j, i)
            parent = candidate.to(torch.int8).argmax(-1)  # (batch, width)
            parent_form = prefixes.scatter(2, (length - 1).clamp(min=0).unsqueeze(-1), -1)
            found = (
                has_parent
                & candidate.any(-1)
                & (prefixes.gather(1, parent.unsqueeze(-1).expand(-1, -1, steps)) == parent_form).all(-1)
            )
            slot = torch.where(found, parent * classes + last.clamp(min=0), width * classes)
            padded = torch.cat([extend, extend.new_full((batch, 1), float("-inf"))], 1)
            stay_label = torch.logaddexp(stay_label, padded.gather(1, slot))
            extend = padded.scatter(1, slot, float("-inf"))[:, :-1]
        candidates = torch.cat([torch.logaddexp(stay_blank, stay_label), extend], 1)
        _, chosen = candidates.topk(min(beam_width, candidates.shape[1]), dim=1)
        extended = chosen >= width
        parent = torch.where(extended, (chosen - width) // classes, chosen)
        label = (chosen - width) % classes
        prefixes = prefixes.gather(1, parent.unsqueeze(-1).expand(-1, -1, steps))
        length = length.gather(1, parent)
        at = length.clamp(max=steps - 1).unsqueeze(-1)
        prefixes = prefixes.scatter(
            2, at, torch.where(extended.unsqueeze(-1), label.unsqueeze(-1), prefixes.gather(2, at))
        )
        hashes = hashes.gather(1, parent) + torch.where(extended, (label + 1) * powers[at.squeeze(-1)], 0)
        length = length + extended
        last = torch.where(extended, label, last.gather(1, parent))
        p_blank = torch.where(extended, neg_inf, stay_blank.gather(1, parent))
        p_label = torch.where(extended, extend.gather(1, (chosen - width).clamp(min=0)), stay_label.gather(1, parent))
    total = torch.logaddexp(p_blank, p_label)
    scores, best = total.topk(min(top_paths, total.shape[1]), dim=1)
    paths = prefixes.gather(1, best.unsqueeze(-1).expand(-1, -1, steps))
    paths = torch.where((scores > float("-inf")).unsqueeze(-1), paths, -1)
    if scores.shape[1] < top_paths:  # fewer prefixes than asked for: -1 rows scored -inf, as Keras pads
        missing = top_paths - scores.shape[1]
        scores = torch.cat([scores, scores.new_full((batch, missing), float("-inf"))], 1)
        paths = torch.cat([paths, paths.new_full((batch, missing, steps), -1)], 1)
    return paths.transpose(0, 1).to(torch.int32), scores
