"""``keras.utils.image_dataset_from_directory``: a folder of class sub-folders of images as batches ``fit``
takes.

Where Keras returns a ``tf.data.Dataset``, kerastorch returns a ``torch.utils.data.DataLoader`` (with Keras's
``class_names`` and ``file_paths`` attributes) that decodes and resizes the images lazily, batch by batch,
in ``num_workers`` worker processes. Files, labels, order and the validation split are Keras's
(:mod:`~kerastorch.utils.dataset_utils`); images are float32 in [0, 255]. Needs Pillow
(``pip install "kerastorch[image]"``).

Example:
    >>> for i, name in enumerate(["cat", "cat", "dog", "dog"]):
    ...     os.makedirs(name, exist_ok=True)
    ...     save_img(f"{name}/{i}.png", np.full((10, 12, 3), 40.0 * i), scale=False)
    >>> train, val = image_dataset_from_directory(".", image_size=(8, 8), batch_size=2, seed=1,
    ...                                           validation_split=0.5, subset="both", num_workers=0)
    Found 4 files belonging to 2 classes.
    Using 2 files for training.
    Using 2 files for validation.
    >>> images, labels = next(iter(train))
    >>> train.class_names, tuple(images.shape), images.dtype, labels.dtype
    (['cat', 'dog'], (2, 8, 8, 3), torch.float32, torch.int32)
"""

from __future__ import annotations

import os
from typing import Any, Sequence

import numpy as np
import torch
from torch.utils.data import DataLoader

from kerastorch.backend.conv_utils import normalize_data_format
from kerastorch.utils import dataset_utils
from kerastorch.utils.image_utils import img_to_array, load_img, resize_image, save_img  # noqa: F401 (example)

__all__ = ["ALLOWED_FORMATS", "ImageFiles", "image_dataset_from_directory", "paths_and_labels_to_loader"]

ALLOWED_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_CHANNELS = {"grayscale": 1, "rgb": 3, "rgba": 4}


class ImageFiles(torch.utils.data.Dataset):
    """Images (and their labels) decoded and resized on access, as a map-style torch ``Dataset``.

    Args:
        paths: list of str, the image files.
        labels: array or None, one label per file (already encoded).
        image_size: ``(height, width)``.
        color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"``.
        interpolation: str, the resize method.
        crop_to_aspect_ratio: bool: crop the center to the target's aspect ratio before resizing.
        pad_to_aspect_ratio: bool: pad (with zeros) to the target's aspect ratio before resizing.
        data_format: ``"channels_last"`` or ``"channels_first"``.
    """

    def __init__(
        self,
        paths: Sequence[str],
        labels: np.ndarray | None,
        image_size: tuple[int, int],
        color_mode: str,
        interpolation: str,
        crop_to_aspect_ratio: bool,
        pad_to_aspect_ratio: bool,
        data_format: str,
    ) -> None:
        self.paths, self.labels = list(paths), labels
        self.image_size, self.color_mode, self.interpolation = tuple(image_size), color_mode, interpolation
        self.crop, self.pad, self.data_format = crop_to_aspect_ratio, pad_to_aspect_ratio, data_format

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, index):
        img = resize_image(
            load_img(self.paths[index], color_mode=self.color_mode),
            self.image_size,
            self.interpolation,
            self.crop,
            self.pad,
        )
        image = torch.from_numpy(img_to_array(img, data_format=self.data_format, dtype="float32"))
        if self.labels is None:
            return image
        return image, torch.as_tensor(self.labels[index])


def paths_and_labels_to_loader(
    dataset: torch.utils.data.Dataset[Any], batch_size: int | None, shuffle: bool, seed: int | None, num_workers: int
) -> DataLoader[Any]:
    """A ``DataLoader`` over ``dataset``: batches of ``batch_size`` (None: single samples), reshuffled every
    epoch when ``shuffle`` (from ``seed``), decoded in ``num_workers`` worker processes.

    Args:
        dataset: a torch ``Dataset``.
        batch_size: int or None.
        shuffle: bool.
        seed: int or None.
        num_workers: int, worker processes (0: in the main process).

    Returns:
        A ``torch.utils.data.DataLoader``.
    """
    generator = torch.Generator().manual_seed(int(seed)) if seed is not None else None
    return torch.utils.data.DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=shuffle,
        generator=generator,
        num_workers=num_workers,
        persistent_workers=num_workers > 0,
    )


def image_dataset_from_directory(
    directory: str | os.PathLike[str],
    labels: str | Sequence[int] | None = "inferred",
    label_mode: str | None = "int",
    class_names: Sequence[str] | None = None,
    color_mode: str = "rgb",
    batch_size: int | None = 32,
    image_size: tuple[int, int] = (256, 256),
    shuffle: bool = True,
    seed: int | None = None,
    validation_split: float | None = None,
    subset: str | None = None,
    interpolation: str = "bilinear",
    follow_links: bool = False,
    crop_to_aspect_ratio: bool = False,
    pad_to_aspect_ratio: bool = False,
    data_format: str | None = None,
    format: str = "tf",
    verbose: bool = True,
    num_workers: int | None = None,
) -> DataLoader[Any] | tuple[DataLoader[Any], DataLoader[Any]]:
    """Batches of images (and labels) from a folder: one sub-folder per class, or any images with
    ``labels=None`` or explicit labels.

    Args:
        directory: str, the folder.
        labels: ``"inferred"`` (default: from the sub-folders, sorted), None, or a list of integer labels (one
            per image, in the sorted order of the paths).
        label_mode: ``"int"`` (default), ``"categorical"`` (one-hot), ``"binary"`` (0/1 floats, 2 classes) or
            None (images only).
        class_names: list of str or None: the sub-folders to use, in this label order.
        color_mode: ``"rgb"`` (default), ``"grayscale"`` or ``"rgba"``.
        batch_size: int or None, default 32 (None: single images).
        image_size: ``(height, width)``, default ``(256, 256)``: every image is resized to it.
        shuffle: bool, default True: shuffle the files once (Keras's order), and the batches every epoch.
        seed: int or None: the shuffling seed (needed with ``validation_split``).
        validation_split: float in (0, 1) or None: the share of files held out for validation.
        subset: ``"training"``, ``"validation"``, ``"both"`` (a pair) or None.
        interpolation: str, default ``"bilinear"``: the resize method.
        follow_links: bool, default False: follow symbolic links to folders.
        crop_to_aspect_ratio: bool, default False: crop the center to the target's aspect ratio first.
        pad_to_aspect_ratio: bool, default False: pad to the target's aspect ratio first.
        data_format: str or None: the images' layout; None is ``keras.config.image_data_format()``.
        format: str, default ``"tf"``: ``"tf"`` or ``"torch"``: the framework's data pipeline, here a torch
            ``DataLoader`` (Keras's ``"grain"`` is not available).
        verbose: bool, default True: print how many files were found and used.
        num_workers: int or None: worker processes decoding images (None: up to 4, by CPU count; 0: in the
            main process). Not a Keras argument.

    Returns:
        A ``torch.utils.data.DataLoader`` yielding ``(images, labels)`` (images only without labels), with
        ``class_names`` and ``file_paths``; a pair of them with ``subset="both"``.

    Raises:
        ValueError: for inconsistent arguments (see the messages), or a folder without images.
        ImportError: without Pillow.
    """
    if format not in ("tf", "torch"):
        raise ValueError(
            f'format must be "tf" or "torch" (a torch DataLoader, the framework\'s data pipeline); '
            f"received format={format!r}"
        )
    if color_mode not in _CHANNELS:
        raise ValueError(f'color_mode must be one of "rgb", "rgba" or "grayscale"; received color_mode={color_mode!r}')
    if labels not in ("inferred", None) and not isinstance(labels, (list, tuple, np.ndarray)):
        raise ValueError(f'labels must be "inferred", None, or a list or tuple of integers; received labels={labels!r}')
    if labels is None or label_mode is None:
        labels, label_mode = (None, None) if labels is None else (labels, None)
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of crop_to_aspect_ratio and pad_to_aspect_ratio can be True")
    dataset_utils.check_validation_split_arg(validation_split, subset, shuffle, seed)
    seed = np.random.randint(1_000_000) if seed is None and shuffle else seed
    paths, label_ids, class_names = dataset_utils.index_directory(
        directory,
        labels,
        ALLOWED_FORMATS,
        class_names=class_names,
        shuffle=shuffle,
        seed=seed,
        follow_links=follow_links,
        verbose=verbose,
    )
    if not paths:
        raise ValueError(f"No images found in directory {directory}. Allowed formats: {ALLOWED_FORMATS}")
    num_classes = len(class_names) if class_names else (int(label_ids.max()) + 1 if label_ids is not None else 0)
    encoded = dataset_utils.encode_labels(label_ids, label_mode, num_classes)
    data_format = normalize_data_format(data_format, "image_dataset_from_directory")
    workers = min(4, os.cpu_count() or 1) if num_workers is None else int(num_workers)

    def make(subset_name):
        subset_paths, subset_labels = dataset_utils.split_for_subset(
            paths, encoded, validation_split, subset_name, verbose
        )
        files = ImageFiles(
            subset_paths,
            subset_labels,
            image_size,
            color_mode,
            interpolation,
            crop_to_aspect_ratio,
            pad_to_aspect_ratio,
            data_format,
        )
        loader = paths_and_labels_to_loader(files, batch_size, shuffle and subset_name != "validation", seed, workers)
        loader.class_names, loader.file_paths = list(class_names), list(subset_paths)
        return loader

    if subset == "both":
        return make("training"), make("validation")
    return make(subset)
