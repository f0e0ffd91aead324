"""``SpatialDropout1D/2D/3D``: dropout of whole feature maps.

In training each ``(sample, channel)`` pair is kept with probability ``1 - rate``
(and scaled by ``1 / (1 - rate)``) or zeroed at every position, which suits
convolutional features whose neighbouring positions are strongly correlated. The
draw has the noise shape ``(batch, 1, ..., 1, channels)`` (``channels_last``) or
``(batch, channels, 1, ..., 1)`` (``channels_first``) and is broadcast by one
multiplication. ``SpatialDropout1D`` takes ``(batch, steps, channels)`` only.

Configs are Keras 3's: ``rate``, ``seed``, ``name``, ``dtype`` (the policy name) and,
for 2-D and 3-D, ``data_format`` (no ``trainable`` key: Keras 3's constructors refuse it).

Example:
    >>> import torch
    >>> out = SpatialDropout1D(0.5, seed=0)(torch.ones(2, 6, 4), training=True)
    >>> bool((out == out[:, :1]).all())                  # one draw per (sample, channel)
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch

from kerastorch import random as krandom
from kerastorch.backend import conv_utils
from kerastorch.layers.input_spec import InputSpec
from kerastorch.layers.layer_utils import layer_label
from kerastorch.layers.regularization.base_random import BaseRandomLayer
from kerastorch.serialization.object_registration import register_builtin

if TYPE_CHECKING:
    from kerastorch.dtype_policies import PolicyLike


class BaseSpatialDropout(BaseRandomLayer):
    """Spatial dropout of rank ``rank`` (1, 2 or 3); the public layers fix the rank.

    >>> import torch
    >>> BaseSpatialDropout(2, 0.5)(torch.ones(1, 3, 3, 2), training=True).shape
    torch.Size([1, 3, 3, 2])
    """

    def __init__(
        self, rank: int, rate: float, data_format: str | None = None, seed: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(seed=seed, **kwargs)
        self.rate = self._check_rate(rate)
        self.rank = rank
        self.data_format = conv_utils.normalize_data_format(data_format, layer_label(self))
        ones = (1,) * rank
        self._noise_shape = (None, None) + ones if self.data_format == "channels_first" else (None,) + ones + (None,)
        self.input_spec = InputSpec(ndim=rank + 2)

    def call(self, inputs: torch.Tensor, training: bool | None = False) -> torch.Tensor:
        if not training or self.rate == 0:
            return inputs
        return krandom.dropout(inputs, self.rate, noise_shape=self._noise_shape, seed=self.seed_generator)

    def get_config(self) -> dict[str, Any]:
        config = {"rate": self.rate, "seed": self.seed, "name": self.name, "dtype": self.dtype_policy.name}
        if self.rank > 1:
            config["data_format"] = self.data_format
        return config


@register_builtin("keras.layers")
class SpatialDropout1D(BaseSpatialDropout):
    """Drops whole channels of ``(batch, steps, channels)`` inputs in training; the identity in inference.

    Args:
        rate: float in ``[0, 1)``: the fraction of the channels to drop (per sample).
        seed: int or None, default None: seeds the layer's own generator (None: torch's global one).
        name: str or None, default None: the layer's name.
        dtype: dtype or dtype policy name, default None: the layer's dtype policy.
        **kwargs: other base layer arguments.

    Input shape:
        3D tensor ``(batch, steps, channels)``.

    Output shape:
        The input shape.

    Raises:
        ValueError: for a ``rate`` outside ``[0, 1)``, a non-int ``seed``, or inputs that are not 3D.

    Example:

    >>> import torch
    >>> SpatialDropout1D(0.3)(torch.ones(2, 5, 3)).shape
    torch.Size([2, 5, 3])
    """

    def __init__(
        self, rate: float, seed: int | None = None, name: str | None = None, dtype: PolicyLike = None, **kwargs: Any
    ) -> None:
        super().__init__(1, rate, "channels_last", seed, name=name, dtype=dtype, **kwargs)


@register_builtin("keras.layers")
class SpatialDropout2D(BaseSpatialDropout):
    """Drops whole feature maps of images in training; the identity in inference.

    Args:
        rate: float in ``[0, 1)``: the fraction of the channels to drop (per sample).
        data_format: ``"channels_last"`` or ``"channels_first"``, default None (``image_data_format()``): where
            the channels axis is.
        seed: int or None, default None: seeds the layer's own generator (None: torch's global one).
        name: str or None, default None: the layer's name.
        dtype: dtype or dtype policy name, default None: the layer's dtype policy.
        **kwargs: other base layer arguments.

    Input shape:
        4D tensor ``(batch, rows, cols, channels)`` (``"channels_last"``) or ``(batch, channels, rows, cols)``
        (``"channels_first"``).

    Output shape:
        The input shape.

    Raises:
        ValueError: for a ``rate`` outside ``[0, 1)``, an unknown ``data_format``, a non-int ``seed``, or inputs
            that are not 4D.

    Example:

    >>> import torch
    >>> out = SpatialDropout2D(0.5, data_format="channels_first", seed=1)(torch.ones(4, 3, 2, 2), training=True)
    >>> bool((out == out[:, :, :1, :1]).all())
    True
    """

    def __init__(
        self,
        rate: float,
        data_format: str | None = None,
        seed: int | None = None,
        name: str | None = None,
        dtype: PolicyLike = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(2, rate, data_format, seed, name=name, dtype=dtype, **kwargs)


@register_builtin("keras.layers")
class SpatialDropout3D(BaseSpatialDropout):
    """Drops whole feature maps of volumes in training; the identity in inference.

    Args:
        rate: float in ``[0, 1)``: the fraction of the channels to drop (per sample).
        data_format: ``"channels_last"`` or ``"channels_first"``, default None (``image_data_format()``): where
            the channels axis is.
        seed: int or None, default None: seeds the layer's own generator (None: torch's global one).
        name: str or None, default None: the layer's name.
        dtype: dtype or dtype policy name, default None: the layer's dtype policy.
        **kwargs: other base layer arguments.

    Input shape:
        5D tensor ``(batch, dim1, dim2, dim3, channels)`` (``"channels_last"``) or
        ``(batch, channels, dim1, dim2, dim3)`` (``"channels_first"``).

    Output shape:
        The input shape.

    Raises:
        ValueError: for a ``rate`` outside ``[0, 1)``, an unknown ``data_format``, a non-int ``seed``, or inputs
            that are not 5D.

    Example:

    >>> import torch
    >>> SpatialDropout3D(0.5)(torch.ones(1, 2, 2, 2, 3), training=True).shape
    torch.Size([1, 2, 2, 2, 3])
    """

    def __init__(
        self,
        rate: float,
        data_format: str | None = None,
        seed: int | None = None,
        name: str | None = None,
        dtype: PolicyLike = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(3, rate, data_format, seed, name=name, dtype=dtype, **kwargs)
