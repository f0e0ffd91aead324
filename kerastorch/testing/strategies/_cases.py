"""The registry behind the layer strategies: one strategy of ``(layer_factory, input_spec)`` per layer class.

A factory is a :class:`LayerFactory`: calling it makes a fresh layer (nested layers too), and its repr is
the configuration, so hypothesis prints a failing case readably.
"""
from hypothesis import strategies as st

from kerastorch import layers as L

BATCH = 2
CASES = {}  # class name -> strategy of (LayerFactory, input spec)
FAMILIES = {}  # family -> [class names]
CALL_KWARGS = {}  # class name -> keyword arguments its call needs in the checks


class LayerFactory:
    """``LayerFactory(cls, **config)()`` is ``cls(**config)``, with nested factories called first."""

    def __init__(self, cls, **config):
        self.cls, self.config = cls, config

    def __call__(self):
        return self.cls(**{k: _make(v) for k, v in self.config.items()})

    def __repr__(self):
        return f"{self.cls.__name__}({', '.join(f'{k}={v!r}' for k, v in self.config.items())})"


def _make(value):
    if isinstance(value, LayerFactory):
        return value()
    if isinstance(value, list):
        return [_make(v) for v in value]
    return value


def case(family, *names, call_kwargs=None):
    """Register the decorated ``(draw, name) -> (factory, spec)`` function as the case of each of ``names``
    (the layer class names it covers) in ``family``."""
    def register(fn):
        for name in names:
            strategy = st.composite(fn)(name)
            if name in CASES:
                raise ValueError(f"a case for {name} is already registered")
            CASES[name] = strategy
            FAMILIES.setdefault(family, []).append(name)
            if call_kwargs:
                CALL_KWARGS[name] = call_kwargs
        return fn
    return register


def make(name, **config):
    """The factory of the layer class ``name`` of ``kerastorch.layers``."""
    return LayerFactory(getattr(L, name), **config)


def side(draw, low=1, high=4):
    return draw(st.integers(low, high))


def data_format(draw):
    return draw(st.sampled_from(["channels_last", "channels_first"]))


def image(draw, rank, fmt="channels_last", channels=None, low=1, high=4):
    """An input shape ``(batch, *spatial, channels)`` (or channels first) with sides in ``[low, high]``."""
    spatial = tuple(side(draw, low, high) for _ in range(rank))
    c = channels if channels is not None else side(draw, 1, 2)
    return (BATCH,) + ((c,) + spatial if fmt == "channels_first" else spatial + (c,))


ACTIVATIONS = [None, "linear", "relu", "tanh", "sigmoid", "gelu", "silu", "softplus", "elu", "selu"]
SMOOTH_ACTIVATIONS = [None, "tanh", "sigmoid", "gelu", "silu", "softplus"]
