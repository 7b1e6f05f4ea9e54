"""`opgelucht-reporter say --file` and `read --save-files` against the real relay on 127.0.0.1: the
metadata is stripped and named, the file arrives verified, and a refused file says why."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from kit.actors import create_org_with_admin, enrol_admin
from kit.relay import RelayServer
from PIL import Image

from opgelucht_reporter.cli import main


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[RelayServer]:
    server = RelayServer(tmp_path / "relay")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def gps_photo(path: Path) -> None:
    exif = Image.Exif()
    exif[0x010F] = "CanaryCam"
    exif[0x8825] = {1: "N", 2: (52.0, 5.0, 0.0), 3: "E", 4: (4.0, 53.0, 0.0)}
    Image.new("RGB", (200, 100), (1, 2, 3)).save(path, "JPEG", exif=exif.tobytes())


def test_say_file_strips_and_sends(tmp_path: Path, relay: RelayServer) -> None:
    org_id, invitation = relay.call(create_org_with_admin(relay.ctx, "Gemeente Testdorp"))

    async def set_up() -> str:
        async with httpx.AsyncClient(base_url=relay.url) as http:
            admin = await enrol_admin(http, relay.clock, org_id, invitation, username="anna")
            code = (await http.post("/v1/org/codes", json={"label": "poster"}, headers=admin.headers)).json()
            return str(code["code"])

    code = asyncio.run(set_up())
    runner = CliRunner()

    def cli(*args: str, ok: bool = True) -> str:
        result = runner.invoke(main, ["--state", str(tmp_path / "phone.json"), *args], catch_exceptions=False)
        assert (result.exit_code == 0) is ok, result.output
        return result.output

    cli("join", code, "--relay", relay.url, "--pseudonym", "Merel")
    cli("say", "Hallo")
    photo = tmp_path / "IMG_Merel.jpg"
    gps_photo(photo)
    sent = cli("say", "--file", str(photo))
    assert "Stripped before encryption: EXIF (incl. GPS position)." in sent and "File sent" in sent
    assert "IMG_Merel" not in sent
    saved = tmp_path / "saved"
    out = cli("read", "--save-files", str(saved))
    assert "[file: image/jpeg" in out and "saved as" in out
    [copy] = list(saved.iterdir())
    assert b"CanaryCam" not in copy.read_bytes()
    with Image.open(io.BytesIO(copy.read_bytes())) as image:
        assert image.size == (200, 100) and not image.getexif().get_ifd(0x8825)
    text_file = tmp_path / "notes.txt"
    text_file.write_text("geen afbeelding")
    refused = cli("say", "--file", str(text_file), ok=False)
    assert "file not sent: only JPEG, PNG, WebP, HEIC images and PDF files can be sent" in refused
