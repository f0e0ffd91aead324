"""Elementwise comparisons, logic, bit operations and floating-point predicates.

Comparisons and predicates return bool tensors; bit operations take integer or bool tensors and keep their
promoted dtype (``ops.dtypes``). Shapes broadcast NumPy-style; errors name the function.

Examples:
    >>> greater(torch.tensor([1, 5]), 2)
    tensor([False,  True])
    >>> logical_and(torch.tensor([1, 0]), torch.tensor([True, True]))
    tensor([ True, False])
    >>> isclose(torch.tensor([1.0, 2.0]), torch.tensor([1.0 + 1e-9, 2.1]))
    tensor([ True, False])
    >>> left_shift(torch.tensor([1, 2], dtype=torch.int8), 2)
    tensor([4, 8], dtype=torch.int8)
"""

from __future__ import annotations

from typing import Any, Callable

import torch

from kerastorch.backend.annotations import TensorLike
from kerastorch.ops.numpy import _promote as c

__all__ = [
    "allclose",
    "bitwise_and",
    "bitwise_invert",
    "bitwise_left_shift",
    "bitwise_not",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "equal",
    "greater",
    "greater_equal",
    "isclose",
    "isfinite",
    "isinf",
    "isnan",
    "isneginf",
    "isposinf",
    "isreal",
    "left_shift",
    "less",
    "less_equal",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "not_equal",
    "right_shift",
    "signbit",
]


_COMPARE_DOC = """{summary}

Mixed dtypes compare as their values promoted to a common dtype would.

Args:
    x1: tensor, array or Python number: the first operand.
    x2: tensor, array or Python number: the second operand, broadcast against ``x1``.

Returns:
    A bool tensor of the broadcast shape.

Raises:
    ValueError: the shapes do not broadcast together.
    TypeError: torch cannot compare the dtypes (e.g. ``greater`` of complex values).

Example:
    >>> {example}
    {output}
"""


def _compare(
    op: str, fn: Callable[[torch.Tensor, Any], torch.Tensor], doc: str, example: str, output: str
) -> Callable[[TensorLike, TensorLike], torch.Tensor]:
    """The comparison ``op`` (``fn``), documented by the summary ``doc`` and an example that prints ``output``."""

    def function(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
        if isinstance(x1, torch.Tensor) and isinstance(x2, (torch.Tensor, int, float, bool)):
            # torch compares mixed dtypes (and Python scalars) exactly as the promoted tensors would.
            return c.apply(op, fn, x1, x2)
        return c.binary(op, fn, x1, x2)

    return c.named(op, _COMPARE_DOC.format(summary=doc, example=example, output=output), function)


equal = _compare(
    "equal",
    torch.eq,
    "Elementwise ``x1 == x2``.",
    "equal(torch.tensor([1, 2]), torch.tensor([1.0, 3.0]))",
    "tensor([ True, False])",
)
not_equal = _compare(
    "not_equal", torch.ne, "Elementwise ``x1 != x2``.", "not_equal(torch.tensor([1, 2]), 2)", "tensor([ True, False])"
)
greater = _compare(
    "greater", torch.gt, "Elementwise ``x1 > x2``.", "greater(torch.tensor([1, 5]), 2)", "tensor([False,  True])"
)
greater_equal = _compare(
    "greater_equal",
    torch.ge,
    "Elementwise ``x1 >= x2``.",
    "greater_equal(torch.tensor([1, 2, 3]), 2)",
    "tensor([False,  True,  True])",
)
less = _compare(
    "less",
    torch.lt,
    "Elementwise ``x1 < x2``.",
    "less(torch.tensor([1.0, 2.0]), torch.tensor([2.0, 2.0]))",
    "tensor([ True, False])",
)
less_equal = _compare(
    "less_equal", torch.le, "Elementwise ``x1 <= x2``.", "less_equal(torch.tensor([1, 3]), 2)", "tensor([ True, False])"
)


_LOGICAL_DOC = """{summary}

Any dtype is taken: non-zero values are true.

Args:
    x1: tensor, array or Python value: the first operand.
    x2: tensor, array or Python value: the second operand, broadcast against ``x1``.

Returns:
    A bool tensor of the broadcast shape.

Raises:
    ValueError: the shapes do not broadcast together.

Example:
    >>> {example}
    {output}
"""


def _logical(
    op: str, fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], doc: str, example: str, output: str
) -> Callable[[TensorLike, TensorLike], torch.Tensor]:
    """The logical op ``op`` (``fn``), documented by the summary ``doc`` and an example that prints ``output``."""

    def function(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
        a, b = c.tensor(x1), c.tensor(x2)
        if a.device != b.device and b.ndim == 0:
            b = b.to(a.device)
        return c.apply(op, fn, a, b)

    return c.named(op, _LOGICAL_DOC.format(summary=doc, example=example, output=output), function)


logical_and = _logical(
    "logical_and",
    torch.logical_and,
    "Elementwise truth of ``x1 and x2`` (non-zero is true).",
    "logical_and(torch.tensor([1, 0]), torch.tensor([True, True]))",
    "tensor([ True, False])",
)
logical_or = _logical(
    "logical_or",
    torch.logical_or,
    "Elementwise truth of ``x1 or x2``.",
    "logical_or(torch.tensor([0, 1, 0]), torch.tensor([0, 0, 2]))",
    "tensor([False,  True,  True])",
)
logical_xor = _logical(
    "logical_xor",
    torch.logical_xor,
    "Elementwise truth of ``x1 xor x2``.",
    "logical_xor(torch.tensor([True, True]), torch.tensor([True, False]))",
    "tensor([False,  True])",
)


_UNARY_DOC = """{summary}

Args:
    x: tensor, array or Python number: the input.

Returns:
    A bool tensor of ``x``'s shape.

Example:
    >>> {example}
    {output}
"""


def _unary(
    op: str, fn: Callable[[torch.Tensor], torch.Tensor], doc: str, example: str, output: str
) -> Callable[[TensorLike], torch.Tensor]:
    """The predicate ``op`` (``fn``), documented by the summary ``doc`` and an example that prints ``output``."""

    def function(x: TensorLike) -> torch.Tensor:
        return fn(c.tensor(x))

    return c.named(op, _UNARY_DOC.format(summary=doc, example=example, output=output), function)


_NAN, _INF = 'float("nan")', 'float("inf")'
logical_not = _unary(
    "logical_not",
    torch.logical_not,
    "Elementwise ``not x`` (zero is false).",
    "logical_not(torch.tensor([0, 3]))",
    "tensor([ True, False])",
)
isnan = _unary(
    "isnan",
    torch.isnan,
    "Elementwise NaN test (False for integers).",
    f"isnan(torch.tensor([1.0, {_NAN}]))",
    "tensor([False,  True])",
)
isinf = _unary(
    "isinf",
    torch.isinf,
    "Elementwise test for +-inf.",
    f"isinf(torch.tensor([1.0, {_INF}, -{_INF}]))",
    "tensor([False,  True,  True])",
)
isfinite = _unary(
    "isfinite",
    torch.isfinite,
    "Elementwise test for finite values (not NaN or inf).",
    f"isfinite(torch.tensor([1.0, {_INF}, {_NAN}]))",
    "tensor([ True, False, False])",
)
isposinf = _unary(
    "isposinf",
    torch.isposinf,
    "Elementwise test for +inf.",
    f"isposinf(torch.tensor([{_INF}, -{_INF}]))",
    "tensor([ True, False])",
)
isneginf = _unary(
    "isneginf",
    torch.isneginf,
    "Elementwise test for -inf.",
    f"isneginf(torch.tensor([{_INF}, -{_INF}]))",
    "tensor([False,  True])",
)
isreal = _unary(
    "isreal",
    torch.isreal,
    "Elementwise test for a zero imaginary part (all True for real tensors).",
    "isreal(torch.tensor([1 + 0j, 1j]))",
    "tensor([ True, False])",
)


def signbit(x: TensorLike) -> torch.Tensor:
    """Elementwise test for a set sign bit: True for negative values and -0.0.

    Bool inputs give all False.

    Args:
        x: tensor, array or Python number: the input.

    Returns:
        A bool tensor of ``x``'s shape.

    Example:
        >>> signbit(torch.tensor([-1.0, -0.0, 2.0]))
        tensor([ True,  True, False])
    """
    x = c.tensor(x)
    if x.dtype == torch.bool:
        return torch.zeros_like(x)
    return torch.signbit(x)


def isclose(
    x1: TensorLike, x2: TensorLike, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False
) -> torch.Tensor:
    """Elementwise closeness: ``|x1 - x2| <= atol + rtol * |x2|`` (bool inputs: equality).

    The operands are promoted to their common dtype first; infinities are close only to the same infinity.

    Args:
        x1: tensor, array or Python number: the first operand.
        x2: tensor, array or Python number: the second operand (the reference), broadcast against ``x1``.
        rtol: float, default `1e-5`: the relative tolerance, a multiple of ``|x2|``.
        atol: float, default `1e-8`: the absolute tolerance.
        equal_nan: bool, default `False`: whether NaNs at the same position count as close.

    Returns:
        A bool tensor of the broadcast shape.

    Raises:
        TypeError: torch has no ``isclose`` for the promoted dtype.
    """
    a, b, dtype = c.pair(x1, x2)
    if dtype == torch.bool:
        return torch.eq(a, b)
    return c.apply("isclose", torch.isclose, *torch.broadcast_tensors(a, b), rtol=rtol, atol=atol, equal_nan=equal_nan)


def allclose(
    x1: TensorLike, x2: TensorLike, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False
) -> torch.Tensor:
    """Whether :func:`isclose` holds for every element.

    The answer stays a tensor (no sync with the host); ``bool(...)`` of it gives a Python bool.

    Args:
        x1: tensor, array or Python number: the first operand.
        x2: tensor, array or Python number: the second operand (the reference), broadcast against ``x1``.
        rtol: float, default `1e-5`: the relative tolerance, a multiple of ``|x2|``.
        atol: float, default `1e-8`: the absolute tolerance.
        equal_nan: bool, default `False`: whether NaNs at the same position count as close.

    Returns:
        A 0-dim bool tensor.

    Example:
        >>> allclose(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0 + 1e-7]))
        tensor(True)
    """
    return isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan).all()


_BITWISE_DOC = """{summary}

The operands are promoted to their common dtype (``ops.dtypes``), which must be an integer dtype or bool.

Args:
    x: tensor, array or Python int: the first operand.
    y: tensor, array or Python int: the second operand, broadcast against ``x``.

Returns:
    A tensor of the broadcast shape and the promoted dtype.

Raises:
    TypeError: the promoted dtype is a float or complex dtype.
    ValueError: the shapes do not broadcast together.

Example:
    >>> {example}
    {output}
"""


def _bitwise(
    op: str, fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], doc: str, example: str, output: str
) -> Callable[[TensorLike, TensorLike], torch.Tensor]:
    """The bit operation ``op`` (``fn``), documented by the summary ``doc`` and an example printing ``output``."""

    def function(x: TensorLike, y: TensorLike) -> torch.Tensor:
        a, b, dtype = c.pair(x, y)
        c.check_integer(op, dtype)
        return c.apply(op, fn, a, b)

    return c.named(op, _BITWISE_DOC.format(summary=doc, example=example, output=output), function)


_SHL, _SHR = "Elementwise ``x << y`` of integer tensors", "Elementwise ``x >> y`` (arithmetic shift) of integer tensors"
bitwise_and = _bitwise(
    "bitwise_and",
    torch.bitwise_and,
    "Elementwise bitwise ``x & y`` of integer or bool tensors.",
    "bitwise_and(torch.tensor([12, 10]), torch.tensor([10, 6]))",
    "tensor([8, 2])",
)
bitwise_or = _bitwise(
    "bitwise_or",
    torch.bitwise_or,
    "Elementwise bitwise ``x | y`` of integer or bool tensors.",
    "bitwise_or(torch.tensor([12, 10]), 1)",
    "tensor([13, 11])",
)
bitwise_xor = _bitwise(
    "bitwise_xor",
    torch.bitwise_xor,
    "Elementwise bitwise ``x ^ y`` of integer or bool tensors.",
    "bitwise_xor(torch.tensor([True, False]), torch.tensor([True, True]))",
    "tensor([False,  True])",
)
bitwise_left_shift = _bitwise(
    "bitwise_left_shift",
    torch.bitwise_left_shift,
    f"{_SHL}.",
    "bitwise_left_shift(torch.tensor([1, 3]), 2)",
    "tensor([ 4, 12])",
)
bitwise_right_shift = _bitwise(
    "bitwise_right_shift",
    torch.bitwise_right_shift,
    f"{_SHR}.",
    "bitwise_right_shift(torch.tensor([-8, 8]), 1)",
    "tensor([-4,  4])",
)
left_shift = _bitwise(
    "left_shift",
    torch.bitwise_left_shift,
    f"{_SHL} (same as :func:`bitwise_left_shift`).",
    "left_shift(torch.tensor([1, 2], dtype=torch.int8), 2)",
    "tensor([4, 8], dtype=torch.int8)",
)
right_shift = _bitwise(
    "right_shift",
    torch.bitwise_right_shift,
    f"{_SHR} (same as :func:`bitwise_right_shift`).",
    "right_shift(torch.tensor([16]), 2)",
    "tensor([4])",
)


def bitwise_invert(x: TensorLike) -> torch.Tensor:
    """Elementwise bitwise NOT ``~x`` of an integer or bool tensor (logical NOT for bool).

    Args:
        x: tensor, array or Python int: the input, of an integer dtype or bool.

    Returns:
        A tensor of ``x``'s shape and dtype.

    Raises:
        TypeError: ``x`` is of a float or complex dtype.

    Example:
        >>> bitwise_invert(torch.tensor([0, 5], dtype=torch.uint8))
        tensor([255, 250], dtype=torch.uint8)
    """
    x = c.tensor(x)
    c.check_integer("bitwise_invert", x.dtype)
    return torch.bitwise_not(x)


def bitwise_not(x: TensorLike) -> torch.Tensor:
    """Elementwise bitwise NOT of an integer or bool tensor (same as :func:`bitwise_invert`).

    Args:
        x: tensor, array or Python int: the input, of an integer dtype or bool.

    Returns:
        A tensor of ``x``'s shape and dtype.

    Raises:
        TypeError: ``x`` is of a float or complex dtype.

    Example:
        >>> bitwise_not(torch.tensor([True, False]))
        tensor([False,  True])
    """
    return bitwise_invert(x)
