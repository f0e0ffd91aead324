"""``keras.tree``: utilities for nested structures of lists, tuples and dicts.

Dicts are traversed in sorted key order, as Keras does; None is a leaf.

Example:
    >>> flatten({"b": [1, 2], "a": 3})
    [3, 1, 2]
    >>> map_structure(lambda x: x * 2, {"a": 1, "b": (2, 3)})
    {'a': 2, 'b': (4, 6)}
    >>> flatten_with_path({"b": [1, 2], "a": 3})
    [(('a',), 3), (('b', 0), 1), (('b', 1), 2)]
    >>> traverse(lambda x: x * 10 if isinstance(x, int) else None, [1, (2, None)], top_down=False)
    [10, (20, None)]
    >>> map_structure_up_to([0, 0], lambda a, b: (a, b), [[1, 2], 3], [4, 5])
    [([1, 2], 4), (3, 5)]
    >>> lists_to_tuples([1, [2, {"a": [3]}]])
    (1, (2, {'a': (3,)}))
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


def map_structure(func, *structures, none_is_leaf=True):
    """Apply ``func`` to the corresponding leaves of one or more structures (with ``none_is_leaf=False``,
    ``None`` leaves of the first structure stay ``None`` without a call)."""
    if not structures:
        raise ValueError("map_structure: expected at least one structure")
    flats = [flatten(s) for s in structures]
    for s, flat in zip(structures[1:], flats[1:]):
        _check_nesting(structures[0], s, check_types=False)
    if none_is_leaf:
        return pack_sequence_as(structures[0], [func(*leaves) for leaves in zip(*flats)])
    return pack_sequence_as(structures[0], [None if leaves[0] is None else func(*leaves) for leaves in zip(*flats)])


def _check_nesting(a, b, check_types):
    if is_nested(a) != is_nested(b):
        raise ValueError(f"The two structures don't have the same nested structure: {a!r} vs {b!r}")
    if not is_nested(a):
        return
    if check_types and type(a) is not type(b) and not (isinstance(a, dict) and isinstance(b, dict)):
        raise ValueError(f"The two structures don't have the same sequence type: expected {type(a).__name__}, "
                         f"received {type(b).__name__} ({a!r} vs {b!r})")
    if isinstance(a, dict) != isinstance(b, dict) or len(a) != len(b):
        raise ValueError(f"The two structures don't have the same nested structure: {a!r} vs {b!r}")
    if isinstance(a, dict) and sorted(a) != sorted(b):
        raise ValueError(f"The two structures have different keys: {sorted(a)} vs {sorted(b)}")
    for x, y in zip(_children(a), _children(b)):
        _check_nesting(x, y, check_types)


def assert_same_structure(a, b, check_types=None):
    """Raise ValueError when ``a`` and ``b`` nest differently, or use different sequence types (a list where
    the other has a tuple), as Keras 3 does; ``check_types`` is accepted and ignored, as in Keras 3."""
    del check_types
    _check_nesting(a, b, check_types=True)


def _items(structure):
    if isinstance(structure, dict):
        return [(k, structure[k]) for k in sorted(structure)]
    return list(enumerate(structure))


def flatten_with_path(structure):
    """``[(path, leaf), ...]``: each leaf with the tuple of keys / indices that leads to it."""
    out = []

    def visit(node, path):
        if is_nested(node):
            for key, child in _items(node):
                visit(child, path + (key,))
        else:
            out.append((path, node))

    visit(structure, ())
    return out


def assert_same_paths(a, b):
    """Raise ValueError unless ``a`` and ``b`` have the same set of leaf paths (sequence types may differ)."""
    paths_a = {p for p, _ in flatten_with_path(a)}
    paths_b = {p for p, _ in flatten_with_path(b)}
    if paths_a != paths_b:
        raise ValueError(f"`a` and `b` don't have the same paths. Paths in `a` missing in `b`: "
                         f"{paths_a - paths_b}; paths in `b` missing in `a`: {paths_b - paths_a}")


def lists_to_tuples(structure):
    """``structure`` with every list (at any depth) turned into a tuple."""
    if not is_nested(structure):
        return structure
    children = [lists_to_tuples(child) for child in _children(structure)]
    if isinstance(structure, list):
        return tuple(children)
    return _rebuild(structure, children)


def _flatten_up_to(shallow, structure):
    if not is_nested(shallow):
        return [structure]
    if not is_nested(structure) or isinstance(shallow, dict) != isinstance(structure, dict) \
            or len(shallow) != len(structure) or (isinstance(shallow, dict) and sorted(shallow) != sorted(structure)):
        raise ValueError(f"map_structure_up_to: the structure {structure!r} does not have the nesting of the "
                         f"shallow structure {shallow!r}")
    leaves = []
    for s, child in zip(_children(shallow), _children(structure)):
        leaves.extend(_flatten_up_to(s, child))
    return leaves


def map_structure_up_to(shallow_structure, func, *structures):
    """Like :func:`map_structure`, but stops at the leaves of ``shallow_structure``: ``func`` gets the
    sub-structures found there."""
    if not structures:
        raise ValueError("map_structure_up_to: expected at least one structure")
    flats = [_flatten_up_to(shallow_structure, s) for s in structures]
    return pack_sequence_as(shallow_structure, [func(*args) for args in zip(*flats)])


class MAP_TO_NONE:  # noqa: N801 - Keras's name
    """Returned by a :func:`traverse` function to map a node to ``None`` (``None`` itself means "keep")."""


def traverse(func, structure, top_down=True):
    """Apply ``func`` to every node (nested ones and leaves). Top down, a non-``None`` result replaces the node
    and its subtree is not visited; bottom up, ``func`` sees the node rebuilt from its traversed children.
    Return :class:`MAP_TO_NONE` to map a node to ``None``."""
    def resolve(result, node):
        if result is MAP_TO_NONE:
            return None
        return node if result is None else result

    def visit(node):
        if top_down:
            result = func(node)
            if result is not None:
                return resolve(result, node)
            if not is_nested(node):
                return node
            return _rebuild(node, [visit(child) for child in _children(node)])
        rebuilt = _rebuild(node, [visit(child) for child in _children(node)]) if is_nested(node) else node
        return resolve(func(rebuilt), rebuilt)

    return visit(structure)


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


__all__ = ["MAP_TO_NONE", "assert_same_paths", "assert_same_structure", "flatten", "flatten_with_path", "is_nested",
           "lists_to_tuples", "map_shape_structure", "map_structure", "map_structure_up_to", "pack_sequence_as",
           "traverse"]
