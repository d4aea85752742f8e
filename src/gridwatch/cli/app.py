"""The ``gridwatch`` command.

Each capability keeps its commands in its own module under ``gridwatch.cli`` and registers them through
``register(app)``; :data:`COMMAND_MODULES` is the registry.  Modules import heavy libraries inside the
command functions so that ``gridwatch --help`` stays fast.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated

import typer

from gridwatch.workspace import HOME_ENV, Workspace

COMMAND_MODULES: tuple[str, ...] = (
    "gridwatch.cli.lake_cmd",
    "gridwatch.cli.sim_cmd",
    "gridwatch.cli.config_cmd",
    "gridwatch.cli.address_cmd",
    "gridwatch.cli.demo_cmd",
    "gridwatch.cli.workflow_cmd",
    "gridwatch.cli.web_cmd",
    "gridwatch.cli.monitoring_cmd",
    "gridwatch.cli.screen_cmd",
    "gridwatch.cli.rules_cmd",
)

app = typer.Typer(
    name="gridwatch",
    help="gridwatch: find hidden polluting workshops (散乱污) from power data and run the field loop.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            envvar=HOME_ENV,
            help="Workspace directory (lake, database, config). Default: ./gridwatch-home.",
        ),
    ] = None,
) -> None:
    ctx.obj = _LazyWorkspace(home)


class _LazyWorkspace:
    """Opens the workspace only when a command asks for it (``--help`` never touches the disk)."""

    def __init__(self, home: Path | None) -> None:
        self._home = home
        self._ws: Workspace | None = None

    def get(self) -> Workspace:
        if self._ws is None:
            self._ws = Workspace.open(self._home)
        return self._ws


def workspace(ctx: typer.Context) -> Workspace:
    """The workspace named by ``--home`` / ``$GRIDWATCH_HOME`` (used by every command)."""
    root = ctx.find_root()
    obj = root.obj
    if not isinstance(obj, _LazyWorkspace):
        obj = _LazyWorkspace(None)
        root.obj = obj
    return obj.get()


def _register_all() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)


_register_all()


def main() -> None:
    from gridwatch.config import ConfigError

    try:
        app()
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from exc
