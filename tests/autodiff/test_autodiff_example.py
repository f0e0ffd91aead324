"""examples/autodiff_modes.py runs and reports the step-size trade-off and the Jacobian cost asymmetry."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_autodiff_modes_example(tmp_path):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    result = subprocess.run(
        [
            sys.executable,
            os.path.join(ROOT, "examples", "autodiff_modes.py"),
            "--quick",
            "--png",
            str(tmp_path / "modes.png"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "truncation slopes (float64): forward" in out
    assert "many inputs, few outputs: reverse mode is" in out and "few inputs, many outputs: forward mode is" in out
    assert "plot saved" in out or "matplotlib not installed" in out
