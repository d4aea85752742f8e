"""Feature computation, written once as DuckDB-dialect SQL and run by any engine (see gridwatch.engine).

Two passes:

1. :func:`account_features_sql` — per customer, from the lake views ``customers``, ``readings_daily``,
   ``readings_interval``, ``weather``, ``water``, ``permits``, ``registry``, ``closures`` and the
   registered calendar ``gw_calendar``.  It may be run per bucket of customers — a contiguous range of
   the account key (:class:`Bucket`; ``account_key``, else ``account_no``) — so that exact medians/quantiles (which cannot spill in DuckDB) stay
   within memory; the lake keeps each part sorted by account key (see :mod:`gridwatch.lake.layout`), so a
   bucket's range filter lets the engine skip the row groups of other buckets.  The daily readings are read
   twice, each time with only the key, ``date`` and ``kwh``: one scan (``da0``) computes every moment,
   conditional mean and the exact median/p95 in one group-by, with the calendar and the weather already
   reduced to one flag row per day (``cal``, 365 rows); a second scan (``db``) counts the days against
   each account's own thresholds (off, on, flat), which are known only after the first.  No window
   function or sort runs over daily rows.  Conditional aggregates are written ``avg(CASE WHEN c THEN x
   END)`` rather than ``avg(x) FILTER (WHERE c)``: the same values (NULLs are skipped), but DuckDB
   evaluates a CASE in one projection instead of slicing the chunk once per filtered aggregate.  One
   scan instead of two was measured and dropped: collecting each account's readings as a sorted list
   (``list_sort(list(kwh))``, median/p95 interpolated from it, day counts by ``list_filter``) cost more
   CPU than the second scan (docs/BENCHMARKS-screening.md).
2. :func:`peer_features_sql` — over the per-customer table registered back as ``gw_account`` (with the
   Spring Festival ratios besides EV charging of :func:`gridwatch.screening.extra_sql.ev_adjusted_sql`): each
   customer against the median and MAD of its peers (same tariff in the same transformer district,
   falling back to the same tariff city-wide when the district has too few customers).

Every output column is documented in :mod:`gridwatch.screening.feature_catalog` (a test checks both
ways).  Missing days are not zeros: ``coverage`` and ``zero_share`` carry gaps and zeros explicitly, and
ratios whose denominator is missing are NULL (never 0 or infinity).
"""

from __future__ import annotations

from dataclasses import dataclass

from gridwatch.config import ScreeningSettings
from gridwatch.screening.window import SF_WEEKS, Window

PEER_Z_FEATURES: tuple[str, ...] = (
    "log_mean_kwh",
    "log_recent_kwh",
    "log_p95_kwh",
    "night_share",
    "night_day_ratio",
    "on_hours",
    "load_factor_daily",
    "weekend_ratio",
    "temp_corr",
    "sf_ratio",
    "sf_low_week_ratio",
    "sf_ratio_ex_ev",
    "sf_low_week_ratio_ex_ev",
    "onoff_share",
    "flat_share",
    "cap_use",
    "rain_ratio",
    "surge_ratio",
    "log_water_per_mwh",
)
"""Features that get a robust z-score against the peer group (``z_<name>``)."""

PEER_MEDIAN_FEATURES: tuple[str, ...] = ("mean_kwh", "night_share", "on_hours", "temp_corr", "weekend_ratio")
"""Features whose peer median is kept as evidence (``peer_<name>``)."""


def _d(x: object) -> str:
    return f"DATE '{x}'"


@dataclass(frozen=True)
class Bucket:
    """A contiguous range of accounts: ``lo <= account_no < hi`` (an open end when None)."""

    lo: str | int | None = None
    hi: str | int | None = None

    def where(self, col: str) -> str:
        """The SQL condition selecting the bucket's rows of ``col`` (a plain range, so Parquet row-group
        statistics prune the other buckets' rows)."""
        conds = [f"{col} >= {_s(self.lo)}"] if self.lo is not None else []
        conds += [f"{col} < {_s(self.hi)}"] if self.hi is not None else []
        return " AND ".join(conds) or "TRUE"


def buckets_between(bounds: list[str] | list[int]) -> list[Bucket]:
    """The buckets cut at sorted, distinct ``bounds``: (-inf, b0), [b0, b1), ... [b_last, +inf)."""
    ends: list[str | int | None] = [None, *bounds, None]
    return [Bucket(ends[i], ends[i + 1]) for i in range(len(ends) - 1)]


def _s(x: str | int) -> str:
    return str(x) if isinstance(x, int) else "'" + x.replace("'", "''") + "'"


def account_features_sql(
    w: Window, s: ScreeningSettings, bucket: Bucket | None = None, k: str = "account_no"
) -> str:
    """Per-customer features for the window (DuckDB dialect), of the customers of ``bucket`` (default: all).

    The readings are grouped and joined by the account key column ``k``: ``account_key`` (BIGINT, stored
    at ingest) or ``account_no`` (lakes without the key); buckets are ranges of ``k`` (the lake sorts the
    keyed parts by ``account_key``, so the ranges prune row groups).
    """
    ns, ne = s.night_hours
    ds, de = s.day_hours
    night = f"(h >= {ns} OR h < {ne})" if ns > ne else f"(h >= {ns} AND h < {ne})"
    day = f"(h >= {ds} AND h < {de})"
    night_len = (ne - ns) % 24 or 24
    day_len = (de - ds) % 24 or 24
    lo, hi = s.comfort_c
    b = bucket or Bucket()
    bc = b.where(k)
    rbc = b.where(f"r.{k}")
    daily_rows = f"r.date BETWEEN {_d(w.start)} AND {_d(w.as_of)} AND r.kwh IS NOT NULL AND {rbc}"
    # the interval window ends at the start of the day after as_of
    iend = f"CAST({_d(w.as_of)} AS TIMESTAMP) + INTERVAL 1 DAY"
    # one conditional mean per week around Spring Festival, in the same group-by as every other moment
    sf_weeks = ",\n    ".join(f"avg(CASE WHEN cal.sf_week = {k} THEN r.kwh END) AS sf_w{k}" for k in range(SF_WEEKS))
    kc = "" if k == "account_no" else f", {k}"
    sf_week_cols = ", ".join(f"da.sf_w{k}" for k in range(SF_WEEKS))
    return f"""
WITH cust AS (
  SELECT account_no{kc}, tariff, coalesce(transformer_district, '') AS td, capacity_kva, status, name
  FROM customers WHERE {bc}
),
wx AS (
  SELECT date, avg(tmean_c) AS tmean_c, avg(precip_mm) AS precip_mm
  FROM weather WHERE date BETWEEN {_d(w.start)} AND {_d(w.as_of)} GROUP BY date
),
cal AS (
  SELECT c.date, c.day_index, c.is_recent, c.is_trend,
    c.is_weekend AND NOT c.is_holiday AS is_rest,
    NOT c.is_weekend AND NOT c.is_holiday AS is_work,
    coalesce(c.sf_phase = 'during', FALSE) AS is_sf,
    coalesce(c.sf_phase = 'before', FALSE) AS is_pre_sf,
    c.sf_week,
    greatest(wx.tmean_c - {hi}, 0) + greatest({lo} - wx.tmean_c, 0) AS degree_c,
    coalesce(wx.precip_mm >= {s.rain_mm}, FALSE) AS is_rain,
    coalesce(wx.precip_mm < {s.dry_mm}, FALSE) AS is_dry
  FROM gw_calendar c LEFT JOIN wx ON c.date = wx.date
),
da0 AS (
  SELECT r.{k},
    count(*) AS n_days,
    count(CASE WHEN r.kwh = 0 THEN 1 END) AS n_zero_days,
    sum(r.kwh) AS sum_kwh,
    quantile_cont(r.kwh, [0.5, 0.95]) AS q,
    max(r.kwh) AS max_kwh,
    stddev_samp(r.kwh) AS sd_kwh,
    avg(CASE WHEN cal.is_rest THEN r.kwh END) AS weekend_kwh,
    avg(CASE WHEN cal.is_work THEN r.kwh END) AS weekday_kwh,
    avg(CASE WHEN cal.is_sf THEN r.kwh END) AS sf_kwh,
    avg(CASE WHEN cal.is_pre_sf THEN r.kwh END) AS pre_sf_kwh,
    {sf_weeks},
    corr(r.kwh, cal.degree_c) AS temp_corr,
    regr_slope(r.kwh, cal.degree_c) AS temp_slope,
    avg(CASE WHEN cal.is_rain THEN r.kwh END) AS rain_kwh,
    avg(CASE WHEN cal.is_dry THEN r.kwh END) AS dry_kwh,
    count(CASE WHEN cal.is_rain THEN 1 END) AS n_rain_days,
    sum(CASE WHEN cal.is_recent THEN r.kwh END) AS recent_sum,
    count(CASE WHEN cal.is_recent THEN 1 END) AS n_recent_days,
    regr_slope(CASE WHEN cal.is_trend THEN r.kwh END, cal.day_index) AS trend_slope,
    max(CASE WHEN cal.is_recent THEN r.kwh END) AS recent_max_kwh
  FROM readings_daily r JOIN cal ON r.date = cal.date
  WHERE {daily_rows}
  GROUP BY r.{k}
),
da AS (
  SELECT da0.*,
    sum_kwh / n_days AS mean_kwh,
    recent_sum / nullif(n_recent_days, 0) AS recent_kwh,
    (sum_kwh - coalesce(recent_sum, 0)) / nullif(n_days - n_recent_days, 0) AS base_kwh,
    q[1] AS median_kwh, q[2] AS p95_kwh,
    greatest(0.1 * q[2], 0.5) AS off_kwh,
    CASE WHEN q[2] > 0 THEN 0.5 * q[2] END AS on_kwh,
    CASE WHEN q[1] > 0 THEN 0.8 * q[1] END AS flat_lo,
    CASE WHEN q[1] > 0 THEN 1.2 * q[1] END AS flat_hi
  FROM da0
),
db AS (
  SELECT r.{k},
    count(CASE WHEN r.kwh <= da.off_kwh THEN 1 END) AS n_off_days,
    count(CASE WHEN r.kwh <= da.off_kwh AND r.date < {_d(w.recent_start)} THEN 1 END) AS n_off_before,
    count(CASE WHEN r.kwh >= da.on_kwh THEN 1 END) AS n_on_days,
    count(CASE WHEN r.kwh BETWEEN da.flat_lo AND da.flat_hi THEN 1 END) AS n_flat
  FROM readings_daily r JOIN da ON r.{k} = da.{k}
  WHERE {daily_rows}
  GROUP BY r.{k}
),
iv AS (
  SELECT {k}, CAST(ts AS DATE) AS day, hour(ts) AS h, kwh,
         lag(kwh) OVER (PARTITION BY {k} ORDER BY ts) AS prev_kwh
  FROM readings_interval
  WHERE ts >= CAST({_d(w.interval_start)} AS TIMESTAMP) AND ts < {iend} AND kwh IS NOT NULL AND {bc}
),
ivd AS (
  SELECT {k}, day,
    count(*) AS n, sum(kwh) AS e, max(kwh) AS pmax, min(kwh) AS pmin, avg(kwh) AS pavg,
    sum(CASE WHEN {night} THEN kwh END) AS e_night, count(CASE WHEN {night} THEN 1 END) AS n_night,
    sum(CASE WHEN {day} THEN kwh END) AS e_day, count(CASE WHEN {day} THEN 1 END) AS n_day
  FROM iv GROUP BY {k}, day
),
ivx AS (
  SELECT iv.{k}, iv.day,
    count(CASE WHEN iv.kwh >= 0.5 * ivd.pmax AND ivd.pmax > 0 THEN 1 END) AS n_high,
    count(CASE WHEN abs(iv.kwh - iv.prev_kwh) >= 0.3 * ivd.pmax AND ivd.pmax > 0 THEN 1 END) AS n_step
  FROM iv JOIN ivd ON iv.{k} = ivd.{k} AND iv.day = ivd.day
  GROUP BY iv.{k}, iv.day
),
ia AS (
  SELECT ivd.{k},
    count(*) AS interval_days,
    sum(ivd.e_night) / nullif(sum(ivd.e), 0) AS night_share,
    (sum(ivd.e_night) / nullif(sum(ivd.n_night), 0)) / nullif(sum(ivd.e_day) / nullif(sum(ivd.n_day), 0), 0)
      AS night_day_ratio,
    sum(ivd.e_night) / {night_len} / nullif(sum(ivd.e_day) / {day_len}, 0) AS night_day_energy_ratio,
    avg(ivd.pmax / nullif(ivd.pavg, 0)) AS peak_avg_ratio,
    avg(ivd.pmin / nullif(ivd.pmax, 0)) AS valley_peak_ratio,
    avg(24.0 * ivx.n_high / ivd.n) AS on_hours,
    avg(ivx.n_step) AS steps_per_day
  FROM ivd JOIN ivx ON ivd.{k} = ivx.{k} AND ivd.day = ivx.day
  WHERE ivd.n >= 12
  GROUP BY ivd.{k}
),
wat AS (
  SELECT account_no, sum(m3) AS water_m3, count(*) AS water_months
  FROM water
  WHERE account_no IN (SELECT account_no FROM cust) AND month_start BETWEEN {_d(w.start)} AND {_d(w.as_of)}
  GROUP BY account_no
),
perm AS (
  SELECT DISTINCT account_no FROM permits
  WHERE account_no IS NOT NULL
    AND (valid_from IS NULL OR valid_from <= {_d(w.as_of)})
    AND (valid_to IS NULL OR valid_to >= {_d(w.as_of)})
),
perm_name AS (
  SELECT DISTINCT holder AS name FROM permits
  WHERE holder IS NOT NULL
    AND (valid_from IS NULL OR valid_from <= {_d(w.as_of)})
    AND (valid_to IS NULL OR valid_to >= {_d(w.as_of)})
),
reg AS (
  SELECT DISTINCT name FROM registry
  WHERE name IS NOT NULL AND (status IS NULL OR status NOT IN ('注销', '吊销', 'deregistered', 'revoked'))
),
dereg AS (
  SELECT DISTINCT name FROM registry
  WHERE name IS NOT NULL AND status IN ('注销', '吊销', 'deregistered', 'revoked')
),
cl AS (
  SELECT cust.{k}, max(x.closed_on) AS closed_on FROM closures x JOIN cust ON x.account_no = cust.account_no
  WHERE x.closed_on <= {_d(w.as_of)} GROUP BY cust.{k}
),
clk AS (
  SELECT r.{k},
    avg(CASE WHEN r.date < cl.closed_on AND r.date >= cl.closed_on - INTERVAL 90 DAY THEN r.kwh END)
      AS pre_closure_kwh,
    avg(CASE WHEN r.date >= cl.closed_on + INTERVAL 14 DAY AND r.date >= {_d(w.recent_start)} THEN r.kwh END)
      AS post_closure_kwh
  FROM readings_daily r JOIN cl ON r.{k} = cl.{k}
  WHERE r.date BETWEEN {_d(w.start)} - INTERVAL 120 DAY AND {_d(w.as_of)} AND r.kwh IS NOT NULL AND {rbc}
  GROUP BY r.{k}
)
SELECT
  cust.account_no, cust.tariff, cust.td AS transformer_district, cust.capacity_kva, cust.status,
  coalesce(da.n_days, 0) AS n_days,
  coalesce(da.n_days, 0) / CAST({w.days} AS DOUBLE) AS coverage,
  da.n_zero_days / CAST(nullif(da.n_days, 0) AS DOUBLE) AS zero_share,
  da.mean_kwh, da.median_kwh, da.p95_kwh, da.max_kwh,
  ln(1 + da.mean_kwh) AS log_mean_kwh, ln(1 + da.p95_kwh) AS log_p95_kwh, ln(1 + da.recent_kwh) AS log_recent_kwh,
  da.sd_kwh / nullif(da.mean_kwh, 0) AS cv_daily,
  da.mean_kwh / nullif(da.max_kwh, 0) AS load_factor_daily,
  da.weekend_kwh / nullif(da.weekday_kwh, 0) AS weekend_ratio,
  da.sf_kwh / nullif(da.pre_sf_kwh, 0) AS sf_ratio,
  least({sf_week_cols}) / nullif(da.pre_sf_kwh, 0) AS sf_low_week_ratio,
  da.pre_sf_kwh,
  CASE WHEN da.sd_kwh > 0 THEN da.temp_corr END AS temp_corr,
  da.temp_slope / nullif(da.mean_kwh, 0) AS temp_sensitivity,
  CASE WHEN da.n_rain_days >= 5 THEN da.rain_kwh / nullif(da.dry_kwh, 0) END AS rain_ratio,
  coalesce(da.n_rain_days, 0) AS n_rain_days,
  da.recent_kwh,
  CASE WHEN da.n_recent_days >= 7 THEN (da.recent_kwh + 1) / (da.base_kwh + 1) END AS surge_ratio,
  da.trend_slope,
  da.recent_max_kwh,
  least(db.n_off_days, db.n_on_days) / CAST(nullif(da.n_days, 0) AS DOUBLE) AS onoff_share,
  db.n_flat / CAST(nullif(da.n_days, 0) AS DOUBLE) AS flat_share,
  db.n_off_days / CAST(nullif(da.n_days, 0) AS DOUBLE) AS off_share,
  db.n_off_before / CAST(nullif(da.n_days - da.n_recent_days, 0) AS DOUBLE) AS off_share_before,
  da.p95_kwh / nullif(24 * cust.capacity_kva, 0) AS cap_use,
  coalesce(ia.interval_days, 0) AS interval_days,
  ia.night_share, ia.night_day_ratio, ia.night_day_energy_ratio, ia.peak_avg_ratio, ia.valley_peak_ratio,
  ia.on_hours, ia.steps_per_day,
  wat.water_m3 / nullif(wat.water_months, 0) AS water_m3_month,
  CASE WHEN wat.water_months > 0 AND da.mean_kwh > 0
    THEN wat.water_m3 / (wat.water_months * 30.4 * da.mean_kwh / 1000.0) END AS water_per_mwh,
  CASE WHEN wat.water_months > 0 AND da.mean_kwh > 0
    THEN ln(1 + wat.water_m3 / (wat.water_months * 30.4 * da.mean_kwh / 1000.0)) END AS log_water_per_mwh,
  (perm.account_no IS NOT NULL OR perm_name.name IS NOT NULL) AS has_permit,
  (reg.name IS NOT NULL) AS is_registered_business,
  (dereg.name IS NOT NULL AND reg.name IS NULL) AS is_deregistered_business,
  cl.closed_on, clk.pre_closure_kwh, clk.post_closure_kwh,
  clk.post_closure_kwh / nullif(clk.pre_closure_kwh, 0) AS resurgence_ratio,
  greatest(da.recent_kwh + 30 * da.trend_slope, 0) AS projected_kwh_30d
FROM cust
LEFT JOIN da ON cust.{k} = da.{k}
LEFT JOIN db ON cust.{k} = db.{k}
LEFT JOIN ia ON cust.{k} = ia.{k}
LEFT JOIN wat ON cust.account_no = wat.account_no
LEFT JOIN perm ON cust.account_no = perm.account_no
LEFT JOIN perm_name ON cust.name = perm_name.name
LEFT JOIN reg ON cust.name = reg.name
LEFT JOIN dereg ON cust.name = dereg.name
LEFT JOIN cl ON cust.{k} = cl.{k}
LEFT JOIN clk ON cust.{k} = clk.{k}
"""


def peer_features_sql(s: ScreeningSettings) -> str:
    """Peer statistics over ``gw_account`` (the per-customer table of pass 1)."""
    feats = PEER_Z_FEATURES
    med = ",\n    ".join(f"median({f}) AS m_{f}" for f in feats)
    keep = ",\n    ".join(f"median({f}) AS pm_{f}" for f in PEER_MEDIAN_FEATURES)
    mad = ",\n    ".join(f"median(abs(a.{f} - g.m_{f})) AS s_{f}" for f in feats)

    def stats(level: str, keys: str) -> str:
        join = " AND ".join(f"a.{k.strip()} = g.{k.strip()}" for k in keys.split(","))
        md_join = " AND ".join(f"m.{k.strip()} = d.{k.strip()}" for k in keys.split(","))
        return f"""
{level}_m AS (
  SELECT {keys}, count(*) AS n, {med},
    {keep}
  FROM gw_account GROUP BY {keys}
),
{level}_d AS (
  SELECT {", ".join("a." + k.strip() for k in keys.split(","))}, {mad}
  FROM gw_account a JOIN {level}_m g ON {join}
  GROUP BY {", ".join("a." + k.strip() for k in keys.split(","))}
),
{level}_s AS (
  SELECT m.*, {", ".join("d.s_" + f for f in feats)}
  FROM {level}_m m JOIN {level}_d d ON {md_join}
)"""

    cols = []
    for f in feats:
        m = f"CASE WHEN g.n >= {s.min_peers} THEN g.m_{f} ELSE t.m_{f} END"
        sd = f"CASE WHEN g.n >= {s.min_peers} THEN g.s_{f} ELSE t.s_{f} END"
        # 1.4826 × MAD estimates σ; a floor keeps near-constant peer groups from exploding the z-score
        cols.append(f"(a.{f} - {m}) / greatest(1.4826 * {sd}, {_Z_FLOOR.get(f, 0.05)}) AS z_{f}")
    for f in PEER_MEDIAN_FEATURES:
        cols.append(f"CASE WHEN g.n >= {s.min_peers} THEN g.pm_{f} ELSE t.pm_{f} END AS peer_{f}")
    cols.append(f"CASE WHEN g.n >= {s.min_peers} THEN g.n ELSE t.n END AS peer_n")
    cols.append(f"CASE WHEN g.n >= {s.min_peers} THEN 'district' ELSE 'tariff' END AS peer_scope")
    sel = ",\n  ".join(cols)
    peer_mean = f"CASE WHEN g.n >= {s.min_peers} THEN g.pm_mean_kwh ELSE t.pm_mean_kwh END"
    return f"""
WITH {stats("grp", "tariff, transformer_district").strip()},
{stats("tar", "tariff").strip()}
SELECT a.*,
  {sel},
  a.mean_kwh / nullif({peer_mean}, 0) AS level_vs_peer,
  a.recent_kwh / nullif({peer_mean}, 0) AS recent_vs_peer,
  a.projected_kwh_30d / nullif({peer_mean}, 0) AS projected_vs_peer
FROM gw_account a
JOIN grp_s g ON a.tariff = g.tariff AND a.transformer_district = g.transformer_district
JOIN tar_s t ON a.tariff = t.tariff
"""


_Z_FLOOR: dict[str, float] = {
    "log_mean_kwh": 0.15,
    "log_recent_kwh": 0.15,
    "log_p95_kwh": 0.15,
    "night_share": 0.03,
    "night_day_ratio": 0.1,
    "on_hours": 0.5,
    "load_factor_daily": 0.03,
    "weekend_ratio": 0.05,
    "temp_corr": 0.05,
    "sf_ratio": 0.05,
    "sf_low_week_ratio": 0.05,
    "sf_ratio_ex_ev": 0.05,
    "sf_low_week_ratio_ex_ev": 0.05,
    "onoff_share": 0.02,
    "flat_share": 0.03,
    "cap_use": 0.02,
    "rain_ratio": 0.05,
    "surge_ratio": 0.1,
    "log_water_per_mwh": 0.1,
}
"""Smallest σ used in a robust z-score, per feature (in the feature's unit)."""
