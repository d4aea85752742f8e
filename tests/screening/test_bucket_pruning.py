"""A customer bucket reads only its own part of the lake: counted in Parquet row groups read by DuckDB
(its profiler's ``row_groups_scanned``), not in time."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from gridwatch.engine import get_engine
from gridwatch.lake.account_key import ACCOUNT_KEY
from gridwatch.lake.compact import compact
from gridwatch.lake.ingest import ingest_files
from gridwatch.screening.feature_sql import Bucket, account_features_sql
from gridwatch.screening.features import customer_buckets, key_column, register_inputs
from gridwatch.screening.window import Window
from gridwatch.workspace import Workspace

N_ACCOUNTS = 1_000
DAYS = 40
AS_OF = date(2026, 2, 28)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    tmp = tmp_path_factory.mktemp("prune")
    ws = Workspace.open(tmp / "home")
    settings = ws.settings.lake.model_copy(update={"chunk_rows": 5_000, "row_group_rows": 1_000})
    (tmp / "c.csv").write_text("account_no,name,tariff,address,capacity_kva,status\n" + "".join(
        f"A{i:05d},户{i},residential,广州市白云区{i}号,8,active\n" for i in range(N_ACCOUNTS)), encoding="utf-8")
    start = AS_OF - timedelta(days=DAYS - 1)
    # date-major order, as a daily export arrives: every ingest chunk spans all accounts
    lines = [f"A{a:05d},{start + timedelta(d)},{(a * 7 + d) % 13 + 0.5}" for d in range(DAYS) for a in range(N_ACCOUNTS)]
    (tmp / "r.csv").write_text("account_no,date,kwh\n" + "\n".join(lines) + "\n", encoding="utf-8")
    ingest_files(ws.lake_dir, "customers", [tmp / "c.csv"], settings)
    ingest_files(ws.lake_dir, "readings_daily", [tmp / "r.csv"], settings)
    compact(ws.lake_dir, ["readings_daily"], settings.row_group_rows)
    return ws


def _daily_row_groups(ws: Workspace, sql: str, profile: Path) -> tuple[int, int]:
    """(row groups read, row groups present) over the daily-readings scans of one query."""
    eng = get_engine("duckdb", ws)
    try:
        s = ws.settings.screening.model_copy(update={"lookback_days": DAYS})
        register_inputs(eng, Window.of(AS_OF, s))
        eng.execute("SET tracked_metrics = ['*']")
        eng.execute("SET enable_profiling = 'json'")
        eng.execute(f"SET profiling_output = '{profile}'")
        eng.sql(sql)
    finally:
        eng.close()
    read = present = 0
    stack = list(json.loads(profile.read_text(encoding="utf-8"))["operator"])
    while stack:
        node = stack.pop()
        stack.extend(node.get("children", []))
        info = node.get("extra_info", {})
        if node.get("type") == "TABLE_SCAN" and "readings_daily" in str(info.get("Filename(s)", "")):
            read += node["row_groups_scanned"]
            present += node["total_row_groups_to_scan"]
    return read, present


def test_buckets_together_read_the_daily_readings_about_once(ws: Workspace, tmp_path: Path) -> None:
    s = ws.settings.screening.model_copy(update={"lookback_days": DAYS})
    w = Window.of(AS_OF, s)
    eng = get_engine("duckdb", ws)
    try:
        register_inputs(eng, w)
        k = key_column(eng, ws.lake_dir)
        buckets = customer_buckets(eng, 4, k)
    finally:
        eng.close()
    assert k == ACCOUNT_KEY  # ingest wrote the key and sorted the parts by it
    assert len(buckets) == 4
    whole, present = _daily_row_groups(ws, account_features_sql(w, s, k=k), tmp_path / "all.json")
    assert whole == present >= 40  # without a bucket every row group is read
    reads = [_daily_row_groups(ws, account_features_sql(w, s, b, k), tmp_path / f"b{i}.json")[0]
             for i, b in enumerate(buckets)]
    # a cut between two accounts shares at most one row group per month partition and scan of the readings
    # (2 months, 3 scans: first pass, day counts, closures)
    edge = 2 * 3
    for read in reads:
        assert 0 < read <= whole / 4 + 2 * edge, reads
    assert sum(reads) <= whole + 3 * edge, (reads, whole)  # hash buckets read 4 × whole


def test_a_bucket_outside_every_account_reads_no_row_group(ws: Workspace, tmp_path: Path) -> None:
    s = ws.settings.screening.model_copy(update={"lookback_days": DAYS})
    w = Window.of(AS_OF, s)
    beyond = Bucket(2**63 - 1, None)  # above every account_key
    read, _ = _daily_row_groups(ws, account_features_sql(w, s, beyond, ACCOUNT_KEY), tmp_path / "z.json")
    assert read == 0
