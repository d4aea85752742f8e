"""Appending to and verifying the hash-chained event log (same transaction as the change it records)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gridwatch.workflow.actor import Actor
from gridwatch.workflow.hashchain import GENESIS, Break, ChainedEvent, first_break, link_hash
from gridwatch.workflow.tables import ChainHead, Event


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
    """Append one event.  The chain-head UPDATE comes first, so concurrent appends serialise on its row."""
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
    return ev


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
