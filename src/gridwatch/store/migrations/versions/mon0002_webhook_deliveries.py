"""Monitoring: durable webhook deliveries (written with the alarm change, delivered after a restart too).

Revision ID: mon0002
Revises: mon0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "mon0002"
down_revision = "mon0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mon_webhook",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("alarm_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
    )
    op.create_index("ix_mon_webhook_status_next", "mon_webhook", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_mon_webhook_status_next", table_name="mon_webhook")
    op.drop_table("mon_webhook")
