"""The printable poster of an org code (issue 10, item 7): the QR code an employee's phone scans, the
typed code and the org key's safety number, the very number the reporter app asks them to compare with
"your organisation's poster". Rendered, rasterised (pypdfium2) and read back (zxing-cpp)."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from kit.reporter import Reporter

from opgelucht_desk.core.errors import VerificationError
from opgelucht_desk.core.poster import CodePoster, poster_pdf, save_poster
from opgelucht_desk.protocol.keys import qr_fingerprint
from opgelucht_desk.protocol.qr import parse_qr_payload, qr_payload

from .conftest import RELAY_URL
from .desks import EnrolledDesk
from .tampering import TamperingTransport

A4_POINTS = (595.28, 841.89)


def _read_back(pdf: bytes) -> tuple[list[str], str, tuple[float, float], int]:
    """(QR texts found, page text, page size in points, page count) of a poster PDF."""
    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[0]
        image = page.render(scale=150 / 72).to_pil()
        qr_texts = [
            r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode
        ]
        text = page.get_textpage().get_text_range()
        width, height = page.get_size()
        return qr_texts, text, (width, height), len(doc)
    finally:
        doc.close()


def _words(text: str) -> str:
    return " ".join(text.split())


async def test_the_poster_shows_what_the_reporter_app_checks(
    admin_desk: EnrolledDesk, reporter: Reporter
) -> None:
    desk = admin_desk.desk
    [code] = await desk.codes()  # the one the reporter fixture joined with
    poster = await desk.code_poster(code)
    assert poster.safety_number == reporter.client.safety_number(), "the number the app shows"
    assert poster.org_name == "Gemeente Testdorp"

    for language, instruction in (
        ("nl", "Vergelijk het met het nummer"),
        ("en", "Compare it with the number"),
    ):
        qr_texts, text, size, pages = _read_back(poster_pdf(poster, language))
        assert pages == 1
        assert size == pytest.approx(A4_POINTS, abs=0.5)
        assert qr_texts == [code.qr_payload], "the QR code is the join payload, exactly"
        join = parse_qr_payload(qr_texts[0])
        assert join.org_code == code.code and join.matches(desk._unlocked().trust.org_pk)
        words = _words(text)
        assert code.code in words.split()
        assert reporter.client.safety_number() in words
        assert instruction in words
        assert "Gemeente Testdorp" in words


async def test_the_poster_is_written_whole_and_dutch_by_default(
    admin_desk: EnrolledDesk, tmp_path: Path
) -> None:
    desk = admin_desk.desk
    code = await desk.create_code("Kantine")
    folder = tmp_path / "posters"
    folder.mkdir()
    path = folder / "poster.pdf"
    save_poster(path, await desk.code_poster(code))
    _qr, text, _size, _pages = _read_back(path.read_bytes())
    assert "Veiligheidsnummer van Gemeente Testdorp" in _words(text)
    assert "(Kantine)" in text
    assert [p.name for p in folder.iterdir()] == ["poster.pdf"], "no temporary file left behind"
    with pytest.raises(ValueError):
        poster_pdf(await desk.code_poster(code), "de")


async def test_a_relay_cannot_slip_another_key_onto_the_poster(
    admin_desk: EnrolledDesk, network: TamperingTransport
) -> None:
    """A relay that hands out a QR text pinning its own key (to intercept new reporters) gets no poster."""
    desk = admin_desk.desk
    code = await desk.create_code("Hal")
    forged = qr_payload(RELAY_URL, code.code, b"\x07" * 32)
    assert parse_qr_payload(forged).fingerprint == qr_fingerprint(b"\x07" * 32)
    network.rewrites["/v1/org/codes"] = lambda body: {
        **body,
        "codes": [{**c, "qr_payload": forged} for c in body["codes"]],
    }
    [tampered] = [c for c in await desk.codes() if c.code == code.code]
    with pytest.raises(VerificationError):
        await desk.code_poster(tampered)
    await desk.revoke_code(code.code)
    network.rewrites.clear()
    [revoked] = [c for c in await desk.codes() if c.code == code.code]
    with pytest.raises(VerificationError):
        await desk.code_poster(revoked)


def test_the_poster_refuses_a_payload_that_is_no_join_code() -> None:
    with pytest.raises(Exception, match="join code"):
        poster_pdf(CodePoster("Org", "ABC", "", "https://example.org/evil", "1 " * 12), "nl")
