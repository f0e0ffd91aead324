"""The ``Optimizer`` base: Keras 3 optimizer semantics on torch's multi-tensor ops.

One step (:meth:`Optimizer.apply`) runs, in Keras 3's order: drop ``None`` gradients;
divide by ``loss_scale_factor``; gradient accumulation (only every
``gradient_accumulation_steps``-th call updates, with the mean of the accumulated
gradients); clipping (``clipnorm`` per tensor, ``global_clipnorm`` over all,
``clipvalue``); decoupled weight decay ``v -= v * weight_decay * lr``; the subclass's
update rule over whole lists of tensors (``torch._foreach_*``, one group per device
and dtype); the exponential moving average; ``iterations += 1``; each variable's
``constraint``.

Decisions recorded here (where Keras leaves room):

- ``iterations`` is a 0-d int64 tensor on the variables' device. With gradient
  accumulation the stored counter counts calls and ``iterations`` is that count
  divided by the accumulation steps (Keras 3.15 does the same); the learning rate
  schedule sees the call count, bias corrections and EMA see ``iterations``.
- Everything computed from the step (learning rate, schedules, bias corrections) is a
  device tensor, so a step never waits for the device. Choices of *which* ops run
  (accumulation boundary, first EMA step, EMA overwrite) follow a host-side copy of
  the counter, which ``apply`` and ``load_state_dict`` keep in step; change the
  counter through ``load_state_dict``, not by writing into ``iterations``.
- A constant learning rate enters the kernels as a Python float (no extra kernels or
  temporaries; setting it, as ReduceLROnPlateau does, changes the next step); it is
  mirrored in a 0-d float32 tensor for ``state_dict`` (Keras's ``learning_rate``
  variable). Schedules are evaluated on the device at every step.
- ``state_dict()`` lists the live state tensors in the order of Keras's
  ``optimizer.variables`` (``iterations``, ``learning_rate``, EMA averages, gradient
  accumulators, then the slots as Keras interleaves them), keyed by the variable's
  index in ``build``: ``"0/momentum"``, ``"0/velocity"``, ``"1/momentum"`` ...
- EMA averages start as a copy of the variables (Keras starts from zeros, but its
  first step overwrites them, so the two agree from the first step on).

Example:
    >>> import torch
    >>> import kerastorch as keras
    >>> layer = keras.layers.Dense(2)
    >>> layer.build((None, 3))
    >>> optimizer = keras.optimizers.Adam(learning_rate=0.01)
    >>> loss = layer(torch.ones(4, 3)).square().sum()
    >>> loss.backward()
    >>> optimizer.apply([w.grad for w in layer.trainable_weights], layer.trainable_weights)
    >>> int(optimizer.iterations)
    1
"""

from __future__ import annotations

import numbers
import re
from typing import Any, Callable, Iterable, Mapping, Union

import torch

from kerastorch.backend.annotations import TensorLike
from kerastorch.backend.naming import to_snake_case, unique_name
from kerastorch.optimizers import schedules
from kerastorch.serialization.serialization_lib import serialize_keras_object

LearningRate = Union[float, torch.Tensor, schedules.LearningRateSchedule, Callable[[], Any]]
"""A ``learning_rate`` argument: a number (a Python or NumPy float, or a 0-d tensor), a
``LearningRateSchedule``, or a callable without arguments that returns the rate to use."""
Tensors = Union[list[torch.Tensor], tuple[torch.Tensor, ...]]
"""A list (or tuple) of tensors, as the multi-tensor ``torch._foreach_*`` ops take and return them."""


def _full_like(variable, value):
    return torch.full_like(variable, value, memory_format=torch.preserve_format).detach()


def check_hyperparameter(
    value: Any, name: str, low: float = 0.0, high: float | None = None, low_open: bool = False, optional: bool = True
) -> Any:
    """A real number in the given range (None allowed when ``optional``), else a ValueError naming it.

    Args:
        value: the hyperparameter's value.
        name: str, its name (for the error).
        low: float, default 0.0: the lower bound (included unless ``low_open``).
        high: float or None, default None: the upper bound (included), or None for none.
        low_open: bool, default False: whether ``low`` itself is refused.
        optional: bool, default True: whether None is accepted.

    Returns:
        The value.

    Raises:
        ValueError: for a value that is not a number in range.

    >>> check_hyperparameter(0.9, "rho", high=1.0)
    0.9
    """
    if value is None and optional:
        return None
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    ok = ok and (value > low if low_open else value >= low) and (high is None or value <= high)
    if not ok:
        bound = f"{'>' if low_open else '>='} {low}" + ("" if high is None else f" and <= {high}")
        raise ValueError(f"Argument `{name}` must be a number {bound}. Received: {name}={value!r}")
    return value


def scaled_sub_(tensors: Tensors, others: Tensors, scale: float | torch.Tensor) -> None:
    """``tensors -= scale * others`` in place, for a float or 0-d tensor ``scale`` (a float needs no temporaries)."""
    if torch.is_tensor(scale):
        torch._foreach_sub_(tensors, torch._foreach_mul(others, scale))
    else:
        torch._foreach_add_(tensors, others, alpha=-scale)


def scaled_addcdiv_(tensors: Tensors, numerators: Tensors, denominators: Tensors, scale: float | torch.Tensor) -> None:
    """``tensors -= scale * numerators / denominators`` in place; a tensor ``scale`` divides ``denominators``."""
    if torch.is_tensor(scale):
        torch._foreach_div_(denominators, scale)
        scale = 1.0
    torch._foreach_addcdiv_(tensors, numerators, denominators, value=-scale)


def clip_by_norm(grads: Tensors, clipnorm: float) -> Tensors:
    """Each gradient rescaled to L2 norm at most ``clipnorm``: ``g * clipnorm / max(norm(g), clipnorm)``."""
    scales = torch._foreach_norm(grads)
    torch._foreach_clamp_min_(scales, clipnorm)
    torch._foreach_reciprocal_(scales)
    torch._foreach_mul_(scales, clipnorm)
    return torch._foreach_mul(grads, scales)


def clip_by_global_norm(grads: Tensors, clipnorm: float) -> Tensors:
    """All gradients rescaled together so that their joint L2 norm is at most ``clipnorm``."""
    norms = torch._foreach_norm(grads)
    device = norms[0].device
    total = torch.linalg.vector_norm(torch.stack([n.to(device) for n in norms]))
    return torch._foreach_mul(grads, clipnorm / torch.clamp_min(total, clipnorm))


def clip_by_value(grads: Tensors, clipvalue: float) -> Tensors:
    """Each gradient clipped elementwise to ``[-clipvalue, clipvalue]``."""
    clipped = torch._foreach_clamp_min(grads, -clipvalue)
    torch._foreach_clamp_max_(clipped, clipvalue)
    return clipped


class _Group:
    """The tensors of one (device, dtype) group of a step, in the order of their gradients."""

    def __init__(self, optimizer, positions, indices):
        self.positions = positions
        self.params = [optimizer._variables[i] for i in indices]
        self.slots = {name: [tensors[i] for i in indices] for name, tensors in optimizer._slots.items()}
        self.device, self.dtype = self.params[0].device, self.params[0].dtype


class _Plan:
    """What a step over a given list of variables touches, worked out once and cached."""

    def __init__(self, optimizer, variables):
        indices = []
        for v in variables:
            index = optimizer._index.get(id(v))
            if index is None:
                raise ValueError(
                    f"Optimizer '{optimizer.name}' received variable {getattr(v, 'path', tuple(v.shape))} that was "
                    "not passed to build(); build the optimizer with every variable it will update."
                )
            indices.append(index)
        by_kind = {}
        for position, (v, index) in enumerate(zip(variables, indices)):
            by_kind.setdefault((v.device, v.dtype), []).append((position, index))
        self.groups = [
            _Group(optimizer, [p for p, _ in members], [i for _, i in members]) for members in by_kind.values()
        ]
        self.single = len(self.groups) == 1
        self.accumulators = [optimizer._accumulators[i] for i in indices] if optimizer._accumulators else []
        self.decayed = [v for v in variables if not optimizer._excluded_from_weight_decay(v)]
        self.constrained = [v for v in variables if getattr(v, "constraint", None) is not None]


class Optimizer:
    """Base class of the Keras optimizers; subclasses define their slots and a multi-tensor update.

    A subclass lists its per-variable state in ``_slot_blocks()`` (names in Keras's variable
    order), optional per-step scalars in ``_step_scalars(lr)`` and implements
    ``_update_step(params, grads, slots, scalars)`` with ``torch._foreach_*`` ops
    (``scalars["lr"]`` is a float for a constant rate, a 0-d tensor for a schedule). Slots of another
    shape than their variable's, or on some variables only, come from ``_slot_shape(name, variable)``;
    ``_apply_weight_decay(variables, lr)`` decays the variables not excluded from weight decay.

    Args:
        learning_rate: A float, a ``keras.optimizers.schedules.LearningRateSchedule`` instance (called with
            the step count at every step), or a callable that takes no arguments and returns the value to
            use. Required; each subclass gives its own default.
        weight_decay: Float ``>= 0`` or None, the decoupled weight decay: before each update
            ``var -= var * weight_decay * lr`` for the variables not exempted by
            :meth:`exclude_from_weight_decay`. Defaults to None (no decay).
        clipnorm: Float ``>= 0`` or None; each gradient is rescaled so that its own L2 norm is at most
            this. Defaults to None.
        clipvalue: Float ``>= 0`` or None; each gradient is clipped elementwise to
            ``[-clipvalue, clipvalue]``. Defaults to None.
        global_clipnorm: Float ``>= 0`` or None; all gradients are rescaled together so that their joint
            L2 norm is at most this. Defaults to None. At most one of the three clipping arguments may be set.
        use_ema: Bool, whether to keep an exponential moving average of the variables
            (``average = ema_momentum * average + (1 - ema_momentum) * var`` after each step), which
            :meth:`finalize_variable_values` writes into the variables at the end of ``fit``.
            Defaults to ``False``.
        ema_momentum: Float in ``[0, 1]``, the momentum of the moving average. Defaults to ``0.99``.
        ema_overwrite_frequency: Int ``>= 1`` or None; with ``use_ema``, every this many steps the
            variables are overwritten by their moving averages. Defaults to None (never during training).
        loss_scale_factor: Float ``> 0`` or None; :meth:`scale_loss` multiplies the loss by it and the
            gradients are divided by it before the update. Defaults to None.
        gradient_accumulation_steps: Int ``>= 2`` or None; gradients are summed over this many calls and
            only every this-many-th call updates the variables, with the mean of the accumulated gradients.
            Defaults to None (update at every call).
        name: String or None, the optimizer's name. Defaults to None (a unique name from the class name,
            like ``"adam"``, ``"adam_1"``).
        **kwargs: Not accepted: any other keyword raises ``ValueError`` (Keras 3 does the same).

    Raises:
        ValueError: For an unrecognized keyword, more than one clipping argument, or a value out of the
            range given above.

    >>> class SignSGD(Optimizer):
    ...     def __init__(self, learning_rate=0.01, **kwargs):
    ...         super().__init__(learning_rate, **kwargs)
    ...     def _update_step(self, params, grads, slots, scalars):
    ...         scaled_sub_(params, torch._foreach_sign(grads), scalars["lr"])
    """

    _config_keys: tuple[str, ...] = ()  # the subclass's own constructor arguments, as attributes of the same name

    def __init__(
        self,
        learning_rate: LearningRate,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: int | None = None,
        loss_scale_factor: float | None = None,
        gradient_accumulation_steps: int | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
                f"clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}"
            )
        self.weight_decay = check_hyperparameter(weight_decay, "weight_decay")
        self.clipnorm = check_hyperparameter(clipnorm, "clipnorm")
        self.clipvalue = check_hyperparameter(clipvalue, "clipvalue")
        self.global_clipnorm = check_hyperparameter(global_clipnorm, "global_clipnorm")
        self.use_ema = bool(use_ema)
        self.ema_momentum = check_hyperparameter(ema_momentum, "ema_momentum", 0.0, 1.0, optional=False)
        if ema_overwrite_frequency is not None and not (
            isinstance(ema_overwrite_frequency, int) and ema_overwrite_frequency >= 1
        ):
            raise ValueError(
                "Argument `ema_overwrite_frequency` must be an integer >= 1 or None. "
                f"Received: ema_overwrite_frequency={ema_overwrite_frequency!r}"
            )
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = check_hyperparameter(loss_scale_factor, "loss_scale_factor", low_open=True)
        if gradient_accumulation_steps is not None and not (
            isinstance(gradient_accumulation_steps, int) and gradient_accumulation_steps >= 2
        ):
            raise ValueError(
                "Argument `gradient_accumulation_steps` must be an integer >= 2. "
                f"Received: gradient_accumulation_steps={gradient_accumulation_steps!r}"
            )
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        self._iterations = torch.zeros((), dtype=torch.int64)
        self._host_step = 0
        self._lr_tensor = torch.zeros((), dtype=torch.float32)
        self._learning_rate: float | schedules.LearningRateSchedule | Callable[[], Any] = 0.0
        self.learning_rate = learning_rate
        self.built = False
        self._variables: list[torch.Tensor] = []
        self._index: dict[int, int] = {}
        self._slots: dict[str, list[torch.Tensor | None]] = {}
        self._scalars: dict[str, torch.Tensor] = {}
        self._averages: list[torch.Tensor] = []
        self._accumulators: list[torch.Tensor] = []
        self._plans: dict[tuple[int, ...], _Plan] = {}
        self._exclude_ids: set[int] = set()
        self._exclude_names: set[str] = set()
        self._exclude_pattern: re.Pattern[str] | None = None
        # what _exclude_ids identifies (ids do not survive pickling or copying)
        self._excluded_variables: list[torch.Tensor] = []

    # ----------------------------------------------------------------- learning rate, counters

    @property
    def iterations(self) -> torch.Tensor:
        """The number of updates applied so far (a 0-d int64 tensor on the variables' device)."""
        if self.gradient_accumulation_steps:
            return torch.div(self._iterations, self.gradient_accumulation_steps, rounding_mode="floor")
        return self._iterations

    @property
    def learning_rate(self) -> float | torch.Tensor:
        """The current learning rate: the float set, or the schedule's value now (a tensor)."""
        if isinstance(self._learning_rate, float):
            return self._learning_rate
        return self._current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, value: LearningRate) -> None:
        if isinstance(value, schedules.LearningRateSchedule) or (callable(value) and not torch.is_tensor(value)):
            self._learning_rate = value
            return
        if not isinstance(self._learning_rate, float):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its `learning_rate` "
                "constructor argument, hence its learning rate is not settable. If you need the learning "
                "rate to be settable, you should instantiate the optimizer with a float `learning_rate`."
            )
        value = float(value)  # a number, numpy scalar or 0-d tensor
        self._learning_rate = value
        self._lr_tensor.fill_(value)

    def _current_learning_rate(self):
        """The learning rate of this step: the float itself for a constant rate (kernels take it as an
        argument), else the schedule's value as a 0-d float32 tensor on the counter's device."""
        if isinstance(self._learning_rate, float):
            return self._learning_rate
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            value = self._learning_rate(self._iterations)
        else:
            value = self._learning_rate()
        return torch.as_tensor(value, dtype=torch.float32, device=self._iterations.device)

    def _local_step(self):
        """``iterations + 1`` as a float32 tensor: the step number bias corrections use."""
        return (self.iterations + 1).to(torch.float32)

    def _host_updates(self):
        steps = self.gradient_accumulation_steps
        return self._host_step // steps if steps else self._host_step

    # ----------------------------------------------------------------- state

    def _slot_blocks(self):
        """Per-variable slot names, as tuples interleaved per variable in Keras's variable order."""
        return ()

    def _slot_initial_value(self, name):
        return 0.0

    def _slot_shape(self, name, variable):
        """The shape of ``variable``'s slot ``name`` (its own shape by default), or None for no such slot
        (Muon's velocity exists for its Adam-updated variables only; Adafactor factors rank >= 2 moments)."""
        return tuple(variable.shape)

    def _new_slot(self, name, variable):
        shape = self._slot_shape(name, variable)
        if shape is None:
            return None
        if tuple(shape) == tuple(variable.shape):
            return _full_like(variable, self._slot_initial_value(name))
        return torch.full(shape, self._slot_initial_value(name), dtype=variable.dtype, device=variable.device)

    def _scalar_slots(self):
        """Per-optimizer scalar state: ``{name: initial value}`` (Nadam's ``u_product``)."""
        return {}

    def build(self, variables: Iterable[torch.Tensor]) -> None:
        """Create the state for ``variables`` (once; later calls do nothing).

        >>> import torch
        >>> import kerastorch as keras
        >>> optimizer = keras.optimizers.SGD(momentum=0.9)
        >>> optimizer.build([torch.nn.Parameter(torch.zeros(3))])
        >>> list(optimizer.state_dict())
        ['iterations', 'learning_rate', '0/momentum']
        """
        if self.built:
            return
        variables = list(variables)
        device = variables[0].device if variables else self._iterations.device
        self._iterations = self._iterations.to(device)
        self._lr_tensor = self._lr_tensor.to(device)
        self._variables = variables
        self._index = {id(v): i for i, v in enumerate(variables)}
        if self.use_ema:
            self._averages = [v.detach().clone(memory_format=torch.preserve_format) for v in variables]
        if self.gradient_accumulation_steps:
            self._accumulators = [_full_like(v, 0.0) for v in variables]
        for block in self._slot_blocks():
            for name in block:
                self._slots[name] = [self._new_slot(name, v) for v in variables]
        self._scalars = {
            name: torch.full((), value, dtype=torch.float32, device=device)
            for name, value in self._scalar_slots().items()
        }
        self._plans = {}
        self.built = True

    def _state_items(self):
        yield "iterations", self._iterations
        if isinstance(self._learning_rate, float):
            yield "learning_rate", self._lr_tensor
        for suffix, tensors in (("average", self._averages), ("gradient_accumulator", self._accumulators)):
            for i, tensor in enumerate(tensors):
                yield f"{i}/{suffix}", tensor
        for block in self._slot_blocks():
            for i in range(len(self._variables)):
                for name in block:
                    if self._slots[name][i] is not None:
                        yield f"{i}/{name}", self._slots[name][i]
        yield from self._scalars.items()

    @property
    def variables(self) -> list[torch.Tensor]:
        """The state tensors, in the order of Keras's ``optimizer.variables``."""
        return [tensor for _, tensor in self._state_items()]

    def state_dict(self) -> dict[str, torch.Tensor]:
        """``{name: tensor}`` of the live state (clone to keep a snapshot): ``"iterations"``,
        ``"learning_rate"`` (constant rates), ``"<index>/<slot>"`` per variable, scalar slots."""
        return dict(self._state_items())

    def load_state_dict(self, state: Mapping[str, TensorLike]) -> None:
        """Restore :meth:`state_dict` output (tensors or arrays) into an optimizer built on the same variables."""
        if not self.built:
            raise ValueError(f"Optimizer '{self.name}': call build(variables) before load_state_dict().")
        own = self.state_dict()
        missing, unexpected = sorted(own.keys() - state.keys()), sorted(state.keys() - own.keys())
        if missing or unexpected:
            raise ValueError(
                f"Optimizer '{self.name}'.load_state_dict: missing keys {missing}, unexpected keys {unexpected}"
            )
        with torch.no_grad():
            for key, tensor in own.items():
                value = torch.as_tensor(state[key])
                if tuple(value.shape) != tuple(tensor.shape):
                    raise ValueError(
                        f"Optimizer '{self.name}'.load_state_dict: {key!r} has shape "
                        f"{tuple(tensor.shape)}, received shape {tuple(value.shape)}"
                    )
                tensor.copy_(value)
        self._host_step = int(self._iterations)
        if isinstance(self._learning_rate, float):
            self._learning_rate = float(self._lr_tensor)

    # ----------------------------------------------------------------- weight decay

    def exclude_from_weight_decay(
        self, var_list: Iterable[torch.Tensor] | None = None, var_names: Iterable[str] | None = None
    ) -> None:
        """Exempt variables from weight decay: those in ``var_list``, and those whose name contains
        (regex search) any of ``var_names``.

        >>> import torch
        >>> import kerastorch as keras
        >>> kernel = keras.Variable(torch.ones(2), name="kernel")
        >>> bias = keras.Variable(torch.ones(2), name="bias")
        >>> optimizer = keras.optimizers.AdamW(learning_rate=0.1, weight_decay=0.5)
        >>> optimizer.exclude_from_weight_decay(var_names=["bias", "gamma"])
        >>> optimizer.apply([torch.zeros(2), torch.zeros(2)], [kernel, bias])  # decay only
        >>> kernel.numpy(), bias.numpy()
        (array([0.95, 0.95], dtype=float32), array([1., 1.], dtype=float32))
        """
        self._excluded_variables += list(var_list or ())
        self._exclude_ids |= {id(v) for v in var_list or ()}
        self._exclude_names |= set(var_names or ())
        self._exclude_pattern = re.compile("|".join(sorted(self._exclude_names))) if self._exclude_names else None
        self._plans = {}

    def __getstate__(self) -> dict[str, Any]:
        # Lookups keyed by id() are rebuilt after unpickling or deep-copying (the ids change); the cached
        # step plans are rebuilt on the next step.
        state = self.__dict__.copy()
        state["_index"], state["_exclude_ids"], state["_plans"] = None, None, {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._index = {id(v): i for i, v in enumerate(self._variables)}
        self._exclude_ids = {id(v) for v in self._excluded_variables}

    def _excluded_from_weight_decay(self, variable):
        if id(variable) in self._exclude_ids:
            return True
        name = getattr(variable, "name", None) or ""
        return bool(self._exclude_pattern and self._exclude_pattern.search(name))

    # ----------------------------------------------------------------- the step

    def apply_gradients(self, grads_and_vars: Iterable[tuple[torch.Tensor | None, torch.Tensor]]) -> torch.Tensor:
        """One step from ``[(grad, variable), ...]``; returns ``iterations``."""
        grads_and_vars = list(grads_and_vars)
        self.apply([g for g, _ in grads_and_vars], [v for _, v in grads_and_vars])
        return self.iterations

    def apply(
        self, grads: Iterable[torch.Tensor | None], trainable_variables: Iterable[torch.Tensor] | None = None
    ) -> None:
        """One step: ``grads[i]`` updates ``trainable_variables[i]`` (all built variables when None);
        ``None`` gradients are skipped. The optimizer builds itself on first use."""
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
        pairs = [(g, v) for g, v in zip(grads, trainable_variables) if g is not None]
        if not pairs:
            return
        variables = [v for _, v in pairs]
        key = tuple(map(id, variables))
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = _Plan(self, variables)
        with torch.no_grad():
            self._step([g for g, _ in pairs], plan)

    def _step(self, grads, plan):
        if self.loss_scale_factor is not None:
            grads = torch._foreach_div(grads, self.loss_scale_factor)
        steps = self.gradient_accumulation_steps
        if steps and (self._host_step + 1) % steps:
            torch._foreach_add_(plan.accumulators, grads)
        else:
            if steps:
                grads = torch._foreach_add(grads, plan.accumulators)
                torch._foreach_div_(grads, steps)
                torch._foreach_zero_(plan.accumulators)
            self._update(grads, plan)
        if self.use_ema:
            self._update_moving_averages()
        self._iterations.add_(1)
        self._host_step += 1
        for v in plan.constrained:
            v.copy_(v.constraint(v))

    def _update(self, grads, plan):
        lr = self._current_learning_rate()
        if self.clipnorm:
            grads = clip_by_norm(grads, self.clipnorm)
        elif self.global_clipnorm:
            grads = clip_by_global_norm(grads, self.global_clipnorm)
        elif self.clipvalue:
            grads = clip_by_value(grads, self.clipvalue)
        if plan.decayed:
            self._apply_weight_decay(plan.decayed, lr)
        scalars = self._step_scalars(lr)
        for group in plan.groups:
            group_grads = grads if plan.single else [grads[p] for p in group.positions]
            cast = {k: s.to(group.device, group.dtype) if torch.is_tensor(s) else s for k, s in scalars.items()}
            self._update_step(group.params, group_grads, group.slots, cast)

    def _apply_weight_decay(self, variables, lr):
        """Decoupled weight decay of the variables not excluded from it: ``v -= v * weight_decay * lr``."""
        if self.weight_decay:
            torch._foreach_mul_(variables, 1 - lr * self.weight_decay)

    def _step_scalars(self, lr):
        """The numbers this step's update needs (floats or 0-d tensors), computed once per step; tensors
        are cast to each group's device and dtype."""
        return {"lr": lr}

    def _update_step(self, params, grads, slots, scalars):
        """Update ``params`` in place from ``grads`` with ``torch._foreach_*`` ops (one device and dtype)."""
        raise NotImplementedError(f"{type(self).__name__} must implement _update_step()")

    # ----------------------------------------------------------------- moving average

    def _update_moving_averages(self):
        updates = self._host_updates()
        momentum = self.ema_momentum if updates else 0.0  # the first step copies the variables
        torch._foreach_lerp_(self._averages, self._variables, 1.0 - momentum)
        if self.ema_overwrite_frequency and (updates + 1) % self.ema_overwrite_frequency == 0:
            torch._foreach_copy_(self._variables, self._averages)

    def _ema_pairs(self, var_list):
        if not self.use_ema:
            return [], []
        if var_list is None:
            return self._variables, self._averages
        indices = [self._index[id(v)] for v in var_list if id(v) in self._index]
        return [self._variables[i] for i in indices], [self._averages[i] for i in indices]

    def finalize_variable_values(self, var_list: Iterable[torch.Tensor] | None = None) -> None:
        """With ``use_ema``, overwrite the variables with their moving averages (end of ``fit``)."""
        variables, averages = self._ema_pairs(var_list)
        if variables:
            with torch.no_grad():
                torch._foreach_copy_(variables, averages)

    def copy_variables_to_ema(self, var_list: Iterable[torch.Tensor] | None = None) -> None:
        """With ``use_ema``, set the moving averages to the variables' current values (after a swap that put
        the averages in the model, so that :meth:`finalize_variable_values` keeps them)."""
        variables, averages = self._ema_pairs(var_list)
        if variables:
            with torch.no_grad():
                torch._foreach_copy_(averages, variables)

    def swap_ema_weights(self, var_list: Iterable[torch.Tensor] | None = None) -> None:
        """With ``use_ema``, exchange the variables and their moving averages in place; calling it twice
        restores both (evaluate with EMA weights, then swap back)."""
        variables, averages = self._ema_pairs(var_list)
        if variables:
            with torch.no_grad():
                saved = [v.detach().clone() for v in variables]
                torch._foreach_copy_(variables, averages)
                torch._foreach_copy_(averages, saved)

    def scale_loss(self, loss: torch.Tensor) -> torch.Tensor:
        """``loss * loss_scale_factor`` (or ``loss`` unchanged): the loss to differentiate."""
        return loss if self.loss_scale_factor is None else loss * self.loss_scale_factor

    # ----------------------------------------------------------------- config

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, with Keras 3's keys; a schedule is serialized."""
        learning_rate = self._learning_rate
        if not isinstance(learning_rate, float):
            learning_rate = serialize_keras_object(learning_rate)
        config = {
            "name": self.name,
            "learning_rate": learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }
        config.update({key: getattr(self, key) for key in self._config_keys})
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Optimizer:
        """Rebuild from :meth:`get_config` output (Keras 3 configs read too)."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"], custom_objects=custom_objects)
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, learning_rate={self._learning_rate!r}>"
