"""Encrypted file blobs (docs/protocol.md §15): a fresh key per file, libsodium secretstream in fixed
chunks, padded to size buckets inside the stream, so the relay stores only an opaque padded blob.

    blob   = "OPB1" | version u8 (1) | secretstream header 24 | k × chunk
    chunk  = crypto_secretstream_xchacha20poly1305_push(64 KiB of the stream, ad = "OPB1" | version)
             (tag MESSAGE for chunks 1 … k−1, tag FINAL for chunk k; each chunk is 65,536 + 17 bytes)
    stream = u64 BE file size | file | zero bytes up to padded_stream_length(8 + file size)

:func:`open_blob` returns the file only after every chunk verified, the FINAL tag came last, the padding
is zeros and the SHA-256 of the file matches the reference; every failure is one :class:`BlobError`
with a precise ``.reason`` and no partial plaintext.
"""

from __future__ import annotations

import hashlib

import nacl.bindings as sodium
import nacl.exceptions

from .errors import ProtocolError
from .rng import Rng, resolve

BLOB_MAGIC = b"OPB1"
BLOB_VERSION = 1
BLOB_PREFIX = BLOB_MAGIC + bytes([BLOB_VERSION])
BLOB_KEY_BYTES = 32
STREAM_HEADER_BYTES = 24  # crypto_secretstream_xchacha20poly1305_HEADERBYTES
CHUNK_BYTES = 64 * 1024  # plaintext bytes per chunk
CHUNK_OVERHEAD = 17  # crypto_secretstream_xchacha20poly1305_ABYTES
SEALED_CHUNK_BYTES = CHUNK_BYTES + CHUNK_OVERHEAD
BLOB_HEAD_BYTES = len(BLOB_PREFIX) + STREAM_HEADER_BYTES
SIZE_PREFIX_BYTES = 8
#: The protocol's largest file (the relay may accept less: its ``max_file_bytes``).
MAX_FILE_BYTES = 64 * 1024 * 1024

_TAG_MESSAGE = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
_TAG_FINAL = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL


class BlobError(ProtocolError):
    """A blob that does not open. ``str()`` is always ``blob rejected``; ``.reason`` is one of:
    ``bad_magic``, ``unknown_version``, ``bad_length``, ``decrypt_failed`` (a tampered, swapped or
    reordered chunk, or the wrong key), ``truncated`` (no FINAL chunk at the end), ``final_not_last``,
    ``bad_padding``, ``size_mismatch``, ``hash_mismatch``."""

    def __init__(self, reason: str) -> None:
        super().__init__("blob rejected")
        self.reason = reason


def padme(length: int) -> int:
    """Padmé (Nikitin et al., PURBs, 2019): round up so that at most O(log log L) bits of the length
    remain; the overhead is below 12 %."""
    if length < 2:
        return length
    exponent = length.bit_length() - 1  # floor(log2 L)
    size_bits = exponent.bit_length()  # floor(log2 E) + 1
    mask = (1 << (exponent - size_bits)) - 1
    return (length + mask) & ~mask


def padded_stream_length(stream_length: int) -> int:
    """The stream's padded length: padmé of the length, at least one chunk, rounded up to whole chunks."""
    if stream_length < 0:
        raise ValueError("negative length")
    padded = padme(max(stream_length, CHUNK_BYTES))
    return -(-padded // CHUNK_BYTES) * CHUNK_BYTES


def blob_length(file_size: int) -> int:
    """Length in bytes of the blob that carries a file of ``file_size`` bytes (what the relay sees)."""
    chunks = padded_stream_length(SIZE_PREFIX_BYTES + file_size) // CHUNK_BYTES
    return BLOB_HEAD_BYTES + chunks * SEALED_CHUNK_BYTES


def is_blob_length(length: int) -> bool:
    """True when ``length`` is the length of some blob (a structural check the relay can make)."""
    body = length - BLOB_HEAD_BYTES
    if body <= 0 or body % SEALED_CHUNK_BYTES:
        return False
    stream = body // SEALED_CHUNK_BYTES * CHUNK_BYTES
    return padded_stream_length(stream) == stream


def new_file_key(rng: Rng | None = None) -> bytes:
    """A fresh 32-byte key for one file."""
    return resolve(rng)(BLOB_KEY_BYTES)


def seal_blob(data: bytes, key: bytes, rng: Rng | None = None) -> bytes:
    """Encrypt one file with its own key. The 24-byte secretstream header comes from ``rng``:
    ``init_push`` would draw it itself and derive the state from it exactly as ``init_pull`` does, so
    setting the state up with ``init_pull`` over a drawn header is the same stream, and the test vectors
    can reproduce it byte for byte (tested against ``init_push``)."""
    if len(key) != BLOB_KEY_BYTES:
        raise ValueError("a file key is 32 bytes")
    if len(data) > MAX_FILE_BYTES:
        raise ValueError("file too large")
    stream_length = padded_stream_length(SIZE_PREFIX_BYTES + len(data))
    stream = len(data).to_bytes(8, "big") + data
    stream += bytes(stream_length - len(stream))
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    header = resolve(rng)(STREAM_HEADER_BYTES)
    sodium.crypto_secretstream_xchacha20poly1305_init_pull(state, header, key)
    parts = [BLOB_PREFIX, header]
    count = stream_length // CHUNK_BYTES
    view = memoryview(stream)
    for index in range(count):
        chunk = bytes(view[index * CHUNK_BYTES : (index + 1) * CHUNK_BYTES])
        tag = _TAG_FINAL if index == count - 1 else _TAG_MESSAGE
        parts.append(sodium.crypto_secretstream_xchacha20poly1305_push(state, chunk, BLOB_PREFIX, tag))
    return b"".join(parts)


def open_blob(blob: bytes, key: bytes, *, sha256: bytes, size: int) -> bytes:
    """Decrypt and verify a blob against its reference (key, SHA-256 of the file, file size)."""
    if len(blob) < BLOB_HEAD_BYTES or blob[:4] != BLOB_MAGIC:
        raise BlobError("bad_magic")
    if blob[4] != BLOB_VERSION:
        raise BlobError("unknown_version")
    body = len(blob) - BLOB_HEAD_BYTES
    if body <= 0:
        raise BlobError("truncated")
    if len(key) != BLOB_KEY_BYTES or len(sha256) != 32 or not 0 <= size <= MAX_FILE_BYTES:
        raise BlobError("bad_reference")
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    try:
        sodium.crypto_secretstream_xchacha20poly1305_init_pull(
            state, blob[len(BLOB_PREFIX) : BLOB_HEAD_BYTES], key
        )
    except (nacl.exceptions.CryptoError, ValueError):
        raise BlobError("decrypt_failed") from None
    # A partial last chunk (a cut blob) still fails its authentication: decrypt_failed. A blob cut at a
    # chunk boundary authenticates chunk by chunk but never reaches FINAL: truncated.
    count = -(-body // SEALED_CHUNK_BYTES)
    view = memoryview(blob)
    out = bytearray()
    for index in range(count):
        start = BLOB_HEAD_BYTES + index * SEALED_CHUNK_BYTES
        sealed = bytes(view[start : start + SEALED_CHUNK_BYTES])
        try:
            chunk, tag = sodium.crypto_secretstream_xchacha20poly1305_pull(state, sealed, BLOB_PREFIX)
        except (nacl.exceptions.CryptoError, ValueError):
            raise BlobError("decrypt_failed") from None
        if tag == _TAG_FINAL and index != count - 1:
            raise BlobError("final_not_last")
        if tag != _TAG_FINAL and index == count - 1:
            raise BlobError("truncated")
        if len(chunk) != CHUNK_BYTES:
            raise BlobError("bad_length")
        out += chunk
    if padded_stream_length(len(out)) != len(out):
        raise BlobError("bad_padding")
    declared = int.from_bytes(out[:SIZE_PREFIX_BYTES], "big")
    end = SIZE_PREFIX_BYTES + declared
    if declared != size or end > len(out) or padded_stream_length(end) != len(out):
        raise BlobError("size_mismatch")
    if any(out[end:]):
        raise BlobError("bad_padding")
    data = bytes(out[SIZE_PREFIX_BYTES:end])
    if hashlib.sha256(data).digest() != sha256:
        raise BlobError("hash_mismatch")
    return data
