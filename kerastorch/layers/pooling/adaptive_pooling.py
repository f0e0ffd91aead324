"""``AdaptiveAveragePooling1D/2D/3D`` and ``AdaptiveMaxPooling1D/2D/3D``: pool to a fixed output size.

Each output position covers the input window ``[floor(i * n / out), ceil((i + 1) * n / out))``, so any input
size maps to ``output_size`` (Keras 3's definition, which is torch's ``adaptive_*_pool``; the layers call those
kernels on a channels-first view).

Example:
    >>> import torch
    >>> from kerastorch.layers import AdaptiveAveragePooling2D
    >>> AdaptiveAveragePooling2D((2, 3))(torch.ones(1, 7, 9, 4)).shape
    torch.Size([1, 2, 3, 4])
"""

from __future__ import annotations

from typing import Any, Sequence

import torch.nn.functional as F

from kerastorch.backend import conv_utils
from kerastorch.layers.convolutional.base_spatial import SpatialLayer
from kerastorch.layers.layer_utils import layer_label
from kerastorch.serialization.object_registration import register_builtin

_ADAPTIVE = {
    ("average", 1): F.adaptive_avg_pool1d,
    ("average", 2): F.adaptive_avg_pool2d,
    ("average", 3): F.adaptive_avg_pool3d,
    ("max", 1): F.adaptive_max_pool1d,
    ("max", 2): F.adaptive_max_pool2d,
    ("max", 3): F.adaptive_max_pool3d,
}


class BaseAdaptivePooling(SpatialLayer):
    """Adaptive pooling of ``rank`` spatial axes to ``output_size`` with ``pool_mode`` "average" or "max".

    >>> import torch
    >>> BaseAdaptivePooling(1, "max", 2)(torch.arange(5.0).reshape(1, 5, 1)).flatten().tolist()
    [2.0, 4.0]
    """

    def __init__(
        self, rank: int, pool_mode: str, output_size: int | Sequence[int], data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        if pool_mode not in ("max", "average"):
            raise ValueError(
                f"{layer_label(self)}: pool_mode must be 'max' or 'average', received pool_mode={pool_mode!r}"
            )
        self._init_spatial(rank, data_format)
        self.pool_mode = pool_mode
        self.output_size = conv_utils.normalize_tuple(output_size, rank, "output_size", layer_label(self))
        self._pool_key = (pool_mode, rank)

    def _forward(self, x):
        if any(n == 0 for n in x.shape[2:]):
            raise ValueError(
                f"{layer_label(self)}: cannot pool an empty spatial axis, received spatial shape {tuple(x.shape[2:])}"
            )
        return _ADAPTIVE[self._pool_key](x, self.output_size)

    def _output_spatial(self, spatial):
        return self.output_size

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["output_size"] = self.output_size
        return config


@register_builtin("keras.layers")
class AdaptiveAveragePooling1D(BaseAdaptivePooling):
    """Mean-pools ``(batch, steps, channels)`` to ``output_size`` steps.

    Output position ``i`` of an axis of size ``n`` is the mean of the input window
    ``[floor(i * n / output_size), ceil((i + 1) * n / output_size))``, so any input size gives
    ``output_size``.

    Args:
        output_size: int or tuple of 1 int: the output's spatial size.
        data_format: str or None, default None: ``"channels_last"`` (channels on the last axis) or
            ``"channels_first"``; None uses ``keras.config.image_data_format()``.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        ``(batch_size, steps, channels)`` with ``data_format="channels_last"``, or
        ``(batch_size, channels, steps)`` with ``"channels_first"``.

    Output shape:
        ``(batch_size, output_size, channels)`` (channels last) or ``(batch_size, channels, output_size)``
        (channels first).

    Raises:
        ValueError: an ``output_size`` that is not positive or an unknown ``data_format``; when called,
            inputs of another rank or with an empty spatial axis.

    >>> import torch
    >>> AdaptiveAveragePooling1D(2)(torch.arange(4.0).reshape(1, 4, 1)).flatten().tolist()
    [0.5, 2.5]
    """

    def __init__(self, output_size: int | Sequence[int], data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(1, "average", output_size, data_format, **kwargs)


@register_builtin("keras.layers")
class AdaptiveAveragePooling2D(BaseAdaptivePooling):
    """Mean-pools an image to ``output_size`` (an int or ``(height, width)``).

    Output position ``i`` of an axis of size ``n`` is the mean of the input window
    ``[floor(i * n / output_size), ceil((i + 1) * n / output_size))``, so any input size gives
    ``output_size``.

    Args:
        output_size: int or tuple of 2 ints: the output's spatial size.
        data_format: str or None, default None: ``"channels_last"`` (channels on the last axis) or
            ``"channels_first"``; None uses ``keras.config.image_data_format()``.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        ``(batch_size, height, width, channels)`` with ``data_format="channels_last"``, or
        ``(batch_size, channels, height, width)`` with ``"channels_first"``.

    Output shape:
        ``(batch_size, output_size[0], output_size[1], channels)`` (channels last) or
        ``(batch_size, channels, output_size[0], output_size[1])`` (channels first).

    Raises:
        ValueError: an ``output_size`` that is not positive or an unknown ``data_format``; when called,
            inputs of another rank or with an empty spatial axis.

    >>> import torch
    >>> AdaptiveAveragePooling2D(1)(torch.ones(2, 5, 5, 3)).shape
    torch.Size([2, 1, 1, 3])
    """

    def __init__(self, output_size: int | Sequence[int], data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(2, "average", output_size, data_format, **kwargs)


@register_builtin("keras.layers")
class AdaptiveAveragePooling3D(BaseAdaptivePooling):
    """Mean-pools a volume to ``output_size`` (an int or ``(depth, height, width)``).

    Output position ``i`` of an axis of size ``n`` is the mean of the input window
    ``[floor(i * n / output_size), ceil((i + 1) * n / output_size))``, so any input size gives
    ``output_size``.

    Args:
        output_size: int or tuple of 3 ints: the output's spatial size.
        data_format: str or None, default None: ``"channels_last"`` (channels on the last axis) or
            ``"channels_first"``; None uses ``keras.config.image_data_format()``.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        ``(batch_size, depth, height, width, channels)`` with ``data_format="channels_last"``, or
        ``(batch_size, channels, depth, height, width)`` with ``"channels_first"``.

    Output shape:
        ``(batch_size, output_size[0], output_size[1], output_size[2], channels)`` (channels last) or
        ``(batch_size, channels, output_size[0], output_size[1], output_size[2])`` (channels first).

    Raises:
        ValueError: an ``output_size`` that is not positive or an unknown ``data_format``; when called,
            inputs of another rank or with an empty spatial axis.

    >>> import torch
    >>> AdaptiveAveragePooling3D((1, 2, 2))(torch.ones(1, 3, 4, 4, 2)).shape
    torch.Size([1, 1, 2, 2, 2])
    """

    def __init__(self, output_size: int | Sequence[int], data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(3, "average", output_size, data_format, **kwargs)


@register_builtin("keras.layers")
class AdaptiveMaxPooling1D(BaseAdaptivePooling):
    """Max-pools ``(batch, steps, channels)`` to ``output_size`` steps.

    Output position ``i`` of an axis of size ``n`` is the maximum of the input window
    ``[floor(i * n / output_size), ceil((i + 1) * n / output_size))``, so any input size gives
    ``output_size``.

    Args:
        output_size: int or tuple of 1 int: the output's spatial size.
        data_format: str or None, default None: ``"channels_last"`` (channels on the last axis) or
            ``"channels_first"``; None uses ``keras.config.image_data_format()``.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        ``(batch_size, steps, channels)`` with ``data_format="channels_last"``, or
        ``(batch_size, channels, steps)`` with ``"channels_first"``.

    Output shape:
        ``(batch_size, output_size, channels)`` (channels last) or ``(batch_size, channels, output_size)``
        (channels first).

    Raises:
        ValueError: an ``output_size`` that is not positive or an unknown ``data_format``; when called,
            inputs of another rank or with an empty spatial axis.

    >>> import torch
    >>> AdaptiveMaxPooling1D(2)(torch.arange(4.0).reshape(1, 4, 1)).flatten().tolist()
    [1.0, 3.0]
    """

    def __init__(self, output_size: int | Sequence[int], data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(1, "max", output_size, data_format, **kwargs)


@register_builtin("keras.layers")
class AdaptiveMaxPooling2D(BaseAdaptivePooling):
    """Max-pools an image to ``output_size`` (an int or ``(height, width)``).

    Output position ``i`` of an axis of size ``n`` is the maximum of the input window
    ``[floor(i * n / output_size), ceil((i + 1) * n / output_size))``, so any input size gives
    ``output_size``.

    Args:
        output_size: int or tuple of 2 ints: the output's spatial size.
        data_format: str or None, default None: ``"channels_last"`` (channels on the last axis) or
            ``"channels_first"``; None uses ``keras.config.image_data_format()``.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        ``(batch_size, height, width, channels)`` with ``data_format="channels_last"``, or
        ``(batch_size, channels, height, width)`` with ``"channels_first"``.

    Output shape:
        ``(batch_size, output_size[0], output_size[1], channels)`` (channels last) or
        ``(batch_size, channels, output_size[0], output_size[1])`` (channels first).

    Raises:
        ValueError: an ``output_size`` that is not positive or an unknown ``data_format``; when called,
            inputs of another rank or with an empty spatial axis.

    >>> import torch
    >>> AdaptiveMaxPooling2D((2, 2), data_format="channels_first")(torch.ones(1, 3, 5, 5)).shape
    torch.Size([1, 3, 2, 2])
    """

    def __init__(self, output_size: int | Sequence[int], data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(2, "max", output_size, data_format, **kwargs)


@register_builtin("keras.layers")
class AdaptiveMaxPooling3D(BaseAdaptivePooling):
    """Max-pools a volume to ``output_size`` (an int or ``(depth, height, width)``).

    Output position ``i`` of an axis of size ``n`` is the maximum of the input window
    ``[floor(i * n / output_size), ceil((i + 1) * n / output_size))``, so any input size gives
    ``output_size``.

    Args:
        output_size: int or tuple of 3 ints: the output's spatial size.
        data_format: str or None, default None: ``"channels_last"`` (channels on the last axis) or
            ``"channels_first"``; None uses ``keras.config.image_data_format()``.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        ``(batch_size, depth, height, width, channels)`` with ``data_format="channels_last"``, or
        ``(batch_size, channels, depth, height, width)`` with ``"channels_first"``.

    Output shape:
        ``(batch_size, output_size[0], output_size[1], output_size[2], channels)`` (channels last) or
        ``(batch_size, channels, output_size[0], output_size[1], output_size[2])`` (channels first).

    Raises:
        ValueError: an ``output_size`` that is not positive or an unknown ``data_format``; when called,
            inputs of another rank or with an empty spatial axis.

    >>> import torch
    >>> AdaptiveMaxPooling3D(1)(torch.ones(1, 3, 3, 3, 2)).shape
    torch.Size([1, 1, 1, 1, 2])
    """

    def __init__(self, output_size: int | Sequence[int], data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(3, "max", output_size, data_format, **kwargs)
