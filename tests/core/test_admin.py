"""Org admin features through the facade against the real relay: codes, articles, statistics, sessions."""

from __future__ import annotations

import pytest

from opgelucht_desk.core.errors import GoneError

from .kit import EnrolledDesk


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
        await api.join(code.code)


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
