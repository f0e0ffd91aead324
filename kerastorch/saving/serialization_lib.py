"""Objects to plain-JSON configs and back, in Keras 3's config format.

A class instance becomes ``{"module", "class_name", "config", "registered_name"}``;
a built-in function becomes its name. Deserialization resolves names only through
:mod:`kerastorch.saving.object_registration`.

Example:
    >>> config = serialize_keras_object(kerastorch.layers.Dense(3))
    >>> layer = deserialize_keras_object(config)
"""
import threading
import types

import numpy as np

from kerastorch import config as global_config
from kerastorch.saving import object_registration as registry

_SAFE_MODE = threading.local()


def in_safe_mode(safe_mode=None):
    """Whether deserialization must refuse Python byte code (Lambda functions): an explicit
    ``safe_mode`` wins, then the innermost :class:`SafeModeScope`, then
    ``config.enable_unsafe_deserialization()``; the default is safe.

    >>> in_safe_mode(), in_safe_mode(False)
    (True, False)
    """
    if safe_mode is not None:
        return bool(safe_mode)
    scoped = getattr(_SAFE_MODE, "value", None)
    if scoped is not None:
        return scoped
    return not global_config.unsafe_deserialization_enabled()


class SafeModeScope:
    """Context manager setting safe mode for the deserialization inside it.

    >>> with SafeModeScope(False):
    ...     model = Model.from_config(config_with_a_lambda)
    """

    def __init__(self, safe_mode=True):
        self.safe_mode = None if safe_mode is None else bool(safe_mode)

    def __enter__(self):
        self._previous = getattr(_SAFE_MODE, "value", None)
        _SAFE_MODE.value = self.safe_mode
        return self

    def __exit__(self, *exc):
        _SAFE_MODE.value = self._previous


def serialize_keras_object(obj):
    """Turn a kerastorch object (or a plain value) into JSON-compatible data."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(x) for x in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, types.FunctionType) or isinstance(obj, types.BuiltinFunctionType):
        registered = registry._REGISTERED_NAMES.get(obj)
        if registered is not None:
            return {"module": None, "class_name": "function", "config": registered,
                    "registered_name": "function"}
        return obj.__name__
    if hasattr(obj, "get_config"):
        cls = type(obj)
        registered = registry._REGISTERED_NAMES.get(cls)
        serialized = {
            "module": registry.builtin_module_of(cls) or cls.__module__,
            "class_name": cls.__name__,
            "config": serialize_keras_object(obj.get_config()),
            "registered_name": registered,
        }
        build_config = obj.get_build_config() if hasattr(obj, "get_build_config") else None
        if build_config is not None:
            serialized["build_config"] = serialize_keras_object(build_config)
        return serialized
    raise TypeError(f"serialize_keras_object: cannot serialize {obj!r} of type {type(obj).__name__}")


def deserialize_keras_object(config, module_objects=None, custom_objects=None, printable_module_name="object",
                             safe_mode=None):
    """Rebuild an object from :func:`serialize_keras_object` output.

    ``module_objects`` is the table of built-ins to search (for example
    ``registry.builtin_objects("keras.layers")``); strings name a built-in or
    registered object, dicts are instantiated through ``cls.from_config``.
    ``safe_mode=False`` allows Lambda byte code inside (see :func:`in_safe_mode`).
    """
    if safe_mode is not None:
        with SafeModeScope(safe_mode):
            return deserialize_keras_object(config, module_objects, custom_objects, printable_module_name)
    if config is None:
        return None
    if isinstance(config, str):
        obj = registry.get_registered_object(config, custom_objects, module_objects)
        if obj is None:
            raise ValueError(f"Unknown {printable_module_name}: {config!r}. {_registration_hint()}")
        return obj
    if not isinstance(config, dict) or "class_name" not in config:
        raise TypeError(
            f"Could not deserialize {printable_module_name}: expected a name or a dict with "
            f"'class_name', received {config!r}"
        )
    class_name = config["class_name"]
    inner = config.get("config", {})
    if class_name == "function":
        return deserialize_keras_object(inner, module_objects, custom_objects, printable_module_name)
    cls = None
    registered_name = config.get("registered_name")
    if registered_name:
        cls = registry.get_registered_object(registered_name, custom_objects)
    if cls is None:
        cls = registry.get_registered_object(class_name, custom_objects, module_objects)
    if cls is None:
        cls = _builtin_by_module(config.get("module"), class_name)
    if cls is None:
        raise ValueError(f"Unknown {printable_module_name}: {class_name!r}. {_registration_hint()}")
    if not isinstance(inner, dict):
        raise TypeError(f"Could not deserialize {class_name}: its 'config' must be a dict, received {inner!r}")
    if not hasattr(cls, "from_config"):
        raise TypeError(f"Could not deserialize {class_name}: {cls!r} has no from_config")
    with registry.custom_object_scope(custom_objects or {}):
        obj = cls.from_config(inner)
        if config.get("build_config") and hasattr(obj, "build_from_config"):
            obj.build_from_config(config["build_config"])
    return obj


def _builtin_by_module(module, class_name):
    if not module:
        return None
    # Keras writes e.g. "keras.layers" or "keras.src.layers.core.dense"; accept the public prefix.
    for public in registry._BUILTINS:
        if module == public or module.startswith(public + ".") or module.replace("kerastorch", "keras") == public:
            table = registry._BUILTINS[public]
            if class_name in table:
                return table[class_name]
    return None


def _registration_hint():
    return ("Register custom classes with @kerastorch.saving.register_keras_serializable "
            "or pass them in custom_objects.")


def deserialize_from_module(config, module, kind, custom_objects=None):
    """The ``deserialize()`` of a public namespace: a name or config dict resolved among the
    built-ins of ``module``; a class found by name is instantiated with its defaults.

    >>> deserialize_from_module("he_normal", "keras.initializers", "initializer")
    """
    obj = deserialize_keras_object(config, module_objects=registry.builtin_objects(module),
                                   custom_objects=custom_objects, printable_module_name=kind)
    return obj() if isinstance(obj, type) else obj


def get_from_identifier(identifier, module, base_class, kind, deserialize):
    """The ``get()`` of a public namespace (initializers, regularizers, constraints):
    None and instances pass through; names and config dicts are deserialized through
    ``deserialize``; a subclass is instantiated; other callables pass through.

    >>> get_from_identifier("l2", "keras.regularizers", Regularizer, "regularizer", deserialize)
    """
    if identifier is None or isinstance(identifier, base_class):
        return identifier
    if isinstance(identifier, str) and registry.get_registered_object(
            identifier, None, registry.builtin_objects(module)) is None:
        raise ValueError(
            f"Could not interpret {kind} identifier: {identifier!r}. Expected one of "
            f"{sorted(registry.builtin_objects(module))}, a config dict, a {base_class.__name__} or a callable"
        )
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, base_class):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret {kind} identifier: {identifier!r}. Expected a name, a config dict, "
        f"a {base_class.__name__} or a callable"
    )
