"""Apache Spark: the scale-out engine (``pip install gridwatch[spark]``; Java 17).

Lake tables are read with Spark's own Parquet reader and exposed as temp views; the DuckDB-dialect SQL
of the computations is transpiled by :mod:`gridwatch.engine.dialects`.  Results come back as Arrow.
``settings.engine.spark_master`` selects ``local[N]`` or a cluster URL.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from gridwatch.engine.base import register_engine
from gridwatch.engine.dialects import transpile
from gridwatch.lake.compact import recover_if_idle
from gridwatch.lake.contracts import CONTRACTS
from gridwatch.lake.layout import current_view_sql, duck_type, has_data, stored_derived, table_dir

if TYPE_CHECKING:
    import pyarrow as pa

    from gridwatch.workspace import Workspace


class SparkEngine:
    name = "spark"

    def __init__(self, workspace: Workspace) -> None:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        # Python workers run our UDFs (e.g. name_sim): they must use this interpreter and its packages
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        from pyspark.sql import SparkSession

        self.workspace = workspace
        master = workspace.settings.engine.spark_master
        self.spark = (
            SparkSession.builder.master(master)
            .appName("gridwatch")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")  # lake timestamps are naive local times
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .getOrCreate()
        )
        self.spark.sparkContext.setLogLevel("ERROR")

    def register_lake(self, table: str, *, as_name: str | None = None) -> None:
        contract = CONTRACTS[table]
        name = as_name or table
        lake = self.workspace.lake_dir
        recover_if_idle(lake)  # an interrupted compaction must not show a partition twice
        if not has_data(lake, table):
            cols = ", ".join(f"CAST(NULL AS {duck_type(c.type)}) AS {c.name}" for c in (*contract.columns, *contract.derived))
            self.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT {cols} WHERE FALSE")
            return
        base = table_dir(lake, table)
        reader = self.spark.read.option("mergeSchema", "true")
        if contract.partition_by_month:
            df = reader.option("basePath", str(base)).parquet(str(base / "month=*" / "*.parquet"))
        else:
            df = reader.parquet(str(base / "*.parquet"))
        raw = f"__raw_{name}"
        df.createOrReplaceTempView(raw)
        self.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {current_view_sql(contract, raw, stored_derived(lake, table))}")

    def register_arrow(self, name: str, data: pa.Table) -> None:
        self.spark.createDataFrame(data.to_pandas()).createOrReplaceTempView(name)

    def sql(self, query: str) -> pa.Table:
        return self.spark.sql(transpile(query, "spark")).toArrow()

    def execute(self, statement: str) -> None:
        self.spark.sql(transpile(statement, "spark"))

    def close(self) -> None:
        # the session is shared by the process (getOrCreate); stopping it is left to process exit
        pass


@register_engine("spark")
def _open(workspace: Workspace) -> SparkEngine:
    return SparkEngine(workspace)
