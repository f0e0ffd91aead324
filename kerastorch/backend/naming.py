"""Keras-style unique names: ``dense``, ``dense_1``, ``dense_2`` ..."""
import collections
import re

_UIDS = collections.defaultdict(int)


def to_snake_case(name):
    """``"BatchNormalization"`` -> ``"batch_normalization"``."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
    return "private" + name if name.startswith("_") else name


def get_uid(prefix):
    """Return 1, 2, 3 ... on successive calls with the same prefix."""
    _UIDS[prefix] += 1
    return _UIDS[prefix]


def unique_name(prefix):
    """``prefix`` the first time, then ``prefix_1``, ``prefix_2`` ..."""
    uid = get_uid(prefix)
    return prefix if uid == 1 else f"{prefix}_{uid - 1}"


def clear_session():
    """Reset the name counters, so new layers are named ``dense``, ``dense_1`` ... again."""
    _UIDS.clear()
