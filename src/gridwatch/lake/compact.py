"""Compaction: merge the many small Parquet parts that ingest leaves into one part per partition.

Ingest commits one part per chunk and month, so a year of daily readings loaded in many files ends up as
thousands of small parts; engines pay for each file they open. Compaction rewrites the parts of one
partition (a ``month=YYYY-MM`` folder of a series table, or the folder of a dimension table) as a single
part sorted by the table's key. It changes no row: every row, meta columns included, is kept (a dimension
keeps all its versions; the latest still wins when read).

Crash safety. For each partition:

1. the merged part is written to a temporary name and fsynced (:func:`gridwatch.lake.writer.write_part`
   semantics, but the rename is deferred);
2. a journal ``_compactions/<id>.json`` naming the new part and the parts it replaces is written atomically;
3. the new part is renamed into place, then the replaced parts are deleted, then the journal.

A crash before step 3 leaves the old parts and at most a temporary file; a crash during step 3 leaves the
new part beside some old ones. :func:`recover` finishes or rolls back every journal it finds; it runs before
every compaction, every ingest and every read of the lake through :func:`gridwatch.lake.layout.read_sql`
(when no compaction is running), so after a crash no reader counts a row twice.

Compaction is maintenance, like a database's full vacuum: it holds the lake's lock exclusively
(``lake/.lock``), so ingests wait for it and it waits for running ingests (they hold the lock shared).
Queries are not locked: run compaction when no screening or report reads the table, or such a query may
fail on a part deleted under it.
"""

from __future__ import annotations

import fcntl
import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from gridwatch.lake.account_key import DERIVED_SQL
from gridwatch.lake.contracts import CONTRACTS, Contract
from gridwatch.lake.layout import JOURNAL_DIR, ROW_GROUP_ROWS, table_dir
from gridwatch.lake.writer import _fsync_dir, write_json

LOCK_FILE = ".lock"


@contextmanager
def lake_lock(lake_dir: Path, *, exclusive: bool) -> Iterator[None]:
    """Hold the lake's lock: shared for ingest (several may run), exclusive for compaction."""
    lake_dir.mkdir(parents=True, exist_ok=True)
    with (lake_dir / LOCK_FILE).open("a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def pending(lake_dir: Path) -> bool:
    """Whether a compaction journal is waiting (a compaction is running or was interrupted)."""
    journals = lake_dir / JOURNAL_DIR
    return journals.is_dir() and any(journals.glob("*.json"))


def recover_if_idle(lake_dir: Path) -> int:
    """Settle interrupted compactions unless one is running right now (then leave it alone)."""
    if not pending(lake_dir):
        return 0
    with (lake_dir / LOCK_FILE).open("a") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0  # a compaction holds the lock: its journal is live, not interrupted
        try:
            return recover(lake_dir)
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def recover(lake_dir: Path) -> int:
    """Finish or roll back interrupted compactions; returns how many journals were settled.

    The caller holds the lake's lock (shared or exclusive), so no compaction is half-way through.
    """
    journals = lake_dir / JOURNAL_DIR
    if not journals.is_dir():
        return 0
    settled = 0
    for jpath in sorted(journals.glob("*.json")):
        try:
            record = json.loads(jpath.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # being written right now (atomic rename pending) or unreadable: leave it
        folder = lake_dir / record["folder"]
        new = folder / record["new"]
        tmp = folder / record["tmp"]
        if new.exists():  # the merged part is in place: the old parts must go
            for name in record["old"]:
                (folder / name).unlink(missing_ok=True)
        else:  # the merged part never landed: the old parts stay
            tmp.unlink(missing_ok=True)
        _fsync_dir(folder)
        jpath.unlink(missing_ok=True)
        settled += 1
    return settled


@dataclass
class CompactReport:
    """What compaction did to one table."""

    table: str
    partitions: int = 0  # partitions rewritten
    parts_before: int = 0
    parts_after: int = 0
    rows: int = 0


def _partitions(lake_dir: Path, contract: Contract) -> list[Path]:
    base = table_dir(lake_dir, contract.name)
    if not base.is_dir():
        return []
    if contract.partition_by_month:
        return sorted(p for p in base.glob("month=*") if p.is_dir())
    return [base]


def _columns(parts: list[Path], contract: Contract) -> str:
    """Every stored column; a derived column is kept as stored when every part holds it and computed
    again (the same deterministic value) when some part, written before it existed, lacks it."""
    schemas = [set(pq.read_schema(p).names) for p in parts]
    missing = [c.name for c in contract.derived if not all(c.name in sc for sc in schemas)]
    if not missing:
        return "*"
    held = [m for m in missing if any(m in sc for sc in schemas)]
    star = f"* EXCLUDE ({', '.join(held)})" if held else "*"
    return star + "".join(f", {DERIVED_SQL[m]} AS {m}" for m in missing)


def _compact_folder(con: duckdb.DuckDBPyConnection, lake_dir: Path, folder: Path, contract: Contract,
                    report: CompactReport, row_group_rows: int) -> None:
    parts = sorted(p for p in folder.glob("*.parquet"))
    report.parts_before += len(parts)
    if len(parts) < 2:
        report.parts_after += len(parts)
        return
    cid = f"{datetime.now().strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    new = folder / f"part-c{cid}-00000.parquet"
    tmp = folder / f".{new.name}.tmp"
    files = "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in parts) + "]"
    order = ", ".join([*contract.order_by, "_ingested_at"])
    # hive_partitioning off: the month column is the folder name, not a column of the parts
    src = f"read_parquet({files}, hive_partitioning = false, union_by_name = true)"
    n = con.sql(f"SELECT count(*) FROM {src}").fetchall()[0][0]
    con.execute(f"COPY (SELECT {_columns(parts, contract)} FROM {src} ORDER BY {order}) TO '{tmp}' "
                f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {row_group_rows})")
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    record = {"folder": str(folder.relative_to(lake_dir)), "new": new.name, "tmp": tmp.name,
              "old": [p.name for p in parts], "rows": n, "started": datetime.now().isoformat()}
    write_json(record, lake_dir / JOURNAL_DIR / f"{cid}.json")
    os.replace(tmp, new)
    _fsync_dir(folder)
    recover(lake_dir)  # deletes the replaced parts and the journal
    report.partitions += 1
    report.parts_after += 1
    report.rows += n


def compact(
    lake_dir: Path, tables: list[str] | None = None, row_group_rows: int = ROW_GROUP_ROWS
) -> list[CompactReport]:
    """Merge the parts of every partition of ``tables`` (default: all contract tables) into one each,
    sorted by the table's key (account first for the readings), in row groups of ``row_group_rows``."""
    names = tables or list(CONTRACTS)
    unknown = [t for t in names if t not in CONTRACTS]
    if unknown:
        raise ValueError(f"unknown table(s) {', '.join(unknown)}; known: {', '.join(CONTRACTS)}")
    reports = []
    with lake_lock(lake_dir, exclusive=True):
        recover(lake_dir)
        con = duckdb.connect(config={"threads": 2, "preserve_insertion_order": False})
        try:
            for name in names:
                contract = CONTRACTS[name]
                report = CompactReport(name)
                for folder in _partitions(lake_dir, contract):
                    _compact_folder(con, lake_dir, folder, contract, report, row_group_rows)
                reports.append(report)
        finally:
            con.close()
    return reports
