"""Whole-model files: the members of a saved model, and a model rebuilt from them.

A saved model is a set of members, stored by :mod:`kerastorch.saving.safe_archive` as one zip
archive (``.keras``) or as a folder:

- ``config.json``: ``serialize_keras_object(model)`` in Keras 3's format, with the model's
  ``"build_config"`` and ``"compile_config"`` (optimizer, losses, metrics);
- ``metadata.json``: ``keras_version``, ``kerastorch_version``, ``date_saved``, ``format``;
- ``assets/layers/<name>/...``: the files a layer's ``save_assets(folder)`` wrote (vocabularies ...), for
  each layer that has the method (nested models add ``layers/<name>`` levels); loading hands the folder to
  its ``load_assets(folder)`` after the weights are in place, as Keras 3 does;
- ``model.weights.safetensors``: the weights keyed by weight path (see
  :mod:`kerastorch.saving.weights_file`), and ``optimizer.safetensors``: the optimizer state
  (``optimizer.state_dict()``), when the model is compiled with a kerastorch optimizer that has
  been built; or, with ``weights_format="h5"``, both in ``model.weights.h5`` in Keras 3's layout
  (:mod:`kerastorch.saving.h5_format`), which makes an archive Keras 3 itself loads.

Loading reads the archive through ``safe_archive.read_archive`` (limits, strict member names),
parses the JSON with ``safe_archive.load_json`` and rebuilds the model through the registry only
(:func:`kerastorch.saving.deserialize_keras_object`, in safe mode unless told otherwise). The
weights are matched in full before any is written. Keras 3 ``.keras`` archives
(``model.weights.h5``) load the same way.

Example:
    >>> import kerastorch as keras
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> members = model_to_members(model)
    >>> sorted(members)
    ['config.json', 'metadata.json', 'model.weights.safetensors']
    >>> clone = model_from_members(members, "in memory")
    >>> [w.shape for w in clone.get_weights()]
    [(3, 2), (2,)]
"""

from __future__ import annotations

import datetime
import io
import json
import os
import tempfile
import warnings
from typing import Any

import torch

from kerastorch._version import __version__
from kerastorch.backend.weight_budget import weight_budget
from kerastorch.layers.base import Layer
from kerastorch.optimizers.base import Optimizer
from kerastorch.saving import h5_format, safe_archive, weights_file
from kerastorch.serialization.object_registration import custom_object_scope
from kerastorch.serialization.serialization_lib import SafeModeScope, deserialize_keras_object, serialize_keras_object

__all__ = [
    "model_to_members",
    "model_from_members",
    "CONFIG_MEMBER",
    "METADATA_MEMBER",
    "WEIGHTS_MEMBER",
    "H5_WEIGHTS_MEMBER",
    "OPTIMIZER_MEMBER",
    "FORMAT",
    "KERAS_VERSION",
    "SAVED_MODEL_NAMES",
    "is_model_member",
]

CONFIG_MEMBER = "config.json"
METADATA_MEMBER = "metadata.json"
WEIGHTS_MEMBER = weights_file.SAFETENSORS_MEMBER
H5_WEIGHTS_MEMBER = "model.weights.h5"
OPTIMIZER_MEMBER = "optimizer.safetensors"
ASSETS_FOLDER = "assets"
FORMAT = "kerastorch.model/1"
KERAS_VERSION = "3.15.1"  # the Keras 3 file format these archives follow
WEIGHTS_FORMATS = ("safetensors", "h5")
_OPTIMIZER_FORMAT = "kerastorch.optimizer"
# What a saved model is made of: a folder save replaces only a folder holding nothing else, and loading
# reads nothing else.
# A loaded model's weights may take at most what its weights file can fill (plus a little for weights that
# are not saved, such as metric state), and never more than this cap (bytes; raise it for larger models).
MAX_WEIGHTS_BYTES = 8 * 1024**3
UNSAVED_WEIGHTS_ALLOWANCE = 16 * 1024**2
SAVED_MODEL_NAMES = frozenset(
    {CONFIG_MEMBER, METADATA_MEMBER, WEIGHTS_MEMBER, H5_WEIGHTS_MEMBER, OPTIMIZER_MEMBER, ASSETS_FOLDER}
)


def is_model_member(name: str) -> bool:
    """Whether a saved model's member ``name`` is one the loader reads.

    Args:
        name: str: a member name (``config.json``, ``assets/vocabulary.txt`` ...).

    Returns:
        bool: True for the config, metadata, weights, optimizer and asset members.

    >>> is_model_member("config.json"), is_model_member("assets/vocab.txt"), is_model_member("junk.bin")
    (True, True, False)
    """
    return name in SAVED_MODEL_NAMES or name.startswith(ASSETS_FOLDER + "/")


# --------------------------------------------------------------------------- writing
def model_to_members(model: Layer, weights_format: str = "safetensors") -> dict[str, bytes]:
    """``{member name: bytes}`` of a saved ``model`` (see the module docstring)."""
    if weights_format not in WEIGHTS_FORMATS:
        raise ValueError(
            f"save_model: weights_format must be one of {list(WEIGHTS_FORMATS)}, received {weights_format!r}"
        )
    optimizer = _saved_optimizer(model)
    config = serialize_keras_object(model)
    metadata = {
        "keras_version": KERAS_VERSION,
        "kerastorch_version": __version__,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
        "format": FORMAT,
    }
    members = {METADATA_MEMBER: _json_bytes(metadata), CONFIG_MEMBER: _json_bytes(config)}
    members.update(_asset_members(model))
    if weights_format == "h5":
        members[H5_WEIGHTS_MEMBER] = h5_format.write_keras_weights_h5(model, None, optimizer=optimizer)
        return members
    members[WEIGHTS_MEMBER] = weights_file.weights_bytes(model)
    if optimizer is not None:
        members[OPTIMIZER_MEMBER] = _optimizer_bytes(optimizer)
    return members


def _layers_with_paths(model):
    """``(folder, layer)`` for ``model`` (folder ``""``) and every layer inside it, Keras 3's asset folders:
    ``layers/<name>``, one level per nested model or layer."""
    found, seen = [], set()

    def visit(layer, folder):
        if id(layer) in seen:
            return
        seen.add(id(layer))
        found.append((folder, layer))
        for child in layer._flatten_layers(include_self=False, recursive=False):
            visit(child, f"{folder}layers/{child.name}/")

    visit(model, "")
    return found


def _asset_members(model):
    """``{"assets/<folder>/<file>": bytes}`` of every layer's ``save_assets(folder)``."""
    members = {}
    for folder, layer in _layers_with_paths(model):
        if not callable(getattr(layer, "save_assets", None)):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            layer.save_assets(tmp)
            for root, _, files in os.walk(tmp):
                for name in files:
                    path = os.path.join(root, name)
                    relative = os.path.relpath(path, tmp).replace(os.sep, "/")
                    with open(path, "rb") as f:
                        members[f"{ASSETS_FOLDER}/{folder}{relative}"] = f.read()
    return members


def _load_assets(model, members):
    """Hand each layer with ``load_assets`` a folder holding what its ``save_assets`` wrote."""
    for folder, layer in _layers_with_paths(model):
        if not callable(getattr(layer, "load_assets", None)):
            continue
        prefix = f"{ASSETS_FOLDER}/{folder}"
        with tempfile.TemporaryDirectory() as tmp:
            for name, data in members.items():
                relative = name[len(prefix) :] if name.startswith(prefix) else None
                if relative and not relative.startswith("layers/"):  # not the file of a layer inside this one
                    path = os.path.join(tmp, *relative.split("/"))
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    with open(path, "wb") as f:
                        f.write(data)
            layer.load_assets(tmp)


def _json_bytes(value):
    return json.dumps(value, indent=2, allow_nan=False).encode("utf-8")


def _saved_optimizer(model):
    """The optimizer whose state is saved: a built kerastorch optimizer of a compiled model."""
    optimizer = getattr(model, "optimizer", None) if getattr(model, "compiled", False) else None
    if optimizer is None:
        return None
    if not isinstance(optimizer, Optimizer):
        warnings.warn(
            f'save_model: model "{model.name}" is compiled with a torch.optim optimizer '
            f"({type(optimizer).__name__}), which has no Keras config; the model is saved without "
            "its compile information and optimizer state, and loads uncompiled.",
            stacklevel=4,
        )
        return None
    return optimizer if optimizer.built else None


def _optimizer_bytes(optimizer):
    from safetensors.torch import save

    state = {key: torch.as_tensor(value).detach().cpu().contiguous() for key, value in optimizer.state_dict().items()}
    metadata = {"format": _OPTIMIZER_FORMAT, "class_name": type(optimizer).__name__, "order": json.dumps(list(state))}
    return save(state, metadata=metadata)


# --------------------------------------------------------------------------- reading
def model_from_members(
    members: dict[str, bytes],
    source: str,
    custom_objects: dict[str, Any] | None = None,
    compile: bool = True,
    safe_mode: bool = True,
) -> Layer:
    """Rebuild the model saved in ``members`` (``{name: bytes}`` from ``read_archive``).

    ``source`` names the archive in error messages. With ``compile=False`` the compile
    information and the optimizer state are ignored.
    """
    if CONFIG_MEMBER not in members:
        raise ValueError(
            f"load_model: {source} is not a saved model: it has no {CONFIG_MEMBER} (members: {sorted(members)[:10]})"
        )
    if METADATA_MEMBER in members:
        metadata = safe_archive.load_json(members[METADATA_MEMBER], f"{source}/{METADATA_MEMBER}")
        if not isinstance(metadata, dict):
            raise ValueError(
                f"load_model: {source}/{METADATA_MEMBER} must hold a JSON object, received {type(metadata).__name__}"
            )
    config = safe_archive.load_json(members[CONFIG_MEMBER], f"{source}/{CONFIG_MEMBER}")
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise ValueError(
            f"load_model: {source}/{CONFIG_MEMBER} must hold a serialized model (a JSON object with "
            f"a 'class_name'), received {_describe(config)}"
        )
    config = dict(config)
    compile_config = config.pop("compile_config", None)
    with custom_object_scope(custom_objects or {}), SafeModeScope(safe_mode), _weights_file_budget(members, source):
        model = _deserialize_model(config, source, custom_objects)
        if compile and compile_config:
            _compile(model, compile_config, source)
    _load_weights(model, members, source, compile)
    _load_assets(model, members)
    return model


def _weights_file_budget(members, source):
    """The budget the model's weights are built under: what its weights file can fill, at most the cap."""
    name = WEIGHTS_MEMBER if WEIGHTS_MEMBER in members else H5_WEIGHTS_MEMBER
    if name not in members:
        raise ValueError(
            f"load_model: {source} holds no weights: expected a {WEIGHTS_MEMBER} or {H5_WEIGHTS_MEMBER} member"
        )
    size = len(members[name])
    if size + UNSAVED_WEIGHTS_ALLOWANCE > MAX_WEIGHTS_BYTES:
        return weight_budget(
            MAX_WEIGHTS_BYTES,
            f"MAX_WEIGHTS_BYTES={MAX_WEIGHTS_BYTES} (raise kerastorch.saving.saving_lib.MAX_WEIGHTS_BYTES to load it)",
        )
    return weight_budget(size + UNSAVED_WEIGHTS_ALLOWANCE, f"its weights file {source}/{name} can fill ({size} bytes)")


def _describe(value):
    return f"a JSON {type(value).__name__}" if not isinstance(value, dict) else f"keys {sorted(value)[:10]}"


def _deserialize_model(config, source, custom_objects):
    where = f"load_model: {source}/{CONFIG_MEMBER}"
    try:
        model = deserialize_keras_object(config, custom_objects=custom_objects, printable_module_name="model")
    except (ValueError, TypeError) as error:
        _reraise(error, where)
    except (KeyError, IndexError, AttributeError, RecursionError, RuntimeError) as error:
        raise ValueError(f"{where} is malformed: {type(error).__name__}: {error}") from error
    if not isinstance(model, Layer):
        raise ValueError(f"{where} describes a {type(model).__name__}, not a model")
    return model


def _reraise(error, where):
    """Re-raise ``error`` with ``where`` in front of its message (kerastorch's own error types,
    which already name the file, pass unchanged)."""
    if type(error) in (ValueError, TypeError):
        raise type(error)(f"{where}: {error}") from error
    raise error


def _compile(model, compile_config, source):
    where = f"load_model: {source}/{CONFIG_MEMBER} 'compile_config'"
    if not isinstance(compile_config, dict):
        raise ValueError(f"{where} must be a JSON object, received {_describe(compile_config)}")
    if not hasattr(model, "compile_from_config"):
        return
    try:
        model.compile_from_config(compile_config)
    except (ValueError, TypeError) as error:
        _reraise(error, where)
    except (KeyError, IndexError, AttributeError, RuntimeError) as error:
        raise ValueError(f"{where} is malformed: {type(error).__name__}: {error}") from error


def _load_weights(model, members, source, compile):
    optimizer = getattr(model, "optimizer", None) if compile else None
    if WEIGHTS_MEMBER in members:
        status = weights_file.load_weights_bytes(model, members[WEIGHTS_MEMBER], source=f"{source}/{WEIGHTS_MEMBER}")
        status.assert_consumed()
        if optimizer is not None and OPTIMIZER_MEMBER in members:
            _load_optimizer(model, optimizer, members[OPTIMIZER_MEMBER], f"{source}/{OPTIMIZER_MEMBER}")
    else:  # _weights_file_budget made sure there is one of the two
        h5_format.load_keras_weights_h5(
            model, io.BytesIO(members[H5_WEIGHTS_MEMBER]), skip_mismatch=False, optimizer=optimizer
        )


def _load_optimizer(model, optimizer, data, source):
    from safetensors.torch import load

    if not isinstance(optimizer, Optimizer):
        return
    try:
        state = load(bytes(data))
    except Exception as error:
        raise ValueError(f"load_model: {source} is not a readable safetensors file: {error}") from error
    if not optimizer.built:
        optimizer.build(model.trainable_weights)
    own = optimizer.state_dict()
    for key, tensor in state.items():
        if key in own and tensor.dtype.is_floating_point != own[key].dtype.is_floating_point:
            raise ValueError(
                f"load_model: {source}: optimizer variable {key!r} has dtype {tensor.dtype}, "
                f"the optimizer's has dtype {own[key].dtype}"
            )
    try:
        optimizer.load_state_dict(state)
    except ValueError as error:
        raise ValueError(f"load_model: {source} does not fit the model's optimizer: {error}") from error
