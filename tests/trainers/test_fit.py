"""compile / fit / evaluate / predict: the Keras workflow and its inputs."""

import math

import numpy as np
import pytest
import torch

import kerastorch as keras
from kerastorch import layers


def _data(n=256, features=4, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    y = (x[:, 0] > 0).astype("int64") + (x[:, 1] > 0).astype("int64")
    return x, np.minimum(y, classes - 1)


def _classifier(features=4, classes=3):
    return keras.Sequential(
        [keras.Input((features,)), layers.Dense(16, activation="relu"), layers.Dense(classes, activation="softmax")]
    )


def test_fit_learns_and_returns_history():
    keras.utils.set_random_seed(0)
    x, y = _data()
    model = _classifier()
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=32, epochs=15, verbose=0, validation_split=0.25)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(history.history["loss"]) == 15 and history.epoch == list(range(15))
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.85
    assert all(isinstance(v, float) for v in history.history["loss"])


def test_evaluate_matches_a_manual_computation():
    x, y = _data(100)
    model = _classifier()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    loss, accuracy = model.evaluate(x, y, batch_size=7, verbose=0)
    with torch.no_grad():
        probabilities = model(torch.tensor(x))
    expected_loss = torch.nn.functional.nll_loss(torch.log(probabilities.clamp(1e-7, 1 - 1e-7)), torch.tensor(y))
    assert loss == pytest.approx(float(expected_loss), rel=1e-5)
    assert accuracy == pytest.approx(float((probabilities.argmax(-1) == torch.tensor(y)).float().mean()), abs=1e-6)
    assert model.evaluate(x, y, verbose=0, return_dict=True).keys() == {"loss", "accuracy"}


def test_predict_returns_numpy_in_output_structure():
    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    model = keras.Model([a, b], {"sum": layers.Dense(1)(layers.Concatenate()([a, b])), "copy": a})
    xa, xb = np.random.rand(10, 3).astype("float32"), np.random.rand(10, 2).astype("float32")
    out = model.predict([xa, xb], batch_size=4, verbose=0)
    assert set(out) == {"sum", "copy"} and isinstance(out["sum"], np.ndarray) and out["sum"].shape == (10, 1)
    np.testing.assert_allclose(out["copy"], xa, rtol=1e-6)


def test_multi_output_losses_weights_and_metrics_by_name():
    keras.utils.set_random_seed(1)
    inputs = keras.Input((4,))
    hidden = layers.Dense(8, activation="relu")(inputs)
    score = layers.Dense(1, name="score")(hidden)
    label = layers.Dense(3, activation="softmax", name="label")(hidden)
    model = keras.Model(inputs, [score, label])
    model.compile(
        optimizer="adam",
        loss={"score": "mse", "label": "sparse_categorical_crossentropy"},
        loss_weights={"score": 0.5, "label": 1.0},
        metrics={"label": ["accuracy"]},
    )
    x, y = _data(64)
    targets = [x[:, :1] * 2, y]
    history = model.fit(x, targets, epochs=2, batch_size=16, verbose=0)
    assert {"loss", "score_loss", "label_loss", "label_accuracy"} <= set(history.history)
    logs = model.evaluate(x, targets, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(0.5 * logs["score_loss"] + logs["label_loss"], rel=1e-4)


def test_inputs_tensors_dataset_dataloader_generator_and_pydataset():
    x, y = _data(64)
    tx, ty = torch.tensor(x), torch.tensor(y)
    model = _classifier()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    dataset = torch.utils.data.TensorDataset(tx, ty)

    class Batches(keras.utils.PyDataset):
        def __len__(self):
            return 4

        def __getitem__(self, index):
            return x[index * 16 : (index + 1) * 16], y[index * 16 : (index + 1) * 16]

    def generator():
        while True:
            yield x[:16], y[:16]

    for data, kwargs in [
        (tx, {"y": ty}),
        (dataset, {"batch_size": 16}),
        (torch.utils.data.DataLoader(dataset, batch_size=16), {}),
        (Batches(), {}),
        (generator(), {"steps_per_epoch": 3}),
    ]:
        history = model.fit(data, epochs=2, verbose=0, **kwargs)
        assert len(history.history["loss"]) == 2 and math.isfinite(history.history["loss"][-1])


def test_sample_weight_and_class_weight_change_the_loss():
    x, y = _data(32)
    model = _classifier()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    plain = model.evaluate(x, y, verbose=0)
    zero_some = np.where(y == 0, 0.0, 1.0).astype("float32")
    weighted = model.evaluate(x, y, sample_weight=zero_some, verbose=0)
    assert weighted != pytest.approx(plain)
    history = model.fit(x, y, class_weight={0: 0.0, 1: 1.0, 2: 1.0}, epochs=1, verbose=0, shuffle=False)
    assert math.isfinite(history.history["loss"][0])


def test_metric_strings_name_the_logs():
    x, y = _data(32)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae", keras.metrics.RootMeanSquaredError()])
    logs = model.evaluate(x, y.astype("float32")[:, None], verbose=0, return_dict=True)
    assert set(logs) == {"loss", "mae", "root_mean_squared_error"}
    assert logs["root_mean_squared_error"] == pytest.approx(logs["loss"] ** 0.5, rel=1e-5)


def test_validation_data_freq_and_initial_epoch():
    x, y = _data(48)
    model = _classifier()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    history = model.fit(x, y, validation_data=(x, y), validation_freq=2, epochs=4, initial_epoch=1, verbose=0)
    assert history.epoch == [1, 2, 3]
    assert len(history.history["val_loss"]) == 2  # epochs 2 and 4


def test_on_batch_methods():
    x, y = _data(16)
    model = _classifier()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    before = [w.copy() for w in model.get_weights()]
    loss, accuracy = model.train_on_batch(x, y)
    assert math.isfinite(loss) and 0 <= accuracy <= 1
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    assert set(model.test_on_batch(x, y, return_dict=True)) == {"loss", "accuracy"}
    assert model.predict_on_batch(x).shape == (16, 3)


def test_custom_train_step_gan_style():
    class Custom(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)
            self.loss_tracker = keras.metrics.Mean(name="custom_loss")

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            x, y = data
            loss = torch.mean((self(x, training=True) - y) ** 2)
            self.optimizer.apply([g for g in torch.autograd.grad(loss, self.trainable_weights)], self.trainable_weights)
            self.loss_tracker.update_state(loss.detach())
            return {"custom_loss": self.loss_tracker.result()}

    x = np.random.rand(64, 2).astype("float32")
    y = x.sum(-1, keepdims=True)
    model = Custom()
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    history = model.fit(x, y, epochs=20, batch_size=16, verbose=0)
    assert history.history["custom_loss"][-1] < 0.2 * history.history["custom_loss"][0]


def test_torch_optimizer_in_compile():
    x, y = _data(64)
    model = _classifier()
    model(torch.ones(1, 4))
    model.compile(optimizer=torch.optim.SGD(model.parameters(), lr=0.1), loss="sparse_categorical_crossentropy")
    history = model.fit(x, y, epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_errors_are_clear():
    x, y = _data(10)
    model = _classifier()
    with pytest.raises(RuntimeError, match="must be compiled before fit"):
        model.fit(x, y, verbose=0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"Data cardinality is ambiguous.*x: \[10\].*y: \[9\]"):
        model.fit(x, y[:9], verbose=0)
    with pytest.raises(ValueError, match=r"argument `validation_split` must be a number in \[0, 1\)"):
        model.fit(x, y, validation_split=1.5, verbose=0)
    with pytest.raises(ValueError, match="optimizer"):
        model.compile(optimizer="adamm", loss="mse")
    with pytest.raises(ValueError, match="loss"):
        model.compile(optimizer="adam", loss="mean_sqared_error")


def test_jit_compile_matches_eager():
    keras.utils.set_random_seed(3)
    x, y = _data(32)
    eager, compiled = _classifier(), _classifier()
    compiled.set_weights(eager.get_weights())
    eager.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    compiled.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", jit_compile=True)
    a = eager.fit(x, y, epochs=1, shuffle=False, verbose=0).history["loss"]
    b = compiled.fit(x, y, epochs=1, shuffle=False, verbose=0).history["loss"]
    assert a == pytest.approx(b, rel=1e-5)


class _Strict(keras.Sequential):
    """A user's train_step that refuses batches of more than 4 samples."""

    def train_step(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        if x.shape[0] > 4:
            raise ValueError(f"_Strict: batches of at most 4 samples, received {x.shape[0]}")
        return super().train_step(data)


def _eager_backend_compile(monkeypatch, backend="eager"):
    """torch.compile with a fast backend: the tracing (what decides what reaches the user) is unchanged."""
    real = torch.compile
    monkeypatch.setattr(torch, "compile", lambda fn, **kwargs: real(fn, backend=backend, **kwargs))


def test_jit_compile_lets_the_step_own_errors_propagate(monkeypatch, recwarn):
    """A user error in a compiled step is raised as is: no "could not compile" warning, no eager rerun."""
    _eager_backend_compile(monkeypatch)
    torch._dynamo.reset()
    model = _Strict([keras.Input((3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", jit_compile=True)
    x, y = np.ones((8, 3), "float32"), np.ones((8, 1), "float32")
    model.fit(x, y, batch_size=4, verbose=0)  # compiles and runs
    with pytest.raises(ValueError, match="_Strict: batches of at most 4 samples, received 8"):
        model.fit(x, y, batch_size=8, verbose=0)
    assert not [w for w in recwarn if "could not compile" in str(w.message)]
    torch._dynamo.reset()


def test_jit_compile_falls_back_to_eager_when_torch_cannot_compile(monkeypatch):
    def broken_backend(graph_module, example_inputs):
        raise RuntimeError("no compiler here")

    _eager_backend_compile(monkeypatch, broken_backend)
    torch._dynamo.reset()
    keras.utils.set_random_seed(3)
    x, y = _data(32)
    eager, compiled = _classifier(), _classifier()
    compiled.set_weights(eager.get_weights())
    eager.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    compiled.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", jit_compile=True)
    a = eager.fit(x, y, epochs=2, shuffle=False, verbose=0).history["loss"]
    with pytest.warns(
        UserWarning, match="(?s)could not compile the train step .*BackendCompilerFailed.*running it eagerly instead"
    ) as caught:
        b = compiled.fit(x, y, epochs=2, shuffle=False, verbose=0).history["loss"]
    assert a == pytest.approx(b, rel=1e-5)
    assert len([w for w in caught if "could not compile" in str(w.message)]) == 1  # once, then eager
    torch._dynamo.reset()


def test_mixed_bfloat16_policy_trains():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model = _classifier()
        assert model.layers[0].compute_dtype == "bfloat16" and model.layers[0].kernel.dtype == torch.float32
        assert model(torch.ones(2, 4)).dtype == torch.bfloat16
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        x, y = _data(64)
        history = model.fit(x, y, epochs=3, verbose=0)
        assert history.history["loss"][-1] < history.history["loss"][0]
    finally:
        keras.mixed_precision.set_global_policy(None)


@pytest.mark.cuda
def test_fit_on_cuda_with_mixed_float16():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = _classifier().to("cuda")
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        x, y = _data(128)
        history = model.fit(x, y, epochs=3, verbose=0)
        assert history.history["loss"][-1] < history.history["loss"][0]
        assert model.predict(x, verbose=0).shape == (128, 3)
    finally:
        keras.mixed_precision.set_global_policy(None)


class GuideTrainStep(keras.Model):
    """The custom train_step of Keras's guide "Customizing fit() with PyTorch", as written there."""

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def test_a_custom_train_step_updates_the_compiled_metrics_through_self_metrics():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((3,))
    model = GuideTrainStep(inputs, keras.layers.Dense(1)(inputs))
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    assert [m.name for m in model.metrics] == ["loss", "compile_metrics"]
    x, y = np.random.default_rng(0).normal(size=(16, 3)), np.zeros((16, 1))
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    assert sorted(history.history) == ["loss", "mae"]
    predictions = model.predict(x, verbose=0)
    assert model.evaluate(x, y, verbose=0, return_dict=True)["mae"] == pytest.approx(
        np.abs(predictions).mean(), rel=1e-5
    )


def test_custom_steps_that_return_other_logs_are_logged_as_returned():
    class Counting(keras.Model):
        def train_step(self, data):
            logs = super().train_step(data)
            return {"loss": logs["loss"], "steps": torch.tensor(7.0)}

    inputs = keras.Input((3,))
    model = Counting(inputs, keras.layers.Dense(1)(inputs))
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(np.ones((4, 3)), np.ones((4, 1)), epochs=1, verbose=0)
    assert history.history["steps"] == [7.0]


def test_a_compute_loss_override_without_the_training_argument():
    class Overridden(keras.Model):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
            return torch.mean((y - y_pred) ** 2) * 2

    inputs = keras.Input((2,))
    model = Overridden(inputs, keras.layers.Dense(1, kernel_initializer="zeros")(inputs))
    model.compile(optimizer="sgd")
    history = model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=1, batch_size=4, verbose=0)
    assert history.history["loss"] == [pytest.approx(2.0)]  # the override's loss, doubled, at zero weights


def test_a_model_without_trainable_weights_fits_with_a_warning_and_logs_its_add_loss():
    class Penalty(keras.layers.Layer):
        def call(self, x):
            self.add_loss(torch.mean(x**2))
            return x

    inputs = keras.Input((2,))
    model = keras.Model(inputs, Penalty()(inputs))
    model.compile(optimizer="sgd")
    with pytest.warns(UserWarning, match='Model "functional.*" does not have any trainable weights'):
        history = model.fit(np.full((4, 2), 2.0), epochs=2, verbose=0)
    assert history.history["loss"] == [4.0, 4.0]


def test_steps_per_epoch_reads_on_where_the_last_epoch_stopped():
    seen = []

    class Spy(keras.Model):
        def train_step(self, data):
            seen.append(int(data[0][0, 0]))
            return super().train_step(data)

    inputs = keras.Input((1,))
    model = Spy(inputs, keras.layers.Dense(1)(inputs))
    model.compile(optimizer="sgd", loss="mse")
    x = np.arange(10, dtype="float32").reshape(10, 1)
    model.fit(x, x, batch_size=2, steps_per_epoch=3, epochs=3, shuffle=False, verbose=0)
    assert seen == [0, 2, 4, 6, 8, 0, 2, 4, 6]  # batches 0-4, then a new pass over the data, as Keras 3


def test_an_endless_py_dataset_trains_with_steps_per_epoch():
    class Endless(keras.utils.PyDataset):
        @property
        def num_batches(self):
            return None

        def __getitem__(self, index):
            return np.full((2, 1), index, "float32"), np.zeros((2, 1), "float32")

    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(Endless(), steps_per_epoch=4, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def _adamw_without_bias_decay():
    optimizer = keras.optimizers.AdamW(weight_decay=0.1)
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    return optimizer


@pytest.mark.parametrize(
    "make_optimizer",
    [
        _adamw_without_bias_decay,
        keras.optimizers.Muon,
        lambda: keras.optimizers.MultiOptimizer(
            keras.optimizers.OptimizerMap(keras.optimizers.Adam(), {"dense/kernel": keras.optimizers.SGD(0.1)})
        ),
    ],
    ids=["adamw", "muon", "multi"],
)
def test_a_fitted_model_pickles_and_copies_and_trains_on(make_optimizer):
    import copy
    import pickle

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="dense")])
    model.compile(make_optimizer(), "mse")
    x, y = np.ones((4, 3)), np.ones((4, 2))
    model.fit(x, y, verbose=0)
    restored, copied = pickle.loads(pickle.dumps(model)), copy.deepcopy(model)
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0))
    for clone in (restored, copied, model):
        clone.fit(x, y, verbose=0)
    np.testing.assert_allclose(restored.get_weights()[0], model.get_weights()[0], rtol=1e-6)
    np.testing.assert_allclose(copied.get_weights()[0], model.get_weights()[0], rtol=1e-6)


@pytest.mark.parametrize("rnn", ["LSTM", "GRU"])
def test_jit_compile_trains_recurrent_layers_like_eager(rnn):
    """torch.compile (inductor) cannot lower the fused CPU recurrent kernel: the compiled step runs the step loop."""
    torch._dynamo.reset()
    keras.utils.set_random_seed(1)
    x, y = np.random.rand(32, 5, 3).astype("float32"), np.random.randint(0, 4, 32)

    def make():
        return keras.Sequential([keras.Input((5, 3)), getattr(layers, rnn)(4), layers.Dense(4)])

    eager, compiled = make(), make()
    compiled.set_weights(eager.get_weights())
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    eager.compile(optimizer="sgd", loss=loss)
    compiled.compile(optimizer="sgd", loss=loss, jit_compile=True)
    a = eager.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0).history["loss"]
    b = compiled.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0).history["loss"]
    assert a == pytest.approx(b, rel=1e-5)
    torch._dynamo.reset()
