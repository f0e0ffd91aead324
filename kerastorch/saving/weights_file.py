"""``save_weights`` / ``load_weights``: safetensors files keyed by weight path, Keras files by name.

Keys are the weights' Keras paths (``dense_1/kernel``); a repeated path gets a ``#n`` suffix.
The file's metadata records the keys in ``model.weights`` order (Keras's topological order) and
a CRC-32 of each tensor's bytes, checked on loading, so a corrupted file is an error rather
than silently wrong weights (files written by other tools, without it, load unchecked).

The file name picks the format: ``.safetensors`` is ours; ``.weights.h5`` / ``.h5`` / ``.hdf5``
go to :mod:`kerastorch.saving.h5_format` (Keras 3's layout when ``is_keras3_weights_h5``, else
the legacy ``layer_names`` layout, with ``by_name``); a ``.keras`` archive or a saved-model folder
loads the weights member it holds. Any other name is tf.keras 2's checkpoint form, a TensorFlow
checkpoint prefix (``ckpt`` for ``ckpt.index``, :mod:`kerastorch.saving.tf_checkpoint`); a tf.keras 2
SavedModel folder loads from its ``variables/`` checkpoint.

Matching (safetensors), decided before any weight is written, so an error changes nothing:

- every model key is in the file: by path (weights of the file that the model lacks are
  *unused*, which the returned :class:`LoadStatus` reports);
- otherwise, when the file has as many weights as the model, recorded in order, and their
  shapes agree position by position (or no path matches at all): by position, so the same
  architecture built under other names loads, as in Keras;
- otherwise by path, and model weights the file lacks are an error, or, with
  ``skip_mismatch=True``, a warning (they keep their values). A file that matches no weight
  of the model is always an error.

Shapes must agree (``skip_mismatch=True`` skips a mismatched weight with a warning naming
it). Dtypes are cast when safe: floating point to floating point, integer to a wider
integer; anything else is refused (skipped with a warning under ``skip_mismatch``).

:class:`LoadStatus` follows TensorFlow's checkpoint status: ``assert_consumed()`` raises
unless every model weight was loaded and every file weight used; ``expect_partial()``
declares a partial load intended (``assert_consumed()`` then passes). A status with unused
file weights that is discarded unchecked warns once, as TensorFlow's does.

Example:
    >>> import kerastorch as keras
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> save_weights(model, "model.weights.safetensors")
    >>> clone = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="other")])
    >>> status = load_weights(clone, "model.weights.safetensors")
    >>> status.by_position, status.assert_consumed()
    (True, None)
"""

from __future__ import annotations

import json
import os
import warnings
import zlib

import torch

from kerastorch.distribution.data_parallel import is_chief_process
from kerastorch.layers.base import Layer
from kerastorch.saving import h5_format, tf_checkpoint, tf_saved_model
from kerastorch.saving.file_utils import write_bytes
from kerastorch.saving.load_status import NAMES_SHOWN, LoadStatus, shown_names, weight_keys
from kerastorch.saving.safe_archive import load_json, read_archive

__all__ = ["LoadStatus", "weight_keys", "save_weights", "load_weights", "weights_bytes", "load_weights_bytes"]

SAFETENSORS_MEMBER = "model.weights.safetensors"
H5_MEMBER = "model.weights.h5"
_H5_SUFFIXES = (".h5", ".hdf5")
_FORMAT = "kerastorch.weights"


def _tensors_and_metadata(model):
    pairs = weight_keys(model)
    tensors = {key: weight.detach().cpu().contiguous() for key, weight in pairs}
    crcs = {key: _crc32(tensor) for key, tensor in tensors.items()}
    return tensors, {"format": _FORMAT, "order": json.dumps(list(tensors)), "crc32": json.dumps(crcs)}


def _crc32(tensor):
    return zlib.crc32(tensor.detach().cpu().contiguous().reshape(-1).view(torch.uint8).numpy())


def weights_bytes(model: Layer) -> bytes:
    """The bytes of the safetensors file :func:`save_weights` writes (for archive members)."""
    from safetensors.torch import save

    tensors, metadata = _tensors_and_metadata(model)
    return save(tensors, metadata=metadata)


def save_weights(model: Layer, filepath: str | os.PathLike[str]) -> None:
    """Write every weight of ``model`` atomically: ``.safetensors`` (ours), ``.weights.h5`` (Keras 3's), or any
    other name as a TensorFlow checkpoint prefix (tf.keras 2's ``save_weights("ckpt")``). In data-parallel
    training (``keras.distribution``) only process 0 writes."""
    path = os.fspath(filepath)
    if path.endswith(_H5_SUFFIXES + (".keras",)) and not path.endswith(".weights.h5"):
        raise ValueError(
            f'save_weights: the file name must end in ".safetensors" or ".weights.h5" (a name without '
            f"a known suffix is a TensorFlow checkpoint prefix), received {path!r}"
        )
    if not is_chief_process():
        return
    if path.endswith(".weights.h5"):
        write_bytes(path, h5_format.write_keras_weights_h5(model))  # in memory first: disk errors are OSErrors
        return
    if not path.endswith(".safetensors"):  # tf.keras 2's form: save_weights("ckpt") writes a TensorFlow checkpoint
        tf_checkpoint.save_checkpoint(model, path)
        return
    write_bytes(path, weights_bytes(model))  # OSError (not the library's own error) when the disk is full


def load_weights(
    model: Layer, filepath: str | os.PathLike[str], skip_mismatch: bool = False, by_name: bool = False
) -> LoadStatus:
    """Load weights into ``model`` from a file chosen by its name (see the module docstring).

    Returns a :class:`LoadStatus`. ``by_name`` applies to legacy Keras HDF5 files only.
    """
    path = os.fspath(filepath)
    if path.endswith(_H5_SUFFIXES):
        return _load_h5(model, path, skip_mismatch, by_name)
    if by_name:
        raise ValueError(f"load_weights: by_name=True applies to legacy Keras .h5 files only, received {path!r}")
    if tf_checkpoint.is_checkpoint(path):  # tf.keras 2's form: a TensorFlow checkpoint prefix
        return tf_checkpoint.load_checkpoint(model, path, skip_mismatch=skip_mismatch)
    if tf_saved_model.is_saved_model(path):
        return tf_saved_model.load_saved_model_weights(model, path, skip_mismatch=skip_mismatch)
    if path.endswith(".keras") or os.path.isdir(path):
        return _load_archive(model, path, skip_mismatch)
    if not path.endswith(".safetensors"):
        if not os.path.exists(path):
            raise FileNotFoundError(
                f"load_weights: no weights file and no TensorFlow checkpoint at {path!r} (a "
                f"checkpoint prefix needs {path + '.index'!r})"
            )
        raise ValueError(
            f'load_weights: the file name must end in ".safetensors", ".weights.h5", ".h5", ".hdf5" '
            f'or ".keras" (or name a saved-model folder or a TensorFlow checkpoint prefix), received '
            f"{path!r}"
        )
    return _load_safetensors(model, _FileReader(path), skip_mismatch)


def load_weights_bytes(
    model: Layer, data: bytes, skip_mismatch: bool = False, source: str = SAFETENSORS_MEMBER
) -> LoadStatus:
    """Like :func:`load_weights` for the bytes of a safetensors file (an archive member)."""
    return _load_safetensors(model, _BytesReader(data, source), skip_mismatch)


def _load_h5(model, path, skip_mismatch, by_name, source=None):
    keras3 = h5_format.is_keras3_weights_h5(path)
    if hasattr(path, "seek"):
        path.seek(0)
    if keras3:
        if by_name:
            raise ValueError(
                f"load_weights: by_name=True applies to legacy Keras .h5 files; {source or path!r} is "
                "a Keras 3 weights file, which loads by layer structure"
            )
        result = h5_format.load_keras_weights_h5(model, path, skip_mismatch=skip_mismatch)
    else:
        result = h5_format.load_legacy_h5_weights(model, path, by_name=by_name, skip_mismatch=skip_mismatch)
    if isinstance(result, LoadStatus):
        return result
    where = source or repr(path)
    if all(hasattr(result, field) for field in ("loaded", "missing", "unused", "skipped")):  # h5_format.H5LoadResult
        return LoadStatus(
            model.name,
            where,
            loaded={key: key for key in result.loaded},
            missing=result.missing,
            unused=result.unused,
            skipped=result.skipped,
        )
    # A loader without a report raises on what it cannot load: count everything as loaded.
    return LoadStatus(model.name, where, loaded={key: key for key, _ in weight_keys(model)})


def _load_archive(model, path, skip_mismatch):
    import io

    members = read_archive(path, wanted=lambda name: name in (SAFETENSORS_MEMBER, H5_MEMBER))
    if SAFETENSORS_MEMBER in members:
        return load_weights_bytes(
            model, members[SAFETENSORS_MEMBER], skip_mismatch, source=f"{path}/{SAFETENSORS_MEMBER}"
        )
    if H5_MEMBER in members:
        return _load_h5(model, io.BytesIO(members[H5_MEMBER]), skip_mismatch, False, source=f"{path}/{H5_MEMBER}")
    raise ValueError(f"load_weights: {path!r} holds no weights member ({SAFETENSORS_MEMBER} or {H5_MEMBER})")


# --------------------------------------------------------------------------- safetensors reading


class _Reader:
    """A safetensors source: ``keys`` in recorded order, ``ordered``, ``shapes``, ``tensor(key)``."""

    def _set_keys(self, keys, metadata):
        keys = sorted(keys)
        self.ordered = False
        self.crcs = _parse_crcs((metadata or {}).get("crc32"), keys, self.source)
        raw = (metadata or {}).get("order")
        if raw is not None:
            order = _parse_order(raw, self.source)
            if sorted(order) != keys:
                raise ValueError(
                    f"load_weights: {self.source} is corrupt: its recorded weight order names "
                    f"{len(order)} weights but it holds {len(keys)}"
                )
            keys, self.ordered = order, True
        self.keys = keys

    def checked_tensor(self, key):
        """The tensor stored under ``key``, after its CRC-32 check (when the file records one)."""
        value = self.tensor(key)
        if self.crcs is not None and _crc32(value) != self.crcs[key]:
            raise ValueError(f"load_weights: {self.source} is corrupt: weight {key} fails its CRC-32 check")
        return value


def _check_header(header, source):
    """Parse a safetensors header strictly: a name listed twice (where the library keeps the last) is refused."""
    if len(header) < 8:
        raise ValueError(
            f"load_weights: {source} is not a readable safetensors weights file (it is {len(header)} bytes)"
        )
    size = int.from_bytes(header[:8], "little")
    if size > len(header) - 8:
        raise ValueError(
            f"load_weights: {source} is not a readable safetensors weights file (truncated: its "
            f"header claims {size} bytes)"
        )
    try:
        parsed = load_json(bytes(header[8 : 8 + size]), "its header")
    except ValueError as error:
        raise ValueError(f"load_weights: {source} is corrupt: {error}") from None
    if not isinstance(parsed, dict):
        raise ValueError(f"load_weights: {source} is corrupt: its header is not a JSON object")
    return parsed


def _read_header(path):
    with open(path, "rb") as f:
        prefix = f.read(8)
        size = int.from_bytes(prefix, "little") if len(prefix) == 8 else 0
        if size > os.fstat(f.fileno()).st_size:
            size = 0  # _check_header reports the truncation
        return prefix + f.read(size)


def _metadata_json(raw, what, source):
    try:
        return load_json(raw.encode("utf-8"), f"its recorded {what}")
    except ValueError as error:
        raise ValueError(f"load_weights: {source} is corrupt: {error}") from None


def _parse_crcs(raw, keys, source):
    if raw is None:
        return None
    crcs = _metadata_json(raw, "checksums", source)
    if (
        not isinstance(crcs, dict)
        or sorted(crcs) != keys
        or not all(isinstance(value, int) and not isinstance(value, bool) for value in crcs.values())
    ):
        raise ValueError(f"load_weights: {source} is corrupt: its recorded checksums do not list its weights")
    return crcs


def _parse_order(raw, source):
    order = _metadata_json(raw, "weight order", source)
    if not isinstance(order, list) or not all(isinstance(key, str) for key in order) or len(set(order)) != len(order):
        raise ValueError(
            f"load_weights: {source} is corrupt: its recorded weight order is not a list of distinct names"
        )
    return order


class _FileReader(_Reader):
    def __init__(self, path):
        from safetensors import safe_open

        self.source = repr(path)
        _check_header(_read_header(path), self.source)
        try:
            self._file = safe_open(path, framework="pt")
            self.shapes = {key: tuple(self._file.get_slice(key).get_shape()) for key in self._file.keys()}
            metadata = self._file.metadata()
        except FileNotFoundError:
            raise
        except Exception as error:  # noqa: BLE001 - safetensors raises its own error types
            raise ValueError(f"load_weights: {path!r} is not a readable safetensors weights file ({error})") from None
        self._set_keys(self.shapes, metadata)

    def tensor(self, key):
        try:
            return self._file.get_tensor(key)
        except Exception as error:  # noqa: BLE001 - safetensors raises its own error types for a damaged file
            raise ValueError(f"load_weights: cannot read weight {key} of {self.source} ({error})") from None


class _BytesReader(_Reader):
    def __init__(self, data, source):
        from safetensors.torch import load

        self.source = source
        header = _check_header(memoryview(data)[: 8 + int.from_bytes(bytes(data[:8]), "little")], source)
        metadata = header.get("__metadata__")
        try:
            self._tensors = load(bytes(data))
        except Exception as error:  # noqa: BLE001 - safetensors raises its own error types
            raise ValueError(f"load_weights: {source} is not a readable safetensors weights file ({error})") from None
        self.shapes = {key: tuple(value.shape) for key, value in self._tensors.items()}
        self._set_keys(self.shapes, metadata if isinstance(metadata, dict) else None)

    def tensor(self, key):
        return self._tensors[key]


# --------------------------------------------------------------------------- matching


def _match(pairs, reader):
    """Model key -> file key, and whether the match is by position."""
    keys = [key for key, _ in pairs]
    stored = set(reader.keys)
    if all(key in stored for key in keys):
        return {key: key for key in keys}, False
    if reader.ordered and len(reader.keys) == len(keys):
        same_shapes = all(
            tuple(weight.shape) == reader.shapes[file_key] for (_, weight), file_key in zip(pairs, reader.keys)
        )
        if same_shapes or not any(key in stored for key in keys):
            return dict(zip(keys, reader.keys)), True
    return {key: key for key in keys if key in stored}, False


def _castable(source, target):
    if source == target:
        return True
    if source.is_floating_point and target.is_floating_point:
        return True
    integer = {torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8}
    return source in integer and target in integer and torch.promote_types(source, target) == target


def _load_safetensors(model, reader, skip_mismatch):
    name = getattr(model, "name", type(model).__name__)
    pairs = weight_keys(model)
    mapping, by_position = _match(pairs, reader)
    if pairs and not mapping:
        raise ValueError(
            f'load_weights: no weight of {reader.source} matches model "{name}": the file has '
            f"{len(reader.keys)} weights ({shown_names(reader.keys)}), the model {len(pairs)} "
            f"({shown_names(key for key, _ in pairs)})"
        )
    missing = [key for key, _ in pairs if key not in mapping]
    if missing and not skip_mismatch:
        raise ValueError(
            f'load_weights: {reader.source} has {len(reader.keys)} weights and model "{name}" has '
            f"{len(pairs)}; the file lacks {shown_names(missing)} (pass skip_mismatch=True to load the rest)"
        )
    how = "by position " if by_position else ""
    updates, skipped, problems = [], [], []
    for key, weight in pairs:
        file_key = mapping.get(key)
        if file_key is None:
            continue
        shape = reader.shapes[file_key]
        problem = None
        if shape != tuple(weight.shape):
            problem = f"has shape {tuple(weight.shape)} in the model but {shape} in the file"
        else:
            value = reader.checked_tensor(file_key)
            if not _castable(value.dtype, weight.dtype):
                problem = (
                    f"is {weight.dtype} in the model but {value.dtype} in the file (only floating point to "
                    "floating point and integer to wider integer are cast)"
                )
        if problem is None:
            updates.append((weight, value))
            continue
        where = key if file_key == key else f"{key} (file weight {file_key}, matched {how.strip()})"
        problems.append((where, problem))
        skipped.append(key)
    if problems and not skip_mismatch:
        listed = "; ".join(f"weight {where} {problem}" for where, problem in problems[:NAMES_SHOWN])
        more = f"; and {len(problems) - NAMES_SHOWN} more" if len(problems) > NAMES_SHOWN else ""
        raise ValueError(
            f'load_weights: {reader.source} does not fit model "{name}": {listed}{more} '
            "(pass skip_mismatch=True to skip such weights)"
        )
    for where, problem in problems:
        warnings.warn(f'load_weights: skipping weight {where} of model "{name}": it {problem}', stacklevel=3)
    if missing:
        warnings.warn(
            f'load_weights: {reader.source} lacks {len(missing)} weight(s) of model "{name}", which keep '
            f"their values: {shown_names(missing)}",
            stacklevel=3,
        )
    with torch.no_grad():
        for weight, value in updates:
            weight.copy_(value)
    loaded = {key: mapping[key] for key, _ in pairs if key in mapping and key not in skipped}
    matched = set(mapping.values())  # a skipped weight's file entry is reported as skipped, not unused
    unused = [key for key in reader.keys if key not in matched]
    return LoadStatus(
        name, reader.source, loaded=loaded, missing=missing, unused=unused, skipped=skipped, by_position=by_position
    )
