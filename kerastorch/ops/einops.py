"""``keras.ops.rearrange``: einops-style axis rearrangement as one ``reshape`` / ``permute`` / ``reshape``.

Patterns name the input axes on the left and the output axes on the right of ``->``; parentheses group axes
(``"b (h w) c"``), and ``axes_lengths`` give the sizes that cannot be inferred. Beyond Keras 3 (which refuses
them), an ellipsis ``...`` stands for the axes not named, and ``1`` or ``()`` is an axis of size 1.
The pattern is parsed once and cached.

Example:
    >>> import torch
    >>> x = torch.arange(24).reshape(2, 3, 4)
    >>> rearrange(x, "b h w -> b (h w)").shape
    torch.Size([2, 12])
    >>> rearrange(x, "b h w -> w b h").shape
    torch.Size([4, 2, 3])
    >>> rearrange(torch.arange(6), "(a b) -> b a", a=2).tolist()
    [[0, 3], [1, 4], [2, 5]]
"""

from __future__ import annotations

import functools
import math
import re

import torch

from kerastorch.backend.annotations import TensorLike
from kerastorch.ops.core import convert_to_tensor

__all__ = ["rearrange"]

_TOKEN = re.compile(r"\.\.\.|\(|\)|[A-Za-z_][A-Za-z0-9_]*|\d+|\S")


def _fail(pattern, message):
    return ValueError(f"ops.rearrange: {message} in pattern {pattern!r}")


def _side(pattern, text):
    """One side of a pattern as a list of groups, each a list of axis names (``"..."`` for the ellipsis)."""
    groups, current = [], None
    for token in _TOKEN.findall(text):
        if token == "(":
            if current is not None:
                raise _fail(pattern, "nested parentheses are not allowed")
            current = []
        elif token == ")":
            if current is None:
                raise _fail(pattern, "unbalanced ')'")
            groups.append(current)
            current = None
        elif token == "..." or token[0].isalpha() or token[0] == "_":
            if current is None:
                groups.append([token])
            else:  # a grouped ellipsis merges its axes: marked apart from the standalone one
                current.append("(...)" if token == "..." else token)
        elif token == "1":
            if current is None:
                groups.append([])
        else:
            raise _fail(pattern, f"unexpected {token!r} (expected axis names, '(', ')', '...' or 1)")
    if current is not None:
        raise _fail(pattern, "unbalanced '('")
    names = ["..." if n == "(...)" else n for g in groups for n in g]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise _fail(pattern, f"axis names repeat on one side: {duplicates}")
    return groups, names


@functools.lru_cache(maxsize=512)
def _parse(pattern):
    if pattern.count("->") != 1:
        raise _fail(pattern, "expected exactly one '->'")
    left, right = pattern.split("->")
    (lgroups, lnames), (rgroups, rnames) = _side(pattern, left), _side(pattern, right)
    if set(lnames) != set(rnames):
        raise _fail(pattern, f"the two sides name different axes: {sorted(set(lnames) ^ set(rnames))}")
    if any("(...)" in g for g in lgroups):
        raise _fail(pattern, "the ellipsis cannot be inside parentheses on the left")
    return tuple(map(tuple, lgroups)), tuple(map(tuple, rgroups))


def rearrange(tensor: TensorLike, pattern: str, **axes_lengths: int) -> torch.Tensor:
    """Splits, merges and reorders the axes of ``tensor`` as an einops ``pattern`` says.

    The pattern names the input axes left of ``->`` and the output axes right of it (both sides name the same axes);
    parentheses group axes into one (``"b (h w) c"``), ``...`` stands for the unnamed axes and ``1`` or ``()`` is an
    axis of size 1. The work is one reshape, one permute and one reshape.

    Args:
        tensor: tensor, array or list: the input.
        pattern: str: the rearrangement, e.g. ``"b h w c -> b c (h w)"``.
        **axes_lengths: int sizes of named axes, needed where a left-side group has more than one axis of unknown size
            (``h=2``).

    Returns:
        A tensor with the elements of ``tensor`` in the layout the right side describes (a view where torch can give
        one).

    Raises:
        ValueError: for a malformed pattern (no or several ``->``, unbalanced or nested parentheses, repeated names,
            sides naming different axes), a left side that does not match the input's rank, or sizes that cannot be
            inferred or do not divide.
    """
    x = convert_to_tensor(tensor)
    left, right = _parse(pattern)
    extra = x.dim() - (len(left) - 1) if ("...",) in left else None
    if (extra is None and len(left) != x.dim()) or (extra is not None and extra < 0):
        raise _fail(pattern, f"the left side has {len(left)} axes, the input of shape {tuple(x.shape)} has {x.dim()}")
    ellipsis = [f"...{i}" for i in range(extra or 0)]
    sizes, order, dims = dict(axes_lengths), [], list(x.shape)
    for group in left:
        if group == ("...",):
            for name in ellipsis:
                sizes[name] = dims.pop(0)
            order.extend(ellipsis)
            continue
        dim = dims.pop(0)
        unknown = [n for n in group if n not in sizes]
        if len(unknown) > 1:
            raise _fail(
                pattern,
                f"cannot infer the sizes of {unknown} from one axis of size {dim}: pass them as keyword arguments",
            )
        known = math.prod(sizes[n] for n in group if n not in unknown)
        if unknown:
            if known == 0 or dim % known:
                raise _fail(pattern, f"axis of size {dim} does not split into {group} with the given lengths")
            sizes[unknown[0]] = dim // known
        elif known != dim:
            raise _fail(pattern, f"axis of size {dim} does not match {group} of size {known}")
        order.extend(group)
    out_order = [e for g in right for n in g for e in (ellipsis if n in ("...", "(...)") else [n])]
    x = x.reshape([sizes[n] for n in order])
    permutation = [order.index(n) for n in out_order]
    if permutation != sorted(permutation):
        x = x.permute(permutation)
    shape: list[int] = []
    for group in right:
        if group == ("...",):
            shape.extend(sizes[e] for e in ellipsis)
        else:
            shape.append(math.prod(sizes[e] for n in group for e in (ellipsis if n == "(...)" else [n])))
    return x.reshape(shape)
