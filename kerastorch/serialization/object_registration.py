"""The registry of classes and functions that configs may name.

Deserialization only ever looks names up here: the built-in objects of each public
namespace, the user's classes registered with :func:`register_keras_serializable`,
and ``custom_objects`` passed in or set with :class:`custom_object_scope`.
Nothing named in a config is ever imported.

Example:
    >>> import kerastorch as keras
    >>> @register_keras_serializable(package="my_package")
    ... class MyLayer(keras.layers.Layer):
    ...     pass
    >>> get_registered_name(MyLayer)
    'my_package>MyLayer'
    >>> config = keras.saving.serialize_keras_object(MyLayer())
    >>> type(keras.saving.deserialize_keras_object(config)).__name__
    'MyLayer'
"""

from __future__ import annotations

import threading
from typing import Any, Callable, TypeVar

_T = TypeVar("_T")

_BUILTINS: dict[str, dict[str, Any]] = {}  # module -> {name: object}
_REGISTERED: dict[str, Any] = {}  # "package>name" -> object
_REGISTERED_NAMES: dict[Any, str] = {}  # object -> "package>name"
_SCOPE = threading.local()


def register_builtin(module: str, name: str | None = None) -> Callable[[_T], _T]:
    """Decorator that files a built-in class or function under a public module name
    (``"keras.layers"``, ``"keras.activations"`` ...).

    Configs then find the object by its name among that module's built-ins (see :func:`builtin_objects`),
    and :func:`~kerastorch.saving.serialize_keras_object` writes that module as the config's ``"module"``.

    Args:
        module: String, the Keras namespace to file the object under, like ``"keras.layers"``.
        name: String or None, the name to file it under. Defaults to None (the object's ``__name__``).

    Returns:
        A decorator that files its argument and returns it unchanged.

    >>> @register_builtin("keras.example_namespace", name="twice")
    ... def double(x):
    ...     return 2 * x
    >>> builtin_objects("keras.example_namespace")["twice"] is double
    True
    """

    def decorator(obj: _T) -> _T:
        _BUILTINS.setdefault(module, {})[name or getattr(obj, "__name__")] = obj
        return obj

    return decorator


def builtin_objects(module: str) -> dict[str, Any]:
    """The ``{name: object}`` table of one public module (a copy).

    Args:
        module: String, the Keras namespace, like ``"keras.optimizers"``.

    Returns:
        A new dict of the objects filed with :func:`register_builtin` under ``module`` (empty for an
        unknown module).

    >>> builtin_objects("keras.optimizers")["Adam"].__name__
    'Adam'
    """
    return dict(_BUILTINS.get(module, {}))


def builtin_module_of(obj: Any) -> str | None:
    """The public module a built-in object is filed under, or None.

    Args:
        obj: A class or function.

    Returns:
        The module name given to :func:`register_builtin` (like ``"keras.layers"``), or None when ``obj``
        is not a built-in.

    >>> from kerastorch.optimizers import SGD
    >>> builtin_module_of(SGD)
    'keras.optimizers'
    """
    for module, table in _BUILTINS.items():
        if any(candidate is obj for candidate in table.values()):
            return module
    return None


def register_keras_serializable(package: str = "Custom", name: str | None = None) -> Callable[[_T], _T]:
    """Decorator that makes a user's class or function loadable from configs by
    the name ``"package>name"`` (the class name by default).

    The registered name is written as the config's ``"registered_name"`` by
    :func:`~kerastorch.saving.serialize_keras_object`, so a saved model that uses the object loads
    without ``custom_objects``. Registering the same name again replaces the earlier object.

    Args:
        package: String, the package part of the registered name, which keeps names of different
            libraries apart. Defaults to ``"Custom"``.
        name: String or None, the name part. Defaults to None (the object's ``__name__``).

    Returns:
        A decorator that registers its argument and returns it unchanged.

    Raises:
        ValueError: If ``package`` contains ``"/"`` or ``">"``, or (when decorating) a class has no
            ``get_config`` method.

    >>> @register_keras_serializable(package="my_package", name="scaled")
    ... def scale(x):
    ...     return 3 * x
    >>> get_registered_name(scale), get_registered_object("my_package>scaled") is scale
    ('my_package>scaled', True)
    """
    if "/" in package or ">" in package:
        raise ValueError(f"register_keras_serializable: package must not contain '/' or '>', received {package!r}")

    def decorator(obj: _T) -> _T:
        registered = f"{package}>{name or getattr(obj, '__name__')}"
        if isinstance(obj, type) and not hasattr(obj, "get_config"):
            raise ValueError(f"register_keras_serializable: class {obj.__name__} must implement get_config()")
        _REGISTERED[registered] = obj
        _REGISTERED_NAMES[obj] = registered
        return obj

    return decorator


def get_registered_name(obj: Any) -> str | None:
    """``"package>name"`` for a registered object, else its ``__name__``.

    Args:
        obj: A class or function.

    Returns:
        The name a config uses for ``obj``: its registered ``"package>name"``, else its ``__name__``
        (None for an object without one).

    >>> from kerastorch.optimizers import Adam
    >>> get_registered_name(Adam)
    'Adam'
    """
    return _REGISTERED_NAMES.get(obj, getattr(obj, "__name__", None))


def get_registered_object(
    name: str, custom_objects: dict[str, Any] | None = None, module_objects: dict[str, Any] | None = None
) -> Any:
    """Find ``name`` in ``custom_objects``, the active scopes, the registered objects,
    then ``module_objects``; None when it is nowhere.

    Args:
        name: String, the name to look up (a registered name is ``"package>name"``).
        custom_objects: Dict or None, ``{name: object}`` searched first. Defaults to None.
        module_objects: Dict or None, ``{name: object}`` searched last, such as a namespace's built-ins
            from :func:`builtin_objects`. Defaults to None.

    Returns:
        The object found, or None.

    >>> get_registered_object("Adam") is None  # built-ins are found only through module_objects
    True
    >>> get_registered_object("Adam", module_objects=builtin_objects("keras.optimizers")).__name__
    'Adam'
    """
    for table in (custom_objects, *reversed(active_scopes()), _REGISTERED, module_objects):
        if table and name in table:
            return table[name]
    return None


def active_scopes() -> list[dict[str, Any]]:
    """The tables of the ``custom_object_scope`` blocks open in this thread, innermost last (a live list)."""
    if not hasattr(_SCOPE, "stack"):
        _SCOPE.stack = []
    return _SCOPE.stack


class custom_object_scope:  # noqa: N801 - Keras's name
    """Context manager that makes ``custom_objects`` visible to deserialization.

    Inside the ``with`` block, names in configs resolve to these objects (before registered ones);
    scopes nest, the innermost winning. ``CustomObjectScope`` is the same class.

    Args:
        custom_objects: Dict or None, ``{name: class or function}``. Defaults to None.
        *more: More such dicts, merged in order (a later dict overrides an earlier one's names).

    Example:
        >>> import kerastorch as keras
        >>> class Doubler(keras.layers.Layer):
        ...     def call(self, x):
        ...         return 2 * x
        >>> config = keras.saving.serialize_keras_object(Doubler())
        >>> with custom_object_scope({"Doubler": Doubler}):
        ...     layer = keras.saving.deserialize_keras_object(config)
        >>> type(layer).__name__
        'Doubler'
        >>> keras.saving.deserialize_keras_object(config)     # outside the scope, the name is unknown
        Traceback (most recent call last):
        ...
        ValueError: Unknown object: 'Doubler'. ...
    """

    def __init__(self, custom_objects: dict[str, Any] | None = None, *more: dict[str, Any]) -> None:
        self.custom_objects = dict(custom_objects or {})
        for extra in more:
            self.custom_objects.update(extra)

    def __enter__(self) -> custom_object_scope:
        active_scopes().append(self.custom_objects)
        return self

    def __exit__(self, *exc: object) -> None:
        active_scopes().pop()


CustomObjectScope = custom_object_scope


def get_custom_objects() -> dict[str, Any]:
    """The mutable table of registered objects (``"package>name"`` -> object).

    Returns:
        The registry's own dict: what :func:`register_keras_serializable` added; changing it changes
        what configs can name.

    >>> @register_keras_serializable(package="docs_example")
    ... def triple(x):
    ...     return 3 * x
    >>> get_custom_objects()["docs_example>triple"] is triple
    True
    """
    return _REGISTERED
