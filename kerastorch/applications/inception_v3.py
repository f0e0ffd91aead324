"""InceptionV3, and the Inception building blocks that InceptionResNetV2 shares.

Keras's architecture, layer names and layer order (the layers are named automatically, ``conv2d``,
``batch_normalization``, ``activation`` ..., in Keras's creation order; the modules are ``mixed0`` ...
``mixed10``), so the weight files Keras publishes load in order. Reference: Szegedy et al., Rethinking the
Inception Architecture for Computer Vision (CVPR 2016).

An Inception module applies several *branches* to the same input and concatenates their outputs on the
channel axis; a branch is a sequence of *steps*, each a function ``x -> x`` that adds layers
(:func:`conv`, :func:`average_pool`, :func:`max_pool`, or a nested module from :func:`split`).

Inputs: RGB images with values in [0, 255], preprocessed with :func:`preprocess_input` (scaled to [-1, 1]);
the ImageNet weights take 299x299 images, and without the top any side of at least 75 pixels.

Example:
    >>> model = InceptionV3(weights=None, input_shape=(75, 75, 3), include_top=False, pooling="avg")
    >>> model.output_shape, model.count_params()
    ((None, 2048), 21802784)
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
from kerastorch.layers import Activation, AveragePooling2D, BatchNormalization, Concatenate, Conv2D, MaxPooling2D
from kerastorch.models import Model

__all__ = [
    "InceptionV3",
    "average_pool",
    "channel_axis",
    "conv",
    "conv2d_bn",
    "decode_predictions",
    "inception_a",
    "inception_b",
    "inception_c",
    "inception_model",
    "inception_module",
    "max_pool",
    "preprocess_input",
    "reduction_a",
    "reduction_b",
    "split",
    "stem",
]

BASE_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
WEIGHTS = WeightsFile(
    BASE_WEIGHTS_URL,
    ("inception_v3_weights_tf_dim_ordering_tf_kernels.h5", "9a0d58056eeedaa3f26cb7ebd46da564"),
    ("inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5", "bcbd6486424b2319ff4ef7d526e38f63"),
)
"""The weight files Keras publishes for InceptionV3 (md5 hashes)."""

DEFAULT_SIZE = 299  # the side of the ImageNet weights' images
MIN_SIZE = 75  # the smallest side the stem and the reductions accept


def channel_axis() -> int:
    """The channel axis of 4D image tensors under ``keras.config.image_data_format()``.

    Returns:
        int: 3 for ``"channels_last"``, 1 for ``"channels_first"``.

    >>> channel_axis()
    3
    """
    return 3 if config.image_data_format() == "channels_last" else 1


def conv2d_bn(
    x: KerasTensor,
    filters: int,
    kernel_size: int | tuple[int, int],
    strides: int | tuple[int, int] = 1,
    padding: str = "same",
    name: str | None = None,
) -> KerasTensor:
    """A convolution without bias, batch normalization without scale (``gamma``), and ReLU: the unit every
    Inception network is made of.

    Args:
        x: the input KerasTensor.
        filters: int, the convolution's filters.
        kernel_size: int or tuple ``(rows, cols)``.
        strides: int or tuple, default 1.
        padding: str, default ``"same"``, or ``"valid"``.
        name: str or None, default None: the convolution's name, with ``{name}_bn`` and ``{name}_ac`` for the
            normalization and the activation; None names them automatically (``conv2d``, ...).

    Returns:
        The output KerasTensor.

    >>> from kerastorch.layers import Input
    >>> conv2d_bn(Input((8, 8, 3)), 4, (1, 3), strides=2, padding="valid").shape
    (None, 4, 3, 4)
    """
    x = Conv2D(filters, kernel_size, strides=strides, padding=padding, use_bias=False, name=name)(x)
    x = BatchNormalization(axis=channel_axis(), scale=False, name=None if name is None else f"{name}_bn")(x)
    return Activation("relu", name=None if name is None else f"{name}_ac")(x)


def conv(
    filters: int, kernel_size: int | tuple[int, int], strides: int | tuple[int, int] = 1, padding: str = "same"
) -> Callable[[KerasTensor], KerasTensor]:
    """A branch step: :func:`conv2d_bn` with these arguments (and automatic names).

    Args:
        filters: int, the convolution's filters.
        kernel_size: int or tuple ``(rows, cols)``.
        strides: int or tuple, default 1.
        padding: str, default ``"same"``, or ``"valid"``.

    Returns:
        A function ``x -> x``.

    >>> from kerastorch.layers import Input
    >>> conv(16, 3, strides=2, padding="valid")(Input((9, 9, 3))).shape
    (None, 4, 4, 16)
    """

    def step(x: KerasTensor) -> KerasTensor:
        return conv2d_bn(x, filters, kernel_size, strides=strides, padding=padding)

    return step


def average_pool(x: KerasTensor) -> KerasTensor:
    """A branch step: 3x3 average pooling with stride 1 and ``"same"`` padding (the pooling branches).

    Args:
        x: the input KerasTensor.

    Returns:
        The output KerasTensor, of the same shape.

    >>> from kerastorch.layers import Input
    >>> average_pool(Input((5, 5, 2))).shape
    (None, 5, 5, 2)
    """
    return AveragePooling2D(3, strides=1, padding="same")(x)


def max_pool(x: KerasTensor) -> KerasTensor:
    """A branch step: 3x3 max pooling with stride 2 (the stem's and the reductions' pooling).

    Args:
        x: the input KerasTensor.

    Returns:
        The output KerasTensor.

    >>> from kerastorch.layers import Input
    >>> max_pool(Input((9, 9, 2))).shape
    (None, 4, 4, 2)
    """
    return MaxPooling2D(3, strides=2)(x)


def inception_module(
    x: KerasTensor, branches: Sequence[Sequence[Callable[[KerasTensor], KerasTensor]]], name: str | None = None
) -> KerasTensor:
    """Apply each branch (a sequence of steps) to ``x``, one branch after the other, and concatenate their
    outputs on the channel axis.

    Args:
        x: the input KerasTensor.
        branches: a sequence of sequences of steps (functions ``x -> x``).
        name: str or None, default None: the ``Concatenate`` layer's name (``mixed0`` ...).

    Returns:
        The output KerasTensor.

    >>> from kerastorch.layers import Input
    >>> inception_module(Input((8, 8, 3)), [[conv(4, 1)], [conv(2, 1), conv(6, 3)], [average_pool]]).shape
    (None, 8, 8, 13)
    """
    outputs = []
    for branch in branches:
        y = x
        for step in branch:
            y = step(y)
        outputs.append(y)
    return Concatenate(axis=channel_axis(), name=name)(outputs)


def split(
    *branches: Sequence[Callable[[KerasTensor], KerasTensor]], name: str | None = None
) -> Callable[[KerasTensor], KerasTensor]:
    """A branch step that itself splits into ``branches`` and concatenates them (the 1x3 and 3x1 pairs of
    InceptionV3's last modules).

    Args:
        *branches: sequences of steps.
        name: str or None, default None: the ``Concatenate`` layer's name.

    Returns:
        A function ``x -> x``.

    >>> from kerastorch.layers import Input
    >>> split([conv(3, (1, 3))], [conv(3, (3, 1))])(Input((4, 4, 2))).shape
    (None, 4, 4, 6)
    """

    def step(x: KerasTensor) -> KerasTensor:
        return inception_module(x, branches, name=name)

    return step


STEM = (
    conv(32, 3, strides=2, padding="valid"),
    conv(32, 3, padding="valid"),
    conv(64, 3),
    max_pool,
    conv(80, 1, padding="valid"),
    conv(192, 3, padding="valid"),
    max_pool,
)
"""The steps of the stem shared by InceptionV3 and InceptionResNetV2 (299x299x3 to 35x35x192)."""


def stem(x: KerasTensor) -> KerasTensor:
    """The stem of InceptionV3 and InceptionResNetV2: five convolutions and two max poolings, which turn a
    299x299 image into 35x35x192 features.

    Args:
        x: the input image KerasTensor.

    Returns:
        The output KerasTensor.

    >>> from kerastorch.layers import Input
    >>> stem(Input((75, 75, 3))).shape
    (None, 7, 7, 192)
    """
    for step in STEM:
        x = step(x)
    return x


def inception_a(pool_filters: int, first_filters: int = 64) -> tuple[list[Callable[[KerasTensor], KerasTensor]], ...]:
    """The branches of a 35x35 module (InceptionV3's ``mixed0`` to ``mixed2``): 1x1; 1x1 then 5x5; 1x1 then
    two 3x3; average pooling then 1x1.

    Args:
        pool_filters: int, the filters of the pooling branch's convolution.
        first_filters: int, default 64, those of the 1x1 branch (96 in InceptionResNetV2's ``mixed_5b``).

    Returns:
        A tuple of branches, for :func:`inception_module`.

    >>> [len(branch) for branch in inception_a(32)]
    [1, 2, 3, 2]
    """
    return (
        [conv(first_filters, 1)],
        [conv(48, 1), conv(64, 5)],
        [conv(64, 1), conv(96, 3), conv(96, 3)],
        [average_pool, conv(pool_filters, 1)],
    )


def reduction_a(
    k: int,
    l: int,
    m: int,
    n: int,
) -> tuple[list[Callable[[KerasTensor], KerasTensor]], ...]:
    """The branches of the 35x35 to 17x17 reduction: a strided 3x3 (``n`` filters); 1x1 (``k``), 3x3 (``l``)
    and a strided 3x3 (``m``); a strided max pooling.

    Args:
        k: int, filters of the second branch's 1x1 convolution.
        l: int, filters of its 3x3 convolution.
        m: int, filters of its strided 3x3 convolution.
        n: int, filters of the first branch's strided 3x3 convolution.

    Returns:
        A tuple of branches, for :func:`inception_module`.

    >>> from kerastorch.layers import Input
    >>> inception_module(Input((9, 9, 8)), reduction_a(4, 6, 6, 12)).shape
    (None, 4, 4, 26)
    """
    return (
        [conv(n, 3, strides=2, padding="valid")],
        [conv(k, 1), conv(l, 3), conv(m, 3, strides=2, padding="valid")],
        [max_pool],
    )


def inception_b(channels: int) -> tuple[list[Callable[[KerasTensor], KerasTensor]], ...]:
    """The branches of a 17x17 module with factorized 7x7 convolutions (``mixed4`` to ``mixed7``): 1x1;
    1x1, 1x7, 7x1; 1x1, 7x1, 1x7, 7x1, 1x7; average pooling then 1x1 (every branch ends with 192 filters).

    Args:
        channels: int, the filters inside the 7x7 branches (128, 160, 160, 192).

    Returns:
        A tuple of branches, for :func:`inception_module`.

    >>> [len(branch) for branch in inception_b(128)]
    [1, 3, 5, 2]
    """
    return (
        [conv(192, 1)],
        [conv(channels, 1), conv(channels, (1, 7)), conv(192, (7, 1))],
        [conv(channels, 1), conv(channels, (7, 1)), conv(channels, (1, 7)), conv(channels, (7, 1)), conv(192, (1, 7))],
        [average_pool, conv(192, 1)],
    )


def reduction_b() -> tuple[list[Callable[[KerasTensor], KerasTensor]], ...]:
    """The branches of InceptionV3's 17x17 to 8x8 reduction (``mixed8``): 1x1 then a strided 3x3; 1x1, 1x7,
    7x1 then a strided 3x3; a strided max pooling.

    Returns:
        A tuple of branches, for :func:`inception_module`.

    >>> [len(branch) for branch in reduction_b()]
    [2, 4, 1]
    """
    return (
        [conv(192, 1), conv(320, 3, strides=2, padding="valid")],
        [conv(192, 1), conv(192, (1, 7)), conv(192, (7, 1)), conv(192, 3, strides=2, padding="valid")],
        [max_pool],
    )


def inception_c(index: int) -> tuple[list[Callable[[KerasTensor], KerasTensor]], ...]:
    """The branches of an 8x8 module with expanded filter banks (``mixed9``, ``mixed10``): 1x1; 1x1 split
    into 1x3 and 3x1 (concatenated as ``mixed9_{index}``); 1x1, 3x3 split into 1x3 and 3x1; average pooling
    then 1x1.

    Args:
        index: int, 0 or 1: which of the two modules (it names the first split).

    Returns:
        A tuple of branches, for :func:`inception_module`.

    >>> [len(branch) for branch in inception_c(0)]
    [1, 2, 3, 2]
    """

    def conv_pair():
        return [conv(384, (1, 3))], [conv(384, (3, 1))]

    return (
        [conv(320, 1)],
        [conv(384, 1), split(*conv_pair(), name=f"mixed9_{index}")],
        [conv(448, 1), conv(384, 3), split(*conv_pair())],
        [average_pool, conv(192, 1)],
    )


def _body(x):
    """InceptionV3 after the stem: three 35x35 modules, a reduction, four 17x17 modules, a reduction and two
    8x8 modules (``mixed0`` to ``mixed10``, 2048 channels)."""
    modules = [inception_a(pool_filters) for pool_filters in (32, 64, 64)]
    modules.append(reduction_a(64, 96, 96, 384))
    modules += [inception_b(channels) for channels in (128, 160, 160, 192)]
    modules.append(reduction_b())
    modules += [inception_c(index) for index in range(2)]
    for i, branches in enumerate(modules):
        x = inception_module(x, branches, name=f"mixed{i}")
    return x


def inception_model(
    body: Callable[[KerasTensor], KerasTensor],
    model_name: str,
    published: WeightsFile,
    include_top: bool = True,
    weights: str | os.PathLike[str] | None = "imagenet",
    input_tensor: KerasTensor | None = None,
    input_shape: Sequence[int | None] | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | Callable[..., Any] | None = "softmax",
    name: str | None = None,
) -> Model:
    """An Inception network: the checks, the input, :func:`stem`, ``body``, Keras's top and the weights.

    Args:
        body: function ``x -> x`` that adds the layers after the stem.
        model_name: str, the default model name.
        published: :class:`~kerastorch.applications.builder.WeightsFile`, the ImageNet weights.
        include_top: bool, default True: the classifier (global average pooling and ``predictions``).
        weights: ``"imagenet"`` (default), None (random initialization) or the path of a weights file.
        input_tensor: None or a KerasTensor to build the model on.
        input_shape: tuple or None: the image shape without the batch axis; sides of at least 75.
        pooling: None, ``"avg"`` or ``"max"``: the features' pooling without the top.
        classes: int, default 1000: classes of the top (1000 with ImageNet weights).
        classifier_activation: str, callable or None, default ``"softmax"``.
        name: str or None: the model's name (default ``model_name``).

    Returns:
        A functional ``Model``.

    Raises:
        ValueError: for inconsistent arguments (see ``builder.check_arguments``) or another ``pooling``.

    >>> model = inception_model(lambda x: conv2d_bn(x, 8, 1), "tiny", WEIGHTS, weights=None,
    ...                         input_shape=(75, 75, 3), classes=3)
    >>> model.name, model.output_shape
    ('tiny', (None, 3))
    """
    check_arguments(weights, include_top, classes, classifier_activation)
    img_input, inputs = application_input(
        input_tensor,
        input_shape,
        default_size=DEFAULT_SIZE,
        min_size=MIN_SIZE,
        weights=weights,
        include_top=include_top,
    )
    x = body(stem(img_input))
    if include_top:
        x = application_top(x, include_top, pooling, classes, classifier_activation)
    else:  # Keras leaves the pooling layer's default name here (global_average_pooling2d ...)
        x = apply_pooling(x, pooling, named=False)
    model = Model(inputs, x, name=name or model_name)
    return load_weights(model, weights, include_top, published)


def InceptionV3(
    include_top: bool = True,
    weights: str | os.PathLike[str] | None = "imagenet",
    input_tensor: KerasTensor | None = None,
    input_shape: Sequence[int | None] | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | Callable[..., Any] | None = "softmax",
    name: str | None = "inception_v3",
) -> Model:
    return inception_model(
        _body,
        "inception_v3",
        WEIGHTS,
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


InceptionV3.__doc__ = application_docstring(
    "InceptionV3",
    "Instantiate the Inception v3 architecture (factorized convolutions, 2048 features); "
    "inputs are RGB images preprocessed with :func:`preprocess_input`.",
    key="inception_v3",
    default_size=DEFAULT_SIZE,
    min_size=MIN_SIZE,
    example_shape=(MIN_SIZE, MIN_SIZE, 3),
)


preprocess_input = imagenet_utils.family_preprocess_input("tf", "InceptionV3")
decode_predictions = imagenet_utils.decode_predictions
