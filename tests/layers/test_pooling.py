"""Tests for the pooling layers: values against a NumPy definition of Keras/TF pooling and against Keras 3
(outputs and input gradients), symbolic shapes, configs and errors."""

import itertools
import json

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from layer_checks import TOL, assert_same_as_keras, float_arrays, roundtrip, to_np

import kerastorch
from kerastorch import layers

pytestmark = pytest.mark.usefixtures("_cpu_weights")


# ------------------------------------------------------------------ helpers
def reference_pool(x, pool_size, strides, padding, mode):
    """Keras/TF pooling of a channels-last array by definition: windows over the input padded with NaN
    ("same": ceil(n / stride) outputs, the smaller half of the padding first), NaNs ignored."""
    spatial = x.shape[1:-1]
    out, before = [], []
    for n, k, s in zip(spatial, pool_size, strides):
        if padding == "same":
            count = -(-n // s)
            before.append(max((count - 1) * s + k - n, 0) // 2)
        else:
            count = (n - k) // s + 1
            before.append(0)
        out.append(count)
    padded = np.full((x.shape[0], *[n + 2 * k for n, k in zip(spatial, pool_size)], x.shape[-1]), np.nan)
    padded[(slice(None), *[slice(b, b + n) for b, n in zip(before, spatial)])] = x
    result = np.empty((x.shape[0], *out, x.shape[-1]))
    reduce = np.nanmax if mode == "max" else np.nanmean
    for index in itertools.product(*[range(c) for c in out]):
        window = padded[(slice(None), *[slice(i * s, i * s + k) for i, s, k in zip(index, strides, pool_size)])]
        result[(slice(None), *index)] = reduce(window.reshape(x.shape[0], -1, x.shape[-1]), axis=1)
    return result


@st.composite
def pool_cases(draw, rank):
    """Keyword arguments for a pooling layer of ``rank`` and a channels-last input shape."""
    pool = tuple(draw(st.integers(1, 3)) for _ in range(rank))
    strides = draw(st.one_of(st.none(), st.tuples(*[st.integers(1, 3)] * rank)))
    padding = draw(st.sampled_from(["valid", "same"]))
    spatial = tuple(draw(st.integers(k if padding == "valid" else 1, k + (4 if rank < 3 else 2))) for k in pool)
    shape = (draw(st.integers(1, 2)), *spatial, draw(st.integers(1, 3)))
    return dict(pool_size=pool, strides=strides, padding=padding), shape


def _distinct(shape, seed):
    """Values without ties, so that max pooling has one gradient path."""
    return np.random.default_rng(seed).permutation(int(np.prod(shape))).reshape(shape).astype("float32") / 7


def _symmetric(kwargs, shape):
    """Whether "same" padding puts as much before as after on every axis (where Keras 3.15 agrees with TF)."""
    strides = kwargs["strides"] or kwargs["pool_size"]
    return all(
        max((-(-n // s) - 1) * s + k - n, 0) % 2 == 0 for n, k, s in zip(shape[1:-1], kwargs["pool_size"], strides)
    )


# ------------------------------------------------------------------ values
@given(data=st.data(), rank=st.integers(1, 3), mode=st.sampled_from(["max", "average"]), channels_first=st.booleans())
def test_pooling_matches_definition(data, rank, mode, channels_first):
    kwargs, shape = data.draw(pool_cases(rank))
    x = data.draw(float_arrays(shape))
    name = f"{'MaxPooling' if mode == 'max' else 'AveragePooling'}{rank}D"
    layer = getattr(layers, name)(data_format="channels_first" if channels_first else "channels_last", **kwargs)
    inputs = torch.tensor(x).movedim(-1, 1) if channels_first else torch.tensor(x)
    raw = layer(inputs)
    y = raw.movedim(1, -1) if channels_first else raw
    expected = reference_pool(
        x.astype("float64"), kwargs["pool_size"], kwargs["strides"] or kwargs["pool_size"], kwargs["padding"], mode
    )
    np.testing.assert_allclose(to_np(y), expected, **TOL)
    assert layer.compute_output_shape((None, *inputs.shape[1:])) == (None, *raw.shape[1:])


def test_average_same_padding_counts_only_real_elements():
    x = torch.arange(1.0, 7.0).reshape(1, 6, 1)
    # pool 4, stride 1: one unit of padding before, two after; each mean is over the real elements only
    y = layers.AveragePooling1D(4, strides=1, padding="same")(x)
    np.testing.assert_allclose(to_np(y).ravel(), [2.0, 2.5, 3.5, 4.5, 5.0, 5.5], **TOL)
    y = layers.AveragePooling1D(3, strides=2, padding="same")(torch.arange(1.0, 9.0).reshape(1, 8, 1))
    np.testing.assert_allclose(to_np(y).ravel(), [2.0, 4.0, 6.0, 7.5], **TOL)
    y = layers.MaxPooling2D(2, padding="same")(-torch.arange(1.0, 10.0).reshape(1, 3, 3, 1))
    assert to_np(y)[0, ..., 0].tolist() == [[-1.0, -3.0], [-7.0, -9.0]]


def test_same_padding_makes_no_padded_copy(monkeypatch):
    def no_pad(*args, **kwargs):
        raise AssertionError("F.pad called")

    monkeypatch.setattr(torch.nn.functional, "pad", no_pad)
    for layer in (layers.AveragePooling2D(2, padding="same"), layers.MaxPooling2D(2, strides=1, padding="same")):
        assert layer(torch.ones(1, 5, 4, 2)).shape[1:3] == ((3, 2) if layer.strides == (2, 2) else (5, 4))


@pytest.mark.parity
@given(
    data=st.data(),
    rank=st.integers(1, 3),
    mode=st.sampled_from(["max", "average"]),
    channels_first=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_pooling_parity(keras3, data, rank, mode, channels_first, seed):
    kwargs, shape = data.draw(pool_cases(rank))
    # Keras 3.15's torch backend repeats the edge value into asymmetric "same" padding of average pooling
    # (keras-team/keras#23233 fixes it) and fails on windows larger than the input in 3-D average pooling;
    # those cases are checked against the definition above, Keras the others.
    shape = (shape[0], *[max(n, k) for n, k in zip(shape[1:-1], kwargs["pool_size"])], shape[-1])
    if mode == "average" and not _symmetric(kwargs, shape):
        kwargs["padding"] = "valid"
    x = _distinct(shape, seed)
    if channels_first:
        x = np.ascontiguousarray(np.moveaxis(x, -1, 1))
    name = f"{'MaxPooling' if mode == 'max' else 'AveragePooling'}{rank}D"
    data_format = "channels_first" if channels_first else "channels_last"
    ours = getattr(layers, name)(data_format=data_format, **kwargs)
    theirs = getattr(keras3.layers, name)(data_format=data_format, **kwargs)
    _compare(ours, theirs, x)


@pytest.mark.parity
@given(
    rank=st.integers(1, 3),
    mode=st.sampled_from(["Max", "Average"]),
    keepdims=st.booleans(),
    channels_first=st.booleans(),
    seed=st.integers(0, 2**16),
    sizes=st.lists(st.integers(1, 4), min_size=5, max_size=5),
)
def test_global_pooling_parity(keras3, rank, mode, keepdims, channels_first, seed, sizes):
    shape = tuple(sizes[: rank + 2])
    name = f"Global{mode}Pooling{rank}D"
    data_format = "channels_first" if channels_first else "channels_last"
    ours = getattr(layers, name)(data_format=data_format, keepdims=keepdims)
    theirs = getattr(keras3.layers, name)(data_format=data_format, keepdims=keepdims)
    _compare(ours, theirs, _distinct(shape, seed))
    symbolic = ours(kerastorch.Input(shape[1:]))
    assert symbolic.shape == tuple(theirs.compute_output_shape((None, *shape[1:])))


@pytest.mark.parity
@given(channels_first=st.booleans(), keepdims=st.booleans(), seed=st.integers(0, 2**16))
def test_global_average_pooling_1d_mask_parity(keras3, channels_first, keepdims, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(3, 2, 5) if channels_first else (3, 5, 2)).astype("float32")
    mask = rng.random((3, 5)) > 0.4
    mask[:, 0] = True
    data_format = "channels_first" if channels_first else "channels_last"
    ours = layers.GlobalAveragePooling1D(data_format=data_format, keepdims=keepdims)
    theirs = keras3.layers.GlobalAveragePooling1D(data_format=data_format, keepdims=keepdims)
    y = ours(torch.tensor(x), mask=torch.tensor(mask))
    np.testing.assert_allclose(to_np(y), to_np(theirs(x, mask=mask)), **TOL)
    assert ours.compute_mask(x, mask) is None


def _compare(ours, theirs, x):
    assert_same_as_keras(ours, theirs, x)


# ---------------------------------------------------------------- symbolic
@pytest.mark.parity
@given(data=st.data(), rank=st.integers(1, 3), mode=st.sampled_from(["Max", "Average"]))
def test_symbolic_shapes_with_unknown_sizes_match_keras(keras3, data, rank, mode):
    kwargs, shape = data.draw(pool_cases(rank))
    known = [data.draw(st.booleans()) for _ in shape[1:-1]]
    shape = (None, *[n if k else None for n, k in zip(shape[1:-1], known)], shape[-1])
    ours = getattr(layers, f"{mode}Pooling{rank}D")(**kwargs)
    theirs = getattr(keras3.layers, f"{mode}Pooling{rank}D")(**kwargs)
    assert ours(kerastorch.Input(shape[1:])).shape == tuple(theirs.compute_output_shape(shape))


def test_model_with_unknown_spatial_sizes():
    inputs = kerastorch.Input((None, None, 2))
    x = inputs
    for _ in range(3):
        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
    x = layers.AveragePooling2D(2)(x)
    pooled = layers.GlobalMaxPooling2D()(x)
    model = kerastorch.Model(inputs, [x, pooled])
    assert x.shape == (None, None, None, 2) and pooled.shape == (None, 2)
    y, p = model(torch.randn(3, 40, 17, 2))
    assert tuple(y.shape) == (3, 2, 1, 2) and tuple(p.shape) == (3, 2)


def test_pickle_and_deepcopy():
    import copy
    import pickle

    x = torch.randn(2, 5, 4, 3)
    for layer in (
        layers.MaxPooling2D(padding="same"),
        layers.AveragePooling2D(3, strides=1, padding="same"),
        layers.GlobalMaxPooling2D(keepdims=True),
    ):
        y = layer(x)
        for clone in (pickle.loads(pickle.dumps(layer)), copy.deepcopy(layer)):
            assert torch.equal(clone(x), y)


@pytest.mark.cuda
def test_cuda_matches_cpu():
    x = torch.randn(2, 7, 6, 5, 3)
    for layer in (
        layers.MaxPooling3D(2, padding="same"),
        layers.AveragePooling3D(3, strides=2, padding="same"),
        layers.AveragePooling3D((1, 8, 1), padding="same"),
        layers.GlobalAveragePooling3D(),
    ):
        cpu_x = x.clone().requires_grad_()
        y = layer(cpu_x)
        y.square().sum().backward()
        cuda_x = x.to("cuda").requires_grad_()
        y_cuda = layer(cuda_x)
        y_cuda.square().sum().backward()
        np.testing.assert_allclose(to_np(y_cuda), to_np(y), **TOL)
        np.testing.assert_allclose(to_np(cuda_x.grad), to_np(cpu_x.grad), **TOL)


# ----------------------------------------------------------------- configs
@pytest.mark.parametrize(
    "layer",
    [
        layers.MaxPooling1D(3, strides=2, padding="same"),
        layers.MaxPooling2D(),
        layers.MaxPooling3D((1, 2, 3), data_format="channels_first"),
        layers.AveragePooling1D(2),
        layers.AveragePooling2D((2, 3), strides=(1, 2)),
        layers.AveragePooling3D(2, padding="same"),
        layers.GlobalMaxPooling1D(keepdims=True),
        layers.GlobalAveragePooling2D(data_format="channels_first"),
        layers.GlobalAveragePooling3D(),
        layers.GlobalMaxPooling3D(),
    ],
    ids=lambda layer: type(layer).__name__,
)
def test_config_roundtrip(layer):
    clone = roundtrip(layer)
    assert clone.data_format == layer.data_format


@pytest.mark.parity
@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("MaxPooling2D", {}),
        ("MaxPooling1D", dict(pool_size=3, strides=1, padding="same")),
        ("AveragePooling3D", dict(pool_size=(1, 2, 2), data_format="channels_first")),
        ("GlobalAveragePooling1D", dict(keepdims=True)),
        ("GlobalMaxPooling2D", {}),
    ],
)
def test_configs_interchange_with_keras(keras3, name, kwargs):
    ours, theirs = getattr(layers, name)(**kwargs), getattr(keras3.layers, name)(**kwargs)

    def plain(config):
        config = json.loads(json.dumps(config))
        config.pop("name")
        return config

    assert plain(ours.get_config()) == plain(theirs.get_config())
    assert plain(getattr(layers, name).from_config(plain(theirs.get_config())).get_config()) == plain(
        theirs.get_config()
    )


def test_defaults_and_aliases():
    assert layers.MaxPooling2D().pool_size == (2, 2) and layers.MaxPooling2D().strides == (2, 2)
    assert layers.MaxPooling3D(strides=1).strides == (1, 1, 1)
    assert layers.MaxPool2D is layers.MaxPooling2D and layers.AvgPool1D is layers.AveragePooling1D
    assert layers.GlobalAvgPool3D is layers.GlobalAveragePooling3D
    assert layers.GlobalMaxPool1D is layers.GlobalMaxPooling1D
    with pytest.raises(TypeError, match="pool_size"):
        layers.AveragePooling2D()


# ------------------------------------------------------------------ errors
def test_errors_name_layer_expected_and_received():
    with pytest.raises(
        ValueError,
        match=r'MaxPooling1D layer "max_pooling1d": padding must be one of '
        r"\['valid', 'same'\], received padding='causal'",
    ):
        layers.MaxPooling1D(2, padding="causal")
    with pytest.raises(
        ValueError,
        match=r"pool_size must be an int or a tuple of 2 positive ints, "
        r"received pool_size=0",
    ):
        layers.MaxPooling2D(0)
    with pytest.raises(ValueError, match=r"strides must be .* received strides=\(1, 2\)"):
        layers.AveragePooling3D(2, strides=(1, 2))
    with pytest.raises(ValueError, match=r"data_format must be one of .*received data_format='NCHW'"):
        layers.GlobalMaxPooling2D(data_format="NCHW")
    with pytest.raises(
        ValueError,
        match=r'layer "max_pooling2d_1" is incompatible with the layer: expected ndim=4, '
        r"found ndim=3. Full shape received: \(1, 8, 3\)",
    ):
        layers.MaxPooling2D()(torch.ones(1, 8, 3))
    with pytest.raises(
        ValueError,
        match=r'Input 0 of layer "global_average_pooling1d".*expected ndim=3, found '
        r"ndim=4",
    ):
        layers.GlobalAveragePooling1D()(torch.ones(1, 8, 3, 2))
    with pytest.raises(ValueError, match=r'AveragePooling2D layer "average_pooling2d": the output would be empty'):
        layers.AveragePooling2D(3)(torch.ones(1, 2, 5, 1))
    with pytest.raises(ValueError, match="the output would be empty"):
        layers.MaxPooling1D(4)(kerastorch.Input((3, 2)))
