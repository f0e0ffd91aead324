"""Forward+backward of layers: kerastorch vs the equivalent plain torch.nn module, same weights, same data.

Convolutions and BatchNormalization: kerastorch gets channels_last (NHWC) inputs, its
default; the torch.nn module gets the same data as NCHW, its default. For convolutions the
ratio against torch.nn.Conv2d fed the NCHW view of the NHWC data (torch's channels_last
memory format, which is what kerastorch hands torch) is printed too. LSTM runs against
torch.nn.LSTM(batch_first=True), MultiHeadAttention (self-attention) against
torch.nn.MultiheadAttention(batch_first=True). Each pair is checked to give the same
outputs before it is timed. Prints kerastorch time / torch time.
Run: python bench/layers.py [cpu|cuda]
"""

import sys

import torch
from timing import compare, report

from kerastorch import layers

DEVICE = sys.argv[1] if len(sys.argv) > 1 else "cpu"
torch.manual_seed(0)


def mirror(layer, in_channels):
    """The torch.nn.Conv2d equivalent of a kerastorch Conv2D / DepthwiseConv2D (stride 1 if "same"), same weights."""
    depthwise = isinstance(layer, layers.DepthwiseConv2D)
    out_channels = in_channels * layer.depth_multiplier if depthwise else layer.filters
    conv = torch.nn.Conv2d(
        in_channels,
        out_channels,
        layer.kernel_size,
        layer.strides,
        padding=layer.padding,
        dilation=layer.dilation_rate,
        groups=in_channels if depthwise else layer.groups,
        bias=layer.use_bias,
    )
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


def bench_pair(name, layer, x, reference, x_ref, to_ours=lambda y: y):
    """Time ``layer(x)`` against ``reference(x_ref)`` (forward + backward of the sum) after checking that
    they agree (``to_ours`` maps the reference output to kerastorch's layout)."""
    torch.testing.assert_close(layer(x), to_ours(reference(x_ref)), rtol=1e-4, atol=1e-4)
    ratio, ours, ref = compare(step(layer, x), step(reference, x_ref))
    report(name, ratio, ours, ref)
    return ratio


def bench_batch_norm(name, shape):
    x = torch.randn(*shape, device=DEVICE)
    layer = layers.BatchNormalization().to(DEVICE)
    layer.train()  # training mode: batch statistics and the moving-statistics update
    reference = torch.nn.BatchNorm2d(shape[-1], eps=1e-3, momentum=0.01).to(DEVICE).train()
    layer(x)
    return bench_pair(
        name, layer, x, reference, x.permute(0, 3, 1, 2).contiguous(), to_ours=lambda y: y.permute(0, 2, 3, 1)
    )


class _LastOutput(torch.nn.Module):
    """torch.nn.LSTM returning only its output sequence (what Keras's LSTM(return_sequences=True) returns)."""

    def __init__(self, lstm):
        super().__init__()
        self.lstm = lstm

    def forward(self, x):
        return self.lstm(x)[0]


def bench_lstm(name, batch, steps, features, units):
    x = torch.randn(batch, steps, features, device=DEVICE)
    layer = layers.LSTM(units, return_sequences=True).to(DEVICE)
    layer(x)
    kernel, recurrent, bias = (w.detach() for w in layer.weights)
    reference = torch.nn.LSTM(features, units, batch_first=True).to(DEVICE)
    with torch.no_grad():  # Keras gates i, f, c, o are torch's i, f, g, o
        reference.weight_ih_l0.copy_(kernel.T)
        reference.weight_hh_l0.copy_(recurrent.T)
        reference.bias_ih_l0.copy_(bias)
        reference.bias_hh_l0.zero_()
    return bench_pair(name, layer, x, _LastOutput(reference), x)


class _SelfAttention(torch.nn.Module):
    def __init__(self, attention):
        super().__init__()
        self.attention = attention

    def forward(self, x):
        return self.attention(x, x, x, need_weights=False)[0]


class _KerasSelfAttention(torch.nn.Module):
    def __init__(self, attention):
        super().__init__()
        self.attention = attention

    def forward(self, x):
        return self.attention(x, x)


def bench_attention(name, batch, steps, heads, key_dim):
    dim = heads * key_dim
    x = torch.randn(batch, steps, dim, device=DEVICE)
    layer = layers.MultiHeadAttention(heads, key_dim).to(DEVICE)
    layer(x, x)
    wq, bq, wk, bk, wv, bv, wo, bo = (w.detach() for w in layer.weights)
    reference = torch.nn.MultiheadAttention(dim, heads, batch_first=True).to(DEVICE)
    with torch.no_grad():  # Keras (dim, heads, key_dim) kernels are torch's (dim, dim) projections, transposed
        reference.in_proj_weight.copy_(torch.cat([w.reshape(dim, dim).T for w in (wq, wk, wv)]))
        reference.in_proj_bias.copy_(torch.cat([b.reshape(dim) for b in (bq, bk, bv)]))
        reference.out_proj.weight.copy_(wo.reshape(dim, dim).T)
        reference.out_proj.bias.copy_(bo)
    return bench_pair(name, _KerasSelfAttention(layer), x, _SelfAttention(reference), x)


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
    bench_batch_norm("BatchNormalization 64 ch, 32x28x28", (32, 28, 28, 64))
    bench_batch_norm("BatchNormalization 16 ch, 8x8x8", (8, 8, 8, 16))
    bench_lstm("LSTM 32->64, batch 32, 20 steps", 32, 20, 32, 64)
    bench_lstm("LSTM 8->16, batch 8, 8 steps", 8, 8, 8, 16)
    bench_attention("MultiHeadAttention 4x16, batch 16, 32 steps", 16, 32, 4, 16)
    bench_attention("MultiHeadAttention 2x8, batch 4, 8 steps", 4, 8, 2, 8)
