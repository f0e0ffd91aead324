"""InceptionResNetV2: Inception modules with residual connections, on the blocks of
:mod:`~kerastorch.applications.inception_v3`.

Keras's architecture, layer names and layer order (the residual blocks are ``block35_1`` ... ``block35_10``,
``block17_1`` ... ``block17_20``, ``block8_1`` ... ``block8_10``; the layers inside their branches are named
automatically, in Keras's creation order), so the weight files Keras publishes load in order. Reference:
Szegedy et al., Inception-v4, Inception-ResNet and the Impact of Residual Connections on Learning (AAAI 2017).

Inputs: RGB images with values in [0, 255], preprocessed with :func:`preprocess_input` (scaled to [-1, 1]);
the ImageNet weights take 299x299 images, and without the top any side of at least 75 pixels.

Example (one residual block; ``InceptionResNetV2(weights=None, include_top=False)`` has 54,336,736
parameters):
    >>> import kerastorch as keras
    >>> x = keras.Input((8, 8, 320))
    >>> block = keras.Model(x, inception_resnet_block(x, scale=0.17, block_type="block35", block_idx=1))
    >>> [layer.name for layer in block.layers][-4:], block.count_params()
    (['block35_1_mixed', 'block35_1_conv', 'custom_scale_layer', 'block35_1_ac'], 123408)
"""

from __future__ import annotations

import os
from typing import Any, Callable, Sequence

import torch

from kerastorch.applications import imagenet_utils
from kerastorch.applications.builder import WeightsFile, application_docstring
from kerastorch.applications.inception_v3 import (
    DEFAULT_SIZE,
    MIN_SIZE,
    channel_axis,
    conv,
    conv2d_bn,
    inception_a,
    inception_model,
    inception_module,
    max_pool,
    reduction_a,
)
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.layers import Activation, Conv2D, Layer
from kerastorch.models import Model
from kerastorch.serialization.object_registration import register_builtin

__all__ = ["CustomScaleLayer", "InceptionResNetV2", "decode_predictions", "inception_resnet_block", "preprocess_input"]

BASE_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/inception_resnet_v2/"
WEIGHTS = WeightsFile(
    BASE_WEIGHTS_URL,
    ("inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5", "e693bd0210a403b3192acc6073ad2e96"),
    ("inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5", "d19885ff4a710c122648d3b5c3b684e4"),
)
"""The weight files Keras publishes for InceptionResNetV2 (md5 hashes)."""

RESIDUAL_BRANCHES = {
    "block35": ([conv(32, 1)], [conv(32, 1), conv(32, 3)], [conv(32, 1), conv(48, 3), conv(64, 3)]),
    "block17": ([conv(192, 1)], [conv(128, 1), conv(160, (1, 7)), conv(192, (7, 1))]),
    "block8": ([conv(192, 1)], [conv(192, 1), conv(224, (1, 3)), conv(256, (3, 1))]),
}
"""The residual branches of the Inception-ResNet-A (35x35), -B (17x17) and -C (8x8) blocks."""

REDUCTION_B = (
    [conv(256, 1), conv(384, 3, strides=2, padding="valid")],
    [conv(256, 1), conv(288, 3, strides=2, padding="valid")],
    [conv(256, 1), conv(288, 3), conv(320, 3, strides=2, padding="valid")],
    [max_pool],
)
"""The branches of the 17x17 to 8x8 reduction (``mixed_7a``)."""

STAGES = (
    ("block35", 10, 0.17, reduction_a(256, 256, 384, 384), "mixed_6a"),
    ("block17", 20, 0.1, REDUCTION_B, "mixed_7a"),
)
"""The residual stages followed by a reduction: block type, blocks, residual scale, the reduction's
branches and its name."""


@register_builtin("keras.applications.inception_resnet_v2")
class CustomScaleLayer(Layer):
    """Add a scaled residual to its shortcut: ``inputs[0] + inputs[1] * scale`` (Keras's layer of the same
    name, read from and written to configs under ``keras.applications.inception_resnet_v2``).

    Args:
        scale: float, the residual's factor.
        **kwargs: the base layer's arguments (``name``, ``dtype`` ...).

    Call arguments:
        inputs: a list ``[shortcut, residual]`` of tensors of the same shape.

    Returns:
        The sum, of the inputs' shape.

    >>> import torch
    >>> CustomScaleLayer(0.5)([torch.ones(1, 2), torch.full((1, 2), 4.0)]).tolist()
    [[3.0, 3.0]]
    """

    def __init__(self, scale: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, inputs: Sequence[torch.Tensor]) -> torch.Tensor:
        shortcut, residual = inputs
        return shortcut + residual * self.scale

    def get_config(self) -> dict[str, Any]:
        """The layer's config: the base layer's entries and ``scale``.

        Returns:
            dict.

        >>> CustomScaleLayer(0.2, name="scale").get_config()["scale"]
        0.2
        """
        return {**super().get_config(), "scale": self.scale}


def inception_resnet_block(
    x: KerasTensor, scale: float, block_type: str, block_idx: int, activation: str | Callable[..., Any] | None = "relu"
) -> KerasTensor:
    """An Inception-ResNet block: the branches of ``block_type`` concatenated (``{block}_mixed``), a 1x1
    convolution with bias back to the input's channels (``{block}_conv``), added to ``x`` times ``scale``,
    then ``activation`` (``{block}_ac``), where ``{block}`` is ``{block_type}_{block_idx}``.

    Args:
        x: the input KerasTensor.
        scale: float, the residual's factor.
        block_type: str, ``"block35"``, ``"block17"`` or ``"block8"``.
        block_idx: int, the block's number in its stage (from 1).
        activation: str, callable or None, default ``"relu"``: the activation after the sum (None: none).

    Returns:
        The output KerasTensor, of the shape of ``x``.

    Raises:
        ValueError: for an unknown ``block_type``.

    >>> from kerastorch.layers import Input
    >>> inception_resnet_block(Input((4, 4, 16)), 0.2, "block8", 1).shape
    (None, 4, 4, 16)
    """
    if block_type not in RESIDUAL_BRANCHES:
        raise ValueError(
            f"Unknown Inception-ResNet block type: expected one of {sorted(RESIDUAL_BRANCHES)}, "
            f"received block_type={block_type!r}"
        )
    block_name = f"{block_type}_{block_idx}"
    mixed = inception_module(x, RESIDUAL_BRANCHES[block_type], name=f"{block_name}_mixed")
    channels = x.shape[channel_axis()]
    assert channels is not None  # the applications' inputs fix the channels
    residual = Conv2D(channels, 1, padding="same", name=f"{block_name}_conv")(mixed)
    x = CustomScaleLayer(scale)([x, residual])
    return x if activation is None else Activation(activation, name=f"{block_name}_ac")(x)


def _body(x):
    """InceptionResNetV2 after the stem: ``mixed_5b``; 10 ``block35`` blocks, the ``mixed_6a`` reduction; 20
    ``block17`` blocks, the ``mixed_7a`` reduction; 10 ``block8`` blocks (the last one linear) and the
    1536-filter ``conv_7b``."""
    x = inception_module(x, inception_a(64, first_filters=96), name="mixed_5b")
    for block_type, blocks, scale, reduction, reduction_name in STAGES:
        for block_idx in range(1, blocks + 1):
            x = inception_resnet_block(x, scale, block_type, block_idx)
        x = inception_module(x, reduction, name=reduction_name)
    for block_idx in range(1, 10):
        x = inception_resnet_block(x, 0.2, "block8", block_idx)
    x = inception_resnet_block(x, 1.0, "block8", 10, activation=None)
    return conv2d_bn(x, 1536, 1, name="conv_7b")


def InceptionResNetV2(
    include_top: bool = True,
    weights: str | os.PathLike[str] | None = "imagenet",
    input_tensor: KerasTensor | None = None,
    input_shape: Sequence[int | None] | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | Callable[..., Any] | None = "softmax",
    name: str | None = "inception_resnet_v2",
) -> Model:
    return inception_model(
        _body,
        "inception_resnet_v2",
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


InceptionResNetV2.__doc__ = application_docstring(
    "InceptionResNetV2",
    "Instantiate the Inception-ResNet v2 architecture (Inception modules with scaled "
    "residual connections, 1536 features); inputs are RGB images preprocessed with :func:`preprocess_input`.",
    key="inception_resnet_v2",
    default_size=DEFAULT_SIZE,
    min_size=MIN_SIZE,
    example_shape=(MIN_SIZE, MIN_SIZE, 3),
)


preprocess_input = imagenet_utils.family_preprocess_input("tf", "InceptionResNetV2")
decode_predictions = imagenet_utils.decode_predictions
