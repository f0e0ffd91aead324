"""The registry behind the layer strategies: one strategy of ``(layer_factory, input_spec)`` per layer class.

A factory is a :class:`LayerFactory`: calling it makes a fresh layer (nested layers too), and its repr is
the configuration, so hypothesis prints a failing case readably.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Sequence

from hypothesis import strategies as st

from kerastorch import layers as L

BATCH = 2
BOOLS = (False, True)
# class name -> strategy of (LayerFactory, input spec), every flag drawn
CASES: dict[str, st.SearchStrategy[tuple[LayerFactory, Any]]] = {}
FLAGS: dict[str, dict[str, tuple[Any, ...]]] = {}  # class name -> {flag: the values it takes}
FAMILIES: dict[str, list[str]] = {}  # family -> [class names]
CALL_KWARGS: dict[str, dict[str, Any]] = {}  # class name -> keyword arguments its call needs in the checks
# class name -> the registered (draw, name) -> (factory, spec) function
_CASE_FUNCTIONS: dict[str, Callable[..., Any]] = {}


class LayerFactory:
    """``LayerFactory(cls, **config)()`` is ``cls(**config)``, with nested factories called first.

    A factory drawn from a layer case also holds ``flags``: the case's configuration flags it was made with
    (``{}`` otherwise).
    """

    def __init__(self, cls: Callable[..., Any], **config: Any) -> None:
        self.cls, self.config = cls, config
        self.flags: dict[str, Any] = {}

    def __call__(self) -> Any:
        return self.cls(**{k: _make(v) for k, v in self.config.items()})

    def __repr__(self):
        return f"{self.cls.__name__}({', '.join(f'{k}={v!r}' for k, v in self.config.items())})"


def _make(value):
    if isinstance(value, LayerFactory):
        return value()
    if isinstance(value, list):
        return [_make(v) for v in value]
    return value


_REQUIRED = object()


class CaseDraw:
    """The ``draw`` a case function receives: ``draw(strategy)`` draws like hypothesis's, and
    ``draw.flag(flag)`` returns the value of one of the case's declared configuration flags: the value fixed
    for it, else one drawn from its values (once: reading a flag again gives the same value). ``used`` collects
    the flags read."""

    def __init__(self, draw: Callable[[st.SearchStrategy[Any]], Any], name: str, fixed: dict[str, Any]) -> None:
        self._draw, self.name, self.fixed = draw, name, fixed
        self.used: dict[str, Any] = {}

    def __call__(self, strategy: st.SearchStrategy[Any]) -> Any:
        return self._draw(strategy)

    def flag(self, flag: str, default: Any = _REQUIRED) -> Any:
        """The value of ``flag``; ``default`` when given and the case of this class does not declare it (a
        flag some of the names a case function covers lack, such as ``data_format`` in 1D)."""
        values = FLAGS[self.name].get(flag)
        if values is None and default is not _REQUIRED:
            return default
        if values is None:
            raise ValueError(
                f"the case of {self.name} reads the flag {flag!r}, which it does not declare; "
                f"declared: {sorted(FLAGS[self.name])}"
            )
        if flag not in self.used:
            self.used[flag] = self.fixed[flag] if flag in self.fixed else self._draw(st.sampled_from(values))
        return self.used[flag]


def case(
    family: str,
    *names: str,
    flags: dict[str, Sequence[Any]] | Callable[[str], dict[str, Sequence[Any]]] | None = None,
    call_kwargs: dict[str, Any] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated ``(draw, name) -> (factory, spec)`` function as the case of each of ``names``
    (the layer class names it covers) in ``family``.

    ``flags`` declares the configuration choices the function makes with ``draw.flag(flag)``: a dict flag
    -> values, or a function of the class name returning one (for cases whose names differ in flags).
    Every configuration choice of a case is a flag, so that tests can fix them and cover every value
    (:func:`~kerastorch.testing.strategies.covering_flags`); sizes and seeds are drawn."""

    def register(fn):
        for name in names:
            if name in CASES:
                raise ValueError(f"a case for {name} is already registered")
            FLAGS[name] = {k: tuple(v) for k, v in ((flags(name) if callable(flags) else flags) or {}).items()}
            _CASE_FUNCTIONS[name] = fn
            CASES[name] = fixed_case(name)
            FAMILIES.setdefault(family, []).append(name)
            if call_kwargs:
                CALL_KWARGS[name] = call_kwargs
        return fn

    return register


def fixed_case(name: str, fixed: dict[str, Any] | None = None) -> st.SearchStrategy[tuple[LayerFactory, Any]]:
    """The strategy of ``(factory, spec)`` pairs of ``name`` with the flags in ``fixed`` set (the others
    drawn)."""
    fixed = dict(fixed or {})
    for flag, value in fixed.items():
        values = FLAGS[name].get(flag)
        if values is None or not any(value == v for v in values):
            raise ValueError(
                f"strategies: the case of {name} has no flag {flag!r} with value {value!r}; its flags: {FLAGS[name]}"
            )

    @st.composite
    def strategy(draw):
        case_draw = CaseDraw(draw, name, fixed)
        factory, spec = _CASE_FUNCTIONS[name](case_draw, name)
        factory.flags = case_draw.used
        return factory, spec

    return strategy()


def spatial_flags(name, **flags):
    """``flags``, with ``data_format`` for the 2D and 3D layers of a rank-generic family (``Conv2D`` ...)."""
    return dict(flags, data_format=DATA_FORMATS) if int(re.search(r"(\d)D", name).group(1)) > 1 else flags


def make(name: str, **config: Any) -> LayerFactory:
    """The factory of the layer class ``name`` of ``kerastorch.layers``."""
    return LayerFactory(getattr(L, name), **config)


def side(draw: Callable[[st.SearchStrategy[Any]], Any], low: int = 1, high: int = 4) -> int:
    return draw(st.integers(low, high))


def image(
    draw: Callable[[st.SearchStrategy[Any]], Any],
    rank: int,
    fmt: str = "channels_last",
    channels: int | None = None,
    low: int = 1,
    high: int = 4,
) -> tuple[int, ...]:
    """An input shape ``(batch, *spatial, channels)`` (or channels first) with sides in ``[low, high]``."""
    spatial = tuple(side(draw, low, high) for _ in range(rank))
    c = channels if channels is not None else side(draw, 1, 2)
    return (BATCH,) + ((c,) + spatial if fmt == "channels_first" else spatial + (c,))


ACTIVATIONS = (None, "linear", "relu", "tanh", "sigmoid", "gelu", "silu", "softplus", "elu", "selu")
SMOOTH_ACTIVATIONS = (None, "tanh", "sigmoid", "gelu", "silu", "softplus")
DATA_FORMATS = ("channels_last", "channels_first")
