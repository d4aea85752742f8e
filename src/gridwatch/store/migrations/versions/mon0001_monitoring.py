"""Monitoring: device registry, readings, alarms, restriction periods, emergency plans.

Revision ID: mon0001
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "mon0001"
down_revision = "0002"
branch_labels = ("monitoring",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mon_enterprise",
        sa.Column("enterprise_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("account_no", sa.String(64), nullable=True),
        sa.Column("division_code", sa.String(12), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_mon_enterprise_account_no", "mon_enterprise", ["account_no"])
    op.create_index("ix_mon_enterprise_division_code", "mon_enterprise", ["division_code"])
    op.create_table(
        "mon_point",
        sa.Column("mn", sa.String(32), primary_key=True),
        sa.Column(
            "enterprise_id",
            sa.String(64),
            sa.ForeignKey("mon_enterprise.enterprise_id", name="fk_mon_point_enterprise_id_mon_enterprise"),
            nullable=False,
        ),
        sa.Column("password", sa.String(32), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_mon_point_enterprise_id", "mon_point", ["enterprise_id"])
    op.create_table(
        "mon_channel",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "mn",
            sa.String(32),
            sa.ForeignKey("mon_point.mn", name="fk_mon_channel_mn_mon_point"),
            nullable=False,
        ),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("pairs_with", sa.String(32), nullable=True),
        sa.Column("rated_kw", sa.Float(), nullable=True),
        sa.Column("current_code", sa.String(16), nullable=False),
        sa.Column("power_code", sa.String(16), nullable=False),
        sa.Column("kwh_code", sa.String(16), nullable=False),
        sa.UniqueConstraint("mn", "channel_id", name="uq_mon_channel_mn_channel"),
    )
    op.create_index("ix_mon_channel_mn", "mon_channel", ["mn"])
    op.create_table(
        "mon_reading",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("mn", sa.String(32), nullable=False),
        sa.Column("cn", sa.String(8), nullable=False),
        sa.Column("qn", sa.String(20), nullable=True),
        sa.Column("data_time", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("cp", sa.Text(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.UniqueConstraint("mn", "cn", "data_time", name="uq_mon_reading_mn_cn_time"),
    )
    op.create_index("ix_mon_reading_received_at", "mon_reading", ["received_at"])
    op.create_table(
        "mon_alarm",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("detector", sa.String(32), nullable=False),
        sa.Column("dedup_key", sa.String(200), nullable=False),
        sa.Column("mn", sa.String(32), nullable=False),
        sa.Column("enterprise_id", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=True),
        sa.Column("grade", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("data_time", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_mon_alarm_detector", "mon_alarm", ["detector"])
    op.create_index("ix_mon_alarm_mn", "mon_alarm", ["mn"])
    op.create_index("ix_mon_alarm_enterprise_id", "mon_alarm", ["enterprise_id"])
    op.create_index("ix_mon_alarm_status_key", "mon_alarm", ["status", "dedup_key"])
    meta = op.create_table(
        "mon_meta",
        sa.Column("key", sa.String(32), primary_key=True),
        sa.Column("value", sa.Integer(), nullable=False),
    )
    op.bulk_insert(meta, [{"key": "registry_version", "value": 0}])
    op.create_table(
        "mon_restriction",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("enterprise_id", sa.String(64), nullable=True),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("limit_pct", sa.Float(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_mon_restriction_enterprise_id", "mon_restriction", ["enterprise_id"])
    op.create_table(
        "mon_emergency_plan",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "enterprise_id",
            sa.String(64),
            sa.ForeignKey(
                "mon_enterprise.enterprise_id", name="fk_mon_emergency_plan_enterprise_id_mon_enterprise"
            ),
            nullable=False,
        ),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("limit_pct", sa.Float(), nullable=False),
        sa.UniqueConstraint("enterprise_id", "level", name="uq_mon_emergency_plan_ent_level"),
    )


def downgrade() -> None:
    for table in (
        "mon_emergency_plan",
        "mon_restriction",
        "mon_alarm",
        "mon_reading",
        "mon_channel",
        "mon_point",
        "mon_enterprise",
    ):
        op.drop_table(table)
