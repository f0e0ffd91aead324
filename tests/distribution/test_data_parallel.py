"""Data-parallel training (``keras.distribution.DataParallel``) over two CPU processes with gloo.

One job of two processes (``data_parallel_job.py``, started as ``torchrun`` would start it) trains every case;
each assertion compares what the processes ended with against one process training on the same global batches.
"""

import json
import os
import socket
import subprocess
import sys

import data_parallel_job as job
import numpy as np
import pytest
import torch

import kerastorch as keras
from kerastorch.trainers.data_adapters import get_data_adapter
from kerastorch.trainers.data_adapters.sharding import shard

JOB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data_parallel_job.py")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(output, world_size):
    """Start ``world_size`` processes of the job with torchrun's environment."""
    port = _free_port()
    processes = []
    for rank in range(world_size):
        env = dict(
            os.environ,
            RANK=str(rank),
            WORLD_SIZE=str(world_size),
            LOCAL_RANK=str(rank),
            LOCAL_WORLD_SIZE=str(world_size),
            MASTER_ADDR="127.0.0.1",
            MASTER_PORT=str(port),
            OMP_NUM_THREADS="1",
            CUDA_VISIBLE_DEVICES="",
        )
        processes.append(
            subprocess.Popen(
                [sys.executable, JOB, str(output)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
        )
    return output, processes


def _finish(output, processes):
    """Wait for the processes; return what each one wrote and printed."""
    world_size = len(processes)
    outputs = []
    try:
        for process in processes:
            out, _ = process.communicate(timeout=120)
            outputs.append(out)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    for rank, (process, out) in enumerate(zip(processes, outputs)):
        assert process.returncode == 0, f"process {rank} failed:\n{out}"
    results = []
    for rank in range(world_size):
        with open(output / f"rank{rank}.json") as f:
            results.append(json.load(f))
    return results, outputs


@pytest.fixture(scope="module")
def jobs(tmp_path_factory):
    """A job of two processes and a job of one, run side by side."""
    two = _start(tmp_path_factory.mktemp("two_processes"), 2)
    one = _start(tmp_path_factory.mktemp("one_process"), 1)
    return {2: (two[0], *_finish(*two)), 1: (one[0], *_finish(*one))}


@pytest.fixture(scope="module")
def two_processes(jobs):
    return jobs[2]


def _reference(fit, kind="sgd"):
    """``fit(model) -> history`` in this process, on the model process 0 builds."""
    model = job.build_model(100, kind)
    history = fit(model)
    return model, history


def _assert_weights(found, expected):
    assert len(found) == len(expected)
    for a, b in zip(found, expected):
        np.testing.assert_allclose(np.asarray(a, "float32"), b, rtol=0, atol=1e-5)


def _assert_history(found, expected):
    assert sorted(found) == sorted(expected)
    for name, values in expected.items():
        np.testing.assert_allclose(found[name], values, rtol=1e-5, atol=1e-6, err_msg=name)


def _identical(results, case):
    first = results[0][case]["weights"] if case else results[0]["shuffled_weights"]
    second = results[1][case]["weights"] if case else results[1]["shuffled_weights"]
    assert first == second, f"the processes ended with different weights ({case or 'shuffled'})"


def test_torchrun_environment_makes_a_job_of_two(two_processes):
    _, results, _ = two_processes
    assert [(r["process_group"], r["num_processes"], r["process_id"]) for r in results] == [(True, 2, 0), (True, 2, 1)]


def test_arrays_train_as_one_process_on_the_global_batches(two_processes):
    _, results, _ = two_processes
    x, y = job.arrays(37, 0)
    x_val, y_val = job.arrays(11, 1)
    model, history = _reference(
        lambda m: m.fit(
            x, y, batch_size=job.BATCH_SIZE, epochs=job.EPOCHS, shuffle=False, validation_data=(x_val, y_val), verbose=0
        )
    )
    _identical(results, "arrays")
    _assert_weights(results[0]["arrays"]["weights"], model.get_weights())
    _assert_history(results[0]["arrays"]["history"], history.history)  # the global values, in every process
    _assert_history(results[1]["arrays"]["history"], history.history)
    expected = model.evaluate(x_val, y_val, batch_size=4, verbose=0, return_dict=True)
    for result in results:
        assert result["arrays"]["evaluate"] == pytest.approx(expected, rel=1e-5)
    _identical(results, None)  # shuffled: one order shared by the processes


def test_data_loader_is_resampled_with_a_distributed_sampler(two_processes):
    _, results, _ = two_processes
    x, y = job.arrays(40, 2)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=job.BATCH_SIZE
    )
    model, history = _reference(lambda m: m.fit(loader, epochs=2, verbose=0))
    _identical(results, "loader")
    _assert_weights(results[1]["loader"]["weights"], model.get_weights())
    _assert_history(results[1]["loader"]["history"], history.history)


@pytest.mark.parametrize("kind", ["torch", "manual"])
def test_torch_optimizers_and_custom_train_steps_average_the_gradients(two_processes, kind):
    _, results, _ = two_processes
    x, y = job.arrays(40, 2)
    model, history = _reference(
        lambda m: m.fit(x, y, batch_size=job.BATCH_SIZE, epochs=2, shuffle=False, verbose=0), kind
    )
    _identical(results, kind)
    _assert_weights(results[1][kind]["weights"], model.get_weights())
    _assert_history(results[1][kind]["history"], history.history)


def test_non_trainable_weights_stay_identical(two_processes):
    # BatchNormalization's moving statistics come from each process's share; process 0's are kept.
    _, results, _ = two_processes
    _identical(results, "batch_norm")


@pytest.mark.parametrize("case, epochs", [("py_dataset", 2), ("generator", 1)])
def test_whole_batches_go_to_the_processes_in_turn(two_processes, case, epochs):
    # Each step trains on batches 2k and 2k + 1 of 6 rows: one process trains on batches of 12 rows.
    _, results, _ = two_processes
    x, y = job.arrays(36, 3)
    model, history = _reference(lambda m: m.fit(x, y, batch_size=12, epochs=epochs, shuffle=False, verbose=0))
    _identical(results, case)
    _assert_weights(results[0][case]["weights"], model.get_weights())
    _assert_history(results[0][case]["history"], history.history)


def test_only_process_0_prints_and_writes_files(two_processes):
    output, _, outputs = two_processes
    assert "Epoch 1/3" in outputs[0] and "val_loss" in outputs[0]
    assert "Epoch" not in outputs[1] and "loss" not in outputs[1]
    assert (output / "rank0" / "ckpt.weights.safetensors").is_file()
    assert not (output / "rank1").exists()  # ModelCheckpoint: nothing written, no folder made
    assert (output / "log0.csv").is_file() and not (output / "log1.csv").exists()
    assert (output / "model0.keras").is_file() and not (output / "model1.keras").exists()
    restored = keras.models.load_model(str(output / "model0.keras"))
    _assert_weights(json.loads((output / "rank1.json").read_text())["arrays"]["weights"], restored.get_weights())


def test_an_interrupted_run_resumes_in_every_process_from_process_0s_backup(two_processes, tmp_path):
    _, results, _ = two_processes
    model, history = job.resumed_run(str(tmp_path / "backup"), 200, 300)  # the same in one process
    _identical(results, "resumed")
    for result in results:
        assert result["resumed"]["epochs"] == history.epoch == [1, 2]
        _assert_weights(result["resumed"]["weights"], model.get_weights())
        _assert_history(result["resumed"]["history"], history.history)


def test_a_job_of_one_started_by_torchrun_trains_as_without_it(jobs):
    output, results, outputs = jobs[1]
    assert (results[0]["process_group"], results[0]["num_processes"]) == (True, 1)
    x, y = job.arrays(37, 0)
    x_val, y_val = job.arrays(11, 1)
    model, history = _reference(
        lambda m: m.fit(
            x, y, batch_size=job.BATCH_SIZE, epochs=job.EPOCHS, shuffle=False, validation_data=(x_val, y_val), verbose=0
        )
    )
    _assert_weights(results[0]["arrays"]["weights"], model.get_weights())
    _assert_history(results[0]["arrays"]["history"], history.history)
    assert (output / "rank0" / "ckpt.weights.safetensors").is_file() and "Epoch 3/3" in outputs[0]


# ------------------------------------------------------------------ in this process: shards and the API


@pytest.mark.parametrize("shuffle", [False, True, "batch"])
@pytest.mark.parametrize("rows, count", [(37, 2), (10, 3), (2, 3)])
def test_the_shards_of_a_step_make_up_its_global_batch(rows, count, shuffle):
    x = np.arange(rows, dtype="float32").reshape(rows, 1)
    adapter = get_data_adapter(x, np.arange(rows), batch_size=8, shuffle=shuffle)
    shards = []
    for index in range(count):  # every process draws the same shuffle seed (here: the same generator state)
        torch.manual_seed(0)
        shards.append(shard(adapter, index, count))
    steps = [list(s.batches(torch.device("cpu"))) for s in shards]
    assert {len(s) for s in steps} == {adapter.num_batches}  # every process makes the same number of steps
    seen = []
    for step in range(adapter.num_batches):
        parts = [steps[index][step] for index in range(count)]
        values = sorted({int(v) for (xs, ys) in parts for v in xs.flatten().tolist()})
        for xs, ys in parts:
            assert xs.flatten().tolist() == ys.float().tolist()  # rows stay together
        global_rows = min(8, rows - 8 * step)
        assert len(values) == global_rows  # no row twice unless the batch is smaller than the processes
        seen += values
    assert sorted(seen) == list(range(rows))  # every row once per epoch


def test_shards_take_whole_batches_in_turn_and_lend_the_last_ones():
    class Numbered(keras.utils.PyDataset):
        def __len__(self):
            return 5

        def __getitem__(self, index):
            return np.full((2, 1), index, "float32"), np.zeros((2, 1), "float32")

    adapter = get_data_adapter(Numbered())
    taken = [[int(x[0, 0]) for x, _ in shard(adapter, index, 2).batches(torch.device("cpu"))] for index in range(2)]
    assert taken == [[0, 2, 4], [1, 3, 4]]
    generator = ((np.full((1, 1), i, "float32"), np.zeros((1, 1), "float32")) for i in range(5))
    adapter = get_data_adapter(generator)
    assert [int(x[0, 0]) for x, _ in shard(adapter, 1, 3).batches(torch.device("cpu"))] == [1, 4]


def test_a_data_loader_batch_size_must_divide_among_the_processes():
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.zeros(10, 1)), batch_size=5)
    with pytest.raises(ValueError, match=r"batch_size \(5\) is the global batch size and must be divisible"):
        shard(get_data_adapter(loader), 0, 2)


@pytest.fixture
def no_distribution():
    yield
    keras.distribution.set_distribution(None)


def test_a_job_of_one_process_changes_nothing(no_distribution):
    x, y = job.arrays(37, 0)
    expected = job.build_model(100)
    expected_history = expected.fit(x, y, batch_size=8, epochs=2, verbose=0)
    keras.distribution.set_distribution(keras.distribution.DataParallel())
    model = job.build_model(100)
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    for a, b in zip(model.get_weights(), expected.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert history.history == expected_history.history


def test_distribution_arguments_are_checked(no_distribution):
    with pytest.raises(ValueError, match="2 devices for 1 process"):
        keras.distribution.DataParallel(devices=["cpu", "cpu"])
    with pytest.raises(ValueError, match="not both"):
        keras.distribution.DataParallel(
            device_mesh=keras.distribution.DeviceMesh((1,), ["batch"], ["cpu:0"]), devices=["cpu:0"]
        )
    with pytest.raises(ValueError, match="one axis"):
        keras.distribution.DataParallel(
            device_mesh=keras.distribution.DeviceMesh((1, 1), ["batch", "model"], ["cpu:0"])
        )
    with pytest.raises(ValueError, match="must be a list of 1 distinct strings"):
        keras.distribution.DeviceMesh((1,), ["a", "b"], ["cpu:0"])
    with pytest.raises(ValueError, match="holds 2 devices"):
        keras.distribution.DeviceMesh((2,), ["batch"], ["cpu:0"])
    with pytest.raises(ValueError, match='must be "cpu", "gpu"'):
        keras.distribution.list_devices("tpu")
    with pytest.raises(TypeError, match="DataParallel or None"):
        keras.distribution.set_distribution("data_parallel")
    with pytest.raises(ValueError, match="needs the address of process 0"):
        keras.distribution.initialize(num_processes=2, process_id=1)
    with pytest.raises(ValueError, match="must be below"):
        keras.distribution.initialize(job_addresses="127.0.0.1:1", num_processes=2, process_id=2)
    with pytest.raises(ValueError, match='"host:port"'):
        keras.distribution.initialize(job_addresses="127.0.0.1", num_processes=2, process_id=0)
    mesh = keras.distribution.DeviceMesh((1,), ["data"], ["cpu:0"])
    parallel = keras.distribution.DataParallel(device_mesh=mesh, auto_shard_dataset=False)
    assert (parallel.batch_dim_name, parallel.auto_shard_dataset, parallel.device) == (
        "data",
        False,
        torch.device("cpu"),
    )
