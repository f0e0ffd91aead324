"""tools/mutate.py: its mutations still apply to the code they name, and each changes what it claims to."""

import importlib.util
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_spec = importlib.util.spec_from_file_location("mutate", os.path.join(ROOT, "tools", "mutate.py"))
mutate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mutate)


def test_mutation_names_are_unique_and_cover_the_three_kinds():
    names = [m.name for m in mutate.MUTATIONS]
    assert len(names) == len(set(names))
    assert any("detach" in n for n in names) and any("constant" in n for n in names)
    assert any("loop" in n for n in names)


@pytest.mark.parametrize("mutation", mutate.MUTATIONS, ids=lambda m: m.name)
def test_each_mutation_applies_once_and_compiles(mutation):
    with open(os.path.join(ROOT, mutation.path), encoding="utf-8") as f:
        source = f.read()
    mutated = mutation.apply(source)
    assert mutated != source and mutated.count(mutation.new) == source.count(mutation.new) + 1
    compile(mutated, mutation.path, "exec")
    with pytest.raises(ValueError, match=f"mutation {mutation.name}: expected the text once"):
        mutation.apply(mutated.replace(mutation.new, ""))


def test_unknown_mutations_are_refused(capsys):
    with pytest.raises(SystemExit):
        mutate.main(["no-such-mutation"])
    assert "unknown mutations ['no-such-mutation']" in capsys.readouterr().err
