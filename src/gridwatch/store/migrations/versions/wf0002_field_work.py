"""Workflow, field work: editable/withdrawable verifications, trade checklists, photo EXIF checks,
notification cursors.

Revision ID: wf0002_field
Revises: wf0001
Create Date: 2026-11-23 13:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "wf0002_field"
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
        batch_op.add_column(sa.Column("checklist", sa.JSON(), nullable=True))
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
    op.create_table(
        "wf_notice_cursor",
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seen_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["wf_user.id"], name=op.f("fk_wf_notice_cursor_user_id_wf_user")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_wf_notice_cursor")),
    )


def downgrade() -> None:
    op.drop_table("wf_notice_cursor")
    with op.batch_alter_table("wf_photo", schema=None) as batch_op:
        for col in ("warnings", "gps_lat", "gps_lon", "taken_at"):
            batch_op.drop_column(col)
    with op.batch_alter_table("wf_verification", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_wf_verification_replaces_id_wf_verification"), type_="foreignkey")
        batch_op.drop_column("checklist")
        batch_op.drop_column("visited_at")
        batch_op.drop_column("replaces_id")
        batch_op.drop_column("status")
