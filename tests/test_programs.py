"""Complete Keras programs (``tests/programs/prog_*.py``) run under kerastorch, and give Keras 3's numbers.

Each program is a small, plain ``import keras`` script in the style of the keras.io guides; it sets every
weight from NumPy, trains without randomness and ends by printing ``RESULT <json dict of floats>``.
``tests/programs/run_programs.py`` runs them all in one interpreter and prints one JSON line per program.
Two subprocesses in all, one per session-scoped fixture: ``python -m kerastorch run_programs.py`` (``keras``
resolved to kerastorch) and, for the parity tests, ``python run_programs.py`` with Keras 3 on its torch backend.

Three tests per program:

* ``test_program_runs_under_kerastorch``: the program finishes under kerastorch and prints its RESULT;
* ``test_program_runs_under_keras`` (parity): it is a correct Keras 3 program, finishing under Keras 3 itself;
* ``test_program_matches_keras`` (parity): every RESULT value agrees with Keras 3's within ``rtol=1e-4,
  atol=1e-5`` (float32 rounding of the same arithmetic done in another order, grown by a few training steps).

Programs that show a kerastorch bug or a missing API are strict xfails, each with the failure it shows.
"""

import glob
import json
import os
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNNER = os.path.join("tests", "programs", "run_programs.py")
PROGRAMS = sorted(os.path.basename(p) for p in glob.glob(os.path.join(ROOT, "tests", "programs", "prog_*.py")))

RTOL, ATOL = 1e-4, 1e-5
# program -> (rtol, atol), only where a real numerical reason needs more room (say why); none needs it so far.
TOLERANCES = {}

# Programs that fail under kerastorch (an exception): both the run test and the parity test are strict xfails.
KERASTORCH_ERRORS = {}
# Programs that run under kerastorch but give other numbers than Keras 3: the parity test is a strict xfail.
KERASTORCH_MISMATCHES = {}


def _params(*failure_tables):
    params = []
    for name in PROGRAMS:
        reasons = [table[name] for table in failure_tables if name in table]
        marks = [pytest.mark.xfail(strict=True, reason=reasons[0])] if reasons else []
        params.append(pytest.param(name, marks=marks, id=name[: -len(".py")]))
    return params


def _run_programs(command, **env):
    """Run the runner once; returns {program: record}, a record with "result" or "error" for every program."""
    # One torch thread: the programs' tensors are tiny, and both runs then do the same arithmetic.
    full_env = dict(os.environ, OMP_NUM_THREADS="1", **env)
    proc = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=ROOT, env=full_env)
    records = {}
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            records[record["program"]] = record
    for name in PROGRAMS:
        records.setdefault(
            name,
            {
                "program": name,
                "error": f"no record: the runner exited with status {proc.returncode}\n{proc.stderr[-3000:]}",
            },
        )
    return records


@pytest.fixture(scope="session")
def kerastorch_results():
    return _run_programs([sys.executable, "-m", "kerastorch", RUNNER])


@pytest.fixture(scope="session")
def keras_results(keras3):
    return _run_programs([sys.executable, RUNNER], KERAS_BACKEND="torch")


def _result(record, where):
    if "error" in record:
        pytest.fail(
            f"{record['program']} fails under {where}: {record['error']}\n{record.get('traceback', '')}", pytrace=False
        )
    return record["result"]


@pytest.mark.parametrize("program", _params(KERASTORCH_ERRORS))
def test_program_runs_under_kerastorch(kerastorch_results, program):
    result = _result(kerastorch_results[program], "kerastorch")
    assert result and all(np.all(np.isfinite(v)) for v in result.values()), result


@pytest.mark.parity
@pytest.mark.parametrize("program", PROGRAMS)
def test_program_runs_under_keras(keras_results, program):
    result = _result(keras_results[program], "Keras 3")
    assert result and all(np.all(np.isfinite(v)) for v in result.values()), result


@pytest.mark.parity
@pytest.mark.parametrize("program", _params(KERASTORCH_ERRORS, KERASTORCH_MISMATCHES))
def test_program_matches_keras(kerastorch_results, keras_results, program):
    if "error" in keras_results[program]:
        pytest.skip("the program fails under Keras 3 itself (see test_program_runs_under_keras)")
    theirs = keras_results[program]["result"]
    ours = _result(kerastorch_results[program], "kerastorch")
    assert sorted(ours) == sorted(theirs)
    rtol, atol = TOLERANCES.get(program, (RTOL, ATOL))
    mismatches = {
        key: {"kerastorch": ours[key], "keras": theirs[key]}
        for key in theirs
        if not np.allclose(ours[key], theirs[key], rtol=rtol, atol=atol)
    }
    assert not mismatches, f"{program}: values differ beyond rtol={rtol}, atol={atol}: {mismatches}"
