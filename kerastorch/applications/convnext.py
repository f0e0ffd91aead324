"""ConvNeXtTiny, ConvNeXtSmall, ConvNeXtBase, ConvNeXtLarge and ConvNeXtXLarge, and the ConvNeXt builder they
share.

Keras's architecture, layer names and weight order (``convnext_tiny_stem``, ``convnext_tiny_stage_0_block_0_
depthwise_conv`` ...), so the weight files Keras publishes load into them. Reference: Liu et al., A ConvNet for
the 2020s (CVPR 2022). The ``base``, ``large`` and ``xlarge`` weights were pre-trained on ImageNet-21k and
fine-tuned on ImageNet-1k.

Each stage is a downsampling block (the stem, a 4x4 convolution of stride 4, for the first; a layer
normalization and a 2x2 convolution of stride 2 for the others, each a nested ``Sequential`` as in Keras),
then ConvNeXt blocks: a 7x7 depthwise convolution, layer normalization, an inverted bottleneck of two
pointwise ``Dense`` layers with GELU between them, a :class:`LayerScale`, and a :class:`StochasticDepth` on
the residual branch.

Inputs: RGB images with values in [0, 255]. The preprocessing (the ImageNet means and deviations) is part of
the model, a ``Normalization`` layer (``include_preprocessing=True``), so :func:`preprocess_input` passes its
input through unchanged. ConvNeXt supports only the ``channels_last`` image data format, as in Keras.

Example:
    >>> import kerastorch as keras
    >>> keras.config.set_device("meta")  # shapes only: the architecture without drawing weights
    >>> model = ConvNeXtTiny(weights=None, include_top=False, input_shape=(64, 64, 3), pooling="avg")
    >>> model.output_shape, model.count_params()
    ((None, 768), 27820128)
    >>> keras.config.set_device(None)
"""

from __future__ import annotations

import os
from typing import Any, Callable, Sequence

import numpy as np
import torch

from kerastorch import config, initializers
from kerastorch import random as krandom
from kerastorch.applications import imagenet_utils
from kerastorch.applications.builder import WeightsFile, application_input, apply_pooling, check_arguments, load_weights
from kerastorch.backend.annotations import Shape
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.layers import (
    Activation,
    Conv2D,
    Dense,
    GlobalAveragePooling2D,
    Layer,
    LayerNormalization,
    Normalization,
)
from kerastorch.models import Model, Sequential
from kerastorch.serialization.object_registration import register_builtin

__all__ = [
    "ConvNeXt",
    "ConvNeXtBase",
    "ConvNeXtLarge",
    "ConvNeXtSmall",
    "ConvNeXtTiny",
    "ConvNeXtXLarge",
    "LayerScale",
    "StochasticDepth",
    "decode_predictions",
    "preprocess_input",
]

BASE_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/convnext/"
_HASHES = {  # (with top, without top), sha256
    "convnext_tiny": (
        "8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
        "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1",
    ),
    "convnext_small": (
        "ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
        "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab",
    ),
    "convnext_base": (
        "52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6",
        "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45",
    ),
    "convnext_large": (
        "070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6",
        "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd",
    ),
    "convnext_xlarge": (
        "c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
        "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05",
    ),
}
WEIGHTS = {
    name: WeightsFile(BASE_WEIGHTS_URL, (f"{name}.h5", top), (f"{name}_notop.h5", no_top))
    for name, (top, no_top) in _HASHES.items()
}
"""The weight files Keras publishes for ConvNeXt, by weights name (``"convnext_tiny"`` ...)."""

MODEL_CONFIGS = {
    "tiny": {"depths": [3, 3, 9, 3], "projection_dims": [96, 192, 384, 768], "default_size": 224},
    "small": {"depths": [3, 3, 27, 3], "projection_dims": [96, 192, 384, 768], "default_size": 224},
    "base": {"depths": [3, 3, 27, 3], "projection_dims": [128, 256, 512, 1024], "default_size": 224},
    "large": {"depths": [3, 3, 27, 3], "projection_dims": [192, 384, 768, 1536], "default_size": 224},
    "xlarge": {"depths": [3, 3, 27, 3], "projection_dims": [256, 512, 1024, 2048], "default_size": 224},
}
"""Each variant's blocks per stage, channels per stage and the side its weights were trained at."""
_PUBLISHED_PARAMS = {
    "tiny": 28589128,
    "small": 50223688,
    "base": 88591464,
    "large": 197767336,
    "xlarge": 350196968,
}  # with the top, as Keras counts them (shown in the docstrings)

_EPSILON = 1e-6  # the layer normalization epsilon of every ConvNeXt
_IMAGENET_MEAN = (0.485 * 255, 0.456 * 255, 0.406 * 255)
_IMAGENET_VARIANCE = ((0.229 * 255) ** 2, (0.224 * 255) ** 2, (0.225 * 255) ** 2)


class _ShapePreservingLayer(Layer):
    """A layer whose output has its input's shape and dtype: its symbolic calls need no run on fake tensors
    (as ``BatchNormalization``'s; a ConvNeXt has hundreds of layers)."""

    def compute_output_spec(self, *args, **kwargs):
        inputs = args[0] if args else None
        if (
            len(args) == 1
            and isinstance(inputs, KerasTensor)
            and inputs._keras_mask is None
            and inputs.dtype == self.compute_dtype
            and kwargs.get("mask") is None
        ):
            return KerasTensor(inputs.shape, inputs.dtype)
        return super().compute_output_spec(*args, **kwargs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


@register_builtin("keras.applications.convnext")
class StochasticDepth(_ShapePreservingLayer):
    """Drops the residual branch of whole samples in training (DropPath): each sample's branch is zeroed
    with probability ``drop_path_rate``, the kept ones scaled by ``1 / (1 - drop_path_rate)``; the identity
    at inference.

    Args:
        drop_path_rate: float in [0, 1), the probability of dropping a sample's branch.
        **kwargs: the base ``Layer``'s arguments (``name``, ``dtype`` ...).

    Returns:
        A layer; called on a tensor it returns one of the same shape.

    >>> layer = StochasticDepth(0.5)
    >>> x = torch.ones(1000, 2)
    >>> bool((layer(x) == x).all())  # inference: the identity
    True
    >>> sorted(set(layer(x, training=True)[:, 0].tolist()))  # each sample dropped, or kept and scaled
    [0.0, 2.0]
    """

    def __init__(self, drop_path_rate: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.drop_path_rate = drop_path_rate

    def call(self, x: torch.Tensor, training: bool | None = False) -> torch.Tensor:
        if not training or not self.drop_path_rate:
            return x
        keep_prob = 1 - self.drop_path_rate
        per_sample = (x.shape[0],) + (1,) * (x.ndim - 1)
        kept = torch.floor(keep_prob + krandom.uniform(per_sample, dtype=x.dtype, device=x.device))
        return x / keep_prob * kept

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"drop_path_rate": self.drop_path_rate})
        return config


@register_builtin("keras.applications.convnext")
class LayerScale(_ShapePreservingLayer):
    """Multiplies the last axis by a trainable per-channel scale (Touvron et al., Going deeper with Image
    Transformers), initialized to ``init_values``.

    Args:
        init_values: float, the scale's initial value (small, 1e-6 in ConvNeXt).
        projection_dim: int, the number of channels (the size of the last axis).
        **kwargs: the base ``Layer``'s arguments (``name``, ``dtype`` ...).

    Returns:
        A layer with one weight of shape ``(projection_dim,)``; called on a tensor it returns one of the same
        shape.

    >>> layer = LayerScale(0.5, 3)
    >>> layer(torch.ones(1, 3)).tolist()
    [[0.5, 0.5, 0.5]]
    >>> [tuple(w.shape) for w in layer.weights]
    [(3,)]
    """

    def __init__(self, init_values: float, projection_dim: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.init_values = init_values
        self.projection_dim = projection_dim

    def build(self, input_shape: Shape) -> None:
        self.gamma = self.add_weight(
            shape=(self.projection_dim,), initializer=initializers.Constant(self.init_values), trainable=True
        )

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.gamma

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"init_values": self.init_values, "projection_dim": self.projection_dim})
        return config


def convnext_layer_norm(name: str | None = None) -> LayerNormalization:
    """The layer normalization every ConvNeXt uses: over the channels (the last axis), epsilon 1e-6.

    Args:
        name: str or None, the layer's name.

    Returns:
        A ``LayerNormalization`` layer.

    >>> convnext_layer_norm("ln").epsilon
    1e-06
    """
    return LayerNormalization(epsilon=_EPSILON, name=name)


def convnext_block(
    x: KerasTensor,
    projection_dim: int,
    drop_path_rate: float = 0.0,
    layer_scale_init_value: float | None = 1e-6,
    name: str | None = None,
) -> KerasTensor:
    """One ConvNeXt block: 7x7 depthwise convolution, layer normalization, pointwise ``Dense`` to
    ``4 * projection_dim``, GELU, pointwise ``Dense`` back to ``projection_dim``, :class:`LayerScale`, then
    :class:`StochasticDepth` (an identity ``Activation`` without dropping), added to the block's input.

    Args:
        x: the input KerasTensor, ``projection_dim`` channels last.
        projection_dim: int, the channels of the block.
        drop_path_rate: float, default 0.0: the stochastic depth rate of the block (0: no ``StochasticDepth``).
        layer_scale_init_value: float or None, default 1e-6: the :class:`LayerScale` initial value (None: no
            layer scale).
        name: str, the block's name prefix (``convnext_tiny_stage_0_block_0``).

    Returns:
        The output KerasTensor.

    >>> import kerastorch as keras
    >>> x = keras.Input((8, 8, 16))
    >>> keras.Model(x, convnext_block(x, 16, name="block")).count_params()
    2976
    """
    branch = Conv2D(projection_dim, 7, padding="same", groups=projection_dim, name=f"{name}_depthwise_conv")(x)
    branch = convnext_layer_norm(f"{name}_layernorm")(branch)
    branch = Dense(4 * projection_dim, name=f"{name}_pointwise_conv_1")(branch)
    branch = Activation("gelu", name=f"{name}_gelu")(branch)
    branch = Dense(projection_dim, name=f"{name}_pointwise_conv_2")(branch)
    if layer_scale_init_value is not None:
        branch = LayerScale(layer_scale_init_value, projection_dim, name=f"{name}_layer_scale")(branch)
    if drop_path_rate:
        branch = StochasticDepth(drop_path_rate, name=f"{name}_stochastic_depth")(branch)
    else:
        branch = Activation("linear", name=f"{name}_identity")(branch)
    return x + branch


def downsampling_block(x: KerasTensor, projection_dim: int, stage: int, name: str) -> KerasTensor:
    """The nested ``Sequential`` that opens a stage: for stage 0 the stem (a 4x4 convolution of stride 4 and
    a layer normalization, ``{name}_stem``), for the others a layer normalization and a 2x2 convolution of
    stride 2 (``{name}_downsampling_block_{stage - 1}``).

    Args:
        x: the input KerasTensor.
        projection_dim: int, the channels of the stage.
        stage: int, the stage's index, 0 to 3.
        name: str, the model's name, the prefix of the layers' names.

    Returns:
        The output KerasTensor.

    >>> import kerastorch as keras
    >>> downsampling_block(keras.Input((32, 32, 3)), 8, 0, "convnext").shape
    (None, 8, 8, 8)
    """
    if stage == 0:
        block = Sequential(
            [
                Conv2D(projection_dim, 4, strides=4, name=f"{name}_stem_conv"),
                convnext_layer_norm(f"{name}_stem_layernorm"),
            ],
            name=f"{name}_stem",
        )
    else:
        index = stage - 1
        block = Sequential(
            [
                convnext_layer_norm(f"{name}_downsampling_layernorm_{index}"),
                Conv2D(projection_dim, 2, strides=2, name=f"{name}_downsampling_conv_{index}"),
            ],
            name=f"{name}_downsampling_block_{index}",
        )
    return block(x)


def convnext_top(
    x: KerasTensor,
    include_top: bool,
    pooling: str | None,
    classes: int,
    classifier_activation: str | Callable[..., Any] | None,
    name: str,
) -> KerasTensor:
    """ConvNeXt's own top: with the classifier, global average pooling (``{name}_head_gap``), layer
    normalization (``{name}_head_layernorm``) and ``{name}_head_dense``; without it, ``pooling`` (None,
    ``"avg"`` or ``"max"``) and then a layer normalization over the channels, as in Keras (unnamed layers).

    Args:
        x: the feature map (4D KerasTensor, channels last).
        include_top: bool, whether to build the classifier.
        pooling: None, ``"avg"`` or ``"max"`` (without the top).
        classes: int, the number of classes of the classifier.
        classifier_activation: str, callable or None, its activation.
        name: str, the model's name, the prefix of the head's layers.

    Returns:
        The output KerasTensor.

    Raises:
        ValueError: for another ``pooling`` value (Keras ignores it).

    >>> import kerastorch as keras
    >>> convnext_top(keras.Input((2, 2, 8)), True, None, 5, None, "convnext").shape
    (None, 5)
    """
    if include_top:
        x = GlobalAveragePooling2D(name=f"{name}_head_gap")(x)
        x = convnext_layer_norm(f"{name}_head_layernorm")(x)
        return Dense(classes, activation=classifier_activation, name=f"{name}_head_dense")(x)
    return convnext_layer_norm()(apply_pooling(x, pooling, named=False))


def _check_convnext_arguments(depths, projection_dims, name, weights, weights_name):
    """Keras's ConvNeXt-specific refusals: the ``channels_first`` data format, and ImageNet weights for an
    architecture or a model name that is not the variant's."""
    if config.image_data_format() == "channels_first":
        raise ValueError(
            "ConvNeXt does not support the `channels_first` image data format. Switch to "
            "`channels_last` with keras.config.set_image_data_format('channels_last')"
        )
    if weights != "imagenet":
        return
    if weights_name not in WEIGHTS:
        raise ValueError(
            f"weights='imagenet' needs weights_name, one of {sorted(WEIGHTS)}; received weights_name={weights_name!r}"
        )
    expected = MODEL_CONFIGS[weights_name.split("convnext_")[-1]]
    if list(depths) != expected["depths"] or list(projection_dims) != expected["projection_dims"]:
        raise ValueError(
            f"Architecture configuration does not match {weights_name} variant: with pre-trained "
            f"weights, expected depths {expected['depths']} and projection_dims "
            f"{expected['projection_dims']}; received depths {list(depths)} and projection_dims "
            f"{list(projection_dims)}"
        )
    if weights_name not in name:
        raise ValueError(
            f'Model name "{name}" does not match weights variant "{weights_name}": with imagenet '
            f'weights, the model name must contain "{weights_name}"'
        )


def ConvNeXt(
    depths: Sequence[int],
    projection_dims: Sequence[int],
    drop_path_rate: float = 0.0,
    layer_scale_init_value: float | None = 1e-6,
    default_size: int = 224,
    name: str = "convnext",
    include_preprocessing: bool = True,
    include_top: bool = True,
    weights: str | os.PathLike[str] | None = None,
    input_tensor: KerasTensor | None = None,
    input_shape: Sequence[int | None] | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | Callable[..., Any] | None = "softmax",
    weights_name: str | None = None,
) -> Model:
    """A ConvNeXt of any depths and widths (the variants are ConvNeXtTiny ... ConvNeXtXLarge).

    Args:
        depths: sequence of 4 ints, the ConvNeXt blocks of each stage.
        projection_dims: sequence of 4 ints, the channels of each stage.
        drop_path_rate: float, default 0.0: the stochastic depth rate of the last block, rising linearly from
            0 over the blocks (0: no :class:`StochasticDepth` layers).
        layer_scale_init_value: float or None, default 1e-6: the initial :class:`LayerScale` (None: none).
        default_size: int, default 224, the side of the pretrained weights.
        name: str, default ``"convnext"``: the model's name and the prefix of its layers' names.
        include_preprocessing: bool, default True: normalize the [0, 255] inputs with the ImageNet means and
            deviations inside the model (a ``Normalization`` layer, for 3 channels only; keep True with
            ImageNet weights).
        include_top: bool, default True: the classifier (``head_gap``, ``head_layernorm``, ``head_dense``).
        weights: None (default, random initialization), ``"imagenet"`` (with ``weights_name``) or the path of
            a weights file.
        input_tensor: None or a KerasTensor to build the model on.
        input_shape: tuple or None: the image shape without the batch axis; sides of at least 32.
        pooling: None, ``"avg"`` or ``"max"``: the features' pooling without the top (followed by a layer
            normalization, as in Keras).
        classes: int, default 1000: classes of the top (1000 with ImageNet weights).
        classifier_activation: str, callable or None, default ``"softmax"``.
        weights_name: str or None: the published weights' key (``"convnext_tiny"`` ...), for
            ``weights="imagenet"``.

    Returns:
        A functional ``Model``.

    Raises:
        ValueError: with the ``channels_first`` data format, for inconsistent arguments (see
            ``builder.check_arguments``), or ImageNet weights with another architecture or a model name
            without ``weights_name``.

    >>> model = ConvNeXt([1, 1, 1, 1], [8, 16, 32, 64], drop_path_rate=0.1, input_shape=(32, 32, 3), classes=3)
    >>> model.output_shape, model.count_params()
    ((None, 3), 62187)
    """
    _check_convnext_arguments(depths, projection_dims, name, weights, weights_name)
    check_arguments(weights, include_top, classes, classifier_activation)
    img_input, inputs = application_input(
        input_tensor, input_shape, default_size=default_size, min_size=32, weights=weights, include_top=include_top
    )
    x = img_input
    if include_preprocessing and x.shape[-1] == 3:
        x = Normalization(
            mean=list(_IMAGENET_MEAN), variance=list(_IMAGENET_VARIANCE), name=f"{name}_prestem_normalization"
        )(x)
    drop_path_rates = iter(float(rate) for rate in np.linspace(0.0, drop_path_rate, sum(depths)))
    for stage, (depth, projection_dim) in enumerate(zip(depths, projection_dims)):
        x = downsampling_block(x, projection_dim, stage, name)
        for block in range(depth):
            x = convnext_block(
                x,
                projection_dim,
                next(drop_path_rates),
                layer_scale_init_value,
                name=f"{name}_stage_{stage}_block_{block}",
            )
    x = convnext_top(x, include_top, pooling, classes, classifier_activation, name)
    model = Model(inputs, x, name=name)
    return load_weights(model, weights, include_top, None if weights_name is None else WEIGHTS.get(weights_name))


_VARIANT_DOC = """Instantiate the {title} architecture (ConvNeXt, {depths} blocks per stage, {dims} channels); inputs
    are RGB images in [0, 255], normalized inside the model (``include_preprocessing``).

    Args:
        include_top: bool, default True: the classifier at the top of the network.
        include_preprocessing: bool, default True: normalize the inputs with the ImageNet means and deviations
            inside the model (keep True with ImageNet weights).
        weights: str or None, default ``"imagenet"``: ``"imagenet"`` (Keras's published weights{pretraining},
            downloaded and cached), None (random initialization) or the path of a weights file.
        input_tensor: KerasTensor or None, default None: a tensor (the output of ``keras.Input``) to build the
            model on; None makes a new input.
        input_shape: tuple or None, default None: without the top, any ``(height, width, 3)`` with sides of at
            least 32; with the top and ImageNet weights, ``(224, 224, 3)``.
        pooling: None, ``"avg"`` or ``"max"``, default None: the features' pooling when ``include_top=False``,
            followed by a layer normalization (None: the 4D feature map).
        classes: int, default 1000: classes of the top (1000 with ImageNet weights).
        classifier_activation: str, callable or None, default ``"softmax"``: the top's activation (softmax or
            None with pretrained weights).
        name: str, default ``"{key}"``: the model's name (with ImageNet weights it must contain
            ``"{key}"``).

    Returns:
        A functional ``Model``.

    Raises:
        ValueError: with the ``channels_first`` data format, or for inconsistent arguments (an unknown
            ``weights``, ``classes != 1000`` with the ImageNet top, an input shape the architecture or the
            weights cannot take).
        OSError: when the ImageNet file is neither cached nor downloadable.

    Typical use, with the ImageNet weights (downloaded once into the Keras cache)::

        model = {title}()  # {params:,} parameters
        predictions = decode_predictions(model.predict(images))  # images: (n, 224, 224, 3), RGB in [0, 255]

    The ImageNet classifier takes 224x224 images, and says so before anything is built or downloaded (the
    module's example builds a model, on the ``meta`` device):

    >>> {title}(weights="imagenet", input_shape=(64, 64, 3))
    Traceback (most recent call last):
    ...
    ValueError: When setting include_top=True and loading the ImageNet weights, input_shape should be (224, 224, 3); ...
    """


def _variant(title, size):
    key = f"convnext_{size}"
    architecture = MODEL_CONFIGS[size]

    def application(
        include_top: bool = True,
        include_preprocessing: bool = True,
        weights: str | os.PathLike[str] | None = "imagenet",
        input_tensor: KerasTensor | None = None,
        input_shape: Sequence[int | None] | None = None,
        pooling: str | None = None,
        classes: int = 1000,
        classifier_activation: str | Callable[..., Any] | None = "softmax",
        name: str = key,
    ) -> Model:
        return ConvNeXt(
            architecture["depths"],
            architecture["projection_dims"],
            drop_path_rate=0.0,
            layer_scale_init_value=1e-6,
            default_size=architecture["default_size"],
            name=name,
            include_preprocessing=include_preprocessing,
            include_top=include_top,
            weights=weights,
            input_tensor=input_tensor,
            input_shape=input_shape,
            pooling=pooling,
            classes=classes,
            classifier_activation=classifier_activation,
            weights_name=key,
        )

    application.__name__ = application.__qualname__ = title
    pretraining = " (ImageNet-21k, fine-tuned on ImageNet-1k)" if size in ("base", "large", "xlarge") else ""
    application.__doc__ = _VARIANT_DOC.format(
        title=title,
        key=key,
        pretraining=pretraining,
        params=_PUBLISHED_PARAMS[size],
        depths=", ".join(map(str, architecture["depths"])),
        dims=", ".join(map(str, architecture["projection_dims"])),
    )
    return application


ConvNeXtTiny = _variant("ConvNeXtTiny", "tiny")
ConvNeXtSmall = _variant("ConvNeXtSmall", "small")
ConvNeXtBase = _variant("ConvNeXtBase", "base")
ConvNeXtLarge = _variant("ConvNeXtLarge", "large")
ConvNeXtXLarge = _variant("ConvNeXtXLarge", "xlarge")


preprocess_input = imagenet_utils.family_preprocess_input(None, "ConvNeXt")
decode_predictions = imagenet_utils.decode_predictions
