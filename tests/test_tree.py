"""keras.tree: flatten / pack / map over nested structures."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kerastorch import tree

leaves = st.one_of(st.integers(), st.none(), st.text(max_size=3))
structures = st.recursive(
    leaves,
    lambda children: st.one_of(st.lists(children, max_size=3), st.tuples(children, children),
                               st.dictionaries(st.text(max_size=2), children, max_size=3)),
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
