"""A process killed mid-ingest loses no accepted data; running the command again completes the file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from gridwatch.lake.layout import read_sql

ACCOUNTS = 200
DAYS = 600  # 120,000 rows in chunks of 2,000: about 60 commits


def _run(home: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    return subprocess.Popen(
        [sys.executable, "-m", "gridwatch", "--home", str(home), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_kill_mid_ingest_then_rerun(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "gridwatch.yaml").write_text("lake:\n  chunk_rows: 2000\n", encoding="utf-8")
    con = duckdb.connect()
    cust, daily = tmp_path / "customers.csv", tmp_path / "daily.csv"
    con.execute(
        f"COPY (SELECT 'A' || i AS account_no, 'residential' AS tariff FROM range({ACCOUNTS}) t(i)) "
        f"TO '{cust}' (HEADER)"
    )
    con.execute(
        f"COPY (SELECT 'A' || i AS account_no, DATE '2024-12-31' - INTERVAL (d) DAY AS date, "
        f"(i * 1000 + d) / 100.0 AS kwh FROM range({ACCOUNTS}) a(i), range({DAYS}) b(d) "
        f"ORDER BY i, d) TO '{daily}' (HEADER)"
    )
    assert _run(home, "ingest", "customers", str(cust)).wait(60) == 0

    proc = _run(home, "ingest", "readings", str(daily))
    lake = home / "lake" / "readings_daily"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if lake.exists() and len(list(lake.rglob("*.parquet"))) >= 40:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"

    # what was committed is readable, correct and partial
    sql = read_sql(home / "lake", "readings_daily")
    n_partial, bad = con.sql(
        f"SELECT count(*), count(*) FILTER (WHERE kwh <> (CAST(substr(account_no, 2) AS INT) * 1000 + "
        f"date_diff('day', date, DATE '2024-12-31')) / 100.0) FROM ({sql})"
    ).fetchall()[0]
    assert 0 < n_partial < ACCOUNTS * DAYS
    assert bad == 0

    rerun = _run(home, "ingest", "readings", str(daily))
    _out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err.decode()
    n, distinct = con.sql(
        f"SELECT count(*), count(DISTINCT (account_no, date)) FROM ({read_sql(home / 'lake', 'readings_daily')})"
    ).fetchall()[0]
    assert n == distinct == ACCOUNTS * DAYS
