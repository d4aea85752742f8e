"""Ingest input files into the lake: read in chunks, validate, de-duplicate, write atomically.

For each chunk of a file:

1. parse every column from text and apply the registered checks (:mod:`gridwatch.lake.validate`);
2. de-duplicate within the chunk: several rows with the same key are kept once when identical, and all
   quarantined when they disagree;
3. compare with what the lake already holds: an identical row is skipped (so re-ingesting a file adds
   nothing); a series row that disagrees with the lake is quarantined; a dimension row that differs
   is a new version of that key (the latest ingest wins when read);
4. write accepted rows as Parquet parts (by month for series) and rejected rows to the quarantine, each
   part atomically.

A chunk that has been written stays written: if the process is killed, every chunk before the current
one is in the lake, and running the same command again completes the file without duplicates.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from gridwatch.config import LakeSettings
from gridwatch.lake.account_key import DERIVED_SQL
from gridwatch.lake.compact import lake_lock, recover
from gridwatch.lake.contracts import CONTRACTS, Contract
from gridwatch.lake.layout import QUARANTINE, duck_type, has_data, read_sql, table_dir
from gridwatch.lake.part_index import PartIndex
from gridwatch.lake.readers import Chunk, InputError, open_source
from gridwatch.lake.validate import judged_sql, output_columns, typed_sql
from gridwatch.lake.writer import write_json, write_part


@dataclass
class IngestReport:
    """What happened to one file."""

    table: str
    file: str
    batch: str
    rows_read: int = 0
    accepted: int = 0
    updated: int = 0  # dimension rows that replaced an older version of their key
    duplicates_in_file: int = 0  # identical repeats of a key inside the file, kept once
    already_in_lake: int = 0  # identical to what the lake already had: nothing added
    quarantined: int = 0
    reasons: Counter[str] = field(default_factory=Counter)  # quarantined rows by field
    parts_written: int = 0
    seconds: float = 0.0
    error: str | None = None  # the file could not be read at all
    encoding: str | None = None
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds > 0 else 0.0


ProgressFn = Callable[[int], None]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Ingestor:
    """Ingests files of one table into the lake at ``lake_dir``."""

    def __init__(self, lake_dir: Path, contract: Contract, settings: LakeSettings, timezone: str = "Asia/Shanghai"):
        self.lake_dir = lake_dir
        self.contract = contract
        self.settings = settings
        self.con = duckdb.connect(config={"threads": 2})
        self.con.execute(f"SET TimeZone = '{timezone}'")
        self.con.execute("CREATE MACRO quote(s) AS chr(39) || s || chr(39)")  # used in reasons
        self.out_cols = output_columns(contract)
        self.names = contract.column_names
        self.parts = PartIndex(self.con, contract.key[0])

    def close(self) -> None:
        self.con.close()

    # -- one file -------------------------------------------------------------------------------------
    def ingest_file(self, path: Path, progress: ProgressFn | None = None) -> IngestReport:
        t0 = time.perf_counter()
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
        batch = f"{stamp}-{uuid.uuid4().hex[:8]}"
        report = IngestReport(self.contract.name, str(path), batch)
        try:
            src = open_source(path, self.contract, self.settings.chunk_rows)
            sha = _sha256(path)
        except InputError as exc:
            report.error = str(exc)
            report.seconds = time.perf_counter() - t0
            return report
        report.encoding = src.encoding
        report.ignored_columns = src.ignored
        record = {"batch": batch, "table": self.contract.name, "file": str(path), "sha256": sha,
                  "started": datetime.now().isoformat(), "status": "running"}
        write_json(record, self.lake_dir / "_batches" / f"{batch}.json")
        customers_sql = None
        if self.contract.needs_known_account and has_data(self.lake_dir, "customers"):
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE _customers AS {read_sql(self.lake_dir, 'customers')}")
            customers_sql = "SELECT account_no, capacity_kva FROM _customers"
        try:
            for n, chunk in enumerate(src.chunks()):
                self._ingest_chunk(chunk, n, batch, path, sha, set(src.header_map.values()), customers_sql, report)
                if progress:
                    progress(chunk.data.num_rows)
        except (pa.ArrowException, UnicodeDecodeError, ValueError) as exc:
            report.error = f"{path}: reading stopped after row {report.rows_read}: {exc}"
        report.seconds = time.perf_counter() - t0
        record.update(status="done" if report.error is None else "failed", finished=datetime.now().isoformat(),
                      rows_read=report.rows_read, accepted=report.accepted, quarantined=report.quarantined,
                      error=report.error)
        write_json(record, self.lake_dir / "_batches" / f"{batch}.json")
        return report

    # -- one chunk ------------------------------------------------------------------------------------
    def _ingest_chunk(self, chunk: Chunk, n: int, batch: str, path: Path, sha: str, present: set[str],
                      customers_sql: str | None, report: IngestReport) -> None:
        con, c = self.con, self.contract
        data = chunk.data.append_column(
            "_row", pa.array(range(chunk.first_row, chunk.first_row + chunk.data.num_rows), pa.int64())
        )
        for name in c.column_names:  # absent optional columns are typed NULLs
            if name not in data.column_names:
                data = data.append_column(name, pa.nulls(data.num_rows, pa.string()))
        con.register("raw_chunk", data)
        report.rows_read += data.num_rows
        typed = typed_sql(c, present, customers_sql)
        con.execute(f"CREATE OR REPLACE TEMP TABLE judged AS {judged_sql(c, self.settings, f'({typed}) t')}")
        con.unregister("raw_chunk")
        key = ", ".join(c.key)
        hash_expr = self._hash_expr()
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE valid AS
            WITH v AS (SELECT _row, {', '.join(self.out_cols)} FROM judged WHERE _reason IS NULL)
            SELECT *, {hash_expr} AS _h FROM v""")
        # keys repeated inside the chunk (rare): identical repeats are kept once, disagreeing ones rejected
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE repeated AS
            WITH k AS (SELECT {key} FROM valid GROUP BY {key} HAVING count(*) > 1)
            SELECT {key}, CASE WHEN min(_h) = max(_h) THEN 1 ELSE 2 END AS _nd, min(_row) AS _first,
                   string_agg(CAST(_row AS VARCHAR), ', ' ORDER BY _row) AS _rows
            FROM valid JOIN k USING ({key}) GROUP BY {key}""")
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE grouped AS
            SELECT v.*, coalesce(r._nd, 1) AS _nd, coalesce(r._first, v._row) AS _first
            FROM valid v LEFT JOIN repeated r USING ({key})""")
        # existing rows of these keys in the lake
        existing = self._existing_sql()
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE decided AS
            SELECT g.*, e._h AS _eh, e._present AS _present
            FROM (SELECT * FROM grouped WHERE _nd = 1 AND _row = _first) g
            LEFT JOIN ({existing}) e USING ({key})""")
        report.duplicates_in_file += con.sql("SELECT count(*) FROM grouped WHERE _nd = 1 AND _row <> _first").fetchall()[0][0]
        report.already_in_lake += con.sql("SELECT count(*) FROM decided WHERE _eh = _h").fetchall()[0][0]
        if c.kind == "dimension":
            report.updated += con.sql("SELECT count(*) FROM decided WHERE _present AND _eh <> _h").fetchall()[0][0]
            accept_cond = "_eh IS NULL OR _eh <> _h"
        else:
            accept_cond = "_eh IS NULL"
        now = datetime.now()
        cols = ", ".join(f"CAST({col.name} AS {duck_type(col.type)}) AS {col.name}" for col in c.columns)
        cols += "".join(f", {DERIVED_SQL[col.name]} AS {col.name}" for col in c.derived)
        part_col = c.partition_by_month
        month = f", strftime({part_col}, '%Y-%m') AS _month" if part_col else ""
        order = ", ".join((["_month"] if part_col else []) + c.order_by)
        accepted = con.sql(f"""
            SELECT {cols}, '{batch}' AS _batch, TIMESTAMP '{now.isoformat(sep=' ')}' AS _ingested_at,
                   {_sql_str(str(path))} AS _source_file, _row AS _source_row{month}
            FROM decided WHERE {accept_cond} ORDER BY {order}""").to_arrow_table()
        report.accepted += accepted.num_rows
        report.parts_written += self._write_accepted(accepted, batch, n)
        self._quarantine(batch, n, path, sha, report)

    def _hash_expr(self) -> str:
        """A 64-bit fingerprint of a row's contract columns (equal rows, equal fingerprints)."""
        return "hash(" + ", ".join(self.names) + ")"

    def _existing_sql(self) -> str:
        c = self.contract
        hash_expr = self._hash_expr()
        key = ", ".join(c.key)
        if not has_data(self.lake_dir, c.name):
            return f"SELECT {key}, NULL AS _h, FALSE AS _present FROM valid WHERE FALSE"
        if c.partition_by_month:
            months = [r[0] for r in self.con.sql(
                f"SELECT DISTINCT strftime({c.partition_by_month}, '%Y-%m') FROM valid").fetchall() if r[0]]
            base_dir = table_dir(self.lake_dir, c.name)
            files = [f for m in months for f in self.parts.parts_holding(base_dir / f"month={m}", "valid")]
            if not files:
                return f"SELECT {key}, NULL AS _h, FALSE AS _present FROM valid WHERE FALSE"
            src = ("read_parquet([" + ", ".join(_sql_str(str(f)) for f in files)
                   + "], hive_partitioning = false, union_by_name = true)")
            base = (f"SELECT s.* FROM (SELECT {', '.join(self.names)} FROM {src}) s "
                    f"SEMI JOIN valid v ON " + " AND ".join(f"s.{k} = v.{k}" for k in c.key))
        else:
            base = f"SELECT * FROM ({read_sql(self.lake_dir, c.name)})"
        return f"SELECT {key}, {hash_expr} AS _h, TRUE AS _present FROM ({base})"

    def _write_accepted(self, accepted: pa.Table, batch: str, n: int) -> int:
        if accepted.num_rows == 0:
            return 0
        base = table_dir(self.lake_dir, self.contract.name)
        if not self.contract.partition_by_month:
            write_part(accepted, base / f"part-{batch}-{n:05d}.parquet", self.settings.row_group_rows)
            return 1
        months = accepted.column("_month")
        data = accepted.drop_columns(["_month"])
        parts = 0
        for m in pc.unique(months).to_pylist():
            sub = data.filter(pc.equal(months, m))
            target = write_part(sub, base / f"month={m}" / f"part-{batch}-{n:05d}.parquet", self.settings.row_group_rows)
            self.parts.note_written(target, sub)
            parts += 1
        return parts

    def _quarantine(self, batch: str, n: int, path: Path, sha: str, report: IngestReport) -> None:
        con, c = self.con, self.contract
        raw_json = "to_json(struct_pack(" + ", ".join(f"{x} := {x}__raw" for x in self.names) + "))"
        rejected = con.sql(f"""
            SELECT _row AS row, _field AS field, _reason AS reason, {raw_json} AS raw FROM judged WHERE _reason IS NOT NULL
            UNION ALL
            SELECT j._row, '{c.key[-1]}', 'conflicting duplicates of key (' || concat_ws(', ', {", ".join(f"CAST(g.{k} AS VARCHAR)" for k in c.key)}) || ') in rows ' || g._rows,
                   {raw_json.replace("__raw", "__raw")}
            FROM judged j JOIN (SELECT * FROM repeated WHERE _nd > 1) g
              ON {" AND ".join(f"j.{k} IS NOT DISTINCT FROM g.{k}" for k in c.key)} AND j._reason IS NULL
            UNION ALL
            SELECT d._row, '{c.key[-1]}', 'conflicts with the value already in the lake for key ('
                   || concat_ws(', ', {", ".join(f"CAST(d.{k} AS VARCHAR)" for k in c.key)}) || ')', {raw_json}
            FROM decided d JOIN judged j USING (_row)
            WHERE {"FALSE" if c.kind == "dimension" else "d._eh IS NOT NULL AND d._eh <> d._h"}
            ORDER BY 1""").to_arrow_table()
        if rejected.num_rows == 0:
            return
        report.quarantined += rejected.num_rows
        report.reasons.update(rejected.column("field").to_pylist())
        size = rejected.num_rows
        meta = {
            "table": pa.array([c.name] * size, pa.string()),
            "file": pa.array([str(path)] * size, pa.string()),
            "file_sha256": pa.array([sha] * size, pa.string()),
            "batch": pa.array([batch] * size, pa.string()),
            "ingested_at": pa.array([datetime.now()] * size, pa.timestamp("us")),
        }
        out = pa.table({**meta, **{k: rejected.column(k) for k in rejected.column_names}})
        write_part(out, self.lake_dir / QUARANTINE / f"part-{batch}-{n:05d}.parquet")


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def ingest_files(lake_dir: Path, table: str, paths: Iterable[Path], settings: LakeSettings,
                 timezone: str = "Asia/Shanghai", progress: ProgressFn | None = None) -> list[IngestReport]:
    """Ingest ``paths`` into ``table``; one report per file (a file that cannot be read has ``error``)."""
    try:
        contract = CONTRACTS[table]
    except KeyError:
        raise ValueError(f"unknown table {table!r}; known: {', '.join(CONTRACTS)}") from None
    with lake_lock(lake_dir, exclusive=False):  # compaction waits; other ingests may run
        recover(lake_dir)
        ing = Ingestor(lake_dir, contract, settings, timezone)
        try:
            return [ing.ingest_file(Path(p), progress) for p in paths]
        finally:
            ing.close()


def quarantine_sql(lake_dir: Path) -> str:
    """DuckDB SQL of the quarantine (one row per rejected input row, repeated ingests collapsed)."""
    q = lake_dir / QUARANTINE
    if not (q.exists() and any(q.glob("*.parquet"))):
        return ("SELECT NULL::VARCHAR AS table, NULL::VARCHAR AS file, NULL::BIGINT AS row, NULL::VARCHAR AS field, "
                "NULL::VARCHAR AS reason, NULL::VARCHAR AS raw, NULL::TIMESTAMP AS ingested_at WHERE FALSE")
    return (f"SELECT \"table\", file, row, field, reason, raw, ingested_at FROM read_parquet('{q}/*.parquet') "
            "QUALIFY row_number() OVER (PARTITION BY \"table\", file_sha256, row, reason ORDER BY ingested_at DESC) = 1")
