"""In-app notifications, read from the event log (no fan-out table, no external push).

A rule says which events concern whom: events that put an order into the pool of my area, or return my
verification, or hand me an order.  Each user has a cursor (the last event sequence number seen); the bell
counts matching events past it.  Events a user caused are never news to that user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from gridwatch.workflow.actor import Actor
from gridwatch.workflow.jurisdiction import ORDER_COLUMN
from gridwatch.workflow.roles import Role
from gridwatch.workflow.tables import ChainHead, Event, NoticeCursor, WorkOrder


@dataclass(frozen=True)
class NoticeRule:
    kind: str
    roles: tuple[Role, ...]
    action: str | None  # the event's action, or None for any
    to_state: str | None  # the state the event moved the order into, or None for any
    scope: Literal["area", "assignee"]  # orders in my area, or orders I hold
    label_zh: str
    label_en: str


NOTICE_RULES: tuple[NoticeRule, ...] = (
    NoticeRule("new_in_pool", (Role.FIELD_STAFF,), None, "pooled", "area", "新工单入池", "New order in the pool"),
    NoticeRule("returned", (Role.FIELD_STAFF,), "return", None, "assignee", "核查被退回", "Verification returned"),
    NoticeRule("assigned", (Role.FIELD_STAFF,), "reassign", None, "assignee", "工单改派给您", "Order assigned to you"),
    NoticeRule(
        "to_recheck",
        (Role.REVIEWER, Role.STREET_ADMIN),
        None,
        "verified",
        "area",
        "待复核",
        "Awaiting your re-check",
    ),
)
"""Which events are news to whom (data; adding a notification is adding a row)."""

MAX_COUNT = 99


@dataclass(frozen=True)
class Notice:
    seq: int
    kind: str
    order_id: int
    at: str
    new: bool
    address: str | None = None


def rules_for(role: Role) -> list[NoticeRule]:
    return [r for r in NOTICE_RULES if role in r.roles]


class NoticeService:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def _conditions(self, actor: Actor) -> ColumnElement[bool]:
        area = getattr(WorkOrder, ORDER_COLUMN[actor.level]) == actor.jurisdiction_code
        mine = WorkOrder.assignee_id == actor.user_id
        parts = []
        for r in rules_for(actor.role):
            conds = [area if r.scope == "area" else mine]
            if r.action is not None:
                conds.append(Event.action == r.action)
            if r.to_state is not None:
                conds.append(Event.to_state == r.to_state)
            parts.append(and_(*conds))
        return or_(*parts) if parts else false()

    def _query(self, actor: Actor, after: int):  # type: ignore[no-untyped-def]
        return (
            select(Event.seq, Event.action, Event.to_state, Event.order_id, Event.at, WorkOrder.address_text)
            .join(WorkOrder, WorkOrder.id == Event.order_id)
            .where(
                Event.seq > after,
                or_(Event.actor_id.is_(None), Event.actor_id != actor.user_id),
                self._conditions(actor),
            )
        )

    def seen(self, s: Session, user_id: int) -> int:
        return s.scalar(select(NoticeCursor.seen_seq).where(NoticeCursor.user_id == user_id)) or 0

    def count(self, actor: Actor) -> int:
        """Unseen notifications (capped at :data:`MAX_COUNT`)."""
        if actor.user_id is None or not rules_for(actor.role):
            return 0
        with self.sessions() as s:
            sub = self._query(actor, self.seen(s, actor.user_id)).limit(MAX_COUNT).subquery()
            return s.scalar(select(func.count()).select_from(sub)) or 0

    def recent(self, actor: Actor, limit: int = 50) -> list[Notice]:
        if actor.user_id is None or not rules_for(actor.role):
            return []
        rules = rules_for(actor.role)
        with self.sessions() as s:
            seen = self.seen(s, actor.user_id)
            rows = s.execute(self._query(actor, 0).order_by(Event.seq.desc()).limit(limit)).all()
        out = []
        for seq, action, to_state, order_id, at, address in rows:
            kind = next(
                r.kind
                for r in rules
                if (r.action is None or r.action == action) and (r.to_state is None or r.to_state == to_state)
            )
            out.append(Notice(seq, kind, order_id, at, seq > seen, address))
        return out

    def mark_seen(self, actor: Actor) -> None:
        """Everything up to now has been seen (the cursor moves to the chain head)."""
        if actor.user_id is None:
            return
        with self.sessions.begin() as s:
            head = s.scalar(select(ChainHead.seq).where(ChainHead.id == 1)) or 0
            cur = s.get(NoticeCursor, actor.user_id)
            if cur is None:
                s.add(NoticeCursor(user_id=actor.user_id, seen_seq=head))
            elif head > cur.seen_seq:
                cur.seen_seq = head
