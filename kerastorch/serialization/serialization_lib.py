"""Objects to plain-JSON configs and back, in Keras 3's config format.

A class instance becomes ``{"module", "class_name", "config", "registered_name"}`` (plus
``"build_config"`` and, for models, ``"compile_config"``); a function becomes
``{"module": "builtins", "class_name": "function", "config": name, "registered_name": "function"}``,
as Keras 3 writes both. Deserialization resolves names only through
:mod:`kerastorch.serialization.object_registration`.

Decisions (Keras 3 interchange):

- Reading accepts what Keras 3 writes: its internal module paths
  (``"keras.src.backend.torch.optimizers.torch_adam"`` names ``keras.optimizers``), functions by
  bare name, and its special values ``__numpy__``, ``__tensor__``, ``__bytes__``, ``__slice__``,
  ``__ellipsis__`` (converted wherever they occur in a config, also nested). A ``__lambda__`` (Python
  byte code) is refused in safe mode.
- Writing: torch tensors and bytes become ``__tensor__``/``__bytes__`` as in Keras 3; numpy arrays
  become plain lists (Keras 3 writes ``__numpy__``), which every ``from_config`` accepts.
  ``Functional`` models get Keras 3's module ``keras.src.models.functional`` so Keras 3 reads them.
- ``compile_config`` is written for objects with ``get_compile_config`` and, when it is not empty,
  applied with ``compile_from_config`` after ``from_config`` (and ``build_from_config``), as Keras 3
  does; ``load_model(compile=False)`` removes it before deserializing.

Example:
    >>> import kerastorch as keras
    >>> config = serialize_keras_object(keras.layers.Dense(3))
    >>> config["module"], config["class_name"]
    ('keras.layers', 'Dense')
    >>> deserialize_keras_object(config).units
    3
"""

from __future__ import annotations

import base64
import builtins
import marshal
import sys
import threading
import types
from typing import Any, Callable, TypeVar

import numpy as np
import torch

from kerastorch import config as global_config
from kerastorch.backend.annotations import Identifier
from kerastorch.serialization import object_registration as registry

_SAFE_MODE = threading.local()
_C = TypeVar("_C", bound="ConfigMixin")


def in_safe_mode(safe_mode: bool | None = None) -> bool:
    """Whether deserialization must refuse Python byte code (Lambda functions): an explicit
    ``safe_mode`` wins, then the innermost :class:`SafeModeScope`, then
    ``config.enable_unsafe_deserialization()``; the default is safe.

    Args:
        safe_mode: Bool or None, an explicit setting; None falls back to the current
            :class:`SafeModeScope`, then the global config. Defaults to None.

    Returns:
        True when Python byte code must be refused, False when it may be loaded.

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

    Args:
        safe_mode: Bool or None, True to refuse Python byte code (``Lambda`` functions) inside the scope,
            False to allow it, None to fall back to the global setting
            (``config.enable_unsafe_deserialization()``). Defaults to True.

    >>> import kerastorch as keras
    >>> config = serialize_keras_object(keras.layers.Lambda(lambda x: x + 1))
    >>> deserialize_keras_object(config)         # safe mode refuses the lambda's byte code
    Traceback (most recent call last):
    ...
    ValueError: Lambda.from_config: the 'function' of this Lambda layer is a Python lambda stored as byte code. ...
    >>> with SafeModeScope(False):               # a config from a source you trust
    ...     layer = deserialize_keras_object(config)
    >>> layer(torch.zeros(2)).tolist()
    [1.0, 1.0]
    """

    def __init__(self, safe_mode: bool | None = True) -> None:
        self.safe_mode = None if safe_mode is None else bool(safe_mode)

    def __enter__(self) -> SafeModeScope:
        self._previous = getattr(_SAFE_MODE, "value", None)
        _SAFE_MODE.value = self.safe_mode
        return self

    def __exit__(self, *exc: object) -> None:
        _SAFE_MODE.value = self._previous


# Keras 3 writes these classes under an internal module path, and reads them only from there.
_KERAS_MODULES: dict[
    tuple[str | None, str], tuple[str | None, str | None]
] = {  # Keras 3 classes it does not register, written with their module and an unqualified name
    ("keras", "Functional"): ("keras.src.models.functional", "Functional"),
    ("keras.applications.inception_resnet_v2", "CustomScaleLayer"): (
        "keras.src.applications.inception_resnet_v2",
        "CustomScaleLayer",
    ),
    ("keras.applications.convnext", "LayerScale"): ("keras.src.applications.convnext", "LayerScale"),
    ("keras.applications.convnext", "StochasticDepth"): ("keras.src.applications.convnext", "StochasticDepth"),
}
# Where a function named in a config is looked for when the caller gives no table (Keras 3 writes
# ``"module": "builtins"`` for all of them).
_FUNCTION_MODULES = ("keras.activations", "keras.losses", "keras.metrics.functions")


def serialize_keras_object(obj: Any) -> Any:
    """Turn a kerastorch object (or a plain value) into JSON-compatible data, in Keras 3's format.

    None, bools, numbers and strings stay as they are; lists, tuples and dicts are converted item by item;
    NumPy arrays become lists; tensors and bytes become Keras's ``__tensor__``/``__bytes__`` dicts; a
    named function becomes its registered name; an object with ``get_config`` becomes
    ``{"module", "class_name", "config", "registered_name"}`` (plus ``"build_config"`` and
    ``"compile_config"`` where it has them).

    Args:
        obj: The object or value to serialize.

    Returns:
        JSON-compatible data (dicts, lists, strings, numbers, None).

    Raises:
        TypeError: If ``obj`` (or a value inside it) is none of the kinds above.

    >>> import kerastorch as keras
    >>> serialize_keras_object(keras.activations.relu)
    {'module': 'builtins', 'class_name': 'function', 'config': 'relu', 'registered_name': 'function'}
    >>> serialize_keras_object(keras.layers.Dense(3))["config"]["units"]
    3
    """
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
    if isinstance(obj, torch.Tensor):
        return {
            "class_name": "__tensor__",
            "config": {"value": obj.detach().cpu().tolist(), "dtype": str(obj.dtype).replace("torch.", "")},
        }
    if isinstance(obj, (bytes, bytearray)):
        return {"class_name": "__bytes__", "config": {"value": bytes(obj).decode("utf-8")}}
    if obj is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(obj, slice):
        return {
            "class_name": "__slice__",
            "config": {
                "start": serialize_keras_object(obj.start),
                "stop": serialize_keras_object(obj.stop),
                "step": serialize_keras_object(obj.step),
            },
        }
    if isinstance(obj, types.FunctionType) and obj.__name__ == "<lambda>":
        return serialize_function(obj)  # byte code, as Keras 3 writes a lambda
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)):
        return {
            "module": "builtins",
            "class_name": "function",
            "config": registry.get_registered_name(obj),
            "registered_name": "function",
        }
    if hasattr(obj, "get_config") and not isinstance(obj, type):
        cls = type(obj)
        registered = registry._REGISTERED_NAMES.get(cls)
        module = registry.builtin_module_of(cls)
        module, keras_name = _KERAS_MODULES.get((module, cls.__name__), (module, None))
        serialized = {
            "module": module or cls.__module__,
            "class_name": cls.__name__,
            "config": serialize_keras_object(obj.get_config()),
            "registered_name": registered or keras_name or (None if module else cls.__name__),
        }
        build_config = obj.get_build_config() if hasattr(obj, "get_build_config") else None
        if build_config is not None:
            serialized["build_config"] = serialize_keras_object(build_config)
        if hasattr(obj, "get_compile_config"):
            serialized["compile_config"] = serialize_keras_object(obj.get_compile_config() or {})
        return serialized
    raise TypeError(f"serialize_keras_object: cannot serialize {obj!r} of type {type(obj).__name__}")


def serialize_function_name(obj: Any) -> Any:
    """A named function as its (registered) name, anything else as :func:`serialize_keras_object` gives it:
    the form the wrapper configs (``LossFunctionWrapper``, ``MeanMetricWrapper``) keep for ``fn``.

    Args:
        obj: The function (or other object or value) to serialize.

    Returns:
        The function's registered name (a string) for a named function; otherwise what
        :func:`serialize_keras_object` returns for ``obj``.

    Raises:
        TypeError: If ``obj`` is not something :func:`serialize_keras_object` can serialize.

    >>> import kerastorch as keras
    >>> serialize_function_name(keras.losses.huber)
    'huber'
    """
    serialized = serialize_keras_object(obj)
    if isinstance(serialized, dict) and serialized.get("class_name") == "function":
        return serialized["config"]
    return serialized


def deserialize_keras_object(
    config: dict[str, Any] | str | None,
    module_objects: dict[str, Any] | None = None,
    custom_objects: dict[str, Any] | None = None,
    printable_module_name: str = "object",
    safe_mode: bool | None = None,
) -> Any:
    """Rebuild an object from :func:`serialize_keras_object` output (or Keras 3's).

    ``module_objects`` is the table of built-ins to search (for example
    ``registry.builtin_objects("keras.layers")``); strings name a built-in or
    registered object, dicts are instantiated through ``cls.from_config``.
    ``safe_mode=False`` allows Lambda byte code inside (see :func:`in_safe_mode`).

    Args:
        config: A config dict (with ``"class_name"``), the name of a built-in or registered object, or
            None (returned as None). Without ``module_objects`` an unknown name is returned unchanged, as
            Keras 3 does (``compile`` resolves names such as ``"adam"`` later).
        module_objects: Dict or None, ``{name: object}`` of the built-ins to search by name.
            Defaults to None.
        custom_objects: Dict or None, ``{name: class or function}`` searched first, and visible to the
            ``from_config`` of nested objects. Defaults to None.
        printable_module_name: String, what the object is, as error messages name it.
            Defaults to ``"object"``.
        safe_mode: Bool or None, whether to refuse Python byte code (``Lambda`` functions); None keeps
            the current setting (safe unless a :class:`SafeModeScope` or
            ``keras.config.enable_unsafe_deserialization()`` says otherwise). Defaults to None.

    Returns:
        The rebuilt object (``cls.from_config(config["config"])``, then its ``build_config`` and
        ``compile_config`` applied), or the function or class a name refers to.

    Raises:
        ValueError: If a name or ``class_name`` is unknown, a config entry is missing, or safe mode
            refuses byte code.
        TypeError: If ``config`` has the wrong form or does not fit the class's ``from_config``.

    >>> deserialize_keras_object({"module": "keras.initializers", "class_name": "Constant",
    ...                           "config": {"value": 2.0}, "registered_name": None}).value
    2.0
    """
    if safe_mode is not None:
        with SafeModeScope(safe_mode):
            return deserialize_keras_object(config, module_objects, custom_objects, printable_module_name)
    if config is None:
        return None
    if isinstance(config, str):
        obj = registry.get_registered_object(config, custom_objects, module_objects)
        if obj is None and module_objects is None:
            obj = _builtin_function(config)
            if obj is None:  # a plain name ("SGD", "adam") stays a name, as in Keras 3: compile() resolves it
                return config
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
    if not isinstance(class_name, str):
        raise TypeError(
            f"Could not deserialize {printable_module_name}: 'class_name' must be a string, received {class_name!r}"
        )
    if class_name in _SPECIAL_VALUES or class_name == "__lambda__":
        return _special_value(config)
    if class_name == "function":
        if not isinstance(inner, str):
            raise TypeError(
                f"Could not deserialize {printable_module_name}: a function's 'config' must be its "
                f"name, received {inner!r}"
            )
        return deserialize_keras_object(inner, module_objects, custom_objects, printable_module_name)
    cls = None
    registered_name = config.get("registered_name")
    if isinstance(registered_name, str) and registered_name:
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
        try:
            obj = cls.from_config(_decode_special_values(inner))
        except TypeError as error:
            # e.g. an unknown or missing constructor argument: say which object the config was for
            raise TypeError(
                f"Could not deserialize {printable_module_name} {class_name!r} from its config: {error}"
            ) from error
        except KeyError as error:
            raise ValueError(
                f"Could not deserialize {printable_module_name} {class_name!r}: its config has no {error} entry"
            ) from error
        for key, method in (("build_config", "build_from_config"), ("compile_config", "compile_from_config")):
            extra = config.get(key)
            if extra and hasattr(obj, method):
                if not isinstance(extra, dict):
                    raise TypeError(
                        f"Could not deserialize {class_name}: its {key!r} must be a dict, received {extra!r}"
                    )
                getattr(obj, method)(_decode_special_values(extra))
    return obj


_SPECIAL_VALUES = ("__numpy__", "__tensor__", "__bytes__", "__slice__", "__ellipsis__")


def _special_value(config):
    """Keras 3's encoding of a value that JSON lacks (an array, a tensor, bytes, a slice, ``...``)."""
    class_name, inner = config["class_name"], config.get("config")
    if class_name == "__lambda__":
        if in_safe_mode():
            raise ValueError(
                "Refusing to deserialize a Python lambda stored as byte code: loading it could execute "
                "arbitrary code. If you trust the source of this config, pass safe_mode=False or call "
                "kerastorch.config.enable_unsafe_deserialization()."
            )
        return deserialize_function(config, "function", None, False)
    if not isinstance(inner, dict):
        raise TypeError(f"Could not deserialize {class_name}: its 'config' must be a dict, received {inner!r}")
    try:
        if class_name == "__ellipsis__":
            return Ellipsis
        if class_name == "__slice__":
            return slice(inner.get("start"), inner.get("stop"), inner.get("step"))
        if class_name == "__bytes__":
            return inner["value"].encode("utf-8")
        dtype = np.dtype(str(inner["dtype"]).replace("bfloat16", "float32"))
        if dtype.kind not in "biuf":
            raise TypeError(f"dtype {inner['dtype']!r} is not a boolean or numeric dtype")
        array = np.asarray(inner["value"], dtype=dtype)
        if class_name == "__numpy__":
            return array
        return torch.as_tensor(array).to(getattr(torch, str(inner["dtype"])))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise TypeError(f"Could not deserialize {class_name} from {inner!r}: {error}") from None


def _decode_special_values(value):
    """``value`` with Keras 3's special-value dicts (``__numpy__`` ...) replaced by the values they encode."""
    if isinstance(value, list):
        return [_decode_special_values(x) for x in value]
    if isinstance(value, dict):
        if value.get("class_name") in _SPECIAL_VALUES and set(value) <= {"class_name", "config"}:
            return _special_value(value)
        return {k: _decode_special_values(v) for k, v in value.items()}
    return value


def _builtin_function(name):
    """A built-in function (activation, loss or metric function) by name, for configs that name it bare."""
    for module in _FUNCTION_MODULES:
        obj = registry.builtin_objects(module).get(name)
        if obj is not None and not isinstance(obj, type):
            return obj
    return None


def _builtin_by_module(module, class_name):
    """The built-in ``class_name`` of the public module that ``module`` names: ``"keras.layers"`` itself,
    or one of Keras 3's internal paths (``"keras.src.layers.core.dense"``,
    ``"keras.src.backend.torch.optimizers.torch_adam"``), matched by its longest public module."""
    if not isinstance(module, str) or not module:
        return None
    module = module.replace("kerastorch", "keras", 1) if module.startswith("kerastorch") else module
    parts = module.split(".")
    if parts[0] != "keras":
        return None
    inner_parts = parts[2:] if len(parts) > 1 and parts[1] == "src" else parts[1:]
    candidates = []
    for public in registry._BUILTINS:
        public_parts = public.split(".")[1:]  # "keras.optimizers.schedules" -> ["optimizers", "schedules"]
        n = len(public_parts)
        if any(inner_parts[i : i + n] == public_parts for i in range(len(inner_parts) - n + 1)):
            candidates.append((n, public))
    for _, public in sorted(candidates, reverse=True):
        obj = registry._BUILTINS[public].get(class_name)
        if obj is not None:
            return obj
    if module == "keras":  # Keras 3 files some base classes (keras.Loss, keras.Metric) at the top level
        found = {
            id(table[class_name]): table[class_name]
            for table in registry._BUILTINS.values()
            if isinstance(table.get(class_name), type)
        }
        if len(found) == 1:
            return next(iter(found.values()))
    return None


def _registration_hint():
    return "Register custom classes with @kerastorch.saving.register_keras_serializable or pass them in custom_objects."


def deserialize_from_module(
    config: dict[str, Any] | str | None, module: str, kind: str, custom_objects: dict[str, Any] | None = None
) -> Any:
    """The ``deserialize()`` of a public namespace: a name or config dict resolved among the
    built-ins of ``module``; a class found by name is instantiated with its defaults.

    Args:
        config: A config dict (with ``"class_name"``), the name of a built-in or registered object, or None.
        module: String, the Keras namespace whose built-ins to search, like ``"keras.initializers"``.
        kind: String, what the namespace holds (``"initializer"``), as error messages name it.
        custom_objects: Dict or None, ``{name: class or function}`` searched first. Defaults to None.

    Returns:
        The deserialized object; a class found by name is instantiated with its default arguments
        (None for a None ``config``).

    Raises:
        ValueError: If the name (or the config's ``class_name``) is unknown.
        TypeError: If ``config`` is neither a name nor a dict with ``"class_name"``, or its ``"config"``
            does not fit the class's ``from_config``.

    >>> type(deserialize_from_module("he_normal", "keras.initializers", "initializer")).__name__
    'HeNormal'
    """
    obj = deserialize_keras_object(
        config,
        module_objects=registry.builtin_objects(module),
        custom_objects=custom_objects,
        printable_module_name=kind,
    )
    return obj() if isinstance(obj, type) else obj


def get_from_identifier(
    identifier: Any, module: str, base_class: type, kind: str, deserialize: Callable[[Any], Any]
) -> Any:
    """The ``get()`` of a public namespace (initializers, regularizers, constraints):
    None and instances pass through; names and config dicts are deserialized through
    ``deserialize``; a subclass is instantiated; other callables pass through.

    Args:
        identifier: None, the name of a built-in or registered object, a config dict, an instance or
            subclass of ``base_class``, or a callable.
        module: String, the Keras namespace whose built-ins names are looked up in, like
            ``"keras.regularizers"``.
        base_class: The namespace's base class: its instances pass through, its subclasses are
            instantiated.
        kind: String, what the namespace holds (``"regularizer"``), as error messages name it.
        deserialize: Callable, the namespace's ``deserialize`` function, applied to names and dicts.

    Returns:
        None for None; an instance or other callable unchanged; ``deserialize(identifier)`` for a name or
        dict; a subclass instantiated with its default arguments.

    Raises:
        ValueError: If ``identifier`` is an unknown name or none of the accepted kinds.

    >>> from kerastorch import regularizers
    >>> l2 = get_from_identifier("l2", "keras.regularizers", regularizers.Regularizer, "regularizer",
    ...                          regularizers.deserialize)
    >>> type(l2).__name__
    'L2'
    """
    if identifier is None or isinstance(identifier, base_class):
        return identifier
    if (
        isinstance(identifier, str)
        and registry.get_registered_object(identifier, None, registry.builtin_objects(module)) is None
    ):
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


def namespace_functions(
    module: str, kind: str, base_class: type, owner: str
) -> tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]]:
    """The ``serialize``, ``deserialize`` and ``get`` functions of a public namespace whose built-ins
    are registered under ``module`` (see :func:`deserialize_from_module` and :func:`get_from_identifier`);
    ``owner`` is the ``__name__`` of the module that exports them, which they report as their own.

    Args:
        module: String, the Keras namespace the built-ins are registered under, like
            ``"keras.constraints"``.
        kind: String, what the namespace holds, as the functions' docstrings and error messages name it
            (``"constraint"``).
        base_class: The namespace's base class: ``get`` passes its instances through and instantiates
            its subclasses.
        owner: String, the ``__name__`` of the exporting module, set as the functions' ``__module__``.

    Returns:
        The tuple ``(serialize, deserialize, get)`` of new functions, documented for ``kind``.

    >>> from kerastorch import constraints
    >>> serialize, deserialize, get = namespace_functions("keras.constraints", "constraint",
    ...                                                   constraints.Constraint, "kerastorch.constraints")
    >>> type(get("non_neg")).__name__, serialize(deserialize("max_norm"))["class_name"]
    ('NonNeg', 'MaxNorm')
    """

    def serialize(obj: Any) -> Any:
        return serialize_keras_object(obj)

    def deserialize(config: dict[str, Any] | str, custom_objects: dict[str, Any] | None = None) -> Any:
        return deserialize_from_module(config, module, kind, custom_objects)

    def get(identifier: Identifier) -> Any:
        return get_from_identifier(identifier, module, base_class, kind, deserialize)

    base = base_class.__name__
    a_kind = ("an " if kind[0] in "aeiou" else "a ") + kind
    docs = {
        serialize: f"""The Keras config dict of {a_kind}.

        Args:
            obj: The {kind} to serialize (an instance of ``{base}``; a registered function serializes as
                its name).

        Returns:
            JSON-compatible data in Keras 3's format: for an object, the dict
            ``{{"module", "class_name", "config", "registered_name"}}``.

        Raises:
            TypeError: If ``obj`` has no ``get_config`` and is not a plain value or function.
        """,
        deserialize: f"""{a_kind.capitalize()} from a config dict or a name (Keras 3's config format reads too).

        Args:
            config: A config dict (``serialize`` output, or Keras 3's) or the name of a built-in or
                registered {kind}.
            custom_objects: Dict or None, ``{{name: class or function}}`` to resolve names that are not
                built-in or registered. Defaults to None.

        Returns:
            The {kind}; a class found by name is instantiated with its default arguments.

        Raises:
            ValueError: If the name (or the config's ``class_name``) is unknown.
            TypeError: If ``config`` is neither a name nor a dict with ``"class_name"``, or its
                ``"config"`` does not fit the class's constructor.
        """,
        get: f"""{a_kind.capitalize()} from a name, config dict, {base}, subclass or callable (None stays None).

        Args:
            identifier: None, the name of a built-in or registered {kind}, a config dict, an instance or
                subclass of ``{base}``, or a callable.

        Returns:
            None for None; an instance or other callable unchanged; the deserialized {kind} for a name or
            dict; a subclass instantiated with its default arguments.

        Raises:
            ValueError: If ``identifier`` is an unknown name or none of the accepted kinds.
        """,
    }
    for function, doc in docs.items():
        function.__module__, function.__qualname__, function.__doc__ = owner, function.__name__, doc
    return serialize, deserialize, get


class ConfigMixin:
    """``from_config`` and ``__repr__`` of a plain (non-layer) object whose ``get_config()`` holds its
    constructor arguments: initializers, regularizers, constraints.

    >>> from kerastorch.constraints import MaxNorm
    >>> MaxNorm.from_config({"max_value": 3, "axis": 0})
    MaxNorm(max_value=3, axis=0)
    """

    @classmethod
    def from_config(cls: type[_C], config: dict[str, Any]) -> _C:
        """Rebuild from :meth:`get_config` output."""
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


# -------------------------------------------------------------------- functions (Lambda layers)
_LAMBDA_FUNCTION_MODULES = ("keras.activations", "keras.ops", "keras.losses", "keras.metrics")
"""Where a function named in a Lambda layer's config is looked for."""


def serialize_function(fn: Callable[..., Any]) -> dict[str, Any]:
    """A named function as its (registered) name; a lambda as marshalled byte code, as Keras 3 writes.

    Args:
        fn: The function to serialize: a named (built-in or registered) function, or a lambda.

    Returns:
        A dict: ``{"class_name": "__lambda__", "config": {"code", "defaults", "closure"}}`` for a lambda,
        otherwise ``{"module": "builtins", "class_name": "function", "config": name,
        "registered_name": "function"}``.

    >>> serialize_function(serialize_function)["class_name"]
    'function'
    """
    if isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>":
        closure = [cell.cell_contents for cell in fn.__closure__] if fn.__closure__ else None
        return {
            "class_name": "__lambda__",
            "config": {
                "code": base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii"),
                "defaults": list(fn.__defaults__) if fn.__defaults__ else None,
                "closure": serialize_keras_object(closure),
            },
        }
    return {
        "module": "builtins",
        "class_name": "function",
        "config": registry.get_registered_name(fn),
        "registered_name": "function",
    }


def is_serialized_function(value: Any) -> bool:
    """Whether ``value`` is what :func:`serialize_function` writes (a lambda or a named function).

    Args:
        value: Any value, typically an entry of a layer's config.

    Returns:
        True if ``value`` is a dict whose ``"class_name"`` is ``"__lambda__"`` or ``"function"``, else False.

    >>> is_serialized_function({"class_name": "function", "config": "relu"}), is_serialized_function("relu")
    (True, False)
    """
    return isinstance(value, dict) and value.get("class_name") in ("__lambda__", "function")


def deserialize_function(
    value: dict[str, Any] | str, key: str, custom_objects: dict[str, Any] | None, safe_mode: bool | None
) -> Callable[..., Any]:
    """The function :func:`serialize_function` wrote: a registered function by name, or a lambda from its byte
    code (refused in safe mode). ``key`` names the config entry in error messages.

    Args:
        value: What :func:`serialize_function` wrote, or a function's name.
        key: String, the config entry the function came from (like ``"function"``), as error messages
            name it.
        custom_objects: Dict or None, ``{name: function}`` searched first, and visible to a lambda's code.
        safe_mode: Bool or None, whether to refuse a lambda's byte code; None keeps the current setting
            (see :func:`in_safe_mode`).

    Returns:
        The function: a registered or built-in one found by name, or the lambda rebuilt from byte code.

    Raises:
        ValueError: If the function's name is unknown, safe mode refuses a lambda's byte code, or the
            byte code cannot be loaded (written by another Python version).
    """
    if isinstance(value, dict) and value.get("class_name") == "__lambda__":
        if in_safe_mode(safe_mode):
            raise ValueError(
                f"Lambda.from_config: the {key!r} of this Lambda layer is a Python lambda stored as byte code. "
                "Loading it could execute arbitrary code, so it is refused in safe mode. If you trust the "
                "source of the file, pass safe_mode=False to the loading function "
                "(or call kerastorch.config.enable_unsafe_deserialization())."
            )
        return _load_lambda(value["config"], custom_objects)
    name = value["config"] if isinstance(value, dict) else value
    module_objects = {}
    for module in _LAMBDA_FUNCTION_MODULES:
        module_objects.update(registry.builtin_objects(module))
    fn = registry.get_registered_object(name, custom_objects, module_objects)
    if fn is None:
        raise ValueError(
            f"Lambda.from_config: unknown function {name!r} for {key!r}. Register it with "
            "@kerastorch.saving.register_keras_serializable or pass it in custom_objects."
        )
    return fn


def _load_lambda(config, custom_objects):
    """A lambda rebuilt from marshalled byte code, its globals the kerastorch namespaces and the custom objects."""
    kerastorch = sys.modules["kerastorch"]  # the package a lambda's code may name (loaded before any submodule)
    try:
        code = marshal.loads(base64.decodebytes(config["code"].encode("ascii")))
    except (ValueError, EOFError, TypeError) as error:
        raise ValueError(
            "Lambda.from_config: could not load the lambda's byte code; it was probably written "
            f"by another Python version ({error})"
        ) from None
    scope = {"__builtins__": builtins, "keras": kerastorch, "kerastorch": kerastorch, "torch": torch, "np": np}
    for table in (*registry.active_scopes(), custom_objects or {}):
        scope.update(table)
    defaults = tuple(config["defaults"]) if config.get("defaults") else None
    closure = tuple(types.CellType(v) for v in config["closure"]) if config.get("closure") else None
    return types.FunctionType(code, scope, code.co_name, defaults, closure)
