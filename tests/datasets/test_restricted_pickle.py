"""kerastorch.datasets.restricted_pickle: Keras's dataset pickles load (Python 2 CIFAR batches, NumPy 1 and 2
object arrays); a hostile pickle is refused with the file's name and nothing it asks for is called, whether it
comes as a pickle, inside an npz object array, or as a CIFAR batch through cifar10.load_data."""

import io
import os
import pickle
import zipfile

import numpy as np
import pytest
from _dataset_files import cifar_batch, npz_bytes, object_array, publish, python2_pickle, tar_gz_bytes

from kerastorch.datasets import cifar10, imdb, restricted_pickle


class _Exploit:
    """Unpickling it would run ``touch marker``."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_a_python2_cifar_batch_loads():
    images = np.arange(2 * 3072).astype(np.uint8).reshape(2, 3, 32, 32)
    batch = restricted_pickle.load_pickle(io.BytesIO(cifar_batch(images, labels=[3, 1])), "batch", encoding="bytes")
    assert batch[b"labels"] == [3, 1] and batch[b"filenames"] == [b"image_0.png", b"image_1.png"]
    assert batch[b"data"].dtype == np.uint8 and np.array_equal(batch[b"data"], images.reshape(2, 3072))


def _numpy1_protocol3(obj):
    """As NumPy 1 pickles object arrays in .npy files: protocol 3, numpy.core.multiarray."""
    return pickle.dumps(obj, protocol=3).replace(b"cnumpy._core.multiarray\n", b"cnumpy.core.multiarray\n")


@pytest.mark.parametrize(
    "writer, encoding",
    [(python2_pickle, "bytes"), (_numpy1_protocol3, "ASCII"), (lambda obj: pickle.dumps(obj, protocol=4), "ASCII")],
)
def test_arrays_pickled_by_python_2_numpy_1_or_numpy_2_load(writer, encoding):
    data = writer({b"sequences": object_array([[1, 2], [3]]), b"labels": np.array([1, 0], dtype=np.int64)})
    assert b"numpy._core.multiarray" in data or b"numpy.core.multiarray" in data
    loaded = restricted_pickle.load_pickle(io.BytesIO(data), "file", encoding=encoding)
    assert loaded[b"sequences"].tolist() == [[1, 2], [3]] and loaded[b"labels"].tolist() == [1, 0]
    assert loaded[b"labels"].dtype == np.int64


def test_npz_files_load_numeric_and_object_arrays(tmp_path):
    path = tmp_path / "ragged.npz"
    path.write_bytes(npz_bytes(x=object_array([[1, 14, 22], [1, 194]]), y=np.ones((2, 3), np.float32)))
    arrays = restricted_pickle.load_npz(str(path))
    assert arrays["x"].tolist() == [[1, 14, 22], [1, 194]] and arrays["y"].dtype == np.float32


@pytest.mark.parametrize(
    "payload", [os.system, eval, getattr, pickle.loads, np.load, np.frombuffer], ids=lambda f: f.__name__
)
def test_any_other_global_is_refused(payload):
    refused = rf"evil.pkl: refusing to unpickle the global \S+\.{payload.__name__}: .* nothing from it was called"
    with pytest.raises(pickle.UnpicklingError, match=refused):
        restricted_pickle.load_pickle(io.BytesIO(pickle.dumps(payload)), "evil.pkl")


def test_a_hostile_pickle_is_refused_and_nothing_runs(tmp_path):
    marker = tmp_path / "marker"
    for data in (pickle.dumps(_Exploit(marker)), pickle.dumps([1, {"a": _Exploit(marker)}], protocol=2)):
        with pytest.raises(pickle.UnpicklingError, match=r"evil.pkl: refusing to unpickle the global posix.system"):
            restricted_pickle.load_pickle(io.BytesIO(data), "evil.pkl")
    assert not marker.exists()
    pickle.loads(data)  # the control: pickle's own unpickler runs the payload
    assert marker.exists()


def test_a_hostile_object_array_in_imdb_npz_is_refused(tmp_path, local_server, monkeypatch):
    marker = tmp_path / "marker"
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    evil = object_array([[1, 2]])
    evil[0] = _Exploit(marker)
    publish(
        local_server,
        monkeypatch,
        imdb,
        "imdb.npz",
        npz_bytes(x_train=evil, y_train=np.array([1]), x_test=evil, y_test=np.array([0])),
    )
    with pytest.raises(pickle.UnpicklingError, match=r"imdb.npz:x_train.npy: refusing .* posix.system"):
        imdb.load_data()
    assert not marker.exists()


def test_a_hostile_cifar_batch_is_refused(tmp_path, local_server, monkeypatch):
    marker = tmp_path / "marker"
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    publish(
        local_server,
        monkeypatch,
        cifar10,
        "cifar-10-python.tar.gz",
        tar_gz_bytes({"cifar-10-batches-py/data_batch_1": python2_pickle({b"data": _Exploit(marker)})}),
    )
    with pytest.raises(pickle.UnpicklingError, match=r"cifar-10-batches-py/data_batch_1: refusing .* posix.system"):
        cifar10.load_data()
    assert not marker.exists()


def test_an_object_array_member_that_is_no_array_is_refused(tmp_path):
    path = tmp_path / "odd.npz"
    array_bytes = io.BytesIO()
    np.save(array_bytes, object_array([[1]]))
    header = array_bytes.getvalue()[: array_bytes.getvalue().index(b"\n") + 1]
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("x.npy", header + pickle.dumps([1, 2]))
    with pytest.raises(ValueError, match=r"odd.npz:x.npy: the object array's pickle holds a list, not an array"):
        restricted_pickle.load_npz(str(path))
