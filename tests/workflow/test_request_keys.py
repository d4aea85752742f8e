"""Idempotency keys: a verification sent twice with the same key (a replay from a phone's outbox) is stored
once, on SQLite and PostgreSQL, also when the two copies arrive at the same instant."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from gridwatch.workflow.errors import Conflict, InvalidInput
from gridwatch.workflow.photos import Upload
from gridwatch.workflow.tables import Event, Photo, RequestKey, Verification
from tests.workflow.fixtures import COMMUNITY
from tests.workflow.helpers import PNG, add_order, user


def count(p, table, **where) -> int:  # type: ignore[no-untyped-def]
    with p.sessions() as s:
        q = select(func.count()).select_from(table)
        for k, v in where.items():
            q = q.where(getattr(table, k) == v)
        return s.scalar(q) or 0


def files(p) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(f.name for f in (p.orders.uploads_dir / "orders").rglob("*") if f.is_file())


def test_a_replayed_verification_changes_nothing(platform):
    p = platform
    staff = user(p, "s", "field_staff", COMMUNITY)
    oid = add_order(p, "0300000501", COMMUNITY)
    p.orders.claim(staff, oid)
    form = {"outcome": "vacant", "trade": None, "lon": None, "lat": None, "notes": "", "request_key": "k-0001-abcd"}
    first = p.orders.verify(staff, oid, uploads=[Upload("a.png", PNG)], **form)
    events = count(p, Event, order_id=oid)
    stored = files(p)
    again = p.orders.verify(staff, oid, uploads=[Upload("a.png", PNG)], **form)
    assert again == first
    assert count(p, Verification, order_id=oid) == 1 and count(p, Photo, order_id=oid) == 1
    assert count(p, Event, order_id=oid) == events  # no event either: the chain records one submission
    assert files(p) == stored  # the replay's photo was not kept
    # without a key the same request is what it always was: the order is verified already
    with pytest.raises(Conflict):
        p.orders.verify(staff, oid, uploads=[], **(form | {"request_key": None}))


def test_a_replayed_amendment_is_applied_once(platform):
    p = platform
    staff = user(p, "s", "field_staff", COMMUNITY)
    oid = add_order(p, "0300000502", COMMUNITY)
    p.orders.claim(staff, oid)
    p.orders.verify(staff, oid, outcome="household", trade=None, lon=None, lat=None, notes="", uploads=[])
    edit = {"outcome": "confirmed", "trade": "wood", "lon": None, "lat": None, "notes": "saw dust", "uploads": []}
    a = p.orders.amend_verification(staff, oid, request_key="amend-0001", **edit)
    b = p.orders.amend_verification(staff, oid, request_key="amend-0001", **edit)
    assert a == b
    with p.sessions() as s:
        statuses = s.scalars(select(Verification.status).where(Verification.order_id == oid)).all()
    assert sorted(statuses) == ["amended", "submitted"]  # not amended twice
    c = p.orders.amend_verification(staff, oid, request_key="amend-0002", **edit)  # a new edit is new
    assert c != a and count(p, Verification, order_id=oid) == 3


def test_keys_are_per_user_and_per_submission(platform):
    p = platform
    s1 = user(p, "s1", "field_staff", COMMUNITY)
    s2 = user(p, "s2", "field_staff", COMMUNITY)
    o1, o2, o3 = (add_order(p, f"030000051{i}", COMMUNITY) for i in range(3))
    p.orders.claim(s1, o1)
    p.orders.claim(s1, o2)
    p.orders.claim(s2, o3)
    form = {"outcome": "vacant", "trade": None, "lon": None, "lat": None, "notes": "", "uploads": []}
    p.orders.verify(s1, o1, request_key="same-key-1", **form)
    with pytest.raises(InvalidInput, match="request_key"):  # the same key for another order: refused
        p.orders.verify(s1, o2, request_key="same-key-1", **form)
    p.orders.verify(s2, o3, request_key="same-key-1", **form)  # another user's key space
    assert count(p, RequestKey) == 2
    with pytest.raises(InvalidInput, match="request_key"):
        p.orders.verify(s1, o2, request_key="bad key!", **form)


def test_simultaneous_duplicates_store_one_verification(platform):
    """Eight copies of one request at the same instant (page and service worker sending together, or
    retries): all get the same answer, and one verification exists."""
    p = platform
    staff = user(p, "s", "field_staff", COMMUNITY)
    oid = add_order(p, "0300000520", COMMUNITY)
    p.orders.claim(staff, oid)
    n = 8
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def send(i: int) -> None:
        barrier.wait()
        try:
            results[i] = p.orders.verify(
                staff, oid, outcome="vacant", trade=None, lon=None, lat=None, notes="",
                uploads=[Upload("a.png", PNG)], request_key="race-key-01",
            )
        except Exception as exc:  # recorded and asserted below
            results[i] = exc

    threads = [threading.Thread(target=send, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    assert count(p, Verification, order_id=oid) == 1
    assert count(p, Photo, order_id=oid) == 1 and len(files(p)) == 1
    assert count(p, Event, order_id=oid, action="verify") == 1
