"""Health-code conditions: versions of the screening rule file.

Revision ID: hc0001
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "hc0001"
down_revision = "0002"
branch_labels = ("healthcode",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hc_ruleset",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("jurisdiction_code", sa.String(12), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("activated_by", sa.String(64), nullable=True),
        sa.Column("activated_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_hc_ruleset_status", "hc_ruleset", ["status"])


def downgrade() -> None:
    op.drop_index("ix_hc_ruleset_status", table_name="hc_ruleset")
    op.drop_table("hc_ruleset")
