"""BackupAndRestore: an interrupted fit resumes at the right epoch with the saved weights and optimizer."""

import os

import numpy as np
import pytest
import torch
from callback_fakes import FakeModel, run_fit

from kerastorch.callbacks import BackupAndRestore, LambdaCallback

STATE = "training_state.safetensors"


def interrupted_fit(backup_dir, crash_at_epoch, **kwargs):
    model = FakeModel()
    with pytest.raises(KeyboardInterrupt):
        run_fit(model, [BackupAndRestore(backup_dir, **kwargs)], epochs=5, steps=2, crash_at_epoch=crash_at_epoch)
    return model


def resumed_fit(backup_dir, **kwargs):
    """Fit a fresh model; returns (epochs run, weights and optimizer state seen when training resumed)."""
    model = FakeModel()
    seen = {"epochs": []}

    def first_epoch(epoch, logs):
        if not seen["epochs"]:
            seen["weights"] = [np.array(w, copy=True) for w in model.get_weights()]
            seen["optimizer"] = model.optimizer.state_dict()
        seen["epochs"].append(epoch)

    backup = BackupAndRestore(backup_dir, **kwargs)
    run_fit(model, [backup, LambdaCallback(on_epoch_begin=first_epoch)], epochs=5, steps=2)
    return backup, seen


def assert_weights(got, want):
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, atol=1e-6)


def test_resumes_at_the_interrupted_epoch_with_weights_and_optimizer_state(tmp_path):
    backup_dir = str(tmp_path / "backup")
    first = interrupted_fit(backup_dir, crash_at_epoch=3)
    assert os.listdir(backup_dir) == [STATE]
    backup, seen = resumed_fit(backup_dir)
    assert backup.initial_epoch == 3 and seen["epochs"] == [3, 4]
    assert_weights(seen["weights"], first.weights_after(3 * 2))
    state = seen["optimizer"]
    assert int(state["iterations"]) == 6 and state["learning_rate"] == pytest.approx(0.1)
    assert list(state["state"]) == [0] and torch.equal(state["state"][0]["momentum"], torch.full((2,), 6.0))
    assert not os.path.exists(backup_dir)  # deleted once training finished


def test_no_backup_starts_from_the_beginning_and_keep_checkpoint(tmp_path):
    backup_dir = str(tmp_path / "backup")
    backup, seen = resumed_fit(backup_dir, delete_checkpoint=False)
    assert backup.initial_epoch is None and seen["epochs"] == [0, 1, 2, 3, 4]
    assert os.listdir(backup_dir) == [STATE]
    backup, seen = resumed_fit(backup_dir)  # the finished run's backup: nothing left to do
    assert backup.initial_epoch == 5 and seen["epochs"] == []


def test_batch_frequency_resumes_the_epoch_in_progress(tmp_path):
    backup_dir = str(tmp_path / "backup")
    first = interrupted_fit(backup_dir, crash_at_epoch=2, save_freq=3)  # saved after batch 3 (epoch 1, step 0)
    backup, seen = resumed_fit(backup_dir)
    assert seen["epochs"] == [1, 2, 3, 4]
    assert_weights(seen["weights"], first.weights_after(3))


def test_double_checkpoint_falls_back_to_the_previous_backup(tmp_path):
    backup_dir = str(tmp_path / "backup")
    first = interrupted_fit(backup_dir, crash_at_epoch=3, double_checkpoint=True)
    assert sorted(os.listdir(backup_dir)) == [STATE, STATE + ".bkp"]
    with open(os.path.join(backup_dir, STATE), "wb") as f:
        f.write(b"truncated")
    backup, seen = resumed_fit(backup_dir, double_checkpoint=True)
    assert seen["epochs"] == [2, 3, 4]
    assert_weights(seen["weights"], first.weights_after(2 * 2))
    assert not os.path.exists(backup_dir)


def test_unreadable_backup_without_fallback_raises(tmp_path):
    (tmp_path / STATE).write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}      ")
    with pytest.raises(OSError, match="cannot read the backup"):
        run_fit(FakeModel(), [BackupAndRestore(str(tmp_path))], epochs=1, steps=1)


def test_argument_checks():
    with pytest.raises(ValueError, match="Empty `backup_dir`"):
        BackupAndRestore("")
    with pytest.raises(ValueError, match="save_freq"):
        BackupAndRestore("dir", save_freq=0)


def test_a_torch_optimizer_state_round_trips(tmp_path):
    model = FakeModel()
    params = [torch.nn.Parameter(torch.ones(3)), torch.nn.Parameter(torch.ones(2, 2))]
    model.optimizer = torch.optim.Adam(params, lr=0.01, betas=(0.8, 0.99))
    sum(p.sum() for p in params).backward()
    model.optimizer.step()
    backup = BackupAndRestore(str(tmp_path))
    backup.set_model(model)
    backup.on_epoch_end(0)
    expected = model.optimizer.state_dict()

    fresh = FakeModel()
    fresh.optimizer = torch.optim.Adam([torch.nn.Parameter(torch.zeros(3)), torch.nn.Parameter(torch.zeros(2, 2))])
    restore = BackupAndRestore(str(tmp_path))
    restore.set_model(fresh)
    restore.on_train_begin()
    got = fresh.optimizer.state_dict()
    assert restore.initial_epoch == 1
    assert got["param_groups"] == expected["param_groups"]  # betas tuple, None and bool options included
    for key in (0, 1):
        for name, value in expected["state"][key].items():
            assert torch.equal(got["state"][key][name], value)
    assert_weights(fresh.get_weights(), model.get_weights())


def test_a_kerastorch_optimizer_is_built_before_its_state_is_loaded(tmp_path):
    optimizers = pytest.importorskip("kerastorch.optimizers")
    model = FakeModel()
    model.optimizer = optimizers.SGD(learning_rate=0.1, momentum=0.9)
    model.optimizer.build(model.trainable_weights)
    state = {key: torch.full_like(value, 3) for key, value in model.optimizer.state_dict().items()}
    model.optimizer.load_state_dict(state)
    backup = BackupAndRestore(str(tmp_path))
    backup.set_model(model)
    backup.on_epoch_end(1)

    fresh = FakeModel()
    fresh.optimizer = optimizers.SGD(learning_rate=0.1, momentum=0.9)
    restore = BackupAndRestore(str(tmp_path))
    restore.set_model(fresh)
    restore.on_train_begin()
    assert fresh.optimizer.built and restore.initial_epoch == 2
    for key, value in fresh.optimizer.state_dict().items():
        assert torch.equal(value, state[key]), key
