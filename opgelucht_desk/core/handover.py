"""Who reads a conversation, as the desk shows and changes it: the reporter's chosen counsellors, the
colleagues a chosen counsellor may ask to bring in, and the handover request (a signed HANDOVER
message to the reporter). Only the reporter's signed consent changes the set (core/inbox.py applies
it); the requesting desk then shares the history (core/membership.py). docs/protocol.md §16."""

from __future__ import annotations

import uuid

from opgelucht_desk.core.errors import DeskError, NotAllowedError
from opgelucht_desk.core.model import Colleague, HandoverView
from opgelucht_desk.core.session import Session
from opgelucht_desk.core.writing import queue_message
from opgelucht_desk.protocol.envelope import MessageType
from opgelucht_desk.protocol.recipients import MAX_MEMBERS, HandoverRequest

_STATES = {"asked", "accepted", "declined"}


def _me(s: Session) -> str | None:
    return s.trust.staff.counsellor_of.get(s.keys.sign_pk)


def colleagues(s: Session, conv_id: uuid.UUID | str) -> list[Colleague]:
    """Counsellors of the newest roster (with a device) who cannot read the conversation yet: whom a
    handover could bring in. Empty for a conversation every counsellor reads."""
    conv = s.conv(conv_id)
    roster = s.trust.tracker.current
    if conv.members is None or roster is None:
        return []
    reachable = {str(c.counsellor_id) for c, _d in roster.valid_devices()}
    return [
        Colleague(c.counsellor_id, c.display_name, c.role, dict(c.availability))
        for c in roster.counsellors
        if str(c.counsellor_id) in reachable and str(c.counsellor_id) not in conv.members
    ]


def handovers(s: Session, conv_id: uuid.UUID | str) -> list[HandoverView]:
    """The conversation's handover requests, oldest first, with the reporter's answer so far."""
    conv = s.conv(conv_id)
    names = s.trust.staff.names
    out = []
    for msg_id, h in conv.handovers.items():
        state = h.get("state", "asked")
        out.append(
            HandoverView(
                request_id=uuid.UUID(msg_id),
                colleague=names.get(h["colleague"], ""),
                asked_by=h.get("by", ""),
                state=state if state in _STATES else "asked",  # type: ignore[arg-type]
            )
        )
    return out


async def request_handover(s: Session, conv_id: uuid.UUID | str, colleague_id: uuid.UUID | str) -> None:
    """Ask the reporter (a signed HANDOVER message in the chat) to let ``colleague_id`` read the
    conversation. Only a chosen counsellor may ask, only for a colleague of the roster who is not a
    member yet. Nothing changes until the reporter consents."""
    conv = s.conv(conv_id)
    if conv.members is None:
        raise DeskError("Every counsellor can already read this conversation.")
    if _me(s) not in conv.members:
        raise NotAllowedError("The reporter did not choose you for this conversation.")
    colleague = str(colleague_id)
    if colleague not in {str(c.counsellor_id) for c in colleagues(s, conv_id)}:
        raise DeskError("This colleague is not on the roster, or can already read the conversation.")
    if len(conv.members) >= MAX_MEMBERS:
        raise DeskError(f"A conversation has at most {MAX_MEMBERS} counsellors.")
    if any(h.get("state") == "asked" and h["colleague"] == colleague for h in conv.handovers.values()):
        raise DeskError("The reporter has not answered the request for this colleague yet.")
    request = HandoverRequest(uuid.UUID(colleague), conv.members_counter)
    await queue_message(s, conv, MessageType.HANDOVER, request.to_payload(), "")
    s.changed()
