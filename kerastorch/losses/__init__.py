"""``keras.losses``: Keras 3's losses on torch tensors.

Classes (``MeanSquaredError()``, ``SparseCategoricalCrossentropy(from_logits=True)`` ...) are
``Loss`` objects: ``loss(y_true, y_pred, sample_weight=None)`` returns the reduced loss.
Functions (``mean_squared_error``/``mse`` ...) return per-sample values, reduced over the
last axis. ``get`` takes Keras's identifiers: function names and their short aliases
(``"mse"``, ``"MAE"``, ``"bce"``, ``"kld"`` ...) give the function, class names give an
instance with the default arguments, config dicts are deserialized, callables pass through.

Decisions: configs add what Keras 3.15 drops (``Huber``'s ``delta``, ``CosineSimilarity``'s and
``SparseCategoricalCrossentropy``'s ``axis``, and ``dtype`` when one was given), so they round-trip;
Keras reads them too. The numerics decisions are in :mod:`kerastorch.losses.loss` (reduction)
and the family modules.

Example:
    >>> import torch
    >>> get("mse")(torch.tensor([[0.0, 2.0]]), torch.tensor([[1.0, 1.0]]))
    tensor([1.])
    >>> get("SparseCategoricalCrossentropy").name
    'sparse_categorical_crossentropy'
"""

from __future__ import annotations

from typing import Any, Callable

from kerastorch.backend.annotations import Identifier
from kerastorch.losses.ctc import CTC, ctc
from kerastorch.losses.loss import Loss, LossFunctionWrapper, reduce_weighted_values
from kerastorch.losses.margin import CategoricalHinge, Hinge, SquaredHinge, categorical_hinge, hinge, squared_hinge
from kerastorch.losses.metric_learning import Circle, circle
from kerastorch.losses.probabilistic import (
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    CategoricalGeneralizedCrossEntropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_generalized_cross_entropy,
    kl_divergence,
    poisson,
    sparse_categorical_crossentropy,
)
from kerastorch.losses.regression import (
    CosineSimilarity,
    Huber,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    cosine_similarity,
    huber,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)
from kerastorch.losses.segmentation import Dice, Tversky, dice, tversky
from kerastorch.serialization.object_registration import register_builtin
from kerastorch.serialization.serialization_lib import (
    deserialize_from_module,
    get_from_identifier,
    serialize_keras_object,
)

_MODULE = "keras.losses"

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kl_divergence
bce = BCE = binary_crossentropy
_ALIASES = {
    "mse": mse,
    "MSE": MSE,
    "mae": mae,
    "MAE": MAE,
    "mape": mape,
    "MAPE": MAPE,
    "msle": msle,
    "MSLE": MSLE,
    "kld": kld,
    "KLD": KLD,
    "bce": bce,
    "BCE": BCE,
}
for _name, _function in _ALIASES.items():
    register_builtin(_MODULE, _name)(_function)


def serialize(loss: Loss | Callable[..., Any]) -> dict[str, Any]:
    """The Keras config of a loss (a function gives its name).

    Args:
        loss: a ``Loss`` instance or a loss function.

    Returns:
        dict: ``{"module", "class_name", "config", "registered_name"}`` in Keras 3's format (for a function,
        ``"config"`` is its name).

    Raises:
        TypeError: for an object that is neither a function nor has ``get_config``.

    Example:
        >>> serialize(Huber(delta=2.0))["config"]["delta"]
        2.0
    """
    return serialize_keras_object(loss)


def deserialize(config: dict[str, Any] | str, custom_objects: dict[str, Any] | None = None) -> Callable[..., Any]:
    """A loss from a config dict or a name: ``deserialize("Huber")`` is ``Huber()``, ``deserialize("mse")``
    the function.

    Args:
        config: dict or str: a config from :func:`serialize` (or Keras 3), or a loss name (a class name gives an
            instance with the default arguments, a function name or alias the function).
        custom_objects: dict or None, default None: ``{name: class or function}`` searched before the built-in
            losses.

    Returns:
        A ``Loss`` instance or a loss function.

    Raises:
        ValueError: for an unknown name or class.
        TypeError: for a config that is neither a name nor a dict with ``"class_name"``.

    Example:
        >>> deserialize(serialize(Huber(delta=2.0))).delta
        2.0
    """
    return deserialize_from_module(config, _MODULE, "loss", custom_objects)


def get(identifier: Identifier) -> Callable[..., Any] | None:
    """A loss from a name, a config dict, a ``Loss`` instance or class, or a callable (None stays None).

    Args:
        identifier: None, str (``"mse"``, ``"binary_crossentropy"``, ``"Huber"`` ...), dict (a config), a
            ``Loss`` instance (returned as it is) or subclass (instantiated with its defaults), or a callable
            ``fn(y_true, y_pred)`` (returned as it is).

    Returns:
        The loss (an instance or a function), or None.

    Raises:
        ValueError: for an unknown name or an identifier of another kind.

    Example:
        >>> get("binary_crossentropy") is binary_crossentropy, type(get("Hinge")).__name__
        (True, 'Hinge')
    """
    return get_from_identifier(identifier, _MODULE, Loss, "loss", deserialize)


__all__ = [
    "Loss",
    "LossFunctionWrapper",
    "reduce_weighted_values",
    "get",
    "serialize",
    "deserialize",
    "MeanSquaredError",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError",
    "Huber",
    "LogCosh",
    "CosineSimilarity",
    "BinaryCrossentropy",
    "BinaryFocalCrossentropy",
    "CategoricalCrossentropy",
    "CategoricalFocalCrossentropy",
    "SparseCategoricalCrossentropy",
    "KLDivergence",
    "Poisson",
    "Hinge",
    "SquaredHinge",
    "CategoricalHinge",
    "CategoricalGeneralizedCrossEntropy",
    "Dice",
    "Tversky",
    "Circle",
    "CTC",
    "mean_squared_error",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error",
    "huber",
    "log_cosh",
    "cosine_similarity",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "sparse_categorical_crossentropy",
    "kl_divergence",
    "poisson",
    "hinge",
    "squared_hinge",
    "categorical_hinge",
    "categorical_generalized_cross_entropy",
    "dice",
    "tversky",
    "circle",
    "ctc",
    *_ALIASES,
]


def __dir__():
    return sorted(__all__)
