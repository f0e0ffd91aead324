"""CSVLogger writes Keras's CSV: sorted columns, val_ columns, append mode, custom separator."""

import pytest
import torch
from callback_fakes import FakeModel, run_fit

from kerastorch.callbacks import CSVLogger


def logs(epoch):
    return {
        "loss": torch.tensor(0.5 / (epoch + 1), dtype=torch.float64),
        "accuracy": torch.tensor(0.25),
        "val_loss": torch.tensor(1.0),
    }


def test_rows_per_epoch(tmp_path):
    path = tmp_path / "log.csv"
    run_fit(FakeModel(), [CSVLogger(path)], epochs=2, steps=1, epoch_logs=logs)
    assert path.read_bytes() == b"epoch,accuracy,loss,val_loss\r\n0,0.25,0.5,1.0\r\n1,0.25,0.25,1.0\r\n"


def test_missing_validation_columns_are_na_and_append_skips_the_header(tmp_path):
    path = tmp_path / "log.csv"
    run_fit(
        FakeModel(),
        [CSVLogger(path, separator=";")],
        epochs=1,
        steps=1,
        epoch_logs=lambda e: {"loss": torch.tensor(0.5)},
    )
    run_fit(
        FakeModel(),
        [CSVLogger(path, separator=";", append=True)],
        epochs=1,
        steps=1,
        epoch_logs=lambda e: {"loss": torch.tensor(0.25)},
    )
    assert path.read_text().splitlines() == ["epoch;loss;val_loss", "0;0.5;NA", "0;0.25;NA"]
    run_fit(FakeModel(), [CSVLogger(path)], epochs=1, steps=1)  # overwrite
    assert path.read_text().splitlines()[1] == "0,1.0,NA"


@pytest.mark.parity
def test_same_file_as_keras(keras3, tmp_path):
    rows = [{"accuracy": 0.25, "loss": 0.5, "val_loss": 1.0}, {"accuracy": 0.5, "loss": 0.125, "val_loss": 0.75}]
    contents = []
    for logger in (CSVLogger(tmp_path / "ours.csv"), keras3.callbacks.CSVLogger(str(tmp_path / "keras.csv"))):
        logger.on_train_begin()
        for epoch, row in enumerate(rows):
            logger.on_epoch_end(epoch, dict(row))
        logger.on_train_end()
    contents = [(tmp_path / name).read_bytes() for name in ("ours.csv", "keras.csv")]
    assert contents[0] == contents[1]
