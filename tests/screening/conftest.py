"""A small city with hand-made curves whose features are known (see lakes.py for the writer)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from gridwatch.calendar_cn import SPRING_FESTIVAL
from gridwatch.workspace import Workspace

from .lakes import daily_rows, interval_rows, write_table

START = date(2025, 1, 1)
N_DAYS = 365
AS_OF = date(2025, 12, 31)
IV_START = AS_OF - timedelta(days=27)
N_HOUSEHOLDS = 60


def tmean(d: date) -> float:
    """Guangzhou-like seasonal temperature [°C]."""
    return 22.0 + 8.0 * math.sin(2 * math.pi * (d.timetuple().tm_yday - 110) / 365)


def precip(d: date) -> float:
    return 20.0 if d.toordinal() % 9 == 0 else 0.0


def degree(d: date) -> float:
    t = tmean(d)
    return max(t - 24.0, 0.0) + max(16.0 - t, 0.0)


def _sf(d: date) -> bool:
    k = (d - SPRING_FESTIVAL[d.year]).days
    return -7 <= k <= 14


@dataclass
class SmallCity:
    ws: Workspace
    daily: dict[str, list[float | None]]
    interval: dict[str, list[list[float]]]


def write_links(ws: Workspace, links: dict[str, tuple[str | None, str | None]]) -> None:
    """links.parquet as the address module writes it: account → (permit_no, uscc)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from gridwatch.address.links import links_path

    path = links_path(ws)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({
        "account_no": list(links), "permit_no": [v[0] for v in links.values()],
        "uscc": [v[1] for v in links.values()], "score": [0.9] * len(links), "evidence": ["{}"] * len(links),
    }), path)


def build_city(home: Path, with_links: bool = True) -> SmallCity:
    rng = np.random.default_rng(7)
    days = [START + timedelta(days=i) for i in range(N_DAYS)]
    daily: dict[str, list[float | None]] = {}
    tariff: dict[str, str] = {}
    status: dict[str, str] = {}
    name: dict[str, str] = {}
    capacity: dict[str, float] = {}
    for i in range(N_HOUSEHOLDS):
        a = f"H{i:03d}"
        base = 4.0 + 4.0 * rng.random()
        daily[a] = [
            base + 0.9 * degree(d) + (1.0 if d.weekday() >= 5 else 0.0) + 0.3 * rng.standard_normal() for d in days
        ]
        tariff[a] = "residential"
    # hidden workshop on a residential account: weekdays 80 kWh, Sunday and Spring Festival off
    daily["W001"] = [2.0 if (d.weekday() == 6 or _sf(d)) else 80.0 for d in days]
    # night worker: daily energy from the interval curve below
    daily["N001"] = [48.0] * N_DAYS
    # closed account still consuming; D001 a firm deregistered in the business registry
    daily["C001"] = [10.0] * N_DAYS
    status["C001"] = "closed"
    daily["D001"] = [20.0] * N_DAYS
    name["D001"] = "广州某五金商行"
    # resurgence: 50/day, closed 2025-09-01 (0/day), back at 40/day from 2025-11-15
    daily["R001"] = [50.0 if d < date(2025, 9, 1) else (0.0 if d < date(2025, 11, 15) else 40.0) for d in days]
    # sudden surge from 2025-12-04 (the recent window)
    daily["S001"] = [5.0 if d < date(2025, 12, 4) else 65.0 for d in days]
    # gaps and zeros: 100 missing days, 30 zero days
    daily["G001"] = [None if i < 100 else (0.0 if i < 130 else 6.0) for i in range(N_DAYS)]
    for a in ("W001", "N001", "R001", "S001", "G001"):
        tariff[a] = "residential"
    # L001: a firm deregistered under a slightly different name — only the entity links tie it
    daily["L001"] = [25.0] * N_DAYS
    name["L001"] = "广州市某某五金加工厂"
    # E001: a household with an EV charger — 7 kW from 21:00 for 2 h on alternate nights
    daily["E001"] = [6.0 + (14.0 if i % 2 == 0 else 0.0) for i in range(N_DAYS)]
    tariff["C001"] = tariff["D001"] = tariff["L001"] = "commercial"
    tariff["E001"] = "residential"
    # industrial accounts: I001 no permit, I002 permit by account, I003 permit by holder name,
    # I004 permit found only through an entity link (holder name written differently, no account number)
    for a in ("I001", "I002", "I003", "I004"):
        daily[a] = [300.0 if d.weekday() < 6 else 30.0 for d in days]
        tariff[a] = "industrial"
        capacity[a] = 50.0
    name["I003"] = "广州某电镀有限公司"
    name["I004"] = "广州市某塑料制品厂"
    for a in daily:
        capacity.setdefault(a, 8.0)
    accounts = list(daily)
    ws = Workspace.open(home)
    lake = ws.lake_dir
    write_table(lake, "customers", {
        "account_no": accounts,
        "name": [name.get(a, f"户{a}") for a in accounts],
        "tariff": [tariff[a] for a in accounts],
        "capacity_kva": [capacity[a] for a in accounts],
        "status": [status.get(a, "active") for a in accounts],
        "transformer_district": ["T1"] * len(accounts),
    })
    write_table(lake, "readings_daily", daily_rows(daily, START))
    hh = [0.3] * 7 + [0.5] * 11 + [1.2] * 5 + [0.4]  # household: evening peak
    interval: dict[str, list[list[float]]] = {a: [hh for _ in range(28)] for a in accounts if a.startswith("H")}
    interval["N001"] = [[5.0] * 6 + [0.5] * 16 + [5.0] * 2 for _ in range(28)]  # 22–6 h at 5 kWh/h
    interval["W001"] = [[0.2] * 8 + [8.0] * 10 + [0.2] * 6 for _ in range(28)]
    # E001: 7 kWh per hour at 21 and 22 h on even interval days (a 6.75 kW block above the median)
    interval["E001"] = [hh[:21] + ([7.25, 7.25] if d % 2 == 0 else [0.25, 0.25]) + [0.25] for d in range(28)]
    write_table(lake, "readings_interval", interval_rows(interval, IV_START))
    write_table(lake, "weather", {
        "date": days, "district_code": [""] * N_DAYS,
        "tmean_c": [tmean(d) for d in days], "tmax_c": [tmean(d) + 5 for d in days],
        "precip_mm": [precip(d) for d in days],
    })
    write_table(lake, "permits", {
        "permit_no": ["P1", "P2", "P3"], "holder": ["某公司", "广州某电镀有限公司", "某塑料制品厂"],
        "account_no": ["I002", None, None],
        "valid_from": [date(2020, 1, 1)] * 3, "valid_to": [date(2030, 1, 1), None, date(2030, 1, 1)],
    })
    write_table(lake, "registry", {
        "uscc": ["91440101X", "91440101Y", "91440101Z"], "name": ["广州某五金商行", "某公司", "某某五金加工厂"],
        "status": ["注销", "存续", "注销"],
    })
    if with_links:
        write_links(ws, {"L001": (None, "91440101Z"), "I004": ("P3", None)})
    write_table(lake, "closures", {
        "account_no": ["R001"], "closed_on": [date(2025, 9, 1)], "measure": ["shutdown"], "source": ["ledger"],
    })
    months = [date(2025, m, 1) for m in range(1, 13)]
    write_table(lake, "water", {
        "water_account": ["WH000"] * 12 + ["WW001"] * 12, "month_start": months * 2,
        "m3": [10.0] * 12 + [300.0] * 12, "account_no": ["H000"] * 12 + ["W001"] * 12,
    })
    return SmallCity(ws=ws, daily=daily, interval=interval)


@pytest.fixture(scope="session")
def small_city(tmp_path_factory: pytest.TempPathFactory) -> SmallCity:
    return build_city(tmp_path_factory.mktemp("city"))


@pytest.fixture(scope="session")
def features(small_city: SmallCity):  # type: ignore[no-untyped-def]
    from gridwatch.address.links import load_links
    from gridwatch.engine import get_engine
    from gridwatch.screening.feature_table import feature_table
    from gridwatch.screening.window import Window

    s = small_city.ws.settings.screening
    eng = get_engine("duckdb", small_city.ws)
    try:
        t = feature_table(eng, small_city.ws.lake_dir, Window.of(AS_OF, s), s, load_links(small_city.ws))
    finally:
        eng.close()
    return t.to_pandas().set_index("account_no")
