"""CategoryEncoding and Discretization: Keras 3 parity, symbolic shapes, adapt, configs, errors."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from layer_checks import roundtrip, to_np

import kerastorch
from kerastorch.layers.preprocessing.category_encoding import CategoryEncoding
from kerastorch.layers.preprocessing.discretization import Discretization, quantile_boundaries

pytestmark = pytest.mark.usefixtures("_cpu_weights")

MODES = ["one_hot", "multi_hot", "count"]


@st.composite
def id_inputs(draw, max_rank=2):
    """(num_tokens, ids array of rank 0..max_rank with values in range)."""
    num_tokens = draw(st.integers(1, 6))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=max_rank, min_side=1, max_side=4))
    ids = draw(hnp.arrays(np.int64, shape, elements=st.integers(0, num_tokens - 1)))
    return num_tokens, ids


# ------------------------------------------------------------ CategoryEncoding
@given(data=id_inputs(), mode=st.sampled_from(MODES), weighted=st.booleans())
def test_category_encoding_matches_keras(keras3, data, mode, weighted):
    num_tokens, ids = data
    ours = CategoryEncoding(num_tokens, output_mode=mode)
    theirs = keras3.layers.CategoryEncoding(num_tokens, output_mode=mode)
    kwargs = {}
    if mode == "count" and weighted and ids.ndim:
        kwargs["count_weights"] = np.linspace(0.5, 2.0, ids.size, dtype="float32").reshape(ids.shape)
    got = ours(torch.tensor(ids), **{k: torch.tensor(v) for k, v in kwargs.items()})
    want = theirs(ids, **kwargs)
    assert tuple(got.shape) == tuple(want.shape)
    assert got.dtype == torch.float32
    np.testing.assert_allclose(to_np(got), to_np(want), rtol=1e-6)
    if ids.ndim:  # numpy arrays and lists are accepted as well
        np.testing.assert_allclose(to_np(ours(ids.tolist(), **kwargs)), to_np(want), rtol=1e-6)


@pytest.mark.parametrize("mode", MODES)
def test_category_encoding_rank3_matches_keras_eager(keras3, mode):
    ids = np.arange(24).reshape(2, 3, 4) % 5
    got, want = CategoryEncoding(5, mode)(torch.tensor(ids)), keras3.layers.CategoryEncoding(5, mode)(ids)
    np.testing.assert_array_equal(to_np(got), to_np(want))


def test_category_encoding_count_weights_gradient():
    weights = torch.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    out = CategoryEncoding(3, "count")(torch.tensor([[2, 0, 2]]), count_weights=weights)
    assert out.tolist() == [[2.0, 0.0, 4.0]]
    (out * torch.tensor([[10.0, 20.0, 30.0]])).sum().backward()
    assert weights.grad.tolist() == [[30.0, 10.0, 30.0]]


@given(
    shape=hnp.array_shapes(min_dims=1, max_dims=2, max_side=4),
    mode=st.sampled_from(MODES),
    num_tokens=st.integers(1, 6),
)
def test_category_encoding_symbolic_shapes(keras3, shape, mode, num_tokens):
    for dims in (shape, (None,) + shape[1:]):
        out = CategoryEncoding(num_tokens, mode)(kerastorch.Input(batch_shape=dims, dtype="int32"))
        theirs = keras3.layers.CategoryEncoding(num_tokens, mode)(keras3.Input(batch_shape=dims, dtype="int32"))
        assert out.shape == tuple(theirs.shape) and out.dtype == "float32"
    real = CategoryEncoding(num_tokens, mode)(torch.zeros(shape, dtype=torch.int64))
    assert tuple(real.shape) == CategoryEncoding(num_tokens, mode).compute_output_shape(shape)


@pytest.mark.parametrize("mode", MODES)
def test_category_encoding_configs_interchange_with_keras(keras3, mode):
    ours = CategoryEncoding(7, mode, name="enc")
    clone = roundtrip(ours)
    assert clone.num_tokens == 7 and clone.output_mode == mode
    theirs = keras3.layers.CategoryEncoding(7, mode, name="enc")
    assert ours.get_config() == theirs.get_config()
    assert keras3.layers.CategoryEncoding.from_config(ours.get_config()).get_config() == theirs.get_config()
    assert CategoryEncoding.from_config(theirs.get_config()).get_config() == ours.get_config()
    assert CategoryEncoding(3, "binary").output_mode == "multi_hot"
    assert ours.get_weights() == []


def test_category_encoding_errors():
    layer = CategoryEncoding(4, "one_hot", name="enc")
    with pytest.raises(ValueError, match=r'CategoryEncoding layer "enc".*\[0, 4\).*\[1, 4\]'):
        layer(torch.tensor([1, 4]))
    with pytest.raises(ValueError, match=r'"enc".*received values in \[-1, 2\]'):
        layer(torch.tensor([[-1, 2]]))
    with pytest.raises(ValueError, match="count_weights is only used"):
        layer(torch.tensor([1]), count_weights=torch.ones(1))
    with pytest.raises(ValueError, match=r"count_weights must have the shape.*\(1, 2\)"):
        CategoryEncoding(4, "count")(torch.tensor([[1, 2]]), count_weights=torch.ones(3))
    with pytest.raises(ValueError, match=r"CategoryEncoding layer .*num_tokens must be set"):
        CategoryEncoding()
    with pytest.raises(ValueError, match=r"num_tokens must be an integer >= 1, received num_tokens=0"):
        CategoryEncoding(0)
    with pytest.raises(ValueError, match=r"output_mode must be one of .*received output_mode='tf_idf'"):
        CategoryEncoding(3, "tf_idf")
    with pytest.raises(ValueError, match="sparse outputs are not supported"):
        CategoryEncoding(3, sparse=True)


# -------------------------------------------------------------- Discretization
def test_discretization_right_side_convention(keras3):
    x = np.array([-1.0, 0.0, 0.5, 1.0, 2.5], dtype="float32")
    got = Discretization(bin_boundaries=[0.0, 1.0, 2.0])(torch.tensor(x))
    assert got.tolist() == [0, 1, 1, 2, 3] and got.dtype == torch.int32
    want = keras3.layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])(x)
    np.testing.assert_array_equal(to_np(got), to_np(want))


@given(
    boundaries=st.lists(st.integers(-8, 8), min_size=1, max_size=5, unique=True).map(sorted),
    x=hnp.arrays(
        np.float32,
        hnp.array_shapes(min_dims=1, max_dims=2, max_side=4),
        elements=st.sampled_from([-9.0, -2.5, -1.0, 0.0, 0.5, 1.0, 3.0, 4.25, 9.0]),
    ),
    mode=st.sampled_from(["int"] + MODES),
)
def test_discretization_matches_keras(keras3, boundaries, x, mode):
    boundaries = [b / 2 for b in boundaries]  # values that sit exactly on boundaries are drawn too
    got = Discretization(bin_boundaries=boundaries, output_mode=mode)(torch.tensor(x))
    want = keras3.layers.Discretization(bin_boundaries=boundaries, output_mode=mode)(x)
    assert tuple(got.shape) == tuple(want.shape)
    assert str(got.dtype).replace("torch.", "") == str(want.dtype).replace("torch.", "")
    np.testing.assert_array_equal(to_np(got), to_np(want))
    ints = Discretization(bin_boundaries=boundaries)(torch.tensor(x).round().long())
    np.testing.assert_array_equal(
        to_np(ints), to_np(keras3.layers.Discretization(bin_boundaries=boundaries)(np.round(x).astype("int64")))
    )


@given(
    values=hnp.arrays(np.float32, st.integers(1, 99), elements=st.floats(-50, 50, width=32)), num_bins=st.integers(1, 8)
)
def test_discretization_adapt_matches_keras_summary(keras3, values, num_bins):
    """On one batch of fewer than 1 / epsilon values Keras's summary is exact: the boundaries agree."""
    ours = Discretization(num_bins=num_bins)
    ours.adapt(values)
    theirs = keras3.layers.Discretization(num_bins=num_bins)
    theirs.reset_state()  # Keras's adapt() needs TensorFlow; its state updates are plain NumPy
    theirs.update_state(values)
    theirs.finalize_state()
    assert len(ours.bin_boundaries) == len(theirs.bin_boundaries)
    np.testing.assert_allclose(ours.bin_boundaries, theirs.bin_boundaries, rtol=1e-5, atol=1e-5)


@given(
    values=hnp.arrays(np.float32, st.integers(8, 60), elements=st.floats(-50, 50, width=32)),
    num_bins=st.integers(2, 6),
    splits=st.integers(1, 4),
)
def test_discretization_adapt_is_exact_over_batches(values, num_bins, splits):
    """Batches (arrays, tensors, (x, y) pairs) give the boundaries of all the data at once, and about
    k / num_bins of the values fall below the k-th boundary."""
    whole = Discretization(num_bins=num_bins)
    whole.adapt(torch.tensor(values).reshape(-1, 1))
    batches = np.array_split(values, splits)
    streamed = Discretization(num_bins=num_bins)
    streamed.adapt([(torch.tensor(b), None) if i % 2 else b for i, b in enumerate(batches)])
    assert streamed.bin_boundaries == whole.bin_boundaries
    assert len(whole.bin_boundaries) == num_bins - 1
    for k, boundary in enumerate(whole.bin_boundaries, start=1):
        below, at_most = np.mean(values < boundary), np.mean(values <= boundary)
        assert below - 1e-6 <= k / num_bins <= at_most + 1.0 / len(values) + 1e-6
    capped = Discretization(num_bins=num_bins)
    capped.adapt(iter(batches), steps=1)
    assert capped.bin_boundaries == quantile_boundaries(torch.tensor(batches[0]), num_bins)


@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), mode=st.sampled_from(["int"] + MODES))
def test_discretization_symbolic_shapes(keras3, shape, mode):
    for layer_args in ({"bin_boundaries": [0.0, 1.0]}, {"num_bins": 3}):  # unadapted layers too
        out = Discretization(output_mode=mode, **layer_args)(kerastorch.Input(batch_shape=shape))
        theirs = keras3.layers.Discretization(output_mode=mode, **layer_args)(keras3.Input(batch_shape=shape))
        assert out.shape == tuple(theirs.shape) and out.dtype == theirs.dtype
    real = Discretization(bin_boundaries=[0.0, 1.0], output_mode=mode)(torch.zeros(shape))
    assert tuple(real.shape) == out.shape


def test_discretization_configs_interchange_with_keras(keras3):
    fixed = Discretization(bin_boundaries=[0.0, 1.5], output_mode="count", name="disc")
    theirs = keras3.layers.Discretization(bin_boundaries=[0.0, 1.5], output_mode="count", name="disc")
    assert fixed.get_config() == theirs.get_config()
    assert roundtrip(fixed).bin_boundaries == [0.0, 1.5]
    adapted = Discretization(num_bins=4, epsilon=0.05)
    adapted.adapt(np.arange(8.0))
    config = adapted.get_config()
    assert config["num_bins"] == 4 and config["bin_boundaries"] == [1.0, 3.0, 5.0]
    clone = roundtrip(adapted)
    assert clone.bin_boundaries == [1.0, 3.0, 5.0] and clone.epsilon == 0.05
    from_ours = keras3.layers.Discretization.from_config(config)
    np.testing.assert_array_equal(to_np(from_ours(np.array([0.5, 3.0, 7.0]))), [0, 2, 3])
    from_theirs = Discretization.from_config(from_ours.get_config())
    assert from_theirs.get_config() == config
    assert from_theirs(torch.tensor([0.5, 3.0, 7.0])).tolist() == [0, 2, 3]


def test_discretization_errors():
    with pytest.raises(ValueError, match=r'Discretization layer "d".*not both'):
        Discretization(bin_boundaries=[0.0], num_bins=2, name="d")
    with pytest.raises(ValueError, match="one of bin_boundaries or num_bins must be set"):
        Discretization()
    with pytest.raises(ValueError, match=r"num_bins must be a positive integer, received num_bins=0"):
        Discretization(num_bins=0)
    with pytest.raises(ValueError, match="sorted in increasing order"):
        Discretization(bin_boundaries=[1.0, 0.0])
    with pytest.raises(ValueError, match="sparse outputs are not supported"):
        Discretization(bin_boundaries=[0.0], output_mode="one_hot", sparse=True)
    with pytest.raises(ValueError, match=r"output_mode must be one of .*received output_mode='binary'"):
        Discretization(bin_boundaries=[0.0], output_mode="binary")
    with pytest.raises(ValueError, match=r'"d".*call adapt\(data\)'):
        Discretization(num_bins=3, name="d")(torch.ones(2))
    with pytest.raises(ValueError, match="adapt.. needs a layer made with num_bins"):
        Discretization(bin_boundaries=[0.0]).adapt(np.ones(3))
    with pytest.raises(ValueError, match="received no data"):
        Discretization(num_bins=2).adapt([])
    with pytest.raises(TypeError, match="unexpected keyword argument 'trainable'"):
        Discretization(bin_boundaries=[0.0], trainable=False)


def test_discretization_edge_inputs(keras3):
    layer = Discretization(num_bins=5)
    layer.adapt(np.array([3.0, 1.0, 2.0]))  # fewer values than bins: Keras keeps all but the last
    assert layer.bin_boundaries == [1.0, 2.0]
    assert layer(torch.tensor([[0.0, 1.0, 5.0]])).tolist() == [[0, 1, 2]]
    assert layer(torch.tensor(1.5)).tolist() == 1
    assert layer([0.5, 2.0]).tolist() == [0, 2]  # a list, as Keras accepts
    empty = Discretization(bin_boundaries=[], output_mode="one_hot")
    want = keras3.layers.Discretization(bin_boundaries=[], output_mode="one_hot")(np.array([-1.0, 4.0]))
    np.testing.assert_array_equal(to_np(empty(torch.tensor([-1.0, 4.0]))), to_np(want))
    dataset = torch.utils.data.TensorDataset(torch.arange(8.0).reshape(8, 1), torch.zeros(8))
    from_dataset = Discretization(num_bins=4)
    from_dataset.adapt(dataset)
    assert from_dataset.bin_boundaries == [1.0, 3.0, 5.0]
