"""``keras.saving``: the object registry, config (de)serialization, and whole-model files."""

from kerastorch.saving.file_editor import KerasFileEditor
from kerastorch.saving.saving_api import load_model, load_weights, save_model, save_weights
from kerastorch.serialization.object_registration import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from kerastorch.serialization.serialization_lib import deserialize_keras_object, serialize_keras_object

__all__ = [
    "CustomObjectScope",
    "KerasFileEditor",
    "custom_object_scope",
    "deserialize_keras_object",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "load_model",
    "load_weights",
    "register_keras_serializable",
    "save_model",
    "save_weights",
    "serialize_keras_object",
]


def __dir__():
    return sorted(__all__)
