"""Adaptive pooling: Keras 3 parity on drawn sizes and data formats, symbolic shapes, configs, errors."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from layer_checks import assert_same_as_keras, float_arrays, roundtrip, to_np

import kerastorch
from kerastorch import layers

pytestmark = pytest.mark.usefixtures("_cpu_weights")


@st.composite
def cases(draw):
    rank = draw(st.integers(1, 3))
    spatial = tuple(draw(st.integers(1, 6)) for _ in range(rank))
    output_size = tuple(draw(st.integers(1, 4)) for _ in range(rank))
    channels_first = draw(st.booleans())
    channels = draw(st.integers(1, 3))
    shape = (draw(st.integers(1, 2)), channels, *spatial) if channels_first else (1, *spatial, channels)
    return rank, output_size, "channels_first" if channels_first else "channels_last", shape


@pytest.mark.parity
@given(case=cases(), mode=st.sampled_from(["Average", "Max"]), data=st.data())
def test_adaptive_pooling_parity(keras3, case, mode, data):
    rank, output_size, data_format, shape = case
    x = data.draw(float_arrays(shape))
    x = x + np.arange(x.size, dtype="float32").reshape(shape) * 1e-3  # distinct values: unique max gradients
    name = f"Adaptive{mode}Pooling{rank}D"
    ours = getattr(layers, name)(output_size, data_format=data_format)
    theirs = getattr(keras3.layers, name)(output_size, data_format=data_format)
    y = assert_same_as_keras(ours, theirs, x)
    assert ours.compute_output_shape(shape) == tuple(y.shape)


def test_average_matches_the_window_definition():
    x = torch.arange(7.0).reshape(1, 7, 1)
    out = layers.AdaptiveAveragePooling1D(3)(x).flatten().tolist()
    # windows [floor(i * 7 / 3), ceil((i + 1) * 7 / 3)): [0, 3), [2, 5), [4, 7)
    assert out == [1.0, 3.0, 5.0]


def test_symbolic_shapes_with_unknown_sizes():
    y = layers.AdaptiveMaxPooling2D((2, 3))(kerastorch.Input((None, None, 4)))
    assert y.shape == (None, 2, 3, 4)
    y = layers.AdaptiveAveragePooling3D(2, data_format="channels_first")(kerastorch.Input((5, None, 8, None)))
    assert y.shape == (None, 5, 2, 2, 2)


def test_in_a_model_any_input_size_gives_one_output_size():
    inputs = kerastorch.Input((None, None, 3))
    model = kerastorch.Model(inputs, layers.Dense(2)(layers.Flatten()(layers.AdaptiveAveragePooling2D(2)(inputs))))
    for size in (4, 9):
        assert tuple(model(torch.ones(2, size, size + 1, 3)).shape) == (2, 2)


@pytest.mark.parity
def test_config_roundtrip_and_interchange(keras3):
    layer = layers.AdaptiveMaxPooling2D((2, 3), data_format="channels_first", name="pool")
    clone = roundtrip(layer)
    assert clone.output_size == (2, 3) and clone.data_format == "channels_first"
    theirs = keras3.layers.AdaptiveMaxPooling2D.from_config(layer.get_config())
    assert tuple(theirs.output_size) == (2, 3)
    ours = layers.AdaptiveMaxPooling2D.from_config(theirs.get_config())
    assert ours.get_config() == layer.get_config()


def test_errors_name_the_layer():
    with pytest.raises(
        ValueError,
        match=r'AdaptiveAveragePooling2D layer "adaptive_average_pooling2d": '
        r"output_size must be an int or a tuple of 2 positive ints",
    ):
        layers.AdaptiveAveragePooling2D((2, 0))
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=4"):
        layers.AdaptiveMaxPooling1D(2)(torch.ones(1, 2, 3, 4))
    with pytest.raises(ValueError, match="cannot pool an empty spatial axis"):
        layers.AdaptiveMaxPooling1D(2)(torch.ones(1, 0, 3))


def test_gradients_flow_to_every_input():
    x = torch.randn(2, 6, 6, 3, requires_grad=True)
    layers.AdaptiveAveragePooling2D(3)(x).sum().backward()
    np.testing.assert_allclose(to_np(x.grad).sum(), 2 * 3 * 3 * 3, rtol=1e-5)  # each output sums to one input's worth
