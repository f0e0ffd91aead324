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
import torch

from kerastorch.ops.numpy import _promote as c

__all__ = [
    "allclose", "bitwise_and", "bitwise_invert", "bitwise_left_shift", "bitwise_not", "bitwise_or",
    "bitwise_right_shift", "bitwise_xor", "equal", "greater", "greater_equal", "isclose", "isfinite", "isinf",
    "isnan", "isneginf", "isposinf", "isreal", "left_shift", "less", "less_equal", "logical_and", "logical_not",
    "logical_or", "logical_xor", "not_equal", "right_shift", "signbit",
]


def _compare(op, fn, doc):
    def function(x1, x2):
        if isinstance(x1, torch.Tensor) and isinstance(x2, (torch.Tensor, int, float, bool)):
            # torch compares mixed dtypes (and Python scalars) exactly as the promoted tensors would.
            return c.apply(op, fn, x1, x2)
        return c.binary(op, fn, x1, x2)

    return c.named(op, doc, function)


equal = _compare("equal", torch.eq, "Elementwise ``x1 == x2``.")
not_equal = _compare("not_equal", torch.ne, "Elementwise ``x1 != x2``.")
greater = _compare("greater", torch.gt, "Elementwise ``x1 > x2``.")
greater_equal = _compare("greater_equal", torch.ge, "Elementwise ``x1 >= x2``.")
less = _compare("less", torch.lt, "Elementwise ``x1 < x2``.")
less_equal = _compare("less_equal", torch.le, "Elementwise ``x1 <= x2``.")


def _logical(op, fn, doc):
    def function(x1, x2):
        a, b = c.tensor(x1), c.tensor(x2)
        if a.device != b.device and b.ndim == 0:
            b = b.to(a.device)
        return c.apply(op, fn, a, b)

    return c.named(op, doc, function)


logical_and = _logical("logical_and", torch.logical_and, "Elementwise truth of ``x1 and x2`` (non-zero is true).")
logical_or = _logical("logical_or", torch.logical_or, "Elementwise truth of ``x1 or x2``.")
logical_xor = _logical("logical_xor", torch.logical_xor, "Elementwise truth of ``x1 xor x2``.")


def _unary(op, fn, doc):
    def function(x):
        return fn(c.tensor(x))

    return c.named(op, doc, function)


logical_not = _unary("logical_not", torch.logical_not, "Elementwise ``not x`` (zero is false).")
isnan = _unary("isnan", torch.isnan, "Elementwise NaN test (False for integers).")
isinf = _unary("isinf", torch.isinf, "Elementwise test for +-inf.")
isfinite = _unary("isfinite", torch.isfinite, "Elementwise test for finite values (not NaN or inf).")
isposinf = _unary("isposinf", torch.isposinf, "Elementwise test for +inf.")
isneginf = _unary("isneginf", torch.isneginf, "Elementwise test for -inf.")
isreal = _unary("isreal", torch.isreal, "Elementwise test for a zero imaginary part (all True for real tensors).")


def signbit(x):
    """Elementwise test for a set sign bit (True for negatives and -0.0)."""
    x = c.tensor(x)
    if x.dtype == torch.bool:
        return torch.zeros_like(x)
    return torch.signbit(x)


def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Elementwise ``|x1 - x2| <= atol + rtol * |x2|`` (NaNs equal with ``equal_nan``)."""
    a, b, dtype = c.pair(x1, x2)
    if dtype == torch.bool:
        return torch.eq(a, b)
    return c.apply("isclose", torch.isclose, *torch.broadcast_tensors(a, b), rtol=rtol, atol=atol,
                   equal_nan=equal_nan)


def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Whether :func:`isclose` holds everywhere, as a 0-dim bool tensor (no host sync)."""
    return isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan).all()


def _bitwise(op, fn, doc):
    def function(x, y):
        a, b, dtype = c.pair(x, y)
        c.check_integer(op, dtype)
        return c.apply(op, fn, a, b)

    return c.named(op, doc, function)


_SHL, _SHR = "Elementwise ``x << y`` of integer tensors", "Elementwise ``x >> y`` (arithmetic shift) of integer tensors"
bitwise_and = _bitwise("bitwise_and", torch.bitwise_and, "Elementwise bitwise ``x & y`` of integer or bool tensors.")
bitwise_or = _bitwise("bitwise_or", torch.bitwise_or, "Elementwise bitwise ``x | y`` of integer or bool tensors.")
bitwise_xor = _bitwise("bitwise_xor", torch.bitwise_xor, "Elementwise bitwise ``x ^ y`` of integer or bool tensors.")
bitwise_left_shift = _bitwise("bitwise_left_shift", torch.bitwise_left_shift, f"{_SHL}.")
bitwise_right_shift = _bitwise("bitwise_right_shift", torch.bitwise_right_shift, f"{_SHR}.")
left_shift = _bitwise("left_shift", torch.bitwise_left_shift, f"{_SHL} (same as :func:`bitwise_left_shift`).")
right_shift = _bitwise("right_shift", torch.bitwise_right_shift, f"{_SHR} (same as :func:`bitwise_right_shift`).")


def bitwise_invert(x):
    """Elementwise bitwise NOT of an integer or bool tensor."""
    x = c.tensor(x)
    c.check_integer("bitwise_invert", x.dtype)
    return torch.bitwise_not(x)


def bitwise_not(x):
    """Elementwise bitwise NOT of an integer or bool tensor (same as :func:`bitwise_invert`)."""
    return bitwise_invert(x)
