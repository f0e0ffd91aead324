"""keras.utils.pad_sequences: padding and truncation sides, sample shapes, string dtypes, errors, Keras parity."""

import re

import numpy as np
import pytest
import torch

import kerastorch as keras
from kerastorch.utils import sequence_utils

SEQS = [[1, 2, 3], [4, 5], [6]]


def test_reachable_from_keras_utils():
    assert keras.utils.pad_sequences is sequence_utils.pad_sequences


def test_maxlen_none_pads_to_longest_before():
    out = keras.utils.pad_sequences(SEQS)
    assert isinstance(out, np.ndarray) and out.dtype == np.int32 and out.shape == (3, 3)
    np.testing.assert_array_equal(out, [[1, 2, 3], [0, 4, 5], [0, 0, 6]])


@pytest.mark.parametrize(
    "padding, truncating, expected",
    [
        ("pre", "pre", [[2, 3], [4, 5], [0, 6]]),
        ("post", "pre", [[2, 3], [4, 5], [6, 0]]),
        ("pre", "post", [[1, 2], [4, 5], [0, 6]]),
        ("post", "post", [[1, 2], [4, 5], [6, 0]]),
    ],
)
def test_padding_and_truncating_sides(padding, truncating, expected):
    out = keras.utils.pad_sequences(SEQS, maxlen=2, padding=padding, truncating=truncating)
    np.testing.assert_array_equal(out, expected)


def test_maxlen_longer_than_every_sequence_and_custom_value():
    out = keras.utils.pad_sequences([[1, 2]], maxlen=5, value=9)
    np.testing.assert_array_equal(out, [[9, 9, 9, 1, 2]])
    out = keras.utils.pad_sequences([[1, 2]], maxlen=np.int64(4), padding="post", value=-1)
    np.testing.assert_array_equal(out, [[1, 2, -1, -1]])


def test_maxlen_zero_gives_empty_rows():
    assert keras.utils.pad_sequences([[1, 2, 3], []], maxlen=0).shape == (2, 0)


@pytest.mark.parametrize("name", ["padding", "truncating"])
@pytest.mark.parametrize("bad", ["mid", "PRE", None])
def test_bad_side_raises_naming_argument_and_value(name, bad):
    with pytest.raises(ValueError, match=rf"`{name}` must be \"pre\" or \"post\". Received: {name}={bad!r}"):
        keras.utils.pad_sequences(SEQS, **{name: bad})


def test_bad_maxlen():
    with pytest.raises(ValueError, match="maxlen=-1"):
        keras.utils.pad_sequences(SEQS, maxlen=-1)
    with pytest.raises(TypeError, match="maxlen=2.0"):
        keras.utils.pad_sequences(SEQS, maxlen=2.0)
    with pytest.raises(TypeError, match="maxlen=True"):
        keras.utils.pad_sequences(SEQS, maxlen=True)


def test_sample_shape_is_kept():
    seqs = [[[1, 2], [3, 4]], [[5, 6]], []]
    out = keras.utils.pad_sequences(seqs)
    assert out.shape == (3, 2, 2)
    np.testing.assert_array_equal(out, [[[1, 2], [3, 4]], [[0, 0], [5, 6]], [[0, 0], [0, 0]]])
    vectors = [np.ones((3, 4)), np.full((1, 4), 2.0)]
    out = keras.utils.pad_sequences(vectors, maxlen=2, dtype="float32", padding="post", value=-1.0)
    assert out.shape == (2, 2, 4) and out.dtype == np.float32
    np.testing.assert_array_equal(out[0], np.ones((2, 4)))
    np.testing.assert_array_equal(out[1], [[2.0] * 4, [-1.0] * 4])


def test_sample_shape_comes_from_first_non_empty_sequence():
    out = keras.utils.pad_sequences([[], [[1, 2], [3, 4]]])
    assert out.shape == (2, 2, 2)
    np.testing.assert_array_equal(out[0], np.zeros((2, 2)))


def test_mismatched_sample_shapes_raise():
    with pytest.raises(ValueError, match=r"Shape of sample \(3,\) of sequence at position 1 .* expected shape \(2,\)"):
        keras.utils.pad_sequences([[[1, 2], [3, 4]], [[5, 6, 7]]])


def test_empty_sequences():
    out = keras.utils.pad_sequences([[], [1]])
    np.testing.assert_array_equal(out, [[0], [1]])
    assert keras.utils.pad_sequences([[], []]).shape == (2, 0)
    assert keras.utils.pad_sequences([]).shape == (0, 0)
    assert keras.utils.pad_sequences([], maxlen=3).shape == (0, 3)


def test_arrays_tensors_tuples_and_generators_as_input():
    out = keras.utils.pad_sequences(np.array([[1, 2, 3], [4, 5, 6]]), maxlen=2)
    np.testing.assert_array_equal(out, [[2, 3], [5, 6]])
    out = keras.utils.pad_sequences([torch.tensor([1, 2]), (3,), np.array([4])])
    np.testing.assert_array_equal(out, [[1, 2], [0, 3], [0, 4]])
    out = keras.utils.pad_sequences(s for s in [[1, 2], [3]])
    np.testing.assert_array_equal(out, [[1, 2], [0, 3]])


def test_values_are_cast_to_dtype():
    out = keras.utils.pad_sequences([[1.7, -2.2]])
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, [[1, -2]])
    out = keras.utils.pad_sequences([[1.5], [2.5, 3.5]], dtype="float64", value=0.25)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [[0.25, 1.5], [2.5, 3.5]])
    assert keras.utils.pad_sequences([[1, 2]], dtype="int64").dtype == np.int64


def test_string_sequences():
    out = keras.utils.pad_sequences([["a", "bc"], ["def"]], dtype=object, value="<pad>", maxlen=3, padding="post")
    assert out.dtype == object
    assert out.tolist() == [["a", "bc", "<pad>"], ["def", "<pad>", "<pad>"]]
    out = keras.utils.pad_sequences([["a", "b"], ["c"]], dtype="<U5", value="xy")
    assert out.dtype == np.dtype("<U5") and out.tolist() == [["a", "b"], ["xy", "c"]]
    out = keras.utils.pad_sequences([["a", "b"], ["c"]], dtype=str, value="x")
    assert out.dtype.kind == "U" and out.tolist() == [["a", "b"], ["x", "c"]]


@pytest.mark.parametrize("dtype", ["int32", "float32", "bool"])
def test_string_value_needs_string_dtype(dtype):
    with pytest.raises(ValueError, match=f"`dtype` {dtype} is not compatible with `value`'s type"):
        keras.utils.pad_sequences([["a"]], dtype=dtype, value="x")


@pytest.mark.parametrize(
    "seqs, index, item",
    [
        ([1, 2], 0, "1"),
        ([[1], 5], 1, "5"),
        ([[1], [2], "ab"], 2, "'ab'"),
        ([[1], iter([2])], 1, "<list_iterator"),
        ([[1], np.array(3)], 1, "array(3)"),
    ],
)
def test_non_iterable_item_raises_naming_index(seqs, index, item):
    with pytest.raises(ValueError, match=rf"must be a list of iterables\. .* at index {index}: {re.escape(item)}"):
        keras.utils.pad_sequences(seqs)


def test_non_iterable_sequences_raises():
    with pytest.raises(ValueError, match="`sequences` must be iterable"):
        keras.utils.pad_sequences(5)


PARITY_CASES = [
    (SEQS, {}),
    (SEQS, {"maxlen": 2}),
    (SEQS, {"maxlen": 2, "padding": "post", "truncating": "post"}),
    (SEQS, {"maxlen": 4, "padding": "post", "value": -1}),
    ([[1.7, -2.2], [3.0]], {"dtype": "float32", "value": 0.5}),
    ([[1.7, -2.2], [3.0]], {}),
    ([[], [1]], {}),
    ([[], []], {}),
    ([[[1, 2], [3, 4]], [[5, 6]], []], {"truncating": "post", "maxlen": 1}),
    ([[], [[1, 2], [3, 4]]], {"padding": "post"}),
    ([np.ones((3, 4)), np.zeros((1, 4))], {"dtype": "float64", "value": -1.0, "maxlen": 2}),
    ([["a", "bc"], ["def"]], {"dtype": object, "value": "<pad>", "padding": "post"}),
    ([["a", "bcd"], ["efgh"]], {"dtype": str, "value": "x"}),
    ([[1, 2], [3]], {"dtype": object}),
    ([], {"maxlen": 3}),
]


@pytest.mark.parity
@pytest.mark.parametrize("seqs, kwargs", PARITY_CASES)
def test_parity_with_keras(keras3, seqs, kwargs):
    expected = keras3.utils.pad_sequences(seqs, **kwargs)
    out = keras.utils.pad_sequences(seqs, **kwargs)
    assert out.dtype == expected.dtype and out.shape == expected.shape
    assert out.tolist() == expected.tolist()
    assert [type(v) for v in out.ravel().tolist()] == [type(v) for v in expected.ravel().tolist()]


@pytest.mark.parity
@pytest.mark.parametrize(
    "seqs, kwargs, error",
    [
        (SEQS, {"padding": "mid"}, 'Padding type "mid" not understood'),
        (SEQS, {"truncating": "mid"}, 'Truncating type "mid" not understood'),
        ([["a"]], {"value": "x"}, "`dtype` int32 is not compatible with `value`'s type"),
        ([[[1, 2]], [[3, 4, 5]]], {}, r"Shape of sample \(3,\) of sequence at position 1"),
        ([[1], 5], {}, "must be a list of iterables"),
        (5, {}, "`sequences` must be iterable"),
    ],
)
def test_parity_errors_with_keras(keras3, seqs, kwargs, error):
    for pad_sequences in (keras3.utils.pad_sequences, keras.utils.pad_sequences):
        with pytest.raises(ValueError, match=error):
            pad_sequences(seqs, **kwargs)
