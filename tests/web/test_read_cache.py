"""Cached dashboards and list counts stay exact: a change made by any process shows on the next read."""

from __future__ import annotations

import contextlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridwatch.web.api.stats import dashboard_data
from gridwatch.workflow.cache import VersionedCache
from gridwatch.workflow.dashboard import build
from gridwatch.workflow.errors import Conflict
from gridwatch.workflow.platform import Platform
from tests.workflow.fixtures import COMMUNITY, DISTRICT, FAST_HASHER, OTHER_TOWN, TOWN
from tests.workflow.helpers import add_order, user


def second_process(p: Platform) -> Platform:
    """Another server process on the same store: its own engine, pool and cache."""
    url = p.engine.url.render_as_string(hide_password=False)
    return Platform.open(p.workspace, url=url, run_migrations=False, hasher=FAST_HASHER)


def fresh(p: Platform, actor) -> dict:  # type: ignore[no-untyped-def]
    d = build(p.sessions, actor, now=p.orders.clock())
    return {"funnel": d.funnel, "by_state": d.by_state, "overdue": d.overdue, "trend": d.trend}


def cached(p: Platform, actor) -> dict:  # type: ignore[no-untyped-def]
    d = dashboard_data(p, actor)
    return {"funnel": d.funnel, "by_state": d.by_state, "overdue": d.overdue, "trend": d.trend}


def test_a_transition_in_another_process_shows_on_the_next_dashboard_read(platform):
    p = platform
    admin = user(p, "admin", "street_admin", TOWN)
    staff = user(p, "staff", "field_staff", COMMUNITY)
    ids = [add_order(p, f"03000005{i:02d}", COMMUNITY) for i in range(3)]
    other = second_process(p)
    try:
        before = dashboard_data(p, admin)
        assert before.funnel["claimed"] == 0 and before.funnel["suspects"] == 3
        hits = p.read_cache.hits
        assert dashboard_data(p, admin) is before and p.read_cache.hits == hits + 1  # served from the cache
        other.orders.claim(staff, ids[0])  # written by the other process
        after = dashboard_data(p, admin)
        assert after.funnel["claimed"] == 1 and after.by_state == {"pooled": 2, "claimed": 1}
        p.orders.release(staff, ids[0])  # and by this one
        assert dashboard_data(p, admin).funnel["claimed"] == 0
        assert dashboard_data(other, admin).funnel["claimed"] == 0
    finally:
        other.close()


def test_a_write_in_another_street_leaves_this_streets_cache_valid(platform):
    """Per-area change counters: a claim in street B (by another process) recomputes B's, the district's and
    the city's dashboards and counts, and serves street A's from the cache."""
    p = platform
    admin_a = user(p, "admin_a", "street_admin", TOWN)
    admin_b = user(p, "admin_b", "street_admin", OTHER_TOWN)
    district = user(p, "district", "district_admin", DISTRICT)
    staff_b = user(p, "staff_b", "field_staff", OTHER_TOWN)
    add_order(p, "0300000901", COMMUNITY)
    b = add_order(p, "0300000902", OTHER_TOWN)  # dispatched to street B's own pool
    for a in (admin_a, admin_b, district):
        dashboard_data(p, a)
        p.orders.list_orders(a, states=["claimed"])
    a_dash = dashboard_data(p, admin_a)
    versions = {c: p.area_version(c) for c in (TOWN, COMMUNITY, OTHER_TOWN, DISTRICT, "4401")}
    other = second_process(p)
    try:
        other.orders.claim(staff_b, b)
        seq = p.store_version()
        moved = {c for c, v in versions.items() if p.area_version(c) != v}
        assert moved == {OTHER_TOWN, DISTRICT, "4401"}
        assert all(p.area_version(c) == seq for c in moved)
        hits, misses = p.read_cache.hits, p.read_cache.misses
        assert dashboard_data(p, admin_a) is a_dash  # street A: cached
        assert p.orders.list_orders(admin_a, states=["claimed"]).total == 0
        assert (p.read_cache.hits, p.read_cache.misses) == (hits + 2, misses)
        assert dashboard_data(p, admin_b).funnel["claimed"] == 1  # street B and the district: recomputed
        assert dashboard_data(p, district).funnel["claimed"] == 1
        assert p.orders.list_orders(admin_b, states=["claimed"]).total == 1
        assert p.orders.list_orders(district, states=["claimed"]).total == 1
        assert p.read_cache.misses == misses + 4
        for a in (admin_a, admin_b, district):
            assert cached(p, a) == fresh(p, a)
            assert cached(other, a) == fresh(other, a)
    finally:
        other.close()


def test_the_dashboard_changes_when_an_open_order_falls_due(platform):
    p = platform
    admin = user(p, "admin", "street_admin", TOWN)
    t0 = datetime(2026, 1, 1, 8)
    p.orders.clock = lambda: t0
    add_order(p, "0300000601", COMMUNITY)
    due = t0 + timedelta(days=p.workspace.settings.workflow.verify_days)
    p.orders.clock = lambda: due - timedelta(hours=1)  # the same day, before the order falls due
    assert dashboard_data(p, admin).overdue == 0
    assert build(p.sessions, admin, now=due - timedelta(hours=1)).valid_until == due
    p.orders.clock = lambda: due + timedelta(seconds=1)  # no write happened, but the order is now late
    assert dashboard_data(p, admin).overdue == 1


def test_a_large_area_list_count_follows_intake_in_another_process(platform):
    p = platform
    admin = user(p, "admin", "street_admin", TOWN)
    add_order(p, "0300000701", COMMUNITY)
    assert p.orders.list_orders(admin, states=["pooled"]).total == 1
    assert p.orders.list_orders(admin, states=["pooled"]).total == 1
    other = second_process(p)
    try:
        add_order(other, "0300000702", COMMUNITY)
        page = p.orders.list_orders(admin, states=["pooled"])
        assert page.total == 2 and len(page.items) == 2
    finally:
        other.close()


OPS = st.lists(
    st.tuples(st.sampled_from(["claim", "release", "read"]), st.integers(0, 3), st.booleans()),
    min_size=1,
    max_size=12,
)


@pytest.fixture
def two_processes(platform):  # type: ignore[no-untyped-def]
    p = platform
    admin = user(p, "admin", "street_admin", TOWN)
    staff = user(p, "staff", "field_staff", COMMUNITY)
    ids = [add_order(p, f"03000008{i:02d}", COMMUNITY) for i in range(4)]
    other = second_process(p)
    yield p, other, admin, staff, ids
    other.close()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_cached_dashboards_equal_fresh_ones_under_interleaved_writers(two_processes, ops):
    """Two processes write and read in any order: every cached read equals a fresh computation."""
    p, other, admin, staff, ids = two_processes  # shared by the examples: the store moves on between them
    for op, i, in_other in ops:
        proc = other if in_other else p
        if op == "read":
            assert cached(proc, admin) == fresh(proc, admin)
            continue
        with contextlib.suppress(Conflict):  # not possible in the current state (releasing a pooled order)
            getattr(proc.orders, op)(staff, ids[i])
        assert cached(p, admin) == fresh(p, admin)
        assert cached(other, admin) == fresh(other, admin)


def test_versioned_cache_recomputes_on_a_new_version_or_past_validity():
    c: VersionedCache[int] = VersionedCache(max_entries=2)
    t0 = datetime(2026, 1, 1, 8)
    calls = []

    def compute(v: int, until: datetime | None = None):  # type: ignore[no-untyped-def]
        def f():  # type: ignore[no-untyped-def]
            calls.append(v)
            return v, until

        return f

    assert c.get("a", 1, t0, compute(10, t0 + timedelta(hours=1))) == 10
    assert c.get("a", 1, t0 + timedelta(minutes=59), compute(11)) == 10  # same version, still valid
    assert c.get("a", 1, t0 + timedelta(hours=1), compute(12)) == 12  # validity passed
    assert c.get("a", 2, t0, compute(13)) == 13  # the store changed
    c.get("b", 2, t0, compute(20))
    c.get("c", 2, t0, compute(30))  # bounded: "a" (least recently used) is evicted
    assert c.get("a", 2, t0, compute(14)) == 14
    assert calls == [10, 12, 13, 20, 30, 14]


def test_concurrent_misses_of_one_entry_compute_it_once():
    """A popular entry invalidated by a write: the callers missing it meanwhile share one computation; if that
    computation fails, each of them computes on its own."""
    c: VersionedCache[int] = VersionedCache()
    t0 = datetime(2026, 1, 1, 8)
    n = 8
    started, release = threading.Event(), threading.Event()
    calls = []

    def slow():  # type: ignore[no-untyped-def]
        calls.append(1)
        started.set()
        assert release.wait(10)
        return 42, None

    with ThreadPoolExecutor(n) as pool:
        first = pool.submit(c.get, "k", 1, t0, slow)
        assert started.wait(10)
        rest = [pool.submit(c.get, "k", 1, t0, slow) for _ in range(n - 1)]
        while sum(f.running() for f in rest) < n - 1:
            time.sleep(0.01)
        time.sleep(0.1)  # let them reach the cache (one arriving late finds the stored value: a hit)
        release.set()
        assert [f.result() for f in [first, *rest]] == [42] * n
    assert len(calls) == 1 and c.misses == 1 and c.shared + c.hits == n - 1 and c.shared >= 1

    def failing():  # type: ignore[no-untyped-def]
        started.set()
        assert release.wait(10)
        raise RuntimeError("store gone")

    started.clear()
    release.clear()
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(c.get, "k", 2, t0, failing)
        assert started.wait(10)
        second = pool.submit(c.get, "k", 2, t0, lambda: (43, None))
        time.sleep(0.05)
        release.set()
        with pytest.raises(RuntimeError):
            first.result()
        assert second.result() == 43  # computed by itself (or after the failure) — never a failed value
