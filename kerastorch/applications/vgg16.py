"""VGG16, and the VGG builder that VGG19 shares.

Keras's architecture, layer names and weight order (``block1_conv1`` ... ``block5_pool``, then ``flatten``,
``fc1``, ``fc2`` and ``predictions``), so the weight files Keras publishes load into it. Reference: Simonyan
and Zisserman, Very Deep Convolutional Networks for Large-Scale Image Recognition (ICLR 2015).

Inputs: RGB images with values in [0, 255], preprocessed with :func:`preprocess_input` (BGR, minus the
ImageNet channel means: Caffe's convention). The default input size is 224x224; the top flattens the
features, so with the top the input shape is fixed when the model is built.

Example:
    >>> model = VGG16(weights=None, input_shape=(32, 32, 3), include_top=False, pooling="avg")
    >>> model.output_shape, model.count_params()
    ((None, 512), 14714688)
"""

from __future__ import annotations

import os
from typing import Any, Callable, Sequence

from kerastorch.applications import imagenet_utils
from kerastorch.applications.builder import (
    WeightsFile,
    application_docstring,
    application_input,
    apply_pooling,
    check_arguments,
    load_weights,
)
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.layers import Conv2D, Dense, Flatten, MaxPooling2D
from kerastorch.models import Model

__all__ = ["VGG", "VGG16", "decode_predictions", "preprocess_input", "vgg_block", "vgg_top"]

BASE_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"
_HASHES = {  # (with top, without top), md5
    "vgg16": ("64373286793e3c8b2b4e3219cbf3544b", "6d6bbae143d832006294945121d1f1fc"),
    "vgg19": ("cbe5617147190e668d6c5d5026f83318", "253f8cb515780f3b799900260a226db6"),
}
WEIGHTS = {
    name: WeightsFile(
        f"{BASE_WEIGHTS_URL}{name}/",
        (f"{name}_weights_tf_dim_ordering_tf_kernels.h5", top),
        (f"{name}_weights_tf_dim_ordering_tf_kernels_notop.h5", no_top),
    )
    for name, (top, no_top) in _HASHES.items()
}
"""The weight files Keras publishes for VGG16 and VGG19, by model name."""

BLOCK_FILTERS = (64, 128, 256, 512, 512)
"""The filters of the convolutions of each of the five VGG blocks."""


def vgg_block(x: KerasTensor, filters: int, convs: int, name: str) -> KerasTensor:
    """A VGG block: ``convs`` 3x3 convolutions with ReLU (``{name}_conv1`` ...), then a 2x2 max pooling of
    stride 2 (``{name}_pool``).

    Args:
        x: the input KerasTensor.
        filters: int, the filters of each convolution.
        convs: int, how many convolutions.
        name: str, the block's name prefix (``block1``).

    Returns:
        The output KerasTensor, with half the input's sides.

    >>> from kerastorch.layers import Input
    >>> vgg_block(Input((32, 32, 3)), 8, 2, "block1").shape
    (None, 16, 16, 8)
    """
    for i in range(1, convs + 1):
        x = Conv2D(filters, 3, activation="relu", padding="same", name=f"{name}_conv{i}")(x)
    return MaxPooling2D(2, strides=2, name=f"{name}_pool")(x)


def vgg_top(
    x: KerasTensor,
    include_top: bool,
    pooling: str | None,
    classes: int,
    classifier_activation: str | Callable[..., Any] | None,
) -> KerasTensor:
    """VGG's top: the features flattened (``flatten``), two fully connected layers of 4096 units with ReLU
    (``fc1``, ``fc2``) and the classifier (``predictions``); without the top, the features' ``pooling``.

    Args:
        x: the feature map (4D KerasTensor, sides known when ``include_top``).
        include_top: bool, whether to build the fully connected layers.
        pooling: None, ``"avg"`` or ``"max"`` (without the top).
        classes: int, the classifier's classes.
        classifier_activation: str, callable or None, the classifier's activation.

    Returns:
        The output KerasTensor.

    Raises:
        ValueError: for another ``pooling`` value.

    >>> from kerastorch.layers import Input
    >>> vgg_top(Input((1, 1, 8)), True, None, 3, "softmax").shape
    (None, 3)
    """
    if not include_top:
        return apply_pooling(x, pooling, named=False)
    x = Flatten(name="flatten")(x)
    x = Dense(4096, activation="relu", name="fc1")(x)
    x = Dense(4096, activation="relu", name="fc2")(x)
    return Dense(classes, activation=classifier_activation, name="predictions")(x)


def VGG(
    convs_per_block: Sequence[int],
    model_name: str,
    include_top: bool = True,
    weights: str | os.PathLike[str] | None = "imagenet",
    input_tensor: KerasTensor | None = None,
    input_shape: Sequence[int | None] | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | Callable[..., Any] | None = "softmax",
    name: str | None = None,
) -> Model:
    """A VGG network: five :func:`vgg_block` of 64, 128, 256, 512 and 512 filters, then :func:`vgg_top`.

    Args:
        convs_per_block: tuple of 5 ints, the convolutions of each block (``(2, 2, 3, 3, 3)`` for VGG16).
        model_name: str, the key of the published weights (``"vgg16"``, ``"vgg19"``; another name has none).
        include_top: bool, default True: the three fully connected layers at the top.
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
        ValueError: for inconsistent arguments (see ``builder.check_arguments``), ``convs_per_block`` not of 5
            blocks, or ``weights="imagenet"`` for a ``model_name`` without published weights.

    >>> vgg11 = VGG((1, 1, 2, 2, 2), "vgg11", weights=None, input_shape=(32, 32, 3), include_top=False)
    >>> vgg11.output_shape, len(vgg11.weights)  # configuration A of the paper: 8 convolutions
    ((None, 1, 1, 512), 16)
    """
    if len(convs_per_block) != len(BLOCK_FILTERS):
        raise ValueError(
            f"convs_per_block must give the convolutions of each of the {len(BLOCK_FILTERS)} blocks; "
            f"received convs_per_block={convs_per_block!r}"
        )
    check_arguments(weights, include_top, classes, classifier_activation)
    img_input, inputs = application_input(
        input_tensor, input_shape, default_size=224, min_size=32, weights=weights, include_top=include_top
    )
    x = img_input
    for i, (filters, convs) in enumerate(zip(BLOCK_FILTERS, convs_per_block), start=1):
        x = vgg_block(x, filters, convs, f"block{i}")
    x = vgg_top(x, include_top, pooling, classes, classifier_activation)
    model = Model(inputs, x, name=name or model_name)
    return load_weights(model, weights, include_top, WEIGHTS.get(model_name))


def VGG16(
    include_top: bool = True,
    weights: str | os.PathLike[str] | None = "imagenet",
    input_tensor: KerasTensor | None = None,
    input_shape: Sequence[int | None] | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | Callable[..., Any] | None = "softmax",
    name: str | None = "vgg16",
) -> Model:
    return VGG(
        (2, 2, 3, 3, 3),
        "vgg16",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


VGG16.__doc__ = application_docstring(
    "VGG16",
    "Instantiate the VGG16 architecture (13 3x3 convolutions in 5 blocks, then 3 fully connected "
    "layers); inputs are RGB images preprocessed with :func:`preprocess_input`.",
    key="vgg16",
)


preprocess_input = imagenet_utils.family_preprocess_input("caffe", "VGG")
decode_predictions = imagenet_utils.decode_predictions
