"""NASNetMobile and NASNetLarge (NASNet-A), and the NASNet builder they share.

Keras's architecture, layer names and weight order (``stem_conv1``, ``reduction_conv_1_stem_1``,
``separable_conv_1_normal_left1_0`` ...), so the weight files Keras publishes load into them. A NASNet is a
stem (a strided 3x3 convolution and two reduction cells), then three stacks of ``num_blocks`` normal cells
with a reduction cell between each two; every cell takes the outputs of the two cells before it.
Reference: Zoph et al., Learning Transferable Architectures for Scalable Image Recognition (CVPR 2018).

Inputs: RGB images with values in [0, 255], preprocessed with :func:`preprocess_input` (scaled to [-1, 1]).
Like Keras, NASNet is built for ``channels_last`` only, and for a known image size (its cells compare the
sizes of their two inputs).

Example:
    >>> model = NASNetMobile(weights=None, input_shape=(32, 32, 3), include_top=False, pooling="avg")
    >>> model.output_shape, model.count_params()
    ((None, 1056), 4269716)
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
    apply_pooling,
    check_arguments,
    load_weights,
)
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.layers import (
    Activation,
    Add,
    AveragePooling2D,
    BatchNormalization,
    Concatenate,
    Conv2D,
    Cropping2D,
    Dense,
    GlobalAveragePooling2D,
    GlobalMaxPooling2D,
    MaxPooling2D,
    SeparableConv2D,
    ZeroPadding2D,
)
from kerastorch.models import Model

__all__ = ["NASNet", "NASNetLarge", "NASNetMobile", "decode_predictions", "preprocess_input"]

BASE_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/nasnet/"


WEIGHTS = {
    224: WeightsFile(
        BASE_WEIGHTS_URL,
        ("NASNet-mobile.h5", "020fb642bf7360b370c678b08e0adf61"),
        ("NASNet-mobile-no-top.h5", "1ed92395b5b598bdda52abe5c0dbfd63"),
        cache_names=("nasnet_mobile.h5", "nasnet_mobile_no_top.h5"),
    ),
    331: WeightsFile(
        BASE_WEIGHTS_URL,
        ("NASNet-large.h5", "11577c9a518f0070763c2b964a382f17"),
        ("NASNet-large-no-top.h5", "d81d89dc07e6e56530c4e77faddd61b5"),
        cache_names=("nasnet_large.h5", "nasnet_large_no_top.h5"),
    ),
}
"""The weight files Keras publishes for NASNet (md5 hashes), by default image size: 224 for NASNetMobile, 331
for NASNetLarge."""

_CHANNEL_AXIS = -1  # channels_last, the only data format NASNet is built for
_MOMENTUM, _EPSILON = 0.9997, 1e-3  # the batch normalization of every NASNet

# The five branches of a normal cell, each the sum of a left and a right operation:
# (operation, kernel size, input), on "h" (the previous cell's output, squeezed) or "p" (the one before).
NORMAL_CELL_BRANCHES = (
    (("separable", 5, "h"), ("separable", 3, "p")),
    (("separable", 5, "p"), ("separable", 3, "p")),
    (("average", 3, "h"), ("identity", None, "p")),
    (("average", 3, "p"), ("average", 3, "p")),
    (("separable", 3, "h"), ("identity", None, "h")),
)


def nasnet_batch_norm(name: str | None = None) -> BatchNormalization:
    """The batch normalization every NASNet uses: over the channels, momentum 0.9997, epsilon 1e-3.

    Args:
        name: str or None, the layer's name.

    Returns:
        A ``BatchNormalization`` layer.

    >>> bn = nasnet_batch_norm("stem_bn1")
    >>> bn.momentum, bn.epsilon
    (0.9997, 0.001)
    """
    return BatchNormalization(axis=_CHANNEL_AXIS, momentum=_MOMENTUM, epsilon=_EPSILON, name=name)


def pointwise_conv(filters: int, name: str, strides: int = 1) -> Conv2D:
    """The 1x1 convolutions of NASNet: no bias, He-normal initialization.

    Args:
        filters: int, the output channels.
        name: str, the layer's name.
        strides: int, default 1.

    Returns:
        A ``Conv2D`` layer.

    >>> pointwise_conv(8, "conv").get_config()["kernel_initializer"]["class_name"]
    'HeNormal'
    """
    return Conv2D(
        filters, 1, strides=strides, padding="same", use_bias=False, kernel_initializer="he_normal", name=name
    )


def separable_conv_block(
    x: KerasTensor, filters: int, kernel_size: int = 3, strides: int = 1, block_id: str | None = None
) -> KerasTensor:
    """Two ReLU, separable convolution and batch normalization steps; the first of stride ``strides`` (its
    input zero-padded with :func:`~kerastorch.applications.imagenet_utils.correct_pad` when strided).

    Args:
        x: the input KerasTensor.
        filters: int, the output channels of both convolutions.
        kernel_size: int, default 3.
        strides: int, default 1: 1 or 2.
        block_id: str, the suffix of the layers' names (``normal_left1_0``).

    Returns:
        The output KerasTensor.

    >>> from kerastorch import layers
    >>> separable_conv_block(layers.Input((8, 8, 4)), 6, 5, strides=2, block_id="left").shape
    (None, 4, 4, 6)
    """
    for step, stride in ((1, strides), (2, 1)):
        x = Activation("relu")(x)
        if stride == 2:
            x = ZeroPadding2D(
                padding=imagenet_utils.correct_pad(x, kernel_size), name=f"separable_conv_{step}_pad_{block_id}"
            )(x)
        x = SeparableConv2D(
            filters,
            kernel_size,
            strides=stride,
            padding="valid" if stride == 2 else "same",
            use_bias=False,
            name=f"separable_conv_{step}_{block_id}",
        )(x)
        x = nasnet_batch_norm(f"separable_conv_{step}_bn_{block_id}")(x)
    return x


def adjust_block(p: KerasTensor | None, ip: KerasTensor, filters: int, block_id: str | None = None) -> KerasTensor:
    """Match the output of the cell before the previous one (``p``) to the previous one's (``ip``): halve its
    size when it is larger (two 1x1 convolutions of stride 2, the second shifted by a pixel, concatenated),
    else project it to ``filters`` channels when they differ.

    Args:
        p: KerasTensor or None (the first cell: ``ip`` is used).
        ip: the previous cell's output KerasTensor.
        filters: int, the cell's channels.
        block_id: str, the cell's id (the suffix of the layers' names).

    Returns:
        The adjusted KerasTensor.

    >>> from kerastorch import layers
    >>> adjust_block(layers.Input((8, 8, 4)), layers.Input((4, 4, 6)), 6, block_id="1").shape
    (None, 4, 4, 6)
    """
    if p is None:
        return ip
    if p.shape[-2] != ip.shape[-2]:
        p = Activation("relu", name=f"adjust_relu_1_{block_id}")(p)
        halves = []
        for path in (1, 2):
            half = p
            if path == 2:  # shifted by one pixel, so that the two paths see different pixels
                half = ZeroPadding2D(padding=((0, 1), (0, 1)))(half)
                half = Cropping2D(cropping=((1, 0), (1, 0)))(half)
            half = AveragePooling2D(1, strides=2, padding="valid", name=f"adjust_avg_pool_{path}_{block_id}")(half)
            halves.append(pointwise_conv(filters // 2, f"adjust_conv_{path}_{block_id}")(half))
        p = Concatenate(axis=_CHANNEL_AXIS)(halves)
        return nasnet_batch_norm(f"adjust_bn_{block_id}")(p)
    if p.shape[_CHANNEL_AXIS] != filters:
        p = Activation("relu")(p)
        p = pointwise_conv(filters, f"adjust_conv_projection_{block_id}")(p)
        return nasnet_batch_norm(f"adjust_bn_{block_id}")(p)
    return p


def _squeeze(ip, filters, kind, block_id):
    """ReLU, 1x1 convolution and batch normalization of a cell's input (``h``)."""
    h = Activation("relu")(ip)
    h = pointwise_conv(filters, f"{kind}_conv_1_{block_id}")(h)
    return nasnet_batch_norm(f"{kind}_bn_1_{block_id}")(h)


def _normal_operation(operation, kernel_size, x, filters, name):
    if operation == "separable":
        return separable_conv_block(x, filters, kernel_size, block_id=name)
    if operation == "average":
        return AveragePooling2D(kernel_size, strides=1, padding="same", name=name)(x)
    return x


def normal_a_cell(
    ip: KerasTensor, p: KerasTensor | None, filters: int, block_id: str | None = None
) -> tuple[KerasTensor, KerasTensor]:
    """The NASNet-A normal cell (figure 4 of the paper): five branches (:data:`NORMAL_CELL_BRANCHES`) on the
    previous cell's output and the adjusted one before it, concatenated with the latter.

    Args:
        ip: the previous cell's output KerasTensor.
        p: the output of the cell before it, or None.
        filters: int, the channels of each branch (the output has ``6 * filters``).
        block_id: str, the cell's id (``"0"``), the suffix of its layers' names.

    Returns:
        ``(output, ip)``: the cell's output and its input, the next cell's ``p``.

    >>> from kerastorch import layers
    >>> x, p = normal_a_cell(layers.Input((8, 8, 12)), layers.Input((8, 8, 12)), 4, block_id="0")
    >>> x.shape
    (None, 8, 8, 24)
    """
    p = adjust_block(p, ip, filters, block_id)
    sources = {"h": _squeeze(ip, filters, "normal", block_id), "p": p}
    branches = [p]
    for i, (left, right) in enumerate(NORMAL_CELL_BRANCHES, start=1):
        (left_op, left_kernel, left_input), (right_op, right_kernel, right_input) = left, right
        x_left = _normal_operation(left_op, left_kernel, sources[left_input], filters, f"normal_left{i}_{block_id}")
        x_right = _normal_operation(
            right_op, right_kernel, sources[right_input], filters, f"normal_right{i}_{block_id}"
        )
        branches.append(Add(name=f"normal_add_{i}_{block_id}")([x_left, x_right]))
    return Concatenate(axis=_CHANNEL_AXIS, name=f"normal_concat_{block_id}")(branches), ip


def reduction_a_cell(
    ip: KerasTensor, p: KerasTensor | None, filters: int, block_id: str | None = None
) -> tuple[KerasTensor, KerasTensor]:
    """The NASNet-A reduction cell (figure 4 of the paper): four branches of stride 2 on the previous cell's
    output and the adjusted one before it, concatenated; the output has half their size.

    Args:
        ip: the previous cell's output KerasTensor.
        p: the output of the cell before it, or None.
        filters: int, the channels of each branch (the output has ``4 * filters``).
        block_id: str, the cell's id (``"stem_1"``, ``"reduce_4"``), the suffix of its layers' names.

    Returns:
        ``(output, ip)``: the cell's output and its input, the next cell's ``p``.

    >>> from kerastorch import layers
    >>> x, p = reduction_a_cell(layers.Input((8, 8, 12)), None, 4, block_id="stem_1")
    >>> x.shape
    (None, 4, 4, 16)
    """
    p = adjust_block(p, ip, filters, block_id)
    h = _squeeze(ip, filters, "reduction", block_id)
    h_padded = ZeroPadding2D(padding=imagenet_utils.correct_pad(h, 3), name=f"reduction_pad_1_{block_id}")(h)

    def separable(x, kernel_size, branch, strides=2):
        return separable_conv_block(x, filters, kernel_size, strides=strides, block_id=f"reduction_{branch}_{block_id}")

    def pool(pool_class, x, branch, strides=2):
        return pool_class(
            3, strides=strides, padding="valid" if strides == 2 else "same", name=f"reduction_{branch}_{block_id}"
        )(x)

    x1 = Add(name=f"reduction_add_1_{block_id}")([separable(h, 5, "left1"), separable(p, 7, "right1")])
    x2 = Add(name=f"reduction_add_2_{block_id}")([pool(MaxPooling2D, h_padded, "left2"), separable(p, 7, "right2")])
    x3 = Add(name=f"reduction_add3_{block_id}")([pool(AveragePooling2D, h_padded, "left3"), separable(p, 5, "right3")])
    x4 = Add()([x2, pool(AveragePooling2D, x1, "left4", strides=1)])
    x5 = Add(name=f"reduction_add4_{block_id}")(
        [separable(x1, 3, "left4", strides=1), pool(MaxPooling2D, h_padded, "right5")]
    )
    return Concatenate(axis=_CHANNEL_AXIS, name=f"reduction_concat_{block_id}")([x2, x3, x4, x5]), ip


def _check_arguments(
    input_shape,
    penultimate_filters,
    filter_multiplier,
    default_size,
    weights,
    include_top,
    classes,
    classifier_activation,
):
    if config.image_data_format() == "channels_first":
        raise ValueError(
            "NASNet does not support the channels_first image data format; switch to channels_last "
            "with keras.config.set_image_data_format('channels_last')"
        )
    check_arguments(weights, include_top, classes, classifier_activation)
    if weights == "imagenet" and input_shape is not None and None in tuple(input_shape):
        raise ValueError(
            f"When specifying the input shape of a NASNet and loading ImageNet weights, the input_shape "
            f"argument must be static (no None entries); received input_shape={input_shape}"
        )
    if weights == "imagenet" and default_size not in WEIGHTS:
        raise ValueError(
            f"ImageNet weights can only be loaded with NASNetLarge or NASNetMobile (default_size "
            f"{' or '.join(map(str, WEIGHTS))}); received default_size={default_size}"
        )
    if penultimate_filters % (24 * filter_multiplier**2) != 0:
        raise ValueError(
            f"For NASNet-A models, the penultimate_filters must be a multiple of "
            f"24 * filter_multiplier ** 2; received penultimate_filters={penultimate_filters}, "
            f"filter_multiplier={filter_multiplier}"
        )


def _nasnet_top(x, include_top, pooling, classes, classifier_activation):
    """Keras's NASNet top: the same as ``builder.application_top`` with Keras's default pooling names."""
    if include_top:
        x = GlobalAveragePooling2D()(x)
        return Dense(classes, activation=classifier_activation, name="predictions")(x)
    if pooling == "avg":
        return GlobalAveragePooling2D()(x)
    if pooling == "max":
        return GlobalMaxPooling2D()(x)
    return apply_pooling(x, pooling)  # None, or the error for another value


def NASNet(
    input_shape: Sequence[int | None] | None = None,
    penultimate_filters: int = 4032,
    num_blocks: int = 6,
    stem_block_filters: int = 96,
    skip_reduction: bool = True,
    filter_multiplier: int = 2,
    include_top: bool = True,
    weights: str | os.PathLike[str] | None = "imagenet",
    input_tensor: KerasTensor | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    default_size: int | None = None,
    classifier_activation: str | Callable[..., Any] | None = "softmax",
    name: str | None = "NASNet",
) -> Model:
    """A NASNet-A: the stem, then three stacks of ``num_blocks`` normal cells with a reduction cell between
    each two, widened ``filter_multiplier`` times at each reduction.

    Args:
        input_shape: tuple or None: the image shape without the batch axis, sides of at least 32; None is
            ``(default_size, default_size, 3)`` (NASNet needs a known size).
        penultimate_filters: int, default 4032: the channels of the last cells, a multiple of
            ``24 * filter_multiplier ** 2`` (the ``P`` of the paper's ``NASNet (N @ P)``).
        num_blocks: int, default 6: the normal cells of each stack (the ``N``).
        stem_block_filters: int, default 96: the filters of the stem's convolution.
        skip_reduction: bool, default True: the second input of the first normal cell after a reduction cell:
            the input of the cell before the reduction cell (True, NASNetLarge: the reduction is skipped), or the
            reduction cell's input (False, NASNetMobile).
        filter_multiplier: int, default 2: the widening at each reduction cell.
        include_top: bool, default True: the classifier (global average pooling and ``predictions``).
        weights: ``"imagenet"`` (default; with ``default_size`` 224 or 331), None (random initialization) or the
            path of a weights file.
        input_tensor: None or a KerasTensor to build the model on.
        pooling: None, ``"avg"`` or ``"max"``: the features' pooling without the top.
        classes: int, default 1000: classes of the top (1000 with ImageNet weights).
        default_size: int or None: the image side of the weights (224: NASNetMobile, None or 331: NASNetLarge).
        classifier_activation: str, callable or None, default ``"softmax"``.
        name: str, default ``"NASNet"``: the model's name.

    Returns:
        A functional ``Model``.

    Raises:
        ValueError: with the ``channels_first`` image data format, for inconsistent arguments (see
            ``builder.check_arguments``), ImageNet weights with an unknown size or another ``default_size``,
            ``penultimate_filters`` not a multiple of ``24 * filter_multiplier ** 2``, or an input of unknown
            size.

    >>> model = NASNet((32, 32, 3), penultimate_filters=96, num_blocks=1, stem_block_filters=8, weights=None,
    ...                classes=3)
    >>> model.output_shape, model.count_params()
    ((None, 3), 26833)
    """
    default_size = 331 if default_size is None else default_size
    _check_arguments(
        input_shape,
        penultimate_filters,
        filter_multiplier,
        default_size,
        weights,
        include_top,
        classes,
        classifier_activation,
    )
    if input_shape is None and not include_top:
        input_shape = (default_size, default_size, 3)
    img_input, inputs = application_input(
        input_tensor, input_shape, default_size=default_size, min_size=32, weights=weights, include_top=include_top
    )
    if None in tuple(img_input.shape[1:3]):
        raise ValueError(
            f"NASNet needs an input of known height and width (its cells compare the sizes of their "
            f"inputs); received an input of shape {tuple(img_input.shape)}"
        )
    filters = penultimate_filters // 24
    x = Conv2D(
        stem_block_filters,
        3,
        strides=2,
        padding="valid",
        use_bias=False,
        kernel_initializer="he_normal",
        name="stem_conv1",
    )(img_input)
    x = nasnet_batch_norm("stem_bn1")(x)
    x, p = reduction_a_cell(x, None, filters // filter_multiplier**2, block_id="stem_1")
    x, p = reduction_a_cell(x, p, filters // filter_multiplier, block_id="stem_2")
    for stack in range(3):
        stack_filters = filters * filter_multiplier**stack
        if stack:
            x, reduction_input = reduction_a_cell(x, p, stack_filters, block_id=f"reduce_{stack * num_blocks}")
            p = p if skip_reduction else reduction_input
        for i in range(num_blocks):
            x, p = normal_a_cell(x, p, stack_filters, block_id=f"{stack * num_blocks + i + (stack > 0)}")
    x = Activation("relu")(x)
    x = _nasnet_top(x, include_top, pooling, classes, classifier_activation)
    model = Model(inputs, x, name=name)
    return load_weights(model, weights, include_top, WEIGHTS.get(default_size))


_VARIANTS = {  # name: (penultimate_filters, num_blocks, stem_block_filters, skip_reduction, default_size)
    "nasnet_mobile": (1056, 4, 32, False, 224),
    "nasnet_large": (4032, 6, 96, True, 331),
}


def _variant(key):
    penultimate_filters, num_blocks, stem_block_filters, skip_reduction, default_size = _VARIANTS[key]

    def application(
        input_shape: Sequence[int | None] | None = None,
        include_top: bool = True,
        weights: str | os.PathLike[str] | None = "imagenet",
        input_tensor: KerasTensor | None = None,
        pooling: str | None = None,
        classes: int = 1000,
        classifier_activation: str | Callable[..., Any] | None = "softmax",
        name: str | None = key,
    ) -> Model:
        return NASNet(
            input_shape,
            penultimate_filters,
            num_blocks,
            stem_block_filters,
            skip_reduction,
            filter_multiplier=2,
            include_top=include_top,
            weights=weights,
            input_tensor=input_tensor,
            pooling=pooling,
            classes=classes,
            default_size=default_size,
            classifier_activation=classifier_activation,
            name=name,
        )

    return application


NASNetMobile = _variant("nasnet_mobile")
NASNetLarge = _variant("nasnet_large")
for _fn, _title, _key in (
    (NASNetMobile, "NASNetMobile", "nasnet_mobile"),
    (NASNetLarge, "NASNetLarge", "nasnet_large"),
):
    _filters, _blocks, _, _, _size = _VARIANTS[_key]
    _fn.__name__ = _fn.__qualname__ = _title
    _fn.__doc__ = application_docstring(
        _title,
        f"Instantiate {_title}, NASNet-A ({_blocks} @ {_filters}) for {_size}x{_size} images; inputs are RGB "
        "images preprocessed with :func:`preprocess_input`. Like Keras, it refuses the ``channels_first`` image "
        f"data format; without the top and without ``input_shape``, the input is {_size}x{_size}.",
        key=_key,
        default_size=_size,
    )
# NASNetLarge's 89 million weights take seconds to initialize: its example builds it on the meta device.
NASNetLarge.__doc__ = (
    NASNetLarge.__doc__.split("    >>> ")[0]
    + """    >>> from kerastorch import config
    >>> config.set_device("meta")  # shapes only: no memory or time spent on the weights
    >>> model = NASNetLarge(weights=None, include_top=False)
    >>> model.output_shape, model.count_params()
    ((None, 11, 11, 4032), 84916818)
    >>> config.set_device(None)
    """
)


preprocess_input = imagenet_utils.family_preprocess_input("tf", "NASNet")
decode_predictions = imagenet_utils.decode_predictions
