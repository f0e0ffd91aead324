"""Compare kerastorch's public namespaces with Keras 3's: per namespace, Keras's count, ours, and what is missing.

Run: ``python tools/keras_api_diff.py`` (needs the ``keras`` package; the test extra installs it). With
``--markdown`` it prints the table the README carries.
"""

import argparse
import importlib
import os

NAMESPACES = (
    "",
    "activations",
    "applications",
    "backend",
    "callbacks",
    "config",
    "constraints",
    "datasets",
    "distribution",
    "dtype_policies",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "mixed_precision",
    "models",
    "ops",
    "optimizers",
    "optimizers.schedules",
    "quantizers",
    "random",
    "regularizers",
    "saving",
    "tree",
    "utils",
    "visualization",
    "wrappers",
)


def public_names(module):
    return {name for name in dir(module) if not name.startswith("_")}


def compare():
    """``[(namespace, keras count, kerastorch count of those, sorted missing names)]``."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    rows = []
    for namespace in NAMESPACES:
        suffix = "." + namespace if namespace else ""
        theirs = public_names(importlib.import_module("keras" + suffix))
        try:
            ours = public_names(importlib.import_module("kerastorch" + suffix))
        except ImportError:
            ours = set()
        missing = sorted(theirs - ours)
        rows.append((namespace or "keras", len(theirs), len(theirs) - len(missing), missing))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print the README's table")
    args = parser.parse_args(argv)
    rows = compare()
    if args.markdown:
        print("| namespace | Keras 3 | kerastorch | missing |")
        print("|---|---|---|---|")
        for name, theirs, ours, missing in rows:
            print(f"| `{name}` | {theirs} | {ours} | {', '.join(f'`{m}`' for m in missing) or '-'} |")
        return
    for name, theirs, ours, missing in rows:
        print(f"{name:22} Keras {theirs:4}  kerastorch {ours:4}  missing {len(missing)}: {', '.join(missing)}")


if __name__ == "__main__":
    main()
