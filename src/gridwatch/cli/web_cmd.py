"""``gridwatch serve``: the web app (pages + REST API)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from gridwatch.cli.app import workspace
from gridwatch.workspace import HOME_ENV


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        ctx: typer.Context,
        host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to bind.")] = 8000,
        workers: Annotated[int, typer.Option(help="Worker processes (each opens the store itself).")] = 1,
        keep_alive: Annotated[
            int, typer.Option(help="Seconds an idle keep-alive connection stays open (uvicorn default 5).")
        ] = 5,
    ) -> None:
        """Serve the web app (Chinese by default, English switch) and the REST API (/openapi.json)."""
        import uvicorn

        from gridwatch.web.app import create_app
        from gridwatch.web.security import InsecureConfig

        ws = workspace(ctx)
        try:
            application = create_app(ws)
        except InsecureConfig as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        typer.echo(f"gridwatch web on http://{host}:{port}/  (API docs: /docs, schema: /openapi.json)")
        if workers > 1:
            os.environ[HOME_ENV] = str(ws.home)
            uvicorn.run(
                "gridwatch.web.app:app_from_env",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                log_level="warning",
                timeout_keep_alive=keep_alive,
            )
        else:
            uvicorn.run(application, host=host, port=port, log_level="warning", timeout_keep_alive=keep_alive)
