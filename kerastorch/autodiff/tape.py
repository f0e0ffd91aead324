"""``GradientTape``: TensorFlow's tape interface over torch.autograd, for tf.keras training loops.

torch records every operation on tensors that require grad, so the tape records nothing itself:
entering it turns grad mode on (even inside ``torch.no_grad()``), ``watch(x)`` makes a constant tensor
require grad (restored when the tape is done with it), and ``gradient`` / ``jacobian`` call
``torch.autograd.grad`` on the graph built inside the ``with`` block. Trainable weights (Parameters)
require grad already, i.e. they are watched on access (``watch_accessed_variables=True``); with
``watch_accessed_variables=False`` only what was passed to ``watch`` gets gradients, others get
``None`` (or zeros). A tape used inside another active tape keeps its backward graph, so nested tapes
give higher derivatives. ``watched_variables()`` lists what was explicitly watched (torch cannot see
which variables an operation merely read).

Example:
    >>> import torch
    >>> x = torch.tensor(3.0)
    >>> with GradientTape() as tape:
    ...     tape.watch(x)
    ...     y = x * x
    >>> tape.gradient(y, x)
    tensor(6.)
    >>> x.requires_grad  # the tape gave x back as it was
    False
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any, Iterator

import torch

from kerastorch import tree
from kerastorch.autodiff._common import backward_rule_errors

_ACTIVE = threading.local()
_UNCONNECTED = ("none", "zero")


def _active_tapes():
    if not hasattr(_ACTIVE, "stack"):
        _ACTIVE.stack = []
    return _ACTIVE.stack


class GradientTape:
    """Records operations for differentiation, with ``tf.GradientTape``'s interface.

    Args:
        persistent: Bool, whether to allow several ``gradient`` / ``jacobian`` calls (the graph is kept
            until the tape is deleted or ``reset``). A non-persistent tape computes one set of gradients
            and raises ``RuntimeError`` on a second. Defaults to ``False``.
        watch_accessed_variables: Bool, whether trainable weights used inside the block get gradients
            without an explicit ``watch``. Defaults to ``True``.

    Example:
        A custom training step:

        >>> import torch, kerastorch as keras
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        >>> with GradientTape() as tape:
        ...     loss = model(torch.ones(4, 3)).square().mean()
        >>> grads = tape.gradient(loss, model.trainable_weights)
        >>> [tuple(g.shape) for g in grads]
        [(3, 1), (1,)]
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True) -> None:
        self._persistent = bool(persistent)
        self._watch_accessed = bool(watch_accessed_variables)
        self._watched: dict[int, torch.Tensor] = {}  # id -> tensor, explicitly watched
        self._made_grad: list[torch.Tensor] = []  # tensors whose requires_grad the tape switched on
        self._grad_mode: torch.enable_grad | None = None
        self._recording = False
        self._used = False

    def __enter__(self) -> GradientTape:
        if self._recording:
            raise ValueError("GradientTape: the tape is already recording; it cannot be entered twice")
        self._grad_mode = torch.enable_grad()
        self._grad_mode.__enter__()
        self._recording = True
        _active_tapes().append(self)
        return self

    def __exit__(self, *exc):
        self._recording = False
        stack = _active_tapes()
        if self in stack:
            stack.remove(self)
        self._grad_mode.__exit__(*exc)
        return False

    def __del__(self):
        self._restore()

    def watch(self, tensor: Any) -> None:
        """Make ``tensor`` (or a nested structure of tensors) a source that gradients can be taken to."""
        for x in tree.flatten(tensor):
            if not isinstance(x, torch.Tensor):
                raise TypeError(f"GradientTape.watch: expected tensors, received {type(x).__name__}")
            if not (x.is_floating_point() or x.is_complex()):
                raise TypeError(
                    f"GradientTape.watch: can only watch floating-point tensors, received one of dtype {x.dtype}"
                )
            if not x.requires_grad:
                if x.grad_fn is not None or not x.is_leaf:  # pragma: no cover - torch keeps these leaves
                    raise ValueError("GradientTape.watch: cannot watch a non-leaf tensor that does not require grad")
                x.requires_grad_(True)
                self._made_grad.append(x)
            self._watched[id(x)] = x

    def watched_variables(self) -> tuple[torch.Tensor, ...]:
        """The tensors passed to ``watch``, in order."""
        return tuple(self._watched.values())

    @contextlib.contextmanager
    def stop_recording(self) -> Iterator[None]:
        """Operations inside this block are not recorded (``torch.no_grad``)."""
        if not self._recording:
            raise RuntimeError(
                "GradientTape.stop_recording: the tape is not recording (use it inside the tape's with-block)"
            )
        with torch.no_grad():
            yield

    def reset(self) -> None:
        """Forget everything recorded so far (watched tensors included)."""
        self._restore()
        self._watched = {}
        self._used = False

    def _restore(self):
        for x in getattr(self, "_made_grad", ()):
            if x.is_leaf:
                x.requires_grad_(False)
        self._made_grad = []

    def _begin_use(self, where):
        if self._used and not self._persistent:
            raise RuntimeError(
                f"GradientTape.{where}: a non-persistent GradientTape can only be used to compute "
                f"one set of gradients (or jacobians); pass persistent=True to use it several times"
            )
        self._used = True

    def _create_graph(self):
        # Another tape still recording (an outer one) may differentiate these gradients.
        return any(t is not self and t._recording for t in _active_tapes()) or self._recording

    def _is_source(self, x):
        if not x.requires_grad:
            return False
        return self._watch_accessed or id(x) in self._watched

    def gradient(
        self, target: Any, sources: Any, output_gradients: Any = None, unconnected_gradients: str = "none"
    ) -> Any:
        """Gradient of ``target`` (a tensor or a structure of them, summed) w.r.t. ``sources``.

        Returns the sources' structure with one gradient each; a non-scalar target is differentiated
        as if summed, unless ``output_gradients`` (the upstream gradients, shaped like the targets)
        are given. Sources the target does not depend on get ``None``, or zeros with
        ``unconnected_gradients="zero"``.
        """
        if unconnected_gradients not in _UNCONNECTED:
            raise ValueError(
                f"GradientTape.gradient: unconnected_gradients must be one of {_UNCONNECTED}, "
                f"received {unconnected_gradients!r}"
            )
        self._begin_use("gradient")
        flat_sources = tree.flatten(sources)
        for x in flat_sources:
            if not isinstance(x, torch.Tensor):
                raise TypeError(
                    f"GradientTape.gradient: sources must be tensors or variables, received {type(x).__name__}"
                )
        targets = tree.flatten(target)
        grads_out = [None] * len(targets) if output_gradients is None else tree.flatten(output_gradients)
        if len(grads_out) != len(targets):
            raise ValueError(
                f"GradientTape.gradient: expected one output gradient per target ({len(targets)}), "
                f"received {len(grads_out)}"
            )
        pairs = [
            (t, torch.ones_like(t) if g is None else g)
            for t, g in zip(targets, grads_out)
            if isinstance(t, torch.Tensor) and t.requires_grad
        ]
        wanted = [i for i, x in enumerate(flat_sources) if self._is_source(x)]
        result: list[torch.Tensor | None] = [None] * len(flat_sources)
        if pairs and wanted:
            create_graph = self._create_graph()
            with backward_rule_errors("GradientTape.gradient"):
                computed = torch.autograd.grad(
                    [t for t, _ in pairs],
                    [flat_sources[i] for i in wanted],
                    [g for _, g in pairs],
                    retain_graph=self._persistent or create_graph,
                    create_graph=create_graph,
                    allow_unused=True,
                )
            for i, g in zip(wanted, computed):
                result[i] = g
        if unconnected_gradients == "zero":
            result = [torch.zeros_like(x) if g is None else g for g, x in zip(result, flat_sources)]
        if not self._persistent:
            self._restore()
        return tree.pack_sequence_as(sources, result)

    def jacobian(
        self,
        target: torch.Tensor,
        sources: Any,
        unconnected_gradients: str = "none",
        parallel_iterations: int | None = None,
        experimental_use_pfor: bool = True,
    ) -> Any:
        """Full Jacobian of ``target`` w.r.t. each source: shape ``target.shape + source.shape``.

        One backward pass per target entry, vectorized with ``torch.vmap`` when
        ``experimental_use_pfor`` (the default) and the graph allows it, else a loop.
        """
        if unconnected_gradients not in _UNCONNECTED:
            raise ValueError(
                f"GradientTape.jacobian: unconnected_gradients must be one of {_UNCONNECTED}, "
                f"received {unconnected_gradients!r}"
            )
        self._begin_use("jacobian")
        flat_sources = tree.flatten(sources)
        if not isinstance(target, torch.Tensor):
            raise TypeError(f"GradientTape.jacobian: target must be one tensor, received {type(target).__name__}")
        m = target.numel()
        basis = torch.eye(m, dtype=target.dtype, device=target.device).reshape((m,) + tuple(target.shape))
        rows = self._batched_grads(target, flat_sources, basis, experimental_use_pfor)
        result = []
        for x, g in zip(flat_sources, rows):
            if g is None:
                g = (
                    torch.zeros(tuple(target.shape) + tuple(x.shape), dtype=x.dtype, device=x.device)
                    if unconnected_gradients == "zero"
                    else None
                )
            else:
                g = g.reshape(tuple(target.shape) + tuple(x.shape))
            result.append(g)
        if not self._persistent:
            self._restore()
        return tree.pack_sequence_as(sources, result)

    def batch_jacobian(
        self,
        target: torch.Tensor,
        source: torch.Tensor,
        unconnected_gradients: str = "none",
        parallel_iterations: int | None = None,
        experimental_use_pfor: bool = True,
    ) -> torch.Tensor | None:
        """Per-example Jacobians: ``target`` ``(batch, *out)`` and ``source`` ``(batch, *in)`` give
        ``(batch, *out, *in)``, assuming example ``i`` of the target depends only on example ``i``."""
        if unconnected_gradients not in _UNCONNECTED:
            raise ValueError(
                f"GradientTape.batch_jacobian: unconnected_gradients must be one of {_UNCONNECTED}, "
                f"received {unconnected_gradients!r}"
            )
        if target.ndim < 1 or source.ndim < 1 or target.shape[0] != source.shape[0]:
            raise ValueError(
                f"GradientTape.batch_jacobian: target and source need the same first (batch) "
                f"dimension, received shapes {tuple(target.shape)} and {tuple(source.shape)}"
            )
        self._begin_use("batch_jacobian")
        batch, out_shape = target.shape[0], tuple(target.shape[1:])
        m = target[0].numel()
        eye = torch.eye(m, dtype=target.dtype, device=target.device)
        basis = eye.unsqueeze(1).expand(m, batch, m).reshape((m, batch) + out_shape)
        (rows,) = self._batched_grads(target, [source], basis, experimental_use_pfor)
        if not self._persistent:
            self._restore()
        if rows is None:
            if unconnected_gradients == "none":
                return None
            return torch.zeros((batch,) + out_shape + tuple(source.shape[1:]), dtype=source.dtype, device=source.device)
        rows = rows.reshape((m, batch) + tuple(source.shape[1:])).movedim(0, 1)
        return rows.reshape((batch,) + out_shape + tuple(source.shape[1:]))

    def _batched_grads(self, target, sources, basis, vectorize):
        wanted = [i for i, x in enumerate(sources) if self._is_source(x)]
        out = [None] * len(sources)
        if not wanted or not target.requires_grad:
            return out
        inputs = [sources[i] for i in wanted]
        create_graph = self._create_graph()
        grads = None
        if vectorize:
            try:
                grads = torch.autograd.grad(
                    target,
                    inputs,
                    basis,
                    retain_graph=True,
                    create_graph=create_graph,
                    allow_unused=True,
                    is_grads_batched=True,
                )
            except RuntimeError:  # an op without a batching rule: one backward pass per row instead
                grads = None
        if grads is None:
            per_row = [
                torch.autograd.grad(
                    target, inputs, row, retain_graph=True, create_graph=create_graph, allow_unused=True
                )
                for row in basis
            ]
            grads = [
                None if per_row[0][k] is None else torch.stack([r[k] for r in per_row]) for k in range(len(inputs))
            ]
        for i, g in zip(wanted, grads):
            out[i] = g
        return out
