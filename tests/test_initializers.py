"""Tests for kerastorch.initializers: exact parity for the deterministic ones, Keras's
formulas for the random ones (checked statistically), seeding and serialization."""

import math

import numpy as np
import pytest
import torch

from kerastorch import config, initializers
from kerastorch.random import SeedGenerator
from kerastorch.utils.rng_utils import set_random_seed

CONV_SHAPE = (3, 3, 64, 32)  # fan_in 576, fan_out 288
TRUNC_STD = 0.87962566103423978


def keras_tensor(keras3, value):
    return torch.as_tensor(value).detach().cpu()


@pytest.mark.parity
@pytest.mark.parametrize(
    "name,kwargs,shape",
    [
        ("Zeros", {}, (3,)),
        ("Zeros", {}, (2, 3, 4)),
        ("Ones", {}, (2, 3)),
        ("Ones", {}, ()),
        ("Constant", {"value": 2.5}, (4, 2)),
        ("Constant", {"value": -1}, (3,)),
        ("Identity", {}, (3, 3)),
        ("Identity", {"gain": 2.0}, (2, 4)),
        ("Identity", {"gain": 0.5}, (4, 2)),
    ],
)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_deterministic_initializers_match_keras_exactly(keras3, name, kwargs, shape, dtype):
    ours = getattr(initializers, name)(**kwargs)(shape, dtype=dtype)
    theirs = keras_tensor(keras3, getattr(keras3.initializers, name)(**kwargs)(shape, dtype=dtype))
    assert ours.dtype == theirs.dtype and ours.device.type == "cpu"
    assert torch.equal(ours, theirs)


def test_constant_broadcasts_arrays_and_rejects_mismatches():
    init = initializers.Constant([1.0, 2.0])
    assert init((3, 2)).tolist() == [[1.0, 2.0]] * 3
    assert init.get_config() == {"value": [1.0, 2.0]}
    with pytest.raises(ValueError, match=r"cannot be broadcast to shape \(3, 3\)"):
        init((3, 3))


def test_integer_dtypes_for_constants_and_floatx_default():
    assert initializers.Zeros()((2,), dtype="int32").dtype == torch.int32
    assert initializers.Constant(3)((2,), dtype="int64").tolist() == [3, 3]
    try:
        config.set_floatx("float64")
        assert initializers.Ones()((2,)).dtype == torch.float64
        assert initializers.GlorotUniform(seed=1)((2, 2)).dtype == torch.float64
    finally:
        config.set_floatx("float32")


def test_shapes_may_be_ints_lists_or_sizes():
    init = initializers.RandomNormal(seed=0)
    assert init(4).shape == (4,)
    assert init([2, 3]).shape == (2, 3)
    assert init(torch.Size([2, 3])).shape == (2, 3)


@pytest.mark.parametrize(
    "shape,fans",
    [
        ((), (1, 1)),
        ((5,), (5, 5)),
        ((4, 6), (4, 6)),
        ((2, 3, 4), (6, 8)),
        (CONV_SHAPE, (576, 288)),
        ((7, 3, 3, 4, 6), (252, 378)),
    ],
)
def test_fans_follow_keras_layout(shape, fans):
    assert initializers._compute_fans(shape) == fans


def test_fans_from_explicit_axes():
    assert initializers._compute_fans(CONV_SHAPE, input_axes=[1, 2], output_axes=[3]) == (192, 32)
    assert initializers._compute_fans(CONV_SHAPE, input_axes=[-2], output_axes=[-1]) == (64, 32)
    assert initializers._compute_fans(CONV_SHAPE, input_axes=[0]) == (576, 288)  # needs both


def fan(shape, mode):
    fan_in, fan_out = initializers._compute_fans(shape)
    return {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
@pytest.mark.parametrize("distribution", ["uniform", "truncated_normal", "untruncated_normal"])
def test_variance_scaling_follows_keras_formulas(mode, distribution):
    scale = 2.0
    values = initializers.VarianceScaling(scale, mode, distribution, seed=1)(CONV_SHAPE)
    stddev = math.sqrt(scale / fan(CONV_SHAPE, mode))
    assert values.std().item() == pytest.approx(stddev, rel=0.03)
    assert abs(values.mean().item()) < 0.05 * stddev
    if distribution == "uniform":
        limit = math.sqrt(3) * stddev
        assert values.abs().max().item() <= limit
        assert values.abs().max().item() > 0.99 * limit
    elif distribution == "truncated_normal":
        assert values.abs().max().item() <= 2 * stddev / TRUNC_STD * (1 + 1e-6)
    else:
        assert values.abs().max().item() > 2.5 * stddev  # tails are not cut


PRESETS = [
    ("GlorotUniform", 1.0, "fan_avg", "uniform"),
    ("GlorotNormal", 1.0, "fan_avg", "truncated_normal"),
    ("HeUniform", 2.0, "fan_in", "uniform"),
    ("HeNormal", 2.0, "fan_in", "truncated_normal"),
    ("LecunUniform", 1.0, "fan_in", "uniform"),
    ("LecunNormal", 1.0, "fan_in", "truncated_normal"),
]


@pytest.mark.parametrize("name,scale,mode,distribution", PRESETS)
def test_presets_are_variance_scaling(name, scale, mode, distribution):
    init = getattr(initializers, name)(seed=7)
    reference = initializers.VarianceScaling(scale, mode, distribution, seed=7)
    assert torch.equal(init(CONV_SHAPE), reference(CONV_SHAPE))
    assert init.get_config() == {"seed": 7, "input_axes": None, "output_axes": None}


@pytest.mark.parity
@pytest.mark.parametrize("name", [p[0] for p in PRESETS] + ["RandomNormal", "RandomUniform", "TruncatedNormal"])
def test_random_statistics_match_keras(keras3, name):
    ours = getattr(initializers, name)(seed=3)(CONV_SHAPE)
    theirs = keras_tensor(keras3, getattr(keras3.initializers, name)(seed=3)(CONV_SHAPE))
    assert ours.std().item() == pytest.approx(theirs.std().item(), rel=0.04)
    assert ours.abs().max().item() == pytest.approx(theirs.abs().max().item(), rel=0.25)


def test_random_normal_uniform_truncated_statistics():
    normal = initializers.RandomNormal(mean=1.0, stddev=2.0, seed=0)((200_000,))
    assert normal.mean().item() == pytest.approx(1.0, abs=0.03)
    assert normal.std().item() == pytest.approx(2.0, rel=0.02)
    uniform = initializers.RandomUniform(-3.0, 1.0, seed=0)((200_000,))
    assert uniform.min().item() >= -3.0 and uniform.max().item() < 1.0
    assert uniform.mean().item() == pytest.approx(-1.0, abs=0.02)
    truncated = initializers.TruncatedNormal(mean=1.0, stddev=2.0, seed=0)((200_000,))
    assert (truncated - 1.0).abs().max().item() <= 4.0
    assert truncated.std().item() == pytest.approx(2.0 * TRUNC_STD, rel=0.02)


@pytest.mark.parametrize("shape", [(4, 4), (6, 3), (3, 6), (2, 3, 4), (3, 3, 2, 5)])
@pytest.mark.parametrize("gain", [1.0, 0.5])
def test_orthogonal(shape, gain):
    q = initializers.Orthogonal(gain=gain, seed=0)(shape)
    assert q.shape == shape
    m = q.reshape(-1, shape[-1])
    gram = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
    torch.testing.assert_close(gram, gain**2 * torch.eye(gram.shape[0]), atol=1e-5, rtol=0)


def test_orthogonal_float64_and_float16():
    q = initializers.Orthogonal(seed=0)((5, 5), dtype="float64")
    assert q.dtype == torch.float64
    torch.testing.assert_close(q.T @ q, torch.eye(5, dtype=torch.float64))
    assert initializers.Orthogonal(seed=0)((5, 5), dtype="float16").dtype == torch.float16


def test_int_seed_repeats_and_none_draws_from_torch():
    seeded = initializers.GlorotNormal(seed=11)
    assert torch.equal(seeded((5, 5)), seeded((5, 5)))
    assert torch.equal(seeded((5, 5)), initializers.GlorotNormal(seed=11)((5, 5)))
    assert torch.equal(seeded((5, 5)), seeded.clone()((5, 5)))
    assert not torch.equal(seeded((5, 5)), initializers.GlorotNormal(seed=12)((5, 5)))
    unseeded = initializers.GlorotNormal()
    assert not torch.equal(unseeded((5, 5)), unseeded((5, 5)))
    torch.manual_seed(5)
    first = unseeded((5, 5))
    set_random_seed(5)
    assert torch.equal(first, unseeded((5, 5)))


def test_seed_generator_advances_and_replays():
    init = initializers.RandomUniform(seed=SeedGenerator(4))
    a, b = init((3,)), init((3,))
    assert not torch.equal(a, b)
    replay = init.clone()
    assert torch.equal(replay((3,)), a) and torch.equal(replay((3,)), b)


@pytest.mark.parametrize(
    "make,shape,match",
    [
        (lambda: initializers.Identity(), (3,), "2D matrices"),
        (lambda: initializers.Identity(), (2, 3, 3), "2D matrices"),
        (lambda: initializers.Orthogonal(), (5,), "at least two-dimensional"),
        (lambda: initializers.RandomNormal(), (2,), "dtype must be a float type"),
    ],
)
def test_shape_and_dtype_errors(make, shape, match):
    with pytest.raises(ValueError, match=match):
        make()(shape, dtype="int32" if "dtype" in match else None)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"scale": 0}, "scale must be a positive float, received scale=0"),
        ({"mode": "fan"}, "mode must be one of .* received mode='fan'"),
        ({"distribution": "cauchy"}, "distribution must be one of .* received distribution='cauchy'"),
        ({"seed": "a"}, "expected None, an int or a keras.random.SeedGenerator, received 'a'"),
        ({"seed": 1.5}, "received 1.5"),
    ],
)
def test_variance_scaling_argument_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        initializers.VarianceScaling(**kwargs)


def test_normal_is_truncated_normal_like_keras():
    assert initializers.VarianceScaling(distribution="normal").distribution == "truncated_normal"


SERIALIZABLE = [
    lambda m: m.Zeros(),
    lambda m: m.Ones(),
    lambda m: m.Constant(2.0),
    lambda m: m.RandomNormal(mean=1.0, stddev=0.5, seed=3),
    lambda m: m.RandomUniform(seed=None),
    lambda m: m.TruncatedNormal(stddev=0.1),
    lambda m: m.VarianceScaling(2.0, "fan_out", "uniform", seed=1),
    lambda m: m.GlorotUniform(seed=3),
    lambda m: m.he_normal(),
    lambda m: m.Orthogonal(gain=2.0, seed=1),
    lambda m: m.LecunNormal(seed=2, input_axes=[0], output_axes=[1]),
]


@pytest.mark.parity
@pytest.mark.parametrize("make", SERIALIZABLE)
def test_serialize_matches_keras_and_round_trips(keras3, make):
    ours = initializers.serialize(make(initializers))
    assert ours == keras3.initializers.serialize(make(keras3.initializers))
    rebuilt = initializers.deserialize(ours)
    assert initializers.serialize(rebuilt) == ours
    keras_config = keras3.initializers.serialize(make(keras3.initializers))
    assert initializers.serialize(initializers.get(keras_config)) == ours


@pytest.mark.parity
def test_seed_generator_config_matches_keras(keras3):
    ours = initializers.serialize(initializers.GlorotUniform(seed=SeedGenerator(3, name="gen")))
    theirs = keras3.initializers.serialize(
        keras3.initializers.GlorotUniform(seed=keras3.random.SeedGenerator(3, name="gen"))
    )
    assert ours == theirs
    assert initializers.deserialize(theirs).seed.seed == 3


def test_identity_keeps_its_gain_through_serialization():
    rebuilt = initializers.deserialize(initializers.serialize(initializers.Identity(gain=3.0)))
    assert rebuilt((2, 2)).tolist() == [[3.0, 0.0], [0.0, 3.0]]


@pytest.mark.parity
def test_get_accepts_the_names_keras_accepts(keras3):
    names = [
        "glorot_uniform",
        "glorot_normal",
        "he_normal",
        "he_uniform",
        "lecun_normal",
        "lecun_uniform",
        "zeros",
        "zero",
        "ones",
        "one",
        "orthogonal",
        "identity",
        "random_normal",
        "normal",
        "random_uniform",
        "uniform",
        "truncated_normal",
        "variance_scaling",
        "GlorotUniform",
        "IdentityInitializer",
        "OrthogonalInitializer",
    ]
    for name in names:
        assert type(initializers.get(name)).__name__ == type(keras3.initializers.get(name)).__name__, name
    assert isinstance(initializers.get("constant"), initializers.Constant)  # Keras 3.15 fails here


def test_get_other_identifiers():
    init = initializers.HeNormal(seed=1)
    assert initializers.get(init) is init
    assert initializers.get(None) is None
    assert isinstance(initializers.get(initializers.Ones), initializers.Ones)
    assert initializers.get(torch.zeros) is torch.zeros
    rebuilt = initializers.get({"class_name": "RandomUniform", "config": {"minval": 0.0, "maxval": 1.0, "seed": 2}})
    assert rebuilt.get_config() == {"seed": 2, "minval": 0.0, "maxval": 1.0}
    with pytest.raises(ValueError, match=r"'nope'.*glorot_uniform"):
        initializers.get("nope")
    with pytest.raises(ValueError, match="Could not interpret initializer identifier: 3"):
        initializers.get(3)


def test_tensors_and_arrays_initialize_with_a_copy():
    value = torch.tensor([1.0, 2.0], dtype=torch.float64)
    init = initializers.get(value)
    out = init((2,))
    assert out.dtype == torch.float32 and out.tolist() == [1.0, 2.0]
    out += 1
    assert value.tolist() == [1.0, 2.0]  # the weight does not alias the user's tensor
    assert initializers.get(np.ones((2, 2)))((2, 2), dtype="float64").dtype == torch.float64
    with pytest.raises(ValueError, match=r"has shape \(2,\), but shape=\(3,\) was requested"):
        init((3,))
