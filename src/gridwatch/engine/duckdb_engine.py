"""DuckDB: the embedded default engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from gridwatch.engine.base import register_engine
from gridwatch.lake.layout import read_sql

if TYPE_CHECKING:
    import pyarrow as pa

    from gridwatch.workspace import Workspace


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        s = workspace.settings.engine
        # spill into the workspace, not into the current directory (DuckDB's default is ./.tmp)
        self.con = duckdb.connect(config={
            "threads": s.duckdb_threads, "memory_limit": s.duckdb_memory_limit,
            "temp_directory": str(workspace.spill_dir),
        })
        self.con.execute("SET TimeZone = 'UTC'")  # timestamps in the lake are naive local times

    def register_lake(self, table: str, *, as_name: str | None = None) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {as_name or table} AS {read_sql(self.workspace.lake_dir, table)}")

    def register_arrow(self, name: str, data: pa.Table) -> None:
        self.con.register(name, data)

    def sql(self, query: str) -> pa.Table:
        return self.con.sql(query).to_arrow_table()

    def execute(self, statement: str) -> None:
        self.con.execute(statement)

    def close(self) -> None:
        self.con.close()


@register_engine("duckdb")
def _open(workspace: Workspace) -> DuckDBEngine:
    return DuckDBEngine(workspace)
