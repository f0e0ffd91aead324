"""tf.keras 2 SavedModel folders (``model.save("my_model")`` in tf.keras 2), loaded without TensorFlow.

A SavedModel folder holds ``saved_model.pb`` (the traced TensorFlow graphs, not read here), ``variables/``
(a TensorFlow checkpoint: ``variables.index`` and ``variables.data-*``) and, when tf.keras wrote it,
``keras_metadata.pb``: a ``SavedMetadata`` protocol buffer listing the saved Keras objects, each with its
``node_path`` (``root``, ``root.layer_with_weights-0``...), an identifier (``_tf_keras_sequential``...) and its
metadata as JSON. The root's metadata holds ``model_config`` (the architecture) and ``training_config``.

:func:`load_saved_model` rebuilds the model from ``model_config`` (translated by
:mod:`kerastorch.saving.keras2_config`, classes through the registry only, layers built under a budget of what
``variables/`` can fill), compiles it from ``training_config``, then loads the weights and the optimizer state
from ``variables/`` (:mod:`kerastorch.saving.tf_checkpoint`). A subclassed tf.keras model stores no
architecture (only traced graphs): it is refused with a message saying to rebuild it and call
``load_weights(folder)``, which reads ``variables/``. Every size is bounded (``MAX_METADATA_BYTES``) and the
metadata is parsed strictly.

Saving never writes this format: ``model.save("my_model")`` writes kerastorch's folder, and a folder that holds
a SavedModel is not one of ours, so a save refuses to replace it.

Example:
    >>> from kerastorch.saving import protobuf_wire as pb
    >>> node = pb.bytes_field(3, "root") + pb.bytes_field(4, "_tf_keras_sequential") + pb.bytes_field(5, "{}")
    >>> [entry["node_path"] for entry in read_keras_metadata(pb.bytes_field(1, node), "demo")]
    ['root']
"""

from __future__ import annotations

import os
from typing import Any

from kerastorch.backend.weight_budget import weight_budget
from kerastorch.layers.base import Layer
from kerastorch.saving import protobuf_wire as pb
from kerastorch.saving import tf_checkpoint
from kerastorch.saving.keras2_config import compile_from_training_config, model_from_keras2_config
from kerastorch.saving.load_status import LoadStatus
from kerastorch.saving.safe_archive import load_json

__all__ = [
    "is_saved_model",
    "load_saved_model",
    "load_saved_model_weights",
    "read_keras_metadata",
    "MAX_METADATA_BYTES",
    "SAVED_MODEL_MARKERS",
]

MAX_METADATA_BYTES = 64 * 1024**2
METADATA_FILE = "keras_metadata.pb"
SAVED_MODEL_MARKERS = ("saved_model.pb", "saved_model.pbtxt", METADATA_FILE)
_MODEL_IDENTIFIERS = ("_tf_keras_sequential", "_tf_keras_network", "_tf_keras_model")
_UNSAVED_WEIGHTS_ALLOWANCE = 16 * 1024**2


def is_saved_model(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a TensorFlow SavedModel folder (it holds ``saved_model.pb`` or ``keras_metadata.pb``).

    >>> is_saved_model("no_such_folder")
    False
    """
    path = os.fspath(path)
    return os.path.isdir(path) and any(os.path.isfile(os.path.join(path, name)) for name in SAVED_MODEL_MARKERS)


def _variables_prefix(path):
    return os.path.join(path, "variables", "variables")


def load_saved_model_weights(model: Layer, path: str | os.PathLike[str], skip_mismatch: bool = False) -> LoadStatus:
    """Load the weights (and optimizer state) of a SavedModel's ``variables/`` checkpoint into ``model``.

    Args:
        model: the kerastorch model.
        path: str or path-like: the SavedModel folder.
        skip_mismatch: bool, default False: skip weights whose shape does not fit, with a warning.

    Returns:
        LoadStatus: see :func:`kerastorch.saving.tf_checkpoint.load_checkpoint`.
    """
    path = os.fspath(path)
    prefix = _variables_prefix(path)
    if not tf_checkpoint.is_checkpoint(prefix):
        raise FileNotFoundError(f"TensorFlow SavedModel {path!r} has no variables/variables.index")
    return tf_checkpoint.load_checkpoint(
        model, prefix, skip_mismatch=skip_mismatch, source=f"TensorFlow SavedModel {path!r} (variables/)"
    )


def read_keras_metadata(data: bytes, what: str) -> list[dict[str, Any]]:
    """The saved Keras objects of a ``keras_metadata.pb`` (``SavedMetadata``), checked.

    Args:
        data: bytes: the file's contents.
        what: str: what it is (named in errors).

    Returns:
        list of dict: per object ``node_id``, ``node_path``, ``identifier`` and ``metadata`` (the JSON text).

    Raises:
        ValueError: malformed data.
    """
    if len(data) > MAX_METADATA_BYTES:
        raise ValueError(f"{what} is {len(data)} bytes; the limit is MAX_METADATA_BYTES={MAX_METADATA_BYTES}")
    return [
        {"node_id": node.int(2), "node_path": node.string(3), "identifier": node.string(4), "metadata": node.string(5)}
        for node in pb.parse(data, what).messages(1)
    ]


def _root_metadata(path):
    metadata_path = os.path.join(path, METADATA_FILE)
    if not os.path.isfile(metadata_path):
        raise ValueError(
            f"load_model: {path!r} is a TensorFlow SavedModel without {METADATA_FILE}: it was not "
            "written by tf.keras 2's model.save, and its TensorFlow graphs cannot run here. Rebuild "
            "the model in kerastorch and call model.load_weights(path) to read its variables"
        )
    what = f"{metadata_path!r}"
    with open(metadata_path, "rb") as f:
        data = f.read(MAX_METADATA_BYTES + 1)
    roots = [node for node in read_keras_metadata(data, what) if node["node_path"] == "root"]
    if len(roots) != 1:
        raise ValueError(f"load_model: {what} is corrupt: it lists {len(roots)} root objects")
    root = roots[0]
    metadata = load_json(root["metadata"].encode("utf-8"), f"{what} (root metadata)")
    if not isinstance(metadata, dict):
        raise ValueError(f"load_model: {what} is corrupt: the root's metadata is not a JSON object")
    if root["identifier"] not in _MODEL_IDENTIFIERS:
        raise ValueError(f"load_model: {what} describes a {root['identifier']!r}, not a Keras model")
    if not isinstance(metadata.get("model_config"), dict):
        raise ValueError(
            f"load_model: {path!r} holds a subclassed tf.keras model ({metadata.get('class_name')!r}), "
            "whose architecture is saved only as TensorFlow graphs. Rebuild the model in kerastorch and "
            "call model.load_weights(path) to read its variables"
        )
    return metadata, what


def _budget(prefix):
    """The weight budget of the rebuilt model: what the variables' data files can fill."""
    folder = os.path.dirname(prefix)
    size = sum(
        os.path.getsize(os.path.join(folder, name)) for name in os.listdir(folder) if name.startswith("variables.data-")
    )
    return weight_budget(size + _UNSAVED_WEIGHTS_ALLOWANCE, f"the SavedModel's variables can fill ({size} bytes)")


def load_saved_model(
    path: str | os.PathLike[str],
    custom_objects: dict[str, Any] | None = None,
    compile: bool = True,
    safe_mode: bool = True,
) -> Any:
    """Load a tf.keras 2 SavedModel folder as a kerastorch model (architecture, weights, training config,
    optimizer state).

    Args:
        path: str or path-like: the SavedModel folder.
        custom_objects: dict or None: the user's classes and functions by name.
        compile: bool, default True: compile from the training config and restore the optimizer state.
        safe_mode: bool, default True: refuse stored byte code (Keras 2 Lambda functions).

    Returns:
        the model.

    Raises:
        ValueError: no ``keras_metadata.pb``, a subclassed model, an untranslatable or unknown layer (named), or
            a corrupt file.
    """
    path = os.fspath(path)
    metadata, what = _root_metadata(path)
    prefix = _variables_prefix(path)
    if not tf_checkpoint.is_checkpoint(prefix):
        raise ValueError(f"load_model: TensorFlow SavedModel {path!r} has no variables/variables.index")
    where = f"load_model: {what} model_config"
    with _budget(prefix):
        model = model_from_keras2_config(metadata["model_config"], where, custom_objects, safe_mode)
    training_config = metadata.get("training_config")
    if compile and training_config:
        compile_from_training_config(model, training_config, f"load_model: {what} training_config", custom_objects)
    optimizer = getattr(model, "optimizer", None) if compile else None
    status = tf_checkpoint.load_checkpoint(
        model, prefix, optimizer=optimizer, source=f"TensorFlow SavedModel {path!r} (variables/)"
    )
    status.assert_existing_objects_matched()
    status.expect_partial()  # the metrics' state and tf.keras's own bookkeeping are not model weights
    return model
