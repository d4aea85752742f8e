"""Functions the matching SQL calls that engines do not all have: registered per engine.

``name_sim(a, b)`` — similarity of two names in [0, 1] (RapidFuzz ``ratio`` / 100, by characters; NULL
when either side is NULL).  Engines' own edit distances are not portable: DuckDB's ``levenshtein`` counts
UTF-8 bytes (观御冬路 vs 观御东路 = 3), Spark's counts characters (= 1).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pyarrow as pa
from rapidfuzz import fuzz


def name_similarity(a: str | None, b: str | None) -> float | None:
    if a is None or b is None:
        return None
    return fuzz.ratio(a, b) / 100.0


def name_sim_arrow(a: pa.Array, b: pa.Array) -> pa.Array:
    """Vectorised :func:`name_similarity` over two Arrow string arrays."""
    return pa.array(
        [name_similarity(x, y) for x, y in zip(a.to_pylist(), b.to_pylist(), strict=True)], pa.float64()
    )


def _duckdb(engine: object) -> None:
    from duckdb.sqltypes import DOUBLE, VARCHAR

    con = engine.con  # type: ignore[attr-defined]
    with contextlib.suppress(Exception):  # not registered yet
        con.remove_function("name_sim")
    con.create_function(
        "name_sim", name_sim_arrow, [VARCHAR, VARCHAR], DOUBLE, type="arrow", null_handling="special"
    )


def _spark(engine: object) -> None:
    from pyspark.sql.types import DoubleType

    engine.spark.udf.register("name_sim", name_similarity, DoubleType())  # type: ignore[attr-defined]


UDF_REGISTRARS: dict[str, Callable[[object], None]] = {"duckdb": _duckdb, "spark": _spark}
"""How each engine gets the matching functions (by engine name)."""


def register_udfs(engine: object) -> None:
    name = getattr(engine, "name", "duckdb")
    try:
        UDF_REGISTRARS[name](engine)
    except KeyError:
        raise ValueError(f"no address-matching functions for engine {name!r}") from None
