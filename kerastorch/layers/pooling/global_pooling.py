"""``GlobalMaxPooling1D/2D/3D`` and ``GlobalAveragePooling1D/2D/3D``: :class:`BaseGlobalPooling`
with rank and mode fixed.

Arguments (Keras names and defaults): ``data_format=None, keepdims=False``.
Aliases: ``GlobalMaxPool1D/2D/3D``, ``GlobalAvgPool1D/2D/3D``.
"""

from __future__ import annotations

from typing import Any

from kerastorch.layers.pooling.base_global_pooling import BaseGlobalPooling
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class GlobalMaxPooling1D(BaseGlobalPooling):
    """Maximum over the steps of ``(batch, steps, channels)``.

    Args:
        data_format: str or None, default None: ``"channels_last"`` (channels on the last axis) or
            ``"channels_first"``; None uses ``keras.config.image_data_format()``.
        keepdims: bool, default False: whether to keep the spatial axes, with size 1.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        ``(batch_size, steps, channels)`` with ``data_format="channels_last"``, or
        ``(batch_size, channels, steps)`` with ``"channels_first"``.

    Output shape:
        ``(batch_size, channels)``; with ``keepdims``, ``(batch_size, 1, channels)`` (channels last) or
        ``(batch_size, channels, 1)`` (channels first).

    Raises:
        ValueError: an unknown ``data_format`` or a non-bool ``keepdims``; when called, inputs of another
            rank.

    >>> import torch
    >>> GlobalMaxPooling1D()(torch.ones(2, 5, 3)).shape
    torch.Size([2, 3])
    """

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any) -> None:
        super().__init__(1, "max", data_format, keepdims, **kwargs)


@register_builtin("keras.layers")
class GlobalMaxPooling2D(BaseGlobalPooling):
    """Maximum over the height and width of an image.

    Args:
        data_format: str or None, default None: ``"channels_last"`` (channels on the last axis) or
            ``"channels_first"``; None uses ``keras.config.image_data_format()``.
        keepdims: bool, default False: whether to keep the spatial axes, with size 1.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        ``(batch_size, height, width, channels)`` with ``data_format="channels_last"``, or
        ``(batch_size, channels, height, width)`` with ``"channels_first"``.

    Output shape:
        ``(batch_size, channels)``; with ``keepdims``, ``(batch_size, 1, 1, channels)`` (channels last) or
        ``(batch_size, channels, 1, 1)`` (channels first).

    Raises:
        ValueError: an unknown ``data_format`` or a non-bool ``keepdims``; when called, inputs of another
            rank.

    >>> import torch
    >>> GlobalMaxPooling2D()(torch.ones(2, 4, 4, 3)).shape
    torch.Size([2, 3])
    """

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any) -> None:
        super().__init__(2, "max", data_format, keepdims, **kwargs)


@register_builtin("keras.layers")
class GlobalMaxPooling3D(BaseGlobalPooling):
    """Maximum over the three spatial axes of a volume.

    Args:
        data_format: str or None, default None: ``"channels_last"`` (channels on the last axis) or
            ``"channels_first"``; None uses ``keras.config.image_data_format()``.
        keepdims: bool, default False: whether to keep the spatial axes, with size 1.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        ``(batch_size, depth, height, width, channels)`` with ``data_format="channels_last"``, or
        ``(batch_size, channels, depth, height, width)`` with ``"channels_first"``.

    Output shape:
        ``(batch_size, channels)``; with ``keepdims``, ``(batch_size, 1, 1, 1, channels)`` (channels last) or
        ``(batch_size, channels, 1, 1, 1)`` (channels first).

    Raises:
        ValueError: an unknown ``data_format`` or a non-bool ``keepdims``; when called, inputs of another
            rank.

    >>> import torch
    >>> GlobalMaxPooling3D(keepdims=True)(torch.ones(2, 3, 3, 3, 4)).shape
    torch.Size([2, 1, 1, 1, 4])
    """

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any) -> None:
        super().__init__(3, "max", data_format, keepdims, **kwargs)


@register_builtin("keras.layers")
class GlobalAveragePooling1D(BaseGlobalPooling):
    """Mean over the steps of ``(batch, steps, channels)``; a ``mask`` limits it to the unmasked steps.

    Args:
        data_format: str or None, default None: ``"channels_last"`` (channels on the last axis) or
            ``"channels_first"``; None uses ``keras.config.image_data_format()``.
        keepdims: bool, default False: whether to keep the spatial axes, with size 1.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Call arguments:
        inputs: the tensor to pool.
        mask: boolean tensor ``(batch_size, steps)`` or None, default None: True for the steps to
            average; None (and no Keras mask on the inputs) averages every step.

    Input shape:
        ``(batch_size, steps, channels)`` with ``data_format="channels_last"``, or
        ``(batch_size, channels, steps)`` with ``"channels_first"``.

    Output shape:
        ``(batch_size, channels)``; with ``keepdims``, ``(batch_size, 1, channels)`` (channels last) or
        ``(batch_size, channels, 1)`` (channels first).

    Raises:
        ValueError: an unknown ``data_format`` or a non-bool ``keepdims``; when called, inputs of another
            rank.

    >>> import torch
    >>> x = torch.arange(6.0).reshape(1, 3, 2)
    >>> GlobalAveragePooling1D()(x, mask=torch.tensor([[True, True, False]])).tolist()
    [[1.0, 2.0]]
    """

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any) -> None:
        super().__init__(1, "average", data_format, keepdims, **kwargs)


@register_builtin("keras.layers")
class GlobalAveragePooling2D(BaseGlobalPooling):
    """Mean over the height and width of an image.

    Args:
        data_format: str or None, default None: ``"channels_last"`` (channels on the last axis) or
            ``"channels_first"``; None uses ``keras.config.image_data_format()``.
        keepdims: bool, default False: whether to keep the spatial axes, with size 1.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        ``(batch_size, height, width, channels)`` with ``data_format="channels_last"``, or
        ``(batch_size, channels, height, width)`` with ``"channels_first"``.

    Output shape:
        ``(batch_size, channels)``; with ``keepdims``, ``(batch_size, 1, 1, channels)`` (channels last) or
        ``(batch_size, channels, 1, 1)`` (channels first).

    Raises:
        ValueError: an unknown ``data_format`` or a non-bool ``keepdims``; when called, inputs of another
            rank.

    >>> import torch
    >>> GlobalAveragePooling2D()(torch.ones(2, 4, 4, 3)).shape
    torch.Size([2, 3])
    """

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any) -> None:
        super().__init__(2, "average", data_format, keepdims, **kwargs)


@register_builtin("keras.layers")
class GlobalAveragePooling3D(BaseGlobalPooling):
    """Mean over the three spatial axes of a volume.

    Args:
        data_format: str or None, default None: ``"channels_last"`` (channels on the last axis) or
            ``"channels_first"``; None uses ``keras.config.image_data_format()``.
        keepdims: bool, default False: whether to keep the spatial axes, with size 1.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        ``(batch_size, depth, height, width, channels)`` with ``data_format="channels_last"``, or
        ``(batch_size, channels, depth, height, width)`` with ``"channels_first"``.

    Output shape:
        ``(batch_size, channels)``; with ``keepdims``, ``(batch_size, 1, 1, 1, channels)`` (channels last) or
        ``(batch_size, channels, 1, 1, 1)`` (channels first).

    Raises:
        ValueError: an unknown ``data_format`` or a non-bool ``keepdims``; when called, inputs of another
            rank.

    >>> import torch
    >>> GlobalAveragePooling3D()(torch.ones(2, 3, 3, 3, 4)).shape
    torch.Size([2, 4])
    """

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any) -> None:
        super().__init__(3, "average", data_format, keepdims, **kwargs)


GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D
GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D = (
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAveragePooling3D,
)
for _alias, _cls in (
    ("GlobalMaxPool1D", GlobalMaxPooling1D),
    ("GlobalMaxPool2D", GlobalMaxPooling2D),
    ("GlobalMaxPool3D", GlobalMaxPooling3D),
    ("GlobalAvgPool1D", GlobalAveragePooling1D),
    ("GlobalAvgPool2D", GlobalAveragePooling2D),
    ("GlobalAvgPool3D", GlobalAveragePooling3D),
):
    register_builtin("keras.layers", name=_alias)(_cls)
