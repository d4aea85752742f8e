"""Wiring: the services of one workspace (engine, migrated store, accounts, orders)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from gridwatch.store.db import make_engine, migrate, session_factory
from gridwatch.workflow.accounts import AccountService
from gridwatch.workflow.cache import VersionedCache, area_version, store_version
from gridwatch.workflow.credentials import CredentialCache
from gridwatch.workflow.notices import NoticeService
from gridwatch.workflow.orders import OrderService
from gridwatch.workspace import Workspace


def _sqlite_read_cache(dbapi_con, _record) -> None:  # type: ignore[no-untyped-def]
    """Larger page cache and memory-mapped reads: the web app reads far more than it writes."""
    cur = dbapi_con.cursor()
    cur.execute("PRAGMA cache_size=-65536")  # 64 MB per connection
    cur.execute("PRAGMA mmap_size=1073741824")  # up to 1 GB mapped
    cur.close()


@dataclass
class Platform:
    workspace: Workspace
    engine: Engine
    sessions: sessionmaker[Session]
    accounts: AccountService
    orders: OrderService
    notices: NoticeService
    credentials: CredentialCache
    """Per-process cache credential -> actor, checked against the ``accounts`` counter on every request."""
    read_cache: VersionedCache[Any] = field(default_factory=VersionedCache)
    """Per-process cache of aggregates (dashboards, list counts), keyed by the store-wide change counter."""

    def store_version(self) -> int:
        return store_version(self.engine)

    def area_version(self, code: str) -> int:
        return area_version(self.engine, code)

    @classmethod
    def open(
        cls,
        ws: Workspace,
        *,
        url: str | None = None,
        run_migrations: bool = True,
        hasher: PasswordHasher | None = None,
        **engine_kwargs: object,
    ) -> Platform:
        url = url or ws.database_url
        if run_migrations:
            migrate(url)
        engine = make_engine(url, **engine_kwargs)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_read_cache)
        sessions = session_factory(engine)
        ws.uploads_dir.mkdir(parents=True, exist_ok=True)
        cache: VersionedCache[Any] = VersionedCache()
        return cls(
            workspace=ws,
            engine=engine,
            sessions=sessions,
            accounts=AccountService(sessions, ws.settings.workflow, ws.settings.web, hasher=hasher),
            orders=OrderService(sessions, ws.settings.workflow, ws.uploads_dir, counts=cache),
            notices=NoticeService(sessions),
            credentials=CredentialCache(engine),
            read_cache=cache,
        )

    def close(self) -> None:
        self.engine.dispose()
