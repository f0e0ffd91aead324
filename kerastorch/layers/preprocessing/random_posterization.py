"""``RandomPosterization``: keep only the top bits of each pixel in training.

Pixels are mapped from ``value_range`` to ``[0, 255]``, truncated to integers (Keras casts to ``uint8``; values
outside the range are clipped first here) and rounded down to a multiple of ``2 ** (8 - bits)``, then mapped
back. ``factor`` is the number of bits kept: an int ``f`` in ``[1, 8]`` means ``(1, f)``, a pair of ints
``(lower, upper)`` is a range. As in Keras 3, each image draws ``bits`` from ``[lower, upper)`` (the upper end
excluded) unless ``lower == upper``. The output is float, and carries no gradient (the truncation is flat).

Example:
    >>> RandomPosterization((2, 2))(torch.tensor([[[[63.0], [64.0], [200.0]]]]), training=True).flatten().tolist()
    [0.0, 64.0, 192.0]
"""

from __future__ import annotations

import numbers
from typing import Any

import torch

from kerastorch import random as krandom
from kerastorch.layers.layer_utils import layer_label
from kerastorch.layers.preprocessing.base_image_layer import ValueRange
from kerastorch.layers.preprocessing.random_invert import ValueRangeAugmentation
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class RandomPosterization(ValueRangeAugmentation):
    """Randomly reduces the bits per channel in training; the identity in inference.

    Each image keeps ``bits`` bits of its pixels (in the ``[0, 255]`` scale ``value_range`` maps to), ``bits``
    drawn per image in ``[lower, upper)`` unless the two are equal; outputs are float.

    Args:
        factor: int or pair of ints in ``[1, 8]``: the bits kept; an int ``f`` means ``(1, f)``, a pair
            ``(lower, upper)`` is used as given (sorted).
        value_range: pair of numbers, default ``(0, 255)``: the range of the pixel values, two different
            bounds in either order (stored sorted, as Keras does).
        data_format: ``"channels_last"`` or ``"channels_first"``, default None (``image_data_format()``): where
            the channels axis is.
        seed: int or None, default None: seeds the layer's own generator (None: torch's global one).
        **kwargs: base layer arguments (``name``, ``dtype``...).

    Input shape:
        ``(batch, height, width, channels)`` or one image ``(height, width, channels)`` (channels first with
        ``data_format="channels_first"``).

    Output shape:
        The input shape.

    Raises:
        ValueError: for a ``factor`` that is not an int or pair of ints in ``[1, 8]``, a ``value_range`` that is
            not a pair of different numbers, a non-int ``seed``, an unknown ``data_format``, or inputs that are not of rank
            3 or 4.

    Example:

    >>> RandomPosterization(4).factor
    (1, 4)
    """

    def __init__(
        self,
        factor: int | tuple[int, int] | list[int],
        value_range: ValueRange = (0, 255),
        data_format: str | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(value_range, seed=seed, data_format=data_format, sort_range=True, **kwargs)
        pair = isinstance(factor, (tuple, list))
        values = tuple(factor) if isinstance(factor, (tuple, list)) else (factor,)
        # (int listed for mypy, which does not see int as a numbers.Integral)
        if (pair and len(values) != 2) or not all(
            isinstance(v, (int, numbers.Integral)) and not isinstance(v, bool) and 1 <= v <= 8 for v in values
        ):
            raise ValueError(
                f"{layer_label(self)}: factor must be an int or a pair of ints in [1, 8], received factor={factor!r}"
            )
        self.factor = tuple(sorted(int(v) for v in values)) if pair else (1, int(values[0]))

    def _augment(self, images):
        x = self._float(images)
        low, high = self.factor
        if low == high:
            step = float(2 ** (8 - low))
        else:
            bits = krandom.randint((x.shape[0], 1, 1, 1), low, high, seed=self.seed_generator, device=x.device)
            step = torch.exp2((8 - bits).to(x.dtype))
        levels = torch.trunc(torch.clamp(self._to_255(x), 0.0, 255.0))
        return self._from_255(torch.floor(levels / step) * step)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["factor"] = self.factor
        return config
