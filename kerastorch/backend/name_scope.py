"""``keras.name_scope``: a stack of names that prefixes the path of the variables created inside it.

Entering ``name_scope("block")`` pushes ``"block"``; a :class:`~kerastorch.Variable` created inside gets the
path ``"block/<name>"`` (``"outer/block/<name>"`` in nested scopes), as in Keras 3. The stack is per thread.

Layer weights keep kerastorch's ``"<layer name>/<weight name>"`` paths whatever scope the layer is built in:
saved weight files are keyed by those paths (``model.save_weights``, the ``.keras`` archive), so a model
built inside a scope saves and loads exactly as one built outside it. (Keras 3's weight files do not key
weights by path, and its paths also start with the model's name, which kerastorch's do not.)

Example:
    >>> import kerastorch as keras
    >>> with keras.name_scope("encoder"):
    ...     with keras.name_scope("block_1"):
    ...         weight = keras.Variable(1.0, name="scale")
    ...         print(current_path())
    encoder/block_1
    >>> weight.name, weight.path
    ('scale', 'encoder/block_1/scale')
    >>> current_path()
    ''
"""

from __future__ import annotations

import threading
from typing import Any, Literal

__all__ = ["name_scope", "current_path", "scoped_path"]

_STATE = threading.local()


def _stack():
    stack = getattr(_STATE, "stack", None)
    if stack is None:
        stack = _STATE.stack = []
    return stack


class name_scope:  # noqa: N801 - Keras's public name
    """Creates a sub-namespace for variable paths.

    Variables created while the scope is active get their path prefixed with the names of the active
    scopes, joined by ``/``. Scopes nest; leaving a scope removes its name again. A scope object may be
    entered again after it was left.

    Args:
        name: str. The name of the scope: a non-empty string without ``"/"``.
        caller: Optional object, default ``None``. The object that opened the scope (a layer opens its own
            scope with ``caller=self``). With ``deduplicate=True``, entering a scope with the same ``name``
            and the same ``caller`` as the innermost active scope adds no new level, so a layer calling
            itself does not get paths like ``"dense/dense/kernel"``.
        deduplicate: bool, default ``True``. Whether a repeated scope of the same ``caller`` is merged into the
            innermost one (see ``caller``). Without a ``caller`` nothing is merged.
        override_parent: Optional str, default ``None``. When given, the path of this scope starts from
            ``override_parent`` instead of the enclosing scopes (``""`` starts from the root); scopes opened
            inside it continue from there.

    Raises:
        ValueError: if ``name`` is not a non-empty string without ``"/"``, or ``override_parent`` is neither
            ``None`` nor a string.

    Example:
        >>> import kerastorch as keras
        >>> with keras.name_scope("outer"):
        ...     with keras.name_scope("inner", override_parent="shared"):
        ...         keras.Variable(0.0, name="v").path
        'shared/inner/v'
        >>> owner = object()
        >>> with keras.name_scope("dense", caller=owner):
        ...     with keras.name_scope("dense", caller=owner):   # same caller: no second level
        ...         current_path()
        'dense'
    """

    def __init__(
        self, name: str, caller: Any = None, deduplicate: bool = True, override_parent: str | None = None
    ) -> None:
        if not isinstance(name, str) or not name or "/" in name:
            raise ValueError(
                f"name_scope: argument `name` must be a non-empty string and cannot contain the "
                f"character `/`. Received: name={name!r}"
            )
        if override_parent is not None and not isinstance(override_parent, str):
            raise ValueError(
                f"name_scope: argument `override_parent` must be a string or None. "
                f"Received: override_parent={override_parent!r}"
            )
        self.name = name
        self.caller = caller
        self.deduplicate = bool(deduplicate)
        self.override_parent = override_parent
        self._pushed: list[bool] = []  # one flag per active entry of this object: whether that entry added a level

    def __enter__(self) -> name_scope:
        stack = _stack()
        merge = bool(
            self.deduplicate
            and self.caller is not None
            and stack
            and stack[-1].caller is self.caller
            and stack[-1].name == self.name
        )
        if not merge:
            stack.append(self)
        self._pushed.append(not merge)
        return self

    def __exit__(self, *exc_info: object) -> Literal[False]:
        if self._pushed.pop():
            stack = _stack()
            if stack and stack[-1] is self:
                stack.pop()
            elif self in stack:  # scopes left out of order (manual __exit__ calls): drop this one and above
                del stack[stack.index(self) :]
        return False

    def __repr__(self) -> str:
        return f"<name_scope name={self.name!r}>"


def current_path() -> str:
    """The path of the active name scopes, joined by ``/`` (``""`` outside every scope).

    Returns:
        str: the current scope path.

    Example:
        >>> with name_scope("a"), name_scope("b"):
        ...     current_path()
        'a/b'
    """
    parts = []
    for scope in _stack():
        if scope.override_parent is not None:
            parts = [p for p in scope.override_parent.split("/") if p]
        parts.append(scope.name)
    return "/".join(parts)


def scoped_path(name: str) -> str:
    """``name`` under the active name scopes: what a variable called ``name`` created now has as path.

    Args:
        name: str, the variable's own name.

    Returns:
        str: ``"<current path>/<name>"``, or ``name`` outside every scope.

    Example:
        >>> scoped_path("kernel")
        'kernel'
        >>> with name_scope("block"):
        ...     scoped_path("kernel")
        'block/kernel'
    """
    prefix = current_path()
    return f"{prefix}/{name}" if prefix else name
