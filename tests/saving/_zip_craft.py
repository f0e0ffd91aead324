"""Building broken and hostile zip files byte by byte, for the hostile-files tests."""

import io
import struct
import zipfile

_CENTRAL = b"PK\x01\x02"
_END = b"PK\x05\x06"


def make_zip(members, compression=zipfile.ZIP_STORED, attrs=None):
    """A zip file's bytes; ``members`` is a list of ``(name, bytes)`` (duplicates allowed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = compression
            if attrs and name in attrs:
                info.external_attr = attrs[name] << 16
            zf.writestr(info, data)
    return buffer.getvalue()


def central_records(data):
    """``(offset, length)`` of each central-directory record."""
    records, start = [], data.index(_CENTRAL)
    end = data.rindex(_END)
    while start < end:
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, start + 28)
        length = 46 + name_len + extra_len + comment_len
        records.append((start, length))
        start += length
    return records


def patch_central(data, index, fmt, offset, value):
    """Overwrite a field of the ``index``-th central-directory record."""
    start, _ = central_records(data)[index]
    out = bytearray(data)
    struct.pack_into(fmt, out, start + offset, value)
    return bytes(out)


def duplicate_central_record(data, new_name):
    """Add a second central record pointing at the first member's data (overlapping entries)."""
    start, length = central_records(data)[0]
    record = bytearray(data[start : start + length])
    name_len = struct.unpack_from("<H", record, 28)[0]
    assert len(new_name) == name_len
    record[46 : 46 + name_len] = new_name.encode()
    end = data.rindex(_END)
    cd_start = struct.unpack_from("<I", data, end + 16)[0]
    cd_size = struct.unpack_from("<I", data, end + 12)[0]
    out = bytearray(data[: cd_start + cd_size] + bytes(record) + data[end:])
    new_end = cd_start + cd_size + len(record)
    count = struct.unpack_from("<H", out, new_end + 8)[0] + 1
    struct.pack_into("<HHI", out, new_end + 8, count, count, cd_size + len(record))
    return bytes(out)
