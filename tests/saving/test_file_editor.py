"""keras.saving.KerasFileEditor: opening .keras archives, folders, .safetensors and Keras 3 .weights.h5 files;
summary and compare; renaming, deleting and adding objects and weights; saving (weights files and whole
archives) so that the edited weights load into the changed architecture; corrupt files and argument errors;
Keras 3 interchange."""

import json
import os
import zipfile

import numpy as np
import pytest
import torch

import kerastorch
import kerastorch as keras
from kerastorch.saving.file_editor import KerasFileEditor


@pytest.fixture(autouse=True)
def _cpu():
    kerastorch.config.set_device("cpu")
    yield
    kerastorch.config.set_device(None)


def _mlp(names=("hidden", "head"), units=(4, 1), features=3, name="mlp"):
    return keras.Sequential(
        [keras.Input((features,))] + [keras.layers.Dense(u, name=n) for n, u in zip(names, units)], name=name
    )


def _attention_model():
    inputs = keras.Input((2, 3), name="x")
    attended = keras.layers.MultiHeadAttention(2, 2, name="mha")(inputs, inputs)
    return keras.Model(inputs, keras.layers.Dense(1, name="out")(attended), name="att")


def _weights_by_path(model):
    return {w.path: w.detach().numpy().copy() for w in model.weights}


# ----------------------------------------------------------------------------- opening and inspecting
def test_reachable_from_keras_saving():
    assert keras.saving.KerasFileEditor is KerasFileEditor


@pytest.mark.parametrize("kind", ["archive", "folder", "weights"])
def test_opens_each_kind_and_reads_every_weight(tmp_path, kind):
    model = _attention_model()
    path = {"archive": tmp_path / "m.keras", "folder": tmp_path / "saved", "weights": tmp_path / "w.safetensors"}[kind]
    if kind == "weights":
        model.save_weights(str(path))
    else:
        keras.saving.save_model(model, str(path), zipped=kind == "archive")
    editor = KerasFileEditor(path)
    assert editor.layout == "safetensors" and editor.filepath == os.fspath(path)
    assert list(editor.weights_dict) == ["mha", "out"]
    assert list(editor.weights_dict["mha"]["query"]) == ["kernel", "bias"]
    for path_key, value in _weights_by_path(model).items():
        node = editor.weights_dict
        for part in path_key.split("/"):
            node = node[part]
        np.testing.assert_array_equal(node, value)
    if kind == "weights":
        assert editor.metadata is None and editor.config is None
    else:
        assert editor.config["class_name"] == "Functional" and "date_saved" in editor.metadata


def test_summary_prints_header_and_tree(tmp_path, capsys):
    keras.saving.save_model(_attention_model(), str(tmp_path / "m.keras"))
    KerasFileEditor(tmp_path / "m.keras").summary()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"Keras model file {str(tmp_path / 'm.keras')!r}"
    assert lines[1].startswith("Saved with Keras 3.15.1 (kerastorch ") and lines[2] == (
        "Weights: model.weights.safetensors (kerastorch layout)"
    )
    assert lines[3:7] == [
        "Weights structure",
        "├─ mha",
        "│   ├─ query",
        "│   │   ├─ kernel: shape=(3, 2, 2), dtype=float32",
    ]
    assert lines[-3:] == [
        "└─ out",
        "    ├─ kernel: shape=(3, 1), dtype=float32",
        "    └─ bias: shape=(1,), dtype=float32",
    ]


def test_compare_counts_matches_and_each_kind_of_mismatch(tmp_path, capsys):
    _mlp().save_weights(str(tmp_path / "w.safetensors"))
    editor = KerasFileEditor(tmp_path / "w.safetensors")
    assert editor.compare(_mlp()) == {"status": "success", "error_count": 0, "match_count": 4}
    capsys.readouterr()
    # hidden: kernel shape differs; head is missing from the reference; extra is missing from the file
    other = _mlp(names=("hidden", "extra"), features=5)
    assert editor.compare(other) == {"status": "error", "error_count": 5, "match_count": 1}
    out = capsys.readouterr().out
    assert "Weight hidden/kernel: shape (3, 4) in the file, (5, 4) in the reference model" in out
    assert "Object 'head' is in the file but not in the reference model" in out
    assert "Object 'extra' is in the reference model but not in the file" in out
    editor.delete_weight("hidden", "bias")
    assert editor.compare(_mlp())["error_count"] == 1
    assert "Weight hidden/bias is in the reference model but not in the file" in capsys.readouterr().out
    with pytest.raises(TypeError, match="expected a kerastorch model"):
        editor.compare("model")


# ----------------------------------------------------------------------------- editing
def test_adapt_old_weights_to_a_changed_architecture(tmp_path):
    """The use case: the head was renamed and a layer added; the edited file loads by path, exactly."""
    old = _mlp()
    old.save_weights(str(tmp_path / "old.safetensors"))
    new = _mlp(names=("hidden", "score", "calibration"), units=(4, 1, 1))
    editor = KerasFileEditor(tmp_path / "old.safetensors")
    editor.rename_object("head", "score")
    calibration = {"kernel": np.full((1, 1), 2.0, "float32"), "bias": torch.tensor([0.5])}
    editor.add_object("calibration", calibration)
    assert editor.compare(new)["status"] == "success"
    editor.save(tmp_path / "new.safetensors")
    status = new.load_weights(str(tmp_path / "new.safetensors"))
    assert not status.by_position and status.consumed
    old_weights = _weights_by_path(old)
    new_weights = _weights_by_path(new)
    np.testing.assert_array_equal(new_weights["hidden/kernel"], old_weights["hidden/kernel"])
    np.testing.assert_array_equal(new_weights["score/kernel"], old_weights["head/kernel"])
    np.testing.assert_array_equal(new_weights["calibration/kernel"], [[2.0]])
    np.testing.assert_array_equal(new_weights["calibration/bias"], [0.5])


def test_rename_moves_nested_objects_and_keeps_order(tmp_path):
    _attention_model().save_weights(str(tmp_path / "w.safetensors"))
    editor = KerasFileEditor(tmp_path / "w.safetensors")
    editor.rename_object("mha", "attention")
    assert list(editor.weights_dict) == ["attention", "out"]
    assert list(editor.weights_dict["attention"]) == ["query", "key", "value", "attention_output"]
    editor.rename_object("attention/query", "q")  # a full path
    editor.rename_object("key", "k")  # the last component, when it names one object
    assert list(editor.weights_dict["attention"]) == ["q", "k", "value", "attention_output"]
    editor.rename_object("out", "out")  # no change
    with pytest.raises(ValueError, match="'attention/value' exists"):
        editor.rename_object("q", "value")
    for bad in ("", "a/b", None):
        with pytest.raises(ValueError, match="new_name"):
            editor.rename_object("out", bad)


def test_ambiguous_and_unknown_names(tmp_path):
    inputs = keras.Input((2, 3))
    first = keras.layers.MultiHeadAttention(1, 2, name="mha")(inputs, inputs)
    second = keras.layers.MultiHeadAttention(1, 2, name="mha_1")(first, first)
    keras.Model(inputs, second).save_weights(str(tmp_path / "w.safetensors"))
    editor = KerasFileEditor(tmp_path / "w.safetensors")
    with pytest.raises(ValueError, match=r"fits several objects: 'mha/query', 'mha_1/query'"):
        editor.delete_object("query")
    with pytest.raises(ValueError, match=r"no object 'kernel' in the file. Its top-level objects are: 'mha', 'mha_1'"):
        editor.delete_object("kernel")
    for bad in ("", None, 3):
        with pytest.raises(ValueError, match="object_name"):
            editor.delete_object(bad)


def test_delete_object_removes_the_subtree(tmp_path):
    _attention_model().save_weights(str(tmp_path / "w.safetensors"))
    editor = KerasFileEditor(tmp_path / "w.safetensors")
    editor.delete_object("mha/value")
    assert list(editor.weights_dict["mha"]) == ["query", "key", "attention_output"]
    editor.delete_object("mha")
    assert list(editor.weights_dict) == ["out"]
    editor.save(tmp_path / "out.safetensors")
    assert list(KerasFileEditor(tmp_path / "out.safetensors").weights_dict) == ["out"]


def test_add_and_delete_weights(tmp_path):
    _mlp().save_weights(str(tmp_path / "w.safetensors"))
    editor = KerasFileEditor(tmp_path / "w.safetensors")
    editor.add_weights("head", {"scale": [1.5], "steps": np.array(3, "int64")})
    assert list(editor.weights_dict["head"]) == ["kernel", "bias", "scale", "steps"]
    with pytest.raises(ValueError, match=r"already has weight\(s\) 'bias'"):
        editor.add_weights("head", {"bias": np.zeros(1)})
    editor.delete_weight("head", "steps")
    with pytest.raises(
        ValueError,
        match=r"weight 'steps' not found in object 'head'. Weights found: "
        r"\['kernel', 'bias', 'scale'\]",
    ):
        editor.delete_weight("head", "steps")
    for name in ("kernel", "bias", "scale"):
        editor.delete_weight("head", name)
    assert list(editor.weights_dict) == ["hidden"]  # an object without weights is gone from this layout
    editor.save(tmp_path / "out.safetensors")
    reread = KerasFileEditor(tmp_path / "out.safetensors")
    assert list(reread.weights_dict) == ["hidden"]


def test_add_object_checks(tmp_path):
    _mlp().save_weights(str(tmp_path / "w.safetensors"))
    editor = KerasFileEditor(tmp_path / "w.safetensors")
    with pytest.raises(ValueError, match="an object 'head' exists"):
        editor.add_object("head", {"kernel": np.zeros(1)})
    with pytest.raises(ValueError, match="'head/kernel' is a weight"):
        editor.add_object("head/kernel/sub", {"x": np.zeros(1)})
    with pytest.raises(ValueError, match="`weights` is empty"):
        editor.add_object("new", {})
    with pytest.raises(ValueError, match=r"should be a dict.*type\(weights\)=list"):
        editor.add_object("new", [np.zeros(1)])
    with pytest.raises(ValueError, match="weight names must be non-empty strings without '/'"):
        editor.add_object("new", {"a/b": np.zeros(1)})
    with pytest.raises(ValueError, match="weight 'w' must be a numeric array"):
        editor.add_object("new", {"w": np.array(["text"])})
    with pytest.raises(ValueError, match="object_path"):
        editor.add_object("a//b", {"w": np.zeros(1)})
    editor.add_object("block/dense", {"kernel": torch.ones(2, 2, dtype=torch.bfloat16)})
    editor.save(tmp_path / "out.safetensors")
    value = KerasFileEditor(tmp_path / "out.safetensors").weights_dict["block"]["dense"]["kernel"]
    assert isinstance(value, torch.Tensor) and value.dtype == torch.bfloat16  # bfloat16 is kept
    assert list(KerasFileEditor(tmp_path / "out.safetensors").weights_dict) == ["hidden", "head", "block"]


# ----------------------------------------------------------------------------- saving
def test_unedited_resave_is_the_same_weights_file(tmp_path):
    from safetensors import safe_open

    model = _attention_model()
    model.save_weights(str(tmp_path / "w.safetensors"))
    KerasFileEditor(tmp_path / "w.safetensors").resave_weights(str(tmp_path / "again.safetensors"))
    with (
        safe_open(str(tmp_path / "w.safetensors"), "pt") as a,
        safe_open(str(tmp_path / "again.safetensors"), "pt") as b,
    ):
        assert a.metadata() == b.metadata() and list(a.keys()) == list(b.keys())
        for key in a.keys():
            assert torch.equal(a.get_tensor(key), b.get_tensor(key))


def test_archive_resave_keeps_config_and_optimizer_state(tmp_path):
    model = _mlp()
    model.compile(optimizer="adam", loss="mse")
    x, y = np.ones((4, 3), "float32"), np.zeros((4, 1), "float32")
    model.fit(x, y, epochs=1, verbose=0)
    model.save(str(tmp_path / "m.keras"))
    editor = KerasFileEditor(tmp_path / "m.keras")
    editor.delete_weight("head", "bias")
    editor.add_weights("head", {"bias": np.full(1, 7.0, "float32")})
    editor.save(tmp_path / "m.keras")  # over the file it came from
    names = zipfile.ZipFile(tmp_path / "m.keras").namelist()
    assert names == ["metadata.json", "config.json", "model.weights.safetensors", "optimizer.safetensors"]
    loaded = keras.saving.load_model(str(tmp_path / "m.keras"))
    np.testing.assert_array_equal(loaded.get_layer("head").bias.detach().numpy(), [7.0])
    np.testing.assert_array_equal(
        loaded.get_layer("hidden").kernel.detach().numpy(), model.get_layer("hidden").kernel.detach().numpy()
    )
    assert loaded.optimizer.iterations.item() == model.optimizer.iterations.item() == 1


def test_save_errors(tmp_path):
    _mlp().save_weights(str(tmp_path / "w.safetensors"))
    editor = KerasFileEditor(tmp_path / "w.safetensors")
    with pytest.raises(ValueError, match="has no model config"):
        editor.save(tmp_path / "m.keras")
    with pytest.raises(ValueError, match='kerastorch layout, which is saved as ".safetensors"'):
        editor.save(tmp_path / "w.weights.h5")
    with pytest.raises(ValueError, match='must end in ".keras", ".safetensors" or ".weights.h5"'):
        editor.save(tmp_path / "w.bin")
    with pytest.raises(TypeError, match="filepath"):
        editor.save(3)
    assert sorted(os.listdir(tmp_path)) == ["w.safetensors"]


# ----------------------------------------------------------------------------- bad files
def test_open_errors(tmp_path):
    with pytest.raises(TypeError, match="filepath"):
        KerasFileEditor(3)
    with pytest.raises(ValueError, match='expected a ".keras" archive'):
        KerasFileEditor(tmp_path / "w.npz")
    for name in ("missing.keras", "missing.safetensors", "missing.weights.h5"):
        with pytest.raises(FileNotFoundError):
            KerasFileEditor(tmp_path / name)
    (tmp_path / "junk.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(ValueError, match="not a readable safetensors file"):
        KerasFileEditor(tmp_path / "junk.safetensors")
    keras.saving.save_model(_mlp(), str(tmp_path / "folder"), zipped=False)
    os.remove(tmp_path / "folder" / "model.weights.safetensors")
    with pytest.raises(ValueError, match="holds no weights"):
        KerasFileEditor(tmp_path / "folder")


def test_corrupt_weights_fail_their_checksum(tmp_path):
    _mlp().save_weights(str(tmp_path / "w.safetensors"))
    data = bytearray((tmp_path / "w.safetensors").read_bytes())
    data[-1] ^= 0xFF  # a bit of the last tensor
    (tmp_path / "w.safetensors").write_bytes(bytes(data))
    with pytest.raises(ValueError, match="fails its CRC-32 check"):
        KerasFileEditor(tmp_path / "w.safetensors")


def test_file_with_bad_keys_or_order(tmp_path):
    from safetensors.torch import save_file

    save_file({"flat": torch.zeros(1)}, str(tmp_path / "flat.safetensors"))
    with pytest.raises(ValueError, match="'flat' is not an object path followed by a weight name"):
        KerasFileEditor(tmp_path / "flat.safetensors")
    save_file({"a/b": torch.zeros(1), "a/b/c": torch.zeros(1)}, str(tmp_path / "clash.safetensors"))
    with pytest.raises(ValueError, match="a/b is both a weight and an object"):
        KerasFileEditor(tmp_path / "clash.safetensors")
    save_file({"a/b": torch.zeros(1)}, str(tmp_path / "order.safetensors"), metadata={"order": json.dumps(["x/y"])})
    with pytest.raises(ValueError, match="recorded weight order does not list its weights"):
        KerasFileEditor(tmp_path / "order.safetensors")
    save_file({"a/b": torch.zeros(1)}, str(tmp_path / "plain.safetensors"))  # another tool's file: no metadata
    assert list(KerasFileEditor(tmp_path / "plain.safetensors").weights_dict) == ["a"]


# ----------------------------------------------------------------------------- Keras 3's h5 layout
def test_keras3_layout_archive_edit_and_resave(tmp_path, capsys):
    pytest.importorskip("h5py")
    model = _mlp(names=("hidden", "extra", "head"), units=(4, 4, 1))
    keras.saving.save_model(model, str(tmp_path / "m.keras"), weights_format="h5")
    editor = KerasFileEditor(tmp_path / "m.keras")
    assert editor.layout == "h5" and list(editor.weights_dict["layers"]) == ["dense", "dense_1", "dense_2"]
    editor.summary()
    assert "Weights: model.weights.h5 (Keras 3 layout)" in capsys.readouterr().out
    smaller = _mlp(names=("hidden", "head"), units=(4, 1))
    assert editor.compare(smaller)["status"] == "error"
    # The recorded layer names find objects too: drop "extra", move the head into its place.
    editor.delete_object("extra")
    editor.rename_object("head", "dense_1")
    assert editor.compare(smaller) == {"status": "success", "error_count": 0, "match_count": 4}
    editor.save(tmp_path / "smaller.weights.h5")
    smaller.load_weights(str(tmp_path / "smaller.weights.h5"))
    np.testing.assert_array_equal(
        smaller.get_layer("head").kernel.detach().numpy(), model.get_layer("head").kernel.detach().numpy()
    )
    with pytest.raises(ValueError, match="weights are named '0', '1'"):
        editor.add_weights("dense", {"kernel": np.zeros(1)})
    editor.add_object("layers/dense_9", {"0": np.ones((2, 2), "float32")})
    editor.save(tmp_path / "edited.keras")
    reread = KerasFileEditor(tmp_path / "edited.keras")
    np.testing.assert_array_equal(reread.weights_dict["layers"]["dense_9"]["0"], np.ones((2, 2)))
    with pytest.raises(ValueError, match='Keras 3 layout, which is saved as ".weights.h5"'):
        editor.save(tmp_path / "x.safetensors")


def test_legacy_h5_is_refused(tmp_path):
    h5py = pytest.importorskip("h5py")
    with h5py.File(tmp_path / "legacy.weights.h5", "w") as f:
        f.attrs["layer_names"] = [b"dense"]
        group = f.create_group("dense")
        group.attrs["weight_names"] = [b"dense/kernel:0"]
        group["dense/kernel:0"] = np.zeros((2, 2), "float32")
    with pytest.raises(ValueError, match="not in Keras 3's weights layout"):
        KerasFileEditor(tmp_path / "legacy.weights.h5")


@pytest.mark.parity
def test_edits_keras_written_files_that_keras_then_loads(keras3, tmp_path):
    pytest.importorskip("h5py")

    def build(api, names):
        return api.Sequential([api.Input((3,))] + [api.layers.Dense(2, name=n) for n in names], name="seq")

    original = build(keras3, ["d1", "bn", "d2"])
    original.save(str(tmp_path / "keras.keras"))
    editor = KerasFileEditor(tmp_path / "keras.keras")
    assert editor.compare(build(keras, ["d1", "bn", "d2"]))["status"] == "success"
    editor.delete_object("bn")  # Keras's object "layers/dense_1", found by the layer name Keras recorded
    editor.rename_object("layers/dense_2", "dense_1")
    editor.save(tmp_path / "edited.weights.h5")
    reduced = build(keras3, ["d1", "d2"])
    reduced.load_weights(str(tmp_path / "edited.weights.h5"))
    np.testing.assert_array_equal(np.asarray(reduced.layers[1].kernel), np.asarray(original.layers[2].kernel))
    theirs = keras3.saving.KerasFileEditor(str(tmp_path / "edited.weights.h5"))
    assert theirs.compare(reduced)["status"] == "success"
