"""The customer's daily consumption curve (an aggregate, shown to every role that may see the order)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from gridwatch.lake.account_key import ACCOUNT_KEY, account_key
from gridwatch.lake.layout import has_data, read_sql, stored_derived


def daily_kwh(lake_dir: Path, account_no: str, days: int = 180) -> list[tuple[str, float]]:
    """Last ``days`` days of daily kWh for one account; falls back to summing interval readings."""
    con = duckdb.connect()
    if has_data(lake_dir, "readings_daily"):
        table, day = "readings_daily", "date"
    elif has_data(lake_dir, "readings_interval"):
        table, day = "readings_interval", "CAST(ts AS DATE)"
    else:
        return []
    # parts are sorted by account_key where they hold it: filtering on it lets the reader skip row groups
    keyed = ACCOUNT_KEY in stored_derived(lake_dir, table)
    where, params = ("account_key = ? AND account_no = ?", [account_key(account_no), account_no]) if keyed \
        else ("account_no = ?", [account_no])
    sql = (f"WITH r AS ({read_sql(lake_dir, table)}) SELECT {day} AS date, sum(kwh) FROM r "
           f"WHERE {where} GROUP BY 1 ORDER BY 1 DESC LIMIT ?")
    rows = con.execute(sql, [*params, days]).fetchall()
    return [(d.isoformat(), round(float(k), 3)) for d, k in reversed(rows)]
