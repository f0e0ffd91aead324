"""The protocol buffer wire format, read and written by hand for the few TensorFlow messages kerastorch uses.

TensorFlow's checkpoints (the tensor bundle's ``BundleHeaderProto`` / ``BundleEntryProto``, the
``TrackableObjectGraph``) and tf.keras's ``keras_metadata.pb`` are protocol buffers. Reading them needs only the
wire format: a message is a sequence of fields, each a key (``field_number << 3 | wire_type``, a varint) and a
value: a varint (wire type 0), 8 bytes (1), a length-delimited byte string (2: strings, bytes, nested messages,
packed repeated numbers) or 4 bytes (5). :func:`parse` checks every length and offset against the data and
refuses what is malformed (a varint longer than 10 bytes, a length past the end, the deprecated group wire types,
field number 0) with a ``ValueError`` that names the message; it never allocates more than the data it is given.

The encoders (:func:`varint_field`, :func:`bytes_field`, :func:`fixed32_field`) write the same fields, so the
round trip is exact.

Example:
    >>> data = varint_field(1, 7) + bytes_field(2, b"kernel") + bytes_field(3, varint_field(1, 4))
    >>> message = parse(data, "an example")
    >>> message.int(1), message.string(2), message.message(3).int(1)
    (7, 'kernel', 4)
    >>> parse(data[:-1], "a truncated example")
    Traceback (most recent call last):
    ...
    ValueError: a truncated example is not a valid protocol buffer: field 3 claims 2 bytes at offset 12, past the end (13 bytes)
"""

from __future__ import annotations

import builtins
import struct
from typing import Any

__all__ = [
    "Message",
    "parse",
    "read_varint",
    "encode_varint",
    "varint_field",
    "bytes_field",
    "fixed32_field",
    "MAX_MESSAGE_BYTES",
]

MAX_MESSAGE_BYTES = 256 * 1024**2  # what one parsed message may be (a checkpoint's object graph is far smaller)
_VARINT, _FIXED64, _LENGTH, _FIXED32 = 0, 1, 2, 5


def read_varint(data: bytes | bytearray | memoryview, offset: int, what: str) -> tuple[int, int]:
    """Decode the varint at ``offset`` of ``data``; return ``(value, next offset)``.

    Args:
        data: bytes-like: the buffer.
        offset: int: where the varint starts.
        what: str: what ``data`` is (named in errors).

    Returns:
        tuple: the unsigned value and the offset after it.

    Raises:
        ValueError: the varint runs past the end of ``data`` or is longer than 10 bytes.

    >>> read_varint(b"\\xac\\x02", 0, "demo")
    (300, 2)
    """
    value, shift, position = 0, 0, offset
    end = len(data)
    while True:
        if position >= end:
            raise ValueError(
                f"{what} is not a valid protocol buffer: a number at offset {offset} runs past the end ({end} bytes)"
            )
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value & 0xFFFFFFFFFFFFFFFF, position
        shift += 7
        if shift >= 70:
            raise ValueError(
                f"{what} is not a valid protocol buffer: the number at offset {offset} is longer than 10 bytes"
            )


def encode_varint(value: int) -> bytes:
    """The varint bytes of an integer (a negative one takes ten bytes, as protobuf writes int64).

    Args:
        value: int: the integer.

    Returns:
        bytes.

    >>> encode_varint(300)
    b'\\xac\\x02'
    """
    value = int(value) & 0xFFFFFFFFFFFFFFFF
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _key(field, wire_type):
    return encode_varint((field << 3) | wire_type)


def varint_field(field: int, value: int | bool) -> bytes:
    """A varint field (int32, int64, uint, bool, enum).

    Args:
        field: int: the field number.
        value: int or bool: the value.

    Returns:
        bytes: the encoded field.

    >>> varint_field(1, 150).hex()
    '089601'
    """
    return _key(field, _VARINT) + encode_varint(value)


def bytes_field(field: int, data: str | bytes) -> bytes:
    """A length-delimited field: a string (str is UTF-8 encoded), bytes, or an encoded nested message.

    Args:
        field: int: the field number.
        data: str or bytes: the value.

    Returns:
        bytes: the encoded field.

    >>> bytes_field(2, "ab").hex()
    '12026162'
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    return _key(field, _LENGTH) + encode_varint(len(data)) + bytes(data)


def fixed32_field(field: int, value: int) -> bytes:
    """A 4-byte little-endian field (fixed32, float as its bits).

    Args:
        field: int: the field number.
        value: int: the 32-bit value.

    Returns:
        bytes: the encoded field.

    >>> fixed32_field(6, 1).hex()
    '3501000000'
    """
    return _key(field, _FIXED32) + struct.pack("<I", int(value) & 0xFFFFFFFF)


class Message:
    """A parsed message: its fields by number, each a list of values in file order (ints for numeric wire types,
    ``bytes`` for length-delimited ones). The accessors check the wire type a field should have.

    Args:
        fields: dict of int to list of ``(wire_type, value)``: what :func:`parse` found.
        what: str: what the message is (named in errors).
    """

    # a field's value is an int or a memoryview, as its wire type (checked by each accessor) says
    def __init__(self, fields: dict[builtins.int, list[tuple[builtins.int, Any]]], what: str) -> None:
        self.fields = fields
        self.what = what

    def _values(self, number, wire_types, kind):
        values = self.fields.get(number, [])
        for wire_type, _ in values:
            if wire_type not in wire_types:
                raise ValueError(
                    f"{self.what} is not a valid protocol buffer: field {number} should be {kind}, "
                    f"found wire type {wire_type}"
                )
        return [value for _, value in values]

    def has(self, number: builtins.int) -> bool:
        """Whether field ``number`` is present."""
        return number in self.fields

    def ints(self, number: builtins.int) -> list[builtins.int]:
        """Every value of an integer field (packed or not), as unsigned 64-bit integers."""
        out = []
        for wire_type, value in self.fields.get(number, []):
            if wire_type == _LENGTH:  # a packed repeated field
                position = 0
                while position < len(value):
                    number_value, position = read_varint(value, position, self.what)
                    out.append(number_value)
            elif wire_type in (_VARINT, _FIXED32, _FIXED64):
                out.append(value)
            else:
                raise ValueError(f"{self.what} is not a valid protocol buffer: field {number} should be a number")
        return out

    def int(self, number: builtins.int, default: builtins.int = 0, signed: bool = False) -> builtins.int:
        """The last value of an integer field (``default`` when absent); ``signed`` reads it as int64."""
        values = self.ints(number)
        if not values:
            return default
        value = values[-1]
        return value - (1 << 64) if signed and value >= 1 << 63 else value

    def all_bytes(self, number: builtins.int) -> list[bytes]:
        """Every value of a length-delimited field."""
        return [bytes(value) for value in self._values(number, (_LENGTH,), "length-delimited")]

    def string(self, number: builtins.int, default: str = "") -> str:
        """The last value of a string field, decoded as UTF-8."""
        values = self.all_bytes(number)
        if not values:
            return default
        try:
            return values[-1].decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"{self.what} is not a valid protocol buffer: field {number} is not UTF-8 text") from None

    def strings(self, number: builtins.int) -> list[str]:
        """Every value of a repeated string field, decoded as UTF-8."""
        try:
            return [value.decode("utf-8") for value in self.all_bytes(number)]
        except UnicodeDecodeError:
            raise ValueError(f"{self.what} is not a valid protocol buffer: field {number} is not UTF-8 text") from None

    def message(self, number: builtins.int) -> Message:
        """The nested message of a singular field (an empty one when absent)."""
        values = self.all_bytes(number)
        return parse(values[-1] if values else b"", self.what)

    def messages(self, number: builtins.int) -> list[Message]:
        """The nested messages of a repeated field."""
        return [parse(value, self.what) for value in self.all_bytes(number)]


def parse(data: bytes | bytearray | memoryview, what: str, max_bytes: int = MAX_MESSAGE_BYTES) -> Message:
    """Parse one message of the wire format, checking every length and offset.

    Args:
        data: bytes-like: the encoded message.
        what: str: what the message is (named in errors).
        max_bytes: int, default ``MAX_MESSAGE_BYTES``: the largest message accepted.

    Returns:
        Message: the fields found.

    Raises:
        ValueError: malformed data, or a message over ``max_bytes``.
    """
    data = memoryview(bytes(data)) if not isinstance(data, (bytes, memoryview)) else memoryview(data)
    end = len(data)
    if end > max_bytes:
        raise ValueError(f"{what} is {end} bytes; the limit for one message is {max_bytes}")
    fields: dict[int, list[tuple[int, Any]]] = {}
    value: int | memoryview
    position = 0
    while position < end:
        start = position
        key, position = read_varint(data, position, what)
        number, wire_type = key >> 3, key & 7
        if number == 0 or number >= 1 << 29:
            raise ValueError(f"{what} is not a valid protocol buffer: field number {number} at offset {start}")
        if wire_type == _VARINT:
            value, position = read_varint(data, position, what)
        elif wire_type in (_FIXED64, _FIXED32):
            size = 8 if wire_type == _FIXED64 else 4
            if position + size > end:
                raise ValueError(
                    f"{what} is not a valid protocol buffer: field {number} at offset {start} runs past "
                    f"the end ({end} bytes)"
                )
            value = int.from_bytes(data[position : position + size], "little")
            position += size
        elif wire_type == _LENGTH:
            size, position = read_varint(data, position, what)
            if size > end - position:
                raise ValueError(
                    f"{what} is not a valid protocol buffer: field {number} claims {size} bytes at "
                    f"offset {position}, past the end ({end} bytes)"
                )
            value = data[position : position + size]
            position += size
        else:
            raise ValueError(
                f"{what} is not a valid protocol buffer: field {number} at offset {start} has wire type "
                f"{wire_type} (groups and unknown types are not read)"
            )
        fields.setdefault(number, []).append((wire_type, value))
    return Message(fields, what)
