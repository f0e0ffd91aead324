"""keras.utils.get_file against a local HTTP server: cache, hashes, interrupted transfers, offline, archives."""

import hashlib
import io
import os
import socket
import tarfile
import zipfile

import pytest

from kerastorch.utils import file_utils, get_file

PAYLOAD = bytes(range(256)) * 300  # 76,800 bytes: several chunks
SHA256 = hashlib.sha256(PAYLOAD).hexdigest()
MD5 = hashlib.md5(PAYLOAD).hexdigest()


def _tar_bytes(members):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _zip_bytes(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def server(local_server):
    local_server.files.update(
        {
            "/data.bin": PAYLOAD,
            "/bad.bin": PAYLOAD[:-1] + b"x",
            "/cut.bin": PAYLOAD,
            "/folder.tar.gz": _tar_bytes({"folder/a.txt": b"a", "folder/sub/b.txt": b"b"}),
            "/folder.zip": _zip_bytes({"a.txt": b"a", "sub/b.txt": b"b"}),
            "/evil.tar.gz": _tar_bytes({"../escape.txt": b"x"}),
            "/evil.zip": _zip_bytes({"/abs.txt": b"x"}),
        }
    )
    local_server.truncated.add("/cut.bin")
    return local_server


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_download_checks_the_hash_and_caches(server, tmp_path):
    path = get_file("data.bin", f"{server.url}/data.bin", file_hash=SHA256, cache_dir=tmp_path)
    assert path == str(tmp_path / "datasets" / "data.bin") and open(path, "rb").read() == PAYLOAD
    again = get_file("data.bin", f"{server.url}/data.bin", file_hash=SHA256, cache_dir=tmp_path)
    assert again == path and server.hits == ["/data.bin"]  # served from the cache
    assert get_file(origin=f"{server.url}/data.bin", md5_hash=MD5, cache_dir=tmp_path, cache_subdir="models") == str(
        tmp_path / "models" / "data.bin"
    )
    assert sorted(os.listdir(tmp_path / "datasets")) == ["data.bin"]  # no temporary left


def test_a_download_with_the_wrong_hash_is_refused_and_nothing_is_cached(server, tmp_path):
    with pytest.raises(ValueError, match=r"has sha256 hash [0-9a-f]{64}, expected " + SHA256 + ".*nothing was cached"):
        get_file("bad.bin", f"{server.url}/bad.bin", file_hash=SHA256, cache_dir=tmp_path)
    assert os.listdir(tmp_path / "datasets") == []


def test_a_cached_file_with_the_wrong_hash_is_downloaded_again(server, tmp_path):
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "data.bin").write_bytes(b"stale")
    path = get_file("data.bin", f"{server.url}/data.bin", file_hash=SHA256, cache_dir=tmp_path)
    assert open(path, "rb").read() == PAYLOAD and server.hits == ["/data.bin"]
    get_file("data.bin", f"{server.url}/data.bin", file_hash=SHA256, cache_dir=tmp_path, force_download=True)
    assert server.hits == ["/data.bin", "/data.bin"]


def test_an_interrupted_download_caches_nothing(server, tmp_path):
    with pytest.raises(
        OSError,
        match=r"could not download 'cut.bin' from .*the transfer stopped after 38400 of "
        r"76800 bytes.*Nothing was cached",
    ):
        get_file("cut.bin", f"{server.url}/cut.bin", cache_dir=tmp_path)
    assert os.listdir(tmp_path / "datasets") == []


def test_offline_the_error_names_the_file_its_address_and_where_to_put_it(tmp_path):
    origin = f"http://127.0.0.1:{_closed_port()}/weights.h5"
    with pytest.raises(OSError) as error:
        get_file("weights.h5", origin, file_hash=SHA256, cache_dir=tmp_path, cache_subdir="models")
    message = str(error.value)
    assert "'weights.h5'" in message and origin in message and SHA256 in message
    assert f"put it at {tmp_path / 'models' / 'weights.h5'}" in message
    (tmp_path / "models" / "weights.h5").write_bytes(PAYLOAD)  # put there by hand: used offline
    assert get_file("weights.h5", origin, file_hash=SHA256, cache_dir=tmp_path, cache_subdir="models")


def test_keras_home_and_a_missing_origin(monkeypatch, tmp_path, server):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    assert get_file(origin=f"{server.url}/data.bin") == str(tmp_path / "home" / "datasets" / "data.bin")
    with pytest.raises(ValueError, match='specify the "origin" argument'):
        get_file("x")
    with pytest.raises(ValueError, match="hash_algorithm must be 'sha256', 'md5' or 'auto', received 'sha1'"):
        get_file("x", f"{server.url}/data.bin", file_hash="00", hash_algorithm="sha1", cache_dir=tmp_path)


@pytest.mark.parametrize("archive", ["folder.tar.gz", "folder.zip"])
def test_archives_extract_into_a_folder_next_to_the_archive(server, tmp_path, archive):
    path = get_file(origin=f"{server.url}/{archive}", extract=True, cache_dir=tmp_path)
    assert path == str(tmp_path / "datasets" / "folder")
    inside = path if archive.endswith(".zip") else os.path.join(path, "folder")
    assert open(os.path.join(inside, "sub", "b.txt")).read() == "b"
    assert os.path.isfile(str(tmp_path / "datasets" / "folder") + "_archive")
    assert get_file(origin=f"{server.url}/{archive}", extract=True, cache_dir=tmp_path) == path
    assert len(server.hits) == 1


@pytest.mark.parametrize("archive", ["evil.tar.gz", "evil.zip"])
def test_archive_members_that_escape_their_folder_are_refused(server, tmp_path, archive):
    with pytest.raises(ValueError, match="would be written outside its folder; it is refused"):
        get_file(origin=f"{server.url}/{archive}", extract=True, cache_dir=tmp_path)
    assert not (tmp_path / "escape.txt").exists() and not os.path.exists("/abs.txt")
    assert [n for n in os.listdir(tmp_path / "datasets") if not n.endswith("_archive")] == []


def test_hash_helpers(tmp_path):
    path = tmp_path / "x.bin"
    path.write_bytes(PAYLOAD)
    assert file_utils.hash_file(str(path)) == SHA256 and file_utils.validate_file(str(path), MD5)
    assert not file_utils.validate_file(str(path), SHA256[::-1])
