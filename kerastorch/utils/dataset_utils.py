"""Indexing a folder of class sub-folders, splitting it for validation, and encoding its labels: what
``image_dataset_from_directory`` and ``text_dataset_from_directory`` share.

The order is Keras's: class folders sorted by name, files sorted within each (sub-folders included), then,
when ``shuffle`` is on, both shuffled with ``numpy.random.RandomState(seed)``; the validation split takes
the last ``int(validation_split * n)`` files. So the same folder and seed give the same training and
validation files as in Keras.

Example:
    >>> for name in ("cats/a.txt", "cats/b.txt", "dogs/c.txt"):
    ...     os.makedirs(os.path.dirname(name), exist_ok=True)
    ...     _ = open(name, "w").write("x")
    >>> paths, labels, class_names = index_directory(".", "inferred", (".txt",), shuffle=False, verbose=False)
    >>> [os.path.relpath(p) for p in paths], labels.tolist(), class_names
    (['cats/a.txt', 'cats/b.txt', 'dogs/c.txt'], [0, 0, 1], ['cats', 'dogs'])
"""
import os

import numpy as np

__all__ = ["check_validation_split_arg", "encode_labels", "index_directory", "split_for_subset"]


def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None, follow_links=False,
                    verbose=True):
    """The files of ``directory`` with the given extensions, their labels and the class names.

    Args:
        directory: str, the folder: one sub-folder per class with ``labels="inferred"``, else any files.
        labels: ``"inferred"`` (from the sub-folder names), None (no labels), or a list of integer labels, one
            per file in the sorted order of the paths.
        formats: tuple of lower-case extensions (``(".png", ".jpg")``).
        class_names: list of str or None: the sub-folders to use, in this order (``labels="inferred"`` only).
        shuffle: bool, default True: shuffle the files (and labels alike).
        seed: int or None: the shuffling seed (None: a random one).
        follow_links: bool, default False: follow symbolic links to folders.
        verbose: bool, default True: print how many files and classes were found.

    Returns:
        ``(file_paths, labels, class_names)``: a list of str, an int32 array (None without labels) and a
        list of str.

    Raises:
        ValueError: for a missing folder, ``class_names`` that are not its sub-folders, a wrong number of
            explicit labels, or ``class_names`` without inferred labels.
    """
    if not os.path.isdir(directory):
        raise ValueError(f"Could not find directory {directory!r}")
    inferred = isinstance(labels, str) and labels == "inferred"
    if class_names is not None and not inferred:
        raise ValueError(f'class_names can only be given with labels="inferred"; received labels={labels!r}')
    if inferred:
        folders = sorted(d for d in os.listdir(directory) if os.path.isdir(os.path.join(directory, d)))
        if class_names is not None:
            if sorted(class_names) != folders:
                raise ValueError(f"The class_names passed do not match the names of the sub-folders of the target "
                                 f"directory. Expected: {folders} (in any order); received class_names={class_names}")
            folders = list(class_names)
        paths, label_list = [], []
        for index, folder in enumerate(folders):
            found = _files(os.path.join(directory, folder), formats, follow_links)
            paths += found
            label_list += [index] * len(found)
        label_array = np.array(label_list, dtype="int32")
        class_names = folders
    else:
        paths = _files(directory, formats, follow_links)
        label_array = None
        class_names = []
        if labels is not None:
            label_array = np.asarray(labels, dtype="int32")
            if len(label_array) != len(paths):
                raise ValueError(f"Expected the lengths of labels to match the number of files in the target "
                                 f"directory. len(labels) is {len(label_array)} while we found {len(paths)} files "
                                 f"in directory {directory}")
    if verbose:
        print(f"Found {len(paths)} files" + (f" belonging to {len(class_names)} classes." if inferred else "."))
    if shuffle:
        seed = np.random.randint(1_000_000) if seed is None else seed
        np.random.RandomState(seed).shuffle(paths)
        if label_array is not None:
            np.random.RandomState(seed).shuffle(label_array)
    return paths, label_array, class_names


def _files(folder, formats, follow_links):
    """Files by folder path, then by name within a folder (Keras's order)."""
    walk = sorted(os.walk(folder, followlinks=follow_links), key=lambda entry: entry[0])
    return [os.path.join(root, f) for root, _, files in walk for f in sorted(files) if f.lower().endswith(formats)]


def check_validation_split_arg(validation_split, subset, shuffle, seed):
    """Refuse the ``validation_split`` / ``subset`` combinations Keras refuses.

    Args:
        validation_split: float in (0, 1) or None.
        subset: ``"training"``, ``"validation"``, ``"both"`` or None.
        shuffle: bool.
        seed: int or None.

    Raises:
        ValueError: for a split outside (0, 1), a split without a subset (or the reverse), an unknown subset,
            or a shuffled split without a seed.
    """
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"validation_split must be between 0 and 1; received validation_split={validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If subset is set, validation_split must be set, and inversely; received "
                         f"validation_split={validation_split}, subset={subset!r}")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f'subset must be either "training", "validation" or "both"; received subset={subset!r}')
    if validation_split and shuffle and seed is None:
        raise ValueError("If using validation_split and shuffling the data, you must provide a seed argument, to "
                         "make sure that there is no overlap between the training and validation subsets")


def split_for_subset(paths, labels, validation_split, subset, verbose=True):
    """The ``subset`` (``"training"`` or ``"validation"``) of the files and labels: validation is the last
    ``int(validation_split * n)`` of them.

    Args:
        paths: list of str.
        labels: array or None.
        validation_split: float or None (None: everything).
        subset: ``"training"``, ``"validation"`` or None.
        verbose: bool, default True: print how many files the subset uses.

    Returns:
        ``(paths, labels)`` of the subset.

    >>> split_for_subset(["a", "b", "c", "d"], np.arange(4), 0.25, "validation", verbose=False)
    (['d'], array([3]))
    """
    if not validation_split:
        return paths, labels
    held_out = int(validation_split * len(paths))
    cut = slice(None, len(paths) - held_out) if subset == "training" else slice(len(paths) - held_out, None)
    if verbose:
        print(f"Using {len(paths[cut])} files for {subset}.")
    return paths[cut], (labels[cut] if labels is not None else None)


def encode_labels(labels, label_mode, num_classes):
    """Integer labels as ``label_mode`` asks: ``"int"`` (int32), ``"categorical"`` (one-hot float32),
    ``"binary"`` (float32 of shape ``(n, 1)``) or None.

    Args:
        labels: int array.
        label_mode: ``"int"``, ``"categorical"``, ``"binary"`` or None.
        num_classes: int, the number of classes.

    Returns:
        An array, or None for ``label_mode=None``.

    Raises:
        ValueError: for an unknown mode, or ``"binary"`` with other than 2 classes.

    >>> encode_labels(np.array([0, 2]), "categorical", 3)
    array([[1., 0., 0.],
           [0., 0., 1.]], dtype=float32)
    """
    if label_mode is None or labels is None:
        return None
    if label_mode == "int":
        return labels.astype("int32")
    if label_mode == "categorical":
        return np.eye(num_classes, dtype="float32")[labels]
    if label_mode == "binary":
        if num_classes != 2:
            raise ValueError(f'When passing label_mode="binary", there must be exactly 2 class_names; received '
                             f"{num_classes} classes")
        return labels.astype("float32").reshape(-1, 1)
    raise ValueError(f'label_mode must be one of "int", "categorical", "binary" or None; received '
                     f"label_mode={label_mode!r}")
