"""Bad arguments are refused early, with a ValueError naming the argument (kerastorch.backend.validation), and the
legitimate Keras cases next to them still work."""

import json
import re

import numpy as np
import pytest
import torch

import kerastorch as keras
from kerastorch import layers
from kerastorch.backend import validation
from kerastorch.trainers.data_adapters import PyDataset


def _data(n=10, features=3, outputs=1):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, features)).astype("float32"), rng.normal(size=(n, outputs)).astype("float32")


def _regressor(units=1):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(units)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def _classifier(classes=4):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(classes, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _generator():
    x, y = _data()
    while True:
        yield x, y


class _Batches(PyDataset):
    def __len__(self):
        return 2

    def __getitem__(self, index):
        return _data(4)


def _assert_names(error, name, canonical=True):
    message = str(error.value)
    if canonical:
        assert f"argument `{name}` must be " in message and "; received " in message, message
    else:
        assert re.search(rf"\b{re.escape(name)}\b", message), message


# ---------------------------------------------------------------------------------------------- the validators
@pytest.mark.parametrize(
    "check, value, expected",
    [
        (lambda v: validation.positive_int("owner", "arg", v), 0, "a positive integer"),
        (lambda v: validation.positive_int("owner", "arg", v), 2.0, "a positive integer"),
        (lambda v: validation.positive_int("owner", "arg", v), True, "a positive integer"),
        (lambda v: validation.positive_int("owner", "arg", v), None, "a positive integer"),
        (lambda v: validation.positive_int("owner", "arg", v, allow_none=True), "3", "a positive integer or None"),
        (lambda v: validation.non_negative_int("owner", "arg", v), -1, "a non-negative integer"),
        (lambda v: validation.integer("owner", "arg", v, allow_none=True), 1.5, "an integer or None"),
        (lambda v: validation.number("owner", "arg", v, low=0, high=1), 1.5, r"a number in \[0, 1\]"),
        (lambda v: validation.number("owner", "arg", v, low=0, low_open=True), 0.0, r"a number in \(0, inf\]"),
        (lambda v: validation.number("owner", "arg", v), float("nan"), "a finite number"),
        (lambda v: validation.number("owner", "arg", v), False, "a number"),
        (lambda v: validation.probability("owner", "arg", v), -0.1, r"a number in \[0, 1\]"),
        (lambda v: validation.probability("owner", "arg", v, include_one=False), 1.0, r"a number in \[0, 1\)"),
        (lambda v: validation.boolean("owner", "arg", v), "no", r"a bool \(True or False\)"),
        (lambda v: validation.boolean("owner", "arg", v), 1, r"a bool \(True or False\)"),
        (lambda v: validation.one_of("owner", "arg", v, ("valid", "same")), "full", r"one of \['valid', 'same'\]"),
        (lambda v: validation.one_of("owner", "arg", v, (0, 1, 2)), True, r"one of \[0, 1, 2\]"),
        (lambda v: validation.shape("owner", "arg", v), (2, 0), "a shape"),
        (lambda v: validation.shape("owner", "arg", v), (2, -1), "a shape"),
        (lambda v: validation.shape("owner", "arg", v), (2.5,), "a shape"),
        (lambda v: validation.shape("owner", "arg", v), "ab", "a shape"),
        (lambda v: validation.shape("owner", "arg", v, allow_none_dims=False), (None, 2), "a shape"),
        (lambda v: validation.callable_argument("owner", "arg", v), 3, "a callable"),
        (lambda v: validation.instance_of("owner", "arg", v, dict, "a dict"), [], "a dict"),
    ],
)
def test_validators_refuse_with_one_message_format(check, value, expected):
    if expected == "a shape":
        expected = r"a shape \(a tuple whose entries are positive integers( or None)?\)"
    with pytest.raises(ValueError) as error:
        check(value)
    assert re.fullmatch(
        rf"owner: argument `arg` must be {expected}; received .+ \({type(value).__name__}\)", str(error.value)
    ), str(error.value)


def test_validators_return_canonical_values():
    assert validation.positive_int("o", "a", np.int64(3)) == 3 and type(validation.positive_int("o", "a", 3)) is int
    assert validation.positive_int("o", "a", None, allow_none=True) is None
    assert validation.number("o", "a", 1) == 1.0 and type(validation.number("o", "a", 1)) is float
    assert validation.boolean("o", "a", np.bool_(True)) is True
    assert validation.shape("o", "a", [None, np.int32(2)]) == (None, 2)
    assert validation.shape("o", "a", torch.Size([3, 0]), allow_zero=True) == (3, 0)
    assert validation.one_of("o", "a", np.str_("same"), ("valid", "same")) == "same"


def test_messages_describe_arrays_by_shape_on_one_line():
    message = validation.error_message("fit", "validation_data", "a pair", (np.zeros((100, 3)),))
    assert message == (
        "fit: argument `validation_data` must be a pair; received "
        "(<ndarray of shape (100, 3) and dtype float64>,) (tuple)"
    )
    assert len(validation.describe("x" * 1000)) < 140


# ------------------------------------------------------------------- bad values per argument: training API
def _fit(**kwargs):
    x, y = _data()
    arguments = {"x": x, "y": y, "verbose": 0}
    arguments.update(kwargs)
    return _regressor().fit(**arguments)


def _evaluate(**kwargs):
    x, y = _data()
    arguments = {"x": x, "y": y, "verbose": 0}
    arguments.update(kwargs)
    return _regressor().evaluate(**arguments)


def _predict(**kwargs):
    arguments = {"x": _data()[0], "verbose": 0}
    arguments.update(kwargs)
    return _regressor().predict(**arguments)


def _compile(**kwargs):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    arguments = {"optimizer": "sgd", "loss": "mse"}
    arguments.update(kwargs)
    model.compile(**arguments)


TRAINING_CASES = [
    ("fit", "x", lambda: _fit(x=None)),
    ("fit", "x", lambda: _fit(x="abc")),
    ("fit", "x", lambda: _fit(x=np.array([["a"]] * 10))),
    ("fit", "y", lambda: _fit(y=[object()] * 10)),
    ("fit", "batch_size", lambda: _fit(batch_size=0)),
    ("fit", "batch_size", lambda: _fit(batch_size=-1)),
    ("fit", "batch_size", lambda: _fit(batch_size=2.5)),
    ("fit", "batch_size", lambda: _fit(x=_generator(), y=None, steps_per_epoch=1, batch_size=4)),
    ("fit", "batch_size", lambda: _fit(x=_Batches(), y=None, batch_size=4)),
    ("fit", "epochs", lambda: _fit(epochs=-1)),
    ("fit", "epochs", lambda: _fit(epochs=1.5)),
    ("fit", "verbose", lambda: _fit(verbose=3)),
    ("fit", "verbose", lambda: _fit(verbose="loud")),
    ("fit", "callbacks", lambda: _fit(callbacks=3)),
    ("fit", "callbacks", lambda: _fit(callbacks=[lambda epoch: None])),
    ("fit", "validation_split", lambda: _fit(validation_split=1.0)),
    ("fit", "validation_split", lambda: _fit(validation_split=-0.1)),
    ("fit", "validation_split", lambda: _fit(validation_split="0.2")),
    ("fit", "validation_data", lambda: _fit(validation_data=(_data()[0],))),
    ("fit", "validation_data", lambda: _fit(validation_data=3)),
    ("fit", "shuffle", lambda: _fit(shuffle="yes")),
    ("fit", "class_weight", lambda: _fit(class_weight=[1.0, 2.0])),
    ("fit", "class_weight", lambda: _fit(class_weight={"a": 1.0})),
    ("fit", "class_weight", lambda: _fit(class_weight={0: "heavy"})),
    ("fit", "sample_weight", lambda: _fit(sample_weight="uniform")),
    ("fit", "initial_epoch", lambda: _fit(initial_epoch=-1)),
    ("fit", "steps_per_epoch", lambda: _fit(steps_per_epoch=0)),
    ("fit", "validation_steps", lambda: _fit(validation_split=0.2, validation_steps=0)),
    ("fit", "validation_batch_size", lambda: _fit(validation_split=0.2, validation_batch_size=0)),
    ("fit", "validation_freq", lambda: _fit(validation_split=0.2, validation_freq=0)),
    ("fit", "validation_freq", lambda: _fit(validation_split=0.2, validation_freq="every")),
    ("fit", "validation_freq", lambda: _fit(validation_split=0.2, validation_freq=[1, 0])),
    ("evaluate", "x", lambda: _evaluate(x=None)),
    ("evaluate", "batch_size", lambda: _evaluate(batch_size=0)),
    ("evaluate", "verbose", lambda: _evaluate(verbose=-1)),
    ("evaluate", "sample_weight", lambda: _evaluate(sample_weight="uniform")),
    ("evaluate", "steps", lambda: _evaluate(steps=0)),
    ("evaluate", "callbacks", lambda: _evaluate(callbacks="history")),
    ("evaluate", "return_dict", lambda: _evaluate(return_dict="yes")),
    ("predict", "x", lambda: _predict(x=None)),
    ("predict", "batch_size", lambda: _predict(batch_size=0)),
    ("predict", "verbose", lambda: _predict(verbose=7)),
    ("predict", "steps", lambda: _predict(steps=-1)),
    ("predict", "callbacks", lambda: _predict(callbacks=[1])),
    ("compile", "loss", lambda: _compile(loss="nonsense")),
    ("compile", "loss", lambda: _compile(loss=["mse", "not_a_loss"])),
    ("compile", "loss_weights", lambda: _compile(loss_weights="heavy")),
    ("compile", "loss_weights", lambda: _compile(loss_weights=[None, "heavy"])),
    ("compile", "metrics", lambda: _compile(metrics="mae")),
    ("compile", "metrics", lambda: _compile(metrics=["nonsense"])),
    ("compile", "metrics", lambda: _compile(metrics={"dense": ["mae", "nonsense"]})),
    ("compile", "weighted_metrics", lambda: _compile(weighted_metrics=["nonsense"])),
    ("compile", "run_eagerly", lambda: _compile(run_eagerly="yes")),
    ("compile", "steps_per_execution", lambda: _compile(steps_per_execution=0)),
    ("compile", "jit_compile", lambda: _compile(jit_compile="always")),
    ("compile", "auto_scale_loss", lambda: _compile(auto_scale_loss=None)),
]


@pytest.mark.parametrize(
    "method, name, call",
    TRAINING_CASES,
    ids=[f"{method}-{name}-{i}" for i, (method, name, _) in enumerate(TRAINING_CASES)],
)
def test_training_api_refuses_bad_arguments(method, name, call):
    with pytest.raises(ValueError) as error:
        call()
    message = str(error.value)
    assert message.startswith(f'Model "sequential" {method}: argument `{name}` '), message


def test_on_batch_methods_refuse_bad_arguments():
    model = _regressor()
    x, y = _data()
    with pytest.raises(ValueError, match=r"train_on_batch: argument `class_weight` must be"):
        model.train_on_batch(x, y, class_weight=[1.0])
    with pytest.raises(ValueError, match=r"test_on_batch: argument `return_dict` must be"):
        model.test_on_batch(x, y, return_dict="yes")
    with pytest.raises(ValueError, match=r"predict_on_batch: argument `x` must be"):
        model.predict_on_batch(None)


# ------------------------------------------------------------------- bad values per argument: Input, layers
LAYER_CASES = [
    # (name, call, error type, canonical message)
    ("shape", lambda: keras.Input(shape=(-1,)), ValueError, True),
    ("shape", lambda: keras.Input(shape=(2.5,)), ValueError, True),
    ("shape", lambda: keras.Input(shape=(True,)), ValueError, True),
    ("shape", lambda: keras.Input(shape="ab"), ValueError, True),
    ("batch_size", lambda: keras.Input(shape=(3,), batch_size=0), ValueError, True),
    ("batch_shape", lambda: keras.Input(batch_shape=3), ValueError, True),
    ("batch_shape", lambda: layers.InputLayer(batch_shape=(None, -3)), ValueError, True),
    ("optional", lambda: keras.Input(shape=(3,), optional="yes"), ValueError, True),
    ("tensor", lambda: keras.Input(shape=(3,), tensor=torch.zeros(1, 3)), ValueError, True),
    ("units", lambda: layers.Dense(0), ValueError, True),
    ("units", lambda: layers.Dense(2.5), ValueError, True),
    ("use_bias", lambda: layers.Dense(2, use_bias="no"), ValueError, True),
    ("filters", lambda: layers.Conv2D(0, 3), ValueError, True),
    ("use_bias", lambda: layers.Conv1D(2, 3, use_bias=None), ValueError, True),
    ("kernel_size", lambda: layers.Conv2D(2, 0), ValueError, False),
    ("strides", lambda: layers.Conv3D(2, 3, strides=-1), ValueError, False),
    ("padding", lambda: layers.Conv2D(2, 3, padding="full"), ValueError, False),
    ("filters", lambda: layers.Conv2DTranspose(-2, 3), ValueError, True),
    ("pool_size", lambda: layers.MaxPooling2D(0), ValueError, False),
    ("strides", lambda: layers.AveragePooling1D(2, strides=0), ValueError, False),
    ("keepdims", lambda: layers.GlobalAveragePooling2D(keepdims="yes"), ValueError, True),
    ("rate", lambda: layers.Dropout(1.5), ValueError, False),
    ("noise_shape", lambda: layers.Dropout(0.5, noise_shape=3), ValueError, True),
    ("seed", lambda: layers.Dropout(0.5, seed="abc"), ValueError, True),
    ("input_dim", lambda: layers.Embedding(0, 3), ValueError, True),
    ("output_dim", lambda: layers.Embedding(3, -1), ValueError, True),
    ("mask_zero", lambda: layers.Embedding(3, 3, mask_zero="yes"), ValueError, True),
    ("units", lambda: layers.LSTM(0), ValueError, True),
    ("units", lambda: layers.GRU(-1), ValueError, True),
    ("units", lambda: layers.SimpleRNN(2.5), ValueError, True),
    ("dropout", lambda: layers.LSTM(2, dropout=2.0), ValueError, True),
    ("recurrent_dropout", lambda: layers.GRU(2, recurrent_dropout=-0.5), ValueError, True),
    ("dropout", lambda: layers.SimpleRNN(2, dropout=1.0), ValueError, True),
    ("return_sequences", lambda: layers.LSTM(2, return_sequences="yes"), ValueError, True),
    ("go_backwards", lambda: layers.SimpleRNN(2, go_backwards=1), ValueError, True),
    ("reset_after", lambda: layers.GRU(2, reset_after="yes"), ValueError, True),
    ("unit_forget_bias", lambda: layers.LSTM(2, unit_forget_bias=None), ValueError, True),
    ("use_bias", lambda: layers.LSTM(2, use_bias="no"), ValueError, True),
    ("axis", lambda: layers.BatchNormalization(axis="channels"), TypeError, False),
    ("momentum", lambda: layers.BatchNormalization(momentum=1.5), ValueError, True),
    ("momentum", lambda: layers.BatchNormalization(momentum=-0.1), ValueError, True),
    ("momentum", lambda: layers.BatchNormalization(momentum="high"), ValueError, True),
    ("epsilon", lambda: layers.BatchNormalization(epsilon=0.0), ValueError, False),
    ("center", lambda: layers.BatchNormalization(center="yes"), ValueError, True),
    ("scale", lambda: layers.LayerNormalization(scale=None), ValueError, True),
    ("target_shape", lambda: layers.Reshape((-1, -1)), ValueError, False),
    ("target_shape", lambda: layers.Reshape((0,)), ValueError, False),
    ("target_shape", lambda: layers.Reshape("ab"), ValueError, False),
]


@pytest.mark.parametrize(
    "name, call, error_type, canonical", LAYER_CASES, ids=[f"{name}-{i}" for i, (name, *_) in enumerate(LAYER_CASES)]
)
def test_input_and_layers_refuse_bad_arguments(name, call, error_type, canonical):
    with pytest.raises(error_type) as error:
        call()
    _assert_names(error, name, canonical)


# ------------------------------------------------------------------------------ one test per reported failure
def test_input_with_negative_shape_is_refused():
    with pytest.raises(
        ValueError,
        match=r"^InputLayer: argument `shape` must be a shape .*; received \(-1,\) "
        r"\(tuple\)$",
    ):
        keras.Input(shape=(-1,))


def test_fit_with_batch_size_zero_is_refused_not_defaulted():
    with pytest.raises(
        ValueError,
        match=r"fit: argument `batch_size` must be a positive integer or None; "
        r"received 0 \(int\)",
    ):
        _fit(batch_size=0)


def test_predict_with_batch_size_zero_is_refused_not_defaulted():
    with pytest.raises(
        ValueError,
        match=r"predict: argument `batch_size` must be a positive integer or None; "
        r"received 0 \(int\)",
    ):
        _predict(batch_size=0)


def test_fit_with_negative_epochs_is_refused_not_an_empty_history():
    with pytest.raises(ValueError, match=r"fit: argument `epochs` must be a non-negative integer; received -1"):
        _fit(epochs=-1)


@pytest.mark.parametrize("method", ["fit", "evaluate", "validation"])
def test_targets_that_cannot_match_the_output_shape_are_refused(method):
    x, _ = _data()
    y = np.zeros((10, 5), "float32")
    model = _regressor()
    weights = [w.copy() for w in model.get_weights()]
    with pytest.raises(
        ValueError,
        match=r'compile loss "mean_squared_error" of output "dense": argument `y` must be '
        r"targets of the model output's shape \(10, 1\) \(or \(10,\)\); received "
        r"targets of shape \(10, 5\)",
    ):
        if method == "fit":
            model.fit(x, y, verbose=0)
        elif method == "evaluate":
            model.evaluate(x, y, verbose=0)
        else:
            model.fit(x, np.zeros((10, 1)), validation_data=(x, y), verbose=0)
    if method != "validation":  # refused before any update
        assert all(np.array_equal(a, b) for a, b in zip(weights, model.get_weights()))


def test_targets_of_a_multi_output_model_are_checked_per_output():
    inputs = keras.Input((3,))
    model = keras.Model(inputs, {"a": layers.Dense(1, name="a")(inputs), "b": layers.Dense(2, name="b")(inputs)})
    model.compile(optimizer="sgd", loss={"a": "mse", "b": "binary_crossentropy"})
    x = _data()[0]
    model.fit(x, {"a": np.zeros(10), "b": np.zeros((10, 2))}, verbose=0)
    with pytest.raises(ValueError, match=r'compile loss "binary_crossentropy" of output "b": argument `y`'):
        model.fit(x, {"a": np.zeros(10), "b": np.zeros((10, 3))}, verbose=0)


@pytest.mark.parametrize("build", ["functional", "sequential"])
def test_one_input_model_called_with_two_tensors_is_refused(build):
    if build == "functional":
        inputs = keras.Input((3,))
        model = keras.Model(inputs, layers.Dense(2)(inputs))
        expected = r'Model "functional": argument `inputs` must hold one tensor per model input; the model expects 1'
    else:
        model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
        expected = r'Sequential "sequential": argument `inputs` must be one tensor; the model expects 1 input'
    x = torch.zeros(2, 3)
    with pytest.raises(ValueError, match=expected):
        model([x, x])
    with pytest.raises(ValueError, match=expected):
        model.predict([x.numpy(), x.numpy()], verbose=0)
    assert model([x]).shape == (2, 2)  # a one-tensor list is the one input, as in Keras


@pytest.mark.parametrize("name", ["nonsense", "exec"])
def test_unknown_metric_is_refused_at_compile(name):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    with pytest.raises(ValueError, match=rf"compile: argument `metrics` names an unknown metric '{name}' \(str\)"):
        model.compile(optimizer="sgd", loss="mse", metrics=["mae", name])


@pytest.mark.parametrize(
    "key, value, argument",
    [
        ("metrics", ["exec"], "metrics"),
        ("metrics", ["nonsense"], "metrics"),
        ("weighted_metrics", ["eval"], "weighted_metrics"),
        ("loss", "nonsense", "loss"),
    ],
)
def test_unknown_names_in_a_saved_compile_config_are_refused_by_load_model(tmp_path, key, value, argument):
    model = _regressor()
    model.save(tmp_path / "model")
    config_path = tmp_path / "model" / "config.json"
    config = json.loads(config_path.read_text())
    config["compile_config"][key] = value
    config_path.write_text(json.dumps(config))
    with pytest.raises(ValueError, match=rf"compile: argument `{argument}` names an unknown"):
        keras.models.load_model(tmp_path / "model")
    model = keras.models.load_model(tmp_path / "model", compile=False)  # the architecture itself is fine
    assert model.output_shape == (None, 1)


# ---------------------------------------------------------------------------- legitimate cases still work
@pytest.mark.parametrize("y_shape", [(10,), (10, 1)])
def test_sparse_labels_of_shape_n_or_n_1_train(y_shape):
    x, _ = _data()
    y = np.arange(10).reshape(y_shape) % 4
    history = _classifier().fit(x, y, epochs=2, verbose=0)
    assert sorted(history.history) == ["accuracy", "loss"] and len(history.history["loss"]) == 2


@pytest.mark.parametrize("loss", ["mse", "mae", "binary_crossentropy", "hinge", "huber"])
@pytest.mark.parametrize("y_shape", [(10,), (10, 1), (10, 1, 1)])
def test_targets_differing_by_a_trailing_axis_of_one_are_accepted(loss, y_shape):
    x, _ = _data()
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss=loss)
    y = (np.arange(10) % 2).astype("float32")
    reference = model.evaluate(x, y.reshape(10, 1), verbose=0)
    assert model.evaluate(x, y.reshape(y_shape), verbose=0) == pytest.approx(reference)


def test_a_rank_1_output_accepts_n_1_targets():
    inputs = keras.Input((3,))
    model = keras.Model(inputs, layers.Reshape(())(layers.Dense(1)(inputs)))
    model.compile(optimizer="sgd", loss="mse")
    x, y = _data()
    assert model.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y[:, 0], verbose=0))


def test_custom_losses_are_not_shape_checked():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(4)])
    model.compile(optimizer="sgd", loss=lambda y_true, y_pred: ((y_pred - y_true[:, :1]) ** 2).mean(-1))
    x = _data()[0]
    assert np.isfinite(model.evaluate(x, np.zeros((10, 7)), verbose=0))


def test_accepted_values_next_to_the_refused_ones():
    x, y = _data()
    model = _regressor()
    assert model.fit(x, y, epochs=0, verbose=0).history == {}  # nothing to train: accepted
    history = model.fit(
        x,
        y,
        batch_size=np.int64(4),
        epochs=3,
        verbose=False,
        shuffle="batch",
        validation_split=0.2,
        validation_freq=[1, 3],
        callbacks=keras.callbacks.History(),
    )
    assert len(history.history["val_loss"]) == 2
    assert model.fit(x, y, initial_epoch=2, epochs=2, verbose=0).history == {}
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.tensor(x), torch.tensor(y)), batch_size=5)
    assert len(model.fit(loader, epochs=1, verbose=0).history["loss"]) == 1
    dataset = torch.utils.data.TensorDataset(torch.tensor(x), torch.tensor(y))
    assert len(model.fit(dataset, batch_size=5, verbose=0).history["loss"]) == 1  # a Dataset is batched with it
    assert model.predict(x, batch_size=None, steps=None, verbose=0).shape == (10, 1)
    assert isinstance(model.evaluate(x, y, verbose=0, return_dict=np.bool_(True)), dict)
    classifier = _classifier()
    labels = np.arange(10) % 4
    classifier.fit(x, labels, class_weight={np.int64(0): 2, 1: 1.0, 2: 0.5, 3: np.float32(1)}, verbose=0)


def test_compile_accepts_every_keras_form():
    inputs = keras.Input((3,))
    model = keras.Model(inputs, [layers.Dense(1, name="a")(inputs), layers.Dense(4, name="b")(inputs)])
    model.compile(
        optimizer="adam",
        loss=["mse", keras.losses.SparseCategoricalCrossentropy()],
        loss_weights=[1, 0.5],
        metrics={"a": ["mae"], "b": ["accuracy", keras.metrics.SparseTopKCategoricalAccuracy(k=2)]},
        weighted_metrics=[["mse"], None],
        run_eagerly=True,
        jit_compile=False,
    )
    x = _data()[0]
    logs = model.fit(x, [np.zeros(10), np.arange(10) % 4], verbose=0).history
    assert {"a_mae", "b_accuracy", "b_sparse_top_k_categorical_accuracy"} <= set(logs)
    single = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    single.compile(
        loss=["mse"], loss_weights=2.0, metrics=("mae", keras.metrics.RootMeanSquaredError), jit_compile="auto"
    )


def test_input_accepts_keras_shapes():
    assert keras.Input(5).shape == (None, 5)
    assert keras.Input(shape=(0,)).shape == (None, 0)  # Keras accepts empty axes
    assert keras.Input(shape=[None, np.int64(3)], batch_size=np.int32(2)).shape == (2, None, 3)
    assert keras.Input(batch_shape=torch.Size([4, 3])).shape == (4, 3)
    existing = keras.Input((3,))
    assert keras.Input(tensor=existing) is existing


def test_layers_accept_numpy_values():
    layer = layers.LSTM(np.int64(3), dropout=np.float32(0.5), return_sequences=np.bool_(True))
    assert (layer.units, layer.return_sequences) == (3, True) and layer.cell.dropout == 0.5
    assert layers.BatchNormalization(momentum=1).momentum == 1.0
    assert layers.Dense(2, use_bias=np.bool_(False)).use_bias is False


@pytest.mark.parametrize(
    "y_shape, loss",
    [
        ((10,), "mse"),
        ((10, 1, 1), "mse"),
        ((10,), "sparse_categorical_crossentropy"),
        ((10, 1), "sparse_categorical_crossentropy"),
    ],
)
def test_accepted_target_shapes_give_keras_losses(keras3, y_shape, loss):
    x, _ = _data()
    classes = 4 if loss.startswith("sparse") else 1
    y = (np.arange(10) % 4).reshape(y_shape).astype("float32")
    ours = keras.Sequential([keras.Input((3,)), layers.Dense(classes, activation="softmax" if classes > 1 else None)])
    theirs = keras3.Sequential(
        [keras3.Input((3,)), keras3.layers.Dense(classes, activation="softmax" if classes > 1 else None)]
    )
    theirs.set_weights(ours.get_weights())
    for model in (ours, theirs):
        model.compile(optimizer="sgd", loss=loss)
    assert ours.evaluate(x, y, verbose=0) == pytest.approx(theirs.evaluate(x, y, verbose=0), rel=1e-5)
