"""``Discretization``: buckets float values by bin boundaries (given, or adapted from data quantiles).

A value ``x`` goes to bucket ``i`` with ``boundaries[i-1] <= x < boundaries[i]`` (``torch.bucketize`` with
``right=True``, Keras's ``digitize``): with boundaries ``[0, 1, 2]``, ``[-1, 0, 0.5, 1, 2.5]`` gives
``[0, 1, 1, 2, 3]``. Inputs are cast to float32 (the compute dtype) first, as in Keras. ``output_mode="int"``
returns int32 bucket ids (Keras's dtype); ``"one_hot"``, ``"multi_hot"`` and ``"count"`` encode them with
``len(bin_boundaries) + 1`` tokens as ``CategoryEncoding`` does, in the compute dtype.

``adapt(data)`` (with ``num_bins``) sets ``bin_boundaries`` to quantiles of all the values in ``data`` (an array,
a tensor, a torch ``Dataset`` / ``DataLoader``, or any iterable of batches; ``(x, y)`` batches use ``x``).
kerastorch uses Keras's definition of the quantile (linear interpolation of the empirical CDF
``F(v_i) = (i + 1) / N`` over the sorted values ``v``, at ``k / num_bins`` for ``k = 1 .. num_bins - 1``) and
computes it *exactly*, with one sort over all values (held in memory as float32). Keras 3 approximates it with a
streaming summary of about ``1 / epsilon`` points per batch (and needs TensorFlow to adapt); the two agree exactly
on one batch of fewer than ``1 / epsilon`` values and approximately otherwise. ``epsilon`` is kept in the config
for Keras but not used. As in Keras, adapting on fewer values than ``num_bins`` gives all the sorted values but
the last as boundaries.

Keras 3 refuses ``sparse=True`` on its torch backend; so does kerastorch. The config has Keras's keys
(``bin_boundaries, num_bins, epsilon, output_mode, sparse, name, dtype``, no ``trainable``).

Example:
    >>> layer = Discretization(bin_boundaries=[0.0, 1.0, 2.0])
    >>> layer(torch.tensor([-1.0, 0.0, 0.5, 1.0, 2.5]))
    tensor([0, 1, 1, 2, 3], dtype=torch.int32)
"""

from __future__ import annotations

import numbers
from typing import Any, Iterable, cast

import numpy as np
import torch

from kerastorch.backend.annotations import Shape, TensorLike
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.dtype_policies import PolicyLike
from kerastorch.layers.base import Layer
from kerastorch.layers.layer_utils import layer_label
from kerastorch.layers.preprocessing.category_encoding import check_output_mode, encode_categorical, encoded_shape
from kerastorch.serialization.object_registration import register_builtin


def _values(batch):
    """The values of one batch as a flat float32 CPU tensor."""
    if isinstance(batch, (tuple, list)) and batch and hasattr(batch[0], "shape"):
        batch = batch[0]
    if isinstance(batch, torch.Tensor):
        return batch.detach().reshape(-1).to("cpu", torch.float32)
    return torch.as_tensor(np.asarray(batch, dtype="float32")).reshape(-1)


def quantile_boundaries(values: torch.Tensor, num_bins: int) -> list[float]:
    """Keras's ``num_bins - 1`` quantile boundaries of a flat float tensor, computed exactly (see the module).

    >>> quantile_boundaries(torch.arange(8.0), 4)
    [1.0, 3.0, 5.0]
    """
    v = torch.sort(values.to(torch.float64)).values
    n = v.numel()
    if n < num_bins:
        return v[:-1].to(torch.float32).tolist()
    k = torch.arange(1, num_bins, dtype=torch.float64)
    position = (k * n / num_bins - 1).clamp_min(0)  # rank of the k-th quantile, 0-based, on the CDF (i + 1) / N
    low = position.floor().long().clamp_max(n - 1)
    high = (low + 1).clamp_max(n - 1)
    frac = position - low
    return (v[low] + frac * (v[high] - v[low])).to(torch.float32).tolist()


@register_builtin("keras.layers")
class Discretization(Layer):
    """Buckets values by ``bin_boundaries``, or by ``num_bins`` quantile boundaries learnt with ``adapt``.

    Exactly one of ``bin_boundaries`` and ``num_bins`` is given. Bucket ``i`` holds the values ``x`` with
    ``bin_boundaries[i-1] <= x < bin_boundaries[i]`` (see the module docstring).

    Args:
        bin_boundaries: list of floats (sorted) or None, default None: the boundaries of the buckets;
            ``len(bin_boundaries) + 1`` buckets.
        num_bins: int or None, default None: the number of buckets whose boundaries ``adapt`` learns
            (quantiles of the data).
        epsilon: float, default 0.01: Keras's approximation error of the quantiles; kept in the config but
            unused (kerastorch's quantiles are exact).
        output_mode: str, default ``"int"``: ``"int"`` (int32 bucket ids), or ``"one_hot"``, ``"multi_hot"``,
            ``"count"`` (the ids encoded as ``CategoryEncoding`` does, in the compute dtype).
        sparse: bool, default False: sparse outputs; only False is supported.
        dtype: dtype or dtype policy name, default None: the layer's dtype policy (its compute dtype is the
            one values are cast to and the encoded outputs' dtype).
        name: str or None, default None: the layer's name.

    Input shape:
        Any shape of numbers (lists and scalars are accepted).

    Output shape:
        ``"int"``: the input shape; the other modes: as ``CategoryEncoding`` with ``num_tokens`` the number of
        buckets (``(batch, buckets)`` for ``(batch, length)`` with ``"multi_hot"``/``"count"``).

    Raises:
        ValueError: for both or neither of ``bin_boundaries`` and ``num_bins``, a non-positive ``num_bins``,
            unsorted ``bin_boundaries``, an unknown ``output_mode``, ``sparse=True``; when called before
            ``adapt`` with only ``num_bins``; from ``adapt``, on a layer made with ``bin_boundaries`` or
            on empty data.

    Example:

    >>> layer = Discretization(num_bins=4)
    >>> layer.adapt(np.arange(8.0))
    >>> layer.bin_boundaries
    [1.0, 3.0, 5.0]
    >>> layer(torch.tensor([[0.5, 3.0, 7.0]]))
    tensor([[0, 2, 3]], dtype=torch.int32)
    """

    def __init__(
        self,
        bin_boundaries: TensorLike | None = None,
        num_bins: int | None = None,
        epsilon: float = 0.01,
        output_mode: str = "int",
        sparse: bool = False,
        dtype: PolicyLike = None,
        name: str | None = None,
    ) -> None:
        super().__init__(dtype=dtype, name=name)
        self.output_mode = check_output_mode(self, output_mode, ("int", "one_hot", "multi_hot", "count"))
        if sparse:
            raise ValueError(
                f"{layer_label(self)}: sparse outputs are not supported by kerastorch (nor by Keras 3 on "
                f"torch), received sparse={sparse!r}"
            )
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(
                f"{layer_label(self)}: pass either bin_boundaries or num_bins, not both; received "
                f"bin_boundaries={bin_boundaries!r} and num_bins={num_bins!r}"
            )
        if num_bins is None and bin_boundaries is None:
            raise ValueError(f"{layer_label(self)}: one of bin_boundaries or num_bins must be set, received neither")
        # (int listed for mypy, which does not see int as a numbers.Integral)
        if num_bins is not None and (
            isinstance(num_bins, bool) or not isinstance(num_bins, (int, numbers.Integral)) or num_bins < 1
        ):
            raise ValueError(
                f"{layer_label(self)}: num_bins must be a positive integer, received num_bins={num_bins!r}"
            )
        self.num_bins = None if num_bins is None else int(num_bins)
        self.epsilon = epsilon
        self.sparse = False
        self._boundaries: torch.Tensor | None = None
        self.bin_boundaries = bin_boundaries
        self._adapt_values: list[torch.Tensor] = []

    @property
    def bin_boundaries(self) -> list[float] | None:
        """The boundaries (a list of floats), or None before ``adapt``."""
        return self._bin_boundaries

    @bin_boundaries.setter
    def bin_boundaries(self, value: TensorLike | None) -> None:
        if value is not None:
            value = [float(b) for b in np.asarray(value, dtype="float64").reshape(-1)]
            if any(b > a for b, a in zip(value, value[1:])):
                raise ValueError(
                    f"{layer_label(self)}: bin_boundaries must be sorted in increasing order, "
                    f"received bin_boundaries={value}"
                )
        self._bin_boundaries = value
        self._boundaries = None  # the tensor is made (once) on the next call

    @property
    def _depth(self):
        return len(self._bin_boundaries) + 1 if self._bin_boundaries is not None else self.num_bins

    def call(self, inputs: TensorLike) -> torch.Tensor:
        if not isinstance(inputs, torch.Tensor):  # lists and scalars, as Keras accepts them
            inputs = torch.as_tensor(np.asarray(inputs, dtype="float32"), device=self._weight_device())
        boundaries = self._boundaries
        if boundaries is None or boundaries.device != inputs.device:
            if self._bin_boundaries is None:
                raise ValueError(
                    f"{layer_label(self)}: no bin boundaries yet; pass bin_boundaries to the constructor "
                    "or call adapt(data) before calling the layer"
                )
            boundaries = self._boundaries = torch.tensor(
                self._bin_boundaries, dtype=self._compute_torch_dtype, device=inputs.device
            )
        if inputs.dtype != boundaries.dtype:
            inputs = inputs.to(boundaries.dtype)
        ids = torch.bucketize(inputs, boundaries, right=True)
        if self.output_mode == "int":
            return ids.to(torch.int32)
        return encode_categorical(ids, self.output_mode, boundaries.numel() + 1, self._compute_torch_dtype)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return encoded_shape(input_shape, self.output_mode, self._depth)

    def compute_output_spec(self, inputs: KerasTensor) -> KerasTensor:
        dtype = "int32" if self.output_mode == "int" else self.compute_dtype
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype)

    # ------------------------------------------------------------------ adapt
    def adapt(self, data: TensorLike | Iterable[Any] | torch.utils.data.Dataset[Any], steps: int | None = None) -> None:
        """Set ``bin_boundaries`` to ``num_bins`` quantile boundaries of ``data`` (an array, a tensor or an
        iterable of batches); ``steps`` caps the number of batches read."""
        if self.num_bins is None:
            raise ValueError(
                f"{layer_label(self)}: adapt() needs a layer made with num_bins; this one was given "
                f"bin_boundaries={self._bin_boundaries}"
            )
        self.reset_state()
        if isinstance(data, torch.utils.data.Dataset) and not isinstance(data, torch.utils.data.IterableDataset):
            data = torch.utils.data.DataLoader(data, batch_size=256)
        if isinstance(data, (np.ndarray, torch.Tensor, numbers.Number)):
            self.update_state(data)
        elif hasattr(data, "__iter__"):
            for i, batch in enumerate(data):
                if steps is not None and i >= steps:
                    break
                self.update_state(batch)
        else:
            raise TypeError(
                f"{layer_label(self)}: adapt() expects an array, a tensor or an iterable of batches, "
                f"received {type(data).__name__}"
            )
        self.finalize_state()

    def update_state(self, data: TensorLike) -> None:
        """Add one batch of values to the data that ``finalize_state`` computes the boundaries from."""
        self._adapt_values.append(_values(data))

    def finalize_state(self) -> None:
        """Compute ``bin_boundaries`` from the values gathered since ``reset_state``."""
        if self.num_bins is None:
            return
        values = torch.cat(self._adapt_values) if self._adapt_values else torch.zeros(0)
        self._adapt_values = []
        if values.numel() == 0:
            raise ValueError(f"{layer_label(self)}: adapt() received no data (an empty array or iterable of batches)")
        self.bin_boundaries = quantile_boundaries(values, self.num_bins)

    def reset_state(self) -> None:
        """Forget the values gathered by ``update_state``."""
        self._adapt_values = []

    # ----------------------------------------------------------------- config
    def get_config(self) -> dict[str, Any]:
        return {
            "bin_boundaries": self._bin_boundaries,
            "num_bins": self.num_bins,
            "epsilon": self.epsilon,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "name": self.name,
            "dtype": self.dtype,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """Rebuild from :meth:`get_config`; an adapted layer's config has both ``num_bins`` and its boundaries."""
        config = dict(config)
        boundaries = config.pop("bin_boundaries", None) if config.get("num_bins") is not None else None
        layer = cast(Discretization, super().from_config(config))
        if boundaries is not None:
            layer.bin_boundaries = boundaries
        return layer
