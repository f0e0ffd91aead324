"""MobileNet (v1): depthwise separable convolutions, with a width multiplier ``alpha`` and a depth multiplier.

Keras's architecture, layer names and weight order (``conv1``, ``conv_dw_1``, ``conv_pw_1`` ...,
``conv_preds``), so the weight files Keras publishes (alpha 0.25, 0.5, 0.75 or 1.0, for square inputs of 128,
160, 192 or 224) load into it. Reference: Howard et al., MobileNets: Efficient Convolutional Neural Networks for
Mobile Vision Applications (2017).

Inputs: RGB images with values in [0, 255], preprocessed with :func:`preprocess_input` (scaled to [-1, 1]).
The helpers here (the input sized for the published weights, the channel axis, unnamed pooling) are shared with
:mod:`~kerastorch.applications.mobilenet_v2` and :mod:`~kerastorch.applications.mobilenet_v3`.

Example:
    >>> model = MobileNet(weights=None, input_shape=(64, 64, 3), alpha=0.25, include_top=False, pooling="avg")
    >>> model.name, model.output_shape, model.count_params()
    ('mobilenet_0.25_64', (None, 256), 218544)
"""

from __future__ import annotations

import os
import warnings
from typing import Any, Callable, Sequence

from kerastorch import config
from kerastorch.applications import imagenet_utils
from kerastorch.applications.builder import WeightsFile, application_input, apply_pooling, check_arguments, load_weights
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.layers import (
    Activation,
    BatchNormalization,
    Conv2D,
    DepthwiseConv2D,
    Dropout,
    GlobalAveragePooling2D,
    ReLU,
    Reshape,
    ZeroPadding2D,
)
from kerastorch.models import Model

__all__ = [
    "MobileNet",
    "channel_axis",
    "conv_block",
    "decode_predictions",
    "depthwise_separable_block",
    "image_sides",
    "imagenet_side",
    "preprocess_input",
    "published_rows",
    "sized_input",
    "weights_file",
]

BASE_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"
IMAGENET_ALPHAS = (0.25, 0.5, 0.75, 1.0)
"""The widths Keras publishes MobileNet weights for."""
IMAGENET_SIZES = (128, 160, 192, 224)
"""The square input sides Keras publishes MobileNet weights for."""
_ALPHA_NAMES = {0.25: "2_5", 0.5: "5_0", 0.75: "7_5", 1.0: "1_0"}  # as in the published file names

# (pointwise filters before alpha, stride) of the 13 depthwise separable blocks, conv_dw_1 ... conv_dw_13
_BLOCKS = (
    (64, 1),
    (128, 2),
    (128, 1),
    (256, 2),
    (256, 1),
    (512, 2),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (1024, 2),
    (1024, 1),
)


def weights_file(alpha: float, rows: int) -> WeightsFile:
    """The published MobileNet weight files (with and without the top) for width ``alpha`` and side ``rows``.

    Keras publishes no hash for these files, so none is checked (as in Keras).

    Args:
        alpha: float, one of 0.25, 0.5, 0.75, 1.0.
        rows: int, one of 128, 160, 192, 224.

    Returns:
        A :class:`~kerastorch.applications.builder.WeightsFile`.

    Raises:
        KeyError: for an ``alpha`` without published weights.

    >>> weights_file(0.75, 160).file(include_top=False)[0]
    'mobilenet_7_5_160_tf_no_top.h5'
    """
    stem = f"mobilenet_{_ALPHA_NAMES[alpha]}_{rows}_tf"
    return WeightsFile(BASE_WEIGHTS_URL, (f"{stem}.h5", None), (f"{stem}_no_top.h5", None))


def channel_axis() -> int:
    """The channel axis of the batch normalizations: 1 under ``"channels_first"``, else -1.

    Returns:
        int.

    >>> channel_axis()
    -1
    """
    return 1 if config.image_data_format() == "channels_first" else -1


def image_sides(shape: Sequence[int | None]) -> tuple[int | None, ...]:
    """``(rows, cols)`` of an image shape without the batch axis, in the current image data format.

    Args:
        shape: tuple, ``(rows, cols, channels)`` or, under ``"channels_first"``, ``(channels, rows, cols)``.

    Returns:
        tuple of 2 entries.

    >>> image_sides((96, 128, 3))
    (96, 128)
    """
    return tuple(shape[1:3]) if config.image_data_format() == "channels_first" else tuple(shape[0:2])


def imagenet_side(shape: Sequence[int | None] | None, sizes: Sequence[int]) -> int:
    """The side of the published weights an input shape matches: its side when it is square and one of
    ``sizes``, else 224 (Keras's default size).

    Args:
        shape: tuple or None, an image shape without the batch axis.
        sizes: the sides weights are published for.

    Returns:
        int.

    >>> imagenet_side((160, 160, 3), (128, 160)), imagenet_side((160, 128, 3), (128, 160)), imagenet_side(None, ())
    (160, 224, 224)
    """
    if shape is None:
        return 224
    rows, cols = image_sides(shape)
    return rows if rows is not None and rows == cols and rows in sizes else 224


def sized_input(
    input_tensor: KerasTensor | None,
    input_shape: Sequence[int | None] | None,
    sizes: Sequence[int],
    *,
    weights: str | os.PathLike[str] | None,
    include_top: bool,
    requested: Sequence[int | None] | None = None,
) -> tuple[tuple[int | None, ...], KerasTensor, KerasTensor | list[KerasTensor]]:
    """The input of a MobileNet (v1 or v2): its shape, with the default side taken from the requested shape
    when weights are published for it, and its ``keras.Input``.

    Args:
        input_tensor: None, a KerasTensor to build on, or a real tensor.
        input_shape: tuple or None: the image shape without the batch axis.
        sizes: the square sides weights are published for (other shapes default to 224).
        weights: ``"imagenet"``, None or a path.
        include_top: bool, whether the classifier is built.
        requested: tuple or None, default None: the shape the default side is read from (``input_shape``
            when None).

    Returns:
        ``(shape, img_input, inputs)``: the checked shape, the tensor to build on and the model's inputs.

    Raises:
        ValueError: as :func:`~kerastorch.applications.imagenet_utils.obtain_input_shape`.

    >>> sized_input(None, (128, 128, 3), (128, 224), weights="imagenet", include_top=True)[0]
    (128, 128, 3)
    """
    default_size = imagenet_side(input_shape if requested is None else requested, sizes)
    shape = imagenet_utils.obtain_input_shape(
        input_shape,
        default_size=default_size,
        min_size=32,
        data_format=config.image_data_format(),
        require_flatten=include_top,
        weights=weights,
    )
    img_input, inputs = application_input(
        input_tensor, shape, default_size=default_size, min_size=32, weights=weights, include_top=include_top
    )
    return shape, img_input, inputs


def published_rows(shape: Sequence[int | None], sizes: Sequence[int]) -> int:
    """The side of the weights to load for ``shape``: its side, or 224 (with a warning, as in Keras) when it
    is unknown, not square or not one of ``sizes``.

    Args:
        shape: tuple, the checked image shape without the batch axis.
        sizes: the square sides weights are published for.

    Returns:
        int.

    >>> published_rows((192, 192, 3), IMAGENET_SIZES)
    192
    """
    rows, cols = image_sides(shape)
    if rows is None or rows != cols or rows not in sizes:
        warnings.warn(
            f"input_shape is undefined or non-square, or rows is not in {list(sizes)}: the weights for "
            f"input shape (224, 224) are loaded",
            stacklevel=3,
        )
        return 224
    return rows


def conv_block(x: KerasTensor, filters: int, strides: int = 2) -> KerasTensor:
    """The stem: a 3x3 convolution (``conv1``), batch normalization and ReLU6.

    Args:
        x: the input KerasTensor.
        filters: int, output channels (alpha already applied).
        strides: int, default 2.

    Returns:
        The output KerasTensor.

    >>> import kerastorch as keras
    >>> conv_block(keras.Input((32, 32, 3)), 8).shape
    (None, 16, 16, 8)
    """
    x = Conv2D(filters, 3, padding="same", use_bias=False, strides=strides, name="conv1")(x)
    x = BatchNormalization(axis=channel_axis(), name="conv1_bn")(x)
    return ReLU(6.0, name="conv1_relu")(x)


def depthwise_separable_block(
    x: KerasTensor, pointwise_filters: int, depth_multiplier: int = 1, strides: int = 1, block_id: int = 1
) -> KerasTensor:
    """A 3x3 depthwise convolution and a 1x1 pointwise one, each with batch normalization and ReLU6; a strided
    block pads the bottom and right (``conv_pad_{block_id}``) and convolves without padding.

    Args:
        x: the input KerasTensor.
        pointwise_filters: int, output channels (alpha already applied).
        depth_multiplier: int, default 1: depthwise outputs per input channel.
        strides: int, default 1 (1 or 2).
        block_id: int, default 1: the block's number in the layer names (``conv_dw_1``, ``conv_pw_1`` ...).

    Returns:
        The output KerasTensor.

    >>> import kerastorch as keras
    >>> depthwise_separable_block(keras.Input((8, 8, 4)), 16, strides=2, block_id=2).shape
    (None, 4, 4, 16)
    """
    if strides != 1:
        x = ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(x)
    x = DepthwiseConv2D(
        3,
        padding="same" if strides == 1 else "valid",
        depth_multiplier=depth_multiplier,
        strides=strides,
        use_bias=False,
        name=f"conv_dw_{block_id}",
    )(x)
    x = BatchNormalization(axis=channel_axis(), name=f"conv_dw_{block_id}_bn")(x)
    x = ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = Conv2D(pointwise_filters, 1, padding="same", use_bias=False, name=f"conv_pw_{block_id}")(x)
    x = BatchNormalization(axis=channel_axis(), name=f"conv_pw_{block_id}_bn")(x)
    return ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


def _classifier(x, classes, dropout, classifier_activation):
    """MobileNet's top: pooling (kept 4D), dropout, a 1x1 convolution to the classes, flattened."""
    x = GlobalAveragePooling2D(keepdims=True)(x)
    x = Dropout(dropout, name="dropout")(x)
    x = Conv2D(classes, 1, padding="same", name="conv_preds")(x)
    x = Reshape((classes,), name="reshape_2")(x)
    return Activation(classifier_activation, name="predictions")(x)


def _check_imagenet_variant(alpha, depth_multiplier):
    if depth_multiplier != 1:
        raise ValueError(
            f"If imagenet weights are being loaded, depth_multiplier must be 1; received "
            f"depth_multiplier={depth_multiplier}"
        )
    if alpha not in IMAGENET_ALPHAS:
        raise ValueError(
            f"If imagenet weights are being loaded, alpha must be one of 0.25, 0.50, 0.75 or 1.0; "
            f"received alpha={alpha}"
        )


def MobileNet(
    input_shape: Sequence[int | None] | None = None,
    alpha: float = 1.0,
    depth_multiplier: int = 1,
    dropout: float = 1e-3,
    include_top: bool = True,
    weights: str | os.PathLike[str] | None = "imagenet",
    input_tensor: KerasTensor | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | Callable[..., Any] | None = "softmax",
    name: str | None = None,
) -> Model:
    """Instantiate the MobileNet architecture: a stem convolution and 13 depthwise separable blocks; inputs are
    RGB images preprocessed with :func:`preprocess_input`.

    Args:
        input_shape: tuple or None, default None: the image shape without the batch axis, sides of at least 32.
            With the top and ImageNet weights, a square of side 128, 160, 192 or 224 (None: 224).
        alpha: float, default 1.0: the width multiplier (filters of every layer scaled by it); ImageNet
            weights exist for 0.25, 0.5, 0.75 and 1.0.
        depth_multiplier: int, default 1: depthwise outputs per input channel (1 with ImageNet weights).
        dropout: float, default 0.001: the dropout rate before the classifier.
        include_top: bool, default True: the classifier at the top of the network.
        weights: str or None, default ``"imagenet"``: ``"imagenet"`` (Keras's published weights for ``alpha`` and
            the input side, 224 when the input is not a published square), None (random initialization) or the
            path of a weights file.
        input_tensor: KerasTensor or None, default None: a tensor (the output of ``keras.Input``) to build the
            model on; None makes a new input.
        pooling: None, ``"avg"`` or ``"max"``, default None: the features' pooling when ``include_top=False``
            (None: the 4D feature map).
        classes: int, default 1000: classes of the top (1000 with ImageNet weights).
        classifier_activation: str, callable or None, default ``"softmax"``: the top's activation (softmax or
            None with pretrained weights).
        name: str or None: the model's name; None gives ``"mobilenet_{alpha:0.2f}_{rows}"``.

    Returns:
        A functional ``Model``.

    Raises:
        ValueError: for inconsistent arguments (an unknown ``weights``, ``classes != 1000`` with the ImageNet
            top, an input shape the architecture or the weights cannot take, an ``alpha`` or
            ``depth_multiplier`` without ImageNet weights).
        OSError: when the ImageNet file is neither cached nor downloadable.

    >>> model = MobileNet(weights=None, input_shape=(32, 32, 3), alpha=0.25, classes=10)
    >>> model.name, model.output_shape, model.layers[-3].name
    ('mobilenet_0.25_32', (None, 10), 'conv_preds')
    """
    check_arguments(weights, include_top, classes, classifier_activation)
    shape, img_input, inputs = sized_input(
        input_tensor, input_shape, IMAGENET_SIZES, weights=weights, include_top=include_top
    )
    rows = image_sides(shape)[0]
    published = None
    if weights == "imagenet":
        _check_imagenet_variant(alpha, depth_multiplier)
        rows = published_rows(shape, IMAGENET_SIZES)
        published = weights_file(alpha, rows)
    x = conv_block(img_input, int(32 * alpha))
    for block_id, (filters, strides) in enumerate(_BLOCKS, start=1):
        x = depthwise_separable_block(x, int(filters * alpha), depth_multiplier, strides, block_id)
    x = (
        _classifier(x, classes, dropout, classifier_activation)
        if include_top
        else apply_pooling(x, pooling, named=False)
    )
    model = Model(inputs, x, name=name if name is not None else f"mobilenet_{alpha:0.2f}_{rows}")
    return load_weights(model, weights, include_top, published)


preprocess_input = imagenet_utils.family_preprocess_input("tf", "MobileNet")
decode_predictions = imagenet_utils.decode_predictions
