"""What a save may replace, file modes, concurrent writers, stale temporaries, disk full, and BackupAndRestore.

The rules are in ``kerastorch/saving/file_utils.py`` and docs/decisions.md ("Writing files").
"""

import errno
import json
import os
import resource
import signal
import stat

import numpy as np
import pytest
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors

import kerastorch as keras
from kerastorch.saving import file_utils
from kerastorch.saving.safe_archive import read_archive, write_archive


def _model(seed=0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])


def _tree(root):
    """Every file under ``root`` with its bytes (what must survive a refused save)."""
    found = {}
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                found[os.path.relpath(path, root)] = f.read()
    return found


# --------------------------------------------------------------------------- what a save may replace


def test_model_save_refuses_a_folder_holding_other_files(tmp_path):
    documents = tmp_path / "Documents"
    (documents / "sub").mkdir(parents=True)
    (documents / "thesis.txt").write_text("four years of work")
    (documents / "sub" / "photo.jpg").write_bytes(b"\xff\xd8 jpeg")
    before = _tree(documents)
    with pytest.raises(FileExistsError, match=r"Documents' is a folder that holds other files \(sub, thesis.txt\)"):
        _model().save(str(documents), overwrite=True)  # overwrite does not change the rule
    assert _tree(documents) == before
    assert sorted(os.listdir(tmp_path)) == ["Documents"]


def test_model_save_refuses_to_replace_a_file_with_a_folder(tmp_path):
    path = tmp_path / "results.csv"
    path.write_text("epoch,loss\n1,0.5\n")
    with pytest.raises(FileExistsError, match=r"results.csv' is an existing file, not a saved model"):
        _model().save(str(path))
    assert path.read_text() == "epoch,loss\n1,0.5\n"


def test_model_save_refuses_a_symbolic_link(tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    (tmp_path / "link").symlink_to(target)
    with pytest.raises(FileExistsError, match="is a symbolic link"):
        _model().save(str(tmp_path / "link"))
    assert os.path.islink(tmp_path / "link") and _tree(target) == {"keep.txt": b"mine"}


def test_model_save_replaces_a_saved_model_folder_and_an_empty_one(tmp_path):
    path = str(tmp_path / "saved")
    _model(1).save(path)
    second = _model(2)
    second.save(path)  # a folder it wrote itself
    np.testing.assert_array_equal(keras.saving.load_model(path).get_weights()[0], second.get_weights()[0])
    empty = tmp_path / "empty"
    empty.mkdir()
    second.save(str(empty))
    assert sorted(os.listdir(empty)) == ["config.json", "metadata.json", "model.weights.safetensors"]


def test_weight_writers_refuse_a_folder_and_write_through_a_link(tmp_path):
    model = _model()
    folder = tmp_path / "w.weights.safetensors"
    folder.mkdir()
    (folder / "data").write_text("mine")
    with pytest.raises(IsADirectoryError, match="is a folder; a file cannot replace it"):
        model.save_weights(str(folder))
    assert _tree(folder) == {"data": b"mine"}
    real = tmp_path / "real.weights.safetensors"
    model.save_weights(str(real))
    link = tmp_path / "link.weights.safetensors"
    link.symlink_to(real)
    model.save_weights(str(link))
    assert os.path.islink(link)  # the link stays; the file it points to was replaced
    keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]).load_weights(str(link)).assert_consumed()


def test_backup_and_restore_refuses_a_file_and_removes_only_its_own_files(tmp_path):
    file = tmp_path / "notes.txt"
    file.write_text("mine")
    with pytest.raises(ValueError, match="backup_dir .*notes.txt' is an existing file"):
        keras.callbacks.BackupAndRestore(str(file))
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "readme.txt").write_text("mine")
    model = _model()
    model.compile("sgd", "mse")
    model.fit(
        np.ones((4, 3)), np.ones((4, 2)), epochs=1, verbose=0, callbacks=[keras.callbacks.BackupAndRestore(str(folder))]
    )
    assert _tree(folder) == {"readme.txt": b"mine"}


# --------------------------------------------------------------------------- modes


@pytest.mark.parametrize("umask, file_mode, folder_mode", [(0o022, 0o644, 0o755), (0o077, 0o600, 0o700)])
def test_files_get_the_mode_open_gives_under_the_umask(tmp_path, umask, file_mode, folder_mode):
    previous = os.umask(umask)
    try:
        model = _model()
        model.save(str(tmp_path / "m.keras"))
        model.save(str(tmp_path / "folder"))
        model.save_weights(str(tmp_path / "w.weights.safetensors"))
    finally:
        os.umask(previous)
    for name in ("m.keras", "w.weights.safetensors", "folder/config.json", "folder/model.weights.safetensors"):
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == file_mode, name
    assert stat.S_IMODE(os.stat(tmp_path / "folder").st_mode) == folder_mode


def test_overwriting_keeps_the_existing_mode(tmp_path):
    path = tmp_path / "m.keras"
    _model().save(str(path))
    os.chmod(path, 0o640)
    _model().save(str(path))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    folder = tmp_path / "saved"
    _model().save(str(folder))
    os.chmod(folder, 0o750)
    _model().save(str(folder))
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o750


# --------------------------------------------------------------------------- concurrent writers, stale temporaries


def _members(version):
    return {
        "config.json": b'{"version": %d}' % version,
        "metadata.json": b"{}",
        "model.weights.safetensors": bytes([version % 256]) * (30000 + version),
    }


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.parametrize("zipped", [False, True])
def test_two_processes_saving_to_the_same_place_never_fail_or_mix(tmp_path, zipped):
    path = str(tmp_path / ("m.keras" if zipped else "m"))
    write_archive(path, _members(0), zipped=zipped)
    versions = [_members(v) for v in range(41)]
    children = []
    for first in (1, 21):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            code = 1
            try:
                for version in range(first, first + 20):
                    write_archive(path, versions[version], zipped=zipped)
                code = 0
            finally:
                os._exit(code)
        children.append(pid)
    reads, running, codes = 0, set(children), []
    while running:
        assert read_archive(path) in versions  # a reader sees one complete version, never a mixture
        reads += 1
        for pid in list(running):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                running.discard(pid)
                codes.append(os.waitstatus_to_exitcode(status))
    assert codes == [0, 0]  # no save raised
    assert read_archive(path) in versions
    assert sorted(os.listdir(tmp_path)) == [os.path.basename(path)]
    assert reads > 0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_concurrent_saves_all_succeed(tmp_path):
    path = str(tmp_path / "m")
    write_archive(path, _members(0), zipped=False)
    read_end, write_end = os.pipe()
    children = []
    for first in (1, 21):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            os.close(read_end)
            failures = 0
            for version in range(first, first + 20):
                try:
                    write_archive(path, _members(version), zipped=False)
                except Exception:  # noqa: BLE001 - counted and reported to the parent
                    failures += 1
            os.write(write_end, b"%d\n" % failures)
            os._exit(0)
        children.append(pid)
    os.close(write_end)
    for pid in children:
        os.waitpid(pid, 0)
    with os.fdopen(read_end) as f:
        assert [int(line) for line in f.read().split()] == [0, 0]


def test_temporaries_of_a_dead_writer_are_cleaned_up_and_a_live_ones_kept(tmp_path):
    path = tmp_path / "m.keras"
    dead = tmp_path / f".m.keras{file_utils.TEMPORARY_MARK}999999999-0a1b2c3d"
    dead_folder = tmp_path / f".m.keras{file_utils.TEMPORARY_MARK}999999998-0a1b2c3d"
    live = tmp_path / f".m.keras{file_utils.TEMPORARY_MARK}{os.getppid()}-0a1b2c3d"
    unrelated = tmp_path / ".m.keras.notes"
    for leftover in (dead, live, unrelated):
        leftover.write_bytes(b"partial")
    dead_folder.mkdir()
    _model().save(str(path))
    assert sorted(os.listdir(tmp_path)) == sorted(["m.keras", live.name, unrelated.name])
    keras.saving.load_model(str(path))  # the real file, not a temporary


# --------------------------------------------------------------------------- disk full


def _fails_when_the_disk_is_full(write):
    """Run ``write`` in a child whose files may grow to 4 KiB (the kernel refuses more); return its error."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read_end)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        try:
            write()
            report = {"error": None}
        except BaseException as error:  # noqa: BLE001 - reported to the parent
            report = {
                "error": type(error).__name__,
                "oserror": isinstance(error, OSError),
                "errno": getattr(error, "errno", None),
            }
        os.write(write_end, json.dumps(report).encode())
        os._exit(0)
    os.close(write_end)
    os.waitpid(pid, 0)
    with os.fdopen(read_end) as f:
        return json.loads(f.read())


def _big_model():
    return keras.Sequential([keras.Input((64,)), keras.layers.Dense(64)])


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.parametrize("writer", ["keras_archive", "folder", "safetensors_weights", "h5_weights", "backup"])
def test_disk_full_raises_oserror_and_keeps_the_previous_file(tmp_path, writer):
    if writer == "h5_weights":
        pytest.importorskip("h5py")
    small = _model()
    names = {
        "keras_archive": "m.keras",
        "folder": "m",
        "safetensors_weights": "w.weights.safetensors",
        "h5_weights": "w.weights.h5",
        "backup": "backup",
    }
    path = str(tmp_path / names[writer])
    if writer == "backup":
        big = _big_model()
        big.compile("adam", "mse")

        def write(epochs=4):
            big.fit(
                np.ones((4, 64)),
                np.ones((4, 64)),
                epochs=epochs,
                verbose=0,
                callbacks=[keras.callbacks.BackupAndRestore(path, delete_checkpoint=False)],
            )

        write(epochs=2)  # the previous backup, made with room on the disk; the next run resumes after it
    else:
        save = (lambda m: m.save(path)) if writer in ("keras_archive", "folder") else (lambda m: m.save_weights(path))
        save(small)

        def write():
            save(_big_model())

    before = _tree(tmp_path)
    report = _fails_when_the_disk_is_full(write)
    assert report["oserror"], report
    assert report["errno"] in (errno.EFBIG, errno.ENOSPC), report
    assert _tree(tmp_path) == before  # the previous version, intact, and no temporary left


# --------------------------------------------------------------------------- BackupAndRestore checks before it restores


def _backup_with(tmp_path, edit):
    """A real backup of a compiled model, then ``edit(metadata, tensors)`` applied to its file."""
    model = _model(1)
    model.compile("adam", "mse")
    folder = str(tmp_path / "backup")
    model.fit(
        np.ones((4, 3)),
        np.ones((4, 2)),
        epochs=2,
        verbose=0,
        callbacks=[keras.callbacks.BackupAndRestore(folder, delete_checkpoint=False)],
    )
    path = os.path.join(folder, "training_state.safetensors")
    with open(path, "rb") as f:
        data = f.read()
    size = int.from_bytes(data[:8], "little")
    metadata = json.loads(data[8 : 8 + size])["__metadata__"]
    tensors = load_safetensors(data)
    edit(metadata, tensors)
    with open(path, "wb") as f:
        f.write(save_safetensors(tensors, metadata=metadata))
    return folder


def test_backup_with_a_broken_optimizer_state_changes_nothing(tmp_path):
    def break_optimizer(metadata, tensors):
        key = next(k for k in tensors if k.startswith("optimizer/") and tensors[k].ndim == 2)
        tensors[key] = tensors[key][:1]  # a moment of the wrong shape

    folder = _backup_with(tmp_path, break_optimizer)
    model = _model(7)
    model.compile("adam", "mse")
    model.fit(np.ones((4, 3)), np.ones((4, 2)), epochs=1, verbose=0)
    weights = model.get_weights()
    with pytest.raises(ValueError, match="optimizer state in the backup .* does not fit"):
        model.fit(
            np.ones((4, 3)), np.ones((4, 2)), epochs=3, verbose=0, callbacks=[keras.callbacks.BackupAndRestore(folder)]
        )
    for before, after in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(before, after)


def test_backup_with_an_impossible_epoch_is_refused(tmp_path):
    def negative(metadata, tensors):
        metadata["epoch"] = "-5"

    folder = _backup_with(tmp_path, negative)
    model = _model(7)
    model.compile("adam", "mse")
    history = []
    with pytest.raises(OSError, match="impossible epoch '-5'"):
        history = model.fit(
            np.ones((4, 3)), np.ones((4, 2)), epochs=2, verbose=0, callbacks=[keras.callbacks.BackupAndRestore(folder)]
        )
    assert history == []


def test_backup_made_for_another_model_is_refused(tmp_path):
    folder = _backup_with(tmp_path, lambda metadata, tensors: None)
    other = keras.Sequential([keras.Input((3,)), keras.layers.Dense(5)])
    other.compile("adam", "mse")
    with pytest.raises(ValueError, match="made for another model"):
        other.fit(
            np.ones((4, 3)), np.ones((4, 5)), epochs=1, verbose=0, callbacks=[keras.callbacks.BackupAndRestore(folder)]
        )
