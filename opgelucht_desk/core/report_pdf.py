"""The annual report as an A4 PDF (reportlab, as the org-code poster): the org's name, the period, the
counts per category, type of help, month and org code ("< 5" cells explained), optionally the
counsellors' names; Dutch by default, English available. No Qt: the UI only picks the file.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from opgelucht_desk.core.annual_report import NO_VALUE, AnnualReport
from opgelucht_desk.core.poster import ACCENT, BOLD, FONT, _register_fonts, write_pdf
from opgelucht_desk.disclosure import K

LANGUAGES = ("nl", "en")

_TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Jaarverslag vertrouwenspersonen",
        "period": "Periode: {start} t/m {end}",
        "counsellors": "Vertrouwenspersonen: {names}",
        "totals": "Meldingen in de periode: {cases}. Afgesloten in de periode: {closed}.",
        "by_category": "Per soort melding",
        "by_help": "Per soort hulp",
        "by_month": "Per maand",
        "by_code": "Per organisatieonderdeel (organisatiecode)",
        "kind": "Soort",
        "help": "Hulp",
        "month": "Maand",
        "code": "Onderdeel",
        "cases": "Meldingen",
        "opened": "Nieuw",
        "closed": "Afgesloten",
        "total": "Totaal",
        "none": "(niet ingevuld)",
        "suppressed": (
            "Aantallen onder de {k} per organisatieonderdeel staan als \u201c< {k}\u201d, en waar nodig "
            "is nog een onderdeel verborgen, zodat niemand een kleine groep kan herkennen of "
            "terugrekenen uit het totaal. De totalen zijn exact."
        ),
        "no_codes": (
            "De verdeling per organisatieonderdeel staat alleen in het verslag van een heel kalenderjaar, "
            "zodat het aftrekken van twee perioden geen kleine aantallen onthult."
        ),
        "footer": (
            "Dit verslag bevat geen namen, berichten of andere gegevens die naar een persoon leiden. "
            "Gemaakt met Opgelucht Desk."
        ),
        "categories": (
            "intimidatie=intimidatie;seksuele_intimidatie=seksuele intimidatie;pesten=pesten;"
            "discriminatie=discriminatie;agressie_geweld=agressie en geweld;integriteit=integriteit;"
            "overig=overig"
        ),
        "helps": (
            "advies=advies;ondersteuning=ondersteuning;bemiddeling=bemiddeling;"
            "doorverwijzing=doorverwijzing;formele_klacht=formele klacht"
        ),
    },
    "en": {
        "title": "Confidential counsellors' annual report",
        "period": "Period: {start} to {end}",
        "counsellors": "Counsellors: {names}",
        "totals": "Reports in the period: {cases}. Closed in the period: {closed}.",
        "by_category": "By kind of report",
        "by_help": "By type of help",
        "by_month": "By month",
        "by_code": "By part of the organisation (org code)",
        "kind": "Kind",
        "help": "Help",
        "month": "Month",
        "code": "Part",
        "cases": "Reports",
        "opened": "New",
        "closed": "Closed",
        "total": "Total",
        "none": "(not set)",
        "suppressed": (
            "Numbers below {k} per part of the organisation show as \u201c< {k}\u201d, and where needed "
            "one more part is hidden, so that nobody can recognise a small group or work it out from "
            "the total. The totals are exact."
        ),
        "no_codes": (
            "The numbers per part of the organisation appear only in the report of a whole calendar year, "
            "so that subtracting two periods reveals no small numbers."
        ),
        "footer": (
            "This report holds no names, messages or other data that lead to a person. "
            "Made with Opgelucht Desk."
        ),
        "categories": (
            "intimidatie=intimidation;seksuele_intimidatie=sexual harassment;pesten=bullying;"
            "discriminatie=discrimination;agressie_geweld=aggression and violence;integriteit=integrity;"
            "overig=other"
        ),
        "helps": (
            "advies=advice;ondersteuning=support;bemiddeling=mediation;doorverwijzing=referral;"
            "formele_klacht=formal complaint"
        ),
    },
}


_MONTHS = {
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "en": "January February March April May June July August September October November December",
}


def month_name(month: str, language: str) -> str:
    """``2026-03`` → "maart 2026" (Dutch) or "March 2026"."""
    return f"{_MONTHS[language].split()[int(month[5:]) - 1]} {month[:4]}"


def _words(spec: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in spec.split(";"))


def report_pdf(
    report: AnnualReport, org_name: str, language: str = "nl", counsellors: Sequence[str] = ()
) -> bytes:
    """The report as an A4 PDF document (``counsellors``: names to print, none by default)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if language not in LANGUAGES:
        raise ValueError(f"report language must be one of {LANGUAGES}")
    _register_fonts()
    t = _TEXTS[language]
    categories, helps = _words(t["categories"]), _words(t["helps"])
    org = org_name.strip() or "Opgelucht"
    body = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=14)
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=12, textColor=colors.HexColor("#444444"))
    title = ParagraphStyle("title", fontName=BOLD, fontSize=20, leading=25, textColor=colors.HexColor(ACCENT))
    heading = ParagraphStyle("heading", fontName=BOLD, fontSize=13, leading=17, spaceBefore=8, spaceAfter=4)

    def table(header: list[str], rows: list[list[str]]) -> Table:
        tbl = Table([header, *rows], hAlign="LEFT", colWidths=[80 * mm] + [30 * mm] * (len(header) - 1))
        tbl.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), FONT, 10),
                    ("FONT", (0, 0), (-1, 0), BOLD, 10),
                    ("FONT", (0, -1), (-1, -1), BOLD, 10),
                    ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor(ACCENT)),
                    ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.grey),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        return tbl

    def word(words: dict[str, str], key: str) -> str:
        return t["none"] if key == NO_VALUE else words.get(key, key)

    story: list[object] = [
        Paragraph(escape(t["title"]), title),
        Paragraph(escape(org), heading),
        Paragraph(
            escape(
                t["period"].format(
                    start=month_name(report.period.start, language),
                    end=month_name(report.period.end, language),
                )
            ),
            body,
        ),
    ]
    if counsellors:
        story.append(Paragraph(escape(t["counsellors"].format(names=", ".join(counsellors))), body))
    story += [
        Spacer(1, 3 * mm),
        Paragraph(escape(t["totals"].format(cases=report.cases, closed=report.closed)), body),
        Paragraph(escape(t["by_code"]), heading),
    ]
    if report.by_code is None:
        story.append(Paragraph(escape(t["no_codes"]), small))
    else:
        story.append(
            table(
                [t["code"], t["cases"], t["closed"]],
                [[r.label or t["none"], r.cases.text, r.closed.text] for r in report.by_code]
                + [[t["total"], str(report.cases), str(report.closed)]],
            )
        )
        if report.suppressed:
            story += [Spacer(1, 2 * mm), Paragraph(escape(t["suppressed"].format(k=K)), small)]
    story += [
        Paragraph(escape(t["by_category"]), heading),
        table(
            [t["kind"], t["cases"]],
            [[word(categories, k), str(n)] for k, n in report.by_category]
            + [[t["total"], str(report.cases)]],
        ),
        Paragraph(escape(t["by_help"]), heading),
        table(
            [t["help"], t["cases"]],
            [[word(helps, k), str(n)] for k, n in report.by_help] + [[t["total"], str(report.cases)]],
        ),
        Paragraph(escape(t["by_month"]), heading),
        table(
            [t["month"], t["opened"], t["closed"]],
            [[month_name(r.month, language), str(r.opened), str(r.closed)] for r in report.by_month]
            + [[t["total"], str(report.cases), str(report.closed)]],
        ),
    ]
    story += [Spacer(1, 6 * mm), Paragraph(escape(t["footer"]), small)]

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{t['title']} – {org}",
        author=org,
        invariant=1,
        pageCompression=1,
    )
    doc.build(story)  # type: ignore[arg-type]
    return out.getvalue()


def save_report_pdf(
    path: Path, report: AnnualReport, org_name: str, language: str = "nl", counsellors: Sequence[str] = ()
) -> None:
    """Write the PDF to ``path`` atomically (a failed write leaves no half file)."""
    write_pdf(path, report_pdf(report, org_name, language, counsellors))
