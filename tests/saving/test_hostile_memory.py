"""Hostile archives cost bounded memory and time: each is refused in a child process, peak memory measured.

A tiny archive must not take gigabytes: a huge JSON string, a config asking for enormous weights (which
``load_model`` refuses before allocating, against what the weights file can fill), a safetensors header that
names a tensor twice. Each is loaded in a forked child; the growth of its peak resident memory
(``resource.getrusage``) over a benign load is the measure.
"""

import json
import os
import random
import resource
import time
import zipfile

import pytest
from safetensors.torch import save as save_safetensors

import kerastorch as keras

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

PEAK_LIMIT_MB = 300
TIME_LIMIT_S = 2.0


def _load_in_child(base, path):
    """Load ``path`` in a forked child (after a benign load of ``base``); its outcome, time and peak growth."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read_end)
        try:
            keras.saving.load_model(base)  # imports and caches do not count
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            start = time.perf_counter()
            try:
                keras.saving.load_model(path)
                outcome = {"error": None}
            except Exception as error:  # noqa: BLE001 - reported to the parent
                outcome = {"error": type(error).__name__, "message": str(error)[:500]}
            outcome["seconds"] = time.perf_counter() - start
            outcome["peak_growth_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
            os.write(write_end, json.dumps(outcome).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    os.waitpid(pid, 0)
    with os.fdopen(read_end) as f:
        return json.loads(f.read())


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    keras.utils.set_random_seed(0)
    path = str(tmp_path_factory.mktemp("hostile") / "base.keras")
    keras.Sequential([keras.Input((192,)), keras.layers.Dense(2)]).save(path)
    return path


def _members(path):
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _write(path, members, compress=False):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _with_config(base, target, edit, compress=False):
    members = _members(base)
    config = json.loads(members["config.json"])
    edit(config)
    members["config.json"] = json.dumps(config).encode()
    return _write(target, members, compress)


def _dense(config):
    return next(layer for layer in config["config"]["layers"] if layer["class_name"] == "Dense")


def _assert_refused_cheaply(outcome, message):
    assert outcome["error"] is not None, "the hostile archive was loaded"
    assert message in outcome["message"], outcome
    assert outcome["peak_growth_mb"] < PEAK_LIMIT_MB, outcome
    assert outcome["seconds"] < TIME_LIMIT_S, outcome


def test_a_60_mb_json_string_in_a_small_archive(base, tmp_path):
    rng = random.Random(0)

    def long_name(config):  # compresses about 45 times: under the zip-bomb ratio limit
        _dense(config)["config"]["name"] = "".join("a" * 39 + rng.choice("abcdefgh") for _ in range(1_500_000))

    path = _with_config(base, str(tmp_path / "string.keras"), long_name, compress=True)
    assert os.path.getsize(path) < 2 * 1024**2
    _assert_refused_cheaply(_load_in_child(base, path), "the limit is MAX_JSON_BYTES")


@pytest.mark.parametrize("units", [12_500_000, 10**12])
def test_a_config_asking_for_enormous_weights(base, tmp_path, units):
    def enormous(config):
        _dense(config)["config"]["units"] = units

    path = _with_config(base, str(tmp_path / "units.keras"), enormous)
    _assert_refused_cheaply(_load_in_child(base, path), "more than its weights file")


def test_a_build_config_with_an_enormous_input_shape(base, tmp_path):
    def enormous(config):
        config["config"]["layers"] = [_dense(config)]  # no Input: the build config decides the kernel's shape
        _dense(config).pop("build_config", None)
        config["build_config"] = {"input_shape": [None, 10**11]}

    path = _with_config(base, str(tmp_path / "shape.keras"), enormous)
    _assert_refused_cheaply(_load_in_child(base, path), "more than its weights file")


def test_the_cap_applies_even_to_a_large_weights_file(base, monkeypatch):
    from kerastorch.saving import saving_lib

    monkeypatch.setattr(saving_lib, "MAX_WEIGHTS_BYTES", 1000)
    monkeypatch.setattr(saving_lib, "UNSAVED_WEIGHTS_ALLOWANCE", 10_000)
    with pytest.raises(ValueError, match="more than MAX_WEIGHTS_BYTES=1000"):
        keras.saving.load_model(base)


def test_a_safetensors_header_naming_a_tensor_twice(base, tmp_path):
    members = _members(base)
    import torch

    data = save_safetensors({"a": torch.zeros(2), "b": torch.ones(2)})
    size = int.from_bytes(data[:8], "little")
    header = data[8 : 8 + size].replace(b'"b"', b'"a"')  # both entries now named "a"; the library keeps the last
    members["model.weights.safetensors"] = data[:8] + header + data[8 + size :]
    path = _write(str(tmp_path / "twice.keras"), members)
    with pytest.raises(ValueError, match="duplicate key 'a'"):
        keras.saving.load_model(path)
    file_path = tmp_path / "twice.weights.safetensors"
    file_path.write_bytes(members["model.weights.safetensors"])
    with pytest.raises(ValueError, match="duplicate key 'a'"):
        keras.Sequential([keras.Input((192,)), keras.layers.Dense(2)]).load_weights(str(file_path))
