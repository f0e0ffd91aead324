"""``kerastorch.ops`` math functions against Keras 3's (torch backend): values, dtypes and shapes."""

import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st
from nn_parity import arrays, assert_matches, shapes

from kerastorch import ops
from kerastorch.ops import math as ops_math

FLOATS = ["float32", "float64"]
ELEMENTWISE = [
    ("rsqrt", FLOATS + ["float16", "int32", "bool"], 0.1, 4.0),
    ("erf", FLOATS + ["float16", "int32", "bool"], -3.0, 3.0),
    ("erfc", FLOATS + ["float16", "int32"], -3.0, 3.0),
    ("erfinv", FLOATS + ["float16"], -0.9, 0.9),
]


@pytest.mark.parametrize("name, dtypes, low, high", ELEMENTWISE, ids=[e[0] for e in ELEMENTWISE])
@given(data=st.data())
def test_elementwise_match_keras(keras3, name, dtypes, low, high, data):
    dtype = data.draw(st.sampled_from(dtypes))
    x = torch.as_tensor(data.draw(arrays(dtype, shapes(), low, high)))
    assert_matches(getattr(ops, name)(x), getattr(keras3.ops, name)(x))


@pytest.mark.parametrize("name", ["segment_sum", "segment_max", "segment_min", "segment_prod"])
@given(data=st.data())
def test_segments_match_keras(keras3, name, data):
    dtype = data.draw(st.sampled_from(FLOATS + ["int64"]))
    x = torch.as_tensor(data.draw(arrays(dtype, shapes(1, 2), -3, 3)))
    ids = torch.as_tensor(data.draw(arrays("int64", (x.shape[0],), 0, 3)))
    num = data.draw(st.sampled_from([None, 4, 5]))
    ours, theirs = getattr(ops, name)(x, ids, num), getattr(keras3.ops, name)(x, ids, num)
    if name == "segment_min" and dtype == "int64":  # Keras fills empty segments with the int64 minimum, we with
        present = torch.zeros(ours.shape[0], dtype=torch.bool)  # the identity of min (the int64 maximum)
        present[ids] = True
        assert bool((ours[~present] == torch.iinfo(torch.int64).max).all())
        ours, theirs = ours[present], theirs[present]
    assert_matches(ours, theirs)


@given(data=st.data())
def test_top_k_in_top_k_logsumexp_match_keras(keras3, data):
    dtype = data.draw(st.sampled_from(FLOATS + ["int32"]))
    x = torch.as_tensor(data.draw(arrays(dtype, st.tuples(st.integers(1, 3), st.integers(1, 5)))))
    k = data.draw(st.integers(1, x.shape[-1]))
    assume(len(set(x.flatten().tolist())) == x.numel())  # ties make the order of indices arbitrary
    assert_matches(tuple(ops.top_k(x, k)), tuple(keras3.ops.top_k(x, k)))
    targets = torch.as_tensor(data.draw(arrays("int64", (x.shape[0],), 0, x.shape[-1] - 1)))
    assert_matches(ops.in_top_k(targets, x, k), keras3.ops.in_top_k(targets, x, k))
    axis = data.draw(st.sampled_from([None, 0, -1]))
    keep = data.draw(st.booleans())
    assert_matches(ops.logsumexp(x, axis, keep), keras3.ops.logsumexp(x, axis, keep))


@given(data=st.data())
def test_ffts_match_keras(keras3, data):
    dtype = data.draw(st.sampled_from(FLOATS))
    shape = data.draw(shapes(2, 3, min_side=2))
    real, imag = (torch.as_tensor(data.draw(arrays(dtype, shape))) for _ in range(2))
    for name in ("fft", "fft2", "ifft2"):
        assert_matches(getattr(ops, name)((real, imag)), getattr(keras3.ops, name)((real, imag)), rtol=1e-4, atol=1e-4)
    n = data.draw(st.sampled_from([None, 4]))
    spectrum = ops.rfft(real, n)
    assert_matches(spectrum, keras3.ops.rfft(real, n), rtol=1e-4, atol=1e-4)
    assert_matches(ops.irfft(spectrum, n), keras3.ops.irfft(spectrum, n), rtol=1e-4, atol=1e-4)


@given(data=st.data())
def test_stft_istft_match_keras(keras3, data):
    dtype = data.draw(st.sampled_from(FLOATS))
    x = torch.as_tensor(data.draw(arrays(dtype, (2, 16))))
    seq = data.draw(st.sampled_from([4, 6, 8]))
    fft_length = data.draw(st.sampled_from([8, 16]))
    stride = data.draw(st.sampled_from([2, 4]))
    window = data.draw(st.sampled_from(["hann", "hamming", None]))
    center = data.draw(st.booleans())
    kw = dict(window=window, center=center)
    spectrum = ops.stft(x, seq, stride, fft_length, **kw)
    assert_matches(spectrum, keras3.ops.stft(x, seq, stride, fft_length, **kw), rtol=1e-4, atol=1e-4)
    if center and window is not None and seq == fft_length:
        assert_matches(
            ops.istft(spectrum, seq, stride, fft_length, 16, **kw),
            keras3.ops.istft(spectrum, seq, stride, fft_length, 16, **kw),
            rtol=1e-4,
            atol=1e-4,
        )


@given(data=st.data())
def test_sequences_cdist_logdet_views_match_keras(keras3, data):
    dtype = data.draw(st.sampled_from(FLOATS))
    x = torch.as_tensor(data.draw(arrays(dtype, shapes(1, 2, min_side=4, max_side=6))))
    length, stride = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 3))
    assert_matches(ops.extract_sequences(x, length, stride), keras3.ops.extract_sequences(x, length, stride))
    a = torch.as_tensor(data.draw(arrays(dtype, (2, 3, 2))))
    b = torch.as_tensor(data.draw(arrays(dtype, (2, 4, 2))))
    assert_matches(ops.cdist(a, b), keras3.ops.cdist(a, b), rtol=1e-4, atol=1e-4)
    m = torch.as_tensor(data.draw(arrays(dtype, (2, 3, 3)))) + 10 * torch.eye(3, dtype=getattr(torch, dtype))
    assert_matches(ops.logdet(m), keras3.ops.logdet(m), rtol=1e-4, atol=1e-4)
    # Keras makes complex64 of float64 too; kerastorch keeps 64-bit precision (complex128)
    assert_matches(ops.view_as_complex(a), keras3.ops.view_as_complex(a), check_dtype=dtype == "float32")
    assert ops.view_as_complex(a).dtype == (torch.complex64 if dtype == "float32" else torch.complex128)
    z = ops.view_as_complex(a)
    assert_matches(ops.view_as_real(z), keras3.ops.view_as_real(z))


def test_errors():
    with pytest.raises(ValueError, match="ops.segment_sum: expected 1-D segment_ids"):
        ops.segment_sum(torch.ones(3), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="ops.top_k: k must be in"):
        ops.top_k(torch.ones(3), 4)
    with pytest.raises(ValueError, match="ops.fft: expected a tuple"):
        ops.fft(torch.ones(3))
    with pytest.raises(ValueError, match="ops.logdet: expected square matrices"):
        ops.logdet(torch.ones(2, 3))
    with pytest.raises(ValueError, match="ops.stft: window must be"):
        ops.stft(torch.ones(2, 16), 4, 2, 8, window="bogus")


def test_namespace_matches_keras(keras3):
    import keras.src.ops.math as keras_math

    theirs = {
        n
        for n in dir(keras3.ops)
        if not n.startswith("_")
        and getattr(keras_math, n, None) is getattr(keras3.ops, n)
        and callable(getattr(keras3.ops, n))
        and n[0].islower()
    }
    assert theirs <= set(ops_math.__all__), theirs - set(ops_math.__all__)
    assert all(hasattr(ops, n) for n in ops_math.__all__)
