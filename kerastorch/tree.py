"""``keras.tree``: utilities for nested structures of lists, tuples and dicts.

Dicts are traversed in sorted key order, as Keras does; None is a leaf.

Example:
    >>> flatten({"b": [1, 2], "a": 3})
    [3, 1, 2]
    >>> map_structure(lambda x: x * 2, {"a": 1, "b": (2, 3)})
    {'a': 2, 'b': (4, 6)}
"""
def is_nested(structure):
    """True for a list, tuple or dict (a non-leaf)."""
    return isinstance(structure, (list, tuple, dict))


def _children(structure):
    if isinstance(structure, dict):
        return [structure[k] for k in sorted(structure)]
    return list(structure)


def flatten(structure):
    """The leaves of ``structure`` in a flat list."""
    if not is_nested(structure):
        return [structure]
    leaves = []
    stack = [structure]
    while stack:
        node = stack.pop()
        if is_nested(node):
            stack.extend(reversed(_children(node)))
        else:
            leaves.append(node)
    return leaves


def _rebuild(template, children):
    if isinstance(template, dict):
        rebuilt = dict(zip(sorted(template), children))
        return type(template)((k, rebuilt[k]) for k in template) if type(template) is not dict else {
            k: rebuilt[k] for k in template}
    if isinstance(template, tuple) and hasattr(template, "_fields"):  # namedtuple
        return type(template)(*children)
    return type(template)(children)


def pack_sequence_as(structure, flat_sequence):
    """Put the items of ``flat_sequence`` into the shape of ``structure``."""
    flat_sequence = list(flat_sequence)
    expected = len(flatten(structure))
    if expected != len(flat_sequence):
        raise ValueError(
            f"pack_sequence_as: the structure has {expected} leaves, received {len(flat_sequence)} values"
        )
    iterator = iter(flat_sequence)

    def pack(node):
        if not is_nested(node):
            return next(iterator)
        return _rebuild(node, [pack(child) for child in _children(node)])

    return pack(structure)


def map_structure(func, *structures):
    """Apply ``func`` to the corresponding leaves of one or more structures."""
    if not structures:
        raise ValueError("map_structure: expected at least one structure")
    flats = [flatten(s) for s in structures]
    for s, flat in zip(structures[1:], flats[1:]):
        assert_same_structure(structures[0], s)
    return pack_sequence_as(structures[0], [func(*leaves) for leaves in zip(*flats)])


def assert_same_structure(a, b):
    """Raise ValueError when ``a`` and ``b`` nest differently."""
    if is_nested(a) != is_nested(b):
        raise ValueError(f"The two structures don't have the same nested structure: {a!r} vs {b!r}")
    if not is_nested(a):
        return
    if isinstance(a, dict) != isinstance(b, dict) or len(a) != len(b):
        raise ValueError(f"The two structures don't have the same nested structure: {a!r} vs {b!r}")
    if isinstance(a, dict) and sorted(a) != sorted(b):
        raise ValueError(f"The two structures have different keys: {sorted(a)} vs {sorted(b)}")
    for x, y in zip(_children(a), _children(b)):
        assert_same_structure(x, y)


def map_shape_structure(func, structure):
    """Like :func:`map_structure`, treating tuples/lists of ints or None as leaves (shapes)."""
    if is_shape(structure):
        return func(structure)
    if isinstance(structure, dict):
        return {k: map_shape_structure(func, v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(map_shape_structure(func, v) for v in structure)
    return func(structure)


def is_shape(x):
    """True for a tuple or list whose items are all ints or None (including ``()``)."""
    return isinstance(x, (tuple, list)) and all(d is None or isinstance(d, int) for d in x)


__all__ = ["assert_same_structure", "flatten", "is_nested", "map_shape_structure", "map_structure",
           "pack_sequence_as"]
