"""Small synthetic files in the formats of Keras's data sets, and the plumbing to serve them to kerastorch's
loaders (a local HTTP server or the Keras cache) and to hand them to Keras 3's loaders for parity tests."""

import gzip
import hashlib
import io
import pickle
import socket
import struct
import tarfile

import numpy as np


# ------------------------------------------------------------------------------------------- file formats
def npz_bytes(**arrays):
    """An ``.npz`` file as ``np.savez`` writes it (object arrays pickled inside)."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def idx_gz_bytes(array):
    """A gzipped IDX file of uint8 data, as in Fashion-MNIST."""
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return gzip.compress(header + np.ascontiguousarray(array, np.uint8).tobytes(), compresslevel=1)


class _Python2Pickler(pickle._Pickler):
    """Writes pickles as Python 2 did (CIFAR's batches): protocol 2, ``str`` and ``bytes`` as BINSTRING."""

    dispatch = dict(pickle._Pickler.dispatch)

    def _save_python2_str(self, obj):
        data = obj if isinstance(obj, bytes) else obj.encode("ascii")
        opcode = (
            pickle.SHORT_BINSTRING + bytes([len(data)])
            if len(data) < 256
            else pickle.BINSTRING + struct.pack("<i", len(data))
        )
        self.write(opcode + data)
        self.memoize(obj)

    dispatch[bytes] = _save_python2_str
    dispatch[str] = _save_python2_str


def python2_pickle(obj):
    """``obj`` pickled as Python 2 with NumPy 1 did: BINSTRING strings, ``numpy.core.multiarray`` globals."""
    buffer = io.BytesIO()
    _Python2Pickler(buffer, protocol=2).dump(obj)
    return buffer.getvalue().replace(b"cnumpy._core.multiarray\n", b"cnumpy.core.multiarray\n")


def cifar_batch(images, python2=True, **labels):
    """A CIFAR batch: a Python 2 pickle of a dict with bytes keys, ``data`` uint8 rows of 3072 pixels (the
    red, green then blue planes of 32x32 images) and label lists (``labels``, or ``fine_labels`` and
    ``coarse_labels``). ``python2=False`` pickles it with Python 3's fast pickler instead (protocol 4)."""
    batch = {
        b"batch_label": b"synthetic batch",
        b"data": images.reshape(len(images), 3072),
        b"filenames": [f"image_{i}.png".encode() for i in range(len(images))],
    }
    batch.update({key.encode(): [int(label) for label in values] for key, values in labels.items()})
    return python2_pickle(batch) if python2 else pickle.dumps(batch, protocol=4)


def tar_gz_bytes(members):
    """A ``.tar.gz`` archive of ``{name: bytes}``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=1) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def object_array(lists):
    """A 1-D object array of lists, as in imdb.npz and reuters.npz, whatever their lengths."""
    array = np.empty(len(lists), dtype=object)
    for i, items in enumerate(lists):
        array[i] = list(items)
    return array


def ragged_sequences(rng, count, vocabulary, max_length):
    """An object array of ``count`` lists of word ranks 1..vocabulary-1 (Python ints) of ragged lengths."""
    return object_array(
        [[int(w) for w in rng.randint(1, vocabulary, size=rng.randint(1, max_length + 1))] for _ in range(count)]
    )


# ------------------------------------------------------------------------------------------------ serving
def sha256(data):
    return hashlib.sha256(data).hexdigest()


def md5(data):
    return hashlib.md5(data).hexdigest()


def publish(server, monkeypatch, module, name, data, origin="ORIGIN", file_hash="FILE_HASH"):
    """Serve ``data`` at ``/name`` and point ``module``'s address (and hash, unless None) at it."""
    server.files["/" + name] = data
    monkeypatch.setattr(module, origin, f"{server.url}/{name}")
    if file_hash is not None:
        monkeypatch.setattr(module, file_hash, sha256(data) if len(getattr(module, file_hash)) == 64 else md5(data))


def closed_port_url():
    """An address on 127.0.0.1 where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/"


def keras_loader(monkeypatch, keras_module, path):
    """Keras 3's dataset module ``keras_module``, its ``get_file`` answering ``path`` for every file."""
    monkeypatch.setattr(keras_module, "get_file", lambda *args, **kwargs: str(path))
    return keras_module


def assert_same_arrays(actual, expected):
    """Nested tuples of arrays equal in type, shape, dtype and values (object arrays element by element)."""
    if isinstance(expected, (tuple, list)) and not isinstance(expected, np.ndarray):
        assert isinstance(actual, (tuple, list)) and len(actual) == len(expected)
        for a, e in zip(actual, expected):
            assert_same_arrays(a, e)
        return
    assert isinstance(actual, np.ndarray) and isinstance(expected, np.ndarray)
    assert (actual.shape, actual.dtype) == (expected.shape, expected.dtype)
    if expected.dtype == object:
        assert actual.tolist() == expected.tolist()
    else:
        assert np.array_equal(actual, expected)
