"""Tests for the normalization layers: parity with Keras 3 (outputs in training and inference, moving
statistics, weights both ways, input gradients), frozen BatchNormalization, symbolic use, configs, errors."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from layer_checks import TOL, float_arrays, keras_device, roundtrip, to_np

import kerastorch
from kerastorch import layers

pytestmark = pytest.mark.usefixtures("_cpu_weights")


# ------------------------------------------------------------------ helpers
def _randomize(layer, seed):
    """Give every weight random values (variances positive), so the parity checks see gamma/beta/moving stats."""
    rng = np.random.default_rng(seed)
    arrays = []
    for w in layer.weights:
        value = rng.uniform(-1, 1, tuple(w.shape)).astype("float32")
        if "variance" in w.name:
            value = np.abs(value) + 0.5
        arrays.append(value)
    layer.set_weights(arrays)


def _run(layer, x, keras, **kwargs):
    """Output and input gradient (of a fixed random projection of the output) for either framework."""
    device = keras_device() if keras else "cpu"
    t = torch.tensor(x, device=device, requires_grad=True)
    out = layer(t, **kwargs)
    weights = torch.tensor(np.random.default_rng(0).normal(size=x.shape).astype("float32"), device=device)
    (out * weights).sum().backward()
    return to_np(out), to_np(t.grad)


def check_parity(keras3, name, kwargs, x, training_modes=(False, True), copy_from_keras=False, seed=0):
    ours = getattr(layers, name)(**kwargs)
    theirs = getattr(keras3.layers, name)(**kwargs)
    ours.build(x.shape)
    theirs.build(x.shape)
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    if copy_from_keras:
        _randomize_keras(theirs, seed)
        ours.set_weights(theirs.get_weights())
    else:
        _randomize(ours, seed)
        theirs.set_weights(ours.get_weights())
    for training in training_modes:
        extra = {"training": training} if name == "BatchNormalization" else {}
        out, grad = _run(ours, x, False, **extra)
        kout, kgrad = _run(theirs, x, True, **extra)
        np.testing.assert_allclose(out, kout, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(grad, kgrad, rtol=1e-3, atol=1e-3)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, **TOL)
    return ours, theirs


def _randomize_keras(layer, seed):
    rng = np.random.default_rng(seed + 1)
    layer.set_weights([np.abs(rng.uniform(-1, 1, tuple(w.shape))).astype("float32") + 0.5 for w in layer.weights])


def _spread(x):
    """Inputs with a visible spread per slice (constant slices make variance ~0 and the output ill-conditioned)."""
    return x + np.arange(x.size, dtype="float32").reshape(x.shape) % 5


# ----------------------------------------------------------- BatchNormalization
@given(
    data=st.data(),
    ndim=st.integers(2, 4),
    center=st.booleans(),
    scale=st.booleans(),
    momentum=st.sampled_from([0.99, 0.9, 0.5]),
    from_keras=st.booleans(),
)
def test_batch_norm_parity(keras3, data, ndim, center, scale, momentum, from_keras):
    x = _spread(data.draw(float_arrays(min_dims=ndim, max_dims=ndim, max_side=4)))
    axis = data.draw(st.integers(-ndim, ndim - 1))
    kwargs = dict(axis=axis, center=center, scale=scale, momentum=momentum)
    ours, theirs = check_parity(keras3, "BatchNormalization", kwargs, x, copy_from_keras=from_keras)
    for step in range(3):  # moving statistics after several training calls
        y = (x * (step + 1.5) - step).astype("float32")
        with torch.no_grad():
            ours(torch.tensor(y), training=True)
            theirs(torch.tensor(y, device=keras_device()), training=True)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    # and inference with the updated statistics
    np.testing.assert_allclose(
        to_np(ours(torch.tensor(x))), to_np(theirs(torch.tensor(x, device=keras_device()))), rtol=1e-4, atol=1e-4
    )


def test_batch_norm_moving_update_uses_biased_variance():
    layer = layers.BatchNormalization(momentum=0.5)
    x = torch.tensor([[0.0], [2.0]])
    out = layer(x, training=True)
    np.testing.assert_allclose(to_np(out)[:, 0], [-1 / np.sqrt(1 + 1e-3), 1 / np.sqrt(1 + 1e-3)], rtol=1e-6)
    np.testing.assert_allclose(to_np(layer.moving_mean), [0.5])
    np.testing.assert_allclose(to_np(layer.moving_variance), [1.0])  # 0.5 * 1 + 0.5 * 1 (biased var of [0, 2])
    assert not layer.moving_mean.requires_grad and not layer.moving_variance.requires_grad
    assert [w.name for w in layer.trainable_weights] == ["gamma", "beta"]


def test_batch_norm_single_value_per_channel(keras3):
    x = np.array([[1.0, -2.0, 3.0]], dtype="float32")
    check_parity(keras3, "BatchNormalization", {}, x)


def test_batch_norm_mask(keras3):
    x = _spread(np.random.default_rng(1).normal(size=(2, 5, 3)).astype("float32"))
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 0]], dtype=bool)
    ours, theirs = layers.BatchNormalization(momentum=0.5), keras3.layers.BatchNormalization(momentum=0.5)
    out = ours(torch.tensor(x), training=True, mask=torch.tensor(mask))
    kout = theirs(torch.tensor(x, device=keras_device()), training=True, mask=torch.tensor(mask, device=keras_device()))
    np.testing.assert_allclose(to_np(out), to_np(kout), rtol=1e-4, atol=1e-4)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_frozen_batch_norm_runs_in_inference_mode():
    layer = layers.BatchNormalization()
    x = torch.randn(6, 3) * 4 + 2
    layer.build(x.shape)
    _randomize(layer, 3)
    before = layer.get_weights()
    layer.trainable = False
    out = layer(x, training=True)
    expected = (x - layer.moving_mean) / torch.sqrt(layer.moving_variance + 1e-3) * layer.gamma + layer.beta
    np.testing.assert_allclose(to_np(out), to_np(expected), rtol=1e-5, atol=1e-5)
    for a, b in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(a, b)
    layer.trainable = True
    layer(x, training=True)
    assert not np.allclose(before[2], layer.get_weights()[2])
    assert not layer.moving_mean.requires_grad  # unfreezing keeps the moving statistics non-trainable


def test_batch_norm_training_follows_module_train_flag():
    layer = layers.BatchNormalization()
    x = torch.randn(8, 2) + 3
    layer(x)
    np.testing.assert_array_equal(to_np(layer.moving_mean), [0, 0])
    layer.train()
    layer(x)
    assert np.all(to_np(layer.moving_mean) != 0)


def test_batch_norm_symbolic_and_functional_training():
    inputs = kerastorch.Input((4, 3))
    bn = layers.BatchNormalization()
    outputs = bn(inputs)
    assert tuple(outputs.shape) == (None, 4, 3)
    np.testing.assert_array_equal(to_np(bn.moving_mean), [0, 0, 0])  # the symbolic call updates nothing
    model = kerastorch.Model(inputs, outputs)
    x = torch.randn(5, 4, 3) + 1
    model(x, training=True)
    assert np.all(to_np(bn.moving_mean) != 0)
    np.testing.assert_allclose(to_np(model(x)), to_np(bn(x)), **TOL)


# ------------------------------------------------------ LayerNormalization
@st.composite
def layer_norm_axes(draw, ndim):
    kind = draw(st.sampled_from(["last", "single", "trailing", "list"]))
    if kind == "last":
        return -1
    if kind == "single":
        return draw(st.integers(1, ndim - 1))
    if kind == "trailing":
        start = draw(st.integers(1, ndim - 1))
        return list(range(start - ndim, 0))
    return sorted(draw(st.lists(st.integers(1, ndim - 1), min_size=1, max_size=ndim - 1, unique=True)))


@given(data=st.data(), ndim=st.integers(2, 4), center=st.booleans(), scale=st.booleans())
def test_layer_norm_parity(keras3, data, ndim, center, scale):
    x = _spread(data.draw(float_arrays(min_dims=ndim, max_dims=ndim, max_side=4)))
    axis = data.draw(layer_norm_axes(ndim))
    axes = sorted(a % ndim for a in (axis if isinstance(axis, list) else [axis]))
    contiguous = axes == list(range(axes[0], axes[0] + len(axes)))
    if contiguous and axes[-1] != ndim - 1:
        # Keras 3.15 hands contiguous non-trailing axes to F.layer_norm, which normalizes the trailing axes
        # instead (or fails): check against the definition there.
        layer = layers.LayerNormalization(axis=axis, center=center, scale=scale)
        out = to_np(layer(torch.tensor(x)))
        mean, var = x.mean(axis=tuple(axes), keepdims=True), x.var(axis=tuple(axes), keepdims=True)
        np.testing.assert_allclose(out, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-4)
        return
    check_parity(
        keras3,
        "LayerNormalization",
        dict(axis=axis, center=center, scale=scale),
        x,
        training_modes=(None,),
        copy_from_keras=data.draw(st.booleans()),
    )


def test_layer_norm_rms_scaling(keras3):
    x = _spread(np.random.default_rng(2).normal(size=(3, 4, 5)).astype("float32"))
    with pytest.warns(UserWarning):
        ours, _ = check_parity(keras3, "LayerNormalization", dict(rms_scaling=True), x, training_modes=(None,))
    assert [w.name for w in ours.weights] == ["gamma"]


# ------------------------------------------------------ GroupNormalization
@given(data=st.data(), ndim=st.integers(2, 4), center=st.booleans(), scale=st.booleans())
def test_group_norm_parity(keras3, data, ndim, center, scale):
    axis = data.draw(st.sampled_from([-1, *range(1, ndim)]))
    groups = data.draw(st.sampled_from([1, 2, 3, -1]))
    shape = [data.draw(st.integers(1, 3)) for _ in range(ndim)]
    shape[axis] = (abs(groups) if groups > 0 else 2) * data.draw(st.integers(1, 2))
    x = _spread(data.draw(float_arrays(tuple(shape))))
    check_parity(
        keras3,
        "GroupNormalization",
        dict(groups=groups, axis=axis, center=center, scale=scale),
        x,
        training_modes=(None,),
        copy_from_keras=data.draw(st.booleans()),
    )


# ------------------------------------------------------- UnitNormalization
@given(data=st.data(), ndim=st.integers(2, 4))
def test_unit_norm_parity(keras3, data, ndim):
    x = _spread(data.draw(float_arrays(min_dims=ndim, max_dims=ndim, max_side=4)))
    axis = data.draw(
        st.one_of(
            st.integers(-ndim, ndim - 1), st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True)
        )
    )
    x[np.abs(x) < 0.1] = 1.0  # zero vectors: Keras's gradient there is NaN
    check_parity(keras3, "UnitNormalization", dict(axis=axis), x, training_modes=(None,))


def test_unit_norm_values():
    out = layers.UnitNormalization()(torch.tensor([[3.0, 4.0], [0.0, 0.0]]))
    np.testing.assert_allclose(to_np(out), [[0.6, 0.8], [0.0, 0.0]], rtol=1e-6)


# ------------------------------------------------------- shared checks
CASES = [
    (
        "BatchNormalization",
        dict(
            axis=1,
            momentum=0.9,
            epsilon=1e-2,
            center=False,
            gamma_regularizer="l2",
            beta_constraint="non_neg",
            moving_variance_initializer="zeros",
        ),
    ),
    ("LayerNormalization", dict(axis=[1, 2], epsilon=1e-4, scale=False, beta_initializer="ones")),
    ("GroupNormalization", dict(groups=2, axis=1, gamma_constraint="unit_norm", beta_regularizer="l1")),
    ("UnitNormalization", dict(axis=[1, 2])),
]


@pytest.mark.parametrize("name,kwargs", CASES)
def test_config_round_trip_and_symbolic(name, kwargs):
    layer = getattr(layers, name)(**kwargs)
    clone = roundtrip(layer)
    for key, value in kwargs.items():
        if key in ("axis", "epsilon", "momentum", "groups", "center", "scale"):
            assert clone.get_config()[key] == value
    inputs = kerastorch.Input((4, 2, 3))
    outputs = layer(inputs)
    assert tuple(outputs.shape) == (None, 4, 2, 3)
    roundtrip(layer)  # still round trips once built
    x = torch.randn(2, 4, 2, 3)
    np.testing.assert_allclose(to_np(kerastorch.Model(inputs, outputs)(x)), to_np(layer(x)), **TOL)


@pytest.mark.parametrize("name,kwargs", CASES)
def test_config_matches_keras(keras3, name, kwargs):
    ours = getattr(layers, name)(**kwargs).get_config()
    theirs = getattr(keras3.layers, name)(**kwargs).get_config()
    assert set(ours) == set(theirs)
    clone = getattr(keras3.layers, name).from_config(ours)  # Keras reads our config
    assert clone.get_config()["axis"] == theirs["axis"]
    assert getattr(layers, name).from_config(theirs).get_config()["axis"] == ours["axis"]


def test_regularizer_losses():
    layer = layers.BatchNormalization(gamma_regularizer=kerastorch.regularizers.L2(0.5))
    layer.build((2, 3))
    assert layer.gamma.regularizer is not None


@pytest.mark.parametrize(
    "name,kwargs,shape,match",
    [
        ("BatchNormalization", dict(axis=3), (2, 3), r'BatchNormalization layer "batch_normalization".*axis 3'),
        ("BatchNormalization", dict(axis=-3), (2, 3), r"BatchNormalization layer .*out of range"),
        ("LayerNormalization", dict(axis=[1, 5]), (2, 3), r"LayerNormalization layer .*axis 5"),
        ("LayerNormalization", dict(axis=[1, -1]), (2, 3), r"LayerNormalization layer .*same axis twice"),
        ("GroupNormalization", dict(groups=4), (2, 6), r'GroupNormalization layer "group_normalization".*must divide'),
        ("GroupNormalization", dict(groups=8), (2, 6), r"GroupNormalization layer .*cannot exceed"),
        ("GroupNormalization", dict(axis=0), (2, 6), r"GroupNormalization layer .*batch axis"),
        ("UnitNormalization", dict(axis=2), (2, 3), r"UnitNormalization layer .*axis 2"),
    ],
)
def test_bad_axis_or_groups(name, kwargs, shape, match):
    with pytest.raises(ValueError, match=match):
        getattr(layers, name)(**kwargs)(torch.randn(*shape))


def test_bad_arguments():
    with pytest.raises(TypeError, match="BatchNormalization layer .*axis must be an integer"):
        layers.BatchNormalization(axis=[1])
    with pytest.raises(TypeError, match="LayerNormalization layer .*axis"):
        layers.LayerNormalization(axis="x")
    with pytest.raises(ValueError, match="GroupNormalization layer .*groups"):
        layers.GroupNormalization(groups=0)
    with pytest.raises(NotImplementedError, match="renorm"):
        layers.BatchNormalization(renorm=True)
    with pytest.raises(ValueError, match="mask"):
        layers.BatchNormalization()(torch.randn(2, 3), mask=torch.ones(2, 3, dtype=torch.bool), training=True)


def test_half_inputs_normalized_in_float32():
    x = (torch.randn(4, 8) * 100 + 1000).half()
    for layer in (
        layers.BatchNormalization(dtype="float16"),
        layers.LayerNormalization(dtype="float16"),
        layers.GroupNormalization(groups=2, dtype="float16"),
    ):
        out = layer(x, training=True) if isinstance(layer, layers.BatchNormalization) else layer(x)
        assert out.dtype == torch.float16 and torch.isfinite(out).all()


# ------------------------------------------------------------- RMSNormalization
@pytest.mark.parity
@given(data=st.data(), ndim=st.integers(2, 4), epsilon=st.sampled_from([1e-6, 1e-3]), from_keras=st.booleans())
def test_rms_norm_parity_on_trailing_axes(keras3, data, ndim, epsilon, from_keras):
    x = data.draw(float_arrays(min_dims=ndim, max_dims=ndim, max_side=4))
    trailing = data.draw(st.integers(1, ndim - 1))
    axis = -1 if trailing == 1 else list(range(ndim - trailing, ndim))  # Keras 3.15 handles trailing axes only
    check_parity(
        keras3,
        "RMSNormalization",
        dict(axis=axis, epsilon=epsilon),
        x,
        training_modes=(False,),
        copy_from_keras=from_keras,
    )


@given(x=float_arrays(min_dims=3, max_dims=3, max_side=4))
def test_rms_norm_any_axis_matches_the_formula(x):
    layer = layers.RMSNormalization(axis=1, epsilon=1e-3)
    layer.build(x.shape)
    _randomize(layer, 2)
    scale = layer.get_weights()[0].reshape(1, -1, 1)
    expected = x / np.sqrt((x.astype("float64") ** 2).mean(axis=1, keepdims=True) + 1e-3) * scale
    np.testing.assert_allclose(to_np(layer(torch.tensor(x))), expected, rtol=1e-4, atol=1e-4)


def test_rms_norm_weights_config_and_errors():
    layer = layers.RMSNormalization(axis=[1, 2], epsilon=1e-4)
    layer(torch.ones(2, 3, 4))
    assert [(w.name, tuple(w.shape)) for w in layer.weights] == [("scale", (3, 4))]
    assert roundtrip(layer).epsilon == 1e-4
    with pytest.raises(
        ValueError,
        match=r'RMSNormalization layer "rms_normalization_1": epsilon must be a '
        r"non-negative number, received epsilon=-1",
    ):
        layers.RMSNormalization(epsilon=-1)
    with pytest.raises(ValueError, match="RMSNormalization layer .*axis 3 is out of range"):
        layers.RMSNormalization(axis=3)(torch.ones(2, 3))


def test_a_symbolic_training_call_of_an_enclosing_model_leaves_the_statistics_alone():
    inner = kerastorch.Sequential([kerastorch.Input((16,)), layers.Dense(16), layers.BatchNormalization()])
    norm = inner.layers[1]
    inner(kerastorch.Input((16,)), training=True)
    np.testing.assert_array_equal(norm.moving_mean.numpy(), np.zeros(16))
    np.testing.assert_array_equal(norm.moving_variance.numpy(), np.ones(16))
