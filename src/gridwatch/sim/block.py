"""Generate one block of customers and everything that belongs to them, as Arrow tables.

A block is a pure function of (run parameters, block index): its random streams are spawned from
``SeedSequence([seed, block])``, so blocks can be generated in any order, by any worker, in chunks of any
size, and the files come out identical.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pyarrow as pa

from gridwatch.lake.contracts import TARIFF_ALIASES
from gridwatch.sim import firms
from gridwatch.sim.addresses import DICE_WIDTH, Address, Dice, form_for, make_address, messy
from gridwatch.sim.consumption import (
    Calendar,
    Components,
    contracted_capacity,
    daily_components,
    interval_split,
)
from gridwatch.sim.kinds import KIND_NAMES, KINDS, TRADES, WORKSHOP_KIND
from gridwatch.sim.params import BLOCK_SIZE, SimParams
from gridwatch.sim.population import K, Population, sample_population
from gridwatch.sim.schemas import TRUTH_LINKS
from gridwatch.sim.skeleton import City

CHINESE_TARIFF_LABELS: dict[str, tuple[str, ...]] = {}
for _label, _std in TARIFF_ALIASES.items():
    if not _label.isascii():
        CHINESE_TARIFF_LABELS.setdefault(_std, ())
        CHINESE_TARIFF_LABELS[_std] += (_label,)

CHINESE_STATUS = {"active": "正常", "closed": "销户", "suspended": "暂停"}
"""Status labels of rows written in Chinese (accepted aliases of the contract)."""

EXTRA_ADDRESS_SHARE = 0.1
"""Standard addresses generated per customer with no account behind them (empty flats, new buildings)."""
WATER_ACCOUNT_SHARE = 0.5
"""Share of customers whose water account appears in the water file."""
COORDINATE_SHARE = 0.6
"""Share of customer rows that carry lon/lat (GPS of the meter box, ~30 m error)."""
SUBMETER_SHARE = 0.15
"""Share of permitted factories with sub-metered production and treatment channels (分表计电)."""
SUBMETER_SCENARIOS = (("normal", 0.7), ("cheating", 0.12), ("faulty", 0.1), ("restricted", 0.08))
WATER_M3_PER_BASE_KWH = {
    "residential": 0.08,
    "commercial": 0.05,
    "industrial": 0.02,
    "agricultural": 0.3,
    "other": 0.01,
}
VERIFIED_WORKSHOP_SHARE = 0.6
"""Share of hidden workshops (without a closure) that past campaigns verified [-]."""
FALSE_ALARMS_PER_HIT = 1.0
"""False alarms verified per confirmed workshop in past campaigns (≈ 50 % precision; Changzhou 58 %) [-]."""
FALSE_ALARM_KINDS = ("household_large", "household_ev", "household_home_office", "hostel",
                     "household_electric_heating", "household", "vacant")
"""Residential accounts that past screens flagged wrongly (weight ∝ their load)."""
FALSE_ALARM_OUTCOMES = {"hostel": "legal_business", "household_home_office": "legal_business", "vacant": "vacant"}
KIND_WATER_FACTOR = {"restaurant": 2.5, "hostel": 1.5, "office": 0.6}


@dataclass
class BlockResult:
    tables: dict[str, pa.Table]


def _dates(start: date, n: int) -> np.ndarray:
    return np.arange(np.datetime64(start), np.datetime64(start) + n, dtype="datetime64[D]")


def _to_date(start: date, day: int) -> date | None:
    return None if day < -100000 else start + timedelta(days=int(day))


def generate_block(params: SimParams, block: int, city: City, cal: Calendar) -> BlockResult:
    ss = np.random.SeedSequence([params.seed, block])
    r_pop, r_daily, r_int, r_addr, r_misc = (np.random.default_rng(s) for s in ss.spawn(5))
    n = min(BLOCK_SIZE, params.customers - block * BLOCK_SIZE)
    days = params.days
    start = params.end - timedelta(days=days - 1)
    pop = sample_population(r_pop, n, days, city, params.workshop_rate)
    comp = daily_components(pop, cal, r_daily)
    pop.capacity = contracted_capacity(pop, comp)

    accounts = np.array(
        [
            f"3{city.communities[c].district_code[4:6]}{block * BLOCK_SIZE + i:08d}"
            for i, c in enumerate(pop.comm)
        ],
        dtype=object,
    )
    tables: dict[str, pa.Table] = {}
    addrs, raw, noise = _addresses(pop, city, r_addr, n)
    tables["addresses"] = _address_table(addrs + _extra_addresses(city, r_addr, n))
    customers, names = _customers(params, pop, city, accounts, addrs, raw, start, r_misc)
    tables["customers"] = customers
    tables["truth_customers"] = _truth(pop, accounts, addrs, noise, start)
    tables["readings_daily"] = _daily_table(comp, accounts, cal, params, r_daily)
    if params.interval:
        tables["readings_interval"] = _interval_table(pop, comp, accounts, cal, params, r_int)
    links = _Links()
    tables.update(_firms(pop, names, accounts, addrs, start, days, links, r_misc))
    tables["water"] = _water(pop, comp, cal, accounts, addrs, params, block, links, r_misc)
    tables["truth_links"] = links.table()
    tables["closures"], tables["labels"] = _enforcement(
        pop, accounts, start, days, params.label_share, r_misc
    )
    return BlockResult(tables)


# --- addresses -----------------------------------------------------------------------------------------


def _addresses(
    pop: Population, city: City, rng: np.random.Generator, n: int
) -> tuple[list[Address], list[str], list[list[str]]]:
    u = rng.random((n, DICE_WIDTH))
    addrs, raw, noise = [], [], []
    for i in range(n):
        dice = Dice(u[i])
        comm = city.communities[pop.comm[i]]
        a = make_address(comm, form_for(KIND_NAMES[pop.kind[i]], comm.is_village, dice), dice)
        text, applied = messy(a, dice)
        addrs.append(a)
        raw.append(text)
        noise.append(applied)
    return addrs, raw, noise


def _extra_addresses(city: City, rng: np.random.Generator, n: int) -> list[Address]:
    m = round(n * EXTRA_ADDRESS_SHARE)
    comms = rng.choice(len(city.communities), m, p=city.weights)
    u = rng.random((m, DICE_WIDTH))
    out = []
    for i in range(m):
        comm = city.communities[comms[i]]
        dice = Dice(u[i])
        out.append(make_address(comm, form_for("household", comm.is_village, dice), dice))
    return out


def _address_table(addrs: list[Address]) -> pa.Table:
    seen: set[str] = set()
    uniq = [a for a in addrs if not (a.address_id in seen or seen.add(a.address_id))]
    cols: dict[str, list] = {
        "address_id": [a.address_id for a in uniq],
        "full_text": [a.full_text for a in uniq],
    }
    for c in ("district", "town", "community", "road", "roadno", "poi", "building", "unit", "room"):
        cols[c] = [a.parts[c] for a in uniq]
    cols["district_code"] = [a.comm.district_code for a in uniq]
    cols["town_code"] = [a.comm.town_code for a in uniq]
    cols["community_code"] = [a.comm.code for a in uniq]
    cols["grid_cell"] = [a.grid_cell for a in uniq]
    cols["lon"] = [a.lon for a in uniq]
    cols["lat"] = [a.lat for a in uniq]
    return pa.table(cols)


# --- customers and truth -------------------------------------------------------------------------------


def _customers(
    params: SimParams,
    pop: Population,
    city: City,
    accounts: np.ndarray,
    addrs: list[Address],
    raw: list[str],
    start: date,
    rng: np.random.Generator,
) -> tuple[pa.Table, list[str]]:
    n = pop.n
    kinds = [KIND_NAMES[k] for k in pop.kind]
    spec = {k.name: k for k in KINDS}
    tariff = [spec[k].tariff if k != WORKSHOP_KIND else "residential" for k in kinds]
    u = rng.random((n, 8))
    tariff_out = []
    for i, t in enumerate(tariff):
        labels = CHINESE_TARIFF_LABELS.get(t, ())
        tariff_out.append(
            labels[int(u[i, 0] * len(labels))] if labels and u[i, 1] < params.chinese_tariff_share else t
        )
    names = []
    for i, k in enumerate(kinds):
        comm = city.communities[pop.comm[i]]
        if k in firms.COMMERCIAL_WORDS:
            words = firms.COMMERCIAL_WORDS[k]
            names.append(
                firms.firm_name(comm.district, comm.root, u[i, 2], u[i, 3], words[int(u[i, 4] * len(words))])
            )
        elif k.startswith("factory"):
            t = TRADES[pop.trade[i]]
            names.append(firms.firm_name(comm.district, comm.root, u[i, 2], u[i, 3], t.label + "有限公司"))
        elif k == "public":
            names.append(f"{comm.name}路灯" if u[i, 2] < 0.5 else f"{comm.name}水泵房")
        elif k == "farm":
            names.append(
                f"{comm.name}经济合作社" if u[i, 2] < 0.3 else firms.person_name(u[i, 3], u[i, 4], u[i, 5])
            )
        else:
            names.append(firms.person_name(u[i, 2], u[i, 3], u[i, 4]))
    voltage = np.where(pop.capacity >= 160, "10kV", np.where(pop.capacity >= 16, "380V", "220V")).tolist()
    opened = [start + timedelta(days=int(d)) for d in pop.opened]
    status = np.where(pop.closed < pop.days, "closed", "active").astype(object)
    status[(status == "active") & (u[:, 6] < 0.003)] = "suspended"
    chinese = u[:, 1] < params.chinese_tariff_share  # the same export writes both fields in Chinese
    status[chinese] = [CHINESE_STATUS[s] for s in status[chinese]]
    has_xy = u[:, 7] < COORDINATE_SHARE
    jitter = rng.normal(0, 0.0003, (n, 2))
    lon = [round(a.lon + jitter[i, 0], 6) if has_xy[i] else None for i, a in enumerate(addrs)]
    lat = [round(a.lat + jitter[i, 1], 6) if has_xy[i] else None for i, a in enumerate(addrs)]
    tq = [f"TQ{a.comm.code[6:]}{a.grid_cell[-2:]}" for a in addrs]
    customers = pa.table(
        {
            "account_no": pa.array(accounts, pa.string()),
            "name": names,
            "tariff": tariff_out,
            "address": raw,
            "capacity_kva": pa.array(pop.capacity, pa.float64()),
            "voltage": voltage,
            "opened_on": pa.array(opened, pa.date32()),
            "status": pa.array(status, pa.string()),
            "lon": pa.array(lon, pa.float64()),
            "lat": pa.array(lat, pa.float64()),
            "transformer_district": tq,
        }
    )
    return customers, names


def _truth(
    pop: Population, accounts: np.ndarray, addrs: list[Address], noise: list[list[str]], start: date
) -> pa.Table:
    kinds = [KIND_NAMES[k] for k in pop.kind]
    is_ws = pop.kind == K[WORKSHOP_KIND]
    trade = [TRADES[t].name if t >= 0 else "" for t in pop.trade]
    active_from = [
        start + timedelta(days=int(max(0, pop.active_from[i]))) if is_ws[i] else None for i in range(pop.n)
    ]
    active_to = [
        start + timedelta(days=int(pop.active_to[i]) - 1)
        if is_ws[i] and pop.active_to[i] < pop.days
        else None
        for i in range(pop.n)
    ]
    related = [accounts[j] if j >= 0 else "" for j in pop.related]
    return pa.table(
        {
            "account_no": pa.array(accounts, pa.string()),
            "kind": kinds,
            "is_workshop": pa.array(is_ws, pa.bool_()),
            "trade": trade,
            "patterns": [";".join(p) for p in pop.patterns],
            "active_from": pa.array(active_from, pa.date32()),
            "active_to": pa.array(active_to, pa.date32()),
            "address_id": [a.address_id for a in addrs],
            "address_noise": [";".join(x) for x in noise],
            "related_account": related,
            "community_code": [a.comm.code for a in addrs],
        }
    )


# --- readings ------------------------------------------------------------------------------------------


def _account_column(accounts: np.ndarray, idx: np.ndarray) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(idx.astype(np.int32)), pa.array(accounts, pa.string()))


def _daily_table(
    comp: Components, accounts: np.ndarray, cal: Calendar, params: SimParams, rng: np.random.Generator
) -> pa.Table:
    total = np.round(comp.total, 2)
    keep = comp.exists & (rng.random(total.shape) >= params.missing_rate)
    ci, di = np.nonzero(keep)
    return pa.table(
        {
            "account_no": _account_column(accounts, ci),
            "date": pa.DictionaryArray.from_arrays(
                pa.array(di.astype(np.int32)), pa.array(cal.dates.astype("datetime64[D]"), pa.date32())
            ),
            "kwh": pa.array(total[ci, di], pa.float64()),
        }
    )


def _interval_table(
    pop: Population,
    comp: Components,
    accounts: np.ndarray,
    cal: Calendar,
    params: SimParams,
    rng: np.random.Generator,
) -> pa.Table:
    d0 = params.days - params.interval_days
    q = interval_split(pop, cal, comp, slice(d0, params.days), rng)  # (n, days, 96)
    step = (params.interval or 15) // 15
    if step > 1:
        q = q.reshape(q.shape[0], q.shape[1], -1, step).sum(axis=3)
    per_day = q.shape[2]
    exists = comp.exists[:, d0:]
    keep = np.repeat(exists[:, :, None], per_day, axis=2) & (rng.random(q.shape) >= params.missing_rate)
    ci, di, si = np.nonzero(keep)
    day_ns = cal.dates[d0:].astype("datetime64[s]").astype(np.int64)
    minutes = params.interval or 15
    slot_ts = (day_ns[:, None] + np.arange(per_day, dtype=np.int64)[None, :] * minutes * 60).ravel()
    ts_idx = (di * per_day + si).astype(np.int32)
    kwh = np.round(q[ci, di, si].astype(np.float64), 3)
    return pa.table(
        {
            "account_no": _account_column(accounts, ci),
            "ts": pa.DictionaryArray.from_arrays(pa.array(ts_idx), pa.array(slot_ts, pa.timestamp("s"))),
            "kwh": pa.array(kwh, pa.float64()),
            "interval_min": pa.DictionaryArray.from_arrays(
                pa.array(np.zeros(len(ci), dtype=np.int32)), pa.array([minutes], pa.int64())
            ),
        }
    )


class _Links:
    """Truth of the other raw addresses: which account and standard address a water account, registry
    entry or permit stands for, and the noise its written address carries (``truth/links``)."""

    def __init__(self) -> None:
        self.rows: dict[str, list] = {k: [] for k in ("source", "key", "account_no", "address_id", "address_noise")}

    def add(self, source: str, key: str, account: str, a: Address, noise: list[str]) -> None:
        for col, v in zip(self.rows, (source, key, account, a.address_id, ";".join(noise)), strict=True):
            self.rows[col].append(v)

    def messy(self, source: str, key: str, account: str, a: Address, dice: Dice | np.random.Generator) -> str:
        if not isinstance(dice, Dice):
            dice = Dice(dice.random(DICE_WIDTH))
        text, noise = messy(a, dice)
        self.add(source, key, account, a, noise)
        return text

    def table(self) -> pa.Table:
        return pa.table(self.rows, schema=TRUTH_LINKS)


# --- firms, permits, sub-meters --------------------------------------------------------------------------


def _firms(
    pop: Population,
    names: list[str],
    accounts: np.ndarray,
    addrs: list[Address],
    start: date,
    days: int,
    links: _Links,
    rng: np.random.Generator,
) -> dict[str, pa.Table]:
    reg: dict[str, list] = {"uscc": [], "name": [], "address": [], "industry": [], "status": []}
    permits: dict[str, list] = {
        k: []
        for k in (
            "permit_no",
            "holder",
            "uscc",
            "address",
            "industry_code",
            "valid_from",
            "valid_to",
            "account_no",
        )
    }
    subm: dict[str, list] = {
        k: []
        for k in (
            "enterprise_id",
            "enterprise_name",
            "account_no",
            "mn",
            "password",
            "channel_id",
            "facility_kind",
            "pairs_with",
            "rated_kw",
            "scenario",
        )
    }
    kinds = [KIND_NAMES[k] for k in pop.kind]
    end = start + timedelta(days=days - 1)
    for i, k in enumerate(kinds):
        if not pop.registered[i]:
            continue
        u = rng.random(16)
        a = addrs[i]
        code = firms.uscc(
            accounts[i].encode(), a.comm.district_code, individual=k in ("shop", "restaurant") and u[1] < 0.6
        )
        name = names[i]
        if pop.dereg_day[i] >= 0:
            status = "注销"
        else:
            status = "吊销" if u[2] < 0.01 else ("存续" if u[3] < 0.8 else "在业")
        industry = (
            TRADES[pop.trade[i]].industry_code if pop.trade[i] >= 0 else firms.INDUSTRY_OF_KIND.get(k, "")
        )
        reg["uscc"].append(code)
        reg["name"].append(name)
        reg["address"].append(links.messy("registry", code, accounts[i], a, rng))
        reg["industry"].append(industry)
        reg["status"].append(status)
        if k == "factory_permitted":
            vf = start - timedelta(days=int(u[4] * 1500))
            vt = vf + timedelta(days=5 * 365)
            if u[5] < 0.08:  # expired during the window and not renewed
                vt = start + timedelta(days=int(u[6] * days))
            permits["permit_no"].append(code + f"{1 + int(u[7] * 2):03d}" + "UVWQ"[int(u[8] * 4)])
            permits["holder"].append(name)
            permits["uscc"].append(code)
            permit_no = permits["permit_no"][-1]
            if u[9] < 0.5:
                permits["address"].append(links.messy("permits", permit_no, accounts[i], a, rng))
            else:
                permits["address"].append(a.full_text)
                links.add("permits", permit_no, accounts[i], a, [])
            permits["industry_code"].append(industry)
            permits["valid_from"].append(vf)
            permits["valid_to"].append(vt)
            permits["account_no"].append(accounts[i] if u[10] < 0.7 else None)
            if u[11] < SUBMETER_SHARE:
                _submeter(subm, accounts[i], name, a, pop.capacity[i], u, rng)
    del end
    return {
        "registry": pa.table(reg),
        "permits": pa.table(
            {
                **permits,
                "valid_from": pa.array(permits["valid_from"], pa.date32()),
                "valid_to": pa.array(permits["valid_to"], pa.date32()),
            }
        ),
        "submeters": pa.table({**subm, "rated_kw": pa.array(subm["rated_kw"], pa.float64())}),
    }


def _submeter(
    subm: dict[str, list],
    account: str,
    name: str,
    a: Address,
    capacity: float,
    u: np.ndarray,
    rng: np.random.Generator,
) -> None:
    eid = "E" + account
    mn = firms.mn_code(account, a.comm.district_code)
    pw = f"{int(u[12] * 900000) + 100000}"
    cum = np.cumsum([p for _, p in SUBMETER_SCENARIOS])
    scenario = SUBMETER_SCENARIOS[int(np.searchsorted(cum, u[13] * cum[-1]))][0]
    n_prod = 1 + int(u[14] * 3)
    for j in range(n_prod):
        pid = f"{eid}-P{j + 1}"
        prod_kw = round(float(capacity) * 0.8 / n_prod * rng.uniform(0.5, 1.0), 1)
        for kind_, cid, pair, kw in (
            ("production", pid, "", prod_kw),
            ("treatment", f"{eid}-T{j + 1}", pid, round(prod_kw * rng.uniform(0.1, 0.4), 1)),
        ):
            subm["enterprise_id"].append(eid)
            subm["enterprise_name"].append(name)
            subm["account_no"].append(account)
            subm["mn"].append(mn)
            subm["password"].append(pw)
            subm["channel_id"].append(cid)
            subm["facility_kind"].append(kind_)
            subm["pairs_with"].append(pair)
            subm["rated_kw"].append(kw)
            subm["scenario"].append(scenario)


# --- water ---------------------------------------------------------------------------------------------


def _water(
    pop: Population,
    comp: Components,
    cal: Calendar,
    accounts: np.ndarray,
    addrs: list[Address],
    params: SimParams,
    block: int,
    links: _Links,
    rng: np.random.Generator,
) -> pa.Table:
    n = pop.n
    has = rng.random(n) < WATER_ACCOUNT_SHARE
    linked = rng.random(n) < params.linked_water_share
    kinds = [KIND_NAMES[k] for k in pop.kind]
    spec = {k.name: k for k in KINDS}
    ratio = np.array(
        [
            WATER_M3_PER_BASE_KWH[spec[k].tariff if k != WORKSHOP_KIND else "residential"]
            * KIND_WATER_FACTOR.get(k, 1.0)
            for k in kinds
        ]
    )
    trade_ratio = np.array([TRADES[t].water_m3_per_kwh if t >= 0 else 0.0 for t in pop.trade])
    daily_m3 = (comp.base * ratio[:, None] + comp.work * trade_ratio[:, None]) * comp.exists
    months = cal.dates.astype("datetime64[M]")
    um, first = np.unique(months, return_index=True)
    monthly = np.add.reduceat(daily_m3, first, axis=1)
    monthly = np.round(monthly * np.exp(rng.normal(0, 0.2, monthly.shape)), 1)
    open_days = np.add.reduceat(comp.exists.astype(np.int32), first, axis=1)
    rows_c, rows_m = np.nonzero(has[:, None] & (open_days > 0))
    wacc = [f"W{block:05d}{i:04d}" for i in range(n)]
    u = rng.random((n, DICE_WIDTH))
    addr_text = [
        links.messy("water", wacc[i], accounts[i], a, Dice(u[i])) if has[i] else "" for i, a in enumerate(addrs)
    ]
    return pa.table(
        {
            "water_account": [wacc[c] for c in rows_c],
            "month_start": pa.array(um[rows_m].astype("datetime64[D]"), pa.date32()),
            "m3": pa.array(monthly[rows_c, rows_m], pa.float64()),
            "address": [addr_text[c] for c in rows_c],
            "account_no": [accounts[c] if linked[c] else None for c in rows_c],
        }
    )


# --- enforcement history: closures and verification labels -------------------------------------------


def _enforcement(
    pop: Population, accounts: np.ndarray, start: date, days: int, share: float, rng: np.random.Generator
) -> tuple[pa.Table, pa.Table]:
    clo: dict[str, list] = {"account_no": [], "closed_on": [], "measure": [], "source": []}
    lab: dict[str, list] = {
        k: [] for k in ("account_no", "verified_on", "outcome", "is_workshop", "trade", "source")
    }
    is_ws = pop.kind == K[WORKSHOP_KIND]
    for i in np.flatnonzero(pop.closure_day >= 0):
        pats = pop.patterns[i]
        measure = (
            ("relocate" if rng.random() < 0.4 else "shutdown")
            if "moved_away" in pats
            else ("shutdown" if rng.random() < 0.6 else "order_stop")
        )
        clo["account_no"].append(accounts[i])
        clo["closed_on"].append(start + timedelta(days=int(max(0, pop.closure_day[i]))))
        clo["measure"].append(measure)
        clo["source"].append(f"ledger-{start.year}")
    for i in np.flatnonzero(np.array(["deregistered_stopped" in p for p in pop.patterns], dtype=bool)):
        if rng.random() < 0.3:
            clo["account_no"].append(accounts[i])
            clo["closed_on"].append(start + timedelta(days=int(max(0, pop.active_to[i] - 1))))
            clo["measure"].append("order_stop")
            clo["source"].append(f"ledger-{start.year}")
    # Past-verified suspects: workshops found by earlier campaigns (all with a closure, VERIFIED_WORKSHOP_SHARE
    # of the others) and false alarms — confounders drawn with probability ∝ their base load (past screens
    # looked at consumption), FALSE_ALARMS_PER_HIT per verified workshop.  Only `share` reach the labels.
    verified = is_ws & ((pop.closure_day >= 0) | (rng.random(pop.n) < VERIFIED_WORKSHOP_SHARE))
    confounders = np.flatnonzero(np.isin(pop.kind, [K[k] for k in FALSE_ALARM_KINDS]))
    false_alarm = np.zeros(pop.n, dtype=bool)
    n_false = min(len(confounders), int(rng.poisson(FALSE_ALARMS_PER_HIT * max(int(verified.sum()), 0.5))))
    if n_false:
        weight = (pop.base[confounders] + pop.work[confounders] + 5 * pop.ac[confounders]
                  + pop.ev_kwh[confounders] * pop.ev_prob[confounders]) ** 2
        false_alarm[rng.choice(confounders, n_false, replace=False, p=weight / weight.sum())] = True
    for i in np.flatnonzero((verified | false_alarm) & (rng.random(pop.n) < share)):
        k = KIND_NAMES[pop.kind[i]]
        day = int(pop.closure_day[i]) if pop.closure_day[i] >= 0 else int(rng.integers(0, max(1, days)))
        if is_ws[i]:
            outcome, ws, trade = "confirmed", True, TRADES[pop.trade[i]].name
        else:
            outcome = FALSE_ALARM_OUTCOMES.get(k, "household")
            if rng.random() < 0.08:
                outcome = "not_found"
            ws, trade = False, ""
        lab["account_no"].append(accounts[i])
        lab["verified_on"].append(start + timedelta(days=day))
        lab["outcome"].append(outcome)
        lab["is_workshop"].append(ws)
        lab["trade"].append(trade)
        lab["source"].append(f"WO-{start.year}-{int(rng.integers(1, 10**6)):06d}")
    closures = pa.table({**clo, "closed_on": pa.array(clo["closed_on"], pa.date32())})
    labels = pa.table(
        {
            **lab,
            "verified_on": pa.array(lab["verified_on"], pa.date32()),
            "is_workshop": pa.array(lab["is_workshop"], pa.bool_()),
        }
    )
    return closures, labels
