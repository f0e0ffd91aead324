"""A fake model, optimizer and training loop that drive the callbacks as ``fit`` will.

pytest imports the test files here with this folder first on ``sys.path`` (no ``__init__.py``), so the
tests can ``from callback_fakes import ...``.
"""

import io
import os
import tempfile
import time

import numpy as np
import torch

import kerastorch as keras
from kerastorch.callbacks import CallbackList


class FakeOptimizer:
    """``learning_rate`` (float property), ``iterations`` and a tensor ``state_dict`` with int keys."""

    def __init__(self, learning_rate=0.1):
        self._learning_rate = float(learning_rate)
        self.iterations = 0
        self.momentum = {0: torch.zeros(2)}

    @property
    def learning_rate(self):
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self._learning_rate = float(value)

    def state_dict(self):
        return {
            "iterations": torch.tensor(self.iterations),
            "learning_rate": self._learning_rate,
            "state": {key: {"momentum": value.clone()} for key, value in self.momentum.items()},
            "shapes": (2,),
        }

    def load_state_dict(self, state):
        self.iterations = int(state["iterations"])
        self._learning_rate = float(state["learning_rate"])
        self.momentum = {key: value["momentum"].clone() for key, value in state["state"].items()}


def _atomic_savez(path, *arrays, **named):
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        buffer = io.BytesIO()
        np.savez(buffer, *arrays, **named)  # into a buffer: np.savez would add ".npz" to a path
        f.write(buffer.getvalue())
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class FakeModel:
    """A kerastorch ``Sequential`` of one ``Dense`` for the weights, plus what ``fit`` exposes."""

    def __init__(self, learning_rate=0.1):
        self.net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        self.optimizer = FakeOptimizer(learning_rate)
        self.stop_training = False
        self.saves = []  # (kind, path), in order
        self.initial_weights = [np.array(w, copy=True) for w in self.get_weights()]

    def weights_after(self, steps):
        """The weights ``steps`` train steps after creation, at the initial learning rate."""
        return [w + steps * self.optimizer.learning_rate for w in self.initial_weights]

    @property
    def trainable_weights(self):
        return self.net.trainable_weights

    def get_weights(self):
        return self.net.get_weights()

    def set_weights(self, weights):
        self.net.set_weights(weights)

    def train_step(self):
        """Moves every weight by +learning_rate and counts the step, deterministically."""
        with torch.no_grad():
            for weight in self.net.weights:
                weight.add_(self.optimizer.learning_rate)
        self.optimizer.iterations += 1
        self.optimizer.momentum[0] += 1.0

    def save_weights(self, filepath):
        _atomic_savez(filepath, *self.get_weights())
        self.saves.append(("weights", filepath))

    def save(self, filepath):
        _atomic_savez(filepath, *self.get_weights(), kind=np.array("model"))
        self.saves.append(("model", filepath))


def load_saved_weights(path):
    with np.load(path) as data:
        return [data[f"arr_{i}"] for i in range(len([k for k in data.files if k.startswith("arr_")]))]


def run_fit(
    model,
    callbacks=None,
    epochs=3,
    steps=4,
    epoch_logs=None,
    batch_loss=None,
    verbose=0,
    initial_epoch=0,
    clock=None,
    step_seconds=0.0,
    crash_at_epoch=None,
):
    """The loop ``fit`` runs, with the contract's calls.

    ``epoch_logs(epoch)`` gives the epoch's metrics (tensors allowed); ``batch_loss(epoch, step)`` the
    batch loss (a tensor). ``clock`` (a FakeClock) advances ``step_seconds`` per batch.
    ``crash_at_epoch`` raises KeyboardInterrupt at the start of that epoch (an interrupted fit).
    """
    epoch_logs = epoch_logs or (lambda epoch: {"loss": torch.tensor(1.0 / (epoch + 1))})
    batch_loss = batch_loss or (lambda epoch, step: torch.tensor(1.0 / (epoch + 1) + 0.01 * step))
    callback_list = CallbackList(
        callbacks, add_history=True, add_progbar=verbose != 0, verbose=verbose, epochs=epochs, steps=steps, model=model
    )
    model.stop_training = False
    callback_list.on_train_begin()
    logs = {}
    for epoch in range(callback_list.resolve_initial_epoch(initial_epoch), epochs):
        if epoch == crash_at_epoch:
            raise KeyboardInterrupt
        callback_list.on_epoch_begin(epoch)
        for step in range(steps):
            callback_list.on_train_batch_begin(step)
            model.train_step()
            if clock is not None:
                clock.advance(step_seconds)
            callback_list.on_train_batch_end(step, {"loss": batch_loss(epoch, step)})
            if model.stop_training:
                break
        logs = callback_list.on_epoch_end(epoch, epoch_logs(epoch))
        if model.stop_training:
            break
    callback_list.on_train_end(logs)
    return callback_list.history


class FakeClock:
    """Stands in for ``time.time``: moves only when told to."""

    def __init__(self, start=1000.0):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


def install_clock(monkeypatch, start=1000.0):
    clock = FakeClock(start)
    monkeypatch.setattr(time, "time", clock)
    return clock


class CountingTensor(torch.Tensor):
    """A tensor that records the name of every torch operation that touches it in ``calls``."""

    calls = []

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        CountingTensor.calls.append(getattr(func, "__name__", str(func)))
        return super().__torch_function__(func, types, args, kwargs or {})


def counting(value):
    return torch.tensor(value).as_subclass(CountingTensor)
