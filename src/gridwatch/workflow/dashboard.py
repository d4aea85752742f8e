"""Progress of one jurisdiction: the funnel, hit rate, overdue, breakdown by sub-area and a daily trend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import DateTime, Integer, String, case, cast, func, literal, null, select, union_all
from sqlalchemy.orm import Session, sessionmaker

from gridwatch.workflow import loop
from gridwatch.workflow.actor import Actor
from gridwatch.workflow.jurisdiction import LEVEL_ORDER, ORDER_COLUMN, Level
from gridwatch.workflow.orders import scope, utcnow
from gridwatch.workflow.tables import WorkOrder

FUNNEL = ("suspects", "claimed", "verified", "confirmed", "disposed", "closed")


@dataclass
class AreaRow:
    code: str
    total: int
    claimed: int
    verified: int
    confirmed: int
    closed: int
    overdue: int


@dataclass
class Dashboard:
    funnel: dict[str, int]
    by_state: dict[str, int]
    hit_rate: float | None
    reviewed: int
    overdue: int
    areas: list[AreaRow]
    area_level: Level | None
    trend: list[tuple[str, int, int]]  # (day, created, closed)
    valid_until: datetime | None = None  # when an open order falls due or the day ends (figures change)


REACHED: dict[tuple[str, str | None], tuple[str, ...]] = {
    ("pooled", None): ("suspects",),
    ("claimed", None): ("suspects", "claimed"),
    ("returned", None): ("suspects", "claimed"),
    ("verified", None): ("suspects", "claimed", "verified"),
    ("confirmed", None): ("suspects", "claimed", "verified", "confirmed"),
    ("disposing", None): ("suspects", "claimed", "verified", "confirmed"),
    ("disposed", None): ("suspects", "claimed", "verified", "confirmed", "disposed"),
    ("closed", "disposed"): FUNNEL,
    ("closed", "dismissed"): ("suspects", "claimed", "verified", "closed"),
}
"""Funnel stages an order has passed, from its current state and resolution (a test covers every state)."""


def reached(state: str, resolution: str | None) -> tuple[str, ...]:
    return REACHED.get((state, resolution)) or REACHED.get((state, None)) or ("suspects",)


def build(
    sessions: sessionmaker[Session], actor: Actor, *, days: int = 30, now: datetime | None = None
) -> Dashboard:
    """One statement, three grouped parts, each read from the per-level covering index: the status part
    (sub-area × state × resolution × late) gives funnel, states, overdue and sub-areas; the other two give
    the orders created and closed per day of the trend window.  Few rows reach Python whatever the area's
    size."""
    now = now or utcnow()
    open_states = {str(x) for x in loop.OPEN_STATES}
    idx = LEVEL_ORDER.index(actor.level)
    child = LEVEL_ORDER[idx + 1] if idx + 1 < len(LEVEL_ORDER) else None
    child_col = getattr(WorkOrder, ORDER_COLUMN[child]) if child else cast(null(), String)
    late = case((WorkOrder.due_at < now, 1), else_=0)
    cday = func.substr(cast(WorkOrder.created_at, String), 1, 10)
    xday = func.substr(cast(WorkOrder.closed_at, String), 1, 10)
    start = datetime.combine((now - timedelta(days=days)).date(), datetime.min.time())
    no_text, no_int = cast(null(), String), cast(null(), Integer)
    status = scope(
        select(
            literal("s").label("kind"),
            child_col.label("area"),
            WorkOrder.state,
            WorkOrder.resolution,
            late.label("late"),
            no_text.label("day"),
            func.count().label("n"),
            func.min(WorkOrder.due_at).label("first_due"),
        ),
        actor,
    ).group_by(child_col, WorkOrder.state, WorkOrder.resolution, late)
    per_day = [
        scope(
            select(
                literal(kind), no_text, no_text, no_text, no_int, day, func.count(), cast(null(), DateTime)
            ),
            actor,
        )
        .where(col >= start)
        .group_by(day)
        for kind, day, col in (("c", cday, WorkOrder.created_at), ("x", xday, WorkOrder.closed_at))
    ]
    funnel = dict.fromkeys(FUNNEL, 0)
    by_state: dict[str, int] = {}
    per_area: dict[str, dict[str, int]] = {}
    created: dict[str, int] = {}
    closed: dict[str, int] = {}
    dismissed = overdue = 0
    # the figures hold until the next day starts or the next open order falls due, whichever is first
    valid_until = datetime.combine(now.date() + timedelta(days=1), datetime.min.time())
    with sessions() as s:
        rows = s.execute(union_all(status, *per_day)).all()
    for kind, area, state, resolution, is_late, day, n, first_due in rows:
        if kind == "c":
            created[day] = n
            continue
        if kind == "x":
            closed[day] = n
            continue
        if not is_late and state in open_states and first_due is not None:
            valid_until = min(valid_until, first_due)
        a = per_area.setdefault(area or "", dict.fromkeys((*FUNNEL, "overdue"), 0))
        for stage in reached(state, resolution):
            funnel[stage] += n
            a[stage] += n
        by_state[state] = by_state.get(state, 0) + n
        if resolution == "dismissed":
            dismissed += n
        if is_late and state in open_states:
            overdue += n
            a["overdue"] += n
    areas = (
        [
            AreaRow(
                code, a["suspects"], a["claimed"], a["verified"], a["confirmed"], a["closed"], a["overdue"]
            )
            for code, a in sorted(per_area.items())
        ]
        if child
        else []
    )
    trend = []
    for i in range(days, -1, -1):
        d = (now - timedelta(days=i)).date().isoformat()
        trend.append((d, created.get(d, 0), closed.get(d, 0)))
    reviewed = funnel["confirmed"] + dismissed
    return Dashboard(
        funnel=funnel,
        by_state=by_state,
        hit_rate=(funnel["confirmed"] / reviewed) if reviewed else None,
        reviewed=reviewed,
        overdue=overdue,
        areas=areas,
        area_level=child,
        trend=trend,
        valid_until=valid_until,
    )


@dataclass
class MapPoint:
    id: int
    lon: float
    lat: float
    state: str
    code: str
    district_code: str | None


def map_points(sessions: sessionmaker[Session], actor: Actor, limit: int = 20_000) -> list[MapPoint]:
    """Positions of the actor's orders (open ones first), capped at ``limit``."""
    q = scope(
        select(
            WorkOrder.id,
            WorkOrder.lon,
            WorkOrder.lat,
            WorkOrder.state,
            WorkOrder.health_code,
            WorkOrder.district_code,
        ),
        actor,
    )
    q = (
        q.where(WorkOrder.lon.is_not(None), WorkOrder.lat.is_not(None))
        .order_by(WorkOrder.id.desc())
        .limit(limit)
    )
    with sessions() as s:
        return [MapPoint(*r) for r in s.execute(q)]
