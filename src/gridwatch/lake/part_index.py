"""Which lake parts can hold a chunk's keys: an index of the leading key (``account_no``) per part.

Ingest compares every chunk with the rows the lake already holds for the chunk's keys.  Reading all parts
of a month for that made a large file's ingest quadratic: chunk *n* of a 132M-row interval file read the
*n* parts its own earlier chunks had written.  Min/max statistics do not help, because a file ordered by
customer sequence (as meter exports are) spans the whole range of account numbers in every chunk.

The index keeps, in the ingest's own DuckDB connection, the distinct leading keys of every part of the
months it has touched: the parts present before the run are read once (their key column only), the parts
the ingest writes are added as it writes them, and parts that disappear (compaction, which cannot run
during an ingest, or another process) are forgotten.  A chunk then reads only the parts that hold one of
its accounts.  The index never skips a part that holds a key of the chunk, so what ingest decides does not
change; tests/lake/test_part_index.py checks this against a model of the rules.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

TABLE = "_part_keys"


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


class PartIndex:
    """Leading keys per Parquet part, for the directories (months) an ingest touches."""

    def __init__(self, con: duckdb.DuckDBPyConnection, column: str) -> None:
        self.con = con
        self.column = column
        self._known: dict[Path, set[str]] = {}  # directory -> part file names indexed
        self._created = False

    def _ensure_table(self, key_type: str) -> None:
        if not self._created:
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {TABLE} (dir VARCHAR, part VARCHAR, k {key_type})")
            self._created = True

    def _sync(self, directory: Path, key_type: str) -> None:
        """Index the parts of ``directory`` not seen yet; forget the ones that are gone."""
        self._ensure_table(key_type)
        present = {p.name for p in directory.glob("*.parquet")} if directory.exists() else set()
        known = self._known.setdefault(directory, set())
        gone, new = known - present, sorted(present - known)
        d = _sql_str(str(directory))
        if gone:
            names = ", ".join(_sql_str(n) for n in gone)
            self.con.execute(f"DELETE FROM {TABLE} WHERE dir = {d} AND part IN ({names})")
            known -= gone
        if new:
            files = ", ".join(_sql_str(str(directory / n)) for n in new)
            self.con.execute(f"""
                INSERT INTO {TABLE}
                SELECT DISTINCT {d}, parse_filename(filename), CAST({self.column} AS {key_type})
                FROM read_parquet([{files}], filename = true, hive_partitioning = false)""")
            known.update(new)

    def parts_holding(self, directory: Path, chunk: str) -> list[Path]:
        """Parts of ``directory`` holding at least one leading key of the relation ``chunk``."""
        key_type = self.con.sql(f"SELECT typeof({self.column}) FROM {chunk} LIMIT 1").fetchall()
        if not key_type:
            return []
        self._sync(directory, key_type[0][0])
        d = _sql_str(str(directory))
        rows = self.con.sql(f"""
            SELECT DISTINCT part FROM {TABLE}
            WHERE dir = {d} AND k IN (SELECT {self.column} FROM {chunk}) ORDER BY part""").fetchall()
        return [directory / r[0] for r in rows]

    def note_written(self, path: Path, table: pa.Table) -> None:
        """Index a part this ingest has just written, from the rows it wrote (no read back)."""
        directory = path.parent
        if directory not in self._known or not self._created:
            return  # the directory is indexed from disk, this part included, when a chunk first needs it
        keys = pa.table({"k": pc.unique(table.column(self.column))})
        self.con.register("_new_part_keys", keys)
        try:
            self.con.execute(f"INSERT INTO {TABLE} SELECT {_sql_str(str(directory))}, {_sql_str(path.name)}, k "
                             "FROM _new_part_keys")
        finally:
            self.con.unregister("_new_part_keys")
        self._known[directory].add(path.name)
