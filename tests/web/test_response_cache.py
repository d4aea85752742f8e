"""Cached credentials and rendered responses stay exact: a write or a revocation made by any process shows
on the next request; masked and unmasked views never share an entry; keyset pages equal offset pages.
SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gridwatch.web.app import create_app
from gridwatch.workflow.accounts import actor_of
from gridwatch.workflow.tables import DataAccess
from gridwatch.workspace import Workspace
from tests.web.test_read_cache import second_process
from tests.workflow.fixtures import COMMUNITY, OTHER_TOWN, TOWN
from tests.workflow.helpers import add_order, user

OTHER_COMMUNITY = OTHER_TOWN + "008"
POOL = "/api/v1/orders?state=pooled&page_size=50"


@pytest.fixture
def two(platform):  # type: ignore[no-untyped-def]
    """Two server processes on one store: (this platform, its client, the other platform, its client)."""
    other = second_process(platform)
    with TestClient(create_app(platform.workspace, platform)) as a, TestClient(
        create_app(other.workspace, other)
    ) as b:
        yield platform, a, other, b
    other.close()


def bearer(client: TestClient, p, name: str, role: str, code: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    user(p, name, role, code)
    r = client.post("/api/v1/auth/token", json={"username": name, "password": "password123"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def responses(client: TestClient):  # type: ignore[no-untyped-def]
    return client.app.state.responses  # type: ignore[attr-defined]


def test_a_write_in_one_area_invalidates_exactly_that_areas_cached_pages(two):
    p, a, other, b = two  # noqa: RUF059
    staff_a = bearer(a, p, "staff_a", "field_staff", COMMUNITY)
    staff_b = bearer(a, p, "staff_b", "field_staff", OTHER_COMMUNITY)
    admin_a = bearer(a, p, "admin_a", "street_admin", TOWN)
    ids_a = [add_order(p, f"03000010{i:02d}", COMMUNITY) for i in range(3)]
    id_b = add_order(p, "0300001100", OTHER_COMMUNITY)
    assert a.get(POOL, headers=staff_a).json()["total"] == 3
    assert a.get(POOL, headers=staff_b).json()["total"] == 1
    dash = a.get("/api/v1/dashboard", headers=admin_a).json()
    cache = responses(a)
    hits, misses = cache.hits, cache.misses
    assert a.get(POOL, headers=staff_a).json()["total"] == 3  # served from the cache
    assert a.get("/api/v1/dashboard", headers=admin_a).json() == dash
    assert (cache.hits, cache.misses) == (hits + 2, misses)
    # the other process claims the order of street B: street A's list and dashboard stay cached
    assert b.post(f"/api/v1/orders/{id_b}/claim", headers=staff_b).status_code == 200
    assert a.get(POOL, headers=staff_a).json()["total"] == 3
    assert a.get("/api/v1/dashboard", headers=admin_a).json() == dash
    assert (cache.hits, cache.misses) == (hits + 4, misses)
    assert a.get(POOL, headers=staff_b).json()["total"] == 0  # street B's list: recomputed
    assert cache.misses == misses + 1
    # and a claim in street A (by the other process) shows on the next read of A's list and dashboard
    assert b.post(f"/api/v1/orders/{ids_a[0]}/claim", headers=staff_a).status_code == 200
    pool = a.get(POOL, headers=staff_a).json()
    assert pool["total"] == 2 and ids_a[0] not in [o["id"] for o in pool["items"]]
    assert a.get("/api/v1/dashboard", headers=admin_a).json()["funnel"]["claimed"] == 1
    assert cache.misses == misses + 3


def test_etag_and_not_modified_until_the_area_changes(two):
    p, a, other, b = two  # noqa: RUF059
    staff = bearer(a, p, "staff", "field_staff", COMMUNITY)
    oid = add_order(p, "0300001200", COMMUNITY)
    r = a.get(POOL, headers=staff)
    etag = r.headers["etag"]
    assert r.headers["cache-control"] == "private, no-cache"
    assert r.headers["x-cache"] == "miss"  # computed by the route
    assert a.get(POOL, headers=staff).headers["x-cache"] == "hit"  # answered by the middleware
    again = a.get(POOL, headers=staff | {"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert b.post(f"/api/v1/orders/{oid}/claim", headers=staff).status_code == 200
    changed = a.get(POOL, headers=staff | {"If-None-Match": etag})
    assert changed.status_code == 200 and changed.json()["total"] == 0 and changed.headers["etag"] != etag


def test_a_revoked_token_or_session_is_refused_on_the_next_request(two):
    """Revocation delay zero: the credential cache re-checks the accounts counter on every request."""
    p, a, other, b = two  # noqa: RUF059
    add_order(p, "0300001300", COMMUNITY)
    staff = bearer(a, p, "staff", "field_staff", COMMUNITY)
    admin = other.accounts.get_user(user(p, "admin", "street_admin", TOWN).user_id)
    assert a.get(POOL, headers=staff).status_code == 200
    assert a.get(POOL, headers=staff).status_code == 200  # cached credential and page
    creds = p.credentials
    assert creds.hits >= 1
    uid = p.accounts.actor_for_token(staff["Authorization"][7:]).user_id
    other.accounts.reset_password(actor_of(admin), uid, "a-new-password")  # revokes the tokens
    assert a.get(POOL, headers=staff).status_code == 401
    # a page session, ended by logout in the other process
    r = a.post("/login", data={"username": "staff", "password": "a-new-password"}, follow_redirects=False)
    assert r.status_code == 303
    assert a.get("/pool").status_code == 200
    assert a.get("/pool").status_code == 200
    other.accounts.bump_epoch(uid)
    assert a.get("/pool", follow_redirects=False).status_code == 303  # to the login page
    # a disabled account's fresh login and token stop at once as well
    r = a.post("/login", data={"username": "staff", "password": "a-new-password"}, follow_redirects=False)
    assert a.get("/pool").status_code == 200
    other.accounts.set_active(actor_of(admin), uid, False)
    assert a.get("/pool", follow_redirects=False).status_code == 303


def test_masked_and_unmasked_views_never_share_an_entry_and_raw_reads_are_logged(two):
    p, a, other, b = two  # noqa: RUF059
    add_order(p, "0300001400", COMMUNITY)
    admin = bearer(a, p, "city", "city_admin", "4401")  # masked
    analyst = bearer(a, p, "analyst", "analyst", "4401")  # sees personal data
    masked = a.get(POOL, headers=admin).json()["items"][0]
    assert masked["masked"] and masked["account_no"] == "03*****400"
    assert a.get(POOL, headers=admin).json()["items"][0] == masked  # cached
    with p.engine.connect() as con:
        logged = con.execute(select(func.count()).select_from(DataAccess)).scalar()
    for _ in range(2):
        raw = a.get(POOL, headers=analyst).json()["items"][0]
        assert not raw["masked"] and raw["account_no"] == "0300001400" and raw["customer_name"] == "张三丰"
    with p.engine.connect() as con:
        assert con.execute(select(func.count()).select_from(DataAccess)).scalar() == logged + 2
    assert a.get(POOL, headers=admin).json()["items"][0] == masked


def test_a_cached_page_shows_an_order_falling_due_without_any_write(two):
    p, a, other, b = two  # noqa: RUF059
    staff = bearer(a, p, "staff", "field_staff", COMMUNITY)
    t0 = datetime(2026, 1, 1, 8)
    p.orders.clock = lambda: t0
    add_order(p, "0300001500", COMMUNITY)
    due = t0 + timedelta(days=p.workspace.settings.workflow.verify_days)
    p.orders.clock = lambda: due - timedelta(seconds=1)
    assert a.get(POOL, headers=staff).json()["items"][0]["overdue"] is False
    p.orders.clock = lambda: due + timedelta(seconds=1)
    assert a.get(POOL, headers=staff).json()["items"][0]["overdue"] is True


def test_keyset_pages_equal_offset_pages(two):
    p, a, other, b = two  # noqa: RUF059
    staff = bearer(a, p, "staff", "field_staff", COMMUNITY)
    scores = [0.5, 0.9, 0.9, 0.9, 0.3, 0.7, 0.9, 0.1, 0.7]  # ties: the id breaks them
    for i, s in enumerate(scores):
        add_order(p, f"03000016{i:02d}", COMMUNITY, score=s)
    by_offset, by_cursor, after, page = [], [], None, 1
    for n in (1, 2, 3, 4):
        by_offset += a.get(POOL.replace("50", "3") + f"&page={n}", headers=staff).json()["items"]
    while True:
        q = POOL.replace("50", "3") + f"&page={page}" + (f"&after={after}" if after else "")
        body = a.get(q, headers=staff).json()
        by_cursor += body["items"]
        assert body["total"] == len(scores) and body["page"] == page
        after, page = body["next_cursor"], page + 1
        if after is None:
            break
    assert [o["id"] for o in by_cursor] == [o["id"] for o in by_offset]
    assert [o["score"] for o in by_cursor] == sorted(scores, reverse=True)
    assert a.get(POOL + "&after=bm9wZQ", headers=staff).status_code == 422


def test_a_cached_pool_page_carries_each_sessions_own_csrf_token(two):
    p, a, other, b = two  # noqa: RUF059
    for name in ("staff1", "staff2"):
        user(p, name, "field_staff", COMMUNITY)
    oid = add_order(p, "0300001700", COMMUNITY)
    pages = []
    for name, client in (("staff1", a), ("staff2", TestClient(a.app))):
        r = client.post("/login", data={"username": name, "password": "password123"}, follow_redirects=False)
        assert r.status_code == 303
        pages.append(client.get("/pool").text)
    assert responses(a).hits >= 1  # the second officer's cards came from the cache
    tokens = [set(re.findall(r'name="csrf_token" value="([^"]*)"', page)) for page in pages]
    assert all(len(t) == 1 for t in tokens) and tokens[0] != tokens[1]  # header and cards: the session's own
    assert all(f"/orders/{oid}/act/claim" in page for page in pages)
    # the other process claims the order: the next page of this one no longer offers it
    staff3 = bearer(b, p, "staff3", "field_staff", COMMUNITY)
    assert b.post(f"/api/v1/orders/{oid}/claim", headers=staff3).status_code == 200
    assert f"/orders/{oid}/act/claim" not in a.get("/pool").text


def test_the_event_loop_check_serves_hits_and_refuses_revoked_tokens_too(platform):
    """``web.inline_cached_reads: always``: the same answers, the credential checked on the event loop."""
    p = platform
    web = p.workspace.settings.web.model_copy(update={"inline_cached_reads": "always"})
    ws = Workspace(home=p.workspace.home, settings=p.workspace.settings.model_copy(update={"web": web}))
    with TestClient(create_app(ws, p)) as a:
        staff = bearer(a, p, "staff", "field_staff", COMMUNITY)
        admin = user(p, "admin", "street_admin", TOWN)
        add_order(p, "0300001800", COMMUNITY)
        first = a.get(POOL, headers=staff).json()
        hits = responses(a).hits
        assert a.get(POOL, headers=staff).json() == first and responses(a).hits == hits + 1
        uid = p.accounts.actor_for_token(staff["Authorization"][7:]).user_id
        p.accounts.reset_password(admin, uid, "a-new-password")
        assert a.get(POOL, headers=staff).status_code == 401
