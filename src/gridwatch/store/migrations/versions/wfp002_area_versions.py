"""Workflow: per-area change counters (``wf_area_version``).

Every order event also records its ``seq`` against each area code of the order (city, district, street,
community, grid cell), so cached dashboards and list counts of one area survive writes in other areas.

Revision ID: wfp002
Revises: wfp001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "wfp002"
down_revision = "wfp001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wf_area_version",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("seq", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("wf_area_version")
