"""Files end to end on both relay backends: reporter → relay (SQLite: files beside the database;
PostgreSQL: bytea) → desk, and the counsellor's file back to the reporter."""

from __future__ import annotations

import io

import pytest
from kit.reporter import Reporter
from PIL import Image
from relay.conftest import pg_server, pg_template  # noqa: F401 - fixtures of the PostgreSQL backend

from opgelucht_relay.context import AppContext
from opgelucht_relay.services.blob_store import DatabaseBlobStore, FileBlobStore
from opgelucht_reporter.files import prepare_file

from .desks import EnrolledDesk


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def photo() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (52.0, 5.0, 0.0), 3: "E", 4: (4.0, 53.0, 0.0)}
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 160, 90)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


async def test_file_round_trip(
    admin_desk: EnrolledDesk, reporter: Reporter, ctx: AppContext, backend: str
) -> None:
    expected = FileBlobStore if backend == "sqlite" else DatabaseBlobStore
    assert isinstance(ctx.blobs, expected)
    prepared = prepare_file(photo())
    with Image.open(io.BytesIO(prepared.data)) as sent:
        assert not sent.getexif().get_ifd(0x8825)  # EXIF GPS gone before sending
    await reporter.hello()
    await reporter.client.send_file(reporter.conv_id, prepared.data, prepared.media_type)
    desk = admin_desk.desk
    await desk.sync_now()
    [conv] = desk.conversations()
    [incoming] = [m for m in desk.messages(conv.conv_id) if m.attachment is not None]
    rendering = await desk.open_attachment(conv.conv_id, incoming.msg_id)
    assert (rendering.width, rendering.height) == (320, 240)

    await desk.attach_file(conv.conv_id, rendering.copy)
    await desk.sync_now()
    [answer] = [
        m for m in await reporter.client.read(reporter.conv_id) if m.file is not None and not m.from_me
    ]
    assert answer.file is not None
    data = await reporter.client.fetch_file(reporter.conv_id, answer.file)
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (320, 240) and len(image.getexif()) == 0
