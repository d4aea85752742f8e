"""The matching SQL, written once in DuckDB's dialect, gives the same ranking on Spark."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from gridwatch.address.admin import AdminResolver
from gridwatch.address.match import build_extractor, extract_table, registry_keys
from gridwatch.address.match_sql import MatchSQL
from gridwatch.address.udf import register_udfs
from gridwatch.engine import get_engine
from gridwatch.workspace import Workspace

pytestmark = pytest.mark.spark


class _SparkSQL:
    """Just enough of the engine seam to run the matching statements on a local Spark session."""

    name = "spark"

    def __init__(self) -> None:
        pyspark_sql = pytest.importorskip("pyspark.sql")
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers need this interpreter's packages
        self.spark = (
            pyspark_sql.SparkSession.builder.master("local[2]")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .getOrCreate()
        )

    def register_arrow(self, name: str, data: pa.Table) -> None:
        self.spark.createDataFrame(data.to_pandas()).createOrReplaceTempView(name)

    def _spark_sql(self, q: str) -> str:
        import sqlglot

        return sqlglot.transpile(q, read="duckdb", write="spark")[0]

    def execute(self, statement: str) -> None:
        self.spark.sql(self._spark_sql(statement))

    def sql(self, query: str) -> pa.Table:
        return pa.Table.from_pandas(self.spark.sql(self._spark_sql(query)).toPandas(), preserve_index=False)


def _ranked(engine, cust: pa.Table, reg_k: pa.Table) -> list[tuple]:
    register_udfs(engine)
    engine.register_arrow("cust", cust)
    engine.register_arrow("reg", reg_k)
    sql = MatchSQL(3)
    for stmt in (sql.tf(), sql.pairs(), sql.scored()):
        engine.execute(stmt)
    t = engine.sql(sql.ranked())
    rows = zip(*(t.column(c).to_pylist() for c in ("akey", "address_id", "score", "rk")), strict=True)
    return sorted((int(a), aid, round(float(s), 6), int(rk)) for a, aid, s, rk in rows)


def test_same_ranking_on_duckdb_and_spark(tmp_path: Path, city: pa.Table, city_customers) -> None:
    cust, _ = city_customers
    reg_k = registry_keys(city)
    ext = build_extractor(reg_k, AdminResolver.for_city("4401"))
    ctab = extract_table(cust.column("address").to_pylist()[:150], ext)
    duck = get_engine("duckdb", Workspace.open(tmp_path / "w"))
    try:
        expected = _ranked(duck, ctab, reg_k)
    finally:
        duck.close()
    spark = _SparkSQL()
    got = _ranked(spark, ctab, reg_k)
    assert got == expected and len(expected) > 100
