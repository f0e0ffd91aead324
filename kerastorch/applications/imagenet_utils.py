"""What every ImageNet application shares: input preprocessing modes, decoding predictions into class names,
and the rules for the input shape.

``preprocess_input`` has Keras's three modes: ``"caffe"`` (RGB to BGR, minus the ImageNet channel means,
no scaling: VGG, ResNet v1), ``"tf"`` (scaled to [-1, 1]: Inception, Xception, MobileNet, ResNet v2, NASNet)
and ``"torch"`` (scaled to [0, 1], minus the means, divided by the deviations: DenseNet). Unlike Keras, a
NumPy input is never modified in place.

Example:
    >>> import numpy as np
    >>> x = np.full((1, 2, 2, 3), 255.0, dtype="float32")
    >>> preprocess_input(x, mode="tf")[0, 0, 0]
    array([1., 1., 1.], dtype=float32)
    >>> preprocess_input(x, mode="caffe")[0, 0, 0].round(3)  # BGR, minus the means
    array([151.061, 138.221, 131.32 ], dtype=float32)
    >>> obtain_input_shape(None, default_size=224, min_size=32, data_format="channels_last",
    ...                    require_flatten=False)
    (None, None, 3)
"""

from __future__ import annotations

import json
import os
import warnings
from typing import Any, Callable, Sequence

import numpy as np
import torch

from kerastorch import activations, config
from kerastorch.backend.annotations import TensorLike
from kerastorch.backend.conv_utils import normalize_data_format
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.utils.file_utils import get_file

__all__ = [
    "CLASS_INDEX_HASH",
    "CLASS_INDEX_PATH",
    "correct_pad",
    "decode_predictions",
    "family_preprocess_input",
    "obtain_input_shape",
    "preprocess_input",
    "validate_activation",
]

CLASS_INDEX_PATH = "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
CLASS_INDEX_HASH = "c2c37ea517e94d9795004a39431a14cb"
_CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)
_TORCH_MEAN = (0.485, 0.456, 0.406)
_TORCH_STD = (0.229, 0.224, 0.225)
_MODES = ("caffe", "tf", "torch")
_class_indices: dict[tuple[str, str], dict[str, list[str]]] = {}  # (address, hash) -> the loaded class index


def preprocess_input(x: TensorLike, data_format: str | None = None, mode: str = "caffe") -> torch.Tensor | np.ndarray:
    """Preprocess a batch of images for an ImageNet model.

    Args:
        x: a NumPy array or torch tensor of RGB images with values in [0, 255], 3D (one image) or 4D; channels
            on the last axis, or on axis 0 / 1 with ``data_format="channels_first"``.
        data_format: str or None, default None: ``"channels_last"`` or ``"channels_first"``; None is
            ``keras.config.image_data_format()``.
        mode: str, default ``"caffe"``: ``"caffe"`` (BGR minus the ImageNet means), ``"tf"`` (scale to [-1, 1])
            or ``"torch"`` (scale to [0, 1], normalize each channel with the ImageNet means and deviations).

    Returns:
        A new array or tensor of the same kind; integer inputs become float32 (``keras.config.floatx()``).

    Raises:
        ValueError: for an unknown ``mode`` or ``data_format``, or a shape without 3 channels where the mode
            needs them.

    >>> import torch
    >>> preprocess_input(torch.full((2, 3), 255.0), mode="torch", data_format="channels_last")
    tensor([[2.2489, 2.4286, 2.6400],
            [2.2489, 2.4286, 2.6400]])
    """
    if mode not in _MODES:
        raise ValueError(f"preprocess_input: mode must be one of {_MODES}, received mode={mode!r}")
    data_format = normalize_data_format(data_format, "preprocess_input")
    is_tensor = isinstance(x, torch.Tensor)
    if isinstance(x, torch.Tensor):
        out = x.to(config.torch_dtype(config.floatx())) if not x.is_floating_point() else x.clone()
    else:
        array = np.asarray(x)
        out = torch.from_numpy(np.array(array, dtype=config.floatx() if array.dtype.kind not in "f" else array.dtype))
    if mode == "tf":
        out = out / 127.5 - 1.0
    else:
        axis = -1 if data_format == "channels_last" else (0 if out.dim() == 3 else 1)
        if out.shape[axis] != 3:
            raise ValueError(
                f"preprocess_input: mode={mode!r} needs 3 color channels on axis {axis} "
                f"({data_format}), received an input of shape {tuple(out.shape)}"
            )
        shape = [1] * out.dim()
        shape[axis] = 3
        if mode == "caffe":
            out = out.flip(axis) - torch.tensor(_CAFFE_MEAN_BGR, dtype=out.dtype, device=out.device).reshape(shape)
        else:
            mean = torch.tensor(_TORCH_MEAN, dtype=out.dtype, device=out.device).reshape(shape)
            std = torch.tensor(_TORCH_STD, dtype=out.dtype, device=out.device).reshape(shape)
            out = (out / 255.0 - mean) / std
    return out if is_tensor else out.numpy()


_MODE_DESCRIPTIONS = {
    "caffe": "Caffe's convention: RGB to BGR, minus the ImageNet channel means, no scaling",
    "tf": "scaled to [-1, 1]",
    "torch": "scaled to [0, 1], minus the ImageNet channel means, divided by their deviations",
    None: "nothing: the model rescales its inputs itself, so this is a pass-through kept for compatibility",
}


def family_preprocess_input(mode: str | None, family: str) -> Callable[..., Any]:
    """The ``preprocess_input`` of an application family: :func:`preprocess_input` with the family's mode.

    Args:
        mode: ``"caffe"``, ``"tf"``, ``"torch"``, or None for a pass-through (families that preprocess inside
            the model: EfficientNet, MobileNetV3, ConvNeXt).
        family: str, the family's name, for the docstring.

    Returns:
        A function ``preprocess_input(x, data_format=None)``.

    >>> white = np.full((1, 1, 1, 3), 255.0)
    >>> [family_preprocess_input(mode, "Any")(white)[0, 0, 0].round(3).tolist() for mode in _MODE_DESCRIPTIONS]
    [[151.061, 138.221, 131.32], [1.0, 1.0, 1.0], [2.249, 2.429, 2.64], [255.0, 255.0, 255.0]]
    """
    if mode not in _MODE_DESCRIPTIONS:
        raise ValueError(f"family_preprocess_input: mode must be one of {list(_MODE_DESCRIPTIONS)}, received {mode!r}")

    def family_function(x: TensorLike, data_format: str | None = None) -> Any:
        return x if mode is None else preprocess_input(x, data_format=data_format, mode=mode)

    family_function.__name__ = family_function.__qualname__ = "preprocess_input"
    family_function.__doc__ = f"""Preprocess RGB images with values in [0, 255] for {family}: {_MODE_DESCRIPTIONS[mode]}.

    Args:
        x: a NumPy array or torch tensor of images, 3D or 4D.
        data_format: str or None, default None: ``"channels_last"`` or ``"channels_first"``; None is
            ``keras.config.image_data_format()``.

    Returns:
        A new array or tensor of the same kind (``x`` itself for a pass-through).
    """
    return family_function


def decode_predictions(preds: TensorLike, top: int = 5) -> list[list[tuple[Any, ...]]]:
    """The ``top`` ImageNet classes of each prediction, as ``(class_id, class_name, score)`` tuples.

    The class index (``imagenet_class_index.json``) is fetched and cached like weights, with
    :func:`keras.utils.get_file`, on the first call.

    Args:
        preds: a NumPy array or tensor of shape ``(samples, 1000)``.
        top: int, default 5: how many classes per sample, best first.

    Returns:
        A list (one entry per sample) of lists of ``(class_id, class_name, score)``.

    Raises:
        ValueError: for predictions not shaped ``(samples, 1000)``.
        OSError: when the class index is neither cached nor downloadable.
    """
    preds = preds.detach().cpu().numpy() if isinstance(preds, torch.Tensor) else np.asarray(preds)
    if preds.ndim != 2 or preds.shape[1] != 1000:
        raise ValueError(
            f"decode_predictions: expects a batch of ImageNet predictions, shaped (samples, 1000); "
            f"received an array of shape {preds.shape}"
        )
    index = _load_class_index()
    results = []
    for row in preds:
        best = np.argsort(row)[::-1][:top]
        results.append([tuple(index[str(i)]) + (float(row[i]),) for i in best])
    return results


def _load_class_index():
    key = (CLASS_INDEX_PATH, CLASS_INDEX_HASH)
    if key not in _class_indices:
        path = get_file(
            "imagenet_class_index.json", CLASS_INDEX_PATH, cache_subdir="models", file_hash=CLASS_INDEX_HASH
        )
        with open(path, encoding="utf-8") as f:
            _class_indices[key] = json.load(f)
    return _class_indices[key]


def obtain_input_shape(
    input_shape: Sequence[int | None] | None,
    default_size: int,
    min_size: int,
    data_format: str,
    require_flatten: bool,
    weights: str | os.PathLike[str] | None = None,
) -> tuple[int | None, ...]:
    """The input shape an application is built for, checked against what its weights and top need.

    Args:
        input_shape: tuple or None: the shape the user asked for (without the batch axis).
        default_size: int, the image side the pretrained weights were trained at.
        min_size: int, the smallest side the architecture accepts.
        data_format: str, ``"channels_last"`` or ``"channels_first"``.
        require_flatten: bool, whether the model flattens its features (``include_top=True``): the sides
            must then be known.
        weights: ``"imagenet"``, None or a path: ImageNet weights need 3 channels (and, with the top, the
            default size).

    Returns:
        A shape tuple of 3 entries (sides may be None when ``require_flatten`` is False).

    Raises:
        ValueError: for a shape of the wrong rank, channels other than 3 with ImageNet weights, sides below
            ``min_size``, or unknown sides with a top.

    >>> obtain_input_shape((96, 96, 3), 224, 32, "channels_last", require_flatten=False, weights="imagenet")
    (96, 96, 3)
    >>> obtain_input_shape(None, 224, 32, "channels_first", require_flatten=True)
    (3, 224, 224)
    """
    first = data_format == "channels_first"
    if weights != "imagenet" and input_shape is not None and len(input_shape) == 3:
        channels = input_shape[0] if first else input_shape[-1]
        if channels not in (1, 3):
            warnings.warn(
                f"This model usually expects 1 or 3 input channels; received input_shape={input_shape}", stacklevel=3
            )
        default_shape = (channels, default_size, default_size) if first else (default_size, default_size, channels)
    else:
        default_shape = (3, default_size, default_size) if first else (default_size, default_size, 3)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and tuple(input_shape) != default_shape:
            raise ValueError(
                f"When setting include_top=True and loading the ImageNet weights, input_shape should "
                f"be {default_shape}; received input_shape={tuple(input_shape)}"
            )
        return default_shape
    if input_shape is None:
        return default_shape if require_flatten else ((3, None, None) if first else (None, None, 3))
    input_shape = tuple(input_shape)
    if len(input_shape) != 3:
        raise ValueError(
            f"input_shape must be a tuple of three integers (height, width, channels, or channels "
            f"first with data_format='channels_first'); received input_shape={input_shape}"
        )
    channels, sides = (input_shape[0], input_shape[1:]) if first else (input_shape[-1], input_shape[:2])
    if weights == "imagenet" and channels != 3:
        raise ValueError(f"The ImageNet weights need 3 input channels; received input_shape={input_shape}")
    if any(s is not None and s < min_size for s in sides):
        raise ValueError(f"Input size must be at least {min_size}x{min_size}; received input_shape={input_shape}")
    if require_flatten and None in input_shape:
        raise ValueError(
            f"With include_top=True, input_shape must be fully known (the top flattens the "
            f"features); received input_shape={input_shape}. Pass a shape, or use "
            f"include_top=False with pooling"
        )
    return input_shape


def validate_activation(
    classifier_activation: str | Callable[..., Any] | None, weights: str | os.PathLike[str] | None
) -> None:
    """Check ``classifier_activation`` against the weights: with ImageNet weights only ``"softmax"`` or None.

    Args:
        classifier_activation: str, callable or None: the activation of the top layer.
        weights: ``"imagenet"``, None or a path.

    Raises:
        ValueError: for another activation with ImageNet weights.

    >>> validate_activation("softmax", "imagenet"); validate_activation("sigmoid", None)
    """
    if weights is None:
        return
    fn = activations.get(classifier_activation)
    if fn not in (activations.get("softmax"), activations.get(None)):
        raise ValueError(
            f"Only None and softmax activations are allowed for the classifier_activation argument "
            f"when using pretrained weights, with include_top=True; received "
            f"classifier_activation={classifier_activation!r}"
        )


def correct_pad(x: KerasTensor, kernel_size: int | Sequence[int]) -> tuple[tuple[int, int], ...]:
    """The zero padding before a strided ``"valid"`` convolution (or pooling) of ``kernel_size`` that places
    its windows as TensorFlow's ``"same"`` padding does: one row (column) less before than after on an even
    or unknown side.

    Args:
        x: the 4D KerasTensor to pad (channels last, or first per ``keras.config.image_data_format()``).
        kernel_size: int or tuple of 2 ints.

    Returns:
        ``((top, bottom), (left, right))`` for ``ZeroPadding2D``.

    >>> from kerastorch import Input
    >>> correct_pad(Input((8, 7, 3)), 3), correct_pad(Input((None, None, 3)), 5)
    (((0, 1), (1, 1)), ((1, 2), (1, 2)))
    """
    kernel = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
    sides = x.shape[1:3] if config.image_data_format() == "channels_last" else x.shape[2:4]
    return tuple((k // 2 - (1 if side is None or side % 2 == 0 else 0), k // 2) for side, k in zip(sides, kernel))
