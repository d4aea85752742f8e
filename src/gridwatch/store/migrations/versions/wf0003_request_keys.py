"""Workflow: idempotency keys of replayable submissions (``wf_request_key``).

A verification queued on a phone without signal may reach the server twice (the answer to the first send
was lost, or the page and the service worker both sent it); the key makes the second one a no-op.

Revision ID: wf0003_keys
Revises: wfp003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "wf0003_keys"
down_revision = "wfp003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wf_request_key",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("verification_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["wf_user.id"], name=op.f("fk_wf_request_key_user_id_wf_user")),
        sa.ForeignKeyConstraint(["order_id"], ["wf_order.id"], name=op.f("fk_wf_request_key_order_id_wf_order")),
        sa.ForeignKeyConstraint(
            ["verification_id"],
            ["wf_verification.id"],
            name=op.f("fk_wf_request_key_verification_id_wf_verification"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wf_request_key")),
        sa.UniqueConstraint("user_id", "key", name="uq_wf_request_key_user_key"),
    )


def downgrade() -> None:
    op.drop_table("wf_request_key")
