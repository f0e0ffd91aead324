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

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Protocol

from kerastorch.distribution.data_parallel import is_chief_process
from kerastorch.layers.base import Layer
from kerastorch.saving import saving_lib, weights_file
from kerastorch.saving.h5_legacy_model import is_keras2_h5_model, load_keras2_h5_model
from kerastorch.saving.load_status import LoadStatus
from kerastorch.saving.safe_archive import read_archive, write_archive
from kerastorch.saving.tf_saved_model import is_saved_model, load_saved_model

__all__ = ["save_model", "load_model", "save_weights", "load_weights"]

if TYPE_CHECKING:

    class _SavesWeights(Protocol):
        """A model (kerastorch.models sits above saving): what ``save_weights`` calls."""

        def save_weights(self, filepath: Any, overwrite: bool = ...) -> Any: ...


_WEIGHT_SUFFIXES = (".safetensors", ".weights.h5")
_LEGACY_SUFFIXES = (".h5", ".hdf5")


def _fspath(filepath, what):
    if not isinstance(filepath, (str, os.PathLike)):
        raise TypeError(f"{what}: filepath must be a str or os.PathLike, received {type(filepath).__name__}")
    return os.fspath(filepath)


def save_model(
    model: Layer,
    filepath: str | os.PathLike[str],
    overwrite: bool = True,
    zipped: bool | None = None,
    weights_format: str = "safetensors",
) -> None:
    """Save ``model`` whole: a zip archive for a ``.keras`` path, else a folder (``zipped=False``
    keeps even a ``.keras`` path a folder). ``weights_format="h5"`` stores the weights and the
    optimizer state in Keras 3's ``model.weights.h5`` layout (needs h5py), so Keras 3 loads it.

    The archive (or folder) holds the config, the weights, the compile information and the optimizer
    state; the write is atomic. ``model.save(filepath)`` calls it.

    Args:
        model: The kerastorch model (or layer) to save.
        filepath: String or path-like: a path ending in ``.keras`` for one zip archive, any other path for
            a folder.
        overwrite: Bool, whether to replace an existing file or folder at ``filepath``.
            Defaults to ``True``.
        zipped: Bool or None, whether to write a zip archive; None zips exactly the ``.keras`` paths.
            Defaults to None.
        weights_format: ``"safetensors"`` or ``"h5"`` (Keras 3's layout, readable by Keras 3), the format
            of the weights member. Defaults to ``"safetensors"``.

    Raises:
        TypeError: If ``filepath`` is not a string or path, or ``model`` is not a kerastorch layer.
        ValueError: If ``zipped=True`` without a ``.keras`` path, or ``filepath`` ends in a weights or
            legacy HDF5 suffix (``.safetensors``, ``.weights.h5``, ``.h5``, ``.hdf5``).
        FileExistsError: If ``filepath`` exists and ``overwrite=False``, or is a TensorFlow SavedModel
            folder (never replaced).

    >>> import kerastorch as keras
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> save_model(model, "model.keras")
    >>> save_model(model, "my_model")            # a folder
    >>> sorted(os.listdir("my_model"))
    ['config.json', 'metadata.json', 'model.weights.safetensors']
    >>> save_model(model, "for_keras.keras", weights_format="h5")
    """
    path = _fspath(filepath, "save_model")
    if not isinstance(model, Layer):
        raise TypeError(f"save_model: expected a kerastorch model, received {type(model).__name__}")
    if zipped is None:
        zipped = path.endswith(".keras")
    if zipped and not path.endswith(".keras"):
        raise ValueError(
            f'save_model: a zipped archive needs a path ending in ".keras", received {path!r}; '
            "pass zipped=False to save a folder"
        )
    if path.endswith(_WEIGHT_SUFFIXES):
        raise ValueError(
            f"save_model: {path!r} names a weights file; use model.save_weights(path) for weights, "
            'or a ".keras" path or a folder for the whole model'
        )
    if path.endswith(_LEGACY_SUFFIXES):
        raise ValueError(
            f"save_model: the legacy Keras HDF5 model format ({path!r}) is not written; use a "
            '".keras" path (with weights_format="h5" for Keras 3) or a folder'
        )
    if not overwrite and os.path.lexists(path):
        raise FileExistsError(f"save_model: {path!r} exists and overwrite=False")
    if is_saved_model(path):  # a tf.keras 2 SavedModel is not ours: never replaced
        raise FileExistsError(
            f"save_model: {path!r} is a TensorFlow SavedModel folder; a save replaces only a "
            'folder it wrote itself. Choose a new path, or a name ending in ".keras" for one file'
        )
    if not is_chief_process():  # data-parallel training (keras.distribution): process 0 writes the file
        return
    members = saving_lib.model_to_members(model, weights_format=weights_format)
    write_archive(path, members, zipped=zipped, own_names=saving_lib.SAVED_MODEL_NAMES)


def load_model(
    filepath: str | os.PathLike[str],
    custom_objects: dict[str, Any] | None = None,
    compile: bool = True,
    safe_mode: bool = True,
) -> Any:
    """Load a model saved by :func:`save_model` (a ``.keras`` archive or a folder), a Keras 3
    ``.keras`` archive, or a tf.keras 2 model: a whole-model ``.h5`` file or a SavedModel folder
    (:mod:`kerastorch.saving.h5_legacy_model`, :mod:`kerastorch.saving.tf_saved_model`). Classes come
    only from the registry and ``custom_objects``; a Lambda's Python code is refused unless
    ``safe_mode=False``. ``compile=False`` skips the compile information and the optimizer state.

    Args:
        filepath: String or path-like, the ``.keras`` archive, saved folder, ``.h5`` model file or
            SavedModel folder to read.
        custom_objects: Dict or None, ``{name: class or function}`` for the objects in the config that
            are not built-in or registered. Defaults to None.
        compile: Bool, whether to compile the loaded model with the saved compile information and
            restore its optimizer state. Defaults to ``True``.
        safe_mode: Bool, whether to refuse Python byte code in the config (``Lambda`` layers' lambdas);
            pass ``False`` only for files from a source you trust. Defaults to ``True``.

    Returns:
        The loaded model, with its weights (and, with ``compile``, its optimizer and compile settings).

    Raises:
        TypeError: If ``filepath`` is not a string or path, or ``custom_objects`` is not a dict.
        ValueError: If ``filepath`` is a weights file rather than a saved model, a config names an
            unknown class, or safe mode refuses byte code.
        FileNotFoundError: If there is nothing at ``filepath``.

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
    path = _fspath(filepath, "load_model")
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise TypeError(f"load_model: custom_objects must be a dict, received {type(custom_objects).__name__}")
    if path.endswith(_WEIGHT_SUFFIXES) and not os.path.isdir(path):
        raise ValueError(
            f"load_model: {path!r} is a weights file, not a saved model; build the model and call "
            "model.load_weights(path)"
        )
    if path.endswith(_LEGACY_SUFFIXES) and not os.path.isdir(path):
        if not os.path.exists(path):
            raise FileNotFoundError(f"load_model: no file at {path!r}")
        if is_keras2_h5_model(path):  # tf.keras 2's model.save("m.h5")
            return load_keras2_h5_model(path, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)
        raise ValueError(
            f"load_model: {path!r} is a legacy Keras HDF5 weights file (no model_config). "
            "Build the model and call model.load_weights(path) to load its weights"
        )
    if is_saved_model(path):  # tf.keras 2's model.save("my_model")
        return load_saved_model(path, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)
    members = read_archive(path, wanted=saving_lib.is_model_member)
    return saving_lib.model_from_members(
        members, path, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode
    )


def save_weights(model: _SavesWeights, filepath: str | os.PathLike[str], overwrite: bool = True, **kwargs: Any) -> None:
    """``model.save_weights(filepath)``: ``.safetensors`` (keyed by weight path) or ``.weights.h5``.

    The format follows the file name (see :mod:`kerastorch.saving.weights_file`); the write is atomic.

    Args:
        model: The model whose weights to write.
        filepath: String or path-like, the weights file (``.safetensors`` or ``.weights.h5``), or any other
            name as a TensorFlow checkpoint prefix (tf.keras 2's ``save_weights("ckpt")``).
        overwrite: Bool, whether to replace an existing file. Defaults to ``True``.
        **kwargs: Not accepted: any keyword raises ``TypeError``.

    Raises:
        TypeError: For any keyword in ``kwargs``.
        FileExistsError: If the file exists and ``overwrite=False``.
        ValueError: If the file name has a suffix that is not a weights format (``.h5``, ``.keras`` ...).

    >>> import kerastorch as keras
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> save_weights(model, "model.weights.safetensors")
    >>> os.path.exists("model.weights.safetensors")
    True
    """
    if kwargs:
        raise TypeError(f"save_weights: unexpected arguments {sorted(kwargs)}")
    model.save_weights(filepath, overwrite=overwrite)


def load_weights(
    model: Layer, filepath: str | os.PathLike[str], skip_mismatch: bool = False, **kwargs: Any
) -> LoadStatus:
    """``model.load_weights(filepath)``; returns the load status (see :mod:`kerastorch.saving.weights_file`).

    Args:
        model: The built model to load the weights into.
        filepath: String or path-like: a ``.safetensors``, ``.weights.h5`` or legacy ``.h5``/``.hdf5``
            file, a ``.keras`` archive or saved folder (its weights are read), a TensorFlow checkpoint
            prefix (``ckpt`` for ``ckpt.index``) or a tf.keras 2 SavedModel folder.
        skip_mismatch: Bool, whether to skip (with a warning) the weights whose shape or dtype does not
            fit, and the model weights the file lacks, instead of raising. Defaults to ``False``.
        **kwargs: Only ``by_name`` (bool): match a legacy Keras HDF5 file's layers by name instead of
            by order.

    Returns:
        A ``LoadStatus``: ``assert_consumed()`` raises unless every model weight was loaded and every
        file weight used; ``expect_partial()`` declares a partial load intended.

    Raises:
        TypeError: For a keyword other than ``by_name``.
        ValueError: If the file does not fit the model (a missing or mismatched weight without
            ``skip_mismatch``), has an unknown suffix, or ``by_name`` is used with another format.
        FileNotFoundError: If there is no file at ``filepath``.

    >>> import kerastorch as keras
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> save_weights(model, "model.weights.safetensors")
    >>> load_weights(model, "model.weights.safetensors").assert_consumed()
    """
    unknown = sorted(set(kwargs) - {"by_name"})
    if unknown:
        raise TypeError(f"load_weights: unexpected arguments {unknown}")
    return weights_file.load_weights(model, filepath, skip_mismatch=skip_mismatch, **kwargs)
