"""``keras.random``: random tensors drawn with torch generators.

Seeds (the ``seed`` argument of every function here and of the random
initializers):

- ``None`` draws from torch's global generator of the target device, so
  ``torch.manual_seed`` / ``keras.utils.set_random_seed`` make it reproducible.
  (Keras 3 keeps its own global SeedGenerator instead; kerastorch uses torch's.)
- an ``int`` seeds a fresh generator: the same int gives the same values on
  every call, as Keras documents.
- a :class:`SeedGenerator` gives new values on every call, reproducibly from
  its own seed.

Tensors are created on ``config.default_device()`` unless ``device=`` (a
kerastorch extension) says otherwise; ``dropout`` and ``shuffle`` follow their
input. CPU and CUDA generators differ, so one int seed gives different values
on the two devices.

``gamma`` and ``beta`` use torch's gamma sampler, which takes no generator: with a
seed they draw from the global generator of the device inside ``torch.random.fork_rng``
(seeded from ``seed``), so the global state is left as it was.

Example:
    >>> x = normal((2, 3), seed=1)
    >>> bool((x == normal((2, 3), seed=1)).all())
    True
"""

from __future__ import annotations

import contextlib
import numbers
from typing import Any, Sequence, Union

import torch

from kerastorch import config
from kerastorch.backend.annotations import DeviceLike, DTypeLike, TensorLike
from kerastorch.backend.naming import unique_name
from kerastorch.backend.torch_internals import standard_gamma
from kerastorch.serialization.object_registration import register_builtin

__all__ = [
    "SeedGenerator",
    "normal",
    "uniform",
    "truncated_normal",
    "randint",
    "dropout",
    "shuffle",
    "categorical",
    "gamma",
    "beta",
    "binomial",
]


def _validate_int_seed(seed, who="seed"):
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ValueError(f"{who}: expected None, an int or a keras.random.SeedGenerator, received {seed!r}")
    return int(seed)


def _device_key(device):
    device = torch.device(device)
    current = getattr(torch.get_device_module(device.type), "current_device", None)
    if device.type != "cpu" and device.index is None and current is not None:
        device = torch.device(device.type, current())
    return device


@register_builtin("keras.random")
class SeedGenerator:
    """A stateful seed for the ``keras.random`` functions and random layers.

    Each draw that uses it advances it, so successive calls give new values, while a new ``SeedGenerator`` with the same
    seed replays them. It keeps one ``torch.Generator`` per device.

    Args:
        seed: int or None, default ``None``: the initial seed; None draws one from torch's global generator (so
            ``torch.manual_seed`` makes it reproducible).
        name: str or None, default ``None``: the generator's name; None makes a unique ``"seed_generator"`` name.

    Raises:
        ValueError: for a ``seed`` that is not an int or None.

    Example:
        >>> gen = SeedGenerator(42)
        >>> a, b = uniform((2,), seed=gen), uniform((2,), seed=gen)
        >>> bool((a == b).all())
        False
        >>> bool((a == uniform((2,), seed=SeedGenerator(42))).all())
        True
    """

    def __init__(self, seed: int | None = None, name: str | None = None) -> None:
        if seed is None:  # drawn from torch's global RNG, hence reproducible with torch.manual_seed
            seed = int(torch.randint(0, 2**31 - 1, ()))
        self.seed = _validate_int_seed(seed, "SeedGenerator")
        self.name = name or unique_name("seed_generator")
        self._generators: dict[str, torch.Generator] = {}

    def generator(self, device: DeviceLike = "cpu") -> torch.Generator:
        """The ``torch.Generator`` this object drives on ``device`` (made on first use).

        >>> SeedGenerator(3).generator("cpu").initial_seed()
        3
        """
        device = _device_key(device)
        key = str(device)
        if key not in self._generators:
            self._generators[key] = torch.Generator(device=device).manual_seed(self.seed)
        return self._generators[key]

    def next(self) -> int:
        """Advance the generator and return a fresh int seed drawn from it.

        >>> SeedGenerator(3).next() == SeedGenerator(3).next()
        True
        """
        return int(torch.randint(0, 2**62, (), generator=self.generator("cpu")))

    def get_config(self) -> dict[str, Any]:
        """``{"seed": ..., "name": ...}``: the initial seed, so a rebuilt generator replays."""
        return {"seed": self.seed, "name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> SeedGenerator:
        """Rebuild from :meth:`get_config` output."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<SeedGenerator seed={self.seed}>"


Seed = Union[int, SeedGenerator, None]
"""A ``seed`` argument: None (torch's global generator), an int, or a :class:`SeedGenerator`."""
ShapeArg = Union[int, Sequence[int]]
"""A ``shape`` argument: an int for a 1-D shape, or a tuple or list of ints."""


def _generator(seed, device):
    """The torch.Generator for ``seed`` on ``device`` (None: torch's global one)."""
    if seed is None:
        return None
    if isinstance(seed, SeedGenerator):
        return seed.generator(device)
    return torch.Generator(device=_device_key(device)).manual_seed(_validate_int_seed(seed))


def _shape(shape):
    if isinstance(shape, numbers.Integral):
        shape = (shape,)
    shape = tuple(int(d) for d in shape)
    if any(d < 0 for d in shape):
        raise ValueError(f"shape: expected non-negative sizes, received {shape}")
    return shape


def _empty_float(shape, dtype, device, who):
    """An empty tensor to sample into: float32 (float64 when asked) and the final dtype."""
    dtype = config.torch_dtype(dtype)
    if not dtype.is_floating_point:
        raise ValueError(f"{who}: dtype must be a float type, received {config.standardize_dtype(dtype)!r}")
    work = torch.float64 if dtype == torch.float64 else torch.float32
    device = config.default_device() if device is None else device
    return torch.empty(_shape(shape), dtype=work, device=device), dtype


def _check_stddev(stddev, who):
    if stddev < 0:
        raise ValueError(f"{who}: stddev must be >= 0, received {stddev}")


def normal(
    shape: ShapeArg,
    mean: float = 0.0,
    stddev: float = 1.0,
    dtype: DTypeLike = None,
    seed: Seed = None,
    *,
    device: DeviceLike = None,
) -> torch.Tensor:
    """Samples from a normal distribution with mean ``mean`` and standard deviation ``stddev``.

    Args:
        shape: int or tuple of ints: the shape of the result.
        mean: float, default ``0.0``: the mean.
        stddev: float, default ``1.0``: the standard deviation, >= 0.
        dtype: str or None, default ``None``: a float dtype for the result; None uses ``config.floatx()`` (sampled in
            float32, or float64 when asked, then cast).
        seed: None, int or SeedGenerator, default ``None``: None draws from torch's global generator; an int gives the
            same values on every call; a :class:`SeedGenerator` gives new values on every call, reproducibly from its
            own seed.
        device: str, torch.device or None, default ``None``: keyword only, a kerastorch extension: where the tensor is
            made; None uses ``config.default_device()``.

    Returns:
        A tensor of ``shape`` and ``dtype``.

    Raises:
        ValueError: for a negative ``stddev``, a ``dtype`` that is not a float type, or negative sizes in ``shape``.

    Example:
        >>> normal((2, 3), seed=1).shape
        torch.Size([2, 3])
        >>> normal((1000,), mean=3.0, seed=0).mean().round().item()
        3.0
    """
    _check_stddev(stddev, "normal")
    out, dtype = _empty_float(shape, dtype, device, "normal")
    return out.normal_(mean, stddev, generator=_generator(seed, out.device)).to(dtype)


def uniform(
    shape: ShapeArg,
    minval: float = 0.0,
    maxval: float = 1.0,
    dtype: DTypeLike = None,
    seed: Seed = None,
    *,
    device: DeviceLike = None,
) -> torch.Tensor:
    """Samples from a uniform distribution on ``[minval, maxval)``.

    Args:
        shape: int or tuple of ints: the shape of the result.
        minval: float, default ``0.0``: the lower bound (included).
        maxval: float, default ``1.0``: the upper bound (excluded), >= ``minval``.
        dtype: str or None, default ``None``: a float dtype for the result; None uses ``config.floatx()`` (sampled in
            float32, or float64 when asked, then cast).
        seed: None, int or SeedGenerator, default ``None``: None draws from torch's global generator; an int gives the
            same values on every call; a :class:`SeedGenerator` gives new values on every call, reproducibly from its
            own seed.
        device: str, torch.device or None, default ``None``: keyword only, a kerastorch extension: where the tensor is
            made; None uses ``config.default_device()``.

    Returns:
        A tensor of ``shape`` and ``dtype``.

    Raises:
        ValueError: when ``minval > maxval``, for a ``dtype`` that is not a float type, or negative sizes in ``shape``.

    Example:
        >>> bool(((uniform((100,), -1.0, 1.0, seed=0)).abs() <= 1).all())
        True
    """
    if minval > maxval:
        raise ValueError(f"uniform: minval must be <= maxval, received minval={minval}, maxval={maxval}")
    out, dtype = _empty_float(shape, dtype, device, "uniform")
    return out.uniform_(minval, maxval, generator=_generator(seed, out.device)).to(dtype)


def truncated_normal(
    shape: ShapeArg,
    mean: float = 0.0,
    stddev: float = 1.0,
    dtype: DTypeLike = None,
    seed: Seed = None,
    *,
    device: DeviceLike = None,
) -> torch.Tensor:
    """Samples from a normal distribution truncated to ``[mean - 2 * stddev, mean + 2 * stddev]``.

    Values outside that range are redrawn, as in Keras.

    Args:
        shape: int or tuple of ints: the shape of the result.
        mean: float, default ``0.0``: the mean before truncation.
        stddev: float, default ``1.0``: the standard deviation before truncation, >= 0.
        dtype: str or None, default ``None``: a float dtype for the result; None uses ``config.floatx()`` (sampled in
            float32, or float64 when asked, then cast).
        seed: None, int or SeedGenerator, default ``None``: None draws from torch's global generator; an int gives the
            same values on every call; a :class:`SeedGenerator` gives new values on every call, reproducibly from its
            own seed.
        device: str, torch.device or None, default ``None``: keyword only, a kerastorch extension: where the tensor is
            made; None uses ``config.default_device()``.

    Returns:
        A tensor of ``shape`` and ``dtype``.

    Raises:
        ValueError: for a negative ``stddev``, a ``dtype`` that is not a float type, or negative sizes in ``shape``.

    Example:
        >>> bool((truncated_normal((1000,), seed=0).abs() <= 2).all())
        True
    """
    _check_stddev(stddev, "truncated_normal")
    out, dtype = _empty_float(shape, dtype, device, "truncated_normal")
    if stddev == 0:
        return out.fill_(mean).to(dtype)
    torch.nn.init.trunc_normal_(
        out, mean, stddev, mean - 2 * stddev, mean + 2 * stddev, generator=_generator(seed, out.device)
    )
    return out.to(dtype)


def randint(
    shape: ShapeArg,
    minval: int,
    maxval: int,
    dtype: DTypeLike = "int32",
    seed: Seed = None,
    *,
    device: DeviceLike = None,
) -> torch.Tensor:
    """Integers drawn uniformly from ``[minval, maxval)``.

    Args:
        shape: int or tuple of ints: the shape of the result.
        minval: int: the lower bound (included).
        maxval: int: the upper bound (excluded), > ``minval``.
        dtype: str, default ``"int32"``: an integer dtype for the result.
        seed: None, int or SeedGenerator, default ``None``: None draws from torch's global generator; an int gives the
            same values on every call; a :class:`SeedGenerator` gives new values on every call, reproducibly from its
            own seed.
        device: str, torch.device or None, default ``None``: keyword only, a kerastorch extension: where the tensor is
            made; None uses ``config.default_device()``.

    Returns:
        A tensor of ``shape`` and ``dtype``.

    Raises:
        ValueError: when ``minval >= maxval``, for a ``dtype`` that is not an integer type, or negative sizes in
            ``shape``.

    Example:
        >>> randint((3,), 0, 1, seed=0).tolist()
        [0, 0, 0]
        >>> randint((2, 2), 0, 10, seed=0).dtype
        torch.int32
    """
    torch_dtype = config.torch_dtype(dtype)
    if torch_dtype.is_floating_point or torch_dtype.is_complex or torch_dtype == torch.bool:
        raise ValueError(f"randint: dtype must be an integer type, received {config.standardize_dtype(dtype)!r}")
    if minval >= maxval:
        raise ValueError(f"randint: minval must be < maxval, received minval={minval}, maxval={maxval}")
    device = config.default_device() if device is None else torch.device(device)
    return torch.randint(
        int(minval),
        int(maxval),
        _shape(shape),
        dtype=torch_dtype,
        device=device,
        generator=_generator(seed, device),
    )


def dropout(
    inputs: TensorLike, rate: float, noise_shape: Sequence[int | None] | None = None, seed: Seed = None
) -> torch.Tensor:
    """Zeroes each entry of ``inputs`` with probability ``rate`` and scales the others by ``1 / (1 - rate)``.

    The mask is drawn on the device of ``inputs``; the expected value of each entry is unchanged.

    Args:
        inputs: tensor or array: the input.
        rate: float: the probability of dropping an entry, in ``[0, 1]`` (0 returns ``inputs``, 1 zeros).
        noise_shape: tuple or None, default ``None``: the shape of the mask, one entry per axis of ``inputs``, broadcast
            over axes of size 1 (None entries take the input's size); None draws one mask entry per input entry.
        seed: None, int or SeedGenerator, default ``None``: None draws from torch's global generator; an int gives the
            same values on every call; a :class:`SeedGenerator` gives new values on every call, reproducibly from its
            own seed.

    Returns:
        A tensor of the shape and dtype of ``inputs``.

    Raises:
        ValueError: for a ``rate`` outside ``[0, 1]`` or a ``noise_shape`` with the wrong number of entries.

    Example:
        >>> set(dropout(torch.ones(100), 0.5, seed=0).tolist()) == {0.0, 2.0}
        True
        >>> rows = dropout(torch.ones(4, 3), 0.5, noise_shape=(None, 1), seed=0)
        >>> bool((rows == rows[:, :1]).all())  # one draw per row
        True
    """
    if not 0 <= rate <= 1:
        raise ValueError(f"dropout: rate must be in [0, 1], received {rate}")
    inputs = torch.as_tensor(inputs)
    if rate == 0:
        return inputs
    if rate == 1:
        return torch.zeros_like(inputs)
    shape: tuple[int, ...] = inputs.shape
    if noise_shape is not None:
        if len(noise_shape) != inputs.dim():
            raise ValueError(
                f"dropout: noise_shape must have one entry per input axis ({inputs.dim()}), "
                f"received {tuple(noise_shape)}"
            )
        shape = tuple(size if d is None else int(d) for d, size in zip(noise_shape, inputs.shape))
    keep = 1.0 - rate
    mask_dtype = inputs.dtype if inputs.is_floating_point() else torch.float32
    mask = torch.empty(shape, dtype=mask_dtype, device=inputs.device)
    mask.bernoulli_(keep, generator=_generator(seed, inputs.device))
    return inputs * mask.mul_(1.0 / keep)


def shuffle(x: TensorLike, axis: int = 0, seed: Seed = None) -> torch.Tensor:
    """A random permutation of ``x`` along ``axis``.

    Args:
        x: tensor or array: the input, of rank >= 1.
        axis: int, default ``0``: the axis to permute.
        seed: None, int or SeedGenerator, default ``None``: None draws from torch's global generator; an int gives the
            same values on every call; a :class:`SeedGenerator` gives new values on every call, reproducibly from its
            own seed.

    Returns:
        A tensor of the shape and dtype of ``x``, on its device.

    Raises:
        ValueError: for a scalar ``x``.

    Example:
        >>> sorted(shuffle(torch.arange(5), seed=0).tolist())
        [0, 1, 2, 3, 4]
    """
    x = torch.as_tensor(x)
    if x.dim() == 0:
        raise ValueError("shuffle: expected a tensor with at least one axis, received a scalar")
    perm = torch.randperm(x.shape[axis], generator=_generator(seed, x.device), device=x.device)
    return x.index_select(axis, perm)


def categorical(logits: TensorLike, num_samples: int, dtype: DTypeLike = "int32", seed: Seed = None) -> torch.Tensor:
    """Draws class indices from categorical distributions given by unnormalized log-probabilities.

    Draws are with replacement, independently for each row.

    Args:
        logits: tensor or array: ``(batch_size, num_classes)``, the log-probabilities of each row (up to a constant).
        num_samples: int: the number of draws per row.
        dtype: str, default ``"int32"``: an integer dtype for the result.
        seed: None, int or SeedGenerator, default ``None``: None draws from torch's global generator; an int gives the
            same values on every call; a :class:`SeedGenerator` gives new values on every call, reproducibly from its
            own seed.

    Returns:
        A tensor ``(batch_size, num_samples)`` of ``dtype``, on the device of ``logits``.

    Raises:
        ValueError: for ``logits`` that are not 2-D or a ``dtype`` that is not an integer type.

    Example:
        >>> categorical(torch.tensor([[0.0, -1e9], [-1e9, 0.0]]), 3, seed=0).tolist()
        [[0, 0, 0], [1, 1, 1]]
    """
    logits = torch.as_tensor(logits)
    if logits.dim() != 2:
        raise ValueError(
            f"categorical: expected logits of shape (batch_size, num_classes), received shape {tuple(logits.shape)}"
        )
    torch_dtype = config.torch_dtype(dtype)
    if torch_dtype.is_floating_point or torch_dtype.is_complex or torch_dtype == torch.bool:
        raise ValueError(f"categorical: dtype must be an integer type, received {config.standardize_dtype(dtype)!r}")
    num_samples = int(num_samples)
    probs = torch.softmax(logits.to(torch.float64 if logits.dtype == torch.float64 else torch.float32), -1)
    draws = torch.multinomial(probs, num_samples, replacement=True, generator=_generator(seed, logits.device))
    return draws.to(torch_dtype)


def _float_params(
    who: str, shape: ShapeArg, dtype: DTypeLike, device: DeviceLike, *params: TensorLike
) -> tuple[list[torch.Tensor], torch.dtype, torch.device]:
    dtype = config.torch_dtype(dtype)
    if not dtype.is_floating_point:
        raise ValueError(f"{who}: dtype must be a float type, received {config.standardize_dtype(dtype)!r}")
    work = torch.float64 if dtype == torch.float64 else torch.float32
    if device is None:
        tensors = [p for p in params if isinstance(p, torch.Tensor)]
        device = tensors[0].device if tensors else config.default_device()
    shape = _shape(shape)
    out = []
    for p in params:
        p = torch.as_tensor(p, dtype=work, device=device)
        try:
            out.append(p.expand(shape))
        except RuntimeError:
            raise ValueError(f"{who}: parameters of shape {tuple(p.shape)} do not broadcast to shape {shape}") from None
    return out, dtype, torch.device(device)


@contextlib.contextmanager
def _seeded(seed, device):
    """Run a draw that takes no generator: from the global generator, or reproducibly from ``seed``."""
    if seed is None:
        yield
        return
    value = seed.next() if isinstance(seed, SeedGenerator) else _validate_int_seed(seed)
    device = _device_key(device)
    with torch.random.fork_rng(devices=[device] if device.type != "cpu" else [], device_type=device.type):
        if device.type == "cpu":
            torch.default_generator.manual_seed(value)
        else:
            torch.get_device_module(device.type).manual_seed(value)
        yield


def gamma(
    shape: ShapeArg, alpha: TensorLike, dtype: DTypeLike = None, seed: Seed = None, *, device: DeviceLike = None
) -> torch.Tensor:
    """Samples from a gamma distribution of concentration ``alpha`` and rate 1.

    torch's gamma sampler takes no generator: with a seed it draws from the device's global generator inside
    ``torch.random.fork_rng``, leaving the global state as it was.

    Args:
        shape: int or tuple of ints: the shape of the result.
        alpha: float or tensor: the concentration (shape parameter), > 0, broadcast to ``shape``.
        dtype: str or None, default ``None``: a float dtype for the result; None uses ``config.floatx()`` (sampled in
            float32, or float64 when asked, then cast).
        seed: None, int or SeedGenerator, default ``None``: None draws from torch's global generator; an int gives the
            same values on every call; a :class:`SeedGenerator` gives new values on every call, reproducibly from its
            own seed.
        device: str, torch.device or None, default ``None``: keyword only, a kerastorch extension: where the tensor is
            made; None uses the device of a tensor parameter, else ``config.default_device()``.

    Returns:
        A tensor of ``shape`` and ``dtype``.

    Raises:
        ValueError: for a ``dtype`` that is not a float type, or an ``alpha`` that does not broadcast to ``shape``.

    Example:
        >>> x = gamma((20000,), 3.0, seed=0)
        >>> round(x.mean().item())  # the mean is alpha
        3
    """
    (alpha,), dtype, device = _float_params("gamma", shape, dtype, device, alpha)
    with _seeded(seed, device):
        return standard_gamma(alpha.contiguous()).to(dtype)


def beta(
    shape: ShapeArg,
    alpha: TensorLike,
    beta: TensorLike,
    dtype: DTypeLike = None,
    seed: Seed = None,
    *,
    device: DeviceLike = None,
) -> torch.Tensor:
    """Samples from a beta distribution with shape parameters ``alpha`` and ``beta``, in ``[0, 1]``.

    Drawn as ``x / (x + y)`` of two gamma samples, seeded as :func:`gamma` is.

    Args:
        shape: int or tuple of ints: the shape of the result.
        alpha: float or tensor: the first shape parameter, > 0, broadcast to ``shape``.
        beta: float or tensor: the second shape parameter, > 0, broadcast to ``shape``.
        dtype: str or None, default ``None``: a float dtype for the result; None uses ``config.floatx()`` (sampled in
            float32, or float64 when asked, then cast).
        seed: None, int or SeedGenerator, default ``None``: None draws from torch's global generator; an int gives the
            same values on every call; a :class:`SeedGenerator` gives new values on every call, reproducibly from its
            own seed.
        device: str, torch.device or None, default ``None``: keyword only, a kerastorch extension: where the tensor is
            made; None uses the device of a tensor parameter, else ``config.default_device()``.

    Returns:
        A tensor of ``shape`` and ``dtype``.

    Raises:
        ValueError: for a ``dtype`` that is not a float type, or parameters that do not broadcast to ``shape``.

    Example:
        >>> x = beta((20000,), 2.0, 6.0, seed=0)
        >>> round(x.mean().item() * 4)  # the mean is alpha / (alpha + beta) = 0.25
        1
    """
    (a, b), dtype, device = _float_params("beta", shape, dtype, device, alpha, beta)
    with _seeded(seed, device):
        x, y = standard_gamma(a.contiguous()), standard_gamma(b.contiguous())
    return (x / (x + y)).to(dtype)


def binomial(
    shape: ShapeArg,
    counts: TensorLike,
    probabilities: TensorLike,
    dtype: DTypeLike = None,
    seed: Seed = None,
    *,
    device: DeviceLike = None,
) -> torch.Tensor:
    """Samples from binomial distributions: the number of successes in ``counts`` trials of probability
    ``probabilities``.

    Args:
        shape: int or tuple of ints: the shape of the result.
        counts: float, int or tensor: the number of trials, broadcast to ``shape``.
        probabilities: float or tensor: the success probability of each trial, in ``[0, 1]``, broadcast to ``shape``.
        dtype: str or None, default ``None``: a float dtype for the result; None uses ``config.floatx()`` (sampled in
            float32, or float64 when asked, then cast).
        seed: None, int or SeedGenerator, default ``None``: None draws from torch's global generator; an int gives the
            same values on every call; a :class:`SeedGenerator` gives new values on every call, reproducibly from its
            own seed.
        device: str, torch.device or None, default ``None``: keyword only, a kerastorch extension: where the tensor is
            made; None uses the device of a tensor parameter, else ``config.default_device()``.

    Returns:
        A float tensor of ``shape`` and ``dtype`` (whole numbers).

    Raises:
        ValueError: for a ``dtype`` that is not a float type, or parameters that do not broadcast to ``shape``.

    Example:
        >>> binomial((3,), 5, 1.0, seed=0).tolist()
        [5.0, 5.0, 5.0]
    """
    (counts, probs), dtype, device = _float_params("binomial", shape, dtype, device, counts, probabilities)
    draws = torch.binomial(counts.contiguous(), probs.contiguous(), generator=_generator(seed, device))
    return draws.to(dtype)


def __dir__():
    return sorted(__all__)
