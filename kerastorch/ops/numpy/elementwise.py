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
import torch

from kerastorch.ops.numpy import _promote as c

__all__ = [
    "abs", "absolute", "add", "angle", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctan2", "arctanh",
    "cbrt", "ceil", "clip", "conj", "conjugate", "cos", "cosh", "deg2rad", "divide", "divide_no_nan", "exp",
    "exp2", "expm1", "fabs", "floor", "floor_divide", "fmax", "fmin", "fmod", "gcd", "heaviside", "hypot", "i0",
    "imag", "lcm", "ldexp", "log", "log10", "log1p", "log2", "logaddexp", "logaddexp2", "maximum", "minimum",
    "mod", "multiply", "nan_to_num", "negative", "nextafter", "power", "rad2deg", "real", "reciprocal", "round",
    "sign", "sin", "sinc", "sinh", "sqrt", "square", "subtract", "tan", "tanh", "true_divide", "trunc",
]

_INT32 = torch.int32


def _float_unary(op, fn):
    def function(x):
        x = c.to_float(x)
        return c.apply(op, fn, x)

    return c.named(op, f"Elementwise ``{op}`` (integer and bool inputs give floatx).", function)


sqrt = _float_unary("sqrt", torch.sqrt)
exp = _float_unary("exp", torch.exp)
exp2 = _float_unary("exp2", torch.exp2)
expm1 = _float_unary("expm1", torch.expm1)
log = _float_unary("log", torch.log)
log10 = _float_unary("log10", torch.log10)
log1p = _float_unary("log1p", torch.log1p)
log2 = _float_unary("log2", torch.log2)
sin = _float_unary("sin", torch.sin)
cos = _float_unary("cos", torch.cos)
tan = _float_unary("tan", torch.tan)
arcsin = _float_unary("arcsin", torch.asin)
arccos = _float_unary("arccos", torch.acos)
arctan = _float_unary("arctan", torch.atan)
sinh = _float_unary("sinh", torch.sinh)
cosh = _float_unary("cosh", torch.cosh)
tanh = _float_unary("tanh", torch.tanh)
arcsinh = _float_unary("arcsinh", torch.asinh)
arccosh = _float_unary("arccosh", torch.acosh)
arctanh = _float_unary("arctanh", torch.atanh)
reciprocal = _float_unary("reciprocal", torch.reciprocal)
ceil = _float_unary("ceil", torch.ceil)
floor = _float_unary("floor", torch.floor)
fabs = _float_unary("fabs", torch.abs)
deg2rad = _float_unary("deg2rad", torch.deg2rad)
rad2deg = _float_unary("rad2deg", torch.rad2deg)
sinc = _float_unary("sinc", torch.sinc)
i0 = _float_unary("i0", torch.i0)
angle = _float_unary("angle", torch.angle)


def cbrt(x):
    """Elementwise real cube root (negative inputs give negative roots)."""
    x = c.to_float(x)
    return torch.sign(x) * torch.abs(x).pow(1.0 / 3.0)


def abs(x):  # noqa: A001 - Keras's name
    """Elementwise absolute value (same dtype)."""
    x = c.tensor(x)
    return x if x.dtype == torch.bool else torch.abs(x)


absolute = abs


def negative(x):
    """Elementwise ``-x``."""
    return c.apply("negative", torch.neg, c.tensor(x))


def square(x):
    """Elementwise ``x * x`` (bool gives int32)."""
    x = c.tensor(x)
    return torch.square(x.to(_INT32) if x.dtype == torch.bool else x)


def sign(x):
    """Elementwise sign: -1, 0 or 1 in the input's dtype."""
    x = c.tensor(x)
    return x if x.dtype == torch.bool else torch.sign(x)


def trunc(x):
    """Elementwise rounding towards zero (integers unchanged)."""
    x = c.tensor(x)
    return torch.trunc(x) if x.is_floating_point() else x


def round(x, decimals=0):  # noqa: A001 - Keras's name
    """Round half to even to ``decimals`` decimals (negative: to tens, hundreds ...), keeping the dtype."""
    x = c.tensor(x)
    if x.dtype == torch.bool:
        raise TypeError("ops.round: expected a numeric tensor, received dtype bool")
    if x.is_floating_point() or x.is_complex():
        return torch.round(x, decimals=decimals)
    if decimals >= 0:
        return x
    scale = 10 ** (-decimals)
    return (torch.round(x.double() / scale) * scale).to(x.dtype)


def real(x):
    """The real part (the input itself for real tensors)."""
    return torch.real(c.tensor(x))


def imag(x):
    """The imaginary part (zeros for real tensors)."""
    x = c.tensor(x)
    return torch.imag(x) if x.is_complex() else torch.zeros_like(x)


def conj(x):
    """The complex conjugate (the input itself for real tensors)."""
    return torch.conj(c.tensor(x))


conjugate = conj


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """NaN replaced by ``nan``, infinities by ``posinf`` / ``neginf`` (default: the dtype's largest values)."""
    x = c.tensor(x)
    if not (x.is_floating_point() or x.is_complex()):
        return x
    return torch.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)


def clip(x, x_min, x_max):
    """``x`` limited to ``[x_min, x_max]`` (bool gives int32)."""
    x = c.tensor(x)
    if x.dtype == torch.bool:
        x = x.to(_INT32)
    dtype = c.promote_dtype(x, *(v for v in (x_min, x_max) if v is not None))
    bounds = [v if v is None or isinstance(v, (int, float)) else c.cast(v, dtype, x.device) for v in (x_min, x_max)]
    return c.apply("clip", torch.clamp, x.to(dtype), *bounds)


def add(x1, x2):
    """Elementwise ``x1 + x2``."""
    return c.binary("add", torch.add, x1, x2)


def subtract(x1, x2):
    """Elementwise ``x1 - x2``."""
    return c.binary("subtract", torch.sub, x1, x2)


def multiply(x1, x2):
    """Elementwise ``x1 * x2``."""
    return c.binary("multiply", torch.mul, x1, x2)


def divide(x1, x2):
    """Elementwise true division ``x1 / x2`` (integers give floatx)."""
    return c.binary("divide", torch.div, x1, x2, weak=float)


true_divide = divide


def divide_no_nan(x1, x2):
    """``x1 / x2``, with 0 where ``x2 == 0``."""
    a, b, _ = c.pair(x1, x2, weak=float)
    return torch.where(b == 0, 0.0, c.apply("divide_no_nan", torch.div, a, b))


def floor_divide(x1, x2):
    """Elementwise ``floor(x1 / x2)``, in the common dtype."""
    return c.binary("floor_divide", torch.floor_divide, x1, x2)


def _int_bool(fn):
    def function(a, b):
        if a.dtype == torch.bool:  # Keras gives int32 for bool % bool
            a, b = a.to(_INT32), (b.to(_INT32) if isinstance(b, torch.Tensor) else int(b))
        return fn(a, b)

    return function


_remainder, _fmod = _int_bool(torch.remainder), _int_bool(torch.fmod)


def mod(x1, x2):
    """Elementwise remainder with the sign of ``x2`` (Python's ``%``)."""
    return c.binary("mod", _remainder, x1, x2)


def fmod(x1, x2):
    """Elementwise remainder with the sign of ``x1`` (C's ``fmod``)."""
    return c.binary("fmod", _fmod, x1, x2)


def power(x1, x2):
    """Elementwise ``x1 ** x2``."""
    return c.binary("power", torch.pow, x1, x2)


def maximum(x1, x2):
    """Elementwise maximum (NaN if either is NaN)."""
    return c.binary("maximum", torch.maximum, x1, x2, scalar=False)


def minimum(x1, x2):
    """Elementwise minimum (NaN if either is NaN)."""
    return c.binary("minimum", torch.minimum, x1, x2, scalar=False)


def fmax(x1, x2):
    """Elementwise maximum ignoring NaN."""
    return c.binary("fmax", torch.fmax, x1, x2, scalar=False)


def fmin(x1, x2):
    """Elementwise minimum ignoring NaN."""
    return c.binary("fmin", torch.fmin, x1, x2, scalar=False)


def arctan2(x1, x2):
    """Elementwise angle of the point ``(x2, x1)``."""
    return c.binary("arctan2", torch.atan2, x1, x2, weak=float, scalar=False)


def hypot(x1, x2):
    """Elementwise ``sqrt(x1**2 + x2**2)``."""
    return c.binary("hypot", torch.hypot, x1, x2, weak=float, scalar=False)


def logaddexp(x1, x2):
    """Elementwise ``log(exp(x1) + exp(x2))``, computed stably."""
    return c.binary("logaddexp", torch.logaddexp, x1, x2, weak=float, scalar=False)


def logaddexp2(x1, x2):
    """Elementwise ``log2(2**x1 + 2**x2)``, computed stably."""
    return c.binary("logaddexp2", torch.logaddexp2, x1, x2, weak=float, scalar=False)


def nextafter(x1, x2):
    """The next float after ``x1`` towards ``x2``."""
    return c.binary("nextafter", torch.nextafter, x1, x2, weak=float, scalar=False)


def heaviside(x1, x2):
    """Step function: 0 for ``x1 < 0``, ``x2`` for ``x1 == 0``, 1 for ``x1 > 0`` (integers give floatx)."""
    a, b, dtype = c.pair(x1, x2)
    if dtype != torch.bool and not (a.is_floating_point() or a.is_complex()):
        dtype = c.float_dtype(dtype)
        a, b = a.to(dtype), b.to(dtype)
    return c.apply("heaviside", torch.heaviside, a, b)


def _int_op(op, fn, doc):
    def function(x1, x2):
        a, b, dtype = c.pair(x1, x2)
        c.check_integer(op, dtype, bool_ok=False)
        return c.apply(op, fn, a, b)

    return c.named(op, doc, function)


gcd = _int_op("gcd", torch.gcd, "Elementwise greatest common divisor of integers.")
lcm = _int_op("lcm", torch.lcm, "Elementwise least common multiple of integers.")


def ldexp(x1, x2):
    """Elementwise ``x1 * 2**x2`` for integer exponents ``x2``."""
    b = c.tensor(x2)
    if b.dtype == torch.bool or b.is_floating_point() or b.is_complex():
        raise TypeError(f"ops.ldexp: expected integer exponents x2, received {c.name(b.dtype)}")
    a = c.to_float(x1)
    if not isinstance(x1, torch.Tensor) and a.device != b.device:
        a = a.to(b.device)
    return c.apply("ldexp", torch.mul, a, torch.exp2(b.to(a.dtype)))

