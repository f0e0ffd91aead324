"""Keras-style unique names: ``dense``, ``dense_1``, ``dense_2`` ...

Example:
    >>> import kerastorch as keras
    >>> keras.backend.clear_session()
    >>> [keras.layers.Dense(1).name for _ in range(3)]
    ['dense', 'dense_1', 'dense_2']
    >>> keras.layers.BatchNormalization().name
    'batch_normalization'
"""

from __future__ import annotations

import collections
import re

_UIDS: collections.defaultdict[str, int] = collections.defaultdict(int)


def to_snake_case(name: str) -> str:
    """``"BatchNormalization"`` -> ``"batch_normalization"``.

    Example:
        >>> to_snake_case("BatchNormalization")
        'batch_normalization'
        >>> to_snake_case("Conv2DTranspose"), to_snake_case("LSTMCell")
        ('conv2d_transpose', 'lstm_cell')
        >>> to_snake_case("_Hidden")  # a leading underscore would make a private-looking name
        'private__hidden'
    """
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
    return "private" + name if name.startswith("_") else name


def get_uid(prefix: str) -> int:
    """Return 1, 2, 3 ... on successive calls with the same prefix.

    Example:
        >>> clear_session()
        >>> get_uid("dense"), get_uid("dense"), get_uid("conv2d"), get_uid("dense")
        (1, 2, 1, 3)
    """
    _UIDS[prefix] += 1
    return _UIDS[prefix]


def unique_name(prefix: str) -> str:
    """``prefix`` the first time, then ``prefix_1``, ``prefix_2`` ...

    Example:
        >>> clear_session()
        >>> unique_name("dense"), unique_name("dense"), unique_name("dense")
        ('dense', 'dense_1', 'dense_2')
    """
    uid = get_uid(prefix)
    return prefix if uid == 1 else f"{prefix}_{uid - 1}"


def clear_session() -> None:
    """Reset the name counters, so new layers are named ``dense``, ``dense_1`` ... again.

    Example:
        >>> clear_session()
        >>> unique_name("dropout"), unique_name("dropout")
        ('dropout', 'dropout_1')
        >>> clear_session()
        >>> unique_name("dropout")
        'dropout'
    """
    _UIDS.clear()
