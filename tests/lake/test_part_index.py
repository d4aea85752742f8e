"""Ingest reads only the lake parts whose key range can meet a chunk's keys, and decides exactly as before."""

from __future__ import annotations

from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridwatch.config import LakeSettings
from gridwatch.lake.ingest import ingest_files
from gridwatch.lake.layout import read_sql
from gridwatch.lake.part_index import PartIndex
from gridwatch.lake.writer import write_part

ACCOUNTS = [f"A{i:03d}" for i in range(12)]
DAYS = [f"2026-10-{d:02d}" for d in range(1, 6)] + ["2026-11-01"]

rows_strategy = st.lists(
    st.tuples(st.sampled_from(ACCOUNTS), st.sampled_from(DAYS), st.sampled_from([1.0, 2.0, 3.0])),
    min_size=1, max_size=40,
)


def _csv(path: Path, rows: list[tuple[str, str, float]]) -> Path:
    path.write_text("account_no,date,kwh\n" + "".join(f"{a},{d},{k}\n" for a, d, k in rows), encoding="utf-8")
    return path


def _expected(files: list[list[tuple[str, str, float]]], chunk: int) -> dict[tuple[str, str], float]:
    """What the lake must hold, decided chunk by chunk as ingest commits them: inside a chunk a key is kept
    once if its rows agree (all rejected otherwise), and only if the lake does not hold it yet."""
    lake: dict[tuple[str, str], float] = {}
    for rows in files:
        for start in range(0, len(rows), chunk):
            seen: dict[tuple[str, str], set[float]] = {}
            for a, d, k in rows[start:start + chunk]:
                seen.setdefault((a, d), set()).add(k)
            for key, vals in seen.items():
                if len(vals) == 1 and key not in lake:
                    lake[key] = vals.pop()
    return lake


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.lists(rows_strategy, min_size=1, max_size=3), sort=st.booleans())
def test_chunked_ingest_with_part_pruning_keeps_every_rule(tmp_path_factory, files, sort) -> None:
    tmp = tmp_path_factory.mktemp("pi")
    lake = tmp / "lake"
    s = LakeSettings.model_construct(chunk_rows=5)  # many chunks and parts (below the validated minimum)
    customers = tmp / "c.csv"
    customers.write_text("account_no,name,tariff\n" + "".join(f"{a},x,residential\n" for a in ACCOUNTS))
    ingest_files(lake, "customers", [customers], LakeSettings())
    files = [sorted(rows) if sort else rows for rows in files]
    for i, rows in enumerate(files):
        ingest_files(lake, "readings_daily", [_csv(tmp / f"f{i}.csv", rows)], s)
    got = {}
    if (lake / "readings_daily").exists():
        got = {(a, str(d)): k for a, d, k in duckdb.connect().sql(
            f"SELECT account_no, date, kwh FROM ({read_sql(lake, 'readings_daily')})").fetchall()}
    assert got == _expected(files, 5)


def test_index_finds_the_parts_of_a_chunks_accounts_and_forgets_removed_parts(tmp_path: Path) -> None:
    import pyarrow as pa

    con = duckdb.connect()
    d = tmp_path / "month=2026-10"
    a = write_part(pa.table({"account_no": ["A1", "Z3"], "kwh": [1.0, 2.0]}), d / "a.parquet")
    b = write_part(pa.table({"account_no": ["B1", "B9"], "kwh": [1.0, 2.0]}), d / "b.parquet")
    idx = PartIndex(con, "account_no")

    def holding(*accounts: str) -> list[Path]:
        con.register("chunk", pa.table({"account_no": list(accounts)}))
        return idx.parts_holding(d, "chunk")

    assert holding("A1") == [a]
    assert holding("B5") == []  # inside b's min/max, but b does not hold it
    assert holding("Z3", "B9") == [a, b]
    b.unlink()
    assert holding("B1", "A1") == [a]
    c = write_part(pa.table({"account_no": ["C1", "C2"]}), d / "c.parquet")
    idx.note_written(c, pa.table({"account_no": ["C1", "C2"]}))
    assert holding("C2") == [c]
    assert holding("C9") == []
