"""Tests for the convolution layers: Keras 3 parity (outputs, input and weight gradients) on drawn
geometries, symbolic shapes with unknown sizes, weight layouts, configs and errors."""

import json

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from layer_checks import assert_same_as_keras, float_arrays, keras_device, roundtrip, to_np

import kerastorch
from kerastorch import layers
from kerastorch.backend import conv_utils

pytestmark = pytest.mark.usefixtures("_cpu_weights")

CONV_TOL = dict(rtol=1e-4, atol=1e-4)
"""Convolutions sum many float32 products, in a different order than Keras's padded copies may."""


# ------------------------------------------------------------------ helpers
@st.composite
def geometries(draw, rank, paddings=("valid", "same"), strided_dilation=False, max_kernel=3):
    """Keyword arguments for a convolution of ``rank`` plus a fitting channels-last input shape (no channels)."""
    kernel = tuple(draw(st.integers(1, max_kernel)) for _ in range(rank))
    mode = draw(
        st.sampled_from(
            ["plain", "strided", "dilated", "both"] if strided_dilation else ["plain", "strided", "dilated"]
        )
    )
    strides = tuple(draw(st.integers(1, 3)) if mode in ("strided", "both") else 1 for _ in range(rank))
    dilation = tuple(draw(st.integers(1, 2)) if mode in ("dilated", "both") else 1 for _ in range(rank))
    padding = draw(st.sampled_from(paddings))
    extents = [conv_utils.effective_kernel(k, d) for k, d in zip(kernel, dilation)]
    low = [e if padding == "valid" else 1 for e in extents]
    spatial = tuple(draw(st.integers(lo, lo + (4 if rank < 3 else 2))) for lo in low)
    return dict(kernel_size=kernel, strides=strides, dilation_rate=dilation, padding=padding), spatial


def _layout(shape, channels_first):
    """Channels-last ``(batch, *spatial, channels)`` as the layer's data format."""
    return (shape[0], shape[-1], *shape[1:-1]) if channels_first else shape


def _zero_grads(ours, theirs):
    for w in ours.weights:
        w.grad = None
    for w in theirs.weights:
        w.value.grad = None


def _compare(ours, theirs, x, tol=CONV_TOL):
    """Outputs, input gradients and weight gradients of ``ours`` and the Keras layer ``theirs`` agree."""
    _zero_grads(ours, theirs)
    return assert_same_as_keras(ours, theirs, x, tol, weight_grads=True)


def _parity(ours, theirs, x, tol=CONV_TOL):
    """Weights copied ours -> Keras, then random Keras weights copied back; both directions must agree."""
    ours.build(x.shape)
    theirs.build(x.shape)
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    assert [w.name for w in ours.weights] == [w.path.split("/")[-1] for w in theirs.weights]
    theirs.set_weights(ours.get_weights())
    _compare(ours, theirs, x, tol)
    rng = np.random.default_rng(0)
    theirs.set_weights([rng.normal(size=w.shape).astype("float32") for w in theirs.get_weights()])
    ours.set_weights(theirs.get_weights())
    y = _compare(ours, theirs, x, tol)
    symbolic = ours.compute_output_shape((None,) + tuple(x.shape[1:]))
    assert symbolic == (None,) + tuple(y.shape[1:])


# Batches in the parity tests have 2 or 3 samples: on a batch of one, Keras 3.15's torch backend fails in
# backward for some layers (torch's fallback kernels want a contiguous weight; see the test at the end).
def _pair(keras3, name, *args, **kwargs):
    return getattr(layers, name)(*args, **kwargs), getattr(keras3.layers, name)(*args, **kwargs)


# ----------------------------------------------------------------- parity
@pytest.mark.parity
@given(
    data=st.data(),
    rank=st.integers(1, 3),
    groups=st.integers(1, 3),
    use_bias=st.booleans(),
    channels_first=st.booleans(),
    activation=st.sampled_from([None, "relu", "tanh"]),
)
def test_conv_parity(keras3, data, rank, groups, use_bias, channels_first, activation):
    paddings = ("valid", "same", "causal") if rank == 1 else ("valid", "same")
    geometry, spatial = data.draw(geometries(rank, paddings))
    in_channels = groups * data.draw(st.integers(1, 2))
    filters = groups * data.draw(st.integers(1, 2))
    x = data.draw(float_arrays(_layout((data.draw(st.integers(2, 3)), *spatial, in_channels), channels_first)))
    data_format = "channels_first" if channels_first else "channels_last"
    ours, theirs = _pair(
        keras3,
        f"Conv{rank}D",
        filters,
        groups=groups,
        use_bias=use_bias,
        activation=activation,
        data_format=data_format,
        **geometry,
    )
    _parity(ours, theirs, x)


@pytest.mark.parity
@given(
    data=st.data(),
    rank=st.integers(1, 2),
    multiplier=st.integers(1, 2),
    channels=st.integers(1, 3),
    use_bias=st.booleans(),
    channels_first=st.booleans(),
)
def test_depthwise_conv_parity(keras3, data, rank, multiplier, channels, use_bias, channels_first):
    geometry, spatial = data.draw(geometries(rank, strided_dilation=True))
    x = data.draw(float_arrays(_layout((data.draw(st.integers(2, 3)), *spatial, channels), channels_first)))
    ours, theirs = _pair(
        keras3,
        f"DepthwiseConv{rank}D",
        depth_multiplier=multiplier,
        use_bias=use_bias,
        data_format="channels_first" if channels_first else "channels_last",
        **geometry,
    )
    _parity(ours, theirs, x)


@pytest.mark.parity
@given(
    data=st.data(),
    rank=st.integers(1, 2),
    multiplier=st.integers(1, 2),
    channels=st.integers(1, 3),
    filters=st.integers(1, 4),
    use_bias=st.booleans(),
    channels_first=st.booleans(),
)
def test_separable_conv_parity(keras3, data, rank, multiplier, channels, filters, use_bias, channels_first):
    geometry, spatial = data.draw(geometries(rank))
    x = data.draw(float_arrays(_layout((data.draw(st.integers(2, 3)), *spatial, channels), channels_first)))
    ours, theirs = _pair(
        keras3,
        f"SeparableConv{rank}D",
        filters,
        depth_multiplier=multiplier,
        use_bias=use_bias,
        data_format="channels_first" if channels_first else "channels_last",
        **geometry,
    )
    _parity(ours, theirs, x)


@pytest.mark.parity
@given(
    data=st.data(),
    rank=st.integers(1, 3),
    filters=st.integers(1, 3),
    channels=st.integers(1, 3),
    use_bias=st.booleans(),
    channels_first=st.booleans(),
)
def test_conv_transpose_parity(keras3, data, rank, filters, channels, use_bias, channels_first):
    geometry, spatial = data.draw(geometries(rank, max_kernel=4))
    spatial = tuple(min(n, 3) if rank == 3 else n for n in spatial)  # transposed outputs grow: keep 3-D small
    strides = geometry["strides"]
    if data.draw(st.booleans()):
        geometry["output_padding"] = tuple(data.draw(st.integers(0, s - 1)) for s in strides)
    x = data.draw(float_arrays(_layout((data.draw(st.integers(2, 3)), *spatial, channels), channels_first)))
    ours, theirs = _pair(
        keras3,
        f"Conv{rank}DTranspose",
        filters,
        use_bias=use_bias,
        data_format="channels_first" if channels_first else "channels_last",
        **geometry,
    )
    _parity(ours, theirs, x)


@pytest.mark.parity
@given(
    data=st.data(),
    rank=st.integers(1, 3),
    name=st.sampled_from(["Conv", "DepthwiseConv", "SeparableConv", "ConvTranspose"]),
)
def test_symbolic_shapes_with_unknown_sizes_match_keras(keras3, data, rank, name):
    if name in ("DepthwiseConv", "SeparableConv") and rank == 3:
        rank = 2
    cls = f"{name[: -len('Transpose')]}{rank}DTranspose" if name == "ConvTranspose" else f"{name}{rank}D"
    geometry, spatial = data.draw(geometries(rank, strided_dilation=name == "DepthwiseConv"))
    args = () if name == "DepthwiseConv" else (3,)
    ours, theirs = _pair(keras3, cls, *args, **geometry)
    known = [data.draw(st.booleans()) for _ in spatial]
    shape = (None, *[n if k else None for n, k in zip(spatial, known)], 2)
    output = ours(kerastorch.Input(shape[1:]))
    assert output.shape == tuple(theirs.compute_output_shape(shape))


# --------------------------------------------------------------- symbolic
def test_fully_convolutional_model_with_unknown_spatial_sizes():
    inputs = kerastorch.Input((None, None, 3))
    x = inputs
    for _ in range(4):  # a stack that a small stand-in size could not pass through
        x = layers.Conv2D(4, 5, activation="relu")(x)
    x = layers.SeparableConv2D(4, 3, strides=2, padding="same")(x)
    x = layers.DepthwiseConv2D(3, depth_multiplier=2)(x)
    outputs = layers.Conv2DTranspose(2, 3, strides=2, padding="same")(x)
    model = kerastorch.Model(inputs, outputs)
    assert outputs.shape == (None, None, None, 2)
    for height, width in ((24, 25), (31, 40)):
        y = model(torch.randn(2, height, width, 3))
        # 4 valid 5x5 convs: -16; strided "same": ceil(/2); valid 3x3: -2; transposed strided "same": *2
        assert tuple(y.shape) == (2, 2 * (-(-(height - 16) // 2) - 2), 2 * (-(-(width - 16) // 2) - 2), 2)


def test_symbolic_batch_and_known_sizes():
    assert layers.Conv1D(5, 3, padding="causal", strides=2)(kerastorch.Input((9, 2))).shape == (None, 5, 5)
    assert layers.Conv3D(2, 2, data_format="channels_first")(kerastorch.Input((3, 4, 5, 6))).shape == (None, 2, 3, 4, 5)
    assert layers.Conv2DTranspose(2, 3, strides=2, output_padding=1)(kerastorch.Input((4, 5, 1))).shape == (
        None,
        10,
        12,
        2,
    )


def test_symbolic_build_needs_known_channels():
    with pytest.raises(
        ValueError,
        match=r'Conv2D layer "conv2d": the channel axis .* must be known.*'
        r"\(None, 5, 5, None\)",
    ):
        layers.Conv2D(2, 3)(kerastorch.Input((5, 5, None)))


# ------------------------------------------------------------ weights, data
def test_weight_layouts_are_keras_and_single_parameters():
    conv = layers.Conv2D(6, (3, 2), groups=2)
    conv(torch.ones(1, 5, 5, 4))
    assert tuple(conv.kernel.shape) == (3, 2, 2, 6) and isinstance(conv.kernel, torch.nn.Parameter)
    assert [w.path for w in conv.weights] == ["conv2d/kernel", "conv2d/bias"]
    assert list(conv.state_dict()) == ["kernel", "bias"]
    depthwise = layers.DepthwiseConv2D(3, depth_multiplier=2)
    depthwise(torch.ones(1, 5, 5, 4))
    assert [(w.name, tuple(w.shape)) for w in depthwise.weights] == [("kernel", (3, 3, 4, 2)), ("bias", (8,))]
    separable = layers.SeparableConv1D(5, 3, depth_multiplier=2, use_bias=False)
    separable(torch.ones(1, 6, 3))
    assert [(w.name, tuple(w.shape)) for w in separable.weights] == [
        ("depthwise_kernel", (3, 3, 2)),
        ("pointwise_kernel", (1, 6, 5)),
    ]
    transpose = layers.Conv3DTranspose(2, 2)
    transpose(torch.ones(1, 2, 2, 2, 3))
    assert tuple(transpose.kernel.shape) == (2, 2, 2, 2, 3)


def test_conv_matches_definition_with_same_padding_on_even_kernel():
    # Keras/TF "same": the odd unit of padding goes to the end (bottom/right).
    layer = layers.Conv1D(1, 2, padding="same", use_bias=False, kernel_initializer="ones")
    y = layer(torch.arange(1.0, 5.0).reshape(1, 4, 1))
    assert y.flatten().tolist() == [3.0, 5.0, 7.0, 4.0]
    causal = layers.Conv1D(1, 3, padding="causal", dilation_rate=2, use_bias=False, kernel_initializer="ones")
    assert causal(torch.arange(1.0, 6.0).reshape(1, 5, 1)).flatten().tolist() == [1.0, 2.0, 4.0, 6.0, 9.0]


def test_channels_formats_agree_and_channels_last_output_needs_no_copy():
    last = layers.Conv2D(4, 3, strides=2, padding="same")
    first = layers.Conv2D(4, 3, strides=2, padding="same", data_format="channels_first")
    x = torch.randn(2, 7, 6, 3)
    y = last(x)
    first.build((None, 3, 7, 6))
    first.set_weights(last.get_weights())
    np.testing.assert_allclose(to_np(first(x.permute(0, 3, 1, 2)).permute(0, 2, 3, 1)), to_np(y), **CONV_TOL)
    assert y.is_contiguous()  # torch computed in channels_last memory format: the NHWC view is the result itself


def test_padding_amounts_are_computed_once_per_input_size():
    layer = layers.Conv2D(2, 2, padding="same")
    for size in (5, 6, 5, 6, 5):
        layer(torch.ones(1, size, size, 1))
    assert sorted(layer._geometries) == [(5, 5), (6, 6)]
    assert layer._geometries[(6, 6)] == ((0, 0), (0, 1, 0, 1))  # asymmetric: one F.pad, nothing for torch
    assert layers.Conv2D(2, 3, padding="same")._compute_geometry((6, 6)) == ((1, 1), None)


def test_integer_inputs_and_regularizers():
    layer = layers.Conv1D(2, 2, kernel_initializer="ones", kernel_regularizer=kerastorch.regularizers.L2(0.5))
    y = layer(torch.ones(1, 3, 2, dtype=torch.int32))
    assert y.dtype == torch.float32 and torch.all(y == 4)
    assert len(layer.losses) == 1 and layer.losses[0].item() == pytest.approx(0.5 * 8)
    separable = layers.SeparableConv2D(
        2, 1, depthwise_regularizer="l1", pointwise_regularizer="l2", activity_regularizer="l2"
    )
    separable(torch.ones(2, 3, 3, 2))
    assert len(separable.losses) == 3


def test_pickle_and_deepcopy_keep_weights_and_outputs():
    import copy
    import pickle

    x = torch.randn(2, 6, 5, 3)
    for layer in (
        layers.Conv2D(4, 2, padding="same"),
        layers.DepthwiseConv2D(3, depth_multiplier=2),
        layers.SeparableConv2D(2, 3),
        layers.Conv2DTranspose(2, 3, strides=2, padding="same"),
    ):
        y = layer(x)
        for clone in (pickle.loads(pickle.dumps(layer)), copy.deepcopy(layer)):
            assert torch.equal(clone(x), y)


@pytest.mark.cuda
def test_cuda_matches_cpu():
    x = torch.randn(2, 9, 8, 4)
    for layer in (
        layers.Conv2D(6, 3, strides=2, padding="same", groups=2),
        layers.DepthwiseConv2D(2, padding="same"),
        layers.SeparableConv1D(3, 2, padding="same"),
        layers.Conv2DTranspose(3, 4, strides=2, padding="same", output_padding=1),
    ):
        inputs = x[..., 0, :] if layer.rank == 1 else x
        cpu_x = inputs.clone().requires_grad_()
        y = layer(cpu_x)
        y.square().sum().backward()
        grads = [w.grad.clone() for w in layer.weights]
        layer.zero_grad(set_to_none=True)
        layer.to("cuda")
        cuda_x = inputs.to("cuda").requires_grad_()
        y_cuda = layer(cuda_x)
        y_cuda.square().sum().backward()
        np.testing.assert_allclose(to_np(y_cuda), to_np(y), **CONV_TOL)
        np.testing.assert_allclose(to_np(cuda_x.grad), to_np(cpu_x.grad), **CONV_TOL)
        for w, g in zip(layer.weights, grads):
            np.testing.assert_allclose(to_np(w.grad), to_np(g), rtol=1e-3, atol=1e-3)


# ----------------------------------------------------------------- configs
CONFIG_CASES = [
    ("Conv1D", (4, 3), dict(padding="causal", dilation_rate=2, activation="relu", kernel_regularizer="l2")),
    (
        "Conv2D",
        (6, (3, 2)),
        dict(
            strides=(2, 1),
            groups=3,
            use_bias=False,
            kernel_constraint="non_neg",
            data_format="channels_first",
            kernel_initializer="he_normal",
        ),
    ),
    ("Conv3D", (2, 2), dict(padding="same", bias_initializer="ones", bias_regularizer="l1")),
    ("DepthwiseConv1D", (3,), dict(depth_multiplier=2, strides=2, dilation_rate=2, depthwise_regularizer="l2")),
    ("DepthwiseConv2D", ((3, 1),), dict(padding="same", depthwise_constraint="unit_norm", activation="tanh")),
    ("SeparableConv1D", (4, 3), dict(depth_multiplier=3, pointwise_initializer="zeros", padding="same")),
    ("SeparableConv2D", (4, 3), dict(strides=2, pointwise_regularizer="l2", depthwise_initializer="ones")),
    ("Conv1DTranspose", (4, 3), dict(strides=2, output_padding=1)),
    ("Conv2DTranspose", (4, (3, 2)), dict(padding="same", dilation_rate=2, activity_regularizer="l1")),
    ("Conv3DTranspose", (2, 3), dict(strides=(2, 2, 1), padding="same", data_format="channels_first")),
]


@pytest.mark.parametrize("name,args,kwargs", CONFIG_CASES)
def test_config_roundtrip(name, args, kwargs):
    layer = getattr(layers, name)(*args, **kwargs)
    clone = roundtrip(layer)
    assert type(clone) is type(layer) and clone.kernel_size == layer.kernel_size
    assert clone.padding == layer.padding and clone.data_format == layer.data_format


@pytest.mark.parity
@pytest.mark.parametrize("name,args,kwargs", CONFIG_CASES)
def test_configs_interchange_with_keras(keras3, name, args, kwargs):
    ours, theirs = _pair(keras3, name, *args, **kwargs)

    def plain(config):  # JSON data without the name; floats to 6 digits (Keras stores l1=0.01 as float32)
        config = json.loads(json.dumps(config), parse_float=lambda v: round(float(v), 6))
        config.pop("name")
        return config

    assert plain(ours.get_config()) == plain(theirs.get_config())
    from_keras = getattr(layers, name).from_config(json.loads(json.dumps(theirs.get_config())))
    assert plain(from_keras.get_config()) == plain(theirs.get_config())
    to_keras = getattr(keras3.layers, name).from_config(json.loads(json.dumps(ours.get_config())))
    assert plain(to_keras.get_config()) == plain(ours.get_config())


def test_aliases():
    assert layers.Convolution2D is layers.Conv2D and layers.Convolution3DTranspose is layers.Conv3DTranspose
    assert layers.SeparableConvolution1D is layers.SeparableConv1D
    from kerastorch.saving import deserialize_keras_object

    restored = deserialize_keras_object(
        {"module": "keras.layers", "class_name": "Convolution2D", "config": {"filters": 2, "kernel_size": 3}}
    )
    assert type(restored) is layers.Conv2D


# ------------------------------------------------------------------ errors
def test_argument_errors_name_layer_expected_and_received():
    with pytest.raises(
        ValueError,
        match=r'Conv2D layer "conv2d": padding must be one of \[\'valid\', \'same\'\], '
        r"received padding='causal'",
    ):
        layers.Conv2D(2, 3, padding="causal")
    with pytest.raises(ValueError, match=r"padding must be one of .*'causal'.*received padding='full'"):
        layers.Conv1D(2, 3, padding="full")
    with pytest.raises(ValueError, match=r"Conv1DTranspose layer .*padding must be one of \['valid', 'same'\]"):
        layers.Conv1DTranspose(2, 3, padding="causal")
    with pytest.raises(
        ValueError,
        match=r"strides > 1 is not supported together with dilation_rate > 1, received "
        r"strides=\(1, 2\) and dilation_rate=\(2, 2\)",
    ):
        layers.Conv2D(2, 3, strides=(1, 2), dilation_rate=2)
    with pytest.raises(ValueError, match="strides > 1 is not supported"):
        layers.Conv2DTranspose(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(
        ValueError,
        match=r"kernel_size must be an int or a tuple of 2 positive ints, "
        r"received kernel_size=\(3, 3, 3\)",
    ):
        layers.Conv2D(2, (3, 3, 3))
    with pytest.raises(ValueError, match=r"strides must be .* received strides=0"):
        layers.Conv1D(2, 3, strides=0)
    with pytest.raises(ValueError, match=r"argument `filters` must be a positive integer; received 0 \(int\)"):
        layers.Conv3D(0, 3)
    with pytest.raises(ValueError, match=r"filters must be divisible by groups, received filters=3 and groups=2"):
        layers.Conv2D(3, 3, groups=2)
    with pytest.raises(ValueError, match=r"argument `depth_multiplier` must be a positive integer"):
        layers.DepthwiseConv2D(3, depth_multiplier=0)
    with pytest.raises(
        ValueError,
        match=r"data_format must be one of \['channels_last', 'channels_first'\], "
        r"received data_format='nhwc'",
    ):
        layers.Conv2D(2, 3, data_format="nhwc")
    with pytest.raises(
        ValueError,
        match=r"output_padding must be smaller than strides on every axis, "
        r"received output_padding=\(2, 2\) and strides=\(2, 2\)",
    ):
        layers.Conv2DTranspose(2, 3, strides=2, output_padding=2)
    with pytest.raises(TypeError, match="transposed convolutions take no groups"):
        layers.Conv2DTranspose(2, 3, groups=2)


def test_input_errors_name_layer_expected_and_received():
    with pytest.raises(ValueError, match=r'layer "conv2d".*expected ndim=4, found ndim=3.*\(1, 8, 3\)'):
        layers.Conv2D(2, 3)(torch.ones(1, 8, 3))
    layer = layers.Conv2D(2, 3)
    layer(torch.ones(1, 8, 8, 3))
    with pytest.raises(ValueError, match=r'layer "conv2d_1".*expected axis -1 .* value 3.*\(1, 8, 8, 4\)'):
        layer(torch.ones(1, 8, 8, 4))
    with pytest.raises(ValueError, match=r'"conv2d_1".*expected ndim=4, found ndim=5'):
        layer(torch.ones(1, 8, 8, 8, 3))
    with pytest.raises(
        ValueError,
        match=r"the number of input channels must be divisible by groups, "
        r"received groups=2 and inputs with 3 channels",
    ):
        layers.Conv2D(4, 3, groups=2)(torch.ones(1, 8, 8, 3))
    with pytest.raises(
        ValueError,
        match=r'Conv2D layer "conv2d_3": the output would be empty .* spatial shape '
        r"\(2, 2\) with kernel/pool size \(3, 3\)",
    ):
        layers.Conv2D(2, 3)(torch.ones(1, 2, 2, 1))
    with pytest.raises(ValueError, match="the output would be empty"):
        layers.Conv1D(2, 3, dilation_rate=3)(kerastorch.Input((6, 1)))


@pytest.mark.parity
@pytest.mark.parametrize(
    "name,args,shape",
    [
        ("Conv2D", (1, 2), (1, 4, 4, 2)),
        ("Conv2DTranspose", (2, 2), (1, 4, 4, 1)),
        ("Conv1DTranspose", (2, 2), (1, 2, 1)),
    ],
)
def test_batch_of_one_backward_that_keras_cannot_run(keras3, name, args, shape):
    # torch's slow_conv2d / slow_conv_transpose fallbacks raise "grad_weight must be contiguous" in backward
    # for these shapes when handed a strided weight, which Keras 3.15 does; kerastorch passes a contiguous one.
    # Reference: Keras on the sample doubled into a batch of two, with zero upstream gradient for the copy.
    ours, theirs = _pair(keras3, name, *args)
    ours.build(shape)
    theirs.build(shape)
    theirs.set_weights(ours.get_weights())
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape).astype("float32")
    xt = torch.tensor(x, requires_grad=True)
    yt = ours(xt)
    upstream = rng.normal(size=tuple(yt.shape)).astype("float32")
    (yt * torch.tensor(upstream)).sum().backward()
    xk = torch.tensor(np.concatenate([x, x]), requires_grad=True, device=keras_device())
    yk = theirs(xk)
    (yk * torch.tensor(np.concatenate([upstream, 0 * upstream]), device=yk.device)).sum().backward()
    np.testing.assert_allclose(to_np(yt), to_np(yk[:1]), **CONV_TOL)
    np.testing.assert_allclose(to_np(xt.grad), to_np(xk.grad[:1]), **CONV_TOL)
    for wt, wk in zip(ours.weights, theirs.weights):
        np.testing.assert_allclose(to_np(wt.grad), to_np(wk.value.grad), **CONV_TOL)
