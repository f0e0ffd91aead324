"""tf.keras 2 whole-model HDF5 files (``model.save("m.h5")`` in Keras 2), loaded as kerastorch models.

Such a file holds, as attributes of its root, ``model_config`` (the architecture as JSON), ``training_config``
(loss, metrics, optimizer config; present when the model was compiled), ``keras_version`` and ``backend``; the
weights in the legacy layout under ``model_weights`` (read by :mod:`kerastorch.saving.h5_legacy`); and, when the
optimizer was saved, ``optimizer_weights`` with a ``weight_names`` attribute:

- tf.keras 2.11+ optimizers: ``iteration:0``, then ``<Optimizer>/<slot>/<variable>:0`` (``Adam/m/dense/kernel:0``);
- legacy optimizers: ``<Optimizer>/iter:0``, then ``<Optimizer>/<variable>/<slot>:0`` (``Adam/dense/kernel/m:0``).

Slots map to the kerastorch optimizer's state (``momentum``, ``velocity``...) through
:data:`kerastorch.saving.tf_checkpoint.KERAS2_SLOTS`, each to the trainable weight of that name (else the one at
that position among the slot's entries, when the shapes agree). The architecture is rebuilt through
:mod:`kerastorch.saving.keras2_config` (classes through the registry only, under a weight budget of what the
file can fill); nothing is written into the model until the whole file has been checked. An optimizer state that
does not fit is skipped with a warning, as Keras 2 did.

Example:
    >>> import h5py, json, numpy as np
    >>> config = {"class_name": "Sequential", "config": {"name": "tiny", "layers": [
    ...     {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 2], "name": "input_1"}},
    ...     {"class_name": "Dense", "config": {"name": "fc", "units": 1}}]}}
    >>> with h5py.File("tiny.h5", "w") as f:
    ...     f.attrs["model_config"] = json.dumps(config)
    ...     weights = f.create_group("model_weights")
    ...     weights.attrs["layer_names"] = [b"fc"]
    ...     group = weights.create_group("fc")
    ...     group.attrs["weight_names"] = [b"fc/kernel:0", b"fc/bias:0"]
    ...     group["fc/kernel:0"] = np.ones((2, 1), "float32")
    ...     group["fc/bias:0"] = np.zeros(1, "float32")
    >>> model = load_keras2_h5_model("tiny.h5")
    >>> model.predict(np.ones((1, 2), "float32"), verbose=0).tolist()
    [[2.0]]
"""

from __future__ import annotations

import os
import warnings
from typing import IO, Any

import torch

from kerastorch.backend.weight_budget import weight_budget
from kerastorch.layers.base import Layer
from kerastorch.optimizers.base import Optimizer
from kerastorch.saving._h5_io import attr_list, child, describe, h5py_module, open_read, read_array
from kerastorch.saving.h5_legacy import load_legacy_h5_weights
from kerastorch.saving.keras2_config import compile_from_training_config, model_from_keras2_config
from kerastorch.saving.safe_archive import load_json
from kerastorch.saving.tf_checkpoint import KERAS2_SLOTS

__all__ = ["is_keras2_h5_model", "load_keras2_h5_model"]

_UNSAVED_WEIGHTS_ALLOWANCE = 16 * 1024**2


def _json_attribute(h5file, name, what):
    if name not in h5file.attrs:
        return None
    value = h5file.attrs[name]
    if isinstance(value, str):
        value = value.encode("utf-8")
    if not isinstance(value, bytes):
        raise ValueError(f"{what}: its {name} attribute is not JSON text")
    return load_json(value, f"{what} {name}")


def is_keras2_h5_model(source: str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes]) -> bool:
    """Whether ``source`` is a whole-model HDF5 file of Keras 2 (it has a ``model_config`` attribute).

    Args:
        source: an open ``h5py.File`` (or group).

    Returns:
        bool.

    >>> import h5py
    >>> with h5py.File("weights_only.h5", "w") as f:
    ...     f.attrs["layer_names"] = []
    >>> is_keras2_h5_model("weights_only.h5")
    False
    """
    with open_read(source) as h5file:
        return "model_config" in h5file.attrs


def _dataset(group, name, what):
    obj = group
    for part in name.split("/"):
        obj = child(obj, part, what) if isinstance(obj, h5py_module().Group) else None
        if obj is None:
            raise ValueError(f"{what}: optimizer weight {name!r} is listed in weight_names but missing")
    return obj


def _parse_names(names, optimizer_class):
    """``[(kind, slot, variable path)]`` per optimizer weight name: ``("iterations", None, None)``,
    ``("slot", <kerastorch slot>, <variable path>)`` or ``("other", name, None)``."""
    table = KERAS2_SLOTS.get(optimizer_class, {})
    labels = {label: slot for slot, (_, label, _) in table.items()}
    legacy = {old: slot for slot, (_, _, old) in table.items() if old}
    out = []
    for name in names:
        bare = name[:-2] if name.endswith(":0") else name
        parts = bare.split("/")
        if bare in ("iteration", "iter") or (len(parts) == 2 and parts[1] in ("iter", "iteration")):
            out.append(("iterations", None, None))
        elif len(parts) >= 3 and parts[1] in labels:
            out.append(("slot", labels[parts[1]], "/".join(parts[2:])))
        elif len(parts) >= 3 and parts[-1] in legacy:
            out.append(("slot", legacy[parts[-1]], "/".join(parts[1:-1])))
        else:
            out.append(("other", bare, None))
    return out


def _plan_optimizer(model, h5file, what):
    """The optimizer's new state from ``optimizer_weights`` (None when absent or when it does not fit)."""
    optimizer = getattr(model, "optimizer", None)
    group = child(h5file, "optimizer_weights", what)
    if group is None or not isinstance(optimizer, Optimizer):
        return None
    names = attr_list(group, "weight_names") or []
    trainable = list(model.trainable_weights)
    if not optimizer.built:
        optimizer.build(trainable)
    state = {key: value.detach().clone() for key, value in optimizer.state_dict().items()}
    by_path = {str(getattr(weight, "path", "")): i for i, weight in enumerate(trainable)}
    seen_per_slot, planned, problems = {}, {}, []
    for name, (kind, slot, variable) in zip(names, _parse_names(names, type(optimizer).__name__)):
        if kind == "other":
            problems.append(f"{name!r} is not a state kerastorch's {type(optimizer).__name__} keeps")
            continue
        if kind == "iterations":
            key = "iterations"
        else:
            order = seen_per_slot[slot] = seen_per_slot.get(slot, -1) + 1
            key = f"{by_path.get(variable, order)}/{slot}"
        if key not in state:
            problems.append(f"{name!r} has no counterpart in optimizer '{optimizer.name}'")
            continue
        dataset = _dataset(group, name, what)
        if tuple(getattr(dataset, "shape", ()) or ()) != tuple(state[key].shape):
            problems.append(f"{name!r} has shape {dataset.shape}, the optimizer's {key} {tuple(state[key].shape)}")
            continue
        planned[key] = torch.as_tensor(read_array(dataset, state[key], key, what)).to(state[key].dtype)
    if problems:
        warnings.warn(
            f"{what}: the optimizer state is not loaded ({'; '.join(problems[:3])}); the optimizer starts afresh",
            stacklevel=3,
        )
        return None
    state.update(planned)
    return state


def load_keras2_h5_model(
    source: str | os.PathLike[str],
    custom_objects: dict[str, Any] | None = None,
    compile: bool = True,
    safe_mode: bool = True,
) -> Layer:
    """Load a tf.keras 2 whole-model ``.h5`` file: architecture, weights and, with ``compile=True``, the
    training config and optimizer state.

    Args:
        source: str or path-like: the file.
        custom_objects: dict or None: the user's classes and functions by name.
        compile: bool, default True: compile from the training config and restore the optimizer state.
        safe_mode: bool, default True: refuse stored byte code (Keras 2 Lambda functions).

    Returns:
        the model.

    Raises:
        ValueError: not a whole-model file, an untranslatable or unknown layer (named), or a corrupt file.
    """
    what = f"load_model: Keras 2 model file {describe(source)}"
    size = os.path.getsize(os.fspath(source))
    with open_read(source) as h5file:
        config = _json_attribute(h5file, "model_config", what)
        if config is None:
            raise ValueError(
                f"{what} holds weights only (no model_config); build the model and call model.load_weights(path)"
            )
        training_config = _json_attribute(h5file, "training_config", what)
        budget = weight_budget(size + _UNSAVED_WEIGHTS_ALLOWANCE, f"the file can fill ({size} bytes)")
        with budget:
            model = model_from_keras2_config(config, f"{what} model_config", custom_objects, safe_mode)
        if compile and training_config:
            compile_from_training_config(model, training_config, f"{what} training_config", custom_objects)
        result = load_legacy_h5_weights(model, source)
        if result.missing or result.skipped:
            raise ValueError(f"{what}: the file lacks weights of the model: {(result.missing + result.skipped)[:5]}")
        state = _plan_optimizer(model, h5file, what) if compile else None
    if state is not None:
        model.optimizer.load_state_dict(state)
    return model
