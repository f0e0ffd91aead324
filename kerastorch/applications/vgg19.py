"""VGG19: VGG with 16 convolutions (two blocks of 2, three of 4), on the builder of
:mod:`~kerastorch.applications.vgg16`.

Keras's architecture, layer names and weight order (``block1_conv1`` ... ``block5_conv4``, ``fc1``, ``fc2``,
``predictions``). Reference: Simonyan and Zisserman, Very Deep Convolutional Networks for Large-Scale Image
Recognition (ICLR 2015). Inputs: RGB images in [0, 255] preprocessed with :func:`preprocess_input` (BGR,
minus the ImageNet channel means). The default input size is 224x224.

Example:
    >>> model = VGG19(weights=None, input_shape=(32, 32, 3), include_top=False, pooling="max")
    >>> model.output_shape, model.count_params()
    ((None, 512), 20024384)
"""

from __future__ import annotations

import os
from typing import Any, Callable, Sequence

from kerastorch.applications.builder import application_docstring
from kerastorch.applications.vgg16 import VGG, decode_predictions, preprocess_input  # the same as VGG16's
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.models import Model

__all__ = ["VGG19", "decode_predictions", "preprocess_input"]


def VGG19(
    include_top: bool = True,
    weights: str | os.PathLike[str] | None = "imagenet",
    input_tensor: KerasTensor | None = None,
    input_shape: Sequence[int | None] | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | Callable[..., Any] | None = "softmax",
    name: str | None = "vgg19",
) -> Model:
    return VGG(
        (2, 2, 4, 4, 4),
        "vgg19",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


VGG19.__doc__ = application_docstring(
    "VGG19",
    "Instantiate the VGG19 architecture (16 3x3 convolutions in 5 blocks, then 3 fully connected "
    "layers); inputs are RGB images preprocessed with :func:`preprocess_input`.",
    key="vgg19",
)
