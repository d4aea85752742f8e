"""Alembic environment: runs migrations against the URL set by gridwatch.store.db.alembic_config."""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool

from gridwatch.store.base import metadata
from gridwatch.store.db import make_engine
from gridwatch.store.tables import import_all_tables

import_all_tables()
config = context.config


def run() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url
    engine = make_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
