"""keras.name_scope: variable paths under nested scopes, override_parent, deduplication by caller, leaving scopes
(also on errors and per thread), layer weight paths (unchanged, so saved files match), and Keras 3 parity."""

import threading

import numpy as np
import pytest

import kerastorch as keras
from kerastorch.backend import name_scope as name_scope_module
from kerastorch.backend.name_scope import current_path


def test_exported_at_top_level():
    assert keras.name_scope is name_scope_module.name_scope


def test_variables_get_the_scope_path():
    with keras.name_scope("a") as scope:
        assert isinstance(scope, keras.name_scope) and scope.name == "a"
        v = keras.Variable(1.0, name="w")
        with keras.name_scope("b"):
            v2 = keras.Variable(np.zeros(2), name="w2")
        v3 = keras.Variable(1.0, name="w3")
    outside = keras.Variable(1.0, name="w")
    assert (v.name, v.path) == ("w", "a/w")
    assert (v2.name, v2.path) == ("w2", "a/b/w2")
    assert v3.path == "a/w3" and outside.path == "w" and current_path() == ""


def test_override_parent():
    with keras.name_scope("a"):
        with keras.name_scope("b", override_parent="z"):
            assert current_path() == "z/b"
            with keras.name_scope("c"):
                assert keras.Variable(1.0, name="w").path == "z/b/c/w"
        with keras.name_scope("b", override_parent=""):
            assert current_path() == "b"
        with keras.name_scope("b", override_parent="p/q"):
            assert current_path() == "p/q/b"
        assert current_path() == "a"


def test_deduplication_by_caller():
    owner = object()
    with keras.name_scope("x", caller=owner):
        with keras.name_scope("x", caller=owner):
            assert current_path() == "x"
        with keras.name_scope("x", caller=owner, deduplicate=False):
            assert current_path() == "x/x"
        with keras.name_scope("x", caller=object()):
            assert current_path() == "x/x"
        with keras.name_scope("x"):  # no caller: never merged
            assert current_path() == "x/x"
        assert current_path() == "x"
    assert current_path() == ""


def test_a_scope_object_can_be_reentered_and_nested_in_itself():
    owner = object()
    scope = keras.name_scope("q", caller=owner)
    with scope:
        with scope:  # merged into itself
            assert current_path() == "q"
        assert current_path() == "q"
    assert current_path() == ""
    plain = keras.name_scope("r")
    with plain:
        with plain:
            assert current_path() == "r/r"
        assert current_path() == "r"
    with plain:
        assert current_path() == "r"
    assert current_path() == ""


def test_scopes_are_left_on_errors():
    with pytest.raises(RuntimeError):
        with keras.name_scope("a"):
            with keras.name_scope("b"):
                raise RuntimeError("boom")
    assert current_path() == ""


def test_manual_enter_exit():
    scope = keras.name_scope("m")
    assert scope.__enter__() is scope
    assert keras.Variable(1.0, name="w").path == "m/w"
    scope.__exit__(None, None, None)
    assert current_path() == ""


def test_scopes_are_per_thread():
    seen = {}
    entered, release = threading.Event(), threading.Event()

    def worker():
        with keras.name_scope("thread"):
            entered.set()
            release.wait(5)
            seen["worker"] = current_path()

    thread = threading.Thread(target=worker)
    thread.start()
    entered.wait(5)
    seen["main"] = current_path()
    release.set()
    thread.join()
    assert seen == {"worker": "thread", "main": ""}


@pytest.mark.parametrize("name", ["", "a/b", 3, None])
def test_invalid_names(name):
    with pytest.raises(ValueError, match="non-empty string"):
        keras.name_scope(name)


def test_invalid_override_parent():
    with pytest.raises(ValueError, match="override_parent=3"):
        keras.name_scope("a", override_parent=3)


def test_layer_weights_keep_their_paths_so_saved_files_match(tmp_path):
    """A layer's weights are `layer/weight` inside any scope: weight files are keyed by those paths."""

    def build():
        return keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="dense")])

    with keras.name_scope("block"):
        scoped = build()
    assert [w.path for w in scoped.weights] == ["dense/kernel", "dense/bias"]
    scoped.save_weights(str(tmp_path / "w.safetensors"))
    plain = build()
    status = plain.load_weights(str(tmp_path / "w.safetensors"))
    assert not status.by_position
    for a, b in zip(scoped.get_weights(), plain.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parity
def test_variable_paths_match_keras(keras3):
    def paths(api):
        out = []
        owner = object()
        with api.name_scope("a"):
            out.append(api.Variable(1.0, name="w").path)
            with api.name_scope("b"):
                out.append(api.Variable(1.0, name="w").path)
                with api.name_scope("c", override_parent="z"):
                    out.append(api.Variable(1.0, name="w").path)
                    with api.name_scope("d"):
                        out.append(api.Variable(1.0, name="w").path)
            with api.name_scope("e", override_parent=""):
                out.append(api.Variable(1.0, name="w").path)
        with api.name_scope("x", caller=owner):
            with api.name_scope("x", caller=owner):
                out.append(api.Variable(1.0, name="w").path)
            with api.name_scope("x", caller=owner, deduplicate=False):
                out.append(api.Variable(1.0, name="w").path)
        with api.name_scope("x"):
            with api.name_scope("x"):
                out.append(api.Variable(1.0, name="w").path)
        out.append(api.Variable(1.0, name="w").path)
        return out

    assert paths(keras) == paths(keras3)
