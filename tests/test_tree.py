"""keras.tree: flatten / pack / map over nested structures."""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kerastorch import tree

leaves = st.one_of(st.integers(), st.none(), st.text(max_size=3))
structures = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.tuples(children, children),
        st.dictionaries(st.text(max_size=2), children, max_size=3),
    ),
    max_leaves=10,
)


@given(structures)
def test_pack_inverts_flatten(structure):
    assert tree.pack_sequence_as(structure, tree.flatten(structure)) == structure


@given(structures)
def test_map_structure_preserves_structure(structure):
    mapped = tree.map_structure(lambda x: f"<{x}>", structure)
    tree.assert_same_structure(mapped, structure)
    assert tree.flatten(mapped) == [f"<{x}>" for x in tree.flatten(structure)]


def test_dicts_flatten_in_sorted_key_order():
    assert tree.flatten({"b": 1, "a": [2, 3]}) == [2, 3, 1]


def test_pack_size_mismatch_and_structure_mismatch():
    with pytest.raises(ValueError, match="has 2 leaves, received 3"):
        tree.pack_sequence_as([0, 0], [1, 2, 3])
    with pytest.raises(ValueError, match="different keys"):
        tree.assert_same_structure({"a": 1}, {"b": 1})


# ---- parity with keras.tree ------------------------------------------------------------------------------------

import collections  # noqa: E402

Point = collections.namedtuple("Point", "x y")
int_leaves = st.one_of(st.integers(-5, 5), st.none())
nested = st.recursive(
    int_leaves,
    # no empty containers: Keras 3.15 numbers the paths after an empty container inside a namedtuple by leaf count
    # (Point([], 0) gives the path (0,) to 0); kerastorch uses the field position (1,)
    lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=3),
        st.tuples(children, children),
        st.builds(Point, children, children),
        st.dictionaries(st.sampled_from("abcd"), children, min_size=1, max_size=3),
    ),
    max_leaves=8,
)


def _rebuild_cut(structure, depth):
    if not tree.is_nested(structure) or depth == 0:
        return 0
    if isinstance(structure, dict):
        return {k: _rebuild_cut(v, depth - 1) for k, v in structure.items()}
    children = [_rebuild_cut(v, depth - 1) for v in structure]
    return type(structure)(*children) if isinstance(structure, Point) else type(structure)(children)


def _dict_in_dict(structure):
    """Whether a dict holds a dict as a value (at any depth)."""
    if isinstance(structure, dict):
        return any(isinstance(v, dict) or _dict_in_dict(v) for v in structure.values())
    return tree.is_nested(structure) and any(_dict_in_dict(v) for v in structure)


@pytest.mark.parity
@given(nested, st.integers(1, 3))
def test_matches_keras_tree(keras3, structure, depth):
    # Keras 3.15 flattens a dict held directly by a dict in insertion order, though it sorts every other dict
    # by key ({"a": {"b": 0, "a": 1}} gives [0, 1]; [{"b": 0, "a": 1}] gives [1, 0]); kerastorch sorts all.
    assume(not _dict_in_dict(structure))
    kt = keras3.tree
    assert tree.flatten(structure) == kt.flatten(structure)
    assert tree.flatten_with_path(structure) == kt.flatten_with_path(structure)
    assert tree.lists_to_tuples(structure) == kt.lists_to_tuples(structure)
    for none_is_leaf in (True, False):
        f = lambda x: -1 if x is None else x * 2
        assert tree.map_structure(f, structure, none_is_leaf=none_is_leaf) == kt.map_structure(
            f, structure, none_is_leaf=none_is_leaf
        )
    double = lambda node: node * 3 if isinstance(node, int) else None
    drop_tuples = lambda node: tree.MAP_TO_NONE if type(node) is tuple else None
    count_lists = lambda node: len(node) if isinstance(node, list) else None
    for top_down in (True, False):
        assert tree.traverse(double, structure, top_down=top_down) == kt.traverse(double, structure, top_down)
        assert tree.traverse(count_lists, structure, top_down=top_down) == kt.traverse(count_lists, structure, top_down)
    mine = tree.traverse(drop_tuples, structure)
    theirs = kt.traverse(lambda node: kt.MAP_TO_NONE if type(node) is tuple else None, structure)
    assert mine == theirs
    shallow = _rebuild_cut(structure, depth)
    pair = lambda a, b: (a, b)
    assert tree.map_structure_up_to(shallow, pair, structure, structure) == kt.map_structure_up_to(
        shallow, pair, structure, structure
    )
    tree.assert_same_paths(structure, tree.lists_to_tuples(structure))
    kt.assert_same_paths(structure, tree.lists_to_tuples(structure))


@pytest.mark.parity
def test_structure_errors_match_keras(keras3):
    for a, b in [([1], (1,)), ({"a": 1}, {"b": 1}), ([1, 2], [1]), ([1], 1)]:
        with pytest.raises(ValueError):
            keras3.tree.assert_same_structure(a, b)
        with pytest.raises(ValueError):
            tree.assert_same_structure(a, b)
    with pytest.raises(ValueError, match="same sequence type: expected list, received tuple"):
        tree.assert_same_structure([1], (1,), check_types=False)
    with pytest.raises(ValueError, match=r"don't have the same paths.*\('a',\)"):
        tree.assert_same_paths({"a": 1}, {"b": 1})
    with pytest.raises(ValueError, match="map_structure_up_to: the structure 1 does not have the nesting"):
        tree.map_structure_up_to([[0], 0], lambda x: x, [1, 3])
    assert tree.map_structure(lambda a, b: a + b, [1, 2], (3, 4)) == [4, 6]  # lenient across sequence types
