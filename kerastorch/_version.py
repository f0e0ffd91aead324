"""kerastorch's version (one place: the package, ``pyproject.toml`` and saved files' metadata read it)."""

__version__ = "0.1.0"
