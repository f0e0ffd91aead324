"""Core and control-flow ``keras.ops`` against Keras 3 (torch backend): conversion, casts, slicing, scatter,
loops, scans, maps and custom gradients."""

import numpy as np
import pytest
import torch
from core_checks import DTYPES, arrays, assert_matches, shapes, to_np
from hypothesis import given
from hypothesis import strategies as st

from kerastorch import ops

pytestmark = [pytest.mark.parity, pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")]
CASTABLE = tuple(d for d in DTYPES if d != "uint8") + ("uint8",)


@given(
    st.sampled_from([[1, 2], [1.5, 2], [True, False], 3, 2.5, True, [[1, 2], [3, 4]], [1, 2.0, True]]),
    st.sampled_from([None, "float32", "int32", "float64", "int8", "bool"]),
)
def test_convert_to_tensor_python_values(keras3, value, dtype):
    assert_matches(ops.convert_to_tensor(value, dtype), keras3.ops.convert_to_tensor(value, dtype))


@given(st.sampled_from(DTYPES).flatmap(lambda d: arrays(d, shapes(0, 3))))
def test_convert_numpy_and_back(keras3, array):
    ours = ops.convert_to_tensor(array)
    assert_matches(ours, keras3.ops.convert_to_tensor(array))
    np.testing.assert_array_equal(ops.convert_to_numpy(ours), array)
    assert ops.convert_to_numpy(ours).dtype == array.dtype
    assert ops.dtype(ours) == keras3.ops.dtype(keras3.ops.convert_to_tensor(array)) == str(array.dtype)
    assert ops.shape(ours) == tuple(keras3.ops.shape(array)) == array.shape
    assert ops.is_tensor(ours) and not ops.is_tensor(array)


@given(
    st.sampled_from(DTYPES).flatmap(lambda d: arrays(d, shapes(0, 3), low=-100, high=100)), st.sampled_from(CASTABLE)
)
def test_cast(keras3, array, dtype):
    if array.dtype.kind == "f" and dtype.startswith("u"):
        array = np.abs(array)  # negative floats to unsigned ints are undefined in C (and differ by platform)
    x = torch.as_tensor(array)
    assert_matches(ops.cast(x, dtype), keras3.ops.cast(x, dtype))


@given(
    st.sampled_from(("int8", "int16", "int32", "int64", "float32", "float64")).flatmap(
        lambda d: arrays(d, shapes(1, 2), low=-400, high=400)
    ),
    st.sampled_from(("uint8", "int8", "int16", "float16")),
)
def test_saturate_cast(keras3, array, dtype):
    x = torch.as_tensor(array)
    ours = ops.saturate_cast(x, dtype)
    if array.dtype.kind == "i" and dtype == "float16":
        # Keras 3.15 casts float16's limits into the int type, which overflows (0 becomes -32768): every int16
        # value fits in float16's range, so the result is a plain cast
        assert_matches(ours, keras3.ops.cast(x, dtype))
    else:
        assert_matches(ours, keras3.ops.saturate_cast(x, dtype))
    info = torch.iinfo(ours.dtype) if not ours.dtype.is_floating_point else torch.finfo(ours.dtype)
    assert bool(((ours >= info.min) & (ours <= info.max)).all())


@st.composite
def windows(draw):
    shape = draw(shapes(1, 3, max_side=5))
    start = [draw(st.integers(0, d - 1)) for d in shape]
    size = [draw(st.integers(1, d - s)) for d, s in zip(shape, start)]
    return draw(arrays("float32", shape)), start, size


@given(windows(), st.booleans())
def test_slice_and_slice_update_values_and_grads(keras3, window, tensor_start):
    array, start, size = window
    starts = torch.tensor(start) if tensor_start else start
    assert_matches(ops.slice(torch.as_tensor(array), starts, size), keras3.ops.slice(array, start, size))
    updates = np.arange(np.prod(size), dtype=np.float32).reshape(size)
    results, grads = [], []
    for fn in (ops.slice_update, keras3.ops.slice_update):
        x, u = torch.tensor(array, requires_grad=True), torch.tensor(updates, requires_grad=True)
        out = fn(x, starts if fn is ops.slice_update else start, u)
        (out * torch.arange(out.numel()).reshape(out.shape)).sum().backward()
        results.append(out)
        grads.append((x.grad, u.grad))
    assert_matches(results[0], results[1])
    assert_matches(grads[0], grads[1])
    assert_matches(ops.slice(results[0], start, size), torch.as_tensor(updates))


@st.composite
def scatter_cases(draw, unique):
    shape = tuple(draw(shapes(1, 3)))
    k = draw(st.integers(1, len(shape)))
    n = draw(st.integers(1, 5))
    rows = st.tuples(*[st.integers(0, d - 1) for d in shape[:k]])
    indices = draw(st.lists(rows, min_size=n, max_size=n, unique=unique))
    values = draw(arrays("float32", (len(indices),) + shape[k:]))
    return np.array(indices, dtype=np.int64), values, shape


@given(scatter_cases(unique=False))
def test_scatter_sums_duplicates(keras3, case):
    indices, values, shape = case
    v_ours, v_theirs = torch.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    ours, theirs = ops.scatter(indices, v_ours, shape), keras3.ops.scatter(indices, v_theirs, shape)
    assert_matches(ours, theirs)
    ours.square().sum().backward()
    theirs.square().sum().backward()
    assert_matches(v_ours.grad, v_theirs.grad)


@given(scatter_cases(unique=False), st.sampled_from([None, "add", "max", "min", "mul"]))
def test_scatter_update(keras3, case, reduction):
    indices, values, shape = case
    if reduction is None:  # the order of duplicate writes is unspecified: keep one write per position
        _, first = np.unique(indices, axis=0, return_index=True)
        indices, values = indices[np.sort(first)], values[np.sort(first)]
    inputs = np.linspace(-2, 2, int(np.prod(shape)), dtype=np.float32).reshape(shape)
    assert_matches(
        ops.scatter_update(torch.as_tensor(inputs), indices, torch.as_tensor(values), reduction),
        keras3.ops.scatter_update(torch.as_tensor(inputs), indices, torch.as_tensor(values), reduction=reduction),
    )


@given(arrays("int32", shapes(1, 3)), st.data())
def test_unstack(keras3, array, data):
    axis = data.draw(st.integers(-array.ndim, array.ndim - 1))
    assert_matches(ops.unstack(array, axis=axis), keras3.ops.unstack(torch.as_tensor(array), axis=axis))


def test_stop_gradient_blocks_gradients():
    x = torch.ones(2, requires_grad=True)
    (ops.stop_gradient(x) * x).sum().backward()
    assert torch.equal(x.grad, torch.ones(2))


# ---- control flow ----------------------------------------------------------------------------------------------

COMBINERS = {
    "add": lambda a, b: a + b,
    "mul": lambda a, b: a * b,
    "max": torch.maximum,
    "affine": lambda a, b: (a[0] * b[0], a[1] * b[0] + b[1]),
}


@given(
    arrays("float32", shapes(1, 3, max_side=9), low=-1.5, high=1.5),
    st.sampled_from(sorted(COMBINERS)),
    st.booleans(),
    st.data(),
)
def test_associative_scan(keras3, array, combiner, reverse, data):
    axis = data.draw(st.integers(0, array.ndim - 1))
    f = COMBINERS[combiner]
    if combiner == "affine":  # a pair of tensors (a linear recurrence): compare with a sequential loop
        elems = (torch.as_tensor(array), torch.as_tensor(array[::-1].copy()))
        a, b = ops.associative_scan(f, elems, reverse=reverse, axis=axis)
        n = array.shape[axis]
        order = range(n - 1, -1, -1) if reverse else range(n)
        acc, expect = None, [None] * n
        for i in order:
            cur = (elems[0].select(axis, i), elems[1].select(axis, i))
            acc = cur if acc is None else (f(cur, acc) if reverse else f(acc, cur))
            expect[i] = acc
        torch.testing.assert_close(a, torch.stack([e[0] for e in expect], axis), rtol=1e-5, atol=1e-5)
        torch.testing.assert_close(b, torch.stack([e[1] for e in expect], axis), rtol=1e-5, atol=1e-5)
        return
    x = torch.as_tensor(array)
    assert_matches(
        ops.associative_scan(f, x, reverse=reverse, axis=axis),
        keras3.ops.associative_scan(f, x, reverse=reverse, axis=axis),
    )


@given(arrays("float32", shapes(1, 2)), st.booleans(), st.booleans())
def test_scan(keras3, array, reverse, with_xs):
    def step(carry, x):
        x = carry * 0.5 + 1.0 if x is None else x
        return carry * 0.5 + x, {"y": carry + x, "z": x * 2}

    init = torch.zeros(array.shape[1:])
    xs = torch.as_tensor(array) if with_xs else None
    length = None if with_xs else array.shape[0]
    assert_matches(
        ops.scan(step, init, xs, length=length, reverse=reverse),
        keras3.ops.scan(step, init, xs, length=length, reverse=reverse),
    )


@given(arrays("float32", shapes(2, 3)))
def test_map_and_vectorized_map(keras3, array):
    x = torch.as_tensor(array)

    def f(row):
        return {"sum": row.sum(), "scaled": row * 2}

    assert_matches(ops.map(f, x), keras3.ops.map(f, x))
    assert_matches(
        ops.vectorized_map(lambda row: row.sum(0) * row, x), keras3.ops.vectorized_map(lambda row: row.sum(0) * row, x)
    )
    assert_matches(ops.map(lambda pair: pair[0] + pair[1], (x, x)), x * 2)


@given(st.integers(-3, 10), st.integers(0, 6), st.sampled_from([0, 1.5, (0, 2)]))
def test_loops_and_branches(keras3, index, n, init):
    branches = [lambda v: v + 1, lambda v: v * 3, lambda v: v - 7]
    value = torch.tensor(2.0)
    assert_matches(ops.switch(index, branches, value), keras3.ops.switch(index, branches, value))
    assert ops.cond(index > 2, lambda: "a", lambda: "b") == keras3.ops.cond(index > 2, lambda: "a", lambda: "b")
    fori = ops.fori_loop(0, n, lambda i, v: v * 2 + i, torch.tensor(1.0))
    assert_matches(fori, keras3.ops.fori_loop(0, n, lambda i, v: v * 2 + i, torch.tensor(1.0)))
    if isinstance(init, tuple):

        def cond(i, total):
            return i < n

        def body(i, total):
            return i + 1, total + i
    else:

        def cond(i):
            return i < n

        def body(i):
            return i + 1

    for limit in (None, 2):
        assert_matches(
            ops.while_loop(cond, body, init, maximum_iterations=limit),
            keras3.ops.while_loop(cond, body, init, maximum_iterations=limit),
        )


@given(arrays("float32", (3,), low=-3, high=3), arrays("float32", (3,), low=-3, high=3))
def test_custom_gradient(keras3, a, b):
    def make(backend_ops):
        @backend_ops.custom_gradient
        def f(x, y):
            def grad(*args, upstream=None):
                if upstream is None:
                    (upstream,) = args
                return upstream * 3.0 * y, upstream.clamp(-1, 1)

            return x * y, grad

        return f

    results = []
    for backend_ops in (ops, keras3.ops):
        x, y = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        out = make(backend_ops)(x, y)
        (out * torch.arange(3.0)).sum().backward()
        results.append((out, x.grad, y.grad))
    assert_matches(results[0], results[1])

    @ops.custom_gradient
    def pair(x):  # several outputs: upstream is a tuple
        return (x * 2, x * 3), lambda up: up[0] * 10 + up[1]

    x = torch.tensor(a, requires_grad=True)
    first, second = pair(x)
    (first + 2 * second).sum().backward()
    torch.testing.assert_close(first, x.detach() * 2)
    torch.testing.assert_close(x.grad, torch.full((3,), 12.0))


def test_errors_name_the_function():
    x = torch.zeros(3, 4)
    with pytest.raises(ValueError, match=r"ops.slice: the window \[2, 5\) of axis 1 lies outside"):
        ops.slice(x, (0, 2), (1, 3))
    with pytest.raises(ValueError, match=r"ops.slice: expected one start index and size per input axis \(2\)"):
        ops.slice(x, (0,), (1,))
    with pytest.raises(ValueError, match=r"ops.slice_update: the window"):
        ops.slice_update(x, (2, 0), torch.ones(2, 2))
    with pytest.raises(ValueError, match=r"ops.scatter: expected updates of shape \(2,\)"):
        ops.scatter([[0], [1]], [1.0, 2.0, 3.0], (3,))
    with pytest.raises(ValueError, match=r"ops.scatter_update: expected integer indices"):
        ops.scatter_update(x, torch.tensor([[0.5]]), torch.ones(1, 4))
    with pytest.raises(ValueError, match=r"ops.scatter_update: indices of shape \(1, 3\) index 3 axes"):
        ops.scatter_update(x, [[0, 0, 0]], [1.0])
    with pytest.raises(ValueError, match=r"ops.scatter_update: reduction must be None, 'add'"):
        ops.scatter_update(x, [[0]], torch.ones(1, 4), reduction="mean")
    with pytest.raises(ValueError, match=r"ops.unstack: num=2 does not match the size 3"):
        ops.unstack(x, num=2)
    with pytest.raises(ValueError, match=r"ops.scan: expected xs or length"):
        ops.scan(lambda c, x: (c, x), 0.0)
    with pytest.raises(ValueError, match=r"ops.switch: expected at least one branch"):
        ops.switch(0, [])
    with pytest.raises(ValueError, match=r"ops.convert_to_tensor: sparse=True is not supported"):
        ops.convert_to_tensor([1], sparse=True)

    @ops.custom_gradient
    def bad(x):
        return x * 2, lambda up: (up, up)

    with pytest.raises(ValueError, match=r"ops.custom_gradient: the gradient function returned 2 gradients for 1"):
        bad(torch.ones(1, requires_grad=True)).sum().backward()


def test_tensors_stay_on_their_device_and_python_values_use_the_default():
    from kerastorch import config

    assert ops.convert_to_tensor([1.0]).device.type == config.default_device().type
    assert to_np(ops.scatter([[1]], [2], (3,))).tolist() == [0, 2, 0]
    assert ops.scatter([[1]], [2], (3,)).dtype == torch.int32
