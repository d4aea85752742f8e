from __future__ import annotations

from gridwatch.workflow.accounts import actor_of
from gridwatch.workflow.actor import Actor, system_actor
from gridwatch.workflow.jurisdiction import place_of
from gridwatch.workflow.orders import SuspectIn
from gridwatch.workflow.platform import Platform

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def user(p: Platform, name: str, role: str, code: str) -> Actor:
    uid = p.accounts.create_user(name, "password123", role, code, display_name=name)
    return actor_of(p.accounts.get_user(uid))


def add_order(p: Platform, account: str, code: str, *, score: float = 0.9, hits: tuple[str, ...] = ()) -> int:
    with p.sessions.begin() as s:
        oid = p.orders.intake(
            s,
            system_actor("4401"),
            SuspectIn(
                account,
                "screening",
                f"run1:{account}",
                "red",
                score,
                hits,
                "夜间用电高",
                "night load",
                customer_name="张三丰",
            ),
            place_of(code),
            "matched",
        )
    assert oid is not None
    return oid
