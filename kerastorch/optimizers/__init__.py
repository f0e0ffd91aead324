"""``keras.optimizers``: Keras 3's optimizers on torch multi-tensor ops, and learning rate schedules.

Every optimizer updates all parameters of a step with a few ``torch._foreach_*``
kernels, implements Keras 3's update formulas and defaults, and keeps its state in
tensors on the parameters' device (``state_dict()`` / ``load_state_dict()``).

Example:
    >>> import kerastorch as keras
    >>> optimizer = keras.optimizers.get("adam")
    >>> schedule = keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=1000)
    >>> optimizer = keras.optimizers.AdamW(learning_rate=schedule, weight_decay=1e-4)
"""

from __future__ import annotations

from typing import Any

import torch

from kerastorch.optimizers import schedules
from kerastorch.optimizers.adadelta import Adadelta
from kerastorch.optimizers.adafactor import Adafactor
from kerastorch.optimizers.adagrad import Adagrad
from kerastorch.optimizers.adam import Adam, AdamW
from kerastorch.optimizers.adamax import Adamax
from kerastorch.optimizers.base import Optimizer
from kerastorch.optimizers.ftrl import Ftrl
from kerastorch.optimizers.lamb import Lamb
from kerastorch.optimizers.lion import Lion
from kerastorch.optimizers.loss_scale_optimizer import LossScaleOptimizer
from kerastorch.optimizers.multi_optimizer import MultiOptimizer, OptimizerMap
from kerastorch.optimizers.muon import Muon
from kerastorch.optimizers.nadam import Nadam
from kerastorch.optimizers.rmsprop import RMSprop
from kerastorch.optimizers.schedule_free_adamw import ScheduleFreeAdamW
from kerastorch.optimizers.sgd import SGD
from kerastorch.serialization.object_registration import get_registered_object
from kerastorch.serialization.serialization_lib import deserialize_keras_object, serialize_keras_object

__all__ = [
    "Optimizer",
    "SGD",
    "RMSprop",
    "Adam",
    "AdamW",
    "Nadam",
    "Adagrad",
    "Adadelta",
    "Adamax",
    "Lion",
    "Ftrl",
    "Lamb",
    "Adafactor",
    "Muon",
    "ScheduleFreeAdamW",
    "LossScaleOptimizer",
    "MultiOptimizer",
    "OptimizerMap",
    "schedules",
    "get",
    "serialize",
    "deserialize",
]

_BUILTINS = (
    SGD,
    RMSprop,
    Adam,
    AdamW,
    Nadam,
    Adagrad,
    Adadelta,
    Adamax,
    Lion,
    Ftrl,
    Lamb,
    Adafactor,
    Muon,
    ScheduleFreeAdamW,
)
# Keras accepts the class name and its lower-case form: "Adam", "adam", "RMSprop", "rmsprop".
_BY_NAME = {**{cls.__name__: cls for cls in _BUILTINS}, **{cls.__name__.lower(): cls for cls in _BUILTINS}}


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    """The Keras config dict of an optimizer.

    Args:
        optimizer: An :class:`Optimizer` instance.

    Returns:
        A JSON-compatible dict ``{"module", "class_name", "config", "registered_name"}`` in Keras 3's
        format; its ``"config"`` is ``optimizer.get_config()``.

    Raises:
        TypeError: If ``optimizer`` has no ``get_config`` method.

    >>> serialize(Adam(learning_rate=0.01))["class_name"]
    'Adam'
    """
    return serialize_keras_object(optimizer)


def deserialize(config: dict[str, Any] | str, custom_objects: dict[str, Any] | None = None) -> Optimizer:
    """An optimizer from :func:`serialize` output or a name (Keras 3 configs read too).

    Args:
        config: A config dict (:func:`serialize` output, or Keras 3's) or an optimizer's class name in
            either case (``"Adam"``, ``"adam"``) or registered name.
        custom_objects: Dict or None, ``{name: class}`` for optimizers that are not built-in or
            registered. Defaults to None.

    Returns:
        The optimizer; a name gives an instance with the default arguments.

    Raises:
        ValueError: If the name (or the config's ``class_name``) is unknown.
        TypeError: If ``config`` is neither a name nor a dict with ``"class_name"``, or its ``"config"``
            does not fit the optimizer's constructor.

    >>> deserialize(serialize(SGD(learning_rate=0.5))).learning_rate
    0.5
    """
    obj = deserialize_keras_object(
        config, module_objects=_BY_NAME, custom_objects=custom_objects, printable_module_name="optimizer"
    )
    return obj() if isinstance(obj, type) else obj


def get(identifier: Optimizer | torch.optim.Optimizer | dict[str, Any] | str) -> Optimizer | torch.optim.Optimizer:
    """An optimizer from a name (``"adam"``, ``"SGD"`` ...), a config dict or an instance; a
    ``torch.optim.Optimizer`` passes through unchanged.

    Args:
        identifier: An optimizer's name (class name in either case, or a registered name), a config
            dict, an :class:`Optimizer` or a ``torch.optim.Optimizer``.

    Returns:
        The optimizer instance (a new one with the default arguments for a name).

    Raises:
        ValueError: If ``identifier`` is none of the above or names no known optimizer.

    >>> type(get("rmsprop")).__name__
    'RMSprop'
    """
    if isinstance(identifier, (Optimizer, torch.optim.Optimizer)):
        return identifier
    known_name = isinstance(identifier, str) and (
        identifier in _BY_NAME or get_registered_object(identifier) is not None
    )
    optimizer = deserialize(identifier) if known_name or isinstance(identifier, dict) else None
    if isinstance(optimizer, Optimizer):
        return optimizer
    raise ValueError(
        f"Could not interpret optimizer identifier: {identifier!r}. Expected one of "
        f"{sorted(cls.__name__.lower() for cls in _BUILTINS)}, a config dict or an Optimizer."
    )


def __dir__():
    return sorted(__all__)
