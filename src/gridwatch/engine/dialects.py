"""The only place where engine dialects differ: DuckDB SQL is parsed once and rewritten for a target.

sqlglot does most of the work; :data:`REWRITES` lists the few constructs it does not translate the way
the target engine needs (a lookup table per dialect, in the spirit of ibis' ``SIMPLE_OPS``).
"""

from __future__ import annotations

from collections.abc import Callable

import sqlglot
from sqlglot import exp


def _spark_percentile(node: exp.Expression) -> exp.Expression:
    # DuckDB quantile_cont(x, q) is exact and interpolating; Spark's exact equivalent is percentile(x, q)
    # (PERCENTILE_CONT(x, q) in function form does not exist in Spark SQL).
    if isinstance(node, exp.PercentileCont):
        return exp.Anonymous(this="percentile", expressions=[node.this, node.expression])
    return node


REWRITES: dict[str, tuple[Callable[[exp.Expression], exp.Expression], ...]] = {
    "duckdb": (),
    "spark": (_spark_percentile,),
}


def transpile(sql: str, target: str) -> str:
    """Rewrite one DuckDB-dialect statement for ``target`` (identity for DuckDB)."""
    if target == "duckdb":
        return sql
    tree = sqlglot.parse_one(sql, read="duckdb")
    for rewrite in REWRITES[target]:
        tree = tree.transform(rewrite)
    return tree.sql(dialect=target)
