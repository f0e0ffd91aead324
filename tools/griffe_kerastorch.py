"""A griffe extension for the reference site (``mkdocs.yml``): kerastorch's docstrings as the site shows them.

The site documents kerastorch as it is at run time (``force_inspection``): many of its functions, their
signatures and their docstrings are made when the package is imported (the ``keras.ops`` element-wise
families, the applications' and metrics' docstring templates, the scikit-learn wrappers). This extension:

- imports kerastorch before griffe inspects it, and lets griffe see what it documents: a namespace with an
  ``__all__`` narrows ``dir()`` to it (Keras's public surface), which would hide the objects other namespaces
  re-export (``keras.device`` is ``config.device_scope``), and a few public names are made on first access
  (``wrappers.SKLearnClassifier``, ``testing.strategies``). Here ``dir()`` is the module's own again and those
  names are made up front; ``__all__`` still decides what each page lists;
- puts each doctest run (``>>>`` lines and their output) that is not in an ``Examples:`` section (griffe parses
  that one; ``Example:`` is an admonition to it, and the project also writes them after ``Raises:`` and in module
  docstrings, where ``tests/test_docstrings.py`` runs them all) in a ``pycon`` code block: Markdown would read
  ``>>>`` as quotes and ``x[0]`` as a link. Sphinx roles (``:class:`Model```) become code;
- drops a class's dunder members but ``__init__`` and ``__call__`` (``__module__``, ``__repr__``, ... are
  Python's, not the API's);
- lets a docstring document arguments that a ``*args``/``**kwargs`` pass-through takes (``Conv2D(filters,
  kernel_size, *args, **kwargs)`` documents ``strides``, ``padding``, ...), as ``tests/test_api_docs.py`` does
  (which checks every signature against its ``Args:``); griffe still reports an argument that a signature it
  can read, closed, does not take.
"""

import importlib
import inspect
import re
import sys

import griffe

_SECTION = re.compile(r"^[A-Z][A-Za-z ]*:\s*$")
_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|data|exc|obj):`~?([^`]+)`")


def expose_runtime_names():
    """Import kerastorch, make its lazily created public names, and give its modules their plain ``dir()``."""
    importlib.import_module("kerastorch")
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] != "kerastorch" or "__all__" not in module.__dict__:
            continue
        for public in module.__all__:
            if public not in module.__dict__:
                obj = getattr(module, public)  # made on first access, by the module's __getattr__
                module.__dict__[public] = obj
                home = sys.modules.get(getattr(obj, "__module__", None) or "")
                if home is not None and not inspect.ismodule(obj):
                    home.__dict__.setdefault(obj.__qualname__, obj)
        module.__dict__.pop("__dir__", None)


def _indent(line):
    return len(line) - len(line.lstrip())


def fence_doctests(text):
    """``text`` with each doctest run (``>>>`` lines and their output, up to a blank line) outside an
    ``Examples:`` section put in a ``pycon`` fenced block, dedented when it is not in a section."""
    lines = text.split("\n")
    out = []
    section = None  # the title of the top-level section the line is in
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip() and _indent(line) == 0:
            section = line.strip()[:-1] if _SECTION.match(line) else None
        if not line.lstrip().startswith(">>>") or section == "Examples":
            out.append(line)
            i += 1
            continue
        start, indent = i, _indent(line)
        while i < len(lines) and lines[i].strip() and _indent(lines[i]) >= indent:
            i += 1
        run = lines[start:i]
        pad = " " * indent if section else ""
        if not section:
            run = [body[indent:] for body in run]
        if out and out[-1].strip() and _indent(out[-1]) >= len(pad):  # not right after a section title
            out.append("")
        out += [pad + "```pycon", *run, pad + "```"]
        if i < len(lines) and lines[i].strip():
            out.append("")
    return "\n".join(out)


def _open_signature(obj):
    """Whether ``obj`` takes ``*args`` or ``**kwargs`` (a class: its ``__init__``), or may: a class whose
    ``__init__`` griffe cannot find (``AdaptiveAveragePooling1D``'s comes from a base made by a function)."""
    try:
        if obj.is_class:
            if "__init__" not in obj.all_members:
                return True
            parameters = obj.all_members["__init__"].parameters
        else:
            parameters = obj.parameters
    except (griffe.AliasResolutionError, griffe.CyclicAliasError):
        return False
    return any(p.kind in (griffe.ParameterKind.var_positional, griffe.ParameterKind.var_keyword) for p in parameters)


class KerastorchDocstrings(griffe.Extension):
    """Runtime names, fenced doctests and pass-through arguments (the module docstring says why)."""

    def __init__(self):
        super().__init__()
        expose_runtime_names()

    def on_package(self, *, pkg, **kwargs):
        if pkg.name == "kerastorch":
            self._visit(pkg, set())

    def _visit(self, obj, seen):
        if obj.path in seen:
            return
        seen.add(obj.path)
        if obj.docstring is not None:
            obj.docstring.value = fence_doctests(_ROLE.sub(r"`\1`", obj.docstring.value))
            if (obj.is_class or obj.is_function) and _open_signature(obj):
                obj.docstring.parser_options = {**obj.docstring.parser_options, "warn_unknown_params": False}
        for member in list(obj.members.values()):
            if obj.is_class and member.name.startswith("__") and member.name not in ("__init__", "__call__"):
                del obj.members[member.name]  # __doc__, __module__, __repr__ ...: Python's, not the API's
                continue
            if not member.is_alias and (
                member.is_module or member.is_class or member.is_function or member.is_attribute
            ):
                self._visit(member, seen)
