"""``gridwatch config``: show and document the workspace settings."""

from __future__ import annotations

import typer
import yaml

from gridwatch.cli.app import workspace


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Show or document the workspace settings (gridwatch.yaml).", no_args_is_help=True)

    @group.command("show")
    def show(ctx: typer.Context) -> None:
        """Print the effective settings of the workspace as YAML."""
        ws = workspace(ctx)
        typer.echo(f"# {ws.config_path}")
        typer.echo(yaml.safe_dump(ws.settings.model_dump(mode="json"), allow_unicode=True, sort_keys=False))

    @group.command("docs")
    def docs() -> None:
        """Print the reference of every setting (Markdown), as kept in docs/CONFIG.md."""
        from gridwatch.config_docs import render

        typer.echo(render(), nl=False)

    app.add_typer(group, name="config")
