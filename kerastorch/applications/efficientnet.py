"""EfficientNetB0 to EfficientNetB7, and the blocks that EfficientNetV2 shares.

Keras's architecture, layer names and weight order (``stem_conv``, ``block1a_dwconv``, ``block2b_se_reduce``,
``top_conv`` ...), so the weight files Keras publishes load into them. Each variant scales the width
(filters), the depth (blocks per stage) and the image size of B0. Reference: Tan and Le, EfficientNet:
Rethinking Model Scaling for Convolutional Neural Networks (ICML 2019).

Inputs: RGB images with values in [0, 255]; the preprocessing (scaling and normalization) is part of the
model, so :func:`preprocess_input` passes its input through.

Example:
    >>> from kerastorch.backend import device
    >>> with device("meta"):  # shapes only, no weight values: a quick look at the architecture
    ...     model = EfficientNetB0(weights=None, input_shape=(64, 64, 3), include_top=False, pooling="avg")
    >>> model.output_shape, model.count_params()
    ((None, 1280), 4049571)
    >>> [layer.name for layer in model.layers[1:6]]
    ['rescaling', 'normalization', 'stem_conv_pad', 'stem_conv', 'stem_bn']
"""

from __future__ import annotations

import functools
import math
import os
from typing import Any, Callable, Iterator, Literal, Sequence

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
from kerastorch.initializers import Initializer, VarianceScaling
from kerastorch.layers import (
    Activation,
    Add,
    BatchNormalization,
    Conv2D,
    Dense,
    DepthwiseConv2D,
    Dropout,
    GlobalAveragePooling2D,
    Multiply,
    Normalization,
    Rescaling,
    Reshape,
    ZeroPadding2D,
)
from kerastorch.models import Model

__all__ = [
    "DEFAULT_BLOCKS_ARGS",
    "EfficientNet",
    "EfficientNetB0",
    "EfficientNetB1",
    "EfficientNetB2",
    "EfficientNetB3",
    "EfficientNetB4",
    "EfficientNetB5",
    "EfficientNetB6",
    "EfficientNetB7",
    "decode_predictions",
    "preprocess_input",
]

BASE_WEIGHTS_URL = "https://storage.googleapis.com/keras-applications/"
_HASHES = {  # (with top, without top), md5
    "b0": ("902e53a9f72be733fc0bcb005b3ebbac", "50bc09e76180e00e4465e1a485ddc09d"),
    "b1": ("1d254153d4ab51201f1646940f018540", "74c4e6b3e1f6a1eea24c589628592432"),
    "b2": ("b15cce36ff4dcbd00b6dd88e7857a6ad", "111f8e2ac8aa800a7a99e3239f7bfb39"),
    "b3": ("ffd1fdc53d0ce67064dc6a9c7960ede0", "af6d107764bb5b1abb91932881670226"),
    "b4": ("18c95ad55216b8f92d7e70b3a046e2fc", "ebc24e6d6c33eaebbd558eafbeedf1ba"),
    "b5": ("ace28f2a6363774853a83a0b21b9421a", "38879255a25d3c92d5e44e04ae6cec6f"),
    "b6": ("165f6e37dce68623721b423839de8be5", "9ecce42647a20130c1f39a5d4cb75743"),
    "b7": ("8c03f828fec3ef71311cd463b6759d99", "cbcfe4450ddf6f3ad90b1b398090fe4a"),
}
WEIGHTS = {
    key: WeightsFile(BASE_WEIGHTS_URL, (f"efficientnet{key}.h5", top), (f"efficientnet{key}_notop.h5", no_top))
    for key, (top, no_top) in _HASHES.items()
}
"""The weight files Keras publishes for EfficientNetB0 to B7, by variant (``"b0"`` ...)."""

# The stages of EfficientNetB0: kernel_size, repeats, filters_in, filters_out, expand_ratio, strides
# (every stage has id_skip=True and se_ratio=0.25).
_B0_STAGES = (
    (3, 1, 32, 16, 1, 1),
    (3, 2, 16, 24, 6, 2),
    (5, 2, 24, 40, 6, 2),
    (3, 3, 40, 80, 6, 2),
    (5, 3, 80, 112, 6, 1),
    (5, 4, 112, 192, 6, 2),
    (3, 1, 192, 320, 6, 1),
)
DEFAULT_BLOCKS_ARGS: list[dict[str, Any]] = [
    {
        "kernel_size": kernel_size,
        "repeats": repeats,
        "filters_in": filters_in,
        "filters_out": filters_out,
        "expand_ratio": expand_ratio,
        "id_skip": True,
        "strides": strides,
        "se_ratio": 0.25,
    }
    for kernel_size, repeats, filters_in, filters_out, expand_ratio, strides in _B0_STAGES
]
"""The stages of EfficientNetB0 (before width and depth scaling), in Keras's ``blocks_args`` format."""

# The variants: (width coefficient, depth coefficient, default image size, dropout rate before the classifier)
_VARIANTS = {
    "b0": (1.0, 1.0, 224, 0.2),
    "b1": (1.0, 1.1, 240, 0.2),
    "b2": (1.1, 1.2, 260, 0.3),
    "b3": (1.2, 1.4, 300, 0.3),
    "b4": (1.4, 1.8, 380, 0.4),
    "b5": (1.6, 2.2, 456, 0.4),
    "b6": (1.8, 2.6, 528, 0.5),
    "b7": (2.0, 3.1, 600, 0.5),
}

IMAGENET_STDDEV_RGB = (0.229, 0.224, 0.225)
"""The ImageNet channel deviations that the published EfficientNet weights divide by once more."""


def conv_kernel_initializer() -> VarianceScaling:
    """The kernel initializer of every EfficientNet convolution: ``VarianceScaling(2.0, "fan_out",
    "truncated_normal")``.

    Returns:
        A new ``VarianceScaling`` initializer.

    >>> conv_kernel_initializer().get_config()["mode"]
    'fan_out'
    """
    return VarianceScaling(scale=2.0, mode="fan_out", distribution="truncated_normal")


def dense_kernel_initializer() -> VarianceScaling:
    """The kernel initializer of the EfficientNet classifier: ``VarianceScaling(1/3, "fan_out", "uniform")``.

    Returns:
        A new ``VarianceScaling`` initializer.

    >>> dense_kernel_initializer().get_config()["distribution"]
    'uniform'
    """
    return VarianceScaling(scale=1.0 / 3.0, mode="fan_out", distribution="uniform")


def channel_axis() -> int:
    """The channel axis of a 4D image batch: 3 for ``channels_last``, 1 for ``channels_first``.

    Returns:
        int.

    >>> channel_axis()
    3
    """
    return 3 if config.image_data_format() == "channels_last" else 1


def batch_norm(name: str, momentum: float = 0.99) -> BatchNormalization:
    """The batch normalization of EfficientNet: over the channel axis, epsilon 1e-3.

    Args:
        name: str, the layer's name.
        momentum: float, default 0.99 (EfficientNetV2 uses 0.9).

    Returns:
        A ``BatchNormalization`` layer.

    >>> batch_norm("stem_bn").epsilon
    0.001
    """
    return BatchNormalization(axis=channel_axis(), momentum=momentum, name=name)


def conv_bn(
    x: KerasTensor,
    filters: int,
    kernel_size: int,
    prefix: str,
    *,
    strides: int = 1,
    padding: str = "same",
    activation: str | Callable[..., Any] | None = None,
    momentum: float = 0.99,
) -> KerasTensor:
    """A convolution without bias (``{prefix}_conv``), its batch normalization (``{prefix}_bn``) and, unless
    ``activation`` is None, its activation (``{prefix}_activation``).

    Args:
        x: the input KerasTensor.
        filters: int, the convolution's filters.
        kernel_size: int, its kernel size.
        prefix: str, the names' prefix (``"stem"``, ``"block2a_expand"`` ...).
        strides: int, default 1.
        padding: str, default ``"same"``.
        activation: str, callable or None, default None.
        momentum: float, default 0.99: the batch normalization's momentum.

    Returns:
        The output KerasTensor.

    >>> from kerastorch import Input
    >>> conv_bn(Input((8, 8, 3)), 4, 3, "stem", strides=2, activation="swish").shape
    (None, 4, 4, 4)
    """
    x = Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        use_bias=False,
        kernel_initializer=conv_kernel_initializer(),
        name=f"{prefix}_conv",
    )(x)
    x = batch_norm(f"{prefix}_bn", momentum)(x)
    return x if activation is None else Activation(activation, name=f"{prefix}_activation")(x)


def depthwise_bn(
    x: KerasTensor,
    kernel_size: int,
    name: str,
    *,
    strides: int = 1,
    padding: str = "same",
    activation: str | Callable[..., Any] = "swish",
    momentum: float = 0.99,
    conv_name: str = "dwconv",
) -> KerasTensor:
    """The depthwise convolution of an inverted residual block (``{name}{conv_name}``, no bias), its batch
    normalization (``{name}bn``) and activation (``{name}activation``).

    Args:
        x: the input KerasTensor.
        kernel_size: int, the kernel size.
        name: str, the block's prefix (``"block1a_"``).
        strides: int, default 1.
        padding: str, default ``"same"``.
        activation: str or callable, default ``"swish"``.
        momentum: float, default 0.99: the batch normalization's momentum.
        conv_name: str, default ``"dwconv"`` (EfficientNetV2: ``"dwconv2"``).

    Returns:
        The output KerasTensor.

    >>> from kerastorch import Input
    >>> depthwise_bn(Input((8, 8, 3)), 3, "block1a_").shape
    (None, 8, 8, 3)
    """
    x = DepthwiseConv2D(
        kernel_size,
        strides=strides,
        padding=padding,
        use_bias=False,
        depthwise_initializer=conv_kernel_initializer(),
        name=f"{name}{conv_name}",
    )(x)
    x = batch_norm(f"{name}bn", momentum)(x)
    return Activation(activation, name=f"{name}activation")(x)


def squeeze_excite(
    x: KerasTensor, filters_in: int, se_ratio: float, activation: str | Callable[..., Any], name: str
) -> KerasTensor:
    """Squeeze and excitation: the channels of ``x`` scaled by a gate computed from their global average
    (``{name}se_squeeze``, ``se_reshape``, ``se_reduce``, ``se_expand``, ``se_excite``).

    Args:
        x: the input KerasTensor.
        filters_in: int, the block's input filters (the squeeze has ``max(1, int(filters_in * se_ratio))``).
        se_ratio: float in (0, 1].
        activation: str or callable, of the squeeze.
        name: str, the block's prefix.

    Returns:
        The output KerasTensor, shaped as ``x``.

    >>> from kerastorch import Input
    >>> squeeze_excite(Input((8, 8, 24)), 4, 0.25, "swish", "block1a_").shape
    (None, 8, 8, 24)
    """
    filters = x.shape[channel_axis()]
    assert filters is not None  # the applications' inputs fix the channels
    se = GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
    se_shape = (1, 1, filters) if channel_axis() == 3 else (filters, 1, 1)
    se = Reshape(se_shape, name=f"{name}se_reshape")(se)
    se = Conv2D(
        max(1, int(filters_in * se_ratio)),
        1,
        padding="same",
        activation=activation,
        kernel_initializer=conv_kernel_initializer(),
        name=f"{name}se_reduce",
    )(se)
    se = Conv2D(
        filters,
        1,
        padding="same",
        activation="sigmoid",
        kernel_initializer=conv_kernel_initializer(),
        name=f"{name}se_expand",
    )(se)
    return Multiply(name=f"{name}se_excite")([x, se])


def residual(x: KerasTensor, inputs: KerasTensor, drop_rate: float, name: str) -> KerasTensor:
    """The block's output added to its input, after dropping whole samples at ``drop_rate`` in training
    (stochastic depth: ``{name}drop``, only when ``drop_rate > 0``; ``{name}add``).

    Args:
        x: the block's output.
        inputs: the block's input, of the same shape.
        drop_rate: float, the fraction of samples whose block output is dropped in training.
        name: str, the block's prefix.

    Returns:
        The output KerasTensor.

    >>> from kerastorch import Input
    >>> x = Input((8, 8, 4))
    >>> residual(x, x, 0.1, "block2b_").shape
    (None, 8, 8, 4)
    """
    if drop_rate > 0:
        x = Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(x)
    return Add(name=f"{name}add")([x, inputs])


def mbconv_block(
    inputs: KerasTensor,
    activation: str | Callable[..., Any] = "swish",
    drop_rate: float = 0.0,
    name: str = "",
    filters_in: int = 32,
    filters_out: int = 16,
    kernel_size: int = 3,
    strides: int = 1,
    expand_ratio: int = 1,
    se_ratio: float = 0.0,
    id_skip: bool = True,
) -> KerasTensor:
    """The inverted residual block of EfficientNet: a 1x1 expansion (unless ``expand_ratio`` is 1), a
    depthwise convolution, squeeze and excitation, a 1x1 projection, and the residual connection when the
    shape is kept.

    Args:
        inputs: the input KerasTensor.
        activation: str or callable, default ``"swish"``.
        drop_rate: float, default 0: the stochastic depth rate of the residual connection.
        name: str, the block's prefix (``"block1a_"``).
        filters_in: int, the input filters.
        filters_out: int, the output filters.
        kernel_size: int, the depthwise kernel size.
        strides: int, the depthwise stride (2: zero padding ``{name}dwconv_pad`` and a ``"valid"`` convolution).
        expand_ratio: int, the expansion of the input filters.
        se_ratio: float: the squeeze's fraction of ``filters_in`` (no squeeze and excitation unless in (0, 1]).
        id_skip: bool, whether to add the residual connection when the shape is kept.

    Returns:
        The output KerasTensor.

    >>> from kerastorch import Input
    >>> mbconv_block(Input((16, 16, 8)), name="block2a_", filters_in=8, filters_out=16, strides=2,
    ...              expand_ratio=6, se_ratio=0.25).shape
    (None, 8, 8, 16)
    """
    x = inputs
    if expand_ratio != 1:
        x = conv_bn(x, filters_in * expand_ratio, 1, f"{name}expand", activation=activation)
    padding = "same"
    if strides == 2:
        x = ZeroPadding2D(padding=imagenet_utils.correct_pad(x, kernel_size), name=f"{name}dwconv_pad")(x)
        padding = "valid"
    x = depthwise_bn(x, kernel_size, name, strides=strides, padding=padding, activation=activation)
    if 0 < se_ratio <= 1:
        x = squeeze_excite(x, filters_in, se_ratio, activation, name)
    x = conv_bn(x, filters_out, 1, f"{name}project")
    if id_skip and strides == 1 and filters_in == filters_out:
        x = residual(x, inputs, drop_rate, name)
    return x


def expand_blocks(
    blocks_args: Sequence[dict[str, Any]],
    *,
    repeats_key: str,
    filters_keys: tuple[str, str],
    round_filters: Callable[[int], int],
    round_repeats: Callable[[int], int],
    family: str,
) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """Each block of the stages ``blocks_args`` describes: its name (``block{stage}{letter}_``) and arguments,
    the filters scaled by ``round_filters``, the repeats by ``round_repeats``; after a stage's first block the
    stride is 1 and the input filters are the output filters.

    Args:
        blocks_args: list of dicts, one per stage.
        repeats_key: str, the key of the stage's repeats (``"repeats"``, ``"num_repeat"``).
        filters_keys: ``(input key, output key)`` of the filters.
        round_filters: function ``filters -> scaled filters``.
        round_repeats: function ``repeats -> scaled repeats``.
        family: str, the name in error messages.

    Returns:
        A generator of ``(index, name, arguments)``, ``index`` counting blocks from 0.

    Raises:
        ValueError: for a stage with repeats below 1.

    >>> stages = [{"repeats": 2, "filters_in": 32, "filters_out": 16, "strides": 2}]
    >>> for block in expand_blocks(stages, repeats_key="repeats", filters_keys=("filters_in", "filters_out"),
    ...                            round_filters=lambda f: f, round_repeats=lambda r: r, family="EfficientNet"):
    ...     print(block)
    (0, 'block1a_', {'filters_in': 32, 'filters_out': 16, 'strides': 2})
    (1, 'block1b_', {'filters_in': 16, 'filters_out': 16, 'strides': 1})
    """
    for stage_args in blocks_args:
        if stage_args[repeats_key] <= 0:
            raise ValueError(
                f"The number of repeats in `{family}` must be > 0. Received: {repeats_key}={stage_args[repeats_key]}"
            )
    index = 0
    in_key, out_key = filters_keys
    for stage, stage_args in enumerate(blocks_args, start=1):
        args = {key: value for key, value in stage_args.items() if key != repeats_key}
        args[in_key], args[out_key] = round_filters(args[in_key]), round_filters(args[out_key])
        for letter in range(round_repeats(stage_args[repeats_key])):
            yield index, f"block{stage}{chr(ord('a') + letter)}_", args
            index += 1
            args = {**args, "strides": 1, in_key: args[out_key]}


def classifier_top(
    x: KerasTensor,
    include_top: bool,
    pooling: str | None,
    classes: int,
    classifier_activation: str | Callable[..., Any] | None,
    dropout_rate: float,
    bias_initializer: str | Initializer = "zeros",
) -> KerasTensor:
    """EfficientNet's top: global average pooling (``avg_pool``), dropout (``top_dropout``, when
    ``dropout_rate > 0``) and the ``predictions`` Dense layer; without the top, ``pooling``.

    Args:
        x: the feature map.
        include_top: bool, whether to build the classifier.
        pooling: None, ``"avg"`` or ``"max"`` (without the top).
        classes: int, the classifier's classes.
        classifier_activation: str, callable or None.
        dropout_rate: float, the dropout before the classifier.
        bias_initializer: the classifier's bias initializer, default ``"zeros"``.

    Returns:
        The output KerasTensor.

    Raises:
        ValueError: for another ``pooling`` value.

    >>> from kerastorch import Input
    >>> classifier_top(Input((4, 4, 8)), True, None, 10, "softmax", 0.2).shape
    (None, 10)
    """
    if not include_top:
        return apply_pooling(x, pooling)
    x = GlobalAveragePooling2D(name="avg_pool")(x)
    if dropout_rate > 0:
        x = Dropout(dropout_rate, name="top_dropout")(x)
    return Dense(
        classes,
        activation=classifier_activation,
        kernel_initializer=dense_kernel_initializer(),
        bias_initializer=bias_initializer,
        name="predictions",
    )(x)


def round_filters(filters: int, width_coefficient: float, depth_divisor: int = 8) -> int:
    """``filters`` scaled by ``width_coefficient``, rounded to a multiple of ``depth_divisor`` (at least
    ``depth_divisor``, and not more than 10% below the scaled value).

    Args:
        filters: int.
        width_coefficient: float.
        depth_divisor: int, default 8.

    Returns:
        int.

    >>> round_filters(32, 1.1), round_filters(1280, 2.0)
    (32, 2560)
    """
    scaled = filters * width_coefficient
    rounded = max(depth_divisor, int(scaled + depth_divisor / 2) // depth_divisor * depth_divisor)
    return int(rounded + depth_divisor if rounded < 0.9 * scaled else rounded)


def round_repeats(repeats: int, depth_coefficient: float) -> int:
    """``repeats`` scaled by ``depth_coefficient``, rounded up.

    Args:
        repeats: int.
        depth_coefficient: float.

    Returns:
        int.

    >>> round_repeats(3, 1.4)
    5
    """
    return int(math.ceil(depth_coefficient * repeats))


def EfficientNet(
    width_coefficient: float,
    depth_coefficient: float,
    default_size: int,
    dropout_rate: float = 0.2,
    drop_connect_rate: float = 0.2,
    depth_divisor: int = 8,
    activation: str | Callable[..., Any] = "swish",
    blocks_args: Literal["default"] | Sequence[dict[str, Any]] = "default",
    name: str | None = "efficientnet",
    include_top: bool = True,
    weights: str | os.PathLike[str] | None = "imagenet",
    input_tensor: KerasTensor | None = None,
    input_shape: Sequence[int | None] | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | Callable[..., Any] | None = "softmax",
    weights_name: str | None = None,
) -> Model:
    """An EfficientNet of the given width and depth scaling (the builder of EfficientNetB0 to B7).

    The stem rescales the inputs to [0, 1] and normalizes them (a ``Normalization`` layer whose statistics are
    weights; with ``weights="imagenet"`` a second ``Rescaling`` divides by the square roots of the ImageNet
    deviations, as the published weights expect).

    Args:
        width_coefficient: float, the scaling of the filters.
        depth_coefficient: float, the scaling of the blocks per stage.
        default_size: int, the image side of the pretrained weights.
        dropout_rate: float, default 0.2: the dropout before the classifier.
        drop_connect_rate: float, default 0.2: the stochastic depth rate of the last block (rising linearly
            from 0 at the first).
        depth_divisor: int, default 8: filters are multiples of it.
        activation: str or callable, default ``"swish"``.
        blocks_args: ``"default"`` (:data:`DEFAULT_BLOCKS_ARGS`) or a list of dicts, one per stage, with the
            keys of :data:`DEFAULT_BLOCKS_ARGS`.
        name: str, default ``"efficientnet"``: the model's name.
        include_top: bool, default True: the classifier at the top.
        weights: ``"imagenet"`` (default), None or the path of a weights file.
        input_tensor: None or a KerasTensor to build the model on.
        input_shape: tuple or None: the image shape without the batch axis; sides of at least 32.
        pooling: None, ``"avg"`` or ``"max"``: the features' pooling without the top.
        classes: int, default 1000.
        classifier_activation: str, callable or None, default ``"softmax"``.
        weights_name: str or None: the variant whose ImageNet weights to load (``"b0"`` ... ``"b7"``).

    Returns:
        A functional ``Model``.

    Raises:
        ValueError: for inconsistent arguments, or a stage with repeats below 1.

    >>> model = EfficientNet(0.5, 0.5, 224, weights=None, input_shape=(32, 32, 3), classes=3)
    >>> model.output_shape, len(model.layers)
    ((None, 3), 150)
    """
    blocks_args = DEFAULT_BLOCKS_ARGS if blocks_args == "default" else blocks_args
    check_arguments(weights, include_top, classes, classifier_activation)
    img_input, inputs = application_input(
        input_tensor, input_shape, default_size=default_size, min_size=32, weights=weights, include_top=include_top
    )
    x = Rescaling(1.0 / 255.0)(img_input)
    x = Normalization(axis=channel_axis())(x)
    if weights == "imagenet":
        x = Rescaling([1.0 / math.sqrt(stddev) for stddev in IMAGENET_STDDEV_RGB])(x)
    x = ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3), name="stem_conv_pad")(x)
    filters = functools.partial(round_filters, width_coefficient=width_coefficient, depth_divisor=depth_divisor)
    repeats = functools.partial(round_repeats, depth_coefficient=depth_coefficient)
    x = conv_bn(x, filters(32), 3, "stem", strides=2, padding="valid", activation=activation)
    total = float(sum(repeats(args["repeats"]) for args in blocks_args))
    for index, block_name, args in expand_blocks(
        blocks_args,
        repeats_key="repeats",
        filters_keys=("filters_in", "filters_out"),
        round_filters=filters,
        round_repeats=repeats,
        family="EfficientNet",
    ):
        x = mbconv_block(x, activation, drop_connect_rate * index / total, name=block_name, **args)
    x = conv_bn(x, filters(1280), 1, "top", activation=activation)
    x = classifier_top(x, include_top, pooling, classes, classifier_activation, dropout_rate)
    model = Model(inputs, x, name=name)
    return load_weights(model, weights, include_top, None if weights_name is None else WEIGHTS.get(weights_name))


def variant_docstring(
    title: str, summary: str, *, key: str, default_size: int, extra_args: str = "", build_example: bool = True
) -> str:
    """The docstring of a variant: :func:`~kerastorch.applications.builder.application_docstring`, whose example
    builds the model; for the large variants (``build_example=False``, slow to build) the example shows instead
    the input size their ImageNet classifier takes.

    Args:
        title: str, the function's name.
        summary: str, one sentence on the variant.
        key: str, the default model name.
        default_size: int, the image side of the pretrained weights.
        extra_args: str, default ``""``: the variant's own argument entries, indented by 8 spaces.
        build_example: bool, default True.

    Returns:
        str.

    >>> doc = variant_docstring("EfficientNetB7", "B7.", key="efficientnetb7", default_size=600,
    ...                         build_example=False)
    >>> [line.strip() for line in doc.splitlines() if ">>>" in line]
    ['>>> EfficientNetB7(input_shape=(224, 224, 3))  # the ImageNet classifier takes (600, 600, 3)']
    """
    doc = application_docstring(title, summary, key=key, default_size=default_size, extra_args=extra_args)
    if build_example:
        return doc
    shape = (default_size, default_size, 3)
    return (
        doc[: doc.index("    >>> ")]
        + f"""    >>> {title}(input_shape=(224, 224, 3))  # the ImageNet classifier takes {shape}
    Traceback (most recent call last):
    ...
    ValueError: When setting include_top=True and loading the ImageNet weights, input_shape should be {shape}; \
received input_shape=(224, 224, 3)
    """
    )


def _variant(key):
    width, depth, size, dropout = _VARIANTS[key]

    def application(
        include_top: bool = True,
        weights: str | os.PathLike[str] | None = "imagenet",
        input_tensor: KerasTensor | None = None,
        input_shape: Sequence[int | None] | None = None,
        pooling: str | None = None,
        classes: int = 1000,
        classifier_activation: str | Callable[..., Any] | None = "softmax",
        name: str | None = f"efficientnet{key}",
    ) -> Model:
        return EfficientNet(
            width,
            depth,
            size,
            dropout,
            name=name,
            include_top=include_top,
            weights=weights,
            input_tensor=input_tensor,
            input_shape=input_shape,
            pooling=pooling,
            classes=classes,
            classifier_activation=classifier_activation,
            weights_name=key,
        )

    title = f"EfficientNet{key.upper()}"
    application.__name__ = application.__qualname__ = title
    application.__doc__ = variant_docstring(
        title,
        f"Instantiate the {title} architecture (width x{width}, depth x{depth}, dropout {dropout} before "
        f"the classifier); inputs are RGB images in [0, 255], the preprocessing is part of the model.",
        key=f"efficientnet{key}",
        default_size=size,
        build_example=key == "b0",
    )
    return application


EfficientNetB0 = _variant("b0")
EfficientNetB1 = _variant("b1")
EfficientNetB2 = _variant("b2")
EfficientNetB3 = _variant("b3")
EfficientNetB4 = _variant("b4")
EfficientNetB5 = _variant("b5")
EfficientNetB6 = _variant("b6")
EfficientNetB7 = _variant("b7")


preprocess_input = imagenet_utils.family_preprocess_input(None, "EfficientNet")
decode_predictions = imagenet_utils.decode_predictions
