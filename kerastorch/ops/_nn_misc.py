"""Encoding, normalization, loss and attention functions of ``keras.ops.nn`` (re-exported by
:mod:`kerastorch.ops.nn`).

``one_hot``/``multi_hot`` compare the indices with ``arange(num_classes)`` (out-of-range indices, negative or
too large, give all-zero rows; Keras's torch backend raises for the large ones). The cross-entropies are
``kerastorch.losses``'s (Keras's clipping with ``epsilon``). ``dot_product_attention`` takes Keras's
``(batch, seq, heads, head_dim)`` layout and runs ``F.scaled_dot_product_attention`` unless a logits soft cap
is asked for. ``ctc_decode`` implements the greedy strategy only.

    >>> one_hot(torch.tensor([0, 2]), 3)
    tensor([[1., 0., 0.],
            [0., 0., 1.]])
    >>> moments(torch.tensor([1.0, 3.0]), axes=[0])
    (tensor(2.), tensor(1.))
"""
import math

import torch
import torch.nn.functional as F

from kerastorch import config
from kerastorch import losses as _losses
from kerastorch.losses.probabilistic import _elementwise_binary_crossentropy
from kerastorch.ops._nn_activations import floating, tensor
from kerastorch.ops.dtypes import standardize_dtype, to_tensors

__all__ = ["one_hot", "multi_hot", "batch_normalization", "moments", "normalize", "rms_normalization",
           "layer_normalization", "binary_crossentropy", "categorical_crossentropy",
           "sparse_categorical_crossentropy", "psnr", "polar", "dot_product_attention", "ctc_loss", "ctc_decode"]


def _torch_dtype(dtype):
    return getattr(torch, standardize_dtype(dtype if dtype is not None else config.floatx()))


def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
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


def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """Multi-hot encoding: for each sample, a vector of ``num_classes`` entries that is 1 for every class id present.

    A rank-1 input is one sample; for rank >= 2 inputs the last axis holds each sample's ids. Out-of-range ids are
    ignored.

    Args:
        inputs: tensor or array of ints: the class ids.
        num_classes: int, default ``None``: the number of classes; required (or given as ``num_tokens``).
        axis: int, default ``-1``: where the class axis goes in the output.
        dtype: str or None, default ``None``: the output dtype; None uses ``config.floatx()``.
        sparse: bool, default ``False``: a sparse result, which kerastorch does not support (True raises).
        **kwargs: ``num_tokens``, Keras's former name of ``num_classes``, is read when ``num_classes`` is None; other
            keywords are ignored.

    Returns:
        A tensor of shape ``inputs.shape[:-1] + (num_classes,)`` (``(num_classes,)`` for rank-1 inputs), with the class
        axis at ``axis``.

    Raises:
        ValueError: when neither ``num_classes`` nor ``num_tokens`` is given, or for ``sparse=True``.

    Example:
        >>> multi_hot(torch.tensor([0, 2]), 3)
        tensor([1., 0., 1.])
        >>> multi_hot(torch.tensor([[0, 0], [1, 2]]), 3)
        tensor([[1., 0., 0.],
                [0., 1., 1.]])
    """
    if num_classes is None:
        num_classes = kwargs.pop("num_tokens", None)
    if num_classes is None:
        raise ValueError("ops.multi_hot: expected an int num_classes, received num_classes=None")
    x = tensor(inputs)
    out = one_hot(x, num_classes, -1, dtype, sparse).amax(-2 if x.dim() > 0 else -1)
    return out if axis == -1 or out.dim() < 2 else out.movedim(-1, axis)


def _broadcast_stat(stat, x, axis, name):
    """A per-channel 1-D statistic shaped to broadcast against ``x`` along ``axis``."""
    stat = tensor(stat)
    if stat.dim() == 1 and x.dim() > 1:
        if stat.shape[0] not in (1, x.shape[axis]):
            raise ValueError(f"ops.{name}: expected statistics of shape ({x.shape[axis]},) for axis {axis} of "
                             f"inputs of shape {tuple(x.shape)}, received shape {tuple(stat.shape)}")
        shape = [1] * x.dim()
        shape[axis] = stat.shape[0]
        stat = stat.reshape(shape)
    return stat


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
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


def moments(x, axes, keepdims=False, synchronized=False):
    """The mean and (population) variance of ``x`` over ``axes``.

    float16 and bfloat16 inputs are computed in float32 and cast back.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.
        axes: int, list of ints or None: the axes to reduce; None reduces over all axes.
        keepdims: bool, default ``False``: keep the reduced axes with size 1.
        synchronized: bool, default ``False``: Keras's switch for statistics synchronized across devices (TensorFlow
            only); accepted and has no effect here.

    Returns:
        A tuple ``(mean, variance)`` of tensors of the dtype of ``x``.

    Example:
        >>> moments(torch.tensor([[1.0, 3.0], [5.0, 7.0]]), axes=[1])
        (tensor([2., 6.]), tensor([1., 1.]))
    """
    x = floating(x)
    dtype = x.dtype
    if dtype in (torch.float16, torch.bfloat16):
        x = x.float()
    variance, mean = torch.var_mean(x, dim=_axes(axes, x.dim()), correction=0, keepdim=keepdims)
    return mean.to(dtype), variance.to(dtype)


def normalize(x, axis=-1, order=2, epsilon=None):
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


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
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


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """Layer normalization: ``(x - mean) / sqrt(variance + epsilon) * gamma + beta``, statistics over ``axis``.

    float16 and bfloat16 inputs are computed in float32 and cast back.

    Args:
        x: tensor, array or number: the input; integer and bool inputs are computed in ``floatx()``.
        gamma: tensor, array or None, default ``None``: the scale, broadcast against the normalized axes; None scales by
            1.
        beta: tensor, array or None, default ``None``: the offset added after scaling; None adds nothing.
        axis: int or tuple of ints, default ``-1``: the axis or axes the statistics are taken over.
        epsilon: float or None, default ``None``: added for numerical stability; None uses ``config.epsilon()``.
        **kwargs: accepted for Keras compatibility and ignored (Keras reads a deprecated ``rms_scaling`` here).

    Returns:
        A tensor of the shape and float dtype of ``x``.

    Example:
        >>> layer_normalization(torch.tensor([1.0, 3.0]))
        tensor([-1.,  1.])
        >>> layer_normalization(torch.tensor([1.0, 3.0]), gamma=torch.tensor([2.0, 2.0]), beta=1.0)
        tensor([-1.,  3.])
    """
    x = floating(x)
    eps = config.epsilon() if epsilon is None else epsilon
    axes = tuple(a % x.dim() for a in _axes(axis, x.dim()))
    if axes == tuple(range(x.dim() - len(axes), x.dim())) and x.dtype not in (torch.float16, torch.bfloat16):
        shape = x.shape[x.dim() - len(axes):]
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


def _same_shape(name, target, output):
    if target.shape != output.shape:
        raise ValueError(f"ops.{name}: target and output must have the same shape, received "
                         f"target.shape={tuple(target.shape)} and output.shape={tuple(output.shape)}")


def binary_crossentropy(target, output, from_logits=False):
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
    return _elementwise_binary_crossentropy("binary_crossentropy", target, output, from_logits)


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
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
        ValueError: when ``target`` and ``output`` shapes differ.

    Example:
        >>> categorical_crossentropy(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.5, 0.5]]))
        tensor([0.6931])
        >>> categorical_crossentropy(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.0, 0.0]]), from_logits=True)
        tensor([0.6931])
    """
    output = floating(output)
    target = tensor(target).to(device=output.device, dtype=output.dtype)
    _same_shape("categorical_crossentropy", target, output)
    return _losses.categorical_crossentropy(target, output, from_logits=from_logits, axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy ``-log(p[target])`` between integer class ids and class probabilities along ``axis``.

    Args:
        target: tensor or array of ints: the class ids, of the shape of ``output`` without ``axis``.
        output: tensor or array: the class probabilities, or logits with ``from_logits=True``.
        from_logits: bool, default ``False``: whether ``output`` holds logits rather than probabilities (probabilities
            are clipped to ``[epsilon, 1 - epsilon]``).
        axis: int, default ``-1``: the class axis of ``output``.

    Returns:
        A tensor of the shape of ``target``.

    Example:
        >>> sparse_categorical_crossentropy(torch.tensor([1, 0]), torch.tensor([[0.5, 0.5], [0.9, 0.1]]))
        tensor([0.6931, 0.1054])
    """
    return _losses.sparse_categorical_crossentropy(target, floating(output), from_logits=from_logits, axis=axis)


def psnr(x1, x2, max_val):
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
        raise ValueError(f"ops.psnr: x1 and x2 must have the same shape, received {tuple(x1.shape)} and "
                         f"{tuple(x2.shape)}")
    mse = torch.mean(torch.square(x1 - x2))
    return 20.0 * math.log10(max_val) - 10.0 * torch.log10(mse)


def polar(abs_, angle):
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
        parts.append(torch.zeros((), dtype=dtype, device=device).masked_fill(~mask.bool(), float("-inf"))
                     if mask.dtype == torch.bool else torch.where(mask != 0, 0.0, float("-inf")).to(dtype))
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


def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
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
        flash_attention: bool or None, default ``None``: Keras's request for a flash-attention kernel; accepted and has
            no effect (torch chooses its fused kernel itself).
        attn_logits_soft_cap: float or None, default ``None``: when set, logits become ``cap * tanh(logits / cap)``
            before masking (computed without the fused kernel).

    Returns:
        A tensor ``(batch, query_seq, heads, value_dim)`` (unbatched when the inputs are).

    Raises:
        ValueError: for inputs not all of rank 3 or 4, or query heads that are not a multiple of the key heads.

    Example:
        >>> q = torch.ones(1, 2, 1, 4)
        >>> dot_product_attention(q, torch.ones(1, 3, 1, 4), torch.ones(1, 3, 1, 4)).shape
        torch.Size([1, 2, 1, 4])
        >>> v = torch.tensor([1.0, 3.0]).reshape(1, 2, 1, 1)
        >>> dot_product_attention(torch.ones(1, 2, 1, 1), torch.ones(1, 2, 1, 1), v, is_causal=True)[0, :, 0, 0]
        tensor([1., 2.])
    """
    name = "dot_product_attention"
    query, key, value = to_tensors(floating(query), floating(key), floating(value))
    unbatched = query.dim() == 3
    if query.dim() not in (3, 4) or key.dim() != query.dim() or value.dim() != query.dim():
        raise ValueError(f"ops.{name}: expected query, key and value of rank 4 (batch, seq, heads, head_dim) or 3, "
                         f"received shapes {tuple(query.shape)}, {tuple(key.shape)}, {tuple(value.shape)}")
    if unbatched:
        query, key, value = query.unsqueeze(0), key.unsqueeze(0), value.unsqueeze(0)
        bias = None if bias is None else tensor(bias).unsqueeze(0)
        mask = None if mask is None else tensor(mask).unsqueeze(0)
    q, k, v = query.transpose(1, 2), key.transpose(1, 2), value.transpose(1, 2)
    heads, kv_heads = q.shape[1], k.shape[1]
    if kv_heads != heads:
        if kv_heads == 0 or heads % kv_heads:
            raise ValueError(f"ops.{name}: the query heads ({heads}) must be a multiple of the key heads "
                             f"({kv_heads})")
        k = k.repeat_interleave(heads // kv_heads, 1)
        v = v.repeat_interleave(heads // kv_heads, 1)
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    fused_causal = is_causal and mask is None and bias is None and attn_logits_soft_cap is None
    attn_mask = _attention_mask(name, mask, bias, is_causal and not fused_causal, q.shape[2], k.shape[2], q.device,
                                q.dtype)
    if attn_logits_soft_cap is None:  # torch's fused kernel (its causal mask too: no mask tensor is built)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, is_causal=fused_causal, scale=scale)
    else:
        logits = torch.matmul(q, k.transpose(-1, -2)) * scale
        logits = torch.tanh(logits / attn_logits_soft_cap) * attn_logits_soft_cap
        if attn_mask is not None:
            logits = logits + attn_mask
        out = torch.matmul(torch.softmax(logits, -1), v)
    out = out.transpose(1, 2)
    return out.squeeze(0) if unbatched else out


def ctc_loss(target, output, target_length, output_length, mask_index=0):
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
        return F.ctc_loss(log_probs.float(), target, output_length, target_length, blank=mask_index,
                          reduction="none", zero_infinity=False).to(output.dtype)
    return F.ctc_loss(log_probs, target, output_length, target_length, blank=mask_index, reduction="none")


def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1, merge_repeated=True,
               mask_index=0):
    """Greedy CTC decoding: the best class at each valid step, repeats merged and blanks dropped.

    Only the greedy strategy is implemented (Keras also has ``"beam_search"``).

    Args:
        inputs: tensor or array: the logits ``(batch, max_time, num_classes)``.
        sequence_lengths: tensor or array of ints: the number of valid time steps of each sample, ``(batch,)``.
        strategy: str, default ``"greedy"``: the decoding strategy; only ``"greedy"`` is supported.
        beam_width: int, default ``100``: the beam width of beam search; unused by the greedy strategy.
        top_paths: int, default ``1``: the number of paths beam search returns; the greedy strategy returns one.
        merge_repeated: bool, default ``True``: merge consecutive repeats of a class into one.
        mask_index: int, default ``0``: the class id of the blank, dropped from the result.

    Returns:
        A tuple ``(decoded, scores)``: ``decoded`` int32 ``(1, batch, max_time)``, each row's labels first and padded
        with -1; ``scores`` ``(batch, 1)``, minus the sum of each valid step's largest logit.

    Raises:
        ValueError: for a ``strategy`` other than ``"greedy"``.

    Example:
        >>> decoded, scores = ctc_decode(torch.tensor([[[0.0, 1.0], [0.0, 1.0], [1.0, 0.0]]]), torch.tensor([3]))
        >>> decoded
        tensor([[[ 1, -1, -1]]], dtype=torch.int32)
        >>> scores
        tensor([[-3.]])
    """
    if strategy != "greedy":
        raise ValueError(f"ops.ctc_decode: kerastorch implements strategy='greedy' only, received "
                         f"strategy={strategy!r}")
    x = floating(inputs)
    lengths = tensor(sequence_lengths).to(x.device)
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
    scores = -(best * valid).sum(-1, keepdim=True)
    return decoded.unsqueeze(0).to(torch.int32), scores
