"""MobileNetV2: inverted residual blocks with linear bottlenecks, with a width multiplier ``alpha``.

Keras's architecture, layer names and weight order (``Conv1``, ``expanded_conv_depthwise``,
``block_1_expand`` ... ``Conv_1``, ``predictions``), so the weight files Keras publishes (alpha 0.35, 0.5,
0.75, 1.0, 1.3 or 1.4, for square inputs of 96, 128, 160, 192 or 224) load into it. Reference: Sandler et al.,
MobileNetV2: Inverted Residuals and Linear Bottlenecks (CVPR 2018).

Inputs: RGB images with values in [0, 255], preprocessed with :func:`preprocess_input` (scaled to [-1, 1]).
The helpers here (``make_divisible``, the batch normalization, the input tensor check) are
shared with :mod:`~kerastorch.applications.mobilenet_v3`.

Example:
    >>> model = MobileNetV2(weights=None, input_shape=(96, 96, 3), alpha=0.35, include_top=False, pooling="avg")
    >>> model.name, model.output_shape, model.count_params()
    ('mobilenetv2_0.35_96', (None, 1280), 410208)
"""

from __future__ import annotations

import os
from typing import Any, Callable, Sequence

import torch

from kerastorch.applications import imagenet_utils
from kerastorch.applications.builder import WeightsFile, apply_pooling, check_arguments, load_weights
from kerastorch.applications.mobilenet import channel_axis, image_sides, published_rows, sized_input
from kerastorch.backend import is_keras_tensor
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.layers import (
    Add,
    BatchNormalization,
    Conv2D,
    Dense,
    DepthwiseConv2D,
    GlobalAveragePooling2D,
    ReLU,
    ZeroPadding2D,
)
from kerastorch.models import Model

__all__ = [
    "MobileNetV2",
    "check_input_tensor",
    "decode_predictions",
    "inverted_residual_block",
    "make_divisible",
    "mobilenet_batch_norm",
    "preprocess_input",
    "weights_file",
]

BASE_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/"
IMAGENET_ALPHAS = (0.35, 0.5, 0.75, 1.0, 1.3, 1.4)
"""The widths Keras publishes MobileNetV2 weights for."""
IMAGENET_SIZES = (96, 128, 160, 192, 224)
"""The square input sides Keras publishes MobileNetV2 weights for."""

# (output filters before alpha, blocks, stride of the first, expansion) of the 7 stages: blocks 0 ... 16
_STAGES = ((16, 1, 1, 1), (24, 2, 2, 6), (32, 3, 2, 6), (64, 4, 2, 6), (96, 3, 1, 6), (160, 3, 2, 6), (320, 1, 1, 6))


def weights_file(alpha: float, rows: int) -> WeightsFile:
    """The published MobileNetV2 weight files (with and without the top) for width ``alpha`` and side ``rows``.

    Keras publishes no hash for these files, so none is checked (as in Keras).

    Args:
        alpha: float, one of 0.35, 0.5, 0.75, 1.0, 1.3, 1.4.
        rows: int, one of 96, 128, 160, 192, 224.

    Returns:
        A :class:`~kerastorch.applications.builder.WeightsFile`.

    >>> weights_file(0.35, 96).file(include_top=False)[0]
    'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5'
    """
    stem = f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{rows}"
    return WeightsFile(BASE_WEIGHTS_URL, (f"{stem}.h5", None), (f"{stem}_no_top.h5", None))


def make_divisible(value: float, divisor: int = 8, min_value: int | None = None) -> int:
    """``value`` rounded to the nearest multiple of ``divisor`` (at least ``min_value``), rounded up when that
    would lose more than 10%: the channel counts of MobileNetV2 and V3.

    Args:
        value: float, the channels asked for.
        divisor: int, default 8.
        min_value: int or None, default None (``divisor``).

    Returns:
        int.

    >>> make_divisible(32 * 0.35), make_divisible(1280 * 1.4), make_divisible(11.0)
    (16, 1792, 16)
    """
    min_value = divisor if min_value is None else min_value
    rounded = max(min_value, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def mobilenet_batch_norm(name: str) -> BatchNormalization:
    """The batch normalization of MobileNetV2 and V3: over the channel axis, epsilon 1e-3, momentum 0.999.

    Args:
        name: str, the layer's name.

    Returns:
        A ``BatchNormalization`` layer.

    >>> mobilenet_batch_norm("conv_bn").momentum
    0.999
    """
    return BatchNormalization(axis=channel_axis(), epsilon=1e-3, momentum=0.999, name=name)


def check_input_tensor(
    input_tensor: KerasTensor | torch.Tensor | None, input_shape: Sequence[int | None] | None
) -> None:
    """Refuse an ``input_tensor`` that does not fit ``input_shape`` when both are given (MobileNetV2 and V3).

    Args:
        input_tensor: None or the tensor to build on.
        input_shape: tuple or None.

    Raises:
        ValueError: when both are given and ``input_tensor`` is not a KerasTensor, or its sides differ from
            those of ``input_shape``.

    >>> import kerastorch as keras
    >>> check_input_tensor(keras.Input((64, 64, 3)), (32, 32, 3))
    Traceback (most recent call last):
    ...
    ValueError: input_tensor's sides (64, 64) differ from input_shape's (32, 32); received input_shape=(32, 32, 3)
    """
    if input_tensor is None or input_shape is None:
        return
    if not is_keras_tensor(input_tensor):
        raise ValueError(
            f"input_tensor is not a Keras tensor; received input_tensor of type {type(input_tensor).__name__}"
        )
    tensor_sides, shape_sides = image_sides(tuple(input_tensor.shape[1:])), image_sides(tuple(input_shape))
    if tensor_sides != shape_sides:
        raise ValueError(
            f"input_tensor's sides {tensor_sides} differ from input_shape's {shape_sides}; received "
            f"input_shape={tuple(input_shape)}"
        )


def inverted_residual_block(x: KerasTensor, filters: int, stride: int, expansion: int, block_id: int) -> KerasTensor:
    """MobileNetV2's block: a 1x1 expansion (not in block 0), a 3x3 depthwise convolution, a linear 1x1
    projection, each with batch normalization (ReLU6 after the first two), added to the input when the shapes
    allow.

    Args:
        x: the input KerasTensor.
        filters: int, output channels (alpha and the rounding to multiples of 8 already applied).
        stride: int, 1 or 2, of the depthwise convolution.
        expansion: int, the expansion's factor on the input channels.
        block_id: int, the block's number: the layer names start with ``block_{block_id}_`` (block 0:
            ``expanded_conv_``).

    Returns:
        The output KerasTensor.

    >>> import kerastorch as keras
    >>> inverted_residual_block(keras.Input((8, 8, 16)), 16, 1, 6, block_id=2).shape
    (None, 8, 8, 16)
    """
    in_channels = x.shape[channel_axis()]
    assert in_channels is not None  # the applications' inputs fix the channels
    prefix = f"block_{block_id}_" if block_id else "expanded_conv_"
    shortcut = x
    if block_id:
        x = Conv2D(expansion * in_channels, 1, padding="same", use_bias=False, name=f"{prefix}expand")(x)
        x = mobilenet_batch_norm(f"{prefix}expand_BN")(x)
        x = ReLU(6.0, name=f"{prefix}expand_relu")(x)
    if stride == 2:
        x = ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3), name=f"{prefix}pad")(x)
    x = DepthwiseConv2D(
        3, strides=stride, use_bias=False, padding="same" if stride == 1 else "valid", name=f"{prefix}depthwise"
    )(x)
    x = mobilenet_batch_norm(f"{prefix}depthwise_BN")(x)
    x = ReLU(6.0, name=f"{prefix}depthwise_relu")(x)
    x = Conv2D(filters, 1, padding="same", use_bias=False, name=f"{prefix}project")(x)
    x = mobilenet_batch_norm(f"{prefix}project_BN")(x)
    if in_channels == filters and stride == 1:
        return Add(name=f"{prefix}add")([shortcut, x])
    return x


def _stages(x, alpha):
    block_id = 0
    for filters, blocks, first_stride, expansion in _STAGES:
        for i in range(blocks):
            x = inverted_residual_block(
                x, make_divisible(int(filters * alpha)), first_stride if i == 0 else 1, expansion, block_id
            )
            block_id += 1
    return x


def _requested_shape(input_tensor, input_shape):
    """The shape the default side is read from: ``input_shape``, else that of a KerasTensor ``input_tensor``."""
    if input_shape is None and is_keras_tensor(input_tensor):
        return tuple(input_tensor.shape[1:])
    return input_shape


def MobileNetV2(
    input_shape: Sequence[int | None] | None = None,
    alpha: float = 1.0,
    include_top: bool = True,
    weights: str | os.PathLike[str] | None = "imagenet",
    input_tensor: KerasTensor | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | Callable[..., Any] | None = "softmax",
    name: str | None = None,
) -> Model:
    """Instantiate the MobileNetV2 architecture: a stem convolution, 17 inverted residual blocks and a 1x1
    convolution to 1280 channels (more for ``alpha > 1``); inputs are RGB images preprocessed with
    :func:`preprocess_input`.

    Args:
        input_shape: tuple or None, default None: the image shape without the batch axis, sides of at least 32.
            With the top and ImageNet weights, a square of side 96, 128, 160, 192 or 224 (None: 224, or the side
            of a square ``input_tensor``).
        alpha: float, default 1.0: the width multiplier (filters of every layer scaled by it, rounded to
            multiples of 8); ImageNet weights exist for 0.35, 0.5, 0.75, 1.0, 1.3 and 1.4.
        include_top: bool, default True: the classifier at the top of the network.
        weights: str or None, default ``"imagenet"``: ``"imagenet"`` (Keras's published weights for ``alpha`` and
            the input side, 224 when the input is not a published square), None (random initialization) or the
            path of a weights file.
        input_tensor: KerasTensor or None, default None: a tensor (the output of ``keras.Input``) to build the
            model on (None makes a new input); with ``input_shape``, their sides must agree.
        pooling: None, ``"avg"`` or ``"max"``, default None: the features' pooling when ``include_top=False``
            (None: the 4D feature map).
        classes: int, default 1000: classes of the top (1000 with ImageNet weights).
        classifier_activation: str, callable or None, default ``"softmax"``: the top's activation (softmax or
            None with pretrained weights).
        name: str or None: the model's name; None gives ``"mobilenetv2_{alpha:0.2f}_{rows}"``.

    Returns:
        A functional ``Model``.

    Raises:
        ValueError: for inconsistent arguments (an unknown ``weights``, ``classes != 1000`` with the ImageNet
            top, an input shape the architecture or the weights cannot take, an ``input_tensor`` that does not
            fit ``input_shape``, an ``alpha`` without ImageNet weights).
        OSError: when the ImageNet file is neither cached nor downloadable.

    >>> model = MobileNetV2(weights=None, input_shape=(32, 32, 3), alpha=0.35, classes=10)
    >>> model.name, model.output_shape, model.layers[-3].name
    ('mobilenetv2_0.35_32', (None, 10), 'out_relu')
    """
    check_arguments(weights, include_top, classes, classifier_activation)
    check_input_tensor(input_tensor, input_shape)
    shape, img_input, inputs = sized_input(
        input_tensor,
        input_shape,
        IMAGENET_SIZES,
        weights=weights,
        include_top=include_top,
        requested=_requested_shape(input_tensor, input_shape),
    )
    rows = image_sides(shape)[0]
    published = None
    if weights == "imagenet":
        if alpha not in IMAGENET_ALPHAS:
            raise ValueError(
                f"If imagenet weights are being loaded, alpha must be one of 0.35, 0.50, 0.75, 1.0, "
                f"1.3 or 1.4; received alpha={alpha}"
            )
        rows = published_rows(shape, IMAGENET_SIZES)
        published = weights_file(alpha, rows)
    x = Conv2D(make_divisible(32 * alpha), 3, strides=2, padding="same", use_bias=False, name="Conv1")(img_input)
    x = mobilenet_batch_norm("bn_Conv1")(x)
    x = ReLU(6.0, name="Conv1_relu")(x)
    x = _stages(x, alpha)
    x = Conv2D(make_divisible(1280 * alpha) if alpha > 1.0 else 1280, 1, use_bias=False, name="Conv_1")(x)
    x = mobilenet_batch_norm("Conv_1_bn")(x)
    x = ReLU(6.0, name="out_relu")(x)
    if include_top:
        x = GlobalAveragePooling2D()(x)
        x = Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = apply_pooling(x, pooling, named=False)
    model = Model(inputs, x, name=name if name is not None else f"mobilenetv2_{alpha:0.2f}_{rows}")
    return load_weights(model, weights, include_top, published)


preprocess_input = imagenet_utils.family_preprocess_input("tf", "MobileNetV2")
decode_predictions = imagenet_utils.decode_predictions
