"""ResNet50V2, ResNet101V2 and ResNet152V2: ResNet with pre-activation blocks (batch normalization and ReLU
before each convolution), on the builder of :mod:`~kerastorch.applications.resnet`.

Keras's architecture, layer names and weight order. Reference: He et al., Identity Mappings in Deep Residual
Networks (ECCV 2016). Inputs: RGB images in [0, 255] preprocessed with :func:`preprocess_input` (scaled to
[-1, 1]).

Example:
    >>> model = ResNet50V2(weights=None, input_shape=(64, 64, 3), include_top=False, pooling="max")
    >>> model.output_shape, model.count_params()
    ((None, 2048), 23564800)
"""

from __future__ import annotations

import os
from typing import Any, Callable, Sequence

from kerastorch.applications import imagenet_utils
from kerastorch.applications.builder import application_docstring
from kerastorch.applications.resnet import ResNet, resnet_batch_norm
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.layers import Activation, Add, Conv2D, MaxPooling2D, ZeroPadding2D
from kerastorch.models import Model

__all__ = ["ResNet101V2", "ResNet152V2", "ResNet50V2", "decode_predictions", "preprocess_input"]


def residual_block_v2(
    x: KerasTensor,
    filters: int,
    kernel_size: int | tuple[int, int] = 3,
    stride: int = 1,
    conv_shortcut: bool = False,
    name: str | None = None,
) -> KerasTensor:
    """The pre-activation bottleneck block: batch normalization and ReLU, then 1x1, ``kernel_size`` (strided)
    and 1x1 (x4 filters) convolutions, added to the shortcut.

    Args:
        x: the input KerasTensor.
        filters: int, the bottleneck's filters (the output has ``4 * filters``).
        kernel_size: int, default 3, of the middle convolution.
        stride: int, default 1, of the middle convolution (the shortcut is subsampled to match).
        conv_shortcut: bool, default False: a 1x1 convolution on the shortcut, else the identity (or a
            strided 1x1 max pooling).
        name: str, the block's name prefix (``conv2_block1``).

    Returns:
        The output KerasTensor.
    """
    preact = resnet_batch_norm(f"{name}_preact_bn")(x)
    preact = Activation("relu", name=f"{name}_preact_relu")(preact)
    if conv_shortcut:
        shortcut = Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(preact)
    else:
        shortcut = MaxPooling2D(1, strides=stride)(x) if stride > 1 else x
    x = Conv2D(filters, 1, strides=1, use_bias=False, name=f"{name}_1_conv")(preact)
    x = resnet_batch_norm(f"{name}_1_bn")(x)
    x = Activation("relu", name=f"{name}_1_relu")(x)
    x = ZeroPadding2D(padding=((1, 1), (1, 1)), name=f"{name}_2_pad")(x)
    x = Conv2D(filters, kernel_size, strides=stride, use_bias=False, name=f"{name}_2_conv")(x)
    x = resnet_batch_norm(f"{name}_2_bn")(x)
    x = Activation("relu", name=f"{name}_2_relu")(x)
    x = Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    return Add(name=f"{name}_out")([shortcut, x])


def stack_v2(x: KerasTensor, filters: int, blocks: int, stride1: int = 2, name: str | None = None) -> KerasTensor:
    """``blocks`` pre-activation blocks: the first with a convolution shortcut, the last with stride
    ``stride1``.

    Args:
        x: the input KerasTensor.
        filters: int, the bottleneck's filters.
        blocks: int, how many blocks.
        stride1: int, default 2, the stride of the last block.
        name: str, the stage's name (``conv2``).

    Returns:
        The output KerasTensor.
    """
    x = residual_block_v2(x, filters, conv_shortcut=True, name=f"{name}_block1")
    for i in range(2, blocks):
        x = residual_block_v2(x, filters, name=f"{name}_block{i}")
    return residual_block_v2(x, filters, stride=stride1, name=f"{name}_block{blocks}")


def _v2_stages(blocks):
    def stack_fn(x):
        for i, (filters, count) in enumerate(zip((64, 128, 256), blocks[:3]), start=2):
            x = stack_v2(x, filters, count, name=f"conv{i}")
        return stack_v2(x, 512, blocks[3], stride1=1, name="conv5")

    return stack_fn


def _v2(model_name, blocks):
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
            _v2_stages(blocks),
            True,
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


ResNet50V2 = _v2("resnet50v2", (3, 4, 6, 3))
ResNet101V2 = _v2("resnet101v2", (3, 4, 23, 3))
ResNet152V2 = _v2("resnet152v2", (3, 8, 36, 3))
for _fn, _title, _blocks in (
    (ResNet50V2, "ResNet50V2", "3, 4, 6, 3"),
    (ResNet101V2, "ResNet101V2", "3, 4, 23, 3"),
    (ResNet152V2, "ResNet152V2", "3, 8, 36, 3"),
):
    _fn.__name__ = _fn.__qualname__ = _title
    _fn.__doc__ = application_docstring(
        _title,
        f"Instantiate the {_title} architecture (ResNet v2: pre-activation blocks, {_blocks} per stage); "
        "inputs are RGB images preprocessed with :func:`preprocess_input`.",
        key=_title.lower(),
    )


preprocess_input = imagenet_utils.family_preprocess_input("tf", "ResNet v2")
decode_predictions = imagenet_utils.decode_predictions
