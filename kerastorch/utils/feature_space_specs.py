"""The pieces a ``keras.utils.FeatureSpace`` is made of: ``Feature`` and ``Cross`` specs, and the ``TFDIdentity``
and ``TFDConcat`` layers, with the configs Keras 3 writes for them.

Keras 3 does not export these classes; it writes them in configs under its internal module
``keras.src.layers.preprocessing.feature_space`` (``KERAS_MODULE``) with their class name as
``registered_name``. kerastorch files them under that module (so configs it writes name Keras's path) and under
``keras.layers.preprocessing.feature_space`` (the path the registry resolves Keras's internal paths by), so both
kerastorch and Keras 3 read either's configs. :func:`serialize_spec` and :func:`deserialize_spec` are what
``FeatureSpace`` uses for them.

Example:
    >>> feature = Feature("int32", Hashing(num_bins=4), "one_hot")
    >>> config = serialize_spec(feature)
    >>> config["module"], config["class_name"], config["registered_name"]
    ('keras.src.layers.preprocessing.feature_space', 'Feature', 'Feature')
    >>> deserialize_spec(config, "feature").preprocessor.num_bins
    4
"""

from __future__ import annotations

import builtins
import numbers
from typing import Any, Callable, Sequence

import torch

from kerastorch import config as kconfig
from kerastorch.backend.annotations import Shape
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.backend.naming import unique_name
from kerastorch.layers.base import Layer
from kerastorch.layers.preprocessing.discretization import Discretization
from kerastorch.layers.preprocessing.hashing import Hashing
from kerastorch.layers.preprocessing.integer_lookup import IntegerLookup
from kerastorch.layers.preprocessing.normalization import Normalization
from kerastorch.layers.preprocessing.rescaling import Rescaling
from kerastorch.layers.preprocessing.string_lookup import StringLookup
from kerastorch.serialization import serialization_lib
from kerastorch.serialization.object_registration import register_builtin

__all__ = [
    "FEATURE_TYPES",
    "KERAS_MODULE",
    "Cross",
    "Feature",
    "FeatureTypes",
    "TFDConcat",
    "TFDIdentity",
    "deserialize_spec",
    "serialize_spec",
]

FEATURE_TYPES = (
    "float",
    "float_rescaled",
    "float_normalized",
    "float_discretized",
    "integer_categorical",
    "string_categorical",
    "integer_hashed",
    "string_hashed",
)
"""The feature types a ``FeatureSpace`` takes by name."""

KERAS_MODULE = "keras.src.layers.preprocessing.feature_space"
"""The module Keras 3 writes in the configs of its feature-space helpers (``Feature``, ``Cross`` ...)."""
_LOOKUP_MODULE = "keras.layers.preprocessing.feature_space"  # how the registry resolves KERAS_MODULE
_HELPERS: dict[str, type] = {}  # class name -> helper class of this module, serialized under KERAS_MODULE


def _helper(cls):
    """File ``cls`` under Keras's module path (written in configs) and the path the registry resolves it by."""
    register_builtin(KERAS_MODULE)(cls)
    register_builtin(_LOOKUP_MODULE)(cls)
    _HELPERS[cls.__name__] = cls
    return cls


def serialize_spec(obj: Any) -> Any:
    """``serialize_keras_object(obj)``, this module's classes with Keras's ``registered_name`` (their class name).

    Args:
        obj: a ``Feature``, ``Cross`` or layer.

    Returns:
        dict, the config Keras 3 writes for ``obj``.

    >>> serialize_spec(Cross(("a", "b"), crossing_dim=4))["config"]
    {'feature_names': ['a', 'b'], 'crossing_dim': 4, 'output_mode': 'one_hot'}
    """
    config = serialization_lib.serialize_keras_object(obj)
    if isinstance(config, dict) and _HELPERS.get(type(obj).__name__) is type(obj):
        config["registered_name"] = type(obj).__name__
    return config


def deserialize_spec(config: dict[str, Any], what: str) -> Any:
    """An object from its config: this module's classes by name, layers through the registry.

    Args:
        config: dict, a config from :func:`serialize_spec` (or Keras 3's).
        what: str, what the config is for, named in errors.

    Returns:
        the object.

    Raises:
        TypeError: when ``config`` is not a dict.

    >>> deserialize_spec(serialize_spec(TFDConcat(axis=-1)), "layer").axis
    -1
    """
    if not isinstance(config, dict):
        raise TypeError(f"FeatureSpace: {what} must be an object or its config dict, received {config!r}")
    return serialization_lib.deserialize_keras_object(config, module_objects=dict(_HELPERS), printable_module_name=what)


def _positive_int(owner, name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{owner}: {name} must be a positive integer, received {name}={value!r}")
    return int(value)


@_helper
class Feature:
    """One feature of a ``FeatureSpace``: the dtype of its column, its preprocessing layer, its output mode.

    Made by the ``FeatureSpace`` constructors (``FeatureSpace.float_normalized()`` ...) or by
    ``FeatureSpace.feature`` for a preprocessing layer of your own.

    Args:
        dtype: str. The dtype of the raw column: ``"float32"``, ``"int32"``, ``"int64"`` ... or ``"string"``.
        preprocessor: a layer (or its config dict), applied to the ``(batch, 1)`` column.
        output_mode: str. ``"float"`` (the preprocessor's output, used as it is), ``"int"`` (integer indices,
            left unencoded; ``output_mode="dict"`` only) or ``"one_hot"`` (the indices one-hot encoded).

    Raises:
        ValueError: for an unknown ``output_mode`` or ``dtype``, or a preprocessor that is not callable.

    Example:
    >>> feature = Feature("float32", Rescaling(scale=0.5), "float")
    >>> feature.get_config()["preprocessor"]["class_name"]
    'Rescaling'
    """

    def __init__(self, dtype: str, preprocessor: Callable[..., Any] | dict[str, Any], output_mode: str) -> None:
        if output_mode not in ("int", "one_hot", "float"):
            raise ValueError(
                f"FeatureSpace.feature: output_mode must be one of ['int', 'one_hot', 'float'], "
                f"received output_mode={output_mode!r}"
            )
        if dtype != "string":
            try:
                dtype = kconfig.standardize_dtype(dtype)
            except (ValueError, TypeError):
                raise ValueError(
                    f"FeatureSpace.feature: dtype must be 'string' or a numeric dtype such as "
                    f"'float32' or 'int32', received dtype={dtype!r}"
                ) from None
        if isinstance(preprocessor, dict):
            preprocessor = deserialize_spec(preprocessor, "preprocessor")
        if not callable(preprocessor):
            raise ValueError(
                f"FeatureSpace.feature: preprocessor must be a layer (callable), received {type(preprocessor).__name__}"
            )
        self.dtype = dtype
        self.preprocessor = preprocessor
        self.output_mode = output_mode

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, the preprocessor serialized (Keras's keys)."""
        return {"dtype": self.dtype, "preprocessor": serialize_spec(self.preprocessor), "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Feature:
        """A feature from :meth:`get_config`."""
        return cls(**config)

    def __repr__(self):
        return (
            f"<Feature dtype={self.dtype} preprocessor={type(self.preprocessor).__name__} "
            f"output_mode={self.output_mode}>"
        )


@_helper
class Cross:
    """A cross of two or more features of a ``FeatureSpace``, hashed into ``crossing_dim`` bins.

    Args:
        feature_names: tuple of str, at least two. The features crossed (their preprocessed values).
        crossing_dim: int >= 1. The number of hash bins.
        output_mode: str, default ``"one_hot"``. ``"one_hot"`` (the bin one-hot encoded) or ``"int"`` (the bin
            index; ``output_mode="dict"`` only).

    Raises:
        ValueError: for fewer than two feature names, a bad ``crossing_dim`` or ``output_mode``.

    Example:
    >>> cross = Cross(("color", "size"), crossing_dim=16)
    >>> cross.name
    'color_X_size'
    """

    def __init__(self, feature_names: Sequence[str], crossing_dim: int, output_mode: str = "one_hot") -> None:
        if output_mode not in ("int", "one_hot"):
            raise ValueError(
                f"FeatureSpace.cross: output_mode must be one of ['int', 'one_hot'], received "
                f"output_mode={output_mode!r}"
            )
        if (
            isinstance(feature_names, str)
            or not isinstance(feature_names, (list, tuple))
            or len(feature_names) < 2
            or not all(isinstance(n, str) for n in feature_names)
        ):
            raise ValueError(
                f"FeatureSpace.cross: feature_names must be a tuple of two or more feature names, "
                f"received feature_names={feature_names!r}"
            )
        self.feature_names = tuple(feature_names)
        self.crossing_dim = _positive_int("FeatureSpace.cross", "crossing_dim", crossing_dim)
        self.output_mode = output_mode

    @property
    def name(self) -> str:
        """The cross's name: the feature names joined by ``"_X_"``."""
        return "_X_".join(self.feature_names)

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments (Keras's keys)."""
        return {"feature_names": self.feature_names, "crossing_dim": self.crossing_dim, "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Cross:
        """A cross from :meth:`get_config`."""
        return cls(**config)

    def __repr__(self):
        return f"<Cross {self.name} crossing_dim={self.crossing_dim} output_mode={self.output_mode}>"


@_helper
class TFDIdentity(Layer):
    """The preprocessor of ``FeatureSpace.float`` features: returns its input (the name is Keras's).

    Args:
        **kwargs: base layer arguments (``name``, ``dtype``).

    Input shape:
        Any.

    Output shape:
        The input shape.

    Example:
    >>> TFDIdentity()(torch.tensor([[1.5]]))
    tensor([[1.5000]])
    """

    _preserves_shape = True

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return inputs

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)


@_helper
class TFDConcat(Layer):
    """Concatenates a list of tensors along ``axis``: the last step of ``output_mode="concat"`` (Keras's name).

    Args:
        axis: int. The axis to concatenate along.
        **kwargs: base layer arguments (``name``, ``dtype``).

    Input shape:
        A list of tensors with equal shapes but along ``axis``.

    Output shape:
        Their shape with the sizes along ``axis`` added.

    Example:
    >>> TFDConcat(axis=-1)([torch.zeros(2, 1), torch.ones(2, 2)])
    tensor([[0., 1., 1.],
            [0., 1., 1.]])
    """

    axis: int

    def __init__(self, axis: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise ValueError(f'TFDConcat layer "{self.name}": axis must be an int, received axis={axis!r}')
        self.axis = int(axis)

    def call(self, xs: Sequence[torch.Tensor]) -> torch.Tensor:
        return torch.cat(list(xs), dim=self.axis)

    def compute_output_shape(self, input_shape: Sequence[Shape]) -> Shape:
        shapes = [tuple(s) for s in input_shape]
        axis = self.axis % len(shapes[0])
        sizes = [s[axis] for s in shapes]
        total = None if any(s is None for s in sizes) else sum(s for s in sizes if s is not None)
        return shapes[0][:axis] + (total,) + shapes[0][axis + 1 :]

    def compute_output_spec(self, xs: Sequence[KerasTensor]) -> KerasTensor:
        dtype = kconfig.torch_dtype(xs[0].dtype)
        for x in xs[1:]:
            dtype = torch.promote_types(dtype, kconfig.torch_dtype(x.dtype))
        return KerasTensor(self.compute_output_shape([x.shape for x in xs]), kconfig.standardize_dtype(dtype))

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["axis"] = self.axis
        return config


class FeatureTypes:
    """The feature types of ``FeatureSpace``, as class methods (``FeatureSpace.float_normalized()`` ...): each
    returns a ``Feature`` (or, for ``cross``, a ``Cross``). ``FeatureSpace`` inherits them; ``name`` names the
    preprocessing layer ``f"{name}_preprocessor"`` (an automatic name by default).

    Example:
    >>> feature = FeatureTypes.integer_categorical(max_tokens=10, name="size")
    >>> feature.dtype, feature.output_mode, feature.preprocessor.name
    ('int32', 'one_hot', 'size_preprocessor')
    """

    @classmethod
    def cross(cls, feature_names: Sequence[str], crossing_dim: int, output_mode: str = "one_hot") -> Cross:
        """A cross of features: their preprocessed values hashed together into ``crossing_dim`` bins.

        Args:
            feature_names: tuple of str, two or more features of the FeatureSpace.
            crossing_dim: int. The number of hash bins.
            output_mode: str, default ``"one_hot"``. ``"one_hot"`` or ``"int"``.

        Returns:
            a ``Cross``.

        >>> FeatureTypes.cross(("a", "b"), crossing_dim=8).name
        'a_X_b'
        """
        return Cross(feature_names, crossing_dim, output_mode=output_mode)

    @classmethod
    def feature(cls, dtype: str, preprocessor: Callable[..., Any] | dict[str, Any], output_mode: str) -> Feature:
        """A feature preprocessed by a layer of your own.

        Args:
            dtype: str. The column's dtype (``"float32"``, ``"int32"``, ``"string"`` ...).
            preprocessor: a layer applied to the ``(batch, 1)`` column (adapted by ``adapt`` when it has an
                ``adapt`` method).
            output_mode: str. ``"float"``, ``"int"`` or ``"one_hot"`` (see ``Feature``).

        Returns:
            a ``Feature``.

        >>> FeatureTypes.feature("float32", Rescaling(scale=2.0), "float").dtype
        'float32'
        """
        return Feature(dtype, preprocessor, output_mode)

    @classmethod
    def float(cls, name: str | None = None) -> Feature:
        """Float values used as they are.

        Args:
            name: str or None, default None. Names the preprocessor ``f"{name}_preprocessor"``.

        Returns:
            a ``Feature`` (dtype ``"float32"``, output mode ``"float"``).

        >>> FeatureTypes.float(name="x").preprocessor.name
        'x_preprocessor'
        """
        name = name or unique_name("float")
        return Feature("float32", TFDIdentity(dtype="float32", name=f"{name}_preprocessor"), "float")

    @classmethod
    def float_rescaled(
        cls, scale: builtins.float = 1.0, offset: builtins.float = 0.0, name: str | None = None
    ) -> Feature:
        """Float values rescaled as ``x * scale + offset`` (a ``Rescaling`` layer).

        Args:
            scale: float, default 1.0.
            offset: float, default 0.0.
            name: str or None, default None. Names the preprocessor ``f"{name}_preprocessor"``.

        Returns:
            a ``Feature`` (dtype ``"float32"``, output mode ``"float"``).

        >>> FeatureTypes.float_rescaled(scale=0.1).preprocessor.scale
        0.1
        """
        name = name or unique_name("float_rescaled")
        return Feature("float32", Rescaling(scale=scale, offset=offset, name=f"{name}_preprocessor"), "float")

    @classmethod
    def float_normalized(cls, name: str | None = None) -> Feature:
        """Float values standardized with the mean and variance ``adapt`` learns (a ``Normalization`` layer).

        Args:
            name: str or None, default None. Names the preprocessor ``f"{name}_preprocessor"``.

        Returns:
            a ``Feature`` (dtype ``"float32"``, output mode ``"float"``).

        >>> type(FeatureTypes.float_normalized().preprocessor).__name__
        'Normalization'
        """
        name = name or unique_name("float_normalized")
        return Feature("float32", Normalization(axis=-1, name=f"{name}_preprocessor"), "float")

    @classmethod
    def float_discretized(
        cls,
        num_bins: int | None,
        bin_boundaries: Sequence[builtins.float] | None = None,
        output_mode: str = "one_hot",
        name: str | None = None,
    ) -> Feature:
        """Float values bucketed into bins (a ``Discretization`` layer): ``num_bins`` quantile bins learnt by
        ``adapt``, or the given ``bin_boundaries``.

        Args:
            num_bins: int or None. The number of bins; with ``bin_boundaries``, None or
                ``len(bin_boundaries) + 1``.
            bin_boundaries: list of floats or None, default None. Fixed boundaries (then nothing is adapted).
            output_mode: str, default ``"one_hot"``. ``"one_hot"`` or ``"int"`` (the bin index).
            name: str or None, default None. Names the preprocessor ``f"{name}_preprocessor"``.

        Returns:
            a ``Feature`` (dtype ``"float32"``).

        Raises:
            ValueError: when ``num_bins`` and ``bin_boundaries`` disagree.

        >>> FeatureTypes.float_discretized(num_bins=3, bin_boundaries=[0.0, 1.0]).preprocessor.bin_boundaries
        [0.0, 1.0]
        """
        name = name or unique_name("float_discretized")
        if bin_boundaries is not None:
            if num_bins is not None and num_bins != len(bin_boundaries) + 1:
                raise ValueError(
                    f"FeatureSpace.float_discretized: {len(bin_boundaries)} bin_boundaries make "
                    f"{len(bin_boundaries) + 1} bins, received num_bins={num_bins!r}"
                )
            preprocessor = Discretization(bin_boundaries=bin_boundaries, name=f"{name}_preprocessor")
        else:
            preprocessor = Discretization(num_bins=num_bins, name=f"{name}_preprocessor")
        return Feature("float32", preprocessor, output_mode)

    @classmethod
    def integer_categorical(
        cls,
        max_tokens: int | None = None,
        num_oov_indices: int = 1,
        output_mode: str = "one_hot",
        name: str | None = None,
    ) -> Feature:
        """Integer categories indexed in the vocabulary ``adapt`` learns (an ``IntegerLookup`` layer).

        Args:
            max_tokens: int or None, default None. The most indices, the OOV ones included.
            num_oov_indices: int, default 1. Indices for out-of-vocabulary values (0: they are an error).
            output_mode: str, default ``"one_hot"``. ``"one_hot"`` or ``"int"`` (the index).
            name: str or None, default None. Names the preprocessor ``f"{name}_preprocessor"``.

        Returns:
            a ``Feature`` (dtype ``"int32"``).

        >>> FeatureTypes.integer_categorical(max_tokens=10).preprocessor.max_tokens
        10
        """
        name = name or unique_name("integer_categorical")
        preprocessor = IntegerLookup(
            name=f"{name}_preprocessor", max_tokens=max_tokens, num_oov_indices=num_oov_indices
        )
        return Feature("int32", preprocessor, output_mode)

    @classmethod
    def string_categorical(
        cls,
        max_tokens: int | None = None,
        num_oov_indices: int = 1,
        output_mode: str = "one_hot",
        name: str | None = None,
    ) -> Feature:
        """String categories indexed in the vocabulary ``adapt`` learns (a ``StringLookup`` layer).

        Args:
            max_tokens: int or None, default None. The most indices, the OOV ones included.
            num_oov_indices: int, default 1. Indices for out-of-vocabulary strings (0: they are an error).
            output_mode: str, default ``"one_hot"``. ``"one_hot"`` or ``"int"`` (the index).
            name: str or None, default None. Names the preprocessor ``f"{name}_preprocessor"``.

        Returns:
            a ``Feature`` (dtype ``"string"``).

        >>> FeatureTypes.string_categorical().dtype
        'string'
        """
        name = name or unique_name("string_categorical")
        preprocessor = StringLookup(name=f"{name}_preprocessor", max_tokens=max_tokens, num_oov_indices=num_oov_indices)
        return Feature("string", preprocessor, output_mode)

    @classmethod
    def string_hashed(cls, num_bins: int, output_mode: str = "one_hot", name: str | None = None) -> Feature:
        """Strings hashed into ``num_bins`` buckets (a ``Hashing`` layer).

        Args:
            num_bins: int. The number of buckets.
            output_mode: str, default ``"one_hot"``. ``"one_hot"`` or ``"int"`` (the bucket).
            name: str or None, default None. Names the preprocessor ``f"{name}_preprocessor"``.

        Returns:
            a ``Feature`` (dtype ``"string"``).

        >>> FeatureTypes.string_hashed(num_bins=8).preprocessor.num_bins
        8
        """
        name = name or unique_name("string_hashed")
        return Feature("string", Hashing(name=f"{name}_preprocessor", num_bins=num_bins), output_mode)

    @classmethod
    def integer_hashed(cls, num_bins: int, output_mode: str = "one_hot", name: str | None = None) -> Feature:
        """Integers hashed into ``num_bins`` buckets (a ``Hashing`` layer).

        Args:
            num_bins: int. The number of buckets.
            output_mode: str, default ``"one_hot"``. ``"one_hot"`` or ``"int"`` (the bucket).
            name: str or None, default None. Names the preprocessor ``f"{name}_preprocessor"``.

        Returns:
            a ``Feature`` (dtype ``"int32"``).

        >>> FeatureTypes.integer_hashed(num_bins=8).dtype
        'int32'
        """
        name = name or unique_name("integer_hashed")
        return Feature("int32", Hashing(name=f"{name}_preprocessor", num_bins=num_bins), output_mode)
