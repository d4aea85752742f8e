"""Who the customers of one block are: kind, place, load parameters and hidden-workshop story lines.

All draws are vectorised over the block; a :class:`Population` holds one array per attribute.  Day indices
count from the first simulated day (0) to ``days - 1``; negative ``opened`` means the account existed
before the window, ``closed == days`` means it is still open at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gridwatch.sim.kinds import (
    INTERMITTENT_ON_SHARE,
    KIND_NAMES,
    KINDS,
    P_INTERMITTENT,
    TRADES,
    WORKSHOP_KIND,
)
from gridwatch.sim.profiles import shape_book
from gridwatch.sim.skeleton import City

N_KINDS = len(KIND_NAMES)
K = {name: i for i, name in enumerate(KIND_NAMES)}
RESIDENTIAL = np.array([k.tariff == "residential" for k in KINDS] + [True])
WORKSHOP = K[WORKSHOP_KIND]

# Workshop story-line probabilities (see docs/SIMULATOR.md).
P_SUDDEN_START = 0.15
P_MOVED_AWAY = 0.10
P_RESURGE_ELSEWHERE = 0.6
P_RESURGENT = 0.08
P_WORKSHOP_LIVING = 0.5
P_FIRM_DEREGISTERED = 0.04  # registered firms deregistered (注销) during the window
P_DEREGISTERED_CONSUMING = 0.5  # ... of which keep consuming (closed_firm_consuming)
P_FACTORY_SUDDEN_START = 0.08
P_HOUSEHOLD_MOVE_IN = 0.04
P_ACCOUNT_NEW = 0.02
P_ACCOUNT_CLOSED = 0.01
WORKSHOP_CAPACITY_KVA = (8.0, 10.0, 16.0, 20.0, 25.0, 32.0)


@dataclass
class Population:
    n: int
    days: int
    kind: np.ndarray
    comm: np.ndarray
    trade: np.ndarray  # -1 when not a workshop / factory trade
    profile: np.ndarray
    shift: np.ndarray  # slot shift of the base shape (habits)
    base: np.ndarray
    base_cv: np.ndarray
    ac: np.ndarray
    ac_thr: np.ndarray
    ac_profile: np.ndarray
    heat: np.ndarray
    ev_kwh: np.ndarray
    ev_prob: np.ndarray
    ev_start: np.ndarray
    work: np.ndarray
    work_profile: np.ndarray
    night: np.ndarray
    all_week: np.ndarray
    rain: np.ndarray
    duty: np.ndarray
    cycle: np.ndarray
    idle: np.ndarray
    travel: np.ndarray
    travel_off: np.ndarray
    travel_len: np.ndarray
    away_level: np.ndarray
    weekly_closed: np.ndarray
    opened: np.ndarray
    closed: np.ndarray
    active_from: np.ndarray  # first day of workshop / business activity
    active_to: np.ndarray  # first day after it (== days: still active)
    pause_from: np.ndarray  # resurgent: activity paused after a closure ...
    pause_to: np.ndarray  # ... until this day (then resumes at resume_level)
    resume_level: np.ndarray
    off_level: np.ndarray  # share of base load left while the site is inactive
    closure_day: np.ndarray  # -1: no closure record
    related: np.ndarray  # local index of the linked account (moved-away ↔ resurged-elsewhere), -1
    dereg_day: np.ndarray  # day the registered firm was deregistered, -1: not
    capacity: np.ndarray
    registered: np.ndarray  # a business-registry entity stands behind the account
    saturday: np.ndarray  # works Saturdays like weekdays
    intermittent_on: np.ndarray  # share of days an order-driven workshop works (1: every working day)
    intermittent_run: np.ndarray  # length of its on/off runs [d]
    patterns: list[list[str]] = field(default_factory=list)


def _lognormal(rng: np.random.Generator, median: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    return median * np.exp(rng.normal(0.0, 1.0, median.shape) * sigma)


def sample_population(
    rng: np.random.Generator, n: int, days: int, city: City, workshop_rate: float
) -> Population:
    book = shape_book()
    shares = np.array([k.share for k in KINDS])
    shares = shares / shares.sum()
    kind = rng.choice(len(KINDS), size=n, p=shares).astype(np.int16)
    comm = rng.choice(len(city.communities), size=n, p=city.weights).astype(np.int32)
    # Hidden workshops replace residential accounts, more often where the community's propensity is high.
    res = RESIDENTIAL[kind]
    p_ws = np.clip(workshop_rate * city.workshop_weights[comm], 0, 0.9)
    is_ws = res & (rng.random(n) < p_ws)
    kind[is_ws] = WORKSHOP

    spec_idx = np.where(kind == WORKSHOP, 0, kind)  # workshops take household defaults, then overridden
    spec = [KINDS[i] for i in range(len(KINDS))]

    def col(attr: str, dtype: type = float) -> np.ndarray:
        table = np.array([getattr(s, attr) for s in spec], dtype=dtype)
        return table[spec_idx]

    trade = np.full(n, -1, dtype=np.int8)
    trade_shares = np.array([t.share for t in TRADES])
    factory_shares = np.array([t.factory_share for t in TRADES])
    factory = np.isin(kind, (K["factory_permitted"], K["factory_unpermitted"]))
    trade[is_ws] = rng.choice(len(TRADES), size=int(is_ws.sum()), p=trade_shares)
    trade[factory] = rng.choice(len(TRADES), size=int(factory.sum()), p=factory_shares / factory_shares.sum())

    profile = np.array([book.index(s.profile) for s in spec], dtype=np.int16)[spec_idx]
    base = _lognormal(rng, col("base_kwh"), col("base_sigma"))
    base_cv = book.day_cv[profile, 0] * 0.8 + 0.05
    ac = _lognormal(rng, col("ac_kwh_per_c"), np.full(n, 0.5))
    ac_thr = rng.normal(24.5, 1.2, n)
    ac_profile = np.array([book.index(s.ac_profile) for s in spec], dtype=np.int16)[spec_idx]
    heat = _lognormal(rng, col("heat_kwh_per_c"), np.full(n, 0.4))
    ev_kwh = _lognormal(rng, col("ev_kwh"), np.full(n, 0.3))
    ev_prob = col("ev_prob") * rng.uniform(0.5, 1.5, n)
    ev_start = rng.integers(84, 96, n).astype(np.int16)
    work = _lognormal(rng, col("work_kwh"), col("work_sigma"))
    work_profile = np.array([book.index(s.work_profile) for s in spec], dtype=np.int16)[spec_idx]
    shift = rng.integers(-4, 5, n).astype(np.int16)
    night = np.zeros(n, dtype=bool)
    all_week = np.zeros(n, dtype=bool)
    rain = np.zeros(n, dtype=bool)
    duty = np.ones(n)
    cycle = np.full(n, 4, dtype=np.int16)
    idle = np.full(n, 0.15)
    saturday = rng.random(n) < col("six_day_prob")
    intermittent_on = np.ones(n)
    intermittent_run = np.full(n, 5, dtype=np.int16)
    travel = rng.random(n) < col("travel_prob")
    tlo = np.array([s.travel_days[0] for s in spec])[spec_idx]
    thi = np.array([s.travel_days[1] for s in spec])[spec_idx]
    travel_len = rng.integers(tlo, thi + 1).astype(np.int16)
    travel_off = rng.integers(-9, -1, n).astype(np.int16)  # start relative to Spring Festival day
    away_level = col("away_level")
    weekly_closed = np.where(rng.random(n) < col("weekly_closed_prob"), rng.integers(0, 7, n), -1).astype(
        np.int8
    )
    width = max(len(s.capacity_kva) for s in spec)
    cap_table = np.array([[s.capacity_kva[j % len(s.capacity_kva)] for j in range(width)] for s in spec])
    cap_count = np.array([len(s.capacity_kva) for s in spec])
    capacity = cap_table[spec_idx, (rng.random(n) * cap_count[spec_idx]).astype(int)]
    capacity[is_ws] = rng.choice(WORKSHOP_CAPACITY_KVA, int(is_ws.sum()))

    opened = -rng.integers(30, 7300, n)
    closed = np.full(n, days)
    new = rng.random(n) < P_ACCOUNT_NEW
    opened[new] = rng.integers(1, max(days, 2), int(new.sum()))
    gone = (~new) & (rng.random(n) < P_ACCOUNT_CLOSED) & ~is_ws
    closed[gone] = rng.integers(1, max(days, 2), int(gone.sum()))
    active_from = np.maximum(opened, 0)
    active_to = closed.copy()
    pause_from = np.full(n, days)
    pause_to = np.full(n, days)
    resume_level = np.ones(n)
    off_level = np.full(n, 0.05)
    closure_day = np.full(n, -1)
    related = np.full(n, -1)
    dereg_day = np.full(n, -1)
    patterns: list[list[str]] = [[] for _ in range(n)]

    # --- hidden workshops -------------------------------------------------------------------------
    ws_idx = np.flatnonzero(is_ws)
    for i in ws_idx:  # per-workshop story lines: a few per thousand customers, so a loop is cheap
        t = TRADES[trade[i]]
        work[i] = t.work_kwh * np.exp(rng.normal() * t.work_sigma)
        work_profile[i] = book.index(t.profile)
        duty[i] = rng.uniform(*t.duty)
        cycle[i] = rng.integers(t.cycle_slots[0], t.cycle_slots[1] + 1)
        idle[i] = rng.uniform(0.05, 0.3)
        base[i] = base[i] if rng.random() < P_WORKSHOP_LIVING else base[i] * 0.3  # people living on site?
        travel[i] = True
        travel_len[i] = rng.integers(15, 36)
        travel_off[i] = rng.integers(-12, -4)
        away_level[i] = 0.05
        if rng.random() < t.night_shift_prob:
            night[i] = True
            patterns[i].append("night_shift")
        if rng.random() < t.all_week_prob:
            all_week[i] = True
            patterns[i].append("all_week")
        if rng.random() < t.rain_burst_prob:
            rain[i] = True
            patterns[i].append("rain_burst")
        if rng.random() < P_INTERMITTENT:
            intermittent_on[i] = rng.uniform(*INTERMITTENT_ON_SHARE)
            intermittent_run[i] = rng.integers(2, 8)
            patterns[i].append("intermittent")
        u = rng.random()
        if u < P_SUDDEN_START and days >= 20:
            active_from[i] = rng.integers(int(days * 0.2), int(days * 0.8))
            off_level[i] = 1.0 if rng.random() < 0.5 else 0.1  # a household before, or an empty flat
            patterns[i].append("sudden_start")
        elif u < P_SUDDEN_START + P_MOVED_AWAY and days >= 20:
            active_to[i] = rng.integers(int(days * 0.3), int(days * 0.85))
            off_level[i] = 0.03
            patterns[i].append("moved_away")
            if rng.random() < 0.7:
                closure_day[i] = active_to[i] - rng.integers(0, 5)
            if rng.random() < 0.5:
                closed[i] = min(days, active_to[i] + rng.integers(5, 40))
        elif u < P_SUDDEN_START + P_MOVED_AWAY + P_RESURGENT and days >= 30:
            pause_from[i] = rng.integers(int(days * 0.2), int(days * 0.6))
            pause_to[i] = min(days, pause_from[i] + rng.integers(20, 91))
            resume_level[i] = rng.uniform(0.5, 1.1)
            off_level[i] = 0.03
            closure_day[i] = pause_from[i]
            patterns[i].append("resurgent")

    # Moved-away workshops resurge elsewhere: another residential account of the block becomes the new site.
    candidates = list(np.flatnonzero((kind == K["household"]) | (kind == K["vacant"])))
    rng.shuffle(candidates)
    for i in ws_idx:
        if "moved_away" in patterns[i] and candidates and rng.random() < P_RESURGE_ELSEWHERE:
            j = int(candidates.pop())
            start = int(active_to[i] + rng.integers(7, 46))
            if start >= days:
                continue
            kind[j] = WORKSHOP
            for arr in (
                trade,
                work_profile,
                duty,
                cycle,
                idle,
                night,
                all_week,
                rain,
                travel,
                travel_len,
                travel_off,
                away_level,
            ):
                arr[j] = arr[i]
            work[j] = work[i] * rng.uniform(0.7, 1.3)
            active_from[j] = start
            opened[j] = min(opened[j], start)
            closed[j] = days
            off_level[j] = 0.1 if kind[j] == K["vacant"] else 1.0
            related[i], related[j] = j, i
            patterns[j] = [p for p in patterns[i] if p != "moved_away"] + [
                "sudden_start",
                "resurged_elsewhere",
            ]

    # --- other story lines --------------------------------------------------------------------------
    movers = np.flatnonzero(
        np.isin(kind, (K["household"], K["household_large"])) & (rng.random(n) < P_HOUSEHOLD_MOVE_IN)
    )
    for i in movers:
        if days >= 20:
            active_from[i] = rng.integers(int(days * 0.1), int(days * 0.9))
            off_level[i] = 0.05
            patterns[i].append("moved_in")
    fac_idx = np.flatnonzero(factory)
    shifts3 = rng.random(n) < col("shifts3_prob")
    continuous = book.index("continuous")
    for i in fac_idx:
        work_profile[i] = continuous if shifts3[i] else book.index(TRADES[trade[i]].profile)
        if shifts3[i]:
            patterns[i].append("three_shift")
        if days >= 20 and rng.random() < P_FACTORY_SUDDEN_START:
            active_from[i] = rng.integers(int(days * 0.2), int(days * 0.8))
            off_level[i] = 0.1
            patterns[i].append("sudden_start")
    registered = rng.random(n) < col("registered")
    registered[is_ws] = False
    dereg = np.flatnonzero(registered & (rng.random(n) < P_FIRM_DEREGISTERED) & (kind != WORKSHOP))
    for i in dereg:
        if days < 20:
            continue
        dereg_day[i] = rng.integers(int(days * 0.1), int(days * 0.8))
        if rng.random() < P_DEREGISTERED_CONSUMING:
            patterns[i].append("closed_firm_consuming")
        else:  # the firm closed for real: the account stops too
            active_to[i] = min(active_to[i], dereg_day[i] + rng.integers(0, 15))
            closed[i] = min(days, active_to[i] + rng.integers(0, 30))
            patterns[i].append("deregistered_stopped")
    kind_is_vacant = kind == K["vacant"]
    travel[kind_is_vacant] = False

    return Population(
        n=n,
        days=days,
        kind=kind,
        comm=comm,
        trade=trade,
        profile=profile,
        shift=shift,
        base=base,
        base_cv=base_cv,
        ac=ac,
        ac_thr=ac_thr,
        ac_profile=ac_profile,
        heat=heat,
        ev_kwh=ev_kwh,
        ev_prob=ev_prob,
        ev_start=ev_start,
        work=work,
        work_profile=work_profile,
        night=night,
        all_week=all_week,
        rain=rain,
        duty=duty,
        cycle=cycle,
        idle=idle,
        travel=travel,
        travel_off=travel_off,
        travel_len=travel_len,
        away_level=away_level,
        weekly_closed=weekly_closed,
        opened=opened,
        closed=closed,
        active_from=active_from,
        active_to=active_to,
        pause_from=pause_from,
        pause_to=pause_to,
        resume_level=resume_level,
        off_level=off_level,
        closure_day=closure_day,
        related=related,
        dereg_day=dereg_day,
        capacity=capacity,
        registered=registered,
        saturday=saturday,
        intermittent_on=intermittent_on,
        intermittent_run=intermittent_run,
        patterns=patterns,
    )
