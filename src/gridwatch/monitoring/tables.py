"""Monitoring tables on the shared metadata: device registry, readings, alarms, restriction periods.

Registry: enterprise (企业) → monitoring point (监测点, one HJ 212 MN with its password) → channels, each a
production (产污设施) or treatment (治污设施) facility with the factor codes carrying its current, power and
kWh; a treatment channel names the production channel it serves (``pairs_with``).

``mon_reading`` keeps every accepted frame: its CP data area as sent and the raw frame (evidence).
``(mn, cn, data_time)`` is unique, so a device re-sending an unanswered frame is stored once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gridwatch.store.base import Base


class MonEnterprise(Base):
    __tablename__ = "mon_enterprise"

    enterprise_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    account_no: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    division_code: Mapped[str | None] = mapped_column(String(12), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime())


class MonPoint(Base):
    __tablename__ = "mon_point"

    mn: Mapped[str] = mapped_column(String(32), primary_key=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("mon_enterprise.enterprise_id"), index=True)
    password: Mapped[str] = mapped_column(String(32))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime())


class MonChannel(Base):
    __tablename__ = "mon_channel"
    __table_args__ = (UniqueConstraint("mn", "channel_id", name="uq_mon_channel_mn_channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    mn: Mapped[str] = mapped_column(ForeignKey("mon_point.mn"), index=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # production | treatment
    pairs_with: Mapped[str | None] = mapped_column(String(32), nullable=True)
    rated_kw: Mapped[float | None] = mapped_column(Float, nullable=True)
    current_code: Mapped[str] = mapped_column(String(16))
    power_code: Mapped[str] = mapped_column(String(16))
    kwh_code: Mapped[str] = mapped_column(String(16))


class MonReading(Base):
    __tablename__ = "mon_reading"
    __table_args__ = (
        UniqueConstraint("mn", "cn", "data_time", name="uq_mon_reading_mn_cn_time"),
        Index("ix_mon_reading_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    mn: Mapped[str] = mapped_column(String(32))
    cn: Mapped[str] = mapped_column(String(8))
    qn: Mapped[str | None] = mapped_column(String(20), nullable=True)
    data_time: Mapped[datetime] = mapped_column(DateTime())
    received_at: Mapped[datetime] = mapped_column(DateTime())
    cp: Mapped[str] = mapped_column(Text)  # the CP data area as sent (merged for split packets)
    raw: Mapped[str] = mapped_column(Text)


class MonAlarm(Base):
    __tablename__ = "mon_alarm"
    __table_args__ = (Index("ix_mon_alarm_status_key", "status", "dedup_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    detector: Mapped[str] = mapped_column(String(32), index=True)
    dedup_key: Mapped[str] = mapped_column(String(200))
    mn: Mapped[str] = mapped_column(String(32), index=True)
    enterprise_id: Mapped[str] = mapped_column(String(64), index=True)
    channel_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    grade: Mapped[str] = mapped_column(String(16))  # notice | warning | severe
    status: Mapped[str] = mapped_column(String(16))  # open | resolved
    summary: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    opened_at: Mapped[datetime] = mapped_column(DateTime())
    data_time: Mapped[datetime] = mapped_column(DateTime())
    last_seen_at: Mapped[datetime] = mapped_column(DateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(), nullable=True)


class MonMeta(Base):
    """Counters, e.g. ``registry_version``: bumped by every registry write so the gateway reloads cheaply."""

    __tablename__ = "mon_meta"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class MonRestriction(Base):
    """A declared stop/limit period (停产限产), e.g. a heavy-pollution weather emergency (重污染天气应急)."""

    __tablename__ = "mon_restriction"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    level: Mapped[str] = mapped_column(String(16))  # e.g. yellow | orange | red
    enterprise_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)  # None = all
    action: Mapped[str] = mapped_column(String(8))  # stop | limit (default when no plan says otherwise)
    limit_pct: Mapped[float] = mapped_column(Float, default=0.0)  # cut by this % of normal production
    starts_at: Mapped[datetime] = mapped_column(DateTime())
    ends_at: Mapped[datetime] = mapped_column(DateTime())
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime())


class MonEmergencyPlan(Base):
    """One enterprise's emergency plan (应急减排清单): what it must do at each alert level."""

    __tablename__ = "mon_emergency_plan"
    __table_args__ = (UniqueConstraint("enterprise_id", "level", name="uq_mon_emergency_plan_ent_level"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("mon_enterprise.enterprise_id"))
    level: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(8))
    limit_pct: Mapped[float] = mapped_column(Float, default=0.0)


class MonWebhook(Base):
    """One alarm event to POST to one URL: written in the transaction of the alarm change, so a restart
    loses none; the sender retries with back-off until ``delivered`` or ``failed`` (or ``dropped`` when
    more than ``webhooks.queue_size`` wait)."""

    __tablename__ = "mon_webhook"
    __table_args__ = (Index("ix_mon_webhook_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(String(500))
    alarm_id: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))  # pending | delivered | failed | dropped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
