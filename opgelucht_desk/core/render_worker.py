"""The render worker: decodes one untrusted file in a process of its own and answers with re-encoded,
metadata-free copies (``python -m opgelucht_desk.core.render_worker``; core/safe_render.py runs it).

Before it touches the input it limits itself: address space (``RLIMIT_AS``), CPU seconds
(``RLIMIT_CPU``) and file size 0 (``RLIMIT_FSIZE``: it cannot write a file, so no decrypted byte lands
in a temporary file). It reads one request from stdin (a JSON line, then the file's bytes up to EOF)
and writes one answer to stdout: ``u32 BE length | JSON header | the parts' bytes`` in header order.

Images (JPEG, PNG, WebP, HEIC with pillow-heif) are opened with Pillow only when their leading bytes
and Pillow's detected format both match the declared type, refused above ``max_pixels`` before any
pixel is decoded, made upright, and re-encoded from the pixels alone (JPEG stays JPEG, anything else
becomes PNG). PDFs are rendered page by page with pypdfium2 (PDFium) to PNG, at most ``max_pages``
pages and ``max_pixels`` per page; their saved copy is a new PDF made of those page images. Every
answer carries a small PNG thumbnail. Imports only the standard library, Pillow and pypdfium2.
"""

from __future__ import annotations

import io
import json
import struct
import sys
import time
from typing import Any, BinaryIO

FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/heic": "HEIF"}
PREVIEW_EDGE = 2048  # the shown copy of an image: at most this many pixels on its longer side


class Refused(Exception):
    """The input is refused: ``reason`` is a fixed word (never content)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def limit_resources(memory_bytes: int, cpu_seconds: int) -> None:
    """POSIX only (Windows has no rlimits: the parent's time limit still kills the worker)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return
    for name, value in (
        ("RLIMIT_AS", memory_bytes),
        ("RLIMIT_CPU", cpu_seconds),
        ("RLIMIT_FSIZE", 0),
        ("RLIMIT_CORE", 0),
    ):
        limit = getattr(resource, name, None)
        if limit is not None and value > 0:
            resource.setrlimit(limit, (value, value))


def sniff(data: bytes) -> str | None:
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1"):
        return "image/heic"
    if data[:5] == b"%PDF-":
        return "application/pdf"
    return None


def _png(image: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=3)
    return out.getvalue()


def _thumbnail(image: Any, edge: int) -> bytes:
    thumb = image.copy()
    thumb.thumbnail((edge, edge))
    return _png(_pixels_only(thumb))


def _pixels_only(image: Any) -> Any:
    """The pixels in a plain mode, and nothing else (no EXIF, XMP, ICC, text chunks, comments)."""
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if "A" in image.getbands() or image.mode == "P" else "RGB")
    clean = image.copy()
    clean.info = {}
    return clean


def render_image(data: bytes, media_type: str, request: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
    from PIL import Image, ImageOps

    if media_type == "image/heic":
        try:
            import pillow_heif  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            raise Refused("unsupported") from None
        pillow_heif.register_heif_opener()
    max_pixels = int(request["max_pixels"])
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with Image.open(io.BytesIO(data), formats=[FORMATS[media_type]]) as image:
            if image.format != FORMATS[media_type]:
                raise Refused("type_mismatch")
            if image.width * image.height > max_pixels or getattr(image, "n_frames", 1) > 1000:
                raise Refused("too_many_pixels")
            image.load()
            upright = _pixels_only(ImageOps.exif_transpose(image))
    except Refused:
        raise
    except Image.DecompressionBombError:
        raise Refused("too_many_pixels") from None
    except MemoryError:
        raise Refused("memory") from None
    except Exception:
        raise Refused("malformed") from None
    full = io.BytesIO()
    if media_type == "image/jpeg":
        upright.convert("RGB").save(full, "JPEG", quality=92)
        copy_type = "image/jpeg"
    else:
        upright.save(full, "PNG", compress_level=6)
        copy_type = "image/png"
    preview = upright.copy()
    preview.thumbnail((PREVIEW_EDGE, PREVIEW_EDGE))
    parts = [_thumbnail(upright, int(request["thumb"])), full.getvalue(), _png(preview)]
    header = {
        "ok": True,
        "kind": "image",
        "width": upright.width,
        "height": upright.height,
        "copy_type": copy_type,
        "parts": ["thumb", "copy", "page"],
    }
    return header, parts


def render_pdf(data: bytes, request: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
    import pypdfium2 as pdfium

    max_pixels, max_pages = int(request["max_pixels"]), int(request["max_pages"])
    try:
        document = pdfium.PdfDocument(data)
    except MemoryError:
        raise Refused("memory") from None
    except Exception:
        raise Refused("malformed") from None
    try:
        count = len(document)
        if count < 1:
            raise Refused("malformed")
        pages: list[Any] = []
        for index in range(min(count, max_pages)):
            page = document[index]
            width, height = page.get_size()  # points (1/72 inch)
            scale = 1.5  # 108 dpi
            if width * height * scale * scale > max_pixels:
                scale = (max_pixels / max(1.0, width * height)) ** 0.5
            if width * scale < 1 or height * scale < 1:
                raise Refused("malformed")
            bitmap = page.render(scale=scale, may_draw_forms=False)
            pages.append(_pixels_only(bitmap.to_pil()))
            page.close()
    except Refused:
        raise
    except MemoryError:
        raise Refused("memory") from None
    except Exception:
        raise Refused("malformed") from None
    finally:
        document.close()
    copy = io.BytesIO()
    rgb = [p.convert("RGB") for p in pages]
    epoch = time.gmtime(0)  # Pillow writes dates into the PDF: not the real ones
    rgb[0].save(
        copy,
        "PDF",
        save_all=True,
        append_images=rgb[1:],
        resolution=108.0,
        creationDate=epoch,
        modDate=epoch,
    )
    header = {
        "ok": True,
        "kind": "pdf",
        "width": pages[0].width,
        "height": pages[0].height,
        "copy_type": "application/pdf",
        "page_count": count,
        "pages_shown": len(pages),
        "parts": ["thumb", "copy"] + ["page"] * len(pages),
    }
    return header, [_thumbnail(pages[0], int(request["thumb"])), copy.getvalue(), *(_png(p) for p in pages)]


def handle(request: dict[str, Any], data: bytes) -> tuple[dict[str, Any], list[bytes]]:
    media_type = str(request["media_type"])
    if sniff(data) != media_type:
        raise Refused("type_mismatch")
    if media_type == "application/pdf":
        return render_pdf(data, request)
    if media_type in FORMATS:
        return render_image(data, media_type, request)
    raise Refused("unsupported")


def write_answer(out: BinaryIO, header: dict[str, Any], parts: list[bytes]) -> None:
    header = {**header, "lengths": [len(p) for p in parts]}
    encoded = json.dumps(header).encode()
    out.write(struct.pack(">I", len(encoded)) + encoded)
    for part in parts:
        out.write(part)
    out.flush()


def main() -> int:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    request = json.loads(stdin.readline())
    limit_resources(int(request["memory_bytes"]), int(request["cpu_seconds"]))
    data = stdin.read(int(request["size"]) + 1)
    try:
        if len(data) != int(request["size"]):
            raise Refused("malformed")
        header, parts = handle(request, data)
    except Refused as exc:
        header, parts = {"ok": False, "reason": exc.reason}, []
    except MemoryError:
        header, parts = {"ok": False, "reason": "memory"}, []
    write_answer(stdout, header, parts)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
