"""Two small feature passes added after the main feature SQL (written once, DuckDB dialect, any engine).

Kept apart from :mod:`gridwatch.screening.feature_sql` so that each stays small and can change on its own:

1. :func:`curve_features_sql` — interval-curve signatures of two legal loads that otherwise look like a
   workshop on a residential account:

   * **EV charging** (电动汽车充电): a home charger draws a near-constant 3–11 kW for one to eight hours,
     starting in the evening or at night, on some nights only.  Runs of quarter-hours whose power exceeds
     the day's median by at least ``EV_MIN_KW`` are found (gaps-and-islands); a run is *charging-like*
     when it lasts ``EV_MIN_H``–``EV_MAX_H`` hours, starts between ``EV_START_FROM`` and ``EV_START_TO``
     o'clock and its power above the median is flat (coefficient of variation ≤ ``EV_MAX_CV``).
     ``ev_kwh_day`` is the energy above the median in such runs per interval day; the level features
     ``level_ex_ev_vs_peer`` / ``mean_ex_ev_kwh`` judge the rest of the load.
   * **Household shape** (居民负荷形态): the Pearson correlation of the account's mean 24-hour profile
     (hourly energy shares) with the mean profile of all residential accounts (``res_shape_corr``).
     Hostels and large families keep the household evening peak, only bigger; machines run to a
     production timetable.

   Like pass 1 it runs per range bucket of accounts (exact per-day medians and the run windows cannot
   spill in DuckDB): :func:`curve_reference_sql` gives each bucket's part of the mean residential
   profile (sum and count of shares per hour), the parts are registered as ``gw_curve_ref`` and added
   up, and then each bucket's accounts are compared against the whole profile
   (:func:`gridwatch.screening.feature_table.curve_table`).

   The EV energy also corrects the Spring Festival ratios before the peer pass
   (:func:`ev_adjusted_sql`): a car charged at home leaves with the family, so a household away over the
   festival loses its charging on top of its own use and its ratio falls to a workshop's.

2. :func:`link_features_sql` — permits and the business registry joined through the entity links of the
   address module (``gw_links``: account_no, permit_no, uscc; :func:`gridwatch.address.links.load_links`)
   in addition to the exact joins of the main pass.  When no links were computed the table is empty and
   the exact joins decide alone (the documented fallback).
"""

from __future__ import annotations

import pyarrow as pa

from gridwatch.screening.feature_sql import Bucket
from gridwatch.screening.window import Window

EV_MIN_KW = 3.0
"""Power above the day's median that a charging run keeps (smallest common home charger 3.3 kW) [kW]."""
EV_MIN_H = 1.0
"""Shortest charging run [h]."""
EV_MAX_H = 6.0
"""Longest charging run: 6 h at 7 kW is 42 kWh, more than a day of driving needs; night shifts run longer [h]."""
EV_START_FROM = 18
"""Charging runs start at or after this hour ... [h]."""
EV_START_TO = 3
"""... or before this hour of the next morning [h]."""
EV_MAX_CV = 0.15
"""Largest coefficient of variation of the power above median within a charging run [-]."""

EV_MAX_SHARE_OF_PRE_SF = 0.8
"""Largest share of the pre-festival load the EV correction takes away (keeps the ratio finite) [-]."""

EMPTY_CURVE = pa.schema([("account_no", pa.string()), ("ev_kwh_day", pa.float64()),
                         ("ev_days_share", pa.float64()), ("res_shape_corr", pa.float64())])
"""Columns of the curve pass (no rows without interval data)."""

DEAD_STATUS = ("注销", "吊销", "deregistered", "revoked")
"""Registry statuses of a firm that no longer exists."""


def _d(x: object) -> str:
    return f"DATE '{x}'"


def _interval_rows(w: Window, bucket: Bucket, k: str) -> str:
    """The interval readings of the window for the accounts of ``bucket`` (a plain range of ``k``:
    row-group pruning), per account key column ``k`` (``account_key`` or ``account_no``, see
    :func:`gridwatch.screening.features.key_column`)."""
    iend = f"CAST({_d(w.as_of)} AS TIMESTAMP) + INTERVAL 1 DAY"
    return f"""iv AS (
  SELECT {k}, ts, CAST(ts AS DATE) AS day, hour(ts) AS h, kwh,
         kwh * 60.0 / coalesce(interval_min, 15) AS kw, coalesce(interval_min, 15) AS imin
  FROM readings_interval
  WHERE ts >= CAST({_d(w.interval_start)} AS TIMESTAMP) AND ts < {iend} AND kwh IS NOT NULL
    AND {bucket.where(k)}
),
nd AS (
  SELECT {k}, count(DISTINCT day) AS n_days, sum(kwh) AS e FROM iv GROUP BY {k}
),
hp AS (
  SELECT iv.{k}, iv.h, sum(iv.kwh) / nullif(nd.e, 0) AS share
  FROM iv JOIN nd ON iv.{k} = nd.{k}
  GROUP BY iv.{k}, iv.h, nd.e
)"""


def curve_reference_sql(w: Window, bucket: Bucket | None = None, k: str = "account_no") -> str:
    """Per hour, the sum and count of the hourly energy shares of the residential accounts of ``bucket``:
    the parts of the mean residential profile, added up over the buckets by :func:`curve_features_sql`
    (registered as ``gw_curve_ref``)."""
    return f"""
WITH {_interval_rows(w, bucket or Bucket(), k)}
SELECT hp.h, sum(hp.share) AS share_sum, count(*) AS n
FROM hp JOIN customers c ON hp.{k} = c.{k}
WHERE c.tariff = 'residential' AND hp.share IS NOT NULL
GROUP BY hp.h
"""


def curve_features_sql(w: Window, bucket: Bucket | None = None, k: str = "account_no") -> str:
    """Per-account EV-charging and household-shape features from ``readings_interval`` for the accounts of
    ``bucket`` (default: all), against the residential profile parts in ``gw_curve_ref``."""
    start_ok = f"(hour(r.t0) >= {EV_START_FROM} OR hour(r.t0) < {EV_START_TO})"
    return f"""
WITH {_interval_rows(w, bucket or Bucket(), k)},
dm AS (
  SELECT {k}, day, median(kw) AS kw_med FROM iv GROUP BY {k}, day
),
x AS (
  SELECT iv.{k}, iv.ts, iv.imin, iv.kw - dm.kw_med AS excess,
         CASE WHEN iv.kw - dm.kw_med >= {EV_MIN_KW} THEN 1 ELSE 0 END AS hi
  FROM iv JOIN dm ON iv.{k} = dm.{k} AND iv.day = dm.day
),
g AS (
  SELECT {k}, ts, imin, excess, hi,
         row_number() OVER (PARTITION BY {k} ORDER BY ts)
           - row_number() OVER (PARTITION BY {k}, hi ORDER BY ts) AS grp
  FROM x
),
runs AS (
  SELECT {k}, grp, min(ts) AS t0, sum(imin) / 60.0 AS hours,
         sum(excess * imin / 60.0) AS e_excess, avg(excess) AS m_excess, stddev_pop(excess) AS s_excess
  FROM g WHERE hi = 1 GROUP BY {k}, grp
),
ev AS (
  SELECT r.{k}, sum(r.e_excess) AS ev_kwh, count(DISTINCT CAST(r.t0 AS DATE)) AS ev_days
  FROM runs r
  WHERE r.hours >= {EV_MIN_H} AND r.hours <= {EV_MAX_H} AND {start_ok}
    AND r.s_excess <= {EV_MAX_CV} * r.m_excess
  GROUP BY r.{k}
),
ref AS (
  SELECT h, sum(share_sum) / sum(n) AS ref_share FROM gw_curve_ref GROUP BY h
),
sc AS (
  SELECT hp.{k}, corr(hp.share, ref.ref_share) AS res_shape_corr, count(*) AS n_hours
  FROM hp JOIN ref ON hp.h = ref.h
  GROUP BY hp.{k}
)
SELECT c.account_no,
  coalesce(ev.ev_kwh, 0) / nd.n_days AS ev_kwh_day,
  coalesce(ev.ev_days, 0) / CAST(nd.n_days AS DOUBLE) AS ev_days_share,
  CASE WHEN sc.n_hours >= 20 THEN sc.res_shape_corr END AS res_shape_corr
FROM nd
JOIN customers c ON nd.{k} = c.{k}
LEFT JOIN ev ON nd.{k} = ev.{k}
LEFT JOIN sc ON nd.{k} = sc.{k}
"""


def ev_adjusted_sql() -> str:
    """The per-customer table of pass 1 (``gw_account_raw``) with its Spring Festival ratios besides EV
    charging, from the curve pass (``gw_curve``; no row: no charging identified, the ratios stay).

    The festival ratios compare the festival with the weeks before it, months before the interval window
    that identified the charger; charging is taken to have run at the recent rate before the festival and
    to stop while the family is away (the car leaves with it).  Charging that went on at home only raises
    the ratio, which is evidence of nothing.
    """
    share = f"least(coalesce(c.ev_kwh_day, 0) / a.pre_sf_kwh, {EV_MAX_SHARE_OF_PRE_SF})"
    return f"""
SELECT a.*,
  CASE WHEN a.pre_sf_kwh > 0 THEN a.sf_ratio / (1 - {share}) END AS sf_ratio_ex_ev,
  CASE WHEN a.pre_sf_kwh > 0 THEN a.sf_low_week_ratio / (1 - {share}) END AS sf_low_week_ratio_ex_ev
FROM gw_account_raw a
LEFT JOIN gw_curve c ON a.account_no = c.account_no
"""


def link_features_sql(w: Window) -> str:
    """Per-account permit and registry facts through ``gw_links`` (empty: no linked account)."""
    dead = ", ".join(f"'{s}'" for s in DEAD_STATUS)
    return f"""
WITH pv AS (
  SELECT DISTINCT permit_no FROM permits
  WHERE permit_no IS NOT NULL
    AND (valid_from IS NULL OR valid_from <= {_d(w.as_of)})
    AND (valid_to IS NULL OR valid_to >= {_d(w.as_of)})
),
lp AS (
  SELECT DISTINCT l.account_no FROM gw_links l JOIN pv ON l.permit_no = pv.permit_no
),
lr AS (
  SELECT l.account_no,
    max(CASE WHEN r.status IS NULL OR r.status NOT IN ({dead}) THEN 1 ELSE 0 END) AS live,
    max(CASE WHEN r.status IN ({dead}) THEN 1 ELSE 0 END) AS dead
  FROM gw_links l JOIN registry r ON l.uscc = r.uscc
  GROUP BY l.account_no
),
n AS (
  SELECT account_no, count(*) AS n_links FROM gw_links GROUP BY account_no
)
SELECT n.account_no,
  (lp.account_no IS NOT NULL) AS link_permit,
  coalesce(lr.live, 0) = 1 AS link_live,
  coalesce(lr.dead, 0) = 1 AS link_dead,
  n.n_links
FROM n
LEFT JOIN lp ON n.account_no = lp.account_no
LEFT JOIN lr ON n.account_no = lr.account_no
"""


def combine_sql(base_columns: list[str]) -> str:
    """The feature table: the main pass (``gw_base``) with the curve (``gw_curve``) and link (``gw_link``)
    facts; ``has_permit`` and the registry flags become exact join OR entity link."""
    replaced = {"has_permit", "is_registered_business", "is_deregistered_business"}
    keep = ",\n  ".join(f"b.{c}" if c not in replaced else _LINKED[c] for c in base_columns)
    return f"""
SELECT
  {keep},
  coalesce(l.n_links, 0) AS linked_entities,
  c.ev_kwh_day, c.ev_days_share, c.res_shape_corr,
  CASE WHEN b.mean_kwh IS NOT NULL THEN greatest(b.mean_kwh - coalesce(c.ev_kwh_day, 0), 0) END
    AS mean_ex_ev_kwh,
  greatest(b.mean_kwh - coalesce(c.ev_kwh_day, 0), 0) / nullif(b.mean_kwh / nullif(b.level_vs_peer, 0), 0)
    AS level_ex_ev_vs_peer
FROM gw_base b
LEFT JOIN gw_curve c ON b.account_no = c.account_no
LEFT JOIN gw_link l ON b.account_no = l.account_no
ORDER BY b.account_no
"""


_LINKED = {
    "has_permit": "(b.has_permit OR coalesce(l.link_permit, FALSE)) AS has_permit",
    "is_registered_business": "(b.is_registered_business OR coalesce(l.link_live, FALSE)) AS is_registered_business",
    "is_deregistered_business": "((b.is_deregistered_business OR coalesce(l.link_dead, FALSE)) "
    "AND NOT (b.is_registered_business OR coalesce(l.link_live, FALSE))) AS is_deregistered_business",
}
