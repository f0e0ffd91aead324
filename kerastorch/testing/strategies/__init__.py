"""Hypothesis strategies for testing layers and models: shapes, tensors, layer configurations, models.

Every built-in differentiable layer has a case: a strategy of ``(layer_factory, input_spec)`` pairs, where
calling ``layer_factory()`` makes a fresh layer and ``input_spec`` describes its inputs (a shape tuple, an
:class:`IntShape` for integer inputs, a list of specs for a layer that takes a list, a tuple of specs for
several positional arguments); :func:`inputs_for` draws matching tensors. One strategy per family
(:func:`core_layers`, :func:`convolutional_layers` ...) and :func:`layers` over all of them.

Every configuration choice of a case is a named flag with a fixed set of values (:func:`flag_space`):
``layer_case(name, **flags)`` fixes some of them, and :func:`covering_flags` gives a few flag settings in
which every pair of values of two flags appears, so that a test running once per setting reaches every
configuration option and every pairwise interaction (``rms_scaling=True`` with ``scale=True``), which a
handful of random examples does not.

Example (a property-based gradient test of a layer family in a few lines):
    >>> from hypothesis import given, settings
    >>> from kerastorch.testing import check_gradients
    >>> @settings(max_examples=3)
    ... @given(case=normalization_layers(), data=st.data())
    ... def test_normalization_gradients(case, data):
    ...     factory, spec = case
    ...     check_gradients(factory(), data.draw(inputs_for(spec)))
    >>> test_normalization_gradients()

Fixing flags, and covering them all:
    >>> flag_space("LayerNormalization")
    {'center': (False, True), 'scale': (False, True), 'rms_scaling': (False, True)}
    >>> @settings(max_examples=1)
    ... @given(data=st.data())
    ... def test_every_layer_normalization_option(data):
    ...     for flags in covering_flags("LayerNormalization"):
    ...         factory, spec = data.draw(layer_case("LayerNormalization", **flags))
    ...         check_gradients(factory(), data.draw(inputs_for(spec)))
    >>> test_every_layer_normalization_option()
"""

from __future__ import annotations

from typing import Any, Sequence

from hypothesis import strategies as st

from kerastorch.testing.strategies import _dense_cases, _spatial_cases
from kerastorch.testing.strategies._cases import CALL_KWARGS, CASES, FAMILIES, FLAGS, LayerFactory, fixed_case
from kerastorch.testing.strategies.covering import covering_rows, uncovered
from kerastorch.testing.strategies.models import ModelFactory, functional_models, models, sequential_models
from kerastorch.testing.strategies.tensors import IntShape, inputs_for, int_tensors, is_shape, shapes, tensors

NOT_DIFFERENTIABLE = {
    "CategoryEncoding": "integer inputs, counts / one-hot outputs",
    "Discretization": "integer (bucket index) outputs",
    "RandomPosterization": "quantizes values: piecewise constant, zero derivative almost everywhere",
    "Equalization": "a lookup table of histogram ranks: piecewise constant, zero derivative almost everywhere",
    "StringLookup": "string inputs, integer (index) outputs",
    "IntegerLookup": "integer inputs and outputs",
    "TextVectorization": "string inputs, integer or count outputs",
    "Hashing": "bucket index outputs",
    "HashedCrossing": "bucket index outputs",
    "ContrastLimitedAdaptiveHistogramEqualization": "a lookup table of clipped histogram ranks: piecewise constant",
    "AugMix": "mixes augmentations drawn among piecewise-constant ones (posterize, equalize, solarize)",
    "RandAugment": "applies augmentations drawn among piecewise-constant ones (posterize, equalize, solarize)",
    "MaxNumBoundingBoxes": "pads dictionaries of boxes and integer labels",
}
"""Built-in layers the gradient checks leave out, and why."""

ABSTRACT = {
    "Layer": "the base class",
    "InputLayer": "no computation",
    "TensorOp": "internal node of KerasTensor arithmetic",
    "Wrapper": "abstract base of Bidirectional / TimeDistributed",
    "ConvLSTM": "base of ConvLSTM1D/2D/3D",
}
"""Names exported by ``kerastorch.layers`` that are not concrete layers to check."""


def layer_names(family: str | None = None) -> list[str]:
    """The layer class names with a case (in ``family`` when given)."""
    if family is None:
        return sorted(CASES)
    if family not in FAMILIES:
        raise ValueError(f"strategies: unknown layer family {family!r}; expected one of {sorted(FAMILIES)}")
    return list(FAMILIES[family])


def _check_name(name):
    if name not in CASES:
        raise ValueError(f"strategies: no case for layer {name!r}; expected one of {sorted(CASES)}")


def layer_case(name: str, **flags: Any) -> st.SearchStrategy[tuple[LayerFactory, Any]]:
    """The strategy of ``(layer_factory, input_spec)`` pairs for the layer class ``name``.

    Args:
        name: str, a layer class name of ``kerastorch.layers`` (see :func:`layer_names`).
        **flags: values for some of the case's configuration flags (see :func:`flag_space`); the other
            flags, the sizes and the seeds are drawn.

    Returns:
        A hypothesis strategy.

    Raises:
        ValueError: for a name without a case, or a flag or value the case does not have.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=3)
    ... @given(case=layer_case("Dense", activation="tanh", use_bias=False))
    ... def test_tanh_dense_without_bias(case):
    ...     factory, spec = case
    ...     assert factory.config["activation"] == "tanh" and factory().use_bias is False
    >>> test_tanh_dense_without_bias()
    """
    _check_name(name)
    return fixed_case(name, flags) if flags else CASES[name]


def flag_space(name: str) -> dict[str, tuple[Any, ...]]:
    """The configuration flags of the case of layer class ``name``.

    Args:
        name: str, a layer class name with a case (see :func:`layer_names`).

    Returns:
        A dict flag -> tuple of its values, in the order the case declares them.

    Raises:
        ValueError: for a name without a case.

    >>> flag_space("Conv1DTranspose")["step"]
    ('unit', 'strides')
    """
    _check_name(name)
    return dict(FLAGS[name])


def covering_flags(name: str, strength: int = 2, **extra: Sequence[Any]) -> list[dict[str, Any]]:
    """Flag settings (dicts for :func:`layer_case`) covering every pair of values of two of the case's flags
    (``strength=2``) or every single value (``strength=1``).

    Args:
        name: str, a layer class name with a case.
        strength: int, default 2: 2 covers pairs, 1 single values (fewer settings, for slow layers).
        **extra: more flags to cover jointly with the case's own, each a sequence of values; they stay in
            the settings for the caller to take out (``training=(False, True)``).

    Returns:
        A list of dicts flag -> value (see :func:`~kerastorch.testing.strategies.covering.covering_rows`).

    >>> rows = covering_flags("BatchNormalization", training=(False, True))
    >>> len(rows), sorted(rows[0])
    (6, ['axis', 'center', 'scale', 'training'])
    """
    return covering_rows({**flag_space(name), **extra}, strength)


def layers(family: str | None = None) -> st.SearchStrategy[tuple[LayerFactory, Any]]:
    """``(layer_factory, input_spec)`` pairs over every case (of ``family`` when given)."""
    return st.one_of([CASES[n] for n in layer_names(family)])


def _family(family):
    def strategy() -> st.SearchStrategy[tuple[LayerFactory, Any]]:
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
    "ABSTRACT",
    "CALL_KWARGS",
    "FAMILIES",
    "IntShape",
    "LayerFactory",
    "ModelFactory",
    "NOT_DIFFERENTIABLE",
    "activation_layers",
    "attention_layers",
    "convolutional_layers",
    "core_layers",
    "covering_flags",
    "covering_rows",
    "flag_space",
    "functional_models",
    "inputs_for",
    "int_tensors",
    "is_shape",
    "layer_case",
    "layer_names",
    "layers",
    "merging_layers",
    "models",
    "normalization_layers",
    "pooling_layers",
    "preprocessing_layers",
    "regularization_layers",
    "reshaping_layers",
    "rnn_layers",
    "sequential_models",
    "shapes",
    "st",
    "tensors",
    "uncovered",
]
