"""Tests for ZeroPadding1D/2D/3D, Cropping1D/2D/3D and UpSampling1D/2D/3D: Keras 3 parity (outputs and
input gradients) on drawn shapes, amounts and data formats, symbolic shapes, configs both ways, errors."""

import json

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from layer_checks import TOL, assert_same_as_keras, float_arrays, roundtrip

import kerastorch
from kerastorch import layers

pytestmark = pytest.mark.usefixtures("_cpu_weights")

FAMILIES = ["ZeroPadding", "Cropping", "UpSampling"]
NO_DATA_FORMAT = {"Cropping1D", "UpSampling1D"}


# ------------------------------------------------------------------ helpers
@st.composite
def pair_arguments(draw, rank, high=2):
    """A Keras padding/cropping argument of ``rank`` in any accepted form, and its ``rank`` pairs."""
    form = draw(st.sampled_from(["int", "pair"] if rank == 1 else ["int", "ints", "pairs"]))
    if form == "int":
        v = draw(st.integers(0, high))
        return v, ((v, v),) * rank
    if form == "ints":
        values = tuple(draw(st.integers(0, high)) for _ in range(rank))
        return values, tuple((v, v) for v in values)
    pairs = tuple((draw(st.integers(0, high)), draw(st.integers(0, high))) for _ in range(rank))
    return (pairs[0] if rank == 1 else pairs), pairs


@st.composite
def cases(draw, family):
    """``(class name, kwargs, channels-last spatial shape)`` for a layer of ``family`` with fitting inputs."""
    rank = draw(st.integers(1, 3))
    name = f"{family}{rank}D"
    kwargs = {}
    if name not in NO_DATA_FORMAT:
        kwargs["data_format"] = draw(st.sampled_from(["channels_last", "channels_first"]))
    if family == "UpSampling":
        size = (
            draw(st.integers(1, 3))
            if rank == 1 or draw(st.booleans())
            else tuple(draw(st.integers(1, 3)) for _ in range(rank))
        )
        kwargs["size"] = size
        if rank == 2:
            kwargs["interpolation"] = draw(st.sampled_from(["nearest", "bilinear", "bicubic"]))
        spatial = tuple(draw(st.integers(1, 3)) for _ in range(rank))
    else:
        argument, pairs = draw(pair_arguments(rank))
        kwargs["padding" if family == "ZeroPadding" else "cropping"] = argument
        low = [a + b + 1 if family == "Cropping" else 1 for a, b in pairs]
        spatial = tuple(draw(st.integers(lo, lo + 2)) for lo in low)
    return name, kwargs, spatial


def _input_shape(spatial, kwargs, batch=2, channels=2):
    if kwargs.get("data_format") == "channels_first":
        return (batch, channels, *spatial)
    return (batch, *spatial, channels)


# ------------------------------------------------------------------- parity
@pytest.mark.parity
@pytest.mark.parametrize("family", FAMILIES)
@given(data=st.data())
def test_parity_outputs_and_input_gradients(keras3, family, data):
    name, kwargs, spatial = data.draw(cases(family))
    x = data.draw(float_arrays(_input_shape(spatial, kwargs)))
    ours, theirs = getattr(layers, name)(**kwargs), getattr(keras3.layers, name)(**kwargs)
    tol = TOL if kwargs.get("interpolation", "nearest") == "nearest" else {"rtol": 1e-4, "atol": 1e-4}
    assert_same_as_keras(ours, theirs, x, tol)


@pytest.mark.parity
@pytest.mark.parametrize("family", FAMILIES)
@given(data=st.data())
def test_parity_symbolic_shapes_with_unknown_sizes(keras3, family, data):
    name, kwargs, spatial = data.draw(cases(family))
    ours, theirs = getattr(layers, name)(**kwargs), getattr(keras3.layers, name)(**kwargs)
    shape = list(_input_shape(spatial, kwargs, batch=None))
    unknown = data.draw(st.lists(st.sampled_from(range(1, len(shape))), max_size=2))
    for axis in unknown:
        shape[axis] = None
    expected = theirs.compute_output_shape(tuple(shape))
    assert ours.compute_output_shape(tuple(shape)) == tuple(expected)
    assert ours(kerastorch.Input(tuple(shape[1:]))).shape == tuple(expected)


@pytest.mark.parity
@pytest.mark.parametrize("family", FAMILIES)
@given(data=st.data())
def test_configs_load_both_ways(keras3, family, data):
    name, kwargs, _ = data.draw(cases(family))
    ours = getattr(layers, name)(**kwargs)
    clone = roundtrip(ours)
    theirs = getattr(keras3.layers, name)(**kwargs)
    config = ours.get_config()
    assert set(config) == set(theirs.get_config())
    keys = [k for k in config if k not in ("name", "dtype")]
    assert {k: config[k] for k in keys} == {k: theirs.get_config()[k] for k in keys}
    from_ours = getattr(keras3.layers, name).from_config(json.loads(json.dumps(config)))
    from_theirs = getattr(layers, name).from_config(json.loads(json.dumps(theirs.get_config())))
    assert {k: from_ours.get_config()[k] for k in keys} == {k: from_theirs.get_config()[k] for k in keys}
    assert clone.get_config() == config


# ------------------------------------------------------------------- values
def test_zero_padding_values_and_view_free_cropping():
    x = torch.arange(6.0).reshape(1, 2, 3, 1)
    padded = layers.ZeroPadding2D(((1, 0), (0, 2)))(x)[0, :, :, 0]
    assert padded.tolist() == [[0.0] * 5, [0.0, 1.0, 2.0, 0.0, 0.0], [3.0, 4.0, 5.0, 0.0, 0.0]]
    cropped = layers.Cropping2D(((1, 0), (0, 1)), data_format="channels_first")(x.permute(0, 3, 1, 2))
    assert cropped.tolist() == [[[[3.0, 4.0]]]]
    assert cropped._is_view()  # a view of the input, no copy


def test_up_sampling_repeats_exactly_for_large_factors():
    x = torch.randn(1, 7, 2)
    out = layers.UpSampling1D(13)(x)
    assert torch.equal(out, x.repeat_interleave(13, dim=1))
    y = torch.randn(1, 2, 5, 3, 4)
    assert torch.equal(
        layers.UpSampling3D((3, 1, 7), data_format="channels_first")(y),
        y.repeat_interleave(3, 2).repeat_interleave(7, 4),
    )


def test_layers_are_exported_and_default_to_image_data_format():
    kerastorch.config.set_image_data_format("channels_first")
    try:
        assert layers.ZeroPadding2D().data_format == "channels_first"
        assert layers.Cropping1D().get_config().get("data_format") is None
    finally:
        kerastorch.config.set_image_data_format("channels_last")
    assert layers.UpSampling3D().data_format == "channels_last"


# ------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "make,message",
    [
        (
            lambda: layers.ZeroPadding1D(-1),
            (
                r'ZeroPadding1D layer "zero_padding1d": padding must be an int or a pair '
                r"\(before, after\) of non-negative ints, received padding=-1"
            ),
        ),
        (
            lambda: layers.ZeroPadding2D((1, 2, 3)),
            (
                r'ZeroPadding2D layer "zero_padding2d": padding must be an int, a '
                r"tuple of 2 ints .* received padding=\(1, 2, 3\)"
            ),
        ),
        (lambda: layers.ZeroPadding3D(((1, 1), (1, -1), 0)), r"ZeroPadding3D.*received padding=\(\(1, 1\), \(1, -1\)"),
        (lambda: layers.ZeroPadding2D(1.5), r"received padding=1.5"),
        (
            lambda: layers.Cropping1D((1, 2, 3)),
            (
                r'Cropping1D layer "cropping1d": cropping must be .* '
                r"received cropping=\(1, 2, 3\)"
            ),
        ),
        (lambda: layers.Cropping2D(-2), r'Cropping2D layer "cropping2d": cropping must be .*received cropping=-2'),
        (lambda: layers.Cropping3D(((1, 2),)), r"Cropping3D.*tuple of 3 pairs.*received cropping=\(\(1, 2\),\)"),
        (
            lambda: layers.UpSampling1D(0),
            (
                r'UpSampling1D layer "up_sampling1d": argument `size` must be a positive '
                r"integer; received 0 \(int\)"
            ),
        ),
        (
            lambda: layers.UpSampling2D((2, 0)),
            (
                r'UpSampling2D layer "up_sampling2d": size must be .* received '
                r"size=\(2, 0\)"
            ),
        ),
        (lambda: layers.UpSampling3D((2, 2)), r"UpSampling3D.*tuple of 3 positive ints, received size=\(2, 2\)"),
        (
            lambda: layers.UpSampling2D(interpolation="lanczos3"),
            (
                r'UpSampling2D layer "up_sampling2d": interpolation '
                r"must be one of .*received interpolation='lanczos3'"
            ),
        ),
        (
            lambda: layers.ZeroPadding2D(data_format="nhwc"),
            (
                r'ZeroPadding2D layer "zero_padding2d": data_format must '
                r"be one of .* received data_format='nhwc'"
            ),
        ),
    ],
)
def test_bad_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_cropping_larger_than_the_input():
    with pytest.raises(
        ValueError,
        match=r'Cropping1D layer "cropping1d": cropping must leave at least one entry '
        r"on every spatial axis, received cropping=\(2, 2\) for inputs of spatial "
        r"shape \(4,\)",
    ):
        layers.Cropping1D(2)(torch.ones(1, 4, 2))
    layer = layers.Cropping2D(((1, 1), (0, 3)), data_format="channels_first")
    layer(torch.ones(1, 2, 3, 4))
    with pytest.raises(ValueError, match=r'"cropping2d": .*spatial shape \(3, 3\)'):
        layer(torch.ones(1, 2, 3, 3))  # a later call with another shape is checked too
    with pytest.raises(ValueError, match=r'"cropping3d": .*spatial shape \(None, 2, 5\)'):
        layers.Cropping3D(1)(kerastorch.Input((None, 2, 5, 1)))


@pytest.mark.parametrize(
    "layer,shape,ndim",
    [
        (layers.ZeroPadding2D, (2, 3, 4), 4),
        (layers.Cropping1D, (2, 3, 4, 1), 3),
        (layers.UpSampling3D, (1, 2, 2, 2), 5),
        (layers.UpSampling1D, (3, 4), 3),
    ],
)
def test_wrong_input_rank(layer, shape, ndim):
    instance = layer()
    with pytest.raises(ValueError, match=rf'layer "{instance.name}".*expected ndim={ndim}, found ndim={len(shape)}'):
        instance(torch.ones(shape))
