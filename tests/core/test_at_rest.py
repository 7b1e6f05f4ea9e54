"""What stays on disk: no plaintext or key bytes (SECURITY-TESTS 22), the 31-day rule (14) and
conversations the relay no longer lists."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import pytest
from kit.reporter import CANARY_PSEUDONYM, CANARY_TEXT, Reporter

from opgelucht_desk.core.keystore import KeySecrets
from opgelucht_relay.clock import ManualClock

from .desks import PASSWORD, EnrolledDesk

NOTE_CANARY = "NOTITIE-kanarie-31aa"
DRAFT_CANARY = "CONCEPT-kanarie-77b2"
REPLY_CANARY = "ANTWOORD-kanarie-c0de"


def _key_bytes(ks: KeySecrets) -> list[bytes]:
    keys = [ks.device_enc_sk, ks.device_sign_seed, ks.identity_seed, ks.cache_key]
    return keys + ([ks.org_seed] if ks.org_seed else [])


async def test_data_dir_temp_files_and_logs_hold_no_plaintext_or_keys(
    admin_desk: EnrolledDesk,
    reporter: Reporter,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    caplog.set_level(logging.DEBUG)
    desk = admin_desk.desk
    await reporter.hello(CANARY_PSEUDONYM)
    await reporter.text(CANARY_TEXT)
    await desk.sync_now()
    conv_id = reporter.conv_id
    await desk.add_note(conv_id, NOTE_CANARY)
    desk.save_draft(conv_id, DRAFT_CANARY)
    await desk.reply(conv_id, REPLY_CANARY)
    await desk.sync_now()
    assert [m.text for m in desk.messages(conv_id)] == [CANARY_TEXT, REPLY_CANARY]
    key_bytes = _key_bytes(desk._unlocked().secrets)
    await desk.lock()  # keep the files as a thief would find them (WAL included)

    files = [f for f in desk.config.data_dir.rglob("*") if f.is_file()]
    assert {f.name for f in files} >= {"cache.sqlite3", "keys.bin", "account.json"}
    canaries = [c.encode() for c in (CANARY_TEXT, CANARY_PSEUDONYM, NOTE_CANARY, DRAFT_CANARY, REPLY_CANARY)]
    for f in [*files, *temp.rglob("*")]:
        if not f.is_file():
            continue
        data = f.read_bytes()
        for needle in [*canaries, *[c.lower() for c in canaries]]:
            assert needle not in data, f"plaintext in {f.name}"
        for key in key_bytes:
            assert key not in data, f"key bytes in {f.name}"
            assert key.hex().encode() not in data
    for record in caplog.records:
        line = record.getMessage()
        assert not any(c.decode() in line for c in canaries)


async def test_31_day_rule_purges_the_cache(
    admin_desk: EnrolledDesk, reporter: Reporter, clock: ManualClock
) -> None:
    desk = admin_desk.desk
    await reporter.hello()
    await reporter.text(CANARY_TEXT)
    await desk.sync_now()
    clock.advance(days=20)
    await desk.lock()
    await desk.login(PASSWORD, admin_desk.totp(clock))
    await desk.publish_roster()  # the 14-day roster expired meanwhile
    await reporter.text("later bericht")
    await desk.sync_now()
    assert [m.text for m in desk.messages(reporter.conv_id)] == [CANARY_TEXT, "later bericht"]
    clock.advance(days=12)  # the first message is now 32 days old: gone at start-up, even offline
    await desk.lock()
    await desk.login(PASSWORD, admin_desk.totp(clock))
    assert [m.text for m in desk.messages(reporter.conv_id)] == ["later bericht"]
    assert desk.stored_data_summary().messages == 1
    clock.advance(days=31)
    await desk.lock()
    await desk.login(PASSWORD, admin_desk.totp(clock))
    assert desk.conversations() == []
    assert desk.stored_data_summary().messages == 0


async def test_conversation_deleted_on_the_relay_disappears_locally(
    admin_desk: EnrolledDesk, reporter: Reporter
) -> None:
    desk = admin_desk.desk
    await reporter.hello()
    await reporter.text(CANARY_TEXT)
    await desk.sync_now()
    desk.save_draft(reporter.conv_id, "concept")
    await reporter.client.forget()  # the employee deletes their data
    await desk.sync_now()
    assert desk.conversations() == []
    assert desk.stored_data_summary().drafts == 0
