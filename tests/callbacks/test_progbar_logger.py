"""ProgbarLogger: Keras's fit output, silent validation inside fit, tensors read only on redraw."""

import re

import pytest
import torch
from callback_fakes import CountingTensor, FakeModel, counting, install_clock, run_fit

from kerastorch.callbacks import CallbackList, ProgbarLogger

ESCAPES = re.compile(r"\x1b\[\d+m")


def screen_lines(out):
    """What a terminal shows: each \\r-rewritten line reduced to its last state, escapes removed."""
    return [ESCAPES.sub("", line.split("\r")[-1]).rstrip() for line in out.replace("\b", "").split("\n")]


def test_fit_verbose_1_output(monkeypatch, capsys):
    clock = install_clock(monkeypatch)
    run_fit(
        FakeModel(),
        epochs=2,
        steps=50,
        verbose=1,
        clock=clock,
        step_seconds=0.003,
        epoch_logs=lambda e: {
            "loss": torch.tensor(0.3012),
            "accuracy": torch.tensor(0.875),
            "val_loss": torch.tensor(0.5),
        },
    )
    lines = screen_lines(capsys.readouterr().out)
    assert lines == [
        "Epoch 1/2",
        # The batches logged only the loss: it comes first, the names only known at the epoch's end follow.
        "50/50 ━━━━━━━━━━━━━━━━━━━━ 0s 3ms/step - loss: 0.3012 - accuracy: 0.8750 - val_loss: 0.5000",
        "Epoch 2/2",
        "50/50 ━━━━━━━━━━━━━━━━━━━━ 0s 3ms/step - loss: 0.3012 - accuracy: 0.8750 - val_loss: 0.5000",
        "",
    ]


def test_running_bar_shows_eta_and_batch_values(monkeypatch, capsys):
    clock = install_clock(monkeypatch)
    run_fit(
        FakeModel(),
        epochs=1,
        steps=50,
        verbose=1,
        clock=clock,
        step_seconds=0.04,
        batch_loss=lambda e, s: torch.tensor(0.25),
    )
    frames = [ESCAPES.sub("", f).rstrip() for f in capsys.readouterr().out.replace("\b", "").split("\r") if f]
    assert "Epoch" not in frames[0]  # one epoch: no "Epoch 1/1" line
    # 40 ms per step, redraws at most every 50 ms: steps 1, 3, 5, ..., 49, then the final one.
    assert len(frames) == 26
    assert frames[0] == " 1/50 ━━━━━━━━━━━━━━━━━━━━ 1s 40ms/step - loss: 0.2500"  # ETA 49 * 40 ms
    assert frames[1] == " 3/50 ━━━━━━━━━━━━━━━━━━━━ 1s 40ms/step - loss: 0.2500"
    assert frames[-1] == "50/50 ━━━━━━━━━━━━━━━━━━━━ 2s 40ms/step - loss: 1.0000"  # total time, epoch value


def test_fit_verbose_2_one_line_per_epoch_and_no_batch_reads(monkeypatch, capsys):
    clock = install_clock(monkeypatch)
    CountingTensor.calls.clear()
    run_fit(
        FakeModel(),
        epochs=3,
        steps=50,
        verbose=2,
        clock=clock,
        step_seconds=0.012,
        batch_loss=lambda e, s: counting(1.0),
        epoch_logs=lambda e: {"loss": torch.tensor(0.5 / (e + 1))},
    )
    assert CountingTensor.calls == []
    assert capsys.readouterr().out.split("\n") == [
        "Epoch 1/3",
        "50/50 - 1s - 12ms/step - loss: 0.5000",
        "Epoch 2/3",
        "50/50 - 1s - 12ms/step - loss: 0.2500",
        "Epoch 3/3",
        "50/50 - 1s - 12ms/step - loss: 0.1667",
        "",
    ]


def test_batch_values_are_read_only_when_the_bar_redraws(monkeypatch, capsys):
    clock = install_clock(monkeypatch)
    callbacks = CallbackList(None, add_progbar=True, verbose=1, epochs=1, steps=100, model=FakeModel())
    callbacks.on_train_begin()
    callbacks.on_epoch_begin(0)
    redraws = reads = 0
    for step in range(100):
        clock.advance(0.01)
        CountingTensor.calls.clear()
        callbacks.on_train_batch_end(step, {"loss": counting(0.5), "accuracy": counting(0.5)})
        drew = bool(capsys.readouterr().out)
        assert bool(CountingTensor.calls) == drew
        redraws += drew
        reads += bool(CountingTensor.calls)
    assert 15 <= redraws <= 25 and reads == redraws


def test_validation_inside_fit_is_silent_but_evaluate_and_predict_print(monkeypatch, capsys):
    install_clock(monkeypatch)
    logger = ProgbarLogger()
    callbacks = CallbackList([logger], verbose=1, epochs=1, steps=2, model=FakeModel())
    callbacks.on_train_begin()
    callbacks.on_test_begin()
    callbacks.on_test_batch_end(0, {"loss": torch.tensor(1.0)})
    callbacks.on_test_end({"loss": 1.0})
    assert capsys.readouterr().out == ""
    callbacks.on_train_end()
    callbacks.on_test_begin()
    callbacks.on_test_batch_end(0, {"loss": torch.tensor(1.0)})
    callbacks.on_test_end({"loss": 1.0})
    assert screen_lines(capsys.readouterr().out)[-2] == "2/2 ━━━━━━━━━━━━━━━━━━━━ 0s 0s/step - loss: 1.0000"
    callbacks.on_predict_begin()
    callbacks.on_predict_batch_end(0, {"outputs": torch.ones(2, 2)})
    callbacks.on_predict_end()
    assert screen_lines(capsys.readouterr().out)[-2] == "2/2 ━━━━━━━━━━━━━━━━━━━━ 0s 0s/step"


def test_unknown_steps_become_known_after_the_first_epoch(monkeypatch, capsys):
    install_clock(monkeypatch)
    run_fit(FakeModel(), epochs=2, steps=3, verbose=1)
    callbacks_unknown = CallbackList(None, add_progbar=True, verbose=1, epochs=2, steps=None, model=FakeModel())
    capsys.readouterr()
    callbacks_unknown.on_train_begin()
    for epoch in range(2):
        callbacks_unknown.on_epoch_begin(epoch)
        for step in range(3):
            callbacks_unknown.on_train_batch_end(step, {"loss": torch.tensor(1.0)})
        callbacks_unknown.on_epoch_end(epoch, {"loss": torch.tensor(1.0)})
    out = capsys.readouterr().out
    first, second = out.split("Epoch 2/2")
    assert "1/Unknown" in first and "3/3" in first
    assert "Unknown" not in second and "3/3" in second


@pytest.mark.parity
@pytest.mark.parametrize("verbose", [1, 2])
def test_matches_keras_progbar_logger_byte_for_byte(keras3, monkeypatch, capsys, verbose):
    clock = install_clock(monkeypatch)

    def drive(logger):
        clock.now = 1000.0
        logger.set_params({"verbose": verbose, "epochs": 2, "steps": 20})
        logger.on_train_begin()
        for epoch in range(2):
            logger.on_epoch_begin(epoch)
            for step in range(20):
                clock.advance(0.004 * (step + 1))
                logger.on_train_batch_end(step, {"accuracy": 0.5 + step / 100, "loss": 1.0 / (step + 1)})
            logger.on_epoch_end(epoch, {"accuracy": 0.7, "loss": 0.05, "val_loss": -0.0001})
        logger.on_train_end()
        return capsys.readouterr().out

    assert drive(ProgbarLogger()) == drive(keras3.callbacks.ProgbarLogger())
