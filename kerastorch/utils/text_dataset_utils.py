"""``keras.utils.text_dataset_from_directory``: a folder of class sub-folders of ``.txt`` files as batches of
strings and labels.

Where Keras returns a ``tf.data.Dataset``, kerastorch returns a ``torch.utils.data.DataLoader`` (with Keras's
``class_names`` and ``file_paths``) that reads the files lazily; a batch of texts is a tuple of str. Files,
labels, order and the validation split are Keras's (:mod:`~kerastorch.utils.dataset_utils`).

Example:
    >>> import os
    >>> for i, (name, text) in enumerate([("neg", "bad"), ("neg", "awful"), ("pos", "great")]):
    ...     os.makedirs(name, exist_ok=True)
    ...     _ = open(f"{name}/{i}.txt", "w").write(text)
    >>> loader = text_dataset_from_directory(".", batch_size=3, shuffle=False, max_length=4)
    Found 3 files belonging to 2 classes.
    >>> texts, labels = next(iter(loader))
    >>> texts, labels.tolist(), loader.class_names
    (('bad', 'awfu', 'grea'), [0, 0, 1], ['neg', 'pos'])
"""

from __future__ import annotations

import os
from typing import Any, Sequence

import numpy as np
import torch
from torch.utils.data import DataLoader

from kerastorch.utils import dataset_utils
from kerastorch.utils.image_dataset_utils import paths_and_labels_to_loader

__all__ = ["TextFiles", "text_dataset_from_directory"]


class TextFiles(torch.utils.data.Dataset):
    """Text files (and their labels) read on access, as a map-style torch ``Dataset``.

    Args:
        paths: list of str, the files (read as UTF-8).
        labels: array or None, one label per file (already encoded).
        max_length: int or None: keep at most this many characters.
    """

    def __init__(self, paths: Sequence[str], labels: np.ndarray | None, max_length: int | None) -> None:
        self.paths, self.labels, self.max_length = list(paths), labels, max_length

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, index):
        with open(self.paths[index], encoding="utf-8") as f:
            text = f.read()
        if self.max_length is not None:
            text = text[: self.max_length]
        return text if self.labels is None else (text, torch.as_tensor(self.labels[index]))


def text_dataset_from_directory(
    directory: str | os.PathLike[str],
    labels: str | Sequence[int] | None = "inferred",
    label_mode: str | None = "int",
    class_names: Sequence[str] | None = None,
    batch_size: int | None = 32,
    max_length: int | None = None,
    shuffle: bool = True,
    seed: int | None = None,
    validation_split: float | None = None,
    subset: str | None = None,
    follow_links: bool = False,
    format: str = "tf",
    verbose: bool = True,
) -> DataLoader[Any] | tuple[DataLoader[Any], DataLoader[Any]]:
    """Batches of texts (and labels) from a folder of ``.txt`` files: one sub-folder per class, or any files
    with ``labels=None`` or explicit labels.

    Args:
        directory: str, the folder.
        labels: ``"inferred"`` (default: from the sub-folders, sorted), None, or a list of integer labels (one
            per file, in the sorted order of the paths).
        label_mode: ``"int"`` (default), ``"categorical"``, ``"binary"`` or None (texts only).
        class_names: list of str or None: the sub-folders to use, in this label order.
        batch_size: int or None, default 32 (None: single texts).
        max_length: int or None: keep at most this many characters of each text.
        shuffle: bool, default True: shuffle the files once (Keras's order), and the batches every epoch.
        seed: int or None: the shuffling seed (needed with ``validation_split``).
        validation_split: float in (0, 1) or None: the share of files held out for validation.
        subset: ``"training"``, ``"validation"``, ``"both"`` (a pair) or None.
        follow_links: bool, default False: follow symbolic links to folders.
        format: str, default ``"tf"``: ``"tf"`` or ``"torch"``: the framework's data pipeline, here a torch
            ``DataLoader``.
        verbose: bool, default True: print how many files were found and used.

    Returns:
        A ``torch.utils.data.DataLoader`` yielding ``(texts, labels)`` (texts only without labels), with
        ``class_names`` and ``file_paths``; a pair of them with ``subset="both"``.

    Raises:
        ValueError: for inconsistent arguments, or a folder without ``.txt`` files.
    """
    if format not in ("tf", "torch"):
        raise ValueError(f'format must be "tf" or "torch" (a torch DataLoader); received format={format!r}')
    if labels is None or label_mode is None:
        labels, label_mode = (None, None) if labels is None else (labels, None)
    dataset_utils.check_validation_split_arg(validation_split, subset, shuffle, seed)
    seed = np.random.randint(1_000_000) if seed is None and shuffle else seed
    paths, label_ids, class_names = dataset_utils.index_directory(
        directory,
        labels,
        (".txt",),
        class_names=class_names,
        shuffle=shuffle,
        seed=seed,
        follow_links=follow_links,
        verbose=verbose,
    )
    if not paths:
        raise ValueError(f"No text files found in directory {directory}. Allowed format: .txt")
    num_classes = len(class_names) if class_names else (int(label_ids.max()) + 1 if label_ids is not None else 0)
    encoded = dataset_utils.encode_labels(label_ids, label_mode, num_classes)

    def make(subset_name):
        subset_paths, subset_labels = dataset_utils.split_for_subset(
            paths, encoded, validation_split, subset_name, verbose
        )
        loader = paths_and_labels_to_loader(
            TextFiles(subset_paths, subset_labels, max_length),
            batch_size,
            shuffle and subset_name != "validation",
            seed,
            num_workers=0,
        )
        loader.class_names, loader.file_paths = list(class_names), list(subset_paths)
        return loader

    if subset == "both":
        return make("training"), make("validation")
    return make(subset)
