"""The engine seam."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import pyarrow as pa

    from gridwatch.workspace import Workspace


class Engine(Protocol):
    """What every engine offers. SQL passed in is written in DuckDB's dialect."""

    name: str

    def register_lake(self, table: str, *, as_name: str | None = None) -> None:
        """Expose the current rows of a lake table as a view named ``as_name`` (default: the table)."""

    def register_arrow(self, name: str, data: pa.Table) -> None:
        """Expose an Arrow table as a view."""

    def sql(self, query: str) -> pa.Table:
        """Run a query (DuckDB dialect) and return the result as Arrow."""

    def execute(self, statement: str) -> None:
        """Run a statement (e.g. CREATE TEMP VIEW ... AS ...) without fetching a result."""

    def close(self) -> None: ...


EngineFactory = Callable[["Workspace"], Engine]
ENGINES: dict[str, EngineFactory] = {}


def register_engine(name: str) -> Callable[[EngineFactory], EngineFactory]:
    def deco(factory: EngineFactory) -> EngineFactory:
        ENGINES[name] = factory
        return factory

    return deco


def get_engine(name: str, workspace: Workspace) -> Engine:
    """Open the engine called ``name`` over the workspace's lake."""
    # import the built-in engines so that they register
    import gridwatch.engine.duckdb_engine

    if name == "spark":
        import gridwatch.engine.spark_engine  # noqa: F401
    try:
        factory = ENGINES[name]
    except KeyError:
        raise ValueError(f"unknown engine {name!r}; known: {', '.join(sorted(ENGINES))}") from None
    return factory(workspace)
