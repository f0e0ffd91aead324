"""One process of the data-parallel job that tests/distribution/test_data_parallel.py starts (as torchrun would:
``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR`` and ``MASTER_PORT`` in its environment).

Run: ``python data_parallel_job.py OUTPUT_DIR``. Every process builds its models from its own seed (process 0's
is the one the single-process reference uses), trains them under ``keras.distribution.DataParallel()``, and
writes what it ended with to ``OUTPUT_DIR/rank<r>.json``. The test imports the data and model builders from
here to train the reference in one process.
"""

import json
import os
import sys

import numpy as np
import torch

import kerastorch as keras
from kerastorch import layers

EPOCHS = 3
BATCH_SIZE = 8
KILL_AT = (1, 3)  # (epoch, batch) where the first resumable run is interrupted
SAVE_FREQ = 3  # BackupAndRestore backs up every 3 batches


def arrays(rows, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(rows, 5)).astype("float32"), rng.normal(size=(rows, 3)).astype("float32")


class ManualStep(keras.Sequential):
    """A custom train_step as Keras's "customizing fit() with PyTorch" guide writes it."""

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        with torch.no_grad():
            self.optimizer.apply([w.grad for w in self.trainable_weights], self.trainable_weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {metric.name: metric.result() for metric in self.metrics}


def build_model(seed, kind="sgd"):
    """The test's model: a Keras SGD optimizer (``kind="sgd"``), a ``torch.optim.SGD`` (``"torch"``), a custom
    ``train_step`` (``"manual"``), or BatchNormalization's non-trainable weights (``"batch_norm"``)."""
    keras.utils.set_random_seed(seed)
    stack = [keras.Input((5,)), layers.Dense(8, activation="tanh")]
    stack += [layers.BatchNormalization()] if kind == "batch_norm" else []
    model = (ManualStep if kind == "manual" else keras.Sequential)(stack + [layers.Dense(3)])
    optimizer = keras.optimizers.SGD(learning_rate=0.1, momentum=0.5)
    if kind == "torch":
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.5)
    model.compile(optimizer=optimizer, loss="mse", metrics=["mae"])
    return model


class Batches(keras.utils.PyDataset):
    """Whole batches of ``size`` rows of (x, y)."""

    def __init__(self, x, y, size):
        super().__init__()
        self.x, self.y, self.size = x, y, size

    def __len__(self):
        return len(self.x) // self.size

    def __getitem__(self, index):
        part = slice(index * self.size, (index + 1) * self.size)
        return self.x[part], self.y[part]


class Interrupt(keras.callbacks.Callback):
    """Stands in for a crash: raises at batch ``KILL_AT[1]`` of epoch ``KILL_AT[0]``."""

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == KILL_AT:
            raise RuntimeError("interrupted")


def resumed_run(backup_dir, first_seed, second_seed):
    """A fit interrupted mid-epoch, then a new model (as after a restart) that resumes from the backup."""
    x, y = arrays(37, 0)
    model = build_model(first_seed)
    try:
        model.fit(
            x,
            y,
            batch_size=BATCH_SIZE,
            epochs=EPOCHS,
            shuffle=False,
            verbose=0,
            callbacks=[keras.callbacks.BackupAndRestore(backup_dir, save_freq=SAVE_FREQ), Interrupt()],
        )
    except RuntimeError as error:
        assert str(error) == "interrupted"
    model = build_model(second_seed)
    history = model.fit(
        x,
        y,
        batch_size=BATCH_SIZE,
        epochs=EPOCHS,
        shuffle=False,
        verbose=0,
        callbacks=[keras.callbacks.BackupAndRestore(backup_dir, save_freq=SAVE_FREQ)],
    )
    return model, history


def weights(model):
    return [w.tolist() for w in model.get_weights()]


def main(output):
    rank = int(os.environ["RANK"])
    torch.set_num_threads(1)
    keras.distribution.set_distribution(keras.distribution.DataParallel())
    parallel = keras.distribution.distribution()
    result = {
        "process_group": torch.distributed.is_initialized(),
        "num_processes": parallel.num_processes,
        "process_id": parallel.process_id,
    }

    # Arrays, with an uneven last batch (37 rows, batches of 8) and validation data of 11 rows.
    x, y = arrays(37, 0)
    x_val, y_val = arrays(11, 1)
    model = build_model(100 + rank)
    checkpoint = keras.callbacks.ModelCheckpoint(
        os.path.join(output, f"rank{rank}", "ckpt.weights.safetensors"), save_weights_only=True
    )
    csv = keras.callbacks.CSVLogger(os.path.join(output, f"log{rank}.csv"))
    history = model.fit(
        x,
        y,
        batch_size=BATCH_SIZE,
        epochs=EPOCHS,
        shuffle=False,
        validation_data=(x_val, y_val),
        verbose=2,
        callbacks=[checkpoint, csv],
    )
    result["arrays"] = {
        "weights": weights(model),
        "history": history.history,
        "evaluate": model.evaluate(x_val, y_val, batch_size=4, verbose=0, return_dict=True),
    }
    model.save(os.path.join(output, f"model{rank}.keras"))
    model.fit(x, y, batch_size=BATCH_SIZE, epochs=1, shuffle=True, verbose=0)  # one shuffle order everywhere
    result["shuffled_weights"] = weights(model)

    # A DataLoader (its batch size is global: 8 = 4 per process).
    x40, y40 = arrays(40, 2)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(x40), torch.from_numpy(y40)), batch_size=BATCH_SIZE
    )
    model = build_model(100 + rank)
    history = model.fit(loader, epochs=2, verbose=0)
    result["loader"] = {"weights": weights(model), "history": history.history}

    # A torch optimizer, a custom train_step calling optimizer.apply, BatchNormalization (even shares: 40 rows).
    for kind in ("torch", "manual", "batch_norm"):
        model = build_model(100 + rank, kind)
        history = model.fit(x40, y40, batch_size=BATCH_SIZE, epochs=2, shuffle=False, verbose=0)
        result[kind] = {"weights": weights(model), "history": history.history}

    # Whole batches: a PyDataset and a generator of 6 batches of 6 rows; each process takes every other one.
    x36, y36 = arrays(36, 3)
    model = build_model(100 + rank)
    history = model.fit(Batches(x36, y36, 6), epochs=2, shuffle=False, verbose=0)
    result["py_dataset"] = {"weights": weights(model), "history": history.history}
    model = build_model(100 + rank)
    batches = Batches(x36, y36, 6)
    history = model.fit((batches[i] for i in range(len(batches))), epochs=1, verbose=0)
    result["generator"] = {"weights": weights(model), "history": history.history}

    # BackupAndRestore: every process resumes from process 0's backup.
    model, history = resumed_run(os.path.join(output, "backup"), 200 + rank, 300 + rank)
    result["resumed"] = {"weights": weights(model), "history": history.history, "epochs": history.epoch}

    with open(os.path.join(output, f"rank{rank}.json"), "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main(sys.argv[1])
