"""TensorBoard: event files without the tensorboard package, read back by TensorBoard's own reader; Keras's run
layout and tags."""

import os
import sys

import pytest
import torch
from callback_fakes import FakeModel, run_fit

import kerastorch.callbacks.tensorboard as tensorboard_module
from kerastorch.callbacks import TensorBoard


def test_fit_writes_event_files_without_the_tensorboard_package(monkeypatch, tmp_path):
    import numpy as np

    import kerastorch as keras

    monkeypatch.setitem(sys.modules, "tensorboard", None)  # import tensorboard -> ImportError
    monkeypatch.delitem(sys.modules, "torch.utils.tensorboard", raising=False)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    callback = TensorBoard(log_dir=str(tmp_path), histogram_freq=1)
    model.fit(np.ones((8, 1)), np.ones((8, 1)), epochs=2, validation_split=0.25, verbose=0, callbacks=[callback])
    for run in ("train", "validation"):
        [name] = os.listdir(tmp_path / run)
        assert name.startswith("events.out.tfevents.") and os.path.getsize(tmp_path / run / name) > 100


def test_tensorboards_reader_reads_the_event_files(tmp_path):
    event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    import numpy as np

    from kerastorch.callbacks.event_file import EventFileWriter

    writer = EventFileWriter(str(tmp_path))
    for step, loss in enumerate([0.75, 0.5, 0.25]):
        writer.add_scalar("epoch_loss", loss, step)
    values = np.random.default_rng(0).normal(size=1000)
    writer.add_histogram("dense/kernel", values, 2)
    writer.close()
    reader = event_accumulator.EventAccumulator(str(tmp_path), size_guidance={"scalars": 0, "histograms": 0})
    reader.Reload()
    assert [(e.step, e.value) for e in reader.Scalars("epoch_loss")] == [(0, 0.75), (1, 0.5), (2, 0.25)]
    [histogram] = reader.Histograms("dense/kernel")
    value = histogram.histogram_value
    assert histogram.step == 2 and value.num == 1000 and sum(value.bucket) == 1000
    assert value.min == values.min() and value.max == values.max() and value.sum == pytest.approx(values.sum())


def test_crc32c_is_castagnolis():
    from kerastorch.backend.hashing import crc32c

    assert crc32c(b"") == 0 and crc32c(b"123456789") == 0xE3069283 and crc32c(bytes(32)) == 0x8A9136AA


class FakeWriter:
    instances = []

    def __init__(self, log_dir):
        self.log_dir = log_dir
        self.scalars, self.histograms, self.closed = [], [], False
        FakeWriter.instances.append(self)

    def add_scalar(self, tag, value, step):
        assert isinstance(value, (int, float))
        self.scalars.append((tag, value, step))

    def add_histogram(self, tag, values, step):
        self.histograms.append((tag, values.shape, step))

    def flush(self):
        pass

    def close(self):
        self.closed = True


@pytest.fixture
def writers(monkeypatch):
    FakeWriter.instances = []
    monkeypatch.setattr(tensorboard_module, "_summary_writer_class", lambda: FakeWriter)
    return FakeWriter.instances


def test_epoch_batch_and_histogram_summaries(writers, tmp_path):
    model = FakeModel()
    model.weights = model.net.weights
    callback = TensorBoard(log_dir=str(tmp_path), histogram_freq=2, update_freq=3)
    run_fit(
        model,
        [callback],
        epochs=3,
        steps=2,
        epoch_logs=lambda e: {"loss": torch.tensor(1.0 / (e + 1)), "val_loss": torch.tensor(2.0)},
    )
    train, validation = writers
    assert train.log_dir == os.path.join(str(tmp_path), "train")
    assert validation.log_dir == os.path.join(str(tmp_path), "validation")
    assert [s[1:] for s in train.scalars if s[0] == "epoch_loss"] == [(1.0, 0), (0.5, 1), (pytest.approx(1 / 3), 2)]
    assert [s[2] for s in train.scalars if s[0] == "epoch_learning_rate"] == [0, 1, 2]
    assert [s[2] for s in train.scalars if s[0] == "batch_loss"] == [3, 6]
    assert validation.scalars == [("epoch_loss", 2.0, 0), ("epoch_loss", 2.0, 1), ("epoch_loss", 2.0, 2)]
    assert [(tag, step) for tag, _, step in train.histograms] == [
        ("dense/kernel", 0),
        ("dense/bias", 0),
        ("dense/kernel", 2),
        ("dense/bias", 2),
    ]
    assert train.closed and validation.closed


def test_evaluation_scalars_and_argument_checks(writers, tmp_path):
    callback = TensorBoard(log_dir=str(tmp_path))
    callback.set_model(FakeModel())
    callback.on_test_end({"loss": torch.tensor(0.5)})
    assert writers[0].scalars == [("evaluation_loss_vs_iterations", 0.5, 0)]
    with pytest.raises(ValueError, match="update_freq"):
        TensorBoard(update_freq="batch")
    with pytest.warns(UserWarning, match="profile_batch"):
        TensorBoard(profile_batch=2)
