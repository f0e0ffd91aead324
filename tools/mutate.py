"""Mutation check of the gradient suites: does each listed gradient bug make them fail?

Each mutation changes one line of kerastorch so that the values a layer or rule computes stay the same
(or the fused path stays right) while its derivatives go wrong: a ``.detach()`` on a weight, a wrong
constant in a custom differentiation rule, a step-by-step loop whose gradient departs from the fused
kernel's. For each, the runner copies the package and the tests into a temporary folder, applies the
mutation there (the working tree is never touched), runs the suites, and reports whether they caught it.
Every listed mutation must be caught; the exit status is 1 when one is not.

Usage:
    python tools/mutate.py                      # every mutation, suites tests/testing and tests/autodiff
    python tools/mutate.py --list               # the mutations
    python tools/mutate.py layer-norm-rms-gamma-detach lstm-loop-carry-detach
    python tools/mutate.py --suites tests/testing/test_gradient_properties.py

A mutation that is caught stops its run at the first failing test (``-x``, no shrinking); one that is
missed costs a whole run of the suites, a few minutes on two cores.
"""

import argparse
import dataclasses
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUITES = ("tests/testing", "tests/autodiff")


@dataclasses.dataclass(frozen=True)
class Mutation:
    """Replace ``old`` (which occurs exactly once in ``path``) by ``new``."""

    name: str
    path: str
    old: str
    new: str
    why: str

    def apply(self, source):
        """``source`` with the mutation applied; ValueError when ``old`` is not there exactly once."""
        count = source.count(self.old)
        if count != 1:
            raise ValueError(
                f"mutation {self.name}: expected the text once in {self.path}, found it {count} times: {self.old!r}"
            )
        return source.replace(self.old, self.new)


MUTATIONS = [
    Mutation(
        "attention-scale-detach",
        "kerastorch/layers/attention/attention.py",
        "return scores if self.scale is None else scores * self.scale",
        "return scores if self.scale is None else scores * self.scale.detach()",
        "Attention(use_scale=True): the learned scale gets no gradient; the output is unchanged",
    ),
    Mutation(
        "layer-norm-rms-gamma-detach",
        "kerastorch/layers/normalization/layer_normalization.py",
        "outputs = outputs * gamma.reshape(self._broadcast_shape)",
        "outputs = outputs * gamma.detach().reshape(self._broadcast_shape)",
        "LayerNormalization(rms_scaling=True, scale=True): gamma gets no gradient",
    ),
    Mutation(
        "lstm-loop-carry-detach",
        "kerastorch/layers/rnn/lstm.py",
        "c = gate(f) * c + gate(i) * self.activation(g)",
        "c = gate(f) * c.detach() + gate(i) * self.activation(g)",
        "the LSTM step loop (cells, RNN(LSTMCell), forward mode) stops the gradient through the cell state; "
        "the fused kernel stays right",
    ),
    Mutation(
        "gru-loop-update-gate-detach",
        "kerastorch/layers/rnn/gru.py",
        "h = z * h + (1 - z) * hh",
        "h = z.detach() * h + (1 - z.detach()) * hh",
        "the GRU step loop stops the gradient through the update gate; the fused kernel stays right",
    ),
    Mutation(
        "custom-jvp-transposed-rule-constant",
        "kerastorch/autodiff/custom.py",
        "cts = tuple(torch.zeros_like(o) if u is None else u for o, u in zip(_as_list(out), cotangents))",
        "cts = tuple(torch.zeros_like(o) if u is None else 2 * u for o, u in zip(_as_list(out), cotangents))",
        "custom_jvp without a reverse rule: the reverse rule derived from the JVP rule is twice too large",
    ),
    Mutation(
        "custom-gradient-upstream-constant",
        "kerastorch/autodiff/custom.py",
        "grads = _as_list(ctx.grad_fn(*upstream))",
        "grads = _as_list(ctx.grad_fn(*[0.5 * u for u in upstream]))",
        "custom_gradient: the user's grad_fn receives half the upstream gradient",
    ),
]


def _copy_tree(target):
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", ".pytest_cache")
    for part in ("kerastorch", "tests"):
        shutil.copytree(os.path.join(ROOT, part), os.path.join(target, part), ignore=ignore)
    shutil.copy(os.path.join(ROOT, "pyproject.toml"), target)


def _environment(copy):
    # the examples CI draws (tests/conftest.py's "mutation" profile is "ci" without shrinking failures)
    return dict(
        os.environ,
        PYTHONPATH=copy + os.pathsep + os.environ.get("PYTHONPATH", ""),
        OMP_NUM_THREADS="1",
        HYPOTHESIS_PROFILE="mutation",
    )


def _imports_the_copy(copy, env):
    where = subprocess.run(
        [sys.executable, "-c", "import kerastorch; print(kerastorch.__file__)"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return os.path.realpath(where).startswith(os.path.realpath(copy))


def run(mutation, suites, timeout):
    """Apply ``mutation`` to a copy and run ``suites`` there. Returns ``(verdict, seconds, summary)`` with
    verdict ``"caught"`` (a test failed), ``"MISSED"`` (every test passed) or ``"broken"`` (the suites did not
    run: collection or import error, timeout)."""
    with tempfile.TemporaryDirectory(prefix="kerastorch-mutant-") as copy:
        _copy_tree(copy)
        path = os.path.join(copy, mutation.path)
        with open(path, encoding="utf-8") as f:
            source = f.read()
        with open(path, "w", encoding="utf-8") as f:
            f.write(mutation.apply(source))
        env = _environment(copy)
        if not _imports_the_copy(copy, env):
            return "broken", 0.0, "the copy's kerastorch is not the one imported"
        start = time.perf_counter()
        try:
            result = subprocess.run(
                [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *suites],
                cwd=copy,
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            return "broken", time.perf_counter() - start, f"timed out after {timeout} s"
        seconds = time.perf_counter() - start
        lines = result.stdout.splitlines()
        failed = [line for line in lines if line.startswith(("FAILED", "ERROR"))]
        summary = (failed or lines[-1:] or [result.stderr[-300:]])[0][:160]
        verdict = {0: "MISSED", 1: "caught"}.get(result.returncode, "broken")
        return verdict, seconds, summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="mutations to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--suites", nargs="+", default=list(SUITES), help="test paths to run (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per run (default: %(default)s)")
    args = parser.parse_args(argv)
    known = {m.name: m for m in MUTATIONS}
    if args.list:
        for m in MUTATIONS:
            print(f"{m.name:40s} {m.path}\n{'':40s} {m.why}")
        return 0
    unknown = [n for n in args.names if n not in known]
    if unknown:
        parser.error(f"unknown mutations {unknown}; known: {sorted(known)}")
    chosen = [known[n] for n in args.names] if args.names else MUTATIONS
    missed = []
    for m in chosen:
        verdict, seconds, summary = run(m, args.suites, args.timeout)
        print(f"{verdict:7s} {m.name:40s} {seconds:6.0f} s  {summary}", flush=True)
        if verdict != "caught":
            missed.append(m.name)
    print(
        f"{len(chosen) - len(missed)} of {len(chosen)} mutations caught" + (f"; not caught: {missed}" if missed else "")
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
