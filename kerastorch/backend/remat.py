"""Rematerialization (gradient checkpointing): ``remat`` and ``RematScope``.

A rematerialized computation keeps only its inputs for the backward pass; the intermediate activations are
computed again when the gradients are. It trades compute for memory, and gives the same values and
gradients as the plain computation. kerastorch runs it with ``torch.utils.checkpoint`` in its non-reentrant
form, and makes the recomputation replay the forward pass exactly:

- random draws repeat: torch's global generators are restored (checkpoint's ``preserve_rng_state``), and so
  is every explicit ``torch.Generator`` the forward pass drew from (the ones behind a ``seed=`` of
  ``keras.random`` functions and seeded layers such as ``Dropout(seed=...)``);
- the call state repeats: the training flag that nested layers inherit, and an enclosing
  ``keras.StatelessScope`` (the recomputation happens during the backward pass, after both have ended);
- state is updated once: in a rematerialized layer, the weights and buffers that the forward pass changed in
  place (BatchNormalization's moving statistics) are restored after the recomputation changed them again.
  (A function given to :func:`remat` has no weights that kerastorch can see; it should not update state.)

Without gradient recording (``torch.no_grad()``, inference) a rematerialized call is a plain call.

Example:
    >>> import torch
    >>> x = torch.linspace(-1.0, 1.0, 5, requires_grad=True)
    >>> f = lambda t: torch.tanh(t).exp().sum()
    >>> plain = torch.autograd.grad(f(x), x)[0]
    >>> checkpointed = torch.autograd.grad(remat(f)(x), x)[0]
    >>> torch.equal(plain, checkpointed)
    True
"""

from __future__ import annotations

import contextlib
import functools
import numbers
import threading
from typing import Any, Callable, ContextManager, Optional, Sequence, TypeVar

import torch
from torch.overrides import TorchFunctionMode
from torch.utils.checkpoint import checkpoint

from kerastorch.backend.stateless_scope import replay_context
from kerastorch.backend.torch_internals import tensor_version


class _State(threading.local):
    stack: list[RematScope] | None = None  # this thread's RematScopes, innermost last (made on first use)


_STATE = _State()
_MODES = (None, "full", "activations", "larger_than", "list_of_layers")
_R = TypeVar("_R")
# what register_call_state takes: () -> (a factory of context managers, or None)
_Capture = Callable[[], Optional[Callable[[], ContextManager[Any]]]]
_CALL_STATE: list[_Capture] = []  # the call state to re-enter when recomputing


class RematScope:
    """A context manager for rematerialization (gradient checkpointing) of the layers created inside it.

    A layer created inside the scope remembers its mode, and applies it whenever it is called with
    gradients recorded (the scope need not be active then). Calls on symbolic tensors, and calls without
    gradient recording, run as usual.

    Args:
        mode: str or None, default ``"full"``: what to rematerialize.
            ``"full"``: every layer's call.
            ``"activations"``: only the activation function of layers that have one (``Dense(...,
            activation="relu")``, ``Activation``, convolutions ...).
            ``"larger_than"``: the calls whose outputs hold more than ``output_size_threshold`` numbers in all
            (batch included; found from the output shapes before the call runs, once per input shape).
            ``"list_of_layers"``: the layers whose name is in ``layer_names``.
            ``None``: nothing (turns an enclosing scope off for the layers created inside).
        output_size_threshold: int, default 1024: the output size above which ``"larger_than"``
            rematerializes a call.
        layer_names: list of str, default None (no names): the layers that ``"list_of_layers"``
            rematerializes. Only that mode takes names.

    Raises:
        ValueError: for an unknown mode, a negative or non-integer threshold, layer names that are not a
            list of strings, or layer names given with another mode.

    Example:
        >>> import torch
        >>> import kerastorch as keras
        >>> with keras.RematScope(mode="list_of_layers", layer_names=["big"]):
        ...     big = keras.layers.Dense(64, activation="relu", name="big")
        ...     small = keras.layers.Dense(1, name="small")
        >>> x = torch.randn(8, 16)
        >>> y = small(big(x))  # "big" keeps no activations for the backward pass
        >>> y.sum().backward()
        >>> big.kernel.grad.shape
        torch.Size([16, 64])
    """

    def __init__(
        self,
        mode: str | None = "full",
        output_size_threshold: int = 1024,
        layer_names: list[str] | tuple[str, ...] | set[str] | frozenset[str] | None = None,
    ) -> None:
        if mode not in _MODES:
            raise ValueError(
                f"RematScope: invalid mode {mode!r}; supported modes are 'full', 'activations', "
                "'larger_than', 'list_of_layers', or None"
            )
        if (
            isinstance(output_size_threshold, bool)
            or not isinstance(output_size_threshold, numbers.Integral)
            or output_size_threshold < 0
        ):
            raise ValueError(
                f"RematScope: output_size_threshold must be a non-negative int, received {output_size_threshold!r}"
            )
        if layer_names is None:
            layer_names = []
        if (
            isinstance(layer_names, str)
            or not isinstance(layer_names, (list, tuple, set, frozenset))
            or not all(isinstance(name, str) for name in layer_names)
        ):
            raise ValueError(f"RematScope: layer_names must be a list of layer names (str), received {layer_names!r}")
        if layer_names and mode != "list_of_layers":
            raise ValueError(
                f"RematScope: layer_names are used by mode='list_of_layers' only, received them with mode={mode!r}"
            )
        self.mode: str | None = mode
        self.output_size_threshold: int = int(output_size_threshold)
        self.layer_names: list[str] = list(layer_names)

    def __enter__(self) -> RematScope:
        stack = _stack()
        stack.append(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        _stack().pop()

    def __repr__(self) -> str:
        return (
            f"RematScope(mode={self.mode!r}, output_size_threshold={self.output_size_threshold}, "
            f"layer_names={self.layer_names!r})"
        )


def _stack():
    if _STATE.stack is None:
        _STATE.stack = []
    return _STATE.stack


def get_current_remat_mode() -> RematScope | None:
    """The innermost active :class:`RematScope` of this thread, or None (also under ``mode=None``).

    Returns:
        RematScope or None.

    >>> get_current_remat_mode() is None
    True
    >>> with RematScope(mode="activations"):
    ...     get_current_remat_mode().mode
    'activations'
    """
    stack = _STATE.stack
    if not stack or stack[-1].mode is None:
        return None
    return stack[-1]


def remat(f: Callable[..., _R]) -> Callable[..., _R]:
    """Applies rematerialization (gradient checkpointing) to a function or layer.

    The returned function computes what ``f`` computes, but keeps only its inputs for the backward pass:
    the intermediate results of ``f`` are computed again when the gradients are. Peak memory goes down,
    compute goes up, values and gradients stay the same (random draws included, see the module notes).

    Args:
        f: callable: a function of tensors, or a layer (which may update its own state, such as
            BatchNormalization's moving statistics: they are updated once per call, as without remat).

    Returns:
        A function with ``f``'s arguments and results.

    Raises:
        TypeError: when ``f`` is not callable.

    Example:
        >>> import torch
        >>> import kerastorch as keras
        >>> class Block(keras.layers.Layer):
        ...     def __init__(self, **kwargs):
        ...         super().__init__(**kwargs)
        ...         self.body = remat(self.intermediate)
        ...     def intermediate(self, x):
        ...         for _ in range(2):
        ...             x = x + torch.sin(x) * 0.1
        ...         return x
        ...     def call(self, inputs):
        ...         return self.body(inputs)
        >>> x = torch.ones(2, 3, requires_grad=True)
        >>> Block()(x).sum().backward()
        >>> x.grad.shape
        torch.Size([2, 3])
    """
    if not callable(f):
        raise TypeError(f"remat: expected a function or a layer, received {f!r}")
    state = f if isinstance(f, torch.nn.Module) else None

    @functools.wraps(f)
    def rematerialized(*args, **kwargs):
        return checkpoint_call(f, args, kwargs, state=state)

    return rematerialized


def register_call_state(capture: _Capture) -> None:
    """Let rematerialization re-enter a piece of call state when it recomputes a forward pass.

    Args:
        capture: callable, ``() -> factory``: called when a rematerialized forward pass starts; it returns a
            callable that makes a context manager re-creating the state of that moment (or None when there is
            nothing to re-create).

    >>> register_call_state(lambda: None)
    >>> _ = _CALL_STATE.pop()
    """
    _CALL_STATE.append(capture)


def checkpoint_call(
    fn: Callable[..., _R], args: Sequence[Any], kwargs: dict[str, Any], state: torch.nn.Module | None = None
) -> _R:
    """``fn(*args, **kwargs)``, rematerialized: what :func:`remat` and rematerialized layers run.

    Args:
        fn: callable.
        args: tuple, positional arguments.
        kwargs: dict, keyword arguments.
        state: ``torch.nn.Module`` or None, default None: the module whose parameters and buffers that the
            forward pass changes in place are restored after the recomputation.

    Returns:
        What ``fn`` returns.

    >>> import torch
    >>> checkpoint_call(torch.mul, (torch.ones(2), 3.0), {})
    tensor([3., 3.])
    """
    if not torch.is_grad_enabled():
        return fn(*args, **kwargs)
    factories = [factory for factory in (capture() for capture in _CALL_STATE) if factory is not None]
    if factories:
        fn = functools.partial(_in_call_state, fn, factories)
    contexts = _ReplayContexts(state)
    return checkpoint(
        fn, *args, use_reentrant=False, context_fn=lambda: (contexts.forward(), contexts.recompute()), **kwargs
    )


def _in_call_state(fn, factories, *args, **kwargs):
    with contextlib.ExitStack() as stack:
        for factory in factories:
            stack.enter_context(factory())
        return fn(*args, **kwargs)


class _ReplayContexts:
    """The forward and recompute contexts of one rematerialized call: generator states and in-place state."""

    def __init__(self, module):
        self.module = module
        self.generators = {}  # id -> (generator, state before its first draw in the forward pass)
        self.changed = []  # tensors of ``module`` that the forward pass changed in place

    def _tensors(self):
        if self.module is None:
            return []
        seen, tensors = set(), []
        for tensor in list(self.module.parameters()) + list(self.module.buffers()):
            if id(tensor) not in seen:
                seen.add(id(tensor))
                tensors.append(tensor)
        return tensors

    @contextlib.contextmanager
    def forward(self):
        tensors = self._tensors()
        versions = [tensor_version(t) for t in tensors]
        with _GeneratorRecorder(self.generators):
            yield
        # State (buffers, weights created non-trainable) may change without a version bump (torch's batch_norm
        # updates its running statistics so): it is always restored. Other weights are when their version moved.
        self.changed = [t for t, version in zip(tensors, versions) if tensor_version(t) != version or _is_state(t)]

    @contextlib.contextmanager
    def recompute(self):
        current = [(generator, generator.get_state()) for generator, _ in self.generators.values()]
        saved = [(t, t.detach().clone()) for t in self.changed]
        for generator, state in self.generators.values():
            generator.set_state(state)
        try:
            yield
        finally:
            for generator, state in current:
                generator.set_state(state)
            with torch.no_grad():
                for tensor, value in saved:
                    tensor.copy_(value)


def _is_state(tensor):
    """A buffer, or a weight created non-trainable (moving statistics, counters), as opposed to a trainable or
    frozen weight (or the value a ``StatelessScope`` gives such a weight, which answers for its variable)."""
    return not tensor.requires_grad and not getattr(tensor, "_created_trainable", False)


class _GeneratorRecorder(TorchFunctionMode):
    """Records the state of every ``torch.Generator`` before its first draw inside the mode."""

    def __init__(self, states):
        super().__init__()
        self.states = states

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        generator = kwargs.get("generator")
        if generator is not None and id(generator) not in self.states:
            self.states[id(generator)] = (generator, generator.get_state())
        for arg in args:
            if isinstance(arg, torch.Generator) and id(arg) not in self.states:
                self.states[id(arg)] = (arg, arg.get_state())
        return func(*args, **kwargs)


register_call_state(replay_context)
