"""Helpers shared by the layer families: how errors name a layer, argument checks that name it, the
``<weight>_initializer`` / ``_regularizer`` / ``_constraint`` options, building a sublayer, and LoRA.

The families import these (they sit right above :mod:`kerastorch.layers.base` in the import stack); none of
them is part of the public ``kerastorch.layers`` namespace.

Example:
    >>> from kerastorch.layers import Dense
    >>> layer_label(Dense(2, name="head"))
    'Dense layer "head"'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Union, cast

import numpy as np
import torch

from kerastorch import constraints, initializers, regularizers
from kerastorch.backend import validation
from kerastorch.backend.annotations import Identifier
from kerastorch.layers.base import Layer

InitializerLike = Union[Identifier, torch.Tensor, np.ndarray]
"""What a ``<weight>_initializer`` argument takes: what ``keras.initializers.get`` accepts (a name, a config, an
initializer or callable, None), or a tensor or array to copy."""

if TYPE_CHECKING:  # the mixin's methods use the attributes of the layers it is mixed into
    _LayerBase = Layer
else:
    _LayerBase = object

__all__ = [
    "LoRA",
    "build_sublayer",
    "check_seed",
    "layer_label",
    "positive_int",
    "set_weight_options",
    "weight_options_config",
]


def layer_label(layer: Any) -> str:
    """``Dense layer "dense_1"``: how errors name a layer.

    Args:
        layer: the layer (anything with a ``name``).

    Returns:
        str, the layer's class and name.
    """
    return f'{type(layer).__name__} layer "{layer.name}"'


def positive_int(layer: Any, arg: str, value: Any) -> int:
    """``value`` as an int ``>= 1``, or a ValueError naming the layer and the argument
    (:func:`kerastorch.backend.validation.positive_int`).

    Args:
        layer: the layer whose argument it is (named in the error).
        arg: str, the argument's name.
        value: the value given.

    Returns:
        int, the value.

    Raises:
        ValueError: for anything but a positive integer.

    >>> from kerastorch.layers import Dense
    >>> positive_int(Dense(1, name="d"), "units", 3)
    3
    """
    return validation.positive_int(layer_label(layer), arg, value)


def check_seed(layer: Any, seed: Any) -> int | None:
    """``seed`` as an int, or None, else a ValueError naming the layer
    (:func:`kerastorch.backend.validation.integer`).

    Args:
        layer: the layer whose seed it is (named in the error).
        seed: the seed given (an int or None).

    Returns:
        int or None.

    Raises:
        ValueError: for anything but an integer or None.
    """
    return validation.integer(layer_label(layer), "seed", seed, allow_none=True)


_OPTION_MODULES = {"initializer": initializers, "regularizer": regularizers, "constraint": constraints}


def set_weight_options(layer: Any, prefix: str = "", **options: Any) -> None:
    """Resolve ``<weight>_initializer`` / ``_regularizer`` / ``_constraint`` arguments with their module's
    ``get`` and set each on ``layer`` as ``prefix + name``.

    Args:
        layer: the layer to set them on.
        prefix: str, default "": a prefix for the attribute names.
        **options: ``<weight>_initializer``, ``<weight>_regularizer`` or ``<weight>_constraint`` values, each
            anything its namespace's ``get`` accepts.

    Raises:
        ValueError: for an identifier the namespace does not know.

    >>> from kerastorch.layers import Dense, Identity
    >>> layer = Identity(); set_weight_options(layer, kernel_initializer="zeros", kernel_constraint=None)
    >>> type(layer.kernel_initializer).__name__, layer.kernel_constraint
    ('Zeros', None)
    """
    for name, value in options.items():
        setattr(layer, prefix + name, _OPTION_MODULES[name.rsplit("_", 1)[1]].get(value))


def weight_options_config(
    layer: Any, *weights: str, prefix: str = "", activity_regularizer: bool = False
) -> dict[str, Any]:
    """Config entries of the options that ``set_weight_options`` set for ``weights`` (all initializers, then
    the regularizers (and ``activity_regularizer`` when asked), then the constraints, as Keras lists them).

    Args:
        layer: the layer holding the options.
        *weights: str, the weight names (``"kernel"``, ``"bias"`` ...).
        prefix: str, default "": the attribute prefix ``set_weight_options`` was given.
        activity_regularizer: bool, default False: whether to add ``activity_regularizer`` too.

    Returns:
        dict, config key to serialized option.

    >>> from kerastorch.layers import Dense, Identity
    >>> layer = Identity(); set_weight_options(layer, alpha_initializer="zeros", alpha_regularizer=None,
    ...                                         alpha_constraint=None)
    >>> list(weight_options_config(layer, "alpha"))
    ['alpha_initializer', 'alpha_regularizer', 'alpha_constraint']
    """
    config: dict[str, Any] = {}
    for kind, module in _OPTION_MODULES.items():
        for weight in weights:
            config[f"{weight}_{kind}"] = module.serialize(getattr(layer, f"{prefix}{weight}_{kind}"))
        if kind == "regularizer" and activity_regularizer:
            config["activity_regularizer"] = regularizers.serialize(layer.activity_regularizer)
    return config


def build_sublayer(parent: Layer, child: Any, shape: Any) -> None:
    """Build ``child`` for ``shape`` on the parent's device and prefix its weight paths with the parent's name.

    Args:
        parent: Layer, the layer that owns ``child``.
        child: the sublayer (a kerastorch layer, or any object with a ``build(shape)``).
        shape: the input shape ``child`` is built for.
    """
    if not isinstance(child, Layer):
        build = getattr(child, "build", None)
        if build is not None:
            build(shape)
        return
    if not child.built:
        child._build_device = parent._build_device
        try:
            child._run_build(tuple(shape), args=None)
        finally:
            child._build_device = None
        for weight in child.weights:
            weight._path = f"{parent.name}/{weight._path}"  # type: ignore[attr-defined]  # a Variable's path


class LoRA(_LayerBase):
    """LoRA for a layer whose weight is named ``_lora_target`` (``kernel``, ``embeddings``): ``A`` has the
    weight's shape but for a last axis of ``rank``, ``B`` is ``(rank, last axis)``; ``_merged`` (for 2-D
    weights here) adds ``(alpha / rank) * A @ B``."""

    _lora_target: str | None = None

    def _init_lora(self, lora_rank, lora_alpha):
        if lora_rank is not None:
            positive_int(self, "lora_rank", lora_rank)
        self.lora_rank = lora_rank
        self.lora_alpha = lora_alpha if lora_alpha is not None else lora_rank
        self.lora_enabled = False

    def enable_lora(
        self,
        rank: int,
        lora_alpha: float | None = None,
        a_initializer: Identifier = "he_uniform",
        b_initializer: Identifier = "zeros",
    ) -> None:
        """Freeze the base weight and train a rank-``rank`` update ``A @ B`` instead.

        >>> from kerastorch.layers import Dense
        >>> layer = Dense(8); layer.build((None, 4)); layer.enable_lora(2)
        >>> [w.name for w in layer.trainable_weights]
        ['bias', 'lora_kernel_a', 'lora_kernel_b']
        """
        target = cast(str, self._lora_target)  # each LoRA layer names its weight
        rank = positive_int(self, "rank", rank)
        if not self.built:
            raise ValueError(
                f"{layer_label(self)}: enable_lora needs a built layer; call build(input_shape) "
                "or call the layer on data first"
            )
        if self.lora_enabled:
            raise ValueError(
                f"{layer_label(self)}: LoRA is already enabled (rank {self.lora_rank}); "
                "it can only be enabled once per layer"
            )
        base = getattr(self, target)
        if base.constraint is not None:
            raise ValueError(
                f"{layer_label(self)}: LoRA is incompatible with a {target}_constraint; remove "
                f"{target}_constraint={base.constraint!r} to enable LoRA"
            )
        base.trainable = False
        shape = tuple(getattr(self, "_float_kernel_shape", None) or base.shape)  # int4 packs the quantized kernel
        self._lora_a = self.add_weight(name=f"lora_{target}_a", shape=shape[:-1] + (rank,), initializer=a_initializer)
        self._lora_b = self.add_weight(name=f"lora_{target}_b", shape=(rank, shape[-1]), initializer=b_initializer)
        setattr(self, f"lora_{target}_a", self._lora_a)
        setattr(self, f"lora_{target}_b", self._lora_b)
        self.lora_rank = rank
        self.lora_alpha = lora_alpha if lora_alpha is not None else rank
        self._lora_scale = self.lora_alpha / rank
        self.lora_enabled = True

    def _merged(self, weight):
        """``weight + (alpha / rank) * A @ B``; callers check ``lora_enabled`` first."""
        return torch.addmm(weight, self._lora_a, self._lora_b, alpha=self._lora_scale)

    def _lora_config(self):
        return {"lora_rank": self.lora_rank, "lora_alpha": self.lora_alpha} if self.lora_rank else {}
