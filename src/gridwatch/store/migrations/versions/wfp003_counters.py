"""Workflow: named change counters (``wf_counter``), first ``accounts``.

``accounts`` is incremented in the transaction of every change that can end a credential (logout, password
reset, disabling or enabling an account), so server processes may cache "credential -> actor" and still
refuse a revoked session or token on its next request.

Revision ID: wfp003
Revises: wfp002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "wfp003"
down_revision = "wfp002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "wf_counter",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.Integer(), nullable=False),
    )
    op.bulk_insert(table, [{"name": "accounts", "value": 0}])


def downgrade() -> None:
    op.drop_table("wf_counter")
