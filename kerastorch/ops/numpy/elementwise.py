"""Elementwise math: arithmetic, powers, exponentials and logarithms, trigonometry, rounding, clipping.

Inputs are tensors, arrays or Python values, broadcast NumPy-style; results follow Keras's dtype promotion
(``kerastorch.ops.dtypes``): arithmetic keeps the common dtype (``int8 + uint8 -> int16``), float-valued
functions give integer and bool inputs ``floatx`` (``sqrt(int32) -> float32``) and keep float dtypes
(``float64`` stays ``float64``). Shapes that do not broadcast raise ``ValueError("ops.add: ...")``, dtypes a
function does not take ``TypeError``. Each function is one torch call (plus a cast where Keras's dtype needs it).

Examples:
    >>> add(torch.tensor([1, 2], dtype=torch.int8), 3)
    tensor([4, 5], dtype=torch.int8)
    >>> divide(torch.tensor([1, 2]), 2)
    tensor([0.5000, 1.0000])
    >>> sqrt(torch.tensor([4.0, 9.0]))
    tensor([2., 3.])
    >>> clip(torch.tensor([-2.0, 0.5, 3.0]), 0.0, 1.0)
    tensor([0.0000, 0.5000, 1.0000])
    >>> round(torch.tensor([0.5, 1.5, 2.25]), 1)
    tensor([0.5000, 1.5000, 2.2000])
    >>> floor_divide(torch.tensor([-7, 7]), 2)
    tensor([-4,  3])
"""

from __future__ import annotations

from typing import Any, Callable

import torch

from kerastorch.backend.annotations import TensorLike
from kerastorch.ops.numpy import _promote as c

__all__ = [
    "abs",
    "absolute",
    "add",
    "angle",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctan2",
    "arctanh",
    "cbrt",
    "ceil",
    "clip",
    "conj",
    "conjugate",
    "cos",
    "cosh",
    "deg2rad",
    "divide",
    "divide_no_nan",
    "exp",
    "exp2",
    "expm1",
    "fabs",
    "floor",
    "floor_divide",
    "fmax",
    "fmin",
    "fmod",
    "gcd",
    "heaviside",
    "hypot",
    "i0",
    "imag",
    "lcm",
    "ldexp",
    "log",
    "log10",
    "log1p",
    "log2",
    "logaddexp",
    "logaddexp2",
    "maximum",
    "minimum",
    "mod",
    "multiply",
    "nan_to_num",
    "negative",
    "nextafter",
    "power",
    "rad2deg",
    "real",
    "reciprocal",
    "round",
    "sign",
    "sin",
    "sinc",
    "sinh",
    "sqrt",
    "square",
    "subtract",
    "tan",
    "tanh",
    "true_divide",
    "trunc",
]

_INT32 = torch.int32


_FLOAT_UNARY_DOC = """{summary}, elementwise.

Integer and bool inputs are computed in floatx; float (and complex) dtypes are kept.

Args:
    x: tensor, array or Python number: the input.

Returns:
    A tensor of ``x``'s shape, of ``x``'s float dtype (floatx for integer and bool ``x``).

Raises:
    TypeError: torch has no ``{op}`` for ``x``'s dtype (some of these functions refuse complex values).

Example:
    >>> {op}(torch.tensor({example}))
    {output}
"""


def _float_unary(
    op: str, fn: Callable[[torch.Tensor], torch.Tensor], summary: str, example: str, output: str
) -> Callable[[TensorLike], torch.Tensor]:
    """The float-valued op ``op`` (``fn`` on ``x`` cast to its float dtype), documented by ``summary`` and the
    example ``op(torch.tensor(example))`` that prints ``output``."""

    def function(x: TensorLike) -> torch.Tensor:
        x = c.to_float(x)
        return c.apply(op, fn, x)

    doc = _FLOAT_UNARY_DOC.format(op=op, summary=summary, example=example, output=output)
    return c.named(op, doc, function)


sqrt = _float_unary("sqrt", torch.sqrt, "The square root", "[1.0, 4.0, 9.0]", "tensor([1., 2., 3.])")
exp = _float_unary("exp", torch.exp, "The natural exponential ``e ** x``", "[0, 1]", "tensor([1.0000, 2.7183])")
exp2 = _float_unary("exp2", torch.exp2, "The base-2 exponential ``2 ** x``", "[0, 3]", "tensor([1., 8.])")
expm1 = _float_unary(
    "expm1", torch.expm1, "``exp(x) - 1``, accurate for ``x`` near 0", "[0.0, 1.0]", "tensor([0.0000, 1.7183])"
)
log = _float_unary(
    "log",
    torch.log,
    "The natural logarithm (NaN for negative ``x``, -inf at 0)",
    "[1.0, 2.0]",
    "tensor([0.0000, 0.6931])",
)
log10 = _float_unary("log10", torch.log10, "The base-10 logarithm", "[1, 100]", "tensor([0., 2.])")
log1p = _float_unary(
    "log1p", torch.log1p, "``log(1 + x)``, accurate for ``x`` near 0", "[0.0, 1.0]", "tensor([0.0000, 0.6931])"
)
log2 = _float_unary("log2", torch.log2, "The base-2 logarithm", "[1, 8]", "tensor([0., 3.])")
sin = _float_unary("sin", torch.sin, "The sine of angles in radians", "[0.0, 1.0]", "tensor([0.0000, 0.8415])")
cos = _float_unary("cos", torch.cos, "The cosine of angles in radians", "[0.0, 1.0]", "tensor([1.0000, 0.5403])")
tan = _float_unary("tan", torch.tan, "The tangent of angles in radians", "[0.0, 1.0]", "tensor([0.0000, 1.5574])")
arcsin = _float_unary(
    "arcsin", torch.asin, "The inverse sine, in radians in ``[-pi/2, pi/2]``", "[0.0, 1.0]", "tensor([0.0000, 1.5708])"
)
arccos = _float_unary(
    "arccos", torch.acos, "The inverse cosine, in radians in ``[0, pi]``", "[1.0, 0.0]", "tensor([0.0000, 1.5708])"
)
arctan = _float_unary(
    "arctan",
    torch.atan,
    "The inverse tangent, in radians in ``(-pi/2, pi/2)``",
    "[0.0, 1.0]",
    "tensor([0.0000, 0.7854])",
)
sinh = _float_unary("sinh", torch.sinh, "The hyperbolic sine", "[0.0, 1.0]", "tensor([0.0000, 1.1752])")
cosh = _float_unary("cosh", torch.cosh, "The hyperbolic cosine", "[0.0, 1.0]", "tensor([1.0000, 1.5431])")
tanh = _float_unary("tanh", torch.tanh, "The hyperbolic tangent", "[0.0, 1.0]", "tensor([0.0000, 0.7616])")
arcsinh = _float_unary("arcsinh", torch.asinh, "The inverse hyperbolic sine", "[0.0, 1.0]", "tensor([0.0000, 0.8814])")
arccosh = _float_unary(
    "arccosh", torch.acosh, "The inverse hyperbolic cosine (NaN below 1)", "[1.0, 2.0]", "tensor([0.0000, 1.3170])"
)
arctanh = _float_unary(
    "arctanh", torch.atanh, "The inverse hyperbolic tangent (+-inf at +-1)", "[0.0, 0.5]", "tensor([0.0000, 0.5493])"
)
reciprocal = _float_unary(
    "reciprocal",
    torch.reciprocal,
    "The reciprocal ``1 / x`` (inf at 0)",
    "[1, 2, 4]",
    "tensor([1.0000, 0.5000, 0.2500])",
)
ceil = _float_unary(
    "ceil", torch.ceil, "Rounding up to the nearest integer, as floats", "[-1.5, 0.2, 1.0]", "tensor([-1.,  1.,  1.])"
)
floor = _float_unary(
    "floor",
    torch.floor,
    "Rounding down to the nearest integer, as floats",
    "[-1.5, 0.2, 1.0]",
    "tensor([-2.,  0.,  1.])",
)
fabs = _float_unary(
    "fabs",
    torch.abs,
    "The absolute value, as floats (see ``abs`` to keep integer dtypes)",
    "[-2, 3]",
    "tensor([2., 3.])",
)
deg2rad = _float_unary(
    "deg2rad", torch.deg2rad, "Angles in degrees converted to radians", "[180.0, 90.0]", "tensor([3.1416, 1.5708])"
)
rad2deg = _float_unary(
    "rad2deg",
    torch.rad2deg,
    "Angles in radians converted to degrees",
    "[3.1415927, 1.0]",
    "tensor([180.0000,  57.2958])",
)
sinc = _float_unary(
    "sinc",
    torch.sinc,
    "The normalized sinc ``sin(pi * x) / (pi * x)`` (1 at 0)",
    "[0.0, 0.5]",
    "tensor([1.0000, 0.6366])",
)
i0 = _float_unary(
    "i0",
    torch.i0,
    "The modified Bessel function of the first kind of order 0",
    "[0.0, 1.0]",
    "tensor([1.0000, 1.2661])",
)
angle = _float_unary(
    "angle",
    torch.angle,
    "The angle of complex values in radians (0 or pi for real values; complex inputs give real floats)",
    "[1j, -1.0]",
    "tensor([1.5708, 3.1416])",
)


def cbrt(x: TensorLike) -> torch.Tensor:
    """The real cube root, elementwise (negative inputs give negative roots).

    Computed as ``sign(x) * |x| ** (1/3)``; integer and bool inputs give floatx, float dtypes are kept.

    Args:
        x: tensor, array or Python number: the input.

    Returns:
        A tensor of ``x``'s shape and float dtype.

    Example:
        >>> cbrt(torch.tensor([-8.0, 27.0]))
        tensor([-2.,  3.])
    """
    x = c.to_float(x)
    return torch.sign(x) * torch.abs(x).pow(1.0 / 3.0)


def abs(x: TensorLike) -> torch.Tensor:
    """The absolute value, elementwise, keeping the dtype (``absolute`` is the same function).

    Integers stay integers (see ``fabs`` for floats), bool inputs are returned unchanged, complex inputs give
    their magnitudes as real floats.

    Args:
        x: tensor, array or Python number: the input.

    Returns:
        A tensor of ``x``'s shape and dtype (the real dtype for complex ``x``).

    Example:
        >>> abs(torch.tensor([-2, 3]))
        tensor([2, 3])
    """
    x = c.tensor(x)
    return x if x.dtype == torch.bool else torch.abs(x)


absolute = abs


def negative(x: TensorLike) -> torch.Tensor:
    """The negation ``-x``, elementwise.

    Args:
        x: tensor, array or Python number: the input.

    Returns:
        A tensor of ``x``'s shape and dtype.

    Raises:
        TypeError: ``x`` is a bool tensor (torch does not negate booleans).

    Example:
        >>> negative(torch.tensor([1, -2]))
        tensor([-1,  2])
    """
    return c.apply("negative", torch.neg, c.tensor(x))


def square(x: TensorLike) -> torch.Tensor:
    """The square ``x * x``, elementwise, keeping the dtype (bool inputs give int32).

    Args:
        x: tensor, array or Python number: the input.

    Returns:
        A tensor of ``x``'s shape and dtype (int32 for bool ``x``).

    Example:
        >>> square(torch.tensor([-3, 2]))
        tensor([9, 4])
        >>> square(torch.tensor([True, False]))
        tensor([1, 0], dtype=torch.int32)
    """
    x = c.tensor(x)
    return torch.square(x.to(_INT32) if x.dtype == torch.bool else x)


def sign(x: TensorLike) -> torch.Tensor:
    """The sign of each element: -1, 0 or 1 in the input's dtype (bool inputs are returned unchanged).

    Args:
        x: tensor, array or Python number: the input.

    Returns:
        A tensor of ``x``'s shape and dtype.

    Example:
        >>> sign(torch.tensor([-2.0, 0.0, 5.0]))
        tensor([-1.,  0.,  1.])
    """
    x = c.tensor(x)
    return x if x.dtype == torch.bool else torch.sign(x)


def trunc(x: TensorLike) -> torch.Tensor:
    """Rounding towards zero, elementwise; integer and bool inputs are returned unchanged.

    Args:
        x: tensor, array or Python number: the input.

    Returns:
        A tensor of ``x``'s shape and dtype.

    Example:
        >>> trunc(torch.tensor([-1.7, 1.7]))
        tensor([-1.,  1.])
    """
    x = c.tensor(x)
    return torch.trunc(x) if x.is_floating_point() else x


def round(x: TensorLike, decimals: int = 0) -> torch.Tensor:
    """Rounding half to even to ``decimals`` decimals, elementwise, keeping the dtype.

    Integers are unchanged for ``decimals >= 0``; a negative ``decimals`` rounds them to tens, hundreds ...

    Args:
        x: tensor, array or Python number: the input.
        decimals: int, default `0`: the number of decimals to keep; negative values round to the left of the
            decimal point.

    Returns:
        A tensor of ``x``'s shape and dtype.

    Raises:
        TypeError: ``x`` is a bool tensor.
    """
    x = c.tensor(x)
    if x.dtype == torch.bool:
        raise TypeError("ops.round: expected a numeric tensor, received dtype bool")
    if x.is_floating_point() or x.is_complex():
        return torch.round(x, decimals=decimals)
    if decimals >= 0:
        return x
    scale = 10 ** (-decimals)
    return (torch.round(x.double() / scale) * scale).to(x.dtype)


def real(x: TensorLike) -> torch.Tensor:
    """The real part of each element (the input itself for real tensors).

    Args:
        x: tensor, array or Python number: the input.

    Returns:
        A tensor of ``x``'s shape; the real float dtype for complex ``x``, else ``x``'s dtype.

    Example:
        >>> real(torch.tensor([1 + 2j]))
        tensor([1.])
    """
    return torch.real(c.tensor(x))


def imag(x: TensorLike) -> torch.Tensor:
    """The imaginary part of each element (zeros for real tensors).

    Args:
        x: tensor, array or Python number: the input.

    Returns:
        A tensor of ``x``'s shape; the real float dtype for complex ``x``, else zeros of ``x``'s dtype.

    Example:
        >>> imag(torch.tensor([1 + 2j, 3 - 1j]))
        tensor([ 2., -1.])
    """
    x = c.tensor(x)
    return torch.imag(x) if x.is_complex() else torch.zeros_like(x)


def conj(x: TensorLike) -> torch.Tensor:
    """The complex conjugate, elementwise (``conjugate`` is the same function).

    Real tensors are returned as they are.

    Args:
        x: tensor, array or Python number: the input.

    Returns:
        A tensor of ``x``'s shape and dtype (for complex ``x``, torch's lazily conjugated view).

    Example:
        >>> conj(torch.tensor([1 + 2j]))
        tensor([1.-2.j])
    """
    return torch.conj(c.tensor(x))


conjugate = conj


def nan_to_num(
    x: TensorLike, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
) -> torch.Tensor:
    """``x`` with NaN replaced by ``nan`` and infinities by ``posinf`` / ``neginf``.

    Integer and bool inputs are returned unchanged.

    Args:
        x: tensor, array or Python number: the input.
        nan: float, default `0.0`: the value that replaces NaN.
        posinf: float or None, default `None`: the value that replaces +inf; None uses the dtype's largest
            finite value.
        neginf: float or None, default `None`: the value that replaces -inf; None uses the dtype's lowest
            finite value.

    Returns:
        A tensor of ``x``'s shape and dtype.

    Example:
        >>> nan_to_num(torch.tensor([float("nan"), float("inf"), -1.0]), posinf=9.0)
        tensor([ 0.,  9., -1.])
    """
    x = c.tensor(x)
    if not (x.is_floating_point() or x.is_complex()):
        return x
    return torch.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)


def clip(x: TensorLike, x_min: TensorLike | None, x_max: TensorLike | None) -> torch.Tensor:
    """``x`` limited to the interval ``[x_min, x_max]``, elementwise.

    ``x`` and the bounds are promoted to their common dtype (bool ``x`` counts as int32).

    Args:
        x: tensor, array or Python number: the input.
        x_min: number, tensor or None: the lower bound, broadcast against ``x``; None for no lower bound.
        x_max: number, tensor or None: the upper bound, broadcast against ``x``; None for no upper bound.

    Returns:
        A tensor of ``x``'s shape and the promoted dtype.

    Raises:
        ValueError: both bounds are None, or the shapes do not broadcast.
    """
    x = c.tensor(x)
    if x.dtype == torch.bool:
        x = x.to(_INT32)
    dtype = c.promote_dtype(x, *(v for v in (x_min, x_max) if v is not None))
    bounds = [v if v is None or isinstance(v, (int, float)) else c.cast(v, dtype, x.device) for v in (x_min, x_max)]
    return c.apply("clip", torch.clamp, x.to(dtype), *bounds)


def add(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
    """The sum ``x1 + x2``, elementwise.

    The operands are promoted to Keras's common dtype (``ops.dtypes.result_type``), which the result has.

    Args:
        x1: tensor, array or Python number: the first operand.
        x2: tensor, array or Python number: the second operand, broadcast against ``x1``.

    Returns:
        A tensor of the broadcast shape and the promoted dtype.

    Raises:
        ValueError: the shapes of ``x1`` and ``x2`` do not broadcast together.
        TypeError: torch has no such operation for the promoted dtype.
    """
    return c.binary("add", torch.add, x1, x2)


def subtract(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
    """The difference ``x1 - x2``, elementwise.

    The operands are promoted to Keras's common dtype (``ops.dtypes.result_type``), which the result has.

    Args:
        x1: tensor, array or Python number: the first operand.
        x2: tensor, array or Python number: the second operand, broadcast against ``x1``.

    Returns:
        A tensor of the broadcast shape and the promoted dtype.

    Raises:
        ValueError: the shapes of ``x1`` and ``x2`` do not broadcast together.
        TypeError: torch has no such operation for the promoted dtype.

    Example:
        >>> subtract(torch.tensor([5, 3]), 1)
        tensor([4, 2])
    """
    return c.binary("subtract", torch.sub, x1, x2)


def multiply(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
    """The product ``x1 * x2``, elementwise.

    The operands are promoted to Keras's common dtype (``ops.dtypes.result_type``), which the result has.

    Args:
        x1: tensor, array or Python number: the first operand.
        x2: tensor, array or Python number: the second operand, broadcast against ``x1``.

    Returns:
        A tensor of the broadcast shape and the promoted dtype.

    Raises:
        ValueError: the shapes of ``x1`` and ``x2`` do not broadcast together.
        TypeError: torch has no such operation for the promoted dtype.

    Example:
        >>> multiply(torch.tensor([1, 2]), torch.tensor([3.0, 4.0]))
        tensor([3., 8.])
    """
    return c.binary("multiply", torch.mul, x1, x2)


def divide(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
    """True division ``x1 / x2``, elementwise (``true_divide`` is the same function).

    The operands are promoted to their common dtype and at least to a float (integers and bool give floatx), which the
    result has.

    Args:
        x1: tensor, array or Python number: the first operand.
        x2: tensor, array or Python number: the second operand, broadcast against ``x1``.

    Returns:
        A tensor of the broadcast shape, of the promoted float dtype.

    Raises:
        ValueError: the shapes of ``x1`` and ``x2`` do not broadcast together.
        TypeError: torch has no such operation for the promoted dtype.
    """
    return c.binary("divide", torch.div, x1, x2, weak=float)


true_divide = divide


def divide_no_nan(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
    """True division ``x1 / x2``, elementwise, with 0 wherever ``x2 == 0``.

    The operands are promoted to their common dtype and at least to a float (integers and bool give floatx), which the
    result has. Unlike Keras, the gradient is NaN (not 0) where ``x2 == 0``.

    Args:
        x1: tensor, array or Python number: the first operand.
        x2: tensor, array or Python number: the second operand, broadcast against ``x1``.

    Returns:
        A tensor of the broadcast shape, of the promoted float dtype.

    Raises:
        ValueError: the shapes of ``x1`` and ``x2`` do not broadcast together.
        TypeError: torch has no such operation for the promoted dtype.

    Example:
        >>> divide_no_nan(torch.tensor([1.0, 2.0]), torch.tensor([0.0, 4.0]))
        tensor([0.0000, 0.5000])
    """
    a, b, _ = c.pair(x1, x2, weak=float)
    return torch.where(b == 0, 0.0, c.apply("divide_no_nan", torch.div, a, b))


def floor_divide(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
    """Floor division ``floor(x1 / x2)``, elementwise.

    The operands are promoted to Keras's common dtype (``ops.dtypes.result_type``), which the result has. Integer
    division by zero raises torch's error.

    Args:
        x1: tensor, array or Python number: the first operand.
        x2: tensor, array or Python number: the second operand, broadcast against ``x1``.

    Returns:
        A tensor of the broadcast shape and the promoted dtype.

    Raises:
        ValueError: the shapes of ``x1`` and ``x2`` do not broadcast together.
        TypeError: torch has no such operation for the promoted dtype.
    """
    return c.binary("floor_divide", torch.floor_divide, x1, x2)


def _int_bool(fn: Callable[[torch.Tensor, Any], torch.Tensor]) -> Callable[[torch.Tensor, Any], torch.Tensor]:
    def function(a: torch.Tensor, b: Any) -> torch.Tensor:
        if a.dtype == torch.bool:  # Keras gives int32 for bool % bool
            a, b = a.to(_INT32), (b.to(_INT32) if isinstance(b, torch.Tensor) else int(b))
        return fn(a, b)

    return function


_remainder, _fmod = _int_bool(torch.remainder), _int_bool(torch.fmod)


def mod(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
    """The remainder of ``x1 / x2`` with the sign of ``x2`` (Python's ``%``), elementwise.

    The operands are promoted to Keras's common dtype (``ops.dtypes.result_type``), which the result has. Two bool
    inputs give int32.

    Args:
        x1: tensor, array or Python number: the first operand.
        x2: tensor, array or Python number: the second operand, broadcast against ``x1``.

    Returns:
        A tensor of the broadcast shape and the promoted dtype.

    Raises:
        ValueError: the shapes of ``x1`` and ``x2`` do not broadcast together.
        TypeError: torch has no such operation for the promoted dtype.

    Example:
        >>> mod(torch.tensor([-7, 7]), 3)
        tensor([2, 1])
    """
    return c.binary("mod", _remainder, x1, x2)


def fmod(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
    """The remainder of ``x1 / x2`` with the sign of ``x1`` (C's ``fmod``), elementwise.

    The operands are promoted to Keras's common dtype (``ops.dtypes.result_type``), which the result has. Two bool
    inputs give int32.

    Args:
        x1: tensor, array or Python number: the first operand.
        x2: tensor, array or Python number: the second operand, broadcast against ``x1``.

    Returns:
        A tensor of the broadcast shape and the promoted dtype.

    Raises:
        ValueError: the shapes of ``x1`` and ``x2`` do not broadcast together.
        TypeError: torch has no such operation for the promoted dtype.

    Example:
        >>> fmod(torch.tensor([-7, 7]), 3)
        tensor([-1,  1])
    """
    return c.binary("fmod", _fmod, x1, x2)


def power(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
    """The power ``x1 ** x2``, elementwise.

    The operands are promoted to Keras's common dtype (``ops.dtypes.result_type``), which the result has.

    Args:
        x1: tensor, array or Python number: the first operand.
        x2: tensor, array or Python number: the second operand, broadcast against ``x1``.

    Returns:
        A tensor of the broadcast shape and the promoted dtype.

    Raises:
        ValueError: the shapes of ``x1`` and ``x2`` do not broadcast together.
        TypeError: torch has no such operation for the promoted dtype.

    Example:
        >>> power(torch.tensor([2, 3]), 2)
        tensor([4, 9])
    """
    return c.binary("power", torch.pow, x1, x2)


def maximum(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
    """The larger of ``x1`` and ``x2``, elementwise (NaN where either is NaN).

    The operands are promoted to Keras's common dtype (``ops.dtypes.result_type``), which the result has.

    Args:
        x1: tensor, array or Python number: the first operand.
        x2: tensor, array or Python number: the second operand, broadcast against ``x1``.

    Returns:
        A tensor of the broadcast shape and the promoted dtype.

    Raises:
        ValueError: the shapes of ``x1`` and ``x2`` do not broadcast together.
        TypeError: torch has no such operation for the promoted dtype.

    Example:
        >>> maximum(torch.tensor([1.0, float("nan")]), torch.tensor([2.0, 0.0]))
        tensor([2., nan])
    """
    return c.binary("maximum", torch.maximum, x1, x2, scalar=False)


def minimum(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
    """The smaller of ``x1`` and ``x2``, elementwise (NaN where either is NaN).

    The operands are promoted to Keras's common dtype (``ops.dtypes.result_type``), which the result has.

    Args:
        x1: tensor, array or Python number: the first operand.
        x2: tensor, array or Python number: the second operand, broadcast against ``x1``.

    Returns:
        A tensor of the broadcast shape and the promoted dtype.

    Raises:
        ValueError: the shapes of ``x1`` and ``x2`` do not broadcast together.
        TypeError: torch has no such operation for the promoted dtype.

    Example:
        >>> minimum(torch.tensor([1, 5]), 3)
        tensor([1, 3])
    """
    return c.binary("minimum", torch.minimum, x1, x2, scalar=False)


def fmax(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
    """The larger of ``x1`` and ``x2``, elementwise, ignoring NaN (NaN only where both are NaN).

    The operands are promoted to Keras's common dtype (``ops.dtypes.result_type``), which the result has.

    Args:
        x1: tensor, array or Python number: the first operand.
        x2: tensor, array or Python number: the second operand, broadcast against ``x1``.

    Returns:
        A tensor of the broadcast shape and the promoted dtype.

    Raises:
        ValueError: the shapes of ``x1`` and ``x2`` do not broadcast together.
        TypeError: torch has no such operation for the promoted dtype.

    Example:
        >>> fmax(torch.tensor([1.0, float("nan")]), torch.tensor([2.0, 0.0]))
        tensor([2., 0.])
    """
    return c.binary("fmax", torch.fmax, x1, x2, scalar=False)


def fmin(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
    """The smaller of ``x1`` and ``x2``, elementwise, ignoring NaN (NaN only where both are NaN).

    The operands are promoted to Keras's common dtype (``ops.dtypes.result_type``), which the result has.

    Args:
        x1: tensor, array or Python number: the first operand.
        x2: tensor, array or Python number: the second operand, broadcast against ``x1``.

    Returns:
        A tensor of the broadcast shape and the promoted dtype.

    Raises:
        ValueError: the shapes of ``x1`` and ``x2`` do not broadcast together.
        TypeError: torch has no such operation for the promoted dtype.

    Example:
        >>> fmin(torch.tensor([1.0, float("nan")]), torch.tensor([2.0, 0.0]))
        tensor([1., 0.])
    """
    return c.binary("fmin", torch.fmin, x1, x2, scalar=False)


def arctan2(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
    """The angle of the point ``(x2, x1)`` in radians in ``[-pi, pi]``, elementwise.

    The operands are promoted to their common dtype and at least to a float (integers and bool give floatx), which the
    result has.

    Args:
        x1: tensor, array or Python number: the first operand.
        x2: tensor, array or Python number: the second operand, broadcast against ``x1``.

    Returns:
        A tensor of the broadcast shape, of the promoted float dtype.

    Raises:
        ValueError: the shapes of ``x1`` and ``x2`` do not broadcast together.
        TypeError: torch has no such operation for the promoted dtype.

    Example:
        >>> arctan2(torch.tensor([1.0, -1.0]), torch.tensor([0.0, 0.0]))
        tensor([ 1.5708, -1.5708])
    """
    return c.binary("arctan2", torch.atan2, x1, x2, weak=float, scalar=False)


def hypot(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
    """The hypotenuse ``sqrt(x1 ** 2 + x2 ** 2)``, elementwise.

    The operands are promoted to their common dtype and at least to a float (integers and bool give floatx), which the
    result has.

    Args:
        x1: tensor, array or Python number: the first operand.
        x2: tensor, array or Python number: the second operand, broadcast against ``x1``.

    Returns:
        A tensor of the broadcast shape, of the promoted float dtype.

    Raises:
        ValueError: the shapes of ``x1`` and ``x2`` do not broadcast together.
        TypeError: torch has no such operation for the promoted dtype.

    Example:
        >>> hypot(torch.tensor([3, 5]), torch.tensor([4, 12]))
        tensor([ 5., 13.])
    """
    return c.binary("hypot", torch.hypot, x1, x2, weak=float, scalar=False)


def logaddexp(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
    """``log(exp(x1) + exp(x2))``, elementwise, computed without overflow.

    The operands are promoted to their common dtype and at least to a float (integers and bool give floatx), which the
    result has.

    Args:
        x1: tensor, array or Python number: the first operand.
        x2: tensor, array or Python number: the second operand, broadcast against ``x1``.

    Returns:
        A tensor of the broadcast shape, of the promoted float dtype.

    Raises:
        ValueError: the shapes of ``x1`` and ``x2`` do not broadcast together.
        TypeError: torch has no such operation for the promoted dtype.

    Example:
        >>> logaddexp(torch.tensor([0.0, 1000.0]), torch.tensor([0.0, 1000.0]))
        tensor([6.9315e-01, 1.0007e+03])
    """
    return c.binary("logaddexp", torch.logaddexp, x1, x2, weak=float, scalar=False)


def logaddexp2(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
    """``log2(2 ** x1 + 2 ** x2)``, elementwise, computed without overflow.

    The operands are promoted to their common dtype and at least to a float (integers and bool give floatx), which the
    result has.

    Args:
        x1: tensor, array or Python number: the first operand.
        x2: tensor, array or Python number: the second operand, broadcast against ``x1``.

    Returns:
        A tensor of the broadcast shape, of the promoted float dtype.

    Raises:
        ValueError: the shapes of ``x1`` and ``x2`` do not broadcast together.
        TypeError: torch has no such operation for the promoted dtype.

    Example:
        >>> logaddexp2(torch.tensor([1.0, 3.0]), torch.tensor([1.0, 3.0]))
        tensor([2., 4.])
    """
    return c.binary("logaddexp2", torch.logaddexp2, x1, x2, weak=float, scalar=False)


def nextafter(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
    """The next representable float after ``x1`` in the direction of ``x2``, elementwise.

    The operands are promoted to their common dtype and at least to a float (integers and bool give floatx), which the
    result has.

    Args:
        x1: tensor, array or Python number: the first operand.
        x2: tensor, array or Python number: the second operand, broadcast against ``x1``.

    Returns:
        A tensor of the broadcast shape, of the promoted float dtype.

    Raises:
        ValueError: the shapes of ``x1`` and ``x2`` do not broadcast together.
        TypeError: torch has no such operation for the promoted dtype.

    Example:
        >>> nextafter(torch.tensor([1.0]), torch.tensor([2.0])) - 1
        tensor([1.1921e-07])
    """
    return c.binary("nextafter", torch.nextafter, x1, x2, weak=float, scalar=False)


def heaviside(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
    """The Heaviside step function: 0 where ``x1 < 0``, ``x2`` where ``x1 == 0``, 1 where ``x1 > 0``.

    The operands are promoted to Keras's common dtype (``ops.dtypes.result_type``), which the result has. Integer dtypes
    give floatx; two bool inputs stay bool.

    Args:
        x1: tensor, array or Python number: the first operand.
        x2: tensor, array or Python number: the second operand, broadcast against ``x1``.

    Returns:
        A tensor of the broadcast shape, of the promoted dtype (floatx for integers).

    Raises:
        ValueError: the shapes of ``x1`` and ``x2`` do not broadcast together.
        TypeError: torch has no such operation for the promoted dtype.

    Example:
        >>> heaviside(torch.tensor([-1.0, 0.0, 2.0]), 0.5)
        tensor([0.0000, 0.5000, 1.0000])
    """
    a, b, dtype = c.pair(x1, x2)
    if dtype != torch.bool and not (a.is_floating_point() or a.is_complex()):
        dtype = c.float_dtype(dtype)
        a, b = a.to(dtype), b.to(dtype)
    return c.apply("heaviside", torch.heaviside, a, b)


_INT_OP_DOC = """Elementwise {summary} of integers.

The inputs are promoted to their common integer dtype, which the result has.

Args:
    x1: tensor, array or Python int: the first operand (integers).
    x2: tensor, array or Python int: the second operand (integers), broadcast against ``x1``.

Returns:
    A tensor of the broadcast shape and the promoted integer dtype.

Raises:
    TypeError: the promoted dtype is not an integer dtype (float, complex or bool).
    ValueError: the shapes do not broadcast together.

Example:
    >>> {example}
    {output}
"""


def _int_op(
    op: str, fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], summary: str, example: str, output: str
) -> Callable[[TensorLike, TensorLike], torch.Tensor]:
    """The integer op ``op`` (``fn`` on the promoted operands), documented by ``summary`` and an example."""

    def function(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
        a, b, dtype = c.pair(x1, x2)
        c.check_integer(op, dtype, bool_ok=False)
        return c.apply(op, fn, a, b)

    return c.named(op, _INT_OP_DOC.format(summary=summary, example=example, output=output), function)


gcd = _int_op(
    "gcd", torch.gcd, "greatest common divisor", "gcd(torch.tensor([12, 18]), torch.tensor([8, 12]))", "tensor([4, 6])"
)
lcm = _int_op("lcm", torch.lcm, "least common multiple", "lcm(torch.tensor([4, 6]), 10)", "tensor([20, 30])")


def ldexp(x1: TensorLike, x2: TensorLike) -> torch.Tensor:
    """``x1 * 2 ** x2`` for integer exponents ``x2``, elementwise.

    ``x1`` is computed in its float dtype (floatx for integer and bool inputs), which the result has.

    Args:
        x1: tensor, array or Python number: the mantissas.
        x2: tensor, array or Python int: the integer exponents, broadcast against ``x1``.

    Returns:
        A tensor of the broadcast shape and ``x1``'s float dtype.

    Raises:
        TypeError: ``x2`` is not of an integer dtype (float, complex or bool).
        ValueError: the shapes do not broadcast together.

    Example:
        >>> ldexp(torch.tensor([1.0, 3.0]), torch.tensor([3, -1]))
        tensor([8.0000, 1.5000])
    """
    b = c.tensor(x2)
    if b.dtype == torch.bool or b.is_floating_point() or b.is_complex():
        raise TypeError(f"ops.ldexp: expected integer exponents x2, received {c.name(b.dtype)}")
    a = c.to_float(x1)
    if not isinstance(x1, torch.Tensor) and a.device != b.device:
        a = a.to(b.device)
    return c.apply("ldexp", torch.mul, a, torch.exp2(b.to(a.dtype)))
