"""The time window of one screening run and the calendar table the feature SQL joins to.

The calendar is built in Python from :mod:`gridwatch.calendar_cn` (weekends, statutory holidays, Spring
Festival phases) and registered in the engine as a small table, so that the SQL needs no date functions
whose names differ between engines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pyarrow as pa

from gridwatch.calendar_cn import SPRING_FESTIVAL, holidays
from gridwatch.config import ScreeningSettings

SF_BEFORE = (-42, -15)
"""Reference period before Spring Festival, days relative to 正月初一 (inclusive)."""
SF_DURING = (-7, 14)
"""Spring Festival shutdown period, days relative to 正月初一 (inclusive): workshops stop, migrants leave."""
SF_WEEKS_FROM = -14
"""First day of the weeks searched for the lowest week around Spring Festival, relative to 正月初一."""
SF_WEEKS = 7
"""Number of 7-day weeks from SF_WEEKS_FROM (−14 … +34 d): a stop of 2–5 weeks falls in them whenever it starts."""


@dataclass(frozen=True)
class Window:
    """Dates of one run: ``start``..``as_of`` (daily), ``recent_start``..``as_of``, ``interval_start``.."""

    as_of: date
    start: date
    recent_start: date
    interval_start: date
    trend_start: date

    @classmethod
    def of(cls, as_of: date, s: ScreeningSettings) -> Window:
        return cls(
            as_of=as_of,
            start=as_of - timedelta(days=s.lookback_days - 1),
            recent_start=as_of - timedelta(days=s.recent_days - 1),
            interval_start=as_of - timedelta(days=s.interval_days - 1),
            trend_start=as_of - timedelta(days=2 * s.recent_days - 1),
        )

    @property
    def days(self) -> int:
        return (self.as_of - self.start).days + 1


def calendar_table(w: Window) -> pa.Table:
    """One row per day of the window: ``date, day_index, is_weekend, is_holiday, sf_phase, sf_week, is_recent``."""
    days = [w.start + timedelta(days=i) for i in range(w.days)]
    hol: dict[date, str] = {}
    sf_phase: dict[date, str] = {}
    sf_week: dict[date, int] = {}
    for y in range(w.start.year - 1, w.as_of.year + 2):
        if y in SPRING_FESTIVAL:
            hol.update(holidays(y))
            sf = SPRING_FESTIVAL[y]
            for lo, hi, phase in ((*SF_BEFORE, "before"), (*SF_DURING, "during")):
                for k in range(lo, hi + 1):
                    sf_phase[sf + timedelta(days=k)] = phase
            for k in range(SF_WEEKS * 7):
                sf_week[sf + timedelta(days=SF_WEEKS_FROM + k)] = k // 7
    return pa.table(
        {
            "date": pa.array(days, pa.date32()),
            "day_index": pa.array([(d - w.start).days for d in days], pa.int64()),
            "is_weekend": pa.array([d.weekday() >= 5 for d in days]),
            "is_holiday": pa.array([d in hol for d in days]),
            "sf_phase": pa.array([sf_phase.get(d) for d in days], pa.string()),
            "sf_week": pa.array([sf_week.get(d) for d in days], pa.int64()),
            "is_recent": pa.array([d >= w.recent_start for d in days]),
            "is_trend": pa.array([d >= w.trend_start for d in days]),
        }
    )
