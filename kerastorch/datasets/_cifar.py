"""Private helpers shared by CIFAR-10 and CIFAR-100: the archive, its pickled batches, the image layout."""

import os

import numpy as np

from kerastorch import config
from kerastorch.datasets.restricted_pickle import load_pickle
from kerastorch.utils.file_utils import get_file


def fetch_batches_folder(fname, origin, file_hash, folder):
    """The folder of batches inside the archive ``origin``, which is cached as ``fname + "_archive"`` and
    extracted into the folder ``fname`` (Keras's layout)."""
    return os.path.join(get_file(fname=fname, origin=origin, extract=True, file_hash=file_hash), folder)


def load_batches(folder, names, label_key, label_dtype=None):
    """``(x, y)``: the batches ``names`` of ``folder`` concatenated, the images in the configured data format
    and the labels as a column of ``label_dtype`` (NumPy's default integer for None)."""
    batches = [_read_batch(os.path.join(folder, name), label_key) for name in names]
    images = np.concatenate([images for images, _ in batches])
    labels = np.concatenate([np.asarray(labels, dtype=label_dtype) for _, labels in batches])
    if config.image_data_format() == "channels_last":
        images = images.transpose(0, 2, 3, 1)
    return images, labels.reshape(-1, 1)


def _read_batch(path, label_key):
    """The images ``(n, 3, 32, 32)`` and labels of a Python 2 batch pickle: a dict of bytes keys."""
    with open(path, "rb") as f:
        batch = load_pickle(f, path, encoding="bytes")
    if not isinstance(batch, dict):
        raise ValueError(f"{path} is not a CIFAR batch: it holds a {type(batch).__name__}, not a dict")
    batch = {key.decode("utf8") if isinstance(key, bytes) else key: value for key, value in batch.items()}
    if "data" not in batch or label_key not in batch:
        raise ValueError(f"{path} is not a CIFAR batch with {label_key!r}: its keys are {sorted(batch)}")
    data, labels = np.asarray(batch["data"]), batch[label_key]
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or len(labels) != len(data):
        raise ValueError(
            f"{path} is not a CIFAR batch: its data are {data.dtype} of shape {data.shape} for "
            f"{len(labels)} labels, not uint8 rows of 3072 pixels, one per label"
        )
    return data.reshape(len(data), 3, 32, 32), labels
