"""The workspace: one directory holding the lake, the database and the config of one deployment.

Layout (all paths relative to the home directory)::

    gridwatch.yaml          optional settings (see gridwatch.config.Settings)
    lake/<table>/...        validated Parquet (see gridwatch.lake.layout)
    lake/_quarantine/...    rejected rows with file, row, field and reason
    gridwatch.db            SQLite operational store (default; PostgreSQL in production)
    results/                screening runs, reports, exports
    results/rules/active.yaml   the activated health-code rule file (written by the web app / CLI)
    uploads/                photos attached to work orders
    spill/                  engine scratch space (DuckDB spills joins and aggregates here)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from gridwatch.config import Settings, load_settings

DEFAULT_HOME = "gridwatch-home"
HOME_ENV = "GRIDWATCH_HOME"


@dataclass
class Workspace:
    """Paths and settings of one gridwatch home directory."""

    home: Path
    settings: Settings = field(default_factory=Settings)

    @classmethod
    def open(cls, home: str | Path | None = None, *, create: bool = True) -> Workspace:
        """Open the workspace at ``home`` (else ``$GRIDWATCH_HOME``, else ``./gridwatch-home``)."""
        path = Path(home or os.environ.get(HOME_ENV) or DEFAULT_HOME).expanduser().resolve()
        if create:
            path.mkdir(parents=True, exist_ok=True)
        return cls(home=path, settings=load_settings(path / "gridwatch.yaml"))

    @property
    def config_path(self) -> Path:
        return self.home / "gridwatch.yaml"

    @property
    def lake_dir(self) -> Path:
        return self.home / "lake"

    @property
    def results_dir(self) -> Path:
        return self.home / "results"

    @property
    def active_rules_path(self) -> Path:
        """The activated rule file (``gridwatch rules activate`` or the web app writes it)."""
        return self.results_dir / "rules" / "active.yaml"

    @property
    def uploads_dir(self) -> Path:
        return self.home / "uploads"

    @property
    def spill_dir(self) -> Path:
        return self.home / "spill"

    @property
    def database_url(self) -> str:
        """SQLAlchemy URL of the operational store (settings.store.url, else SQLite in the home)."""
        return self.settings.store.url or f"sqlite:///{self.home / 'gridwatch.db'}"
