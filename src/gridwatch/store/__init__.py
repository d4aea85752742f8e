"""The operational store: SQLAlchemy 2 over SQLite (embedded default, WAL) or PostgreSQL (production).

Each capability declares its tables on the shared :data:`gridwatch.store.base.metadata` in its own module
(``gridwatch/<capability>/tables.py``) and ships Alembic migrations under ``store/migrations/versions``;
capabilities branch from the base revision (``0001``), and :func:`migrate` upgrades to all heads.
"""

from gridwatch.store.db import make_engine, migrate, session_factory

__all__ = ["make_engine", "migrate", "session_factory"]
