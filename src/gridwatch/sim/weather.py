"""Daily weather of Guangzhou: mean and maximum temperature and precipitation.

Climate normals (1991–2020, Guangzhou station 59287, rounded) set the seasonal cycle; day-to-day anomalies
follow an AR(1) process; winter cold snaps (寒潮) and summer heat waves are added as events; rain falls on
a month-dependent share of days with gamma-distributed amounts, heavier in the rainy season (Apr–Sep).
Deterministic for a seed and independent of the customers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

TMEAN_NORMAL_C = (13.6, 15.0, 18.2, 22.1, 25.6, 27.6, 28.6, 28.4, 27.2, 24.2, 19.5, 15.2)
"""Monthly mean temperature, Jan..Dec [°C]."""
DIURNAL_HALF_RANGE_C = (4.2, 3.8, 3.6, 3.6, 3.8, 3.6, 4.2, 4.2, 4.2, 4.6, 4.8, 4.8)
"""tmax − tmean, Jan..Dec [°C]."""
PRECIP_NORMAL_MM = (43, 65, 85, 182, 284, 284, 243, 232, 172, 79, 38, 30)
"""Monthly precipitation, Jan..Dec [mm]."""
RAIN_DAYS = (7, 10, 14, 15, 18, 19, 16, 16, 12, 6, 5, 5)
"""Days with ≥ 0.1 mm per month, Jan..Dec [d]."""

AR1_PHI = 0.75
"""Day-to-day persistence of temperature anomalies [-]."""
AR1_SIGMA_C = 1.3
"""Innovation standard deviation of temperature anomalies [°C]."""
COLD_SNAPS_PER_WINTER = 2.5
"""Expected cold snaps per Nov–Mar season; each lasts 3–6 days and drops tmean by 5–10 °C."""
HEAT_WAVES_PER_SUMMER = 2.0
"""Expected heat waves per Jun–Sep; each lasts 4–9 days and raises tmean by 1.5–3 °C."""
RAIN_PERSISTENCE = 0.35
"""Lag-1 correlation of wet days [-]."""


@dataclass(frozen=True)
class Weather:
    dates: np.ndarray  # datetime64[D]
    tmean_c: np.ndarray
    tmax_c: np.ndarray
    precip_mm: np.ndarray

    def rainy(self, threshold_mm: float = 10.0) -> np.ndarray:
        return self.precip_mm >= threshold_mm


def _doy_interp(values: tuple[float, ...], dates: np.ndarray) -> np.ndarray:
    """Smooth seasonal cycle: monthly normals placed mid-month, interpolated cyclically by day of year."""
    years = dates.astype("datetime64[Y]")
    doy = (dates - years.astype("datetime64[D]")).astype(int)
    mids = np.array([15, 45, 74, 105, 135, 166, 196, 227, 258, 288, 319, 349], dtype=float)
    v = np.asarray(values, dtype=float)
    xp = np.concatenate([mids - 365, mids, mids + 365])
    fp = np.concatenate([v, v, v])
    return np.interp(doy, xp, fp)


def simulate_weather(start: date, end: date, seed: int) -> Weather:
    """Daily weather from ``start`` to ``end`` inclusive (60 days before ``start`` warm up the AR(1))."""
    rng = np.random.default_rng([seed, 0x57EA])
    warm = 60
    dates_all = np.arange(np.datetime64(start) - warm, np.datetime64(end) + 1, dtype="datetime64[D]")
    n = len(dates_all)
    months = dates_all.astype("datetime64[M]").astype(int) % 12
    base = _doy_interp(TMEAN_NORMAL_C, dates_all)
    eps = rng.normal(0, AR1_SIGMA_C, n)
    anom = np.empty(n)
    acc = 0.0
    for i in range(n):  # n is days (≤ a few thousand): a plain loop is fine
        acc = AR1_PHI * acc + eps[i]
        anom[i] = acc
    events = np.zeros(n)
    winter = np.isin(months, (10, 11, 0, 1, 2))
    summer = np.isin(months, (5, 6, 7, 8))
    for mask, rate, length, size, sign in (
        (winter, COLD_SNAPS_PER_WINTER / 150, (3, 7), (5.0, 10.0), -1.0),
        (summer, HEAT_WAVES_PER_SUMMER / 120, (4, 10), (1.5, 3.0), 1.0),
    ):
        starts = np.flatnonzero(mask & (rng.random(n) < rate))
        for s in starts:
            ln = int(rng.integers(*length))
            depth = rng.uniform(*size)
            ramp = np.minimum(1.0, np.minimum(np.arange(ln) + 1, ln - np.arange(ln)) / 1.5)
            seg = slice(s, min(n, s + ln))
            events[seg] = sign * np.maximum(np.abs(events[seg]), depth * ramp[: seg.stop - s])
    tmean = base + anom + events
    half = _doy_interp(DIURNAL_HALF_RANGE_C, dates_all) * rng.uniform(0.7, 1.3, n)
    tmax = tmean + half
    p_rain = np.array(RAIN_DAYS, dtype=float)[months] / 30.4
    mean_amount = np.array(PRECIP_NORMAL_MM, dtype=float)[months] / np.array(RAIN_DAYS, dtype=float)[months]
    # Rain persists: a two-state Markov chain whose stationary wet share is the month's rain-day share.
    u = rng.random(n)
    wet = np.zeros(n, dtype=bool)
    for i in range(n):
        p = p_rain[i]
        p = p + RAIN_PERSISTENCE * (1 - p) if i and wet[i - 1] else p * (1 - RAIN_PERSISTENCE)
        wet[i] = u[i] < p
    shape = 0.6
    amount = rng.gamma(shape, mean_amount / shape) + 0.1
    precip = np.where(wet, amount, 0.0)
    # Rainy days are a little cooler in the warm season.
    tmean = tmean - np.where(wet & (months >= 3) & (months <= 8), np.minimum(precip / 20.0, 2.0), 0.0)
    tmax = np.minimum(tmax, tmean + half)
    sl = slice(warm, None)
    return Weather(
        dates=dates_all[sl],
        tmean_c=np.round(tmean[sl], 1),
        tmax_c=np.round(tmax[sl], 1),
        precip_mm=np.round(precip[sl], 1),
    )
