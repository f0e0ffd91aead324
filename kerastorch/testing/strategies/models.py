"""Strategies of small random Sequential and functional models, as ``(model_factory, input_spec)`` pairs.

A model factory is a :class:`ModelFactory`: calling it builds a fresh model; its repr lists the layers.

Example (every drawn model trains: its gradients agree in every mode):
    >>> import torch
    >>> from hypothesis import given, settings, strategies as st
    >>> from kerastorch.testing import check_gradients
    >>> from kerastorch.testing.strategies import inputs_for
    >>> @settings(max_examples=3)
    ... @given(case=models(), data=st.data())
    ... def test_model_gradients(case, data):
    ...     factory, spec = case
    ...     check_gradients(factory(), data.draw(inputs_for(spec)))
    >>> test_model_gradients()
    >>> factory = ModelFactory("sequential", [(3,)], [[make("Dense", units=2, activation="tanh")]])
    >>> factory, factory()(torch.ones(4, 3)).shape
    (sequential(inputs=[(3,)]: Dense(units=2, activation='tanh')), torch.Size([4, 2]))
"""

from __future__ import annotations

from typing import Any, Sequence

from hypothesis import strategies as st

from kerastorch import layers
from kerastorch.layers import Input
from kerastorch.models import Model, Sequential
from kerastorch.testing.strategies._cases import BATCH, SMOOTH_ACTIVATIONS, LayerFactory, make, side


class ModelFactory:
    """Builds a model from layer factories: ``Sequential`` (one chain) or a functional graph (see below)."""

    def __init__(
        self,
        kind: str,
        input_shapes: Sequence[tuple[int, ...]],
        chains: Sequence[Sequence[LayerFactory]],
        merge: LayerFactory | None = None,
        residual: bool = False,
        two_outputs: bool = False,
    ) -> None:
        self.kind, self.input_shapes, self.chains = kind, input_shapes, chains
        self.merge, self.residual, self.two_outputs = merge, residual, two_outputs

    def __call__(self) -> Model:
        if self.kind == "sequential":
            return Sequential([Input(self.input_shapes[0])] + [f() for f in self.chains[0]])
        inputs = [Input(s) for s in self.input_shapes]
        branches = []
        for x, chain in zip(inputs, self.chains):
            for f in chain:
                x = f()(x)
            branches.append(x)
        if len(branches) > 1:
            assert self.merge is not None  # functional_models gives a merge to several inputs
            merged = self.merge()(branches)
        else:
            merged = branches[0]
        if self.residual:
            units = merged.shape[-1]
            assert units is not None  # the merged features have a known size
            merged = layers.Add()([merged, layers.Dense(units)(merged)])
        outputs = [layers.Dense(1, activation="tanh")(merged), merged] if self.two_outputs else merged
        return Model(inputs if len(inputs) > 1 else inputs[0], outputs)

    def __repr__(self):
        chains = " | ".join(" -> ".join(repr(f) for f in chain) for chain in self.chains)
        extra = (
            f", merge={self.merge!r}, residual={self.residual}, two_outputs={self.two_outputs}"
            if self.kind == "functional"
            else ""
        )
        return f"{self.kind}(inputs={self.input_shapes}: {chains}{extra})"


def _vector_layer(draw, units):
    kind = draw(
        st.sampled_from(["Dense", "Dense", "Dropout", "BatchNormalization", "LayerNormalization", "Activation"])
    )
    if kind == "Dense":
        return make("Dense", units=units, activation=draw(st.sampled_from(SMOOTH_ACTIVATIONS)))
    if kind == "Dropout":
        return make("Dropout", rate=0.3, seed=draw(st.integers(0, 9)))
    if kind == "Activation":
        return make("Activation", activation=draw(st.sampled_from(["tanh", "sigmoid", "softplus", "gelu"])))
    return make(kind)


def _chain(draw, length, units):
    return [_vector_layer(draw, units) for _ in range(length)]


@st.composite
def sequential_models(draw: st.DrawFn, max_layers: int = 3) -> tuple[ModelFactory, tuple[int, ...]]:
    """``(ModelFactory, input_shape)`` of a Sequential model: a chain of Dense / Dropout / normalization /
    activation layers on vectors, or a Conv2D -> pooling -> Flatten -> Dense stack on small images."""
    if draw(st.booleans()):
        d = side(draw, 1, 3)
        chain = _chain(draw, draw(st.integers(1, max_layers)), side(draw, 1, 3))
        return ModelFactory("sequential", [(d,)], [chain]), (BATCH, d)
    h, w, c = side(draw, 3, 4), side(draw, 3, 4), side(draw, 1, 2)
    pool = draw(st.sampled_from(["MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D"]))
    chain = [
        make("Conv2D", filters=side(draw, 1, 2), kernel_size=2, activation="tanh"),
        make(pool) if pool.startswith("Global") else make(pool, pool_size=2, padding="same"),
    ]
    if not pool.startswith("Global"):
        chain.append(make("Flatten"))
    chain.append(make("Dense", units=side(draw, 1, 2)))
    return ModelFactory("sequential", [(h, w, c)], [chain]), (BATCH, h, w, c)


@st.composite
def functional_models(draw: st.DrawFn, max_layers: int = 2) -> tuple[ModelFactory, Any]:
    """``(ModelFactory, input_spec)`` of a functional model: one or two inputs, each through a chain of
    layers, merged (Add / Multiply / Concatenate / Average), optionally a residual Dense and a second output.
    With two inputs the spec is a list of shapes (the model takes a list)."""
    n_inputs = draw(st.integers(1, 2))
    units = side(draw, 1, 3)
    shapes = [(side(draw, 1, 3),) for _ in range(n_inputs)]
    chains = [
        _chain(draw, draw(st.integers(0, max_layers - 1)), units) + [make("Dense", units=units)]
        for _ in range(n_inputs)
    ]
    merge = make(draw(st.sampled_from(["Add", "Multiply", "Concatenate", "Average"]))) if n_inputs > 1 else None
    factory = ModelFactory(
        "functional", shapes, chains, merge=merge, residual=draw(st.booleans()), two_outputs=draw(st.booleans())
    )
    spec = [(BATCH,) + s for s in shapes]
    return factory, spec if n_inputs > 1 else spec[0]


def models() -> st.SearchStrategy[tuple[ModelFactory, Any]]:
    """Sequential or functional models."""
    return st.one_of(sequential_models(), functional_models())
