"""Parts are sorted by account key (then account, date) with small row groups, after ingest and after compaction (the order that lets
a screening bucket skip other buckets' row groups)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from gridwatch.config import LakeSettings
from gridwatch.lake.compact import compact
from gridwatch.lake.ingest import ingest_files
from gridwatch.lake.layout import table_dir

N_ACCOUNTS = 600
SETTINGS = LakeSettings(chunk_rows=4_000, row_group_rows=1_000)


def _write_inputs(tmp: Path, accounts: range, start: date, days: int, name: str) -> Path:
    """Readings of ``accounts`` × ``days`` in shuffled row order (as a date-major export might arrive)."""
    lines = [f"A{a:05d},{start + timedelta(d)},{(a * 7 + d) % 13 + 0.5}" for a in accounts for d in range(days)]
    random.Random(len(lines)).shuffle(lines)
    path = tmp / name
    path.write_text("account_no,date,kwh\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    lake = tmp_path / "lake"
    (tmp_path / "c.csv").write_text("account_no,name,tariff,address,capacity_kva,status\n" + "".join(
        f"A{i:05d},户{i},residential,广州市白云区{i}号,8,active\n" for i in range(N_ACCOUNTS)), encoding="utf-8")
    ingest_files(lake, "customers", [tmp_path / "c.csv"], SETTINGS)
    files = [_write_inputs(tmp_path, range(N_ACCOUNTS), date(2026, 1, 25), 14, "r1.csv"),
             _write_inputs(tmp_path, range(0, N_ACCOUNTS, 3), date(2026, 2, 8), 7, "r2.csv")]  # a later delivery
    ingest_files(lake, "readings_daily", files, SETTINGS)
    return lake


def _keys(part: Path) -> list[tuple[int, str, date]]:
    """The sort key of every row: ``account_key`` (the layout's order for readings), account, date."""
    t = pq.read_table(part, columns=["account_key", "account_no", "date"])
    return list(zip(t.column("account_key").to_pylist(), t.column("account_no").to_pylist(),
                    t.column("date").to_pylist(), strict=True))


def _row_group_ranges(part: Path) -> list[tuple[int, int, int]]:
    meta = pq.ParquetFile(part).metadata
    col = meta.schema.names.index("account_key")
    out = []
    for i in range(meta.num_row_groups):
        rg = meta.row_group(i)
        stats = rg.column(col).statistics
        assert stats is not None and stats.has_min_max  # readers prune by these
        out.append((stats.min, stats.max, rg.num_rows))
    return out


def test_every_ingested_part_is_sorted_by_account_then_date(lake: Path) -> None:
    parts = sorted(table_dir(lake, "readings_daily").rglob("*.parquet"))
    assert len(parts) > 4  # several chunks and months
    for part in parts:
        keys = _keys(part)
        assert keys == sorted(keys), part.name


def test_compaction_writes_one_part_per_month_in_account_order_with_disjoint_row_groups(lake: Path) -> None:
    compact(lake, ["readings_daily"], SETTINGS.row_group_rows)
    parts = sorted(table_dir(lake, "readings_daily").rglob("*.parquet"))
    assert [p.parent.name for p in parts] == ["month=2026-01", "month=2026-02"]
    for part in parts:
        keys = _keys(part)
        assert keys == sorted(keys)
        ranges = _row_group_ranges(part)
        assert len(ranges) > 1
        # DuckDB rounds the row-group size up to its vector size (2,048 rows)
        assert all(n <= 2_048 for _, _, n in ranges)
        # consecutive row groups cover consecutive account ranges (an account may straddle a boundary)
        assert all(a[1] <= b[0] for a, b in pairwise(ranges))


def test_ingest_after_compaction_keeps_parts_sorted_and_compaction_restores_one_order(
        lake: Path, tmp_path: Path) -> None:
    compact(lake, ["readings_daily"], SETTINGS.row_group_rows)
    late = _write_inputs(tmp_path, range(1, N_ACCOUNTS, 2), date(2026, 2, 15), 5, "r3.csv")
    ingest_files(lake, "readings_daily", [late], SETTINGS)
    feb = table_dir(lake, "readings_daily") / "month=2026-02"
    assert len(list(feb.glob("*.parquet"))) > 1
    for part in feb.glob("*.parquet"):
        assert _keys(part) == sorted(_keys(part))
    compact(lake, ["readings_daily"], SETTINGS.row_group_rows)
    (part,) = feb.glob("*.parquet")
    keys = _keys(part)
    assert keys == sorted(keys) and len(keys) == len(set(keys))
    ranges = _row_group_ranges(part)
    assert all(a[1] <= b[0] for a, b in pairwise(ranges))
