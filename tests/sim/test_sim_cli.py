"""The ``gridwatch simulate`` command, and the simulator's files going through ``gridwatch lake load``."""

from __future__ import annotations

import json

import duckdb
from typer.testing import CliRunner

from gridwatch.cli.app import app
from gridwatch.lake.layout import has_data, read_sql

runner = CliRunner()


def test_simulate_then_load_quarantines_nothing(tmp_path):
    inp, home = tmp_path / "in", tmp_path / "home"
    res = runner.invoke(app, ["simulate", "--customers", "300", "--days", "20", "--interval", "60",
                              "--interval-days", "3", "--seed", "9", "--encoding", "gbk", "--out", str(inp)])
    assert res.exit_code == 0, res.output
    manifest = json.loads((inp / "manifest.json").read_text(encoding="utf-8"))
    res = runner.invoke(app, ["--home", str(home), "lake", "load", str(inp)])
    assert res.exit_code == 0, res.output
    lake = home / "lake"
    assert not has_data(lake, "_quarantine")
    con = duckdb.connect()
    for table in ("customers", "readings_daily", "readings_interval", "water", "permits", "registry",
                  "addresses", "weather", "closures", "labels"):
        rows = manifest["rows"][table]
        if rows == 0:
            continue
        (n,) = con.sql(f"SELECT count(*) FROM ({read_sql(lake, table)})").fetchall()[0]
        assert n == rows, table
    assert "truth" not in {p.name for p in lake.iterdir()}


def test_gbk_files_decode_as_gbk(tmp_path):
    res = runner.invoke(app, ["simulate", "--customers", "200", "--days", "5", "--seed", "2", "--encoding", "gbk",
                              "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    text = (tmp_path / "customers.csv").read_bytes().decode("gbk")
    assert "广州" in text
    try:
        (tmp_path / "customers.csv").read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:  # pragma: no cover - GBK bytes of Chinese text are not valid UTF-8
        raise AssertionError("customers.csv is not GBK-encoded")


def test_parquet_format(tmp_path):
    res = runner.invoke(app, ["simulate", "--customers", "150", "--days", "5", "--seed", "2", "--format",
                              "parquet", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "readings_daily.parquet").exists()
    assert (tmp_path / "truth" / "customers.parquet").exists()
    assert (tmp_path / "submeters.csv").exists()  # always CSV (a roster for the monitoring capability)


def test_future_end_is_refused(tmp_path):
    res = runner.invoke(app, ["simulate", "--customers", "10", "--days", "5", "--end", "2999-01-01",
                              "--out", str(tmp_path)])
    assert res.exit_code == 2
    assert "future" in res.output


def test_bad_interval_is_refused(tmp_path):
    res = runner.invoke(app, ["simulate", "--customers", "10", "--days", "5", "--interval", "7",
                              "--out", str(tmp_path)])
    assert res.exit_code == 2
    assert "interval" in res.output
