"""Hostile and broken files: each gets a clear kerastorch error, runs no code and changes nothing.

Sections: zip archives and folders (``safe_archive.read_archive``), JSON (``safe_archive.load_json``),
safetensors weight files (``Model.load_weights``), configs (``deserialize_keras_object`` /
``Model.from_config``), whole saved models (``keras.saving.load_model``). Hypothesis mutates valid
archives, weight files and configs (truncation, bit flips, replaced or deleted fields).
"""

import copy
import json
import os
import stat
import struct
import sys
import zipfile

import numpy as np
import pytest
from _zip_craft import duplicate_central_record, make_zip, patch_central
from hypothesis import given
from hypothesis import strategies as st

import kerastorch as keras
from kerastorch.saving import safe_archive
from kerastorch.saving.safe_archive import UnsafeArchiveError, load_json, read_archive, write_archive

pytestmark = pytest.mark.usefixtures("_cpu")

_VALID = {
    "config.json": b'{"class_name": "Sequential"}',
    "metadata.json": b'{"keras_version": "3"}',
    "model.weights.safetensors": bytes(range(256)) * 4,
}


@pytest.fixture
def _cpu():
    keras.config.set_device("cpu")
    yield
    keras.config.set_device(None)


def _write(tmp_path, data, name="m.keras"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _refused(path, match):
    before = sorted(os.listdir(os.path.dirname(path)))
    with pytest.raises(UnsafeArchiveError, match=match) as info:
        read_archive(path)
    assert str(path) in str(info.value)  # the message names the file
    assert sorted(os.listdir(os.path.dirname(path))) == before  # nothing written or extracted
    return info.value


# --------------------------------------------------------------------------- zip archives


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not a zip at all",
        b'{"class_name": "Sequential"}',
        b"PK\x03\x04" + b"\0" * 40,
        b"\x89HDF\r\n\x1a\n" + b"\0" * 100,
    ],
)
def test_not_a_zip_archive(tmp_path, data):
    _refused(_write(tmp_path, data), "not a zip archive|corrupted or truncated")


@pytest.mark.parametrize(
    "name, problem",
    [
        ("../evil.txt", r"path traversal \('\.\.'\)"),
        ("assets/../../evil.txt", "path traversal"),
        ("/etc/passwd", "absolute path"),
        ("..\\evil.txt", "backslash"),
        ("C:/Windows/evil.txt", "drive letter"),
        ("assets//x", "empty or '.' component"),
        ("./config.json", "empty or '.' component"),
        ("bad\x07name", "control characters"),
        ("/".join(["d"] * 12), "nested 12 levels deep"),
    ],
)
def test_bad_member_names(tmp_path, name, problem):
    _refused(_write(tmp_path, make_zip([("config.json", b"{}"), (name, b"x")])), problem)


def test_duplicate_member_names(tmp_path):
    with pytest.warns(UserWarning, match="Duplicate name"):
        data = make_zip([("config.json", b"{}"), ("config.json", b'{"evil": 1}')])
    _refused(_write(tmp_path, data), "duplicate member name 'config.json'")


def test_duplicate_member_names_differing_in_case(tmp_path):
    _refused(_write(tmp_path, make_zip([("config.json", b"{}"), ("CONFIG.json", b"{}")])), "duplicate member name")


def test_member_that_is_both_file_and_folder(tmp_path):
    _refused(_write(tmp_path, make_zip([("assets", b"x"), ("assets/v.txt", b"y")])), "both a file and a folder")


def test_symlink_member(tmp_path):
    data = make_zip([("config.json", b"/etc/passwd")], attrs={"config.json": stat.S_IFLNK | 0o777})
    _refused(_write(tmp_path, data), "'config.json' is a symbolic link")


def test_encrypted_member(tmp_path):
    data = patch_central(make_zip([("config.json", b"{}")]), 0, "<H", 8, 0x1)
    _refused(_write(tmp_path, data), "'config.json' is encrypted")


def test_unsupported_compression(tmp_path):
    _refused(
        _write(tmp_path, make_zip([("config.json", b"{}" * 100)], compression=zipfile.ZIP_BZIP2)),
        "compression method 12",
    )


def test_zip_bomb_by_compression_ratio(tmp_path):
    data = make_zip([("model.weights.safetensors", bytes(2**20))], compression=zipfile.ZIP_DEFLATED)
    assert len(data) < 2**20 / 200
    _refused(_write(tmp_path, data), "MAX_COMPRESSION_RATIO=200 \\(a zip bomb\\?\\)")


def test_overlapping_members(tmp_path):
    data = duplicate_central_record(make_zip([("config.json", b"{}" * 50)]), "CONFIG.JSON")
    _refused(_write(tmp_path, data), "duplicate member name|overlaps")
    data = duplicate_central_record(make_zip([("config.json", b"{}" * 50)]), "other.json_")
    _refused(_write(tmp_path, data), "'other.json_' overlaps the previous member")


@pytest.mark.parametrize(
    "limit, value, problem",
    [
        ("MAX_MEMBER_BYTES", 100, "'model.weights.safetensors' is 1024 bytes; the limit is MAX_MEMBER_BYTES=100"),
        ("MAX_TOTAL_BYTES", 1000, "more than MAX_TOTAL_BYTES=1000 bytes together"),
        ("MAX_MEMBERS", 2, "has 3 entries; the limit is MAX_MEMBERS=2"),
    ],
)
def test_size_and_count_limits(tmp_path, monkeypatch, limit, value, problem):
    path = tmp_path / "m.keras"
    write_archive(path, _VALID, zipped=True)
    monkeypatch.setattr(safe_archive, limit, value)
    _refused(path, problem)


def test_declared_size_smaller_than_the_data(tmp_path):
    data = make_zip([("config.json", b"[" + b"0," * 5000 + b"0]")], compression=zipfile.ZIP_DEFLATED)
    data = patch_central(data, 0, "<I", 24, 10)  # uncompressed size: 10 bytes
    _refused(_write(tmp_path, data), "corrupted or truncated .*CRC")


def test_stored_member_with_inconsistent_sizes(tmp_path):
    data = patch_central(make_zip([("config.json", b"{}" * 100)]), 0, "<I", 24, 10**6)
    _refused(_write(tmp_path, data), "stored uncompressed but its sizes differ")


def test_member_extending_past_the_end(tmp_path):
    data = make_zip([("config.json", b"{}" * 100)])
    data = patch_central(patch_central(data, 0, "<I", 20, 10**6), 0, "<I", 24, 10**6)
    _refused(_write(tmp_path, data), "extends past the end of the file")


def test_corrupted_member_data_fails_the_crc(tmp_path):
    data = bytearray(make_zip([("config.json", b'{"units": 1000}')]))
    data[data.index(b"1000")] = ord("9")
    _refused(_write(tmp_path, bytes(data)), "Bad CRC-32")


@given(cut=st.integers(0, 10**6))
def test_any_truncation_is_refused(tmp_path_factory, cut):
    valid = make_zip(list(_VALID.items()))
    path = _write(tmp_path_factory.mktemp("t"), valid[: cut % len(valid)])
    _refused(path, None)


@given(bit=st.integers(0, 10**7))
def test_any_bit_flip_is_refused_or_harmless(tmp_path_factory, bit):
    data = bytearray(make_zip(list(_VALID.items())))
    bit %= len(data) * 8
    data[bit // 8] ^= 1 << (bit % 8)
    path = _write(tmp_path_factory.mktemp("f"), bytes(data))
    try:
        members = read_archive(path)
    except UnsafeArchiveError as error:
        assert str(path) in str(error)
    else:  # a flip in a field that does not matter (a date, a permission bit): same content
        assert members == _VALID


# --------------------------------------------------------------------------- folders


def test_folder_with_symlink(tmp_path):
    folder = tmp_path / "m"
    write_archive(folder, {"metadata.json": b"{}"}, zipped=False)
    os.symlink("/etc/passwd", folder / "config.json")
    _refused(folder, "'config.json' is a symbolic link")


def test_folder_with_symlinked_subfolder(tmp_path):
    folder = tmp_path / "m"
    write_archive(folder, {"metadata.json": b"{}"}, zipped=False)
    os.symlink("/etc", folder / "assets")
    _refused(folder, "'assets' is a symbolic link")


def test_folder_with_a_pipe(tmp_path):
    folder = tmp_path / "m"
    write_archive(folder, {"metadata.json": b"{}"}, zipped=False)
    os.mkfifo(folder / "config.json")
    _refused(folder, "'config.json' is not a regular file")


def test_folder_nested_too_deep(tmp_path):
    folder = tmp_path / "m"
    deep = folder.joinpath(*["d"] * 9)
    deep.mkdir(parents=True)
    (deep / "x").write_bytes(b"")
    _refused(folder, "nested")


# --------------------------------------------------------------------------- JSON


@pytest.mark.parametrize(
    "text, problem",
    [
        (b"{'single': 'quotes'}", "not valid JSON"),
        (b'{"units": NaN}', "NaN is not a JSON value"),
        (b'{"units": Infinity}', "Infinity is not a JSON value"),
        (b'{"units": 1e999}', "out of range"),
        (b'{"name": "a", "name": "b"}', "duplicate key 'name'"),
        (b'{"a": 1} trailing', "not valid JSON"),
        (b'{"a": "\xff\xfe"}', "not valid UTF-8"),
        (b'{"units": ' + b"9" * 5000 + b"}", "not valid JSON"),
        (b"[" * 100000 + b"]" * 100000, "nested deeper than the limit"),
        (b'{"a": ' * 300 + b"1" + b"}" * 300, "nested 300 levels deep"),
    ],
)
def test_hostile_json(text, problem):
    with pytest.raises(UnsafeArchiveError, match=f"^config.json in m.keras: .*{problem}"):
        load_json(text, "config.json in m.keras")


def test_oversized_json(monkeypatch):
    monkeypatch.setattr(safe_archive, "MAX_JSON_BYTES", 10)
    with pytest.raises(UnsafeArchiveError, match="metadata.json: is 12 bytes of JSON; the limit is"):
        load_json(b'{"a": "bcd"}', "metadata.json")


# --------------------------------------------------------------------------- safetensors weights


def _small_model(units=3):
    x = keras.Input((2,))
    return keras.Model(x, keras.layers.Dense(units, name="out")(keras.layers.Dense(4, name="hidden")(x)))


def _saved_weights(tmp_path, model=None):
    path = tmp_path / "w.weights.safetensors"
    (model or _small_model()).save_weights(str(path))
    return path


def _refused_weights(model, path, match=None):
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match=match):
        model.load_weights(str(path))
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)  # nothing changed


@given(cut=st.integers(0, 10**6))
def test_truncated_safetensors(tmp_path_factory, cut):
    path = _saved_weights(tmp_path_factory.mktemp("w"))
    data = path.read_bytes()
    path.write_bytes(data[: cut % len(data)])
    _refused_weights(_small_model(), path)


@given(bit=st.integers(0, 10**6))
def test_bit_flips_in_the_safetensors_header(tmp_path_factory, bit):
    path = _saved_weights(tmp_path_factory.mktemp("w"))
    data = bytearray(path.read_bytes())
    header_bits = (8 + struct.unpack("<Q", data[:8])[0]) * 8
    bit %= header_bits
    data[bit // 8] ^= 1 << (bit % 8)
    path.write_bytes(bytes(data))
    model = _small_model()
    before = [w.copy() for w in model.get_weights()]
    try:
        model.load_weights(str(path))
    except ValueError:
        for old, new in zip(before, model.get_weights()):
            np.testing.assert_array_equal(old, new)


def test_safetensors_header_claiming_a_huge_size(tmp_path):
    path = _saved_weights(tmp_path)
    data = bytearray(path.read_bytes())
    data[:8] = struct.pack("<Q", 2**62)
    path.write_bytes(bytes(data))
    _refused_weights(_small_model(), path)


def test_safetensors_with_mismatched_shapes(tmp_path):
    path = _saved_weights(tmp_path, _small_model(units=5))
    _refused_weights(_small_model(units=3), path, "shape")


def test_safetensors_with_missing_weights(tmp_path):
    from safetensors.numpy import save_file

    path = tmp_path / "w.weights.safetensors"
    save_file({"hidden/kernel": np.zeros((2, 4), np.float32)}, str(path))
    _refused_weights(_small_model(), path)


def test_safetensors_with_integer_weights(tmp_path):
    from safetensors.numpy import save_file

    model = _small_model()
    path = tmp_path / "w.weights.safetensors"
    save_file({key.path: np.ones(key.shape, np.int64) for key in model.weights}, str(path))
    _refused_weights(model, path, "dtype|int")


# --------------------------------------------------------------------------- configs


_SENTINEL = "kerastorch_hostile_sentinel"


def _lambda_config(tmp_path):
    marker = tmp_path / "code_ran"
    fn = eval(f"lambda x: (open({str(marker)!r}, 'w').close(), x)[1]")
    x = keras.Input((2,))
    model = keras.Model(x, keras.layers.Lambda(fn, output_shape=(2,))(x))
    return keras.saving.serialize_keras_object(model), marker


def test_lambda_byte_code_is_refused_in_safe_mode(tmp_path):
    config, marker = _lambda_config(tmp_path)
    with pytest.raises(ValueError, match="refused in safe mode.*safe_mode=False"):
        keras.saving.deserialize_keras_object(json.loads(json.dumps(config)))
    assert not marker.exists()


@pytest.mark.parametrize(
    "module, class_name",
    [
        ("os", "system"),
        ("builtins", "eval"),
        ("subprocess", "Popen"),
        ("antigravity", "geohash"),
        ("keras.layers", "Dense; import os"),
        ("pickle", "loads"),
        (None, "__import__"),
    ],
)
def test_unknown_classes_are_never_imported(module, class_name):
    had_antigravity = "antigravity" in sys.modules
    config = {
        "module": module,
        "class_name": class_name,
        "config": {"command": "touch /tmp/pwned"},
        "registered_name": None,
    }
    with pytest.raises(ValueError, match=f"Unknown object: {class_name!r}"):
        keras.saving.deserialize_keras_object(config)
    assert ("antigravity" in sys.modules) == had_antigravity


def _functional_config():
    x = keras.Input((3,), name="x")
    model = keras.Model(x, keras.layers.Dense(2, name="b")(keras.layers.Dense(4, name="a")(x)), name="m")
    return json.loads(json.dumps(model.get_config()))


@pytest.mark.parametrize(
    "edit, problem",
    [
        (lambda c: c["layers"][1]["inbound_nodes"][0]["args"][0]["config"].update(keras_history=["b", 0, 0]), "cycle"),
        (lambda c: c.update(output_layers=["nowhere", 0, 0]), "nowhere"),
        (lambda c: c["layers"][1]["config"].update(units="four"), "units"),
        (lambda c: c["layers"][1]["config"].update(units=-4), "units"),
        (lambda c: c["layers"][1]["config"].update(activation="os.system"), "os.system"),
        (lambda c: c["layers"][1].update(class_name="NoSuchLayer"), "NoSuchLayer"),
        (lambda c: c["layers"][1].pop("class_name"), "class_name"),
        (lambda c: c["layers"][1].update(config=[1, 2]), "must be a dict"),
    ],
)
def test_broken_functional_configs(edit, problem):
    config = _functional_config()
    edit(config)
    with pytest.raises((ValueError, TypeError), match=problem):
        keras.Model.from_config(config)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, prefix + (index,))


_REPLACEMENTS = st.sampled_from(
    [None, -1, 0, 10**4, 2.5, "", "x", "relu", [], [None], {}, {"class_name": "Zzz"}, True, [["a", 0, 0]]]
)


def _mutate(config, choice, replacement, delete):
    """Replace (or delete) the ``choice``-th field of ``config``, counted over every nested path."""
    paths = [p for p in _paths(config) if p]
    path = paths[choice % len(paths)]
    parent = config
    for key in path[:-1]:
        parent = parent[key]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = copy.deepcopy(replacement)
    return config


@pytest.mark.parametrize(
    "path, value",
    [
        (("layers", 1, "inbound_nodes", 0, "args", 0, "config", "keras_history", 2), 7),  # IndexError
        (("layers", 1, "inbound_nodes", 0, "args", 0, "config"), {}),  # KeyError
        (("layers", 0, "inbound_nodes"), "x"),  # AttributeError
        (("input_layers",), "x"),  # RecursionError
        (("layers", 1, "config", "dtype", "config", "name"), 0),  # AttributeError in dtype_policies
        (("layers", 1, "build_config", "input_shape"), []),  # IndexError in Dense.build
        (("layers", 1, "build_config"), {"class_name": "Zzz"}),  # KeyError in Layer.build_from_config
        (("layers", 0, "config", "batch_shape", 0), -1),  # RuntimeError from torch
    ],
)
def test_malformed_functional_configs_raise_value_or_type_errors(path, value):
    config = _functional_config()
    parent = config
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    with pytest.raises((ValueError, TypeError), match="."):
        keras.Model.from_config(config)


# --------------------------------------------------------------------------- Keras HDF5 weights


def _h5_weights(tmp_path, edit=None):
    h5py = pytest.importorskip("h5py")
    from kerastorch.saving import h5_format

    path = str(tmp_path / "w.weights.h5")
    h5_format.write_keras_weights_h5(_small_model(), path)
    if edit is not None:
        with h5py.File(path, "r+") as f:
            edit(f, h5py)
    return path


def _refused_h5(path, match=None, legacy=False):
    from kerastorch.saving import h5_format

    model = _small_model()
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match=match):
        if legacy:
            h5_format.load_legacy_h5_weights(model, path)
        else:
            h5_format.load_keras_weights_h5(model, path)
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)


def _replace(f, name, value):
    del f[name]
    f[name] = value


@pytest.mark.parametrize(
    "edit, problem",
    [
        (lambda f, h5py: _replace(f, "layers/dense/vars/0", h5py.ExternalLink("/etc/passwd.h5", "/x")), "ExternalLink"),
        (lambda f, h5py: _replace(f, "layers/dense/vars/0", h5py.SoftLink("/layers/dense_1/vars/0")), "SoftLink"),
        (lambda f, h5py: _replace(f, "layers/dense/vars/0", np.zeros((5, 5), np.float32)), r"shape|\(5, 5\)"),
        (lambda f, h5py: _replace(f, "layers/dense/vars/0", np.array([b"rm -rf /"] * 8).reshape(2, 4)), "dtype|type"),
        (lambda f, h5py: _replace(f, "layers/dense/vars/0", np.ones((2, 4), np.int64)), "dtype|int"),
        (lambda f, h5py: f.__delitem__("layers/dense_1"), "dense_1|missing|no counterpart|out"),
    ],
)
def test_hostile_keras3_h5_weights(tmp_path, edit, problem):
    _refused_h5(_h5_weights(tmp_path, edit), problem)


def test_hdf5_file_that_is_not_hdf5(tmp_path):
    pytest.importorskip("h5py")
    path = tmp_path / "w.weights.h5"
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(500))
    _refused_h5(str(path), "not a readable HDF5 file")


@given(cut=st.integers(0, 10**6))
def test_truncated_hdf5_weights(tmp_path_factory, cut):
    path = _h5_weights(tmp_path_factory.mktemp("h"))
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data[: cut % len(data)])
    _refused_h5(path)


def test_legacy_h5_naming_layers_that_are_not_there(tmp_path):
    h5py = pytest.importorskip("h5py")
    path = str(tmp_path / "legacy.h5")
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = [b"hidden", b"out", b"ghost"]
        for name, shapes in [("hidden", [(2, 4), (4,)]), ("out", [(4, 2), (2,)]), ("ghost", [(2, 2)])]:
            group = f.create_group(name)
            group.attrs["weight_names"] = [f"{name}/w{i}:0".encode() for i in range(len(shapes))]
            for i, shape in enumerate(shapes):
                group[f"{name}/w{i}:0"] = np.ones(shape, np.float32)
    _refused_h5(path, "ghost|3 layers|layers with weights", legacy=True)


def test_legacy_h5_weight_names_pointing_outside_the_layer(tmp_path):
    h5py = pytest.importorskip("h5py")
    path = str(tmp_path / "legacy.h5")
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = [b"hidden", b"out"]
        for name in ("hidden", "out"):
            f.create_group(name).attrs["weight_names"] = [b"../../etc/passwd", b"/out/bias"]
    _refused_h5(path, legacy=True)


# --------------------------------------------------------------------------- whole saved models (load_model)


@pytest.fixture
def api():
    return pytest.importorskip("kerastorch.saving.saving_api")


_X = np.linspace(-1, 1, 8, dtype=np.float32).reshape(4, 2)


def _saved_members(tmp_path, api, **save_kwargs):
    model = _small_model()
    model.compile(optimizer="adam", loss="mse")
    model.fit(_X, _X[:, :1].repeat(3, axis=1), epochs=1, verbose=0)
    path = tmp_path / "good.keras"
    api.save_model(model, str(path), **save_kwargs)
    return read_archive(path), model


def _load_refused(tmp_path, api, members, match, exceptions=ValueError, **kwargs):
    path = tmp_path / "hostile.keras"
    write_archive(path, members, zipped=True)
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(exceptions, match=match):
        api.load_model(str(path), **kwargs)
    assert sorted(os.listdir(tmp_path)) == before


def _edit_config(members, edit):
    config = json.loads(members["config.json"])
    edit(config)
    return {**members, "config.json": json.dumps(config).encode()}


def _model_layers(config):
    return config["config"]["layers"]


def test_saved_model_without_config(tmp_path, api):
    members, _ = _saved_members(tmp_path, api)
    del members["config.json"]
    _load_refused(tmp_path, api, members, "config.json")


def test_saved_model_with_broken_json(tmp_path, api):
    members, _ = _saved_members(tmp_path, api)
    _load_refused(tmp_path, api, {**members, "config.json": b'{"class_name": NaN'}, "config.json")


@pytest.mark.parametrize(
    "edit, problem",
    [
        (lambda c: _model_layers(c)[1].update(class_name="Popen", module="subprocess", registered_name=None), "Popen"),
        (lambda c: c.update(class_name="system", module="os"), "system"),
        (lambda c: _model_layers(c)[1]["config"].update(units=7), "shape"),
        (lambda c: _model_layers(c)[1]["config"].update(units="seven"), "units"),
        (
            lambda c: _model_layers(c)[2]["inbound_nodes"][0]["args"][0]["config"].update(keras_history=["out", 0, 0]),
            "cycle|never produced",
        ),
        (
            lambda c: c["compile_config"].update(
                optimizer={"module": "os", "class_name": "system", "config": {}, "registered_name": None}
            ),
            "system",
        ),
        (lambda c: c["compile_config"].update(loss="rm_rf"), "rm_rf"),
        (
            lambda c: c["compile_config"].update(loss={"class_name": "__lambda__", "config": {"code": "bm9wZQ==\n"}}),
            "safe_mode=False",
        ),
        (
            lambda c: _model_layers(c)[1]["config"].update(
                activation={
                    "module": "builtins",
                    "class_name": "function",
                    "config": "exec",
                    "registered_name": "function",
                }
            ),
            "exec",
        ),
        (lambda c: _model_layers(c)[1]["config"].update(dtype="object"), "dtype"),
    ],
)
def test_saved_model_with_hostile_config(tmp_path, api, edit, problem):
    members, _ = _saved_members(tmp_path, api)
    _load_refused(tmp_path, api, _edit_config(members, edit), problem, (ValueError, TypeError))


def test_saved_model_with_a_lambda_runs_no_code(tmp_path, api):
    members, _ = _saved_members(tmp_path, api)
    config, marker = _lambda_config(tmp_path)
    members = {**members, "config.json": json.dumps(config).encode()}
    _load_refused(tmp_path, api, members, "safe_mode=False")
    assert not marker.exists()


def test_saved_model_with_truncated_weights(tmp_path, api):
    members, _ = _saved_members(tmp_path, api)
    weights = members["model.weights.safetensors"]
    _load_refused(
        tmp_path,
        api,
        {**members, "model.weights.safetensors": weights[: len(weights) // 2]},
        "model.weights.safetensors|safetensors",
    )


def test_saved_model_with_broken_optimizer_state(tmp_path, api):
    members, _ = _saved_members(tmp_path, api)
    assert "optimizer.safetensors" in members
    _load_refused(tmp_path, api, {**members, "optimizer.safetensors": b"\x10" + bytes(40)}, "optimizer")


def test_saved_model_with_weights_and_optimizer_state_of_another_model(tmp_path, api):
    members, _ = _saved_members(tmp_path, api)
    model = _small_model(units=5)
    model.compile(optimizer="adam", loss="mse")
    model.fit(_X, np.ones((4, 5), np.float32), epochs=1, verbose=0)
    api.save_model(model, str(tmp_path / "other.keras"))
    other = read_archive(tmp_path / "other.keras")
    _load_refused(
        tmp_path,
        api,
        {**members, "model.weights.safetensors": other["model.weights.safetensors"]},
        r"out/kernel has shape \(4, 3\) in the model but \(4, 5\) in the file",
    )
    _load_refused(
        tmp_path,
        api,
        {**members, "optimizer.safetensors": other["optimizer.safetensors"]},
        r"optimizer.safetensors does not fit the model's optimizer.*shape",
    )


def test_saved_model_with_traversal_member(tmp_path, api):
    members, _ = _saved_members(tmp_path, api)
    path = tmp_path / "hostile.keras"
    path.write_bytes(make_zip([*members.items(), ("../../escaped.txt", b"x")]))
    with pytest.raises(UnsafeArchiveError, match="path traversal"):
        api.load_model(str(path))
    assert not (tmp_path.parent / "escaped.txt").exists()


def test_saved_model_with_hostile_h5_member(tmp_path, api):
    pytest.importorskip("h5py")
    members, _ = _saved_members(tmp_path, api, weights_format="h5")
    assert "model.weights.h5" in members
    _load_refused(tmp_path, api, {**members, "model.weights.h5": b"\x89HDF\r\n\x1a\n" + bytes(300)}, "HDF5")


@pytest.fixture(scope="module")
def good_archive(tmp_path_factory):
    """A saved model's archive bytes, members and predictions, built once for the hypothesis tests."""
    api = pytest.importorskip("kerastorch.saving.saving_api")
    keras.config.set_device("cpu")
    try:
        members, model = _saved_members(tmp_path_factory.mktemp("good"), api)
        path = tmp_path_factory.getbasetemp() / "good_archive.keras"
        write_archive(path, members, zipped=True)
        return path.read_bytes(), members, np.asarray(model.predict(_X, verbose=0))
    finally:
        keras.config.set_device(None)


@given(bit=st.integers(0, 10**8))
def test_bit_flips_in_saved_models_are_refused_or_harmless(tmp_path_factory, api, good_archive, bit):
    data, _, predictions = good_archive
    data = bytearray(data)
    bit %= len(data) * 8
    data[bit // 8] ^= 1 << (bit % 8)
    path = tmp_path_factory.mktemp("flip") / "flipped.keras"
    path.write_bytes(bytes(data))
    try:
        loaded = api.load_model(str(path))
    except ValueError as error:
        assert str(error)
    else:
        np.testing.assert_array_equal(np.asarray(loaded.predict(_X, verbose=0)), predictions)


@given(choice=st.integers(0, 10**6), replacement=_REPLACEMENTS, delete=st.booleans())
def test_mutated_saved_configs_fail_cleanly(tmp_path_factory, api, good_archive, choice, replacement, delete):
    tmp_path = tmp_path_factory.mktemp("mut")
    members = good_archive[1]
    config = _mutate(json.loads(members["config.json"]), choice, replacement, delete)
    write_archive(tmp_path / "m.keras", {**members, "config.json": json.dumps(config).encode()}, zipped=True)
    try:
        api.load_model(str(tmp_path / "m.keras"))
    except (ValueError, TypeError) as error:
        assert str(error)


def test_saved_model_folder_with_a_symlinked_config(tmp_path, api):
    model = _small_model()
    api.save_model(model, str(tmp_path / "saved"))
    secret = tmp_path / "secret.json"
    secret.write_text('{"class_name": "Sequential"}')
    os.remove(tmp_path / "saved" / "config.json")
    os.symlink(secret, tmp_path / "saved" / "config.json")
    with pytest.raises(UnsafeArchiveError, match="'config.json' is a symbolic link"):
        api.load_model(str(tmp_path / "saved"))
