"""Progress of one jurisdiction: the funnel, hit rate, overdue, breakdown by sub-area and a daily trend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, case, cast, func, literal_column, select
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


def _counts(now: datetime):  # type: ignore[no-untyped-def]
    open_states = [str(s) for s in loop.OPEN_STATES]
    return (
        func.count().label("total"),
        func.count(WorkOrder.claimed_at).label("claimed"),
        func.count(WorkOrder.verified_at).label("verified"),
        func.count(WorkOrder.confirmed_at).label("confirmed"),
        func.count(WorkOrder.disposed_at).label("disposed"),
        func.count(WorkOrder.closed_at).label("closed"),
        func.sum(case((WorkOrder.resolution == "dismissed", 1), else_=0)).label("dismissed"),
        func.sum(case(((WorkOrder.state.in_(open_states)) & (WorkOrder.due_at < now), 1), else_=0)).label(
            "overdue"
        ),
    )


def build(
    sessions: sessionmaker[Session], actor: Actor, *, days: int = 30, now: datetime | None = None
) -> Dashboard:
    now = now or utcnow()
    with sessions() as s:
        r = s.execute(scope(select(*_counts(now)), actor)).one()
        by_state = dict(
            s.execute(scope(select(WorkOrder.state, func.count()), actor).group_by(WorkOrder.state)).all()
        )
        idx = LEVEL_ORDER.index(actor.level)
        child = LEVEL_ORDER[idx + 1] if idx + 1 < len(LEVEL_ORDER) else None
        areas: list[AreaRow] = []
        if child is not None:
            col = getattr(WorkOrder, ORDER_COLUMN[child])
            c = _counts(now)
            q = scope(select(col, c[0], c[1], c[2], c[3], c[5], c[7]), actor).group_by(col).order_by(col)
            areas = [
                AreaRow(code or "", t, cl, v, cf, cs, int(od or 0))
                for code, t, cl, v, cf, cs, od in s.execute(q)
            ]
        since = now - timedelta(days=days)

        def day(col):  # type: ignore[no-untyped-def]  # portable: 'YYYY-MM-DD' text on SQLite and PostgreSQL
            return func.substr(cast(col, String), 1, 10)

        created = dict(
            s.execute(
                scope(select(day(WorkOrder.created_at).label("d"), func.count()), actor)
                .where(WorkOrder.created_at >= since)
                .group_by(literal_column("d"))
            ).all()
        )
        closed = dict(
            s.execute(
                scope(select(day(WorkOrder.closed_at).label("d"), func.count()), actor)
                .where(WorkOrder.closed_at >= since)
                .group_by(literal_column("d"))
            ).all()
        )
    trend = []
    for i in range(days, -1, -1):
        d = (now - timedelta(days=i)).date()
        trend.append(
            (
                d.isoformat(),
                int(created.get(d.isoformat(), 0)),
                int(closed.get(d.isoformat(), 0)),
            )
        )
    reviewed = int(r.confirmed or 0) + int(r.dismissed or 0)
    return Dashboard(
        funnel={
            "suspects": r.total,
            "claimed": r.claimed,
            "verified": r.verified,
            "confirmed": r.confirmed,
            "disposed": r.disposed,
            "closed": r.closed,
        },
        by_state={str(k): int(v) for k, v in by_state.items()},
        hit_rate=(int(r.confirmed) / reviewed) if reviewed else None,
        reviewed=reviewed,
        overdue=int(r.overdue or 0),
        areas=areas,
        area_level=child,
        trend=trend,
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
