"""The write path on real databases: readings stored once, alarms opened/escalated/resolved, outbox rows."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from gridwatch.monitoring.hj212 import parse_frame
from gridwatch.monitoring.ingest import Accepted, Ingestor, Refused, parse_data_time
from gridwatch.monitoring.registry import ChannelSpec, add_device
from gridwatch.monitoring.settings import MonitoringSettings
from gridwatch.monitoring.tables import MonAlarm, MonReading
from gridwatch.store.db import make_engine, session_factory
from gridwatch.store.outbox import SuspectOutbox

from .helpers import T0, minutes, power_frame


def _setup(url: str) -> Ingestor:
    engine = make_engine(url)
    with session_factory(engine)() as s, s.begin():
        add_device(
            s,
            mn="MN1",
            password="pw",
            enterprise_id="E1",
            enterprise_name="甲厂",
            account_no="A-1",
            channels=[ChannelSpec("p1", "production", rated_kw=30), ChannelSpec("t1", "treatment", "p1", 5)],
        )
    return Ingestor(engine, MonitoringSettings())


def _accept(ing: Ingestor, raw: bytes, wall: float | None = None) -> Accepted:
    frame = parse_frame(raw)
    return Accepted(frame, raw, ing.check(frame), datetime.now(), wall or time.time())


def test_check_refuses_unknown_mn_and_bad_password(db_url) -> None:
    ing = _setup(db_url)
    with pytest.raises(Refused) as exc:
        ing.check(parse_frame(power_frame("NOPE", "pw", T0, {"p1": 1})))
    assert exc.value.qn_rtn == 4
    with pytest.raises(Refused) as exc:
        ing.check(parse_frame(power_frame("MN1", "bad", T0, {"p1": 1})))
    assert exc.value.qn_rtn == 3


def test_severe_alarm_writes_outbox_in_the_same_commit_and_resolves(db_url) -> None:
    ing = _setup(db_url)
    Session = session_factory(ing.engine)
    batch = [
        _accept(ing, power_frame("MN1", "pw", T0 + minutes(i), {"p1": 20 + i % 3 * 0.1, "t1": 3.1}))
        for i in range(5)
    ]
    batch += [
        _accept(ing, power_frame("MN1", "pw", T0 + minutes(5 + i), {"p1": 20 + i % 3 * 0.1, "t1": 0.0}))
        for i in range(31)
    ]
    events = ing.commit(batch)
    kinds = [(e.kind, e.grade) for e in events if e.detector == "treatment_off"]
    assert kinds == [("opened", "notice"), ("escalated", "warning"), ("escalated", "severe")]
    with Session() as s:
        alarms = s.scalars(select(MonAlarm).where(MonAlarm.detector == "treatment_off")).all()
        assert len(alarms) == 1 and alarms[0].grade == "severe" and alarms[0].status == "open"
        assert alarms[0].evidence["power_kw"]["t1"][-1] == 0.0
        out = s.scalars(select(SuspectOutbox)).all()
        assert [(o.source, o.grade, o.account_no, o.source_ref) for o in out] == [
            ("alarm", "severe", "A-1", f"mon_alarm:{alarms[0].id}")
        ]
        assert s.scalar(select(func.count()).select_from(MonReading)) == 36
    # the same frames again (a device re-sending): stored once, no new alarms
    assert ing.commit(batch[-3:]) == []
    assert ing.duplicates == 3
    # treatment back on: resolved
    events = ing.commit([_accept(ing, power_frame("MN1", "pw", T0 + minutes(40), {"p1": 20, "t1": 3}))])
    assert ("resolved", "treatment_off") in [(e.kind, e.detector) for e in events]
    with Session() as s:
        assert s.scalar(select(MonAlarm.status).where(MonAlarm.detector == "treatment_off")) == "resolved"
        assert s.scalar(select(func.count()).select_from(SuspectOutbox)) == 1


def test_open_alarms_survive_a_restart(db_url) -> None:
    ing = _setup(db_url)
    ing.commit(
        [
            _accept(ing, power_frame("MN1", "pw", T0 + minutes(i), {"p1": 20 + i * 0.01, "t1": 0}))
            for i in range(12)
        ]
    )
    again = Ingestor(ing.engine, MonitoringSettings())
    assert again.book.open_count() == ing.book.open_count() >= 1


def test_offline_sweep(db_url) -> None:
    ing = _setup(db_url)
    ing.commit([_accept(ing, power_frame("MN1", "pw", T0, {"p1": 20, "t1": 3}), wall=1000.0)])
    events = ing.sweep(wall=1000.0 + 4000)
    assert [(e.detector, e.grade, e.kind) for e in events] == [("offline", "severe", "opened")]
    with session_factory(ing.engine)() as s:
        assert s.scalar(select(func.count()).select_from(SuspectOutbox)) == 1
    events = ing.commit([_accept(ing, power_frame("MN1", "pw", T0 + minutes(1), {"p1": 20, "t1": 3}))])
    assert ("offline", "resolved") in [(e.detector, e.kind) for e in events]


def test_a_device_silent_since_before_a_restart_is_reported_offline(db_url) -> None:
    ing = _setup(db_url)
    sent = time.time() - 4000  # the last frame arrived 4,000 s ago, then the gateway restarted
    frame = parse_frame(power_frame("MN1", "pw", T0, {"p1": 20, "t1": 3}))
    received = datetime.fromtimestamp(sent, UTC).replace(tzinfo=None)  # stored as naive UTC
    ing.commit([Accepted(frame, power_frame("MN1", "pw", T0, {"p1": 20, "t1": 3}), T0, received, sent)])
    again = Ingestor(ing.engine, MonitoringSettings())
    events = again.sweep()
    assert [(e.detector, e.grade, e.kind) for e in events] == [("offline", "severe", "opened")]
    # a frame re-sent after the restart ends the silence, but it is late (its DataTime is not after the
    # last stored one): stored once, and the detectors do not see it again (no treatment-off alarm)
    events = again.commit([_accept(again, power_frame("MN1", "pw", T0, {"p1": 20, "t1": 0}))])
    assert [(e.detector, e.kind) for e in events] == [("offline", "resolved")]
    assert again.duplicates == 1


def test_parse_data_time() -> None:
    assert parse_data_time("20261123080000") == datetime(2026, 11, 23, 8)
    assert parse_data_time("20261123080000123").microsecond == 123000
    with pytest.raises(ValueError):
        parse_data_time("2026-11-23")
