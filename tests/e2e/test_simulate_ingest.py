"""End to end: simulate a small city, load it into the lake, and check that nothing went missing."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from gridwatch.cli.app import app
from gridwatch.lake.ingest import quarantine_sql
from gridwatch.lake.layout import read_sql


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("city")
    out, home = root / "input", root / "home"
    runner = CliRunner()
    r = runner.invoke(app, ["--home", str(home), "simulate", "--customers", "400", "--days", "60",
                            "--interval", "15", "--interval-days", "7", "--seed", "7", "--out", str(out)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["--home", str(home), "lake", "load", str(out)])
    assert r.exit_code == 0, r.output
    return out, home


def _count(sql: str) -> int:
    return duckdb.connect().sql(f"SELECT count(*) FROM ({sql})").fetchall()[0][0]


def test_every_simulated_row_is_in_the_lake(city: tuple[Path, Path]) -> None:
    out, home = city
    lake = home / "lake"
    assert _count(quarantine_sql(lake)) == 0, duckdb.connect().sql(
        f"SELECT * FROM ({quarantine_sql(lake)}) LIMIT 5").fetchall()
    con = duckdb.connect()
    for table in ("customers", "readings_daily", "readings_interval", "addresses", "permits", "registry", "weather"):
        files = sorted(out.glob(f"{table}.*"))
        assert files, f"simulator wrote no {table} file"
        src = files[0]
        reader = "read_parquet" if src.suffix == ".parquet" else "read_csv"
        opts = "" if src.suffix == ".parquet" else ", all_varchar = true"
        n_file = con.sql(f"SELECT count(*) FROM {reader}('{src}'{opts})").fetchall()[0][0]
        assert _count(read_sql(lake, table)) == n_file, table


def test_truth_is_kept_apart_and_covers_every_customer(city: tuple[Path, Path]) -> None:
    out, home = city
    truth = sorted((out / "truth").glob("customers.*"))[0]
    con = duckdb.connect()
    reader = "read_parquet" if truth.suffix == ".parquet" else "read_csv"
    missing = con.sql(
        f"SELECT count(*) FROM ({read_sql(home / 'lake', 'customers')}) c "
        f"ANTI JOIN {reader}('{truth}') t ON CAST(t.account_no AS VARCHAR) = c.account_no").fetchall()[0][0]
    assert missing == 0
    assert not (home / "lake" / "truth").exists()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest
