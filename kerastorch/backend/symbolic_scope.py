"""``SymbolicScope``: marks the symbolic stage, when layers run on shapes rather than on data.

kerastorch enters it while it infers the output of a call on symbolic tensors (``keras.Input`` and the
``KerasTensor`` results of layers on it), which it does by running the call on torch fake tensors. Code that
must behave differently then (skip a data-dependent check, say) asks :func:`in_symbolic_scope`.

Example:
    >>> in_symbolic_scope()
    False
    >>> with SymbolicScope():
    ...     in_symbolic_scope()
    True
"""

from __future__ import annotations

import threading


class _State(threading.local):
    scope: SymbolicScope | None = None  # a class default: reading it outside any scope costs no failed lookup


_STATE = _State()


class SymbolicScope:
    """Scope that marks symbolic execution (shape inference); :func:`in_symbolic_scope` is True inside.

    Scopes nest; the outer one is active again when an inner one ends.

    Example:
        >>> import kerastorch as keras
        >>> seen = []
        >>> class Probe(keras.layers.Layer):
        ...     def call(self, x):
        ...         seen.append(in_symbolic_scope())
        ...         return x
        >>> _ = Probe()(keras.Input((2,)))  # shape inference
        >>> seen[0], all(seen)
        (True, True)
    """

    def __init__(self) -> None:
        self._previous: SymbolicScope | None = None

    def __enter__(self) -> SymbolicScope:
        self._previous = _STATE.scope
        _STATE.scope = self
        return self

    def __exit__(self, *exc_info: object) -> None:
        _STATE.scope = self._previous
        self._previous = None


def in_symbolic_scope() -> bool:
    """Whether code runs inside a :class:`SymbolicScope` (in this thread).

    Returns:
        bool.

    >>> in_symbolic_scope()
    False
    """
    return _STATE.scope is not None


def get_symbolic_scope() -> SymbolicScope | None:
    """The innermost active :class:`SymbolicScope` of this thread, or None.

    Returns:
        SymbolicScope or None.

    >>> with SymbolicScope() as scope:
    ...     get_symbolic_scope() is scope
    True
    """
    return _STATE.scope
