"""Read-side queries for the CLI and web pages (alarms, latest readings, curves)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridwatch.monitoring.hj212.frame import parse_cp
from gridwatch.monitoring.tables import MonAlarm, MonReading


def list_alarms(
    session: Session, *, status: str | None = None, mn: str | None = None, limit: int = 100
) -> list[dict[str, object]]:
    q = select(MonAlarm).order_by(MonAlarm.id.desc()).limit(limit)
    if status:
        q = q.where(MonAlarm.status == status)
    if mn:
        q = q.where(MonAlarm.mn == mn)
    return [
        {
            "id": a.id,
            "detector": a.detector,
            "grade": a.grade,
            "status": a.status,
            "mn": a.mn,
            "enterprise_id": a.enterprise_id,
            "channel_id": a.channel_id,
            "summary": a.summary,
            "opened_at": a.opened_at,
            "data_time": a.data_time,
            "resolved_at": a.resolved_at,
        }
        for a in session.scalars(q)
    ]


def readings(
    session: Session, mn: str, *, since: datetime | None = None, limit: int = 2000
) -> list[tuple[datetime, str, dict]]:
    """(data_time, cn, cp) of a point's frames, oldest first."""
    q = select(MonReading.data_time, MonReading.cn, MonReading.cp).where(MonReading.mn == mn)
    if since is not None:
        q = q.where(MonReading.data_time >= since)
    rows = session.execute(q.order_by(MonReading.data_time.desc()).limit(limit)).all()
    return [(r.data_time, r.cn, parse_cp(r.cp)) for r in reversed(rows)]
