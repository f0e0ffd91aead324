"""``keras.visualization``: drawing bounding boxes and segmentation masks on images (NumPy, no OpenCV) and
plotting image galleries with them (matplotlib, an optional dependency: ``pip install matplotlib``).

Example:
    >>> import numpy as np
    >>> images = np.zeros((1, 8, 8, 3), dtype="uint8")
    >>> masks = np.ones((1, 8, 8), dtype="int32")
    >>> draw_segmentation_masks(images, masks, num_classes=2, blend=False)[0, 0, 0].tolist()
    [1, 127, 31]
"""

from kerastorch.visualization.drawing import draw_bounding_boxes, draw_segmentation_masks
from kerastorch.visualization.plotting import (
    plot_bounding_box_gallery,
    plot_image_gallery,
    plot_segmentation_mask_gallery,
)

__all__ = [
    "draw_bounding_boxes",
    "draw_segmentation_masks",
    "plot_bounding_box_gallery",
    "plot_image_gallery",
    "plot_segmentation_mask_gallery",
]


def __dir__():
    return sorted(__all__)
