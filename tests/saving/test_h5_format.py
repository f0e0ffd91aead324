"""Keras HDF5 weight files: Keras 3's ``.weights.h5`` layout (read/write) and the legacy layout (read).

Files are built with h5py in the layouts Keras writes; with the ``keras3`` fixture, models saved by
Keras 3 load in kerastorch with the same predictions and kerastorch's files load in Keras 3.
"""

import io
import json
import sys
import zipfile

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import kerastorch
from kerastorch import layers
from kerastorch.saving.h5_format import (
    is_keras3_weights_h5,
    is_legacy_h5,
    load_keras_weights_h5,
    load_legacy_h5_weights,
    write_keras_weights_h5,
)

h5py = pytest.importorskip("h5py")

TOL = dict(rtol=1e-5, atol=1e-5)
BLOCKS = [
    "dense",
    "batch_norm",
    "lstm",
    "bidirectional_gru",
    "conv1d",
    "mha",
    "layer_norm",
    "nested_sequential",
    "nested_functional",
    "time_distributed",
    "simple_rnn",
]


def _np(x):
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def _keras_block(keras, kind, x, width):
    L = keras.layers
    if kind == "dense":
        return L.Dense(width)(x)
    if kind == "batch_norm":
        return L.BatchNormalization()(x)
    if kind == "lstm":
        return L.LSTM(width, return_sequences=True)(x)
    if kind == "bidirectional_gru":
        return L.Bidirectional(L.GRU(width, return_sequences=True))(x)
    if kind == "conv1d":
        return L.Conv1D(width, 2, padding="same")(x)
    if kind == "mha":
        return L.MultiHeadAttention(2, 2)(x, x)
    if kind == "layer_norm":
        return L.LayerNormalization()(x)
    if kind == "nested_sequential":
        return keras.Sequential([keras.Input(tuple(x.shape[1:])), L.Dense(width), L.BatchNormalization()])(x)
    if kind == "nested_functional":
        inner_in = keras.Input(tuple(x.shape[1:]))
        return keras.Model(inner_in, L.Dense(width)(L.Dense(width)(inner_in)))(x)
    if kind == "time_distributed":
        return L.TimeDistributed(L.Dense(width))(x)
    return L.SimpleRNN(width, return_sequences=True)(x)


def _keras_model(keras, kinds, width, features=3):
    inputs = keras.Input((4, features))
    x = inputs
    for kind in kinds:
        x = _keras_block(keras, kind, x, width)
    return keras.Model(inputs, x)


def _randomize(weights_owner, rng):
    """Random positive values (valid as moving variances too) for every weight."""
    return [rng.uniform(0.5, 1.5, w.shape).astype(w.dtype) for w in weights_owner.get_weights()]


def _ours_from_keras(keras, keras_model):
    config = json.loads(json.dumps(keras.saving.serialize_keras_object(keras_model)))
    return kerastorch.saving.deserialize_keras_object(config)


def _keras_from_ours(keras, model):
    config = json.loads(json.dumps(kerastorch.saving.serialize_keras_object(model)))
    return keras.saving.deserialize_keras_object(config)


def _predict_keras(keras_model, x):
    return _np(keras_model(x, training=False))


def _predict_ours(model, x):
    with torch.no_grad():
        return _np(model(torch.as_tensor(x), training=False))


def _dense_pair(name="fc"):
    def make():
        return kerastorch.Sequential([kerastorch.Input((3,)), layers.Dense(2, name=name)])

    return make(), make()


# --------------------------------------------------------------- Keras 3 parity
@pytest.mark.parity
@given(
    kinds=st.lists(st.sampled_from(BLOCKS), min_size=1, max_size=3), width=st.integers(2, 3), seed=st.integers(0, 2**16)
)
def test_keras3_weights_h5_loads_both_ways(keras3, tmp_path, kinds, width, seed):
    rng = np.random.default_rng(seed)
    keras_model = _keras_model(keras3, kinds, width)
    keras_model.set_weights(_randomize(keras_model, rng))
    x = rng.standard_normal((2, 4, 3)).astype("float32")
    keras_model.save_weights(str(tmp_path / "keras.weights.h5"))

    ours = _ours_from_keras(keras3, keras_model)
    result = load_keras_weights_h5(ours, str(tmp_path / "keras.weights.h5"))
    assert (result.missing, result.unused, result.skipped) == ([], [], [])
    assert len(result.loaded) == len(ours.weights)
    np.testing.assert_allclose(_predict_ours(ours, x), _predict_keras(keras_model, x), **TOL)

    ours.set_weights(_randomize(ours, rng))  # new values, written by kerastorch, read by Keras
    write_keras_weights_h5(ours, str(tmp_path / "ours.weights.h5"))
    back = _keras_from_ours(keras3, ours)
    back.load_weights(str(tmp_path / "ours.weights.h5"))
    for theirs, mine in zip(back.get_weights(), ours.get_weights()):
        np.testing.assert_array_equal(theirs, mine)
    np.testing.assert_allclose(_predict_keras(back, x), _predict_ours(ours, x), **TOL)


MORE_LAYERS = {
    "conv2d": (lambda L: L.Conv2D(2, 2), (2, 4, 4, 3)),
    "separable_conv2d": (lambda L: L.SeparableConv2D(2, 2), (2, 4, 4, 3)),
    "depthwise_conv2d": (lambda L: L.DepthwiseConv2D(2), (2, 4, 4, 3)),
    "conv2d_transpose": (lambda L: L.Conv2DTranspose(2, 2), (2, 4, 4, 3)),
    "group_norm": (lambda L: L.GroupNormalization(3), (2, 4, 3)),
    "einsum_dense": (lambda L: L.EinsumDense("ab,bc->ac", output_shape=4, bias_axes="c"), (2, 3)),
    "conv_lstm1d": (lambda L: L.ConvLSTM1D(2, 2), (2, 3, 5, 3)),
    "prelu": (lambda L: L.PReLU(), (2, 3)),
    "stacked_cells": (lambda L: L.RNN([L.SimpleRNNCell(2), L.LSTMCell(3)]), (2, 4, 3)),
    "spectral_norm": (lambda L: L.SpectralNormalization(L.Dense(3)), (2, 4)),
    "normalization": (lambda L: L.Normalization(), (2, 3)),  # a 0-d weight (count)
    "attention_scale": (lambda L: L.Attention(use_scale=True), (2, 3, 4)),  # a 0-d weight, two inputs
    "grouped_query_attention": (lambda L: L.GroupQueryAttention(2, 2, 1), (2, 3, 4)),  # private h5 names
}


@pytest.mark.parity
@pytest.mark.parametrize("kind", sorted(MORE_LAYERS))
def test_more_layer_kinds_load_both_ways(keras3, tmp_path, kind):
    make, shape = MORE_LAYERS[kind]
    rng = np.random.default_rng(5)
    inputs = keras3.Input(shape[1:])
    layer = make(keras3.layers)
    if kind == "attention_scale":
        outputs = layer([inputs, inputs])
    elif kind == "grouped_query_attention":
        outputs = layer(inputs, inputs)
    else:
        outputs = layer(inputs)
    keras_model = keras3.Model(inputs, outputs)
    keras_model.set_weights(_randomize(keras_model, rng))
    keras_model.save_weights(str(tmp_path / "keras.weights.h5"))
    ours = _ours_from_keras(keras3, keras_model)
    result = load_keras_weights_h5(ours, str(tmp_path / "keras.weights.h5"))
    assert (result.missing, result.unused, result.skipped) == ([], [], []) and result.loaded
    x = rng.standard_normal(shape).astype("float32")
    np.testing.assert_allclose(_predict_ours(ours, x), _predict_keras(keras_model, x), rtol=1e-5, atol=2e-5)
    ours.set_weights(_randomize(ours, rng))
    write_keras_weights_h5(ours, str(tmp_path / "ours.weights.h5"))
    back = _keras_from_ours(keras3, ours)
    back.load_weights(str(tmp_path / "ours.weights.h5"))
    for theirs, mine in zip(back.get_weights(), ours.get_weights()):
        np.testing.assert_array_equal(theirs, mine)


class _KerasSubclassed:
    """Built lazily so that importing this module does not need keras."""

    cls = None

    @classmethod
    def get(cls, keras):
        if cls.cls is None:

            class Net(keras.Model):
                def __init__(self):
                    super().__init__()
                    self.hidden = keras.layers.Dense(3)
                    self.blocks = [keras.layers.Dense(2), keras.layers.Dense(2)]
                    self.norm = keras.layers.BatchNormalization()
                    self.out = keras.layers.Dense(1)

                def call(self, x):
                    x = self.hidden(x)
                    for block in self.blocks:
                        x = block(x)
                    return self.out(self.norm(x))

            cls.cls = Net
        return cls.cls()


class _OurSubclassed(kerastorch.Model):
    def __init__(self):
        super().__init__()
        self.hidden = layers.Dense(3)
        self.blocks = [layers.Dense(2), layers.Dense(2)]
        self.norm = layers.BatchNormalization()
        self.out = layers.Dense(1)

    def call(self, x):
        x = self.hidden(x)
        for block in self.blocks:
            x = block(x)
        return self.out(self.norm(x))


@pytest.mark.parity
def test_subclassed_model_paths_match_keras(keras3, tmp_path):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4)).astype("float32")
    theirs = _KerasSubclassed.get(keras3)
    theirs(x)
    theirs.set_weights(_randomize(theirs, rng))
    theirs.save_weights(str(tmp_path / "keras.weights.h5"))
    ours = _OurSubclassed()
    ours(torch.as_tensor(x))
    load_keras_weights_h5(ours, str(tmp_path / "keras.weights.h5"))
    np.testing.assert_allclose(_predict_ours(ours, x), _predict_keras(theirs, x), **TOL)

    write_keras_weights_h5(ours, str(tmp_path / "ours.weights.h5"))
    with h5py.File(tmp_path / "ours.weights.h5") as ours_file, h5py.File(tmp_path / "keras.weights.h5") as keras_file:

        def groups(f):
            found = []
            f.visititems(lambda name, obj: found.append(name) if isinstance(obj, h5py.Group) else None)
            return sorted(found)

        assert groups(ours_file) == groups(keras_file)
    again = _KerasSubclassed.get(keras3)
    again(x)
    again.load_weights(str(tmp_path / "ours.weights.h5"))
    np.testing.assert_allclose(_predict_keras(again, x), _predict_ours(ours, x), **TOL)


@pytest.mark.parity
@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_keras_archive_with_optimizer_state_continues_training(keras3, tmp_path, optimizer):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 4, 3)).astype("float32")
    y = rng.standard_normal((4, 4, 2)).astype("float32")
    # (a bias just before a BatchNormalization has a ~0 gradient, which Adam turns into round-off noise)
    keras_model = _keras_model(keras3, ["batch_norm", "dense"], 2)
    keras_model.compile(optimizer=optimizer, loss="mse")
    keras_model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    keras_model.save(str(tmp_path / "model.keras"))

    ours = _ours_from_keras(keras3, keras_model)
    ours.compile(optimizer=optimizer, loss="mse")
    result = load_keras_weights_h5(ours, str(tmp_path / "model.keras"))  # the archive's model.weights.h5
    assert result.unused == []
    np.testing.assert_allclose(_predict_ours(ours, x), _predict_keras(keras_model, x), **TOL)
    keras_state = [_np(v) for v in keras_model.optimizer.variables]
    our_state = [_np(t) for t in ours.optimizer.variables]
    assert len(our_state) == len(keras_state)
    for mine, theirs in zip(our_state, keras_state):
        np.testing.assert_allclose(mine, theirs, **TOL)

    keras_model.fit(x, y, epochs=1, batch_size=4, verbose=0, shuffle=False)
    ours.fit(x, y, epochs=1, batch_size=4, verbose=0, shuffle=False)
    for mine, theirs in zip(ours.get_weights(), keras_model.get_weights()):
        np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=1e-5)


@pytest.mark.parity
def test_our_optimizer_state_loads_in_keras(keras3, tmp_path):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 4, 3)).astype("float32")
    y = rng.standard_normal((4, 4, 2)).astype("float32")
    ours = kerastorch.Model.from_config(_keras_model(keras3, ["dense", "batch_norm"], 2).get_config())
    ours.compile(optimizer="adam", loss="mse")
    ours.fit(x, y, epochs=3, batch_size=2, verbose=0)
    path = str(tmp_path / "ours.weights.h5")
    write_keras_weights_h5(ours, path, optimizer=ours.optimizer)

    theirs = _keras_from_ours(keras3, ours)
    theirs.compile(optimizer="adam", loss="mse")
    theirs.optimizer.build(theirs.trainable_variables)
    theirs.load_weights(path)
    assert int(_np(theirs.optimizer.iterations)) == 6
    for mine, other in zip(ours.optimizer.variables, theirs.optimizer.variables):
        np.testing.assert_allclose(_np(other), _np(mine), **TOL)
    np.testing.assert_allclose(_predict_keras(theirs, x), _predict_ours(ours, x), **TOL)


@pytest.mark.parity
def test_archive_made_of_our_members_loads_in_keras(keras3, tmp_path):
    """A .keras zip of our config.json and write_keras_weights_h5 output is a Keras 3 model file."""
    rng = np.random.default_rng(3)
    ours = kerastorch.Model.from_config(_keras_model(keras3, ["lstm", "dense"], 2).get_config())
    ours.set_weights(_randomize(ours, rng))
    path = tmp_path / "ours.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", json.dumps(kerastorch.saving.serialize_keras_object(ours)))
        archive.writestr("metadata.json", json.dumps({"keras_version": keras3.__version__}))
        archive.writestr("model.weights.h5", write_keras_weights_h5(ours))
    theirs = keras3.saving.load_model(str(path), compile=False)
    x = rng.standard_normal((2, 4, 3)).astype("float32")
    np.testing.assert_allclose(_predict_keras(theirs, x), _predict_ours(ours, x), **TOL)


@pytest.mark.parity
def test_legacy_full_model_h5_from_keras(keras3, tmp_path):
    rng = np.random.default_rng(4)
    keras_model = _keras_model(keras3, ["bidirectional_gru", "batch_norm", "nested_sequential", "dense"], 2)
    keras_model.set_weights(_randomize(keras_model, rng))
    keras_model.save(str(tmp_path / "legacy.h5"))  # Keras's legacy HDF5 format: a model_weights group
    ours = _ours_from_keras(keras3, keras_model)
    assert is_legacy_h5(str(tmp_path / "legacy.h5")) and not is_keras3_weights_h5(str(tmp_path / "legacy.h5"))
    result = load_legacy_h5_weights(ours, str(tmp_path / "legacy.h5"))
    assert len(result.loaded) == len(ours.weights)
    x = rng.standard_normal((2, 4, 3)).astype("float32")
    np.testing.assert_allclose(_predict_ours(ours, x), _predict_keras(keras_model, x), **TOL)


# ------------------------------------------------------- files built with h5py
def _keras3_file(entries, root_name="sequential"):
    """Bytes of a Keras 3 layout file: ``{group path: (layer name, [arrays])}``."""
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        f.create_group("vars").attrs["name"] = root_name
        for path, (name, arrays) in entries.items():
            group = f.create_group(f"{path}/vars")
            group.attrs["name"] = name
            for index, array in enumerate(arrays):
                group[str(index)] = array
    return buffer.getvalue()


def _legacy_file(layer_entries, weights_group=None, chunk=False, attrs_as_bytes=True):
    """Bytes of a legacy layout file: ``[(layer name, [(weight name, array)])]``."""

    def encode(names):
        return [n.encode() for n in names] if attrs_as_bytes else names

    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        root = f.create_group(weights_group) if weights_group else f
        names = [name for name, _ in layer_entries]
        if chunk:
            half = (len(names) + 1) // 2
            root.attrs["layer_names0"] = encode(names[:half])
            root.attrs["layer_names1"] = encode(names[half:])
        else:
            root.attrs["layer_names"] = encode(names)
        root.attrs["keras_version"] = b"2.4.0"
        for name, weights in layer_entries:
            group = root.create_group(name)
            group.attrs["weight_names"] = encode([w for w, _ in weights])
            for weight_name, array in weights:
                group[weight_name] = array
    return buffer.getvalue()


def _mlp(units):
    return kerastorch.Sequential(
        [kerastorch.Input((3,)), layers.Dense(units), layers.BatchNormalization(), layers.Dense(1)]
    )


@given(units=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_loads_keras3_layout_built_with_h5py(units, seed):
    rng = np.random.default_rng(seed)
    arrays = {
        "layers/dense": [rng.standard_normal((3, units)), rng.standard_normal(units)],
        "layers/batch_normalization": [rng.uniform(0.5, 1, units) for _ in range(4)],
        "layers/dense_1": [rng.standard_normal((units, 1)), rng.standard_normal(1)],
    }
    data = _keras3_file(
        {path: (path.split("/")[-1], [a.astype("float32") for a in values]) for path, values in arrays.items()}
    )
    assert is_keras3_weights_h5(data) and not is_legacy_h5(data)
    model = _mlp(units)
    result = load_keras_weights_h5(model, data)
    expected = [a for values in arrays.values() for a in values]
    assert result.loaded == [w.path for w in model.weights]
    for weight, array in zip(model.get_weights(), expected):
        np.testing.assert_array_equal(weight, array.astype("float32"))


@given(units=st.integers(1, 4))
def test_written_layout_is_keras3s(units):
    model = _mlp(units)
    model.compile(optimizer="sgd", loss="mse")
    with h5py.File(io.BytesIO(write_keras_weights_h5(model, optimizer=model.optimizer))) as f:
        groups = {}
        f.visititems(
            lambda name, obj: groups.__setitem__(name, obj.attrs.get("name")) if name.endswith("vars") else None
        )
        assert groups == {
            "vars": model.name,
            "layers/dense/vars": model.layers[0].name,
            "layers/batch_normalization/vars": model.layers[1].name,
            "layers/dense_1/vars": model.layers[2].name,
            "optimizer/vars": model.optimizer.name,
        }
        assert [f[f"layers/batch_normalization/vars/{i}"].shape for i in range(4)] == [(units,)] * 4
        assert f["layers/dense/vars/0"].shape == (3, units) and "2" not in f["layers/dense/vars"]
        assert len(f["optimizer/vars"]) == len(model.optimizer.variables)


@given(
    seed=st.integers(0, 2**16),
    chunk=st.booleans(),
    as_bytes=st.booleans(),
    group=st.sampled_from([None, "model_weights"]),
)
def test_loads_legacy_layout_built_with_h5py(seed, chunk, as_bytes, group):
    rng = np.random.default_rng(seed)
    kernel, bias = rng.standard_normal((3, 2)).astype("float32"), rng.standard_normal(2).astype("float32")
    bn = [rng.uniform(0.5, 1, 2).astype("float32") for _ in range(4)]
    head = [rng.standard_normal((2, 1)).astype("float32"), rng.standard_normal(1).astype("float32")]
    # Keras 2 names (":0" suffixes), datasets stored in alphabetical order, an input layer without weights.
    entries = [
        ("input_1", []),
        ("dense", [("dense/kernel:0", kernel), ("dense/bias:0", bias)]),
        (
            "batch_normalization",
            [
                (f"batch_normalization/{n}:0", a)
                for n, a in zip(["gamma", "beta", "moving_mean", "moving_variance"], bn)
            ],
        ),
        ("dense_1", [("dense_1/kernel:0", head[0]), ("dense_1/bias:0", head[1])]),
    ]
    data = _legacy_file(entries, weights_group=group, chunk=chunk, attrs_as_bytes=as_bytes)
    assert is_legacy_h5(data) and not is_keras3_weights_h5(data)
    model = _mlp(2)  # layers named dense_2, batch_normalization_1 ... : paired by order
    load_legacy_h5_weights(model, data)
    for weight, array in zip(model.get_weights(), [kernel, bias, *bn, *head]):
        np.testing.assert_array_equal(weight, array)


def test_legacy_by_name_ignores_other_layers_and_checks_shapes():
    kernel = np.full((3, 2), 7.0, "float32")
    entries = [
        ("head", [("head/kernel:0", np.ones((2, 1), "float32")), ("head/bias:0", np.ones(1, "float32"))]),
        ("other", [("other/w:0", np.ones(5, "float32"))]),
        ("fc", [("fc/kernel:0", kernel), ("fc/bias:0", np.zeros(2, "float32"))]),
    ]
    model = kerastorch.Sequential([kerastorch.Input((3,)), layers.Dense(2, name="fc"), layers.Dense(4, name="head")])
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"weight head/kernel has shape \(2, 4\) in the model but \(2, 1\)"):
        load_legacy_h5_weights(model, _legacy_file(entries), by_name=True)
    for weight, old in zip(model.get_weights(), before):  # nothing written on failure
        np.testing.assert_array_equal(weight, old)
    with pytest.warns(UserWarning, match="skipped"):
        result = load_legacy_h5_weights(model, _legacy_file(entries), by_name=True, skip_mismatch=True)
    np.testing.assert_array_equal(model.get_weights()[0], kernel)
    assert result.unused == ["other"] and result.loaded == ["fc/kernel", "fc/bias"]
    assert result.skipped == ["head/kernel", "head/bias"]


def test_legacy_nested_model_trainable_first_order_maps_by_name():
    """Keras 2 stores a nested model's weights trainable first; the stored names put them back in place."""
    inner = kerastorch.Sequential(
        [
            kerastorch.Input((3,)),
            layers.Dense(2, name="d"),
            layers.BatchNormalization(name="bn"),
            layers.Dense(2, name="e"),
        ],
        name="inner",
    )
    values = {w.path: np.full(w.shape, i, "float32") for i, w in enumerate(inner.weights)}
    order = [p for p in values if "moving" not in p] + [p for p in values if "moving" in p]
    data = _legacy_file([("inner", [(f"{p}:0", values[p]) for p in order])])  # Keras 2 names: d/kernel:0
    outer = kerastorch.Sequential([kerastorch.Input((3,)), inner])
    load_legacy_h5_weights(outer, data)
    for weight in inner.weights:
        np.testing.assert_array_equal(_np(weight), values[weight.path])


# ----------------------------------------------------------------------- errors
def test_layer_without_counterpart_is_a_clear_error_and_changes_nothing():
    model = _mlp(2)
    before = model.get_weights()
    data = _keras3_file(
        {
            "layers/dense": ("dense", [np.ones((3, 2), "float32"), np.ones(2, "float32")]),
            "layers/dense_1": ("dense_1", [np.ones((2, 1), "float32"), np.ones(1, "float32")]),
        }
    )
    with pytest.raises(
        ValueError,
        match=r'layer "batch_normalization.*" \(at "layers/batch_normalization"\) has '
        r"weights but no counterpart in the file",
    ):
        load_keras_weights_h5(model, data)
    for weight, old in zip(model.get_weights(), before):
        np.testing.assert_array_equal(weight, old)
    with pytest.warns(UserWarning, match="no counterpart"):
        result = load_keras_weights_h5(model, data, skip_mismatch=True)
    assert len(result.missing) == 4 and len(result.loaded) == 4


def test_extra_layers_in_the_file_are_reported():
    model, _ = _dense_pair()
    data = _keras3_file(
        {
            "layers/dense": ("fc", [np.ones((3, 2), "float32"), np.ones(2, "float32")]),
            "layers/conv2d": ("conv2d", [np.ones((1, 1, 1, 1), "float32")]),
        }
    )
    with pytest.raises(ValueError, match=r"weights for objects the model does not have: \['layers/conv2d'\]"):
        load_keras_weights_h5(model, data)


def test_shape_mismatch_raises_or_is_skipped_with_a_warning():
    model, _ = _dense_pair()
    data = _keras3_file({"layers/dense": ("fc", [np.ones((4, 2), "float32"), np.full(2, 3.0, "float32")])})
    with pytest.raises(ValueError, match=r"weight fc/kernel has shape \(3, 2\) in the model but \(4, 2\)"):
        load_keras_weights_h5(model, data)
    with pytest.warns(UserWarning, match="fc/kernel"):
        result = load_keras_weights_h5(model, data, skip_mismatch=True)
    assert result.skipped == ["fc/kernel"] and result.loaded == ["fc/bias"]
    np.testing.assert_array_equal(model.get_weights()[1], [3.0, 3.0])


def test_wrong_variable_count_and_non_numeric_data_are_refused():
    model, _ = _dense_pair()
    with pytest.raises(ValueError, match=r'layer "fc" has 2 weights .* but the file has 1'):
        load_keras_weights_h5(model, _keras3_file({"layers/dense": ("fc", [np.ones((3, 2), "float32")])}))
    for wrong in (np.array([[b"a", b"b"]] * 3), np.ones((3, 2), "int64")):  # text; integers into a float weight
        with pytest.raises(ValueError, match="dtype .*cannot be loaded into weight fc/kernel of dtype float32"):
            load_keras_weights_h5(model, _keras3_file({"layers/dense": ("fc", [wrong, np.ones(2, "float32")])}))
    load_keras_weights_h5(model, _keras3_file({"layers/dense": ("fc", [np.ones((3, 2)), np.ones(2, "float16")])}))
    np.testing.assert_array_equal(model.get_weights()[0], np.ones((3, 2), "float32"))  # float64 -> float32


def test_links_to_other_files_are_refused(tmp_path):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f["secret"] = np.ones((3, 2), "float32")
    path = tmp_path / "linked.weights.h5"
    with h5py.File(path, "w") as f:
        group = f.create_group("layers/dense/vars")
        group["0"] = h5py.ExternalLink(str(other), "secret")
        group["1"] = np.ones(2, "float32")
    model, _ = _dense_pair()
    with pytest.raises(ValueError, match="ExternalLink; only plain"):
        load_keras_weights_h5(model, str(path))


@pytest.mark.parametrize("data", [b"", b"not an hdf5 file", b"\x89HDF\r\n\x1a\n" + b"\0" * 40])
def test_non_hdf5_input_is_a_clear_error(data):
    model, _ = _dense_pair()
    with pytest.raises(ValueError, match="is not a readable HDF5 file"):
        load_keras_weights_h5(model, data)
    with pytest.raises(ValueError, match="is not a readable HDF5 file"):
        load_legacy_h5_weights(model, data)


def test_truncated_file_is_a_clear_error():
    model, clone = _dense_pair()
    data = write_keras_weights_h5(model)
    with pytest.raises(ValueError, match="HDF5 file"):
        load_keras_weights_h5(clone, data[: len(data) // 2])


def test_each_loader_names_the_other_layout():
    model, _ = _dense_pair()
    legacy = _legacy_file([("fc", [("fc/kernel:0", np.ones((3, 2), "float32"))])])
    with pytest.raises(ValueError, match="legacy Keras HDF5 file .*load_legacy_h5_weights"):
        load_keras_weights_h5(model, legacy)
    with pytest.raises(ValueError, match="no layer_names attribute.*load_keras_weights_h5"):
        load_legacy_h5_weights(model, write_keras_weights_h5(model))
    with pytest.raises(ValueError, match=r"has 2 layers with weights \(\['a', 'b'\]\) but model .* has 1"):
        load_legacy_h5_weights(model, _legacy_file([("a", [("a/w:0", np.ones(1))]), ("b", [("b/w:0", np.ones(1))])]))


def test_archive_without_weights_member_is_a_clear_error(tmp_path):
    path = tmp_path / "model.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", "{}")
    model, _ = _dense_pair()
    with pytest.raises(ValueError, match='without a "model.weights.h5" member'):
        load_keras_weights_h5(model, str(path))
    with pytest.raises(FileNotFoundError, match="No HDF5 weights file"):
        load_keras_weights_h5(model, str(tmp_path / "missing.weights.h5"))


def test_saved_model_folder_is_read_through_its_weights_member(tmp_path):
    model, clone = _dense_pair()
    folder = tmp_path / "saved_model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "model.weights.h5").write_bytes(write_keras_weights_h5(model))
    assert load_keras_weights_h5(clone, str(folder)).loaded == ["fc/kernel", "fc/bias"]
    for ours, theirs in zip(clone.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("value", [np.array([1, 2]), np.array(7), np.array([b"\xff\xfe"])])
def test_malformed_layer_names_are_a_clear_error(value):
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        f.attrs["layer_names"] = value
    model, _ = _dense_pair()
    with pytest.raises(ValueError, match="the layer_names attribute of / (should list names|is not UTF-8)"):
        load_legacy_h5_weights(model, buffer.getvalue())


def test_deeply_nested_groups_are_refused():
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        f.create_group("/".join(["g"] * 80))
        f["layers/dense/vars/0"] = np.ones((3, 2), "float32")
        f["layers/dense/vars/1"] = np.ones(2, "float32")
    model, _ = _dense_pair()
    assert is_keras3_weights_h5(buffer.getvalue())
    with pytest.raises(ValueError, match="groups nest deeper than 64 levels"):
        load_keras_weights_h5(model, buffer.getvalue())


def test_an_empty_hdf5_file_is_neither_layout():
    buffer = io.BytesIO()
    with h5py.File(buffer, "w"):
        pass
    assert not is_keras3_weights_h5(buffer.getvalue()) and not is_legacy_h5(buffer.getvalue())


def test_optimizer_mismatch_only_warns(tmp_path):
    model, clone = _dense_pair()
    model.compile(optimizer="adam", loss="mse")
    clone.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((2, 3), "float32"), np.ones((2, 2), "float32")
    model.fit(x, y, verbose=0)
    path = str(tmp_path / "m.weights.h5")
    write_keras_weights_h5(model, path, optimizer=model.optimizer)
    with pytest.warns(UserWarning, match="skipping the optimizer variables"):
        result = load_keras_weights_h5(clone, path)
    assert result.unused == ["optimizer"]
    for ours, theirs in zip(clone.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(ours, theirs)


def test_target_forms_and_atomic_path_write(tmp_path):
    model, clone = _dense_pair()
    path = tmp_path / "m.weights.h5"
    path.write_bytes(b"previous")
    write_keras_weights_h5(model, path)
    buffer = io.BytesIO()
    write_keras_weights_h5(model, buffer)
    assert is_keras3_weights_h5(str(path)) and is_keras3_weights_h5(buffer.getvalue())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.weights.h5"]  # no temporary file left
    load_keras_weights_h5(clone, io.BytesIO(path.read_bytes()))
    for ours, theirs in zip(clone.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(ours, theirs)


def test_missing_h5py_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "h5py", None)
    model, _ = _dense_pair()
    with pytest.raises(ImportError, match=r"pip install kerastorch\[h5\]"):
        write_keras_weights_h5(model)
