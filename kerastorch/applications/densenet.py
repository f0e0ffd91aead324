"""DenseNet121, DenseNet169 and DenseNet201, and the DenseNet builder they share.

Keras's architecture, layer names and weight order (``conv1_conv``, ``conv2_block1_0_bn`` ... ``bn``), so the
weight files Keras publishes load into them. Every dense block's building block adds 32 channels (the growth
rate) to its input; the transition blocks between the dense blocks halve the channels and the resolution.
Reference: Huang et al., Densely Connected Convolutional Networks (CVPR 2017).

Inputs: RGB images with values in [0, 255], preprocessed with :func:`preprocess_input` (scaled to [0, 1],
then normalized with the ImageNet channel means and deviations: torch's convention). Like Keras, DenseNet is
built for ``channels_last`` only.

Example:
    >>> model = DenseNet121(weights=None, input_shape=(32, 32, 3), include_top=False, pooling="avg")
    >>> model.output_shape, model.count_params()
    ((None, 1024), 7037504)
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
    check_arguments,
    load_weights,
)
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.layers import (
    Activation,
    AveragePooling2D,
    BatchNormalization,
    Concatenate,
    Conv2D,
    MaxPooling2D,
    ZeroPadding2D,
)
from kerastorch.models import Model

__all__ = ["DenseNet", "DenseNet121", "DenseNet169", "DenseNet201", "decode_predictions", "preprocess_input"]

BASE_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/densenet/"
BLOCKS = {"densenet121": (6, 12, 24, 16), "densenet169": (6, 12, 32, 32), "densenet201": (6, 12, 48, 32)}
"""The building blocks of the four dense blocks of each published DenseNet."""
_HASHES = {  # (with top, without top), md5
    "densenet121": ("9d60b8095a5708f2dcce2bca79d332c7", "30ee3e1110167f948a6b9946edeeb738"),
    "densenet169": ("d699b8f76981ab1b30698df4c175e90b", "b8c4d4c20dd625c148057b9ff1c1176b"),
    "densenet201": ("1ceb130c1ea1b78c3bf6114dbdfd8807", "c13680b51ded0fb44dff2d8f86ac8bb1"),
}
WEIGHTS: dict[tuple[int, ...], WeightsFile] = {
    BLOCKS[name]: WeightsFile(
        BASE_WEIGHTS_URL,
        (f"{name}_weights_tf_dim_ordering_tf_kernels.h5", top),
        (f"{name}_weights_tf_dim_ordering_tf_kernels_notop.h5", no_top),
    )
    for name, (top, no_top) in _HASHES.items()
}
"""The weight files Keras publishes for DenseNet, by the blocks of the architecture they fit."""

GROWTH_RATE = 32  # the channels every building block adds
_EPSILON = 1.001e-5  # the batch normalization epsilon of every DenseNet
_CHANNEL_AXIS = 3  # channels_last, the only data format DenseNet is built for


def densenet_batch_norm(name: str) -> BatchNormalization:
    """The batch normalization every DenseNet uses: over the channels, epsilon 1.001e-5.

    Args:
        name: str, the layer's name.

    Returns:
        A ``BatchNormalization`` layer.

    >>> densenet_batch_norm("bn").epsilon
    1.001e-05
    """
    return BatchNormalization(axis=_CHANNEL_AXIS, epsilon=_EPSILON, name=name)


def conv_block(x: KerasTensor, growth_rate: int, name: str) -> KerasTensor:
    """The building block of a dense block: batch normalization, ReLU, a 1x1 convolution to
    ``4 * growth_rate`` channels, batch normalization, ReLU and a 3x3 convolution to ``growth_rate`` channels,
    whose output is concatenated to the block's input.

    Args:
        x: the input KerasTensor (channels last).
        growth_rate: int, the channels the block adds.
        name: str, the block's name prefix (``conv2_block1``).

    Returns:
        The output KerasTensor, with ``growth_rate`` more channels than ``x``.

    >>> from kerastorch import layers
    >>> conv_block(layers.Input((8, 8, 16)), 4, name="block").shape
    (None, 8, 8, 20)
    """
    y = densenet_batch_norm(f"{name}_0_bn")(x)
    y = Activation("relu", name=f"{name}_0_relu")(y)
    y = Conv2D(4 * growth_rate, 1, use_bias=False, name=f"{name}_1_conv")(y)
    y = densenet_batch_norm(f"{name}_1_bn")(y)
    y = Activation("relu", name=f"{name}_1_relu")(y)
    y = Conv2D(growth_rate, 3, padding="same", use_bias=False, name=f"{name}_2_conv")(y)
    return Concatenate(axis=_CHANNEL_AXIS, name=f"{name}_concat")([x, y])


def dense_block(x: KerasTensor, blocks: int, name: str) -> KerasTensor:
    """A dense block: ``blocks`` building blocks (:func:`conv_block`), each adding 32 channels.

    Args:
        x: the input KerasTensor.
        blocks: int, how many building blocks.
        name: str, the dense block's name (``conv2``); its building blocks are ``{name}_block1`` ...

    Returns:
        The output KerasTensor, with ``32 * blocks`` more channels than ``x``.

    >>> from kerastorch import layers
    >>> dense_block(layers.Input((8, 8, 16)), 2, name="conv2").shape
    (None, 8, 8, 80)
    """
    for i in range(1, blocks + 1):
        x = conv_block(x, GROWTH_RATE, name=f"{name}_block{i}")
    return x


def transition_block(x: KerasTensor, reduction: float, name: str) -> KerasTensor:
    """The transition between two dense blocks: batch normalization, ReLU, a 1x1 convolution to
    ``reduction`` times the channels, and a 2x2 average pooling of stride 2.

    Args:
        x: the input KerasTensor.
        reduction: float, the fraction of the channels kept (0.5 in every DenseNet).
        name: str, the block's name prefix (``pool2``).

    Returns:
        The output KerasTensor, of half the resolution.

    >>> from kerastorch import layers
    >>> transition_block(layers.Input((8, 8, 16)), 0.5, name="pool2").shape
    (None, 4, 4, 8)
    """
    x = densenet_batch_norm(f"{name}_bn")(x)
    x = Activation("relu", name=f"{name}_relu")(x)
    channels = x.shape[_CHANNEL_AXIS]
    assert channels is not None  # the applications' inputs fix the channels
    x = Conv2D(int(channels * reduction), 1, use_bias=False, name=f"{name}_conv")(x)
    return AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def _check_data_format():
    if config.image_data_format() == "channels_first":
        raise ValueError(
            "DenseNet does not support the channels_first image data format; switch to channels_last "
            "with keras.config.set_image_data_format('channels_last')"
        )


def DenseNet(
    blocks: Sequence[int],
    include_top: bool = True,
    weights: str | os.PathLike[str] | None = "imagenet",
    input_tensor: KerasTensor | None = None,
    input_shape: Sequence[int | None] | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | Callable[..., Any] | None = "softmax",
    name: str | None = "densenet",
) -> Model:
    """A DenseNet with ``blocks`` building blocks in each of its four dense blocks.

    A 7x7 convolution of stride 2 and a 3x3 max pooling of stride 2 (the stem), four dense blocks
    (``conv2`` ... ``conv5``) with a transition block (``pool2`` ... ``pool4``) between each two, then batch
    normalization (``bn``) and ReLU.

    Args:
        blocks: sequence of 4 ints, the building blocks of each dense block (``(6, 12, 24, 16)`` is
            DenseNet121; only the published architectures have ImageNet weights).
        include_top: bool, default True: the classifier (global average pooling and ``predictions``).
        weights: ``"imagenet"`` (default), None (random initialization) or the path of a weights file.
        input_tensor: None or a KerasTensor to build the model on.
        input_shape: tuple or None: the image shape without the batch axis, ``(224, 224, 3)`` with the top and
            ImageNet weights; sides of at least 32.
        pooling: None, ``"avg"`` or ``"max"``: the features' pooling without the top.
        classes: int, default 1000: classes of the top (1000 with ImageNet weights).
        classifier_activation: str, callable or None, default ``"softmax"``.
        name: str, default ``"densenet"``: the model's name.

    Returns:
        A functional ``Model``.

    Raises:
        ValueError: with the ``channels_first`` image data format, for inconsistent arguments (see
            ``builder.check_arguments``), or ``weights="imagenet"`` for unpublished ``blocks``.

    >>> model = DenseNet((1, 1, 1, 1), weights=None, input_shape=(32, 32, 3), classes=3)
    >>> model.output_shape, model.count_params()
    ((None, 3), 195855)
    """
    _check_data_format()
    check_arguments(weights, include_top, classes, classifier_activation)
    blocks = tuple(blocks)
    if weights == "imagenet" and blocks not in WEIGHTS:
        raise ValueError(
            f"ImageNet weights are published for the blocks {sorted(WEIGHTS)} only; received "
            f"blocks={blocks}. Use weights=None or the path of a weights file"
        )
    img_input, inputs = application_input(
        input_tensor, input_shape, default_size=224, min_size=32, weights=weights, include_top=include_top
    )
    x = ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = densenet_batch_norm("conv1_bn")(x)
    x = Activation("relu", name="conv1_relu")(x)
    x = ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = MaxPooling2D(3, strides=2, name="pool1")(x)
    for stage, count in enumerate(blocks[:-1], start=2):
        x = dense_block(x, count, name=f"conv{stage}")
        x = transition_block(x, 0.5, name=f"pool{stage}")
    x = dense_block(x, blocks[-1], name=f"conv{len(blocks) + 1}")
    x = densenet_batch_norm("bn")(x)
    x = Activation("relu", name="relu")(x)
    x = application_top(x, include_top, pooling, classes, classifier_activation)
    model = Model(inputs, x, name=name)
    return load_weights(model, weights, include_top, WEIGHTS.get(blocks))


def _variant(key):
    def application(
        include_top: bool = True,
        weights: str | os.PathLike[str] | None = "imagenet",
        input_tensor: KerasTensor | None = None,
        input_shape: Sequence[int | None] | None = None,
        pooling: str | None = None,
        classes: int = 1000,
        classifier_activation: str | Callable[..., Any] | None = "softmax",
        name: str | None = key,
    ) -> Model:
        return DenseNet(
            BLOCKS[key],
            include_top,
            weights,
            input_tensor,
            input_shape,
            pooling,
            classes,
            classifier_activation,
            name=name,
        )

    return application


DenseNet121 = _variant("densenet121")
DenseNet169 = _variant("densenet169")
DenseNet201 = _variant("densenet201")
for _fn, _title in ((DenseNet121, "DenseNet121"), (DenseNet169, "DenseNet169"), (DenseNet201, "DenseNet201")):
    _fn.__name__ = _fn.__qualname__ = _title
    _fn.__doc__ = application_docstring(
        _title,
        f"Instantiate the {_title} architecture (dense blocks of "
        f"{', '.join(map(str, BLOCKS[_title.lower()]))} building blocks); inputs are RGB images preprocessed "
        "with :func:`preprocess_input`. Like Keras, it refuses the ``channels_first`` image data format.",
        key=_title.lower(),
    )


preprocess_input = imagenet_utils.family_preprocess_input("torch", "DenseNet")
decode_predictions = imagenet_utils.decode_predictions
