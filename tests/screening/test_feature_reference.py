"""The daily features of the SQL equal a plain, row-by-row pandas reference written from the catalogue.

The reference reads the catalogue's definitions literally (every day of an account, the calendar and the
weather of that day, exact interpolating quantiles) and shares no code with the SQL, so a rewrite of the
feature SQL for speed cannot silently change what a feature means.  Checked on the hand-made small city
and on random curves with gaps and zero days (hypothesis).
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridwatch.calendar_cn import SPRING_FESTIVAL, holidays
from gridwatch.config import ScreeningSettings
from gridwatch.workspace import Workspace

from .conftest import AS_OF, N_DAYS, START, precip, tmean
from .lakes import daily_rows, write_table

DAILY_FEATURES = (
    "n_days", "coverage", "zero_share", "mean_kwh", "median_kwh", "p95_kwh", "max_kwh", "log_mean_kwh",
    "log_p95_kwh", "log_recent_kwh", "cv_daily", "load_factor_daily", "weekend_ratio", "sf_ratio",
    "sf_low_week_ratio",
    "temp_corr", "temp_sensitivity", "rain_ratio", "n_rain_days", "recent_kwh", "surge_ratio", "trend_slope",
    "recent_max_kwh", "onoff_share", "flat_share", "off_share", "off_share_before", "cap_use",
)


def _div(a: float, b: float) -> float:
    return a / b if b and not math.isnan(b) and not math.isnan(a) else math.nan


def _mean(x: pd.Series) -> float:
    return float(x.mean()) if len(x) else math.nan


def _quantile(x: np.ndarray, q: float) -> float:
    """Exact quantile with linear interpolation between order statistics (numpy's default)."""
    return float(np.quantile(x, q))


def reference(daily: pd.DataFrame, weather: pd.DataFrame, capacity: float, s: ScreeningSettings,
              as_of: date) -> dict[str, float]:
    """Daily features of one account from its rows (``date, kwh``), literally as the catalogue defines them."""
    start = as_of - timedelta(days=s.lookback_days - 1)
    recent_start = as_of - timedelta(days=s.recent_days - 1)
    trend_start = as_of - timedelta(days=2 * s.recent_days - 1)
    d = daily[(daily.date >= start) & (daily.date <= as_of) & daily.kwh.notna()].merge(weather, on="date", how="left")
    hol = {h for y in range(start.year - 1, as_of.year + 2) for h in holidays(y)}
    sf_rel = d.date.map(lambda x: (x - SPRING_FESTIVAL[x.year]).days if x.year in SPRING_FESTIVAL else 999)
    sf_next = d.date.map(lambda x: (x - SPRING_FESTIVAL[x.year + 1]).days if x.year + 1 in SPRING_FESTIVAL else 999)
    during = sf_rel.between(-7, 14) | sf_next.between(-7, 14)
    before = sf_rel.between(-42, -15) | sf_next.between(-42, -15)
    # the seven weeks from 14 days before 正月初一: the lowest week's mean over the before-period mean
    rel = sf_rel.where(sf_rel.between(-14, 34), sf_next.where(sf_next.between(-14, 34)))
    week_means = d.kwh[rel.notna()].groupby(((rel[rel.notna()] + 14) // 7).to_numpy()).mean()
    weekend = d.date.map(lambda x: x.weekday() >= 5)
    holiday = d.date.map(lambda x: x in hol)
    lo, hi = s.comfort_c
    deg = (d.tmean_c - hi).clip(lower=0) + (lo - d.tmean_c).clip(lower=0)
    recent = d.date >= recent_start
    trend = d.date >= trend_start
    k = d.kwh.to_numpy(dtype=float)
    n = len(k)
    out: dict[str, float] = {"n_days": n, "coverage": n / s.lookback_days, "n_rain_days": 0}
    if n == 0:
        return out
    mean, med, p95, mx = k.mean(), _quantile(k, 0.5), _quantile(k, 0.95), k.max()
    sd = float(np.std(k, ddof=1)) if n > 1 else math.nan
    rain = d.precip_mm >= s.rain_mm
    dry = d.precip_mm < s.dry_mm
    n_recent = int(recent.sum())
    recent_kwh = _mean(d.kwh[recent])
    base_kwh = _mean(d.kwh[~recent])
    has_w = deg.notna()
    x, y = deg[has_w].to_numpy(dtype=float), k[has_w.to_numpy()]
    corr = slope = math.nan
    if len(x) > 1 and x.std() > 0:
        slope = float(np.polyfit(x, y, 1)[0])
        corr = float(np.corrcoef(x, y)[0, 1]) if np.ptp(y) > 0 else math.nan
    tx = np.array([(v - start).days for v in d.date[trend]], dtype=float)
    ty = k[trend.to_numpy()]
    trend_slope = float(np.polyfit(tx, ty, 1)[0]) if len(tx) > 1 and tx.std() > 0 else math.nan
    off = k <= max(0.1 * p95, 0.5)
    on = (k >= 0.5 * p95) & (p95 > 0)
    flat = (k >= 0.8 * med) & (k <= 1.2 * med) & (med > 0)
    out.update({
        "zero_share": float((k == 0).sum()) / n,
        "mean_kwh": mean, "median_kwh": med, "p95_kwh": p95, "max_kwh": mx,
        "log_mean_kwh": math.log1p(mean), "log_p95_kwh": math.log1p(p95), "log_recent_kwh": math.log1p(recent_kwh),
        "cv_daily": _div(sd, mean), "load_factor_daily": _div(mean, mx),
        "weekend_ratio": _div(_mean(d.kwh[weekend & ~holiday]), _mean(d.kwh[~weekend & ~holiday])),
        "sf_ratio": _div(_mean(d.kwh[during]), _mean(d.kwh[before])),
        "sf_low_week_ratio": _div(float(week_means.min()) if len(week_means) else math.nan, _mean(d.kwh[before])),
        "temp_corr": corr if np.ptp(k) > 0 else math.nan,
        "temp_sensitivity": _div(slope, mean),
        "rain_ratio": _div(_mean(d.kwh[rain]), _mean(d.kwh[dry])) if rain.sum() >= 5 else math.nan,
        "n_rain_days": int(rain.sum()),
        "recent_kwh": recent_kwh,
        "surge_ratio": (recent_kwh + 1) / (base_kwh + 1) if n_recent >= 7 else math.nan,
        "trend_slope": trend_slope,
        "recent_max_kwh": float(k[recent.to_numpy()].max()) if n_recent else math.nan,
        "onoff_share": min(off.sum(), on.sum()) / n,
        "flat_share": flat.sum() / n,
        "off_share": off.sum() / n,
        "off_share_before": _div(float((off & ~recent.to_numpy()).sum()), n - n_recent),
        "cap_use": _div(p95, 24 * capacity),
    })
    return out


def _assert_matches(features: pd.DataFrame, daily: dict[str, list[float | None]], capacity: dict[str, float],
                    weather: pd.DataFrame, s: ScreeningSettings, start: date) -> None:
    for acc, values in daily.items():
        rows = pd.DataFrame(daily_rows({acc: values}, start))
        ref = reference(rows, weather, capacity[acc], s, AS_OF)
        got = features.loc[acc]
        for f in DAILY_FEATURES:
            want = ref.get(f, math.nan)
            have = got[f]
            have = math.nan if have is None or pd.isna(have) else float(have)
            if math.isnan(want):
                assert math.isnan(have), f"{acc}.{f}: {have} (reference NULL)"
            else:
                assert have == pytest.approx(want, rel=1e-7, abs=1e-9), f"{acc}.{f}: {have} != {want}"


def _weather(days: list[date]) -> pd.DataFrame:
    return pd.DataFrame({"date": days, "tmean_c": [tmean(d) for d in days], "precip_mm": [precip(d) for d in days]})


DAYS = [START + timedelta(days=i) for i in range(N_DAYS)]


def test_small_city_daily_features_equal_the_reference(features, small_city) -> None:  # type: ignore[no-untyped-def]
    s = small_city.ws.settings.screening
    capacity = dict(zip(features.index, features.capacity_kva, strict=True))
    _assert_matches(features, small_city.daily, capacity, _weather(DAYS), s, START)


def _compute(home: Path, daily: dict[str, list[float | None]]) -> pd.DataFrame:
    from gridwatch.engine import get_engine
    from gridwatch.screening.features import compute_features
    from gridwatch.screening.window import Window

    ws = Workspace.open(home)
    accounts = list(daily)
    write_table(ws.lake_dir, "customers", {
        "account_no": accounts, "name": accounts, "tariff": ["residential"] * len(accounts),
        "capacity_kva": [8.0] * len(accounts), "status": ["active"] * len(accounts),
        "transformer_district": ["T1"] * len(accounts),
    })
    write_table(ws.lake_dir, "readings_daily", daily_rows(daily, START))
    w = _weather(DAYS)
    write_table(ws.lake_dir, "weather", {
        "date": DAYS, "district_code": [""] * N_DAYS, "tmean_c": list(w.tmean_c), "tmax_c": list(w.tmean_c + 5),
        "precip_mm": list(w.precip_mm),
    })
    s = ws.settings.screening
    eng = get_engine("duckdb", ws)
    try:
        t = compute_features(eng, ws.lake_dir, Window.of(AS_OF, s), s)
    finally:
        eng.close()
    return t.to_pandas().set_index("account_no")


_level = st.sampled_from([0.0, 0.3, 2.0, 7.5, 40.0, 300.0])
_day = st.one_of(st.none(), _level, st.floats(0, 500, allow_nan=False).map(lambda v: round(v, 2)))


@st.composite
def _curves(draw: st.DrawFn) -> dict[str, list[float | None]]:
    out = {}
    for i in range(draw(st.integers(1, 3))):
        pattern = draw(st.lists(_day, min_size=1, max_size=9))
        mode = draw(st.sampled_from(["repeat", "blocks"]))
        if mode == "repeat":  # a weekly-ish cycle (weekends, gaps, zeros)
            values = [pattern[k % len(pattern)] for k in range(N_DAYS)]
        else:  # long runs: shutdowns, surges, steady levels
            size = math.ceil(N_DAYS / len(pattern))
            values = [pattern[k // size] for k in range(N_DAYS)]
        out[f"A{i:02d}"] = values
    return out


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(curves=_curves())
def test_random_curves_equal_the_reference(tmp_path_factory: pytest.TempPathFactory,
                                           curves: dict[str, list[float | None]]) -> None:
    if all(v is None for vals in curves.values() for v in vals):
        curves["A00"][0] = 1.0  # the lake needs at least one reading
    feats = _compute(tmp_path_factory.mktemp("ref"), curves)
    s = ScreeningSettings()
    _assert_matches(feats, curves, {a: 8.0 for a in curves}, _weather(DAYS), s, START)
