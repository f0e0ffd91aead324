"""Forward mode: ``jvp``, ``jacobian(mode=...)``, ``hessian``, ``hvp`` and ``model_jvp``.

Forward mode carries a tangent with every value (torch's dual numbers,
``torch.autograd.forward_ad``): one pass gives ``J v``, the derivative of every output along one input
direction, for about the cost of two or three evaluations. A full Jacobian with ``n`` inputs and ``m``
outputs costs ``n`` forward passes or ``m`` reverse passes; ``jacobian(mode="auto")`` picks the
smaller. Dual numbers (rather than ``torch.func.jvp``) let stateful layers run: BatchNormalization's
moving-statistics update, dropout's seed generator.

Built-in layers whose fused torch kernels have no forward rule take their explicit path under forward
mode (``kerastorch.backend.forward_mode``). An op with no forward rule raises NotImplementedError
naming it; :func:`kerastorch.autodiff.custom_jvp` gives a computation a rule of its own.

Example:
    >>> import torch
    >>> y, t = jvp(torch.sin, (torch.zeros(2),), (torch.ones(2),))
    >>> y, t
    (tensor([0., 0.]), tensor([1., 1.]))
"""

from __future__ import annotations

from typing import Any, Callable, Sequence, cast, overload

import torch
import torch.autograd.forward_ad as fwad

from kerastorch.autodiff._common import as_tuple, check_differentiable, check_tangents, forward_rule_errors, varargs
from kerastorch.autodiff.reverse import detached, grad, vjp

_MODES = ("forward", "reverse", "auto")


def _unpack(result, where):
    outs, multiple = as_tuple(result)
    primals, tangents = [], []
    for i, o in enumerate(outs):
        if not isinstance(o, torch.Tensor):
            raise TypeError(f"{where}: f must return a tensor or a tuple of tensors, output {i} is {type(o).__name__}")
        p, t = fwad.unpack_dual(o)
        primals.append(p)
        tangents.append(torch.zeros_like(p) if t is None else t)
    if multiple:
        return tuple(primals), tuple(tangents)
    return primals[0], tangents[0]


def jvp(
    f: Callable[..., Any],
    primals: torch.Tensor | Sequence[torch.Tensor],
    tangents: torch.Tensor | Sequence[torch.Tensor],
    has_aux: bool = False,
) -> tuple[Any, ...]:
    """``(f(*primals), J tangents)``: the derivative of ``f`` along ``tangents`` in one forward pass.

    ``primals`` and ``tangents`` are tuples of tensors (a single tensor is accepted for each); every
    tangent must have its primal's shape and dtype. Outputs that do not depend on the inputs get zero
    tangents. With ``has_aux=True`` ``f`` returns ``(output, aux)`` and the result is
    ``(output, tangent, aux)``.

    Args:
        f: The function, called as ``f(*primals)``; it returns a tensor or a tuple of tensors.
        primals: A floating-point (or complex) tensor or a tuple of them, the point.
        tangents: A tensor or a tuple of tensors, one per primal with its shape and dtype: the direction.
        has_aux: Bool, whether ``f`` returns ``(output, aux)``. Defaults to ``False``.

    Returns:
        ``(f(*primals), J tangents)``, each a tensor or a tuple of tensors like ``f``'s output (with
        ``aux`` as a third item when ``has_aux``).

    Raises:
        TypeError: If a primal is not a floating-point tensor, a tangent's dtype differs from its
            primal's, or ``f`` returns something other than tensors.
        ValueError: If the number of tangents or a tangent's shape does not match the primals.
        NotImplementedError: If an op in ``f`` has no forward-mode derivative rule in torch.

    Example:
        >>> import torch
        >>> jvp(lambda x, y: x * y, (torch.tensor(2.0), torch.tensor(3.0)), (torch.tensor(1.0), torch.tensor(0.0)))
        (tensor(6.), tensor(3.))
    """
    primals, _ = as_tuple(primals)
    tangents, _ = as_tuple(tangents)
    check_differentiable("jvp", primals, "primal")
    check_tangents("jvp", primals, tangents)
    with forward_rule_errors("jvp"), fwad.dual_level():
        duals = tuple(fwad.make_dual(p, t) for p, t in zip(primals, tangents))
        result = f(*duals)
        aux = None
        if has_aux:
            result, aux = result
        out, tangent_out = _unpack(result, "jvp")
    if not any(t.requires_grad for t in primals + tangents):  # no outer differentiation: drop the graph
        out, tangent_out = detached(out), detached(tangent_out)
    return (out, tangent_out, aux) if has_aux else (out, tangent_out)


def linearize(f: Callable[..., Any], *primals: torch.Tensor | Sequence[torch.Tensor]) -> tuple[Any, Callable[..., Any]]:
    """``(f(*primals), jvp_fn)`` where ``jvp_fn(*tangents)`` gives ``J tangents`` (one forward pass each).

    ``f(*primals)`` is evaluated once without gradients; each ``jvp_fn`` call runs :func:`jvp` again. The
    primals may also come as one tuple, as :func:`jvp` takes them (``linearize(f, (x, y))``), and
    ``jvp_fn`` takes its tangents either way too.

    Args:
        f: The function, called as ``f(*primals)``.
        *primals: Floating-point (or complex) tensors, or one tuple or list of them: the point.

    Returns:
        ``(f(*primals), jvp_fn)``; ``jvp_fn`` takes one tangent per primal (or one tuple of them) and raises
        as :func:`jvp` does.

    Raises:
        TypeError: If a primal is not a floating-point (or complex) tensor.

    Example:
        >>> import torch
        >>> y, f_jvp = linearize(torch.exp, torch.zeros(2))
        >>> f_jvp(torch.tensor([1.0, 2.0]))
        tensor([1., 2.])
    """
    primals = varargs(primals)
    check_differentiable("linearize", primals, "primal")
    with torch.no_grad():
        out = f(*primals)

    def jvp_fn(*tangents):
        return jvp(f, primals, varargs(tangents))[1]

    return out, jvp_fn


# -> Any: a tensor, a tuple or a tuple of tuples of them, nested as f's outputs and x are
def jacobian(f: Callable[..., Any], x: torch.Tensor | Sequence[torch.Tensor], mode: str = "auto") -> Any:
    """Jacobian of ``f`` at ``x``: shape ``f(x).shape + x.shape``.

    ``mode="forward"`` runs one JVP per input entry (``n`` passes), ``"reverse"`` one VJP per output
    entry (``m`` backward passes after one forward pass), ``"auto"`` the cheaper of the two
    (forward when ``n <= m``). ``x`` may be a tuple of tensors (``f(*x)``, one Jacobian per input);
    ``f`` may return a tuple (one per output, indexed ``[output][input]`` when both are tuples).

    Args:
        f: The function, called as ``f(*x)`` for a tuple ``x``, else ``f(x)``.
        x: A floating-point (or complex) tensor, or a tuple or list of them.
        mode: ``"forward"``, ``"reverse"`` or ``"auto"``. Defaults to ``"auto"``.

    Returns:
        A tensor of shape ``f(x).shape + x.shape``, or tuples of them as described above.

    Raises:
        ValueError: If ``mode`` is unknown.
        TypeError: If an input is not a floating-point (or complex) tensor.
        NotImplementedError: In forward mode, if an op in ``f`` has no forward-mode derivative rule.

    Example:
        >>> import torch
        >>> A = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
        >>> torch.equal(jacobian(lambda x: A @ x, torch.ones(2), mode="forward"), A)
        True
        >>> torch.equal(jacobian(lambda x: A @ x, torch.ones(2), mode="reverse"), A)
        True
    """
    if mode not in _MODES:
        raise ValueError(f"jacobian: mode must be one of {_MODES}, received {mode!r}")
    xs, multiple_in = as_tuple(x)
    check_differentiable("jacobian", xs)
    n = sum(t.numel() for t in xs)
    if mode == "auto":
        with torch.no_grad():
            outs = as_tuple(f(*xs))[0]
        mode = "forward" if n <= sum(o.numel() for o in outs) else "reverse"
    blocks, multiple_out = (_forward_jacobian if mode == "forward" else _reverse_jacobian)(f, xs)
    rows = [tuple(row) if multiple_in else row[0] for row in blocks]
    return tuple(rows) if multiple_out else rows[0]


def _forward_jacobian(f, xs):
    columns = []  # per input: list over its entries of the output tangents
    outs = None
    for k, x in enumerate(xs):
        cols = []
        for i in range(x.numel()):  # n passes, one per input entry
            tangents = [torch.zeros(t.shape, dtype=t.dtype, device=t.device) for t in xs]  # contiguous
            tangents[k].view(-1)[i] = 1
            outs, t_out = jvp(f, xs, tuple(tangents))
            cols.append(as_tuple(t_out)[0])
        columns.append(cols)
    if outs is None:
        outs = as_tuple(f(*xs))[0]
    out_list, multiple_out = as_tuple(outs)
    blocks = []
    for j, o in enumerate(out_list):
        row = []
        for k, x in enumerate(xs):
            if columns[k]:
                block = torch.stack([c[j] for c in columns[k]], dim=-1)
            else:
                block = torch.zeros(tuple(o.shape) + (0,), dtype=o.dtype, device=o.device)
            row.append(block.reshape(tuple(o.shape) + tuple(x.shape)))
        blocks.append(row)
    return blocks, multiple_out


def _reverse_jacobian(f, xs):
    outs, vjp_fn = vjp(f, *xs)
    out_list, multiple_out = as_tuple(outs)
    blocks = []
    for j, o in enumerate(out_list):
        rows = []
        for i in range(o.numel()):  # m backward passes, one per output entry
            cts = [torch.zeros(t.shape, dtype=t.dtype, device=t.device) for t in out_list]  # contiguous
            cts[j].view(-1)[i] = 1
            rows.append(vjp_fn(*cts))
        row = []
        for k, x in enumerate(xs):
            stacked = (
                torch.stack([r[k] for r in rows])
                if rows
                else torch.zeros((0,) + tuple(x.shape), dtype=x.dtype, device=x.device)
            )
            row.append(stacked.reshape(tuple(o.shape) + tuple(x.shape)))
        blocks.append(row)
    return blocks, multiple_out


@overload
def hvp(f: Callable[..., Any], x: torch.Tensor, v: torch.Tensor) -> torch.Tensor: ...


@overload
def hvp(f: Callable[..., Any], x: Sequence[torch.Tensor], v: Sequence[torch.Tensor]) -> tuple[torch.Tensor, ...]: ...


def hvp(
    f: Callable[..., Any], x: torch.Tensor | Sequence[torch.Tensor], v: torch.Tensor | Sequence[torch.Tensor]
) -> torch.Tensor | tuple[torch.Tensor, ...]:
    """Hessian-vector product ``H v`` of the scalar function ``f`` at ``x``, forward-over-reverse:
    the JVP of ``grad(f)`` along ``v`` (one forward-and-backward pass carrying tangents).

    ``x`` and ``v`` take :func:`jvp`'s ``primals`` and ``tangents``: tuples of tensors (``f(*x)``, one
    vector per input, and a tuple of products comes back, ``(H v)_i = sum_j d2f/dx_i dx_j v_j``), or a
    single tensor each (``f(x)``, a tensor comes back).

    Args:
        f: A scalar function, called as ``f(*x)`` for a tuple ``x``, else ``f(x)``.
        x: A floating-point (or complex) tensor, or a tuple or list of them: the point.
        v: A tensor of ``x``'s shape and dtype, or a tuple or list of them, one per input: the vector.

    Returns:
        ``H v``: a tensor of ``x``'s shape, or a tuple of tensors, one per input, for a tuple ``x``.

    Raises:
        TypeError: If an input is not a floating-point tensor or a vector's dtype differs from its input's.
        ValueError: If the number of vectors or a vector's shape does not match the inputs, or ``f`` does
            not return a scalar.
        NotImplementedError: If an op in ``f`` has no forward-mode derivative rule.

    Example:
        >>> import torch
        >>> hvp(lambda x: (x ** 3).sum(), torch.tensor([1.0, 2.0]), torch.tensor([1.0, 1.0]))
        tensor([ 6., 12.])
        >>> f = lambda x, y: (x ** 2 * y).sum()  # H = [[2y, 2x], [2x, 0]] = [[6, 2], [2, 0]] at (1, 3)
        >>> hvp(f, (torch.tensor([1.0]), torch.tensor([3.0])), (torch.tensor([1.0]), torch.tensor([0.0])))
        (tensor([6.]), tensor([2.]))
    """
    xs, multiple = as_tuple(x)
    vs, _ = as_tuple(v)
    check_differentiable("hvp", xs)
    check_tangents("hvp", xs, vs, "vector")
    products = jvp(grad(f, argnums=tuple(range(len(xs)))), xs, vs)[1]
    return products if multiple else products[0]


@overload
def hessian(f: Callable[..., Any], x: torch.Tensor) -> torch.Tensor: ...


@overload
def hessian(f: Callable[..., Any], x: Sequence[torch.Tensor]) -> tuple[tuple[torch.Tensor, ...], ...]: ...


def hessian(
    f: Callable[..., Any], x: torch.Tensor | Sequence[torch.Tensor]
) -> torch.Tensor | tuple[tuple[torch.Tensor, ...], ...]:
    """Hessian of the scalar function ``f`` at ``x``: shape ``x.shape + x.shape``, one :func:`hvp` per
    input entry (forward-over-reverse).

    ``x`` may be a tuple of tensors, as :func:`jacobian` takes it (``f(*x)``): the result is then a tuple of
    tuples of blocks, ``[i][j]`` of shape ``x[i].shape + x[j].shape`` holding ``d2f / dx[i] dx[j]``.

    Args:
        f: A scalar function, called as ``f(*x)`` for a tuple ``x``, else ``f(x)``.
        x: A floating-point (or complex) tensor, or a tuple or list of them: the point.

    Returns:
        A tensor of shape ``x.shape + x.shape``, or the tuple of tuples of blocks described above.

    Raises:
        TypeError: If an input is not a floating-point tensor.
        ValueError: If ``f`` does not return a scalar.

    Example:
        >>> import torch
        >>> hessian(lambda x: x[0] * x[1] ** 2, torch.tensor([1.0, 2.0]))
        tensor([[0., 4.],
                [4., 2.]])
        >>> (hxx, hxy), (hyx, hyy) = hessian(lambda x, y: x * y ** 2, (torch.tensor(1.0), torch.tensor(2.0)))
        >>> hxx, hxy, hyx, hyy
        (tensor(0.), tensor(4.), tensor(4.), tensor(2.))
    """
    xs, multiple = as_tuple(x)
    check_differentiable("hessian", xs)
    blocks = []
    for i, xi in enumerate(xs):
        eye = torch.eye(xi.numel(), dtype=xi.dtype, device=xi.device)
        columns = [
            hvp(f, xs, tuple(eye[k].reshape(xi.shape) if j == i else torch.zeros_like(xj) for j, xj in enumerate(xs)))
            for k in range(xi.numel())
        ]  # column k: d(grad f) / d xi[k], one tensor per input
        blocks.append(
            tuple(
                (
                    torch.stack([column[j] for column in columns]) if columns else xj.new_zeros((0,) + tuple(xj.shape))
                ).reshape(tuple(xi.shape) + tuple(xj.shape))
                for j, xj in enumerate(xs)
            )
        )
    return tuple(blocks) if multiple else blocks[0][0]


def model_jvp(
    model: torch.nn.Module,
    inputs: Any,
    direction: Sequence[torch.Tensor] | dict[str, torch.Tensor],
    training: bool = False,
) -> tuple[torch.Tensor | tuple[torch.Tensor, ...], torch.Tensor | tuple[torch.Tensor, ...]]:
    """``(model(inputs), d outputs)``: the derivative of the outputs along ``direction`` in weight space.

    ``direction`` is a list of tensors matching ``model.trainable_weights`` (a dict keyed by weight
    path also works; missing weights get zero tangents). One forward pass with dual-number weights.

    Args:
        model: A built layer or model whose trainable weights are parameters of the module.
        inputs: The model's inputs (anything ``model(inputs)`` takes).
        direction: A list of tensors, one per trainable weight with its shape and dtype, or a dict
            ``{weight path: tensor}``.
        training: Bool, the ``training`` argument of the call. Defaults to ``False``.

    Returns:
        ``(outputs, tangents)``: the outputs and their derivatives along ``direction`` (tensors or tuples
        of tensors like the model's outputs).

    Raises:
        ValueError: If ``direction`` names unknown weights, has the wrong length or a wrong shape, or a
            trainable weight is not a parameter of the model module.
        TypeError: If a direction tensor's dtype differs from its weight's.

    Example:
        >>> import torch, kerastorch as keras
        >>> layer = keras.layers.Dense(1, kernel_initializer="ones")
        >>> _ = layer(torch.ones(1, 2))
        >>> y, dy = model_jvp(layer, torch.tensor([[1.0, 2.0]]), [torch.ones(2, 1), torch.zeros(1)])
        >>> y, dy
        (tensor([[3.]]), tensor([[3.]]))
    """
    # a layer's trainable weights (torch's stubs type a module's other attributes as Tensor | Module)
    weights = list(cast("Sequence[torch.Tensor]", model.trainable_weights))
    if isinstance(direction, dict):
        by_path = {getattr(w, "path", None): w for w in weights}
        unknown = sorted(set(direction) - set(by_path))
        if unknown:
            raise ValueError(
                f"model_jvp: direction names weights the model does not have: {unknown}; "
                f"expected paths among {sorted(p for p in by_path if p)}"
            )
        given: dict[Any, torch.Tensor] = direction  # looked up by each weight's path (None for a weight without)
        direction = [given.get(getattr(w, "path", None), torch.zeros_like(w)) for w in weights]
    direction = list(direction)
    if len(direction) != len(weights):
        raise ValueError(
            f"model_jvp: expected one direction tensor per trainable weight ({len(weights)}), received {len(direction)}"
        )
    check_tangents("model_jvp", [w.detach() for w in weights], direction, "direction")
    names = {id(p): n for n, p in model.named_parameters(remove_duplicate=False)}
    missing = [w for w in weights if id(w) not in names]
    if missing:
        raise ValueError(
            f"model_jvp: weights {[getattr(w, 'path', '?') for w in missing]} are not parameters of the model module"
        )
    with forward_rule_errors("model_jvp"), fwad.dual_level():
        duals = {names[id(w)]: fwad.make_dual(w.detach(), t) for w, t in zip(weights, direction)}
        result = torch.func.functional_call(model, duals, (inputs,), {"training": training}, strict=False)
        return _unpack(result, "model_jvp")
