"""Logs, metrics and the audit log carry no secrets, addresses or content."""

from __future__ import annotations

import json
import logging
import uuid

import httpx
import pytest
from kit.actors import Actor, login
from sqlalchemy import select

from opgelucht_relay.audit import record
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.context import AppContext
from opgelucht_relay.logs import JsonFormatter
from opgelucht_relay.models import AuditEvent


async def test_logs_carry_no_tokens_passwords_or_addresses(
    client: httpx.AsyncClient, admin: Actor, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="opgelucht")
    token = (await login(client, clock, admin)).json()["token"]
    await client.post(
        "/v1/auth/login", json={"username": admin.username, "password": "wrong password 42", "totp_code": "1"}
    )
    await client.get("/v1/org/codes", headers={"Authorization": f"Bearer {token}"})
    formatter = JsonFormatter()
    lines = [formatter.format(r) for r in caplog.records]
    assert any(json.loads(line).get("route") == "/v1/auth/login" for line in lines)
    text = "\n".join(lines)
    for secret in (token, admin.token, admin.password, "wrong password 42", admin.totp_secret, "127.0.0.1"):
        assert secret not in text
    assert all(json.loads(line)["level"] for line in lines)


async def test_metrics_are_counters_without_ids(
    client: httpx.AsyncClient, admin: Actor, clock: ManualClock, ctx: AppContext
) -> None:
    await login(client, clock, admin)
    await client.get(f"/v1/org/counsellors/{admin.counsellor_id}", headers=admin.headers)
    text = ctx.metrics.render().decode()  # what the metrics listener serves
    assert 'opg_logins_total{outcome="ok"} 1.0' in text
    assert str(admin.counsellor_id) not in text and str(admin.org_id) not in text
    types = {line.split()[3] for line in text.splitlines() if line.startswith("# TYPE")}
    assert types == {"counter"}


async def test_audit_refuses_free_text_values(ctx: AppContext) -> None:
    async with ctx.db.sessions() as db:
        with pytest.raises(TypeError):
            record(db, "oops", at=ctx.clock.now(), detail={"text": "a message"})
        record(db, "fine", at=ctx.clock.now(), org_id=uuid.uuid4(), counsellor_id=uuid.uuid4(), version=2)
        await db.commit()
        row = (await db.execute(select(AuditEvent).where(AuditEvent.event == "fine"))).scalar_one()
    assert row.fields["version"] == 2 and isinstance(row.fields["counsellor_id"], str)
