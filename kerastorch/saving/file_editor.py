"""``keras.saving.KerasFileEditor``: inspect, edit and resave the weights of a saved model or weights file.

Useful to adapt an old weights file to a changed architecture: rename, remove or add the weights of a layer,
compare the file with a model, and save the result. Two weight layouts are edited, each as it is stored:

- kerastorch's own (``model.weights.safetensors`` in a ``.keras`` archive or a saved-model folder, and
  ``.safetensors`` files from ``model.save_weights``): weights are keyed by weight path, so an *object* is a
  layer path (``"dense_1"``, ``"mha/query"``) and its weights are named as in the model (``"kernel"``,
  ``"bias"``);
- Keras 3's (``model.weights.h5`` in a ``.keras`` archive written by Keras or with ``weights_format="h5"``,
  and ``.weights.h5`` files; needs h5py): an object is an h5 group path that holds a ``vars`` group
  (``"layers/dense"``, ``"layers/dense_1"``, ``"optimizer"``) and its weights are named ``"0"``, ``"1"`` ...

An object is found by its full path, by the last component of its path, or (in Keras 3's layout) by the
layer name recorded in the file; a name that fits several objects is an error that lists them. Values are
NumPy arrays (bfloat16 weights, which NumPy lacks, stay torch tensors). The whole file is read into memory
when the editor opens it, so saving over the file it came from is safe; writes are atomic.

Example:
    >>> import numpy as np
    >>> import kerastorch as keras
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, name="hidden"),
    ...                           keras.layers.Dense(1, name="head")])
    >>> model.save("model.keras")
    >>> editor = KerasFileEditor("model.keras")
    >>> editor.summary()
    Keras model file 'model.keras'
    Saved with Keras 3.15.1 (kerastorch ...) - date: ...
    Weights: model.weights.safetensors (kerastorch layout)
    Weights structure
    ├─ hidden
    │   ├─ kernel: shape=(3, 4), dtype=float32
    │   └─ bias: shape=(4,), dtype=float32
    └─ head
        ├─ kernel: shape=(4, 1), dtype=float32
        └─ bias: shape=(1,), dtype=float32
    >>> editor.rename_object("head", "score")
    >>> editor.add_weights("score", {"scale": np.ones(1, "float32")})
    >>> editor.save("edited.weights.safetensors")
    >>> sorted(KerasFileEditor("edited.weights.safetensors").weights_dict["score"])
    ['bias', 'kernel', 'scale']
"""

from __future__ import annotations

import collections
import io
import json
import os
import zlib
from typing import Any

import numpy as np
import torch

from kerastorch.layers.base import Layer
from kerastorch.saving import h5_format, safe_archive, weights_file
from kerastorch.saving.file_utils import atomic_write

__all__ = ["KerasFileEditor"]

_SAFETENSORS, _H5 = "safetensors", "h5"
_LAYOUT_NAMES = {_SAFETENSORS: "kerastorch layout", _H5: "Keras 3 layout"}
_MEMBERS = {_SAFETENSORS: weights_file.SAFETENSORS_MEMBER, _H5: weights_file.H5_MEMBER}
_CONFIG_MEMBER, _METADATA_MEMBER = "config.json", "metadata.json"
_WEIGHTS_FORMAT = "kerastorch.weights"  # the format tag model.save_weights writes in a safetensors file
_SHOWN = 8  # how many names an error message lists


def _listed(names):
    names = list(names)
    more = f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
    return ", ".join(repr(n) for n in names[:_SHOWN]) + more


def _path_text(path):
    return "/".join(path) if path else "<root>"


def _crc32(tensor):
    return zlib.crc32(tensor.detach().cpu().contiguous().reshape(-1).view(torch.uint8).numpy())


def _to_value(tensor):
    """A stored tensor as the editor keeps it: a NumPy array (a bfloat16 tensor stays a tensor)."""
    tensor = tensor.detach().cpu()
    return tensor if tensor.dtype == torch.bfloat16 else tensor.numpy()


def _value_text(value):
    dtype = str(value.dtype).replace("torch.", "")
    return f"shape={tuple(value.shape)}, dtype={dtype}"


class KerasFileEditor:
    """Utility to inspect, edit, and resave Keras weights files.

    Opens a ``.keras`` archive (or a saved-model folder), a ``.safetensors`` weights file, or a Keras 3
    ``.weights.h5`` file, and reads all its weights into memory. The editing methods change that copy;
    :meth:`save` writes it out. See the module documentation for the two weight layouts.

    Args:
        filepath: str or path-like. The file to inspect and edit: a ``.keras`` archive, a saved-model
            folder, a ``.safetensors`` weights file or a ``.weights.h5`` file.

    Attributes:
        filepath: str, the file that was opened.
        metadata: dict or None, the archive's ``metadata.json`` (None for a weights file).
        config: dict or None, the archive's ``config.json`` (None for a weights file).
        layout: str, ``"safetensors"`` (kerastorch's layout) or ``"h5"`` (Keras 3's layout).

    Raises:
        FileNotFoundError: nothing at ``filepath``.
        ImportError: a Keras 3 h5 layout is opened and h5py is not installed.
        ValueError: the file is not one of the kinds above, is corrupt, holds no weights, or is a legacy
            (Keras 2) HDF5 file.

    Example:
        >>> import kerastorch as keras
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, name="dense")])
        >>> model.save_weights("model.weights.safetensors")
        >>> editor = KerasFileEditor("model.weights.safetensors")
        >>> editor.weights_dict["dense"]["kernel"].shape
        (2, 3)
        >>> editor.compare(model)["status"]
        Running comparison
        Comparison successful: the file matches the reference model (2 matching weights)
        'success'
    """

    def __init__(self, filepath: str | os.PathLike[str]) -> None:
        if not isinstance(filepath, (str, os.PathLike)):
            raise TypeError(
                f"KerasFileEditor: filepath must be a str or os.PathLike, received {type(filepath).__name__}"
            )
        path = os.fspath(filepath)
        self.filepath = path
        self.metadata = None
        self.config = None
        self._members = None  # an archive's other members, kept for save("...keras")
        # path tuple -> OrderedDict(weight name -> value)
        self._objects: collections.OrderedDict[tuple[str, ...], dict[str, Any]] = collections.OrderedDict()
        # Keras 3 layout: path tuple -> the layer name its ``vars`` group records
        self._labels: dict[tuple[str, ...], str] = {}
        if os.path.isdir(path) or path.endswith(".keras"):
            self._open_archive(path)
        elif path.endswith(".safetensors"):
            with open(path, "rb") as f:
                self.layout = _SAFETENSORS
                self._read_safetensors(f.read(), repr(path))
        elif path.endswith(".weights.h5"):
            if not os.path.exists(path):
                raise FileNotFoundError(f"KerasFileEditor: no file at {path!r}")
            self.layout = _H5
            self._read_h5(path, repr(path))
        else:
            raise ValueError(
                f'KerasFileEditor: expected a ".keras" archive, a saved-model folder, a '
                f'".safetensors" or a ".weights.h5" file, received {path!r}'
            )

    # ------------------------------------------------------------------ reading
    def _open_archive(self, path):
        members = safe_archive.read_archive(path)
        order = list(members)  # resaving keeps the members in this order
        where = repr(path)
        if _METADATA_MEMBER in members:
            metadata = safe_archive.load_json(members[_METADATA_MEMBER], f"{where}/{_METADATA_MEMBER}")
            self.metadata = metadata if isinstance(metadata, dict) else None
        if _CONFIG_MEMBER in members:
            config = safe_archive.load_json(members[_CONFIG_MEMBER], f"{where}/{_CONFIG_MEMBER}")
            self.config = config if isinstance(config, dict) else None
        if _MEMBERS[_SAFETENSORS] in members:
            self.layout = _SAFETENSORS
            self._read_safetensors(members.pop(_MEMBERS[_SAFETENSORS]), f"{where}/{_MEMBERS[_SAFETENSORS]}")
        elif _MEMBERS[_H5] in members:
            self.layout = _H5
            self._read_h5(members.pop(_MEMBERS[_H5]), f"{where}/{_MEMBERS[_H5]}")
        else:
            raise ValueError(
                f"KerasFileEditor: {where} holds no weights: expected a {_MEMBERS[_SAFETENSORS]} or "
                f"{_MEMBERS[_H5]} member, found {_listed(sorted(members))}"
            )
        self._members = members
        self._member_order = order

    def _read_safetensors(self, data, where):
        from safetensors.torch import load

        data = bytes(data)
        try:
            tensors = load(data)
            size = int.from_bytes(data[:8], "little")
            header = json.loads(data[8 : 8 + size])
        except Exception as error:  # noqa: BLE001 - safetensors raises its own error types
            raise ValueError(f"KerasFileEditor: {where} is not a readable safetensors file ({error})") from None
        metadata = header.get("__metadata__") if isinstance(header, dict) else None
        metadata = metadata if isinstance(metadata, dict) else {}
        keys = sorted(tensors)
        order = self._recorded(metadata, "order", where)
        if order is not None:
            if not isinstance(order, list) or sorted(order) != keys:
                raise ValueError(
                    f"KerasFileEditor: {where} is corrupt: its recorded weight order does not list its weights"
                )
            keys = order
        crcs = self._recorded(metadata, "crc32", where)
        if crcs is not None and (not isinstance(crcs, dict) or sorted(crcs) != sorted(tensors)):
            raise ValueError(f"KerasFileEditor: {where} is corrupt: its recorded checksums do not list its weights")
        for key in keys:
            tensor = tensors[key]
            if crcs is not None and _crc32(tensor) != crcs[key]:
                raise ValueError(f"KerasFileEditor: {where} is corrupt: weight {key} fails its CRC-32 check")
            parts = key.split("/")
            if len(parts) < 2 or not all(parts):
                raise ValueError(
                    f"KerasFileEditor: {where}: weight key {key!r} is not an object path followed "
                    'by a weight name ("layer/weight")'
                )
            self._objects.setdefault(tuple(parts[:-1]), collections.OrderedDict())[parts[-1]] = _to_value(tensor)
        self._check_no_clash(where)

    @staticmethod
    def _recorded(metadata, name, where):
        raw = metadata.get(name)
        if raw is None:
            return None
        try:
            return safe_archive.load_json(raw.encode("utf-8"), f"{where} recorded {name}")
        except ValueError as error:
            raise ValueError(f"KerasFileEditor: {where} is corrupt: {error}") from None

    def _check_no_clash(self, where):
        for path, weights in self._objects.items():
            for name in weights:
                if path + (name,) in self._objects:
                    raise ValueError(
                        f"KerasFileEditor: {where}: {_path_text(path + (name,))} is both a weight and an object"
                    )

    def _read_h5(self, source, where):
        h5py = h5_format.h5py_module()
        if isinstance(source, (bytes, bytearray, memoryview)):
            source = io.BytesIO(bytes(source))
        if not h5_format.is_keras3_weights_h5(source):
            raise ValueError(
                f"KerasFileEditor: {where} is not in Keras 3's weights layout (a legacy Keras HDF5 "
                "file?); only Keras 3 .weights.h5 files and .keras archives are edited"
            )
        if hasattr(source, "seek"):
            source.seek(0)
        with h5_format.open_read(source) as h5file:

            def visit(group, path):
                if len(path) > 64:
                    raise ValueError(f"KerasFileEditor: {where}: groups nest too deeply at {group.name}")
                vars_group = h5_format.child(group, "vars", where)
                if isinstance(vars_group, h5py.Group):
                    weights = collections.OrderedDict()
                    names = sorted(vars_group, key=lambda n: (not n.isdigit(), len(n), n))
                    for name in names:
                        dataset = h5_format.child(vars_group, name, where)
                        if not isinstance(dataset, h5py.Dataset):
                            raise ValueError(f"KerasFileEditor: {where}: {vars_group.name}/{name} is not a dataset")
                        if dataset.is_virtual or dataset.external or dataset.dtype.kind not in "biuf":
                            raise ValueError(
                                f"KerasFileEditor: {where}: dataset {dataset.name} is not a plain "
                                f"numeric array stored in the file (dtype {dataset.dtype})"
                            )
                        weights[name] = np.asarray(dataset[()])
                    self._objects[path] = weights
                    label = vars_group.attrs.get("name")
                    if isinstance(label, bytes):
                        label = label.decode("utf-8", "replace")
                    if isinstance(label, str):
                        self._labels[path] = label
                for name, subgroup in h5_format.subgroups(group, where).items():
                    if name != "vars":
                        visit(subgroup, path + (name,))

            visit(h5file, ())

    # ------------------------------------------------------------------ the structure
    @property
    def weights_dict(self) -> collections.OrderedDict[str, Any]:
        """The weights as nested dicts: ``{"dense": {"kernel": array, ...}, ...}`` (Keras 3's layout:
        ``{"layers": {"dense": {"0": array, ...}}}``). Rebuilt on each access: change the structure with the
        editing methods."""
        root: collections.OrderedDict[str, Any] = collections.OrderedDict()
        for path, weights in self._objects.items():
            node = root
            for part in path:
                node = node.setdefault(part, collections.OrderedDict())
            node.update(weights)
        return root

    def _nodes(self):
        """Every object path and every path above one (the containers: ``layers``, ``mha`` ...)."""
        nodes = {}
        for path in self._objects:
            for end in range(1, len(path) + 1):
                nodes.setdefault(path[:end], None)
        return list(nodes)

    def _resolve(self, object_name, what, argument="object_name"):
        if not isinstance(object_name, str) or not object_name:
            raise ValueError(
                f"KerasFileEditor.{what}: `{argument}` must be a non-empty string, the name or path of "
                f"an object. Received: {argument}={object_name!r}"
            )
        nodes = self._nodes()
        path = tuple(object_name.strip("/").split("/"))
        if path in nodes:
            return path
        if len(path) == 1:
            found = [node for node in nodes if node[-1] == path[0]]
            found += [p for p, label in self._labels.items() if p and label == path[0] and p not in found]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise ValueError(
                    f"KerasFileEditor.{what}: the name {object_name!r} fits several objects: "
                    f"{_listed(_path_text(p) for p in found)}. Pass the full path instead."
                )
        tops = list(dict.fromkeys(_path_text(node[:1]) for node in nodes if node))
        raise ValueError(
            f"KerasFileEditor.{what}: no object {object_name!r} in the file. Its top-level objects "
            f"are: {_listed(tops)}; call summary() to see them all."
        )

    def _under(self, path):
        return [p for p in self._objects if p[: len(path)] == path]

    def _check_weights(self, weights, what):
        if not isinstance(weights, dict):
            raise ValueError(
                f"KerasFileEditor.{what}: argument `weights` should be a dict mapping weight names to "
                f"arrays (e.g. {{'kernel': ...}}). Received: type(weights)={type(weights).__name__}"
            )
        checked = collections.OrderedDict()
        for name, value in weights.items():
            if not isinstance(name, str) or not name or "/" in name:
                raise ValueError(
                    f"KerasFileEditor.{what}: weight names must be non-empty strings without '/'. Received: {name!r}"
                )
            if self.layout == _H5 and not name.isdigit():
                raise ValueError(
                    f"KerasFileEditor.{what}: in Keras 3's layout weights are named '0', '1', ... "
                    f"in the order the layer creates them. Received: {name!r}"
                )
            value = _to_value(value) if isinstance(value, torch.Tensor) else np.asarray(value)
            if isinstance(value, np.ndarray):  # (a bfloat16 tensor stays a tensor)
                if value.dtype.kind not in "biuf" or (value.dtype.kind == "f" and value.dtype.itemsize > 8):
                    raise ValueError(
                        f"KerasFileEditor.{what}: weight {name!r} must be a numeric array (bool, "
                        f"integer or floating point up to 64 bits). Received: dtype {value.dtype}"
                    )
            checked[name] = value
        return checked

    # ------------------------------------------------------------------ editing
    def rename_object(self, object_name: str, new_name: str) -> None:
        """Rename an object in the file (e.g. a layer); objects inside it move along.

        Args:
            object_name: str. Name or path of the object to rename (e.g. ``"dense_2"``, ``"mha/query"``, or
                ``"layers/dense_2"`` in Keras 3's layout).
            new_name: str. The new last component of its path (a name, without ``"/"``).

        Raises:
            ValueError: no such object (or an ambiguous name), an invalid ``new_name``, or an object with the
                new path exists.

        Example:
            >>> import kerastorch as keras
            >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="a")])
            >>> model.save_weights("w.safetensors")
            >>> editor = KerasFileEditor("w.safetensors")
            >>> editor.rename_object("a", "b")
            >>> list(editor.weights_dict)
            ['b']
        """
        path = self._resolve(object_name, "rename_object")
        if not path:
            raise ValueError("KerasFileEditor.rename_object: the root object cannot be renamed")
        if not isinstance(new_name, str) or not new_name or "/" in new_name:
            raise ValueError(
                f"KerasFileEditor.rename_object: `new_name` must be a non-empty string without '/'. "
                f"Received: new_name={new_name!r}"
            )
        target = path[:-1] + (new_name,)
        if target == path:
            return
        if target in self._nodes() or target[-1] in self._objects.get(path[:-1], {}):
            raise ValueError(
                f"KerasFileEditor.rename_object: cannot rename {_path_text(path)!r} to {new_name!r}: "
                f"{_path_text(target)!r} exists"
            )
        moved = collections.OrderedDict()
        for old, weights in self._objects.items():
            new = target + old[len(path) :] if old[: len(path)] == path else old
            moved[new] = weights
            if old in self._labels:
                self._labels[new] = self._labels.pop(old)
        self._objects = moved

    def delete_object(self, object_name: str) -> None:
        """Remove an object (e.g. a layer) and everything inside it from the file.

        Args:
            object_name: str. Name or path of the object to delete (e.g. ``"dense_2"``, or
                ``"layers/dense_2"`` in Keras 3's layout).

        Raises:
            ValueError: no such object, or an ambiguous name.

        Example:
            >>> import kerastorch as keras
            >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="a"),
            ...                           keras.layers.Dense(1, name="b")])
            >>> model.save_weights("w.safetensors")
            >>> editor = KerasFileEditor("w.safetensors")
            >>> editor.delete_object("a")
            >>> list(editor.weights_dict)
            ['b']
        """
        path = self._resolve(object_name, "delete_object")
        for old in self._under(path):
            del self._objects[old]
            self._labels.pop(old, None)

    def add_object(self, object_path: str, weights: dict[str, Any]) -> None:
        """Add a new object (e.g. a layer) with its weights.

        Args:
            object_path: str. Full path of the object to add (e.g. ``"dense_2"``, ``"block/dense"``, or
                ``"layers/dense_2"`` in Keras 3's layout).
            weights: dict. Maps weight names to arrays (NumPy arrays, torch tensors or nested lists of
                numbers), e.g. ``{"kernel": kernel_value, "bias": bias_value}`` (``{"0": ..., "1": ...}`` in
                Keras 3's layout).

        Raises:
            ValueError: the object (or a weight of that path) exists, the path is invalid, ``weights`` is not
                a dict of numeric arrays, or it is empty in kerastorch's layout (which stores an object only
                through its weights).

        Example:
            >>> import numpy as np
            >>> import kerastorch as keras
            >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="a")])
            >>> model.save_weights("w.safetensors")
            >>> editor = KerasFileEditor("w.safetensors")
            >>> editor.add_object("extra", {"kernel": np.zeros((2, 2), "float32")})
            >>> list(editor.weights_dict)
            ['a', 'extra']
        """
        if not isinstance(object_path, str) or not object_path.strip("/") or "//" in object_path.strip("/"):
            raise ValueError(
                f"KerasFileEditor.add_object: `object_path` must be a non-empty path like 'dense_2' or "
                f"'layers/dense_2'. Received: object_path={object_path!r}"
            )
        path = tuple(object_path.strip("/").split("/"))
        weights = self._check_weights(weights, "add_object")
        if not weights and self.layout == _SAFETENSORS:
            raise ValueError(
                "KerasFileEditor.add_object: `weights` is empty; kerastorch's layout stores an object "
                "only through its weights"
            )
        if path in self._nodes():
            raise ValueError(
                f"KerasFileEditor.add_object: an object {_path_text(path)!r} exists; use add_weights to "
                "add weights to it"
            )
        for end in range(1, len(path)):
            if path[end] in self._objects.get(path[:end], {}):
                raise ValueError(f"KerasFileEditor.add_object: {_path_text(path[: end + 1])!r} is a weight")
        self._objects[path] = weights

    def add_weights(self, object_name: str, weights: dict[str, Any]) -> None:
        """Add one or more new weights to an existing object.

        Args:
            object_name: str. Name or path of the object to add the weights to (e.g. ``"dense_2"``, or
                ``"layers/dense_2"`` in Keras 3's layout).
            weights: dict. Maps new weight names to arrays, e.g. ``{"scale": value}`` (``{"2": ...}`` in
                Keras 3's layout).

        Raises:
            ValueError: no such object (or an ambiguous name), a weight of that name exists, or ``weights`` is
                not a dict of numeric arrays.

        Example:
            >>> import numpy as np
            >>> import kerastorch as keras
            >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="a")])
            >>> model.save_weights("w.safetensors")
            >>> editor = KerasFileEditor("w.safetensors")
            >>> editor.add_weights("a", {"scale": np.ones(2, "float32")})
            >>> list(editor.weights_dict["a"])
            ['kernel', 'bias', 'scale']
        """
        path = self._resolve(object_name, "add_weights")
        weights = self._check_weights(weights, "add_weights")
        existing = self._objects.get(path, {})
        clash = [name for name in weights if name in existing or path + (name,) in self._nodes()]
        if clash:
            raise ValueError(
                f"KerasFileEditor.add_weights: object {_path_text(path)!r} already has weight(s) "
                f"{_listed(clash)}; delete them first with delete_weight"
            )
        self._objects.setdefault(path, collections.OrderedDict()).update(weights)

    def delete_weight(self, object_name: str, weight_name: str) -> None:
        """Remove a weight from an existing object.

        Args:
            object_name: str. Name or path of the object (e.g. ``"dense_2"``, or ``"layers/dense_2"`` in
                Keras 3's layout).
            weight_name: str. Name of the weight to delete (e.g. ``"bias"``, or ``"1"`` in Keras 3's layout).

        Raises:
            ValueError: no such object (or an ambiguous name) or no such weight.

        Example:
            >>> import kerastorch as keras
            >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="a")])
            >>> model.save_weights("w.safetensors")
            >>> editor = KerasFileEditor("w.safetensors")
            >>> editor.delete_weight("a", "bias")
            >>> list(editor.weights_dict["a"])
            ['kernel']
        """
        path = self._resolve(object_name, "delete_weight")
        weights = self._objects.get(path, {})
        if weight_name not in weights:
            raise ValueError(
                f"KerasFileEditor.delete_weight: weight {weight_name!r} not found in object "
                f"{_path_text(path)!r}. Weights found: {list(weights)}"
            )
        del weights[weight_name]
        if not weights and self.layout == _SAFETENSORS:
            del self._objects[path]

    # ------------------------------------------------------------------ inspecting
    def _header_lines(self):
        kind = "Keras model file" if self._members is not None else "Weights file"
        lines = [f"{kind} {self.filepath!r}"]
        if self.metadata:
            saved = f"Saved with Keras {self.metadata.get('keras_version', '?')}"
            if "kerastorch_version" in self.metadata:
                saved += f" (kerastorch {self.metadata['kerastorch_version']})"
            lines.append(f"{saved} - date: {self.metadata.get('date_saved', '?')}")
        if self._members is not None:
            lines.append(f"Weights: {_MEMBERS[self.layout]} ({_LAYOUT_NAMES[self.layout]})")
        return lines

    def summary(self) -> None:
        """Print the file's header and the tree of its objects and weights (shapes and dtypes).

        Example:
            >>> import kerastorch as keras
            >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="a")])
            >>> model.save_weights("w.safetensors")
            >>> KerasFileEditor("w.safetensors").summary()
            Weights file 'w.safetensors'
            Weights structure
            └─ a
                ├─ kernel: shape=(3, 2), dtype=float32
                └─ bias: shape=(2,), dtype=float32
        """
        lines = self._header_lines() + ["Weights structure"]

        def walk(node, indent):
            entries = list(node.items())
            for index, (name, value) in enumerate(entries):
                last = index == len(entries) - 1
                branch, extend = ("└─ ", "    ") if last else ("├─ ", "│   ")
                if isinstance(value, dict):
                    lines.append(f"{indent}{branch}{name}")
                    walk(value, indent + extend)
                else:
                    lines.append(f"{indent}{branch}{name}: {_value_text(value)}")

        walk(self.weights_dict, "")
        print("\n".join(lines))

    def _reference_shapes(self, model):
        """``{object path: {weight name: shape}}`` of ``model`` in this file's layout."""
        shapes = collections.OrderedDict()
        if self.layout == _SAFETENSORS:
            for key, weight in weights_file.weight_keys(model):
                parts = key.split("/")
                shapes.setdefault(tuple(parts[:-1]), collections.OrderedDict())[parts[-1]] = tuple(weight.shape)
            return shapes
        reference = KerasFileEditor.__new__(KerasFileEditor)
        reference._objects, reference._labels, reference.layout = collections.OrderedDict(), {}, _H5
        reference._read_h5(h5_format.write_keras_weights_h5(model), f'model "{model.name}"')
        for path, weights in reference._objects.items():
            shapes[path] = collections.OrderedDict((name, tuple(v.shape)) for name, v in weights.items())
        return shapes

    def compare(self, reference_model: Layer) -> dict[str, Any]:
        """Compare the opened file with a reference model and print every mismatch.

        The model's weights are laid out as this file's layout would store them (weight paths in kerastorch's
        layout, Keras 3's object paths in the h5 layout) and compared object by object and weight by weight:
        objects or weights missing on either side, and shape mismatches. In Keras 3's layout the optimizer's
        variables (``optimizer``) are not compared.

        Args:
            reference_model: Model instance to compare to (built).

        Returns:
            dict with keys ``"status"`` (``"success"`` or ``"error"``), ``"error_count"`` (the number of
            mismatched weights) and ``"match_count"`` (the number of matching weights).

        Raises:
            TypeError: ``reference_model`` is not a kerastorch model or layer.

        Example:
            >>> import kerastorch as keras
            >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="a")])
            >>> model.save_weights("w.safetensors")
            >>> other = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="a")])
            >>> KerasFileEditor("w.safetensors").compare(other)
            Running comparison
            Weight a/kernel: shape (3, 2) in the file, (4, 2) in the reference model
            Found 1 error(s): the file is not compatible with the reference model (1 matching weights)
            {'status': 'error', 'error_count': 1, 'match_count': 1}
        """
        if not isinstance(reference_model, Layer):
            raise TypeError(
                f"KerasFileEditor.compare: expected a kerastorch model, received {type(reference_model).__name__}"
            )
        print("Running comparison")
        expected = self._reference_shapes(reference_model)
        found = collections.OrderedDict(
            (path, weights)
            for path, weights in self._objects.items()
            if not (self.layout == _H5 and path[:1] == ("optimizer",))
        )
        errors = matches = 0
        for path, weights in found.items():
            if path not in expected:
                errors += max(len(weights), 1)
                print(
                    f"Object {_path_text(path)!r} is in the file but not in the reference model (weights: "
                    f"{list(weights)})"
                )
                continue
            wanted = expected[path]
            for name, value in weights.items():
                if name not in wanted:
                    errors += 1
                    print(f"Weight {_path_text(path + (name,))} is in the file but not in the reference model")
                elif tuple(value.shape) != wanted[name]:
                    errors += 1
                    print(
                        f"Weight {_path_text(path + (name,))}: shape {tuple(value.shape)} in the file, "
                        f"{wanted[name]} in the reference model"
                    )
                else:
                    matches += 1
            for name in wanted:
                if name not in weights:
                    errors += 1
                    print(f"Weight {_path_text(path + (name,))} is in the reference model but not in the file")
        for path, wanted in expected.items():
            if path not in found:
                errors += max(len(wanted), 1)
                print(
                    f"Object {_path_text(path)!r} is in the reference model but not in the file (weights: "
                    f"{list(wanted)})"
                )
        if errors:
            print(
                f"Found {errors} error(s): the file is not compatible with the reference model "
                f"({matches} matching weights)"
            )
            return {"status": "error", "error_count": errors, "match_count": matches}
        print(f"Comparison successful: the file matches the reference model ({matches} matching weights)")
        return {"status": "success", "error_count": 0, "match_count": matches}

    # ------------------------------------------------------------------ saving
    def _safetensors_bytes(self):
        from safetensors.torch import save

        tensors, seen = {}, set()
        for path, weights in self._objects.items():
            for name, value in weights.items():
                tensor = torch.as_tensor(value).contiguous()
                if tensor.data_ptr() in seen and tensor.numel():  # safetensors refuses shared memory
                    tensor = tensor.clone()
                seen.add(tensor.data_ptr())
                tensors["/".join(path + (name,))] = tensor
        metadata = {
            "format": _WEIGHTS_FORMAT,
            "order": json.dumps(list(tensors)),
            "crc32": json.dumps({key: _crc32(tensor) for key, tensor in tensors.items()}),
        }
        return save(tensors, metadata=metadata)

    def _write_h5(self, target):
        h5py = h5_format.h5py_module()
        with h5py.File(target, "w") as h5file:
            for path, weights in self._objects.items():
                group = h5file.require_group("/".join(path + ("vars",)))
                group.attrs["name"] = self._labels.get(path, path[-1] if path else "")
                for name, value in weights.items():
                    if isinstance(value, torch.Tensor):  # bfloat16: HDF5 has no such type
                        value = value.float().numpy()
                    group.create_dataset(name, data=value)

    def _h5_bytes(self):
        buffer = io.BytesIO()
        self._write_h5(buffer)
        return buffer.getvalue()

    def save(self, filepath: str | os.PathLike[str]) -> None:
        """Save the edited weights (atomically).

        The file name picks what is written:

        - ``.keras``: the opened archive again (config, metadata, assets and optimizer state as they were) with
          the edited weights; only for an editor opened on a ``.keras`` archive or a saved-model folder. An
          optimizer state saved for the old weights may no longer fit; load such an archive with
          ``compile=False`` or delete the optimizer's state.
        - ``.safetensors``: the weights alone, in kerastorch's layout (as ``model.save_weights`` writes them);
        - ``.weights.h5``: the weights alone, in Keras 3's layout.

        The weights keep the layout they were read in: a file in one layout is not saved in the other.

        Args:
            filepath: str or path-like. Where to write.

        Raises:
            ValueError: an unsupported file name, a ``.keras`` target for an editor opened on a weights file,
                or a weights file in the other layout.

        Example:
            >>> import kerastorch as keras
            >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="a")])
            >>> model.save("model.keras")
            >>> editor = KerasFileEditor("model.keras")
            >>> editor.rename_object("a", "b")
            >>> editor.save("renamed.keras")
            >>> keras.saving.load_model("renamed.keras").layers[0].name   # the config still names the layer a
            'a'
        """
        if not isinstance(filepath, (str, os.PathLike)):
            raise TypeError(
                f"KerasFileEditor.save: filepath must be a str or os.PathLike, received {type(filepath).__name__}"
            )
        path = os.fspath(filepath)
        if path.endswith(".keras"):
            if self._members is None:
                raise ValueError(
                    f"KerasFileEditor.save: {path!r} is a whole-model archive, but the editor opened "
                    f"the weights file {self.filepath!r}, which has no model config; save to a "
                    '".safetensors" or ".weights.h5" file'
                )
            weights = self._safetensors_bytes() if self.layout == _SAFETENSORS else self._h5_bytes()
            members = dict(self._members)
            members[_MEMBERS[self.layout]] = weights
            members = {name: members[name] for name in self._member_order if name in members}
            safe_archive.write_archive(path, members, zipped=True)
            return
        layouts = {".safetensors": _SAFETENSORS, ".weights.h5": _H5}
        suffix = next((s for s in layouts if path.endswith(s)), None)
        if suffix is None:
            raise ValueError(
                f'KerasFileEditor.save: the file name must end in ".keras", ".safetensors" or '
                f'".weights.h5", received {path!r}'
            )
        if layouts[suffix] != self.layout:
            other = ".safetensors" if self.layout == _SAFETENSORS else ".weights.h5"
            raise ValueError(
                f"KerasFileEditor.save: the weights are in {_LAYOUT_NAMES[self.layout]}, which is saved "
                f'as "{other}" (or ".keras"), not {suffix!r}; received {path!r}'
            )
        with atomic_write(path) as tmp_path:
            if self.layout == _SAFETENSORS:
                with open(tmp_path, "wb") as f:
                    f.write(self._safetensors_bytes())
            else:
                self._write_h5(tmp_path)

    def resave_weights(self, filepath: str | os.PathLike[str]) -> None:
        """Same as :meth:`save` (Keras's name).

        Args:
            filepath: str or path-like. Where to write (see :meth:`save`).

        Example:
            >>> import kerastorch as keras
            >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="a")])
            >>> model.save_weights("w.safetensors")
            >>> KerasFileEditor("w.safetensors").resave_weights("copy.safetensors")
            >>> sorted(KerasFileEditor("copy.safetensors").weights_dict["a"])
            ['bias', 'kernel']
        """
        self.save(filepath)

    def __repr__(self):
        return f"<KerasFileEditor {self.filepath!r}: {len(self._objects)} objects, {_LAYOUT_NAMES[self.layout]}>"
