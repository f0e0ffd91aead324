"""Tests for the merging layers and their functional forms: values, broadcasting, masks, configs, errors, parity."""

import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from layer_checks import TOL, float_arrays, keras_device, roundtrip, to_np

import kerastorch
from kerastorch.layers import merging
from kerastorch.layers.merging import Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract

ELEMENTWISE = {
    Add: np.add,
    Subtract: np.subtract,
    Multiply: np.multiply,
    Maximum: np.maximum,
    Minimum: np.minimum,
    Average: lambda a, b: (a + b) / 2,
}


# -------------------------------------------------------------- elementwise
@pytest.mark.parametrize("cls", list(ELEMENTWISE), ids=lambda c: c.__name__)
def test_elementwise_values_symbolic_and_config(cls):
    a, b = torch.randn(2, 3), torch.randn(2, 3)
    np.testing.assert_allclose(to_np(cls()([a, b])), ELEMENTWISE[cls](to_np(a), to_np(b)), **TOL)
    y = cls()([kerastorch.Input((None, 3)), kerastorch.Input((4, 1))])
    assert y.shape == (None, 4, 3)
    roundtrip(cls(name="merge"))
    functional = getattr(merging, cls.__name__.lower())
    np.testing.assert_allclose(to_np(functional([a, b], name="f")), to_np(cls()([a, b])), **TOL)


def test_more_than_two_inputs_fold_left_to_right():
    xs = [torch.full((1, 2), v) for v in (1.0, 2.0, 6.0)]
    assert Add()(xs).tolist() == [[9.0, 9.0]]
    assert Multiply()(xs).tolist() == [[12.0, 12.0]]
    assert Average()(xs).tolist() == [[3.0, 3.0]]
    assert Maximum()(xs).tolist() == [[6.0, 6.0]] and Minimum()(xs).tolist() == [[1.0, 1.0]]


def test_lower_rank_inputs_get_axes_after_the_batch_axis():
    a, b = torch.randn(2, 3), torch.randn(2, 4, 3)
    np.testing.assert_allclose(to_np(Add()([a, b])), to_np(a[:, None, :] + b), **TOL)
    assert Add()([torch.ones(4, 3), torch.ones(4, 4, 3)]).shape == (4, 4, 3)  # batch stays the batch


def test_masks_merge_with_or_and_none_wins():
    x = torch.ones(2, 3)
    m1 = torch.tensor([[True, True, False], [True, False, False]])
    m2 = torch.tensor([[True, False, False], [False, False, True]])
    assert torch.equal(Add().compute_mask([x, x], [m1, m2]), m1 | m2)
    assert Add().compute_mask([x, x], [m1, None]) is None and Add().compute_mask([x, x]) is None
    with pytest.raises(ValueError, match=r'Add layer "add_\d": mask must be a list with one entry per input \(2\)'):
        Add().compute_mask([x, x], [m1])


@pytest.mark.parametrize(
    "make,inputs,message",
    [
        (
            Add,
            torch.ones(2, 3),
            r'Add layer "add": expected a list of input tensors, received a single input of shape \(2, 3\)',
        ),
        (Subtract, [torch.ones(2, 3)] * 3, r'Subtract layer "subtract": expected exactly 2 inputs, received 3'),
        (
            Multiply,
            [torch.ones(2, 3), torch.ones(3, 3)],
            r'"multiply": cannot merge tensors with different batch sizes, '
            r"received shapes \[\(2, 3\), \(3, 3\)\]",
        ),
        (
            Maximum,
            [torch.ones(2, 3), torch.ones(2, 4)],
            r'"maximum": inputs have incompatible shapes \[\(2, 3\), \(2, 4\)\]',
        ),
        (Average, [torch.ones(2, 4), torch.ones(2, 4, 3)], r'"average": inputs have incompatible shapes'),
    ],
)
def test_elementwise_errors(make, inputs, message):
    with pytest.raises(ValueError, match=message):
        make()(inputs)


def test_errors_after_build_name_the_layer():
    layer = Subtract()
    layer([torch.ones(2, 3), torch.ones(2, 3)])
    with pytest.raises(ValueError, match=r'"subtract": expected exactly 2 inputs, received 1'):
        layer([torch.ones(2, 3)])
    with pytest.raises(ValueError, match=r'"subtract": inputs have incompatible shapes \[\(2, 3\), \(2, 5\)\]'):
        layer([torch.ones(2, 3), torch.ones(2, 5)])


# -------------------------------------------------------------- Concatenate
def test_concatenate_values_symbolic_config_and_functional():
    a, b = torch.randn(2, 3, 4), torch.randn(2, 3, 1)
    assert torch.equal(Concatenate()([a, b]), torch.cat([a, b], -1))
    assert torch.equal(merging.concatenate([a, a], axis=1), torch.cat([a, a], 1))
    assert Concatenate(axis=1)([kerastorch.Input((None, 4)), kerastorch.Input((2, 4))]).shape == (None, None, 4)
    assert Concatenate()([kerastorch.Input((3,)), kerastorch.Input((5,))]).shape == (None, 8)
    assert roundtrip(Concatenate(axis=1)).axis == 1


def test_concatenate_mask():
    x, y = torch.ones(2, 3, 4), torch.ones(2, 3, 5)
    mask = torch.tensor([[True, False, True], [False, True, True]])
    assert torch.equal(Concatenate().compute_mask([x, y], [mask, None]), torch.ones(2, 3, dtype=torch.bool))
    joined = Concatenate(axis=1).compute_mask([x, x], [mask, None])
    assert torch.equal(joined, torch.cat([mask, torch.ones(2, 3, dtype=torch.bool)], 1))
    assert Concatenate().compute_mask([x, y], [None, None]) is None


def test_concatenate_errors():
    with pytest.raises(ValueError, match=r'Concatenate layer "concatenate": axis must be an int, received axis=1.5'):
        Concatenate(axis=1.5)
    with pytest.raises(
        ValueError,
        match=r'"concatenate_1": inputs must match on every axis but the concatenation '
        r"axis -1, received shapes \[\(2, 3, 4\), \(2, 5, 4\)\] \(axis 1 differs\)",
    ):
        Concatenate()([torch.ones(2, 3, 4), torch.ones(2, 5, 4)])
    with pytest.raises(
        ValueError,
        match=r'"concatenate_2": expected inputs of one rank with axis -1 in range, '
        r"received shapes \[\(2, 3\), \(2, 3, 1\)\]",
    ):
        Concatenate()([torch.ones(2, 3), torch.ones(2, 3, 1)])
    layer = Concatenate()
    layer([torch.ones(2, 3), torch.ones(2, 3)])
    with pytest.raises(
        ValueError,
        match=r'"concatenate_3": cannot concatenate inputs of shapes \[\(2, 3\), \(4, 3\)\] '
        r"along axis -1",
    ):
        layer([torch.ones(2, 3), torch.ones(4, 3)])


# ---------------------------------------------------------------------- Dot
def test_dot_values_shapes_and_normalize():
    a, b = torch.randn(2, 3), torch.randn(2, 3)
    np.testing.assert_allclose(to_np(Dot(1)([a, b])), to_np((a * b).sum(1, keepdim=True)), **TOL)
    x, y = torch.randn(2, 3, 4), torch.randn(2, 3, 5)
    np.testing.assert_allclose(to_np(Dot(1)([x, y])), to_np(torch.einsum("bij,bik->bjk", x, y)), **TOL)
    assert Dot((2, 1))([torch.ones(2, 3, 4), torch.ones(2, 4)]).shape == (2, 3)
    cosine = Dot(-1, normalize=True)([a, 3 * a])
    np.testing.assert_allclose(to_np(cosine), np.ones((2, 1)), **TOL)
    assert Dot(1, normalize=True)([torch.zeros(1, 3), torch.ones(1, 3)]).tolist() == [[0.0]]
    assert torch.equal(merging.dot([a, b], axes=1), Dot(1)([a, b]))


def test_dot_normalize_zero_vector_has_finite_gradients():
    x = torch.zeros(1, 3, requires_grad=True)
    Dot(1, normalize=True)([x, torch.ones(1, 3)]).sum().backward()
    assert torch.isfinite(x.grad).all()


def test_dot_symbolic_config_and_mask():
    assert Dot((1, 1))([kerastorch.Input((3, 4)), kerastorch.Input((3, 5))]).shape == (None, 4, 5)
    assert Dot(-1)([kerastorch.Input((None, 4)), kerastorch.Input((6, 4))]).shape == (None, None, 6)
    assert roundtrip(Dot([2, 1], normalize=True)).axes == [2, 1]
    assert Dot(1).compute_mask([torch.ones(1, 2)] * 2, [torch.ones(1, 2, dtype=torch.bool)] * 2) is None


@pytest.mark.parametrize(
    "make,inputs,message",
    [
        (lambda: Dot(0), [torch.ones(2, 3)] * 2, r'Dot layer "dot": cannot contract the batch axis 0, received axes=0'),
        (
            lambda: Dot(1),
            [torch.ones(2, 3), torch.ones(2, 4)],
            r'"dot": incompatible input shapes: axis 1 of \(2, 3\) has '
            r"size 3 but axis 1 of \(2, 4\) has size 4",
        ),
        (lambda: Dot(1), [torch.ones(2, 3)] * 3, r'"dot": expected exactly 2 inputs, received 3'),
        (lambda: Dot(3), [torch.ones(2, 3)] * 2, r'"dot": axes=3 is out of range for inputs of ranks 2 and 2'),
        (
            lambda: Dot(1),
            [torch.ones(2)] * 2,
            r'"dot": expected inputs of rank >= 2, received shapes \(2,\) and \(2,\)',
        ),
        (
            lambda: Dot((1, 2, 3)),
            None,
            r'Dot layer "dot": axes must be an int or a pair of ints, received axes=\(1, 2, 3\)',
        ),
    ],
)
def test_dot_errors(make, inputs, message):
    with pytest.raises(ValueError, match=message):
        make()(inputs)


# -------------------------------------------------------------------- parity
@st.composite
def broadcastable_pair(draw):
    """Two shapes with a common batch, different ranks allowed, unit axes that broadcast."""
    batch = draw(st.integers(1, 3))
    full = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    cut = draw(st.integers(0, len(full) - 1))
    short = [1 if draw(st.booleans()) else d for d in full[cut:]]
    return (batch, *full), (batch, *short)


@pytest.mark.parity
@pytest.mark.parametrize("cls", list(ELEMENTWISE), ids=lambda c: c.__name__)
@given(data=st.data(), shapes=broadcastable_pair())
def test_elementwise_parity(keras3, cls, data, shapes):
    first, second = shapes
    if data.draw(st.booleans()):
        first, second = second, first
    xs = [data.draw(float_arrays(first)), data.draw(float_arrays(second))]
    if cls is not Subtract and data.draw(st.booleans()):
        xs.append(data.draw(float_arrays(first)))
    theirs = getattr(keras3.layers, cls.__name__)()
    np.testing.assert_allclose(to_np(cls()(xs)), to_np(theirs(xs)), **TOL)
    masks = [data.draw(hnp.arrays(np.bool_, x.shape[:2])) if x.ndim >= 2 else None for x in xs]
    if all(m is not None for m in masks) and len({m.shape for m in masks}) == 1:
        tm = [torch.as_tensor(m) for m in masks]
        np.testing.assert_array_equal(to_np(cls().compute_mask(xs, tm)), to_np(theirs.compute_mask(xs, tm)))


@pytest.mark.parity
@given(data=st.data(), shape=hnp.array_shapes(min_dims=2, max_dims=4, max_side=4), count=st.integers(1, 3))
def test_concatenate_parity(keras3, data, shape, count):
    axis = data.draw(st.sampled_from([a for a in range(-len(shape), len(shape)) if a % len(shape) != 0]))
    xs = []
    for _ in range(count):
        own = list(shape)
        own[axis] = data.draw(st.integers(1, 3))
        xs.append(data.draw(float_arrays(tuple(own))))
    theirs = keras3.layers.Concatenate(axis=axis)
    np.testing.assert_array_equal(to_np(Concatenate(axis=axis)(xs)), to_np(theirs(xs)))
    masks = [
        torch.as_tensor(data.draw(hnp.arrays(np.bool_, x.shape[:-1]))) if data.draw(st.booleans()) else None for x in xs
    ]
    ours_mask, keras_mask = Concatenate(axis=axis).compute_mask(xs, masks), theirs.compute_mask(xs, masks)
    assert (ours_mask is None) == (keras_mask is None)
    if ours_mask is not None:
        np.testing.assert_array_equal(to_np(ours_mask), to_np(keras_mask))


@pytest.mark.parity
@given(
    data=st.data(),
    batch=st.integers(1, 3),
    size=st.integers(1, 4),
    normalize=st.booleans(),
    rest1=st.lists(st.integers(1, 3), max_size=2),
    rest2=st.lists(st.integers(1, 3), max_size=2),
)
def test_dot_parity_with_input_gradients(keras3, data, batch, size, normalize, rest1, rest2):
    a1 = data.draw(st.integers(1, len(rest1) + 1))
    a2 = data.draw(st.integers(1, len(rest2) + 1))
    shape1 = (batch, *rest1[: a1 - 1], size, *rest1[a1 - 1 :])
    shape2 = (batch, *rest2[: a2 - 1], size, *rest2[a2 - 1 :])
    x1, x2 = data.draw(float_arrays(shape1)), data.draw(float_arrays(shape2))
    if normalize:  # Keras's gradient is NaN at a zero vector (ours is finite: test_dot_normalize_zero_vector)
        assume(np.linalg.norm(x1, axis=a1).min() > 1e-2 and np.linalg.norm(x2, axis=a2).min() > 1e-2)
    axes = data.draw(st.sampled_from([(a1, a2), (a1 - len(shape1), a2 - len(shape2))]))
    if a1 == a2 and len(shape1) == len(shape2):
        axes = data.draw(st.sampled_from([axes, a1]))
    ours, theirs = Dot(axes, normalize=normalize), keras3.layers.Dot(axes, normalize=normalize)
    ts = [torch.tensor(x, requires_grad=True) for x in (x1, x2)]
    ks = [torch.tensor(x, requires_grad=True, device=keras_device()) for x in (x1, x2)]
    yt, yk = ours(ts), theirs(ks)
    assert tuple(yt.shape) == tuple(yk.shape)
    np.testing.assert_allclose(to_np(yt), to_np(yk), **TOL)
    weights = np.random.default_rng(0).normal(size=tuple(yt.shape)).astype("float32")
    (yt * torch.tensor(weights)).sum().backward()
    (yk * torch.tensor(weights, device=yk.device)).sum().backward()
    for t, k in zip(ts, ks):
        np.testing.assert_allclose(to_np(t.grad), to_np(k.grad), **TOL)
