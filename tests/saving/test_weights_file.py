"""save_weights / load_weights: safetensors by path or position, LoadStatus, mismatches, dtypes, corruption,
dispatch to Keras HDF5 files and saved-model archives, atomic writes."""

import errno
import json
import os
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from safetensors.torch import load_file, save_file

import kerastorch
import kerastorch as keras
from kerastorch.saving import weights_file
from kerastorch.saving.weights_file import LoadStatus, load_weights, load_weights_bytes, save_weights, weights_bytes

widths = st.lists(st.integers(1, 3), min_size=1, max_size=3)


@pytest.fixture(autouse=True)
def _cpu():
    kerastorch.config.set_device("cpu")
    yield
    kerastorch.config.set_device(None)


def make(widths, prefix="layer", batch_norm=False, inputs=2, seed=0):
    """A Sequential of Dense layers named ``{prefix}{i}`` (BatchNormalization after the first when asked)."""
    torch.manual_seed(seed)
    stack = [keras.Input((inputs,))]
    for i, units in enumerate(widths):
        stack.append(keras.layers.Dense(units, name=f"{prefix}{i}"))
        if batch_norm and i == 0:
            stack.append(keras.layers.BatchNormalization(name=f"{prefix}_bn"))
    model = keras.Sequential(stack)
    if batch_norm:  # non-trivial moving statistics
        for weight in model.weights:
            if "moving" in weight.path:
                with torch.no_grad():
                    weight.uniform_(0.5, 2.0)
    return model


def snapshot(model):
    return [w.copy() for w in model.get_weights()]


def assert_weights(model, expected):
    got = model.get_weights()
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        np.testing.assert_array_equal(a, b)


def predict(model, inputs=2):
    x = torch.linspace(-1, 1, 3 * inputs).reshape(3, inputs)
    return model(x).detach().numpy()


def file_in(tmp_path, name="w.weights.safetensors"):
    return str(tmp_path / name)


# ----------------------------------------------------------------------------- round trips


@given(widths=widths, batch_norm=st.booleans())
def test_round_trip_by_path(tmp_path_factory, widths, batch_norm):
    path = file_in(tmp_path_factory.mktemp("w"))
    model = make(widths, "a", batch_norm, seed=1)
    save_weights(model, path)
    clone = make(widths, "a", batch_norm, seed=2)
    status = load_weights(clone, path)
    assert isinstance(status, LoadStatus) and status.consumed and not status.by_position
    status.assert_consumed()
    assert status.loaded == {key: key for key, _ in weights_file.weight_keys(model)}
    assert_weights(clone, model.get_weights())
    np.testing.assert_array_equal(predict(clone), predict(model))


@given(widths=widths, batch_norm=st.booleans())
def test_differently_named_model_loads_by_position(tmp_path_factory, widths, batch_norm):
    path = file_in(tmp_path_factory.mktemp("w"))
    model = make(widths, "a", batch_norm, seed=1)
    save_weights(model, path)
    clone = make(widths, "b", batch_norm, seed=2)
    status = load_weights(clone, path)
    assert status.by_position and status.consumed
    assert list(status.loaded.values()) == [key for key, _ in weights_file.weight_keys(model)]
    np.testing.assert_array_equal(predict(clone), predict(model))


def test_position_needs_matching_shapes(tmp_path):
    path = file_in(tmp_path)
    save_weights(make([2, 3], "a"), path)
    other = make([3, 2], "b")
    before = snapshot(other)
    with pytest.raises(
        ValueError,
        match=r"b0/kernel \(file weight a0/kernel, matched by position\) has shape "
        r"\(2, 3\) in the model but \(2, 2\)",
    ):
        load_weights(other, path)
    assert_weights(other, before)


def test_file_keys_record_order_and_checksums(tmp_path):
    path = file_in(tmp_path)
    model = make([2, 1], "a", batch_norm=True)
    save_weights(model, path)
    from safetensors import safe_open

    with safe_open(path, framework="pt") as f:
        metadata = f.metadata()
    keys = [key for key, _ in weights_file.weight_keys(model)]
    assert json.loads(metadata["order"]) == keys == [w.path for w in model.weights]
    assert metadata["format"] == "kerastorch.weights" and sorted(json.loads(metadata["crc32"])) == sorted(keys)


def test_repeated_paths_get_suffixes_and_load(tmp_path):
    class Twin(keras.layers.Layer):
        def build(self, shape):
            self.a = self.add_weight(shape=(2,), name="w", initializer="ones")
            self.b = self.add_weight(shape=(2,), name="w", initializer="zeros")

        def call(self, x):
            return x * self.a + self.b

    layer = Twin(name="twin")
    layer(torch.zeros(1, 2))
    assert [key for key, _ in weights_file.weight_keys(layer)] == ["twin/w", "twin/w#1"]
    path = file_in(tmp_path)
    save_weights(layer, path)
    with torch.no_grad():
        layer.a.zero_()
    load_weights(layer, path).assert_consumed()
    np.testing.assert_array_equal(layer.a.detach().numpy(), [1, 1])
    np.testing.assert_array_equal(layer.b.detach().numpy(), [0, 0])


def test_bytes_round_trip_matches_file():
    model = make([3, 2], "a", batch_norm=True, seed=1)
    clone = make([3, 2], "a", batch_norm=True, seed=2)
    status = load_weights_bytes(clone, weights_bytes(model))
    assert status.consumed and status.source == "model.weights.safetensors"
    assert_weights(clone, model.get_weights())


def test_model_methods(tmp_path):
    path = file_in(tmp_path)
    model = make([2], "a", seed=1)
    model.save_weights(path)
    clone = make([2], "z", seed=2)
    clone.load_weights(path)
    assert_weights(clone, model.get_weights())


# ----------------------------------------------------------------------------- partial loads and status


def test_file_with_extra_weights_loads_and_reports_unused(tmp_path):
    path = file_in(tmp_path)
    big = make([2, 3, 1], "a", seed=1)
    save_weights(big, path)
    small = make([2, 3], "a", seed=2)
    status = load_weights(small, path)
    assert status.unused == ("a2/kernel", "a2/bias") and not status.missing and not status.consumed
    assert_weights(small, big.get_weights()[:4])
    with pytest.raises(ValueError, match=r"has 2 weight\(s\) that model \"sequential_1\" did not use: a2/kernel"):
        status.assert_consumed()
    status.assert_existing_objects_matched()
    assert status.expect_partial() is status
    status.assert_consumed()  # silenced


def test_discarded_partial_status_warns_unless_expected(tmp_path):
    path = file_in(tmp_path)
    save_weights(make([2, 3, 1], "a"), path)
    small = make([2, 3], "a")
    with pytest.warns(UserWarning, match="did not use: a2/kernel, a2/bias. Call expect_partial"):
        load_weights(small, path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_weights(small, path).expect_partial()
        status = load_weights(make([2, 3, 1], "a"), path)
        del status  # consumed: nothing to say


def test_missing_weights_are_an_error_that_changes_nothing(tmp_path):
    path = file_in(tmp_path)
    save_weights(make([2], "a", seed=1), path)
    big = make([2, 3], "a", seed=2)
    before = snapshot(big)
    with pytest.raises(ValueError, match=r"the file lacks a1/kernel, a1/bias \(pass skip_mismatch=True"):
        load_weights(big, path)
    assert_weights(big, before)


def test_missing_weights_skipped_with_a_warning(tmp_path):
    path = file_in(tmp_path)
    small = make([2], "a", seed=1)
    save_weights(small, path)
    big = make([2, 3], "a", seed=2)
    before = snapshot(big)
    with pytest.warns(UserWarning, match=r"lacks 2 weight\(s\) of model .* keep their values: a1/kernel, a1/bias"):
        status = load_weights(big, path, skip_mismatch=True)
    assert status.missing == ("a1/kernel", "a1/bias") and not status.unused
    assert_weights(big, small.get_weights() + before[2:])
    with pytest.raises(ValueError, match=r"has 2 weight\(s\) that .* did not provide: a1/kernel, a1/bias"):
        status.assert_consumed()
    with pytest.raises(ValueError, match="did not provide"):
        LoadStatus("m", "f", missing=["x"]).assert_existing_objects_matched()
    status.expect_partial().assert_existing_objects_matched()


def test_unrelated_file_is_always_an_error(tmp_path):
    path = file_in(tmp_path)
    save_weights(make([2, 2], "a"), path)
    other = make([2], "b")
    before = snapshot(other)
    for skip in (False, True):
        with pytest.raises(ValueError, match=r"no weight of .* matches model"):
            load_weights(other, path, skip_mismatch=skip)
    assert_weights(other, before)


# ----------------------------------------------------------------------------- shape and dtype mismatches


@given(extra=st.integers(1, 3), skip=st.booleans())
def test_shape_mismatch(tmp_path_factory, extra, skip):
    path = file_in(tmp_path_factory.mktemp("w"))
    model = make([2, 2], "a", seed=1)
    save_weights(model, path)
    other = make([2 + extra, 2], "a", seed=2)  # a0 and a1/kernel differ, a1/bias fits
    before = snapshot(other)
    if not skip:
        with pytest.raises(
            ValueError,
            match=rf"weight a0/kernel has shape \(2, {2 + extra}\) in the model but "
            r"\(2, 2\) in the file; weight a0/bias",
        ):
            load_weights(other, path)
        assert_weights(other, before)
        return
    with pytest.warns(UserWarning) as record:
        status = load_weights(other, path, skip_mismatch=True)
    messages = [str(w.message) for w in record if "skipping weight" in str(w.message)]
    assert [m.split("skipping weight ")[1].split(" ")[0] for m in messages] == ["a0/kernel", "a0/bias", "a1/kernel"]
    assert status.skipped == ("a0/kernel", "a0/bias", "a1/kernel") and status.loaded == {"a1/bias": "a1/bias"}
    assert_weights(other, before[:3] + [model.get_weights()[3]])
    with pytest.raises(ValueError, match="did not provide"):
        status.assert_consumed()


def write_raw(path, tensors, order=True, **metadata):
    if order:
        metadata["order"] = json.dumps(list(tensors))
    save_file({k: v.contiguous() for k, v in tensors.items()}, path, metadata=metadata or None)


@given(dtype=st.sampled_from([torch.float16, torch.bfloat16, torch.float64]))
def test_float_weights_are_cast(tmp_path_factory, dtype):
    path = file_in(tmp_path_factory.mktemp("w"))
    model = make([2], "a")
    values = {
        key: torch.randn(tuple(w.shape), dtype=torch.float64).to(dtype) for key, w in weights_file.weight_keys(model)
    }
    write_raw(path, values)
    load_weights(model, path).assert_consumed()
    for weight, value in zip(model.weights, values.values()):
        assert weight.dtype == torch.float32
        np.testing.assert_array_equal(weight.detach().numpy(), value.float().numpy())


def test_integer_weights(tmp_path):
    layer = keras.layers.Normalization(name="norm")
    layer.adapt(np.array([[1.0], [3.0]], "float32"))
    assert layer.count.dtype == torch.int64
    path = file_in(tmp_path)
    shapes = {key: tuple(w.shape) for key, w in weights_file.weight_keys(layer)}
    good = {
        "norm/mean": torch.full(shapes["norm/mean"], 5.0),
        "norm/variance": torch.full(shapes["norm/variance"], 4.0),
        "norm/count": torch.tensor(7, dtype=torch.int32),
    }
    write_raw(path, good)
    load_weights(layer, path).assert_consumed()  # int32 -> int64 widens
    assert int(layer.count) == 7 and float(layer.mean.reshape(-1)[0]) == 5.0
    before = [w.detach().clone() for w in layer.weights]
    for key, bad in [
        ("norm/count", torch.tensor(7.0)),
        ("norm/mean", torch.full(shapes["norm/mean"], 1)),
        ("norm/count", torch.tensor(True)),
    ]:
        write_raw(path, {**good, key: bad})
        with pytest.raises(
            ValueError,
            match=rf"weight {key} is torch\.\w+ in the model but {bad.dtype} in the file "
            r"\(only floating point",
        ):
            load_weights(layer, path)
        for weight, old in zip(layer.weights, before):
            assert torch.equal(weight.detach(), old)
    write_raw(path, {**good, "norm/count": torch.tensor(7.0)})
    with pytest.warns(UserWarning, match=r"skipping weight norm/count .* torch.int64 in the model but torch.float32"):
        status = load_weights(layer, path, skip_mismatch=True)
    assert status.skipped == ("norm/count",)


# ----------------------------------------------------------------------------- broken files


def test_foreign_file_without_order_loads_by_path_only(tmp_path):
    path = file_in(tmp_path)
    model = make([2, 1], "a", seed=1)
    write_raw(path, {key: w.detach() for key, w in weights_file.weight_keys(model)}, order=False)
    clone = make([2, 1], "a", seed=2)
    load_weights(clone, path).assert_consumed()
    assert_weights(clone, model.get_weights())
    with pytest.raises(ValueError, match="no weight of .* matches model"):
        load_weights(make([2, 1], "b"), path)  # no recorded order: no positional guess


@given(cut=st.integers(0, 10_000), seed=st.integers(0, 2**16))
def test_truncated_or_flipped_files_are_errors_that_change_nothing(tmp_path_factory, cut, seed):
    folder = tmp_path_factory.mktemp("w")
    path = file_in(folder)
    save_weights(make([3, 2], "a", batch_norm=True, seed=1), path)
    data = bytearray(open(path, "rb").read())
    rng = np.random.default_rng(seed)
    if seed % 2:
        data = data[: cut % len(data)]
    else:  # flip one bit anywhere: header, metadata or tensor bytes
        position = int(rng.integers(len(data)))
        data[position] ^= 1 << int(rng.integers(8))
    with open(path, "wb") as f:
        f.write(data)
    model = make([3, 2], "a", batch_norm=True, seed=2)
    before = snapshot(model)
    try:
        status = load_weights(model, path)
    except ValueError as error:
        assert str(error).startswith(f"load_weights: {path!r} is ")
        assert_weights(model, before)
    else:  # a flip that keeps the file valid (e.g. in JSON whitespace or an ignored header field) loads correctly
        status.assert_consumed()
        assert_weights(model, make([3, 2], "a", batch_norm=True, seed=1).get_weights())


def test_checksum_catches_corrupted_tensor_bytes(tmp_path):
    path = file_in(tmp_path)
    save_weights(make([2], "a", seed=1), path)
    tensors = load_file(path)
    from safetensors import safe_open

    with safe_open(path, framework="pt") as f:
        metadata = f.metadata()
    tensors["a0/bias"] = tensors["a0/bias"] + 1
    save_file(tensors, path, metadata=metadata)
    model = make([2], "a", seed=2)
    before = snapshot(model)
    with pytest.raises(ValueError, match="weight a0/bias fails its CRC-32 check"):
        load_weights(model, path)
    assert_weights(model, before)


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("order", '{"a0/kernel": 1}', "recorded weight order is not a list"),
        ("order", '["a0/kernel", "a0/kernel"]', "recorded weight order is not a list of distinct"),
        ("order", '["a0/kernel"]', "recorded weight order names 1 weights but it holds 2"),
        ("order", "[" * 100_000, "is corrupt: its recorded weight order"),
        ("order", "not json", "is corrupt: its recorded weight order: is not valid JSON"),
        ("crc32", '{"a0/kernel": "x", "a0/bias": 1}', "recorded checksums do not list"),
        ("crc32", '{"a0/kernel": 1}', "recorded checksums do not list"),
    ],
)
def test_corrupt_metadata(tmp_path, field, value, message):
    path = file_in(tmp_path)
    model = make([2], "a")
    tensors = {key: w.detach() for key, w in weights_file.weight_keys(model)}
    metadata = {"order": json.dumps(list(tensors)), field: value}
    save_file(tensors, path, metadata=metadata)
    with pytest.raises(ValueError, match=message):
        load_weights(model, path)


def test_not_a_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_weights(make([1]), file_in(tmp_path))
    path = file_in(tmp_path)
    with open(path, "wb") as f:
        f.write(b"\x00" * 3)
    with pytest.raises(ValueError, match="is not a readable safetensors weights file"):
        load_weights(make([1]), path)
    with pytest.raises(ValueError, match="model.weights.safetensors is not a readable safetensors"):
        load_weights_bytes(make([1]), b"garbage")


# ----------------------------------------------------------------------------- names, dispatch, archives


def test_file_names(tmp_path):
    model = make([1])
    for name in ("w.h5", "w.hdf5", "w.keras"):  # any other name is a TensorFlow checkpoint prefix
        with pytest.raises(
            ValueError,
            match=r'save_weights: the file name must end in ".safetensors" or '
            rf'".weights.h5" .*received .*{name}',
        ):
            save_weights(model, str(tmp_path / name))
    (tmp_path / "w.pt").write_bytes(b"torch")
    with pytest.raises(ValueError, match=r'load_weights: the file name must end in ".safetensors", .*w\.pt'):
        load_weights(model, str(tmp_path / "w.pt"))
    with pytest.raises(ValueError, match="by_name=True applies to legacy Keras .h5 files only"):
        load_weights(model, file_in(tmp_path), by_name=True)


@pytest.mark.parametrize("zipped", [True, False])
def test_archives(tmp_path, zipped):
    from kerastorch.saving.safe_archive import write_archive

    model = make([2, 1], "a", batch_norm=True, seed=1)
    path = str(tmp_path / ("m.keras" if zipped else "m_dir"))
    write_archive(path, {"config.json": b"{}", "model.weights.safetensors": weights_bytes(model)}, zipped=zipped)
    clone = make([2, 1], "a", batch_norm=True, seed=2)
    status = load_weights(clone, path)
    assert status.consumed and status.source.endswith("model.weights.safetensors")
    assert_weights(clone, model.get_weights())
    write_archive(path, {"config.json": b"{}"}, zipped=zipped, own_names={"config.json", "model.weights.safetensors"})
    with pytest.raises(ValueError, match=r"holds no weights member \(model.weights.safetensors or model.weights.h5\)"):
        load_weights(clone, path)


def test_keras3_weights_h5_round_trip_and_dispatch(tmp_path):
    pytest.importorskip("h5py")
    model = make([3, 2], "a", batch_norm=True, seed=1)
    path = str(tmp_path / "m.weights.h5")
    save_weights(model, path)
    clone = make([3, 2], "a", batch_norm=True, seed=2)
    status = load_weights(clone, path)
    assert isinstance(status, LoadStatus) and status.consumed
    status.assert_consumed()
    np.testing.assert_allclose(predict(clone), predict(model), rtol=1e-6)
    with pytest.raises(ValueError, match="by_name=True applies to legacy Keras .h5 files"):
        load_weights(clone, path, by_name=True)


@pytest.mark.parity
def test_keras3_reads_ours_and_we_read_keras3(tmp_path, keras3):
    pytest.importorskip("h5py")
    ours = make([3, 2], "a", batch_norm=True, seed=1)
    theirs = keras3.Sequential(
        [keras3.Input((2,)), keras3.layers.Dense(3), keras3.layers.BatchNormalization(), keras3.layers.Dense(2)]
    )
    path = str(tmp_path / "ours.weights.h5")
    save_weights(ours, path)
    theirs.load_weights(path)
    x = np.linspace(-1, 1, 6, dtype="float32").reshape(3, 2)
    np.testing.assert_allclose(keras3.ops.convert_to_numpy(theirs(x)), predict(ours), rtol=1e-5, atol=1e-6)
    theirs.set_weights([w * 0.5 + 0.1 for w in theirs.get_weights()])
    path = str(tmp_path / "theirs.weights.h5")
    theirs.save_weights(path)
    load_weights(ours, path).assert_consumed()
    np.testing.assert_allclose(predict(ours), keras3.ops.convert_to_numpy(theirs(x)), rtol=1e-5, atol=1e-6)
    theirs.set_weights([w * 2.0 for w in theirs.get_weights()])
    path = str(tmp_path / "theirs.keras")
    theirs.save(path)  # a Keras 3 archive: its weights are the member model.weights.h5
    status = load_weights(ours, path)
    assert status.consumed and status.source.endswith("theirs.keras/model.weights.h5")
    np.testing.assert_allclose(predict(ours), keras3.ops.convert_to_numpy(theirs(x)), rtol=1e-5, atol=1e-6)


@pytest.mark.cuda
def test_cuda_weights_round_trip(tmp_path):
    kerastorch.config.set_device("cuda")
    model = make([3, 2], "a", batch_norm=True, seed=1)
    assert model.weights[0].device.type == "cuda"
    path = file_in(tmp_path)
    save_weights(model, path)
    kerastorch.config.set_device("cpu")
    clone = make([3, 2], "a", batch_norm=True, seed=2)
    load_weights(clone, path).assert_consumed()
    assert_weights(clone, model.get_weights())
    kerastorch.config.set_device("cuda")
    back = make([3, 2], "b", batch_norm=True, seed=3)
    load_weights(back, path).assert_consumed()
    assert back.weights[0].device.type == "cuda"
    assert_weights(back, model.get_weights())


# ----------------------------------------------------------------------------- atomic writes


def test_failed_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = file_in(tmp_path)
    old = make([2], "a", seed=1)
    save_weights(old, path)

    def broken(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError, match="No space left"):
        save_weights(make([2], "a", seed=2), path)
    assert os.listdir(tmp_path) == ["w.weights.safetensors"]
    clone = make([2], "a", seed=3)
    load_weights(clone, path).assert_consumed()
    assert_weights(clone, old.get_weights())
