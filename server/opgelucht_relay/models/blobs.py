"""Encrypted file blobs (docs/protocol.md §15): opaque padded bytes tied to one conversation.

The row holds only what the relay needs to serve and delete a blob: its id, org, conversation, length,
SHA-256 of the stored bytes (an upload retried with the same id and bytes is the same upload) and times.
The bytes are in ``data`` when the relay stores blobs in its database (PostgreSQL by default), or in a
file ``<data_dir>/blobs/<blob_id>`` beside the SQLite database (services/blob_store.py).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, Uuid
from sqlalchemy.orm import Mapped, deferred, mapped_column

from opgelucht_relay.db import Base, UTCDateTime


class Blob(Base):
    __tablename__ = "blobs"

    blob_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    conv_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.conv_id", ondelete="CASCADE"), index=True
    )
    size: Mapped[int] = mapped_column(Integer)
    digest: Mapped[bytes] = mapped_column(LargeBinary(32))
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    data: Mapped[bytes | None] = deferred(mapped_column(LargeBinary, nullable=True))
