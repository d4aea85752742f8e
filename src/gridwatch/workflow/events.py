"""Appending to and verifying the hash-chained event log (same transaction as the change it records)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from gridwatch.workflow.actor import Actor
from gridwatch.workflow.hashchain import GENESIS, Break, ChainedEvent, first_break, link_hash
from gridwatch.workflow.jurisdiction import LEVEL_ORDER, ORDER_COLUMN
from gridwatch.workflow.tables import AreaVersion, ChainHead, Event, WorkOrder
from gridwatch.workflow.version_feed import note_area_versions


def event_content(ev: Event) -> dict[str, Any]:
    """What an event's hash covers (every column except the hashes themselves)."""
    return {
        "seq": ev.seq,
        "order_id": ev.order_id,
        "action": ev.action,
        "from_state": ev.from_state,
        "to_state": ev.to_state,
        "actor_id": ev.actor_id,
        "actor_role": ev.actor_role,
        "data": ev.data,
        "at": ev.at,
    }


def append_event(
    session: Session,
    *,
    order_id: int | None,
    action: str,
    from_state: str | None,
    to_state: str | None,
    actor: Actor,
    data: dict[str, Any],
    at: datetime,
) -> Event:
    """Append one event.  The chain-head UPDATE comes first, so concurrent appends serialise on its row.

    An event about an order also stamps its ``seq`` on the change counter of every area of the order
    (:func:`bump_areas`), in the same transaction."""
    res = session.execute(update(ChainHead).where(ChainHead.id == 1).values(seq=ChainHead.seq + 1))
    if res.rowcount == 0:  # type: ignore[attr-defined]
        session.add(ChainHead(id=1, seq=1, last_hash=GENESIS))
        session.flush()
    head = session.execute(select(ChainHead.seq, ChainHead.last_hash).where(ChainHead.id == 1)).one()
    ev = Event(
        seq=head.seq,
        order_id=order_id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor_id=actor.user_id,
        actor_role=str(actor.role),
        data=data,
        at=at.isoformat(timespec="microseconds"),
        prev_hash=head.last_hash,
    )
    ev.hash = link_hash(ev.prev_hash, event_content(ev))
    session.add(ev)
    session.execute(update(ChainHead).where(ChainHead.id == 1).values(last_hash=ev.hash))
    if order_id is not None:
        o = session.get(WorkOrder, order_id)  # normally in the identity map already: no query
        if o is not None:
            bump_areas(session, area_codes(o), head.seq)
    return ev


def area_codes(o: WorkOrder) -> list[str]:
    """The codes of every level the order belongs to (city down to grid cell; unknown levels skipped)."""
    return [c for c in (getattr(o, ORDER_COLUMN[lv]) for lv in LEVEL_ORDER) if c]


def bump_areas(session: Session, codes: list[str], seq: int) -> None:
    """Set the change counter of ``codes`` to ``seq`` (the event just appended).

    Called after the chain-head UPDATE, whose row lock serialises appenders until commit: no other
    transaction can insert the same missing code meanwhile."""
    if not codes:
        return
    res = session.execute(update(AreaVersion).where(AreaVersion.code.in_(codes)).values(seq=seq))
    if res.rowcount != len(codes):  # type: ignore[attr-defined]
        have = set(session.scalars(select(AreaVersion.code).where(AreaVersion.code.in_(codes))))
        session.execute(insert(AreaVersion), [{"code": c, "seq": seq} for c in codes if c not in have])
    note_area_versions(session, codes, seq)


def verify_chain(session: Session, batch: int = 5000) -> tuple[int, Break | None]:
    """Check every event in order; returns (events checked, first break or None)."""

    def stream():  # type: ignore[no-untyped-def]
        last = 0
        while True:
            rows = session.scalars(
                select(Event).where(Event.seq > last).order_by(Event.seq).limit(batch)
            ).all()
            if not rows:
                return
            for ev in rows:
                yield ChainedEvent(ev.seq, ev.prev_hash, ev.hash, event_content(ev))
            last = rows[-1].seq

    count = 0

    def counted():  # type: ignore[no-untyped-def]
        nonlocal count
        for ev in stream():
            count += 1
            yield ev

    brk = first_break(counted())
    if brk is None:
        head = session.get(ChainHead, 1)
        if head is not None and head.seq != count:
            return count, Break(count + 1, f"chain head says {head.seq} events, found {count} (tail deleted)")
    return count, brk
