"""Argument validators: one place per kind of argument, so every refusal reads the same.

Each validator takes the **owner** (how the error names who refused: ``'Dense layer "dense"'``,
``'Model "classifier" fit'``), the argument's **name** and its **value**; it returns the value in its
canonical form (``int``, ``float``, ``bool``, ``tuple`` ...) or raises a ``ValueError`` whose message is::

    <owner>: argument `<name>` must be <expected>; received <value!r> (<type>)

Decisions:

- Every refusal is a ``ValueError``, a wrong type included (``units=2.5``, ``use_bias="no"``), as Keras 3
  raises ``ValueError`` for bad arguments; ``except ValueError`` catches any of them.
- Integers are Python or NumPy integers; ``bool`` is not an integer here (``units=True`` is a mistake).
  Booleans are ``bool`` or ``numpy.bool_`` only: ``use_bias="no"`` is truthy and would silently mean True.
- Numbers are finite real numbers (``nan`` and ``inf`` are refused unless ``finite=False``).
- Long values (an array passed by mistake) are shortened in the message.

The module lives in ``kerastorch.backend`` because it sits low in the dependency order: layers
(``kerastorch.layers.layer_utils``'s ``positive_int`` / ``check_seed`` are thin uses of it), models and the
trainer all import it, and it imports nothing from kerastorch, so it can never create a cycle.

Example:
    >>> positive_int('Dense layer "dense"', "units", 8)
    8
    >>> positive_int('Dense layer "dense"', "units", 0)
    Traceback (most recent call last):
    ...
    ValueError: Dense layer "dense": argument `units` must be a positive integer; received 0 (int)
    >>> shape("InputLayer", "shape", (None, 3))
    (None, 3)
    >>> probability("Dropout", "rate", 0.5, include_one=False)
    0.5
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable, Literal, NoReturn, Sequence, TypeVar, overload

import numpy as np

__all__ = [
    "boolean",
    "callable_argument",
    "describe",
    "error_message",
    "fail",
    "instance_of",
    "integer",
    "is_integer",
    "non_negative_int",
    "number",
    "one_of",
    "positive_int",
    "probability",
    "shape",
]

_MAX_REPR = 120
_T = TypeVar("_T")


def _short_repr(value, depth=0):
    """``repr(value)``, with arrays and tensors (also inside lists, tuples and dicts) as their shape and dtype."""
    shape = getattr(value, "shape", None)
    if isinstance(shape, tuple) and hasattr(value, "dtype") and not isinstance(value, (numbers.Number, np.generic)):
        return f"<{type(value).__name__} of shape {tuple(shape)} and dtype {value.dtype}>"
    if depth < 2 and isinstance(value, (list, tuple)) and len(value) <= 8:
        items = ", ".join(_short_repr(item, depth + 1) for item in value)
        return f"[{items}]" if isinstance(value, list) else f"({items}{',' if len(value) == 1 else ''})"
    if depth < 2 and isinstance(value, dict) and len(value) <= 8:
        return "{" + ", ".join(f"{key!r}: {_short_repr(item, depth + 1)}" for key, item in value.items()) + "}"
    return repr(value)


def describe(value: Any) -> str:
    """``repr(value)`` on one line (arrays and tensors as their shape and dtype; shortened when long) followed
    by its type name in parentheses.

    Args:
        value: any object.

    Returns:
        str, e.g. ``"0 (int)"``.

    >>> describe("same")
    "'same' (str)"
    >>> describe((np.zeros((10, 3)),))
    '(<ndarray of shape (10, 3) and dtype float64>,) (tuple)'
    """
    text = " ".join(_short_repr(value).split())
    if len(text) > _MAX_REPR:
        text = text[: _MAX_REPR - 3] + "..."
    return f"{text} ({type(value).__name__})"


def error_message(owner: str, name: str, expected: str, value: Any) -> str:
    """The message every validator raises with.

    Args:
        owner: str, who refuses (``'Dense layer "dense"'``).
        name: str, the argument's name.
        expected: str, what it must be (``"a positive integer"``).
        value: the value received.

    Returns:
        str.

    >>> error_message("fit", "epochs", "a non-negative integer", -1)
    'fit: argument `epochs` must be a non-negative integer; received -1 (int)'
    """
    return f"{owner}: argument `{name}` must be {expected}; received {describe(value)}"


def fail(owner: str, name: str, expected: str, value: Any) -> NoReturn:
    """Raise the ``ValueError`` of :func:`error_message` (for checks of a kind no validator here covers).

    Args:
        owner: str, who refuses.
        name: str, the argument's name.
        expected: str, what it must be.
        value: the value received.

    Raises:
        ValueError: always.

    >>> fail("fit", "shuffle", 'a bool or "batch"', "yes")
    Traceback (most recent call last):
    ...
    ValueError: fit: argument `shuffle` must be a bool or "batch"; received 'yes' (str)
    """
    raise ValueError(error_message(owner, name, expected, value))


def _or_none(expected, allow_none):
    return f"{expected} or None" if allow_none else expected


def is_integer(value: Any) -> bool:
    """Whether ``value`` is a Python or NumPy integer (a bool is not).

    Args:
        value: any object.

    Returns:
        bool.

    >>> is_integer(3), is_integer(True), is_integer(3.0)
    (True, False, False)
    """
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


@overload
def integer(owner: str, name: str, value: Any, allow_none: Literal[False] = ..., minimum: int | None = ...) -> int: ...
@overload
def integer(owner: str, name: str, value: Any, allow_none: bool = ..., minimum: int | None = ...) -> int | None: ...
def integer(owner: str, name: str, value: Any, allow_none: bool = False, minimum: int | None = None) -> int | None:
    """``value`` as an ``int`` (at least ``minimum`` when given), or None when ``allow_none``.

    Args:
        owner: str, who refuses, at the start of the message.
        name: str, the argument's name.
        value: the value to check.
        allow_none: bool, default False: whether None is accepted (and returned).
        minimum: int or None, default None: the smallest value accepted.

    Returns:
        int, or None.

    Raises:
        ValueError: for anything else.

    >>> integer("RandomFlip", "seed", None, allow_none=True) is None
    True
    """
    if value is None and allow_none:
        return None
    if not is_integer(value) or (minimum is not None and value < minimum):
        if minimum is None:
            expected = "an integer"
        elif minimum == 1:
            expected = "a positive integer"
        elif minimum == 0:
            expected = "a non-negative integer"
        else:
            expected = f"an integer >= {minimum}"
        fail(owner, name, _or_none(expected, allow_none), value)
    return int(value)


@overload
def positive_int(owner: str, name: str, value: Any, allow_none: Literal[False] = ...) -> int: ...
@overload
def positive_int(owner: str, name: str, value: Any, allow_none: bool = ...) -> int | None: ...
def positive_int(owner: str, name: str, value: Any, allow_none: bool = False) -> int | None:
    """``value`` as an ``int >= 1`` (None too when ``allow_none``).

    Args:
        owner: str, who refuses.
        name: str, the argument's name.
        value: the value to check.
        allow_none: bool, default False: whether None is accepted.

    Returns:
        int, or None.

    Raises:
        ValueError: for anything else (``0``, ``2.5``, ``True``, ``"3"``).

    >>> positive_int("fit", "batch_size", None, allow_none=True) is None
    True
    """
    return integer(owner, name, value, allow_none=allow_none, minimum=1)


@overload
def non_negative_int(owner: str, name: str, value: Any, allow_none: Literal[False] = ...) -> int: ...
@overload
def non_negative_int(owner: str, name: str, value: Any, allow_none: bool = ...) -> int | None: ...
def non_negative_int(owner: str, name: str, value: Any, allow_none: bool = False) -> int | None:
    """``value`` as an ``int >= 0`` (None too when ``allow_none``).

    Args:
        owner: str, who refuses.
        name: str, the argument's name.
        value: the value to check.
        allow_none: bool, default False: whether None is accepted.

    Returns:
        int, or None.

    Raises:
        ValueError: for anything else.

    >>> non_negative_int("fit", "initial_epoch", 0)
    0
    """
    return integer(owner, name, value, allow_none=allow_none, minimum=0)


def _interval(low, high, low_open, high_open):
    left = "(" if low_open else "["
    right = ")" if high_open else "]"
    return f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"


@overload
def number(
    owner: str,
    name: str,
    value: Any,
    low: float | None = ...,
    high: float | None = ...,
    low_open: bool = ...,
    high_open: bool = ...,
    allow_none: Literal[False] = ...,
    finite: bool = ...,
) -> float: ...
@overload
def number(
    owner: str,
    name: str,
    value: Any,
    low: float | None = ...,
    high: float | None = ...,
    low_open: bool = ...,
    high_open: bool = ...,
    allow_none: bool = ...,
    finite: bool = ...,
) -> float | None: ...
def number(
    owner: str,
    name: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    allow_none: bool = False,
    finite: bool = True,
) -> float | None:
    """``value`` as a ``float`` within ``[low, high]`` (each end open when asked).

    Args:
        owner: str, who refuses.
        name: str, the argument's name.
        value: the value to check.
        low: number or None, default None: the lower bound (None: unbounded).
        high: number or None, default None: the upper bound (None: unbounded).
        low_open: bool, default False: whether ``low`` itself is refused.
        high_open: bool, default False: whether ``high`` itself is refused.
        allow_none: bool, default False: whether None is accepted (and returned).
        finite: bool, default True: whether ``nan`` and infinities are refused.

    Returns:
        float, or None.

    Raises:
        ValueError: for a non-number (``bool`` included) or a number out of range.

    >>> number("BatchNormalization", "epsilon", 1e-3, low=0, low_open=True)
    0.001
    """
    if value is None and allow_none:
        return None
    bounded = low is not None or high is not None
    expected = "a number" + (f" in {_interval(low, high, low_open, high_open)}" if bounded else "")
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        fail(owner, name, _or_none(expected, allow_none), value)
    value = float(value)
    if ((finite or bounded) and math.isnan(value)) or (finite and math.isinf(value)):
        fail(owner, name, _or_none(("a finite " if finite else "") + expected[2:], allow_none), value)
    if low is not None and (value < low or (low_open and value == low)):
        fail(owner, name, _or_none(expected, allow_none), value)
    if high is not None and (value > high or (high_open and value == high)):
        fail(owner, name, _or_none(expected, allow_none), value)
    return value


def probability(owner: str, name: str, value: Any, include_one: bool = True) -> float:
    """``value`` as a ``float`` in ``[0, 1]`` (``[0, 1)`` without ``include_one``): rates and probabilities.

    Args:
        owner: str, who refuses.
        name: str, the argument's name.
        value: the value to check.
        include_one: bool, default True: whether 1 is accepted (a dropout ``rate`` of 1 drops everything).

    Returns:
        float.

    Raises:
        ValueError: for anything else.

    >>> probability("LSTM", "dropout", 0)
    0.0
    """
    return number(owner, name, value, low=0, high=1, high_open=not include_one)


def boolean(owner: str, name: str, value: Any) -> bool:
    """``value`` as a ``bool``: only ``True``/``False`` (or NumPy's) are accepted.

    Args:
        owner: str, who refuses.
        name: str, the argument's name.
        value: the value to check.

    Returns:
        bool.

    Raises:
        ValueError: for anything else (``"no"``, ``1``, ``None``).

    >>> boolean("Dense", "use_bias", False)
    False
    """
    if not isinstance(value, (bool, np.bool_)):
        fail(owner, name, "a bool (True or False)", value)
    return bool(value)


def one_of(owner: str, name: str, value: Any, choices: Sequence[_T]) -> _T:
    """The entry of ``choices`` equal to ``value`` (a bool never equals a number here: ``True`` is not ``1``).

    Args:
        owner: str, who refuses.
        name: str, the argument's name.
        value: the value to check.
        choices: the accepted values (a list or tuple).

    Returns:
        the matching entry of ``choices``.

    Raises:
        ValueError: for anything else.

    >>> one_of("Conv2D", "padding", "same", ("valid", "same"))
    'same'
    """
    for choice in choices:
        if isinstance(value, (bool, np.bool_)) == isinstance(choice, bool) and _equal(value, choice):
            return choice
    fail(owner, name, f"one of {list(choices)}", value)


def _equal(a, b):
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - e.g. an array compared with a string: not equal
        return False


def shape(
    owner: str, name: str, value: Any, allow_none_dims: bool = True, allow_zero: bool = False, allow_int: bool = True
) -> tuple[int | None, ...]:
    """``value`` as a shape tuple: each entry a positive integer (``>= 0`` with ``allow_zero``) or None.

    Args:
        owner: str, who refuses.
        name: str, the argument's name.
        value: the value to check: a tuple, list or ``torch.Size`` (or an int, read as a 1-tuple, with
            ``allow_int``).
        allow_none_dims: bool, default True: whether entries may be None (unknown sizes).
        allow_zero: bool, default False: whether entries may be 0.
        allow_int: bool, default True: whether a lone int means a one-axis shape.

    Returns:
        tuple of ints (and Nones).

    Raises:
        ValueError: for anything else (a string, a negative or fractional size, ``True``).

    >>> shape("InputLayer", "shape", 5)
    (5,)
    >>> shape("Reshape", "target_shape", [2, 3])
    (2, 3)
    """
    size = "non-negative integers" if allow_zero else "positive integers"
    expected = f"a shape (a tuple whose entries are {size}{' or None' if allow_none_dims else ''})"
    if allow_int and is_integer(value):
        value = (value,)
    elif not isinstance(value, (tuple, list)):  # torch.Size is a tuple
        fail(owner, name, expected, value)
    minimum = 0 if allow_zero else 1
    for dim in value:
        if dim is None and allow_none_dims:
            continue
        if not is_integer(dim) or dim < minimum:
            fail(owner, name, expected, value)
    return tuple(None if dim is None else int(dim) for dim in value)


@overload
def callable_argument(owner: str, name: str, value: Any, allow_none: Literal[False] = ...) -> Callable[..., Any]: ...
@overload
def callable_argument(owner: str, name: str, value: Any, allow_none: bool = ...) -> Callable[..., Any] | None: ...
def callable_argument(owner: str, name: str, value: Any, allow_none: bool = False) -> Callable[..., Any] | None:
    """``value`` unchanged when it is callable (or None with ``allow_none``).

    Args:
        owner: str, who refuses.
        name: str, the argument's name.
        value: the value to check.
        allow_none: bool, default False: whether None is accepted.

    Returns:
        ``value``.

    Raises:
        ValueError: for anything else.

    >>> callable_argument("Lambda", "function", abs) is abs
    True
    """
    if value is None and allow_none:
        return None
    if not callable(value):
        fail(owner, name, _or_none("a callable", allow_none), value)
    return value


@overload
def instance_of(
    owner: str, name: str, value: Any, types: type[_T], expected: str, allow_none: Literal[False] = ...
) -> _T: ...
@overload
def instance_of(
    owner: str, name: str, value: Any, types: type[_T], expected: str, allow_none: bool = ...
) -> _T | None: ...
@overload
def instance_of(
    owner: str, name: str, value: Any, types: tuple[type, ...], expected: str, allow_none: bool = ...
) -> Any: ...
def instance_of(
    owner: str, name: str, value: Any, types: type | tuple[type, ...], expected: str, allow_none: bool = False
) -> Any:
    """``value`` unchanged when it is an instance of ``types`` (or None with ``allow_none``).

    Args:
        owner: str, who refuses.
        name: str, the argument's name.
        value: the value to check.
        types: a class or a tuple of classes.
        expected: str, how the message describes them (``"a dict"``).
        allow_none: bool, default False: whether None is accepted.

    Returns:
        ``value``.

    Raises:
        ValueError: for anything else.

    >>> instance_of("fit", "class_weight", {0: 1.0}, dict, "a dict")
    {0: 1.0}
    """
    if value is None and allow_none:
        return None
    if not isinstance(value, types):
        fail(owner, name, _or_none(expected, allow_none), value)
    return value
