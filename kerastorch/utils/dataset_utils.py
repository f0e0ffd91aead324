"""Dataset helpers: ``keras.utils.split_dataset`` and ``pack_x_y_sample_weight``, and what
``image_dataset_from_directory`` and ``text_dataset_from_directory`` share: indexing a folder of class
sub-folders, splitting it for validation, and encoding its labels.

The folder order is Keras's: class folders sorted by name, files sorted within each (sub-folders included),
then, when ``shuffle`` is on, both shuffled with ``numpy.random.RandomState(seed)``; the validation split
takes the last ``int(validation_split * n)`` files. So the same folder and seed give the same training and
validation files as in Keras.

``split_dataset`` returns torch ``Dataset`` objects (``torch.utils.data.Subset``), as Keras does on its torch
backend; a seeded shuffle gives the same split as Keras there.

Example:
    >>> for name in ("cats/a.txt", "cats/b.txt", "dogs/c.txt"):
    ...     os.makedirs(os.path.dirname(name), exist_ok=True)
    ...     _ = open(name, "w").write("x")
    >>> paths, labels, class_names = index_directory(".", "inferred", (".txt",), shuffle=False, verbose=False)
    >>> [os.path.relpath(p) for p in paths], labels.tolist(), class_names
    (['cats/a.txt', 'cats/b.txt', 'dogs/c.txt'], [0, 0, 1], ['cats', 'dogs'])
    >>> train, test = split_dataset((np.arange(10), np.arange(10) % 2), left_size=0.8)
    >>> len(train), len(test), test[0]
    (8, 2, (tensor(8), tensor(0)))
"""

from __future__ import annotations

import numbers
import os
from typing import Any, Mapping, Sequence

import numpy as np
import torch

from kerastorch import tree
from kerastorch.trainers.data_adapters.batching import unpack_x_y_sample_weight

__all__ = [
    "check_validation_split_arg",
    "encode_labels",
    "index_directory",
    "pack_x_y_sample_weight",
    "split_dataset",
    "split_for_subset",
    "unpack_x_y_sample_weight",
]


def index_directory(
    directory: str | os.PathLike[str],
    labels: str | Sequence[int] | None,
    formats: tuple[str, ...],
    class_names: Sequence[str] | None = None,
    shuffle: bool = True,
    seed: int | None = None,
    follow_links: bool = False,
    verbose: bool = True,
) -> tuple[list[str], np.ndarray | None, list[str]]:
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
                raise ValueError(
                    f"The class_names passed do not match the names of the sub-folders of the target "
                    f"directory. Expected: {folders} (in any order); received class_names={class_names}"
                )
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
                raise ValueError(
                    f"Expected the lengths of labels to match the number of files in the target "
                    f"directory. len(labels) is {len(label_array)} while we found {len(paths)} files "
                    f"in directory {directory}"
                )
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


def check_validation_split_arg(
    validation_split: float | None, subset: str | None, shuffle: bool, seed: int | None
) -> None:
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
        raise ValueError(
            "If subset is set, validation_split must be set, and inversely; received "
            f"validation_split={validation_split}, subset={subset!r}"
        )
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f'subset must be either "training", "validation" or "both"; received subset={subset!r}')
    if validation_split and shuffle and seed is None:
        raise ValueError(
            "If using validation_split and shuffling the data, you must provide a seed argument, to "
            "make sure that there is no overlap between the training and validation subsets"
        )


def split_for_subset(
    paths: list[str],
    labels: np.ndarray | None,
    validation_split: float | None,
    subset: str | None,
    verbose: bool = True,
) -> tuple[list[str], np.ndarray | None]:
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


def encode_labels(labels: np.ndarray | None, label_mode: str | None, num_classes: int) -> np.ndarray | None:
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
            raise ValueError(
                f'When passing label_mode="binary", there must be exactly 2 class_names; received {num_classes} classes'
            )
        return labels.astype("float32").reshape(-1, 1)
    raise ValueError(
        f'label_mode must be one of "int", "categorical", "binary" or None; received label_mode={label_mode!r}'
    )


def pack_x_y_sample_weight(x: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """Pack inputs, targets and sample weights into what ``Model.fit`` takes: ``x`` alone, ``(x, y)`` or
    ``(x, y, sample_weight)``.

    As in Keras, a single input is not wrapped in a tuple, unless it is itself a tuple or list (then it is
    ``(x,)``, so that it is not read as ``(x, y)``).

    Args:
        x: the model's inputs (a tensor, array, or a structure of them).
        y: the targets, or None.
        sample_weight: the per-sample weights, or None (ignored without ``y``).

    Returns:
        ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``.

    Example:
        >>> x, y = torch.ones(3, 2), torch.zeros(3)
        >>> isinstance(pack_x_y_sample_weight(x), torch.Tensor), len(pack_x_y_sample_weight(x, y))
        (True, 2)
        >>> pack_x_y_sample_weight([1, 2])
        ([1, 2],)
        >>> unpack_x_y_sample_weight(pack_x_y_sample_weight(x, y, torch.ones(3)))[2]
        tensor([1., 1., 1.])
    """
    if y is None:
        return (x,) if isinstance(x, (tuple, list)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


class _Samples(torch.utils.data.Dataset):
    """The samples of a structure of arrays (a tuple, list or dict of them, nested or not): item ``i`` is the
    structure of the arrays' ``i``-th rows, as tensors (NumPy rows for dtypes torch lacks, such as strings)."""

    def __init__(self, structure):
        self.structure = tree.map_structure(_as_rows, structure)
        self.length = len(tree.flatten(self.structure)[0])

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        return tree.map_structure(lambda rows: rows[index], self.structure)


def _as_rows(array):
    if isinstance(array, torch.Tensor):
        return array
    array = np.asarray(array)
    return torch.from_numpy(np.ascontiguousarray(array)) if array.dtype.kind in "biufc" else array


def _check_columns(dataset):
    """Refuse an empty structure, leaves that are not arrays, or arrays of different lengths (Keras's errors)."""
    kind = type(dataset).__name__
    leaves = tree.flatten(dataset)
    if not leaves:
        raise ValueError(f"Received an empty {kind} dataset. Please provide a non-empty {kind} of arrays.")
    expected = None
    for i, leaf in enumerate(leaves):
        if not isinstance(leaf, (np.ndarray, torch.Tensor)) or leaf.ndim == 0:
            raise ValueError(
                f"Expected a {kind} of `numpy.ndarray` objects (or tensors), with samples along their "
                f"first axis. Received: {type(leaf)} at index {i}."
            )
        if expected is None:
            expected = tuple(leaf.shape)
        elif leaf.shape[0] != expected[0]:
            raise ValueError(
                f"Received a {kind} of NumPy arrays with different lengths. Mismatch found at index {i}, "
                f"Expected shape={expected} Received shape={tuple(leaf.shape)}. Please provide a {kind} "
                f"of NumPy arrays of the same length."
            )


def _check_size(name, size, total_length):
    """``size`` as an int or float (None stays None); TypeError / ValueError as Keras's for the rest."""
    if size is None:
        return None
    if isinstance(size, numbers.Integral) and not isinstance(size, bool):
        size = int(size)
        if not 0 < size < total_length:
            raise ValueError(
                f"`{name}` should be either a positive integer smaller than {total_length}, or a float "
                f"within the range `[0, 1]`. Received: {name}={size}"
            )
        return size
    if isinstance(size, numbers.Real) and not isinstance(size, bool):
        size = float(size)
        if not 0 < size < 1:
            raise ValueError(
                f"`{name}` should be either a positive integer smaller than {total_length}, or a float "
                f"within the range `[0, 1]`. Received: {name}={size}"
            )
        return size
    raise TypeError(f"Invalid `{name}` Type. Expected: int or float or None, Received: type({name})={type(size)}.")


def _split_sizes(left_size, right_size, total_length):
    """The two split sizes as ints: fractions rounded, None the rest; Keras's checks."""
    if left_size == 0 and right_size == 0:
        raise ValueError(
            "Both `left_size` and `right_size` are zero. At least one of the split sizes must be non-zero."
        )
    left_size = _check_size("left_size", left_size, total_length)
    right_size = _check_size("right_size", right_size, total_length)
    if isinstance(left_size, float) and isinstance(right_size, float) and left_size + right_size > 1:
        raise ValueError(
            "The sum of `left_size` and `right_size` is greater than 1. It must be less than or equal to 1."
        )
    left = round(left_size * total_length) if isinstance(left_size, float) else left_size
    right = round(right_size * total_length) if isinstance(right_size, float) else right_size
    left = total_length - right if left is None else left
    right = total_length - left if right is None else right
    if left + right > total_length:
        raise ValueError(
            f"The sum of `left_size` and `right_size` should be smaller than the {total_length}. "
            f"Received: left_size + right_size = {left + right} and total_length = {total_length}"
        )
    for split, side in ((left, "left"), (right, "right")):
        if split == 0:
            raise ValueError(
                f"With `dataset` of length '{total_length}', `left_size`='{left}' and "
                f"`right_size`='{right}'. Resulting {side} side dataset split will be empty. Adjust "
                f"any of the aforementioned parameters"
            )
    return int(left), int(right)


def split_dataset(
    dataset: np.ndarray | torch.Tensor | Sequence[Any] | Mapping[str, Any] | torch.utils.data.Dataset[Any],
    left_size: int | float | None = None,
    right_size: int | float | None = None,
    shuffle: bool = False,
    seed: int | None = None,
    preferred_backend: str | None = None,
) -> tuple[torch.utils.data.Subset[Any], torch.utils.data.Subset[Any]]:
    """Split a dataset into a left and a right part (for example training and test data).

    Without ``shuffle``, the left part is the first ``left_size`` samples and the right part the last
    ``right_size`` (samples between them, when the sizes do not add up to the whole, are in neither). With
    ``shuffle``, the samples are drawn in a random order first (the same as Keras's on its torch backend for
    the same ``seed``).

    Args:
        dataset: a NumPy array; a tuple, list or dict of arrays of the same length (nested structures of them
            too, such as ``({"a": xa, "b": xb}, y)``); or a map-style ``torch.utils.data.Dataset`` (an
            ``IterableDataset`` is read into memory first). Torch tensors are taken like arrays.
        left_size: int, float or None: an int is a number of samples, a float in (0, 1) a fraction of them
            (rounded), None the rest after ``right_size``.
        right_size: int, float or None: likewise for the right part (None: the rest after ``left_size``).
        shuffle: bool, default False: shuffle the samples before splitting.
        seed: int or None: the shuffling seed (None: from torch's global generator, which
            ``keras.utils.set_random_seed`` seeds).
        preferred_backend: None, ``"torch"`` or ``"tensorflow"``: Keras's choice of the returned type; here
            always torch datasets (tf.data is not available).

    Returns:
        A tuple ``(left, right)`` of ``torch.utils.data.Subset`` datasets, which ``fit`` batches. Each sample
        keeps the dataset's structure: one row of an array; a tuple (a list becomes a tuple) or dict of rows of
        the arrays; as tensors.

    Raises:
        TypeError: for a dataset of another type, or sizes that are neither int, float nor None.
        ValueError: for no size, sizes out of range or adding up to more than the dataset, an empty split, or
            arrays of different lengths.

    Example:
        >>> x, y = np.arange(20.0).reshape(10, 2), np.arange(10)
        >>> left, right = split_dataset((x, y), left_size=6, right_size=0.2)
        >>> len(left), len(right)
        (6, 2)
        >>> right[0]
        (tensor([16., 17.], dtype=torch.float64), tensor(8))
        >>> left, right = split_dataset({"x": x, "y": y}, right_size=3, shuffle=True, seed=1)
        >>> sorted(int(left[i]["y"]) for i in range(len(left))) + sorted(int(s["y"]) for s in right)
        [0, 1, 2, 5, 6, 8, 9, 3, 4, 7]
    """
    if preferred_backend not in (None, "torch", "tensorflow"):
        raise ValueError(
            f'preferred_backend must be None, "torch" or "tensorflow". Received: '
            f"preferred_backend={preferred_backend!r}"
        )
    if isinstance(dataset, list):
        dataset = tuple(dataset)
    samples: Any  # a Dataset, or the list of an IterableDataset's samples: indexable, with a length
    if isinstance(dataset, (np.ndarray, torch.Tensor, tuple, dict)):
        _check_columns(dataset)
        samples = _Samples(dataset)
    elif isinstance(dataset, torch.utils.data.IterableDataset):
        samples = list(dataset)
    elif isinstance(dataset, torch.utils.data.Dataset):
        samples = dataset
    else:
        raise TypeError(
            f"The `dataset` argument must be either a NumPy array, a list/tuple/dict of arrays, or a "
            f"`torch.utils.data.Dataset` object. Received: dataset={dataset} of type {type(dataset)}"
        )
    if left_size is None and right_size is None:
        raise ValueError(
            "At least one of the `left_size` or `right_size` must be specified. Received: "
            "left_size=None and right_size=None"
        )
    total_length = len(samples)
    left, right = _split_sizes(left_size, right_size, total_length)
    if shuffle:
        generator = torch.Generator().manual_seed(int(seed)) if seed is not None else None
        order = torch.randperm(total_length, generator=generator).tolist()
    else:
        order = list(range(total_length))
    return (
        torch.utils.data.Subset(samples, order[:left]),
        torch.utils.data.Subset(samples, order[total_length - right :]),
    )
