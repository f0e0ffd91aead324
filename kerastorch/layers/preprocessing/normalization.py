"""``Normalization``: ``(inputs - mean) / max(sqrt(variance), epsilon)``, statistics given or adapted.

Weights, as Keras 3 (only when ``mean``/``variance`` are not given): non-trainable ``mean`` and
``variance`` of shape ``input_shape[axis]`` and an integer ``count``. ``adapt`` computes the statistics over
every axis but ``axis`` from a NumPy array, a tensor, a list, a ``torch.utils.data.Dataset`` / ``DataLoader``
or any iterable of batches (``(x, y)`` batches use ``x``), streaming batch by batch in float64 with Chan et
al.'s pairwise merge of means and sums of squared deviations (numerically stable). ``count`` holds the
number of values reduced per statistic (Keras 3.15 leaves it 0). ``epsilon`` is ``keras.config.epsilon()``.

Example:
    >>> layer = Normalization()
    >>> layer.adapt(np.array([[0.0], [2.0]]))
    >>> layer(torch.tensor([[4.0]]))
    tensor([[3.]])
"""

from __future__ import annotations

import math
from typing import Any, Iterable, cast

import numpy as np
import torch

from kerastorch import config as kconfig
from kerastorch.backend.annotations import Shape, TensorLike
from kerastorch.backend.variable import Variable
from kerastorch.layers.base import Layer
from kerastorch.layers.layer_utils import layer_label
from kerastorch.serialization.object_registration import register_builtin


def _first(batch):
    return batch[0] if isinstance(batch, (tuple, list)) and batch and hasattr(batch[0], "shape") else batch


def _as_tensor(batch):
    batch = _first(batch)
    if isinstance(batch, torch.Tensor):
        return batch.detach().to(torch.float64)
    return torch.as_tensor(np.asarray(batch), dtype=torch.float64)


@register_builtin("keras.layers")
class Normalization(Layer):
    """Feature-wise standardization with a mean and variance per position of ``axis``.

    Computes ``(inputs - mean) / max(sqrt(variance), epsilon())``, or ``mean + inputs * max(sqrt(variance),
    epsilon())`` with ``invert=True``. Without ``mean``/``variance`` the statistics are weights set by
    ``adapt(data)`` (zeros and ones before it). Integer inputs are cast to the compute dtype.

    Args:
        axis: int, tuple of ints or None, default -1: the axes that keep their own statistics (the others are
            reduced by ``adapt``); None: one scalar mean and variance.
        mean: float, array or None, default None: the mean, broadcast to the kept axes; given together with
            ``variance``, it replaces ``adapt``.
        variance: float, array or None, default None: the variance, of the shape of ``mean``.
        invert: bool, default False: undo the normalization (map standardized values back) instead.
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        Any shape whose sizes on ``axis`` are known (and fit the given ``mean``/``variance``).

    Output shape:
        The input shape.

    Raises:
        ValueError: for a malformed ``axis``; ``mean`` without ``variance`` (or the reverse), or of different
            shapes, or with more axes than ``axis``; when built, an ``axis`` out of range or of unknown size;
            from ``adapt``, statistics given to the constructor, empty data or data of another shape.

    Example:

    >>> Normalization(mean=2.0, variance=4.0)(torch.tensor([[0.0, 4.0]]))
    tensor([[-1.,  1.]])
    """

    _preserves_shape = True

    def __init__(
        self,
        axis: int | tuple[int, ...] | list[int] | None = -1,
        mean: TensorLike | None = None,
        variance: TensorLike | None = None,
        invert: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int) and not isinstance(axis, bool):
            axis = (axis,)
        elif isinstance(axis, (tuple, list)) and all(isinstance(a, int) and not isinstance(a, bool) for a in axis):
            axis = tuple(axis)
        else:
            raise ValueError(
                f"{layer_label(self)}: axis must be None, an int or a tuple of ints, received axis={axis!r}"
            )
        self.axis = axis
        if (mean is None) != (variance is None):
            raise ValueError(
                f"{layer_label(self)}: mean and variance must be given together, received mean={mean!r} "
                f"and variance={variance!r}"
            )
        if mean is not None and variance is not None:  # (both or neither: checked above)
            if np.shape(mean) != np.shape(variance):
                raise ValueError(
                    f"{layer_label(self)}: mean and variance must have the same shape, received shapes "
                    f"{np.shape(mean)} and {np.shape(variance)}"
                )
            if np.ndim(mean) > len(axis):
                raise ValueError(
                    f"{layer_label(self)}: mean can have at most one axis per entry of axis={axis}, "
                    f"received mean of shape {np.shape(mean)}"
                )
        self.input_mean = mean
        self.input_variance = variance
        self.invert = bool(invert)
        self.supports_masking = True
        self._build_input_shape: Shape | None = None
        self.mean: Variable | None = None  # the adapted statistics (weights made by build, without mean and variance)
        self.variance: Variable | None = None
        self.count: Variable | None = None

    def build(self, input_shape: Shape) -> None:
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(
                f"{layer_label(self)}: every axis must be in [-{ndim}, {ndim}) for inputs of rank {ndim}, "
                f"received axis={self.axis}"
            )
        keep = tuple(sorted(a % ndim for a in self.axis))
        if any(input_shape[a] is None for a in keep):
            raise ValueError(
                f"{layer_label(self)}: the axes to keep ({keep}) need known sizes, received input shape "
                f"{tuple(input_shape)}"
            )
        self._build_input_shape = tuple(input_shape)
        self._keep_axis = keep
        self._reduce_axis = tuple(a for a in range(ndim) if a not in keep)
        # (the kept axes have known sizes: checked above)
        self._broadcast_shape = cast("tuple[int, ...]", tuple(input_shape[a] if a in keep else 1 for a in range(ndim)))
        shape = tuple(input_shape[a] for a in keep)
        if self.input_mean is None:
            self.mean = self.add_weight(name="mean", shape=shape, initializer="zeros", trainable=False)
            self.variance = self.add_weight(name="variance", shape=shape, initializer="ones", trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int64", initializer="zeros", trainable=False)
        else:
            expanded = [1] * ndim
            mean, variance = np.asarray(self.input_mean, "float64"), np.asarray(self.input_variance, "float64")
            for i in range(1, mean.ndim + 1):
                expanded[keep[-i]] = mean.shape[-i]
            device = self._weight_device()
            for name, value in (("_fixed_mean", mean), ("_fixed_variance", variance)):
                value = np.broadcast_to(value.reshape(expanded), self._broadcast_shape)
                self.register_buffer(
                    name, torch.tensor(value, dtype=self._compute_torch_dtype, device=device), persistent=False
                )
        self.built = True

    def _statistics(self, dtype):
        if self.input_mean is not None:
            return self._fixed_mean.to(dtype), self._fixed_variance.to(dtype)
        shape = self._broadcast_shape
        return self.mean.to(dtype).view(shape), self.variance.to(dtype).view(shape)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        if not inputs.is_floating_point():
            inputs = inputs.to(self._compute_torch_dtype)
        mean, variance = self._statistics(inputs.dtype)
        std = torch.clamp_min(torch.sqrt(variance), kconfig.epsilon())
        return mean + inputs * std if self.invert else (inputs - mean) / std

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    # ------------------------------------------------------------------ adapt
    def adapt(
        self,
        data: np.ndarray | torch.Tensor | Iterable[Any] | torch.utils.data.Dataset[Any],
        batch_size: int | None = None,
        steps: int | None = None,
    ) -> None:
        """Set ``mean`` and ``variance`` to the statistics of ``data`` (arrays, tensors, datasets or
        iterables of batches); ``batch_size`` streams an array in chunks, ``steps`` caps the batches read.

        >>> layer = Normalization(axis=None)
        >>> layer.adapt([np.array([1.0, 2.0]), np.array([3.0, 4.0])])   # two batches
        >>> layer.mean.numpy(), layer.variance.numpy()
        (array(2.5, dtype=float32), array(1.25, dtype=float32))
        """
        if self.input_mean is not None:
            raise ValueError(f"{layer_label(self)}: adapt() cannot change a mean and variance given to the constructor")
        batches = self._batches(data, batch_size)
        if steps is not None:
            batches = (b for i, b in zip(range(int(steps)), batches))
        total_count, total_mean, total_m2 = 0, None, None
        for batch in batches:
            batch = _as_tensor(batch)
            self._check_adapt_shape(batch.shape)
            n = math.prod(batch.shape[a] for a in self._reduce_axis)
            if n == 0:
                continue
            dims = self._reduce_axis
            var, mean = torch.var_mean(batch, dim=dims, correction=0) if dims else (torch.zeros_like(batch), batch)
            m2 = var * n
            if total_mean is None or total_m2 is None:  # (None together: the first batch)
                total_count, total_mean, total_m2 = n, mean, m2
                continue
            count = total_count + n
            delta = mean - total_mean
            total_mean = total_mean + delta * (n / count)
            total_m2 = total_m2 + m2 + delta.square() * (total_count * n / count)
            total_count = count
        if total_mean is None or total_m2 is None:
            raise ValueError(f"{layer_label(self)}: adapt() received no data (an empty array or iterable of batches)")
        # (adapt built the layer, without a given mean and variance: the weights exist)
        assert self.mean is not None and self.variance is not None and self.count is not None
        self.mean.assign(total_mean.to(self.mean.dtype))
        self.variance.assign((total_m2 / total_count).to(self.variance.dtype))
        self.count.assign(torch.tensor(total_count, dtype=self.count.dtype))

    def _batches(self, data, batch_size):
        if isinstance(data, (list, tuple)) and not data:
            raise ValueError(f"{layer_label(self)}: adapt() received an empty iterable (no batches)")
        if isinstance(data, torch.utils.data.Dataset) and not isinstance(data, torch.utils.data.IterableDataset):
            data = torch.utils.data.DataLoader(data, batch_size=batch_size or 32)
        elif isinstance(data, list) and not (data and hasattr(_first(data[0]), "shape")):
            data = np.asarray(data)
        if isinstance(data, (np.ndarray, torch.Tensor)):
            if data.ndim == 0:
                raise ValueError(f"{layer_label(self)}: adapt() needs data with at least one axis, received a scalar")
            self._ensure_built(tuple(data.shape))
            if batch_size is None:
                return iter([data])
            return (data[i : i + int(batch_size)] for i in range(0, len(data), int(batch_size)))
        if not hasattr(data, "__iter__"):
            raise TypeError(
                f"{layer_label(self)}: adapt() expects a NumPy array, a tensor, a list, a torch Dataset or "
                f"DataLoader, or an iterable of batches, received {type(data).__name__}"
            )
        iterator = iter(data)
        first = next(iterator, None)
        if first is None:
            raise ValueError(f"{layer_label(self)}: adapt() received an empty iterable (no batches)")
        shape = getattr(_first(first), "shape", None)
        if shape is None:
            raise TypeError(
                f"{layer_label(self)}: adapt() expects batches that are arrays or tensors, received a "
                f"{type(_first(first)).__name__}"
            )
        self._ensure_built(tuple(shape))

        def chain():
            yield first
            yield from iterator

        return chain()

    def _ensure_built(self, shape):
        if not self.built:
            self._run_build(shape, args=None)
        else:
            self._check_adapt_shape(shape)

    def _check_adapt_shape(self, shape):
        built = self._build_input_shape
        if len(shape) != len(built) or any(shape[a] != built[a] for a in self._keep_axis):
            raise ValueError(
                f"{layer_label(self)}: adapt() data of shape {tuple(shape)} does not fit the layer built for "
                f"inputs of shape {built} (axes {self._keep_axis} must match)"
            )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        as_list = lambda v: None if v is None else np.asarray(v).tolist()
        config.update(
            {
                "axis": self.axis,
                "invert": self.invert,
                "mean": as_list(self.input_mean),
                "variance": as_list(self.input_variance),
            }
        )
        return config
