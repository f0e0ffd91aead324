"""Convolution layers: one rank-generic base per family, thin subclasses that fix the rank."""

from kerastorch.layers.convolutional.base_conv import BaseConv
from kerastorch.layers.convolutional.base_conv_transpose import BaseConvTranspose
from kerastorch.layers.convolutional.base_depthwise_conv import BaseDepthwiseConv
from kerastorch.layers.convolutional.base_separable_conv import BaseSeparableConv
from kerastorch.layers.convolutional.conv import Conv1D, Conv2D, Conv3D, Convolution1D, Convolution2D, Convolution3D
from kerastorch.layers.convolutional.conv_transpose import (
    Conv1DTranspose,
    Conv2DTranspose,
    Conv3DTranspose,
    Convolution1DTranspose,
    Convolution2DTranspose,
    Convolution3DTranspose,
)
from kerastorch.layers.convolutional.depthwise_conv import DepthwiseConv1D, DepthwiseConv2D
from kerastorch.layers.convolutional.separable_conv import (
    SeparableConv1D,
    SeparableConv2D,
    SeparableConvolution1D,
    SeparableConvolution2D,
)

__all__ = [
    "BaseConv",
    "BaseConvTranspose",
    "BaseDepthwiseConv",
    "BaseSeparableConv",
    "Conv1D",
    "Conv2D",
    "Conv3D",
    "Convolution1D",
    "Convolution2D",
    "Convolution3D",
    "Conv1DTranspose",
    "Conv2DTranspose",
    "Conv3DTranspose",
    "Convolution1DTranspose",
    "Convolution2DTranspose",
    "Convolution3DTranspose",
    "DepthwiseConv1D",
    "DepthwiseConv2D",
    "SeparableConv1D",
    "SeparableConv2D",
    "SeparableConvolution1D",
    "SeparableConvolution2D",
]
