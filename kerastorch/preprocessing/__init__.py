"""``keras.preprocessing``: Keras 3's legacy namespace for the data helpers that now live in ``keras.utils``.

The same functions as ``keras.utils`` (identical objects): ``image_dataset_from_directory``,
``text_dataset_from_directory``, ``timeseries_dataset_from_array``, and the submodules ``image``
(``array_to_img``, ``img_to_array``, ``load_img``, ``save_img``, ``smart_resize``) and ``sequence``
(``pad_sequences``). Keras 3 has no ``keras.preprocessing.text``; use ``keras.layers.TextVectorization``.

Example:
    >>> import kerastorch as keras
    >>> keras.preprocessing.sequence.pad_sequences([[1, 2], [3]])
    array([[1, 2],
           [0, 3]], dtype=int32)
    >>> keras.preprocessing.image.smart_resize is keras.utils.smart_resize
    True
"""

from kerastorch.preprocessing import image, sequence
from kerastorch.utils.image_dataset_utils import image_dataset_from_directory
from kerastorch.utils.text_dataset_utils import text_dataset_from_directory
from kerastorch.utils.timeseries_dataset_utils import timeseries_dataset_from_array

__all__ = [
    "image",
    "image_dataset_from_directory",
    "sequence",
    "text_dataset_from_directory",
    "timeseries_dataset_from_array",
]


def __dir__():
    return sorted(__all__)
