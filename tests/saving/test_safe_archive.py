"""kerastorch.saving.safe_archive: round trips, atomic folder swaps and their recovery, JSON limits.

The hostile inputs (traversal names, bombs, corruption, ...) are in test_hostile_files.py.
"""

import json
import os
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kerastorch.saving import file_utils, safe_archive
from kerastorch.saving.safe_archive import UnsafeArchiveError, load_json, read_archive, write_archive

_segment = st.text(alphabet="abcXYZ019_-.", min_size=1, max_size=8).filter(lambda s: s not in (".", ".."))
_names = st.lists(_segment, min_size=1, max_size=3).map("/".join)
_members = st.dictionaries(_names, st.binary(max_size=300), min_size=1, max_size=5).filter(
    lambda m: (
        len({k.casefold() for k in m}) == len(m)
        and not any(b.casefold().startswith(a.casefold() + "/") for a in m for b in m)
    )
)


@given(members=_members, zipped=st.booleans())
def test_write_then_read_gives_the_same_members(tmp_path_factory, members, zipped):
    path = str(tmp_path_factory.mktemp("a") / ("m.keras" if zipped else "m"))
    write_archive(path, members, zipped=zipped)
    assert os.path.isdir(path) is not zipped
    assert read_archive(path) == members


@given(first=_members, second=_members, zipped=st.booleans())
def test_overwrite_replaces_everything_and_leaves_no_sidecars(tmp_path_factory, first, second, zipped):
    folder = tmp_path_factory.mktemp("b")
    path = str(folder / "m")
    own_names = {name.split("/")[0] for name in [*first, *second]}
    write_archive(path, first, zipped=zipped)
    write_archive(path, second, zipped=zipped, own_names=own_names)
    assert read_archive(path) == second
    assert os.listdir(folder) == ["m"]


def test_zip_archive_is_a_plain_zip_that_keras_style_readers_open(tmp_path):
    path = tmp_path / "m.keras"
    write_archive(path, {"config.json": b"{}", "model.weights.safetensors": b"\0" * 10}, zipped=True)
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist() == ["config.json", "model.weights.safetensors"]
        assert zf.testzip() is None


def test_reads_deflated_archives_written_by_other_tools(tmp_path):
    path = tmp_path / "other.keras"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("assets/", b"")
        zf.writestr("config.json", json.dumps({"x": list(range(50))}))
    assert read_archive(path) == {"config.json": json.dumps({"x": list(range(50))}).encode()}


def test_folder_swap_interrupted_between_the_renames_is_recovered(tmp_path):
    # Where paths cannot be exchanged atomically, a folder swap is two renames; a crash between them leaves
    # only the previous version, under its aside name. A reader (and the next write) puts it back.
    path = str(tmp_path / "m")
    write_archive(path, {"config.json": b"old"}, zipped=False)
    os.rename(path, str(tmp_path / ".m.kt-old-123-abcd"))
    assert read_archive(path) == {"config.json": b"old"}
    assert os.path.isdir(path)  # the swap was undone
    write_archive(path, {"config.json": b"newer"}, zipped=False)
    assert read_archive(path) == {"config.json": b"newer"}
    assert sorted(os.listdir(tmp_path)) == ["m"]


def test_write_after_interrupted_swap_keeps_a_complete_copy_until_done(tmp_path, monkeypatch):
    path = str(tmp_path / "m")
    write_archive(str(tmp_path / ".m.kt-old-123-abcd"), {"config.json": b"v1"}, zipped=False)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(safe_archive.os, "fsync", crash)
    with pytest.raises(KeyboardInterrupt):
        write_archive(path, {"config.json": b"v2"}, zipped=False)
    monkeypatch.undo()
    assert read_archive(path) == {"config.json": b"v1"}
    assert sorted(os.listdir(tmp_path)) == ["m"]  # the failed temporary folder was removed


def test_a_folder_swap_without_atomic_exchange_still_replaces(tmp_path, monkeypatch):
    path = str(tmp_path / "m")
    write_archive(path, {"config.json": b"v1"}, zipped=False)

    def unsupported(first, second):
        raise NotImplementedError("no renameat2")

    monkeypatch.setattr(file_utils, "exchange_paths", unsupported)
    write_archive(path, {"config.json": b"v2"}, zipped=False)
    assert read_archive(path) == {"config.json": b"v2"}
    assert sorted(os.listdir(tmp_path)) == ["m"]


def test_only_the_wanted_members_are_read(tmp_path, monkeypatch):
    path = tmp_path / "m.keras"
    write_archive(path, {"config.json": b"{}", "junk.bin": b"x" * 5000}, zipped=True)
    opened = []
    original = zipfile.ZipFile.open
    monkeypatch.setattr(
        zipfile.ZipFile,
        "open",
        lambda zf, info, *a, **k: opened.append(getattr(info, "filename", info)) or original(zf, info, *a, **k),
    )
    assert read_archive(path, wanted=lambda name: name == "config.json") == {"config.json": b"{}"}
    assert opened == ["config.json"]  # the unused member was never decompressed


def test_a_failed_zip_write_leaves_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "m.keras"
    write_archive(path, {"config.json": b"v1"}, zipped=True)

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", crash)
    with pytest.raises(OSError, match="disk full"):
        write_archive(path, {"config.json": b"v2"}, zipped=True)
    monkeypatch.undo()
    assert read_archive(path) == {"config.json": b"v1"}
    assert os.listdir(tmp_path) == ["m.keras"]


def test_missing_path_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="No saved model"):
        read_archive(tmp_path / "nothing.keras")


def test_write_refuses_bad_names_and_values(tmp_path):
    with pytest.raises(UnsafeArchiveError, match=r"write_archive.*path traversal"):
        write_archive(tmp_path / "m.keras", {"../x": b""}, zipped=True)
    with pytest.raises(TypeError, match="must be bytes, received str"):
        write_archive(tmp_path / "m.keras", {"x": "text"}, zipped=True)
    (tmp_path / "d.keras").mkdir()
    with pytest.raises(IsADirectoryError, match="is a folder; a file cannot replace it"):
        write_archive(tmp_path / "d.keras", {"x": b""}, zipped=True)
    assert sorted(os.listdir(tmp_path)) == ["d.keras"]


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=20,
)


@given(value=json_values)
def test_load_json_round_trips_json_values(value):
    assert load_json(json.dumps(value).encode(), "config.json") == value
    assert load_json(json.dumps(value), "config.json") == value


def test_load_json_depth_counts_brackets_outside_strings_only():
    assert load_json(json.dumps({"a": "[[[[" * 1000}), "c") == {"a": "[[[[" * 1000}
    deep = "[" * (safe_archive.MAX_JSON_DEPTH - 1) + "]" * (safe_archive.MAX_JSON_DEPTH - 1)
    assert isinstance(load_json(deep, "c"), list)
    deeper = "[" * (safe_archive.MAX_JSON_DEPTH + 1) + "]" * (safe_archive.MAX_JSON_DEPTH + 1)
    with pytest.raises(UnsafeArchiveError, match="c: JSON is nested 257 levels deep"):
        load_json(deeper, "c")


def test_module_limits_are_generous_defaults():
    assert safe_archive.MAX_TOTAL_BYTES >= 4 * 1024**3
    assert safe_archive.MAX_COMPRESSION_RATIO >= 200
    assert safe_archive.MAX_MEMBERS >= 1000
    assert issubclass(UnsafeArchiveError, ValueError)
