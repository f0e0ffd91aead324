"""MobileNetV3Small and MobileNetV3Large: inverted residual blocks with squeeze-and-excite and hard swish, and
their minimalistic variants (3x3 kernels and ReLU only, no squeeze-and-excite).

Keras's architecture, layer names and weight order (``conv``, ``expanded_conv_depthwise``,
``expanded_conv_1_expand`` ... ``conv_1``, ``conv_2``, ``logits``), so the weight files Keras publishes (alpha
0.75 or 1.0, and the minimalistic models at 1.0, trained at 224x224) load into it. Reference: Howard et al.,
Searching for MobileNetV3 (ICCV 2019).

The preprocessing is part of the model: with ``include_preprocessing=True`` (the default) a ``Rescaling`` layer
scales RGB inputs in [0, 255] to [-1, 1], and :func:`preprocess_input` returns its input unchanged. Any input
side of at least 32 works, with or without the top.

Example:
    >>> model = MobileNetV3Small(weights=None, input_shape=(32, 32, 3), include_top=False, pooling="avg")
    >>> model.output_shape, model.count_params(), model.layers[1].name
    ((None, 576), 939120, 'rescaling')
"""

from __future__ import annotations

import os
import warnings
from typing import Any, Callable, Sequence

from kerastorch.applications import imagenet_utils
from kerastorch.applications.builder import WeightsFile, application_input, apply_pooling, check_arguments, load_weights
from kerastorch.applications.mobilenet import channel_axis, image_sides
from kerastorch.applications.mobilenet_v2 import check_input_tensor, make_divisible, mobilenet_batch_norm
from kerastorch.backend import is_keras_tensor
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.layers import (
    Activation,
    Add,
    Conv2D,
    DepthwiseConv2D,
    Dropout,
    Flatten,
    GlobalAveragePooling2D,
    Multiply,
    ReLU,
    Rescaling,
    ZeroPadding2D,
)
from kerastorch.models import Model

__all__ = [
    "MobileNetV3",
    "MobileNetV3Large",
    "MobileNetV3Small",
    "decode_predictions",
    "hard_sigmoid",
    "hard_swish",
    "inverted_residual_block",
    "preprocess_input",
    "relu",
    "squeeze_excite_block",
]

BASE_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/"
_HASHES = {  # (with top, without top), md5
    "large_224_0.75_float": ("765b44a33ad4005b3ac83185abf1d0eb", "40af19a13ebea4e2ee0c676887f69a2e"),
    "large_224_1.0_float": ("59e551e166be033d707958cf9e29a6a7", "07fb09a5933dd0c8eaafa16978110389"),
    "large_minimalistic_224_1.0_float": ("675e7b876c45c57e9e63e6d90a36599c", "ec5221f64a2f6d1ef965a614bdae7973"),
    "small_224_0.75_float": ("cb65d4e5be93758266aa0a7f2c6708b7", "ebdb5cc8e0b497cd13a7c275d475c819"),
    "small_224_1.0_float": ("8768d4c2e7dee89b9d02b2d03d65d862", "d3e8ec802a04aa4fc771ee12a9a9b836"),
    "small_minimalistic_224_1.0_float": ("99cd97fb2fcdad2bf028eb838de69e37", "cde8136e733e811080d9fcd8a252f7e4"),
}
WEIGHTS = {
    key: WeightsFile(
        BASE_WEIGHTS_URL, (f"weights_mobilenet_v3_{key}.h5", top), (f"weights_mobilenet_v3_{key}_no_top_v2.h5", no_top)
    )
    for key, (top, no_top) in _HASHES.items()
}
"""The weight files Keras publishes for MobileNetV3, by ``"{small|large}[_minimalistic]_224_{alpha}_float"``."""

_SE_RATIO = 0.25
# The blocks, expanded_conv, expanded_conv_1 ...: (expansion, filters before alpha, kernel, stride,
# squeeze-and-excite, activation). Kernel None is the model's (5, or 3 when minimalistic); squeeze-and-excite
# True and activation "model" are the model's (none and ReLU when minimalistic).
_SMALL_BLOCKS = (
    (1, 16, 3, 2, True, "relu"),
    (72 / 16, 24, 3, 2, False, "relu"),
    (88 / 24, 24, 3, 1, False, "relu"),
    (4, 40, None, 2, True, "model"),
    (6, 40, None, 1, True, "model"),
    (6, 40, None, 1, True, "model"),
    (3, 48, None, 1, True, "model"),
    (3, 48, None, 1, True, "model"),
    (6, 96, None, 2, True, "model"),
    (6, 96, None, 1, True, "model"),
    (6, 96, None, 1, True, "model"),
)
_LARGE_BLOCKS = (
    (1, 16, 3, 1, False, "relu"),
    (4, 24, 3, 2, False, "relu"),
    (3, 24, 3, 1, False, "relu"),
    (3, 40, None, 2, True, "relu"),
    (3, 40, None, 1, True, "relu"),
    (3, 40, None, 1, True, "relu"),
    (6, 80, 3, 2, False, "model"),
    (2.5, 80, 3, 1, False, "model"),
    (2.3, 80, 3, 1, False, "model"),
    (2.3, 80, 3, 1, False, "model"),
    (6, 112, 3, 1, True, "model"),
    (6, 112, 3, 1, True, "model"),
    (6, 160, None, 2, True, "model"),
    (6, 160, None, 1, True, "model"),
    (6, 160, None, 1, True, "model"),
)


def relu(x: KerasTensor) -> KerasTensor:
    """ReLU as a layer with its default name (``re_lu``, ``re_lu_1`` ...), as MobileNetV3 uses it.

    Args:
        x: a KerasTensor.

    Returns:
        The output KerasTensor.

    >>> import kerastorch as keras
    >>> relu(keras.Input((4,))).shape
    (None, 4)
    """
    return ReLU()(x)


def hard_sigmoid(x: KerasTensor) -> KerasTensor:
    """``relu6(x + 3) / 6``, written as MobileNetV3 writes it: tensor arithmetic around a ``ReLU(6.0)`` layer.

    Args:
        x: a KerasTensor.

    Returns:
        The output KerasTensor.

    >>> import torch
    >>> import kerastorch as keras
    >>> inputs = keras.Input((3,))
    >>> keras.Model(inputs, hard_sigmoid(inputs))(torch.tensor([[-4.0, 0.0, 4.0]]))
    tensor([[0.0000, 0.5000, 1.0000]])
    """
    return ReLU(6.0)(x + 3.0) * (1.0 / 6.0)


def hard_swish(x: KerasTensor) -> KerasTensor:
    """``x * relu6(x + 3) / 6`` as an ``Activation("hard_swish")`` layer with its default name.

    Args:
        x: a KerasTensor.

    Returns:
        The output KerasTensor.

    >>> import kerastorch as keras
    >>> hard_swish(keras.Input((4,))).shape
    (None, 4)
    """
    return Activation("hard_swish")(x)


def squeeze_excite_block(x: KerasTensor, filters: int, se_ratio: float, prefix: str) -> KerasTensor:
    """Squeeze-and-excite: the channels' averages through a 1x1 bottleneck (ReLU) and a 1x1 expansion (hard
    sigmoid) rescale the channels.

    Args:
        x: the input KerasTensor (``filters`` channels).
        filters: int, its channels.
        se_ratio: float, the bottleneck's share of the channels (rounded to a multiple of 8).
        prefix: str, the block's layer name prefix (``expanded_conv_3_``).

    Returns:
        The output KerasTensor.

    >>> import kerastorch as keras
    >>> squeeze_excite_block(keras.Input((4, 4, 16)), 16, 0.25, "block_").shape
    (None, 4, 4, 16)
    """
    scale = GlobalAveragePooling2D(keepdims=True, name=f"{prefix}squeeze_excite_avg_pool")(x)
    scale = Conv2D(make_divisible(filters * se_ratio), 1, padding="same", name=f"{prefix}squeeze_excite_conv")(scale)
    scale = ReLU(name=f"{prefix}squeeze_excite_relu")(scale)
    scale = Conv2D(filters, 1, padding="same", name=f"{prefix}squeeze_excite_conv_1")(scale)
    scale = hard_sigmoid(scale)
    return Multiply(name=f"{prefix}squeeze_excite_mul")([x, scale])


def inverted_residual_block(
    x: KerasTensor,
    expansion: float,
    filters: int,
    kernel_size: int,
    stride: int,
    se_ratio: float | None,
    activation: Callable[[KerasTensor], KerasTensor],
    block_id: int,
) -> KerasTensor:
    """MobileNetV3's block: a 1x1 expansion (not in block 0), a depthwise convolution, squeeze-and-excite
    (when ``se_ratio``), a linear 1x1 projection, each with batch normalization, added to the input when the
    shapes allow.

    Args:
        x: the input KerasTensor.
        expansion: float, the expansion's factor on the input channels (rounded to a multiple of 8).
        filters: int, output channels.
        kernel_size: int, of the depthwise convolution.
        stride: int, 1 or 2, of the depthwise convolution.
        se_ratio: float or None: squeeze-and-excite's bottleneck share, None for none.
        activation: function ``x -> x`` that adds the block's activation layer (:func:`relu`,
            :func:`hard_swish`).
        block_id: int: the layer names start with ``expanded_conv_{block_id}_`` (block 0: ``expanded_conv_``).

    Returns:
        The output KerasTensor.

    >>> import kerastorch as keras
    >>> inverted_residual_block(keras.Input((8, 8, 16)), 4, 24, 5, 2, 0.25, hard_swish, block_id=3).shape
    (None, 4, 4, 24)
    """
    in_channels = x.shape[channel_axis()]
    assert in_channels is not None  # the applications' inputs fix the channels
    prefix = f"expanded_conv_{block_id}_" if block_id else "expanded_conv_"
    expanded = make_divisible(in_channels * expansion)
    shortcut = x
    if block_id:
        x = Conv2D(expanded, 1, padding="same", use_bias=False, name=f"{prefix}expand")(x)
        x = mobilenet_batch_norm(f"{prefix}expand_bn")(x)
        x = activation(x)
    if stride == 2:
        x = ZeroPadding2D(padding=imagenet_utils.correct_pad(x, kernel_size), name=f"{prefix}depthwise_pad")(x)
    x = DepthwiseConv2D(
        kernel_size,
        strides=stride,
        padding="same" if stride == 1 else "valid",
        use_bias=False,
        name=f"{prefix}depthwise",
    )(x)
    x = mobilenet_batch_norm(f"{prefix}depthwise_bn")(x)
    x = activation(x)
    if se_ratio:
        x = squeeze_excite_block(x, expanded, se_ratio, prefix)
    x = Conv2D(filters, 1, padding="same", use_bias=False, name=f"{prefix}project")(x)
    x = mobilenet_batch_norm(f"{prefix}project_bn")(x)
    if stride == 1 and in_channels == filters:
        return Add(name=f"{prefix}add")([shortcut, x])
    return x


def _input(input_tensor, input_shape):
    """MobileNetV3's input: any shape with sides of at least 32 (unknown sides by default), with or without
    the top; an ``input_tensor``'s own shape is checked when there is no ``input_shape``."""
    check_input_tensor(input_tensor, input_shape)
    if input_shape is None and is_keras_tensor(input_tensor):
        input_shape = tuple(input_tensor.shape[1:])
    img_input, inputs = application_input(
        input_tensor, input_shape, default_size=224, min_size=32, weights=None, include_top=False
    )
    return tuple(img_input.shape[1:]) if input_shape is None else tuple(input_shape), img_input, inputs


def _weights_key(model_type, alpha, minimalistic, shape):
    """The published file's key, after Keras's checks of ``alpha`` (and its warning for another side than 224)."""
    if alpha not in ((1.0,) if minimalistic else (0.75, 1.0)):
        raise ValueError(
            f"If imagenet weights are being loaded, alpha must be 0.75 or 1.0 (1.0 for the "
            f"minimalistic models); received alpha={alpha}, minimalistic={minimalistic}"
        )
    rows, cols = image_sides(shape)
    if rows != cols or rows != 224:
        warnings.warn(
            "input_shape is undefined or non-square, or rows is not 224: the weights for input shape "
            "(224, 224) are loaded",
            stacklevel=4,
        )
    return f"{model_type}{'_minimalistic' if minimalistic else ''}_224_{float(alpha)}_float"


def _stack(x, blocks, alpha, kernel, activation, se_ratio):
    """The inverted residual blocks, with the model's kernel, activation and squeeze-and-excite ratio where a
    block takes the model's."""
    for block_id, (expansion, filters, kernel_size, stride, squeeze_excite, block_activation) in enumerate(blocks):
        x = inverted_residual_block(
            x,
            expansion,
            make_divisible(filters * alpha),
            kernel_size or kernel,
            stride,
            se_ratio if squeeze_excite else None,
            activation if block_activation == "model" else relu,
            block_id,
        )
    return x


def _classifier(x, last_point_ch, activation, dropout_rate, classes, classifier_activation):
    """MobileNetV3's top: pooling (kept 4D), a 1x1 convolution with bias, dropout, 1x1 logits, flattened."""
    x = GlobalAveragePooling2D(keepdims=True)(x)
    x = Conv2D(last_point_ch, 1, padding="same", use_bias=True, name="conv_2")(x)
    x = activation(x)
    if dropout_rate > 0:
        x = Dropout(dropout_rate)(x)
    x = Conv2D(classes, 1, padding="same", name="logits")(x)
    x = Flatten()(x)
    return Activation(classifier_activation, name="predictions")(x)


def MobileNetV3(
    blocks: Sequence[tuple[float, int, int | None, int, bool, str]],
    last_point_ch: int,
    input_shape: Sequence[int | None] | None = None,
    alpha: float = 1.0,
    model_type: str = "large",
    minimalistic: bool = False,
    include_top: bool = True,
    weights: str | os.PathLike[str] | None = "imagenet",
    input_tensor: KerasTensor | None = None,
    classes: int = 1000,
    pooling: str | None = None,
    dropout_rate: float = 0.2,
    classifier_activation: str | Callable[..., Any] | None = "softmax",
    include_preprocessing: bool = True,
    name: str | None = None,
) -> Model:
    """A MobileNetV3 whose inverted residual blocks ``blocks`` lists (Small and Large share everything else).

    Args:
        blocks: tuple of ``(expansion, filters, kernel, stride, squeeze_excite, activation)`` per block: kernel
            None and activation ``"model"`` take the model's (5x5 and hard swish, or 3x3 and ReLU when
            minimalistic), squeeze_excite True its ratio (none when minimalistic).
        last_point_ch: int, the channels of the top's ``conv_2`` (scaled when ``alpha > 1``).
        input_shape: tuple or None: the image shape without the batch axis, sides of at least 32.
        alpha: float, default 1.0: the width multiplier.
        model_type: str, default ``"large"``: ``"small"`` or ``"large"``, the published weights' name.
        minimalistic: bool, default False.
        include_top: bool, default True.
        weights: ``"imagenet"`` (default), None or the path of a weights file.
        input_tensor: None or a KerasTensor to build the model on.
        classes: int, default 1000.
        pooling: None, ``"avg"`` or ``"max"``: the features' pooling without the top.
        dropout_rate: float, default 0.2: the dropout before the logits (none when 0).
        classifier_activation: str, callable or None, default ``"softmax"``.
        include_preprocessing: bool, default True: a ``Rescaling`` layer from [0, 255] to [-1, 1] first.
        name: str or None: the model's name.

    Returns:
        A functional ``Model``.

    Raises:
        ValueError: for inconsistent arguments.

    >>> MobileNetV3(((1, 16, 3, 2, True, "relu"),), 64, input_shape=(32, 32, 3), weights=None,
    ...             classes=5).output_shape
    (None, 5)
    """
    check_arguments(weights, include_top, classes, classifier_activation)
    shape, img_input, inputs = _input(input_tensor, input_shape)
    key = _weights_key(model_type, alpha, minimalistic, shape) if weights == "imagenet" else None
    x = Rescaling(scale=1.0 / 127.5, offset=-1.0)(img_input) if include_preprocessing else img_input
    x = Conv2D(16, 3, strides=2, padding="same", use_bias=False, name="conv")(x)
    x = mobilenet_batch_norm("conv_bn")(x)
    kernel, activation, se_ratio = (3, relu, None) if minimalistic else (5, hard_swish, _SE_RATIO)
    x = activation(x)
    x = _stack(x, blocks, alpha, kernel, activation, se_ratio)
    x = Conv2D(make_divisible(x.shape[channel_axis()] * 6), 1, padding="same", use_bias=False, name="conv_1")(x)
    x = mobilenet_batch_norm("conv_1_bn")(x)
    x = activation(x)
    if include_top:
        last_point_ch = make_divisible(last_point_ch * alpha) if alpha > 1.0 else last_point_ch
        x = _classifier(x, last_point_ch, activation, dropout_rate, classes, classifier_activation)
    else:
        x = apply_pooling(x, pooling)
    model = Model(inputs, x, name=name)
    return load_weights(model, weights, include_top, None if key is None else WEIGHTS.get(key))


_DOCSTRING = """Instantiate the {title} architecture ({summary}); the inputs are RGB images in [0, 255] (the model
    rescales them itself), or in [-1, 1] with ``include_preprocessing=False``.

    Args:
        input_shape: tuple or None, default None: the image shape without the batch axis, any sides of at least
            32 (None: unknown sides, with or without the top; the ImageNet weights were trained at 224x224). With an
            ``input_tensor``, its sides must agree.
        alpha: float, default 1.0: the width multiplier (filters of every block scaled by it, rounded to
            multiples of 8); ImageNet weights exist for 0.75 and 1.0 (1.0 only when minimalistic).
        minimalistic: bool, default False: 3x3 kernels and ReLU only, without squeeze-and-excite.
        include_top: bool, default True: the classifier at the top of the network.
        weights: str or None, default ``"imagenet"``: ``"imagenet"`` (Keras's published weights), None (random
            initialization) or the path of a weights file.
        input_tensor: KerasTensor or None, default None: a tensor (the output of ``keras.Input``) to build the
            model on; None makes a new input.
        classes: int, default 1000: classes of the top (1000 with ImageNet weights).
        pooling: None, ``"avg"`` or ``"max"``, default None: the features' pooling when ``include_top=False``
            (None: the 4D feature map).
        dropout_rate: float, default 0.2: the dropout before the logits (none when 0).
        classifier_activation: str, callable or None, default ``"softmax"``: the top's activation (softmax or
            None with pretrained weights).
        include_preprocessing: bool, default True: a ``Rescaling`` layer from [0, 255] to [-1, 1] first.
        name: str, default ``"{title}"``: the model's name.

    Returns:
        A functional ``Model``.

    Raises:
        ValueError: for inconsistent arguments (an unknown ``weights``, ``classes != 1000`` with the ImageNet
            top, an input smaller than 32x32, an ``input_tensor`` that does not fit ``input_shape``, an
            ``alpha`` without ImageNet weights).
        OSError: when the ImageNet file is neither cached nor downloadable.

    >>> model = {title}(weights=None, input_shape=(32, 32, 3), alpha=0.75, minimalistic=True, classes=10)
    >>> model.name, model.output_shape, model.layers[-3].name
    ('{title}', (None, 10), 'logits')
    """


def _v3(title, model_type, blocks, last_point_ch, summary):
    def application(
        input_shape: Sequence[int | None] | None = None,
        alpha: float = 1.0,
        minimalistic: bool = False,
        include_top: bool = True,
        weights: str | os.PathLike[str] | None = "imagenet",
        input_tensor: KerasTensor | None = None,
        classes: int = 1000,
        pooling: str | None = None,
        dropout_rate: float = 0.2,
        classifier_activation: str | Callable[..., Any] | None = "softmax",
        include_preprocessing: bool = True,
        name: str | None = title,
    ) -> Model:
        return MobileNetV3(
            blocks,
            last_point_ch,
            input_shape,
            alpha,
            model_type,
            minimalistic,
            include_top,
            weights,
            input_tensor,
            classes,
            pooling,
            dropout_rate,
            classifier_activation,
            include_preprocessing,
            name,
        )

    application.__name__ = application.__qualname__ = title
    application.__doc__ = _DOCSTRING.format(title=title, summary=summary)
    return application


MobileNetV3Small = _v3("MobileNetV3Small", "small", _SMALL_BLOCKS, 1024, "11 inverted residual blocks")
MobileNetV3Large = _v3("MobileNetV3Large", "large", _LARGE_BLOCKS, 1280, "15 inverted residual blocks")


preprocess_input = imagenet_utils.family_preprocess_input(None, "MobileNetV3")
decode_predictions = imagenet_utils.decode_predictions
