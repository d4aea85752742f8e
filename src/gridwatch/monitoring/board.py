"""Read models for the web pages: the live status board of a jurisdiction and one facility's page.

No web framework here: functions take a SQLAlchemy session and return plain dicts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridwatch.monitoring.detectors.base import GRADE_RANK, on_threshold
from gridwatch.monitoring.hj212.frame import parse_cp
from gridwatch.monitoring.ingest import VALUE_ITEMS, _number
from gridwatch.monitoring.registry import ChannelInfo, PointInfo, load_snapshot
from gridwatch.monitoring.settings import DetectorSettings
from gridwatch.monitoring.tables import MonAlarm, MonEnterprise, MonReading


def _power(cp: dict, ch: ChannelInfo) -> float | None:
    f = cp.get(ch.power_code)
    return _number(f if isinstance(f, dict) else None, VALUE_ITEMS)


def status_board(
    session: Session, *, covers: Callable[[str], bool], city_code: str, settings: DetectorSettings
) -> list[dict[str, object]]:
    """One row per monitoring point inside the jurisdiction: facilities on/off, last data, open alarms."""
    snap = load_snapshot(session)
    names = dict(session.execute(select(MonEnterprise.enterprise_id, MonEnterprise.name)).all())
    points = [p for p in snap.points.values() if covers(p.division_code or city_code)]
    mns = [p.mn for p in points]
    if not mns:
        return []
    latest = (
        select(MonReading.mn, func.max(MonReading.data_time).label("t"))
        .where(MonReading.mn.in_(mns), MonReading.cn.in_(("2011", "2051")))
        .group_by(MonReading.mn)
        .subquery()
    )
    last = {
        r.mn: (r.data_time, r.received_at, parse_cp(r.cp))
        for r in session.execute(
            select(MonReading.mn, MonReading.data_time, MonReading.received_at, MonReading.cp).join(
                latest, (MonReading.mn == latest.c.mn) & (MonReading.data_time == latest.c.t)
            )
        )
    }
    alarms: dict[str, list[str]] = {}
    for mn, grade in session.execute(
        select(MonAlarm.mn, MonAlarm.grade).where(MonAlarm.status == "open", MonAlarm.mn.in_(mns))
    ):
        alarms.setdefault(mn, []).append(grade)
    rows = []
    for p in sorted(points, key=lambda p: (p.enterprise_id, p.mn)):
        data_time, received, cp = last.get(p.mn, (None, None, {}))
        grades = alarms.get(p.mn, [])
        rows.append(
            {
                "mn": p.mn,
                "enterprise_id": p.enterprise_id,
                "enterprise": names.get(p.enterprise_id, p.enterprise_id),
                "division_code": p.division_code,
                "facilities": [_facility(ch, cp, settings) for ch in p.channels],
                "last_data_time": data_time,
                "last_received": received,
                "open_alarms": len(grades),
                "worst": max(grades, key=lambda g: GRADE_RANK[g]) if grades else None,
            }
        )
    return rows


def _facility(ch: ChannelInfo, cp: dict, settings: DetectorSettings) -> dict[str, object]:
    power = _power(cp, ch)
    state = None if power is None else ("on" if power > on_threshold(ch, settings) else "off")
    return {"channel_id": ch.channel_id, "kind": ch.kind, "power_kw": power, "state": state}


def facility_view(
    session: Session, mn: str, *, limit: int = 1440
) -> tuple[PointInfo, dict, list[dict]] | None:
    """A point's production vs treatment curves (last ``limit`` frames) and its alarm history."""
    snap = load_snapshot(session)
    point = snap.points.get(mn)
    if point is None:
        return None
    rows = session.execute(
        select(MonReading.data_time, MonReading.cp)
        .where(MonReading.mn == mn, MonReading.cn.in_(("2011", "2051")))
        .order_by(MonReading.data_time.desc())
        .limit(limit)
    ).all()
    rows.reverse()
    curves = {"t": [r.data_time.strftime("%Y-%m-%d %H:%M") for r in rows], "series": []}
    parsed = [parse_cp(r.cp) for r in rows]
    for ch in point.channels:
        curves["series"].append(
            {"channel_id": ch.channel_id, "kind": ch.kind, "data": [_power(cp, ch) for cp in parsed]}
        )
    alarms = [
        {
            "id": a.id,
            "detector": a.detector,
            "grade": a.grade,
            "status": a.status,
            "summary": a.summary,
            "opened_at": a.opened_at,
            "data_time": a.data_time,
            "resolved_at": a.resolved_at,
        }
        for a in session.scalars(
            select(MonAlarm).where(MonAlarm.mn == mn).order_by(MonAlarm.id.desc()).limit(200)
        )
    ]
    return point, curves, alarms


def now_local() -> datetime:
    return datetime.now()
