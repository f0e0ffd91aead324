"""Control flow and gradient ``keras.ops`` (part of Keras 3's core ops): cond, switch, while_loop, fori_loop,
scan, associative_scan, map, vectorized_map, custom_gradient.

These run eagerly, as on Keras's torch backend: ``cond``/``switch``/``while_loop`` read tensor predicates on
the host. ``associative_scan`` takes ``ceil(log2(n))`` calls of ``f`` (a parallel prefix scan over shifted
slices), not one per element; ``vectorized_map`` is ``torch.vmap``.

Example:
    >>> cond(torch.tensor(True), lambda: 1, lambda: 2)
    1
    >>> switch(1, [lambda x: x + 1, lambda x: x * 10], torch.tensor(2.0))
    tensor(20.)
    >>> while_loop(lambda i: i < 5, lambda i: i + 2, 0)
    tensor(6, dtype=torch.int32)
    >>> fori_loop(0, 4, lambda i, total: total + i, 0)
    6
    >>> carry, ys = scan(lambda c, x: (c + x, c * x), torch.tensor(0.0), torch.arange(4.0))
    >>> carry, ys
    (tensor(6.), tensor([0., 0., 2., 9.]))
    >>> associative_scan(lambda a, b: a + b, torch.arange(5.0))
    tensor([ 0.,  1.,  3.,  6., 10.])
    >>> map(lambda x: x * 2, torch.arange(3))
    tensor([0, 2, 4])
    >>> vectorized_map(lambda row: row.sum(), torch.ones(3, 2))
    tensor([2., 2., 2.])
    >>> @custom_gradient
    ... def clipped_identity(x):
    ...     return x, lambda upstream: upstream.clamp(-1, 1)
    >>> x = torch.tensor([3.0], requires_grad=True)
    >>> (clipped_identity(x) * 5).sum().backward(); x.grad
    tensor([1.])
"""

from __future__ import annotations

import builtins
import functools
from typing import Any, Callable, Sequence, TypeVar

import torch

from kerastorch import tree
from kerastorch.backend.annotations import TensorLike
from kerastorch.ops.core import convert_to_tensor

__all__ = [
    "associative_scan",
    "cond",
    "custom_gradient",
    "fori_loop",
    "map",
    "scan",
    "switch",
    "vectorized_map",
    "while_loop",
]

_T = TypeVar("_T")
_Carry = TypeVar("_Carry")


def cond(pred: TensorLike, true_fn: Callable[[], _T], false_fn: Callable[[], _T]) -> _T:
    """Calls ``true_fn()`` when ``pred`` is true, else ``false_fn()``.

    Runs eagerly: a tensor ``pred`` is read on the host (one sync), and only the chosen branch runs.

    Args:
        pred: bool, number or scalar tensor: the condition.
        true_fn: callable taking no arguments: called when ``pred`` is true.
        false_fn: callable taking no arguments: called otherwise.

    Returns:
        What the called branch returns.
    """
    return true_fn() if bool(pred) else false_fn()


def switch(index: int | torch.Tensor, branches: Sequence[Callable[..., _T]], *operands: Any) -> _T:
    """Calls ``branches[index](*operands)``.

    ``index`` is clipped to ``[0, len(branches) - 1]``, as in Keras, so an out-of-range index runs the first or last
    branch.

    Args:
        index: int or scalar integer tensor: which branch to call (read on the host).
        branches: list of callables: the branches, each taking ``*operands``.
        *operands: the arguments passed to the chosen branch.

    Returns:
        What the called branch returns.

    Raises:
        ValueError: when ``branches`` is empty.
    """
    if not branches:
        raise ValueError("ops.switch: expected at least one branch, received none")
    index = builtins.min(builtins.max(int(index), 0), len(branches) - 1)
    return branches[index](*operands)


def while_loop(
    cond: Callable[..., Any], body: Callable[..., Any], loop_vars: Any, maximum_iterations: int | None = None
) -> Any:
    """Repeats ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)`` is true.

    Runs eagerly in Python; a tensor condition is read on the host at each step. The loop variables are converted to
    tensors first (ints become int32 tensors).

    Args:
        cond: callable: takes the loop variables (unpacked) and returns a bool or scalar bool tensor.
        body: callable: takes the loop variables (unpacked) and returns their new values: a list or tuple of them, or
            a single value, which stands for a one-element tuple (so with one loop variable it may return a bare
            tensor, as in Keras).
        loop_vars: a tensor, number, or a list/tuple of them (nested structures allowed): the initial values.
        maximum_iterations: int or None, default ``None``: stop after this many steps even if ``cond`` holds.

    Returns:
        The final loop variables: a tuple when ``loop_vars`` is a list or tuple (a one-element tuple for a
        one-element list), else the single value.

    Example:
        >>> while_loop(lambda x: x < 3, lambda x: x + 1, [torch.tensor(0)])
        (tensor(3),)
        >>> while_loop(lambda i, total: i < 3, lambda i, total: (i + 1, total + i), (0, 10))
        (tensor(3, dtype=torch.int32), tensor(13, dtype=torch.int32))
    """
    packed = isinstance(loop_vars, (list, tuple))
    state = tuple(tree.map_structure(convert_to_tensor, tuple(loop_vars) if packed else (loop_vars,)))
    step = 0
    while (maximum_iterations is None or step < maximum_iterations) and bool(cond(*state)):
        state = body(*state)
        state = tuple(state) if isinstance(state, (list, tuple)) else (state,)
        step += 1
    return state if packed else state[0]


def fori_loop(
    lower: int | torch.Tensor, upper: int | torch.Tensor, body_fun: Callable[[int, _T], _T], init_val: _T
) -> _T:
    """Runs ``val = body_fun(i, val)`` for ``i`` in ``range(lower, upper)`` and returns the final ``val``.

    Args:
        lower: int or scalar integer tensor: the first index.
        upper: int or scalar integer tensor: one past the last index.
        body_fun: callable ``(i, val) -> val``: the loop body; ``i`` is a Python int.
        init_val: any: the initial value (any structure ``body_fun`` accepts).

    Returns:
        The value after the last step (``init_val`` when ``upper <= lower``).
    """
    value = init_val
    for i in range(int(lower), int(upper)):
        value = body_fun(i, value)
    return value


def _stack(outputs):
    """A list of equal structures -> one structure of tensors stacked on a new leading axis."""
    first = outputs[0]
    if first is None:
        return None
    columns = zip(*[tree.flatten(o) for o in outputs])
    return tree.pack_sequence_as(first, [torch.stack([convert_to_tensor(v) for v in col]) for col in columns])


def scan(
    f: Callable[[_Carry, Any], tuple[_Carry, Any]],
    init: _Carry,
    xs: Any = None,
    length: int | None = None,
    reverse: bool = False,
    unroll: int | bool = 1,
) -> tuple[_Carry, Any]:
    """Loops ``carry, y = f(carry, x)`` over the leading axis of ``xs`` and stacks the ``y`` values.

    Runs eagerly, one call of ``f`` per step.

    Args:
        f: callable ``(carry, x) -> (carry, y)``: the step; ``x`` is one slice of ``xs`` (None without ``xs``), ``y``
            may be any structure of tensors, or None.
        init: any: the initial carry.
        xs: tensor or structure of tensors, or None, default ``None``: scanned along their leading axis, which must have
            one size.
        length: int or None, default ``None``: the number of steps; required without ``xs``, must match it otherwise.
        reverse: bool, default ``False``: scan from the last slice to the first (the stacked ``y`` values keep the order
            of ``xs``).
        unroll: int or bool, default ``1``: a performance hint (a positive int or a bool, checked as Keras does):
            how many steps a compiled loop runs per iteration. It never changes the results; this eager loop, like
            Keras's torch backend, runs one call of ``f`` per step whatever its value.

    Returns:
        A tuple ``(final_carry, ys)``, ``ys`` the step outputs stacked on a new leading axis (None for no steps or when
        ``f`` returns None).

    Raises:
        TypeError: when ``f`` is not callable.
        ValueError: when neither ``xs`` nor ``length`` is given, leading sizes disagree, or ``unroll`` is neither a
            bool nor a positive int.
    """
    if not callable(f):
        raise TypeError(f"ops.scan: f must be a callable, received f={f!r}")
    if not isinstance(unroll, bool) and (not isinstance(unroll, int) or unroll < 1):
        raise ValueError(f"ops.scan: unroll must be a positive int or a bool, received unroll={unroll!r}")
    leaves = [] if xs is None else [convert_to_tensor(x) for x in tree.flatten(xs)]
    n = length if not leaves else leaves[0].shape[0]
    if n is None:
        raise ValueError("ops.scan: expected xs or length, received neither")
    if any(leaf.shape[0] != n for leaf in leaves) or (length is not None and length != n):
        raise ValueError(
            f"ops.scan: expected every xs leaf to have leading size {length or n}, received "
            f"{[tuple(leaf.shape) for leaf in leaves]}"
        )
    carry, ys = init, [None] * n
    for i in reversed(range(n)) if reverse else range(n):
        x = tree.pack_sequence_as(xs, [leaf[i] for leaf in leaves]) if leaves else None
        carry, ys[i] = f(carry, x)
    return carry, (_stack(ys) if n else None)


def associative_scan(f: Callable[[Any, Any], Any], elems: Any, reverse: bool = False, axis: int = 0) -> Any:
    """Inclusive prefix scan of ``elems`` along ``axis`` with an associative binary function ``f``.

    Entry ``i`` of the result is ``f(... f(f(e[0], e[1]), e[2]) ..., e[i])``. ``f`` is called ``ceil(log2(n))`` times on
    whole shifted slices (a parallel prefix scan), so it must work elementwise on batches of slices.

    Args:
        f: callable ``(a, b) -> c``: the associative combination, vectorized; takes and returns the structure of
            ``elems``.
        elems: tensor or structure of tensors: the inputs, all of one size along ``axis``.
        reverse: bool, default ``False``: scan from the end (a suffix scan).
        axis: int, default ``0``: the axis to scan along.

    Returns:
        The scanned values, in the structure and shapes of ``elems``.

    Raises:
        ValueError: when ``elems`` holds no tensor, or its leaves differ in size along ``axis``.
    """
    leaves = [convert_to_tensor(e) for e in tree.flatten(elems)]
    if not leaves:
        raise ValueError("ops.associative_scan: expected at least one tensor in elems, received none")
    n = leaves[0].shape[axis]
    if any(leaf.shape[axis] != n for leaf in leaves):
        raise ValueError(
            f"ops.associative_scan: expected every elems leaf to have the same size along axis "
            f"{axis}, received {[tuple(leaf.shape) for leaf in leaves]}"
        )
    if reverse:
        leaves = [leaf.flip(axis) for leaf in leaves]
    combine = (lambda a, b: f(b, a)) if reverse else f
    shift = 1
    while shift < n:
        left = tree.pack_sequence_as(elems, [leaf.narrow(axis, 0, n - shift) for leaf in leaves])
        right = tree.pack_sequence_as(elems, [leaf.narrow(axis, shift, n - shift) for leaf in leaves])
        combined = tree.flatten(combine(left, right))
        leaves = [torch.cat([leaf.narrow(axis, 0, shift), c], axis) for leaf, c in zip(leaves, combined)]
        shift *= 2
    if reverse:
        leaves = [leaf.flip(axis) for leaf in leaves]
    return tree.pack_sequence_as(elems, leaves)


def map(f: Callable[[Any], Any], xs: Any) -> Any:
    """Applies ``f`` to each slice of ``xs`` along the leading axis and stacks the results.

    Runs eagerly, one call of ``f`` per slice (use :func:`vectorized_map` for one batched call).

    Args:
        f: callable: takes one slice (in the structure of ``xs``) and returns a tensor or structure of tensors.
        xs: tensor or structure of tensors: mapped over their leading axis.

    Returns:
        The outputs of ``f`` stacked on a new leading axis, in the structure ``f`` returns.

    Raises:
        ValueError: when the leading axis of ``xs`` has size 0.
    """
    leaves = [convert_to_tensor(x) for x in tree.flatten(xs)]
    n = leaves[0].shape[0]
    outputs = [f(tree.pack_sequence_as(xs, [leaf[i] for leaf in leaves])) for i in range(n)]
    if not outputs:
        raise ValueError("ops.map: expected xs with a non-empty leading axis, received size 0")
    return _stack(outputs)


def vectorized_map(function: Callable[..., Any], elements: Any) -> Any:
    """Maps ``function`` over the leading axis of ``elements`` in one batched call (``torch.vmap``).

    ``function`` must be written for one element and use only torch operations that ``torch.vmap`` supports (no
    data-dependent Python control flow).

    Args:
        function: callable: takes one element (a slice of ``elements``) and returns tensors.
        elements: tensor or structure of tensors: mapped over their leading axis.

    Returns:
        The outputs of ``function`` for every element, stacked on a new leading axis.
    """
    return torch.vmap(function)(elements)


@functools.lru_cache(maxsize=256)
def _takes_upstream_keyword(code):
    return "upstream" in code.co_varnames[code.co_argcount : code.co_argcount + code.co_kwonlyargcount]


class _CustomGradient(torch.autograd.Function):
    @staticmethod
    def forward(ctx, f, box, n_inputs, *leaves):
        output, grad_fn = f(*tree.pack_sequence_as(box["args"], list(leaves[:n_inputs])))
        box["output"] = output
        ctx.grad_fn, ctx.output, ctx.args, ctx.box_args = grad_fn, output, leaves, box["args"]
        ctx.tensor_mask = [isinstance(v, torch.Tensor) for v in leaves]
        return tuple(convert_to_tensor(v) for v in tree.flatten(output))

    @staticmethod
    def backward(ctx, *grads):
        upstream = tree.pack_sequence_as(ctx.output, list(grads))
        code = getattr(ctx.grad_fn, "__code__", None)
        if code is not None and _takes_upstream_keyword(code):
            result = ctx.grad_fn(*tree.pack_sequence_as(ctx.box_args, list(ctx.args)), upstream=upstream)
        else:
            result = ctx.grad_fn(upstream)
        result = list(result) if isinstance(result, (list, tuple)) else [result]
        tensors = sum(ctx.tensor_mask)
        if len(result) != tensors:
            raise ValueError(
                f"ops.custom_gradient: the gradient function returned {len(result)} gradients for "
                f"{tensors} tensor inputs"
            )
        it = iter(result)
        return (None, None, None) + tuple(next(it) if is_t else None for is_t in ctx.tensor_mask)


def custom_gradient(f: Callable[..., tuple[Any, Callable[..., Any]]]) -> Callable[..., Any]:
    """Decorator giving a function its own gradient.

    The decorated ``f(*args)`` returns ``(output, grad_fn)``; in the backward pass the gradient with respect to ``args``
    is ``grad_fn(upstream)``, or ``grad_fn(*args, upstream=upstream)`` when ``grad_fn`` has a keyword-only ``upstream``
    argument (the form Keras's torch backend uses). ``grad_fn`` returns one gradient per tensor argument (a single
    tensor when there is one).

    Args:
        f: callable: returns a tuple ``(output, grad_fn)``; ``output`` is a tensor or structure of tensors.

    Returns:
        The wrapped function, which returns ``output`` and backpropagates with ``grad_fn``.

    Raises:
        ValueError: in the backward pass, when ``grad_fn`` returns a number of gradients other than the number of tensor
            arguments.
    """

    @functools.wraps(f)
    def wrapper(*args):
        leaves = tree.flatten(list(args))
        box = {"args": list(args)}
        out = _CustomGradient.apply(f, box, len(leaves), *leaves)
        return tree.pack_sequence_as(box["output"], list(out))

    return wrapper
