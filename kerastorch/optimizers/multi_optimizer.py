"""``MultiOptimizer`` and ``OptimizerMap``: different optimizers for different variables, Keras 3's API.

An :class:`OptimizerMap` maps variable paths (exact strings, else regular expressions that must match the
whole path) to optimizers, with a default for the rest; a :class:`MultiOptimizer` built on it (or on any
callable ``variable -> optimizer``) hands each variable's gradient to its optimizer, every sub-optimizer
updating its own variables in its own multi-tensor step.

Decisions recorded here (where Keras leaves room):

- Paths are kerastorch's weight paths, ``"<layer>/<weight>"`` (``"encoder_dense/kernel"``); Keras 3 prefixes
  the model's name for some models (``"sequential/dense/kernel"``). A pattern such as ``".*encoder.*"`` fits
  both.
- ``apply`` takes any subset of the variables the optimizer was built with; ``None`` gradients are skipped, a
  sub-optimizer whose variables all lack gradients does not step, and a call without any gradient does not
  count (as for every kerastorch optimizer). The ``MultiOptimizer``'s own ``iterations`` counts the calls that
  updated something; each sub-optimizer counts its own steps.
- ``state_dict()`` holds the own ``iterations`` and ``learning_rate`` (always 0, as in Keras), then each
  sub-optimizer's state under ``"optimizer_<i>/"`` in the order of :attr:`MultiOptimizer.optimizers`: the
  order of Keras's ``optimizer.variables``, so the ``.weights.h5`` layout is Keras's too.
- A Keras config does not say when two entries of a map are one optimizer; :meth:`OptimizerMap.from_config`
  shares one instance between entries whose configs are identical, names included (distinct optimizers get
  distinct names), so that a saved model loads with the optimizers and state it was saved with.

Example:
    >>> import kerastorch as keras
    >>> optimizer_map = OptimizerMap(keras.optimizers.SGD(0.1), {"encoder/.*": keras.optimizers.Adam(1e-3)})
    >>> optimizer = MultiOptimizer(optimizer_map)
    >>> [type(o).__name__ for o in optimizer.optimizers]
    ['Adam', 'SGD']
"""

from __future__ import annotations

import collections.abc
import json
import re
from typing import Any, Callable, Iterable, Iterator, Mapping, NoReturn

import torch

from kerastorch.backend.annotations import TensorLike
from kerastorch.optimizers.base import Optimizer, check_hyperparameter
from kerastorch.serialization.object_registration import builtin_objects, register_builtin
from kerastorch.serialization.serialization_lib import deserialize_keras_object, serialize_keras_object

__all__ = ["MultiOptimizer", "OptimizerMap"]


def _check_optimizer(optimizer, what):
    if not isinstance(optimizer, Optimizer):
        raise ValueError(
            f"OptimizerMap: {what} must be a kerastorch Optimizer instance. "
            f"Received: {optimizer!r} ({type(optimizer).__name__})"
        )
    return optimizer


def _variable_path(variable):
    path = getattr(variable, "path", None) or getattr(variable, "name", None)
    if not isinstance(path, str):
        raise ValueError(
            "OptimizerMap: a variable must have a `path` (a kerastorch Variable) to be matched. "
            f"Received a {type(variable).__name__} of shape {tuple(getattr(variable, 'shape', ()))}"
        )
    return path


@register_builtin("keras.optimizers")
class OptimizerMap(collections.abc.MutableMapping):
    """A mapping from variable paths to optimizers, with a default optimizer for the other variables.

    ``optimizer_map[path]`` returns the optimizer of the key equal to ``path``; failing that, of the key
    that matches the whole ``path`` as a regular expression (``re.fullmatch``: ``"encoder/.*"`` matches every
    weight of the layer ``encoder``, ``"encoder"`` only the path ``"encoder"``); failing that, the default.
    Calling the map on a variable looks up its ``path``, which is how :class:`MultiOptimizer` uses it.

    Args:
        default_optimizer: a kerastorch :class:`~kerastorch.optimizers.Optimizer` instance, for the variables
            no key matches.
        optimizer_map: dict or None, default None: initial ``{path or pattern: optimizer}`` entries.

    Raises:
        TypeError: when ``default_optimizer`` is not an optimizer instance.
        ValueError: for a key that is not a string or not a valid regular expression, a value that is not an
            optimizer instance, or (on lookup) a path that more than one pattern matches.

    >>> import kerastorch as keras
    >>> optimizer_map = OptimizerMap(keras.optimizers.RMSprop(name="rmsprop"))
    >>> optimizer_map["encoder/layer_0/dense"] = keras.optimizers.Adam(name="adam")
    >>> optimizer_map["encoder/.*"] = keras.optimizers.SGD(name="sgd")
    >>> [optimizer_map[path].name for path in ("encoder/layer_0/dense", "encoder/query", "decoder/dense")]
    ['adam', 'sgd', 'rmsprop']
    """

    def __init__(self, default_optimizer: Optimizer, optimizer_map: Mapping[str, Optimizer] | None = None) -> None:
        if not isinstance(default_optimizer, Optimizer):
            raise TypeError(
                "OptimizerMap: default_optimizer must be a kerastorch Optimizer instance. "
                f"Received: {default_optimizer!r} ({type(default_optimizer).__name__})"
            )
        self._default_optimizer = default_optimizer
        self._map: dict[str, Optimizer] = {}
        self._patterns: dict[str, re.Pattern[str]] = {}
        for key, optimizer in dict(optimizer_map or {}).items():
            self[key] = optimizer

    @property
    def default_optimizer(self) -> Optimizer:
        """The optimizer of the variables that no key matches."""
        return self._default_optimizer

    def __getitem__(self, key: str) -> Optimizer:
        if not isinstance(key, str):
            raise ValueError(f"OptimizerMap: a key must be a string (a variable path). Received: {key!r}")
        if key in self._map:
            return self._map[key]
        matches = [k for k, pattern in self._patterns.items() if pattern.fullmatch(key)]
        if len(matches) > 1:
            raise ValueError(
                f"OptimizerMap: multiple optimizers assigned to variable {key!r}: the patterns {matches} all match it."
            )
        return self._map[matches[0]] if matches else self._default_optimizer

    def __setitem__(self, key: str, optimizer: Optimizer) -> None:
        if not isinstance(key, str):
            raise ValueError(f"OptimizerMap: a key must be a string (a variable path or pattern). Received: {key!r}")
        try:
            pattern = re.compile(key)
        except re.error as error:
            raise ValueError(f"OptimizerMap: key {key!r} is not a valid regular expression: {error}") from error
        self._map[key] = _check_optimizer(optimizer, f"the optimizer for key {key!r}")
        self._patterns[key] = pattern

    def __delitem__(self, key: str) -> None:
        del self._map[key]
        del self._patterns[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._map)

    def __len__(self) -> int:
        return len(self._map)

    def __call__(self, variable: torch.Tensor) -> Optimizer:
        """The optimizer of ``variable``: ``self[variable.path]``."""
        return self[_variable_path(variable)]

    def __repr__(self) -> str:
        return f"<OptimizerMap default={self._default_optimizer.name}, {len(self)} entries>"

    def get_config(self) -> dict[str, Any]:
        """Keras 3's config: the default optimizer and each entry, serialized."""
        return {
            "default_optimizer": serialize_keras_object(self._default_optimizer),
            "optimizer_map": {key: serialize_keras_object(value) for key, value in self._map.items()},
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> OptimizerMap:
        """Rebuild from :meth:`get_config` output (Keras 3's too); entries with identical configs share one
        optimizer (see the module docstring)."""
        built: dict[str, Optimizer] = {}

        def optimizer(entry: Any) -> Optimizer:
            key = json.dumps(entry, sort_keys=True, default=str)
            if key not in built:
                built[key] = deserialize_keras_object(
                    entry,
                    module_objects=builtin_objects("keras.optimizers"),
                    custom_objects=custom_objects,
                    printable_module_name="optimizer",
                )
            return built[key]

        default = optimizer(config["default_optimizer"])
        return cls(default, {key: optimizer(entry) for key, entry in (config.get("optimizer_map") or {}).items()})


@register_builtin("keras.optimizers")
class MultiOptimizer(Optimizer):
    """An optimizer that delegates each variable to its own optimizer.

    ``optimizer_map`` picks each variable's optimizer when the ``MultiOptimizer`` is built (at the first
    step or ``build``); every step then hands each sub-optimizer the gradients of its variables. Attributes
    of the sub-optimizers (learning rates, iterations) are read on :attr:`optimizers`; a ``MultiOptimizer``
    has no learning rate of its own, so callbacks that set one (``LearningRateScheduler``,
    ``ReduceLROnPlateau``) refuse it. ``finalize_variable_values``, ``swap_ema_weights``,
    ``copy_variables_to_ema`` and ``exclude_from_weight_decay`` go to every sub-optimizer.

    Args:
        optimizer_map: an :class:`OptimizerMap`, or a callable that takes a variable and returns its
            kerastorch optimizer (called once per variable at build time; it may return one optimizer for
            several variables).
        loss_scale_factor: float or None, default None: the factor the loss is multiplied by before the
            gradients are computed; it replaces every sub-optimizer's own ``loss_scale_factor``, so that
            each divides the gradients by it.
        name: str or None: the optimizer's name.

    Raises:
        TypeError: when ``optimizer_map`` is neither an :class:`OptimizerMap` nor callable, or when the
            callable returns something other than an optimizer.
        AttributeError: on reading or setting ``learning_rate``.

    >>> import torch
    >>> import kerastorch as keras
    >>> encoder = keras.Variable(torch.ones(2), name="kernel")
    >>> head = keras.Variable(torch.ones(2), name="bias")
    >>> optimizer = MultiOptimizer(OptimizerMap(keras.optimizers.SGD(0.5), {"kernel": keras.optimizers.SGD(0.1)}))
    >>> optimizer.apply([torch.ones(2), torch.ones(2)], [encoder, head])
    >>> encoder.numpy(), head.numpy()
    (array([0.9, 0.9], dtype=float32), array([0.5, 0.5], dtype=float32))
    """

    def __init__(
        self,
        optimizer_map: OptimizerMap | Callable[[torch.Tensor], Optimizer],
        loss_scale_factor: float | None = None,
        name: str | None = None,
    ) -> None:
        if not isinstance(optimizer_map, OptimizerMap) and not callable(optimizer_map):
            raise TypeError(
                "MultiOptimizer: optimizer_map must be an OptimizerMap or a callable that returns an "
                f"optimizer for a variable. Received: {optimizer_map!r}"
            )
        self._optimizer_map = optimizer_map
        self._built_optimizers: list[Optimizer] | None = None  # fixed by build()
        self._owners: dict[int, int] = {}
        self._pending_exclusions: list[tuple[list[torch.Tensor], list[str]]] = []
        self._loss_scale_factor: float | None = None
        super().__init__(learning_rate=0.0, loss_scale_factor=loss_scale_factor, name=name)
        self._ready = True

    # --------------------------------------------------------------- attributes of the sub-optimizers
    @property
    def optimizers(self) -> list[Optimizer]:
        """The sub-optimizers: an :class:`OptimizerMap`'s entries in order, then its default (each once); for a
        callable, those it returned, in the order of the variables (empty before ``build``)."""
        if self._built_optimizers is not None:
            return list(self._built_optimizers)
        if isinstance(self._optimizer_map, OptimizerMap):
            return _unique([*self._optimizer_map.values(), self._optimizer_map.default_optimizer])
        return []

    @property
    def optimizer_map(self) -> OptimizerMap | Callable[[torch.Tensor], Optimizer]:
        """The :class:`OptimizerMap` or callable given to the constructor."""
        return self._optimizer_map

    @property
    def learning_rate(self) -> NoReturn:
        """Not available: read the learning rate of each of :attr:`optimizers`."""
        raise AttributeError(
            "Learning rate cannot be accessed on a MultiOptimizer. Access the learning rate on the "
            "individual sub-optimizers (`optimizer.optimizers`) instead."
        )

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        if getattr(self, "_ready", False):  # the base constructor sets its placeholder first
            raise AttributeError(
                "Learning rate cannot be set on a MultiOptimizer. Set the learning rate on the "
                "individual sub-optimizers (`optimizer.optimizers`) instead."
            )

    @property
    def loss_scale_factor(self) -> float | None:
        """The loss scale factor, shared by every sub-optimizer (setting it sets theirs)."""
        return self._loss_scale_factor

    @loss_scale_factor.setter
    def loss_scale_factor(self, value: float | None) -> None:
        self._loss_scale_factor = check_hyperparameter(value, "loss_scale_factor", low_open=True)
        for optimizer in self.optimizers:
            optimizer.loss_scale_factor = self._loss_scale_factor

    @property
    def use_ema(self) -> bool:
        """Whether any sub-optimizer keeps moving averages (``SwapEMAWeights`` then swaps theirs)."""
        return any(optimizer.use_ema for optimizer in self.optimizers)

    @use_ema.setter
    def use_ema(self, value: bool) -> None:
        if getattr(self, "_ready", False) or value:
            raise AttributeError(
                "use_ema cannot be set on a MultiOptimizer: create the sub-optimizers with use_ema=True instead."
            )

    # ----------------------------------------------------------------------------- build and step
    def build(self, variables: Iterable[torch.Tensor]) -> None:
        """Pick each variable's optimizer and build every sub-optimizer on its variables (once)."""
        if self.built:
            return
        variables = list(variables)
        groups: dict[int, tuple[Optimizer, list[torch.Tensor]]] = {}
        for variable in variables:
            optimizer = self._optimizer_map(variable)
            if not isinstance(optimizer, Optimizer):
                raise TypeError(
                    f"MultiOptimizer '{self.name}': optimizer_map returned {optimizer!r} for variable "
                    f"{_variable_path(variable)}; expected a kerastorch Optimizer instance"
                )
            groups.setdefault(id(optimizer), (optimizer, []))[1].append(variable)
        if isinstance(self._optimizer_map, OptimizerMap):
            optimizers = _unique([*self._optimizer_map.values(), self._optimizer_map.default_optimizer])
        else:
            optimizers = [optimizer for optimizer, _ in groups.values()]
        self._built_optimizers = optimizers
        self._owners = {}
        for index, optimizer in enumerate(optimizers):
            members = groups.get(id(optimizer), (optimizer, []))[1]
            optimizer.loss_scale_factor = self._loss_scale_factor
            for var_list, var_names in self._pending_exclusions:
                optimizer.exclude_from_weight_decay(var_list=var_list, var_names=var_names)
            optimizer.build(members)
            self._owners.update({id(v): index for v in members})
        device = variables[0].device if variables else self._iterations.device
        self._iterations = self._iterations.to(device)
        self._lr_tensor = self._lr_tensor.to(device)
        self._variables = variables
        self.built = True

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        # Which sub-optimizer owns each variable, by id: rebuilt from the sub-optimizers' own variable lists.
        self._owners = {
            id(v): index
            for index, optimizer in enumerate(getattr(self, "_built_optimizers", ()))
            for v in optimizer._variables
        }

    def apply(
        self, grads: Iterable[torch.Tensor | None], trainable_variables: Iterable[torch.Tensor] | None = None
    ) -> None:
        """One step: each sub-optimizer applies the gradients of its variables (``None`` gradients skipped);
        builds on first use, as every optimizer does."""
        grads = list(grads)
        if trainable_variables is None:
            if not self.built:
                raise ValueError(f"Optimizer '{self.name}': pass trainable_variables to apply() or call build().")
            trainable_variables = self._variables
        trainable_variables = list(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError(
                f"Optimizer '{self.name}'.apply: received {len(grads)} gradients for "
                f"{len(trainable_variables)} variables"
            )
        if not self.built:
            self.build(trainable_variables)
        optimizers = self.optimizers  # the built sub-optimizers, in order
        parts: list[tuple[list[torch.Tensor], list[torch.Tensor]]] = [([], []) for _ in optimizers]
        for grad, variable in zip(grads, trainable_variables):
            index = self._owners.get(id(variable))
            if index is None:
                raise ValueError(
                    f"Optimizer '{self.name}' received variable {getattr(variable, 'path', None)} that "
                    "was not passed to build(); build the optimizer with every variable it will update."
                )
            if grad is not None:
                parts[index][0].append(grad)
                parts[index][1].append(variable)
        if not any(part_grads for part_grads, _ in parts):
            return
        for optimizer, (part_grads, part_variables) in zip(optimizers, parts):
            if part_grads:
                optimizer.apply(part_grads, part_variables)
        self._iterations.add_(1)
        self._host_step += 1

    # ------------------------------------------------------------------------ moving averages, decay
    def finalize_variable_values(self, var_list: Iterable[torch.Tensor] | None = None) -> None:
        """Each sub-optimizer's (with ``use_ema``, the moving averages replace its variables)."""
        for optimizer in self.optimizers:
            optimizer.finalize_variable_values(var_list)

    def swap_ema_weights(self, var_list: Iterable[torch.Tensor] | None = None) -> None:
        """Each sub-optimizer with ``use_ema`` exchanges its variables and their moving averages."""
        for optimizer in self.optimizers:
            optimizer.swap_ema_weights(var_list)

    def copy_variables_to_ema(self, var_list: Iterable[torch.Tensor] | None = None) -> None:
        """Each sub-optimizer with ``use_ema`` sets its moving averages to its variables' values."""
        for optimizer in self.optimizers:
            optimizer.copy_variables_to_ema(var_list)

    def exclude_from_weight_decay(
        self, var_list: Iterable[torch.Tensor] | None = None, var_names: Iterable[str] | None = None
    ) -> None:
        """Exempt variables from the weight decay of every sub-optimizer (those a callable returns later too)."""
        self._pending_exclusions.append((list(var_list or ()), list(var_names or ())))
        for optimizer in self.optimizers:
            optimizer.exclude_from_weight_decay(var_list=var_list, var_names=var_names)

    # ------------------------------------------------------------------------------------- state
    def _state_items(self):
        yield "iterations", self._iterations
        yield "learning_rate", self._lr_tensor
        for index, optimizer in enumerate(self._built_optimizers or ()):
            for key, tensor in optimizer.state_dict().items():
                yield f"optimizer_{index}/{key}", tensor

    def load_state_dict(self, state: Mapping[str, TensorLike]) -> None:
        """Restore :meth:`state_dict` output: the own counter, then each sub-optimizer's state."""
        if not self.built:
            raise ValueError(f"Optimizer '{self.name}': call build(variables) before load_state_dict().")
        own = self.state_dict()
        missing, unexpected = sorted(own.keys() - state.keys()), sorted(state.keys() - own.keys())
        if missing or unexpected:
            raise ValueError(
                f"Optimizer '{self.name}'.load_state_dict: missing keys {missing}, unexpected keys {unexpected}"
            )
        with torch.no_grad():
            self._iterations.copy_(torch.as_tensor(state["iterations"]))
        self._host_step = int(self._iterations)
        for index, optimizer in enumerate(self.optimizers):
            prefix = f"optimizer_{index}/"
            optimizer.load_state_dict(
                {key[len(prefix) :]: value for key, value in state.items() if key.startswith(prefix)}
            )

    # ------------------------------------------------------------------------------------ config
    def get_config(self) -> dict[str, Any]:
        """Keras 3's config: the map (or the callable) serialized, ``loss_scale_factor`` and ``name``."""
        return {
            "optimizer_map": serialize_keras_object(self._optimizer_map),
            "loss_scale_factor": self._loss_scale_factor,
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> MultiOptimizer:
        """Rebuild from :meth:`get_config` output (Keras 3's too); a callable must be registered or in
        ``custom_objects``."""
        config = dict(config)
        optimizer_map = deserialize_keras_object(
            config.pop("optimizer_map"), custom_objects=custom_objects, printable_module_name="optimizer_map"
        )
        if isinstance(optimizer_map, str):
            raise ValueError(
                f"MultiOptimizer.from_config: unknown optimizer_map {optimizer_map!r}: register the "
                "function with keras.saving.register_keras_serializable or pass it in custom_objects"
            )
        return cls(optimizer_map, **config)

    def __repr__(self) -> str:
        return f"<MultiOptimizer name={self.name}, optimizers={[o.name for o in self.optimizers]}>"


def _unique(optimizers):
    """``optimizers`` without repeats of one instance, in order."""
    seen, result = set(), []
    for optimizer in optimizers:
        if id(optimizer) not in seen:
            seen.add(id(optimizer))
            result.append(optimizer)
    return result
