"""Racing claims over real HTTP against a running server: exactly one winner per order, on both databases."""

from __future__ import annotations

import threading

import httpx
from sqlalchemy import func, select

from gridwatch.web.app import create_app
from gridwatch.workflow.events import verify_chain
from gridwatch.workflow.tables import Event, WorkOrder
from tests.web.live import serve
from tests.workflow.fixtures import COMMUNITY
from tests.workflow.helpers import add_order, user

RACERS = 12
ORDERS = 8


def test_exactly_one_claim_wins(platform):
    p = platform
    tokens = []
    for i in range(RACERS):
        a = user(p, f"racer{i}", "field_staff", COMMUNITY)
        tokens.append(p.accounts.create_token(a.user_id, "race"))  # type: ignore[arg-type]
    order_ids = [add_order(p, f"03000009{i:02d}", COMMUNITY) for i in range(ORDERS)]
    app = create_app(p.workspace, p)
    with serve(app) as base:
        clients = [
            httpx.Client(base_url=base, headers={"Authorization": f"Bearer {t}"}, timeout=60) for t in tokens
        ]
        for oid in order_ids:
            barrier = threading.Barrier(RACERS)
            codes: list[int] = [0] * RACERS

            def race(
                i: int, oid: int = oid, barrier: threading.Barrier = barrier, codes: list[int] = codes
            ) -> None:
                barrier.wait()
                codes[i] = clients[i].post(f"/api/v1/orders/{oid}/claim").status_code

            threads = [threading.Thread(target=race, args=(i,)) for i in range(RACERS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert sorted(codes) == [200] + [409] * (RACERS - 1), codes
        for c in clients:
            c.close()
    with p.sessions() as s:
        claims = s.scalar(select(func.count()).select_from(Event).where(Event.action == "claim"))
        holders = s.scalars(select(WorkOrder.assignee_id).where(WorkOrder.id.in_(order_ids))).all()
        n, brk = verify_chain(s)
    assert claims == ORDERS and all(holders)
    assert brk is None and n == 2 * ORDERS


def test_recheck_and_withdrawal_race_one_wins(platform):
    """The reviewer approves while the author withdraws, at the same instant over HTTP: exactly one of the
    two happens, and the order, its verification and the chain agree on which."""
    from gridwatch.workflow.tables import Review, Verification

    p = platform
    staff = user(p, "author", "field_staff", COMMUNITY)
    rev = user(p, "checker", "reviewer", COMMUNITY[:9])
    staff_tok = p.accounts.create_token(staff.user_id, "race")  # type: ignore[arg-type]
    rev_tok = p.accounts.create_token(rev.user_id, "race")  # type: ignore[arg-type]
    order_ids = [add_order(p, f"03000019{i:02d}", COMMUNITY) for i in range(ORDERS)]
    for oid in order_ids:
        p.orders.claim(staff, oid)
        p.orders.verify(staff, oid, outcome="vacant", trade=None, lon=None, lat=None, notes="", uploads=[])
    app = create_app(p.workspace, p)
    outcomes = []
    with serve(app) as base:
        author = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {staff_tok}"}, timeout=60)
        checker = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {rev_tok}"}, timeout=60)
        for oid in order_ids:
            barrier = threading.Barrier(2)
            codes: dict[str, int] = {}

            def withdraw(oid: int = oid, barrier: threading.Barrier = barrier, codes: dict = codes) -> None:
                barrier.wait()
                codes["withdraw"] = author.post(
                    f"/api/v1/orders/{oid}/withdraw-verification", json={"reason": "race"}
                ).status_code

            def approve(oid: int = oid, barrier: threading.Barrier = barrier, codes: dict = codes) -> None:
                barrier.wait()
                codes["approve"] = checker.post(
                    f"/api/v1/orders/{oid}/review", json={"decision": "approve"}
                ).status_code

            threads = [threading.Thread(target=withdraw), threading.Thread(target=approve)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert sorted(codes.values()) == [200, 409], codes
            outcomes.append(next(k for k, v in codes.items() if v == 200))
        author.close()
        checker.close()
    with p.sessions() as s:
        for oid, winner in zip(order_ids, outcomes, strict=True):
            o = s.get(WorkOrder, oid)
            v = s.scalars(select(Verification).where(Verification.order_id == oid)).one()
            reviews = s.scalar(select(func.count()).select_from(Review).where(Review.order_id == oid))
            if winner == "approve":
                assert (o.state, v.status, reviews) == ("closed", "submitted", 1)
            else:
                assert (o.state, v.status, reviews) == ("claimed", "withdrawn", 0)
        _n, brk = verify_chain(s)
    assert brk is None
