"""Files end to end on the in-process relay (SQLite; tests/e2e covers PostgreSQL): the reference reporter
sends a stripped photo or PDF, the desk verifies and renders it in the worker, keeps only the re-encoded
copy (encrypted), refuses tampered blobs and hostile files with a reason, and answers with a file."""

from __future__ import annotations

import io
import os
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from kit.reporter import Reporter
from PIL import Image

from opgelucht_desk.core.errors import AttachmentError
from opgelucht_desk.core.safe_render import RenderRefused
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.context import AppContext
from opgelucht_reporter.files import prepare_file

from .desks import EnrolledDesk

CANARY = b"KANARIE-in-de-foto-4417"


def photo_with_gps() -> bytes:
    """A JPEG with EXIF GPS, camera serial and a canary in the image description and a comment."""
    image = Image.new("RGB", (640, 480), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010E] = CANARY.decode()  # ImageDescription
    exif[0xA431] = "SERIAL-12345"  # BodySerialNumber
    exif[0x8825] = {1: "N", 2: (52.0, 5.0, 0.0), 3: "E", 4: (4.0, 53.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=CANARY)
    return out.getvalue()


def png_with_canary_chunk() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", CANARY.decode())
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (200, 50, 50)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def pdf_with_author() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.setAuthor(CANARY.decode())
    page.drawString(72, 720, "Schermafdruk van een chat")
    page.showPage()
    page.drawString(72, 720, "Pagina twee")
    page.save()
    return out.getvalue()


async def received(desk: EnrolledDesk, reporter: Reporter) -> tuple[uuid.UUID, uuid.UUID]:
    await desk.desk.sync_now()
    [conv] = desk.desk.conversations()
    files = [m for m in desk.desk.messages(conv.conv_id) if m.attachment is not None]
    assert files, "no attachment listed"
    return conv.conv_id, files[-1].msg_id


def all_bytes(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())


async def test_photo_is_stripped_sent_verified_and_rendered(
    admin_desk: EnrolledDesk, reporter: Reporter, ctx: AppContext, tmp_path: Path
) -> None:
    prepared = prepare_file(photo_with_gps())
    assert prepared.media_type == "image/jpeg"
    assert any("GPS" in s for s in prepared.stripped)
    assert CANARY not in prepared.data and b"SERIAL-12345" not in prepared.data
    with Image.open(io.BytesIO(prepared.data)) as clean:
        assert not clean.getexif().get_ifd(0x8825) and len(clean.getexif()) == 0
    await reporter.hello()
    await reporter.client.send_file(reporter.conv_id, prepared.data, prepared.media_type)
    conv_id, msg_id = await received(admin_desk, reporter)
    [message] = [m for m in admin_desk.desk.messages(conv_id) if m.msg_id == msg_id]
    assert message.attachment is not None and message.attachment.media_type == "image/jpeg"
    assert message.attachment.size == len(prepared.data)
    assert admin_desk.desk.conversations()[0].unread == 1
    rendering = await admin_desk.desk.open_attachment(conv_id, msg_id)
    assert (rendering.kind, rendering.width, rendering.height) == ("image", 640, 480)
    assert rendering.thumbnail.startswith(b"\x89PNG") and rendering.copy.startswith(b"\xff\xd8\xff")
    with Image.open(io.BytesIO(rendering.copy)) as shown:
        assert len(shown.getexif()) == 0
    # Saved: the re-encoded copy, owner-only.
    target = tmp_path / "opgeslagen.jpg"
    await admin_desk.desk.save_attachment(conv_id, msg_id, target)
    assert target.read_bytes() == rendering.copy
    assert oct(os.stat(target).st_mode & 0o777) == "0o600"


async def test_a_canary_inside_the_file_reaches_neither_the_relay_nor_the_desk_unencrypted(
    admin_desk: EnrolledDesk,
    reporter: Reporter,
    ctx: AppContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    await reporter.hello()
    # Sent as it is (not stripped), so the canary is inside the encrypted file.
    await reporter.client.send_file(reporter.conv_id, png_with_canary_chunk(), "image/png")
    conv_id, msg_id = await received(admin_desk, reporter)
    rendering = await admin_desk.desk.open_attachment(conv_id, msg_id)
    assert CANARY not in rendering.copy and CANARY not in rendering.thumbnail
    assert all(CANARY not in page for page in rendering.pages)
    assert CANARY not in all_bytes(ctx.settings.data_dir)
    assert CANARY not in (tmp_path / "relay.db").read_bytes()
    assert any((ctx.settings.data_dir / "blobs").iterdir())
    assert CANARY not in all_bytes(admin_desk.desk.config.data_dir)
    assert CANARY not in all_bytes(temp)


@pytest.mark.parametrize("edit", ["flip", "truncate", "swap"])
async def test_a_tampered_blob_is_a_verification_problem_and_nothing_is_shown(
    admin_desk: EnrolledDesk, reporter: Reporter, ctx: AppContext, edit: str
) -> None:
    await reporter.hello()
    first = prepare_file(png_with_canary_chunk())
    await reporter.client.send_file(reporter.conv_id, first.data, first.media_type)
    await reporter.client.send_file(reporter.conv_id, prepare_file(photo_with_gps()).data, "image/jpeg")
    conv_id, msg_id = await received(admin_desk, reporter)
    files = sorted((ctx.settings.data_dir / "blobs").iterdir(), key=lambda p: p.stat().st_mtime)
    target = files[-1]
    data = bytearray(target.read_bytes())
    if edit == "flip":
        data[100] ^= 1
    elif edit == "truncate":
        data = data[: len(data) // 2]
    else:
        data = bytearray(files[0].read_bytes())  # another file's blob under this id
    target.write_bytes(bytes(data))
    with pytest.raises(AttachmentError) as info:
        await admin_desk.desk.open_attachment(conv_id, msg_id)
    assert info.value.reason == "not_verified"
    assert info.value.detail in ("decrypt_failed", "truncated")
    assert admin_desk.desk._unlocked().cache.attachment(str(conv_id), str(msg_id)) is None


def bomb_png() -> bytes:
    out = io.BytesIO()
    Image.new("1", (30000, 30000)).save(out, "PNG")  # 900 megapixels in ~100 KiB
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "media_type", "reason"),
    [
        (bomb_png(), "image/png", "too_many_pixels"),
        (b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + os.urandom(3000), "image/jpeg", "malformed"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n" + os.urandom(2000), "application/pdf", "malformed"),
        (pdf_with_author(), "image/png", "type_mismatch"),  # a PDF claiming to be a PNG
    ],
    ids=["decompression-bomb", "malformed-jpeg", "malformed-pdf", "lying-type"],
)
async def test_hostile_files_are_refused_with_a_reason(
    admin_desk: EnrolledDesk, reporter: Reporter, data: bytes, media_type: str, reason: str
) -> None:
    await reporter.hello()
    await reporter.client.send_file(reporter.conv_id, data, media_type)
    conv_id, msg_id = await received(admin_desk, reporter)
    with pytest.raises(RenderRefused) as info:
        await admin_desk.desk.open_attachment(conv_id, msg_id)
    assert info.value.reason == reason
    # The desk goes on working.
    assert admin_desk.desk.messages(conv_id)


async def test_pdf_is_rendered_to_pages_and_saved_without_metadata(
    admin_desk: EnrolledDesk, reporter: Reporter, tmp_path: Path
) -> None:
    prepared = prepare_file(pdf_with_author())
    assert CANARY not in prepared.data
    assert any("document information" in s for s in prepared.stripped)
    await reporter.hello()
    await reporter.client.send_file(reporter.conv_id, prepared.data, prepared.media_type)
    conv_id, msg_id = await received(admin_desk, reporter)
    rendering = await admin_desk.desk.open_attachment(conv_id, msg_id)
    assert rendering.kind == "pdf" and len(rendering.pages) == 2 and rendering.page_count == 2
    assert rendering.copy.startswith(b"%PDF-") and CANARY not in rendering.copy
    assert b"/Author" not in rendering.copy and b"D:1970" in rendering.copy


async def test_the_counsellor_answers_with_a_file_and_the_reporter_opens_it(
    admin_desk: EnrolledDesk, reporter: Reporter
) -> None:
    await reporter.hello()
    await reporter.text("Ik heb een vraag")
    await admin_desk.desk.sync_now()
    [conv] = admin_desk.desk.conversations()
    await admin_desk.desk.attach_file(conv.conv_id, photo_with_gps())
    await admin_desk.desk.sync_now()
    sent = [m for m in admin_desk.desk.messages(conv.conv_id) if m.attachment is not None]
    assert len(sent) == 1 and sent[0].outgoing and sent[0].state == "sent"
    messages = await reporter.client.read(reporter.conv_id)
    [file_message] = [m for m in messages if m.file is not None]
    assert file_message.counsellor_name == "Anna Admin" and file_message.file is not None
    data = await reporter.client.fetch_file(reporter.conv_id, file_message.file)
    assert data.startswith(b"\xff\xd8\xff") and CANARY not in data and b"SERIAL-12345" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert len(image.getexif()) == 0


async def test_cached_renderings_go_with_the_31_day_rule(
    admin_desk: EnrolledDesk, reporter: Reporter, clock: ManualClock
) -> None:
    await reporter.hello()
    await reporter.client.send_file(reporter.conv_id, prepare_file(photo_with_gps()).data, "image/jpeg")
    conv_id, msg_id = await received(admin_desk, reporter)
    await admin_desk.desk.open_attachment(conv_id, msg_id)
    cache = admin_desk.desk._unlocked().cache
    assert cache.attachment(str(conv_id), str(msg_id)) is not None
    clock.advance(timedelta(days=32))
    cache.purge_expired(int(clock.now().timestamp()))
    assert cache.attachment(str(conv_id), str(msg_id)) is None


async def test_the_worker_is_killed_at_its_time_and_memory_limits() -> None:
    from opgelucht_desk.core.safe_render import RenderLimits, render

    out = io.BytesIO()
    Image.frombytes("RGB", (3000, 3000), os.urandom(3000 * 3000 * 3)).save(out, "PNG")
    big = out.getvalue()
    with pytest.raises(RenderRefused) as slow:
        await render(big, "image/png", RenderLimits(seconds=0.2))
    assert slow.value.reason == "timeout"
    with pytest.raises(RenderRefused) as hungry:
        await render(big, "image/png", RenderLimits(memory_bytes=120 * 1024 * 1024))
    assert hungry.value.reason == "memory"


async def test_a_file_canary_is_not_in_the_relay_logs(
    admin_desk: EnrolledDesk, reporter: Reporter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    await reporter.hello()
    await reporter.client.send_file(reporter.conv_id, png_with_canary_chunk(), "image/png")
    conv_id, msg_id = await received(admin_desk, reporter)
    await admin_desk.desk.open_attachment(conv_id, msg_id)
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert CANARY.decode() not in logged
