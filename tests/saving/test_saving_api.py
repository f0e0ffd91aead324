"""Whole-model saving: save_model / load_model / Model.save in zip and folder form, compile configs,
optimizer state (continuing fit bitwise), Keras 3 interchange, and argument / file errors."""

import json
import os
import zipfile

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors

import kerastorch
import kerastorch as keras
from kerastorch.saving import saving_lib
from kerastorch.saving.safe_archive import read_archive, write_archive

OPTIMIZERS = {  # name -> a fresh optimizer: plain ones, and state beyond the slots (schedule, EMA, accumulation)
    "sgd": lambda: "sgd",
    "adam": lambda: "adam",
    "rmsprop": lambda: "rmsprop",
    "adamw": lambda: "adamw",
    "nadam": lambda: "nadam",
    "adagrad": lambda: "adagrad",
    "ftrl": lambda: "ftrl",
    "lion": lambda: "lion",
    "adam_schedule": lambda: keras.optimizers.Adam(keras.optimizers.schedules.ExponentialDecay(0.01, 2, 0.5)),
    "sgd_nesterov_ema": lambda: keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True, use_ema=True),
    "adam_accumulation": lambda: keras.optimizers.Adam(gradient_accumulation_steps=3),
}


@pytest.fixture(autouse=True)
def _cpu():
    kerastorch.config.set_device("cpu")
    yield
    kerastorch.config.set_device(None)


@keras.saving.register_keras_serializable("test_saving_api")
class TwoLayer(keras.Model):
    """A subclassed model with an auto-config (JSON-able constructor arguments)."""

    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = keras.layers.Dense(units, activation="tanh")
        self.head = keras.layers.Dense(2)

    def call(self, x):
        return self.head(self.hidden(x))


class Unregistered(keras.layers.Layer):
    def call(self, x):
        return x * 2.0


def data(seed=0, rows=8):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(rows, 3)).astype("float32"), rng.normal(size=(rows, 2)).astype("float32")


def make(kind, seed=0):
    torch.manual_seed(seed)
    if kind == "sequential":
        return keras.Sequential(
            [
                keras.Input((3,)),
                keras.layers.Dense(4, activation="relu"),
                keras.layers.BatchNormalization(),
                keras.layers.Dense(2),
            ]
        )
    if kind == "functional":
        inputs = keras.Input((3,))
        inner = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3, activation="relu")], name="inner")
        merged = keras.layers.Concatenate()([inner(inputs), inputs])
        return keras.Model(inputs, keras.layers.Dense(2)(keras.layers.Dropout(0.5)(merged)))
    model = TwoLayer(units=5)
    model(torch.zeros(2, 3))
    return model


def path_for(tmp_path, zipped, name="model"):
    return str(tmp_path / (f"{name}.keras" if zipped else name))


def same_weights(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a.get_weights(), b.get_weights())) and len(a.get_weights()) == len(
        b.get_weights()
    )


# --------------------------------------------------------------------------- round trips


@given(
    kind=st.sampled_from(["sequential", "functional", "subclassed"]),
    zipped=st.booleans(),
    compiled=st.booleans(),
    seed=st.integers(0, 100),
)
def test_save_load_gives_the_same_model(tmp_path_factory, kind, zipped, compiled, seed):
    tmp_path = tmp_path_factory.mktemp("m")
    model = make(kind, seed)
    x, y = data(seed)
    if compiled:
        model.compile(optimizer="adam", loss="mse", metrics=["mae"])
        model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    path = path_for(tmp_path, zipped)
    model.save(path)
    assert os.path.isfile(path) if zipped else os.path.isdir(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is type(model)
    assert json.dumps(loaded.get_config()) == json.dumps(model.get_config())
    if kind != "subclassed":  # a subclassed model's sublayers get fresh names, as in Keras 3
        assert [w.path for w in loaded.weights] == [w.path for w in model.weights]
    assert same_weights(model, loaded)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.compiled == compiled
    if compiled:
        ours, theirs = model.get_compile_config(), loaded.get_compile_config()
        assert {k: v for k, v in ours.items() if k != "optimizer"} == {
            k: v for k, v in theirs.items() if k != "optimizer"
        }
        assert theirs["optimizer"]["class_name"] == "Adam"
        assert int(loaded.optimizer.iterations) == int(model.optimizer.iterations) == 2


@given(
    optimizer=st.sampled_from(sorted(OPTIMIZERS)),
    zipped=st.booleans(),
    kind=st.sampled_from(["sequential", "functional"]),
    steps_before=st.integers(1, 3),
    seed=st.integers(0, 100),
)
def test_loaded_model_continues_fit_bitwise(tmp_path_factory, optimizer, zipped, kind, steps_before, seed):
    """save -> load -> continue fit gives exactly the weights of the run that was never saved."""
    tmp_path = tmp_path_factory.mktemp("fit")
    x, y = data(seed)
    model = make(kind, seed)
    model.compile(optimizer=OPTIMIZERS[optimizer](), loss="mse", metrics=["mae"])
    model.fit(x, y, epochs=steps_before, batch_size=4, shuffle=False, verbose=0)
    path = path_for(tmp_path, zipped)
    keras.saving.save_model(model, path)
    loaded = keras.saving.load_model(path)
    assert type(loaded.optimizer) is type(model.optimizer)
    torch.manual_seed(seed)  # the dropout masks of both runs
    model.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    torch.manual_seed(seed)
    loaded.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    assert same_weights(model, loaded)
    for a, b in zip(model.optimizer.variables, loaded.optimizer.variables):
        assert torch.equal(a, b)


def test_archive_members_and_metadata(tmp_path):
    model = make("sequential")
    model.compile(optimizer="sgd", loss="mse")
    unbuilt = tmp_path / "unbuilt.keras"
    model.save(unbuilt)  # compiled but never trained: the optimizer has no state yet
    assert sorted(read_archive(unbuilt)) == ["config.json", "metadata.json", "model.weights.safetensors"]
    model.fit(*data(), verbose=0)
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        names = sorted(zf.namelist())
        metadata = json.loads(zf.read("metadata.json"))
        config = json.loads(zf.read("config.json"))
    assert names == ["config.json", "metadata.json", "model.weights.safetensors", "optimizer.safetensors"]
    assert set(metadata) == {"keras_version", "kerastorch_version", "date_saved", "format"}
    assert metadata["kerastorch_version"] == kerastorch.__version__ and metadata["format"] == saving_lib.FORMAT
    assert config["class_name"] == "Sequential" and config["compile_config"]["loss"] == "mse"
    assert config["compile_config"]["optimizer"]["class_name"] == "SGD"
    model.save(tmp_path / "folder")
    assert sorted(os.listdir(tmp_path / "folder")) == names
    folder, archive = read_archive(tmp_path / "folder"), read_archive(tmp_path / "m.keras")
    assert folder["config.json"] == archive["config.json"]
    for name in ("model.weights.safetensors", "optimizer.safetensors"):
        ours, theirs = load_safetensors(folder[name]), load_safetensors(archive[name])
        assert ours.keys() == theirs.keys() and all(torch.equal(ours[k], theirs[k]) for k in ours)


def test_compile_false_and_overwrite(tmp_path):
    model = make("functional")
    model.compile(optimizer="adam", loss="mse")
    model.fit(*data(), verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path, compile=False)
    assert not loaded.compiled and loaded.optimizer is None and same_weights(model, loaded)
    with pytest.raises(FileExistsError, match="overwrite=False"):
        model.save(path, overwrite=False)
    other = make("functional", seed=7)
    other.save(path)  # overwrite=True replaces it
    assert same_weights(other, keras.models.load_model(path))
    folder = tmp_path / "as_folder.keras"
    model.save(folder, zipped=False)  # a .keras name kept as a folder
    assert os.path.isdir(folder) and same_weights(model, keras.models.load_model(folder))


def test_compile_config_round_trip_with_objects():
    inputs = keras.Input((3,))
    outputs = [keras.layers.Dense(2, name="a")(inputs), keras.layers.Dense(1, name="b")(inputs)]
    model = keras.Model(inputs, outputs)
    model.compile(
        optimizer=keras.optimizers.SGD(0.05, momentum=0.5),
        loss=["mse", keras.losses.MeanAbsoluteError()],
        loss_weights=[1.0, 0.5],
        metrics=[["mae"], [keras.metrics.MeanSquaredError(name="mse_b")]],
        jit_compile=False,
    )
    config = model.get_compile_config()
    assert json.loads(json.dumps(config)) == config
    clone = keras.Model(inputs, outputs)
    clone.compile_from_config(json.loads(json.dumps(config)))
    assert clone.get_compile_config() == config
    assert clone.optimizer.built  # a built model builds its optimizer, ready for a saved state
    assert keras.Model(inputs, outputs).get_compile_config() is None
    with pytest.warns(UserWarning, match=r"compile_from_config: ignoring unknown keys \['optimiser'\]"):
        clone.compile_from_config({"optimiser": "adam", "loss": "mae"})
    assert clone.get_compile_config()["loss"] == "mae"
    with pytest.raises(TypeError, match="expected a dict"):
        clone.compile_from_config(["adam"])


def test_custom_objects_and_safe_mode(tmp_path):
    model = keras.Sequential([keras.Input((3,)), Unregistered()])
    model.save(tmp_path / "custom.keras")
    with pytest.raises(ValueError, match="Unregistered"):
        keras.models.load_model(tmp_path / "custom.keras")
    loaded = keras.models.load_model(tmp_path / "custom.keras", custom_objects={"Unregistered": Unregistered})
    np.testing.assert_array_equal(loaded.predict(data()[0], verbose=0), 2.0 * data()[0])

    lam = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda t: t + 1.0)])
    lam.save(tmp_path / "lambda")
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.models.load_model(tmp_path / "lambda")
    loaded = keras.models.load_model(tmp_path / "lambda", safe_mode=False)
    np.testing.assert_allclose(loaded.predict(data()[0], verbose=0), data()[0] + 1.0)


def test_torch_optimizer_saves_uncompiled(tmp_path):
    model = make("sequential")
    model.compile(optimizer=torch.optim.SGD(model.parameters(), lr=0.1), loss="mse")
    with pytest.warns(UserWarning, match="torch.optim"):
        model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert not loaded.compiled and same_weights(model, loaded)


def test_model_load_weights_returns_status(tmp_path):
    model = make("sequential")
    model.save_weights(tmp_path / "w.weights.safetensors")
    status = make("sequential", seed=3).load_weights(tmp_path / "w.weights.safetensors")
    assert status.assert_consumed() is None
    full = make("sequential", seed=4)
    full.save(tmp_path / "full.keras")
    target = make("sequential", seed=5)
    keras.saving.load_weights(target, tmp_path / "full.keras").assert_consumed()
    assert same_weights(full, target)
    with pytest.raises(TypeError, match="unexpected arguments"):
        model.load_weights(tmp_path / "w.weights.safetensors", by_nmae=True)


# --------------------------------------------------------------------------- errors


def test_save_argument_errors(tmp_path):
    model = make("sequential")
    with pytest.raises(ValueError, match=r'needs a path ending in "\.keras"'):
        model.save(tmp_path / "m.zip", zipped=True)
    with pytest.raises(ValueError, match="names a weights file"):
        model.save(tmp_path / "m.weights.h5")
    with pytest.raises(ValueError, match="legacy Keras HDF5 model format"):
        model.save(tmp_path / "m.h5")
    with pytest.raises(ValueError, match="weights_format must be one of"):
        model.save(tmp_path / "m.keras", weights_format="npz")
    with pytest.raises(TypeError, match="expected a kerastorch model"):
        keras.saving.save_model(object(), tmp_path / "m.keras")
    with pytest.raises(TypeError, match="filepath must be a str"):
        keras.saving.save_model(model, 3)
    assert not os.listdir(tmp_path)  # nothing written by a refused save


def test_load_errors(tmp_path):
    model = make("sequential")
    with pytest.raises(FileNotFoundError):
        keras.models.load_model(tmp_path / "missing.keras")
    model.save_weights(tmp_path / "w.weights.safetensors")
    with pytest.raises(ValueError, match="is a weights file"):
        keras.models.load_model(tmp_path / "w.weights.safetensors")
    with pytest.raises(FileNotFoundError):  # an existing .h5 loads when it is a tf.keras 2 model (test_tf_keras_files)
        keras.models.load_model(tmp_path / "old.h5")
    with pytest.raises(TypeError, match="custom_objects must be a dict"):
        keras.models.load_model(tmp_path / "w.weights.safetensors", custom_objects=[Unregistered])


def members_of(model, **kwargs):
    return saving_lib.model_to_members(model, **kwargs)


def write_and_load(tmp_path, members, **kwargs):
    path = tmp_path / "broken.keras"
    write_archive(path, members, zipped=True)
    return keras.models.load_model(path, **kwargs)


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda m: m.pop("config.json"), "has no config.json"),
        (lambda m: m.pop("model.weights.safetensors"), "holds no weights"),
        (lambda m: m.update({"config.json": b"[1, 2]"}), "must hold a serialized model"),
        (lambda m: m.update({"config.json": b'{"class_name": 3}'}), "must hold a serialized model"),
        (lambda m: m.update({"metadata.json": b'"text"'}), "metadata.json must hold a JSON object"),
        (lambda m: m.update({"config.json": b'{"class_name": "Nope", "config": {}}'}), "config.json: Unknown model"),
        (
            lambda m: m.update(
                {
                    "config.json": json.dumps(
                        {"module": "keras.layers", "class_name": "Dense", "config": {"units": 2}}
                    ).encode()
                }
            ),
            "did not use",
        ),
        (
            lambda m: m.update(
                {
                    "config.json": json.dumps(
                        {"module": "keras.initializers", "class_name": "Zeros", "config": {}}
                    ).encode()
                }
            ),
            "Zeros, not a model",
        ),
        (lambda m: m.update({"optimizer.safetensors": b"not safetensors"}), "not a readable safetensors file"),
        (
            lambda m: m.update(
                {"optimizer.safetensors": save_safetensors({"iterations": torch.zeros((), dtype=torch.int64)})}
            ),
            "does not fit the model's optimizer: .*missing keys",
        ),
        (
            lambda m: m.update({"optimizer.safetensors": save_safetensors({"iterations": torch.zeros(())})}),
            "optimizer variable 'iterations' has dtype torch.float32",
        ),
        (lambda m: m.update({"config.json": m["config.json"].replace(b'"loss": "mse"', b'"loss": 5')}), "loss"),
    ],
)
def test_broken_members_give_clear_errors(tmp_path, change, match):
    model = make("sequential")
    model.compile(optimizer="adam", loss="mse")
    model.fit(*data(), verbose=0)
    members = members_of(model)
    change(members)
    with pytest.raises((ValueError, TypeError), match=match):
        write_and_load(tmp_path, members)


def test_mismatched_weights_member_is_refused(tmp_path):
    members = members_of(make("sequential"))
    other = keras.Sequential([keras.Input((3,)), keras.layers.Dense(7), keras.layers.Dense(2)])
    members["model.weights.safetensors"] = members_of(other)["model.weights.safetensors"]
    with pytest.raises(ValueError, match="load_weights"):
        write_and_load(tmp_path, members)


def test_a_dense_layer_is_loaded_as_a_layer(tmp_path):
    # Keras 3 can save a bare layer's config too; loading it gives the layer (not a model).
    layer = keras.layers.Dense(2)
    layer(torch.zeros(1, 3))
    members = {
        "config.json": json.dumps(keras.saving.serialize_keras_object(layer)).encode(),
        "model.weights.safetensors": members_of(keras.Sequential([keras.Input((3,)), layer]))[
            "model.weights.safetensors"
        ],
    }
    loaded = write_and_load(tmp_path, members)
    assert isinstance(loaded, keras.layers.Dense) and loaded.built


# --------------------------------------------------------------------------- Keras 3 interchange


def keras_model(keras3, kind, units, activation):
    if kind == "sequential":
        return keras3.Sequential(
            [
                keras3.Input((3,)),
                keras3.layers.Dense(units, activation=activation),
                keras3.layers.BatchNormalization(),
                keras3.layers.Dense(2),
            ]
        )
    inputs = keras3.Input((3,))
    hidden = keras3.layers.Dense(units, activation=activation)(inputs)
    return keras3.Model(inputs, keras3.layers.Dense(2)(keras3.layers.Concatenate()([hidden, inputs])))


@pytest.mark.parity
@given(
    kind=st.sampled_from(["sequential", "functional"]),
    units=st.integers(2, 4),
    activation=st.sampled_from(["relu", "tanh", None]),
    optimizer=st.sampled_from(["adam", "sgd", "rmsprop"]),
)
def test_keras3_archive_loads_and_continues(keras3, tmp_path_factory, kind, units, activation, optimizer):
    tmp_path = tmp_path_factory.mktemp("k3")
    x, y = data(units)
    theirs = keras_model(keras3, kind, units, activation)
    theirs.compile(optimizer=optimizer, loss="mse", metrics=["mae"])
    theirs.fit(x, y, batch_size=4, shuffle=False, verbose=0)
    theirs.save(tmp_path / "k.keras")
    ours = keras.models.load_model(tmp_path / "k.keras")
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0), rtol=1e-5, atol=1e-5)
    assert type(ours.optimizer).__name__.lower() == optimizer and int(ours.optimizer.iterations) == 2
    keras_state = [np.asarray(v.numpy()) for v in theirs.optimizer.variables]
    assert len(ours.optimizer.variables) == len(keras_state)
    for a, b in zip(ours.optimizer.variables, keras_state):
        np.testing.assert_array_equal(a.cpu().numpy(), b)  # the state Keras saved, exactly
    ours.fit(x, y, batch_size=4, shuffle=False, verbose=0)
    theirs.fit(x, y, batch_size=4, shuffle=False, verbose=0)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.parity
@given(kind=st.sampled_from(["sequential", "functional"]), zipped_name=st.booleans(), seed=st.integers(0, 50))
def test_h5_archive_loads_in_keras3(keras3, tmp_path_factory, kind, zipped_name, seed):
    tmp_path = tmp_path_factory.mktemp("kt")
    x, y = data(seed)
    model = make(kind, seed)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.fit(x, y, batch_size=4, shuffle=False, verbose=0)
    model.save(tmp_path / "t.keras", weights_format="h5")
    assert sorted(read_archive(tmp_path / "t.keras")) == ["config.json", "metadata.json", "model.weights.h5"]
    theirs = keras3.models.load_model(tmp_path / "t.keras")
    np.testing.assert_allclose(theirs.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5, atol=1e-5)
    assert int(theirs.optimizer.iterations.numpy()) == 2
    back = keras.models.load_model(tmp_path / "t.keras")  # and back into kerastorch
    assert same_weights(model, back) and int(back.optimizer.iterations) == 2


@pytest.mark.parity
def test_compile_config_matches_keras3(keras3):
    ours = make("sequential")
    ours.compile(optimizer="adam", loss="mse", metrics=["mae"])
    theirs = keras3.Sequential([keras3.Input((3,)), keras3.layers.Dense(2)])
    theirs.compile(optimizer="adam", loss="mse", metrics=["mae"])
    mine, keras_config = ours.get_compile_config(), theirs.get_compile_config()
    assert set(mine) == set(keras_config)
    assert mine["optimizer"]["config"].keys() == keras_config["optimizer"]["config"].keys()
    assert {k: v for k, v in mine.items() if k != "optimizer"} == {
        k: v for k, v in keras_config.items() if k != "optimizer"
    }
    clone = make("sequential")
    clone.compile_from_config(keras_config)  # Keras 3's config compiles ours
    assert type(clone.optimizer).__name__ == "Adam" and clone.get_compile_config()["metrics"] == ["mae"]


# --------------------------------------------------------------------------- docs


EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "save_load.py")


def test_example_script_runs(capsys):
    import runpy

    runpy.run_path(EXAMPLE, run_name="__main__")
    out = capsys.readouterr().out
    assert "continued training matches: True" in out and "refused: " in out and "safe_mode=False" in out
    assert "Keras 3 .weights.h5 round trip: True" in out and "archive for Keras 3: True" in out


def test_example_script_runs_without_h5py_and_says_what_it_skipped():
    import subprocess
    import sys

    blocked = f"import sys, runpy; sys.modules['h5py'] = None; runpy.run_path({EXAMPLE!r}, run_name='__main__')"
    result = subprocess.run(
        [sys.executable, "-c", blocked],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, OMP_NUM_THREADS="1"),
    )
    assert result.returncode == 0, result.stderr
    skipped = 'skipped (needs h5py: pip install "kerastorch[h5]")'
    assert f"Keras 3 .weights.h5 round trip: {skipped}" in result.stdout
    assert f"archive for Keras 3: {skipped}" in result.stdout and "continued training matches: True" in result.stdout


@keras.saving.register_keras_serializable("tests")
class Vocabulary(keras.layers.Layer):
    """A layer with state outside its weights, kept with Keras's save_assets / load_assets hooks."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.words = []

    def call(self, x):
        return x

    def save_assets(self, dir_path):
        with open(os.path.join(dir_path, "vocabulary.txt"), "w") as f:
            f.write("\n".join(self.words))

    def load_assets(self, dir_path):
        with open(os.path.join(dir_path, "vocabulary.txt")) as f:
            self.words = f.read().split("\n")


@pytest.mark.parametrize("name", ["model.keras", "model_folder"])
def test_save_assets_and_load_assets_are_called_for_every_layer(tmp_path, name):
    inputs = keras.Input((2,))
    inner_vocabulary = Vocabulary(name="inner_vocabulary")
    inner = keras.Sequential([keras.Input((2,)), inner_vocabulary], name="inner")
    top_vocabulary = Vocabulary(name="top_vocabulary")
    model = keras.Model(inputs, inner(top_vocabulary(inputs)))
    top_vocabulary.words, inner_vocabulary.words = ["a", "b"], ["c"]
    model.save(tmp_path / name)
    restored = keras.models.load_model(tmp_path / name)
    assert restored.get_layer("top_vocabulary").words == ["a", "b"]
    assert restored.get_layer("inner").get_layer("inner_vocabulary").words == ["c"]
