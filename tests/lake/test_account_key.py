"""The derived ``account_key``: written at ingest, kept (and filled in) by compaction, absent in old lakes."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from gridwatch.config import LakeSettings
from gridwatch.lake.account_key import ACCOUNT_KEY, account_key, account_key_sql
from gridwatch.lake.compact import compact
from gridwatch.lake.ingest import ingest_files
from gridwatch.lake.layout import read_sql, stored_derived, table_dir

CUSTOMERS = "account_no,tariff\nA001,residential\n广州-02,commercial\n"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _keys(lake: Path, table: str) -> set[tuple[str, int]]:
    sql = f"SELECT DISTINCT account_no, {ACCOUNT_KEY} FROM ({read_sql(lake, table)})"
    return set(duckdb.connect().sql(sql).fetchall())


def _lake(tmp_path: Path) -> Path:
    lake = tmp_path / "lake"
    ingest_files(lake, "customers", [_write(tmp_path / "c.csv", CUSTOMERS)], LakeSettings())
    return lake


def test_sql_key_equals_the_documented_definition() -> None:
    accounts = ["A001", "广州-02", "30300003439", "", "x" * 40]
    got = duckdb.connect().sql(
        f"SELECT a, {account_key_sql('a')} AS k FROM unnest(?) t(a)", params=[accounts]
    ).fetchall()
    assert dict(got) == {a: account_key(a) for a in accounts}
    assert account_key("30300003439") == 8728731833780683175  # fixed forever: stored in lakes


def test_ingest_writes_the_key_to_customers_and_readings(tmp_path: Path) -> None:
    lake = _lake(tmp_path)
    f = _write(tmp_path / "d.csv", "account_no,date,kwh\nA001,2026-10-01,1\n广州-02,2026-10-01,2\nA001,2026-11-01,3\n")
    ingest_files(lake, "readings_daily", [f], LakeSettings())
    want = {(a, account_key(a)) for a in ("A001", "广州-02")}
    assert _keys(lake, "customers") == want
    assert _keys(lake, "readings_daily") == want
    assert stored_derived(lake, "readings_daily") == [ACCOUNT_KEY]


def test_compaction_keeps_the_key_and_fills_it_for_parts_without_it(tmp_path: Path) -> None:
    lake = _lake(tmp_path)
    for i, day in enumerate(("2026-10-01", "2026-10-02")):
        f = _write(tmp_path / f"d{i}.csv", f"account_no,date,kwh\nA001,{day},1\n广州-02,{day},2\n")
        ingest_files(lake, "readings_daily", [f], LakeSettings())
    # a part written before the key existed
    old = sorted((table_dir(lake, "readings_daily") / "month=2026-10").glob("*.parquet"))[0]
    pq.write_table(pq.read_table(old).drop_columns([ACCOUNT_KEY]), old)
    assert stored_derived(lake, "readings_daily") == []
    assert ACCOUNT_KEY not in duckdb.connect().sql(read_sql(lake, "readings_daily")).columns  # old lakes read
    compact(lake, ["readings_daily"])
    assert stored_derived(lake, "readings_daily") == [ACCOUNT_KEY]
    assert _keys(lake, "readings_daily") == {(a, account_key(a)) for a in ("A001", "广州-02")}
