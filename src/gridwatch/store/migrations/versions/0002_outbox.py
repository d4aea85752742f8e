"""Suspect outbox shared by producers (alarms, screening) and the work-order intake.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "suspect_outbox",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("source_ref", sa.String(128), nullable=False),
        sa.Column("account_no", sa.String(64), nullable=True),
        sa.Column("grade", sa.String(16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("consumed_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_suspect_outbox_source", "suspect_outbox", ["source"])
    op.create_index("ix_suspect_outbox_account_no", "suspect_outbox", ["account_no"])
    op.create_index("ix_suspect_outbox_consumed_at", "suspect_outbox", ["consumed_at"])


def downgrade() -> None:
    op.drop_table("suspect_outbox")
