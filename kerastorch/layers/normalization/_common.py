"""Helpers shared by the normalization layers: axis checks, compute dtype, and the gamma/beta weights."""

import numbers

import torch

from kerastorch.layers.layer_utils import layer_label, set_weight_options, weight_options_config

_HALF = (torch.float16, torch.bfloat16)


def check_int_axis(layer, axis):
    """``axis`` as an int, or a TypeError naming the layer."""
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise TypeError(f"{layer_label(layer)}: axis must be an integer, received axis={axis!r}")
    return axis


def check_axes(layer, axis):
    """``axis`` as an int or a list of ints (Keras's accepted forms), or a TypeError naming the layer."""
    if isinstance(axis, (list, tuple)):
        for a in axis:
            check_int_axis(layer, a)
        if not axis:
            raise ValueError(f"{layer_label(layer)}: axis must name at least one axis, received axis={axis!r}")
        return list(axis)
    return check_int_axis(layer, axis)


def positive_axes(layer, axis, input_shape):
    """The axes in ``axis`` as sorted non-negative ints for an input of ``input_shape``; a ValueError naming
    the layer for an axis out of range or repeated, or one of unknown size."""
    ndim = len(input_shape)
    axes = axis if isinstance(axis, list) else [axis]
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(
                f"{layer_label(layer)}: axis {a} is out of range for inputs of rank {ndim} "
                f"(shape {tuple(input_shape)}); received axis={axis!r}"
            )
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{layer_label(layer)}: axis {axis!r} names the same axis twice for inputs of rank {ndim}")
    for a in out:
        if input_shape[a] is None:
            raise ValueError(
                f"{layer_label(layer)}: axis {a} of the inputs must have a known size, received input "
                f"shape {tuple(input_shape)}"
            )
    return sorted(out)


def upcast(x):
    """``x`` in at least float32 (half inputs are normalized in float32, as Keras does)."""
    if x.dtype in _HALF or not x.is_floating_point():
        return x.float()
    return x


def add_scale_offset(layer, shape, gamma, beta):
    """Create ``gamma`` then ``beta`` (each when asked) with the layer's initializers, regularizers and
    constraints; the attributes are set to None for the ones not created."""
    layer.gamma = None
    layer.beta = None
    if gamma:
        layer.gamma = layer.add_weight(
            shape=shape,
            name="gamma",
            initializer=layer.gamma_initializer,
            regularizer=layer.gamma_regularizer,
            constraint=layer.gamma_constraint,
            autocast=False,
        )
    if beta:
        layer.beta = layer.add_weight(
            shape=shape,
            name="beta",
            initializer=layer.beta_initializer,
            regularizer=layer.beta_regularizer,
            constraint=layer.beta_constraint,
            autocast=False,
        )


def check_epsilon(layer, epsilon):
    """``epsilon`` unchanged when it is a non-negative number, else a ValueError naming the layer."""
    if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float, numbers.Real)) or epsilon < 0:
        raise ValueError(f"{layer_label(layer)}: epsilon must be a non-negative number, received epsilon={epsilon!r}")
    return epsilon


def build_normalized_axes(layer, input_shape):
    """Set ``layer._axes`` (the normalized axes), ``_trailing`` (whether they are the last ones, the fused
    kernels' case) and ``_broadcast_shape`` (a weight's shape for broadcasting) from ``layer.axis``; returns
    the weights' shape, the sizes of the normalized axes."""
    axes = positive_axes(layer, layer.axis, input_shape)
    ndim = len(input_shape)
    layer._axes = axes
    layer._trailing = axes == list(range(ndim - len(axes), ndim))
    layer._broadcast_shape = [input_shape[a] if a in axes else 1 for a in range(ndim)]
    return tuple(input_shape[a] for a in axes)


def init_scale_offset(
    layer, beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint
):
    set_weight_options(
        layer,
        beta_initializer=beta_initializer,
        gamma_initializer=gamma_initializer,
        beta_regularizer=beta_regularizer,
        gamma_regularizer=gamma_regularizer,
        beta_constraint=beta_constraint,
        gamma_constraint=gamma_constraint,
    )


def scale_offset_config(layer):
    return weight_options_config(layer, "beta", "gamma")


def cast_weight(w, dtype):
    return None if w is None else (w if w.dtype == dtype else w.to(dtype))
