"""The parts every application builder shares: checking its arguments, its input, the classifier or pooling
on top of the features, and loading its weights.

An application function reads, in Keras's order::

    check_arguments(weights, include_top, classes, classifier_activation)
    img_input, inputs = application_input(input_tensor, input_shape, default_size=224, min_size=32,
                                          weights=weights, include_top=include_top)
    x = ...  # the family's layers, with Keras's layer names
    x = application_top(x, include_top, pooling, classes, classifier_activation)
    model = Model(inputs, x, name=name)
    return load_weights(model, weights, include_top, WEIGHTS["resnet50"])

``weights="imagenet"`` downloads (or takes from the Keras cache, ``~/.keras/models``) the file Keras publishes,
checked against its hash; ``weights="path"`` loads a local file (a legacy Keras HDF5 file, a Keras 3
``.weights.h5`` or kerastorch safetensors).

Example:
    >>> from kerastorch import layers
    >>> from kerastorch.models import Model
    >>> img_input, inputs = application_input(None, (32, 32, 3), default_size=224, min_size=32, weights=None,
    ...                                       include_top=False)
    >>> x = layers.Conv2D(8, 3, name="conv")(img_input)
    >>> model = Model(inputs, application_top(x, False, "avg", 1000, "softmax"), name="tiny")
    >>> model.output_shape
    (None, 8)
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Callable, Sequence

from kerastorch import config
from kerastorch.applications import imagenet_utils
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.layers import Dense, GlobalAveragePooling2D, GlobalMaxPooling2D, Input
from kerastorch.layers.node import get_source_inputs
from kerastorch.models import Model
from kerastorch.utils.file_utils import get_file

__all__ = ["WeightsFile", "application_input", "application_top", "apply_pooling", "check_arguments", "load_weights"]


@dataclasses.dataclass(frozen=True)
class WeightsFile:
    """A published weights file: its address and its hash (md5 or sha256), with and without the top.

    Args:
        base_url: str, the folder the files are published in (ends with ``/``).
        top: tuple ``(file_name, file_hash)`` of the file with the classifier.
        no_top: tuple ``(file_name, file_hash)`` of the file without it.
        cache_names: tuple ``(with_top, without_top)`` or None: the names Keras caches the files under, when
            they differ from the published ones (``NASNet-mobile.h5`` is cached as ``nasnet_mobile.h5``).

    Example:

    >>> WeightsFile("https://host/", ("A.h5", "0"), ("B.h5", "1"), cache_names=("a.h5", "b.h5")).file(False)
    ('b.h5', 'https://host/B.h5', '1')
    """

    base_url: str
    top: tuple[str, str | None]
    no_top: tuple[str, str | None]
    cache_names: tuple[str, str] | None = None

    def file(self, include_top: bool) -> tuple[str, str, str | None]:
        """``(cache_name, origin, file_hash)`` of the file for ``include_top``."""
        name, file_hash = self.top if include_top else self.no_top
        cache_name = self.cache_names[0 if include_top else 1] if self.cache_names else name
        return cache_name, self.base_url + name, file_hash


def check_arguments(
    weights: str | os.PathLike[str] | None,
    include_top: bool,
    classes: int,
    classifier_activation: str | Callable[..., Any] | None = None,
) -> None:
    """Refuse the argument combinations Keras refuses, before anything is built.

    Args:
        weights: ``"imagenet"``, None, or the path of a weights file.
        include_top: bool, whether the classifier is built.
        classes: int, its number of classes.
        classifier_activation: the classifier's activation (only softmax or None with pretrained weights).

    Raises:
        ValueError: for another ``weights`` value, a missing file, ``classes != 1000`` with the ImageNet top,
            or another activation with pretrained weights and a top.

    >>> check_arguments("imagenet", True, 10)
    Traceback (most recent call last):
    ...
    ValueError: If using weights="imagenet" with include_top=True, classes should be 1000; received classes=10
    """
    if not (weights in ("imagenet", None) or (isinstance(weights, (str, os.PathLike)) and os.path.exists(weights))):
        raise ValueError(
            f"The weights argument should be either None (random initialization), 'imagenet' "
            f"(pre-training on ImageNet), or the path to the weights file to be loaded; received "
            f"weights={weights!r}" + (" (no such file)" if isinstance(weights, str) else "")
        )
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError(
            f'If using weights="imagenet" with include_top=True, classes should be 1000; received classes={classes}'
        )
    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights)


def application_input(
    input_tensor: KerasTensor | None,
    input_shape: Sequence[int | None] | None,
    *,
    default_size: int,
    min_size: int,
    weights: str | os.PathLike[str] | None,
    include_top: bool,
    data_format: str | None = None,
) -> tuple[KerasTensor, KerasTensor | list[KerasTensor]]:
    """The input of an application: a new ``keras.Input`` of the checked shape, or ``input_tensor``.

    Args:
        input_tensor: None, a KerasTensor (the application is built on it, and the model's inputs are the
            ``keras.Input`` tensors it comes from), or a real tensor (wrapped in an ``Input``).
        input_shape: tuple or None: the shape without the batch axis.
        default_size: int, the side the pretrained weights were trained at.
        min_size: int, the smallest side the architecture accepts.
        weights: ``"imagenet"``, None or a path.
        include_top: bool, whether the classifier is built (then the sides must be known).
        data_format: str or None: None is ``keras.config.image_data_format()``.

    Returns:
        ``(img_input, inputs)``: the tensor to build on and what to pass as the model's inputs.

    Raises:
        ValueError: as :func:`~kerastorch.applications.imagenet_utils.obtain_input_shape`.
    """
    data_format = data_format or config.image_data_format()
    shape = imagenet_utils.obtain_input_shape(
        input_shape,
        default_size=default_size,
        min_size=min_size,
        data_format=data_format,
        require_flatten=include_top,
        weights=weights,
    )
    if input_tensor is None:
        img_input = Input(shape=shape)
    elif isinstance(input_tensor, KerasTensor):
        img_input = input_tensor
    else:
        img_input = Input(tensor=input_tensor, shape=shape)
    inputs = get_source_inputs(input_tensor) if isinstance(input_tensor, KerasTensor) else img_input
    return img_input, inputs


def application_top(
    x: KerasTensor,
    include_top: bool,
    pooling: str | None,
    classes: int,
    classifier_activation: str | Callable[..., Any] | None,
    *,
    data_format: str | None = None,
) -> KerasTensor:
    """Keras's usual top: global average pooling (``avg_pool``) and a ``predictions`` Dense layer; without the
    top, ``pooling`` of None (the 4D features), ``"avg"`` or ``"max"``.

    Args:
        x: the feature map (4D KerasTensor).
        include_top: bool, whether to build the classifier.
        pooling: None, ``"avg"`` or ``"max"`` (without the top).
        classes: int, the number of classes of the classifier.
        classifier_activation: str, callable or None, its activation.
        data_format: str or None: None is ``keras.config.image_data_format()``.

    Returns:
        The output KerasTensor.

    Raises:
        ValueError: for another ``pooling`` value.
    """
    if include_top:
        x = GlobalAveragePooling2D(data_format=data_format, name="avg_pool")(x)
        return Dense(classes, activation=classifier_activation, name="predictions")(x)
    return apply_pooling(x, pooling, data_format=data_format)


def apply_pooling(
    x: KerasTensor, pooling: str | None, data_format: str | None = None, named: bool = True
) -> KerasTensor:
    """``pooling`` of the features when there is no top: None (unchanged), ``"avg"`` or ``"max"``.

    Args:
        x: the feature map (4D KerasTensor).
        pooling: None, ``"avg"`` or ``"max"``.
        data_format: str or None.
        named: bool, default True: name the layer ``avg_pool`` / ``max_pool`` (ResNet, DenseNet,
            EfficientNet); False keeps the default names (``global_average_pooling2d`` ...), as most
            Keras families do.

    Returns:
        The output KerasTensor.

    Raises:
        ValueError: for another ``pooling`` value.
    """
    if pooling is None:
        return x
    if pooling == "avg":
        return GlobalAveragePooling2D(data_format=data_format, name="avg_pool" if named else None)(x)
    if pooling == "max":
        return GlobalMaxPooling2D(data_format=data_format, name="max_pool" if named else None)(x)
    raise ValueError(f"pooling must be None, 'avg' or 'max'; received pooling={pooling!r}")


def load_weights(
    model: Model, weights: str | os.PathLike[str] | None, include_top: bool, published: WeightsFile | None = None
) -> Model:
    """Load ``weights`` into ``model`` and return it: nothing for None, the published file for ``"imagenet"``
    (from the Keras cache, else downloaded and checked against its hash), or a local file.

    Args:
        model: the application's model.
        weights: ``"imagenet"``, None, or the path of a weights file (legacy Keras HDF5 such as Keras publishes,
            Keras 3 ``.weights.h5``, or kerastorch ``.safetensors``).
        include_top: bool, which published file to use.
        published: :class:`WeightsFile` or None: the family's published files (None: no ImageNet weights).

    Returns:
        ``model``.

    Raises:
        ValueError: ``weights="imagenet"`` for a model without published weights.
        OSError: when the published file is neither cached nor downloadable (the message says where to put it).
    """
    if weights is None:
        return model
    if weights == "imagenet":
        if published is None:
            raise ValueError(f'Model "{model.name}" has no published ImageNet weights; use weights=None or a path')
        name, origin, file_hash = published.file(include_top)
        weights = get_file(name, origin, cache_subdir="models", file_hash=file_hash)
    model.load_weights(os.fspath(weights))
    return model


def application_docstring(
    title: str,
    summary: str,
    *,
    key: str,
    default_size: int = 224,
    min_size: int = 32,
    extra_args: str = "",
    example_shape: tuple[int, ...] = (32, 32, 3),
    example_classes: int = 10,
) -> str:
    """The docstring of an application function: ``summary``, Keras's common arguments (with
    ``extra_args``, already indented, inserted before ``name``), what it returns and raises, and an
    example building it with random weights.

    Args:
        title: str, the function's name (``"ResNet50"``).
        summary: str, one sentence on the architecture.
        key: str, the default model name (``"resnet50"``).
        default_size: int, default 224, the side of the pretrained weights.
        min_size: int, default 32, the smallest side.
        extra_args: str, default ``""``: the family's own argument entries, indented by 8 spaces.
        example_shape: tuple, the example's input shape.
        example_classes: int, the example's classes.

    Returns:
        str.
    """
    shape = (default_size, default_size, 3)
    return f"""{summary}

    Args:
        include_top: bool, default True: the classifier at the top of the network.
        weights: str or None, default ``"imagenet"``: ``"imagenet"`` (Keras's published weights, downloaded and
            cached), None (random initialization) or the path of a weights file.
        input_tensor: KerasTensor or None, default None: a tensor (the output of ``keras.Input``) to build the
            model on; None makes a new input.
        input_shape: tuple or None, default None: without the top, any ``(height, width, 3)`` with sides of at least
            {min_size}; with the top and ImageNet weights, ``{shape}``.
        pooling: None, ``"avg"`` or ``"max"``, default None: the features' pooling when ``include_top=False``
            (None: the 4D feature map).
        classes: int, default 1000: classes of the top (1000 with ImageNet weights).
        classifier_activation: str, callable or None, default ``"softmax"``: the top's activation (softmax or
            None with pretrained weights).
{extra_args}        name: str, default ``"{key}"``: the model's name.

    Returns:
        A functional ``Model``.

    Raises:
        ValueError: for inconsistent arguments (an unknown ``weights``, ``classes != 1000`` with the ImageNet
            top, an input shape the architecture or the weights cannot take).
        OSError: when the ImageNet file is neither cached nor downloadable.

    >>> model = {title}(weights=None, input_shape={example_shape}, classes={example_classes})
    >>> model.output_shape
    (None, {example_classes})
    """
