"""Energy of every customer-day, and its split into quarter-hours (the hot path: vectorised numpy).

Daily energy is a sum of components, each a (customers × days) array::

    base     appliances/lighting:   base × day-type ratio × log-normal noise × presence
    ac       air-conditioning:      ac × max(0, tmean − threshold) × presence
    heat     electric heating:      heat × max(0, 16 − tmean) × presence
    ev       EV charging sessions:  ev_kwh on nights drawn with probability ev_prob
    work     production/business:   work × working-day factor × rain factor × noise × activity

Interval energy distributes each component over the day with its own shape (base: measured profile,
shifted by the customer's habit; ac/heat: synthetic; ev: a 7 kW charging block; work: the trade's profile
modulated by machine on/off runs), so interval readings sum to the daily energy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gridwatch.sim.population import Population
from gridwatch.sim.profiles import SLOTS, shape_book

EV_KW = 7.0
HEAT_BELOW_C = 16.0
RAIN_DAY_MM = 10.0
RAIN_BURST = (1.6, 2.6)  # production multiplier on rainy days for rain-burst workshops [-]
RAIN_DRY_LEVEL = 0.7  # ... and on dry days [-]
INTERVAL_NOISE_SIGMA = 0.25  # log-sd of quarter-hour noise on the base load [-]
PEAK_TO_MEAN = 5.0  # assumed ratio of peak to mean power of a day when sizing capacity [-]
CAPACITY_MARGIN = 1.3  # contracted capacity over the estimated peak [-]
MAX_CAPACITY_LOAD = 1.4  # a quarter-hour's mean power never exceeds capacity × this [-]
CAPACITY_SIZES_KVA = (4, 6, 8, 10, 12, 16, 20, 25, 32, 40, 50, 63, 80, 100, 125, 160, 200, 250, 315, 400, 500,
                      630, 800, 1000, 1250, 1600, 2000, 2500, 3150, 4000, 5000, 6300, 8000, 10000)


@dataclass(frozen=True)
class Calendar:
    """Day-level context shared by all customers of a run."""

    dates: np.ndarray  # datetime64[D]
    daytype: np.ndarray  # 0 weekday, 1 Saturday, 2 Sunday or holiday
    weekday: np.ndarray  # 0 = Monday
    spring_festival: np.ndarray  # day indices of Spring Festival days in (or near) the window
    tmean: np.ndarray
    rainy: np.ndarray


@dataclass
class Components:
    base: np.ndarray
    ac: np.ndarray
    heat: np.ndarray
    ev: np.ndarray
    work: np.ndarray
    exists: np.ndarray  # account open that day

    @property
    def total(self) -> np.ndarray:
        return self.base + self.ac + self.heat + self.ev + self.work


def _window(days: np.ndarray, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    return (days[None, :] >= start[:, None]) & (days[None, :] < stop[:, None])


def daily_components(pop: Population, cal: Calendar, rng: np.random.Generator) -> Components:
    book = shape_book()
    n, d = pop.n, len(cal.dates)
    days = np.arange(d)
    dt = cal.daytype[None, :]
    # Presence: Spring Festival absence (travel, closure).
    away = np.zeros((n, d), dtype=bool)
    for sf in cal.spring_festival:
        s = sf + pop.travel_off.astype(int)
        away |= _window(days, s, s + pop.travel_len) & pop.travel[:, None]
    closed_day = pop.weekly_closed[:, None] == cal.weekday[None, :]
    presence = np.where(away, pop.away_level[:, None], 1.0)
    presence = np.where(closed_day, np.minimum(presence, 0.3), presence)

    noise = np.exp(rng.normal(0.0, 1.0, (n, d)) * pop.base_cv[:, None])
    base = pop.base[:, None] * book.ratio[pop.profile[:, None], dt] * noise * presence
    ac = pop.ac[:, None] * np.maximum(0.0, cal.tmean[None, :] - pop.ac_thr[:, None]) * presence
    ac *= np.exp(rng.normal(0.0, 0.25, (n, d)))
    heat = pop.heat[:, None] * np.maximum(0.0, HEAT_BELOW_C - cal.tmean[None, :]) * presence
    ev = np.where(rng.random((n, d)) < pop.ev_prob[:, None], pop.ev_kwh[:, None], 0.0) * (presence > 0.5)
    ev *= np.exp(rng.normal(0.0, 0.3, (n, d)))

    # Production / business activity.
    ratio = book.ratio[pop.work_profile[:, None], dt]
    ratio = np.where(pop.saturday[:, None] & (dt == 1), np.maximum(ratio, 0.95), ratio)
    ratio = np.where(pop.all_week[:, None], 1.0, ratio)
    work_cv = np.where(pop.trade >= 0, 0.15, 0.25)
    work = pop.work[:, None] * ratio * np.exp(rng.normal(0.0, 1.0, (n, d)) * work_cv[:, None])
    rain_factor = np.where(cal.rainy[None, :], rng.uniform(*RAIN_BURST, (n, d)), RAIN_DRY_LEVEL)
    work = np.where(pop.rain[:, None], work * rain_factor, work)
    work *= np.where(away, pop.away_level[:, None], 1.0)
    # Order-driven workshops: runs of working and idle days.
    inter = np.flatnonzero(pop.intermittent_on < 1.0)
    if len(inter):
        run_len = pop.intermittent_run[inter].astype(int)[:, None]
        phase = rng.integers(0, 8, len(inter))[:, None]
        run_id = (days[None, :] + phase) // run_len
        u = rng.random((len(inter), int(run_id.max()) + 1))
        works = np.take_along_axis(u, run_id, axis=1) < pop.intermittent_on[inter][:, None]
        work[inter] *= works
    work = np.where(closed_day, 0.0, work)

    # Activity windows: before active_from / after active_to the site runs at off_level of its base load
    # and produces nothing; during a resurgent's pause it is idle; after the pause it resumes.
    active = _window(days, pop.active_from, pop.active_to)
    paused = _window(days, pop.pause_from, pop.pause_to)
    resumed = days[None, :] >= pop.pause_to[:, None]
    level = np.where(resumed, pop.resume_level[:, None], 1.0)
    on = active & ~paused
    work = np.where(on, work * level, 0.0)
    off = np.where(on, 1.0, pop.off_level[:, None])
    base, ac, heat, ev = base * off, ac * off, heat * off, ev * on
    exists = _window(days, pop.opened, pop.closed)
    return Components(base, ac, heat, ev, work, exists)


def _rolled(shapes: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """Roll each customer's (days × 96) shapes by its own number of slots."""
    idx = (np.arange(SLOTS)[None, :] - shift[:, None]) % SLOTS
    return np.take_along_axis(shapes, idx[:, None, :], axis=2)


def interval_split(
    pop: Population, cal: Calendar, comp: Components, day_slice: slice, rng: np.random.Generator
) -> np.ndarray:
    """Quarter-hour energy (customers × days × 96, float32) for the days of ``day_slice``."""
    book = shape_book()
    dt = cal.daytype[day_slice]
    n, d = pop.n, len(dt)
    t = np.arange(SLOTS)

    base_shape = _rolled(book.shapes[pop.profile[:, None], dt[None, :]], pop.shift)
    noise = np.exp(rng.normal(0.0, INTERVAL_NOISE_SIGMA, (n, d, SLOTS))).astype(np.float32)
    base_shape = base_shape * noise
    base_shape /= base_shape.sum(axis=2, keepdims=True)
    out = (comp.base[:, day_slice, None] * base_shape).astype(np.float32)

    ac_shape = _rolled(book.shapes[pop.ac_profile, 0][:, None, :], pop.shift)
    out += (comp.ac[:, day_slice, None] * ac_shape).astype(np.float32)
    heat_shape = book.shapes[book.index("heat_home"), 0]
    out += (comp.heat[:, day_slice, None] * heat_shape[None, None, :]).astype(np.float32)

    ev_d = comp.ev[:, day_slice]
    if ev_d.any():
        nslots = np.ceil(ev_d / (EV_KW * 0.25)).clip(1, SLOTS)
        ev_mask = ((t[None, None, :] - pop.ev_start[:, None, None]) % SLOTS) < nslots[:, :, None]
        out += (ev_d[:, :, None] * ev_mask / ev_mask.sum(axis=2, keepdims=True)).astype(np.float32)

    work_d = comp.work[:, day_slice]
    if work_d.any():
        w_shift = np.where(pop.night, SLOTS // 2, 0) + pop.shift
        wshape = _rolled(book.shapes[pop.work_profile[:, None], dt[None, :]], w_shift)
        # Machine on/off runs: constant over `cycle` quarter-hours, on with probability `duty`.
        cyc = pop.cycle.astype(int)[:, None]
        phase = rng.integers(0, 8, n)[:, None]
        run = (t[None, :] + phase) // cyc  # (n, 96)
        u = rng.random((n, d, SLOTS // 1 + 8))
        on = np.take_along_axis(u, np.broadcast_to(run[:, None, :], (n, d, SLOTS)), axis=2)
        on = on < pop.duty[:, None, None]
        level = pop.idle[:, None, None] + (1 - pop.idle[:, None, None]) * on
        wshape = wshape * level
        wshape /= np.maximum(wshape.sum(axis=2, keepdims=True), 1e-12)
        out += (work_d[:, :, None] * wshape).astype(np.float32)
    # Safety net: a quarter-hour never draws more than the contracted capacity allows (rarely binding).
    cap = (pop.capacity * 0.25 * MAX_CAPACITY_LOAD).astype(np.float32)
    return np.minimum(out, cap[:, None, None])


def contracted_capacity(pop: Population, comp: Components) -> np.ndarray:
    """Capacity each account must have contracted to carry its load [kVA].

    The larger of the kind's drawn size and the smallest standard size covering the peak, estimated as
    the highest daily mean power × ``PEAK_TO_MEAN`` × ``CAPACITY_MARGIN`` (+ the EV charger).
    """
    max_daily = np.where(comp.exists, comp.total, 0.0).max(axis=1, initial=0.0)
    need = max_daily / 24.0 * PEAK_TO_MEAN * CAPACITY_MARGIN + np.where(pop.ev_prob > 0, EV_KW, 0.0)
    sizes = np.asarray(CAPACITY_SIZES_KVA)
    idx = np.minimum(np.searchsorted(sizes, need), len(sizes) - 1)
    return np.maximum(pop.capacity, sizes[idx])
