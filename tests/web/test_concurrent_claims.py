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
