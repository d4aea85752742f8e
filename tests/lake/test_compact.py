"""Compaction: one part per partition, no row changed, re-ingest still idempotent, crashes recovered."""

from __future__ import annotations

import json
import os
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridwatch.config import LakeSettings
from gridwatch.lake.compact import compact, lake_lock, recover
from gridwatch.lake.ingest import ingest_files
from gridwatch.lake.layout import JOURNAL_DIR, read_sql, table_dir

CUSTOMERS = "account_no,name,tariff,address,capacity_kva,status\n" + "".join(
    f"A{i:03d},户{i},residential,广州市白云区{i}号,8,active\n" for i in range(20)
)


def _readings_csv(path: Path, accounts: range, start: date, days: int) -> Path:
    lines = ["account_no,date,kwh"]
    lines += [f"A{a:03d},{start + timedelta(d)},{(a * 7 + d) % 13 + 0.5}" for a in accounts for d in range(days)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _all_rows(lake: Path, table: str) -> list[tuple]:
    """Every stored row, meta columns included (not only the current view)."""
    base = table_dir(lake, table)
    glob = str(base / "month=*" / "*.parquet") if table.startswith("readings") else str(base / "*.parquet")
    return sorted(duckdb.connect().sql(
        f"SELECT * EXCLUDE (month) FROM read_parquet('{glob}', hive_partitioning = true, union_by_name = true)"
        if table.startswith("readings") else f"SELECT * FROM read_parquet('{glob}', union_by_name = true)"
    ).fetchall(), key=repr)


def _parts(lake: Path, table: str) -> list[Path]:
    return sorted(table_dir(lake, table).rglob("*.parquet"))


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    lake = tmp_path / "lake"
    (tmp_path / "c.csv").write_text(CUSTOMERS, encoding="utf-8")
    settings = LakeSettings(chunk_rows=1000)
    ingest_files(lake, "customers", [tmp_path / "c.csv"], settings)
    # three files, small chunks: many parts per month
    files = [_readings_csv(tmp_path / f"r{i}.csv", range(i * 7, min(20, i * 7 + 7)), date(2026, 1, 20), 40)
             for i in range(3)]
    ingest_files(lake, "readings_daily", files, settings)
    return lake


def test_compaction_keeps_every_row_and_leaves_one_part_per_partition(lake: Path) -> None:
    before_rows = _all_rows(lake, "readings_daily")
    before_current = duckdb.connect().sql(f"SELECT * FROM ({read_sql(lake, 'readings_daily')})").fetchall()
    assert len(_parts(lake, "readings_daily")) > 2
    (report,) = compact(lake, ["readings_daily"])
    parts = _parts(lake, "readings_daily")
    months = sorted({p.parent.name for p in parts})
    assert months == ["month=2026-01", "month=2026-02"]
    assert len(parts) == 2 and report.parts_after == 2 and report.partitions == 2
    assert report.rows == len(before_rows) == 20 * 40
    assert _all_rows(lake, "readings_daily") == before_rows
    after_current = duckdb.connect().sql(f"SELECT * FROM ({read_sql(lake, 'readings_daily')})").fetchall()
    assert sorted(after_current) == sorted(before_current)
    assert not (lake / JOURNAL_DIR).exists() or not any((lake / JOURNAL_DIR).iterdir())
    # a second compaction has nothing to do
    (again,) = compact(lake, ["readings_daily"])
    assert again.partitions == 0 and again.parts_after == 2


def test_reingest_after_compaction_adds_nothing(lake: Path, tmp_path: Path) -> None:
    compact(lake)
    n = len(_all_rows(lake, "readings_daily"))
    (r,) = ingest_files(lake, "readings_daily", [tmp_path / "r1.csv"], LakeSettings(chunk_rows=1000))
    assert r.accepted == 0 and r.already_in_lake == r.rows_read > 0 and r.quarantined == 0
    assert len(_all_rows(lake, "readings_daily")) == n


def test_dimension_versions_survive_compaction(lake: Path, tmp_path: Path) -> None:
    (tmp_path / "c2.csv").write_text(
        "account_no,name,tariff,address,capacity_kva,status\nA001,新户名,residential,广州市白云区1号,8,active\n",
        encoding="utf-8")
    ingest_files(lake, "customers", [tmp_path / "c2.csv"], LakeSettings())
    versions = len(_all_rows(lake, "customers"))
    compact(lake, ["customers"])
    assert len(_parts(lake, "customers")) == 1
    assert len(_all_rows(lake, "customers")) == versions == 21
    got = duckdb.connect().sql(
        f"SELECT name FROM ({read_sql(lake, 'customers')}) WHERE account_no = 'A001'").fetchall()
    assert got == [("新户名",)]


def _interrupted_state(lake: Path, *, renamed: bool) -> tuple[Path, list[str]]:
    """Re-create the state a crash leaves inside one compaction: merged part written, journal written."""
    folder = table_dir(lake, "readings_daily") / "month=2026-01"
    old = sorted(p.name for p in folder.glob("*.parquet"))
    new_name = "part-cCRASH-00000.parquet"
    tmp = folder / f".{new_name}.tmp"
    duckdb.connect().execute(
        f"COPY (SELECT * FROM read_parquet('{folder}/*.parquet', hive_partitioning = false)) TO '{tmp}' (FORMAT parquet)")
    (lake / JOURNAL_DIR).mkdir(exist_ok=True)
    (lake / JOURNAL_DIR / "CRASH.json").write_text(json.dumps(
        {"folder": str(folder.relative_to(lake)), "new": new_name, "tmp": tmp.name, "old": old}), encoding="utf-8")
    if renamed:
        os.replace(tmp, folder / new_name)
        (folder / old[0]).unlink()  # killed half-way through deleting the replaced parts
    return folder, old


@pytest.mark.parametrize("renamed", [False, True])
def test_a_crash_mid_compaction_never_shows_rows_twice(lake: Path, renamed: bool) -> None:
    expected = sorted(duckdb.connect().sql(f"SELECT * FROM ({read_sql(lake, 'readings_daily')})").fetchall())
    folder, old = _interrupted_state(lake, renamed=renamed)
    # the next read settles the journal first
    got = sorted(duckdb.connect().sql(f"SELECT * FROM ({read_sql(lake, 'readings_daily')})").fetchall())
    assert got == expected
    assert not any((lake / JOURNAL_DIR).glob("*.json"))
    names = sorted(p.name for p in folder.glob("*.parquet"))
    assert names == (["part-cCRASH-00000.parquet"] if renamed else old)
    assert not list(folder.glob(".*.tmp"))


def test_a_read_during_a_running_compaction_leaves_its_journal_alone(lake: Path) -> None:
    _interrupted_state(lake, renamed=False)
    with lake_lock(lake, exclusive=True):  # the compaction is "running"
        duckdb.connect().sql(f"SELECT count(*) FROM ({read_sql(lake, 'readings_daily')})").fetchall()
        assert any((lake / JOURNAL_DIR).glob("*.json"))
    assert recover(lake) == 1


def test_unknown_table_is_refused(lake: Path) -> None:
    with pytest.raises(ValueError, match="unknown table"):
        compact(lake, ["nope"])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 19), st.integers(0, 90)), min_size=1, max_size=60),
       st.integers(1, 4))
def test_compaction_is_invisible_to_readers(lake: Path, tmp_path_factory: pytest.TempPathFactory,
                                            picks: list[tuple[int, int]], files: int) -> None:
    """Whatever was ingested in however many files, the current view is the same before and after."""
    work = tmp_path_factory.mktemp("prop")
    copy = work / "lake"
    shutil.copytree(lake, copy)
    for i in range(files):
        sub = picks[i::files]
        lines = ["account_no,date,kwh"] + [f"A{a:03d},{date(2026, 3, 1) + timedelta(d)},{a + d / 10}" for a, d in sub]
        (work / f"f{i}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ingest_files(copy, "readings_daily", [work / f"f{i}.csv" for i in range(files)], LakeSettings(chunk_rows=1000))
    q = f"SELECT * FROM ({read_sql(copy, 'readings_daily')})"
    before = sorted(duckdb.connect().sql(q).fetchall())
    compact(copy)
    assert sorted(duckdb.connect().sql(f"SELECT * FROM ({read_sql(copy, 'readings_daily')})").fetchall()) == before
