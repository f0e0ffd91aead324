"""``StatelessScope``: run code on given variable values, and collect the updates instead of applying them.

Inside ``with StatelessScope(state_mapping) as scope:``

- a layer called in the scope reads, for every weight in ``state_mapping``, the value mapped to it (the value
  itself, so gradients flow back to it), and ``variable.value`` returns it too;
- ``variable.assign(...)``, ``assign_add`` and ``assign_sub`` leave the variable as it is and record the new
  value, which ``scope.get_current_value(variable)`` returns, during the scope and after it;
- in-place updates that layers make to a mapped weight (BatchNormalization's moving statistics) land in the
  scope's copy of the value, so they are recorded the same way;
- with ``collect_losses=True``, the losses that layers add (``add_loss``, activity regularization) are also
  collected in ``scope.losses``.

kerastorch's variables are ``torch.nn.Parameter`` objects that layers use directly, so what is redirected is
what goes through a layer call or the ``Variable`` API. A torch operation applied to a variable object by
hand (``variable * 2`` outside any layer) reads the variable, not the mapped value: write
``variable.value * 2`` for that. A variable that is not in ``state_mapping`` is read as it is, and an
in-place torch update of it is not intercepted; map every variable that the code updates (all of
``model.weights``, say) for a computation that leaves the model untouched. The mapped values are copied once
when the scope is created (the caller's tensors are never written to). Scopes do not inherit from each
other: in a nested scope only its own mapping applies, as in Keras.

Example:
    >>> import torch
    >>> from kerastorch.backend.variable import Variable
    >>> v = Variable(torch.zeros(2), name="v")
    >>> with StatelessScope(state_mapping=[(v, torch.ones(2))]) as scope:
    ...     _ = v.assign_add(torch.full((2,), 2.0))
    ...     scope.get_current_value(v)
    tensor([3., 3.])
    >>> v.tolist()  # unchanged
    [0.0, 0.0]
"""

from __future__ import annotations

import threading
from typing import Any, Callable, ContextManager, Iterable, MutableMapping

import numpy as np
import torch

from kerastorch.backend.annotations import TensorLike
from kerastorch.backend.torch_internals import disabled_torch_function_impl


class _State(threading.local):
    scope: StatelessScope | None = None  # a class default: reading it outside any scope costs no failed lookup


_STATE = _State()


def get_stateless_scope() -> StatelessScope | None:
    """The innermost active :class:`StatelessScope` of this thread, or None.

    Returns:
        StatelessScope or None.

    >>> get_stateless_scope() is None
    True
    """
    return _STATE.scope


def in_stateless_scope() -> bool:
    """Whether code runs inside a :class:`StatelessScope` (in this thread).

    Returns:
        bool.

    >>> with StatelessScope():
    ...     in_stateless_scope()
    True
    """
    return _STATE.scope is not None


class StatelessScope:
    """Scope in which variables are read from ``state_mapping`` and updates to them are recorded, not applied.

    Args:
        state_mapping: list of ``(variable, value)`` pairs, default None: the value (a tensor, NumPy array or
            number of the variable's shape) that each variable has inside the scope. It is converted to the
            variable's dtype and device. A variable not listed reads its own value.
        collect_losses: bool, default False: also collect the losses that layers add during the scope into
            ``scope.losses`` (they still reach the layers' own ``losses``).
        initialize_variables: bool, default True: Keras initializes, on exit, the variables created inside
            the scope. kerastorch's variables are initialized when they are created, so only True is
            accepted (Keras's deferred initialization, False, does not exist here).

    Attributes:
        state_mapping: dict, ``id(variable) -> current value`` of every mapped or updated variable.
        losses: list of the losses collected (``collect_losses=True``) or added with :meth:`add_loss`.

    Raises:
        ValueError: for a key that is not a variable, a value whose shape differs from its variable's, or
            ``initialize_variables=False``.

    Example:
        >>> import torch
        >>> import kerastorch as keras
        >>> layer = keras.layers.Dense(2, kernel_initializer="ones", bias_initializer="zeros")
        >>> layer.build((None, 3))
        >>> mapping = [(w, torch.full(tuple(w.shape), 0.5)) for w in layer.weights]
        >>> with keras.StatelessScope(state_mapping=mapping):
        ...     layer(torch.ones(1, 3))  # reads the mapped kernel and bias
        tensor([[2., 2.]])
        >>> layer(torch.ones(1, 3))  # the layer's own weights are untouched
        tensor([[3., 3.]], grad_fn=<AddmmBackward0>)
    """

    def __init__(
        self,
        state_mapping: Iterable[tuple[torch.nn.Parameter, TensorLike] | list[Any]] | None = None,
        collect_losses: bool = False,
        initialize_variables: bool = True,
    ) -> None:
        if initialize_variables is not True:
            raise ValueError(
                "StatelessScope: initialize_variables must be True in kerastorch (variables are "
                f"initialized when created; there is no deferred initialization), received "
                f"{initialize_variables!r}"
            )
        self.collect_losses = bool(collect_losses)
        self.initialize_variables = True
        self.losses: list[torch.Tensor] = []
        self.state_mapping: dict[int, torch.Tensor] = {}
        self._variables: dict[int, torch.nn.Parameter] = {}  # id -> variable (keeps the keys alive while in use)
        self._bound: dict[int, int] = {}  # id(module) -> number of active bindings of that module
        # id(variable) -> list of [container, key, original] that hold a view of its value
        self._slots: dict[int, list[list[Any]]] = {}
        self._previous: StatelessScope | None = None
        if state_mapping is None:
            return
        if isinstance(state_mapping, dict):
            raise ValueError("StatelessScope: state_mapping must be a list of (variable, value) pairs, received a dict")
        for entry in state_mapping:
            if not isinstance(entry, (list, tuple)) or len(entry) != 2:
                raise ValueError(f"StatelessScope: state_mapping must hold (variable, value) pairs, received {entry!r}")
            variable, value = entry
            self._record(variable, value, "state_mapping", copy=True)

    # ------------------------------------------------------------------ the scope
    def __enter__(self) -> StatelessScope:
        self._previous = _STATE.scope
        _STATE.scope = self
        return self

    def __exit__(self, *exc_info: object) -> None:
        _STATE.scope = self._previous
        self._previous = None

    def add_loss(self, loss: torch.Tensor) -> None:
        """Collect a loss (what layers do with ``collect_losses=True``).

        Args:
            loss: a scalar tensor.

        >>> import torch
        >>> with StatelessScope(collect_losses=True) as scope:
        ...     scope.add_loss(torch.tensor(1.5))
        >>> scope.losses
        [tensor(1.5000)]
        """
        self.losses.append(loss)

    def add_update(self, update: tuple[torch.nn.Parameter, TensorLike] | list[Any]) -> None:
        """Record a new value for a variable (what ``Variable.assign`` does inside the scope).

        Args:
            update: tuple ``(variable, value)``; the value is converted to the variable's dtype and device
                and must have its shape.

        Raises:
            ValueError: for a key that is not a variable or a value of another shape.

        >>> import torch
        >>> from kerastorch.backend.variable import Variable
        >>> v = Variable(torch.zeros(2))
        >>> with StatelessScope() as scope:
        ...     scope.add_update((v, [4.0, 5.0]))
        >>> scope.get_current_value(v), v.tolist()
        (tensor([4., 5.]), [0.0, 0.0])
        """
        if not isinstance(update, (list, tuple)) or len(update) != 2:
            raise ValueError(f"StatelessScope.add_update: expected a (variable, value) pair, received {update!r}")
        variable, value = update
        value = self._record(variable, value, "add_update", copy=False)
        for slot in self._slots.get(id(variable), ()):
            slot[0][slot[1]] = _scoped_view(value, variable, self)

    def get_current_value(self, variable: torch.nn.Parameter) -> torch.Tensor | None:
        """The value of ``variable`` in this scope: its mapped value, with the updates made since, or None
        for a variable the scope neither maps nor updated.

        Args:
            variable: a :class:`~kerastorch.Variable`.

        Returns:
            A tensor, or None.

        >>> import torch
        >>> from kerastorch.backend.variable import Variable
        >>> v = Variable(torch.zeros(1))
        >>> StatelessScope().get_current_value(v) is None
        True
        """
        return self.state_mapping.get(id(variable))

    # ------------------------------------------------------- values and bindings
    def _record(self, variable, value, where, copy):
        if not isinstance(variable, torch.nn.Parameter):
            raise ValueError(
                f"StatelessScope {where}: every key must be a Variable (a layer weight), received {variable!r}"
            )
        if isinstance(value, str) or value is None:
            raise ValueError(
                f"StatelessScope {where}: the value of variable {_path(variable)} must be a tensor, "
                f"array or number, received {value!r}"
            )
        if not isinstance(value, torch.Tensor):
            value = torch.as_tensor(np.asarray(value))
        converted = value.to(device=variable.device, dtype=variable.dtype)
        if tuple(converted.shape) != tuple(variable.shape):
            raise ValueError(
                f"StatelessScope {where}: the value of variable {_path(variable)} must have the "
                f"variable's shape {tuple(variable.shape)}, received shape {tuple(value.shape)}"
            )
        if copy and converted is value:
            converted = value.clone()  # the layers' in-place updates must not reach the caller's tensor
        self.state_mapping[id(variable)] = converted
        self._variables[id(variable)] = variable
        return converted

    def is_bound(self, module: torch.nn.Module) -> bool:
        """Whether ``module``'s weights already read this scope's values (a layer called inside another).

        Args:
            module: a ``torch.nn.Module``.

        Returns:
            bool.

        >>> import torch
        >>> StatelessScope().is_bound(torch.nn.Linear(1, 1))
        False
        """
        return id(module) in self._bound

    def bind(
        self, modules: Iterable[torch.nn.Module], slots: Iterable[tuple[MutableMapping[str, Any], str]]
    ) -> tuple[list[int], list[list[Any]]]:
        """Make the weight slots of ``modules`` hold this scope's values while a layer call runs.

        ``slots`` lists ``(container, key)`` pairs (a module's parameter dict and a parameter name, or the
        instance dict and an attribute holding the same weight); the mapped ones are replaced by a view of
        the scope's value that keeps the Variable interface (``assign`` records an update).

        Args:
            modules: list of the ``torch.nn.Module`` objects being bound.
            slots: iterable of ``(container, key)`` pairs.

        Returns:
            A token for :meth:`unbind`.

        >>> import torch
        >>> linear = torch.nn.Linear(1, 1)
        >>> scope = StatelessScope([(linear.weight, torch.full((1, 1), 2.0))])
        >>> token = scope.bind([linear], [(linear._parameters, "weight")])
        >>> linear.weight.tolist()
        [[2.0]]
        >>> scope.unbind(token)
        >>> isinstance(linear.weight, torch.nn.Parameter)
        True
        """
        targets = []
        for container, key in slots:
            original = container.get(key)
            if original is not None and id(original) in self.state_mapping:
                targets.append((container, key, original))
        return self._activate([id(m) for m in modules], targets)

    def unbind(self, token: tuple[list[int], list[list[Any]]]) -> None:
        """Undo a :meth:`bind`: the slots hold the variables again.

        Args:
            token: what :meth:`bind` returned.
        """
        module_ids, replaced = token
        for slot in reversed(replaced):
            container, key, original = slot
            container[key] = original
            slots = self._slots[id(original)]
            del slots[next(i for i, s in enumerate(slots) if s is slot)]
            if not slots:
                del self._slots[id(original)]
        for module_id in module_ids:
            count = self._bound[module_id] - 1
            if count:
                self._bound[module_id] = count
            else:
                del self._bound[module_id]

    def _activate(self, module_ids, targets):
        replaced = []
        for container, key, original in targets:
            if container.get(key) is not original:
                continue  # already bound (by an enclosing call)
            slot = [container, key, original]
            container[key] = _scoped_view(self.state_mapping[id(original)], original, self)
            self._slots.setdefault(id(original), []).append(slot)
            replaced.append(slot)
        for module_id in module_ids:
            self._bound[module_id] = self._bound.get(module_id, 0) + 1
        return module_ids, replaced


class _Replay:
    """Re-enters a scope with the bindings it had when the replay was made."""

    def __init__(self, scope):
        self.scope = scope
        self.module_ids = list(scope._bound)
        self.targets = [
            (container, key, original) for entries in scope._slots.values() for container, key, original in entries
        ]
        self.tokens = []

    def __enter__(self):
        self.tokens.append((_STATE.scope, self.scope._activate(self.module_ids, self.targets)))
        _STATE.scope = self.scope
        return self

    def __exit__(self, *exc_info):
        previous, token = self.tokens.pop()
        self.scope.unbind(token)
        _STATE.scope = previous


def replay_context() -> Callable[[], ContextManager[Any]] | None:
    """A factory of contexts that re-create the current scope with its bindings, or None outside any scope.
    Rematerialization takes one when it runs a forward pass, and enters it when it recomputes that pass
    during the backward pass (after the scope has ended), so the recomputation reads the same values.

    Returns:
        A callable returning a context manager, or None.

    >>> replay_context() is None
    True
    """
    scope = _STATE.scope
    if scope is None:
        return None
    replay = _Replay(scope)
    return lambda: replay


class _ScopedValue(torch.Tensor):
    """The value a variable has in a scope, as a plain tensor in torch operations, with the Variable API
    (``assign*`` record updates in the scope; ``name``, ``path``, ``trainable`` ... come from the variable)."""

    __torch_function__ = disabled_torch_function_impl  # type: ignore[assignment]  # torch stubs: a classmethod

    def __getattr__(self, name):
        variable = self.__dict__.get("_variable")
        if variable is None or name.startswith("__"):
            raise AttributeError(name)
        return getattr(variable, name)

    @property
    def name(self):
        return self._variable.name

    @property
    def path(self):
        return self._variable.path

    @property
    def value(self):
        return self

    def numpy(self):
        return self.detach().cpu().numpy()

    def assign(self, value):
        self._scope.add_update((self._variable, value))
        return self._scope.get_current_value(self._variable)

    def assign_add(self, value):
        return self.assign(
            self.as_subclass(torch.Tensor) + torch.as_tensor(value, dtype=self.dtype, device=self.device)
        )

    def assign_sub(self, value):
        return self.assign(
            self.as_subclass(torch.Tensor) - torch.as_tensor(value, dtype=self.dtype, device=self.device)
        )


def _scoped_view(value, variable, scope):
    view = value.as_subclass(_ScopedValue)
    view.__dict__["_variable"] = variable
    view.__dict__["_scope"] = scope
    return view


def _path(variable):
    return getattr(variable, "path", None) or f"of shape {tuple(variable.shape)}"
