"""User-defined derivative rules: ``custom_jvp``, ``custom_vjp`` and ``custom_gradient``.

Each wraps the user's function in a ``torch.autograd.Function``:

- ``custom_jvp`` (JAX's interface): ``@f.defjvp`` gives the forward rule
  ``rule(primals, tangents) -> (primal_out, tangent_out)``, used as the Function's ``jvp``. Reverse
  mode comes from ``defvjp`` when one is given; otherwise it is *derived from the JVP rule* by
  transposition: the rule is linear in the tangents, so running it under reverse-mode autodiff with
  respect to the tangents gives ``J^T u`` (``backward`` differentiates ``<u, rule(primals, t)>``
  w.r.t. ``t``). This needs the rule to be written in differentiable torch operations and linear
  in the tangents, as JAX also requires for transposition. Under forward mode the rule's
  ``primal_out`` is computed and discarded (the Function's forward already computed the output).
- ``custom_vjp`` (JAX's interface): ``f.defvjp(fwd, bwd)``, ``fwd(*args) -> (out, residuals)``,
  ``bwd(residuals, cotangent) -> tuple of input cotangents``. It has no forward rule: forward mode
  raises NotImplementedError naming the function (add a ``defjvp`` with ``custom_jvp`` instead).
- ``custom_gradient`` (TensorFlow / Keras style): ``f(*args)`` returns ``(output, grad_fn)`` and
  ``grad_fn(upstream)`` returns the input gradients. No forward rule either.

Arguments are positional; non-tensor arguments (ints, floats, strings) pass through and get ``None``
tangents / gradients. Tensors of integer dtype get ``None`` too.

Example:
    >>> import torch
    >>> @custom_jvp
    ... def softplus(x):
    ...     return torch.log1p(torch.exp(x))
    >>> @softplus.defjvp
    ... def softplus_jvp(primals, tangents):
    ...     (x,), (t,) = primals, tangents
    ...     return softplus(x), torch.sigmoid(x) * t
    >>> from kerastorch.autodiff import grad, jvp
    >>> jvp(softplus, (torch.tensor(0.0),), (torch.tensor(2.0),))[1]
    tensor(1.)
    >>> grad(softplus)(torch.tensor(0.0))  # transposed from the JVP rule
    tensor(0.5000)
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import torch

from kerastorch.autodiff._common import forward_rule_errors
from kerastorch.backend.torch_internals import view_base


def _is_diff_tensor(x):
    return isinstance(x, torch.Tensor) and (x.is_floating_point() or x.is_complex())


def _as_list(x):
    return list(x) if isinstance(x, (tuple, list)) else [x]


class _Rule:
    """Shared plumbing: a name, keyword refusal, and a per-object ``torch.autograd.Function``."""

    __call__: Callable[..., Any]  # each kind of rule defines its call

    def __init__(self, fun: Callable[..., Any]) -> None:
        if not callable(fun):
            raise TypeError(f"{type(self).__name__}: expected a function, received {type(fun).__name__}")
        self.fun = fun
        self.name = getattr(fun, "__name__", type(fun).__name__)
        functools.update_wrapper(self, fun)
        self._function: type[torch.autograd.Function] | None = None

    def _check_call(self, kwargs):
        if kwargs:
            raise TypeError(
                f"{type(self).__name__} {self.name!r}: only positional arguments are supported, "
                f"received keywords {sorted(kwargs)} (bind them with functools.partial first)"
            )

    def __get__(self, obj, objtype=None):  # behave like a function when used as a method
        return self if obj is None else functools.partial(self, obj)


class custom_jvp(_Rule):  # noqa: N801  (JAX's name)
    """A function with a user-defined forward-mode rule (``defjvp``); see the module docstring.

    Used as a decorator. Calling the result before a rule is set with ``defjvp`` raises ``TypeError``;
    reverse mode uses the ``defvjp`` rule if one is set, else the JVP rule transposed. Only positional
    arguments are accepted (a keyword raises ``TypeError``).

    Args:
        fun: The function; its tensor arguments of floating-point (or complex) dtype get tangents.

    Raises:
        TypeError: If ``fun`` is not callable.

    Example:
        A rule whose tangent is exact where the formula would overflow:

        >>> import torch
        >>> @custom_jvp
        ... def log1pexp(x):
        ...     return torch.log1p(torch.exp(x))
        >>> @log1pexp.defjvp
        ... def log1pexp_jvp(primals, tangents):
        ...     (x,), (t,) = primals, tangents
        ...     return log1pexp(x), torch.sigmoid(x) * t
        >>> from kerastorch.autodiff import grad
        >>> grad(log1pexp)(torch.tensor(100.0))
        tensor(1.)
    """

    def __init__(self, fun: Callable[..., Any]) -> None:
        super().__init__(fun)
        self.jvp_rule: Callable[..., Any] | None = None
        self.vjp_rule: Callable[..., Any] | None = None

    def defjvp(self, rule: Callable[..., Any]) -> Callable[..., Any]:
        """Set the forward rule ``rule(primals, tangents) -> (primal_out, tangent_out)``; returns it."""
        self.jvp_rule = rule
        self._function = None
        return rule

    def defvjp(self, bwd: Callable[..., Any]) -> Callable[..., Any]:
        """Optional reverse rule ``bwd(primals, cotangent) -> input cotangents`` (else: transposed JVP)."""
        self.vjp_rule = bwd
        self._function = None
        return bwd

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self._check_call(kwargs)
        if self.jvp_rule is None:
            raise TypeError(
                f"custom_jvp {self.name!r}: no forward rule; define one with @{self.name}.defjvp "
                "before calling the function"
            )
        if self._function is None:
            self._function = _jvp_function(self)
        with forward_rule_errors(f"custom_jvp {self.name!r}"):
            return self._function.apply(*args)


def _jvp_function(spec):
    fun, rule, bwd_rule, name = spec.fun, spec.jvp_rule, spec.vjp_rule, spec.name

    def call_rule(primals, tangents):
        out = rule(tuple(primals), tuple(tangents))
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise TypeError(
                f"custom_jvp {name!r}: the rule must return (primal_out, tangent_out), received {type(out).__name__}"
            )
        return out[1]

    class Function(torch.autograd.Function):
        generate_vmap_rule = True  # torch.vmap (and jacrev / jacfwd) over the function

        @staticmethod
        def forward(*args):
            out = fun(*args)
            if isinstance(out, (tuple, list)):
                return tuple(_not_an_input(o, args) for o in out)
            return _not_an_input(out, args)

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.inputs = [None if isinstance(x, torch.Tensor) else x for x in inputs]
            tensors = [x for x in inputs if isinstance(x, torch.Tensor)]
            ctx.save_for_forward(*tensors)
            ctx.save_for_backward(*tensors)
            ctx.multiple = isinstance(output, (tuple, list))

        @staticmethod
        def jvp(ctx, *tangents):
            primals = _fill(ctx.inputs, ctx.saved_tensors)
            tangents = [t if _is_diff_tensor(p) else None for p, t in zip(primals, tangents)]
            tangent_out = call_rule(primals, tangents)
            return tuple(tangent_out) if ctx.multiple else tangent_out

        @staticmethod
        def backward(ctx, *cotangents):
            primals = _fill(ctx.inputs, ctx.saved_tensors)
            cts = cotangents if ctx.multiple else cotangents[0]
            if bwd_rule is not None:
                grads = _as_list(bwd_rule(tuple(primals), cts))
            else:
                grads = _transpose(call_rule, primals, cotangents, ctx.multiple, name)
            if len(grads) != len(primals):
                raise ValueError(
                    f"custom_jvp {name!r}: the reverse rule returned {len(grads)} cotangents for "
                    f"{len(primals)} arguments"
                )
            return tuple(g if _is_diff_tensor(p) else None for p, g in zip(primals, grads))

    Function.__name__ = Function.__qualname__ = f"custom_jvp_{name}"
    return Function


def _not_an_input(out, args):
    """A copy of an output that is an input or a view of one: torch refuses to save such an output, and a
    view would oblige the JVP rule to return a view of the tangent."""
    if not isinstance(out, torch.Tensor):
        return out
    base = out if view_base(out) is None else view_base(out)
    for a in args:
        if isinstance(a, torch.Tensor) and base is (a if view_base(a) is None else view_base(a)):
            return out.clone()
    return out


def _fill(template, tensors):
    it = iter(tensors)
    return [next(it) if x is None else x for x in template]


def _transpose(call_rule, primals, cotangents, multiple, name):
    """``J^T u`` from the linear map ``t -> rule(primals, t)``: reverse mode w.r.t. the tangents
    (``torch.func.vjp``, so it also runs inside ``torch.func`` transforms and double backward)."""
    where = [i for i, p in enumerate(primals) if _is_diff_tensor(p)]
    if not where:
        return [None] * len(primals)

    def tangent_map(*tangents):
        full = [None] * len(primals)
        for i, t in zip(where, tangents):
            full[i] = t
        out = call_rule(primals, full)
        return tuple(_as_list(out)) if multiple else out

    zeros = tuple(torch.zeros_like(primals[i]) for i in where)
    out, pullback = torch.func.vjp(tangent_map, *zeros)
    cts = tuple(torch.zeros_like(o) if u is None else u for o, u in zip(_as_list(out), cotangents))
    grads = pullback(cts if multiple else cts[0])
    result = [None] * len(primals)
    for i, g in zip(where, grads):
        result[i] = g
    return result


class custom_vjp(_Rule):  # noqa: N801  (JAX's name)
    """A function with a user-defined reverse rule: ``f.defvjp(fwd, bwd)``; see the module docstring.

    Used as a decorator. Calling the result before ``defvjp`` raises ``TypeError``; forward mode
    (``jvp``) raises ``NotImplementedError`` naming the function. Only positional arguments are accepted.

    Args:
        fun: The function (called through ``fwd`` once the rule is set).

    Raises:
        TypeError: If ``fun`` is not callable.

    Example:
        >>> import torch
        >>> @custom_vjp
        ... def clip_gradient(x):
        ...     return x
        >>> def fwd(x):
        ...     return x, None
        >>> def bwd(res, g):
        ...     return (g.clamp(-1, 1),)
        >>> clip_gradient.defvjp(fwd, bwd)
        >>> x = torch.tensor(2.0, requires_grad=True)
        >>> (5 * clip_gradient(x)).backward()
        >>> x.grad
        tensor(1.)
    """

    def __init__(self, fun: Callable[..., Any]) -> None:
        super().__init__(fun)
        self.fwd: Callable[..., Any] | None = None
        self.bwd: Callable[..., Any] | None = None

    def defvjp(self, fwd: Callable[..., Any], bwd: Callable[..., Any]) -> None:
        """Set ``fwd(*args) -> (out, residuals)`` and ``bwd(residuals, cotangent) -> input cotangents``."""
        self.fwd, self.bwd = fwd, bwd
        self._function = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self._check_call(kwargs)
        if self.fwd is None:
            raise TypeError(
                f"custom_vjp {self.name!r}: no rule; define one with {self.name}.defvjp(fwd, bwd) "
                "before calling the function"
            )
        if self._function is None:
            self._function = _vjp_function(self)
        with _no_forward_rule(self):
            return self._function.apply(*args)


def _vjp_function(spec):
    fwd, bwd, name = spec.fwd, spec.bwd, spec.name

    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, *args):
            out, residuals = fwd(*args)
            ctx.residuals = residuals
            ctx.kinds = [_is_diff_tensor(x) for x in args]
            ctx.multiple = isinstance(out, (tuple, list))
            return tuple(out) if ctx.multiple else out

        @staticmethod
        def backward(ctx, *cotangents):
            grads = _as_list(bwd(ctx.residuals, cotangents if ctx.multiple else cotangents[0]))
            if len(grads) != len(ctx.kinds):
                raise ValueError(
                    f"custom_vjp {name!r}: bwd returned {len(grads)} cotangents for {len(ctx.kinds)} arguments"
                )
            return tuple(g if diff else None for g, diff in zip(grads, ctx.kinds))

    Function.__name__ = Function.__qualname__ = f"custom_vjp_{name}"
    return Function


class _no_forward_rule:  # noqa: N801
    """Name the function when forward mode reaches a rule-less custom function."""

    def __init__(self, spec):
        self.where = f"{type(spec).__name__} {spec.name!r}"

    def __enter__(self):
        return self

    def __exit__(self, kind, error, tb):
        if kind is NotImplementedError and "jvp function for custom autograd.Function" in str(error):
            raise NotImplementedError(
                f"{self.where}: has a reverse-mode rule only, so it cannot run under forward mode (jvp); "
                f"define the function with kerastorch.autodiff.custom_jvp and a defjvp rule instead"
            ) from error
        return False


class custom_gradient(_Rule):  # noqa: N801  (TensorFlow's / Keras's name)
    """TensorFlow / Keras style custom gradient: ``f(*args)`` returns ``(output, grad_fn)``.

    ``grad_fn(upstream)`` (one upstream per output) returns the gradient for each argument (a single
    tensor for a single argument). Used as a decorator; only positional arguments are accepted, and
    forward mode (``jvp``) raises ``NotImplementedError`` naming the function.

    Args:
        fun: The function, returning ``(output, grad_fn)``.

    Raises:
        TypeError: If ``fun`` is not callable (calling the result raises ``TypeError`` if ``fun`` does
            not return ``(output, grad_fn)``).

    Example:
        >>> import torch
        >>> @custom_gradient
        ... def log1pexp(x):
        ...     e = torch.exp(x)
        ...     def grad_fn(upstream):
        ...         return upstream * (1 - 1 / (1 + e))
        ...     return torch.log1p(e), grad_fn
        >>> x = torch.tensor(100.0, requires_grad=True)
        >>> log1pexp(x).backward()
        >>> x.grad
        tensor(1.)
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self._check_call(kwargs)
        if self._function is None:
            self._function = _gradient_function(self)
        with _no_forward_rule(self):
            return self._function.apply(*args)


def _gradient_function(spec):
    fun, name = spec.fun, spec.name

    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, *args):
            result = fun(*args)
            if not (isinstance(result, (tuple, list)) and len(result) == 2 and callable(result[1])):
                raise TypeError(
                    f"custom_gradient {name!r}: the function must return (output, grad_fn), "
                    f"received {type(result).__name__}"
                )
            out, ctx.grad_fn = result
            ctx.kinds = [_is_diff_tensor(x) for x in args]
            ctx.multiple = isinstance(out, (tuple, list))
            return tuple(out) if ctx.multiple else out

        @staticmethod
        def backward(ctx, *upstream):
            grads = _as_list(ctx.grad_fn(*upstream))
            if len(grads) != len(ctx.kinds):
                raise ValueError(
                    f"custom_gradient {name!r}: grad_fn returned {len(grads)} gradients for {len(ctx.kinds)} arguments"
                )
            return tuple(g if diff else None for g, diff in zip(grads, ctx.kinds))

    Function.__name__ = Function.__qualname__ = f"custom_gradient_{name}"
    return Function
