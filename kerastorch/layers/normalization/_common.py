"""Helpers shared by the normalization layers: axis checks, compute dtype, and the gamma/beta weights."""
import torch

from kerastorch import constraints, initializers, regularizers

_HALF = (torch.float16, torch.bfloat16)


def label(layer):
    """``BatchNormalization layer "batch_normalization"``: how errors name a layer."""
    return f'{type(layer).__name__} layer "{layer.name}"'


def check_int_axis(layer, axis):
    """``axis`` as an int, or a TypeError naming the layer."""
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise TypeError(f"{label(layer)}: axis must be an integer, received axis={axis!r}")
    return axis


def check_axes(layer, axis):
    """``axis`` as an int or a list of ints (Keras's accepted forms), or a TypeError naming the layer."""
    if isinstance(axis, (list, tuple)):
        for a in axis:
            check_int_axis(layer, a)
        if not axis:
            raise ValueError(f"{label(layer)}: axis must name at least one axis, received axis={axis!r}")
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
            raise ValueError(f"{label(layer)}: axis {a} is out of range for inputs of rank {ndim} "
                             f"(shape {tuple(input_shape)}); received axis={axis!r}")
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{label(layer)}: axis {axis!r} names the same axis twice for inputs of rank {ndim}")
    for a in out:
        if input_shape[a] is None:
            raise ValueError(f"{label(layer)}: axis {a} of the inputs must have a known size, received input "
                             f"shape {tuple(input_shape)}")
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
        layer.gamma = layer.add_weight(shape=shape, name="gamma", initializer=layer.gamma_initializer,
                                       regularizer=layer.gamma_regularizer, constraint=layer.gamma_constraint,
                                       autocast=False)
    if beta:
        layer.beta = layer.add_weight(shape=shape, name="beta", initializer=layer.beta_initializer,
                                      regularizer=layer.beta_regularizer, constraint=layer.beta_constraint,
                                      autocast=False)


def init_scale_offset(layer, beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
                      beta_constraint, gamma_constraint):
    layer.beta_initializer = initializers.get(beta_initializer)
    layer.gamma_initializer = initializers.get(gamma_initializer)
    layer.beta_regularizer = regularizers.get(beta_regularizer)
    layer.gamma_regularizer = regularizers.get(gamma_regularizer)
    layer.beta_constraint = constraints.get(beta_constraint)
    layer.gamma_constraint = constraints.get(gamma_constraint)


def scale_offset_config(layer):
    return {
        "beta_initializer": initializers.serialize(layer.beta_initializer),
        "gamma_initializer": initializers.serialize(layer.gamma_initializer),
        "beta_regularizer": regularizers.serialize(layer.beta_regularizer),
        "gamma_regularizer": regularizers.serialize(layer.gamma_regularizer),
        "beta_constraint": constraints.serialize(layer.beta_constraint),
        "gamma_constraint": constraints.serialize(layer.gamma_constraint),
    }


def cast_weight(w, dtype):
    return None if w is None else (w if w.dtype == dtype else w.to(dtype))
