"""Monitoring commands: ``hj212 parse``, ``devices``, ``gateway``, ``restrictions``, ``alarms``,
``simulate-devices`` (see docs/MONITORING.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

hj212_app = typer.Typer(help="HJ 212-2017 codec tools.", no_args_is_help=True)


@hj212_app.command("parse")
def hj212_parse(
    file: Annotated[Path, typer.Argument(help="One frame per line ('-' = stdin).")],
    column: Annotated[
        str | None, typer.Option(help="Read frames from this column of a tab-separated file with a header.")
    ] = None,
) -> None:
    """Parse frames and print one JSON object per frame: valid, error, qn, st, cn, mn, flag, cp."""
    from gridwatch.monitoring.hj212.cli_io import iter_lines, parse_line

    text = (
        sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8", errors="surrogateescape")
    )
    for line in iter_lines(text, column=column, source=str(file)):
        typer.echo(json.dumps(parse_line(line), ensure_ascii=False))


def register(app: typer.Typer) -> None:
    app.add_typer(hj212_app, name="hj212")
