"""``gridwatch ingest`` and ``gridwatch lake``: validate input files into the Parquet lake, inspect it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gridwatch.cli.app import workspace
from gridwatch.lake.contracts import CONTRACTS

TABLE_HELP = "Table: " + ", ".join(CONTRACTS) + " ('readings' picks daily or interval from the columns)."


def _resolve_table(table: str, files: list[Path]) -> str:
    """``readings`` means readings_daily or readings_interval, decided by the first file's header."""
    if table != "readings":
        return table
    from gridwatch.lake.contracts import READINGS_INTERVAL
    from gridwatch.lake.readers import InputError, open_source

    for f in files:
        try:
            open_source(f, READINGS_INTERVAL, 1000)
            return "readings_interval"
        except InputError:
            continue
    return "readings_daily"


def register(app: typer.Typer) -> None:
    @app.command("ingest")
    def ingest(
        ctx: typer.Context,
        table: Annotated[str, typer.Argument(help=TABLE_HELP)],
        files: Annotated[list[Path], typer.Argument(help="CSV (UTF-8 or GBK), .xlsx or .parquet files.")],
    ) -> None:
        """Validate FILES into the lake table TABLE; rejected rows go to the quarantine with their reason.

        Idempotent: rows already in the lake are not added again. Exits non-zero only when nothing could
        be read.
        """
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
        from rich.table import Table

        from gridwatch.lake.ingest import ingest_files

        ws = workspace(ctx)
        name = _resolve_table(table, files)
        if name not in CONTRACTS:
            typer.echo(f"error: unknown table {table!r}. {TABLE_HELP}", err=True)
            raise typer.Exit(2)
        console = Console(stderr=True)
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed:,} rows"),
                      TimeElapsedColumn(), console=console, transient=True) as bar:
            task = bar.add_task(f"ingest {name}", total=None)
            reports = ingest_files(ws.lake_dir, name, files, ws.settings.lake, ws.settings.timezone,
                                   progress=lambda n: bar.advance(task, n))
        out = Table(title=f"ingest {name}")
        for col in ("file", "read", "accepted", "updated", "dup in file", "already in lake", "quarantined",
                    "rows/s"):
            out.add_column(col, justify="left" if col == "file" else "right")
        for r in reports:
            out.add_row(Path(r.file).name, f"{r.rows_read:,}", f"{r.accepted:,}", f"{r.updated:,}",
                        f"{r.duplicates_in_file:,}", f"{r.already_in_lake:,}", f"{r.quarantined:,}",
                        f"{r.rows_per_second:,.0f}")
        Console().print(out)
        for r in reports:
            if r.error:
                typer.echo(f"error: {r.error}", err=True)
            if r.quarantined:
                by = ", ".join(f"{k}: {v:,}" for k, v in r.reasons.most_common())
                typer.echo(f"{Path(r.file).name}: quarantined rows by field: {by} "
                           f"(see `gridwatch lake quarantine`)")
            if r.ignored_columns:
                typer.echo(f"{Path(r.file).name}: columns not in the contract, ignored: {', '.join(r.ignored_columns)}")
        if all(r.error for r in reports):  # nothing could be read (an empty file was read: 0 rows)
            raise typer.Exit(1)

    lake = typer.Typer(help="Inspect the lake: tables, row counts, quarantine.", no_args_is_help=True)

    @lake.command("load")
    def load(
        ctx: typer.Context,
        directory: Annotated[Path, typer.Argument(help="Directory of input files named after their tables.")],
    ) -> None:
        """Ingest every input file of DIRECTORY, table by table in dependency order.

        Files are recognised by name: customers.csv, readings_daily.parquet, readings_interval-2026-10.csv,
        permits/*.xlsx ... (see docs/CONTRACTS.md for the tables).
        """
        from gridwatch.lake.layout import LOAD_ORDER, input_files

        if not directory.is_dir():
            typer.echo(f"error: {directory}: not a directory", err=True)
            raise typer.Exit(2)
        any_read = False
        for table in LOAD_ORDER:
            files = input_files(directory, table)
            if not files:
                continue
            try:
                ingest(ctx, table, files)
                any_read = True
            except typer.Exit as exc:
                if exc.exit_code not in (0, None):
                    typer.echo(f"{table}: nothing could be read", err=True)
        if not any_read:
            typer.echo(f"error: no readable input files in {directory}", err=True)
            raise typer.Exit(1)

    @lake.command("status")
    def status(ctx: typer.Context) -> None:
        """Row count of every lake table and of the quarantine."""
        import duckdb

        from gridwatch.lake.ingest import quarantine_sql
        from gridwatch.lake.layout import read_sql

        ws = workspace(ctx)
        con = duckdb.connect()
        for name in CONTRACTS:
            n = con.sql(f"SELECT count(*) FROM ({read_sql(ws.lake_dir, name)})").fetchall()[0][0]
            typer.echo(f"{name:20s} {n:>14,}")
        q = con.sql(f"SELECT count(*) FROM ({quarantine_sql(ws.lake_dir)})").fetchall()[0][0]
        typer.echo(f"{'quarantine':20s} {q:>14,}")

    @lake.command("quarantine")
    def quarantine(
        ctx: typer.Context,
        table: Annotated[str | None, typer.Option(help="Only rows rejected from this table.")] = None,
        limit: Annotated[int, typer.Option(help="Rows to show (0 = all).")] = 50,
        out: Annotated[Path | None, typer.Option(help="Write all matching rows to this CSV file.")] = None,
    ) -> None:
        """Show rejected rows: table, file, row, field, reason and the raw values."""
        import duckdb

        from gridwatch.lake.ingest import quarantine_sql

        ws = workspace(ctx)
        where = f"WHERE \"table\" = '{table}'" if table else ""
        sql = f"SELECT * FROM ({quarantine_sql(ws.lake_dir)}) {where} ORDER BY \"table\", file, row"
        con = duckdb.connect()
        if out:
            con.execute(f"COPY ({sql}) TO '{out}' (HEADER, DELIMITER ',')")
            typer.echo(f"wrote {out}")
            return
        rows = con.sql(sql + (f" LIMIT {limit}" if limit else "")).fetchall()
        for t, f, row, field, reason, raw, _ in rows:
            typer.echo(f"{t}\t{Path(f).name}:{row}\t{field}\t{reason}\t{raw}")

    @lake.command("compact")
    def compact_cmd(
        ctx: typer.Context,
        table: Annotated[list[str] | None, typer.Option("--table", help="Only this table (repeatable).")] = None,
    ) -> None:
        """Merge each partition's small Parquet parts into one part sorted by key; no row changes.

        Sorted by account, each screening bucket then reads only its own row groups.

        Maintenance: waits for running ingests, and should run while no screening reads the lake.
        """
        from rich.console import Console
        from rich.table import Table

        from gridwatch.lake.compact import compact

        ws = workspace(ctx)
        try:
            reports = compact(ws.lake_dir, table or None, ws.settings.lake.row_group_rows)
        except ValueError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        out = Table(title="lake compact")
        for col in ("table", "partitions rewritten", "parts before", "parts after", "rows rewritten"):
            out.add_column(col, justify="left" if col == "table" else "right")
        for r in reports:
            out.add_row(r.table, f"{r.partitions:,}", f"{r.parts_before:,}", f"{r.parts_after:,}", f"{r.rows:,}")
        Console().print(out)

    @lake.command("contracts")
    def contracts() -> None:
        """Print the data-contract reference (Markdown), as kept in docs/CONTRACTS.md."""
        from gridwatch.lake.contracts_docs import render

        typer.echo(render(), nl=False)

    app.add_typer(lake, name="lake")
