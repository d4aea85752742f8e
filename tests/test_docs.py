"""Executable docs: generated references are current, every command has help."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer.main
from typer.testing import CliRunner

from gridwatch.cli.app import app

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_config_reference_is_current() -> None:
    from gridwatch.config_docs import render

    assert (DOCS / "CONFIG.md").read_text(encoding="utf-8") == render(), (
        "run: gridwatch config docs > docs/CONFIG.md"
    )


def test_contracts_reference_is_current() -> None:
    from gridwatch.lake.contracts_docs import render

    assert (DOCS / "CONTRACTS.md").read_text(encoding="utf-8") == render(), (
        "run: gridwatch lake contracts > docs/CONTRACTS.md"
    )


def _all_commands(cmd: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [path]
    if hasattr(cmd, "commands"):
        for name, sub in cmd.commands.items():
            out += _all_commands(sub, (*path, name))
    return out


def test_every_command_has_help() -> None:
    root = typer.main.get_command(app)
    runner = CliRunner()
    paths = _all_commands(root)
    assert ("ingest",) in paths
    for path in paths:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage" in result.output
        if path:
            cmd = root
            for p in path:
                cmd = cmd.commands[p]  # type: ignore[attr-defined]
            assert (cmd.help or cmd.short_help or "").strip(), f"gridwatch {' '.join(path)} has no help text"
