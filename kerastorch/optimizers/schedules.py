"""``keras.optimizers.schedules``: learning rates as a function of the optimizer step.

A schedule is called with the step (a Python int or an integer tensor, usually the
optimizer's ``iterations`` on the training device) and returns a 0-d float32 tensor
on the step's device, computed with torch ops only, so evaluating it inside a
training step never synchronises with the host. The formulas are Keras 3's, in
float32 as Keras computes them.

Example:
    >>> import kerastorch as keras
    >>> schedule = ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5)
    >>> optimizer = keras.optimizers.SGD(learning_rate=schedule)
    >>> float(schedule(100))
    0.05000000074505806
    >>> optimizer.learning_rate  # the schedule at the optimizer's step, 0 so far
    tensor(0.1000)
"""

from __future__ import annotations

import math
from typing import Any, Sequence, Union

import torch

from kerastorch.serialization.object_registration import register_builtin
from kerastorch.serialization.serialization_lib import namespace_functions

__all__ = [
    "CosineDecay",
    "CosineDecayRestarts",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "deserialize",
    "serialize",
]

_MODULE = "keras.optimizers.schedules"

Step = Union[int, torch.Tensor]
"""The step a schedule is called with: a Python int or an integer tensor (the optimizer's ``iterations``)."""


def _as_float(step: Step) -> torch.Tensor:
    """The step as a float32 tensor on its own device (a CPU tensor for Python numbers)."""
    return torch.as_tensor(step).to(torch.float32)


def _positive(value, name):
    if value <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value}")
    return value


class LearningRateSchedule:
    """Base class: subclasses implement ``__call__(step)`` and ``get_config()``.

    ``__call__`` takes the optimizer's step (an int or an integer tensor) and returns the learning rate
    (a float or a 0-d tensor); ``from_config(get_config())`` must rebuild the schedule. An optimizer given
    a schedule as its ``learning_rate`` evaluates it at every step.

    Raises:
        NotImplementedError: From ``__call__`` or ``get_config`` when a subclass does not override them.

    >>> class Halving(LearningRateSchedule):
    ...     def __call__(self, step):
    ...         return 0.1 * 0.5 ** torch.as_tensor(step, dtype=torch.float32)
    ...     def get_config(self):
    ...         return {}
    >>> float(Halving()(2))
    0.02500000037252903
    """

    def __call__(self, step: Step) -> float | torch.Tensor:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`."
        )

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments as a JSON-compatible dict."""
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override `get_config()`.")

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        """Rebuild from :meth:`get_config` output."""
        return cls(**config)

    def __repr__(self) -> str:
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except NotImplementedError:
            args = ""
        return f"{type(self).__name__}({args})"


class _ConfigSchedule(LearningRateSchedule):
    """A schedule whose config is the attributes named in ``_config_keys``."""

    _config_keys: tuple[str, ...] = ()

    def get_config(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in self._config_keys}


class _RatioDecay(_ConfigSchedule):
    """The arguments of the exponential and inverse-time decays, which differ only in what they do
    with ``step / decay_steps`` (floored when ``staircase``)."""

    _config_keys = ("initial_learning_rate", "decay_steps", "decay_rate", "staircase", "name")

    def __init__(
        self, initial_learning_rate: float, decay_steps: float, decay_rate: float, staircase: bool, name: str
    ) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = _positive(decay_steps, "decay_steps")
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def _ratio(self, step: Step) -> torch.Tensor:
        ratio = _as_float(step) / self.decay_steps
        return torch.floor(ratio) if self.staircase else ratio


@register_builtin(_MODULE)
class ExponentialDecay(_RatioDecay):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``; ``staircase`` floors the exponent.

    Args:
        initial_learning_rate: Float, the learning rate at step 0.
        decay_steps: Number ``> 0``, the number of steps over which the rate is multiplied by
            ``decay_rate``.
        decay_rate: Float, the decay factor per ``decay_steps``.
        staircase: Bool, whether to decay in discrete intervals (``step // decay_steps``) rather than
            continuously. Defaults to ``False``.
        name: String, the schedule's name (kept in its config). Defaults to ``"ExponentialDecay"``.

    Returns:
        Calling the schedule with a step (an int or integer tensor) returns the learning rate, a 0-d
        float32 tensor on the step's device.

    Raises:
        ValueError: If ``decay_steps`` is not positive.

    >>> float(ExponentialDecay(1.0, decay_steps=10, decay_rate=0.5, staircase=True)(19))
    0.5
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: float,
        decay_rate: float,
        staircase: bool = False,
        name: str = "ExponentialDecay",
    ) -> None:
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step: Step) -> torch.Tensor:
        return self.initial_learning_rate * torch.pow(self.decay_rate, self._ratio(step))


@register_builtin(_MODULE)
class PiecewiseConstantDecay(_ConfigSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[1]`` while ``step <= boundaries[1]`` ...,
    ``values[-1]`` after the last boundary.

    Args:
        boundaries: List of increasing numbers (steps), the ends of the intervals.
        values: List of floats, one more than ``boundaries``: the learning rate of each interval.
        name: String, the schedule's name (kept in its config). Defaults to ``"PiecewiseConstant"``.

    Returns:
        Calling the schedule with a step returns the learning rate, a 0-d float32 tensor on the step's
        device.

    Raises:
        ValueError: If ``values`` does not have exactly one more element than ``boundaries``.

    >>> schedule = PiecewiseConstantDecay(boundaries=[100, 200], values=[1.0, 0.5, 0.1])
    >>> [float(schedule(s)) for s in (100, 101, 201)]
    [1.0, 0.5, 0.10000000149011612]
    """

    _config_keys = ("boundaries", "values", "name")

    def __init__(self, boundaries: Sequence[float], values: Sequence[float], name: str = "PiecewiseConstant") -> None:
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. Received: "
                f"boundaries={boundaries} of length {len(boundaries)}, and values={values} of length {len(values)}."
            )
        self.boundaries = list(boundaries)
        self.values = list(values)
        self.name = name
        self._tables: dict[
            torch.device, tuple[torch.Tensor, torch.Tensor]
        ] = {}  # device -> (boundaries, values) tensors, made once per device

    def _table(self, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        if device not in self._tables:
            integral = all(float(b).is_integer() for b in self.boundaries)
            dtype = torch.int64 if integral else torch.float64
            self._tables[device] = (
                torch.tensor(self.boundaries, dtype=dtype, device=device),
                torch.tensor(self.values, dtype=torch.float32, device=device),
            )
        return self._tables[device]

    def __call__(self, step: Step) -> torch.Tensor:
        step = torch.as_tensor(step)
        boundaries, values = self._table(step.device)
        # bucketize(right=False) counts the boundaries strictly below the step: b[i-1] < step <= b[i] -> i.
        return values[torch.bucketize(step.to(boundaries.dtype), boundaries)]


@register_builtin(_MODULE)
class PolynomialDecay(_ConfigSchedule):
    """Decay from ``initial_learning_rate`` to ``end_learning_rate`` over ``decay_steps`` as
    ``(initial - end) * (1 - step / decay_steps) ** power + end``; ``cycle`` restarts with a longer period.

    Without ``cycle`` the rate stays at ``end_learning_rate`` after ``decay_steps``. With ``cycle``,
    ``decay_steps`` is multiplied by ``ceil(step / decay_steps)`` (1 at step 0), so each period decays
    again from ``initial_learning_rate``, over a longer span.

    Args:
        initial_learning_rate: Float, the learning rate at step 0.
        decay_steps: Number ``> 0``, the number of steps of the decay.
        end_learning_rate: Float, the learning rate reached after ``decay_steps``. Defaults to ``0.0001``.
        power: Float, the power of the polynomial; 1 decays linearly. Defaults to ``1.0``.
        cycle: Bool, whether to restart the decay past ``decay_steps`` instead of staying at
            ``end_learning_rate``. Defaults to ``False``.
        name: String, the schedule's name (kept in its config). Defaults to ``"PolynomialDecay"``.

    Returns:
        Calling the schedule with a step returns the learning rate, a 0-d float32 tensor on the step's
        device.

    Raises:
        ValueError: If ``decay_steps`` is not positive.

    >>> float(PolynomialDecay(1.0, decay_steps=10, end_learning_rate=0.0)(5))
    0.5
    """

    _config_keys = ("initial_learning_rate", "decay_steps", "end_learning_rate", "power", "cycle", "name")

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: float,
        end_learning_rate: float = 0.0001,
        power: float = 1.0,
        cycle: bool = False,
        name: str = "PolynomialDecay",
    ) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = _positive(decay_steps, "decay_steps")
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step: Step) -> torch.Tensor:
        step = _as_float(step)
        decay_steps = torch.full_like(step, float(self.decay_steps))
        if self.cycle:
            periods = torch.where(step == 0, torch.ones_like(step), torch.ceil(step / decay_steps))
            decay_steps = decay_steps * periods
        else:
            step = torch.minimum(step, decay_steps)
        fraction = step / decay_steps
        span = self.initial_learning_rate - self.end_learning_rate
        return span * torch.pow(1 - fraction, self.power) + self.end_learning_rate


@register_builtin(_MODULE)
class InverseTimeDecay(_RatioDecay):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``; ``staircase`` floors the ratio.

    Args:
        initial_learning_rate: Float, the learning rate at step 0.
        decay_steps: Number ``> 0``, the number of steps that make one unit of decay.
        decay_rate: Float, how fast the rate falls: ``decay_rate`` per ``decay_steps``.
        staircase: Bool, whether to decay in discrete intervals (``floor(step / decay_steps)``) rather
            than continuously. Defaults to ``False``.
        name: String, the schedule's name (kept in its config). Defaults to ``"InverseTimeDecay"``.

    Returns:
        Calling the schedule with a step returns the learning rate, a 0-d float32 tensor on the step's
        device.

    Raises:
        ValueError: If ``decay_steps`` is not positive.

    >>> float(InverseTimeDecay(1.0, decay_steps=1, decay_rate=0.5)(2))
    0.5
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: float,
        decay_rate: float,
        staircase: bool = False,
        name: str = "InverseTimeDecay",
    ) -> None:
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step: Step) -> torch.Tensor:
        return self.initial_learning_rate / (1 + self.decay_rate * self._ratio(step))


def _cosine(fraction: torch.Tensor, alpha: float, peak: float | torch.Tensor = 1.0) -> torch.Tensor:
    """``(1 - alpha) * 0.5 * peak * (1 + cos(pi * fraction)) + alpha``."""
    return (1 - alpha) * (0.5 * peak * (1.0 + torch.cos(math.pi * fraction))) + alpha


@register_builtin(_MODULE)
class CosineDecay(_ConfigSchedule):
    """Cosine decay to ``alpha * initial`` over ``decay_steps``, after an optional linear warmup
    from ``initial_learning_rate`` to ``warmup_target`` over ``warmup_steps`` (the decay then starts
    from ``warmup_target``).

    Without warmup the rate is ``initial_learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * t)) + alpha)``
    with ``t = min(step, decay_steps) / decay_steps``; with a ``warmup_target`` the same curve starts from
    ``warmup_target`` at step ``warmup_steps``.

    Args:
        initial_learning_rate: Float, the learning rate at step 0 (the start of the warmup, when there
            is one).
        decay_steps: Number ``> 0``, the number of steps of the cosine decay (after the warmup).
        alpha: Float, the final learning rate as a fraction of the decay's starting rate
            (``initial_learning_rate``, or ``warmup_target`` with warmup). Defaults to ``0.0``.
        name: String, the schedule's name (kept in its config). Defaults to ``"CosineDecay"``.
        warmup_target: Float or None, the learning rate the linear warmup reaches; None disables the
            warmup. Defaults to None.
        warmup_steps: Int, the number of warmup steps (used with ``warmup_target``). Defaults to ``0``.

    Returns:
        Calling the schedule with a step returns the learning rate, a 0-d float32 tensor on the step's
        device.

    Raises:
        ValueError: If ``decay_steps`` is not positive.

    >>> schedule = CosineDecay(0.0, decay_steps=10, warmup_target=1.0, warmup_steps=10)
    >>> [round(float(schedule(s)), 3) for s in (5, 10, 15, 20)]
    [0.5, 1.0, 0.5, 0.0]
    """

    _config_keys = ("initial_learning_rate", "decay_steps", "alpha", "name", "warmup_target", "warmup_steps")

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: float,
        alpha: float = 0.0,
        name: str = "CosineDecay",
        warmup_target: float | None = None,
        warmup_steps: int = 0,
    ) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = _positive(decay_steps, "decay_steps")
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps

    def __call__(self, step: Step) -> torch.Tensor:
        step = _as_float(step)
        if self.warmup_target is None:
            fraction = torch.clamp_max(step, float(self.decay_steps)) / self.decay_steps
            return self.initial_learning_rate * _cosine(fraction, self.alpha)
        step = torch.clamp_max(step, float(self.decay_steps + self.warmup_steps))
        decayed = self.warmup_target * _cosine((step - self.warmup_steps) / self.decay_steps, self.alpha)
        if not self.warmup_steps:
            return decayed
        warmup = (self.warmup_target - self.initial_learning_rate) * (step / self.warmup_steps)
        return torch.where(step < self.warmup_steps, warmup + self.initial_learning_rate, decayed)


@register_builtin(_MODULE)
class CosineDecayRestarts(_ConfigSchedule):
    """Cosine decay with warm restarts (SGDR): the first period lasts ``first_decay_steps``, each next
    one ``t_mul`` times longer and starting from ``m_mul`` times the previous peak.

    Args:
        initial_learning_rate: Float, the learning rate at step 0 (the first peak).
        first_decay_steps: Number ``> 0``, the length of the first decay period in steps.
        t_mul: Float, the factor by which each period is longer than the one before. Defaults to ``2.0``.
        m_mul: Float, the factor by which each period's starting rate is scaled from the one before.
            Defaults to ``1.0``.
        alpha: Float, the lowest learning rate of every period, as a fraction of
            ``initial_learning_rate``. Defaults to ``0.0``.
        name: String, the schedule's name (kept in its config). Defaults to ``"SGDRDecay"``.

    Returns:
        Calling the schedule with a step returns the learning rate, a 0-d float32 tensor on the step's
        device.

    Raises:
        ValueError: If ``first_decay_steps`` is not positive.

    >>> schedule = CosineDecayRestarts(1.0, first_decay_steps=10, t_mul=1.0)
    >>> [round(float(schedule(s)), 3) for s in (0, 5, 10)]
    [1.0, 0.5, 1.0]
    """

    _config_keys = ("initial_learning_rate", "first_decay_steps", "t_mul", "m_mul", "alpha", "name")

    def __init__(
        self,
        initial_learning_rate: float,
        first_decay_steps: float,
        t_mul: float = 2.0,
        m_mul: float = 1.0,
        alpha: float = 0.0,
        name: str = "SGDRDecay",
    ) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = _positive(first_decay_steps, "first_decay_steps")
        self.t_mul = t_mul
        self.m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step: Step) -> torch.Tensor:
        fraction = _as_float(step) / self.first_decay_steps
        if self.t_mul == 1.0:
            restarts = torch.floor(fraction)
            fraction = fraction - restarts
        else:
            # Period i lasts t_mul**i; the periods before restart i sum to (1 - t_mul**i) / (1 - t_mul).
            restarts = torch.floor(torch.log(1 - fraction * (1 - self.t_mul)) / math.log(self.t_mul))
            elapsed = (1 - torch.pow(self.t_mul, restarts)) / (1 - self.t_mul)
            fraction = (fraction - elapsed) / torch.pow(self.t_mul, restarts)
        return self.initial_learning_rate * _cosine(fraction, self.alpha, torch.pow(self.m_mul, restarts))


# Keras 3 has no schedules.get()
serialize, deserialize, _ = namespace_functions(_MODULE, "learning rate schedule", LearningRateSchedule, __name__)


def __dir__():
    return sorted(__all__)
