"""Workflow, field work: editable/withdrawable verifications, photo EXIF checks.

Revision ID: wf0002
Revises: wf0001
Create Date: 2026-11-23 13:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "wf0002"
down_revision = "wf0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("wf_verification", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="submitted")
        )
        batch_op.add_column(sa.Column("replaces_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("visited_at", sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_wf_verification_replaces_id_wf_verification"),
            "wf_verification",
            ["replaces_id"],
            ["id"],
        )
    with op.batch_alter_table("wf_photo", schema=None) as batch_op:
        batch_op.add_column(sa.Column("taken_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("gps_lon", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("gps_lat", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("warnings", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("wf_photo", schema=None) as batch_op:
        for col in ("warnings", "gps_lat", "gps_lon", "taken_at"):
            batch_op.drop_column(col)
    with op.batch_alter_table("wf_verification", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_wf_verification_replaces_id_wf_verification"), type_="foreignkey")
        batch_op.drop_column("visited_at")
        batch_op.drop_column("replaces_id")
        batch_op.drop_column("status")
