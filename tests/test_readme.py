"""The README's Python blocks run as written, each on its own (a fresh namespace, as a reader pastes one), and
its claims about the examples and the set-up hold."""

import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _readme():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        return f.read()


BLOCKS = re.findall(r"```python\n(.*?)```", _readme(), flags=re.S)


def _run(block, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the saving block writes files
    namespace = {"__name__": "readme"}
    exec(compile(block, "README.md", "exec"), namespace)
    return namespace


def test_the_readme_has_the_blocks_checked_below():
    assert len(BLOCKS) == 4 and "keras.Sequential" in BLOCKS[0] and "model.save" in BLOCKS[1]
    assert "autodiff.grad" in BLOCKS[2] and "keras.applications.Xception" in BLOCKS[3]


def test_quickstart_block(tmp_path, monkeypatch):
    namespace = _run(BLOCKS[0], tmp_path, monkeypatch)
    torch = namespace["torch"]
    assert tuple(namespace["model"]([torch.ones(2, 16), torch.ones(2, 16)]).shape) == (2, 1)
    assert tuple(namespace["Linear"](3)(torch.ones(2, 5)).shape) == (2, 3)
    assert len(namespace["history"].history["loss"]) == 2 and 0 <= namespace["accuracy"] <= 1
    assert namespace["probabilities"].shape == (8, 10)


def test_saving_block(tmp_path, monkeypatch):
    namespace = _run(BLOCKS[1], tmp_path, monkeypatch)
    assert os.path.isfile("my_model.keras") and os.path.isdir("my_model")
    assert os.path.isfile("my.weights.safetensors") and namespace["model"].compiled
    namespace["status"].assert_consumed()


def test_autodiff_block(tmp_path, monkeypatch):
    namespace = _run(BLOCKS[2], tmp_path, monkeypatch)
    torch, autodiff, f, x = (namespace[k] for k in ("torch", "autodiff", "f", "x"))
    expected = torch.tensor([3.0, 12.0], dtype=torch.float64)
    assert torch.equal(autodiff.grad(f)(x), expected) and torch.equal(namespace["grads"], expected)


def test_the_examples_paragraph_lists_every_script():
    listed = set(re.findall(r"`(\w+\.py)`", _readme().split("## Saving")[0]))
    scripts = {name for name in os.listdir(os.path.join(ROOT, "examples")) if name.endswith(".py")}
    assert scripts <= listed, sorted(scripts - listed)


def test_the_set_up_command_installs_what_the_examples_import():
    setup = re.search(r"```bash\n(.*?)```", _readme(), flags=re.S).group(1)
    assert 'pip install -e ".[h5,image]"' in setup and "examples/quickstart.py" in setup  # h5py, Pillow


def test_transfer_learning_block(tmp_path, monkeypatch):
    namespace = _run(BLOCKS[3], tmp_path, monkeypatch)
    base, model = namespace["base_model"], namespace["model"]
    assert not base.trainable_weights and len(model.trainable_weights) == 2
    assert model.output_shape == (None, 1)


@pytest.mark.parity
def test_the_api_table_is_what_the_comparison_with_keras_prints(keras3):
    import contextlib
    import io
    import runpy

    tool = runpy.run_path(os.path.join(ROOT, "tools", "keras_api_diff.py"))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        tool["main"](["--markdown"])
    assert out.getvalue().strip() in _readme(), "regenerate the table: python tools/keras_api_diff.py --markdown"
