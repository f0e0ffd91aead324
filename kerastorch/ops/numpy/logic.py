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


def _compare(op, fn):
    def function(x1, x2):
        if isinstance(x1, torch.Tensor) and isinstance(x2, (torch.Tensor, int, float, bool)):
            # torch compares mixed dtypes (and Python scalars) exactly as the promoted tensors would.
            return c.apply(op, fn, x1, x2)
        return c.binary(op, fn, x1, x2)

    function.__name__ = function.__qualname__ = op
    return function


equal = _compare("equal", torch.eq)
equal.__doc__ = "Elementwise ``x1 == x2``."
not_equal = _compare("not_equal", torch.ne)
not_equal.__doc__ = "Elementwise ``x1 != x2``."
greater = _compare("greater", torch.gt)
greater.__doc__ = "Elementwise ``x1 > x2``."
greater_equal = _compare("greater_equal", torch.ge)
greater_equal.__doc__ = "Elementwise ``x1 >= x2``."
less = _compare("less", torch.lt)
less.__doc__ = "Elementwise ``x1 < x2``."
less_equal = _compare("less_equal", torch.le)
less_equal.__doc__ = "Elementwise ``x1 <= x2``."


def _logical(op, fn):
    def function(x1, x2):
        a, b = c.tensor(x1), c.tensor(x2)
        if a.device != b.device and b.ndim == 0:
            b = b.to(a.device)
        return c.apply(op, fn, a, b)

    function.__name__ = function.__qualname__ = op
    return function


logical_and = _logical("logical_and", torch.logical_and)
logical_and.__doc__ = "Elementwise truth of ``x1 and x2`` (non-zero is true)."
logical_or = _logical("logical_or", torch.logical_or)
logical_or.__doc__ = "Elementwise truth of ``x1 or x2``."
logical_xor = _logical("logical_xor", torch.logical_xor)
logical_xor.__doc__ = "Elementwise truth of ``x1 xor x2``."


def logical_not(x):
    """Elementwise ``not x`` (zero is false)."""
    return torch.logical_not(c.tensor(x))


def isnan(x):
    """Elementwise NaN test (False for integers)."""
    return torch.isnan(c.tensor(x))


def isinf(x):
    """Elementwise test for +-inf."""
    return torch.isinf(c.tensor(x))


def isfinite(x):
    """Elementwise test for finite values (not NaN or inf)."""
    return torch.isfinite(c.tensor(x))


def isposinf(x):
    """Elementwise test for +inf."""
    return torch.isposinf(c.tensor(x))


def isneginf(x):
    """Elementwise test for -inf."""
    return torch.isneginf(c.tensor(x))


def isreal(x):
    """Elementwise test for a zero imaginary part (all True for real tensors)."""
    return torch.isreal(c.tensor(x))


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


def _bitwise(op, fn):
    def function(x, y):
        a, b, dtype = c.pair(x, y)
        if a.is_floating_point() or a.is_complex():
            raise TypeError(f"ops.{op}: expected integer or bool tensors, received {c.name(dtype)}")
        return c.apply(op, fn, a, b)

    function.__name__ = function.__qualname__ = op
    return function


bitwise_and = _bitwise("bitwise_and", torch.bitwise_and)
bitwise_and.__doc__ = "Elementwise bitwise ``x & y`` of integer or bool tensors."
bitwise_or = _bitwise("bitwise_or", torch.bitwise_or)
bitwise_or.__doc__ = "Elementwise bitwise ``x | y`` of integer or bool tensors."
bitwise_xor = _bitwise("bitwise_xor", torch.bitwise_xor)
bitwise_xor.__doc__ = "Elementwise bitwise ``x ^ y`` of integer or bool tensors."
bitwise_left_shift = _bitwise("bitwise_left_shift", torch.bitwise_left_shift)
bitwise_left_shift.__doc__ = "Elementwise ``x << y`` of integer tensors."
bitwise_right_shift = _bitwise("bitwise_right_shift", torch.bitwise_right_shift)
bitwise_right_shift.__doc__ = "Elementwise ``x >> y`` (arithmetic shift) of integer tensors."
left_shift = _bitwise("left_shift", torch.bitwise_left_shift)
left_shift.__doc__ = "Elementwise ``x << y`` of integer tensors (same as :func:`bitwise_left_shift`)."
right_shift = _bitwise("right_shift", torch.bitwise_right_shift)
right_shift.__doc__ = "Elementwise ``x >> y`` of integer tensors (same as :func:`bitwise_right_shift`)."


def bitwise_invert(x):
    """Elementwise bitwise NOT of an integer or bool tensor."""
    x = c.tensor(x)
    if x.is_floating_point() or x.is_complex():
        raise TypeError(f"ops.bitwise_invert: expected integer or bool tensors, received {c.name(x.dtype)}")
    return torch.bitwise_not(x)


def bitwise_not(x):
    """Elementwise bitwise NOT of an integer or bool tensor (same as :func:`bitwise_invert`)."""
    return bitwise_invert(x)
