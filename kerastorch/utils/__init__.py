"""``keras.utils``: seeding, one-hot encoding, normalization, sequence padding, serialization helpers,
``get_file``, datasets from folders and time series, ``split_dataset``, and packing ``(x, y, sample_weight)``."""

from kerastorch.backend import clear_session, is_keras_tensor, standardize_dtype
from kerastorch.callbacks.progbar import Progbar
from kerastorch.config import disable_interactive_logging, enable_interactive_logging, is_interactive_logging_enabled
from kerastorch.layers.node import get_source_inputs
from kerastorch.saving.tf_checkpoint import latest_checkpoint
from kerastorch.serialization.object_registration import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from kerastorch.serialization.serialization_lib import deserialize_keras_object, serialize_keras_object
from kerastorch.trainers.data_adapters.py_dataset_adapter import PyDataset
from kerastorch.utils import bounding_boxes
from kerastorch.utils.audio_dataset_utils import audio_dataset_from_directory
from kerastorch.utils.config_utils import Config
from kerastorch.utils.dataset_utils import pack_x_y_sample_weight, split_dataset, unpack_x_y_sample_weight
from kerastorch.utils.feature_space import FeatureSpace
from kerastorch.utils.file_utils import get_file
from kerastorch.utils.image_dataset_utils import image_dataset_from_directory
from kerastorch.utils.image_utils import array_to_img, img_to_array, load_img, save_img, smart_resize
from kerastorch.utils.model_visualization import model_to_dot, plot_model
from kerastorch.utils.numerical_utils import normalize, to_categorical
from kerastorch.utils.rng_utils import set_random_seed
from kerastorch.utils.sequence_utils import pad_sequences
from kerastorch.utils.text_dataset_utils import text_dataset_from_directory
from kerastorch.utils.timeseries_dataset_utils import timeseries_dataset_from_array

Sequence = PyDataset

__all__ = [
    "Config",
    "CustomObjectScope",
    "FeatureSpace",
    "Progbar",
    "PyDataset",
    "Sequence",
    "array_to_img",
    "audio_dataset_from_directory",
    "bounding_boxes",
    "clear_session",
    "custom_object_scope",
    "deserialize_keras_object",
    "disable_interactive_logging",
    "enable_interactive_logging",
    "get_custom_objects",
    "get_file",
    "get_registered_name",
    "get_registered_object",
    "get_source_inputs",
    "image_dataset_from_directory",
    "img_to_array",
    "is_interactive_logging_enabled",
    "is_keras_tensor",
    "latest_checkpoint",
    "load_img",
    "model_to_dot",
    "normalize",
    "pack_x_y_sample_weight",
    "pad_sequences",
    "plot_model",
    "register_keras_serializable",
    "save_img",
    "serialize_keras_object",
    "set_random_seed",
    "smart_resize",
    "split_dataset",
    "standardize_dtype",
    "text_dataset_from_directory",
    "timeseries_dataset_from_array",
    "to_categorical",
    "unpack_x_y_sample_weight",
]


def __dir__():
    return sorted(__all__)
