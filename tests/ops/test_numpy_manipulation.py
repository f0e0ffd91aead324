"""Shape manipulation ops (kerastorch/ops/numpy/manipulation.py) against Keras 3's ``keras.ops`` (torch backend)."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy_checks import ALL, arrays, compare

from kerastorch.ops.numpy import manipulation as M

ANY = st.sampled_from(ALL)


def _x(d, **kw):
    return d.draw(arrays(ANY, **kw))


def _axis(d, x):
    return d.draw(st.integers(-x.ndim, x.ndim - 1))


def _joinable(d, count, rank_min=1):
    shape = d.draw(hnp.array_shapes(min_dims=rank_min, max_dims=3, max_side=3))
    return [d.draw(arrays(ANY, shape)) for _ in range(count)]


def _split_case(d):
    x = _x(d)
    axis = _axis(d, x)
    size = x.shape[axis]
    sections = d.draw(
        st.sampled_from([s for s in (1, 2, 3) if size % s == 0])
        | st.lists(st.integers(0, size), min_size=1, max_size=2).map(sorted)
    )
    return (x, sections), {"axis": axis}


def _pad_case(d):
    x = _x(d, max_dims=2, min_side=2)
    mode = d.draw(st.sampled_from(("constant", "reflect", "symmetric")))
    # reflect and symmetric within the axis: Keras's torch backend goes wrong when a symmetric width reaches the
    # axis size ([0, 1] padded by 2 on the right gives [0, 1, 1, 1], NumPy [0, 1, 1, 0]); wider pads are checked
    # against NumPy in test_pad_modes_match_numpy_for_any_width
    limit = 1 if mode in ("reflect", "symmetric") else 2
    widths = tuple((d.draw(st.integers(0, limit)), d.draw(st.integers(0, limit))) for _ in range(x.ndim))
    kwargs = {"mode": mode}
    if mode == "constant" and x.dtype != bool:
        kwargs["constant_values"] = d.draw(st.integers(0, 3))
    if mode != "constant" and x.ndim == 1:  # Keras's torch backend pads only batched inputs in these modes
        x = x[None]
        widths = ((0, 0),) + widths
    return (x, widths), kwargs


CASES = {
    "reshape": lambda d: (lambda x: ((x, d.draw(st.sampled_from([(-1,), (x.size,), (1, -1), (-1, 1)]))), {}))(_x(d)),
    "ravel": lambda d: ((_x(d),), {}),
    "transpose": lambda d: (lambda x: ((x,), {"axes": d.draw(st.none() | st.permutations(range(x.ndim)))}))(_x(d)),
    "swapaxes": lambda d: (lambda x: ((x, _axis(d, x), _axis(d, x)), {}))(_x(d)),
    "moveaxis": lambda d: (lambda x: ((x, _axis(d, x), _axis(d, x)), {}))(_x(d)),
    "expand_dims": lambda d: (lambda x: ((x, d.draw(st.integers(-x.ndim - 1, x.ndim))), {}))(_x(d)),
    "squeeze": lambda d: (
        lambda x: (
            (x,),
            {"axis": d.draw(st.none() | st.sampled_from([i for i, s in enumerate(x.shape) if s == 1] or [None]))},
        )
    )(_x(d, max_side=2)),
    "concatenate": lambda d: ((_joinable(d, d.draw(st.integers(1, 3))),), {"axis": 0}),
    "append": lambda d: (tuple(_joinable(d, 2)), {"axis": d.draw(st.sampled_from((None, 0)))}),
    "stack": lambda d: ((_joinable(d, d.draw(st.integers(1, 3))),), {"axis": d.draw(st.integers(-1, 1))}),
    "hstack": lambda d: ((_joinable(d, 2),), {}),
    "vstack": lambda d: ((_joinable(d, 2),), {}),
    "dstack": lambda d: ((_joinable(d, 2),), {}),
    "split": _split_case,
    "array_split": lambda d: (lambda x: ((x, d.draw(st.integers(1, 4))), {"axis": _axis(d, x)}))(_x(d)),
    "tile": lambda d: ((_x(d), d.draw(st.integers(1, 2) | st.lists(st.integers(1, 2), min_size=1, max_size=4))), {}),
    "repeat": lambda d: (lambda x: ((x, d.draw(st.integers(0, 2))), {"axis": d.draw(st.none() | st.just(0))}))(_x(d)),
    "flip": lambda d: (lambda x: ((x,), {"axis": d.draw(st.none() | st.integers(-x.ndim, x.ndim - 1))}))(_x(d)),
    "fliplr": lambda d: ((_x(d, min_dims=2),), {}),
    "flipud": lambda d: ((_x(d),), {}),
    "roll": lambda d: (lambda x: ((x, d.draw(st.integers(-4, 4))), {"axis": d.draw(st.none() | st.just(-1))}))(_x(d)),
    "rot90": lambda d: ((_x(d, min_dims=2), d.draw(st.integers(-3, 4))), {}),
    "broadcast_to": lambda d: (lambda x: ((x, (2,) + x.shape), {}))(_x(d)),
    "pad": _pad_case,
    "diff": lambda d: (lambda x: ((x,), {"n": d.draw(st.integers(0, 2)), "axis": _axis(d, x)}))(
        d.draw(arrays(st.sampled_from(("float32", "float64", "int32", "int64", "int8", "bool"))))
    ),
    "view": lambda d: (
        (d.draw(arrays(st.sampled_from(("float32", "int32")))),),
        {"dtype": d.draw(st.sampled_from((None, "float32", "int32")))},
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
@given(data=st.data())
def test_same_as_keras(keras3, name, data):
    args, kwargs = CASES[name](data)
    compare(getattr(keras3.ops, name), getattr(M, name), args, kwargs)


@pytest.mark.parametrize("name, shape", [("hsplit", (2, 4)), ("vsplit", (4, 2)), ("dsplit", (1, 2, 4))])
def test_named_splits(keras3, name, shape):
    x = np.arange(np.prod(shape), dtype="float32").reshape(shape)
    compare(getattr(keras3.ops, name), getattr(M, name), (x, 2))


def test_ndim_and_size(keras3):
    x = np.ones((2, 3, 1), "int8")
    assert M.ndim(x) == keras3.ops.ndim(x) == 3
    compare(keras3.ops.size, M.size, (x,))


@given(
    x=arrays("float32", min_dims=1, max_dims=2, min_side=1, max_side=3),
    mode=st.sampled_from(("edge", "wrap", "reflect", "symmetric")),
    width=st.integers(0, 5),
)
def test_pad_modes_match_numpy_for_any_width(x, mode, width):
    if mode == "reflect" and min(x.shape) == 1:
        width = 0 if width else 0  # NumPy cannot reflect a size-1 axis by more than zero
    np.testing.assert_array_equal(M.pad(torch.tensor(x), width, mode=mode).numpy(), np.pad(x, width, mode=mode))


@given(x=arrays("float32", min_dims=2))
def test_views_and_gradients(x):
    t = torch.tensor(x, requires_grad=True)
    assert M.transpose(t)._base is t and M.moveaxis(t, 0, -1)._base is t
    out = M.concatenate([t, M.flip(t, 0)], axis=0)
    out.sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), np.full_like(x, 2.0))


def test_errors_name_the_function():
    with pytest.raises(ValueError, match=r"ops\.reshape: cannot reshape an input of shape \(2, 3\)"):
        M.reshape(torch.ones(2, 3), (4,))
    with pytest.raises(ValueError, match=r"ops\.concatenate: cannot join inputs of shapes"):
        M.concatenate([torch.ones(2, 3), torch.ones(2, 2)])
    with pytest.raises(ValueError, match=r"ops\.split: expected a number of sections that divides"):
        M.split(torch.ones(3), 2)
    with pytest.raises(ValueError, match=r"ops\.squeeze: expected axes of size 1"):
        M.squeeze(torch.ones(2, 3), axis=0)
    with pytest.raises(ValueError, match=r"ops\.broadcast_to: cannot broadcast shape \(2, 3\) to \(3, 3\)"):
        M.broadcast_to(torch.ones(2, 3), (3, 3))
    with pytest.raises(ValueError, match=r"ops\.pad: expected mode one of"):
        M.pad(torch.ones(2), 1, mode="maximum")
    with pytest.raises(ValueError, match=r"ops\.pad: constant_values can only be given"):
        M.pad(torch.ones(2), 1, mode="reflect", constant_values=1)
    with pytest.raises(ValueError, match=r"ops\.transpose: expected an axis in \[-2, 2\)"):
        M.transpose(torch.ones(2, 3), (0, 2))
    with pytest.raises(ValueError, match=r"ops\.dsplit: expected an input of rank >= 3"):
        M.dsplit(torch.ones(2, 2), 1)
    with pytest.raises(ValueError, match=r"ops\.stack: expected a non-empty list"):
        M.stack([])
