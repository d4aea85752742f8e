"""Store backends for tests: SQLite files and fresh PostgreSQL schemas (dropped at session end)."""

from __future__ import annotations

import os
import uuid

import pytest

PG_BASE = os.environ.get("GRIDWATCH_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pg_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", connect_timeout=3):
            return True
    except Exception:
        return False


class PgSchemas:
    """Creates one schema per test (``gwt_<hex>``) and drops them all when the session ends."""

    def __init__(self) -> None:
        self.created: list[str] = []

    def new_url(self) -> str:
        import psycopg

        name = "gwt_" + uuid.uuid4().hex[:12]
        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True) as c:
            c.execute(f'CREATE SCHEMA "{name}"')
        self.created.append(name)
        return f"{PG_BASE}?options=-csearch_path%3D{name}"

    def drop_all(self) -> None:
        if not self.created:
            return
        import psycopg

        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True) as c:
            for name in self.created:
                c.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def require_pg() -> None:
    if not pg_reachable():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL at 127.0.0.1:5432 is unreachable and CI is set")
        pytest.skip("PostgreSQL at 127.0.0.1:5432 is unreachable")
