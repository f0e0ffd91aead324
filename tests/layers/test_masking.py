"""Keras masks travel with the tensors (``_keras_mask``) from Embedding(mask_zero=True) to the layers
that use them, passing through layers that support masking."""

import numpy as np
import pytest
import torch

import kerastorch
from kerastorch import layers

IDS = np.array([[3, 5, 0, 0], [7, 0, 0, 0], [1, 2, 3, 4]])


def _model(k):
    inputs = k.Input((4,), dtype="int32")
    x = k.layers.Embedding(10, 3, mask_zero=True)(inputs)
    x = k.layers.Dropout(0.5)(x)
    x = k.layers.Dense(2)(x)
    return k.Model(inputs, k.layers.GlobalAveragePooling1D()(x))


def test_mask_reaches_a_layer_that_takes_one():
    seen = {}

    class Probe(layers.Layer):
        def __init__(self):
            super().__init__()
            self.supports_masking = True

        def call(self, inputs, mask=None):
            seen["mask"] = mask
            return inputs

    x = layers.Embedding(10, 3, mask_zero=True)(torch.tensor(IDS))
    out = Probe()(layers.Dense(2)(x))
    assert torch.equal(seen["mask"], torch.tensor(IDS != 0))
    assert torch.equal(out._keras_mask, torch.tensor(IDS != 0))


def test_layers_without_mask_support_drop_it():
    x = layers.Embedding(10, 3, mask_zero=True)(torch.tensor(IDS))
    assert getattr(layers.Flatten()(x), "_keras_mask", None) is None


def test_masked_average_ignores_padding():
    model = _model(kerastorch)
    out = model(torch.tensor(IDS))
    embedded = model.layers[3](model.layers[1](torch.tensor(IDS)))  # Dense(Embedding(ids)), dropout off
    expected = embedded[1, :1].mean(0)
    torch.testing.assert_close(out[1], expected)


@pytest.mark.parity
def test_masked_model_matches_keras(keras3):
    ours, theirs = _model(kerastorch), _model(keras3)
    theirs.set_weights(ours.get_weights())
    np.testing.assert_allclose(
        ours(torch.tensor(IDS)).detach().numpy(), keras3.ops.convert_to_numpy(theirs(IDS)), rtol=1e-5, atol=1e-6
    )


def test_symbolic_tensors_carry_masks_while_the_graph_is_built():
    inputs = kerastorch.Input((None,), dtype="int32")
    embedded = layers.Embedding(10, 3, mask_zero=True)(inputs)
    assert embedded._keras_mask.shape == (None, None) and embedded._keras_mask.dtype == "bool"
    dense = layers.Dense(2)(layers.Dropout(0.5)(embedded))  # mask-supporting layers pass it on
    assert dense._keras_mask.shape == (None, None)
    assert layers.Flatten()(embedded)._keras_mask is None  # no mask support: dropped
    assert layers.GlobalAveragePooling1D()(dense)._keras_mask is None  # consumes the mask
    assert inputs._keras_mask is None


def test_symbolic_mask_matches_keras(keras3):
    ours = layers.Embedding(10, 3, mask_zero=True)(kerastorch.Input((5,), dtype="int32"))
    theirs = keras3.layers.Embedding(10, 3, mask_zero=True)(keras3.Input((5,), dtype="int32"))
    assert ours._keras_mask.shape == tuple(theirs._keras_mask.shape)
    assert ours._keras_mask.dtype == theirs._keras_mask.dtype
