"""SQLite: a cached read checks the change counters with ``PRAGMA data_version`` on a kept connection —
no statement through the pool — and still sees every write and revocation of another process on the very
next request."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from gridwatch.web.app import create_app
from gridwatch.workflow.accounts import actor_of
from tests.web.test_read_cache import second_process
from tests.web.test_response_cache import POOL, bearer, responses
from tests.workflow.fixtures import COMMUNITY, TOWN
from tests.workflow.helpers import add_order, user


@pytest.mark.parametrize("db_kind", ["sqlite"], indirect=True)
def test_hits_touch_no_pool_and_another_process_writes_show_on_the_next_request(platform):
    p = platform
    other = second_process(p)
    try:
        with TestClient(create_app(p.workspace, p)) as a, TestClient(create_app(other.workspace, other)) as b:
            watch = p.credentials.feed
            assert watch is not None and type(watch).__name__ == "SqliteWatch"
            staff = bearer(a, p, "staff", "field_staff", COMMUNITY)
            admin = other.accounts.get_user(user(p, "admin", "street_admin", TOWN).user_id)
            ids = [add_order(p, f"03000019{i:02d}", COMMUNITY) for i in range(2)]
            assert a.get(POOL, headers=staff).json()["total"] == 2
            statements: list[str] = []
            event.listen(p.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
            hits = responses(a).hits
            for _ in range(3):
                r = a.get(POOL, headers=staff)
                assert r.json()["total"] == 2 and r.headers["x-cache"] == "hit"
            assert responses(a).hits == hits + 3 and statements == []  # no statement through the pool
            # a claim committed by the other process shows on the next read
            assert b.post(f"/api/v1/orders/{ids[0]}/claim", headers=staff).status_code == 200
            r = a.get(POOL, headers=staff)
            assert r.json()["total"] == 1 and r.headers["x-cache"] == "miss"
            # a revocation committed by the other process is refused on the next request
            uid = p.accounts.actor_for_token(staff["Authorization"][7:]).user_id
            other.accounts.reset_password(actor_of(admin), uid, "a-new-password")
            assert a.get(POOL, headers=staff).status_code == 401
    finally:
        other.close()
