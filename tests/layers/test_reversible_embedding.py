"""ReversibleEmbedding: Keras 3 parity (forward and reverse outputs and gradients), masks, symbolic shapes,
configs, errors."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from layer_checks import TOL, float_arrays, keras_device, roundtrip, to_np

import kerastorch
from kerastorch.layers.core import Embedding
from kerastorch.layers.reversible_embedding import ReversibleEmbedding

pytestmark = pytest.mark.usefixtures("_cpu_weights")


@st.composite
def configs(draw):
    return {
        "input_dim": draw(st.integers(1, 6)),
        "output_dim": draw(st.integers(1, 4)),
        "tie_weights": draw(st.booleans()),
        "logit_soft_cap": draw(st.sampled_from([None, 0.5, 3.0])),
        "reverse_dtype": draw(st.sampled_from([None, "float32"])),
        "mask_zero": draw(st.booleans()),
    }


def _pair(keras3, config):
    ours, theirs = ReversibleEmbedding(**config), keras3.layers.ReversibleEmbedding(**config)
    ours.build()
    theirs.build()
    assert [(w.name, tuple(w.shape)) for w in ours.weights] == [(w.name, tuple(w.shape)) for w in theirs.weights]
    ours.set_weights(theirs.get_weights())
    return ours, theirs


@given(config=configs(), data=st.data())
def test_matches_keras_forward_and_reverse(keras3, config, data):
    ours, theirs = _pair(keras3, config)
    ids = data.draw(st.lists(st.integers(0, config["input_dim"] - 1), min_size=6, max_size=6))
    ids = np.array(ids).reshape(2, 3)
    yt, yk = ours(torch.tensor(ids)), theirs(torch.tensor(ids, device=keras_device()))
    np.testing.assert_allclose(to_np(yt), to_np(yk), **TOL)
    if config["mask_zero"]:
        np.testing.assert_array_equal(to_np(yt._keras_mask), ids != 0)
    hidden = data.draw(float_arrays((2, 3, config["output_dim"]), low=-3.0, high=3.0))
    xt = torch.tensor(hidden, requires_grad=True)
    xk = torch.tensor(hidden, requires_grad=True, device=keras_device())
    lt, lk = ours(xt, reverse=True), theirs(xk, reverse=True)
    assert tuple(lt.shape) == tuple(lk.shape) == (2, 3, config["input_dim"])
    assert getattr(lt, "_keras_mask", None) is None
    np.testing.assert_allclose(to_np(lt), to_np(lk), **TOL)
    upstream = np.random.default_rng(1).normal(size=tuple(lt.shape)).astype("float32")
    (lt * torch.tensor(upstream)).sum().backward()
    (lk * torch.tensor(upstream, device=lk.device)).sum().backward()
    np.testing.assert_allclose(to_np(xt.grad), to_np(xk.grad), **TOL)
    for wt, wk in zip(ours.weights, theirs.weights):  # untied: the embeddings get no gradient in reverse mode
        assert (wt.grad is None) == (wk.value.grad is None) == (wt.name == "embeddings" and not ours.tie_weights)
        if wt.grad is not None:
            np.testing.assert_allclose(to_np(wt.grad), to_np(wk.value.grad), **TOL)


def test_tied_weights_share_one_matrix_and_soft_cap_bounds_logits():
    layer = ReversibleEmbedding(5, 3, embeddings_initializer="ones", logit_soft_cap=2.0)
    assert isinstance(layer, Embedding)
    logits = layer(torch.full((1, 3), 10.0), reverse=True)
    assert torch.allclose(logits, torch.full((1, 5), 2.0 * np.tanh(15.0)))
    assert [w.name for w in layer.weights] == ["embeddings"]
    untied = ReversibleEmbedding(5, 3, tie_weights=False, weights=[np.zeros((5, 3)), np.ones((3, 5))])
    assert untied(torch.ones(2, 3), reverse=True).tolist() == [[3.0] * 5] * 2
    assert untied(torch.tensor([4])).tolist() == [[0.0] * 3]


def test_lora_is_used_by_the_tied_reverse_projection():
    layer = ReversibleEmbedding(4, 3, lora_rank=2)
    layer.build()
    with torch.no_grad():
        layer.lora_embeddings_b.fill_(0.5)
    x = torch.randn(2, 3)
    merged = layer.embeddings + layer.lora_embeddings_a @ layer.lora_embeddings_b  # alpha / rank = 1
    torch.testing.assert_close(layer(x, reverse=True), x @ merged.T)


@given(shape=st.sampled_from([(None,), (None, 3), (2, 5)]), tie=st.booleans())
def test_symbolic_shapes(keras3, shape, tie):
    ours, theirs = ReversibleEmbedding(7, 4, tie_weights=tie), keras3.layers.ReversibleEmbedding(7, 4, tie_weights=tie)
    ht, hk = (
        ours(kerastorch.Input(batch_shape=shape, dtype="int32")),
        theirs(keras3.Input(batch_shape=shape, dtype="int32")),
    )
    assert ht.shape == tuple(hk.shape)
    assert ours(ht, reverse=True).shape == tuple(theirs(hk, reverse=True).shape)
    assert ours.compute_output_shape(shape, reverse=True) == shape[:-1] + (7,)
    masked = ReversibleEmbedding(7, 4, mask_zero=True)(kerastorch.Input((3,), dtype="int32"))
    assert masked._keras_mask is not None and masked._keras_mask.shape == (None, 3)


def test_configs_interchange_with_keras(keras3):
    ours = ReversibleEmbedding(
        9, 4, tie_weights=False, logit_soft_cap=5.0, reverse_dtype="float32", mask_zero=True, name="rev"
    )
    theirs = keras3.layers.ReversibleEmbedding(
        9, 4, tie_weights=False, logit_soft_cap=5.0, reverse_dtype="float32", mask_zero=True, name="rev"
    )
    assert ours.get_config() == theirs.get_config()
    clone = roundtrip(ours)
    assert clone.tie_weights is False and clone.logit_soft_cap == 5.0
    assert keras3.layers.ReversibleEmbedding.from_config(ours.get_config()).get_config() == theirs.get_config()
    assert ReversibleEmbedding.from_config(theirs.get_config()).get_config() == ours.get_config()


def test_errors():
    with pytest.raises(ValueError, match=r'ReversibleEmbedding layer "rev".*logit_soft_cap=0'):
        ReversibleEmbedding(4, 2, logit_soft_cap=0, name="rev")
    with pytest.raises(ValueError, match=r"reverse_dtype must be a dtype name.*'floaty'"):
        ReversibleEmbedding(4, 2, reverse_dtype="floaty")
    layer = ReversibleEmbedding(4, 2, name="rev")
    with pytest.raises(ValueError, match=r'"rev".*output_dim=2 features, received shape \(1, 3\)'):
        layer(torch.ones(1, 3), reverse=True)
    with pytest.raises(IndexError, match=r'"rev".*\[0, 4\)'):
        layer(torch.tensor([4]))
    with pytest.raises(ValueError, match="argument `input_dim` must be a positive integer"):
        ReversibleEmbedding(0, 2)
