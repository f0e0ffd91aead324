"""``ops.rearrange`` against Keras 3 on hypothesis-drawn splits, merges and permutations of axes; the
ellipsis / size-1 extensions against a reshape + permute written out by hand; errors naming the function."""

import numpy as np
import pytest
import torch
from core_checks import assert_matches
from hypothesis import given
from hypothesis import strategies as st

from kerastorch import ops

NAMES = "abcde"


def _groups(draw, names):
    """``names`` cut into consecutive groups."""
    groups, i = [], 0
    while i < len(names):
        size = draw(st.integers(1, len(names) - i))
        groups.append(names[i : i + size])
        i += size
    return groups


def _text(groups):
    return " ".join(g[0] if len(g) == 1 else "(" + " ".join(g) + ")" for g in groups)


@st.composite
def rearrangements(draw):
    n = draw(st.integers(1, 4))
    names = list(NAMES[:n])
    sizes = {name: draw(st.integers(1, 3)) for name in names}
    left = _groups(draw, names)
    right = _groups(draw, draw(st.permutations(names)))
    lengths = {}
    for group in left:
        if len(group) > 1:
            keep = draw(st.sampled_from(group))  # one size per group may be inferred
            lengths.update({name: sizes[name] for name in group if name != keep})
    shape = [int(np.prod([sizes[name] for name in group])) for group in left]
    return f"{_text(left)} -> {_text(right)}", shape, lengths


@pytest.mark.parity
@given(rearrangements())
def test_matches_keras(keras3, case):
    pattern, shape, lengths = case
    x = torch.arange(float(np.prod(shape))).reshape(shape)
    ours_in, theirs_in = x.clone().requires_grad_(), x.clone().requires_grad_()
    ours = ops.rearrange(ours_in, pattern, **lengths)
    theirs = keras3.ops.rearrange(theirs_in, pattern, **lengths)
    assert_matches(ours, theirs)
    weights = torch.arange(float(ours.numel())).reshape(ours.shape)
    (ours * weights).sum().backward()
    (theirs * weights).sum().backward()
    assert_matches(ours_in.grad, theirs_in.grad)


def test_ellipsis_and_unit_axes():
    x = torch.arange(120).reshape(2, 3, 4, 5)
    assert torch.equal(ops.rearrange(x, "b ... c -> b c ..."), x.permute(0, 3, 1, 2))
    assert torch.equal(ops.rearrange(x, "b ... c -> b (...) c"), x.reshape(2, 12, 5))
    assert torch.equal(ops.rearrange(x, "... -> (...)"), x.reshape(-1))
    assert torch.equal(ops.rearrange(x, "b h w c -> b 1 (h w) c 1"), x.reshape(2, 1, 12, 5, 1))
    assert torch.equal(ops.rearrange(x[:, :1], "b 1 w c -> c b w"), x[:, 0].permute(2, 0, 1))
    assert ops.rearrange(x, "b h w c -> b h w c") is not None


@pytest.mark.parametrize(
    "pattern, sizes, match",
    [
        ("b h -> h b", dict(), r"ops.rearrange: the left side has 2 axes, the input of shape \(2, 3, 4\)"),
        ("b h w -> b h", dict(), r"ops.rearrange: the two sides name different axes: \['w'\]"),
        ("b h h -> b h", dict(), r"ops.rearrange: axis names repeat on one side: \['h'\]"),
        ("(a c) h w -> a c h w", dict(), r"ops.rearrange: cannot infer the sizes of \['a', 'c'\]"),
        ("(a c) h w -> a c h w", dict(a=3), r"ops.rearrange: axis of size 2 does not split into \('a', 'c'\)"),
        ("b h w -> b h w", dict(h=5), r"ops.rearrange: axis of size 3 does not match \('h',\) of size 5"),
        ("b (h w -> b", dict(), r"ops.rearrange: unbalanced '\('"),
        ("b h w", dict(), r"ops.rearrange: expected exactly one '->'"),
        ("b h + w -> b", dict(), r"ops.rearrange: unexpected '\+'"),
    ],
)
def test_errors_name_the_function(pattern, sizes, match):
    with pytest.raises(ValueError, match=match):
        ops.rearrange(torch.zeros(2, 3, 4), pattern, **sizes)
