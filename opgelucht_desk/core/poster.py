"""The printable A4 poster of an org code (PDF, reportlab): the join QR code, the typed code, the org
key's safety number and short instructions, in Dutch (default) or English.

The employee's app shows the same safety number after joining (``ReporterClient.safety_number``, i.e.
``protocol.keys.safety_number`` of the org key) and tells them to compare it with the poster; the QR
code pins the org key by its fingerprint (``protocol.qr``). No Qt: the UI only picks the file.
"""

from __future__ import annotations

import io
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from opgelucht_desk.protocol.qr import parse_qr_payload

if TYPE_CHECKING:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfgen.canvas import Canvas

# reportlab is imported when a poster is made, not with the app (it costs ~0.3 s at start-up).

LANGUAGES = ("nl", "en")
FONT, BOLD = "OpgVera", "OpgVeraBold"  # Bitstream Vera, shipped with reportlab, embedded in the PDF
MM = 72 / 25.4  # PDF points per millimetre
QR_SIDE = 80 * MM
ACCENT = "#1f5f8b"

_TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Iets meegemaakt op het werk?",
        "intro": (
            "Praat vertrouwelijk met een vertrouwenspersoon van {org}. Met de app Opgelucht stuur je "
            "een bericht onder een zelfgekozen schuilnaam, versleuteld van begin tot eind: alleen de "
            "vertrouwenspersonen kunnen het lezen."
        ),
        "scan": "Scan deze code met de app Opgelucht",
        "or_type": "of typ de code",
        "server": "server: {relay}",
        "step1": "Installeer de app Opgelucht op je telefoon.",
        "step2": "Scan de QR-code, of typ de code en het serveradres over.",
        "step3": (
            "De app toont een veiligheidsnummer. Vergelijk het met het nummer hieronder. Is het "
            "anders? Ga dan niet verder en meld het aan een vertrouwenspersoon."
        ),
        "safety": "Veiligheidsnummer van {org}",
        "footer": "Poster van code {code}{label}. Gedrukt uit Opgelucht Desk.",
    },
    "en": {
        "title": "Something happened at work?",
        "intro": (
            "Talk in confidence to a confidential counsellor of {org}. With the Opgelucht app you send "
            "a message under a pseudonym of your choice, encrypted end to end: only the counsellors "
            "can read it."
        ),
        "scan": "Scan this code with the Opgelucht app",
        "or_type": "or type the code",
        "server": "server: {relay}",
        "step1": "Install the Opgelucht app on your phone.",
        "step2": "Scan the QR code, or type in the code and the server address.",
        "step3": (
            "The app shows a safety number. Compare it with the number below. Is it different? "
            "Then do not continue, and tell a counsellor."
        ),
        "safety": "Safety number of {org}",
        "footer": "Poster of code {code}{label}. Printed from Opgelucht Desk.",
    },
}


@dataclass(frozen=True)
class CodePoster:
    """What the poster of one org code shows (``Desk.code_poster`` checks it against the trusted key)."""

    org_name: str
    code: str
    label: str
    join_payload: str  # the QR text: opgelucht://join?relay=…&code=…&fp=…
    safety_number: str  # the org key's 60 digits in 12 groups, as the reporter app shows them


def _register_fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    import reportlab

    fonts = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(fonts / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(fonts / "VeraBd.ttf")))


def _paragraph(canvas: Canvas, text: str, style: ParagraphStyle, x: float, top: float, width: float) -> float:
    """Draw wrapped `text` (plain, escaped here) with its top at `top`; returns the new top."""
    from reportlab.platypus import Paragraph

    para = Paragraph(escape(text), style)
    _w, height = para.wrapOn(canvas, width, 1000 * MM)
    para.drawOn(canvas, x, top - height)
    return float(top - height)


def poster_pdf(poster: CodePoster, language: str = "nl") -> bytes:
    """The poster as an A4 PDF document."""
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.renderPDF import draw as draw_drawing
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.colors import HexColor, black, white
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Paragraph

    if language not in LANGUAGES:
        raise ValueError(f"poster language must be one of {LANGUAGES}")
    join = parse_qr_payload(poster.join_payload)  # refuses anything that is not a join code
    _register_fonts()
    t = _TEXTS[language]
    org = poster.org_name.strip() or "Opgelucht"
    out = io.BytesIO()
    page_w, page_h = A4
    margin = 20 * mm
    width = page_w - 2 * margin
    canvas = Canvas(out, pagesize=A4, pageCompression=1, invariant=1)
    canvas.setTitle(f"Opgelucht – {org} – {poster.code}")
    canvas.setAuthor(org)
    canvas.setSubject(t["scan"])

    body = ParagraphStyle("body", fontName=FONT, fontSize=12, leading=16)
    title = ParagraphStyle("title", fontName=BOLD, fontSize=26, leading=31, textColor=HexColor(ACCENT))
    centred = ParagraphStyle("centred", parent=body, alignment=1)
    top = page_h - margin
    top = _paragraph(canvas, t["title"], title, margin, top, width) - 4 * mm
    top = _paragraph(canvas, t["intro"].format(org=org), body, margin, top, width) - 4 * mm

    # The QR code: reportlab draws it as vectors, with the standard's 4-module quiet zone.
    widget = QrCodeWidget(poster.join_payload, barLevel="M", barBorder=4)
    x0, y0, x1, y1 = widget.getBounds()
    scale = QR_SIDE / max(x1 - x0, y1 - y0)
    drawing = Drawing(QR_SIDE, QR_SIDE, transform=[scale, 0, 0, scale, -x0 * scale, -y0 * scale])
    drawing.add(widget)
    draw_drawing(drawing, canvas, (page_w - QR_SIDE) / 2, top - QR_SIDE)
    top -= QR_SIDE + 2 * mm
    top = _paragraph(canvas, t["scan"], centred, margin, top, width) - 2 * mm
    top = _paragraph(canvas, t["or_type"], centred, margin, top, width) - 1 * mm
    code_style = ParagraphStyle("code", fontName=BOLD, fontSize=30, leading=36, alignment=1)
    top = _paragraph(canvas, poster.code, code_style, margin, top, width)
    small = ParagraphStyle("small", parent=centred, fontSize=10, leading=13, textColor=HexColor("#444444"))
    top = _paragraph(canvas, t["server"].format(relay=join.relay_url), small, margin, top, width) - 6 * mm

    steps = ParagraphStyle(
        "steps", parent=body, leftIndent=6 * mm, bulletIndent=0, bulletFontName=BOLD, bulletFontSize=12
    )
    for number, key in enumerate(("step1", "step2", "step3"), start=1):
        para = Paragraph(escape(t[key]), steps, bulletText=f"{number}.")
        _w, height = para.wrapOn(canvas, width, 100 * mm)
        para.drawOn(canvas, margin, top - height)
        top -= height + 2 * mm

    # The safety number: 3 rows of 4 groups, as the desk shows it, in a box that catches the eye.
    rows = [" ".join(poster.safety_number.split()[i : i + 4]) for i in range(0, 12, 4)]
    heading = ParagraphStyle("heading", parent=centred, fontName=BOLD)
    head = Paragraph(escape(t["safety"].format(org=org)), heading)
    _w, head_h = head.wrapOn(canvas, width - 8 * mm, 100 * mm)
    row_h = 9 * mm
    box_h = 4 * mm + head_h + 2 * mm + row_h * len(rows) + 2 * mm
    top -= 2 * mm
    canvas.setStrokeColor(HexColor(ACCENT))
    canvas.setLineWidth(1.5)
    canvas.setFillColor(white)
    canvas.roundRect(margin, top - box_h, width, box_h, 3 * mm, stroke=1, fill=1)
    canvas.setFillColor(black)
    inner = top - 4 * mm - head_h
    head.drawOn(canvas, margin + 4 * mm, inner)
    inner -= 2 * mm
    canvas.setFont(BOLD, 17)
    for row in rows:
        inner -= row_h
        canvas.drawCentredString(page_w / 2, inner + 2.5 * mm, row)

    label = f" ({poster.label})" if poster.label.strip() else ""
    footer = t["footer"].format(code=poster.code, label=label)
    _paragraph(canvas, footer, small, margin, 16 * mm, width)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def save_poster(path: Path, poster: CodePoster, language: str = "nl") -> None:
    """Write the poster PDF to `path` atomically (a failed write leaves no half file). A poster is public:
    the file gets the user's usual permissions (umask), not a private mode."""
    write_pdf(path, poster_pdf(poster, language))


def write_pdf(path: Path, data: bytes) -> None:
    """Write a PDF to `path` atomically: a failed write leaves no half file, and the file gets the
    user's usual permissions (umask)."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "xb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
