"""``python -m kerastorch script.py`` and ``install_as_keras()``: Keras programs with ``keras`` resolved to
kerastorch. Each runs in a fresh interpreter, so that no test's ``import keras`` depends on another's."""

import subprocess
import sys
import textwrap


def run(code=None, script=None, args=(), tmp_path=None):
    if script is not None:
        command = [sys.executable, "-m", "kerastorch", str(script), *args]
    else:
        command = [sys.executable, "-c", textwrap.dedent(code)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)


def test_a_keras_script_runs_unchanged_with_its_arguments(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(
        textwrap.dedent("""
        import sys
        import numpy as np
        import keras
        from keras import layers
        from keras.layers import Dense
        import keras.backend as K
        from helper import width  # the script's folder is on sys.path, as with python script.py

        model = keras.Sequential([keras.Input((4,)), layers.Dense(width(), activation="relu"), Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        history = model.fit(np.random.rand(16, 4), np.random.rand(16, 1), epochs=int(sys.argv[2]), verbose=0)
        print(__name__, keras.__name__, K.__name__, len(history.history["loss"]), sys.argv)
    """)
    )
    (tmp_path / "helper.py").write_text("def width():\n    return 8\n")
    result = run(script=script, args=["--epochs", "3"], tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:4] == ["__main__", "kerastorch", "kerastorch.backend", "3"]
    assert "'--epochs', '3'" in result.stdout


def test_keras_modules_are_kerastorchs_own_objects():
    result = run("""
        import kerastorch
        kerastorch.install_as_keras()
        import keras
        import keras.layers
        from keras.utils import to_categorical
        from keras.applications import resnet50
        import kerastorch.layers
        print(keras is kerastorch, keras.layers is kerastorch.layers, keras.layers.Dense is kerastorch.layers.Dense,
              to_categorical is kerastorch.utils.to_categorical, resnet50.__name__)
        kerastorch.keras_alias.uninstall_as_keras()
        print(kerastorch.keras_alias.is_installed_as_keras(), "keras" in __import__("sys").modules)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True"] * 4 + ["kerastorch.applications.resnet50", "False", "False"]


def test_private_and_missing_modules_are_clear_errors():
    result = run("""
        import kerastorch
        kerastorch.install_as_keras()
        for name in ("keras.src.layers.core", "keras.no_such_module"):
            try:
                __import__(name)
            except ImportError as error:
                print(type(error).__name__, error)
    """)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ImportError keras.src is Keras's private source tree") and "keras.layers" in lines[0]
    assert lines[1] == (
        "ModuleNotFoundError No module named 'keras.no_such_module': kerastorch, which stands in "
        "for keras here, has no kerastorch.no_such_module module"
    )


def test_an_earlier_real_keras_import_is_replaced_with_a_warning():
    result = run("""
        import os, warnings
        os.environ["KERAS_BACKEND"] = "torch"
        import keras
        import kerastorch
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            kerastorch.install_as_keras()
        import keras as again
        print(again is kerastorch, "imported before" in str(caught[0].message))
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]


def test_usage_errors(tmp_path):
    assert run(script=tmp_path / "missing.py").returncode == 2
    result = subprocess.run([sys.executable, "-m", "kerastorch"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "usage: python -m kerastorch script.py" in result.stderr
