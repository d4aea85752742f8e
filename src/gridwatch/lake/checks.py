"""Validation rules of the lake, as data.

A :class:`Check` is a SQL condition over the *parsed* columns of a chunk that is TRUE when a row violates
it, the field it blames, and a SQL expression of the reason (text shown to the user and kept in the
quarantine).  :data:`CHECKS` registers them per table; generic checks (missing required value,
unparseable value, unknown account) are derived from the contract in :mod:`gridwatch.lake.validate`.

Context columns available to conditions: ``_cap`` (the account's capacity_kva, from customers),
``_known`` (TRUE when the account exists in customers), and the settings as named parameters rendered
into the SQL (``{max_daily_kwh}``, ``{overload}``, ``{future_days}``).
"""

from __future__ import annotations

from dataclasses import dataclass

from gridwatch.lake.contracts import CUSTOMER_STATUSES, STATUS_ALIASES, TARIFF_ALIASES, TARIFFS


@dataclass(frozen=True)
class Check:
    field: str
    condition: str  # TRUE = violation (NULL counts as no violation)
    reason: str  # SQL expression giving the reason text


def _num(col: str) -> str:
    return f"CAST(round({col}, 3) AS VARCHAR)"


FUTURE = "current_date + INTERVAL {future_days} DAY"

USCC_PATTERN = "^[0-9A-HJ-NPQRTUWXY]{{2}}[0-9]{{6}}[0-9A-HJ-NPQRTUWXY]{{10}}$"  # braces doubled: rendered by str.format

CHECKS: dict[str, list[Check]] = {
    "customers": [
        Check("tariff", "tariff IS NOT NULL AND _tariff_std IS NULL",
              "'unknown tariff ' || quote(tariff) || ' (expected one of " + ", ".join(TARIFFS) + " or a Chinese label)'"),
        Check("status", "status IS NOT NULL AND _status_std IS NULL",
              "'unknown status ' || quote(status) || ' (expected one of " + ", ".join(CUSTOMER_STATUSES) + ")'"),
        Check("capacity_kva", "capacity_kva < 0 OR capacity_kva > 1000000",
              "'capacity_kva out of range [0, 1000000]: ' || " + _num("capacity_kva")),
        Check("lon", "lon NOT BETWEEN 73 AND 136", "'longitude outside China: ' || " + _num("lon")),
        Check("lat", "lat NOT BETWEEN 3 AND 54", "'latitude outside China: ' || " + _num("lat")),
        Check("opened_on", f"opened_on > {FUTURE}", "'opened_on is in the future: ' || CAST(opened_on AS VARCHAR)"),
    ],
    "readings_daily": [
        Check("kwh", "kwh < 0", "'negative kWh: ' || " + _num("kwh")),
        Check("kwh", "kwh > coalesce(_cap * 24 * {overload}, {max_daily_kwh})",
              "'absurd kWh: ' || " + _num("kwh") + " || ' exceeds ' || "
              + _num("coalesce(_cap * 24 * {overload}, {max_daily_kwh})")
              + " || CASE WHEN _cap IS NULL THEN ' (no capacity known)' ELSE ' (capacity × 24 h × overload)' END"),
        Check("date", f"date > {FUTURE}", "'date is in the future: ' || CAST(date AS VARCHAR)"),
        Check("date", "date < DATE '1990-01-01'", "'date before 1990: ' || CAST(date AS VARCHAR)"),
    ],
    "readings_interval": [
        Check("kwh", "kwh < 0", "'negative kWh: ' || " + _num("kwh")),
        Check("kwh", "kwh > coalesce(_cap * _interval / 60.0 * {overload}, {max_daily_kwh} * _interval / 1440.0 * 4)",
              "'absurd kWh: ' || " + _num("kwh") + " || ' for a ' || CAST(_interval AS VARCHAR) || '-minute interval'"),
        Check("ts", f"ts > {FUTURE}", "'timestamp is in the future: ' || CAST(ts AS VARCHAR)"),
        Check("ts", "ts < TIMESTAMP '1990-01-01'", "'timestamp before 1990: ' || CAST(ts AS VARCHAR)"),
        Check("interval_min", "_interval NOT IN (15, 30, 60)",
              "'interval must be 15, 30 or 60 minutes, got ' || CAST(_interval AS VARCHAR)"),
        Check("ts", "_interval IN (15, 30, 60) AND ((hour(ts) * 60 + minute(ts)) % _interval <> 0 OR second(ts) <> 0)",
              "'timestamp ' || CAST(ts AS VARCHAR) || ' is not the start of a ' || CAST(_interval AS VARCHAR) || '-minute interval'"),
    ],
    "water": [
        Check("m3", "m3 < 0", "'negative water volume: ' || " + _num("m3")),
        Check("m3", "m3 > 10000000", "'absurd water volume: ' || " + _num("m3")),
        Check("month_start", f"month_start > {FUTURE}", "'month is in the future: ' || CAST(month_start AS VARCHAR)"),
    ],
    "permits": [
        Check("uscc", f"uscc IS NOT NULL AND NOT regexp_full_match(upper(uscc), '{USCC_PATTERN}')",
              "'not a valid 18-character USCC: ' || quote(uscc)"),
        Check("valid_to", "valid_to < valid_from",
              "'valid_to ' || CAST(valid_to AS VARCHAR) || ' is before valid_from ' || CAST(valid_from AS VARCHAR)"),
    ],
    "registry": [
        Check("uscc", f"NOT regexp_full_match(upper(uscc), '{USCC_PATTERN}')",
              "'not a valid 18-character USCC: ' || quote(uscc)"),
    ],
    "addresses": [
        Check("lon", "lon NOT BETWEEN 73 AND 136", "'longitude outside China: ' || " + _num("lon")),
        Check("lat", "lat NOT BETWEEN 3 AND 54", "'latitude outside China: ' || " + _num("lat")),
    ],
    "weather": [
        Check("tmean_c", "tmean_c NOT BETWEEN -60 AND 60", "'implausible temperature: ' || " + _num("tmean_c")),
        Check("tmax_c", "tmax_c NOT BETWEEN -60 AND 65", "'implausible temperature: ' || " + _num("tmax_c")),
        Check("precip_mm", "precip_mm < 0 OR precip_mm > 2000", "'implausible precipitation: ' || " + _num("precip_mm")),
    ],
    "closures": [
        Check("closed_on", f"closed_on > {FUTURE}", "'closure date is in the future: ' || CAST(closed_on AS VARCHAR)"),
    ],
    "labels": [
        Check("outcome", "outcome NOT IN ('confirmed', 'legal_business', 'household', 'vacant', 'not_found', 'other')",
              "'unknown outcome ' || quote(outcome)"),
        Check("verified_on", f"verified_on > {FUTURE}", "'verification date is in the future'"),
    ],
}
"""Domain checks per table (beyond the generic type and presence checks)."""

ENUMS: dict[tuple[str, str], dict[str, str]] = {
    ("customers", "tariff"): TARIFF_ALIASES,
    ("customers", "status"): STATUS_ALIASES,
}
"""Columns whose accepted labels are normalised to standard words (the parsed value becomes the standard)."""
