"""The suspect outbox: how alarms and other producers hand suspects to the work-order loop.

A producer (a monitoring detector's severe alarm, a screening run) inserts a row in the same transaction
as its own record; the work-order intake consumes unconsumed rows (``consumed_at IS NULL``) and marks
them.  Neither side imports the other.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gridwatch.store.base import Base


class SuspectOutbox(Base):
    __tablename__ = "suspect_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(32), index=True)  # "alarm" | "screening" | ...
    source_ref: Mapped[str] = mapped_column(String(128))  # id of the alarm / run+account
    account_no: Mapped[str | None] = mapped_column(String(64), index=True)
    grade: Mapped[str] = mapped_column(String(16))  # severe | warning | notice | red | yellow
    summary: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    consumed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=False), nullable=True, index=True)
