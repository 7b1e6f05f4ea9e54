"""How a counsellor presents themselves to reporters (role, introduction, availability): one nullable
JSON text column the org admin reads to sign it into the next roster (docs/protocol.md §8, §16).

Revision ID: 0007_counsellor_presentation
Revises: 0005_stats_hardening
Create Date: 2026-12-01 13:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_counsellor_presentation"
down_revision: str | None = "0005_stats_hardening"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("counsellors") as batch:
        batch.add_column(sa.Column("presentation", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("counsellors") as batch:
        batch.drop_column("presentation")
