"""``gridwatch simulate``: write a simulated city in the input contracts (see gridwatch.sim)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:  # filled in by the simulator
    pass
