"""Deadlines and overdue flags; the migration matches the table declarations."""

from __future__ import annotations

from datetime import timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from gridwatch.store.base import metadata
from gridwatch.workflow.dashboard import build
from gridwatch.workflow.orders import utcnow
from tests.workflow.fixtures import COMMUNITY, TOWN
from tests.workflow.helpers import add_order, user


def test_overdue_after_the_verification_deadline(platform):
    p = platform
    admin = user(p, "a", "street_admin", TOWN)
    staff = user(p, "s", "field_staff", COMMUNITY)
    late = add_order(p, "0300000301", COMMUNITY)
    done = add_order(p, "0300000302", COMMUNITY)
    p.orders.claim(staff, done)
    p.orders.verify(staff, done, outcome="vacant", trade=None, lon=None, lat=None, notes="", uploads=[])
    rev = user(p, "r", "reviewer", TOWN)
    p.orders.review(rev, done, decision="approve")  # closed: never overdue until evaluation
    later = utcnow() + timedelta(days=p.workspace.settings.workflow.verify_days + 1)
    p.orders.clock = lambda: later
    page = p.orders.list_orders(admin, overdue=True)
    assert [o.id for o in page.items] == [late] and page.items[0].overdue
    assert build(p.sessions, admin, now=later).overdue == 1


def test_migration_matches_declared_tables(platform):
    with platform.engine.connect() as con:
        diffs = compare_metadata(MigrationContext.configure(con), metadata)
    assert [d for d in diffs if "wf_" in repr(d)] == []
