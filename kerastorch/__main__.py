"""``python -m kerastorch script.py [args]``: run a Keras program with ``keras`` resolved to kerastorch.

The script runs as ``__main__`` with ``sys.argv`` set to ``[script.py, args...]`` and its folder first on
``sys.path``, as ``python script.py`` would run it.

Example:
    >>> import subprocess, sys
    >>> with open("hello.py", "w") as f:
    ...     _ = f.write("import sys, keras; print(keras.__name__, sys.argv[1:])")
    >>> subprocess.run([sys.executable, "-m", "kerastorch", "hello.py", "--epochs", "2"],
    ...                capture_output=True, text=True).stdout.strip()
    "kerastorch ['--epochs', '2']"
"""

from __future__ import annotations

import os
import runpy
import sys
from typing import Sequence

from kerastorch.keras_alias import install_as_keras

USAGE = (
    "usage: python -m kerastorch script.py [args ...]\nRuns a Keras program with `import keras` resolved to kerastorch."
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the script ``argv[0]`` with arguments ``argv[1:]`` (``sys.argv[1:]`` by default).

    Args:
        argv: list of str or None, default None: the script and its arguments.

    Returns:
        int, the exit status (0, or 2 for a usage error); the script's own ``sys.exit`` passes through.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE, file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    script = argv[0]
    if not os.path.isfile(script):
        print(f"python -m kerastorch: can't open file {script!r}: no such file", file=sys.stderr)
        return 2
    install_as_keras()
    sys.argv = argv
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    runpy.run_path(script, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
