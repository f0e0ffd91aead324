"""Hypothesis strategies for testing layers and models: shapes, tensors, layer configurations, models.

Every built-in differentiable layer has a case: a strategy of ``(layer_factory, input_spec)`` pairs, where
calling ``layer_factory()`` makes a fresh layer and ``input_spec`` describes its inputs (a shape tuple, an
:class:`IntShape` for integer inputs, a list of specs for a layer that takes a list, a tuple of specs for
several positional arguments); :func:`inputs_for` draws matching tensors. One strategy per family
(:func:`core_layers`, :func:`convolutional_layers` ...) and :func:`layers` over all of them.

Example (a property-based gradient test of a layer family in a few lines):
    >>> from hypothesis import given, settings
    >>> from kerastorch.testing import check_gradients
    >>> @settings(max_examples=3)
    ... @given(case=normalization_layers(), data=st.data())
    ... def test_normalization_gradients(case, data):
    ...     factory, spec = case
    ...     check_gradients(factory(), data.draw(inputs_for(spec)))
    >>> test_normalization_gradients()
"""
from hypothesis import strategies as st

from kerastorch.testing.strategies import _dense_cases, _spatial_cases  # noqa: F401  (register the cases)
from kerastorch.testing.strategies._cases import CALL_KWARGS, CASES, FAMILIES, LayerFactory
from kerastorch.testing.strategies.models import ModelFactory, functional_models, models, sequential_models
from kerastorch.testing.strategies.tensors import IntShape, inputs_for, int_tensors, is_shape, shapes, tensors

NOT_DIFFERENTIABLE = {
    "CategoryEncoding": "integer inputs, counts / one-hot outputs",
    "Discretization": "integer (bucket index) outputs",
    "RandomPosterization": "quantizes values: piecewise constant, zero derivative almost everywhere",
}
"""Built-in layers the gradient checks leave out, and why."""

ABSTRACT = {
    "Layer": "the base class", "InputLayer": "no computation", "TensorOp": "internal node of KerasTensor arithmetic",
    "Wrapper": "abstract base of Bidirectional / TimeDistributed", "ConvLSTM": "base of ConvLSTM1D/2D/3D",
}
"""Names exported by ``kerastorch.layers`` that are not concrete layers to check."""


def layer_names(family=None):
    """The layer class names with a case (in ``family`` when given)."""
    if family is None:
        return sorted(CASES)
    if family not in FAMILIES:
        raise ValueError(f"strategies: unknown layer family {family!r}; expected one of {sorted(FAMILIES)}")
    return list(FAMILIES[family])


def layer_case(name):
    """The strategy of ``(layer_factory, input_spec)`` pairs for the layer class ``name``."""
    if name not in CASES:
        raise ValueError(f"strategies: no case for layer {name!r}; expected one of {sorted(CASES)}")
    return CASES[name]


def layers(family=None):
    """``(layer_factory, input_spec)`` pairs over every case (of ``family`` when given)."""
    return st.one_of([CASES[n] for n in layer_names(family)])


def _family(family):
    def strategy():
        return layers(family)
    strategy.__name__ = f"{family}_layers"
    strategy.__doc__ = f"``(layer_factory, input_spec)`` pairs of the {family} layers: {', '.join(FAMILIES[family])}."
    return strategy


core_layers = _family("core")
activation_layers = _family("activation")
merging_layers = _family("merging")
regularization_layers = _family("regularization")
reshaping_layers = _family("reshaping")
normalization_layers = _family("normalization")
preprocessing_layers = _family("preprocessing")
convolutional_layers = _family("convolutional")
pooling_layers = _family("pooling")
rnn_layers = _family("rnn")
attention_layers = _family("attention")

__all__ = [
    "ABSTRACT", "CALL_KWARGS", "FAMILIES", "IntShape", "LayerFactory", "ModelFactory", "NOT_DIFFERENTIABLE",
    "activation_layers", "attention_layers", "convolutional_layers", "core_layers", "functional_models",
    "inputs_for", "int_tensors", "is_shape", "layer_case", "layer_names", "layers", "merging_layers", "models",
    "normalization_layers", "pooling_layers", "preprocessing_layers", "regularization_layers", "reshaping_layers",
    "rnn_layers", "sequential_models", "shapes", "st", "tensors",
]
