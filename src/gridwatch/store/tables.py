"""Registry of the modules that declare store tables (imported before migrations and create_all)."""

from __future__ import annotations

import importlib

TABLE_MODULES: tuple[str, ...] = (
    "gridwatch.store.outbox",
    "gridwatch.workflow.tables",
    "gridwatch.monitoring.tables",
    "gridwatch.healthcode.tables",
)
"""Modules declaring tables on gridwatch.store.base.metadata, e.g. "gridwatch.workflow.tables"."""


def import_all_tables() -> None:
    for name in TABLE_MODULES:
        importlib.import_module(name)
