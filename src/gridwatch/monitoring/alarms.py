"""The alarm book: turns detectors' findings into alarm rows — opened, escalated, de-duplicated, resolved.

One open alarm per (detector, MN, finding key): a finding seen again only escalates the grade (grades
never fall while an alarm is open); a condition a detector no longer reports is resolved.  When an alarm
becomes severe, a row is inserted into the shared ``suspect_outbox`` (source ``"alarm"``) in the same
transaction, so the work-order intake sees it as soon as the frame that caused it is committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select, update

from gridwatch.monitoring.detectors.base import GRADE_RANK, DeviceState, Finding
from gridwatch.monitoring.tables import MonAlarm
from gridwatch.store.outbox import SuspectOutbox

_alarm = MonAlarm.__table__
_outbox = SuspectOutbox.__table__


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class AlarmEvent:
    """What changed, for webhooks and logs."""

    kind: str  # opened | escalated | resolved
    alarm_id: int
    detector: str
    mn: str
    enterprise_id: str
    channel_id: str | None
    grade: str
    summary: str
    at: str

    def to_json(self) -> dict[str, object]:
        return dict(self.__dict__)


@dataclass
class _Open:
    id: int
    grade: str
    channel_id: str | None
    summary: str


class AlarmBook:
    """Open alarms held in memory (loaded at start), written through a connection in a transaction."""

    def __init__(self) -> None:
        self._open: dict[tuple[str, str], dict[str, _Open]] = {}

    def load(self, conn: Connection) -> None:
        self._open.clear()
        rows = conn.execute(
            select(
                _alarm.c.id,
                _alarm.c.detector,
                _alarm.c.mn,
                _alarm.c.dedup_key,
                _alarm.c.grade,
                _alarm.c.channel_id,
                _alarm.c.summary,
            ).where(_alarm.c.status == "open")
        )
        for r in rows:
            key = r.dedup_key.split("|", 2)[2]
            self._open.setdefault((r.detector, r.mn), {})[key] = _Open(r.id, r.grade, r.channel_id, r.summary)

    def has_open(self, detector: str, mn: str) -> bool:
        return (detector, mn) in self._open

    def open_count(self) -> int:
        return sum(len(v) for v in self._open.values())

    def apply(
        self,
        conn: Connection,
        *,
        detector: str,
        dev: DeviceState,
        findings: list[Finding],
        data_time: datetime,
        account_no: str | None,
    ) -> list[AlarmEvent]:
        """Reconcile the open alarms of (detector, point) with the findings now present."""
        mn = dev.point.mn
        current = self._open.get((detector, mn))
        if not findings and not current:
            return []
        current = self._open.setdefault((detector, mn), {})
        now = utcnow()
        events: list[AlarmEvent] = []
        seen: set[str] = set()
        for f in findings:
            seen.add(f.key)
            existing = current.get(f.key)
            if existing is None:
                alarm_id = conn.execute(
                    insert(_alarm).returning(_alarm.c.id),
                    {
                        "detector": detector,
                        "dedup_key": f"{detector}|{mn}|{f.key}",
                        "mn": mn,
                        "enterprise_id": dev.point.enterprise_id,
                        "channel_id": f.channel_id,
                        "grade": f.grade,
                        "status": "open",
                        "summary": f.summary,
                        "evidence": f.evidence_data(),
                        "occurrences": 1,
                        "opened_at": now,
                        "data_time": data_time,
                        "last_seen_at": now,
                        "resolved_at": None,
                    },
                ).scalar_one()
                current[f.key] = _Open(alarm_id, f.grade, f.channel_id, f.summary)
                events.append(
                    self._event("opened", alarm_id, detector, dev, f.channel_id, f.grade, f.summary, now)
                )
                if f.grade == "severe":
                    self._to_outbox(conn, alarm_id, detector, dev, f, account_no, now)
            elif GRADE_RANK[f.grade] > GRADE_RANK[existing.grade]:
                conn.execute(
                    update(_alarm)
                    .where(_alarm.c.id == existing.id)
                    .values(
                        grade=f.grade,
                        summary=f.summary,
                        evidence=f.evidence_data(),
                        last_seen_at=now,
                        occurrences=_alarm.c.occurrences + 1,
                    )
                )
                existing.grade, existing.summary = f.grade, f.summary
                events.append(
                    self._event(
                        "escalated", existing.id, detector, dev, f.channel_id, f.grade, f.summary, now
                    )
                )
                if f.grade == "severe":
                    self._to_outbox(conn, existing.id, detector, dev, f, account_no, now)
        for key in [k for k in current if k not in seen]:
            gone = current.pop(key)
            conn.execute(
                update(_alarm)
                .where(_alarm.c.id == gone.id)
                .values(status="resolved", resolved_at=now, last_seen_at=now)
            )
            events.append(
                self._event(
                    "resolved", gone.id, detector, dev, gone.channel_id, gone.grade, gone.summary, now
                )
            )
        if not current:
            self._open.pop((detector, mn), None)
        return events

    @staticmethod
    def _event(
        kind: str,
        alarm_id: int,
        detector: str,
        dev: DeviceState,
        channel_id: str | None,
        grade: str,
        summary: str,
        now: datetime,
    ) -> AlarmEvent:
        return AlarmEvent(
            kind,
            alarm_id,
            detector,
            dev.point.mn,
            dev.point.enterprise_id,
            channel_id,
            grade,
            summary,
            now.isoformat(),
        )

    @staticmethod
    def _to_outbox(
        conn: Connection,
        alarm_id: int,
        detector: str,
        dev: DeviceState,
        f: Finding,
        account_no: str | None,
        now: datetime,
    ) -> None:
        conn.execute(
            insert(_outbox),
            {
                "source": "alarm",
                "source_ref": f"mon_alarm:{alarm_id}",
                "account_no": account_no,
                "grade": "severe",
                "summary": f.summary,
                "payload": {
                    "alarm_id": alarm_id,
                    "detector": detector,
                    "mn": dev.point.mn,
                    "enterprise_id": dev.point.enterprise_id,
                    "channel_id": f.channel_id,
                    "evidence": f.evidence_data(),
                },
                "created_at": now,
                "consumed_at": None,
            },
        )
