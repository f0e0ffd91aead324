"""Forward+backward of convolution layers: kerastorch vs the same layer in plain torch.nn.

kerastorch gets channels_last (NHWC) inputs, its default; torch.nn.Conv2d gets the
same data as NCHW, its default. Prints kerastorch time / torch time for each layer
(same weights, same data), and for reference the ratio against torch.nn.Conv2d fed
the NCHW view of the NHWC data (torch's channels_last memory format), which is what
kerastorch hands torch.
Run: python bench/layers.py [cpu|cuda]
"""
import sys

import torch

from kerastorch import layers
from timing import compare, report

DEVICE = sys.argv[1] if len(sys.argv) > 1 else "cpu"
torch.manual_seed(0)


def mirror(layer, in_channels):
    """The torch.nn.Conv2d equivalent of a kerastorch Conv2D / DepthwiseConv2D (stride 1 if "same"), same weights."""
    depthwise = isinstance(layer, layers.DepthwiseConv2D)
    out_channels = in_channels * layer.depth_multiplier if depthwise else layer.filters
    conv = torch.nn.Conv2d(in_channels, out_channels, layer.kernel_size, layer.strides, padding=layer.padding,
                           dilation=layer.dilation_rate, groups=in_channels if depthwise else layer.groups,
                           bias=layer.use_bias)
    kernel = layer.kernel.detach()
    weight = kernel.flatten(-2).permute(2, 0, 1).unsqueeze(1) if depthwise else kernel.permute(3, 2, 0, 1)
    with torch.no_grad():
        conv.weight.copy_(weight)
        if layer.use_bias:
            conv.bias.copy_(layer.bias)
    return conv.to(DEVICE)


def step(module, x):
    def run():
        module.zero_grad(set_to_none=True)
        module(x).sum().backward()
    return run


def bench(name, layer, shape):
    """``shape`` is NHWC; the reference gets the same data as a contiguous NCHW tensor."""
    x_nhwc = torch.randn(*shape, device=DEVICE)
    layer = layer.to(DEVICE)
    layer(x_nhwc)  # build
    reference = mirror(layer, shape[-1])
    x_nchw = x_nhwc.permute(0, 3, 1, 2).contiguous()
    torch.testing.assert_close(layer(x_nhwc), reference(x_nchw).permute(0, 2, 3, 1), rtol=1e-4, atol=1e-4)
    ratio, ours, ref = compare(step(layer, x_nhwc), step(reference, x_nchw))
    report(name, ratio, ours, ref)
    cl_ratio, _, cl_ref = compare(step(layer, x_nhwc), step(reference, x_nhwc.permute(0, 3, 1, 2)))
    print(f"{'':<40} vs torch on channels_last memory: ratio {cl_ratio:5.2f} (torch {cl_ref * 1e6:8.1f} us)")
    return ratio


if __name__ == "__main__":
    print(f"device: {DEVICE}, torch {torch.__version__}, threads {torch.get_num_threads()}")
    bench("Conv2D 3x3 same 32->64, 32x32x32", layers.Conv2D(64, 3, padding="same"), (32, 32, 32, 32))
    bench("Conv2D 3x3 stride 2 valid 64->128, 16x33x33", layers.Conv2D(128, 3, strides=2), (16, 33, 33, 64))
    bench("DepthwiseConv2D 3x3 same, 64 ch, 32x56x56", layers.DepthwiseConv2D(3, padding="same"), (32, 56, 56, 64))
    bench("DepthwiseConv2D 3x3 same, 32 ch, 8x16x16", layers.DepthwiseConv2D(3, padding="same"), (8, 16, 16, 32))
