"""``keras.preprocessing.image``: the image helpers of ``keras.utils`` under their legacy names.

``array_to_img``, ``img_to_array``, ``load_img``, ``save_img`` and ``smart_resize`` are the functions of
:mod:`kerastorch.utils.image_utils` (identical objects).

Example:
    >>> import numpy as np
    >>> img_to_array(array_to_img(np.zeros((4, 6, 3), "float32"))).shape
    (4, 6, 3)
    >>> smart_resize(np.zeros((8, 4, 3), "float32"), (2, 2)).shape
    (2, 2, 3)
"""

from kerastorch.utils.image_utils import array_to_img, img_to_array, load_img, save_img, smart_resize

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img", "smart_resize"]


def __dir__():
    return sorted(__all__)
