"""The benchmark scripts run end to end in their smoke modes and print their tables.

Their timings on tiny data mean nothing; what is checked is that every code path runs (eager and
compiled fits, predict, mixed precision, Keras 3 where installed) and that each table row holds numbers.
"""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _run(script, *args):
    # One torch thread: tiny models run faster so, and spinning OpenMP threads on a busy machine costs minutes.
    env = dict(os.environ, OMP_NUM_THREADS="1", KERAS_BACKEND="torch")
    result = subprocess.run(
        [sys.executable, os.path.join(ROOT, "bench", script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _rows(out, header_start, key_cells=1):
    """The markdown table whose header starts with ``header_start``: {first ``key_cells`` cells joined by " ":
    {column: cell}}."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    header = [cell.strip() for cell in lines[start].strip("|").split("|")]
    rows = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert len(cells) == len(header), line
        rows[" ".join(cells[:key_cells])] = dict(zip(header, cells))
    return rows


def _is_ratio(cell):
    return float(cell) > 0  # raises on "n/a"


def test_fit_overhead_quick():
    out = _run("fit_overhead.py", "--quick")
    rows = _rows(out, "| model | fit / torch | predict / torch | compiled / torch eager | compiled / our eager |")
    assert sorted(rows) == ["LSTM", "MLP", "small CNN"]
    for row in rows.values():
        assert _is_ratio(row["fit / torch"]) and _is_ratio(row["predict / torch"])
        assert row["compiled / torch eager"] == "n/a" or _is_ratio(row["compiled / torch eager"])
    mlp = rows["MLP"]
    assert _is_ratio(mlp["compiled / torch eager"]) and _is_ratio(mlp["compiled / our eager"])
    assert float(mlp["compile s"]) >= 0
    if "keras3 / ours fit" in mlp:  # the keras package is installed
        assert _is_ratio(mlp["keras3 / ours fit"]) and _is_ratio(mlp["keras3 / ours predict"])
    for name in ("MLP", "small CNN", "LSTM"):
        assert f"{name:<10} fit " in out and f"{name:<10} predict " in out


def test_gpu_script_on_cpu():
    out = _run("gpu.py", "--cpu")
    lines = out.splitlines()
    title = next(line for line in lines if line.startswith("### "))
    assert title.startswith("### CPU") and "torch " in title
    rows = _rows(out, "| model | policy | mode | kerastorch ms/epoch | torch ms/epoch | kerastorch / torch |", 3)
    expected = {
        f"{model} {policy} eager"
        for model in ("mlp", "resnet", "lstm")
        for policy in ("float32", "mixed_float16", "mixed_bfloat16")
    }
    expected |= {f"{model} float32 compiled" for model in ("mlp", "resnet", "lstm")}
    assert set(rows) == expected
    for key, row in rows.items():
        if key == "lstm mixed_float16 eager":
            continue  # torch's CPU LSTM has no float16 kernel: both loops fail there
        assert _is_ratio(row["kerastorch / torch"]), key
    for model in ("mlp", "resnet"):
        ours, theirs = rows[f"{model} float32 compiled"]["compile s (ours / torch)"].split(" / ")
        assert float(ours) >= 0 and float(theirs) >= 0
