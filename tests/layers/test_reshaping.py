"""Tests for Flatten, Reshape, Permute and RepeatVector: values, shapes, configs, errors, Keras 3 parity."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from layer_checks import float_arrays, roundtrip, to_np

import kerastorch
from kerastorch.layers.reshaping import Flatten, Permute, RepeatVector, Reshape


# ------------------------------------------------------------------- Flatten
def test_flatten_values_and_channels_first():
    x = torch.arange(24.0).reshape(2, 3, 4)
    assert torch.equal(Flatten()(x), x.reshape(2, 12))
    assert torch.equal(Flatten(data_format="channels_first")(x), x.permute(0, 2, 1).reshape(2, 12))
    assert Flatten()(torch.ones(5)).shape == (5, 1)
    assert Flatten()(torch.ones(0, 3, 2)).shape == (0, 6)


def test_flatten_default_follows_image_data_format():
    kerastorch.config.set_image_data_format("channels_first")
    try:
        assert Flatten().data_format == "channels_first"
    finally:
        kerastorch.config.set_image_data_format("channels_last")
    assert Flatten().data_format == "channels_last"


def test_flatten_symbolic_and_config():
    assert Flatten()(kerastorch.Input((3, 4))).shape == (None, 12)
    assert Flatten()(kerastorch.Input((None, 4))).shape == (None, None)
    roundtrip(Flatten(data_format="channels_first"))


def test_flatten_errors():
    with pytest.raises(
        ValueError,
        match=r'Flatten layer "flatten": data_format must be .* '
        r"received data_format='nhwc'",
    ):
        Flatten(data_format="NHWC")
    with pytest.raises(ValueError, match=r'layer "flatten_1".*expected min_ndim=1, found ndim=0'):
        Flatten()(torch.tensor(1.0))


# ------------------------------------------------------------------- Reshape
def test_reshape_values_and_inferred_axis():
    x = torch.arange(24.0).reshape(2, 12)
    assert torch.equal(Reshape((3, 4))(x), x.reshape(2, 3, 4))
    assert Reshape((-1, 2))(x).shape == (2, 6, 2)
    assert Reshape((-1, 2))(torch.ones(0, 12)).shape == (0, 6, 2)  # -1 with an empty batch


def test_reshape_symbolic_shapes():
    assert Reshape((2, -1))(kerastorch.Input((3, 4))).shape == (None, 2, 6)
    assert Reshape((2, 2, -1))(kerastorch.Input((None, 3))).shape == (None, 2, 2, None)
    assert Reshape((4, 3))(kerastorch.Input((12,))).shape == (None, 4, 3)


def test_reshape_config():
    clone = roundtrip(Reshape((2, -1, 3)))
    assert clone.target_shape == (2, -1, 3)


def test_reshape_errors_name_layer_target_and_received_shape():
    with pytest.raises(
        ValueError,
        match=r'Reshape layer "reshape": target_shape may contain at most one -1, '
        r"received target_shape=\(-1, -1\)",
    ):
        Reshape((-1, -1))
    with pytest.raises(ValueError, match=r"invalid target_shape, received target_shape=\(0, 2\)"):
        Reshape((0, 2))
    with pytest.raises(
        ValueError,
        match=r'Reshape layer "reshape_\d": cannot reshape inputs of shape \(2, 12\) '
        r"\(12 values per sample\) to target_shape \(5, 2\)",
    ):
        Reshape((5, 2))(torch.ones(2, 12))
    with pytest.raises(ValueError, match=r"cannot reshape inputs of shape \(None, 7\).*target_shape \(-1, 2\)"):
        Reshape((-1, 2))(kerastorch.Input((7,)))
    layer = Reshape((-1, 4))
    layer(torch.ones(1, 8))
    with pytest.raises(ValueError, match=r'"reshape_\d": cannot reshape inputs of shape \(1, 6\)'):
        layer(torch.ones(1, 6))


# ------------------------------------------------------------------- Permute
def test_permute_values_symbolic_and_config():
    x = torch.randn(2, 3, 4, 5)
    assert torch.equal(Permute((3, 1, 2))(x), x.permute(0, 3, 1, 2))
    assert Permute((2, 1))(kerastorch.Input((None, 4))).shape == (None, 4, None)
    assert roundtrip(Permute((2, 3, 1))).dims == (2, 3, 1)


def test_permute_errors():
    with pytest.raises(
        ValueError,
        match=r'Permute layer "permute": dims must be a permutation of the axes 1 .. 2 '
        r"\(the batch axis 0 excluded\), received dims=\(0, 1\)",
    ):
        Permute((0, 1))
    with pytest.raises(ValueError, match=r"invalid dims, received dims=3"):
        Permute(3)
    with pytest.raises(ValueError, match=r'layer "permute_2".*expected ndim=3, found ndim=2'):
        Permute((2, 1))(torch.ones(2, 3))


# -------------------------------------------------------------- RepeatVector
def test_repeat_vector_values_symbolic_and_config():
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    out = RepeatVector(3)(x)
    assert out.tolist() == [[[1.0, 2.0]] * 3, [[3.0, 4.0]] * 3]
    out += 1  # a real tensor, not a broadcast view
    assert RepeatVector(4)(kerastorch.Input((5,))).shape == (None, 4, 5)
    assert roundtrip(RepeatVector(2)).n == 2


def test_repeat_vector_errors():
    with pytest.raises(
        ValueError,
        match=r'RepeatVector layer "repeat_vector": argument `n` must be a positive integer; '
        r"received 0 \(int\)",
    ):
        RepeatVector(0)
    with pytest.raises(ValueError, match=r'layer "repeat_vector_1".*expected ndim=2, found ndim=3'):
        RepeatVector(2)(torch.ones(1, 2, 3))


# -------------------------------------------------------------------- parity
@pytest.mark.parity
@given(
    data=st.data(),
    shape=hnp.array_shapes(min_dims=1, max_dims=4, max_side=4),
    data_format=st.sampled_from(["channels_last", "channels_first"]),
)
def test_flatten_parity(keras3, data, shape, data_format):
    x = data.draw(float_arrays(shape))
    ours, theirs = Flatten(data_format=data_format), keras3.layers.Flatten(data_format=data_format)
    np.testing.assert_array_equal(to_np(ours(x)), to_np(theirs(x)))
    symbolic = (None,) + shape[1:]
    assert ours.compute_output_shape(symbolic) == theirs.compute_output_shape(symbolic)


@pytest.mark.parity
@given(data=st.data(), dims=st.lists(st.integers(1, 4), min_size=1, max_size=3), batch=st.integers(1, 3))
def test_reshape_parity(keras3, data, dims, batch):
    x = data.draw(float_arrays((batch, int(np.prod(dims)))))
    target = list(data.draw(st.permutations(dims)))
    if data.draw(st.booleans()):
        target[data.draw(st.integers(0, len(target) - 1))] = -1
    ours, theirs = Reshape(tuple(target)), keras3.layers.Reshape(tuple(target))
    np.testing.assert_array_equal(to_np(ours(x)), to_np(theirs(x)))
    assert ours.compute_output_shape((None, x.shape[1])) == theirs.compute_output_shape((None, x.shape[1]))


@pytest.mark.parity
@given(data=st.data(), shape=hnp.array_shapes(min_dims=2, max_dims=4, max_side=4))
def test_permute_parity(keras3, data, shape):
    x = data.draw(float_arrays(shape))
    dims = tuple(data.draw(st.permutations(range(1, len(shape)))))
    np.testing.assert_array_equal(to_np(Permute(dims)(x)), to_np(keras3.layers.Permute(dims)(x)))


@pytest.mark.parity
@given(data=st.data(), shape=hnp.array_shapes(min_dims=2, max_dims=2, max_side=4), n=st.integers(1, 4))
def test_repeat_vector_parity(keras3, data, shape, n):
    x = data.draw(float_arrays(shape))
    np.testing.assert_array_equal(to_np(RepeatVector(n)(x)), to_np(keras3.layers.RepeatVector(n)(x)))
