"""``gridwatch rules``: the health-code conditions kept in the store (validate, import, activate, list, show)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gridwatch.cli.app import workspace

rules_app = typer.Typer(
    help="Health-code conditions (健康码判定条件): versions in the store; the active one is used by `screen`.",
    no_args_is_help=True,
)


def _book(ctx: typer.Context):  # type: ignore[no-untyped-def]
    from gridwatch.healthcode.service import RuleBook
    from gridwatch.workflow.actor import system_actor
    from gridwatch.workflow.platform import Platform

    ws = workspace(ctx)
    p = Platform.open(ws)
    p.accounts.sync_jurisdictions(ws.settings.city_code)
    city = ws.settings.city_code
    book = RuleBook(p.sessions, city, p.accounts.jurisdiction_name(city), ws.active_rules_path)
    return p, book, system_actor(city)


def _fail(exc: Exception) -> None:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(2) from None


@rules_app.command("validate")
def validate(ctx: typer.Context, file: Annotated[Path, typer.Argument(help="Rule file (YAML/JSON).")]) -> None:
    """Check a rule file against the format and this workspace's city; errors name each path."""
    from gridwatch.screening.rules import RuleFileError

    p, book, _ = _book(ctx)
    try:
        rules = book.validate(file.read_text(encoding="utf-8"))
    except (OSError, RuleFileError) as exc:
        _fail(exc)
    finally:
        p.close()
    typer.echo(f"{file}: valid, version {rules.version}, {len(rules.models)} models")


@rules_app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Rule file (YAML/JSON).")],
    note: Annotated[str, typer.Option(help="Why this version (kept in the history).")] = "",
    activate: Annotated[bool, typer.Option("--activate", help="Also make it the conditions in force.")] = False,
) -> None:
    """Save a rule file as a new version (as the system user), optionally activating it."""
    from gridwatch.workflow.errors import WorkflowError

    p, book, actor = _book(ctx)
    try:
        vid = book.save(actor, file.read_text(encoding="utf-8"), note)
        if activate:
            book.activate(actor, vid)
    except (OSError, WorkflowError) as exc:
        _fail(exc)
    finally:
        p.close()
    typer.echo(f"saved version #{vid}" + (f", active: {book.active_path}" if activate else " (draft)"))


@rules_app.command("activate")
def activate(ctx: typer.Context, version_id: Annotated[int, typer.Argument(help="Version number (#).")]) -> None:
    """Make a saved version the conditions in force (writes results/rules/active.yaml)."""
    from gridwatch.workflow.errors import WorkflowError

    p, book, actor = _book(ctx)
    try:
        v = book.activate(actor, version_id)
    except WorkflowError as exc:
        _fail(exc)
    finally:
        p.close()
    typer.echo(f"version #{v.id} ({v.version}) is in force")


@rules_app.command("list")
def list_(ctx: typer.Context) -> None:
    """Every saved version, newest first."""
    p, book, actor = _book(ctx)
    try:
        for v in book.versions(actor):
            typer.echo(f"#{v.id}\t{v.status}\t{v.version}\t{v.created_by}\t{v.created_at:%Y-%m-%d %H:%M}\t{v.note}")
    finally:
        p.close()


@rules_app.command("show")
def show(
    ctx: typer.Context,
    version_id: Annotated[int | None, typer.Argument(help="Version number; default: the one in force.")] = None,
) -> None:
    """Print a version's text (default: the conditions in force, or the built-in default)."""
    p, book, actor = _book(ctx)
    try:
        book.sync_file()
        if version_id is None:
            active = book.active()
            text = book.text(active.id) if active else book.default_for_city()
        else:
            text = book.get(actor, version_id)[1]
    finally:
        p.close()
    typer.echo(text, nl=False)


def register(app: typer.Typer) -> None:
    app.add_typer(rules_app, name="rules")
