"""keras.utils.FeatureSpace: encodings checked against hand computations (Keras 3's FeatureSpace needs TensorFlow
for its lookups, hashing and adapt), the data forms adapt and calls take, the symbolic inputs and encoding and
their agreement with the eager encoding, configs (Keras 3's, both ways, for the features Keras builds without
TensorFlow), .keras saving, errors, and training a model end to end."""

import json

import numpy as np
import pytest
import torch

import kerastorch as keras
from kerastorch import layers
from kerastorch.utils import FeatureSpace


def _data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "price": rng.normal(3.0, 2.0, n),
        "color": rng.choice(["red", "green", "blue"], n, p=[0.5, 0.3, 0.2]),
        "size": rng.choice([1, 2, 3, 4], n, p=[0.4, 0.3, 0.2, 0.1]),
        "age": rng.uniform(0.0, 10.0, n),
        "zip": rng.integers(0, 1000, n),
        "city": rng.choice(["a", "b", "c", "d"], n),
        "weight": rng.normal(size=n),
    }


def _space(output_mode="concat"):
    return FeatureSpace(
        {
            "price": "float_normalized",
            "color": "string_categorical",
            "size": "integer_categorical",
            "age": FeatureSpace.float_discretized(num_bins=4, bin_boundaries=[2.5, 5.0, 7.5]),
            "zip": FeatureSpace.integer_hashed(num_bins=8),
            "city": "string_hashed",
            "weight": FeatureSpace.float_rescaled(scale=2.0, offset=1.0),
        },
        crosses=[("color", "size"), FeatureSpace.cross(("size", "age"), crossing_dim=5)],
        crossing_dim=16,
        hashing_dim=6,
        output_mode=output_mode,
    )


def _one_hot(ids, depth):
    return np.eye(depth, dtype="float32")[np.asarray(ids)]


def _vocabulary(values, oov):
    """Keras's adapted vocabulary: the OOV token, then the most frequent first, ties to the larger token."""
    tokens, counts = np.unique(values, return_counts=True)
    return [oov] + [t.item() for _, t in sorted(zip(counts.tolist(), tokens), reverse=True)]


def _expected(space, data):
    """The encoding of ``data``, computed by hand (the layers used only for hashes, checked against Keras
    elsewhere): feature name -> (n, width) array."""
    color_vocab = _vocabulary(data["color"], "[UNK]")
    size_vocab = _vocabulary(data["size"], -1)
    color = np.array([color_vocab.index(c) for c in data["color"]])
    size = np.array([size_vocab.index(s) for s in data["size"]])
    age = np.digitize(data["age"], [2.5, 5.0, 7.5])
    price = data["price"].astype("float32")
    mean, var = price.astype("float64").mean(), price.astype("float64").var()
    crosser = layers.HashedCrossing
    return {
        "age": _one_hot(age, 4),
        "city": _one_hot(layers.Hashing(6)(data["city"]).numpy(), 6),
        "color": _one_hot(color, 4),
        "price": ((price - mean) / np.sqrt(var))[:, None],
        "size": _one_hot(size, 5),
        "weight": (data["weight"] * 2.0 + 1.0)[:, None],
        "zip": _one_hot(layers.Hashing(8)(data["zip"]).numpy(), 8),
        "color_X_size": _one_hot(crosser(16)((color, size)).numpy(), 16),
        "size_X_age": _one_hot(crosser(5)((size, age)).numpy(), 5),
    }


# ------------------------------------------------------------------ encodings
def test_dict_encoding_matches_hand_computation():
    data = _data()
    space = _space("dict")
    space.adapt(data)
    assert space.preprocessors["color"].get_vocabulary() == _vocabulary(data["color"], "[UNK]")
    assert space.preprocessors["size"].get_vocabulary() == _vocabulary(data["size"], -1)
    out = space(data)
    expected = _expected(space, data)
    assert list(out) == sorted(space.features) + ["color_X_size", "size_X_age"]
    for name, value in expected.items():
        np.testing.assert_allclose(out[name].numpy(), value, rtol=1e-5, atol=1e-6, err_msg=name)


def test_concat_is_sorted_features_then_sorted_crosses():
    data = _data()
    space = _space()
    space.adapt(data)
    out = space(data)
    expected = _expected(space, data)
    order = sorted(space.features) + sorted(space.crosses_by_name)
    np.testing.assert_allclose(out.numpy(), np.concatenate([expected[n] for n in order], axis=1), rtol=1e-5, atol=1e-6)
    assert out.shape == (60, 4 + 6 + 4 + 1 + 5 + 1 + 8 + 16 + 5) and out.dtype == torch.float32


def test_crosses_hash_the_preprocessed_indices():
    # The cross of two categorical features hashes their lookup indices (Keras's rule), not the raw values.
    space = FeatureSpace(
        {
            "a": FeatureSpace.string_categorical(output_mode="int"),
            "b": FeatureSpace.integer_categorical(output_mode="int"),
        },
        crosses=[FeatureSpace.cross(("a", "b"), crossing_dim=1000, output_mode="int")],
        output_mode="dict",
    )
    data = {"a": ["x", "y", "x", "z"], "b": [10, 20, 30, 10]}
    space.adapt(data)
    out = space(data)
    ids = layers.HashedCrossing(1000)((out["a"][:, 0], out["b"][:, 0]))
    assert out["a_X_b"].shape == (4, 1) and out["a_X_b"].dtype == torch.int64
    assert out["a_X_b"][:, 0].tolist() == ids.tolist()
    raw = layers.HashedCrossing(1000)((np.array(data["a"]), np.array(data["b"])))
    assert out["a_X_b"][:, 0].tolist() != raw.tolist()


def test_single_sample_drops_the_batch_axis_and_matches_the_batch():
    data = _data(20)
    for output_mode in ("concat", "dict"):
        space = _space(output_mode)
        space.adapt(data)
        batch = space(data)
        sample = space({name: column[3] for name, column in data.items()})
        if output_mode == "concat":
            assert sample.shape == batch.shape[1:]
            torch.testing.assert_close(sample, batch[3])
        else:
            for name in batch:
                assert sample[name].shape == batch[name].shape[1:], name
                torch.testing.assert_close(sample[name], batch[name][3])


def test_int_and_float_output_modes_and_oov():
    space = FeatureSpace(
        {
            "n": FeatureSpace.integer_categorical(num_oov_indices=2, output_mode="int"),
            "s": FeatureSpace.string_hashed(num_bins=3, output_mode="int"),
            "x": FeatureSpace.float_discretized(num_bins=3, output_mode="int"),
            "f": FeatureSpace.float(),
        },
        output_mode="dict",
    )
    space.adapt({"n": [5, 5, 6], "s": ["a", "b", "c"], "x": [0.0, 1.0, 2.0, 3.0, 4.0, 5.0], "f": [0.0]})
    out = space({"n": [6, 5, 8, 9], "s": ["a", "b", "c", "d"], "x": [-1.0, 1.9, 2.1, 9.0], "f": np.array([1, 2, 3, 4])})
    assert out["n"][:, 0].tolist() == [3, 2, 8 % 2, 9 % 2]  # two OOV indices: token % 2
    assert out["s"][:, 0].tolist() == layers.Hashing(3)(["a", "b", "c", "d"]).tolist()
    assert space.preprocessors["x"].bin_boundaries == [1.0, 3.0]  # exact quantiles of 0..5
    assert out["x"][:, 0].tolist() == [0, 1, 1, 2]
    assert out["f"].dtype == torch.float32 and out["f"][:, 0].tolist() == [1.0, 2.0, 3.0, 4.0]


# ------------------------------------------------------------------ adapt data forms
def test_adapt_takes_dicts_lists_of_batches_generators_and_dataloaders():
    data = _data(40)
    reference = _space()
    reference.adapt(data)
    expected = reference(data)
    batches = [{k: v[i : i + 7] for k, v in data.items()} for i in range(0, 40, 7)]
    samples = [{k: v[i] for k, v in data.items()} for i in range(40)]
    labelled = [(batch, np.zeros(len(batch["price"]))) for batch in batches]
    loader = torch.utils.data.DataLoader(samples, batch_size=9)  # dict samples collated: tensors, lists of str
    for source in (
        batches,
        iter(batches),
        samples,
        labelled,
        loader,
        {k: torch.as_tensor(v) if v.dtype.kind != "U" else list(v) for k, v in data.items()},
    ):
        space = _space()
        space.adapt(source)
        torch.testing.assert_close(space(data), expected)


def test_adapt_leaves_preset_preprocessors_and_ignores_other_columns():
    lookup = layers.StringLookup(vocabulary=["p", "q"])
    space = FeatureSpace(
        {
            "s": FeatureSpace.feature("string", lookup, "one_hot"),
            "x": FeatureSpace.feature("float32", layers.Normalization(mean=1.0, variance=4.0), "float"),
            "y": "float_normalized",
        }
    )
    space.adapt({"s": ["z", "z"], "x": [10.0, 20.0], "y": [1.0, 3.0], "label": [0, 1]})
    assert lookup.get_vocabulary() == ["[UNK]", "p", "q"]
    out = space({"s": ["q"], "x": [3.0], "y": [3.0]})
    assert out.tolist() == [[0.0, 0.0, 1.0, 1.0, 1.0]]


def test_readapting_rebuilds_the_encoders():
    space = FeatureSpace({"c": "string_categorical"})
    space.adapt({"c": ["a", "b"]})
    assert space.get_encoded_features().shape == (None, 3)
    space.adapt({"c": ["a", "b", "c", "d"]})
    assert space.get_encoded_features().shape == (None, 5)
    assert space({"c": ["d"]}).shape == (1, 5)


def test_custom_text_feature_keras_example():
    data = {"text": ["1st string", "2nd string", "3rd string"]}
    space = FeatureSpace(
        {
            "text": FeatureSpace.feature(
                preprocessor=layers.TextVectorization(output_mode="tf_idf"), dtype="string", output_mode="float"
            )
        }
    )
    space.adapt(data)
    out = space(data)
    vocabulary = space.preprocessors["text"].get_vocabulary()
    assert vocabulary[1] == "string" and out.shape == (3, len(vocabulary))
    idf = np.log(1 + 3 / (1 + np.array([3, 1, 1, 1])))
    np.testing.assert_allclose(out.numpy().max(axis=0)[1:], idf, rtol=1e-5)
    assert space.get_inputs()["text"].shape == (None, len(vocabulary))  # the preprocessed column


# ------------------------------------------------------------------ symbolic inputs and models
def test_model_on_inputs_agrees_with_the_eager_encoding():
    data = _data(30)
    space = _space()
    space.adapt(data)
    inputs = space.get_inputs()
    assert {n: (t.shape, t.dtype) for n, t in inputs.items()} == {
        "price": ((None, 1), "float32"),
        "color": ((None, 1), "int64"),
        "size": ((None, 1), "int32"),
        "age": ((None, 1), "float32"),
        "zip": ((None, 1), "int32"),
        "city": ((None, 1), "int64"),
        "weight": ((None, 1), "float32"),
    }
    encoded = space.get_encoded_features()
    assert encoded.shape == (None, 50)
    model = keras.Model(inputs, encoded)
    prepared = space.prepare_inputs(data)
    assert prepared["color"].dtype == torch.int64 and prepared["size"].dtype == torch.int32
    torch.testing.assert_close(model(prepared), space(data))
    torch.testing.assert_close(torch.as_tensor(model.predict(prepared, verbose=0)), space(data))


def test_numeric_feature_space_model_takes_raw_columns():
    space = FeatureSpace({"x": "float_normalized", "k": "integer_categorical"}, output_mode="dict")
    data = {"x": np.array([[1.0], [3.0]]), "k": np.array([[4], [7]])}
    space.adapt(data)
    model = keras.Model(space.get_inputs(), space.get_encoded_features())
    out = model(data)
    assert out["k"].tolist() == [[0.0, 0.0, 1.0], [0.0, 1.0, 0.0]] and out["x"][:, 0].tolist() == [-1.0, 1.0]


# ------------------------------------------------------------------ configs and saving
def test_config_round_trip_keeps_every_feature_and_cross():
    space = _space()
    config = json.loads(json.dumps(space.get_config()))
    assert set(config) == {
        "features",
        "output_mode",
        "crosses",
        "crossing_dim",
        "hashing_dim",
        "num_discretization_bins",
    }
    assert config["features"]["color"]["class_name"] == "Feature"
    assert config["features"]["color"]["module"] == "keras.src.layers.preprocessing.feature_space"
    clone = FeatureSpace.from_config(config)
    assert json.loads(json.dumps(clone.get_config())) == config
    assert {
        n: (f.dtype, f.output_mode, type(f.preprocessor).__name__, f.preprocessor.name)
        for n, f in clone.features.items()
    } == {
        n: (f.dtype, f.output_mode, type(f.preprocessor).__name__, f.preprocessor.name)
        for n, f in space.features.items()
    }
    assert [(c.feature_names, c.crossing_dim, c.output_mode) for c in clone.crosses] == [
        (("color", "size"), 16, "one_hot"),
        (("size", "age"), 5, "one_hot"),
    ]


@pytest.mark.parity
def test_configs_interchange_with_keras(keras3):
    def make(ns):
        fs = ns.utils.FeatureSpace
        return fs(
            {
                "r": "float_rescaled",
                "f": fs.float(name="g"),
                "n": "float_normalized",
                "d": fs.float_discretized(num_bins=5, output_mode="int", name="d"),
            },
            crossing_dim=7,
            hashing_dim=9,
            num_discretization_bins=11,
            output_mode="dict",
        )

    ours = json.loads(json.dumps(keras.saving.serialize_keras_object(make(keras))))
    theirs = json.loads(json.dumps(keras3.saving.serialize_keras_object(make(keras3))))
    assert ours == theirs
    from_keras = keras.saving.deserialize_keras_object(theirs)
    assert json.loads(json.dumps(keras.saving.serialize_keras_object(from_keras))) == theirs
    from_ours = keras3.saving.deserialize_keras_object(ours)
    assert json.loads(json.dumps(keras3.saving.serialize_keras_object(from_ours))) == theirs


def test_save_and_load_restores_vocabularies_statistics_and_bins(tmp_path):
    data = {k: v for k, v in _data(30).items() if k in ("price", "color", "size", "age", "weight")}
    space = FeatureSpace(
        {
            "price": "float_normalized",
            "color": "string_categorical",
            "size": "integer_categorical",
            "age": "float_discretized",
            "weight": "float",
        },
        crosses=[("color", "size")],
        num_discretization_bins=3,
    )
    space.adapt(data)
    path = str(tmp_path / "feature_space.keras")
    space.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, FeatureSpace) and loaded is not space
    assert loaded.preprocessors["color"].get_vocabulary() == space.preprocessors["color"].get_vocabulary()
    torch.testing.assert_close(loaded(data), space(data))


def test_model_with_preprocessing_inside_saves_and_loads(tmp_path):
    data = _data(30)
    space = FeatureSpace({"price": "float_normalized", "size": "integer_categorical", "w": "float"})
    space.adapt({"price": data["price"], "size": data["size"], "w": data["weight"]})
    encoded = space.get_encoded_features()
    model = keras.Model(space.get_inputs(), layers.Dense(2)(encoded))
    raw = {"price": data["price"][:, None], "size": data["size"][:, None], "w": data["weight"][:, None]}
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(raw, verbose=0), model.predict(raw, verbose=0), rtol=1e-6)


# ------------------------------------------------------------------ errors
def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="cannot be None or empty"):
        FeatureSpace({})
    with pytest.raises(ValueError, match="invalid feature type for feature 'a'"):
        FeatureSpace({"a": "float_normalised"})
    with pytest.raises(ValueError, match=r"unknown features \['c'\]"):
        FeatureSpace({"a": "float", "b": "float"}, crosses=[("a", "c")])
    with pytest.raises(ValueError, match="output_mode must be one of"):
        FeatureSpace({"a": "float"}, output_mode="list")
    with pytest.raises(ValueError, match="two or more feature names"):
        FeatureSpace.cross(("a",), crossing_dim=4)
    with pytest.raises(ValueError, match="output_mode must be one of"):
        FeatureSpace.integer_categorical(output_mode="multi_hot")
    with pytest.raises(ValueError, match="make 3 bins, received num_bins=5"):
        FeatureSpace.float_discretized(num_bins=5, bin_boundaries=[0.0, 1.0])
    space = FeatureSpace(
        {"a": "float_normalized", "b": FeatureSpace.integer_categorical(output_mode="int")}, output_mode="dict"
    )
    with pytest.raises(ValueError, match="call `.adapt"):
        space({"a": [1.0], "b": [1]})
    with pytest.raises(ValueError, match="call `.adapt"):
        space.get_inputs()
    with pytest.raises(ValueError, match="dict of arrays/lists or an iterable"):
        space.adapt(np.zeros(3))
    with pytest.raises(ValueError, match="batch 1 has no column 'b'"):
        space.adapt([{"a": [1.0], "b": [1]}, {"a": [2.0]}])
    with pytest.raises(ValueError, match="received no data"):
        space.adapt([])
    space.adapt({"a": [1.0, 2.0], "b": [1, 2]})
    with pytest.raises(ValueError, match=r"unknown features \['c'\] and no column for \['b'\]"):
        space({"a": [1.0], "c": [1]})
    with pytest.raises(ValueError, match="same number of rows"):
        space({"a": [1.0, 2.0], "b": [1]})
    with pytest.raises(ValueError, match="can only be called with a dict"):
        space([1.0, 2.0])
    with pytest.raises(ValueError, match="non-integral values"):
        space({"a": [1.0], "b": [1.5]})
    with pytest.raises(ValueError, match="outside its range"):
        space({"a": [1.0], "b": [2**40]})
    with pytest.raises(ValueError, match="received a column of dtype <U1"):
        space({"a": ["x"], "b": [1]})
    with pytest.raises(ValueError, match="get_encoded_features"):
        space(space.get_inputs())
    with pytest.raises(ValueError, match="feature 'b' has not been encoded"):
        FeatureSpace({"b": FeatureSpace.integer_hashed(4, output_mode="int")}).get_encoded_features()
    custom = FeatureSpace({"t": FeatureSpace.feature("float32", layers.Rescaling(1.0), "one_hot")})
    with pytest.raises(ValueError, match="should return an integer dtype"):
        custom.get_inputs()


# ------------------------------------------------------------------ end to end
def test_keras_io_workflow_trains_end_to_end():
    # The keras.io "Structured data classification with FeatureSpace" workflow on synthetic data.
    rng = np.random.default_rng(1)
    n = 256
    data = {
        "sex": rng.integers(0, 2, n),
        "cp": rng.integers(0, 4, n),
        "thal": rng.choice(["fixed", "normal", "reversible"], n),
        "age": rng.uniform(30, 80, n),
        "chol": rng.normal(240, 50, n),
    }
    target = ((data["thal"] == "reversible") | (data["chol"] > 260)).astype("float32")
    space = FeatureSpace(
        {
            "sex": FeatureSpace.integer_categorical(num_oov_indices=0),
            "cp": FeatureSpace.integer_categorical(num_oov_indices=0),
            "thal": FeatureSpace.string_categorical(num_oov_indices=0),
            "age": FeatureSpace.float_discretized(num_bins=10),
            "chol": FeatureSpace.float_normalized(),
        },
        crosses=[
            FeatureSpace.cross(feature_names=("sex", "age"), crossing_dim=16),
            FeatureSpace.cross(feature_names=("thal", "cp"), crossing_dim=8),
        ],
        output_mode="concat",
    )
    space.adapt([{k: v[i : i + 32] for k, v in data.items()} for i in range(0, n, 32)])

    # Training on the eager encoding (Keras: a dataset mapped with the FeatureSpace).
    x = space(data)
    training_model = keras.Sequential(
        [keras.Input(shape=x.shape[1:]), layers.Dense(16, activation="relu"), layers.Dense(1, activation="sigmoid")]
    )
    training_model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy")
    history = training_model.fit(x, target, epochs=3, batch_size=32, verbose=0).history["loss"]
    assert history[-1] < history[0]

    # A model that preprocesses inside, on get_inputs(), fed prepare_inputs() (the strings looked up).
    encoded = space.get_encoded_features()
    hidden = layers.Dense(16, activation="relu")(encoded)
    predictions = layers.Dense(1, activation="sigmoid")(hidden)
    model = keras.Model(space.get_inputs(), predictions)
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(space.prepare_inputs(data), target, epochs=3, batch_size=32, verbose=0).history
    assert history["loss"][-1] < history["loss"][0] and history["accuracy"][-1] > 0.7
    sample = {"sex": 1, "cp": 3, "thal": "reversible", "age": 60.0, "chol": 300.0}
    prediction = model.predict(space.prepare_inputs(sample), verbose=0)
    assert prediction.shape == (1, 1) and 0.0 <= float(prediction[0, 0]) <= 1.0
