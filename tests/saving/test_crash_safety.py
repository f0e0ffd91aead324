"""A process killed while saving leaves the previous complete file, or the new complete one.

A forked child (no re-import, so each crash costs milliseconds) writes and is killed with SIGKILL:
either exactly before its k-th file-system step (every fsync, rename, replace, remove, folder
creation and zip member write, for every k), or at random moments while it saves new versions in
a loop. Afterwards the target must read as one complete version. Covered writers:
``safe_archive.write_archive`` (zip and folder), ``Model.save_weights``, a ``ModelCheckpoint``
writing weights, and ``Model.save`` / a ``ModelCheckpoint`` writing ``.keras`` archives.
"""

import hashlib
import os
import random
import shutil
import signal
import time
import zipfile

import numpy as np
import pytest

import kerastorch as keras
from kerastorch.saving import file_utils, safe_archive
from kerastorch.saving.safe_archive import read_archive, write_archive

pytestmark = [pytest.mark.usefixtures("_cpu"), pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")]

_STEPS = [
    (os, "fsync"),
    (os, "rename"),
    (os, "replace"),
    (os, "remove"),
    (os, "makedirs"),
    (shutil, "rmtree"),
    (zipfile.ZipFile, "writestr"),
    (file_utils, "exchange_paths"),
]


@pytest.fixture
def _cpu():
    keras.config.set_device("cpu")
    yield
    keras.config.set_device(None)


def _in_child(work):
    """Run ``work()`` in a forked child; return its exit status (-9 when it was killed)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            work()
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def _kill_before_step(k, work):
    """``work`` with SIGKILL sent to the process just before its k-th file-system step."""

    def instrumented():
        count = [0]
        for owner, name in _STEPS:
            original = getattr(owner, name)

            def step(*args, _original=original, **kwargs):
                if count[0] == k:
                    os.kill(os.getpid(), signal.SIGKILL)
                count[0] += 1
                return _original(*args, **kwargs)

            setattr(owner, name, step)
        work()

    return _in_child(instrumented)


def _every_crash_point(write_new, check, limit=200):
    """Kill ``write_new`` before each of its steps in turn; ``check()`` after each; return the count."""
    for k in range(limit):
        status = _kill_before_step(k, write_new)
        check()
        if status == 0:
            return k
        assert status == -signal.SIGKILL
    raise AssertionError(f"the write did not finish within {limit} steps")


def _random_kills(write_versions, check, kills=8, seed=0, max_delay=0.03):
    """Kill a child that saves versions in a loop at random moments; ``check()`` after each kill."""
    rng = random.Random(seed)
    for _ in range(kills):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            try:
                write_versions()
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.0, max_delay))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        check()


# --------------------------------------------------------------------------- write_archive


def _members(version):
    return {
        "config.json": b'{"version": %d}' % version,
        "metadata.json": b"{}",
        "model.weights.safetensors": bytes([version % 256]) * (20000 + version),
    }


@pytest.mark.parametrize("zipped", [True, False])
def test_write_archive_killed_at_every_step(tmp_path, zipped):
    path = str(tmp_path / ("m.keras" if zipped else "m"))
    write_archive(path, _members(1), zipped=zipped)

    def check():
        assert read_archive(path) in (_members(1), _members(2))

    steps = _every_crash_point(lambda: write_archive(path, _members(2), zipped=zipped), check)
    assert steps >= (2 if zipped else 5)
    assert read_archive(path) == _members(2)
    # after a crash at any step, the next write succeeds and cleans up
    write_archive(path, _members(3), zipped=zipped)
    assert read_archive(path) == _members(3)
    # the temporaries the killed writers left were cleaned up by that write, and never read as the archive
    assert sorted(os.listdir(tmp_path)) == [os.path.basename(path)]


@pytest.mark.parametrize("zipped", [True, False])
def test_write_archive_killed_at_random_moments(tmp_path, zipped):
    path = str(tmp_path / ("m.keras" if zipped else "m"))
    write_archive(path, _members(0), zipped=zipped)
    versions = [_members(v) for v in range(200)]

    def loop():
        for version in range(1, 200):
            write_archive(path, versions[version], zipped=zipped)

    _random_kills(loop, lambda: assert_one_of(read_archive(path), versions))


def assert_one_of(value, versions):
    assert value in versions


# --------------------------------------------------------------------------- weights


def _model():
    x = keras.Input((3,))
    return keras.Model(x, keras.layers.Dense(2)(keras.layers.Dense(4)(x)))


def _set_version(model, version):
    model.set_weights([np.full(w.shape, float(version), np.float32) for w in model.get_weights()])


def _version_of(model):
    values = np.concatenate([w.ravel() for w in model.get_weights()])
    assert np.all(values == values[0]), "a mix of two versions"
    return float(values[0])


def test_save_weights_killed_at_every_step(tmp_path):
    path = str(tmp_path / "m.weights.safetensors")
    model, reader = _model(), _model()
    _set_version(model, 1)
    model.save_weights(path)
    _set_version(model, 2)

    def check():
        reader.load_weights(path)
        assert _version_of(reader) in (1.0, 2.0)

    assert _every_crash_point(lambda: model.save_weights(path), check) >= 2
    reader.load_weights(path)
    assert _version_of(reader) == 2.0


def test_save_weights_killed_at_random_moments(tmp_path):
    path = str(tmp_path / "m.weights.safetensors")
    model, reader = _model(), _model()
    _set_version(model, 0)
    model.save_weights(path)

    def loop():
        for version in range(1, 10**6):
            _set_version(model, version)
            model.save_weights(path)

    def check():
        reader.load_weights(path)
        _version_of(reader)

    _random_kills(loop, check)


def _logged_checkpoint_check(path, log, reader, load):
    """The file must hold one of the weight states the child logged (before writing each)."""

    def check():
        if not os.path.exists(path):
            return  # killed before the first save
        digest = _digest(load(reader, path))
        with open(log) as f:
            assert digest in f.read().split()

    return check


def _digest(model):
    return hashlib.sha256(b"".join(w.tobytes() for w in model.get_weights())).hexdigest()


def _fit_with_checkpoints(model, checkpoint, log, save_name):
    original = getattr(model, save_name)

    def logged_save(filepath, *args, **kwargs):
        with open(log, "a") as f:  # the state about to be written
            f.write(_digest(model) + "\n")
            f.flush()
            os.fsync(f.fileno())
        return original(filepath, *args, **kwargs)

    setattr(model, save_name, logged_save)
    x = np.random.default_rng(0).normal(size=(64, 3)).astype(np.float32)
    model.fit(x, x[:, :2], batch_size=4, epochs=10**4, verbose=0, callbacks=[checkpoint])


def test_model_checkpoint_weights_killed_at_random_moments(tmp_path):
    path, log = str(tmp_path / "ckpt.weights.safetensors"), str(tmp_path / "log")
    open(log, "w").close()
    model = _model()
    model.compile(optimizer="sgd", loss="mse")
    checkpoint = keras.callbacks.ModelCheckpoint(path, save_weights_only=True, save_freq=1)
    _random_kills(
        lambda: _fit_with_checkpoints(model, checkpoint, log, "save_weights"),
        _logged_checkpoint_check(path, log, _model(), lambda m, p: (m.load_weights(p), m)[1]),
        kills=6,
        max_delay=0.1,
    )
    with open(log) as f:
        assert len(f.read().split()) >= 2, "the child was never killed after a checkpoint"


# --------------------------------------------------------------------------- whole models (model.save)


def _saving_api():
    return pytest.importorskip("kerastorch.saving.saving_api")


@pytest.mark.parametrize("name", ["m.keras", "m_folder"])
def test_model_save_killed_at_every_step(tmp_path, name):
    api = _saving_api()
    path = str(tmp_path / name)
    model = _model()
    model.compile(optimizer="adam", loss="mse")
    _set_version(model, 1)
    model.save(path)
    _set_version(model, 2)

    def check():
        assert _version_of(api.load_model(path)) in (1.0, 2.0)

    assert _every_crash_point(lambda: model.save(path), check) >= 2
    assert _version_of(api.load_model(path)) == 2.0


@pytest.mark.parametrize("name", ["m.keras", "m_folder"])
def test_model_save_killed_at_random_moments(tmp_path, name):
    api = _saving_api()
    path = str(tmp_path / name)
    model = _model()
    _set_version(model, 0)
    model.save(path)

    def loop():
        for version in range(1, 10**6):
            _set_version(model, version)
            model.save(path)

    _random_kills(loop, lambda: _version_of(api.load_model(path)), kills=6)


def test_model_checkpoint_keras_archive_killed_at_random_moments(tmp_path):
    api = _saving_api()
    path, log = str(tmp_path / "ckpt.keras"), str(tmp_path / "log")
    open(log, "w").close()
    model = _model()
    model.compile(optimizer="sgd", loss="mse")
    checkpoint = keras.callbacks.ModelCheckpoint(path, save_freq=1)
    _random_kills(
        lambda: _fit_with_checkpoints(model, checkpoint, log, "save"),
        _logged_checkpoint_check(path, log, None, lambda _, p: api.load_model(p)),
        kills=6,
        max_delay=0.1,
    )
    with open(log) as f:
        assert len(f.read().split()) >= 2, "the child was never killed after a checkpoint"


def test_steps_are_instrumented_where_the_writers_use_them():
    assert safe_archive.os is os and safe_archive.shutil is shutil and file_utils.os is os
    assert safe_archive.file_utils is file_utils
