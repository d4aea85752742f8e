"""``gridwatch demo``: the embedded default end to end — simulate a city, ingest it, run the pipeline, serve.

The demo is a chain of ordinary ``gridwatch`` commands (:data:`DEMO_STEPS`), so it exercises exactly what
a user runs by hand.  A step whose command is not installed is skipped with a note.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from typing import Annotated

import typer

from gridwatch.cli.app import workspace


@dataclass(frozen=True)
class Step:
    title: str
    command: str  # top-level gridwatch command the step needs
    args: tuple[str, ...]  # formatted with {input}, {home}, {customers}, {days}, {seed}, {port}


DEMO_STEPS: list[Step] = [
    Step("address matching", "address", ("address", "match")),
    Step("entity links (customers ↔ permits ↔ registry)", "address", ("address", "link")),
    Step("screening", "screen", ("screen", "--out", "{home}/results/screening.csv")),
    Step("evaluation against the simulated truth", "evaluate", ("evaluate", "--truth", "{input}/truth")),
    Step("sub-metered firms over HJ 212 (embedded gateway)", "simulate-devices",
         ("simulate-devices", "--embedded", "--port", "0", "--firms", "20",
          "--report", "{home}/results/devices-report.json")),
    Step("work orders from suspects and alarms", "orders", ("orders", "intake")),
    Step("demo users", "demo-users", ("demo-users",)),
]
"""Pipeline steps after simulate + ingest; capabilities append theirs."""


def _commands(app: typer.Typer) -> set[str]:
    names = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    names |= {g.name or "" for g in app.registered_groups}
    return names


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        ctx: typer.Context,
        customers: Annotated[int, typer.Option(help="Customers in the simulated city.")] = 5000,
        days: Annotated[int, typer.Option(help="Days of daily readings.")] = 365,
        seed: Annotated[int, typer.Option(help="Random seed of the simulated city.")] = 1,
        serve: Annotated[bool, typer.Option(help="Serve the web app at the end (if installed).")] = True,
        host: Annotated[str, typer.Option(help="Address to serve on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
    ) -> None:
        """Simulate a city, ingest it, run every pipeline step that exists, then serve the UI."""
        ws = workspace(ctx)
        inp = ws.home / "input"
        fmt = {"input": str(inp), "home": str(ws.home), "customers": customers, "days": days, "seed": seed,
               "port": port}
        available = _commands(app)

        def run(title: str, args: list[str]) -> None:
            typer.secho(f"\n== {title}: gridwatch {' '.join(args)}", bold=True)
            code = subprocess.call([sys.executable, "-m", "gridwatch", "--home", str(ws.home), *args])
            if code != 0:
                typer.secho(f"step failed ({title}, exit {code})", fg="red", err=True)
                raise typer.Exit(code)

        if not (inp / "manifest.json").exists():
            run("simulate the city", ["simulate", "--customers", str(customers), "--days", str(days),
                                      "--interval", "15", "--seed", str(seed), "--out", str(inp)])
        run("ingest the city's files", ["lake", "load", str(inp)])
        for step in DEMO_STEPS:
            if step.command not in available:
                typer.echo(f"\n== {step.title}: not installed in this build, skipped")
                continue
            run(step.title, [a.format(**fmt) for a in step.args])
        if serve:
            if "serve" not in available:
                typer.echo("\nThe web app is not installed in this build; the demo ends here.")
                return
            run("serve the web app", ["serve", "--host", host, "--port", str(port)])
