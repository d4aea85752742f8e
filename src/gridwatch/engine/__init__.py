"""Compute engines behind one small seam: DuckDB (default, embedded) and Spark (scale-out).

Computations are written once, as DuckDB-dialect SQL, and handed to an engine; an engine only connects,
registers lake tables as views, transpiles (sqlglot) where its dialect differs, and moves results out as
Arrow.  ``get_engine(name, workspace)`` picks one from the :data:`ENGINES` registry.
"""

from gridwatch.engine.base import ENGINES, Engine, get_engine

__all__ = ["ENGINES", "Engine", "get_engine"]
