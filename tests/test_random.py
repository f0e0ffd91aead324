"""Tests for kerastorch.random and kerastorch.utils.rng_utils: distributions, seeding, dropout, shuffle."""

import random as py_random

import numpy as np
import pytest
import torch

from kerastorch import random as krandom
from kerastorch.utils.rng_utils import set_random_seed

N = 200_000


@pytest.mark.parametrize("draw", [krandom.normal, krandom.uniform, krandom.truncated_normal])
def test_float_draws_shape_dtype_and_int_seed(draw):
    x = draw((3, 4), seed=1)
    assert x.shape == (3, 4) and x.dtype == torch.float32
    assert torch.equal(x, draw((3, 4), seed=1))
    assert not torch.equal(x, draw((3, 4), seed=2))
    assert draw((2,), dtype="float64", seed=1).dtype == torch.float64
    assert draw((2,), dtype="bfloat16", seed=1).dtype == torch.bfloat16
    with pytest.raises(ValueError, match="dtype must be a float type, received 'int32'"):
        draw((2,), dtype="int32")


def test_distribution_statistics():
    normal = krandom.normal((N,), mean=2.0, stddev=3.0, seed=0)
    assert normal.mean().item() == pytest.approx(2.0, abs=0.05)
    assert normal.std().item() == pytest.approx(3.0, rel=0.02)
    uniform = krandom.uniform((N,), minval=-2.0, maxval=6.0, seed=0)
    assert uniform.min().item() >= -2.0 and uniform.max().item() < 6.0
    assert uniform.mean().item() == pytest.approx(2.0, abs=0.05)
    truncated = krandom.truncated_normal((N,), mean=1.0, stddev=0.5, seed=0)
    assert (truncated - 1.0).abs().max().item() <= 1.0
    assert truncated.std().item() == pytest.approx(0.5 * 0.87962566103423978, rel=0.02)
    assert krandom.truncated_normal((3,), mean=4.0, stddev=0.0).tolist() == [4.0, 4.0, 4.0]


@pytest.mark.parity
def test_truncated_normal_matches_keras_statistics(keras3):
    ours = krandom.truncated_normal((N,), stddev=2.0, seed=0)
    theirs = torch.as_tensor(keras3.random.truncated_normal((N,), stddev=2.0, seed=0)).cpu()
    assert ours.std().item() == pytest.approx(theirs.std().item(), rel=0.02)


def test_argument_errors():
    with pytest.raises(ValueError, match="stddev must be >= 0, received -1"):
        krandom.normal((2,), stddev=-1)
    with pytest.raises(ValueError, match="minval must be <= maxval, received minval=2, maxval=1"):
        krandom.uniform((2,), 2, 1)
    with pytest.raises(ValueError, match="shape: expected non-negative sizes"):
        krandom.normal((2, -1))


def test_randint():
    x = krandom.randint((N,), 3, 7, seed=0)
    assert x.dtype == torch.int32
    assert set(x.unique().tolist()) == {3, 4, 5, 6}
    assert torch.equal(x, krandom.randint((N,), 3, 7, seed=0))
    assert krandom.randint((2,), 0, 5, dtype="int64").dtype == torch.int64
    with pytest.raises(ValueError, match="dtype must be an integer type, received 'float32'"):
        krandom.randint((2,), 0, 5, dtype="float32")
    with pytest.raises(ValueError, match="minval must be < maxval"):
        krandom.randint((2,), 5, 5)


@pytest.mark.parametrize("bad", ["a", 1.5, True, [1]])
def test_bad_seeds_are_rejected(bad):
    with pytest.raises(ValueError, match=r"seed: expected None, an int or a keras.random.SeedGenerator"):
        krandom.normal((2,), seed=bad)


def test_none_seed_follows_torch_manual_seed():
    torch.manual_seed(3)
    a = krandom.normal((5,))
    b = krandom.normal((5,))
    torch.manual_seed(3)
    assert torch.equal(a, krandom.normal((5,))) and not torch.equal(a, b)


def test_seed_generator_advances_and_replays():
    gen = krandom.SeedGenerator(9)
    a, b = krandom.normal((4,), seed=gen), krandom.normal((4,), seed=gen)
    assert not torch.equal(a, b)
    replay = krandom.SeedGenerator.from_config(gen.get_config())
    assert torch.equal(krandom.normal((4,), seed=replay), a)
    assert torch.equal(krandom.normal((4,), seed=replay), b)
    assert gen.get_config() == {"seed": 9, "name": gen.name}
    assert krandom.SeedGenerator(1).next() == krandom.SeedGenerator(1).next()
    first = krandom.SeedGenerator(1)
    assert first.next() != first.next()


def test_unseeded_seed_generator_is_reproducible_from_torch():
    torch.manual_seed(0)
    seed = krandom.SeedGenerator().seed
    torch.manual_seed(0)
    assert krandom.SeedGenerator().seed == seed
    with pytest.raises(ValueError, match="SeedGenerator: expected None, an int"):
        krandom.SeedGenerator("x")


@pytest.mark.parity
def test_seed_generator_config_matches_keras(keras3):
    ours, theirs = krandom.SeedGenerator(3).get_config(), keras3.random.SeedGenerator(3).get_config()
    assert ours.keys() == theirs.keys() and ours["seed"] == theirs["seed"] == 3
    assert ours["name"].startswith("seed_generator") and theirs["name"].startswith("seed_generator")


def test_seed_generator_names_are_unique():
    assert krandom.SeedGenerator(1).name == "seed_generator"
    assert krandom.SeedGenerator(1).name == "seed_generator_1"
    assert krandom.SeedGenerator(1, name="mine").name == "mine"


def test_dropout_zeroes_at_rate_and_keeps_the_mean():
    x = torch.full((N,), 2.0)
    out = krandom.dropout(x, 0.3, seed=0)
    kept = out != 0
    assert (1 - kept.float().mean().item()) == pytest.approx(0.3, abs=0.01)
    torch.testing.assert_close(out[kept], torch.full((int(kept.sum()),), 2.0 / 0.7))
    assert out.mean().item() == pytest.approx(2.0, rel=0.02)
    assert torch.equal(out, krandom.dropout(x, 0.3, seed=0))


def test_dropout_edge_rates_and_errors():
    x = torch.randn(3, 4)
    assert krandom.dropout(x, 0.0) is x
    assert torch.equal(krandom.dropout(x, 1.0), torch.zeros_like(x))
    with pytest.raises(ValueError, match=r"rate must be in \[0, 1\], received 1.5"):
        krandom.dropout(x, 1.5)
    with pytest.raises(ValueError, match=r"noise_shape must have one entry per input axis \(2\), received \(4,\)"):
        krandom.dropout(x, 0.5, noise_shape=(4,))


def test_dropout_noise_shape_broadcasts_one_mask():
    x = torch.ones(64, 5, 3)
    out = krandom.dropout(x, 0.5, noise_shape=(None, 1, 3), seed=1)
    assert torch.equal(out, out[:, :1, :].expand_as(out))  # same mask along axis 1
    assert 0 < (out == 0).float().mean().item() < 1


def test_shuffle_permutes_along_an_axis():
    x = torch.arange(20).reshape(5, 4)
    out = krandom.shuffle(x, seed=0)
    assert sorted(map(tuple, out.tolist())) == sorted(map(tuple, x.tolist()))  # whole rows move
    assert torch.equal(out, krandom.shuffle(x, seed=0))
    cols = krandom.shuffle(x, axis=1, seed=3)
    assert torch.equal(cols.sort(dim=1).values, x)
    big = torch.arange(1000)
    assert not torch.equal(krandom.shuffle(big, seed=0), big)
    with pytest.raises(ValueError, match="at least one axis"):
        krandom.shuffle(torch.tensor(1.0))


def test_set_random_seed_seeds_python_numpy_and_torch():
    set_random_seed(42)
    first = (py_random.random(), np.random.rand(), torch.rand(()).item(), krandom.normal((2,)).tolist())
    set_random_seed(42)
    assert (py_random.random(), np.random.rand(), torch.rand(()).item(), krandom.normal((2,)).tolist()) == first


@pytest.mark.parametrize("bad", [-1, 2**32, "1", 1.0, None])
def test_set_random_seed_rejects_bad_seeds(bad):
    with pytest.raises(ValueError, match=r"expected an integer seed in \[0, 2\*\*32\)"):
        set_random_seed(bad)


@pytest.mark.cuda
def test_cuda_draws_follow_the_device_and_seed():
    gen = krandom.SeedGenerator(5)
    x = torch.ones(1000, device="cuda")
    out = krandom.dropout(x, 0.5, seed=gen)
    assert out.device.type == "cuda" and torch.equal(out, krandom.dropout(x, 0.5, seed=krandom.SeedGenerator(5)))
    y = krandom.normal((10,), seed=1, device="cuda")
    assert y.device.type == "cuda" and torch.equal(y, krandom.normal((10,), seed=1, device="cuda"))
    assert krandom.shuffle(torch.arange(10, device="cuda"), seed=2).device.type == "cuda"


# ---- categorical, gamma, beta, binomial ------------------------------------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

M = 40_000


@given(st.integers(1, 3), st.integers(2, 5), st.integers(1, 4), st.sampled_from(["int32", "int64", "uint8"]))
def test_categorical_shapes_dtypes_and_seeds(batch, classes, samples, dtype):
    logits = torch.randn(batch, classes)
    out = krandom.categorical(logits, samples, dtype=dtype, seed=3)
    assert out.shape == (batch, samples) and out.dtype == getattr(torch, dtype)
    assert bool(((out >= 0) & (out < classes)).all())
    assert torch.equal(out, krandom.categorical(logits, samples, dtype=dtype, seed=3))
    masked = torch.full((batch, classes), -1e9)
    masked[:, classes - 1] = 0.0
    assert bool((krandom.categorical(masked, samples) == classes - 1).all())


@pytest.mark.parity
def test_categorical_frequencies_match_keras(keras3):
    logits = torch.log(torch.tensor([[0.2, 0.5, 0.3], [0.7, 0.1, 0.2]]))
    ours = krandom.categorical(logits, M, seed=0)
    theirs = torch.as_tensor(keras3.random.categorical(logits, M, seed=0)).cpu()
    assert ours.dtype == theirs.dtype == torch.int32 and ours.shape == theirs.shape
    for row in range(2):
        freq = torch.bincount(ours[row].long(), minlength=3).double() / M
        torch.testing.assert_close(freq, logits[row].exp().double(), atol=0.015, rtol=0)
        torch.testing.assert_close(
            freq, torch.bincount(theirs[row].long(), minlength=3).double() / M, atol=0.02, rtol=0
        )


@pytest.mark.parity
@pytest.mark.parametrize(
    "name, args, mean, var",
    [
        ("gamma", (2.5,), 2.5, 2.5),
        ("gamma", (0.5,), 0.5, 0.5),
        ("beta", (2.0, 5.0), 2 / 7, 10 / (49 * 8)),
        ("binomial", (10, 0.3), 3.0, 2.1),
    ],
)
def test_distribution_moments_match_theory_and_keras(keras3, name, args, mean, var):
    ours = getattr(krandom, name)((M,), *args, seed=1)
    theirs = torch.as_tensor(getattr(keras3.random, name)((M,), *args, seed=1)).cpu()
    assert ours.dtype == theirs.dtype == torch.float32 and ours.shape == theirs.shape == (M,)
    for sample in (ours, theirs):
        assert sample.double().mean().item() == pytest.approx(mean, rel=0.03)
        assert sample.double().var().item() == pytest.approx(var, rel=0.06)
    if name == "binomial":
        assert torch.equal(ours, ours.round()) and ours.min() >= 0 and ours.max() <= 10
    if name == "beta":
        assert ours.min() >= 0 and ours.max() <= 1


@given(
    st.sampled_from(["gamma", "beta", "binomial"]),
    st.sampled_from(["float32", "float64", "float16"]),
    st.lists(st.integers(1, 3), min_size=1, max_size=3),
)
def test_new_draws_shape_dtype_seed_and_broadcast_parameters(name, dtype, shape):
    params = {
        "gamma": (torch.full(shape[-1:], 2.0),),
        "beta": (2.0, torch.full(shape[-1:], 3.0)),
        "binomial": (torch.full(shape[-1:], 4.0), 0.5),
    }[name]
    draw = getattr(krandom, name)
    out = draw(shape, *params, dtype=dtype, seed=7)
    assert tuple(out.shape) == tuple(shape) and out.dtype == getattr(torch, dtype)
    assert torch.equal(out, draw(shape, *params, dtype=dtype, seed=7))
    scalars = {"gamma": (2.0,), "beta": (2.0, 3.0), "binomial": (4.0, 0.5)}[name]
    gen = krandom.SeedGenerator(5)
    first, second = draw((64,), *scalars, seed=gen), draw((64,), *scalars, seed=gen)
    assert not torch.equal(first, second)
    assert torch.equal(first, draw((64,), *scalars, seed=krandom.SeedGenerator(5)))


def test_seeded_gamma_leaves_the_global_generator_alone_and_none_follows_it():
    torch.manual_seed(11)
    expected = torch.rand(3)
    torch.manual_seed(11)
    krandom.gamma((5,), 1.0, seed=3)
    krandom.beta((5,), 1.0, 2.0, seed=krandom.SeedGenerator(2))
    assert torch.equal(torch.rand(3), expected)
    torch.manual_seed(4)
    a = krandom.gamma((5,), 1.0)
    torch.manual_seed(4)
    assert torch.equal(a, krandom.gamma((5,), 1.0))
    set_random_seed(4)
    b = krandom.binomial((5,), 3, 0.5)
    set_random_seed(4)
    assert torch.equal(b, krandom.binomial((5,), 3, 0.5))


def test_new_draw_errors():
    with pytest.raises(
        ValueError,
        match=r"categorical: expected logits of shape \(batch_size, num_classes\), "
        r"received shape \(3,\)",
    ):
        krandom.categorical(torch.zeros(3), 2)
    with pytest.raises(ValueError, match="categorical: dtype must be an integer type, received 'float32'"):
        krandom.categorical(torch.zeros(1, 3), 2, dtype="float32")
    with pytest.raises(ValueError, match="gamma: dtype must be a float type, received 'int32'"):
        krandom.gamma((2,), 1.0, dtype="int32")
    with pytest.raises(ValueError, match=r"beta: parameters of shape \(3,\) do not broadcast to shape \(2,\)"):
        krandom.beta((2,), torch.ones(3), 1.0)
    with pytest.raises(ValueError, match="seed: expected None, an int"):
        krandom.binomial((2,), 1, 0.5, seed="x")
