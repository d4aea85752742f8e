"""Run the feature SQL on an engine: register inputs, run pass 1 per customer bucket, then the peer pass.

A bucket is a contiguous range of the account key cut at quantiles of the customers table, so that each
bucket holds about the same number of customers.  The lake keeps every part sorted by account key with modest
row groups (:mod:`gridwatch.lake.layout`), so the engine's Parquet reader skips the row groups outside a
bucket's range by their min/max statistics: the buckets together read the readings about once, however
many there are.  The readings are grouped by the integer ``account_key`` stored at ingest when the lake
has it (:func:`key_column`), the text ``account_no`` otherwise; buckets are ranges of that column (the lake
sorts the keyed parts by ``account_key``, so its ranges prune row groups).
"""

from __future__ import annotations

import logging
import math
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.dataset as ds

from gridwatch.config import ScreeningSettings
from gridwatch.lake.account_key import ACCOUNT_KEY, KEYED_TABLES
from gridwatch.lake.layout import has_data, stored_derived, table_dir
from gridwatch.screening.extra_sql import EMPTY_CURVE, ev_adjusted_sql
from gridwatch.screening.feature_sql import Bucket, account_features_sql, buckets_between, peer_features_sql
from gridwatch.screening.window import Window, calendar_table

if TYPE_CHECKING:
    from gridwatch.engine.base import Engine

INPUT_TABLES = (
    "customers", "readings_daily", "readings_interval", "weather", "water", "permits", "registry", "closures",
)

log = logging.getLogger(__name__)

SPILLING_ENGINES = frozenset({"spark"})
"""Engines whose exact median/quantile spill to disk, so they need no customer buckets."""


INTERVAL_ROW_WEIGHT = 4
"""Memory of one interval reading against one daily reading of pass 1: the interval passes keep each
reading a few times over (a CTE of readings with a window function, read by several group-bys), ≈ 130–160
bytes a reading against ≈ 40 (measured peak RSS), so an interval reading counts four times against
``screening.bucket_rows``."""


def register_inputs(engine: Engine, window: Window) -> None:
    for t in INPUT_TABLES:
        engine.register_lake(t)
    engine.register_arrow("gw_calendar", calendar_table(window))


def bucket_count(engine: Engine, lake_dir: Path, window: Window, s: ScreeningSettings) -> int:
    """How many buckets of customers keep one pass within memory (1 for spilling engines).

    Counted from the Parquet footers: daily readings of the window's months plus interval readings of
    the interval window's months (pass 1 reads both per bucket), weighed by ``INTERVAL_ROW_WEIGHT``.
    """
    if engine.name in SPILLING_ENGINES or not has_data(lake_dir, "readings_daily"):
        return 1
    rows = _rows_in_months(lake_dir, "readings_daily", window.start, window.as_of)
    rows += INTERVAL_ROW_WEIGHT * _rows_in_months(lake_dir, "readings_interval", window.interval_start, window.as_of)
    return max(1, math.ceil(rows / s.bucket_rows))


def curve_bucket_count(engine: Engine, lake_dir: Path, window: Window, s: ScreeningSettings) -> int:
    """How many buckets of customers keep the curve pass within memory (1 for spilling engines)."""
    if engine.name in SPILLING_ENGINES:
        return 1
    rows = _rows_in_months(lake_dir, "readings_interval", window.interval_start, window.as_of)
    return max(1, math.ceil(rows * INTERVAL_ROW_WEIGHT / s.bucket_rows))


def _rows_in_months(lake_dir: Path, table: str, start: date, end: date) -> int:
    months = set()
    d = start.replace(day=1)
    while d <= end:
        months.add(f"{d:%Y-%m}")
        d = d.replace(year=d.year + (d.month == 12), month=d.month % 12 + 1)
    base = table_dir(lake_dir, table)
    files = [str(f) for m in months for f in (base / f"month={m}").glob("*.parquet")]
    return ds.dataset(files, format="parquet").count_rows() if files else 0


def customer_buckets(engine: Engine, n: int, k: str = "account_no") -> list[Bucket]:
    """``n`` ranges of the key column ``k`` with about as many customers each (one unbounded range if n = 1).

    Needs the ``customers`` view registered; cut points that coincide (few customers) are merged.
    """
    if n <= 1:
        return [Bucket()]
    qs = ", ".join(str(i / n) for i in range(1, n))
    cut = engine.sql(f"SELECT quantile_disc({k}, [{qs}]) AS q FROM customers").column("q")[0].as_py()
    bounds = sorted({b for b in cut or [] if b is not None})
    return buckets_between(bounds)


def key_column(engine: Engine, lake_dir: Path) -> str:
    """The column the scans group and join the readings by: ``account_key`` when every part of the keyed
    tables holds it and the customers' keys are distinct, else ``account_no``.

    A BIGINT key is cheaper to read and hash than the text account number; a lake written before the key
    existed, or one where two accounts share a key (a 64-bit hash collision: results would be merged
    across accounts), keeps the text key — with a warning for a collision.  Needs the ``customers`` view.
    """
    if not all(ACCOUNT_KEY in stored_derived(lake_dir, t) for t in KEYED_TABLES if has_data(lake_dir, t)):
        return "account_no"
    n, keys = engine.sql(
        f"SELECT count(DISTINCT account_no) AS n, count(DISTINCT {ACCOUNT_KEY}) AS k FROM customers"
    ).to_pylist()[0].values()
    if n != keys:
        log.warning("%d accounts share an %s with another account: grouping by account_no", n - keys, ACCOUNT_KEY)
        return "account_no"
    return ACCOUNT_KEY


def concat_parts(parts: list[pa.Table]) -> pa.Table:
    """The per-bucket results of one pass as one table."""
    return pa.concat_tables(parts) if len(parts) > 1 else parts[0]


def compute_features(
    engine: Engine, lake_dir: Path, window: Window, s: ScreeningSettings, curve: pa.Table | None = None
) -> pa.Table:
    """Per-customer features with peer statistics, one row per customer (see feature_catalog).

    ``curve``: the curve pass (:func:`gridwatch.screening.feature_table.curve_table`), whose identified EV
    charging corrects the Spring Festival ratios before they meet their peers (none: no correction).
    """
    register_inputs(engine, window)
    k = key_column(engine, lake_dir)
    buckets = customer_buckets(engine, bucket_count(engine, lake_dir, window, s), k)
    engine.register_arrow("gw_account_raw", concat_parts([engine.sql(account_features_sql(window, s, b, k))
                                                          for b in buckets]))
    engine.register_arrow("gw_curve", curve if curve is not None else EMPTY_CURVE.empty_table())
    engine.register_arrow("gw_account", engine.sql(ev_adjusted_sql()))
    return engine.sql(peer_features_sql(s) + " ORDER BY a.account_no")
