"""Keras HDF5 weight files: Keras 3's ``.weights.h5`` layout (read and write) and the
legacy Keras HDF5 layout (read), so weights move between Keras and kerastorch.

Keras 3 layout (``model.save_weights("x.weights.h5")`` and the ``model.weights.h5``
member of a ``.keras`` archive): one group per saveable object, at the path Keras's
object walk gives it, holding ``vars/0``, ``vars/1`` ... (the object's own weights in
Keras order) and a ``name`` attribute on ``vars``. Graph models (functional,
Sequential) keep their layers under ``layers/<class_name_in_snake_case>`` (``dense``,
``dense_1`` ...); sublayers sit under the attribute that holds them (``cell``,
``forward_layer``, ``query_dense``); the optimizer's variables are ``optimizer/vars``.

Legacy layout (Keras 2 ``save_weights("x.h5")``, keras.applications' weights, the
``model_weights`` group of full-model ``.h5`` files): a ``layer_names`` attribute
listing the layers, and in each layer's group a ``weight_names`` attribute naming its
datasets. Layers are matched by order (of the layers that have weights) or by name.

Nothing is written into the model until the whole file has been checked. Only hard
links and plain numeric datasets are read (no external links or external storage).
h5py is an optional dependency: ``pip install kerastorch[h5]``.

Example:
    >>> import kerastorch
    >>> def make():
    ...     return kerastorch.Sequential([kerastorch.Input((3,)), kerastorch.layers.Dense(2, name="fc")])
    >>> model, clone = make(), make()
    >>> data = write_keras_weights_h5(model)      # or a path (atomic) / a file object; Keras 3 loads it
    >>> load_keras_weights_h5(clone, data).loaded
    ['fc/kernel', 'fc/bias']
    >>> all(bool((a == b).all()) for a, b in zip(model.weights, clone.weights))
    True
"""

from __future__ import annotations

import io
import os
import warnings
from typing import IO, Literal, overload

import torch

from kerastorch.backend.naming import to_snake_case
from kerastorch.layers.base import Layer
from kerastorch.optimizers.base import Optimizer
from kerastorch.saving._h5_io import (
    H5LoadResult,
    Plan,
    child,
    dataset_shape,
    describe,
    h5py_module,
    legacy_root,
    open_read,
    read_array,
    subgroups,
)
from kerastorch.saving.file_utils import atomic_write
from kerastorch.saving.h5_legacy import is_legacy_h5, load_legacy_h5_weights  # noqa: F401 - re-exported

# Where Keras's h5 names differ from what kerastorch's classes give: Keras's Python class name
# (the h5 name of a layer in a list) and classes whose sublayers Keras keeps under private names.
_KERAS_CLASS_NAMES = {"GroupQueryAttention": "GroupedQueryAttention"}
_PRIVATE_SUBLAYER_NAMES = {"GroupQueryAttention"}
_MAX_DEPTH = 64  # nesting of groups read from a file


# ------------------------------------------------------------ Keras 3's object walk
def _is_graph_model(obj):
    """Functional and Sequential models: their layers are saved as one ``layers`` list."""
    return getattr(obj, "_saving_layout", None) == "graph"


def _attribute_name(obj, key, child):
    """Keras's name for a sublayer: a public property returning it wins over ``_key``."""
    public = key.lstrip("_")
    if type(obj).__name__ in _PRIVATE_SUBLAYER_NAMES:
        return key
    if public != key and isinstance(getattr(type(obj), public, None), property):
        try:
            if getattr(obj, public) is child:
                return public
        except Exception:  # noqa: BLE001 - a property may fail on an unbuilt layer
            pass
    return key


def _container_names(items):
    """``dense``, ``dense_1`` ... per class, counting every item (as Keras names list entries)."""
    counts, names = {}, []
    for item in items:
        class_name = type(item).__name__
        base = to_snake_case(_KERAS_CLASS_NAMES.get(class_name, class_name))
        count = counts.get(base)
        counts[base] = 0 if count is None else count + 1
        names.append(base if count is None else f"{base}_{count + 1}")
    return list(zip(names, items))


def _named_children(obj):
    """``(attribute, layer)`` and ``(attribute, [(name, layer), ...])`` in Keras's walk order."""
    if _is_graph_model(obj):
        return [("layers", _container_names(obj.layers))]
    entries = []
    for key, module in obj._modules.items():
        if module is None:
            continue
        if isinstance(module, Layer):
            entries.append((_attribute_name(obj, key, module), module))
        else:
            items = module.values() if isinstance(module, torch.nn.ModuleDict) else module.children()
            layers = [m for m in items if isinstance(m, Layer)]
            if layers:
                entries.append((key, _container_names(layers)))
    if obj._saving_layout == "model":  # a subclassed model also lists its layers
        entries.append(("layers", _container_names(obj.layers)))
    return sorted(entries, key=lambda entry: (entry[0].startswith("_"), entry[0]))


def _own_weights(layer):
    own = {id(p) for p in layer._own_parameters()}
    return [w for w in layer.weights if id(w) in own]


def _walk(model):
    """``(path, layer)`` for the model and every layer below it, at Keras 3's h5 paths."""
    out, visited = [], set()

    def visit(obj, path):
        if id(obj) in visited:
            return
        visited.add(id(obj))
        out.append((path, obj))
        for attr, entry in _named_children(obj):
            base = f"{path}/{attr}" if path else attr
            if isinstance(entry, list):
                for name, item in entry:
                    visit(item, f"{base}/{name}")
            else:
                visit(entry, base)

    visit(model, "")
    return out


# ----------------------------------------------------------------------- writing
def _to_numpy(tensor):
    tensor = tensor.detach().cpu()
    if tensor.dtype == torch.bfloat16:
        tensor = tensor.float()
    return tensor.numpy()


def _write_layout(h5file, model, optimizer):
    for path, layer in _walk(model):
        group = h5file.require_group(f"{path}/vars" if path else "vars")
        group.attrs["name"] = layer.name
        for index, weight in enumerate(_own_weights(layer)):
            group.create_dataset(str(index), data=_to_numpy(weight))
    if _is_our_optimizer(optimizer):
        group = h5file.require_group("optimizer/vars")
        group.attrs["name"] = getattr(optimizer, "name", type(optimizer).__name__.lower())
        for index, tensor in enumerate(optimizer.state_dict().values()):
            group.create_dataset(str(index), data=_to_numpy(torch.as_tensor(tensor)))


@overload
def write_keras_weights_h5(model: Layer, target: None = None, optimizer: Optimizer | None = None) -> bytes: ...


@overload
def write_keras_weights_h5(
    model: Layer, target: str | os.PathLike[str] | IO[bytes], optimizer: Optimizer | None = None
) -> None: ...


def write_keras_weights_h5(
    model: Layer, target: str | os.PathLike[str] | IO[bytes] | None = None, optimizer: Optimizer | None = None
) -> bytes | None:
    """Write ``model``'s weights (and ``optimizer``'s variables) in Keras 3's ``.weights.h5``
    layout. ``target`` is a path (written atomically) or a writable binary file object;
    with ``target=None`` the file's bytes are returned.

    >>> import h5py
    >>> import kerastorch as keras
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> model.compile(optimizer="adam", loss="mse")
    >>> write_keras_weights_h5(model, "model.weights.h5", optimizer=model.optimizer)
    >>> with h5py.File("model.weights.h5") as f:
    ...     print(sorted(f), f["layers/dense/vars/0"].shape, f["optimizer/vars"].attrs["name"])
    ['layers', 'optimizer', 'vars'] (3, 2) adam
    """
    h5py = h5py_module()
    if target is None:
        buffer = io.BytesIO()
        write_keras_weights_h5(model, buffer, optimizer)
        return buffer.getvalue()
    if isinstance(target, (str, os.PathLike)):
        with atomic_write(os.fspath(target)) as tmp_path:
            with h5py.File(tmp_path, "w") as h5file:
                _write_layout(h5file, model, optimizer)
        return None
    with h5py.File(target, "w") as h5file:
        _write_layout(h5file, model, optimizer)
    return None


# ----------------------------------------------------------------------- reading
def is_keras3_weights_h5(source: str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes]) -> bool:
    """Whether ``source`` is an HDF5 file in Keras 3's ``.weights.h5`` layout.

    >>> import kerastorch as keras
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> is_keras3_weights_h5(write_keras_weights_h5(model))
    True
    """
    with open_read(source) as h5file:
        if legacy_root(h5file) is not None:
            return False
        return (
            "vars" in h5file
            or "layers" in h5file
            or any("vars" in group for group in subgroups(h5file, "HDF5 file").values())
        )


def _vars_of(group, what):
    """The ``vars/0``, ``vars/1`` ... datasets of a Keras 3 object group, in index order."""
    vars_group = child(group, "vars", what) if group is not None else None
    if vars_group is None or not isinstance(vars_group, h5py_module().Group):
        return []
    names = list(vars_group)
    if sorted(names, key=lambda n: (len(n), n)) != [str(i) for i in range(len(names))]:
        raise ValueError(
            f"{what}: {vars_group.name} should hold datasets named 0..{len(names) - 1}, found {sorted(names)}"
        )
    return [child(vars_group, str(i), what) for i in range(len(names))]


def _group_label(group):
    vars_group = group.get("vars", getlink=True) if group is not None else None
    name = group["vars"].attrs.get("name") if isinstance(vars_group, h5py_module().HardLink) else None
    return name.decode() if isinstance(name, bytes) else name


def _find_child_group(group, attr, layer, claimed, what):
    """The file group of a sublayer: by Keras path, then by the alternative spelling of a
    private attribute, then by the layer name stored on an unclaimed sibling."""
    if group is None:
        return None
    candidates = [attr, attr.lstrip("_"), "_" + attr]
    for name in candidates:
        found = child(group, name, what)
        if isinstance(found, h5py_module().Group) and found.name not in claimed:
            return found
    for found in subgroups(group, what).values():
        if found.name not in claimed and _group_label(found) == layer.name:
            return found
    return None


def _match_keras3(model, root, plan):
    claimed = set()  # h5 names of groups matched to a layer

    def visit(obj, group, path, visited):
        if id(obj) in visited:
            return
        visited.add(id(obj))
        if group is not None:
            claimed.add(group.name)
        own = _own_weights(obj)
        if own:
            if group is None:
                labels = [getattr(w, "path", "weight") for w in own]
                plan.result.missing.extend(labels)
                plan.problem(
                    f'layer "{obj.name}" (at "{path or "/"}") has weights but no counterpart in the file', labels
                )
            else:
                plan.assign(own, _vars_of(group, plan.what), obj.name)
        for attr, entry in _named_children(obj):
            items = entry if isinstance(entry, list) else [(None, entry)]
            container = None
            if isinstance(entry, list) and group is not None:
                container = child(group, attr, plan.what)
                container = container if isinstance(container, h5py_module().Group) else None
            for name, layer in items:
                if id(layer) in visited or not layer.weights:
                    continue
                if isinstance(entry, list):
                    found = _find_child_group(container, name, layer, claimed, plan.what)
                else:
                    found = _find_child_group(group, attr, layer, claimed, plan.what)
                sub = f"{path}/{attr}" + (f"/{name}" if name else "")
                visit(layer, found, sub.lstrip("/"), visited)

    visit(model, root, "", set())
    # File objects holding weights that nothing in the model claimed.
    unused = []

    def scan(group, depth=0):
        if depth > _MAX_DEPTH:
            raise ValueError(f"{plan.what}: groups nest deeper than {_MAX_DEPTH} levels at {group.name}")
        for name, sub in subgroups(group, plan.what).items():
            if group.name == "/" and name == "optimizer":
                continue
            if name == "vars":
                if group.name not in claimed and len(sub):
                    unused.append(group.name.lstrip("/"))
                continue
            scan(sub, depth + 1)

    scan(root)
    plan.result.unused.extend(unused)
    if unused:
        hint = "" if model.weights else f' (model "{model.name}" has no weights yet: build it before loading)'
        plan.problem(f"the file has weights for objects the model does not have: {unused}{hint}")


def _is_our_optimizer(optimizer):
    return isinstance(optimizer, Optimizer)  # (a torch.optim optimizer has no Keras layout)


def _plan_optimizer(optimizer, model, root, plan):
    """Queue the optimizer variables of ``optimizer/vars`` (a mismatch only warns, as in Keras)."""
    group = child(root, "optimizer", plan.what)
    datasets = _vars_of(group, plan.what) if isinstance(group, h5py_module().Group) else []
    if not datasets or not _is_our_optimizer(optimizer):
        return None
    if not optimizer.built:
        optimizer.build(model.trainable_weights)  # what its first step would do; the state goes into it
    state = optimizer.state_dict()
    shapes_ok = len(state) == len(datasets) and all(
        dataset_shape(d) == tuple(t.shape) for d, t in zip(datasets, state.values())
    )
    if not shapes_ok:
        warnings.warn(
            f"{plan.what}: skipping the optimizer variables: optimizer '{optimizer.name}' has "
            f"{len(state)} variables and the file has {len(datasets)} (or their shapes differ)",
            stacklevel=3,
        )
        plan.result.unused.append("optimizer")
        return None
    return {
        key: torch.as_tensor(read_array(d, tensor, f"optimizer/{key}", plan.what))
        for (key, tensor), d in zip(state.items(), datasets)
    }


def load_keras_weights_h5(
    model: Layer,
    source: str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes],
    skip_mismatch: bool = False,
    optimizer: Optimizer | None | Literal["auto"] = "auto",
) -> H5LoadResult:
    """Load a Keras 3 ``.weights.h5`` file (a path, bytes, a file object, or a ``.keras``
    archive path) into ``model``, matching objects by Keras 3's h5 paths, then by layer name.
    The optimizer's variables load into ``optimizer`` (by default ``model.optimizer``) when
    the file has them. Returns an :class:`H5LoadResult`.

    >>> import numpy as np
    >>> import kerastorch as keras
    >>> def make():
    ...     return keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="fc")])
    >>> model, clone = make(), make()
    >>> write_keras_weights_h5(model, "model.weights.h5")
    >>> result = load_keras_weights_h5(clone, "model.weights.h5")
    >>> result.loaded, result.missing, result.unused, result.skipped
    (['fc/kernel', 'fc/bias'], [], [], [])
    >>> all(np.array_equal(a, b) for a, b in zip(model.get_weights(), clone.get_weights()))
    True
    """
    what = f"Keras weights file {describe(source)}"
    if isinstance(optimizer, str) and optimizer == "auto":
        optimizer = getattr(model, "optimizer", None)
    with open_read(source) as h5file:
        if legacy_root(h5file) is not None:
            raise ValueError(
                f"{what} is a legacy Keras HDF5 file (it has layer_names); load it with load_legacy_h5_weights"
            )
        plan = Plan(what, skip_mismatch)
        _match_keras3(model, h5file, plan)
        optimizer_state = _plan_optimizer(optimizer, model, h5file, plan)
        plan.apply()
    if optimizer_state is not None and isinstance(optimizer, Optimizer):
        optimizer.load_state_dict(optimizer_state)
    return plan.result
