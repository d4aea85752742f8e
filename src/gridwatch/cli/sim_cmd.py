"""``gridwatch simulate``: write a simulated city in the input contracts (see gridwatch.sim)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer


def simulate(
    out: Annotated[
        Path, typer.Option("--out", help="Directory to write the files into (created if needed).")
    ],
    customers: Annotated[int, typer.Option("--customers", help="Number of power customers.")] = 2_000,
    days: Annotated[int, typer.Option("--days", help="Days of daily readings ending at --end.")] = 365,
    interval: Annotated[
        int | None, typer.Option("--interval", help="Also write interval readings of M minutes (15, 30, 60).")
    ] = None,
    interval_days: Annotated[
        int, typer.Option("--interval-days", help="Days of interval readings ending at --end.")
    ] = 28,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same files).")] = 42,
    end: Annotated[
        str, typer.Option("--end", help="Last day of readings, YYYY-MM-DD (not in the future).")
    ] = "2026-10-31",
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    encoding: Annotated[str, typer.Option("--encoding", help="CSV encoding: utf-8 or gbk.")] = "utf-8",
    workshop_rate: Annotated[
        float,
        typer.Option("--workshop-rate", help="Share of residential accounts that are hidden workshops."),
    ] = 0.01,
    workers: Annotated[int, typer.Option("--workers", help="Worker processes (0: one per core, max 4).")] = 1,
    chunk_blocks: Annotated[
        int,
        typer.Option("--chunk-blocks", help="Blocks of 1,000 customers written per chunk (memory bound)."),
    ] = 20,
) -> None:
    """Simulate a city (Guangzhou's divisions): customers, readings, water, permits, registry, addresses,
    weather, closures, labels and sub-meters in the lake contracts, plus ground truth in DIR/truth/."""
    from pydantic import ValidationError
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from gridwatch.sim.city import default_workers
    from gridwatch.sim.city import simulate as run
    from gridwatch.sim.params import SimParams

    try:
        params = SimParams(
            customers=customers,
            days=days,
            interval=interval,
            interval_days=interval_days,
            seed=seed,
            end=date.fromisoformat(end),
            format=fmt,
            encoding=encoding,
            workshop_rate=workshop_rate,
            workers=workers or default_workers(),
            chunk_blocks=chunk_blocks,
        )
    except (ValidationError, ValueError) as exc:
        typer.echo(f"error: invalid simulation parameters: {exc}", err=True)
        raise typer.Exit(2) from exc
    with Progress(
        TextColumn("simulating"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("customers"),
        TimeRemainingColumn(),
    ) as bar:
        task = bar.add_task("simulate", total=params.customers)
        manifest = run(params, out, progress=lambda done, total: bar.update(task, completed=done))
    rows = manifest["rows"]
    assert isinstance(rows, dict)
    for name, count in rows.items():
        typer.echo(f"{name:<18} {count:>14,} rows")
    typer.echo(f"wrote {out} (ground truth in {out / 'truth'})")


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate)
