"""``keras.utils.Config``: a dict of named settings, read and written as attributes, that can be frozen.

(Not to be confused with :mod:`kerastorch.config`, the ``keras.config`` namespace of global settings.)

Example:
    >>> config = Config(learning_rate=0.1, momentum=0.9)
    >>> config.seed = 123
    >>> config["learning_rate"], config.seed
    (0.1, 123)
    >>> config.freeze()
    >>> config.seed = 7
    Traceback (most recent call last):
    ...
    ValueError: Config: cannot set 'seed' because the config is frozen. Call config.unfreeze() first.
"""

from __future__ import annotations

import json
from typing import Any, ItemsView, KeysView, ValuesView

__all__ = ["Config"]

# The names of Config's own methods and attributes: they cannot be entries read as attributes.
_RESERVED = frozenset(
    {"as_dict", "to_json", "freeze", "unfreeze", "frozen", "keys", "values", "items", "get", "pop", "update"}
)


class Config:
    """A dict-like container for named values, with attribute access and freezing.

    Compared with a plain dict, a ``Config``:

    - sets and reads entries as attributes (``config.seed = 1``, ``config.seed``) as well as items
      (``config["seed"]``);
    - can be frozen with :meth:`freeze`, after which every change raises, so that a configuration cannot be
      modified by accident after a given point of a program (:meth:`unfreeze` allows changes again);
    - serializes to JSON with :meth:`to_json` (nested configs included).

    It also behaves like a dict: ``len``, ``in``, iteration over the keys, ``keys()``, ``values()``,
    ``items()``, ``get()``, ``pop()``, ``update()``, ``del config[key]``; and it compares equal to a
    ``Config`` or dict with the same entries. :meth:`as_dict` returns a plain dict.

    Entry names that are Config's own method names (``keys``, ``items``, ``update`` ...) can only be used
    as items (``config["items"]``); setting them as attributes raises.

    Args:
        **kwargs: the initial entries, as keyword arguments.

    Raises:
        AttributeError: reading a missing entry as an attribute, or setting a reserved name as an attribute.
        KeyError: reading or deleting a missing entry as an item.
        ValueError: changing a frozen config.

    Example:
        >>> config = Config(optimizer="adam")
        >>> config.epochs = 10
        >>> config["batch_size"] = 32
        >>> sorted(config.keys()), len(config), "epochs" in config
        (['batch_size', 'epochs', 'optimizer'], 3, True)
        >>> config.to_json()
        '{"optimizer": "adam", "epochs": 10, "batch_size": 32}'
        >>> config.as_dict() == {"optimizer": "adam", "epochs": 10, "batch_size": 32}
        True
        >>> config.missing
        Traceback (most recent call last):
        ...
        AttributeError: Config has no entry 'missing'. Its entries are: ['optimizer', 'epochs', 'batch_size']
    """

    def __init__(self, **kwargs: Any) -> None:
        object.__setattr__(self, "_config", dict(kwargs))
        object.__setattr__(self, "_frozen", False)

    # ------------------------------------------------------------------ freezing
    @property
    def frozen(self) -> bool:
        """Whether the config is frozen (every change raises)."""
        return self._frozen

    def freeze(self) -> None:
        """Mark the config as frozen: every later change raises a ``ValueError``.

        Example:
            >>> config = Config(seed=1)
            >>> config.freeze()
            >>> config.frozen
            True
        """
        object.__setattr__(self, "_frozen", True)

    def unfreeze(self) -> None:
        """Allow changes again after :meth:`freeze`.

        Example:
            >>> config = Config(seed=1)
            >>> config.freeze(); config.unfreeze()
            >>> config.seed = 2
            >>> config.seed
            2
        """
        object.__setattr__(self, "_frozen", False)

    def _raise_if_frozen(self, what):
        if self._frozen:
            raise ValueError(f"Config: cannot {what} because the config is frozen. Call config.unfreeze() first.")

    # ------------------------------------------------------------------ attribute access
    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):  # copy, pickle ... probe for special methods
            raise AttributeError(name)
        config = self.__dict__.get("_config")
        if config is None or name not in config:
            known = [] if config is None else list(config)
            raise AttributeError(f"Config has no entry {name!r}. Its entries are: {known}")
        return config[name]

    def __setattr__(self, name, value):
        if name in _RESERVED:
            raise AttributeError(
                f"Config: {name!r} is the name of a Config method and cannot be set as an "
                f"attribute; set it as an item instead: config[{name!r}] = ..."
            )
        self._raise_if_frozen(f"set {name!r}")
        self._config[name] = value

    def __delattr__(self, name):
        if name not in self._config:
            raise AttributeError(f"Config has no entry {name!r}. Its entries are: {list(self._config)}")
        self._raise_if_frozen(f"delete {name!r}")
        del self._config[name]

    # ------------------------------------------------------------------ dict interface
    def __getitem__(self, key):
        return self._config[key]

    def __setitem__(self, key, value):
        self._raise_if_frozen(f"set {key!r}")
        self._config[key] = value

    def __delitem__(self, key):
        self._raise_if_frozen(f"delete {key!r}")
        del self._config[key]

    def __contains__(self, key):
        return key in self._config

    def __iter__(self):
        return iter(self._config)

    def __len__(self):
        return len(self._config)

    def __eq__(self, other):
        if isinstance(other, Config):
            return self._config == other._config
        if isinstance(other, dict):
            return self._config == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, like a dict (typeshed's way of saying unhashable)

    def keys(self) -> KeysView[str]:
        """The entry names, as ``dict.keys()``."""
        return self._config.keys()

    def values(self) -> ValuesView[Any]:
        """The entry values, as ``dict.values()``."""
        return self._config.values()

    def items(self) -> ItemsView[str, Any]:
        """``(name, value)`` pairs, as ``dict.items()``."""
        return self._config.items()

    def get(self, key: str, default: Any = None) -> Any:
        """The value of entry ``key``, or ``default`` when there is none.

        Args:
            key: the entry name.
            default: returned when the entry is missing; default ``None``.

        Returns:
            The entry's value or ``default``.
        """
        return self._config.get(key, default)

    def pop(self, *args: Any) -> Any:
        """Remove entry ``key`` and return its value: ``pop(key)`` or ``pop(key, default)``, as ``dict.pop``.

        Args:
            *args: ``key`` and, optionally, the ``default`` returned when the entry is missing (without a
                default a missing entry raises ``KeyError``).

        Returns:
            The removed value, or the default.

        Raises:
            ValueError: the config is frozen.
        """
        self._raise_if_frozen(f"pop {args[0]!r}" if args else "pop")
        return self._config.pop(*args)

    def update(self, *args: Any, **kwargs: Any) -> None:
        """Add or replace entries, as ``dict.update`` (a mapping or ``(key, value)`` pairs, and keywords).

        Args:
            *args: at most one mapping or iterable of ``(key, value)`` pairs.
            **kwargs: more entries.

        Raises:
            ValueError: the config is frozen.
        """
        self._raise_if_frozen("update entries")
        self._config.update(*args, **kwargs)

    # ------------------------------------------------------------------ conversion
    def as_dict(self) -> dict[str, Any]:
        """The entries as a new plain dict (values are not copied).

        Returns:
            dict: ``{name: value}``.
        """
        return dict(self._config)

    def to_json(self) -> str:
        """The entries as a JSON string; nested ``Config`` values become JSON objects.

        Returns:
            str: the JSON text.

        Raises:
            TypeError: a value is not JSON serializable.
        """

        def nested(value):
            if isinstance(value, Config):
                return value.as_dict()
            raise TypeError(
                f"Config.to_json: a value of type {type(value).__name__} is not JSON serializable: {value!r}"
            )

        return json.dumps(self._config, default=nested)

    # ------------------------------------------------------------------ copy / pickle / repr
    def __getstate__(self):
        return {"config": self._config, "frozen": self._frozen}

    def __setstate__(self, state):
        object.__setattr__(self, "_config", dict(state["config"]))  # a copy owns its entries
        object.__setattr__(self, "_frozen", state["frozen"])

    def __repr__(self):
        return f"<Config {self._config}>"
