"""tf.keras 2 users move over: the TensorFlow checkpoint form (``save_weights("ckpt")``), and tf.keras 2 files
(checkpoints, whole-model ``.h5``, SavedModel folders) loaded without TensorFlow.

The fixtures in tests/fixtures/tf_keras/ were written by tf.keras 2.21 (tools/make_tf_keras_fixtures.py): each
model trained a few steps, saved in the three forms, with its inputs, tf.keras's outputs, and its weights after one
more training step recorded. The ``tf``-marked test reads kerastorch's checkpoints back with TensorFlow itself; it
runs where TensorFlow with tf.keras 2 is importable (or ``KERASTORCH_TF_PYTHON`` names a Python that has it).
"""

import importlib.util
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

import kerastorch as keras
from kerastorch.saving import protobuf_wire as pb
from kerastorch.saving import tensor_bundle, tf_checkpoint
from kerastorch.saving.keras2_config import model_from_keras2_config, translate_model_config
from kerastorch.saving.tensor_bundle import BundleReader, crc32c, masked_crc32c, write_bundle
from kerastorch.saving.tf_saved_model import read_keras_metadata

FIXTURES = os.path.join(os.path.dirname(__file__), os.pardir, "fixtures", "tf_keras")
L = keras.layers
MODELS = ("mlp", "cnn", "lstm_text", "two_inputs", "legacy_optimizer")


# ----------------------------------------------------------------------------- the fixtures' architectures


def build(name):
    """The fixture's architecture written in kerastorch, compiled as tf.keras compiled it."""
    if name == "mlp":
        model = keras.Sequential(
            [keras.Input((5,)), L.Dense(8, activation="relu"), L.Dropout(0.25), L.Dense(3, activation="softmax")]
        )
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy")
    elif name == "cnn":
        model = keras.Sequential(
            [
                keras.Input((8, 8, 2)),
                L.Conv2D(4, 3, padding="same"),
                L.BatchNormalization(),
                L.Activation("relu"),
                L.MaxPooling2D(),
                L.Conv2D(3, 3, strides=2, use_bias=False),
                L.GlobalAveragePooling2D(),
                L.Dense(2),
            ]
        )
        model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9), loss="mse")
    elif name == "lstm_text":
        model = keras.Sequential(
            [
                keras.Input((7,), dtype="int32"),
                L.Embedding(20, 4, mask_zero=True),
                L.LSTM(5),
                L.Dense(1, activation="sigmoid"),
            ]
        )
        model.compile(optimizer=keras.optimizers.RMSprop(0.01), loss="binary_crossentropy")
    elif name == "two_inputs":
        numbers, extra = keras.Input((4,)), keras.Input((3,))
        merged = L.Concatenate()([L.Dense(6, activation="tanh")(numbers), L.Dense(2)(extra)])
        model = keras.Model([numbers, extra], L.Dense(1)(L.LayerNormalization()(merged)))
        model.compile(optimizer=keras.optimizers.Adam(0.005), loss="mse")
    else:
        model = keras.Sequential([keras.Input((3,)), L.Dense(4, activation="relu"), L.Dense(2)])
        model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
    return model


def io_of(name):
    arrays = np.load(os.path.join(FIXTURES, name, "io.npz"))
    xs = [arrays[key] for key in sorted(arrays.files) if key.startswith("x")]
    train = [arrays[key] for key in sorted(arrays.files) if key.startswith("train_x")]
    return arrays, (xs if len(xs) > 1 else xs[0]), (train if len(train) > 1 else train[0])


def load(name, form):
    path = os.path.join(FIXTURES, name, form)
    if form == "ckpt":
        model = build(name)
        model.load_weights(path).assert_consumed()
        return model
    return keras.models.load_model(path)


FORMS = [
    (name, form)
    for name in MODELS
    for form in ("ckpt", "model.h5", "saved_model")
    if not (name == "legacy_optimizer" and form == "saved_model")
]


@pytest.mark.parametrize("name,form", FORMS)
def test_fixture_predicts_what_tf_keras_predicted(name, form):
    arrays, x, _ = io_of(name)
    model = load(name, form)
    np.testing.assert_allclose(model.predict(x, verbose=0), arrays["y"], atol=1e-5, rtol=0)
    assert int(model.optimizer.iterations) == int(arrays["iterations"])  # the optimizer state came along


@pytest.mark.parametrize("name,form", [(n, f) for n, f in FORMS if n != "mlp"])  # (the MLP has Dropout)
def test_training_continues_as_in_tf_keras(name, form):
    """One more step from the loaded model gives tf.keras's weights: the optimizer's slots were restored."""
    arrays, _, train_x = io_of(name)
    model = load(name, form)
    model.train_on_batch(train_x, arrays["train_y"])
    for index, weight in enumerate(model.weights):
        if weight.path.endswith("moving_variance"):
            continue  # tf.keras 2's fused BatchNormalization updates it with the unbiased batch variance
        np.testing.assert_allclose(
            weight.detach().numpy(), arrays[f"after_step_{index}"], atol=1e-5, rtol=0, err_msg=weight.path
        )


def test_h5_and_saved_model_restore_the_training_config():
    model = keras.models.load_model(os.path.join(FIXTURES, "lstm_text", "model.h5"))
    assert type(model.optimizer).__name__ == "RMSprop"
    assert model.optimizer.learning_rate == pytest.approx(0.01)
    arrays, x, _ = io_of("lstm_text")
    logs = model.fit(x, arrays["y"].round(), epochs=1, verbose=0).history
    assert set(logs) == {"loss", "accuracy"} and np.isfinite(logs["loss"][0])
    saved = keras.models.load_model(os.path.join(FIXTURES, "mlp", "saved_model"))
    assert saved.name == "mlp" and [layer.name for layer in saved.layers] == ["hidden", "dropout", "probabilities"]
    uncompiled = keras.models.load_model(os.path.join(FIXTURES, "two_inputs", "model.h5"), compile=False)
    assert uncompiled.optimizer is None


def test_tf_train_checkpoint_and_latest_checkpoint():
    folder = os.path.join(FIXTURES, "train_checkpoint")
    prefix = keras.utils.latest_checkpoint(folder)
    assert prefix == os.path.join(folder, "ckpt-1")
    model = keras.Sequential([keras.Input((2,)), L.Dense(3, activation="relu"), L.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    status = model.load_weights(prefix)
    status.assert_consumed()  # tf.train.Checkpoint's save_counter is its own, not the model's
    arrays = np.load(os.path.join(folder, "io.npz"))
    np.testing.assert_allclose(model.predict(arrays["x0"], verbose=0), arrays["y"], atol=1e-5)
    assert int(model.optimizer.iterations) == 1


def test_load_weights_from_a_saved_model_folder():
    model = build("two_inputs")
    status = model.load_weights(os.path.join(FIXTURES, "two_inputs", "saved_model"))
    status.assert_existing_objects_matched()
    with pytest.raises(ValueError, match="did not use: keras_api/metrics"):
        status.assert_consumed()
    status.expect_partial()
    arrays, x, _ = io_of("two_inputs")
    np.testing.assert_allclose(model.predict(x, verbose=0), arrays["y"], atol=1e-5)


# ----------------------------------------------------------------------------- the seed's forms


def test_seed_forms_run_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    arrays, x, train_x = io_of("two_inputs")
    model = build("two_inputs")
    model.fit(x, arrays["y"], epochs=1, verbose=0)
    model.save_weights("ckpt")
    assert sorted(os.listdir(".")) == ["checkpoint", "ckpt.data-00000-of-00001", "ckpt.index"]
    clone = build("two_inputs")
    load_status = clone.load_weights("ckpt")
    load_status.assert_consumed()
    assert load_status.assert_existing_objects_matched() is load_status
    np.testing.assert_array_equal(clone.predict(x, verbose=0), model.predict(x, verbose=0))
    for key, value in model.optimizer.state_dict().items():
        torch.testing.assert_close(clone.optimizer.state_dict()[key], value, rtol=0, atol=0, msg=key)
    assert keras.utils.latest_checkpoint(".") == os.path.join(".", "ckpt")
    model.save("my_model")  # our folder format
    assert sorted(os.listdir("my_model")) == [
        "config.json",
        "metadata.json",
        "model.weights.safetensors",
        "optimizer.safetensors",
    ]
    uncompiled = keras.Model.from_config(model.get_config())
    status = uncompiled.load_weights("ckpt")
    with pytest.raises(ValueError, match="did not use: optimizer/"):
        status.assert_consumed()
    status.assert_existing_objects_matched()
    status.expect_partial().assert_consumed()


def test_our_checkpoint_has_tf_keras_keys(tmp_path):
    """What we write names every variable as tf.keras 2 does (same keys, shapes, dtypes and object graph)."""
    for name in ("cnn", "lstm_text", "two_inputs"):
        model = build(name)
        model.load_weights(os.path.join(FIXTURES, name, "ckpt")).assert_consumed()
        model.save_weights(str(tmp_path / name / "ckpt"))
        with (
            BundleReader(os.path.join(FIXTURES, name, "ckpt")) as theirs,
            BundleReader(tmp_path / name / "ckpt") as ours,
        ):
            assert ours.keys() == theirs.keys()
            for key in theirs.keys():
                if key != "_CHECKPOINTABLE_OBJECT_GRAPH":
                    assert ours.dtype(key) == theirs.dtype(key)
                    torch.testing.assert_close(ours.tensor(key), theirs.tensor(key), rtol=0, atol=0)


def test_save_weights_names(tmp_path):
    model = build("legacy_optimizer")
    model.save_weights(str(tmp_path / "weights.tf"))  # Keras 2's other spelling: a prefix too
    assert (tmp_path / "weights.tf.index").exists() and (tmp_path / "checkpoint").exists()
    for name in ("w.h5", "w.keras"):
        with pytest.raises(ValueError, match="TensorFlow checkpoint prefix"):
            model.save_weights(str(tmp_path / name))
    with pytest.raises(FileNotFoundError, match="no TensorFlow checkpoint"):
        model.load_weights(str(tmp_path / "absent"))
    os.remove(tmp_path / "weights.tf.data-00000-of-00001")
    with pytest.raises(FileNotFoundError, match="lacks its data file"):
        model.load_weights(str(tmp_path / "weights.tf"))
    with pytest.raises(ValueError, match="has no weights yet"):
        keras.Sequential([L.Dense(2)]).load_weights(os.path.join(FIXTURES, "legacy_optimizer", "ckpt"))


def test_checkpoint_mismatch_changes_nothing(tmp_path):
    small = keras.Sequential([keras.Input((3,)), L.Dense(4), L.Dense(2)])
    other = keras.Sequential([keras.Input((3,)), L.Dense(5), L.Dense(2)])
    small.save_weights(str(tmp_path / "ckpt"))
    before = [w.detach().clone() for w in other.weights]
    with pytest.raises(ValueError, match="has shape .* skip_mismatch"):
        other.load_weights(str(tmp_path / "ckpt"))
    assert all(torch.equal(a, b) for a, b in zip(before, other.weights))
    with pytest.warns(UserWarning, match="skipping weight"):
        status = other.load_weights(str(tmp_path / "ckpt"), skip_mismatch=True)
    assert status.skipped == ("dense_2/kernel", "dense_2/bias", "dense_3/kernel")
    assert torch.equal(other.weights[3], small.weights[3])


def test_subclassed_model_and_nested_layers_round_trip(tmp_path):
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.blocks = [L.Dense(3), L.Dense(3)]
            self.encoder = keras.Sequential([L.Dense(2)])
            self.attention = L.MultiHeadAttention(2, 2)

        def call(self, x):
            for block in self.blocks:
                x = block(x)
            x = self.encoder(x)
            return self.attention(x[:, None], x[:, None])[:, 0]

    x = np.ones((2, 4), "float32")
    model, clone = Net(), Net()
    model(x), clone(x)
    model.save_weights(str(tmp_path / "ckpt"))
    clone.load_weights(str(tmp_path / "ckpt")).assert_consumed()
    np.testing.assert_array_equal(clone(x).detach().numpy(), model(x).detach().numpy())
    with BundleReader(tmp_path / "ckpt") as reader:
        assert "blocks/1/kernel/.ATTRIBUTES/VARIABLE_VALUE" in reader.keys()
        assert "encoder/layer_with_weights-0/bias/.ATTRIBUTES/VARIABLE_VALUE" in reader.keys()
        assert "attention/_query_dense/kernel/.ATTRIBUTES/VARIABLE_VALUE" in reader.keys()


def test_a_saved_model_folder_is_never_overwritten(tmp_path):
    target = tmp_path / "my_model"
    shutil.copytree(os.path.join(FIXTURES, "cnn", "saved_model"), target)
    before = sorted(os.listdir(target))
    with pytest.raises(FileExistsError, match="TensorFlow SavedModel folder"):
        build("cnn").save(str(target))
    assert sorted(os.listdir(target)) == before
    assert keras.models.load_model(str(target)).name == "cnn"


# ----------------------------------------------------------------------------- crash safety


def _killed_at(step, work):
    """Run ``work`` in a forked child killed just before its ``step``-th rename, replace, remove or fsync."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        count = [0]
        for name in ("rename", "replace", "remove", "fsync"):
            original = getattr(os, name)

            def hooked(*args, _original=original, **kwargs):
                if count[0] == step:
                    os.kill(os.getpid(), signal.SIGKILL)
                count[0] += 1
                return _original(*args, **kwargs)

            setattr(os, name, hooked)
        try:
            work()
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.WIFSIGNALED(status)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_crash_leaves_the_old_or_the_new_checkpoint(tmp_path):
    keras.config.set_device("cpu")
    prefix = str(tmp_path / "ckpt")
    old, new = build("legacy_optimizer"), build("legacy_optimizer")
    old.save_weights(prefix)
    versions = [[w.detach().clone() for w in model.weights] for model in (old, new)]
    reader = build("legacy_optimizer")
    for step in range(40):
        killed = _killed_at(step, lambda: new.save_weights(prefix))
        reader.load_weights(prefix).assert_consumed()
        loaded = [w.detach() for w in reader.weights]
        assert any(all(torch.equal(a, b) for a, b in zip(loaded, version)) for version in versions), step
        if not killed:
            assert all(torch.equal(a, b) for a, b in zip(loaded, versions[1]))
            break
        old.save_weights(prefix)  # the old version again, for the next crash point
    else:
        raise AssertionError("the save did not finish within 40 steps")
    assert step >= 4
    assert sorted(os.listdir(tmp_path)) == ["checkpoint", "ckpt.data-00000-of-00001", "ckpt.index"]


# ----------------------------------------------------------------------------- hostile files


def _small_checkpoint(tmp_path):
    prefix = str(tmp_path / "ckpt")
    write_bundle(prefix, {"a": torch.arange(6.0).reshape(2, 3), "b": torch.ones(4), "s": b"text"})
    return prefix


def _raw_index(tmp_path, block, kind=0, index_handle=None, name="bad"):
    """An index file around one data block of our making: ``kind`` is its compression byte, ``index_handle``
    a lying ``(offset, size)`` for the index block."""
    trailer = bytes([kind])
    table = block + trailer + struct.pack("<I", masked_crc32c(block + trailer))
    index = tensor_bundle._block([(b"\xff", pb.encode_varint(0) + pb.encode_varint(len(block)))], 1)
    offset, size = index_handle or (len(table), len(index))
    table += index + b"\0" + struct.pack("<I", masked_crc32c(index + b"\0"))
    footer = b"".join(pb.encode_varint(v) for v in (0, 0, offset, size)).ljust(40, b"\0")
    (tmp_path / f"{name}.index").write_bytes(table + footer + struct.pack("<Q", tensor_bundle.TABLE_MAGIC))
    return str(tmp_path / name)


def _index_with(tmp_path, pairs, **kwargs):
    """An index holding the header and ``pairs`` of ``(key, entry proto bytes)``."""
    return _raw_index(tmp_path, tensor_bundle._block([(b"", pb.varint_field(1, 1))] + pairs, 16), **kwargs)


def entry(offset=0, size=4, shape=(1,), dtype=1, crc=0):
    return tensor_bundle._entry_proto(dtype, shape, offset, size, crc)


def test_truncated_index(tmp_path):
    prefix = _small_checkpoint(tmp_path)
    data = open(prefix + ".index", "rb").read()
    for cut in (0, 7, len(data) // 2, len(data) - 49, len(data) - 1):
        (tmp_path / "cut.index").write_bytes(data[:cut])
        with pytest.raises(ValueError, match="is corrupt"):
            BundleReader(tmp_path / "cut")


def test_lying_offsets_and_sizes(tmp_path):
    (tmp_path / "bad.data-00000-of-00001").write_bytes(b"\0" * 8)
    with BundleReader(_index_with(tmp_path, [(b"w", entry(offset=6))])) as reader:
        with pytest.raises(ValueError, match="lies at offset 6 .* past its end"):
            reader.tensor("w")
    with pytest.raises(ValueError, match="needs 8 bytes but its entry records 4"):
        BundleReader(_index_with(tmp_path, [(b"w", entry(shape=(2,)))]))
    with pytest.raises(ValueError, match="lies past the end of the file"):
        BundleReader(_index_with(tmp_path, [(b"w", entry())], index_handle=(10**6, 20)))
    with pytest.raises(ValueError, match="shard 3 but the bundle has 1"):
        BundleReader(_index_with(tmp_path, [(b"w", entry() + pb.varint_field(3, 3))]))
    with pytest.raises(ValueError, match="not in increasing order"):
        BundleReader(_raw_index(tmp_path, tensor_bundle._block([(b"", b""), (b"b", entry()), (b"a", entry())], 1)))
    with pytest.raises(ValueError, match="shares more of the previous key than it has"):
        BundleReader(_raw_index(tmp_path, b"\x00\x00\x00" + b"\x05\x01\x00z" + struct.pack("<II", 0, 1)))
    with pytest.raises(ValueError, match="claims 1000 restart points"):
        BundleReader(_raw_index(tmp_path, b"\x00\x00\x00" + struct.pack("<I", 1000)))


def test_a_huge_block_size(tmp_path):
    with pytest.raises(ValueError, match="claims 1099511627776 bytes; the limit is MAX_BLOCK_BYTES"):
        BundleReader(_index_with(tmp_path, [(b"w", entry())], index_handle=(0, 2**40)))
    with pytest.raises(ValueError, match="is compressed"):
        BundleReader(_index_with(tmp_path, [(b"w", entry())], kind=1))


def test_crc_mismatch(tmp_path):
    prefix = _small_checkpoint(tmp_path)
    index = bytearray(open(prefix + ".index", "rb").read())
    index[3] ^= 0x40  # inside the first data block
    (tmp_path / "flipped.index").write_bytes(bytes(index))
    with pytest.raises(ValueError, match="data block at offset 0 fails its CRC-32C check"):
        BundleReader(tmp_path / "flipped")
    data = bytearray(open(prefix + ".data-00000-of-00001", "rb").read())
    data[2] ^= 0x01  # inside tensor "a"
    open(prefix + ".data-00000-of-00001", "wb").write(bytes(data))
    with BundleReader(prefix) as reader:
        with pytest.raises(ValueError, match="tensor 'a' fails its CRC-32C check"):
            reader.tensor("a")
        assert reader.tensor("b").tolist() == [1.0] * 4 and reader.strings("s") == [b"text"]


def test_a_corrupt_checkpoint_changes_no_weight(tmp_path):
    model = build("legacy_optimizer")
    model.save_weights(str(tmp_path / "ckpt"))
    data = bytearray((tmp_path / "ckpt.data-00000-of-00001").read_bytes())
    data[-1] ^= 0xFF
    (tmp_path / "ckpt.data-00000-of-00001").write_bytes(bytes(data))
    clone = build("legacy_optimizer")
    before = [w.detach().clone() for w in clone.weights]
    with pytest.raises(ValueError, match="fails its CRC-32C check"):
        clone.load_weights(str(tmp_path / "ckpt"))
    assert all(torch.equal(a, b) for a, b in zip(before, clone.weights))


def test_hostile_object_graph_and_strings(tmp_path):
    bad_node = pb.bytes_field(1, pb.bytes_field(1, pb.varint_field(1, 7) + pb.bytes_field(2, "kernel")))
    write_bundle(str(tmp_path / "graph"), {"_CHECKPOINTABLE_OBJECT_GRAPH": bad_node})
    with pytest.raises(ValueError, match="refers to a node past the last"):
        build("legacy_optimizer").load_weights(str(tmp_path / "graph"))
    write_bundle(str(tmp_path / "noname"), {"kernel": torch.ones(2)})
    with pytest.raises(ValueError, match="TensorFlow 1 name-based checkpoint"):
        build("legacy_optimizer").load_weights(str(tmp_path / "noname"))
    (tmp_path / "strings.data-00000-of-00001").write_bytes(pb.encode_varint(1000) + b"\0" * 10)
    reader = BundleReader(_index_with(tmp_path, [(b"s", entry(size=12, shape=(), dtype=7))], name="strings"))
    with pytest.raises(ValueError, match="lengths that do not add up"):
        reader.strings("s")


def test_malformed_protocol_buffers():
    with pytest.raises(ValueError, match="longer than 10 bytes"):
        pb.parse(b"\x08" + b"\xff" * 11, "demo")
    with pytest.raises(ValueError, match="wire type 3"):
        pb.parse(b"\x0b", "demo")
    with pytest.raises(ValueError, match="claims 5 bytes"):
        pb.parse(b"\x0a\x05ab", "demo")
    with pytest.raises(ValueError, match="field number 0"):
        pb.parse(b"\x00\x01", "demo")


def _fake_saved_model(tmp_path, model_config, identifier="_tf_keras_sequential", data=None):
    folder = tmp_path / "saved_model"
    folder.mkdir()
    (folder / "saved_model.pb").write_bytes(b"")
    write_bundle(str(folder / "variables" / "variables"), {"_CHECKPOINTABLE_OBJECT_GRAPH": pb.bytes_field(1, b"")})
    metadata = json.dumps({"class_name": "Sequential", "model_config": model_config})
    node = pb.bytes_field(3, "root") + pb.bytes_field(4, identifier) + pb.bytes_field(5, metadata)
    (folder / "keras_metadata.pb").write_bytes(pb.bytes_field(1, node) if data is None else data)
    return str(folder)


def _sequential(*layers):
    return {
        "class_name": "Sequential",
        "config": {
            "name": "m",
            "layers": [{"class_name": "InputLayer", "config": {"batch_input_shape": [None, 3], "name": "in"}}, *layers],
        },
    }


@pytest.mark.parametrize(
    "layer,message",
    [
        ({"class_name": "EvilLayer", "config": {"name": "evil"}}, "Unknown layer: 'EvilLayer'"),
        (
            {"class_name": "system", "module": "os", "config": {"name": "rm", "command": "rm -rf /"}},
            "Unknown layer: 'system'",
        ),
        (
            {"class_name": "TFOpLambda", "config": {"name": "tf.math.add", "function": "math.add"}},
            r"layer 'tf.math.add' \(TFOpLambda\) is a TensorFlow op \(math.add\)",
        ),
        (
            {
                "class_name": "Lambda",
                "config": {"name": "scale", "function": ["YQ==", None, None], "function_type": "lambda"},
            },
            r"layer 'scale' \(Lambda\) is a Keras 2 Lambda .* refused in safe mode",
        ),
        (
            {"class_name": "LSTM", "config": {"name": "rnn", "units": 2, "time_major": True}},
            r"layer 'rnn' \(LSTM\): the Keras 2 argument time_major=True",
        ),
    ],
)
def test_keras_metadata_naming_an_unknown_or_unsafe_class(tmp_path, layer, message):
    folder = _fake_saved_model(tmp_path, _sequential(layer))
    with pytest.raises(ValueError, match=message):
        keras.models.load_model(folder)


def test_broken_keras_metadata(tmp_path):
    with pytest.raises(ValueError, match="is not a valid protocol buffer"):
        keras.models.load_model(_fake_saved_model(tmp_path, None, data=b"\x0a\xff\x01"))
    shutil.rmtree(tmp_path / "saved_model")
    with pytest.raises(ValueError, match="subclassed tf.keras model"):
        keras.models.load_model(_fake_saved_model(tmp_path, None, identifier="_tf_keras_model"))
    shutil.rmtree(tmp_path / "saved_model")
    folder = _fake_saved_model(tmp_path, _sequential())
    os.remove(os.path.join(folder, "keras_metadata.pb"))
    with pytest.raises(ValueError, match="without keras_metadata.pb"):
        keras.models.load_model(folder)
    assert read_keras_metadata(b"", "empty") == []


def test_lambda_with_tensorflow_code_is_refused_even_when_trusted():
    import base64
    import marshal

    code = base64.encodebytes(marshal.dumps((lambda x: tf.square(x)).__code__)).decode()  # noqa: F821
    config = _sequential(
        {
            "class_name": "Lambda",
            "config": {"name": "square", "function": [code, None, None], "function_type": "lambda"},
        }
    )
    with pytest.raises(ValueError, match=r"layer 'square' \(Lambda\) is a Lambda whose code uses TensorFlow \(tf\)"):
        model_from_keras2_config(config, "test", safe_mode=False)
    plain = base64.encodebytes(marshal.dumps((lambda x: x * 2).__code__)).decode()
    config["config"]["layers"][1]["config"]["function"] = [plain, None, None]
    model = model_from_keras2_config(config, "test", safe_mode=False)
    assert model(torch.ones(1, 3)).tolist() == [[2.0, 2.0, 2.0]]


def test_translation_of_keras2_configs():
    config = translate_model_config(
        {
            "class_name": "Functional",
            "config": {
                "name": "f",
                "layers": [
                    {
                        "class_name": "InputLayer",
                        "name": "a",
                        "inbound_nodes": [],
                        "config": {"batch_input_shape": {"class_name": "__tuple__", "items": [None, 2]}, "name": "a"},
                    },
                    {
                        "class_name": "BatchNormalization",
                        "name": "bn",
                        "inbound_nodes": [[["a", 0, 0, {}]]],
                        "config": {
                            "name": "bn",
                            "axis": [1],
                            "fused": None,
                            "virtual_batch_size": None,
                            "dtype": {"class_name": "Policy", "config": {"name": "float32"}},
                        },
                    },
                ],
                "input_layers": [["a", 0, 0]],
                "output_layers": [["bn", 0, 0]],
            },
        },
        "test",
    )
    bn = config["config"]["layers"][1]
    assert bn["config"] == {"name": "bn", "axis": 1, "dtype": "float32"}
    assert bn["inbound_nodes"] == [
        {
            "args": [
                {
                    "class_name": "__keras_tensor__",
                    "config": {"shape": None, "dtype": None, "keras_history": ["a", 0, 0]},
                }
            ],
            "kwargs": {},
        }
    ]
    assert config["config"]["input_layers"] == ["a", 0, 0]
    assert config["config"]["layers"][0]["config"]["batch_input_shape"] == [None, 2]


def test_checkpoint_state_file(tmp_path):
    assert keras.utils.latest_checkpoint(str(tmp_path)) is None
    (tmp_path / "checkpoint").write_text('model_checkpoint_path: "gone"\n')
    assert keras.utils.latest_checkpoint(str(tmp_path)) is None  # its index does not exist
    (tmp_path / "checkpoint").write_text("model_checkpoint_path: ckpt\n")
    with pytest.raises(ValueError, match="malformed at line 1"):
        keras.utils.latest_checkpoint(str(tmp_path))
    tf_checkpoint.write_checkpoint_state(str(tmp_path), 'odd "name"\n', None)
    assert tf_checkpoint.read_checkpoint_state(str(tmp_path))["model_checkpoint_path"] == 'odd "name"\n'


def test_crc32c_in_blocks_equals_the_bytewise_function():
    from kerastorch.backend.hashing import crc32c as bytewise

    rng = np.random.default_rng(0)
    for size in (0, 1, 16383, 16384, 70001, 2**18 + 3):
        data = rng.integers(0, 256, size, dtype=np.uint8).tobytes()
        assert crc32c(data) == bytewise(data), size


# ----------------------------------------------------------------------------- tf.keras reads ours back


def _tf_python():
    if importlib.util.find_spec("tensorflow") is not None and importlib.util.find_spec("tf_keras") is not None:
        return sys.executable
    candidate = os.environ.get("KERASTORCH_TF_PYTHON")
    if candidate and os.path.exists(candidate):
        return candidate
    pytest.skip(
        "needs TensorFlow with tf.keras 2 (pip install tensorflow-cpu tf-keras), or KERASTORCH_TF_PYTHON "
        "naming a Python that has them"
    )


_TF_SCRIPT = textwrap.dedent("""
    import os, sys
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import numpy as np, tensorflow as tf
    keras, L = tf.keras, tf.keras.layers
    folder = sys.argv[1]
    for name in ("cnn", "lstm_text", "two_inputs"):
        {builders}
        model = build()
        model.optimizer.build(model.trainable_variables)
        model.load_weights(tf.train.latest_checkpoint(os.path.join(folder, name))).assert_consumed()
        ref = np.load(os.path.join(folder, name, "ref.npz"))
        xs = [ref[k] for k in sorted(ref.files) if k.startswith("x")]
        assert np.abs(model.predict(xs if len(xs) > 1 else xs[0], verbose=0) - ref["y"]).max() < 1e-5, name
        assert int(model.optimizer.iterations) == int(ref["iterations"]), name
        slots = [v.numpy() for v in model.optimizer.variables[1:]]
        assert len(slots) == len(ref.files) - len(xs) - 2 and all(
            np.abs(a - ref[f"slot_{{i}}"]).max() < 1e-6 for i, a in enumerate(slots)), name
    print("READ BACK")
""")
_TF_BUILDERS = textwrap.indent(
    textwrap.dedent("""
    def build():
        if name == "cnn":
            model = keras.Sequential([keras.Input((8, 8, 2)), L.Conv2D(4, 3, padding="same"), L.BatchNormalization(),
                                      L.Activation("relu"), L.MaxPooling2D(), L.Conv2D(3, 3, strides=2, use_bias=False),
                                      L.GlobalAveragePooling2D(), L.Dense(2)])
            model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9), loss="mse")
        elif name == "lstm_text":
            model = keras.Sequential([keras.Input((7,), dtype="int32"), L.Embedding(20, 4, mask_zero=True), L.LSTM(5),
                                      L.Dense(1, activation="sigmoid")])
            model.compile(optimizer=keras.optimizers.RMSprop(0.01), loss="binary_crossentropy")
        else:
            numbers, extra = keras.Input((4,)), keras.Input((3,))
            merged = L.Concatenate()([L.Dense(6, activation="tanh")(numbers), L.Dense(2)(extra)])
            model = keras.Model([numbers, extra], L.Dense(1)(L.LayerNormalization()(merged)))
            model.compile(optimizer=keras.optimizers.Adam(0.005), loss="mse")
        return model
"""),
    "    ",
).strip()


@pytest.mark.tf
def test_tf_keras_reads_our_checkpoints(tmp_path):
    python = _tf_python()
    for name in ("cnn", "lstm_text", "two_inputs"):
        arrays, x, train_x = io_of(name)
        model = build(name)
        model.fit(x, arrays["y"], epochs=2, batch_size=4, verbose=0)
        model.save_weights(str(tmp_path / name / "ckpt"))
        xs = x if isinstance(x, list) else [x]
        state = model.optimizer.state_dict()
        slots = [state[key].detach().numpy() for key in state if "/" in key]
        np.savez(
            tmp_path / name / "ref.npz",
            y=model.predict(x, verbose=0),
            iterations=int(model.optimizer.iterations),
            **{f"x{i}": array for i, array in enumerate(xs)},
            **{f"slot_{i}": s for i, s in enumerate(slots)},
        )
    script = _TF_SCRIPT.replace("{builders}", _TF_BUILDERS).replace("{{i}}", "{i}")
    done = subprocess.run([python, "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert "READ BACK" in done.stdout, done.stdout[-2000:] + done.stderr[-4000:]


def test_overwrite_false_protects_an_existing_checkpoint(tmp_path):
    import kerastorch as keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    prefix = str(tmp_path / "ckpt")
    model.save_weights(prefix)
    before = (tmp_path / "ckpt.index").read_bytes()
    with pytest.raises(FileExistsError, match="exists and overwrite=False"):
        model.save_weights(prefix, overwrite=False)
    assert (tmp_path / "ckpt.index").read_bytes() == before
