"""``MaxPooling1D/2D/3D`` and ``AveragePooling1D/2D/3D``: :class:`BasePooling` with rank and mode fixed.

Arguments (Keras names and defaults): ``pool_size`` (2 per axis for max pooling,
required for average pooling), ``strides=None`` (``pool_size``), ``padding="valid"``
(or ``"same"``), ``data_format=None``. Aliases: ``MaxPool1D/2D/3D``, ``AvgPool1D/2D/3D``.
"""

from __future__ import annotations

from typing import Any, Sequence

from kerastorch.layers.pooling.base_pooling import BasePooling
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class MaxPooling1D(BasePooling):
    """Maximum over windows of ``(batch, steps, channels)``.

    Args:
        pool_size: int or tuple of 1 int, default ``2``: the size of the pooling window.
        strides: int or tuple of 1 int or None, default None: the step of the window;
            ``pool_size`` when None.
        padding: str, default ``"valid"``: ``"valid"`` (windows inside the input only) or ``"same"``
            (``ceil(n / strides)`` outputs; windows that reach past the input use only its elements).
        data_format: str or None, default None: ``"channels_last"`` (channels on the last axis) or
            ``"channels_first"``; None uses ``keras.config.image_data_format()``.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        ``(batch_size, steps, channels)`` with ``data_format="channels_last"``, or
        ``(batch_size, channels, steps)`` with ``"channels_first"``.

    Output shape:
        ``(batch_size, pooled_steps, channels)`` (channels last) or ``(batch_size, channels, pooled_steps)``
        (channels first), where each pooled size is ``floor((n - pool_size) / strides) + 1`` for
        ``"valid"`` and ``ceil(n / strides)`` for ``"same"``.

    Raises:
        ValueError: a ``pool_size`` or ``strides`` that is not positive, an unknown ``padding`` or
            ``data_format``; when called, inputs of another rank or an empty output.

    >>> import torch
    >>> MaxPooling1D()(torch.arange(4.0).reshape(1, 4, 1)).flatten().tolist()
    [1.0, 3.0]
    """

    def __init__(
        self,
        pool_size: int | Sequence[int] = 2,
        strides: int | Sequence[int] | None = None,
        padding: str = "valid",
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(1, "max", pool_size, strides, padding, data_format, **kwargs)


@register_builtin("keras.layers")
class MaxPooling2D(BasePooling):
    """Maximum over windows of an image.

    Args:
        pool_size: int or tuple of 2 ints, default ``(2, 2)``: the size of the pooling window.
        strides: int or tuple of 2 ints or None, default None: the step of the window;
            ``pool_size`` when None.
        padding: str, default ``"valid"``: ``"valid"`` (windows inside the input only) or ``"same"``
            (``ceil(n / strides)`` outputs; windows that reach past the input use only its elements).
        data_format: str or None, default None: ``"channels_last"`` (channels on the last axis) or
            ``"channels_first"``; None uses ``keras.config.image_data_format()``.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        ``(batch_size, height, width, channels)`` with ``data_format="channels_last"``, or
        ``(batch_size, channels, height, width)`` with ``"channels_first"``.

    Output shape:
        ``(batch_size, pooled_height, pooled_width, channels)`` (channels last) or
        ``(batch_size, channels, pooled_height, pooled_width)`` (channels first), where each pooled size is
        ``floor((n - pool_size) / strides) + 1`` for ``"valid"`` and ``ceil(n / strides)`` for ``"same"``.

    Raises:
        ValueError: a ``pool_size`` or ``strides`` that is not positive, an unknown ``padding`` or
            ``data_format``; when called, inputs of another rank or an empty output.

    >>> import torch
    >>> MaxPooling2D((2, 2))(torch.ones(2, 5, 5, 3)).shape
    torch.Size([2, 2, 2, 3])
    """

    def __init__(
        self,
        pool_size: int | Sequence[int] = (2, 2),
        strides: int | Sequence[int] | None = None,
        padding: str = "valid",
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(2, "max", pool_size, strides, padding, data_format, **kwargs)


@register_builtin("keras.layers")
class MaxPooling3D(BasePooling):
    """Maximum over windows of a volume.

    Args:
        pool_size: int or tuple of 3 ints, default ``(2, 2, 2)``: the size of the pooling window.
        strides: int or tuple of 3 ints or None, default None: the step of the window;
            ``pool_size`` when None.
        padding: str, default ``"valid"``: ``"valid"`` (windows inside the input only) or ``"same"``
            (``ceil(n / strides)`` outputs; windows that reach past the input use only its elements).
        data_format: str or None, default None: ``"channels_last"`` (channels on the last axis) or
            ``"channels_first"``; None uses ``keras.config.image_data_format()``.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        ``(batch_size, depth, height, width, channels)`` with ``data_format="channels_last"``, or
        ``(batch_size, channels, depth, height, width)`` with ``"channels_first"``.

    Output shape:
        ``(batch_size, pooled_depth, pooled_height, pooled_width, channels)`` (channels last) or
        ``(batch_size, channels, pooled_depth, pooled_height, pooled_width)`` (channels first), where
        each pooled size is ``floor((n - pool_size) / strides) + 1`` for ``"valid"`` and
        ``ceil(n / strides)`` for ``"same"``.

    Raises:
        ValueError: a ``pool_size`` or ``strides`` that is not positive, an unknown ``padding`` or
            ``data_format``; when called, inputs of another rank or an empty output.

    >>> import torch
    >>> MaxPooling3D(padding="same")(torch.ones(1, 3, 4, 5, 2)).shape
    torch.Size([1, 2, 2, 3, 2])
    """

    def __init__(
        self,
        pool_size: int | Sequence[int] = (2, 2, 2),
        strides: int | Sequence[int] | None = None,
        padding: str = "valid",
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(3, "max", pool_size, strides, padding, data_format, **kwargs)


@register_builtin("keras.layers")
class AveragePooling1D(BasePooling):
    """Mean over windows of ``(batch, steps, channels)``.

    Args:
        pool_size: int or tuple of 1 int: the size of the pooling window.
        strides: int or tuple of 1 int or None, default None: the step of the window;
            ``pool_size`` when None.
        padding: str, default ``"valid"``: ``"valid"`` (windows inside the input only) or ``"same"``
            (``ceil(n / strides)`` outputs; windows that reach past the input average only the elements
            they cover).
        data_format: str or None, default None: ``"channels_last"`` (channels on the last axis) or
            ``"channels_first"``; None uses ``keras.config.image_data_format()``.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        ``(batch_size, steps, channels)`` with ``data_format="channels_last"``, or
        ``(batch_size, channels, steps)`` with ``"channels_first"``.

    Output shape:
        ``(batch_size, pooled_steps, channels)`` (channels last) or ``(batch_size, channels, pooled_steps)``
        (channels first), where each pooled size is ``floor((n - pool_size) / strides) + 1`` for
        ``"valid"`` and ``ceil(n / strides)`` for ``"same"``.

    Raises:
        ValueError: a ``pool_size`` or ``strides`` that is not positive, an unknown ``padding`` or
            ``data_format``; when called, inputs of another rank or an empty output.

    >>> import torch
    >>> AveragePooling1D(2)(torch.arange(4.0).reshape(1, 4, 1)).flatten().tolist()
    [0.5, 2.5]
    """

    def __init__(
        self,
        pool_size: int | Sequence[int],
        strides: int | Sequence[int] | None = None,
        padding: str = "valid",
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(1, "average", pool_size, strides, padding, data_format, **kwargs)


@register_builtin("keras.layers")
class AveragePooling2D(BasePooling):
    """Mean over windows of an image.

    Args:
        pool_size: int or tuple of 2 ints: the size of the pooling window.
        strides: int or tuple of 2 ints or None, default None: the step of the window;
            ``pool_size`` when None.
        padding: str, default ``"valid"``: ``"valid"`` (windows inside the input only) or ``"same"``
            (``ceil(n / strides)`` outputs; windows that reach past the input average only the elements
            they cover).
        data_format: str or None, default None: ``"channels_last"`` (channels on the last axis) or
            ``"channels_first"``; None uses ``keras.config.image_data_format()``.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        ``(batch_size, height, width, channels)`` with ``data_format="channels_last"``, or
        ``(batch_size, channels, height, width)`` with ``"channels_first"``.

    Output shape:
        ``(batch_size, pooled_height, pooled_width, channels)`` (channels last) or
        ``(batch_size, channels, pooled_height, pooled_width)`` (channels first), where each pooled size is
        ``floor((n - pool_size) / strides) + 1`` for ``"valid"`` and ``ceil(n / strides)`` for ``"same"``.

    Raises:
        ValueError: a ``pool_size`` or ``strides`` that is not positive, an unknown ``padding`` or
            ``data_format``; when called, inputs of another rank or an empty output.

    >>> import torch
    >>> AveragePooling2D(3, strides=1, padding="same")(torch.ones(2, 5, 5, 3)).shape
    torch.Size([2, 5, 5, 3])
    """

    def __init__(
        self,
        pool_size: int | Sequence[int],
        strides: int | Sequence[int] | None = None,
        padding: str = "valid",
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(2, "average", pool_size, strides, padding, data_format, **kwargs)


@register_builtin("keras.layers")
class AveragePooling3D(BasePooling):
    """Mean over windows of a volume.

    Args:
        pool_size: int or tuple of 3 ints: the size of the pooling window.
        strides: int or tuple of 3 ints or None, default None: the step of the window;
            ``pool_size`` when None.
        padding: str, default ``"valid"``: ``"valid"`` (windows inside the input only) or ``"same"``
            (``ceil(n / strides)`` outputs; windows that reach past the input average only the elements
            they cover).
        data_format: str or None, default None: ``"channels_last"`` (channels on the last axis) or
            ``"channels_first"``; None uses ``keras.config.image_data_format()``.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        ``(batch_size, depth, height, width, channels)`` with ``data_format="channels_last"``, or
        ``(batch_size, channels, depth, height, width)`` with ``"channels_first"``.

    Output shape:
        ``(batch_size, pooled_depth, pooled_height, pooled_width, channels)`` (channels last) or
        ``(batch_size, channels, pooled_depth, pooled_height, pooled_width)`` (channels first), where
        each pooled size is ``floor((n - pool_size) / strides) + 1`` for ``"valid"`` and
        ``ceil(n / strides)`` for ``"same"``.

    Raises:
        ValueError: a ``pool_size`` or ``strides`` that is not positive, an unknown ``padding`` or
            ``data_format``; when called, inputs of another rank or an empty output.

    >>> import torch
    >>> AveragePooling3D(2)(torch.ones(1, 4, 4, 4, 2)).shape
    torch.Size([1, 2, 2, 2, 2])
    """

    def __init__(
        self,
        pool_size: int | Sequence[int],
        strides: int | Sequence[int] | None = None,
        padding: str = "valid",
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(3, "average", pool_size, strides, padding, data_format, **kwargs)


MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
for _alias, _cls in (
    ("MaxPool1D", MaxPooling1D),
    ("MaxPool2D", MaxPooling2D),
    ("MaxPool3D", MaxPooling3D),
    ("AvgPool1D", AveragePooling1D),
    ("AvgPool2D", AveragePooling2D),
    ("AvgPool3D", AveragePooling3D),
):
    register_builtin("keras.layers", name=_alias)(_cls)
