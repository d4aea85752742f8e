"""Spring Festival ratios besides EV charging: a family away with its car is not a workshop that stopped.

A household that travels over the festival keeps its fridge and standby (about 15% of its use); when it
charges a car at home, the charging stops too, and its festival ratio falls to a workshop's.  The curve
pass identifies the charging in the interval window; ``sf_ratio_ex_ev`` and ``sf_low_week_ratio_ex_ev``
judge the load besides it, and the default rule set scores those (DuckDB, real lake, no mocks).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from gridwatch.calendar_cn import SPRING_FESTIVAL
from gridwatch.workspace import Workspace

from .conftest import AS_OF, IV_START, N_DAYS, START, precip, tmean
from .lakes import daily_rows, interval_rows, write_table

N_HOMES = 40
EV_KWH = 7.0  # one charge per night, 7 kWh an hour at 21 and 22 h of every other interval day: 7 kWh/d on average
HH = [0.2] * 7 + [0.25] * 11 + [0.6] * 5 + [0.2]  # a 6.05 kWh household day with an evening peak


def _away(d: date) -> bool:
    """Away over the whole festival period of the ratios (正月初一 −7 … +14 d)."""
    k = (d - SPRING_FESTIVAL[d.year]).days
    return -7 <= k <= 14


def _city(home: Path) -> pd.DataFrame:
    from gridwatch.engine import get_engine
    from gridwatch.screening.feature_table import feature_table
    from gridwatch.screening.window import Window

    days = [START + timedelta(days=i) for i in range(N_DAYS)]
    hh_day = sum(HH)
    daily: dict[str, list[float | None]] = {}
    interval: dict[str, list[list[float]]] = {}
    for i in range(N_HOMES):  # half of the families travel, keeping 15% of their use
        a = f"H{i:03d}"
        daily[a] = [hh_day * (0.15 if i % 2 == 0 and _away(d) else 1.0) + 0.01 * (i % 7) for d in days]
        interval[a] = [HH for _ in range(28)]
    # the EV family: 7 kWh/d of charging on top of its household use, none while away (the car left with it)
    daily["E001"] = [0.15 * hh_day if _away(d) else hh_day + EV_KWH for d in days]
    interval["E001"] = [HH[:21] + ([HH[21] + EV_KWH] * 2 if k % 2 == 0 else HH[21:23]) + HH[23:] for k in range(28)]
    accounts = list(daily)
    ws = Workspace.open(home)
    write_table(ws.lake_dir, "customers", {
        "account_no": accounts, "name": accounts, "tariff": ["residential"] * len(accounts),
        "capacity_kva": [8.0] * len(accounts), "status": ["active"] * len(accounts),
        "transformer_district": ["T1"] * len(accounts),
    })
    write_table(ws.lake_dir, "readings_daily", daily_rows(daily, START))
    write_table(ws.lake_dir, "readings_interval", interval_rows(interval, IV_START))
    write_table(ws.lake_dir, "weather", {
        "date": days, "district_code": [""] * N_DAYS, "tmean_c": [tmean(d) for d in days],
        "tmax_c": [tmean(d) + 5 for d in days], "precip_mm": [precip(d) for d in days],
    })
    s = ws.settings.screening
    eng = get_engine("duckdb", ws)
    try:
        return feature_table(eng, ws.lake_dir, Window.of(AS_OF, s), s).to_pandas().set_index("account_no")
    finally:
        eng.close()


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    return _city(tmp_path_factory.mktemp("ev_festival"))


def test_charging_that_left_with_the_family_is_taken_out_of_the_festival_ratio(city: pd.DataFrame) -> None:
    e = city.loc["E001"]
    # energy above the day's median power (0.25 kW here, under the 0.6 kW evening the car charges in):
    # (7.6 − 0.25) kWh × 2 h every other day = 7.35 kWh/d, the charging plus 5% of evening household load
    assert e.ev_kwh_day == pytest.approx((HH[21] + EV_KWH - 0.25) * 2 / 2, rel=1e-9)
    assert e.ev_kwh_day == pytest.approx(EV_KWH, rel=0.06)
    assert e.sf_ratio < 0.12  # with the car, the festival drop looks like a workshop's ...
    assert e.sf_ratio_ex_ev == pytest.approx(e.sf_ratio / (1 - e.ev_kwh_day / e.pre_sf_kwh))
    assert e.sf_ratio_ex_ev > 1.5 * e.sf_ratio  # ... besides it, like the families who travel
    assert e.sf_low_week_ratio_ex_ev == pytest.approx(0.15, abs=0.02)
    travellers = city.loc[[f"H{i:03d}" for i in range(0, N_HOMES, 2)]]
    assert (travellers.sf_ratio_ex_ev == travellers.sf_ratio).all()  # no charging: unchanged


def test_default_rules_score_the_festival_drop_besides_charging(city: pd.DataFrame) -> None:
    from gridwatch.screening.rules import load_rules
    from gridwatch.screening.scoring import contributions

    rules = load_rules(None)
    assert "z_sf_ratio_ex_ev" in rules.scoring.weights and "z_sf_ratio" not in rules.scoring.weights
    c = contributions(city.reset_index(), rules.scoring).set_index(city.index)
    festival = [f for f in c.columns if f.startswith("z_sf_")]
    # a family away with its car is not more suspicious at the festival than the families away without one
    traveller_max = c.loc[[f"H{i:03d}" for i in range(0, N_HOMES, 2)], festival].sum(axis=1).max()
    assert c.loc["E001", festival].sum() <= traveller_max + 1e-9
