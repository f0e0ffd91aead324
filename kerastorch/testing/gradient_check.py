"""``check_gradients``: reverse mode, forward mode and finite differences, each checking the others.

The function (or a copy of the layer, converted with ``.to(dtype)``) runs in float64 by default. With
random output and input directions ``u`` and ``v`` (drawn from ``seed``) it compares:

- ``reverse vs numerical``: the vector-Jacobian product ``J^T u`` (one backward pass) against central
  differences of ``<u, f(x)>``, entry by entry, for every input and weight;
- ``forward vs numerical``: the Jacobian-vector product ``J v`` (one forward pass with dual numbers)
  against the central difference of ``f`` along ``v``, entry by entry of every output;
- ``forward vs reverse``: ``<u, J v> = <J^T u, v>``, per input and weight (no step, so a tight test);
- ``forward linearity`` / ``reverse linearity``: ``J (a v + b w) = a J v + b J w`` and the same for ``J^T``;
- ``forward primal``: the value the forward pass returns is ``f(x)``.

Tolerances: an entry passes when ``|exact - reference| <= atol + rtol * |reference|``; the difference
quotients get an extra allowance for their rounding error (``8 eps_mach * sum|u f(x)| / h``). An entry that
disagrees at the default step is retried at steps 10, 100 ... 10**6 times smaller (in float64; float32 has
room for one): it passes when the central difference agrees at a smaller step, within the truncation error
that the change from the previous step shows (a kink near the point has left the stencil, or the function
varies on the scale of the step, like ``x / |x|`` at a tiny ``x``), or when a one-sided difference agrees (a
kink close by on the other side). Where the one-sided differences do not converge to one value (a kink at
the point itself: ReLU at 0, max-pooling ties, an activation's kink reached through a bias that feeds many
units at once) or the value jumps, the function is not differentiable at the point: the entry is counted in
``Comparison.kinks`` and not compared. A wrong derivative of a smooth function is still reported.

Determinism: every evaluation starts from the same state. Layers are restored to their weights and
buffers and their ``SeedGenerator`` states, and torch's global generator is re-seeded with ``seed``, so
dropout draws the same mask in every pass (in training too).

Example:
    >>> import torch
    >>> from kerastorch import layers
    >>> report = check_gradients(layers.Dense(2, activation="tanh"), torch.randn(3, 4))
    >>> report.ok, len(report.find("reverse vs numerical"))
    (True, 3)
    >>> def wrong(x):  # the value of sin(x), but the derivative of 2 sin(x)
    ...     return torch.sin(x).detach() + 2 * (torch.sin(x) - torch.sin(x).detach())
    >>> report = check_gradients(wrong, torch.randn(3), assert_ok=False)
    >>> report.ok, sorted({c.check for c in report.failures})
    (False, ['forward vs numerical', 'reverse vs numerical'])
"""

from __future__ import annotations

import copy
from typing import Any, Callable, Sequence

import numpy as np
import torch

from kerastorch import tree
from kerastorch.layers import Layer
from kerastorch.random import SeedGenerator
from kerastorch.testing import _ad
from kerastorch.testing.report import Comparison, GradientReport, compare, compare_scalars

MODES = ("reverse", "forward", "numerical")


def check_gradients(
    fn_or_layer: Callable[..., Any],
    inputs: Any,
    *,
    modes: str | Sequence[str] = MODES,
    dtype: torch.dtype | None = torch.float64,
    rtol: float = 1e-5,
    atol: float = 1e-7,
    eps: float | None = None,
    training: bool = False,
    seed: int = 0,
    wrt_weights: bool = True,
    call_kwargs: dict[str, Any] | None = None,
    assert_ok: bool = True,
) -> GradientReport:
    """Check that reverse mode, forward mode and finite differences agree on ``fn_or_layer`` at ``inputs``.

    Args:
        fn_or_layer: a function of tensors, or a layer / ``torch.nn.Module`` (a copy is checked, converted
            with ``.to(dtype)``; the layer itself is not touched).
        inputs: a tensor (``f(x)``), a tuple (``f(*inputs)``), or a list / dict (passed as one argument, as
            Keras's merge and attention layers take them). Floating-point leaves are differentiated; other
            leaves (integer indices) are passed unchanged. NumPy arrays are accepted.
        modes: the modes to compare, a subset of ``("reverse", "forward", "numerical")`` with at least one
            autodiff mode (a single string is accepted). Defaults to all three.
        dtype: the floating dtype everything runs in (float64: finite differences are then accurate); None
            keeps the inputs' and the module's dtypes. Defaults to ``torch.float64``.
        rtol: float, default ``1e-5``: the relative tolerance, see the module docstring.
        atol: float, default ``1e-7``: the absolute tolerance, see the module docstring.
        eps: the finite-difference base step (default None: from ``dtype``, see ``kerastorch.autodiff``).
        training: passed to a kerastorch layer's call (``module.train(training)`` for other modules).
            Defaults to ``False``.
        seed: int, default 0: seeds the random directions and every evaluation's random draws.
        wrt_weights: bool, default True: also differentiate with respect to a module's trainable weights.
        call_kwargs: dict or None, default None: extra keyword arguments for the call
            (``use_causal_mask=True`` ...).
        assert_ok: bool, default True: raise an AssertionError listing every comparison when one disagrees.

    Returns:
        A :class:`~kerastorch.testing.report.GradientReport`.

    Raises:
        ValueError: If ``modes`` is empty, has an unknown mode or only ``"numerical"``, or ``dtype`` is not
            a floating-point dtype.
        TypeError: If ``fn_or_layer`` is not callable.
        AssertionError: With ``assert_ok``, when a comparison disagrees.
    """
    modes = _check_modes(modes)
    if dtype is not None and not torch.empty((), dtype=dtype).is_floating_point():
        raise ValueError(f"check_gradients: dtype must be a floating-point torch dtype, received {dtype}")
    f, args, names, name = _Function.make(fn_or_layer, inputs, dtype, training, seed, wrt_weights, call_kwargs)
    comparisons = _Checks(f, args, names, modes, rtol, atol, eps, seed).run()
    report = GradientReport(name, comparisons)
    return report.assert_ok() if assert_ok else report


def _check_modes(modes):
    modes = (modes,) if isinstance(modes, str) else tuple(modes)
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        raise ValueError(f"check_gradients: modes must be a non-empty subset of {MODES}, received {modes!r}")
    if set(modes) == {"numerical"}:
        raise ValueError("check_gradients: modes=('numerical',) compares nothing; add 'reverse' or 'forward'")
    return modes


class _Function:
    """``f(*diff) -> tuple of float outputs``: the checked callable as a pure function of its float inputs
    and (for modules) trainable weights, restoring the module's state and the RNG before every call."""

    def __init__(self, fn, module, structure, leaves, positions, param_names, seed, kwargs):
        self.fn, self.module, self.structure = fn, module, structure
        self.leaves, self.positions, self.param_names = leaves, positions, param_names
        self.seed, self.kwargs = seed, kwargs
        self.devices = sorted(
            {x.device.index or 0 for x in leaves if isinstance(x, torch.Tensor) and x.device.type == "cuda"}
        )
        self._tensors = self._seeds = None

    @classmethod
    def make(cls, fn_or_layer, inputs, dtype, training, seed, wrt_weights, call_kwargs):
        if not callable(fn_or_layer):
            raise TypeError(f"check_gradients: expected a function or a layer, received {type(fn_or_layer).__name__}")
        leaves = [_as_input(x, dtype) for x in tree.flatten(inputs)]
        positions = [i for i, x in enumerate(leaves) if isinstance(x, torch.Tensor) and x.is_floating_point()]
        kwargs = dict(call_kwargs or {})
        module = None
        if isinstance(fn_or_layer, torch.nn.Module):
            module = copy.deepcopy(fn_or_layer)
            if dtype is not None:
                module = module.to(dtype)
            if _is_keras_layer(module):
                kwargs["training"] = training
            else:
                module.train(training)
        name = type(fn_or_layer).__name__ if module is not None else getattr(fn_or_layer, "__name__", "function")
        self = cls(module if module is not None else fn_or_layer, module, inputs, leaves, positions, [], seed, kwargs)
        arg_names = [f"input {i}" for i in range(len(positions))] if len(leaves) > 1 else ["input"] * len(positions)
        params = []
        if module is not None:
            self._snapshot_seeds()
            with torch.no_grad():  # build a lazy layer, then remember the state every call starts from
                self._run(leaves, {})
            self._snapshot_tensors()
            if wrt_weights:
                params = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        self.param_names = [n for n, _ in params]
        names = arg_names + [f"weight {getattr(p, 'path', None) or n!r}" for n, p in params]
        args = [leaves[i] for i in positions] + [p.detach().clone() for _, p in params]
        if not args:
            raise ValueError(
                f"check_gradients({name}): nothing to differentiate; expected floating-point inputs "
                f"or trainable weights, received inputs of dtypes "
                f"{[getattr(x, 'dtype', type(x).__name__) for x in leaves]}"
            )
        return self, args, names, name

    def __call__(self, *diff):
        leaves = list(self.leaves)
        for i, x in zip(self.positions, diff):
            leaves[i] = x
        return self._run(leaves, dict(zip(self.param_names, diff[len(self.positions) :])))

    def _run(self, leaves, params):
        self._restore()
        inputs = tree.pack_sequence_as(self.structure, leaves)
        args = inputs if isinstance(inputs, tuple) else (inputs,)
        with torch.random.fork_rng(devices=self.devices):
            torch.manual_seed(self.seed)
            if self.module is None:
                out = self.fn(*args, **self.kwargs)
            else:
                out = torch.func.functional_call(self.module, params, args, self.kwargs, strict=False)
        outs = tuple(o for o in tree.flatten(out) if isinstance(o, torch.Tensor) and o.is_floating_point())
        if not outs:
            raise ValueError(
                f"check_gradients: expected the function to return floating-point tensors, received "
                f"{type(out).__name__}"
            )
        return outs

    def _snapshot_seeds(self):
        self._seeds = [
            (g, {k: gen.get_state() for k, gen in g._generators.items()})
            for m in self.module.modules()
            for g in vars(m).values()
            if isinstance(g, SeedGenerator)
        ]

    def _snapshot_tensors(self):
        tensors = list(self.module.parameters()) + list(self.module.buffers())
        self._tensors = [(t, t.detach().clone()) for t in tensors]

    def _restore(self):
        if self._seeds:
            for g, states in self._seeds:
                for key in list(g._generators):
                    if key not in states:
                        del g._generators[key]
                for key, state in states.items():
                    g._generators[key].set_state(state)
        if self._tensors:
            with torch.no_grad():
                for t, saved in self._tensors:
                    t.copy_(saved)


def _is_keras_layer(module):
    return isinstance(module, Layer)


def _as_input(x, dtype):
    if isinstance(x, np.ndarray):
        x = torch.from_numpy(x)
    if isinstance(x, torch.Tensor):
        x = x.detach()
        if x.is_floating_point() and dtype is not None:
            x = x.to(dtype)
    return x


class _Checks:
    def __init__(self, f, args, names, modes, rtol, atol, eps, seed):
        self.f, self.args, self.names, self.modes = f, args, names, modes
        self.rtol, self.atol = rtol, atol
        self.dtype = args[0].dtype
        self.h0 = _ad.default_step(self.dtype, "central") if eps is None else float(eps)
        self.scales = _refine_scales(self.dtype, self.h0)
        self.gen = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            self.outs = f(*args)

    def randn_like(self, t):
        return torch.randn(t.shape, generator=self.gen, dtype=t.dtype).to(t.device)

    def run(self):
        out = []
        self.u = [self.randn_like(o) for o in self.outs]
        self.v = [self.randn_like(a) for a in self.args]
        grads = jv = None
        if "reverse" in self.modes:
            grads = self._reverse(out)
        if "forward" in self.modes:
            jv = self._forward(out, grads)
        if "numerical" in self.modes:
            if grads is not None:
                self._reverse_vs_numerical(out, grads)
            if jv is not None:
                self._forward_vs_numerical(out, jv)
        return out

    # ------------------------------------------------------------------ reverse
    def _reverse(self, out):
        try:
            _, vjp_fn = _ad.vjp(self.f, *self.args)
            grads = vjp_fn(*self.u)
            w = [self.randn_like(o) for o in self.outs]
            grads_w = vjp_fn(*w)
            mixed = vjp_fn(*[0.5 * a - 2.0 * b for a, b in zip(self.u, w)])
        except (NotImplementedError, RuntimeError) as error:
            out.append(Comparison("reverse", "all inputs", float("inf"), 0.0, detail=f"reverse mode failed: {error}"))
            return None
        for name, g, gw, m in zip(self.names, grads, grads_w, mixed):
            expected = 0.5 * g - 2.0 * gw
            tol = self.atol + self.rtol * (0.5 * g.abs() + 2.0 * gw.abs())
            out.append(compare("reverse linearity", name, m, expected, tol))
        return grads

    # ------------------------------------------------------------------ forward
    def _jvp(self, tangents):
        return _ad.jvp(self.f, tuple(self.args), tuple(tangents))

    def _forward(self, out, grads):
        try:
            primal, jv = self._jvp(self.v)
            w = [self.randn_like(a) for a in self.args]
            _, jw = self._jvp(w)
            _, mixed = self._jvp([0.5 * a - 2.0 * b for a, b in zip(self.v, w)])
            per_input = (
                [
                    self._jvp([v if j == k else torch.zeros_like(v) for j, v in enumerate(self.v)])[1]
                    for k in range(len(self.args))
                ]
                if grads is not None and len(self.args) > 1
                else [jv]
            )
        except (NotImplementedError, RuntimeError) as error:
            out.append(Comparison("forward", "all inputs", float("inf"), 0.0, detail=f"forward mode failed: {error}"))
            return None
        for k, (p, o) in enumerate(zip(primal, self.outs)):
            out.append(compare("forward primal", f"output {k}", p, o, self.atol + self.rtol * o.abs()))
        for k, (m, a, b) in enumerate(zip(mixed, jv, jw)):
            tol = self.atol + self.rtol * (0.5 * a.abs() + 2.0 * b.abs())
            out.append(compare("forward linearity", f"output {k}", m, 0.5 * a - 2.0 * b, tol))
        if grads is not None:
            for name, g, v, jv_k in zip(self.names, grads, self.v, per_input):
                lhs = sum((u * t).sum() for u, t in zip(self.u, jv_k))
                scale = sum((u * t).abs().sum() for u, t in zip(self.u, jv_k)) + (g * v).abs().sum()
                out.append(compare_scalars("forward vs reverse", name, lhs, (g * v).sum(), scale, self.rtol, self.atol))
        return jv

    # ---------------------------------------------------------------- numerical
    def _tol(self, exact, reference, magnitude, h):
        rounding = 8 * torch.finfo(self.dtype).eps * magnitude / h
        return self.atol + self.rtol * torch.maximum(exact.abs(), reference.abs()) + rounding

    def _phi(self, *args):
        return sum((u * o).sum() for u, o in zip(self.u, self.f(*args)))

    def _reverse_vs_numerical(self, out, grads):
        with torch.no_grad():
            central = _ad.numerical_gradient(self._phi, tuple(self.args), method="central", eps=self.h0)
            magnitude = sum((u * o).abs().sum() for u, o in zip(self.u, self.outs))
            base = self._phi(*self.args)
            for k, (name, g, c) in enumerate(zip(self.names, grads, central)):
                steps = self.h0 * self.args[k].abs().clamp(min=1.0)
                flat = self.args[k].reshape(-1)

                def evaluate(scale, entries, k=k, flat=flat, steps=steps):
                    h = steps.reshape(-1)[entries] * scale
                    plus = torch.stack([self._shifted_phi(k, flat, i, float(d)) for i, d in zip(entries, h)])
                    minus = torch.stack([self._shifted_phi(k, flat, i, -float(d)) for i, d in zip(entries, h)])
                    return plus, minus, h

                ref, tol, kinks = _settle(
                    g.reshape(-1),
                    c.reshape(-1),
                    base.expand(g.numel()),
                    magnitude,
                    steps.reshape(-1),
                    evaluate,
                    self._tol,
                    self.scales,
                )
                out.append(
                    compare(
                        "reverse vs numerical",
                        name,
                        g,
                        ref.reshape(g.shape),
                        tol.reshape(g.shape),
                        kinks.reshape(g.shape),
                    )
                )

    def _shifted_phi(self, k, flat, i, h):
        moved = flat.clone()
        moved[i] += h
        args = list(self.args)
        args[k] = moved.reshape(self.args[k].shape)
        return self._phi(*args)

    def _along(self, t):
        return self.f(*(a + t * v for a, v in zip(self.args, self.v)))

    def _forward_vs_numerical(self, out, jv):
        t0 = torch.zeros((), dtype=self.dtype, device=self.args[0].device)
        with torch.no_grad():
            central = _ad.numerical_jacobian(self._along, t0, method="central", eps=self.h0)
            cache = {}
            for k, (j, c, o) in enumerate(zip(jv, central, self.outs)):

                def evaluate(scale, entries, k=k):
                    if scale not in cache:
                        cache[scale] = (self._along(t0 + self.h0 * scale), self._along(t0 - self.h0 * scale))
                    plus, minus = cache[scale]
                    return (
                        plus[k].reshape(-1)[entries],
                        minus[k].reshape(-1)[entries],
                        torch.full((len(entries),), self.h0 * scale, dtype=self.dtype, device=j.device),
                    )

                h = torch.full((j.numel(),), self.h0, dtype=self.dtype, device=j.device)
                ref, tol, kinks = _settle(
                    j.reshape(-1),
                    c.reshape(-1),
                    o.reshape(-1),
                    o.abs().reshape(-1),
                    h,
                    evaluate,
                    self._tol,
                    self.scales,
                )
                out.append(
                    compare(
                        "forward vs numerical",
                        f"output {k}",
                        j,
                        ref.reshape(j.shape),
                        tol.reshape(j.shape),
                        kinks.reshape(j.shape),
                    )
                )


_REFINE = tuple(10.0**-k for k in range(7))
_MAX_ROUNDING = 1e-3  # a refined step is used while its rounding error stays below this share of the magnitude


def _refine_scales(dtype, h0):
    """The step scales retried on disagreeing entries: 1 and 0.1 always (two are needed to tell a kink from
    curvature), smaller ones (down to 1e-6: a function may vary on the scale of a tiny input, ``x / |x|`` at
    ``x = 1e-8``) while the rounding error of the differences (``8 eps / step``, relative) stays small; in
    float64 all seven, in float32 the first two."""
    eps = torch.finfo(dtype).eps
    return _REFINE[:2] + tuple(s for s in _REFINE[2:] if 8 * eps / (h0 * s) <= _MAX_ROUNDING)


def _settle(exact, central, base, magnitude, h, evaluate, tolerance, scales=_REFINE):
    """Reference values, tolerances and kink flags for the entries of ``exact`` (flat tensors).

    Entries that miss the tolerance against the central difference at the default steps ``h`` are retried at
    smaller steps (``scales``; ``evaluate(scale, entries) -> (f(x + s), f(x - s), s)``). An entry passes when
    the central difference agrees at a smaller step, within the tolerance plus the truncation error that the
    change from the previous step shows (the function varies on a scale close to ``h``, such as ``x / |x|`` at
    a tiny ``x``, or a kink within ``h`` of the point has left the stencil), or when a one-sided difference
    agrees at a smaller step (a kink on the other side, closer still).

    Otherwise it is not differentiable at the point (a kink, not compared) when the one-sided differences do
    not converge to one value (:func:`_gap_stays_open`): along a smooth function the gap between the forward
    and the backward difference shrinks like the step, while a kink at the point keeps it open, however many
    other kinks lie at other distances inside the larger stencils (a weight such as a bias feeds many units,
    each with its own kink); or when the central difference grows like ``1 / step`` (a jump in the value). A
    wrong derivative of a smooth function is therefore still reported: its gap closes, and the differences
    converge to a value the derivative misses.
    """
    tol = tolerance(exact, central, magnitude, h)
    ref = central.clone()
    kinks = torch.zeros_like(exact, dtype=torch.bool)
    entries = ((exact - central).abs() > tol).nonzero().reshape(-1)
    if entries.numel() == 0:
        return ref, tol, kinks
    g, b, mag = exact[entries], base[entries], magnitude[entries] if magnitude.dim() else magnitude
    open_ = torch.ones_like(g, dtype=torch.bool)
    gaps, tols, centrals, previous = [], [], [], None
    for scale in scales:
        plus, minus, s = evaluate(scale, entries.tolist())
        c, forward, backward = (plus - minus) / (2 * s), (plus - b) / s, (b - minus) / s
        # plus the truncation error still left: it shrinks like s**2, 100x per scale, so the change from the
        # previous scale bounds it (with a 10x margin while the function varies on the scale of the step)
        t = tolerance(g, c, mag, s) + (0 if previous is None else (c - previous).abs() / 10)
        previous = c
        gaps.append((forward - backward).abs())
        tols.append(t)
        centrals.append(c.abs())
        settled = open_ & ((g - c).abs() <= t)
        one_sided = open_ & ~settled & (scale < 1) & (torch.minimum((g - forward).abs(), (g - backward).abs()) <= t)
        ref[entries] = torch.where(open_, c, ref[entries])
        tol[entries] = torch.where(open_, t, tol[entries])
        kinks[entries] |= one_sided
        open_ &= ~(settled | one_sided)
        if not bool(open_.any()):
            break
    else:
        value_jumps = centrals[-1] > 5 * centrals[0]
        kinks[entries] |= open_ & (_gap_stays_open(gaps, tols) | value_jumps)
    return ref, tol, kinks


def _gap_stays_open(gaps, tols):
    """Whether the gap between the one-sided differences stays open as the step shrinks (a kink at the point)
    rather than closing like the step (10x per scale: smooth). The finest pair of scales at which the gap is
    resolvable decides: where the coarser gap is above twice the finer scale's tolerance (rounding grows as
    the step shrinks, so a small jump is only seen at the larger steps; and a kink near the point but outside
    the finest stencils has left them, so it does not hide a wrong derivative). No resolvable pair: smooth."""
    open_ = torch.zeros_like(gaps[0], dtype=torch.bool)
    decided = torch.zeros_like(open_)
    for k in range(len(gaps) - 1, 0, -1):
        resolvable = ~decided & (gaps[k - 1] > 2 * tols[k])
        open_ |= resolvable & (gaps[k] > 0.3 * gaps[k - 1] + tols[k])
        decided |= resolvable
    return open_
