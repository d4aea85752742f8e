"""Wiring: the services of one workspace (engine, migrated store, accounts, orders)."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from gridwatch.store.db import make_engine, migrate, session_factory
from gridwatch.workflow.accounts import AccountService
from gridwatch.workflow.orders import OrderService
from gridwatch.workspace import Workspace


@dataclass
class Platform:
    workspace: Workspace
    engine: Engine
    sessions: sessionmaker[Session]
    accounts: AccountService
    orders: OrderService

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
        sessions = session_factory(engine)
        ws.uploads_dir.mkdir(parents=True, exist_ok=True)
        return cls(
            workspace=ws,
            engine=engine,
            sessions=sessions,
            accounts=AccountService(sessions, ws.settings.workflow, ws.settings.web, hasher=hasher),
            orders=OrderService(sessions, ws.settings.workflow, ws.uploads_dir),
        )

    def close(self) -> None:
        self.engine.dispose()
