"""Store table of rule-set versions (append-only: a version's text never changes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gridwatch.store.base import Base


class RuleSetVersion(Base):
    """One saved rule file: ``draft`` until activated; activating another one ``retires`` it."""

    __tablename__ = "hc_ruleset"
    __table_args__ = (Index("ix_hc_ruleset_status", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    jurisdiction_code: Mapped[str] = mapped_column(String(12))
    version: Mapped[str] = mapped_column(String(64))  # the file's own ``version``
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))  # draft | active | retired
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime())
    activated_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(), nullable=True)
