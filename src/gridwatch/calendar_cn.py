"""China's public-holiday calendar, as needed by load models (pure; no I/O).

Spring Festival (春节) dates are from the lunar calendar; the statutory holiday of a year is approximated
by fixed rules: New Year's Day, Spring Festival eve to the 6th day of the first month, Qingming (4–6 Apr),
Labour Day (1–5 May), Dragon Boat and Mid-Autumn (one day each, from the table), National Day (1–7 Oct).
Make-up working days are ignored.  Years outside the table raise KeyError.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

SPRING_FESTIVAL: dict[int, date] = {
    2018: date(2018, 2, 16), 2019: date(2019, 2, 5), 2020: date(2020, 1, 25), 2021: date(2021, 2, 12),
    2022: date(2022, 2, 1), 2023: date(2023, 1, 22), 2024: date(2024, 2, 10), 2025: date(2025, 1, 29),
    2026: date(2026, 2, 17), 2027: date(2027, 2, 6), 2028: date(2028, 1, 26), 2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
}
"""First day of the lunar year (正月初一)."""

DRAGON_BOAT: dict[int, date] = {
    2018: date(2018, 6, 18), 2019: date(2019, 6, 7), 2020: date(2020, 6, 25), 2021: date(2021, 6, 14),
    2022: date(2022, 6, 3), 2023: date(2023, 6, 22), 2024: date(2024, 6, 10), 2025: date(2025, 5, 31),
    2026: date(2026, 6, 19), 2027: date(2027, 6, 9), 2028: date(2028, 5, 28), 2029: date(2029, 6, 16),
    2030: date(2030, 6, 5),
}

MID_AUTUMN: dict[int, date] = {
    2018: date(2018, 9, 24), 2019: date(2019, 9, 13), 2020: date(2020, 10, 1), 2021: date(2021, 9, 21),
    2022: date(2022, 9, 10), 2023: date(2023, 9, 29), 2024: date(2024, 9, 17), 2025: date(2025, 10, 6),
    2026: date(2026, 9, 25), 2027: date(2027, 9, 15), 2028: date(2028, 10, 3), 2029: date(2029, 9, 22),
    2030: date(2030, 9, 12),
}


def spring_festival(year: int) -> date:
    """Date of the Spring Festival (lunar new year's day) of ``year``."""
    return SPRING_FESTIVAL[year]


def _span(start: date, days: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(days)]


@lru_cache(maxsize=64)
def holidays(year: int) -> dict[date, str]:
    """Statutory holidays of ``year``: date → name (``spring_festival``, ``national_day``, ...)."""
    out: dict[date, str] = {date(year, 1, 1): "new_year"}
    for d in _span(SPRING_FESTIVAL[year] - timedelta(days=1), 8):
        out[d] = "spring_festival"
    for d in _span(date(year, 4, 4), 3):
        out[d] = "qingming"
    for d in _span(date(year, 5, 1), 5):
        out[d] = "labour_day"
    out[DRAGON_BOAT[year]] = "dragon_boat"
    out[MID_AUTUMN[year]] = "mid_autumn"
    for d in _span(date(year, 10, 1), 7):
        out[d] = "national_day"
    return out


def spring_festival_travel(year: int) -> tuple[date, date]:
    """The period when migrant workers and families are away (春运): 10 days before to 15 days after."""
    sf = SPRING_FESTIVAL[year]
    return sf - timedelta(days=10), sf + timedelta(days=15)


def is_holiday(d: date) -> bool:
    return d in holidays(d.year)
