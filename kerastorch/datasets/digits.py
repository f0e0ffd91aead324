"""The bundled handwritten digits data set (8x8 images, 10 classes), offline.

Example:
    >>> import kerastorch as keras
    >>> (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    >>> x_train.shape, x_train.dtype, int(x_train.max())
    ((1438, 8, 8), dtype('uint8'), 16)
    >>> x_test.shape, y_test.shape
    ((359, 8, 8), (359,))
"""

from __future__ import annotations

import os

import numpy as np

__all__ = ["load_data"]

_PATH = os.path.join(os.path.dirname(__file__), "data", "digits.npz")


def load_data(
    test_split: float = 0.2, seed: int = 113
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Return ``(x_train, y_train), (x_test, y_test)``: uint8 images of shape (n, 8, 8)
    with pixel values 0..16, and uint8 labels 0..9, split after a seeded shuffle.

    The 1,797 images ship with kerastorch: nothing is downloaded.

    Args:
        test_split: Float in ``(0, 1)``, the fraction of the images held out as the test set.
            Defaults to ``0.2``.
        seed: Int, the seed of the shuffle before the split (the same seed gives the same split).
            Defaults to ``113``.

    Returns:
        Tuple of NumPy arrays ``(x_train, y_train), (x_test, y_test)``.

    Raises:
        ValueError: If ``test_split`` is not in ``(0, 1)``.

    >>> (x_train, y_train), (x_test, y_test) = load_data(test_split=0.5, seed=0)
    >>> len(x_train), len(x_test), sorted(set(y_train.tolist())) == list(range(10))
    (898, 899, True)
    """
    if not 0.0 < test_split < 1.0:
        raise ValueError(f"digits.load_data: test_split must be in (0, 1), received {test_split}")
    with np.load(_PATH) as data:
        images, labels = data["images"], data["labels"]
    order = np.random.RandomState(seed).permutation(len(images))
    images, labels = images[order], labels[order]
    split = int(round(len(images) * (1.0 - test_split)))
    return (images[:split], labels[:split]), (images[split:], labels[split:])


def __dir__():
    return sorted(__all__)
