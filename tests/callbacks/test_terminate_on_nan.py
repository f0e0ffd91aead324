"""TerminateOnNaN stops at the first NaN/inf batch loss, or raises with raise_error=True."""

import math

import pytest
import torch
from callback_fakes import FakeModel, run_fit

from kerastorch.callbacks import TerminateOnNaN


def loss_with(bad_value, at):
    return lambda epoch, step: torch.tensor(bad_value if (epoch, step) == at else 0.5)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_stops_training_at_the_bad_batch(bad, capsys):
    model = FakeModel()
    history = run_fit(model, [TerminateOnNaN()], epochs=4, steps=4, batch_loss=loss_with(bad, (1, 2)))
    assert model.stop_training and history.epoch == [0, 1]
    assert model.optimizer.iterations == 4 + 3  # the loop stopped right after that batch
    assert "Batch 2: Invalid loss, terminating training" in capsys.readouterr().out


def test_finite_losses_and_python_floats_keep_training():
    model = FakeModel()
    run_fit(model, [TerminateOnNaN()], epochs=2, steps=2, batch_loss=lambda e, s: 0.5)
    assert not model.stop_training and model.optimizer.iterations == 4


def test_raise_error():
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 0"):
        run_fit(
            FakeModel(), [TerminateOnNaN(raise_error=True)], epochs=1, steps=2, batch_loss=loss_with(math.nan, (0, 0))
        )
