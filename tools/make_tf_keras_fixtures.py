"""Write the tf.keras 2 fixture files that tests/saving/test_tf_keras_files.py reads without TensorFlow.

Run it with a Python that has TensorFlow and tf.keras 2 (not the project's environment)::

    python3 -m venv /tmp/tfvenv
    /tmp/tfvenv/bin/pip install tensorflow-cpu==2.21.0 tf-keras==2.21.0
    TF_USE_LEGACY_KERAS=1 /tmp/tfvenv/bin/python tools/make_tf_keras_fixtures.py

For each model (an MLP, a CNN with BatchNormalization, an LSTM text model, a functional two-input model), each
trained a few steps, it writes into ``tests/fixtures/tf_keras/<name>/``:

- ``ckpt.index``, ``ckpt.data-00000-of-00001``, ``checkpoint``: ``model.save_weights("ckpt")`` (TensorFlow's
  checkpoint format, with the optimizer state);
- ``model.h5``: ``model.save("model.h5")`` (architecture, weights, training config, optimizer weights);
- ``saved_model/``: ``model.save("saved_model")`` (a SavedModel folder; ``keras_metadata.pb`` and
  ``variables/`` are what kerastorch reads);
- ``io.npz``: the inputs ``x*``, the outputs ``y`` that tf.keras predicted for them, a training batch
  (``train_x*``, ``train_y``), the optimizer's ``iterations``, and the outputs ``y_after_step`` and weights
  ``after_step_<i>`` (``model.weights`` order) after one more ``train_on_batch`` on it, which only an optimizer
  whose state was restored reproduces.

``legacy_optimizer/`` is a model trained with ``tf.keras.optimizers.legacy.Adam`` (its slots are the object graph's
slot variables), saved as checkpoint and ``.h5`` only. ``tests/fixtures/tf_keras/train_checkpoint/`` holds a ``tf.train.Checkpoint(model=..., optimizer=...)`` saved with
``save()`` (``ckpt-1`` and the ``checkpoint`` file), with its own ``io.npz``.

The files are kept tiny (a few kB of weights each); ``saved_model.pb`` (the traced TensorFlow graphs, which
kerastorch does not read) is kept for the MLP only and emptied elsewhere, to keep the fixtures small.
"""

import json
import os
import shutil
import sys

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import tensorflow as tf

keras = tf.keras
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tests", "fixtures", "tf_keras")


def mlp():
    model = keras.Sequential(
        [
            keras.layers.Dense(8, activation="relu", input_shape=(5,), name="hidden"),
            keras.layers.Dropout(0.25),
            keras.layers.Dense(3, activation="softmax", name="probabilities"),
        ],
        name="mlp",
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="categorical_crossentropy", metrics=["accuracy"]
    )
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 5)).astype("float32")
    y = keras.utils.to_categorical(rng.integers(0, 3, 16), 3).astype("float32")
    return model, [x], y


def cnn():
    model = keras.Sequential(
        [
            keras.layers.Conv2D(4, 3, padding="same", input_shape=(8, 8, 2)),
            keras.layers.BatchNormalization(),
            keras.layers.Activation("relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(3, 3, strides=2, padding="valid", use_bias=False),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(2),
        ],
        name="cnn",
    )
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9), loss="mse")
    rng = np.random.default_rng(1)
    x = rng.normal(size=(12, 8, 8, 2)).astype("float32")
    y = rng.normal(size=(12, 2)).astype("float32")
    return model, [x], y


def lstm_text():
    model = keras.Sequential(
        [
            keras.layers.Embedding(20, 4, input_length=7, mask_zero=True),
            keras.layers.LSTM(5),
            keras.layers.Dense(1, activation="sigmoid"),
        ],
        name="text_classifier",
    )
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=0.01), loss="binary_crossentropy", metrics=["accuracy"]
    )
    rng = np.random.default_rng(2)
    x = rng.integers(1, 20, size=(10, 7)).astype("int32")
    x[:3, 5:] = 0  # padding, masked
    y = rng.integers(0, 2, size=(10, 1)).astype("float32")
    return model, [x], y


def two_inputs():
    numbers = keras.Input((4,), name="numbers")
    extra = keras.Input((3,), name="extra")
    a = keras.layers.Dense(6, activation="tanh", name="numbers_dense")(numbers)
    b = keras.layers.Dense(2, name="extra_dense")(extra)
    merged = keras.layers.Concatenate(name="merge")([a, b])
    merged = keras.layers.LayerNormalization(name="norm")(merged)
    outputs = keras.layers.Dense(1, name="score")(merged)
    model = keras.Model([numbers, extra], outputs, name="two_inputs")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.005), loss="mse", metrics=["mae"])
    rng = np.random.default_rng(3)
    x = [rng.normal(size=(9, 4)).astype("float32"), rng.normal(size=(9, 3)).astype("float32")]
    y = rng.normal(size=(9, 1)).astype("float32")
    return model, x, y


def legacy_optimizer():
    """Keras 2's legacy optimizer (``tf.keras.optimizers.legacy``): slot variables in the object graph."""
    model = keras.Sequential(
        [
            keras.layers.Dense(4, activation="relu", input_shape=(3,), name="first"),
            keras.layers.Dense(2, name="second"),
        ],
        name="legacy",
    )
    model.compile(optimizer=keras.optimizers.legacy.Adam(learning_rate=0.02), loss="mse")
    rng = np.random.default_rng(5)
    x = rng.normal(size=(8, 3)).astype("float32")
    y = rng.normal(size=(8, 2)).astype("float32")
    return model, [x], y


def record(folder, model, x, y):
    """Train a few steps, save the three forms, record inputs, outputs and one more training step."""
    tf.random.set_seed(0)
    model.fit(x if len(x) > 1 else x[0], y, batch_size=4, epochs=2, verbose=0, shuffle=False)
    os.makedirs(folder)
    model.save_weights(os.path.join(folder, "ckpt"))
    model.save(os.path.join(folder, "model.h5"))
    name = os.path.basename(folder)
    if name != "legacy_optimizer":  # that one: the checkpoint and the .h5 file only
        model.save(os.path.join(folder, "saved_model"))
    if name not in ("legacy_optimizer", "mlp"):
        with open(os.path.join(folder, "saved_model", "saved_model.pb"), "wb"):
            pass  # the traced graphs (2 MB for the LSTM), which kerastorch does not read: emptied to stay small
    arrays = {f"x{i}": array for i, array in enumerate(x)}
    arrays["y"] = model.predict(x if len(x) > 1 else x[0], verbose=0)
    train_x = [array[:4] for array in x]
    arrays.update({f"train_x{i}": array for i, array in enumerate(train_x)})
    arrays["train_y"] = y[:4]
    arrays["iterations"] = np.asarray(int(model.optimizer.iterations.numpy()))
    model.train_on_batch(train_x if len(x) > 1 else train_x[0], y[:4])
    arrays["y_after_step"] = model.predict(x if len(x) > 1 else x[0], verbose=0)
    for i, weight in enumerate(model.weights):
        arrays[f"after_step_{i}"] = weight.numpy()
    np.savez(os.path.join(folder, "io.npz"), **arrays)


def train_checkpoint(folder):
    """A ``tf.train.Checkpoint`` holding the model and its optimizer (keys ``model/...``, ``save_counter``)."""
    model = keras.Sequential([keras.layers.Dense(3, activation="relu", input_shape=(2,)), keras.layers.Dense(1)])
    optimizer = keras.optimizers.Adam(learning_rate=0.01)
    model.compile(optimizer=optimizer, loss="mse")
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(8, 2)).astype("float32"), rng.normal(size=(8, 1)).astype("float32")
    model.fit(x, y, epochs=1, verbose=0)
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer)
    os.makedirs(folder)
    checkpoint.save(os.path.join(folder, "ckpt"))
    np.savez(os.path.join(folder, "io.npz"), x0=x, y=model.predict(x, verbose=0))


def main():
    if not tf.__version__.startswith("2.") or "tf_keras" not in type(keras.layers.Dense).__module__ + str(keras):
        print(
            f"needs TensorFlow 2 with tf.keras 2 (TF_USE_LEGACY_KERAS=1); found TensorFlow {tf.__version__}, "
            f"keras {keras}",
            file=sys.stderr,
        )
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    versions = {"tensorflow": tf.__version__}
    try:
        import tf_keras

        versions["tf_keras"] = tf_keras.__version__
    except ImportError:
        pass
    for name, build in (
        ("mlp", mlp),
        ("cnn", cnn),
        ("lstm_text", lstm_text),
        ("two_inputs", two_inputs),
        ("legacy_optimizer", legacy_optimizer),
    ):
        keras.backend.clear_session()
        keras.utils.set_random_seed(0)
        model, x, y = build()
        record(os.path.join(OUT, name), model, x, y)
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    train_checkpoint(os.path.join(OUT, "train_checkpoint"))
    with open(os.path.join(OUT, "versions.json"), "w") as f:
        json.dump(versions, f, indent=1)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(root, name)) for root, _, names in os.walk(OUT) for name in names)
    print(f"wrote {OUT} ({total} bytes)")


if __name__ == "__main__":
    main()
