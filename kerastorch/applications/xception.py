"""Xception: depthwise separable convolutions in residual blocks (entry flow, 8 middle blocks, exit flow).

Keras's architecture, layer names and weight order (``block1_conv1`` ... ``block14_sepconv2_bn``; the
strided 1x1 convolutions of the shortcuts and their batch normalizations are unnamed, ``conv2d`` ...
``batch_normalization_3``, as in Keras), so the weight files Keras publishes load into it. Reference:
Chollet, Xception: Deep Learning with Depthwise Separable Convolutions (CVPR 2017).

Inputs: RGB images with values in [0, 255], preprocessed with :func:`preprocess_input` (scaled to [-1, 1]).
The default input size is 299x299, the smallest 71x71.

Example:
    >>> model = Xception(weights=None, input_shape=(71, 71, 3), include_top=False)
    >>> model.output_shape, model.count_params()
    ((None, 3, 3, 2048), 20861480)
"""

from __future__ import annotations

import os
from typing import Any, Callable, Sequence

from kerastorch import config
from kerastorch.applications import imagenet_utils
from kerastorch.applications.builder import (
    WeightsFile,
    application_docstring,
    application_input,
    application_top,
    apply_pooling,
    check_arguments,
    load_weights,
)
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.layers import Activation, Add, BatchNormalization, Conv2D, MaxPooling2D, SeparableConv2D
from kerastorch.models import Model

__all__ = [
    "Xception",
    "batch_norm",
    "decode_predictions",
    "downsampling_block",
    "middle_block",
    "preprocess_input",
    "separable_conv_bn",
]

BASE_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/xception/"
WEIGHTS = WeightsFile(
    BASE_WEIGHTS_URL,
    ("xception_weights_tf_dim_ordering_tf_kernels.h5", "0a58e3b7378bc2990ea3b43d5981f1f6"),
    ("xception_weights_tf_dim_ordering_tf_kernels_notop.h5", "b0042744bf5b25fce3cb969f33bebb97"),
)
"""The weight files Keras publishes for Xception (md5 hashes)."""

MIDDLE_BLOCKS = 8
"""How many middle-flow blocks (``block5`` ... ``block12``)."""


def _channel_axis():
    return -1 if config.image_data_format() == "channels_last" else 1


def batch_norm(name: str | None = None) -> BatchNormalization:
    """The batch normalization of Xception: over the channel axis, Keras's defaults otherwise.

    Args:
        name: str or None (Keras's default name).

    Returns:
        A ``BatchNormalization`` layer.

    >>> batch_norm("block1_conv1_bn").axis
    -1
    """
    return BatchNormalization(axis=_channel_axis(), name=name)


def separable_conv_bn(x: KerasTensor, filters: int, name: str, relu_first: bool = True) -> KerasTensor:
    """A 3x3 separable convolution without bias (``name``) and its batch normalization (``{name}_bn``), after
    a ReLU (``{name}_act``) when ``relu_first``.

    Args:
        x: the input KerasTensor.
        filters: int, the pointwise convolution's filters.
        name: str, the convolution's name (``block4_sepconv1``).
        relu_first: bool, default True: a ReLU before the convolution.

    Returns:
        The output KerasTensor, of the input's sides.

    >>> from kerastorch.layers import Input
    >>> separable_conv_bn(Input((8, 8, 4)), 16, "block5_sepconv1").shape
    (None, 8, 8, 16)
    """
    if relu_first:
        x = Activation("relu", name=f"{name}_act")(x)
    x = SeparableConv2D(filters, 3, padding="same", use_bias=False, name=name)(x)
    return batch_norm(f"{name}_bn")(x)


def downsampling_block(x: KerasTensor, filters: tuple[int, int], name: str, relu_first: bool = True) -> KerasTensor:
    """A block that halves the sides: two :func:`separable_conv_bn` (``{name}_sepconv1`` of ``filters[0]``,
    ``{name}_sepconv2`` of ``filters[1]``), a 3x3 max pooling of stride 2 (``{name}_pool``), added to the
    shortcut (a strided 1x1 convolution and batch normalization, unnamed).

    Args:
        x: the input KerasTensor.
        filters: tuple of 2 ints, the filters of the two separable convolutions (the output has
            ``filters[1]``).
        name: str, the block's name prefix (``block2``).
        relu_first: bool, default True: a ReLU before the first separable convolution (False for the first
            block, which follows a ReLU already).

    Returns:
        The output KerasTensor.

    >>> from kerastorch.layers import Input
    >>> downsampling_block(Input((9, 9, 4)), (8, 16), "block3").shape
    (None, 5, 5, 16)
    """
    residual = Conv2D(filters[1], 1, strides=2, padding="same", use_bias=False)(x)
    residual = batch_norm()(residual)
    x = separable_conv_bn(x, filters[0], f"{name}_sepconv1", relu_first=relu_first)
    x = separable_conv_bn(x, filters[1], f"{name}_sepconv2")
    x = MaxPooling2D(3, strides=2, padding="same", name=f"{name}_pool")(x)
    return Add()([x, residual])


def middle_block(x: KerasTensor, name: str, filters: int = 728) -> KerasTensor:
    """A middle-flow block: three :func:`separable_conv_bn` (``{name}_sepconv1`` ... ``3``), each after a
    ReLU, added to the input.

    Args:
        x: the input KerasTensor, with ``filters`` channels.
        name: str, the block's name prefix (``block5``).
        filters: int, default 728: the filters of each separable convolution.

    Returns:
        The output KerasTensor, of the input's shape.

    >>> from kerastorch.layers import Input
    >>> middle_block(Input((5, 5, 8)), "block5", filters=8).shape
    (None, 5, 5, 8)
    """
    residual = x
    for i in range(1, 4):
        x = separable_conv_bn(x, filters, f"{name}_sepconv{i}")
    return Add()([x, residual])


def _exit_convs(x):
    """``block14``: separable convolutions of 1536 and 2048 filters, each with batch normalization and ReLU."""
    for i, filters in enumerate((1536, 2048), start=1):
        x = separable_conv_bn(x, filters, f"block14_sepconv{i}", relu_first=False)
        x = Activation("relu", name=f"block14_sepconv{i}_act")(x)
    return x


def Xception(
    include_top: bool = True,
    weights: str | os.PathLike[str] | None = "imagenet",
    input_tensor: KerasTensor | None = None,
    input_shape: Sequence[int | None] | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | Callable[..., Any] | None = "softmax",
    name: str | None = "xception",
) -> Model:
    check_arguments(weights, include_top, classes, classifier_activation)
    img_input, inputs = application_input(
        input_tensor, input_shape, default_size=299, min_size=71, weights=weights, include_top=include_top
    )
    x = img_input
    for i, (filters, strides) in enumerate(((32, 2), (64, 1)), start=1):  # block1: plain convolutions
        x = Conv2D(filters, 3, strides=strides, use_bias=False, name=f"block1_conv{i}")(x)
        x = batch_norm(f"block1_conv{i}_bn")(x)
        x = Activation("relu", name=f"block1_conv{i}_act")(x)
    x = downsampling_block(x, (128, 128), "block2", relu_first=False)
    x = downsampling_block(x, (256, 256), "block3")
    x = downsampling_block(x, (728, 728), "block4")
    for i in range(5, 5 + MIDDLE_BLOCKS):
        x = middle_block(x, f"block{i}")
    x = downsampling_block(x, (728, 1024), f"block{5 + MIDDLE_BLOCKS}")
    x = _exit_convs(x)
    if include_top:
        x = application_top(x, include_top, pooling, classes, classifier_activation)
    else:
        x = apply_pooling(x, pooling, named=False)
    model = Model(inputs, x, name=name)
    return load_weights(model, weights, include_top, WEIGHTS)


Xception.__doc__ = application_docstring(
    "Xception",
    "Instantiate the Xception architecture (depthwise separable convolutions in 14 blocks, 12 of "
    "them residual); inputs are RGB images preprocessed with :func:`preprocess_input`.",
    key="xception",
    default_size=299,
    min_size=71,
    example_shape=(71, 71, 3),
)


preprocess_input = imagenet_utils.family_preprocess_input("tf", "Xception")
decode_predictions = imagenet_utils.decode_predictions
