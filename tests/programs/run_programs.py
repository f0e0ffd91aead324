"""Run Keras programs in this interpreter and print each one's ``RESULT`` dict as a JSON line.

Usage::

    KERAS_BACKEND=torch python tests/programs/run_programs.py [prog_xx.py ...]   # real Keras 3
    python -m kerastorch tests/programs/run_programs.py [prog_xx.py ...]         # kerastorch

With no arguments, every ``tests/programs/prog_*.py`` runs, in name order. Each program runs with
``runpy.run_path(path, run_name="__main__")``, its stdout captured, after the Keras state is reset
(``keras.utils.clear_session()`` where it exists, else ``keras.backend.clear_session()``, then
``keras.utils.set_random_seed(0)``). For each program one line is printed:
``{"program": name, "result": {...}, "seconds": s}`` with the dict of the program's last line
``RESULT <json>``, or ``{"program": name, "error": "<type>: <message>", "traceback": "...", "seconds": s}``.
"""
import contextlib
import glob
import io
import json
import os
import runpy
import sys
import time
import traceback

import keras

HERE = os.path.dirname(os.path.abspath(__file__))


def reset_state():
    clear_session = getattr(keras.utils, "clear_session", None) or keras.backend.clear_session
    clear_session()
    keras.utils.set_random_seed(0)


def run_program(path):
    """Run one program; returns the JSON-able record for it."""
    name = os.path.basename(path)
    record = {"program": name}
    stdout = io.StringIO()
    start = time.perf_counter()
    saved_argv = sys.argv
    try:
        reset_state()
        sys.argv = [path]
        with contextlib.redirect_stdout(stdout):
            runpy.run_path(path, run_name="__main__")
        lines = [line for line in stdout.getvalue().splitlines() if line.startswith("RESULT ")]
        if not lines:
            raise RuntimeError("the program printed no RESULT line")
        record["result"] = json.loads(lines[-1][len("RESULT "):])
    except BaseException as e:
        if isinstance(e, KeyboardInterrupt):
            raise
        record["error"] = f"{type(e).__name__}: {e}"
        record["traceback"] = "".join(traceback.format_exception(type(e), e, e.__traceback__)[-6:])
    finally:
        sys.argv = saved_argv
    record["seconds"] = round(time.perf_counter() - start, 3)
    return record


def main(argv):
    if argv:
        paths = [p if os.path.exists(p) else os.path.join(HERE, p) for p in argv]
    else:
        paths = sorted(glob.glob(os.path.join(HERE, "prog_*.py")))
    for path in paths:
        print(json.dumps(run_program(path)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
