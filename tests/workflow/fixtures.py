from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from gridwatch.config import Settings
from gridwatch.workflow.platform import Platform
from gridwatch.workspace import Workspace
from tests.workflow.dbs import PgSchemas, require_pg

FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=256, parallelism=1)

DISTRICT = "440106"  # 天河区
TOWN = "440106001"
COMMUNITY = "440106001001"
OTHER_TOWN = "440106002"


def make_url(kind: str, tmp_path, pg_schemas) -> str:
    if kind == "postgres":
        require_pg()
        return pg_schemas.new_url()
    return f"sqlite:///{tmp_path / 'gw.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_kind(request) -> str:
    return request.param


@pytest.fixture
def platform(db_kind, tmp_path, pg_schemas):
    ws = Workspace(home=tmp_path / "home", settings=Settings())
    ws.home.mkdir()
    url = make_url(db_kind, tmp_path, pg_schemas)
    p = Platform.open(ws, url=url, hasher=FAST_HASHER)
    p.accounts.sync_jurisdictions("4401")
    yield p
    p.close()


@pytest.fixture(scope="session")
def pg_schemas():
    schemas = PgSchemas()
    yield schemas
    schemas.drop_all()
