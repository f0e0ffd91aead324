"""CallbackList: default callbacks, model/params wiring, logs conversion (batch: once, only for callbacks that do
not take device logs; epoch: once), History."""

import pytest
import torch
from callback_fakes import CountingTensor, FakeModel, counting, run_fit

from kerastorch.callbacks import Callback, CallbackList, History, ProgbarLogger, to_python_logs


class Recorder(Callback):
    def __init__(self):
        super().__init__()
        self.events = []

    def on_train_batch_end(self, batch, logs=None):
        self.events.append(("batch", batch, logs))

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(("epoch", epoch, dict(logs)))
        logs["extra"] = 1.0  # visible to later callbacks and returned to the loop


def test_adds_history_and_progbar_and_wires_model_and_params():
    model = FakeModel()
    recorder = Recorder()
    callbacks = CallbackList([recorder], add_history=True, add_progbar=True, verbose=1, epochs=2, steps=3, model=model)
    kinds = [type(cb) for cb in callbacks.callbacks]
    assert kinds == [Recorder, History, ProgbarLogger]
    assert model.history is callbacks.history
    for cb in callbacks.callbacks:
        assert cb.model is model
        assert cb.params == {"verbose": 1, "epochs": 2, "steps": 3}


def test_user_history_and_progbar_are_not_duplicated():
    history, progbar = History(), ProgbarLogger()
    callbacks = CallbackList(
        [[history], progbar], add_history=True, add_progbar=True, verbose=1, epochs=1, steps=1, model=FakeModel()
    )
    assert callbacks.callbacks == [history, progbar] and callbacks.history is history


class DeviceRecorder(Recorder):
    takes_device_logs = True


def test_batch_logs_pass_through_unread_and_epoch_logs_become_floats():
    model = FakeModel()
    recorder = DeviceRecorder()
    CountingTensor.calls.clear()
    history = run_fit(
        model,
        [recorder],
        epochs=2,
        steps=3,
        batch_loss=lambda epoch, step: counting(0.5),
        epoch_logs=lambda epoch: {"loss": torch.tensor(0.5), "out": {"acc": torch.tensor(0.75)}},
    )
    assert CountingTensor.calls == []  # no callback read a batch value
    batches = [e for e in recorder.events if e[0] == "batch"]
    assert len(batches) == 6 and all(isinstance(e[2]["loss"], CountingTensor) for e in batches)
    epochs = [e for e in recorder.events if e[0] == "epoch"]
    assert epochs[0][2] == {"acc": 0.75, "loss": 0.5}  # flattened, sorted, floats
    assert all(type(v) is float for v in epochs[0][2].values())
    assert history.history == {"acc": [0.75, 0.75], "extra": [1.0, 1.0], "loss": [0.5, 0.5]}
    assert history.epoch == [0, 1]
    assert history.params == {"verbose": 0, "epochs": 2, "steps": 3}
    assert history.model is model and model.history is history


def test_a_users_callback_gets_batch_logs_as_python_floats_as_in_keras():
    recorder = Recorder()
    run_fit(
        FakeModel(),
        [recorder],
        epochs=1,
        steps=2,
        batch_loss=lambda epoch, step: torch.tensor(0.25),
        epoch_logs=lambda epoch: {"loss": torch.tensor(0.25)},
    )
    batches = [e for e in recorder.events if e[0] == "batch"]
    assert [e[2] for e in batches] == [{"loss": 0.25}, {"loss": 0.25}]
    assert all(type(e[2]["loss"]) is float for e in batches)


def test_on_epoch_end_returns_the_shared_converted_dict():
    callbacks = CallbackList([Recorder()], add_history=True, model=FakeModel())
    callbacks.on_train_begin()
    logs = callbacks.on_epoch_end(0, {"loss": torch.tensor(2.0)})
    assert logs == {"loss": 2.0, "extra": 1.0}


def test_to_python_logs_keeps_non_numbers():
    logs = to_python_logs({"b": torch.tensor([1.0, 2.0]), "a": "text", "c": torch.tensor(True)})
    assert list(logs) == ["a", "b", "c"] and logs["a"] == "text" and logs["c"] == 1.0
    assert logs["b"].tolist() == [1.0, 2.0]


def test_resolve_initial_epoch():
    class Restored(Callback):
        _initial_epoch = 4

    assert CallbackList([Recorder()]).resolve_initial_epoch(2) == 2
    assert CallbackList([Recorder()]).initial_epoch is None
    assert CallbackList([Recorder(), Restored()]).resolve_initial_epoch(0) == 4
    assert CallbackList([Recorder(), Restored()]).initial_epoch == 4


def test_train_batch_hooks_call_the_keras_2_names():
    seen = []

    class Old(Callback):
        def on_batch_begin(self, batch, logs=None):
            seen.append(("begin", batch))

        def on_batch_end(self, batch, logs=None):
            seen.append(("end", batch))

    run_fit(FakeModel(), [Old()], epochs=1, steps=2)
    assert seen == [("begin", 0), ("end", 0), ("begin", 1), ("end", 1)]


def test_model_property_unwraps_distributed_data_parallel(monkeypatch):
    ddp = pytest.importorskip("torch.nn.parallel").DistributedDataParallel
    wrapper = ddp.__new__(ddp)
    torch.nn.Module.__init__(wrapper)
    wrapper.module = torch.nn.Linear(1, 1)
    callback = Callback()
    callback.set_model(wrapper)
    assert callback.model is wrapper.module


def test_append_wires_the_new_callback():
    model = FakeModel()
    callbacks = CallbackList([], model=model, verbose=0, epochs=1, steps=1)
    recorder = Recorder()
    callbacks.append(recorder)
    callbacks.on_epoch_end(0, {"loss": torch.tensor(1.0)})
    assert recorder.model is model and recorder.params["epochs"] == 1
    assert recorder.events == [("epoch", 0, {"loss": 1.0})]
