"""The FILE payload (message type 5, chat channel): the reference to one encrypted file blob.

Canonical JSON, exactly these keys (docs/protocol.md §15)::

    {"blob_id":"<uuid>","key":"<b64 32>","media_type":"image/jpeg","sha256":"<b64 32>","size":1234,"v":1}

No file name: names identify people ("IMG_20261201_Merel.jpg"). The blob itself is sealed by
``protocol/blob.py``; this reference travels inside an ordinary envelope, so the relay sees only the
blob id (which it needs to serve the blob) and the envelope's usual metadata.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from . import canonical_json
from .blob import BLOB_KEY_BYTES, MAX_FILE_BYTES
from .encoding import b64d, b64e
from .errors import ProtocolError

#: Media types a reporter may send, with the leading bytes every such file starts with.
MEDIA_TYPES: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),  # and "WEBP" at offset 8 (sniff_media_type)
    "image/heic": (),  # ISO BMFF: "ftyp" at offset 4 with a HEIF brand (sniff_media_type)
    "application/pdf": (b"%PDF-",),
}
_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"hevc", b"hevx")
_KEYS = frozenset({"blob_id", "key", "media_type", "sha256", "size", "v"})


def sniff_media_type(data: bytes) -> str | None:
    """The media type the file's own leading bytes say, or None."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "image/heic"
    if data[:5] == b"%PDF-":
        return "application/pdf"
    return None


@dataclass(frozen=True)
class FileRef:
    """What a FILE message says about its blob."""

    blob_id: uuid.UUID
    key: bytes
    sha256: bytes
    size: int
    media_type: str

    def __repr__(self) -> str:  # never show the key
        return f"FileRef(blob_id={self.blob_id}, size={self.size}, media_type={self.media_type})"

    def to_payload(self) -> bytes:
        return canonical_json.dumps(
            {
                "blob_id": str(self.blob_id),
                "key": b64e(self.key),
                "media_type": self.media_type,
                "sha256": b64e(self.sha256),
                "size": self.size,
                "v": 1,
            }
        )

    @classmethod
    def from_payload(cls, payload: bytes) -> FileRef:
        """Strict: canonical JSON, exactly the keys above, a known media type, sizes in range."""
        value = canonical_json.loads(payload)
        if not isinstance(value, dict) or set(value) != _KEYS:
            raise ProtocolError("FILE: bad keys")
        version, size, media_type = value["v"], value["size"], value["media_type"]
        if type(version) is not int or version != 1:
            raise ProtocolError("FILE: unknown version")
        if type(size) is not int or not 0 < size <= MAX_FILE_BYTES:
            raise ProtocolError("FILE: bad size")
        if not isinstance(media_type, str) or media_type not in MEDIA_TYPES:
            raise ProtocolError("FILE: unknown media type")
        blob_id = value["blob_id"]
        if not isinstance(blob_id, str) or not isinstance(value["key"], str):
            raise ProtocolError("FILE: bad field")
        if not isinstance(value["sha256"], str):
            raise ProtocolError("FILE: bad field")
        try:
            parsed_id = uuid.UUID(blob_id)
        except ValueError:
            raise ProtocolError("FILE: bad blob id") from None
        if str(parsed_id) != blob_id:
            raise ProtocolError("FILE: bad blob id")
        key, digest = b64d(value["key"]), b64d(value["sha256"])
        if len(key) != BLOB_KEY_BYTES or len(digest) != 32:
            raise ProtocolError("FILE: bad key or hash")
        ref = cls(blob_id=parsed_id, key=key, sha256=digest, size=size, media_type=media_type)
        if ref.to_payload() != payload:
            raise ProtocolError("FILE: not canonical")
        return ref
