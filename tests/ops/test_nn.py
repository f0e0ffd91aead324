"""``kerastorch.ops.nn`` against Keras 3's ``keras.ops.nn`` (torch backend): values, dtypes and shapes."""

import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st
from nn_parity import arrays, assert_matches, shapes

from kerastorch import ops
from kerastorch.backend import conv_utils
from kerastorch.ops import nn as ops_nn

FLOATS = ["float32", "float64", "float16"]
NUMERIC = FLOATS + ["int32", "int64"]

# (name, input dtypes Keras supports, extra keyword arguments strategy)
ACTIVATIONS = [
    ("relu", NUMERIC, st.just({})),
    ("relu6", NUMERIC, st.just({})),
    ("sigmoid", NUMERIC + ["bool"], st.just({})),
    ("sparse_sigmoid", NUMERIC + ["bool"], st.just({})),
    ("softplus", FLOATS, st.just({})),
    ("softsign", NUMERIC, st.just({})),
    ("soft_shrink", FLOATS, st.fixed_dictionaries({"threshold": st.sampled_from([0.5, 1.0])})),
    ("hard_shrink", FLOATS, st.fixed_dictionaries({"threshold": st.sampled_from([0.5, 1.0])})),
    ("sparse_plus", NUMERIC + ["bool"], st.just({})),
    ("silu", FLOATS, st.just({})),
    ("swish", FLOATS, st.just({})),
    ("log_sigmoid", FLOATS, st.just({})),
    ("leaky_relu", FLOATS, st.fixed_dictionaries({"negative_slope": st.sampled_from([0.2, 0.01])})),
    ("hard_sigmoid", FLOATS, st.just({})),
    ("hard_silu", FLOATS, st.just({})),
    ("hard_swish", FLOATS, st.just({})),
    ("hard_tanh", NUMERIC, st.just({})),
    ("elu", FLOATS, st.fixed_dictionaries({"alpha": st.sampled_from([1.0, 0.5])})),
    ("selu", FLOATS, st.just({})),
    ("gelu", FLOATS, st.fixed_dictionaries({"approximate": st.booleans()})),
    ("celu", FLOATS, st.fixed_dictionaries({"alpha": st.sampled_from([1.0, 2.0])})),
    ("softmax", FLOATS, st.fixed_dictionaries({"axis": st.sampled_from([-1, 0])})),
    ("log_softmax", FLOATS, st.fixed_dictionaries({"axis": st.sampled_from([-1, 0])})),
    ("squareplus", NUMERIC + ["bool"], st.fixed_dictionaries({"b": st.sampled_from([4, 1])})),
    ("tanh_shrink", NUMERIC, st.just({})),
    (
        "threshold",
        NUMERIC,
        st.fixed_dictionaries({"threshold": st.sampled_from([0.5, 1]), "default_value": st.sampled_from([-1.0, 0])}),
    ),
]


@pytest.mark.parametrize("name, dtypes, kwargs", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
@given(data=st.data())
def test_activations_match_keras(keras3, name, dtypes, kwargs, data):
    dtype = data.draw(st.sampled_from(dtypes))
    x = torch.as_tensor(data.draw(arrays(dtype, shapes())))
    kw = data.draw(kwargs)
    if "axis" in kw and x.dim() == 1:
        kw["axis"] = -1
    assert_matches(getattr(ops_nn, name)(x, **kw), getattr(keras3.ops.nn, name)(x, **kw))


@given(data=st.data())
def test_glu_and_python_inputs(keras3, data):
    x = data.draw(arrays("float32", st.tuples(st.integers(1, 3), st.sampled_from([2, 4]))))
    assert_matches(ops.glu(torch.as_tensor(x)), keras3.ops.nn.glu(torch.as_tensor(x)))
    values = x.tolist()  # python lists are floatx
    assert_matches(ops.relu(values), keras3.ops.relu(values))
    assert_matches(ops.softmax(x), keras3.ops.softmax(x))


@given(data=st.data())
def test_sparsemax_is_a_simplex_projection(keras3, data):
    dtype = data.draw(st.sampled_from(["float32", "float64", "int32"]))
    x = torch.as_tensor(data.draw(arrays(dtype, shapes(1, 2))))
    out = ops.sparsemax(x)
    assert out.dtype == keras3.ops.sparsemax(x).dtype
    assert bool((out >= 0).all())
    np.testing.assert_allclose(out.sum(-1).numpy(), 1.0, rtol=1e-5)
    top2 = torch.topk(x.double(), min(2, x.shape[-1]), -1).values
    if x.shape[-1] == 1 or bool((top2[..., 0] - top2[..., -1] >= 1).all()):  # a support of one entry: Keras agrees
        assert_matches(out, keras3.ops.sparsemax(x))


def test_activation_errors():
    with pytest.raises(ValueError, match="ops.glu: axis -1 must have an even size"):
        ops.glu(torch.ones(2, 3))


# ------------------------------------------------------------------ convolution
def _conv_case(data, rank, transpose=False, valid_output=False):
    """A random conv input ``x``, ``kernel_size``, keyword arguments and the number of input channels (with
    ``valid_output``: only cases whose output is not empty)."""
    data_format = data.draw(st.sampled_from(["channels_last", "channels_first"]))
    kernel_size = data.draw(st.tuples(*[st.integers(1, 3)] * rank))
    strides = data.draw(st.sampled_from([1, 2]))
    dilation = 1 if strides > 1 or transpose else data.draw(st.sampled_from([1, 2]))
    padding = data.draw(st.sampled_from(["valid", "same"]))
    spatial = data.draw(st.tuples(*[st.integers(4, 6)] * rank))
    channels = data.draw(st.integers(1, 3))
    shape = (2,) + spatial + (channels,) if data_format == "channels_last" else (2, channels) + spatial
    x = torch.as_tensor(data.draw(arrays("float32", shape)))
    kw = dict(strides=strides, padding=padding, data_format=data_format, dilation_rate=dilation)
    if valid_output:
        _assume_output(x, kernel_size, kw)
    return x, kernel_size, kw, channels


def _assume_output(x, kernel_size, kw):
    spatial = x.shape[1:-1] if kw["data_format"] == "channels_last" else x.shape[2:]
    assume(
        all(
            conv_utils.conv_output_length(n, k, kw["strides"], kw["dilation_rate"], kw["padding"]) > 0
            for n, k in zip(spatial, kernel_size)
        )
    )


@pytest.mark.parametrize("rank", [1, 2])
@given(data=st.data())
def test_conv_matches_keras(keras3, rank, data):
    x, kernel_size, kw, channels = _conv_case(data, rank, valid_output=True)
    groups = data.draw(st.sampled_from([g for g in (1, 2, 3) if channels % g == 0]))
    filters = groups * data.draw(st.integers(1, 2))
    kernel = torch.as_tensor(data.draw(arrays("float32", kernel_size + (channels // groups, filters))))
    x.requires_grad_(True)
    kernel.requires_grad_(True)
    ours = ops.conv(x, kernel, **kw)
    theirs = keras3.ops.conv(x, kernel, **kw)
    assert_matches(ours, theirs, rtol=1e-4, atol=1e-4)
    grads = torch.autograd.grad(ours.sum(), (x, kernel))
    expected = torch.autograd.grad(theirs.sum(), (x, kernel))
    for a, b in zip(grads, expected):
        assert_matches(a, b, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("rank", [1, 2])
@given(data=st.data())
def test_depthwise_and_separable_conv_match_keras(keras3, rank, data):
    x, kernel_size, kw, channels = _conv_case(data, rank, valid_output=True)
    multiplier = data.draw(st.integers(1, 2))
    depthwise = torch.as_tensor(data.draw(arrays("float32", kernel_size + (channels, multiplier))))
    pointwise = torch.as_tensor(data.draw(arrays("float32", (1,) * rank + (channels * multiplier, 2))))
    assert_matches(
        ops.depthwise_conv(x, depthwise, **kw), keras3.ops.depthwise_conv(x, depthwise, **kw), rtol=1e-4, atol=1e-4
    )
    assert_matches(
        ops.separable_conv(x, depthwise, pointwise, **kw),
        keras3.ops.separable_conv(x, depthwise, pointwise, **kw),
        rtol=1e-4,
        atol=1e-4,
    )


@pytest.mark.parametrize("rank", [1, 2])
@given(data=st.data())
def test_conv_transpose_matches_keras(keras3, rank, data):
    x, kernel_size, kw, channels = _conv_case(data, rank, transpose=True)
    kernel = torch.as_tensor(data.draw(arrays("float32", kernel_size + (2, channels))))
    if data.draw(st.booleans()):
        kw["output_padding"] = data.draw(st.integers(0, kw["strides"] - 1))
    assert_matches(
        ops.conv_transpose(x, kernel, **kw), keras3.ops.conv_transpose(x, kernel, **kw), rtol=1e-4, atol=1e-4
    )


@pytest.mark.parametrize("mode", ["max", "average"])
@given(data=st.data())
def test_pooling_matches_keras(keras3, mode, data):
    rank = data.draw(st.sampled_from([1, 2]))
    x, _, kw, _ = _conv_case(data, rank)
    pool_size = data.draw(st.sampled_from([1, 2, 3]))
    strides = data.draw(st.sampled_from([None, 1, 2]))
    spatial = x.shape[1:-1] if kw["data_format"] == "channels_last" else x.shape[2:]
    if mode == "average" and kw["padding"] == "same":  # Keras 3.15 counts padding when it is uneven (a bug)
        assume(
            all(a == b for n in spatial for a, b in [conv_utils.same_padding(n, pool_size, strides or pool_size, 1)])
        )
    kw = dict(strides=strides, padding=kw["padding"], data_format=kw["data_format"])
    fn = f"{mode}_pool"
    assert_matches(getattr(ops, fn)(x, pool_size, **kw), getattr(keras3.ops, fn)(x, pool_size, **kw))
    size = data.draw(st.integers(1, 3))
    fn = f"adaptive_{mode}_pool"
    assert_matches(
        getattr(ops.nn, fn)(x, size, data_format=kw["data_format"]),
        getattr(keras3.ops.nn, fn)(x, size, data_format=kw["data_format"]),
    )


@given(data=st.data())
def test_space_depth_fold_match_keras(keras3, data):
    block = 2
    data_format = data.draw(st.sampled_from(["channels_last", "channels_first"]))
    c = 4 * data.draw(st.integers(1, 2))
    shape = (1, 2, 4, c) if data_format == "channels_last" else (1, c, 2, 4)
    x = torch.as_tensor(data.draw(arrays("float32", shape)))
    assert_matches(ops.depth_to_space(x, block, data_format), keras3.ops.depth_to_space(x, block, data_format))
    assert_matches(ops.space_to_depth(x, block, data_format), keras3.ops.space_to_depth(x, block, data_format))
    images = torch.as_tensor(data.draw(arrays("float32", (1, 2, 4, 4))))
    k = data.draw(st.sampled_from([1, 2, 3]))
    patches = ops.unfold(images, k)
    assert_matches(patches, keras3.ops.unfold(images, k))
    assert_matches(ops.fold(patches, (4, 4), k), keras3.ops.fold(patches, (4, 4), k))


def test_conv_errors():
    with pytest.raises(ValueError, match="ops.conv: the input channels"):
        ops.conv(torch.ones(1, 4, 3), torch.ones(2, 2, 4))
    with pytest.raises(ValueError, match="ops.conv: expected a kernel of rank 3"):
        ops.conv(torch.ones(1, 4, 3), torch.ones(2, 3, 4, 1))
    with pytest.raises(ValueError, match="ops.max_pool: padding must be one of"):
        ops.max_pool(torch.ones(1, 4, 3), 2, padding="full")
    with pytest.raises(ValueError, match="ops.depth_to_space: block_size must be an int >= 2"):
        ops.depth_to_space(torch.ones(1, 2, 2, 4), 1)
    with pytest.raises(ValueError, match="ops.conv: the output would be empty"):
        ops.conv(torch.ones(1, 2, 1), torch.ones(3, 1, 1))


# --------------------------------------------------- encodings, norms, losses
@given(data=st.data())
def test_one_hot_multi_hot_match_keras(keras3, data):
    classes = data.draw(st.integers(1, 5))
    x = torch.as_tensor(data.draw(arrays("int64", shapes(1, 2), low=0, high=classes - 1)))
    axis = data.draw(st.sampled_from([-1, 0]))
    dtype = data.draw(st.sampled_from([None, "int32", "float64"]))
    assert_matches(
        ops.one_hot(x, classes, axis=axis, dtype=dtype), keras3.ops.one_hot(x, classes, axis=axis, dtype=dtype)
    )
    assert_matches(ops.multi_hot(x, classes, dtype=dtype), keras3.ops.multi_hot(x, classes, dtype=dtype))
    assert ops.one_hot(torch.tensor([-1, classes]), classes).sum() == 0  # out of range: all zeros


@given(data=st.data())
def test_normalizations_match_keras(keras3, data):
    dtype = data.draw(st.sampled_from(["float32", "float64"]))
    x = torch.as_tensor(data.draw(arrays(dtype, shapes(2, 3, min_side=2))))
    axis = data.draw(st.sampled_from([-1, 0]))
    keep = data.draw(st.booleans())
    assert_matches(ops.moments(x, [axis], keepdims=keep), keras3.ops.moments(x, [axis], keepdims=keep))
    n = x.shape[axis]
    mean, var, gamma, beta = (torch.as_tensor(data.draw(arrays(dtype, (n,), 0.5, 2.0))) for _ in range(4))
    assert_matches(
        ops.batch_normalization(x, mean, var, axis, beta, gamma),
        keras3.ops.batch_normalization(x, mean, var, axis, beta, gamma),
    )
    assume(float(x.abs().max()) > 0.1)
    order = data.draw(st.sampled_from([1, 2]))
    assert_matches(ops.normalize(x, axis, order), keras3.ops.normalize(x, axis, order))
    eps = data.draw(st.sampled_from([None, 1e-3]))
    if axis == -1:  # Keras 3.15 fails for other axes (it passes the wrong normalized_shape to torch)
        assert_matches(
            ops.rms_normalization(x, gamma, epsilon=eps), keras3.ops.rms_normalization(x, gamma, epsilon=eps)
        )
        assert_matches(
            ops.layer_normalization(x, gamma, beta, epsilon=eps),
            keras3.ops.layer_normalization(x, gamma, beta, epsilon=eps),
            rtol=1e-4,
            atol=1e-4,
        )
    else:  # normalizing axis 0 is normalizing the last axis of the transposed tensor
        assert_matches(ops.rms_normalization(x, axis=0), ops.rms_normalization(x.movedim(0, -1)).movedim(-1, 0))
        assert_matches(
            ops.layer_normalization(x, axis=0, epsilon=eps),
            ops.layer_normalization(x.movedim(0, -1), epsilon=eps).movedim(-1, 0),
            rtol=1e-4,
            atol=1e-4,
        )


@given(data=st.data())
def test_crossentropies_match_keras(keras3, data):
    dtype = data.draw(st.sampled_from(["float32", "float64"]))
    logits_flag = data.draw(st.booleans())
    shape = data.draw(shapes(2, 3, min_side=2))
    low = -3.0 if logits_flag else 0.01
    output = torch.as_tensor(data.draw(arrays(dtype, shape, low, 3.0 if logits_flag else 0.99)))
    target = torch.as_tensor(data.draw(arrays(dtype, shape, 0.0, 1.0)))
    assert_matches(
        ops.binary_crossentropy(target, output, logits_flag),
        keras3.ops.binary_crossentropy(target, output, logits_flag),
    )
    assert_matches(
        ops.categorical_crossentropy(target, output, logits_flag),
        keras3.ops.categorical_crossentropy(target, output, logits_flag),
    )
    labels = torch.as_tensor(data.draw(arrays("int64", shape[:-1], 0, shape[-1] - 1)))
    assert_matches(
        ops.sparse_categorical_crossentropy(labels, output, logits_flag),
        keras3.ops.sparse_categorical_crossentropy(labels, output, logits_flag),
    )
    other = torch.as_tensor(data.draw(arrays(dtype, shape, 0.0, 1.0)))
    assume(float((other - target).abs().max()) > 1e-3)
    assert_matches(ops.psnr(target, other, 1.0), keras3.ops.psnr(target, other, 1.0))
    assert_matches(ops.polar(target, output), keras3.ops.polar(target, output))


@given(data=st.data())
def test_dot_product_attention_matches_keras(keras3, data):
    b, tq, tk, heads, dim = 2, data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3)), 2, 4
    kv_heads = data.draw(st.sampled_from([1, 2]))
    q = torch.as_tensor(data.draw(arrays("float32", (b, tq, heads, dim), -2, 2)))
    k = torch.as_tensor(data.draw(arrays("float32", (b, tk, kv_heads, dim), -2, 2)))
    v = torch.as_tensor(data.draw(arrays("float32", (b, tk, kv_heads, dim), -2, 2)))
    kw = {}
    extra = data.draw(st.sampled_from([None, "bias", "mask"]))  # Keras refuses both together
    if extra == "bias":
        kw["bias"] = torch.as_tensor(data.draw(arrays("float32", (b, heads, tq, tk), -1, 1)))
    if extra == "mask":
        mask = data.draw(arrays("bool", (b, heads, tq, tk)))
        mask[..., 0] = True
        kw["mask"] = torch.as_tensor(mask)
    if tq == tk and data.draw(st.booleans()):
        kw["is_causal"] = True
    if data.draw(st.booleans()):
        kw["scale"] = 0.5
    out = ops.dot_product_attention(q, k, v, **kw)
    assert_matches(out, keras3.ops.dot_product_attention(q, k, v, **kw), rtol=1e-4, atol=1e-5)
    # Keras's torch backend has no logits soft cap; a cap far above the logits changes nothing
    assert_matches(ops.dot_product_attention(q, k, v, attn_logits_soft_cap=1e4, **kw), out, rtol=1e-4, atol=1e-4)


def test_causal_attention_matches_keras(keras3):
    q, k, v = torch.randn(3, 2, 3, 2, 4, generator=torch.Generator().manual_seed(0)).unbind(0)
    out = ops.dot_product_attention(q, k, v, is_causal=True)
    assert_matches(out, keras3.ops.dot_product_attention(q, k, v, is_causal=True), rtol=1e-4, atol=1e-5)
    assert_matches(out[:, 0], ops.dot_product_attention(q[:, :1], k[:, :1], v[:, :1])[:, 0])  # first step sees itself


@given(data=st.data())
def test_ctc_matches_keras(keras3, data):
    batch, time, classes = 2, data.draw(st.integers(2, 5)), data.draw(st.integers(2, 4))
    logits = torch.as_tensor(data.draw(arrays("float32", (batch, time, classes))))
    label_len = data.draw(st.integers(1, max(1, time // 2)))
    target = torch.as_tensor(data.draw(arrays("int32", (batch, label_len), 1, classes - 1)))
    target_length = torch.full((batch,), label_len, dtype=torch.int32)
    output_length = torch.as_tensor(data.draw(arrays("int32", (batch,), 2 * label_len, time)))
    assume(bool((output_length >= 2 * label_len).all()))
    assert_matches(
        ops.ctc_loss(target, logits, target_length, output_length),
        keras3.ops.ctc_loss(target, logits, target_length, output_length),
        rtol=1e-4,
        atol=1e-4,
    )
    merge = data.draw(st.booleans())
    assert_matches(
        ops.ctc_decode(logits, output_length, merge_repeated=merge),
        keras3.ops.ctc_decode(logits, output_length, merge_repeated=merge),
    )


def test_misc_errors():
    with pytest.raises(ValueError, match="ops.binary_crossentropy: target and output must have the same shape"):
        ops.binary_crossentropy(torch.ones(2, 3), torch.ones(2, 2))
    with pytest.raises(ValueError, match="ops.batch_normalization: expected statistics of shape"):
        ops.batch_normalization(torch.ones(2, 3), torch.ones(4), torch.ones(4), axis=-1)
    with pytest.raises(ValueError, match="ops.dot_product_attention: expected query, key and value of rank 4"):
        ops.dot_product_attention(torch.ones(2, 3), torch.ones(2, 3), torch.ones(2, 3))
    with pytest.raises(ValueError, match="ops.ctc_decode: strategy must be 'greedy' or 'beam_search'"):
        ops.ctc_decode(torch.ones(1, 2, 3), torch.tensor([2]), strategy="beam")


def test_namespace_matches_keras(keras3):
    theirs = {n for n in dir(keras3.ops.nn) if not n.startswith("_")}
    assert theirs <= set(ops_nn.__all__)
    assert all(hasattr(ops, n) for n in ops_nn.__all__)
