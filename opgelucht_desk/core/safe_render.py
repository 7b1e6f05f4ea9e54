"""Run the render worker (core/render_worker.py) on one untrusted file, off the event loop, with memory,
CPU, wall-clock and pixel limits; kill it when it overruns and say why (:class:`RenderRefused`).

The decrypted file goes to the worker through a pipe, never through a file; the answer comes back the
same way. The worker is ``python -I -m opgelucht_desk.core.render_worker`` (in a frozen bundle: the
app's own executable with ``--render-worker``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import struct
import sys
import weakref
from dataclasses import dataclass, field

from opgelucht_desk.core.errors import AttachmentError

#: Refusal reasons, in the UI's words (ui/messages.py translates them).
REASONS = (
    "type_mismatch",  # the bytes are not what the message says they are
    "too_many_pixels",  # a decompression bomb or an absurdly large image
    "malformed",  # the file cannot be decoded
    "unsupported",  # no decoder for this type on this computer (HEIC without pillow-heif)
    "memory",  # the worker hit its memory limit
    "timeout",  # the worker ran longer than its time limit and was killed
    "worker_failed",  # the worker died or answered nonsense
)


class RenderRefused(AttachmentError):
    """The file was not shown; ``reason`` is one of :data:`REASONS`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)


@dataclass(frozen=True)
class RenderLimits:
    memory_bytes: int = 1024 * 1024 * 1024
    seconds: float = 20.0
    max_pixels: int = 50_000_000
    max_pages: int = 20
    thumb: int = 240


@dataclass(frozen=True)
class Rendering:
    """Re-encoded, metadata-free copies of one file: what the desk shows and saves."""

    kind: str  # "image" or "pdf"
    width: int
    height: int
    thumbnail: bytes  # PNG
    copy: bytes  # the "Opslaan als…" copy (JPEG, PNG or a PDF of page images)
    copy_type: str
    pages: list[bytes] = field(default_factory=list)  # PNG per shown page (one for an image)
    page_count: int = 1

    def __repr__(self) -> str:
        return f"Rendering(kind={self.kind}, {self.width}x{self.height}, pages={len(self.pages)})"

    def to_bytes(self) -> bytes:
        """For the encrypted cache: a JSON header then the parts."""
        parts = [self.thumbnail, self.copy, *self.pages]
        header = {
            "kind": self.kind,
            "width": self.width,
            "height": self.height,
            "copy_type": self.copy_type,
            "page_count": self.page_count,
            "lengths": [len(p) for p in parts],
        }
        encoded = json.dumps(header).encode()
        return struct.pack(">I", len(encoded)) + encoded + b"".join(parts)

    @classmethod
    def from_bytes(cls, data: bytes) -> Rendering:
        header, parts = _split(data)
        return cls(
            kind=str(header["kind"]),
            width=int(str(header["width"])),
            height=int(str(header["height"])),
            thumbnail=parts[0],
            copy=parts[1],
            copy_type=str(header["copy_type"]),
            pages=parts[2:],
            page_count=int(str(header.get("page_count", 1))),
        )


def _split(data: bytes) -> tuple[dict[str, object], list[bytes]]:
    if len(data) < 4:
        raise ValueError("short answer")
    (length,) = struct.unpack(">I", data[:4])
    header = json.loads(data[4 : 4 + length])
    if not isinstance(header, dict):
        raise ValueError("bad header")
    offset, parts = 4 + length, []
    lengths = header.get("lengths", [])
    if not isinstance(lengths, list):
        raise ValueError("bad lengths")
    for size in lengths:
        parts.append(data[offset : offset + int(size)])
        offset += int(size)
    if offset != len(data):
        raise ValueError("bad lengths")
    return header, parts


def worker_command() -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable, "--render-worker"]
    return [sys.executable, "-I", "-m", "opgelucht_desk.core.render_worker"]


#: At most this many workers at once per event loop (a conversation with many files opens them in turn).
MAX_WORKERS = 2
_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


async def render(data: bytes, media_type: str, limits: RenderLimits | None = None) -> Rendering:
    """Decode and re-encode ``data`` in the worker; raises :class:`RenderRefused`."""
    gate = _gates.setdefault(asyncio.get_running_loop(), asyncio.Semaphore(MAX_WORKERS))
    async with gate:
        return await _render(data, media_type, limits or RenderLimits())


async def _render(data: bytes, media_type: str, limits: RenderLimits) -> Rendering:
    request = {
        "media_type": media_type,
        "size": len(data),
        "max_pixels": limits.max_pixels,
        "max_pages": limits.max_pages,
        "thumb": limits.thumb,
        "memory_bytes": limits.memory_bytes,
        "cpu_seconds": max(1, int(limits.seconds) + 1),
    }
    env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"}
    if sys.platform == "win32":  # pragma: no cover - Windows needs its system variables to start Python
        env.update({k: v for k, v in os.environ.items() if k.upper() in ("SYSTEMROOT", "TEMP", "TMP")})
    process = await asyncio.create_subprocess_exec(
        *worker_command(),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env=env,
    )
    try:
        out, _ = await asyncio.wait_for(
            process.communicate(json.dumps(request).encode() + b"\n" + data), timeout=limits.seconds
        )
    except TimeoutError:
        raise RenderRefused("timeout") from None
    except (BrokenPipeError, ConnectionResetError):
        out = b""
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
    try:
        header, parts = _split(out)
    except (ValueError, json.JSONDecodeError, struct.error):
        # Killed by a limit (SIGKILL from RLIMIT_CPU, an abort on allocation failure) or crashed.
        raise RenderRefused(
            "memory" if process.returncode in (-6, -9, 134, 137) else "worker_failed"
        ) from None
    if not header.get("ok"):
        reason = str(header.get("reason"))
        raise RenderRefused(reason if reason in REASONS else "worker_failed")
    names = header.get("parts")
    if not isinstance(names, list) or len(names) != len(parts) or len(parts) < 3:
        raise RenderRefused("worker_failed")
    return Rendering(
        kind=str(header["kind"]),
        width=int(str(header["width"])),
        height=int(str(header["height"])),
        thumbnail=parts[0],
        copy=parts[1],
        copy_type=str(header["copy_type"]),
        pages=parts[2:],
        page_count=int(str(header.get("page_count", 1))),
    )
