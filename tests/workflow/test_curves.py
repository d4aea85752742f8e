"""The customer's daily curve reads the same rows whether or not the lake parts carry account_key."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from gridwatch.config import LakeSettings
from gridwatch.lake.ingest import ingest_files
from gridwatch.lake.layout import table_dir
from gridwatch.workflow.curves import daily_kwh


def _lake(tmp_path: Path) -> Path:
    lake = tmp_path / "lake"
    c = tmp_path / "customers.csv"
    c.write_text("account_no,name,tariff\nA1,x,residential\nA2,y,residential\n", encoding="utf-8")
    d = tmp_path / "readings_daily.csv"
    d.write_text("account_no,date,kwh\n" + "".join(
        f"{a},2026-10-{day:02d},{k}\n" for a, k in (("A1", 3.0), ("A2", 7.0)) for day in range(1, 6)),
        encoding="utf-8")
    ingest_files(lake, "customers", [c], LakeSettings())
    ingest_files(lake, "readings_daily", [d], LakeSettings())
    return lake


def test_curve_with_and_without_the_account_key(tmp_path: Path) -> None:
    lake = _lake(tmp_path)
    keyed = daily_kwh(lake, "A2", days=3)
    assert keyed == [("2026-10-03", 7.0), ("2026-10-04", 7.0), ("2026-10-05", 7.0)]
    assert daily_kwh(lake, "nobody") == []
    for part in table_dir(lake, "readings_daily").rglob("*.parquet"):  # a lake written before the key
        t = pq.read_table(part)
        pq.write_table(t.drop_columns(["account_key"]), part)
    assert daily_kwh(lake, "A2", days=3) == keyed
