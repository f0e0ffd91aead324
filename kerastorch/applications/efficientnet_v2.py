"""EfficientNetV2B0 to B3, EfficientNetV2S, EfficientNetV2M and EfficientNetV2L, on the blocks of
:mod:`~kerastorch.applications.efficientnet`.

Keras's architecture, layer names and weight order (``stem_conv``, ``block1a_project_conv``,
``block4a_dwconv2``, ``top_conv`` ...), so the weight files Keras publishes load into them. The early stages
use fused inverted residual blocks (one full convolution in place of the 1x1 expansion and the depthwise
convolution), the later ones the inverted residual blocks of EfficientNet with squeeze and excitation.
Reference: Tan and Le, EfficientNetV2: Smaller Models and Faster Training (ICML 2021).

Inputs: RGB images with values in [0, 255]; with ``include_preprocessing=True`` (the default) the model
scales and normalizes them itself, so :func:`preprocess_input` passes its input through. With
``include_preprocessing=False`` the model takes values in [-1, 1].

Example:
    >>> from kerastorch.backend import device
    >>> with device("meta"):  # shapes only, no weight values: a quick look at the architecture
    ...     model = EfficientNetV2B0(weights=None, input_shape=(64, 64, 3), include_top=False, pooling="avg")
    >>> model.output_shape, model.count_params()
    ((None, 1280), 5919312)
    >>> [layer.name for layer in model.layers[1:6]]
    ['rescaling', 'normalization', 'stem_conv', 'stem_bn', 'stem_activation']
"""

from __future__ import annotations

import functools
import os
from typing import Any, Callable, Literal, Sequence

from kerastorch.applications import imagenet_utils
from kerastorch.applications.builder import WeightsFile, application_input, check_arguments, load_weights
from kerastorch.applications.efficientnet import (
    channel_axis,
    classifier_top,
    conv_bn,
    depthwise_bn,
    expand_blocks,
    residual,
    round_repeats,
    squeeze_excite,
    variant_docstring,
)
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.initializers import Constant
from kerastorch.layers import Normalization, Rescaling
from kerastorch.models import Model

__all__ = [
    "DEFAULT_BLOCKS_ARGS",
    "EfficientNetV2",
    "EfficientNetV2B0",
    "EfficientNetV2B1",
    "EfficientNetV2B2",
    "EfficientNetV2B3",
    "EfficientNetV2L",
    "EfficientNetV2M",
    "EfficientNetV2S",
    "decode_predictions",
    "preprocess_input",
]

BASE_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/"
_HASHES = {  # (with top, without top), md5, by Keras's weights_name
    "b0": ("21ecbf6da12460d5c40bb2f29ceb2188", "893217f2bb855e2983157299931e43ff"),
    "b1": ("069f0534ff22adf035c89e2d9547a9dc", "0e80663031ca32d657f9caa404b6ec37"),
    "b2": ("424e49f28180edbde1e94797771950a7", "1dfe2e7a5d45b6632553a8961ea609eb"),
    "b3": ("1f1fc43bd98a6e4fd8fdfd551e02c7a0", "f6abf7b5849ac99a89b50dd3fd532856"),
    "-s": ("e1d88a8495beba45748fedd0cecbe016", "af0682fb74e8c54910f2d4393339c070"),
    "-m": ("a3bf6aa3276309f4fc6a34aa114c95cd", "1b8dc055df72dde80d614482840fe342"),
    "-l": ("27e6d408b53c7ebc868fefa357689935", "b0b66b5c863aef5b46e8608fe1711615"),
}
WEIGHTS = {
    key: WeightsFile(
        BASE_WEIGHTS_URL,
        (f"efficientnetv2-{key.lstrip('-')}.h5", top),
        (f"efficientnetv2-{key.lstrip('-')}_notop.h5", no_top),
    )
    for key, (top, no_top) in _HASHES.items()
}
"""The weight files Keras publishes for EfficientNetV2, by Keras's ``weights_name`` (``"b0"``, ``"-s"`` ...)."""

# Every stage has kernel_size 3; fused (conv_type 1) stages have no squeeze and excitation, the others 0.25.
# (conv_type, num_repeat, input_filters, output_filters, expand_ratio, strides) per stage:
_STAGES = {
    "efficientnetv2-s": (
        (1, 2, 24, 24, 1, 1),
        (1, 4, 24, 48, 4, 2),
        (1, 4, 48, 64, 4, 2),
        (0, 6, 64, 128, 4, 2),
        (0, 9, 128, 160, 6, 1),
        (0, 15, 160, 256, 6, 2),
    ),
    "efficientnetv2-m": (
        (1, 3, 24, 24, 1, 1),
        (1, 5, 24, 48, 4, 2),
        (1, 5, 48, 80, 4, 2),
        (0, 7, 80, 160, 4, 2),
        (0, 14, 160, 176, 6, 1),
        (0, 18, 176, 304, 6, 2),
        (0, 5, 304, 512, 6, 1),
    ),
    "efficientnetv2-l": (
        (1, 4, 32, 32, 1, 1),
        (1, 7, 32, 64, 4, 2),
        (1, 7, 64, 96, 4, 2),
        (0, 10, 96, 192, 4, 2),
        (0, 19, 192, 224, 6, 1),
        (0, 25, 224, 384, 6, 2),
        (0, 7, 384, 640, 6, 1),
    ),
    "efficientnetv2-b": (
        (1, 1, 32, 16, 1, 1),
        (1, 2, 16, 32, 4, 2),
        (1, 2, 32, 48, 4, 2),
        (0, 3, 48, 96, 4, 2),
        (0, 5, 96, 112, 6, 1),
        (0, 8, 112, 192, 6, 2),
    ),
}


def _blocks_args(stages):
    return [
        {
            "kernel_size": 3,
            "num_repeat": repeats,
            "input_filters": filters_in,
            "output_filters": filters_out,
            "expand_ratio": expand_ratio,
            "se_ratio": 0.0 if conv_type else 0.25,
            "strides": strides,
            "conv_type": conv_type,
        }
        for conv_type, repeats, filters_in, filters_out, expand_ratio, strides in stages
    ]


DEFAULT_BLOCKS_ARGS: dict[str, list[dict[str, Any]]] = {
    name: _blocks_args(_STAGES[name if name in _STAGES else "efficientnetv2-b"])
    for name in (
        "efficientnetv2-s",
        "efficientnetv2-m",
        "efficientnetv2-l",
        "efficientnetv2-b0",
        "efficientnetv2-b1",
        "efficientnetv2-b2",
        "efficientnetv2-b3",
    )
}
"""The stages of each variant (before width and depth scaling) in Keras's ``blocks_args`` format, by model
name; B0 to B3 share theirs."""

# The variants: (weights_name, width coefficient, depth coefficient, default image size)
_VARIANTS = {
    "B0": ("b0", 1.0, 1.0, 224),
    "B1": ("b1", 1.0, 1.1, 240),
    "B2": ("b2", 1.1, 1.2, 260),
    "B3": ("b3", 1.2, 1.4, 300),
    "S": ("-s", 1.0, 1.0, 384),
    "M": ("-m", 1.0, 1.0, 480),
    "L": ("-l", 1.0, 1.0, 480),
}

_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STDDEV = (0.229, 0.224, 0.225)


def round_filters(filters: int, width_coefficient: float, min_depth: int | None, depth_divisor: int) -> int:
    """``filters`` scaled by ``width_coefficient``, rounded to the nearest multiple of ``depth_divisor``, at
    least ``min_depth`` (or ``depth_divisor`` when ``min_depth`` is 0 or None).

    Args:
        filters: int.
        width_coefficient: float.
        min_depth: int or None.
        depth_divisor: int.

    Returns:
        int.

    >>> round_filters(32, 1.1, 8, 8), round_filters(1280, 1.2, 8, 8)
    (32, 1536)
    """
    scaled = filters * width_coefficient
    return int(max(min_depth or depth_divisor, int(scaled + depth_divisor / 2) // depth_divisor * depth_divisor))


def mbconv_block(
    inputs: KerasTensor,
    input_filters: int,
    output_filters: int,
    expand_ratio: int = 1,
    kernel_size: int = 3,
    strides: int = 1,
    se_ratio: float = 0.0,
    bn_momentum: float = 0.9,
    activation: str | Callable[..., Any] = "swish",
    survival_probability: float = 0.8,
    name: str = "",
) -> KerasTensor:
    """The inverted residual block of EfficientNetV2: a 1x1 expansion (unless ``expand_ratio`` is 1), a
    ``"same"`` depthwise convolution (``{name}dwconv2``), squeeze and excitation, a 1x1 projection, and the
    residual connection when the shape is kept.

    Args:
        inputs: the input KerasTensor.
        input_filters: int, the input filters.
        output_filters: int, the output filters.
        expand_ratio: int, default 1: the expansion of the input filters.
        kernel_size: int, default 3: the depthwise kernel size.
        strides: int, default 1: the depthwise stride.
        se_ratio: float, default 0: the squeeze's fraction of ``input_filters`` (none unless in (0, 1]).
        bn_momentum: float, default 0.9.
        activation: str or callable, default ``"swish"``.
        survival_probability: float, default 0.8: despite Keras's name, the rate at which the residual branch
            drops whole samples in training (no dropout layer when 0).
        name: str, the block's prefix (``"block4a_"``).

    Returns:
        The output KerasTensor.

    >>> from kerastorch import Input
    >>> mbconv_block(Input((16, 16, 8)), 8, 8, expand_ratio=4, se_ratio=0.25, name="block4b_").shape
    (None, 16, 16, 8)
    """
    x = inputs
    if expand_ratio != 1:
        x = conv_bn(x, input_filters * expand_ratio, 1, f"{name}expand", activation=activation, momentum=bn_momentum)
    x = depthwise_bn(
        x, kernel_size, name, strides=strides, activation=activation, momentum=bn_momentum, conv_name="dwconv2"
    )
    if 0 < se_ratio <= 1:
        x = squeeze_excite(x, input_filters, se_ratio, activation, name)
    x = conv_bn(x, output_filters, 1, f"{name}project", momentum=bn_momentum)
    if strides == 1 and input_filters == output_filters:
        x = residual(x, inputs, survival_probability, name)
    return x


def fused_mbconv_block(
    inputs: KerasTensor,
    input_filters: int,
    output_filters: int,
    expand_ratio: int = 1,
    kernel_size: int = 3,
    strides: int = 1,
    se_ratio: float = 0.0,
    bn_momentum: float = 0.9,
    activation: str | Callable[..., Any] = "swish",
    survival_probability: float = 0.8,
    name: str = "",
) -> KerasTensor:
    """The fused inverted residual block of EfficientNetV2: a ``kernel_size`` expansion convolution in place of
    the 1x1 expansion and the depthwise convolution, squeeze and excitation, a 1x1 projection (the only
    convolution, ``kernel_size`` and activated, when ``expand_ratio`` is 1), and the residual connection when
    the shape is kept.

    Args:
        inputs: the input KerasTensor.
        input_filters: int, the input filters.
        output_filters: int, the output filters.
        expand_ratio: int, default 1: the expansion of the input filters.
        kernel_size: int, default 3.
        strides: int, default 1: the stride of the first convolution.
        se_ratio: float, default 0: the squeeze's fraction of ``input_filters`` (none unless in (0, 1]).
        bn_momentum: float, default 0.9.
        activation: str or callable, default ``"swish"``.
        survival_probability: float, default 0.8: the rate at which the residual branch drops whole samples in
            training (no dropout layer when 0).
        name: str, the block's prefix (``"block1a_"``).

    Returns:
        The output KerasTensor.

    >>> from kerastorch import Input
    >>> fused_mbconv_block(Input((16, 16, 8)), 8, 16, expand_ratio=4, strides=2, name="block2a_").shape
    (None, 8, 8, 16)
    """
    x = inputs
    expanded = expand_ratio != 1
    if expanded:
        x = conv_bn(
            x,
            input_filters * expand_ratio,
            kernel_size,
            f"{name}expand",
            strides=strides,
            activation=activation,
            momentum=bn_momentum,
        )
    if 0 < se_ratio <= 1:
        x = squeeze_excite(x, input_filters, se_ratio, activation, name)
    x = conv_bn(
        x,
        output_filters,
        1 if expanded else kernel_size,
        f"{name}project",
        strides=1 if expanded else strides,
        activation=None if expanded else activation,
        momentum=bn_momentum,
    )
    if strides == 1 and input_filters == output_filters:
        x = residual(x, inputs, survival_probability, name)
    return x


_BLOCKS = {0: mbconv_block, 1: fused_mbconv_block}  # by conv_type


def _preprocessing(x, v1_style):
    """The preprocessing layers: for B0 to B3 with 3 channels, EfficientNet's (to [0, 1], then the ImageNet
    normalization), else a scaling to [-1, 1]."""
    if v1_style and x.shape[channel_axis()] == 3:
        x = Rescaling(scale=1.0 / 255)(x)
        return Normalization(mean=list(_IMAGENET_MEAN), variance=[s**2 for s in _IMAGENET_STDDEV], axis=channel_axis())(
            x
        )
    return Rescaling(scale=1.0 / 128.0, offset=-1)(x)


def EfficientNetV2(
    width_coefficient: float,
    depth_coefficient: float,
    default_size: int,
    dropout_rate: float = 0.2,
    drop_connect_rate: float = 0.2,
    depth_divisor: int = 8,
    min_depth: int = 8,
    bn_momentum: float = 0.9,
    activation: str | Callable[..., Any] = "swish",
    blocks_args: Literal["default"] | Sequence[dict[str, Any]] = "default",
    name: str = "efficientnetv2",
    include_top: bool = True,
    weights: str | os.PathLike[str] | None = "imagenet",
    input_tensor: KerasTensor | None = None,
    input_shape: Sequence[int | None] | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | Callable[..., Any] | None = "softmax",
    include_preprocessing: bool = True,
    weights_name: str | None = None,
) -> Model:
    """An EfficientNetV2 of the given width and depth scaling (the builder of the EfficientNetV2 variants).

    Args:
        width_coefficient: float, the scaling of the filters.
        depth_coefficient: float, the scaling of the blocks per stage.
        default_size: int, the image side of the pretrained weights.
        dropout_rate: float, default 0.2: the dropout before the classifier.
        drop_connect_rate: float, default 0.2: the stochastic depth rate, rising linearly from 0 at the first
            block.
        depth_divisor: int, default 8: filters are multiples of it.
        min_depth: int, default 8: the fewest filters.
        bn_momentum: float, default 0.9: the batch normalizations' momentum.
        activation: str or callable, default ``"swish"``.
        blocks_args: ``"default"`` (the stages of :data:`DEFAULT_BLOCKS_ARGS` under ``name``) or a list of
            dicts, one per stage, with the keys of :data:`DEFAULT_BLOCKS_ARGS`.
        name: str, default ``"efficientnetv2"``: the model's name.
        include_top: bool, default True: the classifier at the top.
        weights: ``"imagenet"`` (default), None or the path of a weights file.
        input_tensor: None or a KerasTensor to build the model on.
        input_shape: tuple or None: the image shape without the batch axis; sides of at least 32.
        pooling: None, ``"avg"`` or ``"max"``: the features' pooling without the top.
        classes: int, default 1000.
        classifier_activation: str, callable or None, default ``"softmax"``.
        include_preprocessing: bool, default True: scale (and for the B variants with 3 channels, normalize)
            the [0, 255] inputs inside the model.
        weights_name: str or None: the variant whose ImageNet weights to load (``"b0"`` ... ``"b3"``,
            ``"-s"``, ``"-m"``, ``"-l"``); it also tells a B variant (EfficientNet's preprocessing) when
            ``name`` does not end in ``-b...``.

    Returns:
        A functional ``Model``.

    Raises:
        ValueError: for inconsistent arguments, ``blocks_args="default"`` with a ``name`` that has none, or a
            stage with repeats below 1.

    >>> model = EfficientNetV2(0.5, 0.5, 224, blocks_args=DEFAULT_BLOCKS_ARGS["efficientnetv2-b0"],
    ...                        weights=None, input_shape=(32, 32, 3), classes=3)
    >>> model.output_shape, len(model.layers)
    ((None, 3), 153)
    """
    if blocks_args == "default":
        if name not in DEFAULT_BLOCKS_ARGS:
            raise ValueError(
                f"blocks_args='default' needs the name of a variant ({sorted(DEFAULT_BLOCKS_ARGS)}); "
                f"received name={name!r}"
            )
        blocks_args = DEFAULT_BLOCKS_ARGS[name]
    check_arguments(weights, include_top, classes, classifier_activation)
    img_input, inputs = application_input(
        input_tensor, input_shape, default_size=default_size, min_size=32, weights=weights, include_top=include_top
    )
    x = img_input
    if include_preprocessing:
        x = _preprocessing(x, (weights_name or name.split("-")[-1]).startswith("b"))
    filters = functools.partial(
        round_filters, width_coefficient=width_coefficient, min_depth=min_depth, depth_divisor=depth_divisor
    )
    x = conv_bn(
        x, filters(blocks_args[0]["input_filters"]), 3, "stem", strides=2, activation=activation, momentum=bn_momentum
    )
    total = float(sum(args["num_repeat"] for args in blocks_args))
    for index, block_name, args in expand_blocks(
        blocks_args,
        repeats_key="num_repeat",
        filters_keys=("input_filters", "output_filters"),
        round_filters=filters,
        round_repeats=functools.partial(round_repeats, depth_coefficient=depth_coefficient),
        family="EfficientNetV2",
    ):
        block_args = {key: value for key, value in args.items() if key != "conv_type"}
        x = _BLOCKS[args["conv_type"]](
            x,
            activation=activation,
            bn_momentum=bn_momentum,
            survival_probability=drop_connect_rate * index / total,
            name=block_name,
            **block_args,
        )
    x = conv_bn(x, filters(1280), 1, "top", activation=activation, momentum=bn_momentum)
    x = classifier_top(
        x, include_top, pooling, classes, classifier_activation, dropout_rate, bias_initializer=Constant(0.0)
    )
    model = Model(inputs, x, name=name)
    return load_weights(model, weights, include_top, None if weights_name is None else WEIGHTS.get(weights_name))


def _variant(suffix):
    weights_name, width, depth, size = _VARIANTS[suffix]
    key = f"efficientnetv2-{suffix.lower()}"

    def application(
        include_top: bool = True,
        weights: str | os.PathLike[str] | None = "imagenet",
        input_tensor: KerasTensor | None = None,
        input_shape: Sequence[int | None] | None = None,
        pooling: str | None = None,
        classes: int = 1000,
        classifier_activation: str | Callable[..., Any] | None = "softmax",
        include_preprocessing: bool = True,
        name: str = key,
    ) -> Model:
        return EfficientNetV2(
            width,
            depth,
            size,
            name=name,
            blocks_args=DEFAULT_BLOCKS_ARGS[key],
            include_top=include_top,
            weights=weights,
            input_tensor=input_tensor,
            input_shape=input_shape,
            pooling=pooling,
            classes=classes,
            classifier_activation=classifier_activation,
            include_preprocessing=include_preprocessing,
            weights_name=weights_name,
        )

    title = f"EfficientNetV2{suffix}"
    application.__name__ = application.__qualname__ = title
    application.__doc__ = variant_docstring(
        title,
        f"Instantiate the {title} architecture (width x{width}, depth x{depth}); inputs are RGB images in "
        "[0, 255] (in [-1, 1] with ``include_preprocessing=False``).",
        key=key,
        default_size=size,
        build_example=suffix == "B0",
        extra_args="        include_preprocessing: bool, default True: the scaling (and, for B0 to B3, the ImageNet\n"
        "            normalization) of the inputs as the model's first layers.\n",
    )
    return application


EfficientNetV2B0 = _variant("B0")
EfficientNetV2B1 = _variant("B1")
EfficientNetV2B2 = _variant("B2")
EfficientNetV2B3 = _variant("B3")
EfficientNetV2S = _variant("S")
EfficientNetV2M = _variant("M")
EfficientNetV2L = _variant("L")


preprocess_input = imagenet_utils.family_preprocess_input(None, "EfficientNetV2")
decode_predictions = imagenet_utils.decode_predictions
