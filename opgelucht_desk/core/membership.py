"""After a handover the reporter consented to, the requesting counsellor's desk shares the
conversation's history with the colleague's current devices: one signed ``opg/rewrap/v1`` record per
message and device, and only to counsellors the conversation's recipient set now names
(docs/protocol.md §16). Run by the sync engine after each round; Qt-free, session-free."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable

from opgelucht_desk.core.api import RelayClient
from opgelucht_desk.core.cache import EncryptedCache
from opgelucht_desk.core.inbox import STATE_UNSHARED, ConversationRecord, Inbox, MessageRecord
from opgelucht_desk.core.trust import Trust
from opgelucht_desk.protocol.encoding import b64d, b64e
from opgelucht_desk.protocol.keys import DeviceKeys, key_id
from opgelucht_desk.protocol.rewrap import make_rewrap

WRAPS_PER_REQUEST = 200


def _due(conv: ConversationRecord, my_sign_pk: str) -> list[str]:
    """The colleagues of accepted handovers this device asked for and has not shared with yet."""
    members = conv.members or []
    return [
        h["colleague"]
        for h in conv.handovers.values()
        if h.get("state") == "accepted"
        and h.get("sender") == my_sign_pk
        and not h.get("shared")
        and h["colleague"] in members
    ]


def wraps_for(
    messages: Iterable[MessageRecord], targets: list[bytes], keys: DeviceKeys
) -> tuple[list[dict[str, str]], list[MessageRecord]]:
    """Re-wrap records of every opened message for the ``targets`` (X25519 keys) that lack a stanza."""
    wraps: list[dict[str, str]] = []
    changed: list[MessageRecord] = []
    for m in messages:
        if m.content_key is None or m.state == STATE_UNSHARED:
            continue
        for target in targets:
            kid = b64e(key_id(target))
            if kid in m.key_ids:
                continue
            record = make_rewrap(
                conv_id=uuid.UUID(m.conv_id),
                msg_id=uuid.UUID(m.msg_id),
                content_key=b64d(m.content_key),
                target_enc_pk=target,
                signer=keys,
            )
            wraps.append(
                {
                    "conv_id": m.conv_id,
                    "msg_id": m.msg_id,
                    "key_id": kid,
                    "wrap": b64e(record.wrap),
                    "record": b64e(record.to_bytes()),
                }
            )
            m.key_ids.append(kid)
            changed.append(m)
    return wraps, changed


async def share_handovers(
    *, inbox: Inbox, trust: Trust, keys: DeviceKeys, api: RelayClient, cache: EncryptedCache
) -> int:
    """Share the history of each conversation whose handover (asked by this device) the reporter
    accepted with the colleague's current devices. Returns the number of keys shared."""
    me = b64e(keys.sign_pk)
    total = 0
    for conv in list(inbox.conversations.values()):
        colleagues = _due(conv, me)
        if not colleagues:
            continue
        inbox.ensure_loaded(conv.conv_id)
        messages = sorted(inbox.messages.get(conv.conv_id, {}).values(), key=lambda m: m.cursor)
        wraps, changed = wraps_for(messages, trust.staff.keys_of(colleagues), keys)
        for i in range(0, len(wraps), WRAPS_PER_REQUEST):
            await api.post_wraps(wraps[i : i + WRAPS_PER_REQUEST])
        for h in conv.handovers.values():
            if h["colleague"] in colleagues and h.get("sender") == me:
                h["shared"] = "yes"
        await asyncio.to_thread(cache.save, [conv.to_cache()], [m.to_cache() for m in changed])
        total += len(wraps)
    return total
