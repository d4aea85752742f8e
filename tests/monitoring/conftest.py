from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from gridwatch.store.db import make_engine, migrate

_ROOT = Path(__file__).resolve().parents[2]
# ../shared next to the repository (a clone), or two levels up (a git worktree inside a folder)
_CANDIDATES = [_ROOT.parent / "shared" / "data" / "hj212", _ROOT.parent.parent / "shared" / "data" / "hj212"]
SHARED_HJ212 = next((p for p in _CANDIDATES if p.exists()), _CANDIDATES[0])
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def frames_tsv() -> Path:
    path = SHARED_HJ212 / "frames.tsv"
    if not path.exists():
        pytest.skip("shared HJ 212 frames not present")
    return path


def _pg_reachable() -> bool:
    try:
        import psycopg

        psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", connect_timeout=3).close()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    """A fresh schema in database ``test`` for this session, dropped at the end."""
    if not _pg_reachable():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL at 127.0.0.1:5432 is required in CI")
        pytest.skip("PostgreSQL not reachable")
    from sqlalchemy import text

    schema = f"mon_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_ADMIN)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{PG_ADMIN}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> Iterator[str]:
    """A migrated, empty store on SQLite (file in tmp_path) or PostgreSQL (fresh schema, tables emptied)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'gridwatch.db'}"
        migrate(url)
        yield url
        return
    url = request.getfixturevalue("pg_schema_url")
    migrate(url)
    yield url
    from sqlalchemy import text

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "TRUNCATE mon_reading, mon_alarm, mon_channel, mon_point, mon_emergency_plan, "
                "mon_restriction, mon_enterprise, mon_webhook, suspect_outbox RESTART IDENTITY CASCADE"
            )
        )
    engine.dispose()
