"""No argument is silently ignored (issue 15): each argument that used to be accepted and dropped is now either
honoured (checked against Keras 3 on its torch backend where Keras runs) or refused with an error naming it."""

import itertools
import json
import math
import warnings

import numpy as np
import pytest
import torch
from torch.profiler import ProfilerActivity, profile

import kerastorch
from kerastorch import initializers, layers, metrics, ops


def _generator(seed):
    return torch.Generator().manual_seed(seed)


# ------------------------------------------------------------------ 1. ctc_decode(strategy="beam_search")
def _beam(x, lengths, **kwargs):
    return ops.ctc_decode(x, lengths, strategy="beam_search", **kwargs)


@pytest.mark.parametrize("seed", range(6))
def test_ctc_beam_search_matches_keras(keras3, seed):
    g = _generator(seed)
    batch, steps, classes = 3, 2 + seed % 4, 3 + seed % 3
    x = torch.randn(batch, steps, classes, generator=g) * 2
    lengths = torch.randint(1, steps + 1, (batch,), generator=g)
    kwargs = {
        "beam_width": [1, 3, 8, 100][seed % 4],
        "top_paths": 1 + seed % 4,
        "mask_index": [0, classes - 1, None][seed % 3],
    }
    ours = _beam(x, lengths, **kwargs)
    theirs = keras3.ops.ctc_decode(x, lengths, strategy="beam_search", **kwargs)
    assert ours[0].dtype == torch.int32 and ours[1].dtype == torch.float32
    assert torch.equal(ours[0], torch.as_tensor(theirs[0]))
    torch.testing.assert_close(ours[1], torch.as_tensor(theirs[1]), rtol=1e-5, atol=1e-5)


def _exact_ctc(log_probs, blank):
    """{label sequence: log-probability}, summing every alignment of one sample (brute force)."""
    steps, classes = log_probs.shape
    totals = {}
    for path in itertools.product(range(classes), repeat=steps):
        labels = tuple(c for i, c in enumerate(path) if c != blank and (i == 0 or path[i - 1] != c))
        totals[labels] = totals.get(labels, 0.0) + math.exp(sum(log_probs[t, c] for t, c in enumerate(path)))
    return {k: math.log(v) for k, v in totals.items()}


def test_ctc_beam_search_wide_beam_is_exact():
    """A beam wide enough to keep every prefix returns the most probable label sequences with their exact
    probabilities (the sum over all their alignments)."""
    x = torch.randn(1, 4, 3, generator=_generator(3), dtype=torch.float64) * 2
    exact = _exact_ctc(torch.log_softmax(x[0].float(), -1).double().numpy(), blank=1)
    best = sorted(exact.items(), key=lambda kv: -kv[1])[:5]
    decoded, scores = _beam(x, torch.tensor([4]), beam_width=100, top_paths=5, mask_index=1)
    for rank, (labels, log_prob) in enumerate(best):
        row = decoded[rank, 0].tolist()
        assert tuple(row[: len(labels)]) == labels and all(v == -1 for v in row[len(labels) :])
        assert scores[0, rank].item() == pytest.approx(log_prob, abs=1e-5)


def test_ctc_beam_search_edges_and_errors():
    x = torch.randn(2, 3, 3, generator=_generator(0))
    decoded, scores = _beam(x, torch.tensor([3, 0]), beam_width=2, top_paths=4)
    assert decoded.shape == (4, 2, 3) and scores.shape == (2, 4)
    assert torch.isinf(scores[0, 2:]).all() and (decoded[2:, 0] == -1).all()  # a width-2 beam holds 2 prefixes
    assert scores[1, 0].item() == 0.0 and (decoded[:, 1] == -1).all()  # no steps: the empty sequence, certain
    with pytest.raises(ValueError, match="merge_repeated=False is not supported with strategy='beam_search'"):
        _beam(x, torch.tensor([3, 3]), merge_repeated=False)
    with pytest.raises(ValueError, match="top_paths must be 1"):
        ops.ctc_decode(x, torch.tensor([3, 3]), top_paths=2)
    with pytest.raises(ValueError, match="argument `beam_width` must be a positive integer"):
        _beam(x, torch.tensor([3, 3]), beam_width=0)
    with pytest.raises(ValueError, match="argument `top_paths` must be a positive integer"):
        _beam(x, torch.tensor([3, 3]), top_paths=1.5)


# --------------------------------------------------------------------------------- 2. unique(sorted=...)
def test_unique_unsorted_is_first_occurrence_order():
    x = torch.tensor([[3, 1, 2], [1, 3, 5], [0, 5, 2]])
    values, index, inverse, counts = ops.unique(
        x, sorted=False, return_index=True, return_inverse=True, return_counts=True
    )
    flat = x.flatten().tolist()
    order = list(dict.fromkeys(flat))
    assert values.tolist() == order
    assert index.tolist() == [flat.index(v) for v in order]
    assert torch.equal(values[inverse], x) and inverse.shape == x.shape
    assert counts.tolist() == [flat.count(v) for v in order]
    padded = ops.unique(x, sorted=False, size=7, fill_value=-1)
    assert padded.tolist() == order + [-1, -1]
    rows = torch.tensor([[2, 0], [1, 1], [2, 0], [0, 9]])
    unique_rows, row_inverse = ops.unique(rows, sorted=False, axis=0, return_inverse=True)
    assert unique_rows.tolist() == [[2, 0], [1, 1], [0, 9]] and row_inverse.tolist() == [0, 1, 0, 2]
    with pytest.raises(ValueError, match="ops.unique: argument `sorted` must be a bool"):
        ops.unique(x, sorted="no")


def test_unique_sorted_matches_keras(keras3):
    x = torch.tensor([3, 1, 2, 1, 3, 5, 0])
    ours = ops.unique(x, return_index=True, return_inverse=True, return_counts=True)
    theirs = keras3.ops.unique(x, return_index=True, return_inverse=True, return_counts=True)
    for a, b in zip(ours, theirs):
        assert a.tolist() == torch.as_tensor(b).tolist()


# ------------------------------------------------------------------ 3. VarianceScaling input_axes/output_axes
@pytest.mark.parametrize(
    "make",
    [
        lambda **kw: initializers.VarianceScaling(distribution="uniform", **kw),
        lambda **kw: initializers.LecunUniform(**kw),
    ],
)
def test_fan_axes_are_used_together_or_refused(make):
    shape = (2, 40, 50)
    limit = math.sqrt(3.0 / 2)  # fan_in = shape[0] = 2
    w = make(seed=0, input_axes=[0], output_axes=[1, 2])(shape)
    assert w.abs().max() <= limit and w.abs().max() > 0.9 * limit  # the default fan_in (2 * 40) is far smaller
    init = make(seed=0, input_axes=(0,), output_axes=(1, 2))
    clone = type(init).from_config(json.loads(json.dumps(init.get_config())))
    assert clone.get_config()["input_axes"] == [0] and torch.equal(clone(shape), init(shape))
    for one_alone in ({"input_axes": [0]}, {"output_axes": [1]}):
        with pytest.raises(ValueError, match="input_axes and output_axes must be given together"):
            make(**one_alone)
    with pytest.raises(ValueError, match="input_axes must be a list of ints"):
        make(input_axes=["a"], output_axes=[1])
    with pytest.raises(ValueError, match="must be axes of the shape"):
        make(input_axes=[0], output_axes=[3])((2, 3))


def test_fan_axes_config_loads_in_keras(keras3):
    config = initializers.HeNormal(seed=1, input_axes=[0, 1], output_axes=[2]).get_config()
    theirs = keras3.initializers.HeNormal.from_config(config)
    assert theirs.input_axes == [0, 1] and theirs.output_axes == [2]


# ------------------------------------------------------------------------------ 4. Precision/Recall top_k
@pytest.mark.parametrize("cls", [metrics.Precision, metrics.Recall])
def test_top_k_is_validated(cls):
    for bad in (0, -2, 1.5, True, "2"):
        with pytest.raises(ValueError, match=f"{cls.__name__}: argument `top_k` must be a positive integer or None"):
            cls(top_k=bad)
    assert cls(top_k=np.int64(2)).top_k == 2 and cls().top_k is None
    m = cls(top_k=1)
    assert float(m(torch.tensor([[0.0, 1.0, 1.0]]), torch.tensor([[0.2, 0.9, 0.5]]))) == (
        1.0 if cls is metrics.Precision else 0.5
    )


# ------------------------------------------------------------------------------------- 5. value ranges
def test_value_range_needs_two_distinct_bounds():
    for make in (
        lambda r: layers.Solarization(0.2, value_range=r),
        lambda r: layers.RandomPosterization(4, r),
        lambda r: layers.AutoContrast(value_range=r),
    ):
        with pytest.raises(ValueError, match=r"value_range must be a pair of numbers \(low, high\) with low < high"):
            make((1, 1))
        assert make((1, 0)).value_range == [0, 1]  # sorted, as Keras stores these
    for make in (
        lambda r: layers.RandomInvert(value_range=r),
        lambda r: layers.RandomColorJitter(value_range=r, brightness_factor=0.2),
        lambda r: layers.RandAugment(value_range=r),
    ):
        for bad in ((1, 1), (1, 0)):
            with pytest.raises(ValueError, match="with low < high"):
                make(bad)


# ----------------------------------------------------------------------- 6. layer_normalization, multi_hot
def test_layer_normalization_rms_scaling_matches_keras(keras3):
    x = torch.randn(2, 3, 4, generator=_generator(1))
    for gamma, axis in (
        (torch.randn(4, generator=_generator(2)), -1),
        (torch.randn(3, generator=_generator(3)), 1),
        (None, (1, 2)),
    ):
        with pytest.warns(UserWarning, match="rms_scaling=True is deprecated"):
            ours = ops.layer_normalization(x, gamma, axis=axis, rms_scaling=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = keras3.ops.layer_normalization(x, gamma, axis=axis, rms_scaling=True)
        torch.testing.assert_close(ours, torch.as_tensor(theirs), rtol=1e-5, atol=1e-6)
    assert torch.equal(ops.layer_normalization(x, rms_scaling=False), ops.layer_normalization(x))
    with pytest.raises(TypeError, match=r"ops.layer_normalization: unexpected keyword arguments \['center'\]"):
        ops.layer_normalization(x, center=False)
    with pytest.raises(ValueError, match="rms_scaling=True scales without an offset, so beta must be None"):
        ops.layer_normalization(x, beta=torch.ones(4), rms_scaling=True)


def test_multi_hot_refuses_unknown_keywords():
    assert ops.multi_hot(torch.tensor([0, 2]), num_tokens=3).tolist() == [1.0, 0.0, 1.0]
    assert ops.multi_hot(torch.tensor([0, 2]), 3, num_tokens=3).tolist() == [1.0, 0.0, 1.0]
    with pytest.raises(TypeError, match=r"ops.multi_hot: unexpected keyword arguments \['depth'\]"):
        ops.multi_hot(torch.tensor([0, 2]), 3, depth=3)
    with pytest.raises(ValueError, match="received both, with different values"):
        ops.multi_hot(torch.tensor([0, 2]), 3, num_tokens=4)


# -------------------------------------------------------------------------------------- 7. while_loop
def test_while_loop_single_list_variable_matches_keras(keras3):
    for loop_vars, body in (
        ([torch.tensor(0)], lambda x: x + 1),
        ([torch.tensor(0)], lambda x: [x + 1]),
        ((torch.tensor(0),), lambda x: x + 1),
        (torch.tensor(0), lambda x: x + 1),
        (torch.tensor(0), lambda x: (x + 1,)),
    ):
        ours = ops.while_loop(lambda x: x < 3, body, loop_vars)
        theirs = keras3.ops.while_loop(lambda x: x < 3, body, loop_vars)
        assert type(ours) is type(theirs) and str(ours) == str(theirs)
    vector = ops.while_loop(lambda v: v.sum() < 6, lambda v: v * 2, [torch.ones(2)])
    assert isinstance(vector, tuple) and len(vector) == 1 and vector[0].tolist() == [4.0, 4.0]


# -------------------------------------------------------------------------------------------- 8. conv
def test_conv_channel_error_for_list_inputs():
    inputs = np.ones((1, 4, 3)).tolist()
    with pytest.raises(ValueError, match=r"the input channels \(3\) must be a multiple .* inputs of shape \(1, 4, 3\)"):
        ops.conv(inputs, torch.ones(2, 2, 5))


# ------------------------------------------------------- 9. hints without effect: segment sorted, scan unroll; moments
def test_segment_sorted_hint_never_changes_results():
    data = torch.randn(6, 2, generator=_generator(5))
    ids = torch.tensor([2, 0, 1, 0, 2, 1])  # not sorted
    for op in (ops.segment_sum, ops.segment_max, ops.segment_min, ops.segment_prod):
        assert torch.equal(op(data, ids, num_segments=3, sorted=True), op(data, ids, num_segments=3))


def test_scan_unroll_is_checked_and_changes_nothing(keras3):
    xs = torch.arange(5.0)
    step = lambda c, x: (c + x, c * x)
    plain = ops.scan(step, torch.tensor(0.0), xs)
    for unroll in (True, False, 3):
        ours = ops.scan(step, torch.tensor(0.0), xs, unroll=unroll)
        assert torch.equal(ours[0], plain[0]) and torch.equal(ours[1], plain[1])
        theirs = keras3.ops.scan(step, torch.tensor(0.0), xs, unroll=unroll)
        assert torch.equal(ours[1], torch.as_tensor(theirs[1]))
    for bad in (0, 1.5, "2"):
        with pytest.raises(ValueError, match="ops.scan: unroll must be a positive int or a bool"):
            ops.scan(step, torch.tensor(0.0), xs, unroll=bad)


def test_moments_synchronized_is_refused_as_on_keras_torch():
    with pytest.raises(NotImplementedError, match="ops.moments: synchronized=True"):
        ops.moments(torch.ones(3), axes=[0], synchronized=True)


# ---------------------------------------------------------------------------------- 10. flash_attention
def _sdpa_kernels(fn):
    """The names of the fused-attention kernels ``fn`` runs."""
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        fn()
    return {e.name for e in prof.events() if e.name.startswith("aten::_scaled_dot_product")}


def test_dot_product_attention_flash_switch():
    q, k, v = torch.randn(3, 2, 5, 2, 4, generator=_generator(7)).unbind(0)
    default = ops.dot_product_attention(q, k, v)
    kernels = {}
    for flash in (None, False, True):
        out = ops.dot_product_attention(q, k, v, flash_attention=flash)
        torch.testing.assert_close(out, default, rtol=1e-5, atol=1e-6)
        kernels[flash] = _sdpa_kernels(lambda f=flash: ops.dot_product_attention(q, k, v, flash_attention=f))
    assert not any("flash" in name for name in kernels[False])
    assert any("flash" in name for name in kernels[True])  # torch's CPU flash kernel
    with pytest.raises(ValueError, match="flash_attention=True cannot be combined with attn_logits_soft_cap"):
        ops.dot_product_attention(q, k, v, flash_attention=True, attn_logits_soft_cap=20.0)
    with pytest.raises(ValueError, match="flash_attention must be None, True or False"):
        ops.dot_product_attention(q, k, v, flash_attention="auto")


@pytest.mark.parametrize(
    "make", [lambda **kw: layers.MultiHeadAttention(2, 4, **kw), lambda **kw: layers.GroupQueryAttention(4, 4, 2, **kw)]
)
def test_attention_layers_flash_switch_and_config(keras3, make):
    query, value = torch.randn(2, 2, 5, 6, generator=_generator(8)).unbind(0)
    reference = make()
    reference(query, value)
    outputs = {}
    for flash in (False, True):
        layer = make(flash_attention=flash)
        layer(query, value)
        layer.set_weights(reference.get_weights())
        outputs[flash] = layer(query, value)
        names = _sdpa_kernels(lambda: layer(query, value))
        assert any("flash" in name for name in names) == flash
        config = layer.get_config()
        assert config["flash_attention"] is flash
        assert type(layer).from_config(json.loads(json.dumps(config))).get_config() == config
        theirs = getattr(keras3.layers, type(layer).__name__).from_config(config)  # Keras takes the key
        assert theirs.get_config()["dropout"] == 0.0
        torch.testing.assert_close(outputs[flash], reference(query, value), rtol=1e-5, atol=1e-6)
    assert "flash_attention" not in reference.get_config()
    with pytest.raises(ValueError, match="flash_attention must be None, True or False"):
        make(flash_attention=1)


def test_multi_head_attention_flash_needs_the_fused_path():
    layer = layers.MultiHeadAttention(2, 3, attention_axes=(1, 2), flash_attention=True)
    x = torch.ones(1, 3, 4, 5)
    with pytest.raises(ValueError, match="flash_attention=True needs the fused kernel"):
        layer(x, x)


@pytest.mark.cuda
def test_flash_attention_on_cuda():
    q = torch.randn(1, 8, 2, 64, device="cuda")
    with pytest.raises(RuntimeError, match="flash_attention=True, but torch's flash attention kernel does not"):
        ops.dot_product_attention(q, q, q, flash_attention=True)  # float32: no CUDA flash kernel
    half = q.half()
    torch.testing.assert_close(
        ops.dot_product_attention(half, half, half, flash_attention=True),
        ops.dot_product_attention(half, half, half, flash_attention=False),
        rtol=2e-3,
        atol=2e-3,
    )


# ------------------------------------------------------------------------------------------- 11. unroll
@pytest.mark.parametrize("name", ["LSTM", "GRU", "SimpleRNN"])
def test_rnn_unroll_gives_the_same_results_as_keras(keras3, name):
    x = np.random.default_rng(0).normal(size=(3, 5, 4)).astype("float32")
    theirs = getattr(keras3.layers, name)(6, unroll=True, return_sequences=True)
    expected = np.asarray(torch.as_tensor(theirs(x)).detach())
    for unroll in (True, False):
        ours = getattr(kerastorch.layers, name)(6, unroll=unroll, return_sequences=True)
        ours.build(x.shape)
        ours.set_weights(theirs.get_weights())
        assert ours.get_config()["unroll"] is unroll
        np.testing.assert_allclose(ours(torch.as_tensor(x)).detach().numpy(), expected, rtol=1e-5, atol=1e-6)
