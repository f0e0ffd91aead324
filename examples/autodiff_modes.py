"""Three ways to differentiate, measured: finite differences against the step h, and the cost of a
full Jacobian by forward mode (n passes) versus reverse mode (m passes).

1. Finite differences. The error of (f(x + h v) - f(x)) / h (forward) and
   (f(x + h v) - f(x - h v)) / 2h (central) against the exact directional derivative (from forward-mode
   autodiff), for h = 1e-1 ... 1e-15, in float64 and float32. Large h: truncation error, slope 1
   (forward) and 2 (central) on a log-log plot. Small h: rounding error ~ u / h takes over. The best
   steps sit near u**(1/2) and u**(1/3) (u the dtype's machine epsilon), which is how
   ``kerastorch.autodiff.numerical_gradient`` chooses its default step. With matplotlib installed the
   curves are also saved to ``autodiff_modes.png`` (or the path given with ``--png``).
2. Jacobian cost. For f: R^n -> R^m (a small tanh network), forward mode needs n JVPs and reverse mode
   m VJPs: with many inputs and few outputs reverse mode wins, with few inputs and many outputs forward
   mode wins, and ``jacobian(mode="auto")`` picks the cheaper one.

Run: python examples/autodiff_modes.py [--quick] [--png PATH]
"""

import argparse
import math
import time

import torch

from kerastorch import autodiff

parser = argparse.ArgumentParser()
parser.add_argument("--quick", action="store_true", help="smaller Jacobians, fewer repeats")
parser.add_argument("--png", default="autodiff_modes.png")
args = parser.parse_args()
torch.manual_seed(0)
torch.set_num_threads(1)


def slope(steps, errors, lo, hi):
    """Least-squares slope of log10(error) against log10(h) over steps in [lo, hi]."""
    pts = [(math.log10(h), math.log10(e)) for h, e in zip(steps, errors) if lo <= h <= hi and e > 0]
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    return sum((x - mx) * (y - my) for x, y in pts) / sum((x - mx) ** 2 for x, _ in pts)


# ---------------------------------------------------------------- 1. step size
def f(x):
    return torch.exp(x) * torch.sin(3 * x) + x**3


studies = {}
for dtype in (torch.float64, torch.float32):
    x = torch.tensor([0.4, -0.7, 1.3], dtype=dtype)
    errs = autodiff.finite_difference_errors(f, x, steps=[10.0 ** (-k / 2) for k in range(2, 31)])
    studies[dtype] = errs
    u = torch.finfo(dtype).eps
    print(f"finite differences in {str(dtype).replace('torch.', '')} (machine epsilon {u:.1e})")
    print(errs.table())
    print(
        f"  best forward step {errs.best_step('forward'):.0e} (u^1/2 = {u**0.5:.0e}), min error {min(errs.forward):.1e}"
    )
    print(
        f"  best central step {errs.best_step('central'):.0e} (u^1/3 = {u ** (1 / 3):.0e}), "
        f"min error {min(errs.central):.1e}"
    )
    print()

e64 = studies[torch.float64]
forward_slope = slope(e64.steps, e64.forward, 1e-4, 1e-1)
central_slope = slope(e64.steps, e64.central, 1e-3, 1e-1)
rounding_slope = slope(e64.steps, e64.forward, 1e-15, 1e-10)
print(f"truncation slopes (float64): forward {forward_slope:.2f} (theory 1), central {central_slope:.2f} (theory 2)")
print(f"rounding slope (float64, tiny h): forward {rounding_slope:.2f} (theory -1)")
assert 0.8 < forward_slope < 1.2 and 1.7 < central_slope < 2.3 and -1.4 < rounding_slope < -0.6
assert e64.best_step("forward") < e64.best_step("central")
assert min(e64.central) < min(e64.forward) < min(studies[torch.float32].forward)

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("matplotlib not installed: no plot")
else:
    fig, ax = plt.subplots(figsize=(6, 4))
    for dtype, style in ((torch.float64, "-"), (torch.float32, "--")):
        e = studies[dtype]
        name = str(dtype).replace("torch.", "")
        ax.loglog(e.steps, e.forward, style + "o", ms=3, label=f"forward, {name}")
        ax.loglog(e.steps, e.central, style + "s", ms=3, label=f"central, {name}")
    ax.set_xlabel("step h")
    ax.set_ylabel("max |error|")
    ax.set_title("finite-difference error vs step size")
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.png, dpi=120)
    print(f"plot saved to {args.png}")
print()


# ---------------------------------------------------------------- 2. Jacobian cost
def network(n, m, hidden=64):
    w1 = torch.randn(hidden, n, dtype=torch.float64) / n**0.5
    w2 = torch.randn(m, hidden, dtype=torch.float64) / hidden**0.5
    return lambda x: w2 @ torch.tanh(w1 @ x)


def timed(fn, repeats):
    fn()  # warm-up
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


many = 64 if args.quick else 256
repeats = 3 if args.quick else 5
print(f"{'shape (n -> m)':<16} {'forward: n passes':>20} {'reverse: m passes':>20} {'auto picks':>11}")
results = {}
for n, m in ((many, 4), (4, many)):
    g = network(n, m)
    x = torch.randn(n, dtype=torch.float64)
    jf = autodiff.jacobian(g, x, mode="forward")
    jr = autodiff.jacobian(g, x, mode="reverse")
    torch.testing.assert_close(jf, jr)
    t_forward = timed(lambda: autodiff.jacobian(g, x, mode="forward"), repeats)
    t_reverse = timed(lambda: autodiff.jacobian(g, x, mode="reverse"), repeats)
    pick = "forward" if n <= m else "reverse"
    results[(n, m)] = (t_forward, t_reverse)
    print(
        f"{f'{n} -> {m}':<16} {f'{n} x, {t_forward * 1e3:.2f} ms':>20} {f'{m} x, {t_reverse * 1e3:.2f} ms':>20} "
        f"{pick:>11}"
    )
(wide_f, wide_r), (tall_f, tall_r) = results[(many, 4)], results[(4, many)]
print(f"many inputs, few outputs: reverse mode is {wide_f / wide_r:.1f}x faster")
print(f"few inputs, many outputs: forward mode is {tall_r / tall_f:.1f}x faster")
assert wide_r < wide_f and tall_f < tall_r
