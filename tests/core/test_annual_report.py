"""The annual report from register records (pure): counts, months, per-code suppression with exact totals
and complementary cells, no per-code table outside a calendar year, CSV, and the PDF's text (pypdfium2)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from opgelucht_desk.core.annual_report import Period, build_report, report_csv
from opgelucht_desk.core.report_pdf import report_pdf, save_report_pdf
from opgelucht_desk.disclosure import K
from opgelucht_desk.protocol.errors import ProtocolError
from opgelucht_desk.protocol.keys import DeviceKeys
from opgelucht_desk.protocol.register import (
    CaseRecord,
    contact_bucket,
    new_register_key,
    open_record,
    record_id_for,
    seal_record,
)

_ids = (f"{i:032x}" for i in itertools.count())


def case(
    opened: str,
    code: str,
    closed: str | None = None,
    category: str | None = "pesten",
    help_type: str | None = "advies",
) -> CaseRecord:
    return CaseRecord(
        record_id=next(_ids),
        opened=opened,
        closed=closed,
        category=category,
        help_type=help_type,
        org_code=code,
    )


def register() -> list[CaseRecord]:
    """2026: Afdeling A 7 cases (3 closed), Afdeling B 2 (both closed), Afdeling C 6; one case of 2025."""
    records = [case(f"2026-{m:02d}", "Afdeling A", closed="2026-11" if m <= 3 else None) for m in range(1, 8)]
    records += [
        case("2026-02", "Afdeling B", closed="2026-03", category="integriteit", help_type="bemiddeling")
    ]
    records += [case("2026-05", "Afdeling B", closed="2026-06", category="integriteit", help_type=None)]
    records += [case("2026-09", "Afdeling C", category=None) for _ in range(6)]
    records += [case("2025-12", "Afdeling A", closed="2026-01")]
    return records


def pdf_text(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(pdf)
    try:
        return " ".join(" ".join(doc[i].get_textpage().get_text_range().split()) for i in range(len(doc)))
    finally:
        doc.close()


def test_counts_per_category_help_month_and_code_with_suppression() -> None:
    report = build_report(register(), Period.year(2026), ["Afdeling A", "Afdeling B", "Afdeling C", "Leeg"])
    assert (report.cases, report.closed) == (15, 6)  # closed in 2026 includes the case of December 2025
    assert dict(report.by_category) == {"pesten": 7, "integriteit": 2, "": 6}
    assert dict(report.by_help) == {
        "advies": 13,
        "ondersteuning": 0,
        "bemiddeling": 1,
        "doorverwijzing": 0,
        "formele_klacht": 0,
        "": 1,
    }
    months = {r.month: (r.opened, r.closed) for r in report.by_month}
    assert len(months) == 12 and months["2026-01"] == (1, 1) and months["2026-09"] == (6, 0)
    assert months["2026-11"] == (0, 3)
    assert report.by_code is not None
    cells = {r.label: (r.cases.text, r.closed.text) for r in report.by_code}
    # Cells below K (0 included, as on the relay) are hidden: B (2) and the empty code; then the smallest
    # shown cell (C, 6) too, until the hidden ones hold at least K, or the total minus A would give B.
    assert cells["Afdeling B"][0] == f"< {K}" and cells["Afdeling C"][0] == f"< {K}"
    assert cells["Leeg"][0] == f"< {K}" and cells["Afdeling A"][0] == "7"
    # Closed: A 4, B 2, C 0, none 0: all below K, all hidden (the total, 6, is exact).
    assert cells["Afdeling B"][1] == f"< {K}" and cells["Afdeling A"][1] == f"< {K}"
    assert report.suppressed


def test_no_subtraction_reveals_a_hidden_cell() -> None:
    """Every set of hidden cells sums to 0 or at least K, so the exact total minus the shown cells
    never isolates fewer than K cases."""
    report = build_report(register(), Period.year(2026), ["Afdeling A", "Afdeling B", "Afdeling C"])
    assert report.by_code is not None
    for column, total in (("cases", report.cases), ("closed", report.closed)):
        shown = [getattr(r, column).value for r in report.by_code if getattr(r, column).value is not None]
        hidden = total - sum(shown)
        assert hidden == 0 or hidden >= K


def test_no_per_code_table_outside_a_calendar_year() -> None:
    report = build_report(register(), Period("2026-01", "2026-06"))
    assert report.by_code is None
    assert report.cases == 8 and len(report.by_month) == 6
    with pytest.raises(ValueError):
        Period("2026-07", "2026-01")
    assert Period("2025-11", "2026-02").months() == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_csv_holds_the_cells_as_published() -> None:
    text = report_csv(build_report(register(), Period.year(2026), ["Afdeling A", "Afdeling B", "Afdeling C"]))
    lines = text.splitlines()
    assert lines[0] == "section,key,cases,closed"
    assert "total,,15,6" in lines
    assert f"org_code,Afdeling B,< {K},< {K}" in lines
    assert "category,pesten,7," in lines


def test_the_pdf_holds_the_counts_and_the_suppressed_cells(tmp_path: Path) -> None:
    report = build_report(register(), Period.year(2026), ["Afdeling A", "Afdeling B", "Afdeling C"])
    path = tmp_path / "jaarverslag.pdf"
    save_report_pdf(path, report, "Gemeente Testdorp", counsellors=["Anna Admin", "Bea"])
    text = pdf_text(path.read_bytes())
    assert "Jaarverslag vertrouwenspersonen" in text and "Gemeente Testdorp" in text
    assert "Periode: januari 2026 t/m december 2026" in text
    assert "Vertrouwenspersonen: Anna Admin, Bea" in text
    assert "Meldingen in de periode: 15. Afgesloten in de periode: 6." in text
    assert "pesten 7" in text and "integriteit 2" in text and "(niet ingevuld) 6" in text
    assert "advies 13" in text and "bemiddeling 1" in text
    assert "Afdeling A 7 < 5" in text and "Afdeling B < 5 < 5" in text and "Afdeling C < 5 < 5" in text
    assert "september 2026 6 0" in text
    assert "De totalen zijn exact" in text
    english = pdf_text(report_pdf(report, "Gemeente Testdorp", "en"))
    assert "Confidential counsellors' annual report" in english and "mediation 1" in english
    assert "Counsellors:" not in english  # names only when asked
    assert "Period: January 2026 to December 2026" in english
    half = pdf_text(report_pdf(build_report(register(), Period("2026-01", "2026-06")), "X"))
    assert "alleen in het verslag van een heel kalenderjaar" in half
    with pytest.raises(ValueError):
        report_pdf(report, "X", "de")


def test_records_are_sealed_signed_and_bound_to_their_id_and_version() -> None:
    key, other_key = new_register_key(), new_register_key()
    writer, stranger = DeviceKeys.generate(), DeviceKeys.generate()
    rid = record_id_for(key, "3f2b8c1e-0000-4000-8000-000000000001")
    assert rid != record_id_for(other_key, "3f2b8c1e-0000-4000-8000-000000000001")
    record = CaseRecord(
        rid, "2026-03", closed="2026-04", category="pesten", help_type="advies", contacts="2-5"
    )
    blob = seal_record(record, 2, key, writer)
    opened = open_record(blob, rid, 2, key, {writer.sign_pk})
    assert opened.record == record and opened.signer_sign_pk == writer.sign_pk
    for args in (
        (blob, rid, 3, key, {writer.sign_pk}),  # served as another version
        (blob, f"{0:032x}", 2, key, {writer.sign_pk}),  # served under another id
        (blob, rid, 2, other_key, {writer.sign_pk}),  # another register key
        (blob, rid, 2, key, {stranger.sign_pk}),  # a signer no roster lists
        (blob.replace(b'"ct":"', b'"ct":"A'), rid, 2, key, {writer.sign_pk}),
    ):
        with pytest.raises(ProtocolError):
            open_record(*args)
    forged = seal_record(record, 2, key, stranger)
    with pytest.raises(ProtocolError):
        open_record(forged, rid, 2, key, {writer.sign_pk})
    assert [contact_bucket(n) for n in (0, 1, 2, 5, 6, 10, 11, 500)] == [
        "1",
        "1",
        "2-5",
        "2-5",
        "6-10",
        "6-10",
        "11+",
        "11+",
    ]


def test_csv_labels_never_run_as_formulas() -> None:
    records = [case("2026-01", "=HYPERLINK(1)") for _ in range(6)]
    text = report_csv(build_report(records, Period.year(2026)))
    assert "org_code,'=HYPERLINK(1),6,< 5" in text
