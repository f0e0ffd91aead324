"""``keras.initializers``: callables ``init(shape, dtype=None)`` returning starting weights.

Every initializer returns a CPU tensor (layers move weights to their device),
of ``dtype`` (default ``config.floatx()``), in the Keras weight layout: fans
come from ``(in, out)`` for matrices and ``(*kernel, in, out)`` for conv kernels.

Seeding (see :mod:`kerastorch.random`): ``seed=None`` draws from torch's global
generator on each call (reproducible with ``torch.manual_seed`` or
``keras.utils.set_random_seed``; Keras 3 instead repeats the same values for an
unseeded instance); an int seed gives the same values on every call; a
``keras.random.SeedGenerator`` gives new values on each call.

Example:
    >>> init = get("glorot_uniform")
    >>> init((3, 4)).shape
    torch.Size([3, 4])
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable, Sequence, Union, overload

import numpy as np
import torch

from kerastorch import config
from kerastorch import random as krandom
from kerastorch.backend import variable
from kerastorch.backend.annotations import DTypeLike, Identifier, TensorLike
from kerastorch.serialization.object_registration import builtin_objects, register_builtin
from kerastorch.serialization.serialization_lib import (
    ConfigMixin,
    deserialize_keras_object,
    namespace_functions,
    serialize_keras_object,
)

__all__ = [
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Identity",
    "IdentityInitializer",
    "Initializer",
    "LecunNormal",
    "LecunUniform",
    "Ones",
    "Orthogonal",
    "OrthogonalInitializer",
    "RandomNormal",
    "RandomUniform",
    "STFT",
    "STFTInitializer",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
    "constant",
    "deserialize",
    "get",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "identity",
    "lecun_normal",
    "lecun_uniform",
    "ones",
    "orthogonal",
    "random_normal",
    "random_uniform",
    "serialize",
    "stft",
    "truncated_normal",
    "variance_scaling",
    "zeros",
]

_MODULE = "keras.initializers"

# Standard deviation of a unit normal truncated to [-2, 2]; dividing by it keeps
# the requested variance after truncation.
_TRUNCATED_NORMAL_STD = 0.87962566103423978

ShapeArg = Union[int, Sequence[int]]
"""The ``shape`` an initializer is called with: an int for a 1-D shape, or a tuple or list of ints."""


def _standardize_shape(shape: ShapeArg) -> tuple[int, ...]:
    if isinstance(shape, (int, numbers.Integral)):
        return (int(shape),)
    return tuple(int(d) for d in shape)


def _torch_dtype(dtype: DTypeLike, who: str, floating: bool = False) -> torch.dtype:
    dtype = config.torch_dtype(dtype)
    if floating and not dtype.is_floating_point:
        raise ValueError(f"{who}: dtype must be a float type, received {config.standardize_dtype(dtype)!r}")
    return dtype


def _compute_fans(shape, input_axes=None, output_axes=None):
    """``(fan_in, fan_out)`` of a Keras-layout weight shape.

    >>> _compute_fans((3, 3, 16, 32))
    (144, 288)
    """
    shape = _standardize_shape(shape)
    if input_axes is not None and output_axes is not None:
        return (math.prod(shape[a] for a in input_axes), math.prod(shape[a] for a in output_axes))
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


class Initializer(ConfigMixin):
    """Base class: subclasses implement ``__call__(shape, dtype=None)`` and ``get_config``.

    >>> class Twos(Initializer):
    ...     def __call__(self, shape, dtype=None):
    ...         return torch.full(shape, 2.0, dtype=config.torch_dtype(dtype))
    >>> Twos()((2,)).tolist()
    [2.0, 2.0]
    """

    def __call__(self, shape: ShapeArg, dtype: DTypeLike = None) -> torch.Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(shape, dtype=None)")

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments as a JSON-compatible dict."""
        return {}

    def clone(self) -> Initializer:
        """A new instance with the same configuration: ``GlorotUniform(seed=1).clone()``."""
        return type(self).from_config(self.get_config())


@register_builtin(_MODULE)
class Zeros(Initializer):
    """All zeros: ``Zeros()((2,))`` -> ``tensor([0., 0.])``."""

    def __call__(self, shape: ShapeArg, dtype: DTypeLike = None) -> torch.Tensor:
        return torch.zeros(_standardize_shape(shape), dtype=_torch_dtype(dtype, "Zeros"))


@register_builtin(_MODULE)
class Ones(Initializer):
    """All ones: ``Ones()((2,))`` -> ``tensor([1., 1.])``."""

    def __call__(self, shape: ShapeArg, dtype: DTypeLike = None) -> torch.Tensor:
        return torch.ones(_standardize_shape(shape), dtype=_torch_dtype(dtype, "Ones"))


@register_builtin(_MODULE)
class Constant(Initializer):
    """A constant (scalar, or an array broadcast to the shape); also available as ``constant``.

    Args:
        value: number or array-like (list, NumPy array, tensor), default 0.0: the value of every entry, or
            an array broadcast to the requested shape (kept as a nested list, for the config).

    Raises:
        ValueError: when called, if ``value`` does not broadcast to the requested shape.

    Example:
        >>> Constant(3.0)((2,))
        tensor([3., 3.])
        >>> Constant([1.0, 2.0])((2, 2))
        tensor([[1., 2.],
                [1., 2.]])
    """

    def __init__(self, value: TensorLike = 0.0) -> None:
        if isinstance(value, (torch.Tensor, np.ndarray, np.generic, list, tuple)):
            value = np.asarray(value.cpu() if isinstance(value, torch.Tensor) else value).tolist()
        self.value = value

    def __call__(self, shape: ShapeArg, dtype: DTypeLike = None) -> torch.Tensor:
        shape = _standardize_shape(shape)
        out = torch.empty(shape, dtype=_torch_dtype(dtype, "Constant"))
        value = torch.as_tensor(self.value)
        try:
            return out.copy_(value.broadcast_to(shape))
        except RuntimeError:
            raise ValueError(
                f"Constant: value of shape {tuple(value.shape)} cannot be broadcast to shape {shape}"
            ) from None

    def get_config(self) -> dict[str, Any]:
        return {"value": self.value}


@register_builtin(_MODULE)
class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only; a non-square shape gets ones on its main diagonal).

    Also available as ``identity`` and ``IdentityInitializer``.

    Args:
        gain: float, default 1.0: the value on the diagonal.

    Raises:
        ValueError: when called, if the shape is not of rank 2.

    Example:
        >>> Identity(gain=2.0)((2, 3))
        tensor([[2., 0., 0.],
                [0., 2., 0.]])
    """

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def __call__(self, shape: ShapeArg, dtype: DTypeLike = None) -> torch.Tensor:
        shape = _standardize_shape(shape)
        if len(shape) != 2:
            raise ValueError(
                f"Identity initializer can only be used for 2D matrices, received shape={shape} of rank {len(shape)}"
            )
        return torch.eye(*shape, dtype=_torch_dtype(dtype, "Identity")).mul_(self.gain)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain}


class RandomInitializer(Initializer):
    """Base of the random initializers: holds ``seed`` (None, int or SeedGenerator).

    Subclasses implement ``__call__(shape, dtype=None)``, drawing with ``self._sample``.

    Args:
        seed: None, int or ``keras.random.SeedGenerator``, default None: None draws from torch's global
            generator on each call, an int gives the same values on every call, a SeedGenerator new values
            on each call (see the module docstring).

    Raises:
        ValueError: if ``seed`` is not None, an int or a SeedGenerator.

    Example:
        >>> class Coin(RandomInitializer):
        ...     def __call__(self, shape, dtype=None):
        ...         return self._sample(krandom.uniform, shape, dtype).round()
        >>> Coin(seed=1)((4,)).tolist() == Coin(seed=1)((4,)).tolist()
        True
    """

    def __init__(self, seed: krandom.Seed = None) -> None:
        if seed is not None and not isinstance(seed, krandom.SeedGenerator):
            krandom._validate_int_seed(seed, f"{type(self).__name__} seed")
        self.seed = seed

    def get_config(self) -> dict[str, Any]:
        return {"seed": serialize_keras_object(self.seed)}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> RandomInitializer:
        config = dict(config)
        if isinstance(config.get("seed"), dict):
            config["seed"] = deserialize_keras_object(
                config["seed"],
                module_objects=builtin_objects("keras.random"),
                printable_module_name="seed generator",
            )
        return cls(**config)

    def _sample(self, draw, shape, dtype, **params):
        """Run ``krandom.<draw>`` on CPU with this initializer's seed."""
        dtype = _torch_dtype(dtype, type(self).__name__, floating=True)
        return draw(_standardize_shape(shape), dtype=dtype, seed=self.seed, device="cpu", **params)


class _NormalInitializer(RandomInitializer):
    """Shared ``mean`` / ``stddev`` handling; the subclass picks the sampler."""

    _draw = staticmethod(krandom.normal)

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: krandom.Seed = None) -> None:
        super().__init__(seed)
        if stddev < 0:
            raise ValueError(f"{type(self).__name__}: stddev must be >= 0, received stddev={stddev!r}")
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape: ShapeArg, dtype: DTypeLike = None) -> torch.Tensor:
        return self._sample(self._draw, shape, dtype, mean=self.mean, stddev=self.stddev)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


@register_builtin(_MODULE)
class RandomNormal(_NormalInitializer):
    """Samples of a normal distribution; also available as ``random_normal`` (and ``"normal"`` as a name).

    Args:
        mean: float, default 0.0: the mean of the distribution.
        stddev: float, default 0.05: its standard deviation (>= 0).
        seed: None, int or ``keras.random.SeedGenerator``, default None: None draws from torch's global
            generator on each call, an int gives the same values on every call, a SeedGenerator new values
            on each call (see the module docstring).

    Raises:
        ValueError: if ``stddev`` is negative or ``seed`` is not None, an int or a SeedGenerator; when
            called, if ``dtype`` is not a float type.

    Example:
        >>> RandomNormal(mean=0.0, stddev=0.05, seed=1)((3, 3)).shape
        torch.Size([3, 3])
    """


@register_builtin(_MODULE)
class TruncatedNormal(_NormalInitializer):
    """Normal samples redrawn until they lie within 2 stddev of the mean; also available as
    ``truncated_normal``.

    Args:
        mean: float, default 0.0: the mean of the (untruncated) normal distribution.
        stddev: float, default 0.05: its standard deviation (>= 0) before truncation.
        seed: None, int or ``keras.random.SeedGenerator``, default None: None draws from torch's global
            generator on each call, an int gives the same values on every call, a SeedGenerator new values
            on each call (see the module docstring).

    Raises:
        ValueError: if ``stddev`` is negative or ``seed`` is not None, an int or a SeedGenerator; when
            called, if ``dtype`` is not a float type.

    Example:
        >>> w = TruncatedNormal(stddev=0.1, seed=1)((100,))
        >>> bool(w.abs().max() <= 0.2)
        True
    """

    _draw = staticmethod(krandom.truncated_normal)


@register_builtin(_MODULE)
class RandomUniform(RandomInitializer):
    """Uniform samples in ``[minval, maxval)``; also available as ``random_uniform`` (and ``"uniform"``).

    Args:
        minval: float, default -0.05: the lower bound (included).
        maxval: float, default 0.05: the upper bound (excluded).
        seed: None, int or ``keras.random.SeedGenerator``, default None: None draws from torch's global
            generator on each call, an int gives the same values on every call, a SeedGenerator new values
            on each call (see the module docstring).

    Raises:
        ValueError: if ``seed`` is not None, an int or a SeedGenerator; when called, if ``dtype`` is not a
            float type.

    Example:
        >>> w = RandomUniform(-1.0, 1.0, seed=1)((100,))
        >>> bool(w.min() >= -1.0 and w.max() < 1.0)
        True
    """

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: krandom.Seed = None) -> None:
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape: ShapeArg, dtype: DTypeLike = None) -> torch.Tensor:
        return self._sample(krandom.uniform, shape, dtype, minval=self.minval, maxval=self.maxval)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


@register_builtin(_MODULE)
class VarianceScaling(RandomInitializer):
    """Samples with variance ``scale / n``, ``n`` the fan chosen by ``mode``.

    ``distribution="uniform"`` draws from ``[-sqrt(3 * scale / n), sqrt(3 * scale / n)]``;
    the normal ones have stddev ``sqrt(scale / n)`` (after truncation at 2 stddev
    for ``"truncated_normal"``; ``"normal"`` means ``"truncated_normal"``).
    ``input_axes`` and ``output_axes`` (given together, as Keras uses them) pick the axes whose
    sizes multiply into fan_in and fan_out. Also available as ``variance_scaling``.

    Args:
        scale: float, default 1.0: the scaling factor of the variance (> 0).
        mode: str, default ``"fan_in"``: the fan ``n`` divides by: ``"fan_in"``, ``"fan_out"`` or
            ``"fan_avg"`` (their mean); case-insensitive. Fans come from ``(in, out)`` for matrices and
            ``(*kernel, in, out)`` for conv kernels (``n`` is at least 1).
        distribution: str, default ``"truncated_normal"``: ``"truncated_normal"`` (``"normal"`` means the
            same), ``"untruncated_normal"`` or ``"uniform"``; case-insensitive.
        seed: None, int or ``keras.random.SeedGenerator``, default None: None draws from torch's global
            generator on each call, an int gives the same values on every call, a SeedGenerator new values
            on each call (see the module docstring).
        input_axes: list of ints or None, default None: the axes of the shape whose sizes multiply into
            fan_in; given together with ``output_axes`` (Keras reads neither without the other, so one alone
            raises here). None computes the fans from the shape as above.
        output_axes: list of ints or None, default None: the axes whose sizes multiply into fan_out; given
            together with ``input_axes``.

    Raises:
        ValueError: if ``scale`` is not a positive number, ``mode`` or ``distribution`` is not one of the
            names above, ``seed`` is not None, an int or a SeedGenerator, only one of ``input_axes`` and
            ``output_axes`` is given, or either is not a list of ints; when called, if ``dtype`` is not a
            float type or an axis is out of range for the shape.

    Example:
        >>> VarianceScaling(scale=2.0, mode="fan_out", distribution="uniform", seed=0)((3, 4)).shape
        torch.Size([3, 4])
        >>> w = VarianceScaling(distribution="uniform", input_axes=[0], output_axes=[1, 2], seed=0)((2, 3, 4))
        >>> bool(w.abs().max() <= (3.0 / 2) ** 0.5)  # fan_in is 2, the size of axis 0
        True
    """

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: krandom.Seed = None,
        input_axes: int | Sequence[int] | None = None,
        output_axes: int | Sequence[int] | None = None,
    ) -> None:
        super().__init__(seed)
        if isinstance(scale, bool) or not isinstance(scale, (float, int, numbers.Real)) or not scale > 0:
            raise ValueError(f"VarianceScaling: scale must be a positive float, received scale={scale!r}")
        mode = str(mode).lower()
        if mode not in _MODES:
            raise ValueError(f"VarianceScaling: mode must be one of {_MODES}, received mode={mode!r}")
        distribution = str(distribution).lower()
        distribution = "truncated_normal" if distribution == "normal" else distribution
        if distribution not in _DISTRIBUTIONS:
            raise ValueError(
                f"VarianceScaling: distribution must be one of {_DISTRIBUTIONS}, received distribution={distribution!r}"
            )
        self.scale, self.mode, self.distribution = scale, mode, distribution
        self.input_axes, self.output_axes = _fan_axes(type(self).__name__, input_axes, output_axes)

    def __call__(self, shape: ShapeArg, dtype: DTypeLike = None) -> torch.Tensor:
        if self.input_axes is not None:
            rank = len(_standardize_shape(shape))
            if not all(-rank <= a < rank for a in self.input_axes + self.output_axes):
                raise ValueError(
                    f"{type(self).__name__}: input_axes={self.input_axes} and "
                    f"output_axes={self.output_axes} must be axes of the shape, received shape "
                    f"{tuple(_standardize_shape(shape))}"
                )
        fan_in, fan_out = _compute_fans(shape, self.input_axes, self.output_axes)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        variance = self.scale / max(1.0, fan)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            return self._sample(krandom.uniform, shape, dtype, minval=-limit, maxval=limit)
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(variance) / _TRUNCATED_NORMAL_STD
            return self._sample(krandom.truncated_normal, shape, dtype, mean=0.0, stddev=stddev)
        return self._sample(krandom.normal, shape, dtype, mean=0.0, stddev=math.sqrt(variance))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


def _fan_axes(owner, input_axes, output_axes):
    """``(input_axes, output_axes)`` as lists of ints, or both None; one without the other raises."""
    if (input_axes is None) != (output_axes is None):
        raise ValueError(
            f"{owner}: input_axes and output_axes must be given together (the fans come from both "
            f"or from the shape alone), received input_axes={input_axes!r} and "
            f"output_axes={output_axes!r}"
        )
    if input_axes is None:
        return None, None
    axes = []
    for name, value in (("input_axes", input_axes), ("output_axes", output_axes)):
        items = [value] if isinstance(value, numbers.Integral) else value
        if not isinstance(items, (list, tuple)) or not all(
            isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in items
        ):
            raise ValueError(f"{owner}: {name} must be a list of ints, received {name}={value!r}")
        axes.append([int(a) for a in items])
    return axes[0], axes[1]


class _PresetVarianceScaling(VarianceScaling):
    """VarianceScaling with ``scale``, ``mode`` and ``distribution`` fixed by the subclass."""

    _preset = (1.0, "fan_in", "truncated_normal")

    def __init__(
        self,
        seed: krandom.Seed = None,
        input_axes: int | Sequence[int] | None = None,
        output_axes: int | Sequence[int] | None = None,
    ) -> None:
        scale, mode, distribution = self._preset
        super().__init__(scale, mode, distribution, seed, input_axes, output_axes)

    def get_config(self) -> dict[str, Any]:  # the preset arguments are not constructor arguments here
        return {**RandomInitializer.get_config(self), "input_axes": self.input_axes, "output_axes": self.output_axes}


_PRESET_DOC = """{summary}

    :class:`VarianceScaling` with ``scale={scale}``, ``mode="{mode}"`` and ``distribution="{distribution}"``
    fixed (fans from ``(in, out)`` for matrices and ``(*kernel, in, out)`` for conv kernels); also available
    as ``{alias}``.

    Args:
        seed: None, int or ``keras.random.SeedGenerator``, default None: None draws from torch's global
            generator on each call, an int gives the same values on every call, a SeedGenerator new values
            on each call (see the module docstring).
        input_axes: list of ints or None, default None: the axes of the shape whose sizes multiply into
            fan_in; given together with ``output_axes`` (Keras reads neither without the other, so one alone
            raises here). None computes the fans from the shape as above.
        output_axes: list of ints or None, default None: the axes whose sizes multiply into fan_out; given
            together with ``input_axes``.

    Raises:
        ValueError: if ``seed`` is not None, an int or a SeedGenerator, only one of ``input_axes`` and
            ``output_axes`` is given, or either is not a list of ints; when called, if ``dtype`` is not a
            float type or an axis is out of range for the shape.

    Example:
        >>> w = {name}(seed=0)((3, 4))
        >>> w.shape, bool(torch.equal(w, {name}(seed=0)((3, 4))))
        (torch.Size([3, 4]), True)
    """


def _preset(name, scale, mode, distribution, doc):
    """A registered :class:`_PresetVarianceScaling` subclass: VarianceScaling with these fixed arguments, its
    docstring ``_PRESET_DOC`` with the one-line summary ``doc``."""
    alias = "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
    doc = _PRESET_DOC.format(summary=doc, scale=scale, mode=mode, distribution=distribution, alias=alias, name=name)
    namespace = {"__doc__": doc, "__module__": __name__, "_preset": (scale, mode, distribution)}
    return register_builtin(_MODULE)(type(name, (_PresetVarianceScaling,), namespace))


GlorotUniform = _preset(
    "GlorotUniform",
    1.0,
    "fan_avg",
    "uniform",
    "The Glorot (Xavier) uniform initializer: uniform in ``±sqrt(6 / (fan_in + fan_out))``.",
)
GlorotNormal = _preset(
    "GlorotNormal",
    1.0,
    "fan_avg",
    "truncated_normal",
    "The Glorot (Xavier) normal initializer: truncated normal, stddev ``sqrt(2 / (fan_in + fan_out))``.",
)
HeUniform = _preset(
    "HeUniform", 2.0, "fan_in", "uniform", "The He uniform initializer: uniform in ``±sqrt(6 / fan_in)``."
)
HeNormal = _preset(
    "HeNormal",
    2.0,
    "fan_in",
    "truncated_normal",
    "The He normal initializer: truncated normal, stddev ``sqrt(2 / fan_in)``.",
)
LecunUniform = _preset(
    "LecunUniform", 1.0, "fan_in", "uniform", "The LeCun uniform initializer: uniform in ``±sqrt(3 / fan_in)``."
)
LecunNormal = _preset(
    "LecunNormal",
    1.0,
    "fan_in",
    "truncated_normal",
    "The LeCun normal initializer: truncated normal, stddev ``sqrt(1 / fan_in)``.",
)


@register_builtin(_MODULE)
class Orthogonal(RandomInitializer):
    """``gain`` times a random orthogonal matrix (from the QR decomposition of a normal one).

    Shapes of rank > 2 are initialized as ``(prod(shape[:-1]), shape[-1])`` and
    reshaped; a wide matrix gets orthonormal rows, a tall one orthonormal columns. Also available as
    ``orthogonal`` and ``OrthogonalInitializer``.

    Args:
        gain: float, default 1.0: the factor applied to the orthogonal matrix.
        seed: None, int or ``keras.random.SeedGenerator``, default None: None draws from torch's global
            generator on each call, an int gives the same values on every call, a SeedGenerator new values
            on each call (see the module docstring).

    Raises:
        ValueError: if ``seed`` is not None, an int or a SeedGenerator; when called, if the shape has
            rank < 2 or ``dtype`` is not a float type.

    Example:
        >>> q = Orthogonal(seed=0)((4, 4)); bool(torch.allclose(q.T @ q, torch.eye(4), atol=1e-5))
        True
        >>> w = Orthogonal(gain=2.0, seed=0)((2, 3))
        >>> bool(torch.allclose(w @ w.T, 4 * torch.eye(2), atol=1e-5))  # orthogonal rows of norm 2
        True
    """

    def __init__(self, gain: float = 1.0, seed: krandom.Seed = None) -> None:
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape: ShapeArg, dtype: DTypeLike = None) -> torch.Tensor:
        shape = _standardize_shape(shape)
        if len(shape) < 2:
            raise ValueError(
                f"Orthogonal: the tensor to initialize must be at least two-dimensional, received shape={shape}"
            )
        rows, cols = math.prod(shape[:-1]), shape[-1]
        wide = rows < cols
        dtype = _torch_dtype(dtype, "Orthogonal", floating=True)
        work = torch.float64 if dtype == torch.float64 else torch.float32
        flat = self._sample(krandom.normal, (cols, rows) if wide else (rows, cols), work)
        q, r = torch.linalg.qr(flat)
        signs = torch.sign(torch.diagonal(r))
        q = q * torch.where(signs == 0, torch.ones_like(signs), signs)  # a unique, uniformly distributed Q
        if wide:
            q = q.T
        return (self.gain * q).reshape(shape).to(dtype).contiguous()

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "gain": self.gain}


# ------------------------------------------------------------------------------------------------ STFT kernels
# Window functions by name, as scipy.signal.get_window computes them: symmetric of length n (a periodic window of
# length n is the symmetric one of length n + 1 without its last value). Generalized cosine windows are
# sum_k a_k cos(k x) over x in [-pi, pi].
_COSINE_WINDOWS = {
    "hann": (0.5, 0.5),
    "hamming": (0.54, 0.46),
    "blackman": (0.42, 0.5, 0.08),
    "blackmanharris": (0.35875, 0.48829, 0.14128, 0.01168),
    "nuttall": (0.3635819, 0.4891775, 0.1365995, 0.0106411),
    "flattop": (0.21557895, 0.41663158, 0.277263158, 0.083578947, 0.006947368),
}


def _cosine_window(coefficients):
    def window(n):
        x = torch.linspace(-math.pi, math.pi, n, dtype=torch.float64)
        return sum(a * torch.cos(k * x) for k, a in enumerate(coefficients))

    return window


def _triang(n):
    half = torch.arange(1, (n + 1) // 2 + 1, dtype=torch.float64)
    if n % 2 == 0:
        rising = (2 * half - 1) / n
        return torch.cat([rising, rising.flip(0)])
    rising = 2 * half / (n + 1)
    return torch.cat([rising, rising[:-1].flip(0)])


def _bartlett(n):
    x = torch.arange(n, dtype=torch.float64) / (n - 1)
    return 1 - torch.abs(2 * x - 1)


def _barthann(n):
    x = torch.arange(n, dtype=torch.float64) / (n - 1) - 0.5
    return 0.62 - 0.48 * torch.abs(x) + 0.38 * torch.cos(2 * math.pi * x)


def _bohman(n):
    x = torch.abs(torch.linspace(-1, 1, n, dtype=torch.float64)[1:-1])
    inner = (1 - x) * torch.cos(math.pi * x) + torch.sin(math.pi * x) / math.pi
    return torch.cat([inner.new_zeros(1), inner, inner.new_zeros(1)])


def _cosine(n):
    return torch.sin(math.pi / n * (torch.arange(n, dtype=torch.float64) + 0.5))


_WINDOWS = {
    **{name: _cosine_window(a) for name, a in _COSINE_WINDOWS.items()},
    "triang": _triang,
    "bartlett": _bartlett,
    "barthann": _barthann,
    "bohman": _bohman,
    "cosine": _cosine,
    "boxcar": lambda n: torch.ones(n, dtype=torch.float64),
}
_WINDOW_ALIASES = {
    "han": "hann",
    "hamm": "hamming",
    "ham": "hamming",
    "black": "blackman",
    "blk": "blackman",
    "blackharr": "blackmanharris",
    "bkh": "blackmanharris",
    "nutl": "nuttall",
    "nut": "nuttall",
    "flat": "flattop",
    "flt": "flattop",
    "triangle": "triang",
    "tri": "triang",
    "bart": "bartlett",
    "brt": "bartlett",
    "brthan": "barthann",
    "bth": "barthann",
    "bman": "bohman",
    "bmn": "bohman",
    "halfcosine": "cosine",
    "box": "boxcar",
    "ones": "boxcar",
    "rect": "boxcar",
    "rectangular": "boxcar",
}


def _check_window(window, who):
    """``window`` as a window name (str), a list of floats, or None; a ValueError naming ``who`` otherwise."""
    if window is None:
        return None
    if isinstance(window, str):
        if window not in _WINDOWS and window not in _WINDOW_ALIASES:
            raise ValueError(
                f"{who}: window must be one of {sorted(_WINDOWS)} (scipy.signal.get_window's names), "
                f"an array of window values or None, received window={window!r}"
            )
        return window
    if isinstance(window, (tuple, list)) and window and isinstance(window[0], str):
        raise ValueError(
            f"{who}: windows with parameters (scipy's (name, parameter) tuples) are not available; "
            f"pass the window's values as an array instead, received window={window!r}"
        )
    if isinstance(window, torch.Tensor):
        window = window.detach().cpu().numpy()
    try:
        values = np.asarray(window, dtype="float64")
    except (TypeError, ValueError):
        values = None
    if values is None or values.ndim != 1 or values.size == 0:
        raise ValueError(
            f"{who}: window must be a window name, a 1-D array of window values or None, received window={window!r}"
        )
    return values.tolist()


def _window_values(window, length, periodic):
    """The float64 values of a checked window name (symmetric, or periodic) of ``length`` samples."""
    if length <= 1:
        return torch.ones(length, dtype=torch.float64)
    make = _WINDOWS[_WINDOW_ALIASES.get(window, window)]
    return make(length + 1)[:-1] if periodic else make(length)


@register_builtin(_MODULE)
class STFT(Initializer):
    """Kernels of a short-time Fourier transform as a convolution: the real or the imaginary part of the DFT
    of a windowed frame.

    For a kernel of shape ``(frame_length, input_channels, fft_length // 2 + 1)`` (the layout of a ``Conv1D``
    kernel; ``fft_length`` is taken as ``2 * (shape[-1] - 1)``), the value at ``(t, c, f)`` is
    ``w[t] * cos(2 pi t f / fft_length)`` for ``side="real"`` and ``-w[t] * sin(2 pi t f / fft_length)`` for
    ``side="imag"``, the same for every input channel, with ``w`` the window, divided by ``sqrt(sum(w**2))``
    (``scaling="density"``) or by ``sum(w)`` (``scaling="spectrum"``). Convolving a signal with the two kernels
    (stride ``frame_step``) gives the real and imaginary parts of its STFT. This is the initializer of
    :class:`~kerastorch.layers.STFTSpectrogram`'s kernels.

    As in Keras 3.15, ``window=None`` means no window and no scaling (a rectangular window), ``periodic``
    applies to named windows only (an array is used as given, and scaled), and the values are those of
    ``scipy.signal.get_window`` (computed here in float64, without scipy). kerastorch knows the windows
    ``boxcar``, ``triang``, ``bartlett``, ``barthann``, ``bohman``, ``cosine``, ``hann``, ``hamming``,
    ``blackman``, ``blackmanharris``, ``nuttall`` and ``flattop`` (and scipy's short aliases of them);
    scipy's windows with parameters (``("kaiser", beta)`` ...) are refused: pass their values as an array.
    Keras 3 returns a kernel with one input channel whatever the shape asks; kerastorch repeats it over the
    requested input channels.

    Args:
        side: str, default ``"real"``: ``"real"`` or ``"imag"``, the part of the transform the kernel computes.
        window: str, array-like or None, default ``"hann"``: a window name (see above), the window's values
            (one per sample of the frame), or None for no window.
        scaling: str or None, default ``"density"``: ``"density"`` (divide the window by its L2 norm),
            ``"spectrum"`` (by its sum) or None.
        periodic: bool, default False: use the periodic form of a named window (the symmetric one otherwise).

    Returns:
        Called as ``init(shape, dtype=None)``: a tensor of ``shape`` (rank 3) and ``dtype`` (a float type,
        default ``floatx()``).

    Raises:
        ValueError: for an unknown ``side``, ``scaling`` or window name, a window array whose length is not
            ``shape[0]``, or a shape that is not of rank 3.

    Example:
        >>> kernel = STFT(side="real", window=None, scaling=None)((4, 1, 3))
        >>> kernel[:, 0, :].round() + 0.0  # cos(2 pi t f / 4): t down, f across
        tensor([[ 1.,  1.,  1.],
                [ 1.,  0., -1.],
                [ 1., -1.,  1.],
                [ 1.,  0., -1.]])
        >>> STFT("imag", "hann", "spectrum", periodic=True)((8, 1, 5))[2, 0, 1]
        tensor(-0.1250)
    """

    def __init__(
        self,
        side: str = "real",
        window: str | TensorLike | None = "hann",
        scaling: str | None = "density",
        periodic: bool = False,
    ) -> None:
        if side not in ("real", "imag"):
            raise ValueError(f"STFT: side must be 'real' or 'imag', received side={side!r}")
        if scaling not in (None, "density", "spectrum"):
            raise ValueError(f"STFT: scaling must be None, 'density' or 'spectrum', received scaling={scaling!r}")
        self.side, self.scaling, self.periodic = side, scaling, bool(periodic)
        self.window = _check_window(window, "STFT")

    def __call__(self, shape: ShapeArg, dtype: DTypeLike = None) -> torch.Tensor:
        shape = _standardize_shape(shape)
        dtype = _torch_dtype(dtype, "STFT", floating=True)
        if len(shape) != 3:
            raise ValueError(
                f"STFT: the kernel shape must be (frame_length, input_channels, fft_length // 2 + 1), "
                f"received shape={shape}"
            )
        frame_length, bins = shape[0], shape[-1]
        if self.window is None:
            window = torch.ones(frame_length, dtype=torch.float64)
        else:
            if isinstance(self.window, str):
                window = _window_values(self.window, frame_length, self.periodic)
            else:
                window = torch.tensor(self.window, dtype=torch.float64)
                if window.numel() != frame_length:
                    raise ValueError(
                        f"STFT: the window must have frame_length={frame_length} values (shape[0]), "
                        f"received {window.numel()} values"
                    )
            if self.scaling == "density":
                window = window / window.square().sum().sqrt()
            elif self.scaling == "spectrum":
                window = window / window.sum()
        fft_length = max(2 * (bins - 1), 1)
        # t * f modulo fft_length in integers keeps the angles exact for long frames
        phase = torch.outer(torch.arange(frame_length), torch.arange(bins)) % fft_length
        angle = phase.to(torch.float64) * (2 * math.pi / fft_length)
        part = torch.cos(angle) if self.side == "real" else -torch.sin(angle)
        kernel = (window[:, None] * part)[:, None, :]
        return kernel.expand(shape).to(dtype).contiguous()

    def get_config(self) -> dict[str, Any]:
        return {"side": self.side, "window": self.window, "periodic": self.periodic, "scaling": self.scaling}


IdentityInitializer = Identity
OrthogonalInitializer = Orthogonal

# snake_case names Keras accepts (as module attributes and as strings)
zeros, ones, constant, identity = Zeros, Ones, Constant, Identity
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling, orthogonal = VarianceScaling, Orthogonal
glorot_uniform, glorot_normal, he_uniform, he_normal = GlorotUniform, GlorotNormal, HeUniform, HeNormal
lecun_uniform, lecun_normal = LecunUniform, LecunNormal
STFTInitializer = stft = STFT

_ALIASES = {
    "zeros": Zeros,
    "zero": Zeros,
    "ones": Ones,
    "one": Ones,
    "constant": Constant,
    "identity": Identity,
    "IdentityInitializer": Identity,
    "random_normal": RandomNormal,
    "normal": RandomNormal,
    "random_uniform": RandomUniform,
    "uniform": RandomUniform,
    "truncated_normal": TruncatedNormal,
    "variance_scaling": VarianceScaling,
    "orthogonal": Orthogonal,
    "OrthogonalInitializer": Orthogonal,
    "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal,
    "he_uniform": HeUniform,
    "he_normal": HeNormal,
    "lecun_uniform": LecunUniform,
    "lecun_normal": LecunNormal,
    "STFTInitializer": STFT,
    "stft": STFT,
}
for _name, _cls in _ALIASES.items():
    register_builtin(_MODULE, _name)(_cls)


serialize, deserialize, _get = namespace_functions(_MODULE, "initializer", Initializer, __name__)


def _value_initializer(value):
    """An initializer that returns a copy of ``value`` (Keras accepts a tensor or array as initializer)."""
    value = torch.as_tensor(value).detach()

    def initializer(shape, dtype=None):
        if tuple(value.shape) != _standardize_shape(shape):
            raise ValueError(
                f"A tensor used as initializer has shape {tuple(value.shape)}, but shape="
                f"{_standardize_shape(shape)} was requested"
            )
        return value.to(device="cpu", dtype=_torch_dtype(dtype, "initializer"), copy=True)

    return initializer


@overload
def get(identifier: None) -> None: ...


@overload
def get(identifier: str | dict[str, Any] | Callable[..., Any] | torch.Tensor | np.ndarray) -> Callable[..., Any]: ...


def get(identifier: Identifier | torch.Tensor | np.ndarray) -> Callable[..., Any] | None:
    """An initializer from a name, config dict, class, instance, callable, or a tensor or
    array to copy (None stays None).

    Args:
        identifier: None, str (a class name or its snake-case alias: ``"glorot_uniform"``, ``"zeros"`` ...),
            dict (a config from :func:`serialize`), an ``Initializer`` class (instantiated with its defaults)
            or instance, a callable ``init(shape, dtype=None)``, or a tensor or NumPy array (an initializer
            that returns a copy of it for its own shape only).

    Returns:
        The initializer (a callable ``init(shape, dtype=None)``), or None.

    Raises:
        ValueError: for an unknown name or a config that cannot be read; when a tensor's initializer is
            called with another shape.

    Example:
        >>> type(get("glorot_uniform")).__name__
        'GlorotUniform'
        >>> get(torch.ones(2))((2,))
        tensor([1., 1.])
    """
    if isinstance(identifier, (torch.Tensor, np.ndarray)):
        return _value_initializer(identifier)
    return _get(identifier)


variable.set_initializer_lookup(get)  # keras.Variable("zeros", shape=...) resolves names here


def __dir__():
    return sorted(__all__)
