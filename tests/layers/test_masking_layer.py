"""Tests for the Masking layer: Keras 3 parity of outputs, masks and gradients, the mask reaching the
next layer, symbolic shapes, configs and errors."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from layer_checks import assert_same_as_keras, float_arrays, keras_device, roundtrip, to_np

import kerastorch
from kerastorch import layers
from kerastorch.layers.masking import Masking

pytestmark = pytest.mark.usefixtures("_cpu_weights")


@st.composite
def padded_sequences(draw):
    """``(x, mask_value)``: a small float32 ``(batch, time, features)`` array with some timesteps set entirely
    to ``mask_value`` and some entries equal to it in unmasked steps."""
    x = draw(float_arrays(st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 3)), low=-2, high=2))
    mask_value = draw(st.sampled_from([0.0, 1.0, -1.5]))
    padded = draw(st.lists(st.booleans(), min_size=x.shape[1], max_size=x.shape[1]))
    x[:, np.array(padded, dtype=bool)] = mask_value
    x[:, :, 0] = np.where(draw(st.booleans()), mask_value, x[:, :, 0])
    return x, mask_value


@pytest.mark.parity
@given(padded_sequences())
def test_matches_keras(keras3, case):
    x, mask_value = case
    ours, theirs = Masking(mask_value=mask_value), keras3.layers.Masking(mask_value=mask_value)
    y = assert_same_as_keras(ours, theirs, x)
    expected_mask = (x != mask_value).any(-1)
    np.testing.assert_array_equal(to_np(y._keras_mask), expected_mask)
    their_mask = theirs(torch.tensor(x, device=keras_device()))._keras_mask
    np.testing.assert_array_equal(to_np(y._keras_mask), to_np(their_mask))
    np.testing.assert_array_equal(to_np(y)[~expected_mask], 0)


@given(padded_sequences())
def test_masked_steps_get_no_gradient(case):
    x, mask_value = case
    xt = torch.tensor(x, requires_grad=True)
    Masking(mask_value=mask_value)(xt).sum().backward()
    keep = (x != mask_value).any(-1)
    np.testing.assert_array_equal(to_np(xt.grad), np.broadcast_to(keep[..., None], x.shape).astype("float32"))


def test_mask_reaches_the_next_layer_and_pooling_ignores_padding():
    x = torch.tensor([[[1.0, 2.0], [0.0, 0.0], [3.0, 4.0]]])
    seen = {}

    class Probe(layers.Layer):
        def call(self, inputs, mask=None):
            seen["mask"] = mask
            return inputs

    Probe()(Masking()(x))
    assert seen["mask"].tolist() == [[True, False, True]]
    pooled = layers.GlobalAveragePooling1D()(Masking()(x))
    torch.testing.assert_close(pooled, torch.tensor([[2.0, 3.0]]))


def test_incoming_mask_is_replaced():
    x = torch.tensor([[[1.0], [0.0]]])
    x._keras_mask = torch.tensor([[False, True]])
    assert Masking()(x)._keras_mask.tolist() == [[True, False]]
    assert Masking().compute_mask(x, torch.tensor([[False, True]])).tolist() == [[True, False]]


def test_symbolic_shape_and_functional_model():
    inputs = kerastorch.Input((None, 3))
    outputs = Masking(mask_value=-1.0)(inputs)
    assert outputs.shape == (None, None, 3)
    model = kerastorch.Model(inputs, outputs)
    y = model(torch.tensor([[[-1.0, -1.0, -1.0], [1.0, 2.0, 3.0]]]))
    assert y.tolist() == [[[0.0, 0.0, 0.0], [1.0, 2.0, 3.0]]]
    assert Masking().compute_output_shape((2, 5, 3)) == (2, 5, 3)


@pytest.mark.parity
def test_config_roundtrip_and_keras_interchange(keras3):
    layer = Masking(mask_value=2.5, name="pad")
    clone = roundtrip(layer)
    assert clone.mask_value == 2.5 and clone.name == "pad"
    theirs = keras3.layers.Masking.from_config(layer.get_config())
    assert theirs.mask_value == 2.5
    assert Masking.from_config(theirs.get_config()).get_config() == layer.get_config()
    assert set(theirs.get_config()) == set(layer.get_config())


def test_no_weights_and_exported():
    layer = Masking()
    layer(torch.ones(1, 2, 3))
    assert layer.weights == [] and layer.get_weights() == []
    assert layers.Masking is Masking


def test_errors():
    with pytest.raises(TypeError, match=r'Masking layer "masking.*": mask_value must be a number.*received'):
        Masking(mask_value="zero")
    with pytest.raises(ValueError, match=r'Masking layer "masking.*": expected inputs of rank >= 2.*\(3,\)'):
        Masking()(torch.ones(3))
