"""Reverse mode (torch.autograd) with JAX's function transforms: ``grad``, ``value_and_grad``, ``vjp``.

One backward pass gives the derivative of one output with respect to every input: the cost of a
gradient is a small multiple of one evaluation, whatever the number of inputs.

The transforms run plain ``torch.autograd`` (not ``torch.func``), so functions that update state in
place (BatchNormalization's moving statistics, a ``SeedGenerator``) work. Inputs get a fresh graph node:
a tensor that ``f`` also captures from its closure counts as a constant, as in JAX. They nest:
``grad(grad(f))`` keeps the inner backward graph when an outer transform is differentiating, and
``jvp(grad(f), ...)`` is forward-over-reverse (see :func:`kerastorch.autodiff.hvp`).

Example:
    >>> import torch
    >>> df = grad(lambda x: (x ** 3).sum())
    >>> df(torch.tensor([1.0, 2.0]))
    tensor([ 3., 12.])
    >>> grad(grad(lambda x: x ** 3))(torch.tensor(2.0))
    tensor(12.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Protocol, Sequence

import torch

from kerastorch.autodiff._common import (
    as_tuple,
    backward_rule_errors,
    check_differentiable,
    fresh_inputs,
    needs_graph,
    varargs,
)

if TYPE_CHECKING:

    class _Trainable(Protocol):
        """A built layer or model (autodiff sits below kerastorch.layers): callable, with trainable weights."""

        @property
        def trainable_weights(self) -> Sequence[torch.Tensor]: ...

        def __call__(self, *args: Any, **kwargs: Any) -> Any: ...


def _argnums(where, argnums, nargs):
    nums, multiple = as_tuple(argnums)
    for n in nums:
        if not isinstance(n, int) or not -nargs <= n < nargs:
            raise ValueError(
                f"{where}: argnums must be positions of the {nargs} positional arguments, received {argnums!r}"
            )
    return tuple(n % nargs for n in nums), multiple


def _connected(grads, inputs):
    return tuple(torch.zeros_like(x) if g is None else g for g, x in zip(grads, inputs))


def value_and_grad(
    f: Callable[..., Any], argnums: int | Sequence[int] = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """A function returning ``(f(*args), gradient of f w.r.t. args[argnums])``.

    ``f`` must return a scalar tensor (with ``has_aux=True``: a pair ``(scalar, aux)``, and the
    result is ``((scalar, aux), gradient)``). ``argnums`` is an int (one gradient) or a tuple of ints
    (a tuple of gradients). Inputs that ``f`` does not use get zero gradients.

    Args:
        f: The function to differentiate; its positional arguments at ``argnums`` must be floating-point
            (or complex) tensors.
        argnums: Int or tuple of ints, the positions of the arguments to differentiate with respect to
            (negative positions count from the end). Defaults to ``0``.
        has_aux: Bool, whether ``f`` returns ``(scalar, aux)``, ``aux`` passed through undifferentiated.
            Defaults to ``False``.

    Returns:
        A function with ``f``'s arguments (keyword arguments are passed on) returning
        ``(value, gradient)``.

    Raises:
        ValueError: When the returned function is called with ``argnums`` that are not positions of its
            arguments, or ``f`` returns something other than a scalar tensor (or a pair, with
            ``has_aux``).
        TypeError: When an argument at ``argnums`` is not a floating-point (or complex) tensor.

    Example:
        >>> import torch
        >>> value, g = value_and_grad(lambda x, y: (x * y).sum(), argnums=(0, 1))(torch.ones(2), torch.full((2,), 3.0))
        >>> value, g
        (tensor(6.), (tensor([3., 3.]), tensor([1., 1.])))
    """

    def wrapped(*args, **kwargs):
        nums, multiple = _argnums("value_and_grad", argnums, len(args))
        chosen = [args[n] for n in nums]
        check_differentiable("value_and_grad", chosen, "argument")
        create_graph = needs_graph(chosen)
        inputs = fresh_inputs(chosen)
        call_args = list(args)
        for n, x in zip(nums, inputs):
            call_args[n] = x
        with torch.enable_grad():
            result = f(*call_args, **kwargs)
        if has_aux and not (isinstance(result, (tuple, list)) and len(result) == 2):
            raise ValueError(
                "value_and_grad: with has_aux=True, f must return a pair (scalar, aux), "
                f"received {type(result).__name__}"
            )
        value, aux = result if has_aux else (result, None)
        if not isinstance(value, torch.Tensor) or value.numel() != 1:
            shape = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
            raise ValueError(
                f"value_and_grad: f must return a scalar tensor, received {shape}; "
                f"use vjp or jacobian for non-scalar outputs"
            )
        if value.requires_grad:
            with backward_rule_errors("value_and_grad"):
                grads = torch.autograd.grad(value, inputs, allow_unused=True, create_graph=create_graph)
        else:
            grads = (None,) * len(inputs)
        grads = _connected(grads, inputs)
        if not create_graph:
            value = value.detach()
        out = (value, aux) if has_aux else value
        return out, grads if multiple else grads[0]

    return wrapped


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0, has_aux: bool = False) -> Callable[..., Any]:
    """A function returning the gradient of the scalar function ``f`` w.r.t. ``args[argnums]``.

    With ``has_aux=True`` ``f`` returns ``(scalar, aux)`` and the result is ``(gradient, aux)``.

    Args:
        f: The scalar function to differentiate.
        argnums: Int or tuple of ints, the positions of the arguments to differentiate with respect to;
            a tuple gives a tuple of gradients. Defaults to ``0``.
        has_aux: Bool, whether ``f`` returns ``(scalar, aux)``. Defaults to ``False``.

    Returns:
        A function with ``f``'s arguments returning the gradient(s), each of its argument's shape; it
        raises as :func:`value_and_grad`'s does.

    Example:
        >>> import torch
        >>> grad(lambda x: torch.sin(x).sum())(torch.zeros(2))
        tensor([1., 1.])
    """
    value_and_grad_f = value_and_grad(f, argnums, has_aux)

    def wrapped(*args, **kwargs):
        out, grads = value_and_grad_f(*args, **kwargs)
        return (grads, out[1]) if has_aux else grads

    return wrapped


def vjp(
    f: Callable[..., Any], *primals: torch.Tensor | Sequence[torch.Tensor], has_aux: bool = False
) -> tuple[Any, ...]:
    """``(f(*primals), vjp_fn)``: ``vjp_fn(cotangent)`` returns ``J^T cotangent``, one per primal.

    ``f`` may return a tensor or a tuple of tensors (then ``vjp_fn`` takes one cotangent per output, or
    one tuple of them). ``vjp_fn`` can be called several times (the graph is kept); it always returns a
    tuple. The primals may also come as one tuple, as :func:`~kerastorch.autodiff.jvp` takes them
    (``vjp(f, (x, y))`` is ``vjp(f, x, y)``).

    Args:
        f: The function, called as ``f(*primals)``.
        *primals: Floating-point (or complex) tensors, or one tuple or list of them: the point at which to
            linearize.
        has_aux: Bool, whether ``f`` returns ``(output, aux)``; then ``(output, vjp_fn, aux)`` is
            returned. Defaults to ``False``.

    Returns:
        ``(f(*primals), vjp_fn)`` (or with ``aux`` as a third item). ``vjp_fn`` raises ``ValueError`` for
        a wrong number of cotangents or a cotangent whose shape is not its output's.

    Raises:
        TypeError: If a primal is not a floating-point (or complex) tensor.

    Example:
        >>> import torch
        >>> y, vjp_fn = vjp(lambda x: x * torch.tensor([1.0, 2.0]), torch.ones(2))
        >>> vjp_fn(torch.ones(2))
        (tensor([1., 2.]),)
        >>> y, vjp_fn = vjp(lambda x, y: x * y, (torch.ones(2), torch.full((2,), 3.0)))  # primals as one tuple
        >>> vjp_fn(torch.ones(2))
        (tensor([3., 3.]), tensor([1., 1.]))
    """
    points = varargs(primals)
    check_differentiable("vjp", points, "primal")
    create_graph = needs_graph(points)
    inputs = fresh_inputs(points)
    with torch.enable_grad():
        result = f(*inputs)
    if has_aux:
        result, aux = result
    outs, multiple = as_tuple(result)

    def vjp_fn(*cotangents):
        cts = (
            cotangents[0]
            if (multiple and len(cotangents) == 1 and isinstance(cotangents[0], (tuple, list)))
            else cotangents
        )
        if len(cts) != len(outs):
            raise ValueError(f"vjp: expected one cotangent per output ({len(outs)}), received {len(cts)}")
        for i, (o, c) in enumerate(zip(outs, cts)):
            if not isinstance(c, torch.Tensor) or c.shape != o.shape:
                got = tuple(c.shape) if isinstance(c, torch.Tensor) else type(c).__name__
                raise ValueError(
                    f"vjp: cotangent {i} has shape {got}, but output {i} has shape {tuple(o.shape)}; they must match"
                )
        pairs = [(o, c) for o, c in zip(outs, cts) if o.requires_grad]
        if not pairs:
            return tuple(torch.zeros_like(x) for x in inputs)
        with backward_rule_errors("vjp"):
            grads = torch.autograd.grad(
                [o for o, _ in pairs],
                inputs,
                [c for _, c in pairs],
                retain_graph=True,
                allow_unused=True,
                create_graph=create_graph or torch.is_grad_enabled() and any(c.requires_grad for _, c in pairs),
            )
        return _connected(grads, inputs)

    shown = result if create_graph else detached(result)
    return (shown, vjp_fn, aux) if has_aux else (shown, vjp_fn)


def detached(result: torch.Tensor | tuple[Any, ...] | list[Any]) -> Any:
    """``result`` cut from the autograd graph: a tensor detached, or a tuple or list of them, element-wise.

    Args:
        result: torch.Tensor, or tuple or list of tensors (nested ones too).

    Returns:
        The same structure, each tensor detached.

    >>> x = torch.ones(2, requires_grad=True)
    >>> [t.requires_grad for t in detached((x * 2, [x + 1]))[1]]
    [False]
    """
    if isinstance(result, torch.Tensor):
        return result.detach()
    return type(result)(detached(r) for r in result)


def model_vjp(
    model: _Trainable, inputs: Any, cotangent: torch.Tensor | Sequence[torch.Tensor], training: bool = False
) -> tuple[Any, list[torch.Tensor]]:
    """``(model(inputs), J^T cotangent)`` with the Jacobian taken w.r.t. the model's trainable weights.

    The second item is a list of tensors matching ``model.trainable_weights`` (zeros for weights the
    outputs do not depend on): the parameter-space vector-Jacobian product, one backward pass.

    Args:
        model: A built layer or model.
        inputs: The model's inputs (anything ``model(inputs)`` takes).
        cotangent: A tensor of the output's shape, or a tuple of them for a model with several outputs.
        training: Bool, the ``training`` argument of the call (dropout, batch statistics).
            Defaults to ``False``.

    Returns:
        ``(outputs, grads)``: the outputs (detached) and a list of tensors, one per trainable weight.

    Raises:
        ValueError: If the number of cotangents or a cotangent's shape does not match the outputs.

    Example:
        >>> import torch, kerastorch as keras
        >>> layer = keras.layers.Dense(2, use_bias=False)
        >>> _ = layer(torch.ones(1, 3))
        >>> y, (dkernel,) = model_vjp(layer, torch.ones(1, 3), torch.ones(1, 2))
        >>> dkernel
        tensor([[1., 1.],
                [1., 1.],
                [1., 1.]])
    """
    weights = list(model.trainable_weights)
    with torch.enable_grad():
        outputs = model(inputs, training=training)
    outs, _ = as_tuple(outputs)
    cts, _ = as_tuple(cotangent)
    if len(cts) != len(outs):
        raise ValueError(f"model_vjp: expected one cotangent per model output ({len(outs)}), received {len(cts)}")
    for i, (o, c) in enumerate(zip(outs, cts)):
        if c.shape != o.shape:
            raise ValueError(
                f"model_vjp: cotangent {i} has shape {tuple(c.shape)}, but output {i} has shape "
                f"{tuple(o.shape)}; they must match"
            )
    pairs = [(o, c) for o, c in zip(outs, cts) if o.requires_grad]
    grads = (
        torch.autograd.grad([o for o, _ in pairs], weights, [c for _, c in pairs], allow_unused=True)
        if pairs and weights
        else (None,) * len(weights)
    )
    return detached(outputs), list(_connected(grads, weights))
