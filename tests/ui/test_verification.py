"""A message that fails verification is shown as a clear warning, never as trusted content."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
from kit.relay import RelayServer
from pytestqt.qtbot import QtBot

from opgelucht_desk.core.desk import Desk
from opgelucht_desk.protocol.encoding import b64e
from opgelucht_desk.protocol.envelope import ZERO_HASH, MessageType, seal_message
from opgelucht_desk.protocol.keys import DeviceKeys
from opgelucht_desk.protocol.request_auth import sign_request
from opgelucht_desk.ui.controller import Controller
from opgelucht_desk.ui.inbox_model import Column
from opgelucht_relay.clock import unix
from opgelucht_reporter.client import ReporterClient
from ui.flows import TIMEOUT_MS, create_code, enrol, new_reporter

Run = Callable[[Coroutine[Any, Any, Any]], Any]


async def _post_forged(relay: RelayServer, reporter: ReporterClient, conv_id: uuid.UUID) -> None:
    """Through the reporter's own device channel, a message signed by a key that is not the reporter's."""
    roster = reporter.roster
    assert roster is not None
    envelope = seal_message(
        conv_id=conv_id,
        msg_id=uuid.uuid4(),
        roster_version=roster.version,
        sender=DeviceKeys.generate(),
        seq=1,
        msg_type=MessageType.TEXT,
        prev_hash=ZERO_HASH,
        roster_hash=ZERO_HASH,
        payload=b"Vertrouw mij, ik ben de melder",
        recipients=[*roster.recipient_keys(), reporter.keys.enc_pk],
    )
    path = f"/v1/device/conversations/{conv_id}/messages"
    body = json.dumps({"envelope": b64e(envelope)}).encode()
    headers = sign_request(
        reporter.device_id, reporter.keys.sign_seed, "POST", path, body, now=unix(relay.clock.now())
    )
    async with httpx.AsyncClient(base_url=relay.url) as http:
        response = await http.post(
            path, content=body, headers={**headers, "Content-Type": "application/json"}
        )
    assert response.status_code == 201, response.text


def test_forged_message_is_marked_and_its_text_not_shown(
    qtbot: QtBot,
    relay: RelayServer,
    run: Run,
    open_desk: Callable[[str], Desk],
    make_controller: Callable[..., Controller],
    tmp_path: Path,
) -> None:
    desk = open_desk("verify")
    controller = make_controller(desk)
    main = enrol(
        qtbot, controller, relay, relay.new_org("Veilig BV"), username="veilig", display_name="Vera"
    ).main
    code = create_code(qtbot, main, "Hoofdkantoor")
    main.tabs.setCurrentWidget(main.inbox)
    inbox = main.inbox
    reporter = run(new_reporter(tmp_path, relay, code, "Kim"))
    conv_id = run(reporter.open_conversation())
    run(reporter.say(conv_id, "Echt bericht van Kim"))
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 1, timeout=TIMEOUT_MS)
    run(_post_forged(relay, reporter, conv_id))

    qtbot.waitUntil(
        lambda: str(inbox.model.index(0, Column.PSEUDONYM).data()).startswith("⚠"), timeout=TIMEOUT_MS
    )
    inbox.table.selectRow(0)
    view = inbox.conversation
    qtbot.waitUntil(lambda: view.problem.isVisible(), timeout=TIMEOUT_MS)
    assert "Verificatieprobleem" in view.problem.text()
    failed = [b for b in view._bubbles if b.message.state == "verification_failed"]
    assert len(failed) == 1
    assert "VERIFICATIE MISLUKT" in failed[0].meta.text()
    assert failed[0].meta.objectName() == "bubbleMetaProblem"
    assert failed[0].bubble.text() == "(Dit bericht is niet geverifieerd; de inhoud wordt niet getoond.)"
    assert all("Vertrouw mij" not in b.bubble.text() for b in view._bubbles)
    assert any(b.bubble.text() == "Echt bericht van Kim" for b in view._bubbles)
    run(reporter.aclose())
