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

from __future__ import annotations

from typing import Any, Callable, Iterable


def is_nested(structure: Any) -> bool:
    """Whether ``structure`` is a list, tuple or dict (a node that has children) rather than a leaf.

    Args:
        structure: any: the object to test.

    Returns:
        A bool.

    Example:
        >>> is_nested([1]), is_nested({}), is_nested(None)
        (True, True, False)
    """
    return isinstance(structure, (list, tuple, dict))


def _children(structure):
    if isinstance(structure, dict):
        return [structure[k] for k in sorted(structure)]
    return list(structure)


def flatten(structure: Any) -> list[Any]:
    """The leaves of ``structure`` in a flat list, depth first.

    Dict values come in sorted key order; None is a leaf; a leaf alone gives a one-item list.

    Args:
        structure: any: a leaf, or a list, tuple (named tuples included) or dict nesting others.

    Returns:
        A list of the leaves.
    """
    if not is_nested(structure):
        return [structure]
    leaves: list[Any] = []
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
        return (
            type(template)((k, rebuilt[k]) for k in template)
            if type(template) is not dict
            else {k: rebuilt[k] for k in template}
        )
    if isinstance(template, tuple) and hasattr(template, "_fields"):  # namedtuple
        return type(template)(*children)
    return type(template)(children)


def pack_sequence_as(structure: Any, flat_sequence: Iterable[Any]) -> Any:
    """Puts the items of ``flat_sequence`` into the nesting of ``structure``, the inverse of :func:`flatten`.

    Items fill the leaves in :func:`flatten`'s order (dicts by sorted key); the containers keep their types and dicts
    their key order.

    Args:
        structure: any: the template: a leaf, or a list, tuple (named tuples included) or dict nesting others.
        flat_sequence: iterable: the new leaves, as many as ``structure`` has.

    Returns:
        A structure like ``structure`` holding the items of ``flat_sequence``.

    Raises:
        ValueError: when the number of items differs from the number of leaves.

    Example:
        >>> pack_sequence_as({"b": [0, 0], "a": 0}, [1, 2, 3])
        {'b': [2, 3], 'a': 1}
    """
    flat_sequence = list(flat_sequence)
    expected = len(flatten(structure))
    if expected != len(flat_sequence):
        raise ValueError(f"pack_sequence_as: the structure has {expected} leaves, received {len(flat_sequence)} values")
    iterator = iter(flat_sequence)

    def pack(node):
        if not is_nested(node):
            return next(iterator)
        return _rebuild(node, [pack(child) for child in _children(node)])

    return pack(structure)


def map_structure(func: Callable[..., Any], *structures: Any, none_is_leaf: bool = True) -> Any:
    """Applies ``func`` to the corresponding leaves of one or more structures of the same nesting.

    The structures may differ in sequence type (a list where another has a tuple); the result takes the nesting of the
    first.

    Args:
        func: callable: takes one leaf from each structure.
        *structures: one or more structures of the same nesting.
        none_is_leaf: bool, default ``True``: pass None leaves to ``func``; False keeps the first structure's None
            leaves as None without calling ``func``.

    Returns:
        A structure like the first one, holding ``func``'s results.

    Raises:
        ValueError: for no structures, or structures of different nesting or dict keys.

    Example:
        >>> map_structure(lambda a, b: a + b, [1, (2, 3)], [10, (20, 30)])
        [11, (22, 33)]
        >>> map_structure(lambda x: x * 2, [1, None], none_is_leaf=False)
        [2, None]
    """
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
        raise ValueError(
            f"The two structures don't have the same sequence type: expected {type(a).__name__}, "
            f"received {type(b).__name__} ({a!r} vs {b!r})"
        )
    if isinstance(a, dict) != isinstance(b, dict) or len(a) != len(b):
        raise ValueError(f"The two structures don't have the same nested structure: {a!r} vs {b!r}")
    if isinstance(a, dict) and sorted(a) != sorted(b):
        raise ValueError(f"The two structures have different keys: {sorted(a)} vs {sorted(b)}")
    for x, y in zip(_children(a), _children(b)):
        _check_nesting(x, y, check_types)


def assert_same_structure(a: Any, b: Any, check_types: Any = None) -> None:
    """Checks that ``a`` and ``b`` have the same nesting and the same sequence types.

    As in Keras 3, a list and a tuple at the same place differ, dict types do not.

    Args:
        a: any: a structure.
        b: any: another structure.
        check_types: any, default ``None``: accepted and ignored, as in Keras 3 (sequence types are always checked).

    Returns:
        None.

    Raises:
        ValueError: when the nesting, lengths, dict keys or sequence types differ.

    Example:
        >>> assert_same_structure([1, (2, 3)], [4, (5, 6)])
        >>> assert_same_structure([1, 2], (1, 2))
        Traceback (most recent call last):
        ...
        ValueError: The two structures don't have the same sequence type: ...
    """
    del check_types
    _check_nesting(a, b, check_types=True)


def _items(structure):
    if isinstance(structure, dict):
        return [(k, structure[k]) for k in sorted(structure)]
    return list(enumerate(structure))


def flatten_with_path(structure: Any) -> list[tuple[tuple[Any, ...], Any]]:
    """The leaves of ``structure`` with their paths, in :func:`flatten`'s order.

    A path is the tuple of dict keys and sequence indices leading from the root to the leaf (``()`` for a structure that
    is a leaf).

    Args:
        structure: any: a leaf, or a list, tuple (named tuples included) or dict nesting others.

    Returns:
        A list of ``(path, leaf)`` pairs.
    """
    out: list[tuple[tuple[Any, ...], Any]] = []

    def visit(node, path):
        if is_nested(node):
            for key, child in _items(node):
                visit(child, path + (key,))
        else:
            out.append((path, node))

    visit(structure, ())
    return out


def assert_same_paths(a: Any, b: Any) -> None:
    """Checks that ``a`` and ``b`` have the same set of leaf paths (sequence types may differ).

    Args:
        a: any: a structure.
        b: any: another structure.

    Returns:
        None.

    Raises:
        ValueError: when a path is in one structure only.

    Example:
        >>> assert_same_paths([1, 2], (3, 4))
        >>> assert_same_paths({"a": 1}, {"b": 1})
        Traceback (most recent call last):
        ...
        ValueError: `a` and `b` don't have the same paths. ...
    """
    paths_a = {p for p, _ in flatten_with_path(a)}
    paths_b = {p for p, _ in flatten_with_path(b)}
    if paths_a != paths_b:
        raise ValueError(
            f"`a` and `b` don't have the same paths. Paths in `a` missing in `b`: "
            f"{paths_a - paths_b}; paths in `b` missing in `a`: {paths_b - paths_a}"
        )


def lists_to_tuples(structure: Any) -> Any:
    """``structure`` with every list, at any depth, turned into a tuple.

    Args:
        structure: any: a leaf, or a list, tuple (named tuples included) or dict nesting others.

    Returns:
        The converted structure (leaves unchanged).
    """
    if not is_nested(structure):
        return structure
    children = [lists_to_tuples(child) for child in _children(structure)]
    if isinstance(structure, list):
        return tuple(children)
    return _rebuild(structure, children)


def _flatten_up_to(shallow, structure):
    if not is_nested(shallow):
        return [structure]
    if (
        not is_nested(structure)
        or isinstance(shallow, dict) != isinstance(structure, dict)
        or len(shallow) != len(structure)
        or (isinstance(shallow, dict) and sorted(shallow) != sorted(structure))
    ):
        raise ValueError(
            f"map_structure_up_to: the structure {structure!r} does not have the nesting of the "
            f"shallow structure {shallow!r}"
        )
    leaves = []
    for s, child in zip(_children(shallow), _children(structure)):
        leaves.extend(_flatten_up_to(s, child))
    return leaves


def map_structure_up_to(shallow_structure: Any, func: Callable[..., Any], *structures: Any) -> Any:
    """Like :func:`map_structure`, but maps only down to the leaves of ``shallow_structure``.

    ``func`` receives, from each structure, the (possibly nested) part found at each leaf of ``shallow_structure``.

    Args:
        shallow_structure: any: the structure whose leaves mark where to stop.
        func: callable: takes one part from each structure.
        *structures: one or more structures that contain the nesting of ``shallow_structure``.

    Returns:
        A structure like ``shallow_structure`` holding ``func``'s results.

    Raises:
        ValueError: for no structures, or a structure that does not contain the nesting of ``shallow_structure``.
    """
    if not structures:
        raise ValueError("map_structure_up_to: expected at least one structure")
    flats = [_flatten_up_to(shallow_structure, s) for s in structures]
    return pack_sequence_as(shallow_structure, [func(*args) for args in zip(*flats)])


class MAP_TO_NONE:  # noqa: N801 - Keras's name
    """Returned by a :func:`traverse` function to map a node to ``None`` (``None`` itself means "keep")."""


def traverse(func: Callable[[Any], Any], structure: Any, top_down: bool = True) -> Any:
    """Applies ``func`` to every node of ``structure``, nested ones and leaves, and rebuilds it.

    Top down, a result other than None replaces the node and its subtree is not visited. Bottom up, ``func`` sees each
    node rebuilt from its traversed children. None keeps the node; return :class:`MAP_TO_NONE` to map a node to None.

    Args:
        func: callable: takes a node and returns its replacement, None (keep) or :class:`MAP_TO_NONE`.
        structure: any: a leaf, or a list, tuple (named tuples included) or dict nesting others.
        top_down: bool, default ``True``: visit parents before children; False visits children first.

    Returns:
        The rebuilt structure.

    Example:
        >>> traverse(lambda x: MAP_TO_NONE if x == 2 else None, [1, 2, 3])
        [1, None, 3]
    """

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


def map_shape_structure(func: Callable[[Any], Any], structure: Any) -> Any:
    """Like :func:`map_structure`, treating shapes (tuples or lists of ints and None) as leaves.

    Args:
        func: callable: takes one shape (or other leaf).
        structure: any: shapes nested in lists, tuples or dicts.

    Returns:
        A structure like ``structure`` holding ``func``'s results.

    Example:
        >>> map_shape_structure(lambda s: (None,) + tuple(s), {"x": (2, 3), "y": [(4,)]})
        {'x': (None, 2, 3), 'y': [(None, 4)]}
    """
    if is_shape(structure):
        return func(structure)
    if isinstance(structure, dict):
        return {k: map_shape_structure(func, v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(map_shape_structure(func, v) for v in structure)
    return func(structure)


def is_shape(x: Any) -> bool:
    """True for a tuple or list whose items are all ints or None (including ``()``)."""
    return isinstance(x, (tuple, list)) and all(d is None or isinstance(d, int) for d in x)


__all__ = [
    "MAP_TO_NONE",
    "assert_same_paths",
    "assert_same_structure",
    "flatten",
    "flatten_with_path",
    "is_nested",
    "lists_to_tuples",
    "map_shape_structure",
    "map_structure",
    "map_structure_up_to",
    "pack_sequence_as",
    "traverse",
]


def __dir__():
    return sorted(__all__)
