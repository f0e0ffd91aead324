"""``BaseConvTranspose``: the rank-generic transposed convolution (Conv1DTranspose/2D/3D).

The kernel is stored in Keras layout ``(*kernel_size, filters, in_channels)``, which
permutes to torch's ``conv_transpose`` layout ``(in_channels, filters, *kernel_size)``.

Output lengths follow Keras (``k`` the dilated kernel extent): without
``output_padding``, ``"valid"`` gives ``n * stride + max(k - stride, 0)`` and ``"same"``
``n * stride``; with it, ``(n - 1) * stride + k - 2 * (k // 2 if "same" else 0) +
output_padding``. ``"same"`` crops the full result as TF does (the smaller half of the
surplus at the start), which Keras 3's torch backend matches. torch's
``padding``/``output_padding`` express all of it but the one extra row "same" crops at
the end for some sizes, which is a slice (a view).

Example:
    >>> import torch
    >>> from kerastorch.layers import Conv2DTranspose
    >>> Conv2DTranspose(4, 3, strides=2, padding="same")(torch.ones(1, 5, 5, 2)).shape
    torch.Size([1, 10, 10, 4])
"""

from __future__ import annotations

from typing import Any, Sequence

import torch.nn.functional as F

from kerastorch.backend import conv_utils
from kerastorch.backend.annotations import Identifier
from kerastorch.layers.convolutional.base_conv import BaseConv
from kerastorch.layers.layer_utils import InitializerLike, layer_label

CONV_TRANSPOSE_FUNCTIONS = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


class BaseConvTranspose(BaseConv):
    """N-D transposed convolution (the gradient of a convolution); Conv1DTranspose/2D/3D fix ``rank``.

    >>> import torch
    >>> BaseConvTranspose(1, filters=2, kernel_size=3)(torch.ones(1, 4, 5)).shape
    torch.Size([1, 6, 2])
    """

    _causal_1d = False

    def __init__(
        self,
        rank: int,
        filters: int,
        kernel_size: int | Sequence[int],
        strides: int | Sequence[int] = 1,
        padding: str = "valid",
        output_padding: int | Sequence[int] | None = None,
        data_format: str | None = None,
        dilation_rate: int | Sequence[int] = 1,
        activation: Identifier = None,
        use_bias: bool = True,
        kernel_initializer: InitializerLike = "glorot_uniform",
        bias_initializer: InitializerLike = "zeros",
        kernel_regularizer: Identifier = None,
        bias_regularizer: Identifier = None,
        activity_regularizer: Identifier = None,
        kernel_constraint: Identifier = None,
        bias_constraint: Identifier = None,
        **kwargs: Any,
    ) -> None:
        if "groups" in kwargs:
            raise TypeError(
                f"{type(self).__name__}: transposed convolutions take no groups argument, "
                f"received groups={kwargs['groups']!r}"
            )
        super().__init__(
            rank,
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )
        if output_padding is None:
            self.output_padding = None
        else:
            self.output_padding = conv_utils.normalize_tuple(
                output_padding, rank, "output_padding", layer_label(self), allow_zero=True
            )
            if any(p >= s for p, s in zip(self.output_padding, self.strides)):
                raise ValueError(
                    f"{layer_label(self)}: output_padding must be smaller than strides on every axis, "
                    f"received output_padding={self.output_padding} and strides={self.strides}"
                )
        self._conv = CONV_TRANSPOSE_FUNCTIONS[rank]

    def _kernel_shape(self, in_channels):
        return self.kernel_size + (self.filters, in_channels)

    def _paddings_per_axis(self):
        return self.output_padding or (None,) * self.rank

    def _compute_geometry(self, spatial):
        return conv_utils.transpose_geometry(
            spatial, self.kernel_size, self.strides, self.dilation_rate, self.padding, self._paddings_per_axis()
        )

    def _forward(self, x):
        padding, output_padding, lengths = self._geometry(x)
        kernel = self.kernel.permute(self._kernel_perm).contiguous()
        y = self._conv(x, kernel, self.bias, self.strides, padding, output_padding, 1, self.dilation_rate)
        if lengths is not None:
            for axis, length in enumerate(lengths, start=2):
                y = y.narrow(axis, 0, length)
        return y

    def _output_spatial(self, spatial):
        return tuple(
            conv_utils.transpose_output_length(n, k, s, d, self.padding, p)
            for n, k, s, d, p in zip(
                spatial, self.kernel_size, self.strides, self.dilation_rate, self._paddings_per_axis()
            )
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["groups"]
        config["output_padding"] = self.output_padding
        return config
