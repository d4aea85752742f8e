from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from gridwatch.config import Settings, WebSettings
from gridwatch.workflow.jurisdiction import LEVEL_ORDER, ORDER_COLUMN
from gridwatch.workflow.platform import Platform
from gridwatch.workflow.tables import AreaVersion, Event, WorkOrder
from gridwatch.workspace import Workspace
from tests.workflow.dbs import PgSchemas, require_pg

FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=256, parallelism=1)

DISTRICT = "440106"  # 天河区
TOWN = "440106001"
COMMUNITY = "440106001001"
OTHER_TOWN = "440106002"


def make_url(kind: str, tmp_path, pg_schemas) -> str:
    if kind == "postgres":
        require_pg()
        return pg_schemas.new_url()
    return f"sqlite:///{tmp_path / 'gw.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_kind(request) -> str:
    return request.param


EXACT = Settings(web=WebSettings(version_feed_max_lag_ms=0))
"""Every request reads the change counters: a write by any process shows on the very next read, which the
tests of the caches assert (the bounded in-memory counters of PostgreSQL are tested in
``tests/web/test_version_feed.py``)."""


@pytest.fixture
def platform(db_kind, tmp_path, pg_schemas):
    ws = Workspace(home=tmp_path / "home", settings=EXACT)
    ws.home.mkdir()
    url = make_url(db_kind, tmp_path, pg_schemas)
    p = Platform.open(ws, url=url, hasher=FAST_HASHER)
    p.accounts.sync_jurisdictions("4401")
    yield p
    try:
        assert_area_versions_follow_events(p)
    finally:
        p.close()


def assert_area_versions_follow_events(p: Platform) -> None:
    """After any test: every area's change counter is the seq of the newest event about one of its orders
    (so every code path that appended an order event also bumped the counters of the order's areas)."""
    expected: dict[str, int] = {}
    with p.engine.connect() as con:
        for level in LEVEL_ORDER:
            col = getattr(WorkOrder, ORDER_COLUMN[level])
            q = (
                select(col, func.max(Event.seq))
                .join(WorkOrder, WorkOrder.id == Event.order_id)
                .where(col.is_not(None))
                .group_by(col)
            )
            expected |= {code: seq for code, seq in con.execute(q)}
        actual = dict(con.execute(select(AreaVersion.code, AreaVersion.seq)).all())
    assert actual == expected


@pytest.fixture(scope="session")
def pg_schemas():
    schemas = PgSchemas()
    yield schemas
    schemas.drop_all()
