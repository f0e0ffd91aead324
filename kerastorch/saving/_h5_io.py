"""Shared reading machinery of the Keras HDF5 formats (:mod:`kerastorch.saving.h5_format`,
:mod:`kerastorch.saving.h5_legacy`): opening a path, bytes, a file object or a ``.keras``
archive; reading only hard-linked, plain numeric datasets whose shape was checked first;
queuing checked assignments that are written only when the whole file has been checked.

Example:
    >>> import io, h5py
    >>> buffer = io.BytesIO()
    >>> with h5py.File(buffer, "w") as f:
    ...     f["vars/0"] = np.ones(2, "float32")
    >>> with open_read(buffer.getvalue()) as f:
    ...     dataset_shape(child(f["vars"], "0", "demo"))
    (2,)
"""

import dataclasses
import io
import os
import warnings

import numpy as np
import torch

from kerastorch.saving import safe_archive

ARCHIVE_MEMBER = "model.weights.h5"


@dataclasses.dataclass
class H5LoadResult:
    """What a load did: weight paths that received a value, model weights the file did not
    provide, file entries the model did not use, and weights skipped for a mismatch."""

    loaded: list = dataclasses.field(default_factory=list)
    missing: list = dataclasses.field(default_factory=list)
    unused: list = dataclasses.field(default_factory=list)
    skipped: list = dataclasses.field(default_factory=list)


def h5py_module():
    """h5py, imported on first use (an optional dependency)."""
    try:
        import h5py
    except ImportError:
        raise ImportError(
            "Reading and writing Keras HDF5 files needs h5py: pip install kerastorch[h5]  (or: pip install h5py)"
        ) from None
    return h5py


# ------------------------------------------------------------------ opening files
def describe(source):
    """How error messages name ``source``."""
    if isinstance(source, (str, os.PathLike)):
        return f'"{os.fspath(source)}"'
    return "<in-memory HDF5 file>"


def open_read(source):
    """An open ``h5py.File`` for a path, bytes, a file object or a ``.keras`` archive path."""
    h5py = h5py_module()
    what = describe(source)
    if isinstance(source, (bytes, bytearray, memoryview)):
        source = io.BytesIO(bytes(source))
    elif isinstance(source, (str, os.PathLike)):
        import zipfile

        path = os.fspath(source)
        if not os.path.exists(path):
            raise FileNotFoundError(f"No HDF5 weights file at {what}")
        if os.path.isdir(path) or zipfile.is_zipfile(path):  # a saved model (.keras zip or folder)
            members = safe_archive.read_archive(path, wanted=lambda name: name == ARCHIVE_MEMBER)
            if ARCHIVE_MEMBER not in members:
                raise ValueError(f'{what} is a Keras archive without a "{ARCHIVE_MEMBER}" member')
            source = io.BytesIO(members[ARCHIVE_MEMBER])
    try:
        return h5py.File(source, "r")
    except (OSError, ValueError) as error:
        raise ValueError(f"{what} is not a readable HDF5 file ({error})") from None


def child(group, name, what):
    """``group[name]`` when it is a hard link, else None; links elsewhere are refused."""
    h5py = h5py_module()
    try:
        link = group.get(name, getlink=True)
    except (KeyError, ValueError, OSError, TypeError):
        return None
    if link is None:
        return None
    if not isinstance(link, h5py.HardLink):
        raise ValueError(
            f"{what}: {group.name}/{name} is a {type(link).__name__}; "
            "only plain (hard-linked) groups and datasets are read"
        )
    try:
        return group[name]
    except (KeyError, ValueError, OSError) as error:
        raise ValueError(f"{what}: {group.name}/{name} cannot be read ({error})") from None


def subgroups(group, what):
    """``{name: group}`` of the hard-linked subgroups of ``group``."""
    h5py = h5py_module()
    out = {}
    for name in group:
        obj = child(group, name, what)
        if isinstance(obj, h5py.Group):
            out[name] = obj
    return out


def read_array(dataset, weight, label, what):
    """The dataset's values for ``weight`` (shape and dtype kind checked before reading)."""
    h5py = h5py_module()
    if not isinstance(dataset, h5py.Dataset):
        raise ValueError(f"{what}: {dataset.name} should be a dataset for weight {label}, found a group")
    if dataset.is_virtual or dataset.external:
        raise ValueError(f"{what}: dataset {dataset.name} stores its data outside the file; refused")
    kind = dataset.dtype.kind
    if kind not in "fiub" or (kind == "f") != weight.is_floating_point():  # float <-> float, int <-> int
        raise ValueError(
            f"{what}: dataset {dataset.name} has dtype {dataset.dtype}, which cannot be loaded into "
            f"weight {label} of dtype {str(weight.dtype).replace('torch.', '')}"
        )
    try:
        return np.asarray(dataset[()])
    except (OSError, ValueError) as error:
        raise ValueError(f"{what}: dataset {dataset.name} cannot be read ({error})") from None


def dataset_shape(dataset):
    return tuple(getattr(dataset, "shape", None) or ())


class Plan:
    """Checked assignments, applied all at once when the whole file has been checked."""

    def __init__(self, what, skip_mismatch):
        self.what, self.skip_mismatch = what, skip_mismatch
        self.updates, self.result = [], H5LoadResult()

    def problem(self, message, skipped=()):
        if not self.skip_mismatch:
            raise ValueError(f"{self.what}: {message}")
        warnings.warn(f"{self.what}: skipped, {message}", stacklevel=4)
        self.result.skipped.extend(skipped)

    def assign(self, weights, datasets, owner):
        """Pair the weights with datasets by position, checking counts and shapes."""
        labels = [getattr(w, "path", "weight") for w in weights]
        if len(weights) != len(datasets):
            return self.problem(
                f'layer "{owner}" has {len(weights)} weights {labels} but the file has {len(datasets)} for it', labels
            )
        for weight, label, dataset in zip(weights, labels, datasets):
            if dataset_shape(dataset) != tuple(weight.shape):
                self.problem(
                    f"weight {label} has shape {tuple(weight.shape)} in the model but "
                    f"{dataset_shape(dataset)} in the file ({dataset.name})",
                    [label],
                )
                continue
            self.updates.append((weight, read_array(dataset, weight, label, self.what)))
            self.result.loaded.append(label)
        return None

    def apply(self):
        with torch.no_grad():
            for weight, array in self.updates:
                weight.copy_(torch.as_tensor(np.asarray(array)).reshape(weight.shape).to(weight.dtype))


def attr_list(group, name):
    """A string-list attribute, also when Keras split it into ``name0``, ``name1`` ... chunks."""
    try:
        if name in group.attrs:
            chunks = [group.attrs[name]]
        elif f"{name}0" in group.attrs:
            chunks, index = [], 0
            while f"{name}{index}" in group.attrs:
                chunks.append(group.attrs[f"{name}{index}"])
                index += 1
        else:
            return None
    except (OSError, ValueError, TypeError) as error:
        raise ValueError(f"the {name} attribute of {group.name} cannot be read ({error})") from None
    values = [v for chunk in chunks for v in np.atleast_1d(np.asarray(chunk, dtype=object)).ravel()]
    if not all(isinstance(v, (bytes, str)) for v in values):
        raise ValueError(f"the {name} attribute of {group.name} should list names, found {values[:5]!r}")
    try:
        return [v.decode("utf8") if isinstance(v, bytes) else v for v in values]
    except UnicodeDecodeError as error:
        raise ValueError(f"the {name} attribute of {group.name} is not UTF-8 text ({error})") from None


def legacy_root(h5file):
    """The group holding ``layer_names`` (the root or ``model_weights``), or None."""
    if attr_list(h5file, "layer_names") is not None:
        return h5file
    weights = child(h5file, "model_weights", "HDF5 file")
    if isinstance(weights, h5py_module().Group) and attr_list(weights, "layer_names") is not None:
        return weights
    return None
