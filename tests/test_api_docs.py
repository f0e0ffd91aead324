"""Every public class and function documents its arguments, the way pydoclint checks Google-style docstrings.

For each public namespace, every class and function it exports (defined in kerastorch) must have a docstring
whose ``Args:`` section names each argument of its signature (a class's ``__init__``; ``*args``/``**kwargs``
as ``*args``/``**kwargs``), and names no argument the signature does not take. An argument is named by a line
``name: ...`` or ``name (type): ...`` in the section. So a new argument cannot go undocumented.
"""

import importlib
import inspect
import re

import pytest

NAMESPACES = [
    "kerastorch",
    "kerastorch.activations",
    "kerastorch.applications",
    "kerastorch.backend",
    "kerastorch.callbacks",
    "kerastorch.config",
    "kerastorch.constraints",
    "kerastorch.datasets",
    "kerastorch.dtype_policies",
    "kerastorch.initializers",
    "kerastorch.layers",
    "kerastorch.losses",
    "kerastorch.metrics",
    "kerastorch.mixed_precision",
    "kerastorch.models",
    "kerastorch.ops",
    "kerastorch.optimizers",
    "kerastorch.optimizers.schedules",
    "kerastorch.quantizers",
    "kerastorch.random",
    "kerastorch.regularizers",
    "kerastorch.saving",
    "kerastorch.tree",
    "kerastorch.utils",
    "kerastorch.autodiff",
    "kerastorch.testing",
    "kerastorch.preprocessing",
    "kerastorch.visualization",
    "kerastorch.wrappers",
    "kerastorch.distribution",
]

_HEADER = re.compile(r"^([ \t]*)(?:Args|Arguments):[ \t]*$")
_DOCUMENTED = re.compile(r"^(\*{0,2}[A-Za-z_]\w*)(?:[ \t]*\([^)\n]*\))?[ \t]*:")


def public_objects(namespace):
    """``{qualified name: object}`` for the classes and functions ``namespace`` exports."""
    module = importlib.import_module(namespace)
    found = {}
    for name in getattr(module, "__all__", None) or dir(module):
        if name.startswith("_"):
            continue
        obj = getattr(module, name, None)
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        if not getattr(obj, "__module__", "").startswith("kerastorch"):
            continue
        found[f"{namespace}.{name}"] = obj
    return found


def signature_arguments(obj):
    """The argument names a caller passes (``*args``/``**kwargs`` with their stars), or None without a signature."""
    target = obj.__init__ if inspect.isclass(obj) else obj
    if inspect.isclass(obj) and target is object.__init__:
        return []
    try:
        parameters = inspect.signature(target).parameters.values()
    except (TypeError, ValueError):
        return None
    names = []
    for parameter in parameters:
        if parameter.name in ("self", "cls"):
            continue
        prefix = {parameter.VAR_POSITIONAL: "*", parameter.VAR_KEYWORD: "**"}.get(parameter.kind, "")
        names.append(prefix + parameter.name)
    return names


def documented_arguments(obj):
    """The names the ``Args:`` section(s) of ``obj``'s docstring (and a class's ``__init__``) list."""
    texts = [inspect.getdoc(obj) or ""]
    if inspect.isclass(obj) and obj.__init__ is not object.__init__ and obj.__init__.__doc__:
        texts.append(inspect.cleandoc(obj.__init__.__doc__))
    names = []
    for text in texts:
        lines = text.splitlines()
        for start, line in enumerate(lines):
            header = _HEADER.match(line)
            if not header:
                continue
            section = []  # the lines indented deeper than the header, up to the first one that is not
            for body in lines[start + 1 :]:
                if body.strip() and len(body) - len(body.lstrip()) <= len(header.group(1)):
                    break
                section.append(body)
            indents = [len(body) - len(body.lstrip()) for body in section if body.strip()]
            top = min(indents, default=0)
            names += [
                match.group(1)
                for body in section
                if body.strip() and len(body) - len(body.lstrip()) == top
                for match in [_DOCUMENTED.match(body.strip())]
                if match
            ]
    return names


def problems(obj):
    """What is wrong with the documentation of ``obj`` (an empty list when nothing is)."""
    if not (inspect.getdoc(obj) or "").strip():
        return ["no docstring"]
    arguments = signature_arguments(obj)
    if arguments is None:
        return []
    documented = documented_arguments(obj)
    bare = {name.lstrip("*") for name in documented}
    missing = [name for name in arguments if name not in documented and name.lstrip("*") not in bare]
    taken = {name.lstrip("*") for name in arguments}
    extra = [name for name in documented if name.lstrip("*") not in taken]
    found = []
    if missing:
        found.append(f"Args lacks {missing}")
    if extra and not any(name.startswith("**") for name in arguments):
        found.append(f"Args names {extra}, which the signature does not take")
    return found


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_every_public_object_documents_its_arguments(namespace):
    report = {name: found for name, obj in public_objects(namespace).items() if (found := problems(obj))}
    assert not report, f"{len(report)} objects of {namespace}:\n" + "\n".join(
        f"  {name}: {'; '.join(found)}" for name, found in sorted(report.items())
    )


def test_the_checker_finds_what_is_missing_and_what_is_extra():
    def documented(units, activation=None, **kwargs):
        """A function.

        Args:
            units: int: how many.
            activation (callable): optional.
                nested: not an argument line (deeper indentation).
            **kwargs: the rest.
        """

    def undocumented(units, rate):
        """A function.

        Args:
            units: int.
            ratio: float.

        Returns:
            Nothing.
        """

    def example_after_args(units):
        """A function.

        Args:
            units: int.
        >>> example_after_args(1)
        """

    assert problems(example_after_args) == []
    assert problems(documented) == []
    assert problems(undocumented) == ["Args lacks ['rate']", "Args names ['ratio'], which the signature does not take"]
