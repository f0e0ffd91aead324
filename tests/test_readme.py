"""The README's Python snippets run as written."""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_readme_python_blocks_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the saving snippet writes files
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        blocks = re.findall(r"```python\n(.*?)```", f.read(), flags=re.S)
    assert blocks, "the README has no python examples"
    namespace = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102 - our own documentation
    model = namespace["model"]
    out = model([namespace["torch"].ones(2, 16), namespace["torch"].ones(2, 16)])
    assert tuple(out.shape) == (2, 1)
    assert os.path.isfile("my_model.keras") and os.path.isdir("my_model")
    linear = namespace["Linear"](3)
    assert tuple(linear(namespace["torch"].ones(2, 5)).shape) == (2, 3)
