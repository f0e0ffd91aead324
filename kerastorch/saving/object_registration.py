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
import threading

_BUILTINS = {}  # module -> {name: object}
_REGISTERED = {}  # "package>name" -> object
_REGISTERED_NAMES = {}  # object -> "package>name"
_SCOPE = threading.local()


def register_builtin(module, name=None):
    """Decorator that files a built-in class or function under a public module name
    (``"keras.layers"``, ``"keras.activations"`` ...)."""

    def decorator(obj):
        _BUILTINS.setdefault(module, {})[name or obj.__name__] = obj
        return obj

    return decorator


def builtin_objects(module):
    """The ``{name: object}`` table of one public module (a copy)."""
    return dict(_BUILTINS.get(module, {}))


def builtin_module_of(obj):
    """The public module a built-in object is filed under, or None."""
    for module, table in _BUILTINS.items():
        if any(candidate is obj for candidate in table.values()):
            return module
    return None


def register_keras_serializable(package="Custom", name=None):
    """Decorator that makes a user's class or function loadable from configs by
    the name ``"package>name"`` (the class name by default)."""
    if "/" in package or ">" in package:
        raise ValueError(f"register_keras_serializable: package must not contain '/' or '>', received {package!r}")

    def decorator(obj):
        registered = f"{package}>{name or obj.__name__}"
        if isinstance(obj, type) and not hasattr(obj, "get_config"):
            raise ValueError(
                f"register_keras_serializable: class {obj.__name__} must implement get_config()"
            )
        _REGISTERED[registered] = obj
        _REGISTERED_NAMES[obj] = registered
        return obj

    return decorator


def get_registered_name(obj):
    """``"package>name"`` for a registered object, else its ``__name__``."""
    return _REGISTERED_NAMES.get(obj, getattr(obj, "__name__", None))


def get_registered_object(name, custom_objects=None, module_objects=None):
    """Find ``name`` in ``custom_objects``, the active scopes, the registered objects,
    then ``module_objects``; None when it is nowhere."""
    for table in (custom_objects, *reversed(_scopes()), _REGISTERED, module_objects):
        if table and name in table:
            return table[name]
    return None


def _scopes():
    if not hasattr(_SCOPE, "stack"):
        _SCOPE.stack = []
    return _SCOPE.stack


class custom_object_scope:
    """Context manager that makes ``custom_objects`` visible to deserialization.

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

    def __init__(self, custom_objects=None, *more):
        self.custom_objects = dict(custom_objects or {})
        for extra in more:
            self.custom_objects.update(extra)

    def __enter__(self):
        _scopes().append(self.custom_objects)
        return self

    def __exit__(self, *exc):
        _scopes().pop()


CustomObjectScope = custom_object_scope


def get_custom_objects():
    """The mutable table of registered objects (``"package>name"`` -> object)."""
    return _REGISTERED
