"""Where lake tables live on disk, and how other modules read them.

    <home>/lake/<table>/month=YYYY-MM/part-<batch>-<n>.parquet    series tables (hive partitioning)
    <home>/lake/<table>/part-<batch>-<n>.parquet                  dimension tables
    <home>/lake/_quarantine/part-<batch>-<n>.parquet              rejected rows
    <home>/lake/_batches/<batch>.json                             one record per ingest run
    <home>/lake/_compactions/<id>.json                            journal of a compaction in progress

Files are written to a ``.tmp`` name, fsynced and renamed into place: a reader (or a crash) never sees a
half-written part.  Dimension tables may hold several versions of a key across parts; the current row is
the one with the latest ``_ingested_at`` (see :func:`current_view_sql`).  Readers glob only
``*.parquet`` and so never see temporary files.

Derived columns: the customers and readings tables also hold ``account_key``, an integer key of
``account_no`` computed at ingest (:mod:`gridwatch.lake.account_key`); input files never carry it.
Compaction keeps it and writes it for parts of older lakes that lack it.

Order inside a part: rows are sorted by :attr:`Contract.order_by` — ``account_key`` then the table's key
for the customers and readings, the key elsewhere — and written in row groups of :data:`ROW_GROUP_ROWS`
rows, so each row group covers a narrow range of account keys and its min/max statistics let a reader
that asks for a range of keys (a screening bucket) skip the others.  Ingest sorts each part it writes; compaction (:mod:`gridwatch.lake.compact`) merges a partition
into one part sorted the same way, which restores a clean account order when later ingests have added
parts whose ranges overlap.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pyarrow.parquet as pq

from gridwatch.lake.contracts import CONTRACTS, Contract

QUARANTINE = "_quarantine"
JOURNAL_DIR = "_compactions"
META_COLUMNS = ("_batch", "_ingested_at", "_source_file", "_source_row")
ROW_GROUP_ROWS = 256_000
"""Rows per Parquet row group of every part (the unit a range filter can skip)."""


def table_dir(lake_dir: Path, table: str) -> Path:
    return lake_dir / table


def table_glob(lake_dir: Path, table: str) -> str:
    """Glob of a table's Parquet parts (hive-partitioned for series tables)."""
    contract = CONTRACTS.get(table)
    base = table_dir(lake_dir, table)
    if contract is not None and contract.partition_by_month:
        return str(base / "month=*" / "*.parquet")
    return str(base / "*.parquet")


def has_data(lake_dir: Path, table: str) -> bool:
    base = table_dir(lake_dir, table)
    return base.exists() and any(base.rglob("*.parquet"))


def read_sql(lake_dir: Path, table: str) -> str:
    """DuckDB SQL selecting the current rows of a table (empty relation when the table has no data)."""
    from gridwatch.lake.compact import recover_if_idle

    contract = CONTRACTS[table]
    recover_if_idle(lake_dir)
    if not has_data(lake_dir, table):
        cols = ", ".join(f"CAST(NULL AS {duck_type(c.type)}) AS {c.name}" for c in (*contract.columns, *contract.derived))
        return f"SELECT {cols} WHERE FALSE"
    glob = table_glob(lake_dir, table)
    hive = "true" if contract.partition_by_month else "false"
    src = f"read_parquet('{glob}', hive_partitioning = {hive}, union_by_name = true)"
    return current_view_sql(contract, src, stored_derived(lake_dir, table))


def table_parts(lake_dir: Path, table: str) -> list[Path]:
    """Every Parquet part of a table."""
    return sorted(table_dir(lake_dir, table).rglob("*.parquet"))


def stored_derived(lake_dir: Path, table: str) -> list[str]:
    """The derived columns (``Contract.derived``) that every part of the table holds (from the footers).

    Lakes written before a derived column existed lack it; a view shows a derived column only when no
    part lacks it, so a reader never sees it NULL for some rows."""
    names = [c.name for c in CONTRACTS[table].derived]
    if not names:
        return []
    for part in table_parts(lake_dir, table):
        st = part.stat()
        held = _part_columns(str(part), st.st_mtime_ns, st.st_size)
        names = [n for n in names if n in held]
        if not names:
            break
    return names


@lru_cache(maxsize=200_000)
def _part_columns(path: str, mtime_ns: int, size: int) -> frozenset[str]:
    """Column names of one part, read from its footer once per process (parts are immutable: written
    atomically, replaced only under a new name; mtime and size guard against a rewrite in place)."""
    return frozenset(pq.read_schema(path).names)


def current_view_sql(contract: Contract, source: str, derived: list[str] | None = None) -> str:
    """Select the contract's columns and the given stored ``derived`` ones, keeping one row per key
    (latest ingest wins for dimensions)."""
    cols = ", ".join([*contract.column_names, *(derived or [])])
    if contract.kind == "series":
        return f"SELECT {cols} FROM {source}"
    key = ", ".join(contract.key)
    return (
        f"SELECT {cols} FROM {source} "
        f"QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY _ingested_at DESC, _source_row DESC) = 1"
    )


_DUCK_TYPES = {
    "text": "VARCHAR", "int": "BIGINT", "float": "DOUBLE", "date": "DATE",
    "timestamp": "TIMESTAMP", "bool": "BOOLEAN",
}


def duck_type(t: str) -> str:
    """DuckDB type of a contract column type."""
    return _DUCK_TYPES[t]


LOAD_ORDER = ("customers", "addresses", "permits", "registry", "weather", "closures", "water", "labels",
              "readings_daily", "readings_interval")
"""Tables in dependency order (customers before the readings that must name them)."""

INPUT_SUFFIXES = (".csv", ".tsv", ".parquet", ".xlsx")


def input_files(directory: Path, table: str) -> list[Path]:
    """Input files of ``table`` in a directory: ``<table>.<ext>``, ``<table>-*.<ext>`` or ``<table>/*.<ext>``."""
    found = [p for p in directory.glob(f"{table}.*") if p.suffix in INPUT_SUFFIXES]
    found += [p for p in directory.glob(f"{table}-*") if p.suffix in INPUT_SUFFIXES]
    sub = directory / table
    if sub.is_dir():
        found += [p for p in sub.iterdir() if p.suffix in INPUT_SUFFIXES]
    return sorted(found)
