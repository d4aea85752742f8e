"""``gridwatch ingest``: validate input files into the Parquet lake (see gridwatch.lake.ingest)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:  # filled in by the ingest work
    pass
