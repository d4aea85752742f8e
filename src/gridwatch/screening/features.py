"""Run the feature SQL on an engine: register inputs, run pass 1 per customer bucket, then the peer pass."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.dataset as ds

from gridwatch.config import ScreeningSettings
from gridwatch.lake.layout import has_data, table_dir
from gridwatch.screening.feature_sql import account_features_sql, peer_features_sql
from gridwatch.screening.window import Window, calendar_table

if TYPE_CHECKING:
    from gridwatch.engine.base import Engine

INPUT_TABLES = (
    "customers", "readings_daily", "readings_interval", "weather", "water", "permits", "registry", "closures",
)

SPILLING_ENGINES = frozenset({"spark"})
"""Engines whose exact median/quantile spill to disk, so they need no customer buckets."""


def register_inputs(engine: Engine, window: Window) -> None:
    for t in INPUT_TABLES:
        engine.register_lake(t)
    engine.register_arrow("gw_calendar", calendar_table(window))


def bucket_count(engine: Engine, lake_dir: Path, window: Window, s: ScreeningSettings) -> int:
    """How many hash buckets of customers keep one pass within memory (1 for spilling engines)."""
    if engine.name in SPILLING_ENGINES or not has_data(lake_dir, "readings_daily"):
        return 1
    months = set()
    d = window.start.replace(day=1)
    while d <= window.as_of:
        months.add(f"{d:%Y-%m}")
        d = d.replace(year=d.year + (d.month == 12), month=d.month % 12 + 1)
    base = table_dir(lake_dir, "readings_daily")
    files = [str(f) for m in months for f in (base / f"month={m}").glob("*.parquet")]
    rows = ds.dataset(files, format="parquet").count_rows() if files else 0
    return max(1, math.ceil(rows / s.bucket_rows))


def compute_features(engine: Engine, lake_dir: Path, window: Window, s: ScreeningSettings) -> pa.Table:
    """Per-customer features with peer statistics, one row per customer (see feature_catalog)."""
    register_inputs(engine, window)
    n = bucket_count(engine, lake_dir, window, s)
    parts = [engine.sql(account_features_sql(window, s, (i, n) if n > 1 else None)) for i in range(n)]
    account = pa.concat_tables(parts) if len(parts) > 1 else parts[0]
    engine.register_arrow("gw_account", account)
    return engine.sql(peer_features_sql(s) + " ORDER BY a.account_no")
