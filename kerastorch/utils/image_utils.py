"""Images as files, PIL images and arrays: ``load_img``, ``img_to_array``, ``array_to_img``, ``save_img`` and
``smart_resize``, with Keras's arguments. Reading and writing files needs Pillow (``pip install
"kerastorch[image]"``); the error says so.

Example:
    >>> x = np.zeros((4, 6, 3), dtype="float32")
    >>> x[:, :3] = 255.0                              # left half white
    >>> save_img("half.png", x)
    >>> img = load_img("half.png", target_size=(2, 2))
    >>> img.size, img_to_array(img)[:, :, 0].tolist()
    ((2, 2), [[255.0, 0.0], [255.0, 0.0]])
"""

from __future__ import annotations

import os
from typing import IO, TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import torch

from kerastorch import config
from kerastorch.backend.conv_utils import normalize_data_format

if TYPE_CHECKING:
    import PIL.Image

__all__ = ["array_to_img", "img_to_array", "load_img", "resize_image", "save_img", "smart_resize"]

_COLOR_MODES = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}


def _pil():
    try:
        from PIL import Image  # optional dependency: Pillow ("kerastorch[image]")
    except ImportError as error:
        raise ImportError(
            'Reading and writing images needs Pillow: pip install "kerastorch[image]" (or pip install pillow)'
        ) from error
    return Image


def _resample(interpolation):
    image = _pil()
    methods = {
        "nearest": image.Resampling.NEAREST,
        "bilinear": image.Resampling.BILINEAR,
        "bicubic": image.Resampling.BICUBIC,
        "hamming": image.Resampling.HAMMING,
        "box": image.Resampling.BOX,
        "area": image.Resampling.BOX,
        "lanczos": image.Resampling.LANCZOS,
        "lanczos3": image.Resampling.LANCZOS,
        "lanczos5": image.Resampling.LANCZOS,
    }
    if interpolation not in methods:
        raise ValueError(f"interpolation must be one of {sorted(methods)}; received interpolation={interpolation!r}")
    return methods[interpolation]


def load_img(
    path: str | os.PathLike[str] | IO[bytes],
    color_mode: str = "rgb",
    target_size: tuple[int, int] | None = None,
    interpolation: str = "nearest",
    keep_aspect_ratio: bool = False,
) -> PIL.Image.Image:
    """Load an image file into a PIL image.

    Args:
        path: str or path-like, the image file (or a binary file object).
        color_mode: str, default ``"rgb"``: ``"grayscale"``, ``"rgb"`` or ``"rgba"``.
        target_size: ``(height, width)`` or None (keep the size).
        interpolation: str, default ``"nearest"``: the resampling method (``"nearest"``, ``"bilinear"``,
            ``"bicubic"``, ``"hamming"``, ``"box"``, ``"lanczos"``).
        keep_aspect_ratio: bool, default False: crop the center to the target's aspect ratio before resizing.

    Returns:
        A PIL image.

    Raises:
        ValueError: for an unknown color mode or interpolation.
        ImportError: without Pillow.

    >>> save_img("square.png", np.full((8, 8, 3), 100.0), scale=False)
    >>> load_img("square.png", color_mode="grayscale", target_size=(4, 2)).size
    (2, 4)
    """
    if color_mode not in _COLOR_MODES:
        raise ValueError(f"color_mode must be 'grayscale', 'rgb' or 'rgba'; received color_mode={color_mode!r}")
    with _pil().open(path) as opened:
        img = opened.convert(_COLOR_MODES[color_mode])
    if target_size is None:
        return img
    return resize_image(img, target_size, interpolation, crop_to_aspect_ratio=keep_aspect_ratio)


def resize_image(
    img: PIL.Image.Image,
    size: tuple[int, int],
    interpolation: str = "bilinear",
    crop_to_aspect_ratio: bool = False,
    pad_to_aspect_ratio: bool = False,
) -> PIL.Image.Image:
    """A PIL image resized to ``size``, its center first cropped (or the image first padded with zeros) to the
    target's aspect ratio when asked.

    Args:
        img: a PIL image.
        size: ``(height, width)``.
        interpolation: str, default ``"bilinear"``: the resampling method (see :func:`load_img`).
        crop_to_aspect_ratio: bool, default False.
        pad_to_aspect_ratio: bool, default False.

    Returns:
        A PIL image of the new size.

    Raises:
        ValueError: for an unknown interpolation, or both crop and pad.

    >>> img = array_to_img(np.ones((4, 8, 3)))
    >>> resize_image(img, (2, 2), crop_to_aspect_ratio=True).size, resize_image(img, (2, 2)).size
    ((2, 2), (2, 2))
    """
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of crop_to_aspect_ratio and pad_to_aspect_ratio can be True")
    height, width = size
    if img.size == (width, height):
        return img
    if crop_to_aspect_ratio:
        img = img.crop(_center_box(img.size[1], img.size[0], height, width))
    elif pad_to_aspect_ratio:
        w, h = img.size
        padded = (max(w, int(round(h * width / height))), max(h, int(round(w * height / width))))
        canvas = _pil().new(img.mode, padded)
        canvas.paste(img, ((padded[0] - w) // 2, (padded[1] - h) // 2))
        img = canvas
    return img.resize((width, height), _resample(interpolation))


def _center_box(height, width, target_height, target_width):
    """``(left, top, right, bottom)`` of the largest centered box of the target's aspect ratio."""
    crop_height = min(height, int(round(width * target_height / target_width)))
    crop_width = min(width, int(round(height * target_width / target_height)))
    top, left = (height - crop_height) // 2, (width - crop_width) // 2
    return left, top, left + crop_width, top + crop_height


def img_to_array(
    img: PIL.Image.Image, data_format: str | None = None, dtype: npt.DTypeLike | None = None
) -> np.ndarray:
    """A PIL image as an array: ``(height, width, channels)``, or channels first.

    Args:
        img: a PIL image.
        data_format: str or None: ``"channels_last"`` or ``"channels_first"``; None is
            ``keras.config.image_data_format()``.
        dtype: str or None: the array's dtype (None is ``keras.config.floatx()``).

    Returns:
        A NumPy array, 3D.

    Raises:
        ValueError: for an unknown data format.

    >>> array_to_img(np.zeros((2, 3, 1))).mode, img_to_array(array_to_img(np.zeros((2, 3, 1)))).shape
    ('L', (2, 3, 1))
    """
    data_format = normalize_data_format(data_format, "img_to_array")
    x = np.asarray(img, dtype=dtype or config.floatx())
    if x.ndim == 2:
        x = x[:, :, None]
    if x.ndim != 3:
        raise ValueError(f"img_to_array: expected an image of 2 or 3 axes, received an array of shape {x.shape}")
    return np.ascontiguousarray(x.transpose(2, 0, 1)) if data_format == "channels_first" else x


def array_to_img(
    x: np.ndarray | torch.Tensor, data_format: str | None = None, scale: bool = True, dtype: npt.DTypeLike | None = None
) -> PIL.Image.Image:
    """An array (or tensor) of one image as a PIL image.

    Args:
        x: a 3D array or tensor: ``(height, width, channels)`` with 1, 3 or 4 channels, or channels first.
        data_format: str or None: ``"channels_last"`` or ``"channels_first"``; None is
            ``keras.config.image_data_format()``.
        scale: bool, default True: rescale the values to [0, 255] (min to 0, max to 255).
        dtype: str or None: the working dtype (None is ``keras.config.floatx()``).

    Returns:
        A PIL image (mode ``L``, ``RGB`` or ``RGBA`` by channels).

    Raises:
        ValueError: for an array that is not 3D, or a channel count other than 1, 3 or 4.

    >>> array_to_img(np.ones((2, 2, 3))).size
    (2, 2)
    """
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    x = np.asarray(x, dtype=dtype or config.floatx())
    if x.ndim != 3:
        raise ValueError(f"array_to_img: expected an image array of rank 3 (one image); received shape {x.shape}")
    if normalize_data_format(data_format, "array_to_img") == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - x.min()
        peak = x.max()
        x = x / peak * 255.0 if peak != 0 else x
    channels = x.shape[2]
    modes = {1: "L", 3: "RGB", 4: "RGBA"}
    if channels not in modes:
        raise ValueError(f"array_to_img: expected 1, 3 or 4 channels, received {channels} (shape {x.shape})")
    pixels = np.clip(x, 0, 255).astype("uint8")
    return _pil().fromarray(pixels[:, :, 0] if channels == 1 else pixels, modes[channels])


def save_img(
    path: str | os.PathLike[str] | IO[bytes],
    x: np.ndarray | torch.Tensor,
    data_format: str | None = None,
    file_format: str | None = None,
    scale: bool = True,
    **kwargs: Any,
) -> None:
    """Save an array (or tensor) of one image as an image file.

    Args:
        path: str or path-like, the file.
        x: a 3D array or tensor (see :func:`array_to_img`).
        data_format: str or None: ``"channels_last"`` or ``"channels_first"``.
        file_format: str or None: the format (``"png"``, ``"jpeg"`` ...); None infers it from the extension.
        scale: bool, default True: rescale the values to [0, 255].
        **kwargs: passed to ``PIL.Image.save``.

    Raises:
        ValueError: as :func:`array_to_img`.

    >>> save_img("pixel.jpg", np.full((1, 1, 4), 255.0))   # RGBA saved as JPEG: the alpha channel is dropped
    >>> load_img("pixel.jpg").mode
    'RGB'
    """
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and (file_format == "jpeg" or str(path).lower().endswith((".jpg", ".jpeg"))):
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def smart_resize(
    x: np.ndarray | torch.Tensor,
    size: tuple[int, int],
    interpolation: str = "bilinear",
    data_format: str = "channels_last",
) -> np.ndarray | torch.Tensor:
    """Resize images to ``size`` without distorting them: the largest centered crop of the target's aspect
    ratio, then a resize.

    Args:
        x: a 3D or 4D array or tensor of images.
        size: ``(height, width)``.
        interpolation: str, default ``"bilinear"``: ``"nearest"``, ``"bilinear"``, ``"bicubic"`` or ``"area"``.
        data_format: str, default ``"channels_last"``.

    Returns:
        A float tensor (a NumPy array for NumPy input) of the new size.

    Raises:
        ValueError: for an unknown interpolation or an input that is not 3D or 4D.

    >>> smart_resize(np.zeros((10, 20, 3)), (5, 5)).shape
    (5, 5, 3)
    """
    methods = {"nearest": "nearest", "bilinear": "bilinear", "bicubic": "bicubic", "area": "area"}
    if interpolation not in methods:
        raise ValueError(f"smart_resize: interpolation must be one of {sorted(methods)}; received {interpolation!r}")
    is_numpy = not isinstance(x, torch.Tensor)
    t = torch.as_tensor(np.asarray(x) if is_numpy else x)
    if t.dim() not in (3, 4):
        raise ValueError(f"smart_resize: expected images of rank 3 or 4, received shape {tuple(t.shape)}")
    batched = t if t.dim() == 4 else t.unsqueeze(0)
    nchw = batched.permute(0, 3, 1, 2) if data_format == "channels_last" else batched
    height, width = nchw.shape[-2:]
    left, top, right, bottom = _center_box(height, width, *size)
    cropped = nchw[:, :, top:bottom, left:right].to(torch.float32 if not t.is_floating_point() else t.dtype)
    kwargs = {"align_corners": False, "antialias": True} if methods[interpolation] in ("bilinear", "bicubic") else {}
    out = torch.nn.functional.interpolate(cropped, size=tuple(size), mode=methods[interpolation], **kwargs)
    out = out.permute(0, 2, 3, 1) if data_format == "channels_last" else out
    out = out if t.dim() == 4 else out[0]
    return out.numpy() if is_numpy else out
