"""Every loader fetches Keras's files (the same addresses, cache names, sub-folders and hashes as Keras 3), and
offline its error names the file, its address and the folder to put it in."""

import importlib
import inspect
import os

import pytest
from _dataset_files import closed_port_url

from kerastorch.datasets import (
    _cifar,
    _common,
    boston_housing,
    california_housing,
    cifar10,
    cifar100,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)
from kerastorch.utils.file_utils import get_file

# (module, its address constant, the address's file name, how to call it, the name in the cache, the sub-folder)
LOADERS = [
    (mnist, "ORIGIN", "mnist.npz", mnist.load_data, "mnist.npz", "datasets"),
    (
        fashion_mnist,
        "ORIGIN_FOLDER",
        "",
        fashion_mnist.load_data,
        "train-labels-idx1-ubyte.gz",
        os.path.join("datasets", "fashion-mnist"),
    ),
    (cifar10, "ORIGIN", "cifar-10-python.tar.gz", cifar10.load_data, "cifar-10-batches-py-target_archive", "datasets"),
    (cifar100, "ORIGIN", "cifar-100-python.tar.gz", cifar100.load_data, "cifar-100-python-target_archive", "datasets"),
    (imdb, "ORIGIN", "imdb.npz", imdb.load_data, "imdb.npz", "datasets"),
    (imdb, "WORD_INDEX_ORIGIN", "imdb_word_index.json", imdb.get_word_index, "imdb_word_index.json", "datasets"),
    (reuters, "ORIGIN", "reuters.npz", reuters.load_data, "reuters.npz", "datasets"),
    (
        reuters,
        "WORD_INDEX_ORIGIN",
        "reuters_word_index.json",
        reuters.get_word_index,
        "reuters_word_index.json",
        "datasets",
    ),
    (boston_housing, "ORIGIN", "boston_housing.npz", boston_housing.load_data, "boston_housing.npz", "datasets"),
    (
        california_housing,
        "ORIGIN",
        "california_housing.npz",
        california_housing.load_data,
        "california_housing.npz",
        "datasets",
    ),
]


@pytest.mark.parametrize(
    "module, constant, address_name, load, cached_name, subdir",
    LOADERS,
    ids=lambda value: getattr(value, "__qualname__", None),
)
def test_offline_the_error_says_which_file_to_put_where(
    module, constant, address_name, load, cached_name, subdir, tmp_path, monkeypatch
):
    origin = closed_port_url() + address_name
    monkeypatch.setattr(module, constant, origin)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    address = origin + ("train-labels-idx1-ubyte.gz" if module is fashion_mnist else "")
    folder = tmp_path / subdir
    with pytest.raises(
        OSError,
        match=f"could not download '{cached_name}' from {address} .* put it at "
        f"{folder / cached_name} \\(in the folder {folder}\\)",
    ):
        load()
    assert os.listdir(folder) == []


class _Fetched(Exception):
    """Stops a loader at its first ``get_file`` call."""


def _recording_get_file(calls):
    signature = inspect.signature(get_file)

    def fake_get_file(*args, **kwargs):
        arguments = signature.bind(*args, **kwargs)
        arguments.apply_defaults()
        calls.append(
            {
                key: arguments.arguments[key]
                for key in ("fname", "origin", "file_hash", "cache_subdir", "extract", "hash_algorithm", "cache_dir")
            }
        )
        raise _Fetched

    return fake_get_file


@pytest.mark.parity
@pytest.mark.parametrize(
    "name, function, kwargs",
    [
        ("mnist", "load_data", {}),
        ("fashion_mnist", "load_data", {}),
        ("cifar10", "load_data", {}),
        ("cifar100", "load_data", {}),
        ("imdb", "load_data", {}),
        ("imdb", "get_word_index", {}),
        ("reuters", "load_data", {}),
        ("reuters", "get_word_index", {}),
        ("boston_housing", "load_data", {}),
        ("california_housing", "load_data", {}),
        ("mnist", "load_data", {"path": "other.npz"}),
        ("imdb", "load_data", {"path": "other.npz"}),
        ("reuters", "get_word_index", {"path": "other.json"}),
        ("boston_housing", "load_data", {"path": "other.npz"}),
    ],
)
def test_the_files_are_keras_files(keras3, name, function, kwargs, monkeypatch):
    kerastorch_calls, keras_calls = [], []
    for module in (_common, _cifar, fashion_mnist):
        monkeypatch.setattr(module, "get_file", _recording_get_file(kerastorch_calls))
    keras_module = importlib.import_module(f"keras.src.datasets.{name}")
    monkeypatch.setattr(keras_module, "get_file", _recording_get_file(keras_calls))
    for module in (importlib.import_module(f"kerastorch.datasets.{name}"), keras_module):
        with pytest.raises(_Fetched):
            getattr(module, function)(**kwargs)
    assert kerastorch_calls == keras_calls and len(keras_calls) == 1
