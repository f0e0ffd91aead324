"""TensorFlow's tensor bundle (the checkpoint format), read and written without TensorFlow.

A checkpoint with prefix ``ckpt`` is two files (one data shard is what TensorFlow writes on one machine):

- ``ckpt.index``: a sorted string table (LevelDB's table format): data blocks of prefix-compressed
  ``key -> value`` entries with restart points, an (empty) meta-index block, an index block whose entries
  point at the data blocks, and a 48-byte footer (the two block handles, padding, the magic number
  ``0xdb4775248b80fb57``). Every block is followed by a compression byte and the masked CRC-32C of the block
  and that byte. The entry of the empty key is a ``BundleHeaderProto`` (shard count, endianness, version);
  every other key names a tensor and holds a ``BundleEntryProto`` (dtype, shape, shard, offset, size, the
  masked CRC-32C of its bytes).
- ``ckpt.data-00000-of-00001``: the tensors' bytes, little-endian, at the recorded offsets. A string tensor
  is stored as the varint lengths of its elements, the masked CRC-32C of those lengths (as 32-bit integers),
  then the bytes of the elements.

Reading is bounded and checked, as for every file kerastorch reads: the index is at most ``MAX_INDEX_BYTES``,
each block at most ``MAX_BLOCK_BYTES`` and inside the file, every block's checksum is verified before it is
parsed, entries must be in strictly increasing key order, every offset and size must lie inside its data file,
a tensor's size must be what its dtype and shape need, and its CRC-32C is checked before it is returned.
Anything else raises ``ValueError`` naming the file and the problem. Compressed blocks, big-endian bundles and
partitioned (sliced) variables, which TensorFlow's own writers do not produce for Keras models, are refused.

Writing goes through :mod:`kerastorch.saving.file_utils`: the data shard, then the index, each replaced
atomically (a temporary file beside it, fsynced and renamed). The two files must change together, so the data
shard being replaced is kept as ``.<shard name>.kt-prev`` until the new index is in place: a process killed in
between leaves the old index and that old data shard, and the reader picks whichever data file the index's
checksums match. A crash at any moment leaves the previous complete checkpoint or the new one.

Example:
    >>> import torch
    >>> write_bundle("demo", {"kernel": torch.ones(2, 3), "step": torch.tensor(4)})
    >>> with BundleReader("demo") as reader:
    ...     reader.keys(), reader.shape("kernel"), reader.tensor("step").item()
    (['kernel', 'step'], (2, 3), 4)
"""

from __future__ import annotations

import contextlib
import math
import os
import struct
from typing import IO, Any

import numpy as np
import torch

from kerastorch.backend.hashing import crc32c as _crc32c_bytewise
from kerastorch.backend.hashing import mask_crc
from kerastorch.saving import protobuf_wire as pb
from kerastorch.saving.file_utils import atomic_write, write_bytes

__all__ = [
    "BundleReader",
    "write_bundle",
    "crc32c",
    "masked_crc32c",
    "data_path",
    "previous_data_path",
    "MAX_INDEX_BYTES",
    "MAX_BLOCK_BYTES",
    "MAX_ENTRIES",
]

MAX_INDEX_BYTES = 256 * 1024**2
MAX_BLOCK_BYTES = 64 * 1024**2
MAX_ENTRIES = 1_000_000
MAX_SHARDS = 10_000
MAX_RANK = 64
TABLE_MAGIC = 0xDB4775248B80FB57
FOOTER_BYTES = 48
BLOCK_TRAILER_BYTES = 5
STRING_DTYPE = 7
# TensorFlow's DataType enum -> (numpy dtype, torch dtype); DT_STRING (7) is handled apart.
DTYPES = {
    1: (np.float32, torch.float32),
    2: (np.float64, torch.float64),
    3: (np.int32, torch.int32),
    4: (np.uint8, torch.uint8),
    5: (np.int16, torch.int16),
    6: (np.int8, torch.int8),
    8: (np.complex64, torch.complex64),
    9: (np.int64, torch.int64),
    10: (np.bool_, torch.bool),
    14: (np.uint16, torch.bfloat16),
    17: (np.uint16, torch.uint16),
    18: (np.complex128, torch.complex128),
    19: (np.float16, torch.float16),
    22: (np.uint32, torch.uint32),
    23: (np.uint64, torch.uint64),
}
_TORCH_TO_DT = {torch_dtype: code for code, (_, torch_dtype) in DTYPES.items()}
_DATA_BLOCK_BYTES = 4096
_RESTART_INTERVAL = 16
_SMALL_CRC = 1 << 14


# --------------------------------------------------------------------------- CRC-32C
_TABLE = None


def _crc_table():
    """CRC-32C's byte table, derived from the byte-wise function (which is linear in the data)."""
    global _TABLE
    if _TABLE is None:
        zero = _crc32c_bytewise(b"\x00")
        _TABLE = np.array([_crc32c_bytewise(bytes([byte])) ^ zero for byte in range(256)], dtype=np.uint32)
    return _TABLE


def crc32c(data: bytes | bytearray | memoryview) -> int:
    """The CRC-32C (Castagnoli) checksum of ``data``; large buffers are checked in parallel blocks with numpy.

    The data is cut into equal blocks whose checksums are computed side by side (one numpy step per byte
    position) and combined with the CRC's shift operator, so a checkpoint of hundreds of megabytes is checked
    in about a second.

    Args:
        data: bytes-like: what to check.

    Returns:
        int: the unsigned 32-bit checksum (the same as :func:`kerastorch.backend.hashing.crc32c`).

    >>> hex(crc32c(b"123456789"))
    '0xe3069283'
    >>> data = bytes(range(256)) * 300
    >>> crc32c(data) == _crc32c_bytewise(data)
    True
    """
    view = memoryview(data).cast("B")
    size = len(view)
    if size < _SMALL_CRC:
        return _crc32c_bytewise(view)
    table = _crc_table()
    length = max(256, 1 << int(math.log2(math.sqrt(size))))  # bytes per block
    count = size // length
    blocks = np.frombuffer(view, dtype=np.uint8, count=count * length).reshape(count, length)
    state = np.zeros(count, dtype=np.uint32)
    for start in range(0, length, 256):
        columns = np.ascontiguousarray(blocks[:, start : start + 256].T)
        for column in columns:
            state = table[(state ^ column) & 0xFF] ^ (state >> 8)
    # shift(r): the register after ``length`` zero bytes, as four byte tables (the operator is linear)
    basis = np.array([value << (8 * k) for k in range(4) for value in range(256)], dtype=np.uint64).astype(np.uint32)
    for _ in range(length):
        basis = table[basis & 0xFF] ^ (basis >> 8)
    shift = [basis[256 * k : 256 * (k + 1)].tolist() for k in range(4)]
    register = 0xFFFFFFFF
    for raw in state.tolist():
        register = (
            shift[0][register & 0xFF]
            ^ shift[1][(register >> 8) & 0xFF]
            ^ shift[2][(register >> 16) & 0xFF]
            ^ shift[3][register >> 24]
            ^ raw
        )
    table_list = table.tolist()
    for byte in view[count * length :]:
        register = table_list[(register ^ byte) & 0xFF] ^ (register >> 8)
    return register ^ 0xFFFFFFFF


def masked_crc32c(data: bytes | bytearray | memoryview) -> int:
    """The masked CRC-32C that TensorFlow stores (:func:`kerastorch.backend.hashing.mask_crc` of :func:`crc32c`).

    Args:
        data: bytes-like: the bytes to checksum.

    Returns:
        int: the masked checksum.

    >>> hex(masked_crc32c(b""))
    '0xa282ead8'
    """
    return mask_crc(crc32c(data))


# --------------------------------------------------------------------------- reading
def previous_data_path(path: str) -> str:
    """Where a data shard's previous version waits while its new index is written (``.<name>.kt-prev``).

    Args:
        path: str: the data shard's path.

    Returns:
        str: the path of its previous version.

    >>> previous_data_path("ckpt.data-00000-of-00001")
    '.ckpt.data-00000-of-00001.kt-prev'
    """
    folder, base = os.path.split(os.fspath(path))
    return os.path.join(folder, f".{base}.kt-prev")


def data_path(prefix: str, shard: int = 0, num_shards: int = 1) -> str:
    """The data shard file of a checkpoint prefix: ``<prefix>.data-00000-of-00001``.

    >>> data_path("ckpt")
    'ckpt.data-00000-of-00001'
    """
    return f"{os.fspath(prefix)}.data-{shard:05d}-of-{num_shards:05d}"


class _Entry:
    __slots__ = ("dtype", "shape", "shard", "offset", "size", "crc")

    def __init__(self, dtype, shape, shard, offset, size, crc):
        self.dtype, self.shape, self.shard, self.offset, self.size, self.crc = dtype, shape, shard, offset, size, crc


class BundleReader:
    """The tensors of a TensorFlow checkpoint (``<prefix>.index`` and its data shards), checked as they are read.

    Args:
        prefix: str or path-like: the checkpoint prefix (``ckpt`` for ``ckpt.index``).

    Raises:
        FileNotFoundError: there is no ``<prefix>.index``.
        ValueError: the index is malformed, corrupt or over a limit (the message names the file).

    Use it as a context manager (or call :meth:`close`) to close the data files.
    """

    def __init__(self, prefix: str | os.PathLike[str]) -> None:
        self.prefix = os.fspath(prefix)
        self.index_path = self.prefix + ".index"
        self.what = f"TensorFlow checkpoint index {self.index_path!r}"
        if not os.path.isfile(self.index_path):
            raise FileNotFoundError(f"No TensorFlow checkpoint at {self.prefix!r}: {self.index_path!r} does not exist")
        size = os.path.getsize(self.index_path)
        if size > MAX_INDEX_BYTES:
            raise ValueError(f"{self.what} is {size} bytes; the limit is MAX_INDEX_BYTES={MAX_INDEX_BYTES}")
        with open(self.index_path, "rb") as f:
            index = f.read(MAX_INDEX_BYTES + 1)
        self.num_shards, self._entries = self._parse_index(index)
        self._files: dict[int, IO[bytes]] = {}  # shard -> open data file

    # ------------------------------------------------------------------ the index table
    def _fail(self, problem):
        raise ValueError(f"{self.what} is corrupt: {problem}")

    def _block(self, data, handle, what):
        offset, size = handle
        if size > MAX_BLOCK_BYTES:
            self._fail(f"the {what} claims {size} bytes; the limit is MAX_BLOCK_BYTES={MAX_BLOCK_BYTES}")
        if offset > len(data) or size + BLOCK_TRAILER_BYTES > len(data) - offset:
            self._fail(
                f"the {what} at offset {offset} ({size} bytes) lies past the end of the file ({len(data)} bytes)"
            )
        block = data[offset : offset + size]
        kind = data[offset + size]
        stored = int.from_bytes(data[offset + size + 1 : offset + size + 5], "little")
        if masked_crc32c(data[offset : offset + size + 1]) != stored:
            self._fail(f"the {what} at offset {offset} fails its CRC-32C check")
        if kind != 0:
            self._fail(f"the {what} is compressed (type {kind}); only uncompressed tables are read")
        return block

    def _entries_of(self, block, what):
        """The ``(key, value)`` pairs of a block, keys checked to increase strictly."""
        if len(block) < 4:
            self._fail(f"the {what} is {len(block)} bytes, too short for its restart count")
        restarts = int.from_bytes(block[-4:], "little")
        if restarts == 0 or restarts > (len(block) - 4) // 4:
            self._fail(f"the {what} claims {restarts} restart points in {len(block)} bytes")
        end = len(block) - 4 - 4 * restarts
        pairs, key, position = [], b"", 0
        while position < end:
            shared, position = pb.read_varint(block[:end], position, what)
            unshared, position = pb.read_varint(block[:end], position, what)
            value_size, position = pb.read_varint(block[:end], position, what)
            if shared > len(key) or unshared > end - position or value_size > end - position - unshared:
                self._fail(
                    f"an entry of the {what} at offset {position} runs past the block or shares more of "
                    "the previous key than it has"
                )
            new_key = key[:shared] + bytes(block[position : position + unshared])
            position += unshared
            if pairs and new_key <= key:
                self._fail(f"the keys of the {what} are not in increasing order ({new_key!r} after {key!r})")
            key = new_key
            pairs.append((key, block[position : position + value_size]))
            position += value_size
            if len(pairs) > MAX_ENTRIES:
                self._fail(f"the {what} has more than MAX_ENTRIES={MAX_ENTRIES} entries")
        return pairs

    def _handle(self, data, position, what):
        offset, position = pb.read_varint(data, position, what)
        size, position = pb.read_varint(data, position, what)
        return (offset, size), position

    def _parse_index(self, data):
        data = memoryview(data)
        if len(data) < FOOTER_BYTES:
            self._fail(f"it is {len(data)} bytes, shorter than a table's {FOOTER_BYTES}-byte footer (truncated?)")
        footer = data[len(data) - FOOTER_BYTES :]
        if int.from_bytes(footer[-8:], "little") != TABLE_MAGIC:
            self._fail("its footer lacks the table magic number (truncated, or not a checkpoint index)")
        _, position = self._handle(footer, 0, f"{self.what} footer")  # the (empty) meta-index block
        index_handle, _ = self._handle(footer, position, f"{self.what} footer")
        entries, header, count = {}, None, 0
        previous = None
        for last_key, handle_bytes in self._entries_of(self._block(data, index_handle, "index block"), "index block"):
            handle, used = self._handle(handle_bytes, 0, f"{self.what} index entry")
            if used != len(handle_bytes):
                self._fail(f"the index entry {bytes(last_key)!r} holds extra bytes after its block handle")
            for key, value in self._entries_of(self._block(data, handle, "data block"), "data block"):
                if previous is not None and key <= previous:
                    self._fail(f"the keys are not in increasing order across blocks ({key!r} after {previous!r})")
                if key > last_key:
                    self._fail(f"key {key!r} lies past its index entry {bytes(last_key)!r}")
                previous = key
                count += 1
                if count > MAX_ENTRIES:
                    self._fail(f"it has more than MAX_ENTRIES={MAX_ENTRIES} entries")
                if key == b"":
                    header = pb.parse(value, f"{self.what} header")
                else:
                    entries[key] = value
        if header is None:
            self._fail("it has no header entry (the empty key)")
        num_shards = header.int(1)
        if header.int(2) != 0:
            self._fail("it is a big-endian bundle; only little-endian bundles are read")
        if not 1 <= num_shards <= MAX_SHARDS:
            self._fail(f"it claims {num_shards} data shards (1 to {MAX_SHARDS} are read)")
        if header.message(3).int(2) > 1:
            self._fail(f"it needs a reader of bundle version {header.message(3).int(2)}; version 1 is read")
        parsed = {}
        for raw_key, value in entries.items():
            try:
                key = raw_key.decode("utf-8")
            except UnicodeDecodeError:
                self._fail(f"the key {raw_key[:60]!r} is not UTF-8 text")
            parsed[key] = self._entry(key, pb.parse(value, f"{self.what} entry {key!r}"), num_shards)
        return num_shards, parsed

    def _entry(self, key, message, num_shards):
        dtype = message.int(1)
        if dtype not in DTYPES and dtype != STRING_DTYPE:
            self._fail(f"tensor {key!r} has TensorFlow dtype {dtype}, which is not read (numbers, booleans, strings)")
        if message.has(7):
            self._fail(f"tensor {key!r} is a partitioned (sliced) variable; those are not read")
        shape_message = message.message(2)
        if shape_message.int(3):
            self._fail(f"tensor {key!r} has an unknown rank")
        dims = [dim.int(1, signed=True) for dim in shape_message.messages(2)]
        if len(dims) > MAX_RANK or any(d < 0 for d in dims):
            self._fail(f"tensor {key!r} has an invalid shape {dims[:10]}")
        shard = message.int(3)
        if shard >= num_shards:
            self._fail(f"tensor {key!r} lives in shard {shard} but the bundle has {num_shards}")
        size = message.int(5, signed=True)
        offset = message.int(4, signed=True)
        if size < 0 or offset < 0:
            self._fail(f"tensor {key!r} has a negative offset or size")
        if dtype != STRING_DTYPE:
            needed = math.prod(dims) * np.dtype(DTYPES[dtype][0]).itemsize
            if needed != size:
                self._fail(f"tensor {key!r} of shape {tuple(dims)} needs {needed} bytes but its entry records {size}")
        return _Entry(dtype, tuple(dims), shard, offset, size, message.int(6))

    # ------------------------------------------------------------------ tensors
    def keys(self) -> list[str]:
        """The tensor names, sorted."""
        return sorted(self._entries)

    def __contains__(self, key):
        return key in self._entries

    def shape(self, key: str) -> tuple[int, ...]:
        """The shape of tensor ``key`` (a tuple)."""
        return self._entries[key].shape

    def dtype(self, key: str) -> torch.dtype | None:
        """The torch dtype of tensor ``key`` (``None`` for a string tensor)."""
        entry = self._entries[key]
        return None if entry.dtype == STRING_DTYPE else DTYPES[entry.dtype][1]

    def _matches(self, path, shard):
        """Whether the data file ``path`` holds every tensor of ``shard`` with the index's checksums (checked only
        after an interrupted save, to tell which data file the index belongs to)."""
        try:
            with open(path, "rb") as f:
                for entry in sorted(self._entries.values(), key=lambda e: e.offset):
                    if entry.shard != shard:
                        continue
                    f.seek(entry.offset)
                    data = f.read(entry.size)
                    if len(data) != entry.size or not _checksum_ok(entry, data):
                        return False
        except OSError:
            return False
        return True

    def _data_file(self, shard):
        """The data file of ``shard``: the named one, or the previous version that an interrupted save kept
        (``.<name>.kt-prev``) when the index's checksums match that one instead."""
        path = data_path(self.prefix, shard, self.num_shards)
        previous = previous_data_path(path)
        if os.path.exists(previous) and not self._matches(path, shard) and self._matches(previous, shard):
            return previous
        return path

    def _bytes(self, key):
        entry = self._entries[key]
        path = self._data_file(entry.shard)
        handle = self._files.get(entry.shard)
        if handle is None:
            try:
                handle = self._files[entry.shard] = open(path, "rb")  # noqa: SIM115 - kept for the reader's life
            except FileNotFoundError:
                raise FileNotFoundError(f"TensorFlow checkpoint {self.prefix!r} lacks its data file {path!r}") from None
        path = handle.name
        file_size = os.fstat(handle.fileno()).st_size
        if entry.offset > file_size or entry.size > file_size - entry.offset:
            raise ValueError(
                f"TensorFlow checkpoint data file {path!r} is corrupt or truncated: tensor {key!r} "
                f"lies at offset {entry.offset} ({entry.size} bytes) past its end ({file_size} bytes)"
            )
        handle.seek(entry.offset)
        data = handle.read(entry.size)
        if len(data) != entry.size:
            raise ValueError(f"TensorFlow checkpoint data file {path!r} is truncated at tensor {key!r}")
        return data, path

    def tensor(self, key: str) -> torch.Tensor:
        """Tensor ``key`` as a torch tensor, after its CRC-32C check.

        Raises:
            KeyError: no such tensor.
            ValueError: its bytes are corrupt (CRC mismatch), or it is a string tensor.
        """
        entry = self._entries[key]
        if entry.dtype == STRING_DTYPE:
            raise ValueError(f"{self.what}: tensor {key!r} holds strings, not numbers")
        data, path = self._bytes(key)
        if masked_crc32c(data) != entry.crc:
            raise ValueError(
                f"TensorFlow checkpoint data file {path!r} is corrupt: tensor {key!r} fails its CRC-32C check"
            )
        numpy_dtype, torch_dtype = DTYPES[entry.dtype]
        array = np.frombuffer(data, dtype=np.dtype(numpy_dtype).newbyteorder("<")).reshape(entry.shape)
        tensor = torch.from_numpy(array.astype(array.dtype.newbyteorder("="), copy=True))
        return tensor.view(torch_dtype) if torch_dtype == torch.bfloat16 else tensor

    def strings(self, key: str) -> list[bytes]:
        """The elements of string tensor ``key`` (a list of bytes, in row-major order), checked."""
        entry = self._entries[key]
        if entry.dtype != STRING_DTYPE:
            raise ValueError(f"{self.what}: tensor {key!r} holds numbers, not strings")
        data, path = self._bytes(key)
        what = f"TensorFlow checkpoint data file {path!r}"
        elements = _string_elements(entry, data)
        if isinstance(elements, str):
            raise ValueError(f"{what} is corrupt: string tensor {key!r} {elements}")
        return elements

    def close(self) -> None:
        """Close the data files."""
        for handle in self._files.values():
            handle.close()
        self._files = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _string_elements(entry, data):
    """The elements of a stored string tensor, or a description of what is wrong with it (a str)."""
    count = math.prod(entry.shape)
    if count > len(data):
        return f"claims {count} elements in {len(data)} bytes"
    lengths, position = [], 0
    try:
        for _ in range(count):
            length, position = pb.read_varint(data, position, "string tensor")
            lengths.append(length)
    except ValueError:
        return "has unreadable element lengths"
    if any(length >= 1 << 32 for length in lengths) or position + 4 + sum(lengths) != len(data):
        return f"has element lengths that do not add up to its {len(data)} bytes"
    lengths_bytes = struct.pack(f"<{count}I", *lengths)
    if (
        masked_crc32c(lengths_bytes) != int.from_bytes(data[position : position + 4], "little")
        or masked_crc32c(lengths_bytes + data[position:]) != entry.crc
    ):
        return "fails its CRC-32C check"
    position += 4
    out = []
    for length in lengths:
        out.append(data[position : position + length])
        position += length
    return out


def _checksum_ok(entry, data):
    if entry.dtype == STRING_DTYPE:
        return not isinstance(_string_elements(entry, data), str)
    return masked_crc32c(data) == entry.crc


# --------------------------------------------------------------------------- writing
def _string_bytes(elements):
    lengths = struct.pack(f"<{len(elements)}I", *(len(element) for element in elements))
    checksum = struct.pack("<I", masked_crc32c(lengths))
    body = b"".join(elements)
    stored = b"".join(pb.encode_varint(len(element)) for element in elements) + checksum + body
    return stored, masked_crc32c(lengths + checksum + body)


def _shape_proto(shape):
    return b"".join(pb.bytes_field(2, pb.varint_field(1, size) if size else b"") for size in shape)


def _entry_proto(dtype, shape, offset, size, crc):
    return (
        pb.varint_field(1, dtype)
        + pb.bytes_field(2, _shape_proto(shape))
        + (pb.varint_field(4, offset) if offset else b"")
        + (pb.varint_field(5, size) if size else b"")
        + pb.fixed32_field(6, crc)
    )


def _block(entries, restart_interval):
    """A table block of sorted ``(key, value)`` byte pairs, prefix-compressed with restart points."""
    out, restarts, previous = bytearray(), [], b""
    for index, (key, value) in enumerate(entries):
        shared = 0
        if index % restart_interval == 0:
            restarts.append(len(out))
        else:
            limit = min(len(key), len(previous))
            while shared < limit and key[shared] == previous[shared]:
                shared += 1
        out += pb.encode_varint(shared) + pb.encode_varint(len(key) - shared) + pb.encode_varint(len(value))
        out += key[shared:] + value
        previous = key
    restarts = restarts or [0]
    out += struct.pack(f"<{len(restarts)}I", *restarts) + struct.pack("<I", len(restarts))
    return bytes(out)


def _string_table(entries):
    """The bytes of a sorted string table holding ``entries`` (sorted ``(key, value)`` byte pairs)."""
    out = bytearray()

    def add(block):
        handle = (len(out), len(block))
        trailer = b"\x00"
        out.extend(block + trailer + struct.pack("<I", masked_crc32c(block + trailer)))
        return pb.encode_varint(handle[0]) + pb.encode_varint(handle[1])

    index, pending, pending_size = [], [], 0
    for key, value in entries:
        pending.append((key, value))
        pending_size += len(key) + len(value) + 8
        if pending_size >= _DATA_BLOCK_BYTES:
            index.append((key, add(_block(pending, _RESTART_INTERVAL))))
            pending, pending_size = [], 0
    if pending:
        index.append((pending[-1][0], add(_block(pending, _RESTART_INTERVAL))))
    meta_handle = add(_block([], _RESTART_INTERVAL))
    index_handle = add(_block(index, 1))
    footer = (meta_handle + index_handle).ljust(FOOTER_BYTES - 8, b"\x00") + struct.pack("<Q", TABLE_MAGIC)
    return bytes(out + footer)


def _as_cpu_tensor(value, key):
    tensor = torch.as_tensor(value).detach().cpu().contiguous()
    if tensor.dtype not in _TORCH_TO_DT:
        raise ValueError(
            f"write_bundle: tensor {key!r} has dtype {tensor.dtype}, which a TensorFlow checkpoint cannot hold"
        )
    return tensor


def write_bundle(prefix: str | os.PathLike[str], tensors: dict[str, Any]) -> None:
    """Write a TensorFlow checkpoint: ``<prefix>.data-00000-of-00001``, then ``<prefix>.index``, each atomically.

    Args:
        prefix: str or path-like: the checkpoint prefix.
        tensors: dict of str to a tensor, an array or a list of bytes (a string tensor of that many elements;
            a ``bytes`` value is a string scalar): the tensors by key.

    Raises:
        ValueError: a dtype TensorFlow checkpoints cannot hold, or the empty key.
        OSError: a write failed; the previous files are intact.
    """
    prefix = os.fspath(prefix)
    if "" in tensors:
        raise ValueError("write_bundle: the empty key is the bundle's header and cannot name a tensor")
    entries = {}
    target = data_path(prefix)
    previous = previous_data_path(target)
    if os.path.exists(previous) and os.path.exists(prefix + ".index"):
        # an interrupted save: keep whichever data file the current index needs
        with contextlib.suppress(ValueError, OSError):
            with BundleReader(prefix) as reader:
                if reader._data_file(0) == previous:
                    os.replace(previous, target)
    keep = previous if os.path.isfile(target) else None
    with atomic_write(target, keep_previous=keep) as tmp_path:
        with open(tmp_path, "wb") as f:
            offset = 0
            for key, value in tensors.items():
                if isinstance(value, (bytes, list)):
                    elements = [value] if isinstance(value, bytes) else [bytes(v) for v in value]
                    stored, crc = _string_bytes(elements)
                    shape = () if isinstance(value, bytes) else (len(elements),)
                    entries[key] = _entry_proto(STRING_DTYPE, shape, offset, len(stored), crc)
                else:
                    tensor = _as_cpu_tensor(value, key)
                    if tensor.dtype == torch.bfloat16:
                        raw = tensor.view(torch.uint16).numpy()
                    else:
                        raw = tensor.numpy()
                    stored = raw.astype(raw.dtype.newbyteorder("<"), copy=False).tobytes()
                    entries[key] = _entry_proto(
                        _TORCH_TO_DT[tensor.dtype], tuple(tensor.shape), offset, len(stored), masked_crc32c(stored)
                    )
                f.write(stored)
                offset += len(stored)
    header = pb.varint_field(1, 1) + pb.bytes_field(3, pb.varint_field(1, 1))
    pairs = [(b"", header)] + sorted((key.encode("utf-8"), value) for key, value in entries.items())
    write_bytes(prefix + ".index", _string_table(pairs))
    with contextlib.suppress(FileNotFoundError):
        os.remove(previous)
