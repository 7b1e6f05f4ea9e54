"""Org admin features through the facade against the real relay: codes, articles, statistics, sessions."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from opgelucht_desk.core.api import RelayClient
from opgelucht_desk.core.desk import DeskConfig
from opgelucht_desk.core.errors import AuthExpiredError, GoneError
from opgelucht_relay.clock import ManualClock

from .conftest import RELAY_URL
from .desks import PASSWORD, EnrolledDesk


async def test_codes_can_be_created_listed_and_revoked(admin_desk: EnrolledDesk) -> None:
    desk = admin_desk.desk
    code = await desk.create_code("Kantoor Zuid")
    assert code.label == "Kantoor Zuid" and code.revoked_at is None
    assert code.qr_payload.startswith("opgelucht://")
    assert [c.code for c in await desk.codes()] == [code.code]
    await desk.revoke_code(code.code)
    [revoked] = await desk.codes()
    assert revoked.revoked_at is not None
    api = desk._unlocked().api
    with pytest.raises(GoneError):
        await api._call("GET", f"/v1/join/{code.code}", auth=False)  # the reporter's join


async def test_articles_round_trip(admin_desk: EnrolledDesk) -> None:
    desk = admin_desk.desk
    article = await desk.save_article(
        None, title="Wat doet een vertrouwenspersoon?", body="Uitleg.", language="nl", published=True
    )
    assert (article.title, article.published) == ("Wat doet een vertrouwenspersoon?", True)
    updated = await desk.save_article(
        article.id, title="Anders", body="Nieuwe uitleg.", language="nl", published=False
    )
    assert updated.id == article.id and updated.title == "Anders" and not updated.published
    assert [(a.id, a.title) for a in await desk.articles()] == [(article.id, "Anders")]
    await desk.delete_article(article.id)
    assert await desk.articles() == []


async def test_stats_of_an_ended_month(admin_desk: EnrolledDesk) -> None:
    desk = admin_desk.desk
    await desk.create_code("Afdeling A")
    report = await desk.stats("2026-10")
    assert report.period == "2026-10"
    # No device used the code: its row is suppressed (fewer than 5 devices), the total counts nobody.
    assert [(r.label, r.suppressed, r.devices) for r in report.rows] == [("Afdeling A", True, None)]
    assert (report.total.devices, report.total.counts) == (0, {})


async def test_sessions_are_listed_and_another_can_be_ended(
    admin_desk: EnrolledDesk, desk_config: Callable[[str], DeskConfig], clock: ManualClock
) -> None:
    desk = admin_desk.desk
    [mine] = await desk.sessions()
    assert mine.current
    # The same counsellor logged in elsewhere (a second session, as another computer would have).
    assert desk.account is not None
    other = RelayClient(RELAY_URL, transport=desk_config("x").transport)
    result = await other.login(desk.account.username, PASSWORD, admin_desk.totp(clock))
    other.token = str(result["token"])
    sessions = await desk.sessions()
    assert len(sessions) == 2
    [elsewhere] = [s for s in sessions if not s.current]
    await desk.end_session(elsewhere.session_id)
    with pytest.raises(AuthExpiredError):
        await other.sessions()
    assert [s.current for s in await desk.sessions()] == [True]
    await other.aclose()
