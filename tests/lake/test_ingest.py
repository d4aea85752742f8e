"""Ingest: every validation rule, encodings and formats, de-duplication, idempotency."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gridwatch.config import LakeSettings
from gridwatch.lake.contracts import CONTRACTS
from gridwatch.lake.ingest import ingest_files, quarantine_sql
from gridwatch.lake.layout import read_sql

CUSTOMERS = """户号,户名,用电类别,用电地址,合同容量,状态
A001,张三,居民,广州市白云区均禾街道1号,8,正常
A002,李四,residential,白云区2号,,active
A003,某厂,大工业,广州市番禺区,500,
"""


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def rows(lake: Path, table: str, order: str = "1") -> list[tuple]:
    """The table's input columns (the derived ``account_key`` is checked by test_account_key.py)."""
    cols = ", ".join(CONTRACTS[table].column_names)
    return duckdb.connect().sql(f"SELECT {cols} FROM ({read_sql(lake, table)}) ORDER BY {order}").fetchall()


def quarantine(lake: Path) -> list[tuple]:
    return (
        duckdb.connect()
        .sql(
            f'SELECT "table", row, field, reason FROM ({quarantine_sql(lake)}) ORDER BY "table", row, reason'
        )
        .fetchall()
    )


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    lake = tmp_path / "lake"
    (r,) = ingest_files(lake, "customers", [write(tmp_path / "c.csv", CUSTOMERS)], LakeSettings())
    assert r.accepted == 3 and r.quarantined == 0
    return lake


def test_customers_chinese_headers_and_labels_are_standardised(lake: Path) -> None:
    got = (
        duckdb.connect()
        .sql(
            f"SELECT account_no, tariff, status, capacity_kva FROM ({read_sql(lake, 'customers')}) ORDER BY 1"
        )
        .fetchall()
    )
    assert got == [
        ("A001", "residential", "active", 8.0),
        ("A002", "residential", "active", None),
        ("A003", "industrial", None, 500.0),
    ]


@pytest.mark.parametrize(
    ("line", "field", "reason"),
    [
        ("A001,2026-10-01,-3", "kwh", "negative kWh"),
        ("A001,2026-10-01,500", "kwh", "absurd kWh"),  # 8 kVA × 24 h × 1.5 = 288
        ("A002,2026-10-01,60000", "kwh", "(no capacity known)"),
        ("A001,2099-01-01,1", "date", "in the future"),
        ("A001,1980-01-01,1", "date", "before 1990"),
        ("A009,2026-10-01,1", "account_no", "unknown account 'A009'"),
        ("A001,2026-10-01,abc", "kwh", "kwh is not a valid float: 'abc'"),
        ("A001,not-a-date,1", "date", "date is not a valid date"),
        (",2026-10-01,1", "account_no", "missing account_no"),
        ("A001,2026-10-01,", "kwh", "missing kwh"),
    ],
    ids=[
        "negative",
        "over-capacity",
        "over-ceiling",
        "future",
        "ancient",
        "unknown-account",
        "bad-number",
        "bad-date",
        "missing-account",
        "missing-kwh",
    ],
)
def test_daily_rule(lake: Path, tmp_path: Path, line: str, field: str, reason: str) -> None:
    f = write(tmp_path / "d.csv", f"account_no,date,kwh\nA001,2026-09-30,5\n{line}\n")
    (r,) = ingest_files(lake, "readings_daily", [f], LakeSettings())
    assert (r.rows_read, r.accepted, r.quarantined) == (2, 1, 1)
    ((table, row, got_field, got_reason),) = quarantine(lake)
    assert (table, row, got_field) == ("readings_daily", 2, field)
    assert reason in got_reason


def test_date_formats_and_thousands_separators(lake: Path, tmp_path: Path) -> None:
    f = write(tmp_path / "d.csv", 'account_no,date,kwh\nA003,2026/10/01,"1,234.5"\nA003,20261002,7\n')
    (r,) = ingest_files(lake, "readings_daily", [f], LakeSettings())
    assert r.accepted == 2
    assert [x[1:] for x in rows(lake, "readings_daily", "date")] == [
        (pytest.importorskip("datetime").date(2026, 10, 1), 1234.5),
        (pytest.importorskip("datetime").date(2026, 10, 2), 7.0),
    ]


def test_duplicates_identical_kept_once_conflicting_quarantined(lake: Path, tmp_path: Path) -> None:
    f = write(
        tmp_path / "d.csv",
        "account_no,date,kwh\nA001,2026-10-01,5\nA001,2026-10-01,5\nA002,2026-10-01,4\nA002,2026-10-01,5\n",
    )
    (r,) = ingest_files(lake, "readings_daily", [f], LakeSettings())
    assert (r.accepted, r.duplicates_in_file, r.quarantined) == (1, 1, 2)
    assert [(q[1], q[2]) for q in quarantine(lake)] == [(3, "date"), (4, "date")]
    assert "conflicting duplicates" in quarantine(lake)[0][3]


def test_reingest_adds_nothing_and_conflicts_with_lake_are_quarantined(lake: Path, tmp_path: Path) -> None:
    f = write(tmp_path / "d.csv", "account_no,date,kwh\nA001,2026-10-01,5\nA001,2026-10-02,6\n")
    ingest_files(lake, "readings_daily", [f], LakeSettings())
    (again,) = ingest_files(lake, "readings_daily", [f], LakeSettings())
    assert (again.accepted, again.already_in_lake) == (0, 2)
    g = write(tmp_path / "e.csv", "account_no,date,kwh\nA001,2026-10-02,9\nA001,2026-10-03,1\n")
    (r,) = ingest_files(lake, "readings_daily", [g], LakeSettings())
    assert (r.accepted, r.quarantined) == (1, 1)
    assert len(rows(lake, "readings_daily")) == 3
    assert any("already in the lake" in q[3] for q in quarantine(lake))


def test_dimension_update_latest_wins(lake: Path, tmp_path: Path) -> None:
    f = write(tmp_path / "c2.csv", "account_no,tariff,status\nA002,commercial,closed\n")
    (r,) = ingest_files(lake, "customers", [f], LakeSettings())
    assert (r.accepted, r.updated) == (1, 1)
    got = dict(
        (a, (t, s))
        for a, _, t, *_, s, _lon, _lat, _td in [
            (x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8], x[9], x[10])
            for x in rows(lake, "customers")
        ]
    )
    assert got["A002"] == ("commercial", "closed")
    assert len(rows(lake, "customers")) == 3


def test_gbk_csv(lake: Path, tmp_path: Path) -> None:
    f = write(tmp_path / "gbk.csv", "户号,日期,电量\nA001,2026-10-01,5\nA003,2026-10-01,50\n", "gbk")
    (r,) = ingest_files(lake, "readings_daily", [f], LakeSettings())
    assert r.encoding == "gb18030" and r.accepted == 2


def test_gbk_customers_with_chinese_values(tmp_path: Path) -> None:
    f = write(tmp_path / "c.csv", CUSTOMERS, "gbk")
    (r,) = ingest_files(tmp_path / "lake", "customers", [f], LakeSettings())
    assert r.accepted == 3
    names = {x[1] for x in rows(tmp_path / "lake", "customers")}
    assert names == {"张三", "李四", "某厂"}


def test_excel_and_parquet(lake: Path, tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["户号", "日期", "电量"])
    ws.append(["A001", "2026-10-01", 5])
    ws.append(["A001", "2026-10-02", -1])
    wb.save(tmp_path / "d.xlsx")
    (r,) = ingest_files(lake, "readings_daily", [tmp_path / "d.xlsx"], LakeSettings())
    assert (r.accepted, r.quarantined) == (1, 1)
    pq.write_table(
        pa.table(
            {"account_no": ["A003"], "date": pa.array([pa.scalar(20000, pa.date32()).as_py()]), "kwh": [3.5]}
        ),
        tmp_path / "d.parquet",
    )
    (r2,) = ingest_files(lake, "readings_daily", [tmp_path / "d.parquet"], LakeSettings())
    assert r2.accepted == 1


def test_interval_inferred_and_aligned(lake: Path, tmp_path: Path) -> None:
    body = "\n".join(f"A001,2026-10-01 {h:02d}:{m:02d}:00,0.2" for h in range(2) for m in (0, 15, 30, 45))
    f = write(
        tmp_path / "i.csv",
        "account_no,ts,kwh\n" + body + "\nA001,2026-10-01 03:07:00,0.1\nA003,2026-10-01T00:00:00+00:00,1\n",
    )
    (r,) = ingest_files(lake, "readings_interval", [f], LakeSettings())
    assert r.quarantined == 1 and r.accepted == 9
    got = duckdb.connect().sql(f"SELECT account_no, min(interval_min), max(interval_min) FROM "
                               f"({read_sql(lake, 'readings_interval')}) GROUP BY 1 ORDER BY 1").fetchall()
    assert got == [("A001", 15, 15), ("A003", 60, 60)]  # a lone reading on the hour reads as hourly
    # an explicit UTC offset is converted to local time (UTC+8)
    ts = (
        duckdb.connect()
        .sql(f"SELECT ts FROM ({read_sql(lake, 'readings_interval')}) WHERE account_no='A003'")
        .fetchall()
    )
    assert str(ts[0][0]) == "2026-10-01 08:00:00"
    assert "not the start of a 15-minute interval" in quarantine(lake)[0][3]


def test_partitioned_by_month(lake: Path, tmp_path: Path) -> None:
    f = write(tmp_path / "d.csv", "account_no,date,kwh\nA001,2026-09-30,1\nA001,2026-10-01,1\n")
    ingest_files(lake, "readings_daily", [f], LakeSettings())
    months = sorted(p.name for p in (lake / "readings_daily").iterdir())
    assert months == ["month=2026-09", "month=2026-10"]


def test_unreadable_files_are_reported_not_raised(lake: Path, tmp_path: Path) -> None:
    missing_col = write(tmp_path / "bad.csv", "account_no,kwh\nA001,1\n")
    (r1, r2, r3) = ingest_files(
        lake,
        "readings_daily",
        [missing_col, tmp_path / "nope.csv", write(tmp_path / "x.doc", "x")],
        LakeSettings(),
    )
    assert "required column(s) date" in (r1.error or "") and "bad.csv" in (r1.error or "")
    assert "no such file" in (r2.error or "")
    assert "unsupported file type" in (r3.error or "")


def test_binary_garbage_is_an_error_with_the_file_name(lake: Path, tmp_path: Path) -> None:
    f = tmp_path / "garbage.csv"
    f.write_bytes(bytes(range(256)) * 10)
    (r,) = ingest_files(lake, "readings_daily", [f], LakeSettings())
    assert r.error and "garbage.csv" in r.error


def test_other_tables(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    p = write(
        tmp_path / "p.csv",
        "permit_no,holder,uscc,valid_from,valid_to\nP1,甲公司,91440101MA5CXXXX1Y,2024-01-01,2029-01-01\n"
        "P2,乙公司,123,2024-01-01,2029-01-01\nP3,丙公司,,2025-01-01,2024-01-01\n",
    )
    (r,) = ingest_files(lake, "permits", [p], LakeSettings())
    assert (r.accepted, r.quarantined) == (1, 2)
    w = write(tmp_path / "w.csv", "date,tmean_c,precip_mm\n2026-10-01,24.5,3\n2026-10-02,99,0\n")
    (r,) = ingest_files(lake, "weather", [w], LakeSettings())
    assert (r.accepted, r.quarantined) == (1, 1)
    lb = write(
        tmp_path / "l.csv",
        "account_no,verified_on,outcome,is_workshop\nA1,2026-10-01,confirmed,是\nA2,2026-10-01,maybe,false\n",
    )
    (r,) = ingest_files(lake, "labels", [lb], LakeSettings())
    assert (r.accepted, r.quarantined) == (1, 1)


@pytest.mark.parametrize(
    ("table", "text", "field", "reason"),
    [
        ("water", "water_account,month_start,m3\nW1,2026-09-01,-2\n", "m3", "negative water volume"),
        ("water", "water_account,month_start,m3\nW1,2099-09-01,2\n", "month_start", "in the future"),
        ("registry", "uscc,name\nABC,甲公司\n", "uscc", "not a valid 18-character USCC"),
        ("addresses", "address_id,full_text,lon,lat\nD1,广州市某路1号,200,23\n", "lon", "longitude outside China"),
        ("closures", "account_no,closed_on\nA1,2099-01-01\n", "closed_on", "in the future"),
        ("customers", "account_no,tariff,status\nA1,residential,gone\n", "status", "unknown status"),
        ("customers", "account_no,tariff,lat\nA1,residential,80\n", "lat", "latitude outside China"),
        ("readings_interval", "account_no,ts,kwh,interval_min\nA1,2026-10-01 00:00:00,1,20\n", "interval_min",
         "interval must be 15, 30 or 60"),
    ],
    ids=["water-negative", "water-future", "registry-uscc", "address-lon", "closure-future", "status", "lat",
         "interval-length"],
)
def test_table_rule(tmp_path: Path, table: str, text: str, field: str, reason: str) -> None:
    lake = tmp_path / "lake"
    ingest_files(lake, "customers", [write(tmp_path / "c.csv", "account_no,tariff\nA1,residential\n")], LakeSettings())
    (r,) = ingest_files(lake, table, [write(tmp_path / "x.csv", text)], LakeSettings())
    assert r.quarantined == 1, r
    got = [q for q in quarantine(lake) if q[0] == table]
    assert got[0][2] == field and reason in got[0][3]


def test_water_month_is_normalised_to_first_day(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    f = write(tmp_path / "w.csv", "用水户号,月份,用水量,地址\nW1,2026-09-15,12.5,广州市\n")
    (r,) = ingest_files(lake, "water", [f], LakeSettings())
    assert r.accepted == 1
    assert str(rows(lake, "water")[0][1]) == "2026-09-01"


def test_cli_exit_codes(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from gridwatch.cli.app import app

    home = str(tmp_path / "home")
    runner = CliRunner()
    empty = write(tmp_path / "closures.csv", "account_no,closed_on\n")
    assert runner.invoke(app, ["--home", home, "ingest", "closures", str(empty)]).exit_code == 0
    bad = write(tmp_path / "bad.csv", "nothing,useful\n1,2\n")
    r = runner.invoke(app, ["--home", home, "ingest", "closures", str(bad)])
    assert r.exit_code == 1 and "required column(s) account_no" in r.output
    mixed = runner.invoke(app, ["--home", home, "ingest", "customers", str(bad),
                                str(write(tmp_path / "c.csv", "account_no,tariff\nA1,居民\nA2,?\n"))])
    assert mixed.exit_code == 0 and "quarantined" in mixed.output
