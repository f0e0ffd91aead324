"""Legacy Keras HDF5 weight files (Keras 2 ``save_weights("x.h5")``, keras.applications'
published weights, the ``model_weights`` group of full-model ``.h5`` files), read into a
kerastorch model.

The root (or ``model_weights``) group lists the layers in a ``layer_names`` attribute (split
into ``layer_names0``, ``layer_names1`` ... when long); each layer's group names its datasets
in ``weight_names`` (``dense/kernel:0``). The layers that have weights are paired in order,
or by name with ``by_name=True``; within a layer, weights map by stored name where the names
match the weights' paths one to one (a nested Keras 2 model lists trainable weights first),
else by position. Nothing is written until the whole file has been checked.

Example:
    >>> import io, h5py, numpy as np, kerastorch
    >>> model = kerastorch.Sequential([kerastorch.Input((3,)), kerastorch.layers.Dense(2, name="fc")])
    >>> buffer = io.BytesIO()
    >>> with h5py.File(buffer, "w") as f:
    ...     f.attrs["layer_names"] = [b"fc"]
    ...     f.create_group("fc").attrs["weight_names"] = [b"fc/kernel:0", b"fc/bias:0"]
    ...     f["fc/fc/kernel:0"] = np.ones((3, 2), "float32")
    ...     f["fc/fc/bias:0"] = np.zeros(2, "float32")
    >>> load_legacy_h5_weights(model, buffer.getvalue()).loaded
    ['fc/kernel', 'fc/bias']
"""

from __future__ import annotations

import os
from typing import IO, TYPE_CHECKING, Protocol, Sequence

from kerastorch.layers.base import Layer
from kerastorch.saving._h5_io import H5LoadResult, Plan, attr_list, child, describe, h5py_module, legacy_root, open_read

if TYPE_CHECKING:

    class _Model(Protocol):
        """A model (kerastorch.models sits above saving): named, with its layers in order."""

        @property
        def name(self) -> str: ...

        @property
        def layers(self) -> Sequence[Layer]: ...


def is_legacy_h5(source: str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes]) -> bool:
    """Whether ``source`` is a legacy Keras HDF5 weights (or full-model) file.

    >>> import io, h5py, numpy as np
    >>> import kerastorch as keras
    >>> from kerastorch.saving.h5_format import write_keras_weights_h5
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> is_legacy_h5(write_keras_weights_h5(model))      # Keras 3's .weights.h5 layout
    False
    >>> buffer = io.BytesIO()
    >>> with h5py.File(buffer, "w") as f:                # Keras 2's layout lists its layers
    ...     f.attrs["layer_names"] = [b"dense"]
    ...     f.create_group("dense").attrs["weight_names"] = [b"dense/kernel:0"]
    ...     f["dense/dense/kernel:0"] = np.ones((3, 2), "float32")
    >>> is_legacy_h5(buffer.getvalue())
    True
    """
    with open_read(source) as h5file:
        return legacy_root(h5file) is not None


def _dataset_at(group, path, what):
    obj = group
    for part in path.split("/"):
        obj = child(obj, part, what) if isinstance(obj, h5py_module().Group) else None
        if obj is None:
            raise ValueError(
                f"{what}: weight {path!r} of layer group {group.name} is listed in weight_names "
                "but missing from the file"
            )
    return obj


def _order_by_name(weights, names):
    """The datasets' order for ``weights`` when the stored names map one-to-one onto the
    weights' paths (nested models list trainable weights first), else positional."""
    stripped = [n[:-2] if n.endswith(":0") else n for n in names]
    order = []
    for weight in weights:
        path = getattr(weight, "path", "")
        hits = [i for i, n in enumerate(stripped) if n == path or path.endswith("/" + n) or n.endswith("/" + path)]
        if len(hits) != 1:
            return list(range(len(names)))
        order.append(hits[0])
    return order if sorted(order) == list(range(len(names))) else list(range(len(names)))


def load_legacy_h5_weights(
    model: _Model,
    source: str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes],
    by_name: bool = False,
    skip_mismatch: bool = False,
) -> H5LoadResult:
    """Load a legacy Keras HDF5 weights file (``layer_names`` / ``weight_names``; also the
    ``model_weights`` group of a full-model ``.h5``) into ``model``: the layers that have
    weights are paired in order, or by name with ``by_name=True`` (file layers without a
    counterpart are then ignored). Returns an :class:`H5LoadResult`.

    >>> import h5py, numpy as np
    >>> import kerastorch as keras
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="fc")])
    >>> with h5py.File("legacy_weights.h5", "w") as f:   # the layout keras.applications publishes
    ...     f.attrs["layer_names"] = [b"input_1", b"fc"]
    ...     f.create_group("input_1").attrs["weight_names"] = []
    ...     group = f.create_group("fc")
    ...     group.attrs["weight_names"] = [b"fc/kernel:0", b"fc/bias:0"]
    ...     group["fc/kernel:0"] = np.ones((3, 2), "float32")
    ...     group["fc/bias:0"] = np.zeros(2, "float32")
    >>> result = load_legacy_h5_weights(model, "legacy_weights.h5")
    >>> result.loaded, float(model.weights[0].detach().sum())
    (['fc/kernel', 'fc/bias'], 6.0)
    """
    what = f"legacy Keras weights file {describe(source)}"
    with open_read(source) as h5file:
        root = legacy_root(h5file)
        if root is None:
            raise ValueError(
                f"{what} has no layer_names attribute: it is not a legacy Keras weights file "
                "(a Keras 3 .weights.h5 file loads with load_keras_weights_h5)"
            )
        plan = Plan(what, skip_mismatch)
        stored = []
        for name in attr_list(root, "layer_names"):
            group = child(root, name, what)
            if not isinstance(group, h5py_module().Group):
                raise ValueError(f"{what}: layer {name!r} is listed in layer_names but has no group")
            names = attr_list(group, "weight_names") or []
            if names:
                stored.append((name, names, [_dataset_at(group, n, what) for n in names]))
        layers = [layer for layer in model.layers if layer.weights]
        if by_name:
            index: dict[str, list[Layer]] = {}
            for layer in layers:
                index.setdefault(layer.name, []).append(layer)
            pairs = [(layer, entry) for entry in stored for layer in index.get(entry[0], [])]
            used = {entry[0] for _, entry in pairs}
            plan.result.unused.extend(entry[0] for entry in stored if entry[0] not in used)
            matched = {id(layer) for layer, _ in pairs}
            # Layer.weights is typed list[Parameter]; its entries are kerastorch Variables, which have a path
            plan.result.missing.extend(
                w.path  # type: ignore[attr-defined]
                for layer in layers
                if id(layer) not in matched
                for w in layer.weights
            )
        else:
            if len(stored) != len(layers):
                raise ValueError(
                    f"{what} has {len(stored)} layers with weights ({[e[0] for e in stored]}) but model "
                    f'"{model.name}" has {len(layers)} ({[layer.name for layer in layers]}); '
                    "pass by_name=True to load the layers whose names match"
                )
            pairs = list(zip(layers, stored))
        for layer, (_, names, datasets) in pairs:
            weights = layer.weights
            if len(weights) == len(names):
                datasets = [datasets[i] for i in _order_by_name(weights, names)]
            plan.assign(weights, datasets, layer.name)
        plan.apply()
    return plan.result
