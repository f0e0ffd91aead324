"""Image galleries with matplotlib, as Keras 3's ``keras.visualization`` draws them: ``plot_image_gallery`` (a grid
of images, titled with their classes), ``plot_bounding_box_gallery`` (with true and predicted boxes) and
``plot_segmentation_mask_gallery`` (each image beside its true and predicted masks).

matplotlib is an optional dependency (``pip install matplotlib``), imported when a gallery is drawn. A gallery
is saved to ``path`` (then closed), or shown with ``plt.show()`` (then closed), or, with ``show=False`` and no
``path``, left open as matplotlib's current figure; the functions return None, as in Keras.

Deliberate differences from Keras 3.15: a grid shows every image (Keras, given neither ``rows`` nor ``cols``,
makes ``ceil(sqrt(n))`` rows of ``n // rows`` images and leaves the rest out; here the columns are ``ceil(n /
rows)``, so the grids agree whenever ``rows`` divides ``n``), spare cells stay blank, images are clipped to
their ``value_range`` before they become uint8 (Keras wraps values around), boxes are drawn on the images
after that conversion (Keras draws them before, in the images' own range), channels-first images work,
single-channel images are shown in gray, and the legend lists only the boxes drawn.

Example:
    >>> import importlib.util
    >>> images = np.random.default_rng(0).uniform(0, 255, (4, 8, 8, 3))
    >>> if importlib.util.find_spec("matplotlib"):   # an optional dependency
    ...     plot_image_gallery(images, path="gallery.png")
"""

from __future__ import annotations

import math
import os
import types
from typing import Any, Mapping, Sequence

import numpy as np
import torch

from kerastorch.backend.conv_utils import normalize_data_format
from kerastorch.visualization.drawing import draw_bounding_boxes, draw_segmentation_masks, images_to_numpy

__all__ = ["plot_bounding_box_gallery", "plot_image_gallery", "plot_segmentation_mask_gallery", "pyplot"]


def pyplot(function: str = "plot_image_gallery") -> types.ModuleType:
    """``matplotlib.pyplot``, imported on demand.

    Args:
        function: str, default ``"plot_image_gallery"``: the function named in the error message.

    Returns:
        The ``matplotlib.pyplot`` module.

    Raises:
        ImportError: when matplotlib is not installed, saying how to install it.

    >>> try:
    ...     plt = pyplot()
    ... except ImportError as error:
    ...     plt = None
    ...     assert "pip install matplotlib" in str(error)
    """
    try:
        import matplotlib.pyplot as plt  # optional dependency: matplotlib
    except ImportError as error:
        raise ImportError(
            f"keras.visualization.{function} needs matplotlib, which is not installed: pip install matplotlib"
        ) from error
    return plt


def _to_uint8(images, value_range, function):
    """Images mapped from ``value_range`` to ``[0, 255]``, clipped, as uint8."""
    try:
        low, high = (float(v) for v in value_range)
    except (TypeError, ValueError):
        raise ValueError(
            f"{function}: value_range must be a pair of numbers (low, high), received value_range={value_range!r}"
        ) from None
    if not high > low:
        raise ValueError(
            f"{function}: value_range must be (low, high) with low < high, received value_range={value_range!r}"
        )
    images = images.astype(np.float64)
    if (low, high) != (0.0, 255.0):
        images = (images - low) / (high - low) * 255.0
    return np.clip(images, 0, 255).astype(np.uint8)


def _grid(count, rows, cols, function):
    for name, value in (("rows", rows), ("cols", cols)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1):
            raise ValueError(f"{function}: {name} must be a positive integer or None, received {name}={value!r}")
    if rows is None and cols is None:
        rows = math.ceil(math.sqrt(count))
    if rows is None:
        rows = math.ceil(count / cols)
    if cols is None:
        cols = max(1, math.ceil(count / rows))
    return int(rows), int(cols)


def _class_names(labels, label_map):
    labels = np.asarray(_numpy(labels))
    if labels.ndim > 1:  # one-hot or probabilities
        labels = labels.reshape(labels.shape[0], -1).argmax(-1)
    return [label_map[int(label)] if int(label) in label_map else str(int(label)) for label in labels.reshape(-1)]


def _numpy(x):
    if hasattr(x, "detach"):
        x = x.detach().cpu()
        return x.float().numpy() if str(x.dtype) == "torch.bfloat16" else x.numpy()
    return np.asarray(x)


def plot_image_gallery(
    images: np.ndarray | torch.Tensor,
    y_true: np.ndarray | torch.Tensor | None = None,
    y_pred: np.ndarray | torch.Tensor | None = None,
    label_map: Mapping[int, str] | None = None,
    rows: int | None = None,
    cols: int | None = None,
    value_range: tuple[float, float] = (0, 255),
    scale: float = 2,
    path: str | os.PathLike[str] | None = None,
    show: bool | None = None,
    transparent: bool = True,
    dpi: int = 60,
    legend_handles: Sequence[Any] | None = None,
    data_format: str | None = None,
) -> None:
    """Plots a batch of images in a grid, optionally titled with their true and predicted classes.

    Args:
        images: tensor or array of shape ``(batch, height, width, channels)`` (or channels first, see
            ``data_format``), with 3 channels or 1 (shown in gray).
        y_true: tensor, array or None, default None: the true class of each image (indices, or one-hot rows);
            titles read ``"Label: name"``.
        y_pred: tensor, array or None, default None: the predicted classes; titles read ``"Pred: name"``.
        label_map: dict or None, default None: class index to name, needed with ``y_true`` or ``y_pred``
            (a class it leaves out is shown by its index).
        rows: int or None, default None: the rows of the grid (None: from ``cols``, or about a square root).
        cols: int or None, default None: the columns of the grid (None: enough for every image).
        value_range: pair of numbers, default ``(0, 255)``: the range of the images' values.
        scale: positive number, default 2: the size of each image in the figure, in inches.
        path: str, path-like or None, default None: save the figure there (and close it).
        show: bool or None, default None: show the figure with ``plt.show()`` (None: when ``path`` is None).
        transparent: bool, default True: save with a transparent background.
        dpi: int, default 60: the resolution of the saved figure.
        legend_handles: list of matplotlib artists (such as ``Patch``) or None, default None: a legend for the
            figure, below the grid.
        data_format: str or None, default None: ``"channels_last"`` or ``"channels_first"`` (None:
            ``keras.config.image_data_format()``).

    Returns:
        None.

    Raises:
        ValueError: for both ``path`` and ``show=True``, images that are not a rank-4 batch, ``y_true`` or
            ``y_pred`` without ``label_map``, or a bad ``rows``, ``cols`` or ``value_range``.
        ImportError: when matplotlib is not installed.

    >>> plot_image_gallery(np.zeros((2, 4, 4, 3)), y_true=[0, 1])
    Traceback (most recent call last):
    ...
    ValueError: plot_image_gallery: y_true and y_pred need a label_map (class index to name), received label_map=None
    """
    function = "plot_image_gallery"
    if path is not None and show:
        raise ValueError(
            f"{function}: pass either path (to save the figure) or show=True, not both; received "
            f"path={path!r}, show={show!r}"
        )
    if (y_true is not None or y_pred is not None) and label_map is None:
        raise ValueError(
            f"{function}: y_true and y_pred need a label_map (class index to name), received label_map=None"
        )
    data_format = normalize_data_format(data_format, function)
    images = _to_uint8(images_to_numpy(images, data_format, function), value_range, function)
    rows, cols = _grid(len(images), rows, cols, function)
    true_names = None if y_true is None else _class_names(y_true, label_map)
    pred_names = None if y_pred is None else _class_names(y_pred, label_map)
    plt = pyplot(function)
    figure, axes = plt.subplots(rows, cols, figsize=(cols * scale, rows * scale), squeeze=False)
    figure.subplots_adjust(wspace=0, hspace=0)
    for index, ax in enumerate(axes.reshape(-1)):
        ax.axis("off")
        if index >= len(images):
            continue
        image = images[index]
        if image.shape[-1] == 1:
            ax.imshow(image[..., 0], cmap="gray", vmin=0, vmax=255)
        else:
            ax.imshow(image)
        titles = []
        if true_names is not None:
            titles.append(f"Label: {true_names[index]}")
        if pred_names is not None:
            titles.append(f"Pred: {pred_names[index]}")
        if titles:
            ax.set_title("  ".join(titles))
    if legend_handles is not None:
        figure.legend(handles=legend_handles, loc="lower center")
    if path is not None:
        figure.savefig(path, bbox_inches="tight", pad_inches=0, transparent=transparent, dpi=dpi)
        plt.close(figure)
    elif show is None or show:
        plt.show()
        plt.close(figure)


def plot_bounding_box_gallery(
    images: np.ndarray | torch.Tensor,
    bounding_box_format: str,
    y_true: Mapping[str, Any] | None = None,
    y_pred: Mapping[str, Any] | None = None,
    value_range: tuple[float, float] = (0, 255),
    true_color: Sequence[int] = (0, 188, 212),
    pred_color: Sequence[int] = (255, 235, 59),
    line_thickness: int = 2,
    font_scale: float = 1.0,
    text_thickness: int | None = None,
    class_mapping: Mapping[int, str] | None = None,
    ground_truth_mapping: Mapping[int, str] | None = None,
    prediction_mapping: Mapping[int, str] | None = None,
    legend: bool = False,
    legend_handles: Sequence[Any] | None = None,
    rows: int | None = None,
    cols: int | None = None,
    data_format: str | None = None,
    **kwargs: Any,
) -> None:
    """Plots a batch of images with their true and predicted bounding boxes (see ``draw_bounding_boxes``).

    Args:
        images: tensor or array of shape ``(batch, height, width, channels)`` (or channels first, see
            ``data_format``).
        bounding_box_format: str, the boxes' format (see ``keras.utils.bounding_boxes.convert_format``).
        y_true: dict or None, default None: the true boxes, ``{"boxes", "labels"}`` as ``draw_bounding_boxes``
            takes them.
        y_pred: dict or None, default None: the predicted boxes, likewise (optionally with ``"confidences"``).
        value_range: pair of numbers, default ``(0, 255)``: the range of the images' values.
        true_color: sequence of 3 ints, default ``(0, 188, 212)``: the RGB color of the true boxes.
        pred_color: sequence of 3 ints, default ``(255, 235, 59)``: the RGB color of the predicted boxes.
        line_thickness: positive int, default 2: the width of the box outlines, in pixels.
        font_scale: positive float, default 1.0: the size of the class names.
        text_thickness: positive int or None, default None: the stroke width of the names (None:
            ``line_thickness``).
        class_mapping: dict or None, default None: class id to name, for both kinds of boxes.
        ground_truth_mapping: dict or None, default None: class id to name for the true boxes (overrides
            ``class_mapping``).
        prediction_mapping: dict or None, default None: class id to name for the predicted boxes (overrides
            ``class_mapping``).
        legend: bool, default False: add a legend of the two colors.
        legend_handles: list of matplotlib artists or None, default None: a legend of your own (not with
            ``legend``).
        rows: int or None, default None: the rows of the grid.
        cols: int or None, default None: the columns of the grid.
        data_format: str or None, default None: ``"channels_last"`` or ``"channels_first"`` (None:
            ``keras.config.image_data_format()``).
        **kwargs: passed to ``plot_image_gallery`` (``path``, ``show``, ``scale``, ``dpi``...).

    Returns:
        None (what ``plot_image_gallery`` returns).

    Raises:
        ValueError: for both ``legend`` and ``legend_handles``, or as ``plot_image_gallery`` and
            ``draw_bounding_boxes`` raise.
        ImportError: when matplotlib is not installed.

    >>> plot_bounding_box_gallery(np.zeros((1, 4, 4, 3)), "xyxy", legend=True, legend_handles=[])
    Traceback (most recent call last):
    ...
    ValueError: plot_bounding_box_gallery: pass legend=True or legend_handles, not both
    """
    function = "plot_bounding_box_gallery"
    if legend and legend_handles is not None:
        raise ValueError(f"{function}: pass legend=True or legend_handles, not both")
    for name in ("value_range", "data_format"):
        if name in kwargs:
            raise TypeError(f"{function}: got {name} twice (as an argument and in kwargs)")
    data_format = normalize_data_format(data_format, function)
    images = _to_uint8(images_to_numpy(images, data_format, function), value_range, function)
    text_thickness = line_thickness if text_thickness is None else text_thickness
    drawn = []
    for boxes, color, mapping, title in (
        (y_true, true_color, ground_truth_mapping, "Ground Truth"),
        (y_pred, pred_color, prediction_mapping, "Prediction"),
    ):
        if boxes is None:
            continue
        images = draw_bounding_boxes(
            images,
            boxes,
            bounding_box_format,
            class_mapping=class_mapping if mapping is None else mapping,
            color=color,
            line_thickness=line_thickness,
            text_thickness=text_thickness,
            font_scale=font_scale,
            data_format="channels_last",
        )
        drawn.append((title, color))
    if legend:
        pyplot(function)  # a clear ImportError without matplotlib
        from matplotlib.patches import Patch  # optional dependency: matplotlib

        # matplotlib takes an RGB array as a color; its stubs list tuples only
        legend_handles = [
            Patch(color=np.asarray(color) / 255.0, label=title)  # type: ignore[arg-type]
            for title, color in drawn
        ]
    return plot_image_gallery(
        images,
        value_range=(0, 255),
        rows=rows,
        cols=cols,
        legend_handles=legend_handles,
        data_format="channels_last",
        **kwargs,
    )


def plot_segmentation_mask_gallery(
    images: np.ndarray | torch.Tensor,
    num_classes: int,
    value_range: tuple[float, float] = (0, 255),
    y_true: np.ndarray | torch.Tensor | None = None,
    y_pred: np.ndarray | torch.Tensor | None = None,
    color_mapping: Mapping[int, Sequence[int]] | None = None,
    blend: bool = True,
    alpha: float = 0.8,
    ignore_index: int = -1,
    data_format: str | None = None,
    **kwargs: Any,
) -> None:
    """Plots a batch of images, one per row, each followed by its true and predicted segmentation masks drawn
    over it (see ``draw_segmentation_masks``).

    Args:
        images: tensor or array of shape ``(batch, height, width, channels)`` (or channels first, see
            ``data_format``).
        num_classes: int, the number of classes.
        value_range: pair of numbers, default ``(0, 255)``: the range of the images' values.
        y_true: tensor, array or None, default None: the true masks, ``(batch, height, width)`` or with a
            channel axis of 1.
        y_pred: tensor, array or None, default None: the predicted masks, likewise.
        color_mapping: dict or None, default None: class id to RGB color (others take the default colors).
        blend: bool, default True: blend the class colors with the images.
        alpha: float in ``[0, 1]``, default 0.8: the opacity of the class colors when blending.
        ignore_index: int, default -1: a class left undrawn.
        data_format: str or None, default None: ``"channels_last"`` or ``"channels_first"`` (None:
            ``keras.config.image_data_format()``).
        **kwargs: passed to ``plot_image_gallery`` (``path``, ``show``, ``scale``...; not ``rows`` and
            ``cols``, which the gallery sets).

    Returns:
        None (what ``plot_image_gallery`` returns).

    Raises:
        ValueError: for ``rows`` or ``cols`` in ``kwargs``, or as ``plot_image_gallery`` and
            ``draw_segmentation_masks`` raise.
        ImportError: when matplotlib is not installed.

    >>> plot_segmentation_mask_gallery(np.zeros((1, 4, 4, 3)), 2, rows=1)
    Traceback (most recent call last):
    ...
    ValueError: plot_segmentation_mask_gallery: the gallery has one row per image and one column per panel; rows and cols cannot be set, received ['rows']
    """
    function = "plot_segmentation_mask_gallery"
    fixed = sorted(set(kwargs) & {"rows", "cols"})
    if fixed:
        raise ValueError(
            f"{function}: the gallery has one row per image and one column per panel; rows and cols "
            f"cannot be set, received {fixed}"
        )
    data_format = normalize_data_format(data_format, function)
    images = _to_uint8(images_to_numpy(images, data_format, function), value_range, function)
    masks = [
        m if m is None or data_format == "channels_last" or _numpy(m).ndim == 3 else np.moveaxis(_numpy(m), 1, -1)
        for m in (y_true, y_pred)
    ]
    panels = [images] + [
        draw_segmentation_masks(
            images,
            m,
            num_classes=num_classes,
            color_mapping=color_mapping,
            alpha=alpha,
            blend=blend,
            ignore_index=ignore_index,
            data_format="channels_last",
        )
        for m in masks
        if m is not None
    ]
    panels = [p if p.shape[-1] == 3 else np.repeat(p, 3, axis=-1) for p in panels]
    gallery = np.stack(panels, axis=1).reshape((-1,) + panels[0].shape[1:])
    return plot_image_gallery(
        gallery, value_range=(0, 255), rows=len(images), cols=len(panels), data_format="channels_last", **kwargs
    )
