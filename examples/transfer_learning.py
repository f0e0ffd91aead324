"""Transfer learning, offline, on the digits data that ships with kerastorch.

1. Pre-train a small convolutional base on the digits 0-4 (or load it when it was saved before).
2. New task: the digits 5-9, with only a few labelled images per class. Put the frozen base under a new head
   and train the head; then unfreeze the top of the base and fine-tune it with a small learning rate
   (BatchNormalization stays in inference mode: Keras's rule for a frozen base).
3. Train the same architecture from scratch on the same few labels, and compare on the held-out images.

Run: python examples/transfer_learning.py [labels_per_class] [--base PATH]
"""

import argparse
import os
import tempfile

import numpy as np

import kerastorch as keras
from kerastorch import layers


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labels_per_class", nargs="?", type=int, default=5)
    parser.add_argument(
        "--base",
        default=os.path.join(tempfile.gettempdir(), "kerastorch_digits_base.keras"),
        help="where the pre-trained base is saved (and loaded from when it exists)",
    )
    parser.add_argument("--seed", type=int, default=1337)
    return parser.parse_args()


def conv_base():
    return keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.BatchNormalization(),
            layers.Conv2D(64, 3, padding="same", activation="relu"),
            layers.BatchNormalization(),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, padding="same", activation="relu"),
            layers.Flatten(),
        ],
        name="digits_base",
    )


def classifier(base, classes):
    inputs = keras.Input((8, 8, 1))
    x = base(inputs, training=False)  # a frozen base runs in inference mode, BatchNormalization included
    x = layers.Dropout(0.2)(x)
    return keras.Model(inputs, layers.Dense(classes, activation="softmax", name="head")(x))


def compile_model(model, learning_rate):
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )


def pretrained_base(x, y, path):
    if os.path.exists(path):
        print(f"loading the pre-trained base from {path}")
        return keras.models.load_model(path)
    base = conv_base()
    model = classifier(base, 5)
    compile_model(model, 1e-3)
    model.fit(x, y, epochs=15, batch_size=32, validation_split=0.1, verbose=0)
    print(f"pre-trained on digits 0-4: accuracy {model.evaluate(x, y, verbose=0)[1]:.3f}")
    base.save(path)
    print(f"saved the base to {path}")
    return base


def few_labels(x, y, per_class, rng):
    keep = np.concatenate([rng.choice(np.flatnonzero(y == c), per_class, replace=False) for c in np.unique(y)])
    return x[keep], y[keep]


def main():
    args = arguments()
    keras.utils.set_random_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = (x_train / 16.0).astype("float32")[..., None]
    x_test = (x_test / 16.0).astype("float32")[..., None]
    old_train, old_test = y_train < 5, y_test < 5

    base = pretrained_base(x_train[old_train], y_train[old_train], args.base)
    x_few, y_few = few_labels(x_train[~old_train], y_train[~old_train] - 5, args.labels_per_class, rng)
    x_new_test, y_new_test = x_test[~old_test], y_test[~old_test] - 5
    print(f"new task: digits 5-9 with {len(x_few)} labelled images, tested on {len(x_new_test)}")

    base.trainable = False
    model = classifier(base, 5)
    compile_model(model, 1e-3)
    model.fit(x_few, y_few, epochs=60, batch_size=16, verbose=0)
    head_only = model.evaluate(x_new_test, y_new_test, verbose=0)[1]
    print(f"frozen base, new head: accuracy {head_only:.3f}")

    base.trainable = True
    for layer in base.layers[:-2]:  # fine-tune the last convolution only (the base's last layer is Flatten)
        layer.trainable = False
    compile_model(model, 1e-4)  # recompile after changing trainable, with a small learning rate
    model.fit(x_few, y_few, epochs=30, batch_size=16, verbose=0)
    fine_tuned = model.evaluate(x_new_test, y_new_test, verbose=0)[1]
    print(f"fine-tuned top of the base: accuracy {fine_tuned:.3f}")

    keras.utils.set_random_seed(args.seed)
    scratch = classifier(conv_base(), 5)
    compile_model(scratch, 1e-3)
    scratch.fit(x_few, y_few, epochs=90, batch_size=16, verbose=0)
    from_scratch = scratch.evaluate(x_new_test, y_new_test, verbose=0)[1]
    print(f"same model from scratch on the same labels: accuracy {from_scratch:.3f}")
    print(
        f"transfer learning wins by {fine_tuned - from_scratch:+.3f} accuracy ({fine_tuned:.3f} vs {from_scratch:.3f})"
    )


if __name__ == "__main__":
    main()
