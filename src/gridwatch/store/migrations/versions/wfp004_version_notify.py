"""Workflow, PostgreSQL only: every change of a change counter is announced with ``NOTIFY``.

A trigger on ``wf_area_version`` and ``wf_counter`` sends, in the transaction of the change (so it is
delivered only if and when that transaction commits, in commit order), one notification on the channel
``gw_versions_<schema>``: ``a <code> <seq>`` for an area counter, ``c <name> <value>`` for a named counter,
``r`` when rows are deleted or the tables truncated (listeners then reload everything).  Server processes
listen and keep the counters in memory (:mod:`gridwatch.workflow.version_feed`) instead of reading them on
every request.  SQLite has no notifications: nothing to do there.

Revision ID: wfp004
Revises: wf0003_keys
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "wfp004"
down_revision = "wf0003_keys"
branch_labels = None
depends_on = None

FUNCTION = """
CREATE OR REPLACE FUNCTION wf_notify_version() RETURNS trigger AS $$
DECLARE
  channel text := 'gw_versions_' || TG_TABLE_SCHEMA;
BEGIN
  IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
    PERFORM pg_notify(channel, 'r');
  ELSIF TG_TABLE_NAME = 'wf_area_version' THEN
    PERFORM pg_notify(channel, 'a ' || NEW.code || ' ' || NEW.seq);
  ELSE
    PERFORM pg_notify(channel, 'c ' || NEW.name || ' ' || NEW.value);
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql
"""
TABLES = ("wf_area_version", "wf_counter")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    for t in TABLES:
        op.execute(
            f"CREATE TRIGGER {t}_notify AFTER INSERT OR UPDATE OR DELETE ON {t} "
            "FOR EACH ROW EXECUTE FUNCTION wf_notify_version()"
        )
        op.execute(
            f"CREATE TRIGGER {t}_notify_truncate AFTER TRUNCATE ON {t} "
            "FOR EACH STATEMENT EXECUTE FUNCTION wf_notify_version()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for t in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {t}_notify ON {t}")
        op.execute(f"DROP TRIGGER IF EXISTS {t}_notify_truncate ON {t}")
    op.execute("DROP FUNCTION IF EXISTS wf_notify_version()")
