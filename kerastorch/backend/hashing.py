"""TensorFlow's string hashes in Python and torch: FarmHash ``Fingerprint64``, SipHash-2-4 and ``FingerprintCat64``;
and the CRC-32C checksum of TensorFlow's files.

Keras 3 buckets strings with TensorFlow ops; kerastorch computes the same 64-bit hashes without TensorFlow:

- :func:`fingerprint64` is FarmHash's ``Fingerprint64`` (TensorFlow's ``tf.strings.to_hash_bucket_fast`` and
  ``tf.fingerprint``), used by ``Hashing``, ``HashedCrossing`` and the lookups' out-of-vocabulary buckets.
- :func:`siphash24` is SipHash-2-4 keyed with two 64-bit integers (``tf.strings.to_hash_bucket_strong``), what
  the layers use when given a ``salt``.
- :func:`fingerprint_cat64` combines two fingerprints (TensorFlow's ``FingerprintCat64``, the step of
  ``tf.sparse.cross_hashed``); on int64 torch tensors it runs element-wise on any device.

:func:`hash64` and :func:`hash_buckets` hash a batch of tokens (``str``, encoded as UTF-8, or ``bytes``), each
distinct token once. The hashes are unsigned 64-bit integers; torch has no such dtype, so tensors hold them as
int64 with the same bits, and :func:`unsigned_remainder` takes their remainder as unsigned numbers.

:func:`crc32c` is the CRC-32C (Castagnoli) checksum that TFRecord files (TensorBoard's event files) and
TensorFlow's checkpoints (tensor bundles) store; it lives here so that both writers, in ``callbacks`` and
``saving``, share it.

Example:
    >>> fingerprint64(b"A") % 3, hash_buckets(["A", "B", "C", "D", "E"], 3).tolist()
    (1, [1, 0, 1, 1, 2])
    >>> hash_buckets(["A", "B", "C", "D", "E"], 3, salt=(133, 137)).tolist()
    [1, 2, 1, 0, 2]
    >>> hex(crc32c(b"123456789"))
    '0xe3069283'
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import torch

_MASK64 = (1 << 64) - 1
_K0, _K1, _K2 = 0xC3A5C85C97CB3127, 0xB492B66FBE98F273, 0x9AE16A3B2F90404F


def _rot(value, shift):
    return ((value >> shift) | (value << (64 - shift))) & _MASK64 if shift else value


def _shift_mix(value):
    return value ^ (value >> 47)


def _u64(data, i):
    return int.from_bytes(data[i : i + 8], "little")


def _u32(data, i):
    return int.from_bytes(data[i : i + 4], "little")


def _hash16(u, v, mul):
    a = ((u ^ v) * mul) & _MASK64
    a ^= a >> 47
    b = ((v ^ a) * mul) & _MASK64
    b ^= b >> 47
    return (b * mul) & _MASK64


def _weak32(data, i, a, b):
    w, x, y, z = _u64(data, i), _u64(data, i + 8), _u64(data, i + 16), _u64(data, i + 24)
    a = (a + w) & _MASK64
    b = _rot((b + a + z) & _MASK64, 21)
    c = a
    a = (a + x + y) & _MASK64
    b = (b + _rot(a, 44)) & _MASK64
    return (a + z) & _MASK64, (b + c) & _MASK64


def _hash0to16(data, n):
    if n >= 8:
        mul = _K2 + n * 2
        a = (_u64(data, 0) + _K2) & _MASK64
        b = _u64(data, n - 8)
        c = (_rot(b, 37) * mul + a) & _MASK64
        d = ((_rot(a, 25) + b) * mul) & _MASK64
        return _hash16(c, d, mul)
    if n >= 4:
        mul = _K2 + n * 2
        return _hash16(n + (_u32(data, 0) << 3), _u32(data, n - 4), mul)
    if n > 0:
        y = (data[0] + (data[n >> 1] << 8)) & 0xFFFFFFFF
        z = (n + (data[n - 1] << 2)) & 0xFFFFFFFF
        return (_shift_mix(((y * _K2) ^ (z * _K0)) & _MASK64) * _K2) & _MASK64
    return _K2


def _hash17to32(data, n):
    mul = _K2 + n * 2
    a = (_u64(data, 0) * _K1) & _MASK64
    b = _u64(data, 8)
    c = (_u64(data, n - 8) * mul) & _MASK64
    d = (_u64(data, n - 16) * _K2) & _MASK64
    return _hash16(
        (_rot((a + b) & _MASK64, 43) + _rot(c, 30) + d) & _MASK64,
        (a + _rot((b + _K2) & _MASK64, 18) + c) & _MASK64,
        mul,
    )


def _hash33to64(data, n):
    mul = _K2 + n * 2
    a = (_u64(data, 0) * _K2) & _MASK64
    b = _u64(data, 8)
    c = (_u64(data, n - 8) * mul) & _MASK64
    d = (_u64(data, n - 16) * _K2) & _MASK64
    y = (_rot((a + b) & _MASK64, 43) + _rot(c, 30) + d) & _MASK64
    z = _hash16(y, (a + _rot((b + _K2) & _MASK64, 18) + c) & _MASK64, mul)
    e = (_u64(data, 16) * mul) & _MASK64
    f = _u64(data, 24)
    g = ((y + _u64(data, n - 32)) * mul) & _MASK64
    h = ((z + _u64(data, n - 24)) * mul) & _MASK64
    return _hash16(
        (_rot((e + f) & _MASK64, 43) + _rot(g, 30) + h) & _MASK64, (e + _rot((f + a) & _MASK64, 18) + g) & _MASK64, mul
    )


def fingerprint64(data: bytes) -> int:
    """FarmHash ``Fingerprint64`` of ``data``: the hash TensorFlow's ``to_hash_bucket_fast`` buckets with.

    Args:
        data: bytes. A string is hashed as its UTF-8 bytes (``text.encode("utf-8")``).

    Returns:
        int in ``[0, 2**64)``.

    Example:
        >>> fingerprint64(b"a")
        12917804110809363939
        >>> fingerprint64("é".encode("utf-8")) % 10
        5
    """
    n = len(data)
    if n <= 16:
        return _hash0to16(data, n)
    if n <= 32:
        return _hash17to32(data, n)
    if n <= 64:
        return _hash33to64(data, n)
    seed = 81
    x = seed
    y = (seed * _K1 + 113) & _MASK64
    z = (_shift_mix((y * _K2 + 113) & _MASK64) * _K2) & _MASK64
    v0 = v1 = w0 = w1 = 0
    x = (x * _K2 + _u64(data, 0)) & _MASK64
    end = ((n - 1) // 64) * 64
    last64 = end + ((n - 1) & 63) - 63
    i = 0
    while True:
        x = (_rot((x + y + v0 + _u64(data, i + 8)) & _MASK64, 37) * _K1) & _MASK64
        y = (_rot((y + v1 + _u64(data, i + 48)) & _MASK64, 42) * _K1) & _MASK64
        x ^= w1
        y = (y + v0 + _u64(data, i + 40)) & _MASK64
        z = (_rot((z + w0) & _MASK64, 33) * _K1) & _MASK64
        v0, v1 = _weak32(data, i, (v1 * _K1) & _MASK64, (x + w0) & _MASK64)
        w0, w1 = _weak32(data, i + 32, (z + w1) & _MASK64, (y + _u64(data, i + 16)) & _MASK64)
        z, x = x, z
        i += 64
        if i == end:
            break
    mul = _K1 + ((z & 0xFF) << 1)
    i = last64
    w0 = (w0 + ((n - 1) & 63)) & _MASK64
    v0 = (v0 + w0) & _MASK64
    w0 = (w0 + v0) & _MASK64
    x = (_rot((x + y + v0 + _u64(data, i + 8)) & _MASK64, 37) * mul) & _MASK64
    y = (_rot((y + v1 + _u64(data, i + 48)) & _MASK64, 42) * mul) & _MASK64
    x ^= (w1 * 9) & _MASK64
    y = (y + v0 * 9 + _u64(data, i + 40)) & _MASK64
    z = (_rot((z + w0) & _MASK64, 33) * mul) & _MASK64
    v0, v1 = _weak32(data, i, (v1 * mul) & _MASK64, (x + w0) & _MASK64)
    w0, w1 = _weak32(data, i + 32, (z + w1) & _MASK64, (y + _u64(data, i + 16)) & _MASK64)
    z, x = x, z
    return _hash16(
        (_hash16(v0, w0, mul) + _shift_mix(y) * _K0 + z) & _MASK64, (_hash16(v1, w1, mul) + x) & _MASK64, mul
    )


def siphash24(key: Sequence[int], data: bytes) -> int:
    """SipHash-2-4 of ``data`` keyed by ``key``: TensorFlow's ``to_hash_bucket_strong``, which Keras layers use
    when given a ``salt``.

    Args:
        key: pair of ints, the two 64-bit halves of the 128-bit key (negative ints count as their two's
            complement, as in TensorFlow).
        data: bytes.

    Returns:
        int in ``[0, 2**64)``.

    Example:
        >>> hex(siphash24((0x0706050403020100, 0x0F0E0D0C0B0A0908), b""))   # the reference test vector
        '0x726fdb47dd0e0e31'
    """
    k0, k1 = key[0] & _MASK64, key[1] & _MASK64
    v = [k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D, k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573]

    def rounds(count):
        v0, v1, v2, v3 = v
        for _ in range(count):
            v0 = (v0 + v1) & _MASK64
            v1 = _rot(v1, 51) ^ v0  # rotate left 13 == rotate right 51
            v0 = _rot(v0, 32)
            v2 = (v2 + v3) & _MASK64
            v3 = _rot(v3, 48) ^ v2
            v0 = (v0 + v3) & _MASK64
            v3 = _rot(v3, 43) ^ v0
            v2 = (v2 + v1) & _MASK64
            v1 = _rot(v1, 47) ^ v2
            v2 = _rot(v2, 32)
        v[:] = [v0, v1, v2, v3]

    n = len(data)
    tail = data[n - n % 8 :] + bytes(8 - n % 8)
    last = int.from_bytes(tail[:7], "little") | ((n & 0xFF) << 56)
    for i in range(0, n - n % 8, 8):
        m = _u64(data, i)
        v[3] ^= m
        rounds(2)
        v[0] ^= m
    v[3] ^= last
    rounds(2)
    v[0] ^= last
    v[2] ^= 0xFF
    rounds(4)
    return v[0] ^ v[1] ^ v[2] ^ v[3]


def hash64(tokens: Iterable[str | bytes], salt: Sequence[int] | None = None) -> np.ndarray:
    """The 64-bit hashes of a batch of tokens: ``fingerprint64``, or ``siphash24`` keyed with ``salt``.

    Each distinct token is hashed once (the hashes are computed in Python).

    Args:
        tokens: iterable of ``str`` (hashed as UTF-8 bytes) or ``bytes``.
        salt: pair of ints or None, default None. The SipHash key; None uses ``fingerprint64``.

    Returns:
        1D NumPy array of dtype uint64, one hash per token.

    Example:
        >>> hash64(["a", b"a"]).tolist() == [fingerprint64(b"a")] * 2
        True
    """
    tokens = list(tokens)
    if salt is not None:
        key = (int(salt[0]), int(salt[1]))
    cache: dict[str | bytes, int] = {}
    out = np.empty(len(tokens), dtype=np.uint64)
    for i, token in enumerate(tokens):
        value = cache.get(token)
        if value is None:
            data = token.encode("utf-8") if isinstance(token, str) else bytes(token)
            value = cache[token] = fingerprint64(data) if salt is None else siphash24(key, data)
        out[i] = value
    return out


def hash_buckets(tokens: Iterable[str | bytes], num_bins: int, salt: Sequence[int] | None = None) -> np.ndarray:
    """The bucket ``hash(token) % num_bins`` of each token of a batch (see :func:`hash64`).

    Args:
        tokens: iterable of ``str`` (hashed as UTF-8 bytes) or ``bytes``.
        num_bins: int >= 1, the number of buckets.
        salt: pair of ints or None, default None. Hash with SipHash-2-4 keyed with it instead of FarmHash.

    Returns:
        1D NumPy array of dtype int64, values in ``[0, num_bins)``.

    Example:
        >>> hash_buckets(["omar", "stringer", "marlo"], 2).tolist()
        [0, 0, 1]
    """
    return (hash64(tokens, salt) % np.uint64(num_bins)).astype(np.int64)


_KMUL = 0xC6A4A7935BD1E995


def _signed(value):
    """An unsigned 64-bit int as the int64 with the same bits."""
    return value - (1 << 64) if value >= 1 << 63 else value


def fingerprint_cat64(fp1: int | torch.Tensor, fp2: int | torch.Tensor) -> int | torch.Tensor:
    """TensorFlow's ``FingerprintCat64``: one fingerprint of the pair of fingerprints ``(fp1, fp2)``.

    ``tf.sparse.cross_hashed`` (Keras's ``HashedCrossing``) folds it over the features of a cross, starting from
    its hash key. On Python ints it returns an int in ``[0, 2**64)``; on int64 torch tensors (which hold unsigned
    values as their two's complement bits) it runs element-wise and returns an int64 tensor.

    Args:
        fp1: int in ``[0, 2**64)`` or an int64 tensor.
        fp2: int in ``[0, 2**64)`` or an int64 tensor (broadcastable with ``fp1``).

    Returns:
        int, or an int64 tensor of the broadcast shape.

    Example:
        >>> fingerprint_cat64(0xDECAFCAFFE, fingerprint64(b"A"))
        1277662319648410474
        >>> fingerprint_cat64(torch.tensor([0xDECAFCAFFE]), torch.tensor([fingerprint64(b"A") - 2**64]))
        tensor([1277662319648410474])
    """
    if not isinstance(fp1, torch.Tensor) and not isinstance(fp2, torch.Tensor):
        result = fp1 ^ _KMUL
        result ^= (_shift_mix((fp2 * _KMUL) & _MASK64) * _KMUL) & _MASK64
        result = (result * _KMUL) & _MASK64
        result = (_shift_mix(result) * _KMUL) & _MASK64
        return _shift_mix(result)
    kmul = _signed(_KMUL)

    def shift_mix(value):  # a logical shift on int64 bits: torch's >> is arithmetic
        return value ^ ((value >> 47) & ((1 << 17) - 1))

    fp1 = torch.as_tensor(fp1, dtype=torch.int64)
    fp2 = torch.as_tensor(fp2, dtype=torch.int64, device=fp1.device)
    result = fp1 ^ kmul
    result = result ^ (shift_mix(fp2 * kmul) * kmul)  # int64 products wrap around: arithmetic mod 2**64
    result = result * kmul
    result = shift_mix(result) * kmul
    return shift_mix(result)


def unsigned_remainder(values: torch.Tensor, divisor: int) -> torch.Tensor:
    """``values % divisor`` for an int64 tensor holding unsigned 64-bit integers (their two's complement bits).

    Args:
        values: int64 tensor.
        divisor: int >= 1.

    Returns:
        int64 tensor of the shape of ``values``, in ``[0, divisor)``.

    Example:
        >>> unsigned_remainder(torch.tensor([-1, 7]), 10)      # -1 holds 2**64 - 1
        tensor([5, 7])
    """
    remainder = values.remainder(divisor)  # of the signed value: (value + 2**64) % divisor differs for negatives
    return torch.where(values < 0, (remainder + (1 << 64) % divisor) % divisor, remainder)


def _crc32c_table():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC32C_TABLE = _crc32c_table()


def crc32c(data: Iterable[int]) -> int:
    """The CRC-32C (Castagnoli) checksum of ``data`` (bytes), as TFRecord files use it.

    Computed byte by byte in Python; ``kerastorch.saving.tensor_bundle.crc32c`` checks large buffers faster.

    Args:
        data: bytes-like (any iterable of ints in ``[0, 256)``), what to check.

    Returns:
        int, the unsigned 32-bit checksum.

    Example:
        >>> hex(crc32c(b"123456789"))
        '0xe3069283'
        >>> crc32c(b"")
        0
    """
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _CRC32C_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def mask_crc(crc: int) -> int:
    """TensorFlow's masked form of a CRC-32C (rotated and offset, so a CRC of data holding CRCs stays strong).

    Args:
        crc: int, an unsigned 32-bit CRC-32C (:func:`crc32c`).

    Returns:
        int: the masked checksum that TFRecord files and tensor bundles store.

    >>> hex(mask_crc(crc32c(b"")))
    '0xa282ead8'
    """
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF
