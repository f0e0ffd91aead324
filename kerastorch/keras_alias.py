"""Run Keras programs unchanged: ``import keras`` and ``keras.*`` resolve to kerastorch.

``install_as_keras()`` puts an import finder in front of the others: ``import keras``, ``from keras import
layers`` and ``import keras.layers`` then give kerastorch's modules (the same objects, so
``keras.layers.Dense is kerastorch.layers.Dense``). ``python -m kerastorch script.py [args]`` does this and
runs the script as ``__main__``. Keras's private ``keras.src`` is refused with a message that names the public
module to use, and a ``keras`` module kerastorch lacks is an ImportError that says so.

Example:
    >>> import subprocess, sys
    >>> program = "import keras; from keras import layers; print(keras.__name__, layers.Dense.__module__)"
    >>> command = [sys.executable, "-c", "import kerastorch; kerastorch.install_as_keras(); " + program]
    >>> print(subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip())
    kerastorch kerastorch.layers.core
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
import warnings
from typing import Sequence

__all__ = ["install_as_keras", "uninstall_as_keras", "is_installed_as_keras"]


class KerasAliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """The import finder behind :func:`install_as_keras`: ``keras[.x.y]`` is ``kerastorch[.x.y]``."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        """A spec for ``keras`` and its submodules (None for every other name)."""
        if fullname != "keras" and not fullname.startswith("keras."):
            return None
        if fullname == "keras.src" or fullname.startswith("keras.src."):
            raise ImportError(
                f"{fullname} is Keras's private source tree, which kerastorch does not provide: "
                "import from the public modules instead (keras.layers, keras.ops, keras.models, "
                "keras.utils ...)",
                name=fullname,
            )
        target_name = "kerastorch" + fullname[len("keras") :]
        try:
            found = importlib.util.find_spec(target_name)
        except ModuleNotFoundError:
            found = None
        if found is None:
            raise ModuleNotFoundError(
                f"No module named {fullname!r}: kerastorch, which stands in for keras here, "
                f"has no {target_name} module",
                name=fullname,
            )
        return importlib.util.spec_from_loader(fullname, self, origin=found.origin)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        """kerastorch's own module object, so that names and identities are shared."""
        return importlib.import_module("kerastorch" + spec.name[len("keras") :])

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: the kerastorch module is already imported."""


_FINDER = KerasAliasFinder()


def is_installed_as_keras() -> bool:
    """Whether :func:`install_as_keras` is in effect.

    >>> is_installed_as_keras()
    False
    """
    return _FINDER in sys.meta_path


def install_as_keras() -> None:
    """Make ``import keras`` (and every ``keras.*`` module) resolve to kerastorch, in this process.

    Call it before the program imports keras, as a notebook's first cell. Modules of a real ``keras``
    imported earlier are replaced in ``sys.modules`` (with a warning: objects already taken from them stay
    Keras's).

    Returns:
        None.

    Example:
        >>> import subprocess, sys
        >>> code = "import kerastorch; kerastorch.install_as_keras(); import keras; print(keras.Sequential)"
        >>> subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip()
        "<class 'kerastorch.models.sequential.Sequential'>"
    """
    if is_installed_as_keras():
        return
    earlier = [
        name
        for name, module in list(sys.modules.items())
        if (name == "keras" or name.startswith("keras."))
        and not getattr(module, "__name__", "").startswith("kerastorch")
    ]
    if earlier:
        warnings.warn(
            "install_as_keras: the keras package was imported before; its modules are replaced by "
            "kerastorch's, but objects already taken from it stay Keras's. Call install_as_keras() "
            "before importing keras.",
            stacklevel=2,
        )
        for name in earlier:
            del sys.modules[name]
    sys.meta_path.insert(0, _FINDER)


def uninstall_as_keras() -> None:
    """Undo :func:`install_as_keras`: ``import keras`` finds the real package again.

    >>> uninstall_as_keras()  # nothing to undo here
    >>> is_installed_as_keras()
    False
    """
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
    for name in [
        n
        for n, m in list(sys.modules.items())
        if (n == "keras" or n.startswith("keras.")) and getattr(m, "__name__", "").startswith("kerastorch")
    ]:
        del sys.modules[name]
