"""Evidence files before they are encrypted: the type from the file's own bytes, and the metadata that
could identify the reporter stripped (docs/protocol.md §15 "What the sender strips").

Images (JPEG, PNG, WebP; HEIC when pillow-heif is installed, sent as JPEG) are decoded and re-encoded
with Pillow, upright (the EXIF orientation applied), with no EXIF (GPS, camera serial, owner, dates),
XMP, IPTC, ICC profile, comments or PNG text chunks. PDFs are rewritten page by page with pypdf: the
document information (author, creator, producer, title, dates), the XMP metadata of the document and
of its pages, page piece info, and everything else on the document catalog (JavaScript, embedded
files, forms' document-level parts) are left behind. Not stripped: what the pages show (text, images
and the metadata *inside* images embedded in a PDF).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from opgelucht_desk.protocol.attachment import sniff_media_type

#: The reference client's default limit (the relay's ``max_file_bytes`` may be lower: it answers 413).
DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024
#: Images with more pixels than this are refused (decompression bombs; a 100-megapixel photo is fine).
MAX_PIXELS = 100_000_000
_PAGE_KEYS_DROPPED = ("/Metadata", "/PieceInfo", "/LastModified")


class FileRefused(ValueError):
    """The file cannot be sent: ``str()`` says why (never its name or content)."""


@dataclass(frozen=True)
class PreparedFile:
    data: bytes
    media_type: str
    stripped: tuple[str, ...]  # what was found and removed, in words ("EXIF (incl. GPS position)")

    def __repr__(self) -> str:  # never show content
        return f"PreparedFile(media_type={self.media_type}, size={len(self.data)})"


def prepare_file(raw: bytes, *, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> PreparedFile:
    """Check the type, strip metadata, check the size of the result."""
    if len(raw) > max_bytes * 4:
        raise FileRefused(f"the file is larger than {max_bytes} bytes")
    media_type = sniff_media_type(raw)
    if media_type is None:
        raise FileRefused("only JPEG, PNG, WebP, HEIC images and PDF files can be sent")
    prepared = _strip_pdf(raw) if media_type == "application/pdf" else _strip_image(raw, media_type)
    if len(prepared.data) > max_bytes:
        raise FileRefused(f"the file is larger than {max_bytes} bytes")
    return prepared


def _strip_image(raw: bytes, media_type: str) -> PreparedFile:
    from PIL import Image, ImageOps, UnidentifiedImageError

    if media_type == "image/heic":
        try:
            import pillow_heif  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            raise FileRefused("HEIC images need pillow-heif; convert the photo to JPEG first") from None
        pillow_heif.register_heif_opener()
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(raw)) as image:
            found = _image_metadata(image)
            if image.width * image.height > MAX_PIXELS:
                raise FileRefused("the image has too many pixels")
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        if isinstance(exc, FileRefused):
            raise
        raise FileRefused("the image cannot be read") from None
    clean = upright.copy()
    clean.info = {}
    out = io.BytesIO()
    if media_type in ("image/jpeg", "image/heic"):
        if clean.mode not in ("RGB", "L"):
            clean = clean.convert("RGB")
        clean.save(out, "JPEG", quality=92, optimize=True)
        sent_type = "image/jpeg"
    elif media_type == "image/png":
        clean.save(out, "PNG", optimize=True)
        sent_type = "image/png"
    else:
        clean.save(out, "WEBP", quality=90, exif=b"", icc_profile=None, xmp=b"")
        sent_type = "image/webp"
    if media_type == "image/heic":
        found.append("HEIC container (sent as JPEG)")
    return PreparedFile(out.getvalue(), sent_type, tuple(found))


def _image_metadata(image: Any) -> list[str]:
    found: list[str] = []
    exif = image.getexif()
    if len(exif) or image.info.get("exif"):
        gps = exif.get_ifd(0x8825) if len(exif) else {}
        found.append("EXIF (incl. GPS position)" if gps else "EXIF (camera, dates, serial numbers)")
    if image.info.get("xmp") or image.info.get("XML:com.adobe.xmp"):
        found.append("XMP")
    if image.info.get("icc_profile"):
        found.append("ICC colour profile")
    if image.info.get("comment"):
        found.append("comment")
    if "photoshop" in image.info or "iptc" in image.info:
        found.append("IPTC/Photoshop")
    text_keys = [k for k in getattr(image, "text", {}) or {} if k != "XML:com.adobe.xmp"]
    if text_keys:
        found.append("PNG text chunks")
    return found


def _strip_pdf(raw: bytes) -> PreparedFile:
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError
    from pypdf.generic import NameObject

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            raise FileRefused("encrypted PDF files cannot be sent")
        found: list[str] = []
        info = reader.metadata
        if info:
            found.append("document information (author, creator, producer, dates)")
        if "/Metadata" in reader.root_object:
            found.append("XMP")
        writer = PdfWriter()
        page_metadata = False
        for page in reader.pages:
            added = writer.add_page(page)
            for key in _PAGE_KEYS_DROPPED:
                if key in added:
                    del added[NameObject(key)]
                    page_metadata = True
        if page_metadata:
            found.append("page metadata")
        writer.metadata = None
        out = io.BytesIO()
        writer.write(out)
    except FileRefused:
        raise
    except (PdfReadError, OSError, ValueError, KeyError, TypeError, RecursionError):
        raise FileRefused("the PDF cannot be read") from None
    return PreparedFile(out.getvalue(), "application/pdf", tuple(found))
