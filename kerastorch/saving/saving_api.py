"""``keras.saving.save_model`` / ``load_model`` (also ``keras.models.*`` and ``Model.save``), and
the function forms of ``save_weights`` / ``load_weights``.

``save_model(model, "model.keras")`` writes one zip archive; any other path (or ``zipped=False``)
a folder holding the same members. Both hold the architecture, the weights, the compile
information and the optimizer state, so ``load_model`` returns a model that continues ``fit``
where the saved one stopped. Writes are atomic: an interrupted save leaves the previous
archive or folder intact. See :mod:`kerastorch.saving.saving_lib` for the members.

Example:
    >>> import numpy as np
    >>> import kerastorch as keras
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> model.compile(optimizer="adam", loss="mse")
    >>> save_model(model, "model.keras")
    >>> loaded = load_model("model.keras")
    >>> x = np.ones((1, 3), "float32")
    >>> bool(np.allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0)))
    True
    >>> type(loaded.optimizer).__name__, int(loaded.optimizer.iterations)
    ('Adam', 0)
"""
import os

from kerastorch.saving import saving_lib, weights_file

__all__ = ["save_model", "load_model", "save_weights", "load_weights"]

_WEIGHT_SUFFIXES = (".safetensors", ".weights.h5")
_LEGACY_SUFFIXES = (".h5", ".hdf5")


def _fspath(filepath, what):
    if not isinstance(filepath, (str, os.PathLike)):
        raise TypeError(f"{what}: filepath must be a str or os.PathLike, received {type(filepath).__name__}")
    return os.fspath(filepath)


def save_model(model, filepath, overwrite=True, zipped=None, weights_format="safetensors"):
    """Save ``model`` whole: a zip archive for a ``.keras`` path, else a folder (``zipped=False``
    keeps even a ``.keras`` path a folder). ``weights_format="h5"`` stores the weights and the
    optimizer state in Keras 3's ``model.weights.h5`` layout (needs h5py), so Keras 3 loads it.

    >>> import kerastorch as keras
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> save_model(model, "model.keras")
    >>> save_model(model, "my_model")            # a folder
    >>> sorted(os.listdir("my_model"))
    ['config.json', 'metadata.json', 'model.weights.safetensors']
    >>> save_model(model, "for_keras.keras", weights_format="h5")
    """
    from kerastorch.layers.base import Layer

    path = _fspath(filepath, "save_model")
    if not isinstance(model, Layer):
        raise TypeError(f"save_model: expected a kerastorch model, received {type(model).__name__}")
    if zipped is None:
        zipped = path.endswith(".keras")
    if zipped and not path.endswith(".keras"):
        raise ValueError(f'save_model: a zipped archive needs a path ending in ".keras", received {path!r}; '
                         "pass zipped=False to save a folder")
    if path.endswith(_WEIGHT_SUFFIXES):
        raise ValueError(f"save_model: {path!r} names a weights file; use model.save_weights(path) for weights, "
                         'or a ".keras" path or a folder for the whole model')
    if path.endswith(_LEGACY_SUFFIXES):
        raise ValueError(f"save_model: the legacy Keras HDF5 model format ({path!r}) is not written; use a "
                         '".keras" path (with weights_format="h5" for Keras 3) or a folder')
    if not overwrite and os.path.lexists(path):
        raise FileExistsError(f"save_model: {path!r} exists and overwrite=False")
    members = saving_lib.model_to_members(model, weights_format=weights_format)
    from kerastorch.saving.safe_archive import write_archive

    write_archive(path, members, zipped=zipped, own_names=saving_lib.SAVED_MODEL_NAMES)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Load a model saved by :func:`save_model` (a ``.keras`` archive or a folder), or a Keras 3
    ``.keras`` archive. Classes come only from the registry and ``custom_objects``; a Lambda's
    Python code is refused unless ``safe_mode=False``. ``compile=False`` skips the compile
    information and the optimizer state.

    >>> import kerastorch as keras
    >>> save_model(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]), "model.keras")
    >>> model = load_model("model.keras")
    >>> class MyLayer(keras.layers.Layer):     # not registered: load_model needs custom_objects
    ...     def call(self, x):
    ...         return x + 1
    >>> save_model(keras.Sequential([keras.Input((3,)), MyLayer()]), "my_model")
    >>> model = load_model("my_model", custom_objects={"MyLayer": MyLayer})
    >>> [type(layer).__name__ for layer in model.layers]
    ['MyLayer']
    """
    from kerastorch.saving.safe_archive import read_archive

    path = _fspath(filepath, "load_model")
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise TypeError(f"load_model: custom_objects must be a dict, received {type(custom_objects).__name__}")
    if path.endswith(_WEIGHT_SUFFIXES) and not os.path.isdir(path):
        raise ValueError(f"load_model: {path!r} is a weights file, not a saved model; build the model and call "
                         "model.load_weights(path)")
    if path.endswith(_LEGACY_SUFFIXES) and not os.path.isdir(path):
        raise ValueError(f"load_model: {path!r} is a legacy Keras HDF5 file; whole legacy models are not read. "
                         "Build the model and call model.load_weights(path) to load its weights")
    members = read_archive(path, wanted=saving_lib.is_model_member)
    return saving_lib.model_from_members(members, path, custom_objects=custom_objects, compile=compile,
                                         safe_mode=safe_mode)


def save_weights(model, filepath, overwrite=True, **kwargs):
    """``model.save_weights(filepath)``: ``.safetensors`` (keyed by weight path) or ``.weights.h5``."""
    if kwargs:
        raise TypeError(f"save_weights: unexpected arguments {sorted(kwargs)}")
    model.save_weights(filepath, overwrite=overwrite)


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    """``model.load_weights(filepath)``; returns the load status (see :mod:`kerastorch.saving.weights_file`)."""
    unknown = sorted(set(kwargs) - {"by_name"})
    if unknown:
        raise TypeError(f"load_weights: unexpected arguments {unknown}")
    return weights_file.load_weights(model, filepath, skip_mismatch=skip_mismatch, **kwargs)
