"""ResNet50, ResNet101 and ResNet152 (v1), and the ResNet builder that ResNet v2 shares.

Keras's architecture, layer names and weight order (``conv1_conv``, ``conv2_block1_1_conv`` ...), so the
weight files Keras publishes load by name. Reference: He et al., Deep Residual Learning for Image
Recognition (CVPR 2016).

Inputs: RGB images with values in [0, 255], preprocessed with :func:`preprocess_input` (BGR, minus the
ImageNet channel means: Caffe's convention).

Example:
    >>> model = ResNet50(weights=None, input_shape=(64, 64, 3), include_top=False, pooling="avg")
    >>> model.output_shape, model.count_params()
    ((None, 2048), 23587712)
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
from kerastorch.layers import Activation, Add, BatchNormalization, Conv2D, MaxPooling2D, ZeroPadding2D
from kerastorch.models import Model

__all__ = ["ResNet", "ResNet101", "ResNet152", "ResNet50", "decode_predictions", "preprocess_input"]

BASE_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
_HASHES = {  # (with top, without top), md5
    "resnet50": ("2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
    "resnet101": ("f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
    "resnet152": ("100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"),
    "resnet50v2": ("3ef43a0b657b3be2300d5770ece849e0", "fac2f116257151a9d068a22e544a4917"),
    "resnet101v2": ("6343647c601c52e1368623803854d971", "c0ed64b8031c3730f411d2eb4eea35b5"),
    "resnet152v2": ("a49b44d1979771252814e80f8ec446f9", "ed17cf2e0169df9d443503ef94b23b33"),
}
WEIGHTS = {
    name: WeightsFile(
        BASE_WEIGHTS_URL,
        (f"{name}_weights_tf_dim_ordering_tf_kernels.h5", top),
        (f"{name}_weights_tf_dim_ordering_tf_kernels_notop.h5", no_top),
    )
    for name, (top, no_top) in _HASHES.items()
}
"""The weight files Keras publishes for ResNet v1 and v2, by model name."""

_EPSILON = 1.001e-5  # the batch normalization epsilon of every ResNet


def resnet_batch_norm(name: str) -> BatchNormalization:
    """The batch normalization every ResNet uses: over the channel axis, epsilon 1.001e-5.

    Args:
        name: str, the layer's name.

    Returns:
        A ``BatchNormalization`` layer.
    """
    return BatchNormalization(
        axis=3 if config.image_data_format() == "channels_last" else 1, epsilon=_EPSILON, name=name
    )


def ResNet(
    stack_fn: Callable[[KerasTensor], KerasTensor],
    preact: bool,
    use_bias: bool,
    model_name: str = "resnet",
    include_top: bool = True,
    weights: str | os.PathLike[str] | None = "imagenet",
    input_tensor: KerasTensor | None = None,
    input_shape: Sequence[int | None] | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | Callable[..., Any] | None = "softmax",
    name: str | None = None,
) -> Model:
    """A ResNet (v1 or v2) whose residual stages ``stack_fn`` builds.

    Args:
        stack_fn: function ``x -> x`` that adds the residual stages (``conv2`` ... ``conv5``).
        preact: bool: True for ResNet v2 (batch normalization and ReLU before each convolution, ``post_bn``
            after the stages), False for v1 (after each convolution).
        use_bias: bool, whether the first convolution has a bias.
        model_name: str, default ``"resnet"``: the key of the published weights (``"resnet50"`` ...).
        include_top: bool, default True: the classifier (global average pooling and ``predictions``).
        weights: ``"imagenet"`` (default), None (random initialization) or the path of a weights file.
        input_tensor: None or a KerasTensor to build the model on.
        input_shape: tuple or None: the image shape without the batch axis; sides of at least 32.
        pooling: None, ``"avg"`` or ``"max"``: the features' pooling without the top.
        classes: int, default 1000: classes of the top (1000 with ImageNet weights).
        classifier_activation: str, callable or None, default ``"softmax"``.
        name: str or None: the model's name (default ``model_name``).

    Returns:
        A functional ``Model``.

    Raises:
        ValueError: for inconsistent arguments (see ``builder.check_arguments``).
    """
    check_arguments(weights, include_top, classes, classifier_activation)
    img_input, inputs = application_input(
        input_tensor, input_shape, default_size=224, min_size=32, weights=weights, include_top=include_top
    )
    x = ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = Conv2D(64, 7, strides=2, use_bias=use_bias, name="conv1_conv")(x)
    if not preact:
        x = resnet_batch_norm("conv1_bn")(x)
        x = Activation("relu", name="conv1_relu")(x)
    x = ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    x = stack_fn(x)
    if preact:
        x = resnet_batch_norm("post_bn")(x)
        x = Activation("relu", name="post_relu")(x)
    x = application_top(x, include_top, pooling, classes, classifier_activation)
    model = Model(inputs, x, name=name or model_name)
    return load_weights(model, weights, include_top, WEIGHTS.get(model_name))


def residual_block_v1(
    x: KerasTensor,
    filters: int,
    kernel_size: int | tuple[int, int] = 3,
    stride: int = 1,
    conv_shortcut: bool = True,
    name: str | None = None,
) -> KerasTensor:
    """The bottleneck block of ResNet v1: 1x1, ``kernel_size``, 1x1 (x4 filters) convolutions, each followed
    by batch normalization, added to the shortcut, then ReLU.

    Args:
        x: the input KerasTensor.
        filters: int, the bottleneck's filters (the output has ``4 * filters``).
        kernel_size: int, default 3, of the middle convolution.
        stride: int, default 1, of the first convolution (and the shortcut's).
        conv_shortcut: bool, default True: a 1x1 convolution on the shortcut, else the identity.
        name: str, the block's name prefix (``conv2_block1``).

    Returns:
        The output KerasTensor.
    """
    if conv_shortcut:
        shortcut = Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(x)
        shortcut = resnet_batch_norm(f"{name}_0_bn")(shortcut)
    else:
        shortcut = x
    x = Conv2D(filters, 1, strides=stride, name=f"{name}_1_conv")(x)
    x = resnet_batch_norm(f"{name}_1_bn")(x)
    x = Activation("relu", name=f"{name}_1_relu")(x)
    x = Conv2D(filters, kernel_size, padding="same", name=f"{name}_2_conv")(x)
    x = resnet_batch_norm(f"{name}_2_bn")(x)
    x = Activation("relu", name=f"{name}_2_relu")(x)
    x = Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    x = resnet_batch_norm(f"{name}_3_bn")(x)
    x = Add(name=f"{name}_add")([shortcut, x])
    return Activation("relu", name=f"{name}_out")(x)


def stack_v1(x: KerasTensor, filters: int, blocks: int, stride1: int = 2, name: str | None = None) -> KerasTensor:
    """``blocks`` v1 residual blocks, the first with a convolution shortcut and stride ``stride1``.

    Args:
        x: the input KerasTensor.
        filters: int, the bottleneck's filters.
        blocks: int, how many blocks.
        stride1: int, default 2, the stride of the first block.
        name: str, the stage's name (``conv2``).

    Returns:
        The output KerasTensor.
    """
    x = residual_block_v1(x, filters, stride=stride1, name=f"{name}_block1")
    for i in range(2, blocks + 1):
        x = residual_block_v1(x, filters, conv_shortcut=False, name=f"{name}_block{i}")
    return x


def _v1_stages(blocks):
    def stack_fn(x):
        x = stack_v1(x, 64, blocks[0], stride1=1, name="conv2")
        for i, (filters, count) in enumerate(zip((128, 256, 512), blocks[1:]), start=3):
            x = stack_v1(x, filters, count, name=f"conv{i}")
        return x

    return stack_fn


def _v1(model_name, blocks):
    def application(
        include_top: bool = True,
        weights: str | os.PathLike[str] | None = "imagenet",
        input_tensor: KerasTensor | None = None,
        input_shape: Sequence[int | None] | None = None,
        pooling: str | None = None,
        classes: int = 1000,
        classifier_activation: str | Callable[..., Any] | None = "softmax",
        name: str | None = model_name,
    ) -> Model:
        return ResNet(
            _v1_stages(blocks),
            False,
            True,
            model_name,
            include_top,
            weights,
            input_tensor,
            input_shape,
            pooling,
            classes,
            classifier_activation,
            name,
        )

    return application


ResNet50 = _v1("resnet50", (3, 4, 6, 3))
ResNet101 = _v1("resnet101", (3, 4, 23, 3))
ResNet152 = _v1("resnet152", (3, 8, 36, 3))
for _fn, _title, _blocks in (
    (ResNet50, "ResNet50", "3, 4, 6, 3"),
    (ResNet101, "ResNet101", "3, 4, 23, 3"),
    (ResNet152, "ResNet152", "3, 8, 36, 3"),
):
    _fn.__name__ = _fn.__qualname__ = _title
    _fn.__doc__ = application_docstring(
        _title,
        f"Instantiate the {_title} architecture (ResNet v1, {_blocks} blocks per stage); inputs are RGB "
        "images preprocessed with :func:`preprocess_input`.",
        key=_title.lower(),
    )


preprocess_input = imagenet_utils.family_preprocess_input("caffe", "ResNet v1")
decode_predictions = imagenet_utils.decode_predictions
