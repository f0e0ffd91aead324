"""Cost of forward and reverse mode through a CNN, relative to one forward pass.

- JVP w.r.t. the input (``autodiff.jvp``: one forward pass with dual numbers) / forward pass;
- JVP w.r.t. the weights (``autodiff.model_jvp``: dual-number weights) / forward pass;
- VJP (``autodiff.vjp`` + one call of its ``vjp_fn``: forward with graph + backward) / forward pass.

Theory (Griewank): each is a small constant times one evaluation, about 2-3x. Prints the ratios, and for
reference the same JVP with torch's dual numbers called directly (no kerastorch.autodiff wrapper). Note that
torch's forward rule for a convolution runs three convolutions (measured with torch.profiler, torch 2.13 on
CPU), so a conv-heavy JVP costs about 3-4x one forward pass there, whoever calls it.
Run: python bench/jvp.py [cpu|cuda] [batch]
"""

import sys

import torch
import torch.autograd.forward_ad as fwad
from timing import compare

import kerastorch as keras
from kerastorch import autodiff, layers

DEVICE = sys.argv[1] if len(sys.argv) > 1 else "cpu"
BATCH = int(sys.argv[2]) if len(sys.argv) > 2 else 32
torch.manual_seed(0)

model = keras.Sequential(
    [
        keras.Input((32, 32, 3)),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.GlobalAveragePooling2D(),
        layers.Dense(10),
    ]
).to(DEVICE)
x = torch.randn(BATCH, 32, 32, 3, device=DEVICE)
v = torch.randn_like(x)
direction = [torch.randn_like(w) for w in model.trainable_weights]
u = torch.randn(BATCH, 10, device=DEVICE)


def sync():
    if DEVICE.startswith("cuda"):
        torch.cuda.synchronize()


def forward():
    with torch.no_grad():
        model(x)
    sync()


def input_jvp():
    autodiff.jvp(model, (x,), (v,))
    sync()


def weight_jvp():
    autodiff.model_jvp(model, x, direction)
    sync()


def raw_dual_jvp():
    with fwad.dual_level():
        fwad.unpack_dual(model(fwad.make_dual(x, v)))
    sync()


def vjp():
    _, vjp_fn = autodiff.vjp(model, x)
    vjp_fn(u)
    sync()


# The three must give consistent derivatives: <u, J v> = <J^T u, v>.
_, jv = autodiff.jvp(model, (x,), (v,))
(jtu,) = autodiff.vjp(model, x)[1](u)
lhs, rhs = float((u * jv).sum()), float((jtu * v).sum())
assert abs(lhs - rhs) <= 1e-3 * max(1.0, abs(lhs)), (lhs, rhs)

print(f"CNN on {BATCH}x32x32x3 ({DEVICE}): cost relative to one forward pass (no grad)")
for name, fn in (
    ("JVP w.r.t. input (forward mode)", input_jvp),
    ("  same, torch dual numbers directly", raw_dual_jvp),
    ("JVP w.r.t. weights (forward mode)", weight_jvp),
    ("VJP w.r.t. input (forward + backward)", vjp),
):
    ratio, ours, ref = compare(fn, forward, number=5, rounds=7, warmup=3)
    print(f"{name:<40} ratio {ratio:5.2f}   ({ours * 1e3:8.2f} ms vs forward {ref * 1e3:8.2f} ms)")
