"""LambdaCallback: every hook given is called with the hook's arguments; the others do nothing."""

import pytest
import torch
from callback_fakes import FakeModel, run_fit

from kerastorch.callbacks import CallbackList, LambdaCallback
from kerastorch.callbacks.lambda_callback import _HOOKS


def test_every_hook_fires_with_its_arguments():
    calls = []

    def recorder(name):
        return lambda *args, **kwargs: calls.append((name, args[:-1] if len(args) > 1 else ()))

    callback = LambdaCallback(**{name: recorder(name) for name in _HOOKS if not name.startswith("on_batch")})
    callbacks = CallbackList([callback], model=FakeModel())
    callbacks.on_train_begin()
    callbacks.on_epoch_begin(0)
    callbacks.on_train_batch_begin(0)
    callbacks.on_train_batch_end(0, {"loss": torch.tensor(1.0)})
    callbacks.on_test_begin()
    callbacks.on_test_batch_begin(0)
    callbacks.on_test_batch_end(0)
    callbacks.on_test_end()
    callbacks.on_epoch_end(0, {"loss": 1.0})
    callbacks.on_train_end()
    callbacks.on_predict_begin()
    callbacks.on_predict_batch_begin(3)
    callbacks.on_predict_batch_end(3)
    callbacks.on_predict_end()
    assert [name for name, _ in calls] == [
        "on_train_begin",
        "on_epoch_begin",
        "on_train_batch_begin",
        "on_train_batch_end",
        "on_test_begin",
        "on_test_batch_begin",
        "on_test_batch_end",
        "on_test_end",
        "on_epoch_end",
        "on_train_end",
        "on_predict_begin",
        "on_predict_batch_begin",
        "on_predict_batch_end",
        "on_predict_end",
    ]
    assert dict(calls)["on_predict_batch_end"] == (3,)


def test_keras_2_batch_names_and_missing_hooks():
    ends = []
    history = run_fit(
        FakeModel(), [LambdaCallback(on_batch_end=lambda batch, logs: ends.append(batch))], epochs=2, steps=2
    )
    assert ends == [0, 1, 0, 1] and history.epoch == [0, 1]


def test_rejects_non_callables_and_keeps_extra_attributes():
    with pytest.raises(TypeError, match="on_epoch_end"):
        LambdaCallback(on_epoch_end=3)
    assert LambdaCallback(on_epoch_end=None, tag="x").tag == "x"
