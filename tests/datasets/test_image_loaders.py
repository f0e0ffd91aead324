"""keras.datasets mnist, fashion_mnist, cifar10 and cifar100 on small synthetic files in Keras's formats, served
by a local HTTP server: download, cache, layout, dtypes, and parity with Keras 3's loaders on the same files."""

import gzip
import os
import re

import numpy as np
import pytest
from _dataset_files import (
    assert_same_arrays,
    cifar_batch,
    idx_gz_bytes,
    keras_loader,
    npz_bytes,
    publish,
    sha256,
    tar_gz_bytes,
)

import kerastorch
from kerastorch.datasets import cifar10, cifar100, fashion_mnist, mnist

RNG = np.random.RandomState(0)  # the module's constant data sets; tests draw from np.random, seeded per test


def _images(count, *shape, rng=np.random):
    return rng.randint(0, 256, size=(count, *shape)).astype(np.uint8)


def _labels(count, classes=10, rng=np.random):
    return rng.randint(0, classes, size=count).astype(np.uint8)


# ------------------------------------------------------------------------------------------------- MNIST
MNIST = {
    "x_train": _images(7, 28, 28, rng=RNG),
    "y_train": _labels(7, rng=RNG),
    "x_test": _images(3, 28, 28, rng=RNG),
    "y_test": _labels(3, rng=RNG),
}


@pytest.fixture
def mnist_file(local_server, monkeypatch, home):
    data = npz_bytes(**MNIST)
    publish(local_server, monkeypatch, mnist, "mnist.npz", data)
    return data


def test_mnist_is_downloaded_once_and_read_from_the_cache(mnist_file, local_server, home):
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert_same_arrays((x_train, y_train, x_test, y_test), tuple(MNIST.values()))
    assert (home / "datasets" / "mnist.npz").read_bytes() == mnist_file
    mnist.load_data()
    assert local_server.hits == ["/mnist.npz"]
    mnist.load_data(path="my_mnist.npz")  # another name in the cache: another download of the same address
    assert local_server.hits == ["/mnist.npz"] * 2 and (home / "datasets" / "my_mnist.npz").is_file()


def test_mnist_with_the_wrong_arrays_names_them(local_server, monkeypatch, home):
    publish(local_server, monkeypatch, mnist, "mnist.npz", npz_bytes(x_train=MNIST["x_train"]))
    with pytest.raises(ValueError, match=r"mnist.npz has no array named y_train, x_test, y_test \(it has x_train\)"):
        mnist.load_data()


@pytest.mark.parity
def test_mnist_parity(keras3, mnist_file, home, monkeypatch):
    from keras.src.datasets import mnist as keras_mnist

    expected = keras_loader(monkeypatch, keras_mnist, home / "datasets" / "mnist.npz")
    actual = mnist.load_data()
    assert_same_arrays(actual, expected.load_data())


# ----------------------------------------------------------------------------------------- Fashion-MNIST
FASHION = {
    "train-labels-idx1-ubyte.gz": _labels(6, rng=RNG),
    "train-images-idx3-ubyte.gz": _images(6, 28, 28, rng=RNG),
    "t10k-labels-idx1-ubyte.gz": _labels(4, rng=RNG),
    "t10k-images-idx3-ubyte.gz": _images(4, 28, 28, rng=RNG),
}


@pytest.fixture
def fashion_files(local_server, monkeypatch, home):
    for name, array in FASHION.items():
        local_server.files["/fashion/" + name] = idx_gz_bytes(array)
    monkeypatch.setattr(fashion_mnist, "ORIGIN_FOLDER", local_server.url + "/fashion/")


def test_fashion_mnist_reads_the_idx_files_into_the_keras_cache_folder(fashion_files, local_server, home):
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    assert_same_arrays((y_train, x_train, y_test, x_test), tuple(FASHION.values()))
    assert x_train.flags.writeable
    assert sorted(os.listdir(home / "datasets" / "fashion-mnist")) == sorted(FASHION)
    assert local_server.hits == ["/fashion/" + name for name in FASHION]  # Keras's order
    fashion_mnist.load_data()
    assert len(local_server.hits) == 4


@pytest.mark.parametrize(
    "corrupt, message",
    [
        (lambda data: data[:-5], "holds 4699 values, but its header announces the shape (6, 28, 28)"),
        (lambda data: data[:2] + b"\x0d" + data[3:], "is not an IDX file of uint8 data of rank 3"),
    ],
)
def test_fashion_mnist_refuses_a_corrupt_idx_file(fashion_files, local_server, corrupt, message):
    name = "/fashion/train-images-idx3-ubyte.gz"
    local_server.files[name] = gzip.compress(corrupt(gzip.decompress(local_server.files[name])))
    with pytest.raises(ValueError, match=re.escape("train-images-idx3-ubyte.gz " + message)):
        fashion_mnist.load_data()


def test_fashion_mnist_refuses_images_and_labels_of_different_counts(fashion_files, local_server):
    local_server.files["/fashion/t10k-labels-idx1-ubyte.gz"] = idx_gz_bytes(_labels(5))
    with pytest.raises(ValueError, match="the t10k set has 4 images but 5 labels"):
        fashion_mnist.load_data()


@pytest.mark.parity
def test_fashion_mnist_parity(keras3, fashion_files, home, monkeypatch):
    from keras.src.datasets import fashion_mnist as keras_fashion

    actual = fashion_mnist.load_data()
    folder = home / "datasets" / "fashion-mnist"
    monkeypatch.setattr(keras_fashion, "get_file", lambda fname, **kwargs: str(folder / fname))
    assert_same_arrays(actual, keras_fashion.load_data())


# ------------------------------------------------------------------------------------------------- CIFAR
def _cifar10_archive(train_sizes, test_size):
    """A small cifar-10-python.tar.gz: its batches, and the images and labels they hold."""
    members, sets = {}, {}
    for name, size in [(f"data_batch_{i + 1}", n) for i, n in enumerate(train_sizes)] + [("test_batch", test_size)]:
        images, labels = _images(size, 3, 32, 32), _labels(size)
        members[f"cifar-10-batches-py/{name}"] = cifar_batch(images, labels=labels)
        sets[name] = images, labels
    members["cifar-10-batches-py/batches.meta"] = b"not read"
    return tar_gz_bytes(members), sets


def test_cifar10_downloads_extracts_and_reads_the_batches(local_server, monkeypatch, home):
    archive, sets = _cifar10_archive([2, 3, 1, 2, 2], 3)
    publish(local_server, monkeypatch, cifar10, "cifar-10-python.tar.gz", archive)
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    train_images = np.concatenate([sets[f"data_batch_{i}"][0] for i in range(1, 6)])
    train_labels = np.concatenate([sets[f"data_batch_{i}"][1] for i in range(1, 6)])
    assert_same_arrays((x_train, y_train), (train_images.transpose(0, 2, 3, 1), train_labels[:, None]))
    assert_same_arrays((x_test, y_test), (sets["test_batch"][0].transpose(0, 2, 3, 1), sets["test_batch"][1][:, None]))
    assert sorted(os.listdir(home / "datasets")) == ["cifar-10-batches-py-target", "cifar-10-batches-py-target_archive"]
    kerastorch.config.set_image_data_format("channels_first")
    (x_train, _), _ = cifar10.load_data()
    assert_same_arrays(x_train, train_images)
    assert local_server.hits == ["/cifar-10-python.tar.gz"]


def test_cifar_batch_that_is_not_a_batch_is_named(local_server, monkeypatch, home):
    archive = tar_gz_bytes(
        {
            "cifar-100-python/train": cifar_batch(_images(2, 3, 32, 32), fine_labels=[1, 2]),
            "cifar-100-python/test": cifar_batch(_images(1, 3, 32, 32), fine_labels=[0]),
        }
    )
    publish(local_server, monkeypatch, cifar100, "cifar-100-python.tar.gz", archive)
    with pytest.raises(ValueError, match=r"cifar-100-python/train is not a CIFAR batch with 'coarse_labels'"):
        cifar100.load_data(label_mode="coarse")


@pytest.mark.parity
def test_cifar10_parity(keras3, monkeypatch, home):
    """Keras reads exactly 10,000 images per training batch: full-size batches, put in the cache as extracted."""
    folder = home / "datasets" / "cifar-10-batches-py-target" / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        images = np.broadcast_to(_images(10, 3, 32, 32), (1000, 10, 3, 32, 32)).reshape(10000, 3, 32, 32)
        (folder / name).write_bytes(cifar_batch(images, python2=False, labels=_labels(10000)))
    dummy_archive = home / "datasets" / "cifar-10-batches-py-target_archive"
    dummy_archive.write_bytes(b"stands for the downloaded archive")
    monkeypatch.setattr(cifar10, "FILE_HASH", sha256(dummy_archive.read_bytes()))
    from keras.src.datasets import cifar10 as keras_cifar10

    actual = cifar10.load_data()
    keras_loader(monkeypatch, keras_cifar10, folder.parent)
    assert_same_arrays(actual, keras_cifar10.load_data())


CIFAR100 = {
    name: (_images(size, 3, 32, 32, rng=RNG), _labels(size, 100, rng=RNG), _labels(size, 20, rng=RNG))
    for name, size in [("train", 5), ("test", 3)]
}


@pytest.fixture
def cifar100_archive(local_server, monkeypatch, home):
    archive = tar_gz_bytes(
        {
            f"cifar-100-python/{name}": cifar_batch(images, fine_labels=fine, coarse_labels=coarse)
            for name, (images, fine, coarse) in CIFAR100.items()
        }
    )
    publish(local_server, monkeypatch, cifar100, "cifar-100-python.tar.gz", archive)


def test_cifar100_label_modes(cifar100_archive):
    (x_train, y_fine), (x_test, _) = cifar100.load_data()
    (_, y_coarse), _ = cifar100.load_data(label_mode="coarse")
    images, fine, coarse = CIFAR100["train"]
    assert_same_arrays((x_train, x_test), (images.transpose(0, 2, 3, 1), CIFAR100["test"][0].transpose(0, 2, 3, 1)))
    assert_same_arrays((y_fine, y_coarse), (fine.astype(np.int64)[:, None], coarse.astype(np.int64)[:, None]))
    with pytest.raises(ValueError, match="label_mode must be 'fine' or 'coarse', received 'Fine'"):
        cifar100.load_data(label_mode="Fine")


@pytest.mark.parity
@pytest.mark.parametrize("label_mode, data_format", [("fine", "channels_last"), ("coarse", "channels_first")])
def test_cifar100_parity(keras3, cifar100_archive, home, monkeypatch, label_mode, data_format):
    from keras.src.datasets import cifar100 as keras_cifar100

    kerastorch.config.set_image_data_format(data_format)
    actual = cifar100.load_data(label_mode=label_mode)
    keras_loader(monkeypatch, keras_cifar100, home / "datasets" / "cifar-100-python-target")
    keras3.config.set_image_data_format(data_format)
    try:
        expected = keras_cifar100.load_data(label_mode=label_mode)
    finally:
        keras3.config.set_image_data_format("channels_last")
    assert_same_arrays(actual, expected)
