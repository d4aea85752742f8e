"""The customer's daily consumption curve (an aggregate, shown to every role that may see the order)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from gridwatch.lake.layout import has_data, read_sql


def daily_kwh(lake_dir: Path, account_no: str, days: int = 180) -> list[tuple[str, float]]:
    """Last ``days`` days of daily kWh for one account; falls back to summing interval readings."""
    con = duckdb.connect()
    if has_data(lake_dir, "readings_daily"):
        sql = (
            f"WITH r AS ({read_sql(lake_dir, 'readings_daily')}) SELECT date, sum(kwh) FROM r "
            "WHERE account_no = ? GROUP BY date ORDER BY date DESC LIMIT ?"
        )
    elif has_data(lake_dir, "readings_interval"):
        sql = (
            f"WITH r AS ({read_sql(lake_dir, 'readings_interval')}) SELECT CAST(ts AS DATE) AS date, "
            "sum(kwh) FROM r WHERE account_no = ? GROUP BY 1 ORDER BY 1 DESC LIMIT ?"
        )
    else:
        return []
    rows = con.execute(sql, [account_no, days]).fetchall()
    return [(d.isoformat(), round(float(k), 3)) for d, k in reversed(rows)]
