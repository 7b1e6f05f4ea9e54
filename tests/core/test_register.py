"""The case register end to end (docs/case-register.md), on SQLite and PostgreSQL relays: it outlives the
31-day deletion without a trace of the conversation, two desks produce the same report, a desk enrolled
later gets the register, and a tampered record from the relay is refused and flagged."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from kit.actors import create_invitation_for
from kit.reporter import CANARY_PSEUDONYM, CANARY_TEXT, Reporter
from relay.conftest import pg_server, pg_template  # noqa: F401 - the PostgreSQL relay of these tests
from sqlalchemy import func, select

from opgelucht_desk.core.annual_report import Period
from opgelucht_desk.core.desk import Desk, DeskConfig
from opgelucht_desk.core.errors import DeskError
from opgelucht_desk.core.events import DeskListener
from opgelucht_desk.core.model import Category, Status
from opgelucht_desk.core.register import REGISTER_META
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.context import AppContext
from opgelucht_relay.jobs import run_job
from opgelucht_relay.models import Conversation, Device, Message
from opgelucht_relay.models.register import RegisterRecord

from .desks import PASSWORD, EnrolledDesk, enrol_desk
from .tampering import TamperingTransport

NOTE_CANARY = "NOTITIE-register-kanarie-4f"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """These tests run on both relay backends (the core's other tests use SQLite only)."""
    return str(request.param)


def pdf_text(path: Path) -> str:
    doc = pdfium.PdfDocument(path.read_bytes())
    try:
        return " ".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


async def colleague(
    admin: Desk, ctx: AppContext, clock: ManualClock, desk_config: Callable[[str], DeskConfig], name: str
) -> EnrolledDesk:
    assert admin.account is not None
    invitation = await create_invitation_for(ctx, admin.account.org_id)
    enrolled = await enrol_desk(desk_config(name.lower()), clock, invitation, name.lower(), name)
    await admin.publish_roster()
    await enrolled.desk.sync_now()
    return enrolled


def year_of(clock: ManualClock) -> Period:
    return Period.year(clock.now().year)


async def test_the_register_outlives_the_31_day_deletion_and_holds_no_trace_of_the_conversation(
    admin_desk: EnrolledDesk,
    reporter: Reporter,
    clock: ManualClock,
    ctx: AppContext,
    db_url: str,
    tmp_path: Path,
) -> None:
    desk = admin_desk.desk
    await reporter.hello(CANARY_PSEUDONYM)
    await reporter.text(CANARY_TEXT)
    await reporter.text("nog een bericht")
    await desk.sync_now()
    conv_id = str(reporter.conv_id)
    await desk.add_note(conv_id, NOTE_CANARY)
    await desk.set_category(conv_id, Category.PESTEN)
    await desk.set_status(conv_id, Status.CLOSED)
    await desk.sync_now()
    await desk.register().set_help_type(conv_id, "bemiddeling")
    register = desk.register()
    assert register.help_type(conv_id) == "bemiddeling"
    before = register.report(year_of(clock))
    assert (before.cases, before.closed) == (1, 1)
    assert dict(before.by_category) == {"pesten": 1}
    assert dict(before.by_help)["bemiddeling"] == 1
    assert before.by_code is not None and [r.label for r in before.by_code] == ["Afdeling A"]

    # 32 days on: the relay's retention job and the desk's purge delete the conversation everywhere.
    period = year_of(clock)
    clock.advance(days=32)
    await run_job(ctx, "retention")
    await desk.lock()
    await desk.login(PASSWORD, admin_desk.totp(clock))
    await desk.publish_roster()  # the 14-day roster expired meanwhile
    await desk.sync_now()
    await desk.register().sync()
    assert desk.conversations() == []
    async with ctx.db.sessions() as db:
        assert await db.scalar(select(func.count()).select_from(Conversation)) == 0
        assert await db.scalar(select(func.count()).select_from(Message)) == 0
        assert await db.scalar(select(func.count()).select_from(Device)) == 1  # the device itself stays
        blobs = list(await db.scalars(select(RegisterRecord.blob)))
    assert len(blobs) == 1
    after = desk.register().report(period)
    assert (after.cases, after.closed) == (1, 1)
    assert dict(after.by_help)["bemiddeling"] == 1

    # The canaries (text, pseudonym, note) and the conversation id are nowhere in the register: not in
    # the relay's copy, not in the desk's (decrypted) copy, not in the exports.
    pdf = tmp_path / "jaarverslag.pdf"
    csv_path = tmp_path / "jaarverslag.csv"
    await desk.register().save_pdf(pdf, period)
    await desk.register().save_csv(csv_path, period)
    local = desk._unlocked().cache.get_meta(REGISTER_META)
    assert local is not None
    needles = [CANARY_TEXT, CANARY_PSEUDONYM, NOTE_CANARY, conv_id, conv_id.replace("-", "")]
    haystacks = {
        "relay blob": b"".join(blobs).decode(),
        "desk register": local.decode(),
        "pdf text": pdf_text(pdf),
        "csv": csv_path.read_text(),
    }
    for blob in blobs:  # the blob's own fields, decoded, too
        haystacks["relay blob"] += json.dumps({k: str(v) for k, v in json.loads(blob).items()})
    for where, text in haystacks.items():
        for needle in needles:
            assert needle.lower() not in text.lower(), f"{needle!r} in the {where}"
    if db_url.startswith("sqlite"):
        relay_file = Path(db_url.split("///", 1)[1])
        raw = b"".join(p.read_bytes() for p in relay_file.parent.iterdir() if p.name.startswith("relay.db"))
        for needle in (CANARY_TEXT, CANARY_PSEUDONYM, NOTE_CANARY):
            assert needle.encode() not in raw
    text = " ".join(pdf_text(pdf).split())
    assert "Jaarverslag" in text and "Gemeente Testdorp" in text
    assert "bemiddeling 1" in text and "pesten 1" in text


async def test_two_desks_make_the_same_report_and_a_desk_enrolled_later_gets_the_register(
    admin_desk: EnrolledDesk,
    reporter: Reporter,
    clock: ManualClock,
    ctx: AppContext,
    desk_config: Callable[[str], DeskConfig],
) -> None:
    admin = admin_desk.desk
    bea = await colleague(admin, ctx, clock, desk_config, "Bea")
    try:
        await reporter.hello()
        await reporter.text("hallo")
        await admin.sync_now()
        await bea.desk.sync_now()
        conv_id = str(reporter.conv_id)
        await bea.desk.set_category(conv_id, Category.DISCRIMINATIE)
        await bea.desk.set_status(conv_id, Status.OPEN)
        await bea.desk.sync_now()
        await admin.sync_now()
        await admin.register().sync()
        await bea.desk.register().sync()
        await bea.desk.register().set_help_type(conv_id, "advies")
        await admin.register().sync()
        period = year_of(clock)
        report = admin.register().report(period)
        assert report == bea.desk.register().report(period)
        assert (report.cases, report.closed) == (1, 0)
        assert dict(report.by_category) == {"discriminatie": 1}
        assert dict(report.by_help)["advies"] == 1
        assert admin.register().key_id() == bea.desk.register().key_id() is not None
        await admin.register().set_help_type(conv_id, None)  # back to "not set", everywhere
        await bea.desk.register().sync()
        assert bea.desk.register().help_type(conv_id) is None
        await bea.desk.register().set_help_type(conv_id, "advies")
        await admin.register().sync()
        assert admin.register().report(period) == report

        cas = await colleague(admin, ctx, clock, desk_config, "Cas")
        try:
            await cas.desk.register().sync()  # nobody shared the key with this computer yet
            assert cas.desk.register().key is None
            await bea.desk.sync_now()  # Bea's desk sees the new roster and shares the key
            await bea.desk.register().sync()
            await cas.desk.register().sync()
            assert cas.desk.register().key_id() == admin.register().key_id()
            assert cas.desk.register().report(period) == report
            assert cas.desk.register().help_type(conv_id) == "advies"
            assert cas.desk.register().problems == []
        finally:
            await cas.desk.close()
    finally:
        await bea.desk.close()


async def test_a_tampered_register_record_is_refused_and_flagged(
    admin_desk: EnrolledDesk, reporter: Reporter, clock: ManualClock, network: TamperingTransport
) -> None:
    desk = admin_desk.desk
    await reporter.hello()
    await reporter.text("hallo")
    await desk.sync_now()
    conv_id = str(reporter.conv_id)
    await desk.set_category(conv_id, Category.INTEGRITEIT)
    await desk.sync_now()
    register = desk.register()
    await register.sync()
    good = register.report(year_of(clock))
    assert dict(good.by_category) == {"integriteit": 1}

    def tamper(page: Any) -> Any:
        for item in page["records"]:
            blob = json.loads(base64.b64decode(item["blob"]))
            ct = bytearray(base64.b64decode(blob["ct"]))
            ct[0] ^= 1
            blob["ct"] = base64.b64encode(bytes(ct)).decode()
            blob["version"] = item["version"] = item["version"] + 1
            item["blob"] = base64.b64encode(json.dumps(blob).encode()).decode()
        return page

    network.rewrites["/v1/register/records"] = tamper
    changed: list[bool] = []

    class Watch(DeskListener):
        def register_changed(self) -> None:
            changed.append(True)

    desk.add_listener(Watch())
    await register.sync()
    assert register.problems and "failed verification" in register.problems[0]
    assert register.report(year_of(clock)) == good  # the last good version is kept
    assert changed


async def test_the_admins_retention_deletes_records_on_the_relay_and_the_desks(
    admin_desk: EnrolledDesk, reporter: Reporter, clock: ManualClock, ctx: AppContext
) -> None:
    desk = admin_desk.desk
    await reporter.hello()
    await reporter.text("hallo")
    await desk.sync_now()
    register = desk.register()
    await register.sync()
    assert len(register.records) == 1 and register.retention_days == 730
    with pytest.raises(DeskError):
        await register.set_retention_days(10)
    await register.set_retention_days(40)
    clock.advance(days=45)  # the conversation went after 31 days; its record after 40
    await run_job(ctx, "retention")
    await run_job(ctx, "register_retention")
    async with ctx.db.sessions() as db:
        assert await db.scalar(select(func.count()).select_from(RegisterRecord)) == 0
    await desk.lock()
    await desk.login(PASSWORD, admin_desk.totp(clock))
    await desk.publish_roster()
    await desk.register().sync()
    assert desk.register().records == {} and desk.register().retention_days == 40
