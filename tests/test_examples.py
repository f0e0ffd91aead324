"""The examples run end to end (each asserts its own outcome)."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _run(script, *args):
    # One torch thread: these tiny models run faster so, and spinning OpenMP threads on a busy
    # machine cost minutes.
    env = dict(os.environ, OMP_NUM_THREADS="1")
    result = subprocess.run(
        [sys.executable, os.path.join(ROOT, "examples", script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_keras_intro_snippets():
    out = _run("keras_intro.py")
    assert "sequential output: (3, 4)" in out
    assert "layers after pop: 2" in out
    assert "trainable weights after freezing: 2" in out
    assert "running sum: [4. 4.]" in out
    assert "sequential config round trip: True" in out
    assert "functional config round trip: True" in out
    assert "weights copied: True" in out


@pytest.mark.parametrize("epochs", ["15"])
def test_train_digits_reaches_accuracy(epochs):
    out = _run("train_digits.py", epochs)
    accuracy = float(out.strip().splitlines()[-1].split(":")[-1])
    assert accuracy > 0.9


def test_quickstart_workflow():
    out = _run("quickstart.py", "10")
    assert "reloaded model gives the same predictions" in out
    accuracy = float(out.split("test accuracy:")[1].split()[0])
    assert accuracy > 0.9
    assert "Epoch 1/10" in out and "val_accuracy" in out


def test_cnn_example_trains():
    out = _run("cnn.py", "6")
    assert "test accuracy:" in out
    assert float(out.split("test accuracy:")[1].split()[0]) > 0.9


def test_rnn_example_trains():
    out = _run("rnn.py", "12")
    assert "test accuracy:" in out
    assert float(out.split("test accuracy:")[1].split()[0]) > 0.9


def test_custom_components_written_with_keras_ops_train_save_and_reload():
    out = _run("custom_components.py", "8")
    assert float(out.split("test top_one_accuracy:")[1].split()[0]) > 0.9
    losses = [float(v) for v in out.split("loss per epoch:")[1].splitlines()[0].split()]
    assert len(losses) == 8 and losses[-1] < losses[0] / 5
    assert "reloaded model gives the same predictions: True" in out
    assert "reloaded model gives the same scores: True" in out
    assert "reloaded layers: InputLayer, SimpleDense, ResidualBlock, SimpleDense, Activation" in out


def test_distributed_example_on_one_process(tmp_path):
    out = _run("distributed.py", "8", str(tmp_path))
    assert "processes: 1" in out and "Epoch 8/8" in out
    assert float(out.split("test accuracy:")[1].split()[0]) > 0.9
    assert sorted(os.listdir(tmp_path)) == ["best.weights.safetensors", "digits.keras"]


def test_distributed_example_under_torchrun_on_two_processes(tmp_path):
    # The docstring's command: two processes (gloo on the CPU) train one model; process 0 prints and writes.
    env = dict(os.environ, OMP_NUM_THREADS="1", CUDA_VISIBLE_DEVICES="")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--nproc-per-node",
            "2",
            "--standalone",
            os.path.join(ROOT, "examples", "distributed.py"),
            "8",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=env,
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert out.count("processes: 2") == 1 and out.count("Epoch 8/8") == 1
    assert float(out.split("test accuracy:")[1].split()[0]) > 0.9
    assert sorted(os.listdir(tmp_path)) == ["best.weights.safetensors", "digits.keras"]


def test_transfer_learning_beats_training_from_scratch(tmp_path):
    base = str(tmp_path / "base.keras")
    first = _run("transfer_learning.py", "5", "--base", base)
    assert f"saved the base to {base}" in first
    again = _run("transfer_learning.py", "5", "--base", base)  # the saved base is loaded, not trained again
    assert f"loading the pre-trained base from {base}" in again
    for out in (first, again):
        gain = float(out.split("transfer learning wins by")[1].split()[0])
        assert gain > 0.05, out


@pytest.mark.parametrize("base", ["mobilenet_v2", "resnet50", "torchvision:resnet18", "timm:resnet18"])
def test_fine_tune_script_on_a_generated_image_folder(tmp_path, base):
    if ":" in base:
        pytest.importorskip(base.split(":")[0])  # the vision extra
    import numpy as np

    import kerastorch as keras

    rng = np.random.default_rng(0)
    for c, name in enumerate(["reds", "greens"]):
        (tmp_path / "data" / name).mkdir(parents=True)
        for i in range(6):
            x = rng.uniform(0, 60, (36, 36, 3))
            x[..., c] += 150
            keras.utils.save_img(str(tmp_path / "data" / name / f"{i}.png"), x, scale=False)
    output = tmp_path / "model.keras"
    out = _run(
        "fine_tune.py",
        "--data",
        str(tmp_path / "data"),
        "--base",
        base,
        "--weights",
        "none",
        "--image-size",
        "32",
        "--epochs",
        "1",
        "--fine-tune-layers",
        "5",
        "--batch-size",
        "4",
        "--output",
        str(output),
    )
    assert "head trained: validation accuracy" in out and f"saved to {output}" in out
    model = keras.models.load_model(str(output))
    assert model.predict(np.full((2, 32, 32, 3), 100.0, "float32"), verbose=0).shape == (2, 2)
    names = [layer.name for layer in model.layers]
    assert ("rgb_to_bgr_minus_means" in names) == (base == "resnet50") and ("normalize" in names) == (":" in base)
