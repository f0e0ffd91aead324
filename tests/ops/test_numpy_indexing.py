"""Indexing, sorting and counting ops (kerastorch/ops/numpy/indexing.py) against Keras 3's ``keras.ops``
(torch backend)."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from numpy_checks import ALL, NUMERIC, arrays, compare

from kerastorch.ops.numpy import indexing as X

ANY = st.sampled_from(ALL)
SORTABLE = st.sampled_from(("float32", "float64", "int32", "int64", "int8", "uint8"))


def _axis(d, x):
    return d.draw(st.integers(-x.ndim, x.ndim - 1))


def _take(d):
    x = d.draw(arrays(ANY))
    axis = d.draw(st.none() | st.integers(-x.ndim, x.ndim - 1))
    n = x.size if axis is None else x.shape[axis]
    low = 0 if axis is None else -n  # Keras's torch backend mis-handles negative indices without an axis
    return (x, d.draw(arrays("int32", low=low, high=n - 1, max_dims=2))), {"axis": axis}


def _take_along(d):
    x = d.draw(arrays(ANY))
    axis = _axis(d, x)
    shape = list(x.shape)
    shape[axis] = d.draw(st.integers(1, 3))
    return (x, d.draw(arrays("int64", tuple(shape), low=-x.shape[axis], high=x.shape[axis] - 1))), {"axis": axis}


def _where(d):
    shape = d.draw(st.sampled_from([(2, 3), (3,)]))
    scalar = st.integers(-3, 3) | st.floats(-2, 2)
    return (d.draw(arrays("bool", shape)), d.draw(arrays(ANY, shape) | scalar), d.draw(arrays(ANY, (3,)) | scalar)), {}


def _select(d):
    shape = (2, 3)
    count = d.draw(st.integers(1, 3))
    dtype = d.draw(st.sampled_from(NUMERIC))
    return (
        [d.draw(arrays("bool", shape)) for _ in range(count)],
        [d.draw(arrays(dtype, shape)) for _ in range(count)],
    ), {"default": d.draw(st.integers(-2, 2))}


def _sorted_case(d):
    seq = np.sort(d.draw(arrays(SORTABLE, min_dims=1, max_dims=1)))
    return (seq, d.draw(arrays(seq.dtype.name, max_dims=2))), {"side": d.draw(st.sampled_from(("left", "right")))}


CASES = {
    "take": _take,
    "take_along_axis": _take_along,
    "where": _where,
    "select": _select,
    "sort": lambda d: (lambda x: ((x,), {"axis": _axis(d, x)}))(d.draw(arrays(SORTABLE))),
    "argsort": lambda d: (lambda x: ((x,), {"axis": _axis(d, x)}))(d.draw(arrays(SORTABLE))),
    "searchsorted": _sorted_case,
    "digitize": lambda d: (lambda bins: ((d.draw(arrays("float32", max_dims=2)), bins), {}))(
        np.unique(d.draw(arrays(st.sampled_from(("float32", "int32")), min_dims=1, max_dims=1)))
    ),
    "isin": lambda d: (
        (
            d.draw(arrays(st.sampled_from(("int32", "int64", "float32")))),
            d.draw(arrays(st.sampled_from(("int32", "int64", "float32")), max_dims=1)),
        ),
        {"invert": d.draw(st.booleans())},
    ),
    "nonzero": lambda d: ((d.draw(arrays(ANY)),), {}),
    "bincount": lambda d: (
        lambda x: (
            (x,),
            {
                "minlength": d.draw(st.integers(0, 7)),
                "weights": d.draw(
                    st.none() | arrays(st.sampled_from(("float32", "float16", "int32", "int8")), x.shape)
                ),
            },
        )
    )(d.draw(arrays(st.sampled_from(("int32", "int64")), low=0, high=5, max_dims=1))),
    "histogram": lambda d: (
        (d.draw(arrays(st.sampled_from(("float32", "float64")), max_dims=1, max_side=6)),),
        {"bins": d.draw(st.integers(1, 5)), "range": d.draw(st.none() | st.just((-1.0, 2.0)))},
    ),
    "unique": lambda d: (
        (d.draw(arrays(SORTABLE, max_dims=1)),),
        {
            "return_index": d.draw(st.booleans()),
            "return_inverse": d.draw(st.booleans()),
            "return_counts": d.draw(st.booleans()),
        },
    ),
    "unravel_index": lambda d: ((d.draw(arrays("int32", low=0, high=11, max_dims=2)), (3, 4)), {}),
    "get_item": lambda d: ((d.draw(arrays(ANY, min_dims=2)), (slice(None), 0)), {}),
}


@pytest.mark.parametrize("name", sorted(CASES))
@given(data=st.data())
def test_same_as_keras(keras3, name, data):
    args, kwargs = CASES[name](data)
    expected = getattr(keras3.ops, name)(*args, **kwargs)
    if name == "nonzero":  # Keras's torch backend stacks the index tensors; we return them as a tuple
        expected = tuple(expected)
    if name == "get_item":  # Keras returns a NumPy array for a NumPy input
        expected = torch.as_tensor(expected)
    compare(lambda *a, **k: expected, getattr(X, name), args, kwargs)


@given(x=arrays("float32", min_dims=1, max_dims=2), data=st.data())
def test_argpartition_partitions(keras3, x, data):
    kth = data.draw(st.integers(0, x.shape[-1] - 1))
    order = X.argpartition(torch.tensor(x), kth)
    assert order.dtype == keras3.ops.argpartition(x, kth).dtype == torch.int32
    part = np.take_along_axis(x, order.numpy(), -1)
    np.testing.assert_array_equal(part[..., kth], np.sort(x, -1)[..., kth])
    assert (part[..., :kth] <= part[..., kth : kth + 1]).all() and (
        part[..., kth + 1 :] >= part[..., kth : kth + 1]
    ).all()


@given(x=arrays(st.sampled_from(("int32", "float32")), max_dims=1), size=st.integers(1, 5))
def test_unique_size_pads_like_keras(keras3, x, size):
    compare(keras3.ops.unique, X.unique, (x,), {"size": size, "fill_value": 9})


@given(x=arrays("int32", low=0, high=4, min_dims=2, max_dims=2), minlength=st.integers(0, 6))
def test_bincount_of_rows_matches_numpy(x, minlength):
    out = X.bincount(torch.tensor(x), minlength=minlength)
    length = max(minlength, x.max() + 1)
    np.testing.assert_array_equal(out.numpy(), [np.bincount(row, minlength=length) for row in x])


@given(x=arrays("int32", low=0, high=3, min_dims=2, max_dims=2))
def test_unique_of_arrays_matches_numpy(x):
    values, index, inverse, counts = X.unique(
        torch.tensor(x), return_index=True, return_inverse=True, return_counts=True
    )
    expected = np.unique(x, return_index=True, return_inverse=True, return_counts=True)
    for got, want in zip((values, index, inverse, counts), expected):
        np.testing.assert_array_equal(got.numpy(), np.reshape(want, got.shape))
    rows, row_inverse = X.unique(torch.tensor(x), axis=0, return_inverse=True)
    np.testing.assert_array_equal(rows.numpy()[row_inverse.numpy()], x)


def test_where_with_one_argument_is_nonzero():
    cond = torch.tensor([[True, False], [False, True]])
    rows, cols = X.where(cond)
    assert rows.tolist() == [0, 1] and cols.tolist() == [0, 1] and rows.dtype == torch.int32


def test_errors_name_the_function():
    with pytest.raises(ValueError, match=r"ops\.take: indices out of range"):
        X.take(torch.ones(3), torch.tensor([5]))
    with pytest.raises(ValueError, match=r"ops\.where: expected both x1 and x2"):
        X.where(torch.ones(2) > 0, 1)
    with pytest.raises(ValueError, match=r"ops\.searchsorted: expected a 1-D sorted_sequence"):
        X.searchsorted(torch.ones(2, 2), torch.ones(2))
    with pytest.raises(ValueError, match=r"ops\.bincount: expected a 1-D or 2-D integer input"):
        X.bincount(torch.ones(3))
    with pytest.raises(ValueError, match=r"ops\.histogram: expected a 1-D input"):
        X.histogram(torch.ones(2, 2))
    with pytest.raises(ValueError, match=r"ops\.select: expected as many conditions as choices"):
        X.select([torch.ones(2) > 0], [])
    with pytest.raises(ValueError, match=r"ops\.sort: expected an axis in"):
        X.sort(torch.ones(2), axis=3)
