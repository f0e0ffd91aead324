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
import contextlib
import numbers

import torch

from kerastorch import config
from kerastorch.backend.naming import unique_name
from kerastorch.saving.object_registration import register_builtin

__all__ = [
    "SeedGenerator", "normal", "uniform", "truncated_normal", "randint", "dropout", "shuffle", "categorical",
    "gamma", "beta", "binomial",
]


def _validate_int_seed(seed, who="seed"):
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ValueError(
            f"{who}: expected None, an int or a keras.random.SeedGenerator, received {seed!r}"
        )
    return int(seed)


def _device_key(device):
    device = torch.device(device)
    current = getattr(torch.get_device_module(device.type), "current_device", None)
    if device.type != "cpu" and device.index is None and current is not None:
        device = torch.device(device.type, current())
    return device


@register_builtin("keras.random")
class SeedGenerator:
    """A stateful seed: each draw that uses it advances it, so successive calls
    differ while a new ``SeedGenerator`` with the same seed replays them.

    >>> gen = SeedGenerator(42)
    >>> a, b = uniform((2,), seed=gen), uniform((2,), seed=gen)
    >>> bool((a == b).all())
    False
    """

    def __init__(self, seed=None, name=None):
        if seed is None:  # drawn from torch's global RNG, hence reproducible with torch.manual_seed
            seed = int(torch.randint(0, 2**31 - 1, ()))
        self.seed = _validate_int_seed(seed, "SeedGenerator")
        self.name = name or unique_name("seed_generator")
        self._generators = {}

    def generator(self, device="cpu"):
        """The ``torch.Generator`` this object drives on ``device`` (made on first use).

        >>> SeedGenerator(3).generator("cpu").initial_seed()
        3
        """
        device = _device_key(device)
        key = str(device)
        if key not in self._generators:
            self._generators[key] = torch.Generator(device=device).manual_seed(self.seed)
        return self._generators[key]

    def next(self):
        """Advance the generator and return a fresh int seed drawn from it.

        >>> SeedGenerator(3).next() == SeedGenerator(3).next()
        True
        """
        return int(torch.randint(0, 2**62, (), generator=self.generator("cpu")))

    def get_config(self):
        """``{"seed": ..., "name": ...}``: the initial seed, so a rebuilt generator replays."""
        return {"seed": self.seed, "name": self.name}

    @classmethod
    def from_config(cls, config):
        """Rebuild from :meth:`get_config` output."""
        return cls(**config)

    def __repr__(self):
        return f"<SeedGenerator seed={self.seed}>"


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


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None, *, device=None):
    """Normal samples. ``normal((2, 2), seed=0)`` -> a 2x2 float32 tensor.

    >>> normal((1000,), mean=3.0, seed=0).mean().round().item()
    3.0
    """
    _check_stddev(stddev, "normal")
    out, dtype = _empty_float(shape, dtype, device, "normal")
    return out.normal_(mean, stddev, generator=_generator(seed, out.device)).to(dtype)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None, *, device=None):
    """Uniform samples in ``[minval, maxval)``.

    >>> bool(((uniform((100,), -1.0, 1.0, seed=0)).abs() <= 1).all())
    True
    """
    if minval > maxval:
        raise ValueError(f"uniform: minval must be <= maxval, received minval={minval}, maxval={maxval}")
    out, dtype = _empty_float(shape, dtype, device, "uniform")
    return out.uniform_(minval, maxval, generator=_generator(seed, out.device)).to(dtype)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None, *, device=None):
    """Normal samples redrawn to lie within two ``stddev`` of ``mean``.

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


def randint(shape, minval, maxval, dtype="int32", seed=None, *, device=None):
    """Integers drawn uniformly from ``[minval, maxval)``.

    >>> randint((3,), 0, 1, seed=0).tolist()
    [0, 0, 0]
    """
    torch_dtype = config.torch_dtype(dtype)
    if torch_dtype.is_floating_point or torch_dtype.is_complex or torch_dtype == torch.bool:
        raise ValueError(f"randint: dtype must be an integer type, received {config.standardize_dtype(dtype)!r}")
    if minval >= maxval:
        raise ValueError(f"randint: minval must be < maxval, received minval={minval}, maxval={maxval}")
    device = config.default_device() if device is None else torch.device(device)
    return torch.randint(
        int(minval), int(maxval), _shape(shape), dtype=torch_dtype, device=device,
        generator=_generator(seed, device),
    )


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zero each entry with probability ``rate`` and scale the rest by ``1 / (1 - rate)``.

    ``noise_shape`` (None entries take the input's size) broadcasts one draw
    over the other axes.

    >>> set(dropout(torch.ones(100), 0.5, seed=0).tolist()) == {0.0, 2.0}
    True
    """
    if not 0 <= rate <= 1:
        raise ValueError(f"dropout: rate must be in [0, 1], received {rate}")
    inputs = torch.as_tensor(inputs)
    if rate == 0:
        return inputs
    if rate == 1:
        return torch.zeros_like(inputs)
    shape = inputs.shape
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


def shuffle(x, axis=0, seed=None):
    """Randomly permute ``x`` along ``axis``.

    >>> sorted(shuffle(torch.arange(5), seed=0).tolist())
    [0, 1, 2, 3, 4]
    """
    x = torch.as_tensor(x)
    if x.dim() == 0:
        raise ValueError("shuffle: expected a tensor with at least one axis, received a scalar")
    perm = torch.randperm(x.shape[axis], generator=_generator(seed, x.device), device=x.device)
    return x.index_select(axis, perm)


def categorical(logits, num_samples, dtype="int32", seed=None):
    """``num_samples`` class indices per row of the 2-D ``logits`` (unnormalized log-probabilities).

    >>> categorical(torch.tensor([[0.0, -1e9], [-1e9, 0.0]]), 3, seed=0).tolist()
    [[0, 0, 0], [1, 1, 1]]
    """
    logits = torch.as_tensor(logits)
    if logits.dim() != 2:
        raise ValueError(f"categorical: expected logits of shape (batch_size, num_classes), "
                         f"received shape {tuple(logits.shape)}")
    torch_dtype = config.torch_dtype(dtype)
    if torch_dtype.is_floating_point or torch_dtype.is_complex or torch_dtype == torch.bool:
        raise ValueError(f"categorical: dtype must be an integer type, received {config.standardize_dtype(dtype)!r}")
    num_samples = int(num_samples)
    probs = torch.softmax(logits.to(torch.float64 if logits.dtype == torch.float64 else torch.float32), -1)
    draws = torch.multinomial(probs, num_samples, replacement=True, generator=_generator(seed, logits.device))
    return draws.to(torch_dtype)


def _float_params(who, shape, dtype, device, *params):
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
            raise ValueError(f"{who}: parameters of shape {tuple(p.shape)} do not broadcast to shape {shape}") \
                from None
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


def gamma(shape, alpha, dtype=None, seed=None, *, device=None):
    """Gamma samples of concentration ``alpha`` (rate 1).

    >>> x = gamma((20000,), 3.0, seed=0)
    >>> round(x.mean().item())
    3
    """
    (alpha,), dtype, device = _float_params("gamma", shape, dtype, device, alpha)
    with _seeded(seed, device):
        return torch._standard_gamma(alpha.contiguous()).to(dtype)


def beta(shape, alpha, beta, dtype=None, seed=None, *, device=None):
    """Beta samples with shape parameters ``alpha`` and ``beta``, in ``[0, 1]``.

    >>> x = beta((20000,), 2.0, 6.0, seed=0)
    >>> round(x.mean().item() * 4)  # the mean is alpha / (alpha + beta) = 0.25
    1
    """
    (a, b), dtype, device = _float_params("beta", shape, dtype, device, alpha, beta)
    with _seeded(seed, device):
        x, y = torch._standard_gamma(a.contiguous()), torch._standard_gamma(b.contiguous())
    return (x / (x + y)).to(dtype)


def binomial(shape, counts, probabilities, dtype=None, seed=None, *, device=None):
    """Binomial samples: successes in ``counts`` trials of success probability ``probabilities``.

    >>> binomial((3,), 5, 1.0, seed=0).tolist()
    [5.0, 5.0, 5.0]
    """
    (counts, probs), dtype, device = _float_params("binomial", shape, dtype, device, counts, probabilities)
    draws = torch.binomial(counts.contiguous(), probs.contiguous(), generator=_generator(seed, device))
    return draws.to(dtype)
