"""PostgreSQL: change counters kept in memory from notifications (``web.version_feed_max_lag_ms``).

A cached read is answered without touching the store; a write or a revocation committed by another process
shows on every read made more than the bound after it committed, one committed by the same process at once;
a lost listening connection falls back to reading the store and reconnects.  Tested with two platforms in
this process (their own engines, caches and listeners) and with two real server processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text

from gridwatch.config import Settings, WebSettings
from gridwatch.web.app import create_app
from gridwatch.workflow.accounts import actor_of
from gridwatch.workflow.platform import Platform
from gridwatch.workflow.version_feed import APPLICATION_NAME, VersionFeed
from gridwatch.workspace import Workspace
from tests.web.live import free_port
from tests.web.test_read_cache import second_process
from tests.web.test_response_cache import POOL, bearer
from tests.workflow.fixtures import COMMUNITY, TOWN
from tests.workflow.helpers import add_order, user

pytestmark = pytest.mark.postgres
LAG_MS = 100
LAG = LAG_MS / 1000
FEED = Settings(web=WebSettings(version_feed_max_lag_ms=LAG_MS))


@pytest.fixture
def db_kind() -> str:
    return "postgres"  # LISTEN/NOTIFY: PostgreSQL only


@pytest.fixture
def pg(platform):  # type: ignore[no-untyped-def]
    return platform


def with_feed(p: Platform) -> Workspace:
    return Workspace(home=p.workspace.home, settings=FEED)


def wait_until(cond, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def schema_of(p: Platform) -> str:
    with p.engine.connect() as con:
        return con.execute(text("SELECT current_schema()")).scalar_one()


class Statements:
    """Counts the statements a platform's engine sends."""

    def __init__(self, p: Platform) -> None:
        self.n = 0
        event.listen(p.engine, "before_cursor_execute", self._count)

    def _count(self, *_args) -> None:  # type: ignore[no-untyped-def]
        self.n += 1


@pytest.fixture
def two(pg):  # type: ignore[no-untyped-def]
    """Two server processes on one store, both with the feed: (platform, client, other, its client)."""
    other = second_process(pg)
    with TestClient(create_app(with_feed(pg), pg)) as a, TestClient(create_app(with_feed(other), other)) as b:
        wait_until(lambda: pg.credentials.feed.live and other.credentials.feed.live)  # type: ignore[union-attr]
        yield pg, a, other, b
    other.close()


def test_a_cached_read_touches_no_store_and_sees_other_processes_writes_within_the_bound(two):
    p, a, other, b = two
    staff = bearer(a, p, "staff", "field_staff", COMMUNITY)
    ids = [add_order(other, f"03000020{i:02d}", COMMUNITY) for i in range(3)]
    time.sleep(LAG)
    assert a.get(POOL, headers=staff).json()["total"] == 3
    statements = Statements(p)
    for _ in range(50):  # on a loaded machine the listener may miss its bound: then the store is read
        wait_until(lambda: p.credentials.feed.live)  # type: ignore[union-attr]
        before, hits = statements.n, a.app.state.responses.hits  # type: ignore[attr-defined]
        assert a.get(POOL, headers=staff).json()["total"] == 3
        assert a.app.state.responses.hits == hits + 1  # type: ignore[attr-defined]
        if statements.n == before:
            break  # a hit answered from memory alone
    else:
        pytest.fail("no cached read was answered without the store")
    # the other process claims: every read starting more than the bound later shows it
    assert b.post(f"/api/v1/orders/{ids[0]}/claim", headers=staff).status_code == 200
    time.sleep(LAG)
    pool = a.get(POOL, headers=staff).json()
    assert pool["total"] == 2 and ids[0] not in [o["id"] for o in pool["items"]]
    # this process's own write shows on its very next read, whatever the listener is doing
    assert a.post(f"/api/v1/orders/{ids[1]}/claim", headers=staff).status_code == 200
    assert a.get(POOL, headers=staff).json()["total"] == 1


def test_a_revocation_by_another_process_is_refused_within_the_bound(two):
    p, a, other, b = two  # noqa: RUF059
    add_order(p, "0300002100", COMMUNITY)
    staff = bearer(a, p, "staff", "field_staff", COMMUNITY)
    admin = actor_of(other.accounts.get_user(user(p, "admin", "street_admin", TOWN).user_id))
    assert a.get(POOL, headers=staff).status_code == 200
    assert a.get(POOL, headers=staff).status_code == 200
    uid = p.accounts.actor_for_token(staff["Authorization"][7:]).user_id
    other.accounts.reset_password(admin, uid, "a-new-password")  # revokes the tokens
    time.sleep(LAG)
    assert a.get(POOL, headers=staff).status_code == 401
    # a session ended by this process: refused at once
    r = a.post("/login", data={"username": "staff", "password": "a-new-password"}, follow_redirects=False)
    assert r.status_code == 303
    assert a.get("/pool").status_code == 200
    p.accounts.set_active(admin, uid, False)
    assert a.get("/pool", follow_redirects=False).status_code == 303


def test_a_lost_listener_falls_back_to_the_store_and_reconnects(two):
    p, a, other, b = two
    feed: VersionFeed = p.credentials.feed  # type: ignore[assignment]
    staff = bearer(a, p, "staff", "field_staff", COMMUNITY)
    oid = add_order(p, "0300002200", COMMUNITY)
    assert a.get(POOL, headers=staff).json()["total"] == 1
    reloads = feed.reloads
    with other.engine.connect() as con:
        killed = con.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :n"),
            {"n": APPLICATION_NAME + schema_of(p)},
        ).all()
    assert len(killed) == 2  # both processes' listeners
    assert b.post(f"/api/v1/orders/{oid}/claim", headers=staff).status_code == 200
    time.sleep(LAG)
    assert a.get(POOL, headers=staff).json()["total"] == 0  # read from the store, never the stale copy
    wait_until(lambda: feed.reloads > reloads and feed.live)  # reconnected, reloaded, pinged
    assert b.post(f"/api/v1/orders/{oid}/release", headers=staff).status_code == 200
    time.sleep(LAG)
    statements = Statements(p)
    assert a.get(POOL, headers=staff).json()["total"] == 1
    assert a.get(POOL, headers=staff).json()["total"] == 1
    assert statements.n > 0  # the first read recomputed the page; the second was a hit from memory


def test_deleted_counter_rows_make_the_listener_reload(pg):
    feed = VersionFeed(pg.engine, LAG)
    feed.start()
    try:
        wait_until(lambda: feed.live)
        add_order(pg, "0300002300", COMMUNITY)
        wait_until(lambda: (feed.versions(COMMUNITY) or (0, 0))[1] > 0)
        admin = user(pg, "admin", "street_admin", TOWN)
        staff = user(pg, "staff", "field_staff", COMMUNITY)
        pg.accounts.set_active(admin, staff.user_id, False)
        wait_until(lambda: (feed.versions(None) or (0, 0))[0] == 1)
        reloads = feed.reloads
        with pg.engine.begin() as con:
            con.execute(text("DELETE FROM wf_counter"))
        wait_until(lambda: feed.reloads > reloads and (feed.versions(COMMUNITY) or (1, 0))[0] == 0)
    finally:
        feed.stop()
    assert feed.versions(None) is None  # stopped: never trusted again


# -- two real server processes -------------------------------------------------------------------------


@pytest.fixture
def servers(pg, tmp_path) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    url = pg.engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs, bases = [], []
    for name in ("a", "b"):
        home = tmp_path / name
        home.mkdir()
        (home / "gridwatch.yaml").write_text(
            f"store:\n  url: '{url}'\nweb:\n  version_feed_max_lag_ms: {LAG_MS}\n", encoding="utf-8"
        )
        port = free_port()
        cmd = [sys.executable, "-m", "gridwatch", "--home", str(home), "serve", "--host", "127.0.0.1"]
        procs.append(subprocess.Popen([*cmd, "--port", str(port)], env=env, stdout=subprocess.DEVNULL))
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for base in bases:
            wait_until(lambda base=base: _up(base), timeout=60)
        yield bases[0], bases[1]
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)


def _up(base: str) -> bool:
    try:
        return httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _token(p: Platform, name: str, role: str, code: str) -> dict[str, str]:
    uid = user(p, name, role, code).user_id
    return {"Authorization": f"Bearer {p.accounts.create_token(uid, 'test')}"}


def test_two_server_processes_see_each_others_writes_and_revocations_within_the_bound(pg, servers):
    base_a, base_b = servers
    staff = _token(pg, "staff", "field_staff", COMMUNITY)
    admin = _token(pg, "admin", "street_admin", TOWN)
    ids = [add_order(pg, f"03000024{i:02d}", COMMUNITY) for i in range(2)]
    time.sleep(LAG)
    with httpx.Client(base_url=base_a) as a, httpx.Client(base_url=base_b) as b:
        assert [a.get(POOL, headers=staff).json()["total"] for _ in range(3)] == [2, 2, 2]
        dash = a.get("/api/v1/dashboard", headers=admin).json()
        assert dash["funnel"]["claimed"] == 0
        for i in range(2):
            assert b.post(f"/api/v1/orders/{ids[i]}/claim", headers=staff).status_code == 200
            time.sleep(LAG)
            assert a.get(POOL, headers=staff).json()["total"] == 1 - i
            assert a.get("/api/v1/dashboard", headers=admin).json()["funnel"]["claimed"] == i + 1
            assert b.get(POOL, headers=staff).json()["total"] == 1 - i  # its own write: at once
        uid = pg.accounts.actor_for_token(staff["Authorization"][7:]).user_id
        by = actor_of(pg.accounts.get_user(_uid(pg, admin)))
        pg.accounts.reset_password(by, uid, "a-new-password")  # revokes the tokens (a third process)
        time.sleep(LAG)
        assert a.get(POOL, headers=staff).status_code == 401
        assert b.get(POOL, headers=staff).status_code == 401


def _uid(p: Platform, headers: dict[str, str]) -> int:
    return p.accounts.actor_for_token(headers["Authorization"][7:]).user_id

