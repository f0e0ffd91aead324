"""One optimizer step on a 1M-parameter MLP: kerastorch Adam vs torch.optim.Adam(foreach=True).

Same parameters and gradients for both; only ``optimizer.apply`` / ``optimizer.step`` is timed
(torch's reference for weight decay + global_clipnorm is AdamW after clip_grad_norm_).
Prints kerastorch time / torch time.
Run: python bench/optimizers.py [cpu|cuda]
"""

import sys

import torch
from timing import compare, report

from kerastorch import optimizers

DEVICE = sys.argv[1] if len(sys.argv) > 1 else "cpu"
torch.manual_seed(0)


def mlp_parameters():
    """784-1024-256-10 weights and biases: 1,069,066 parameters in 6 tensors."""
    sizes = [784, 1024, 256, 10]
    shapes = [s for fan_in, fan_out in zip(sizes, sizes[1:]) for s in ((fan_in, fan_out), (fan_out,))]
    return [torch.nn.Parameter(0.05 * torch.randn(s, device=DEVICE)) for s in shapes]


def sync():
    if DEVICE.startswith("cuda"):
        torch.cuda.synchronize()


def main():
    ours_params, torch_params = mlp_parameters(), mlp_parameters()
    grads = [torch.randn_like(p) for p in ours_params]
    for p, g in zip(torch_params, grads):
        p.grad = g.clone()
    print(f"{sum(p.numel() for p in ours_params):,} parameters in {len(ours_params)} tensors on {DEVICE}")
    torch_adamw = torch.optim.AdamW(torch_params, lr=1e-3, eps=1e-7, weight_decay=1e-4, foreach=True)

    def clipped_adamw_step():
        torch.nn.utils.clip_grad_norm_(torch_params, 1.0, foreach=True)
        torch_adamw.step()

    cases = [
        ("Adam", optimizers.Adam(), torch.optim.Adam(torch_params, lr=1e-3, eps=1e-7, foreach=True).step),
        (
            "Adam weight_decay global_clipnorm",
            optimizers.Adam(weight_decay=1e-4, global_clipnorm=1.0),
            clipped_adamw_step,
        ),
        (
            "SGD momentum=0.9",
            optimizers.SGD(momentum=0.9),
            torch.optim.SGD(torch_params, lr=0.01, momentum=0.9, foreach=True).step,
        ),
    ]
    for name, ours, reference_step in cases:

        def ours_step(ours=ours):
            ours.apply(grads, ours_params)
            sync()

        def torch_step(reference_step=reference_step):
            reference_step()
            sync()

        report(name, *compare(ours_step, torch_step, number=20))


if __name__ == "__main__":
    main()
