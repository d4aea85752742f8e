"""Strict settings: unknown keys and bad values are errors naming the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from gridwatch.config import ConfigError, Settings, load_settings
from gridwatch.workspace import Workspace


def test_defaults_without_file(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "none.yaml") == Settings()


def test_unknown_key_is_rejected(tmp_path: Path) -> None:
    f = tmp_path / "gridwatch.yaml"
    f.write_text("lake:\n  chunk_row: 5000\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_settings(f)
    assert "lake.chunk_row" in str(exc.value) and str(f) in str(exc.value)


def test_bad_value_is_rejected(tmp_path: Path) -> None:
    f = tmp_path / "gridwatch.yaml"
    f.write_text("engine:\n  name: oracle\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"engine\.name"):
        load_settings(f)


def test_workspace_paths_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIDWATCH_HOME", str(tmp_path / "h"))
    ws = Workspace.open()
    assert ws.home == (tmp_path / "h").resolve() and ws.home.is_dir()
    assert ws.database_url.startswith("sqlite:///") and ws.lake_dir == ws.home / "lake"
