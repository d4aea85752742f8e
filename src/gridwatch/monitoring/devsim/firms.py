"""Simulated firms and their power curves, per scenario (pure: no I/O).

Scenarios and what a good detector set should say about them:

| scenario | variant | behaviour | expected alarms |
|---|---|---|---|
| normal | — | shift work, lunch break; treatment leads production by a minute, dips thrice | none |
| cheating | off | treatment switched off for 20-120 min while production runs | ``treatment_off`` |
| cheating | weak | treatment run at 35-75 % of its usual power (fan turned down) | ``ratio_low`` |
| faulty | stuck | the meter repeats one value (flat line) | ``flatline`` |
| faulty | garbage | the meter sends impossible values | ``implausible`` |
| faulty | gap | the monitor loses an hour of data | ``data_gap`` |
| restricted | comply | a stop/limit period is declared and the firm obeys | none |
| restricted | defy | a stop/limit period is declared and the firm keeps producing | ``restriction`` |
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from gridwatch.monitoring.registry import ChannelSpec

SCENARIOS = ("normal", "cheating", "faulty", "restricted")
VARIANTS: dict[str, tuple[str, ...]] = {
    "normal": ("normal",),
    "cheating": ("off", "weak"),
    "faulty": ("stuck", "garbage", "gap"),
    "restricted": ("comply", "defy"),
}
EXPECTED: dict[str, frozenset[str]] = {
    "normal": frozenset(),
    "off": frozenset({"treatment_off"}),
    "weak": frozenset({"ratio_low"}),
    "stuck": frozenset({"flatline"}),
    "garbage": frozenset({"implausible"}),
    "gap": frozenset({"data_gap"}),
    "comply": frozenset(),
    "defy": frozenset({"restriction"}),
}
SIM_START = datetime(2026, 11, 23, 8, 0)
SHIFT_START_MIN = 30  # production starts 30 min into the run
EVENT_START_MIN = 150  # cheating, faults and restrictions start here (after the ratio band is learned)
EVENT_LEN_MIN = 120


@dataclass
class SimFirm:
    enterprise_id: str
    name: str
    account_no: str
    mn: str
    password: str
    channels: list[ChannelSpec]
    scenario: str
    variant: str
    seed: int
    restriction: tuple[str, float] | None = None  # (action, limit_pct) of its emergency plan
    kwh: dict[str, float] = field(default_factory=dict)

    @property
    def expected(self) -> frozenset[str]:
        return EXPECTED[self.variant]


def generate_firms(n: int, *, seed: int = 7) -> list[SimFirm]:
    """``n`` firms, scenarios in the proportions 40/20/20/20, variants round-robin."""
    rng = random.Random(seed)
    firms: list[SimFirm] = []
    counters = dict.fromkeys(SCENARIOS, 0)
    for i in range(n):
        r = i % 10
        scenario = "normal" if r < 4 else "cheating" if r < 6 else "faulty" if r < 8 else "restricted"
        variants = VARIANTS[scenario]
        variant = variants[counters[scenario] % len(variants)]
        counters[scenario] += 1
        rated_p = round(rng.uniform(15, 80), 1)
        rated_t = round(rated_p * rng.uniform(0.15, 0.3), 1)
        firms.append(
            SimFirm(
                enterprise_id=f"SIM{i:05d}",
                name=f"模拟企业{i:05d}",
                account_no=f"99{i:08d}",
                mn=f"SIMMN{i:019d}",
                password=f"{rng.randrange(10**6):06d}",
                channels=[
                    ChannelSpec("p1", "production", None, rated_p),
                    ChannelSpec("t1", "treatment", "p1", rated_t),
                ],
                scenario=scenario,
                variant=variant,
                seed=rng.randrange(2**31),
            )
        )
    for f in firms:
        if f.scenario == "restricted":
            f.restriction = ("stop", 0.0) if f.seed % 2 else ("limit", 50.0)
    return firms


def firms_from_submeters(devices: dict[str, dict], *, seed: int = 7) -> list[SimFirm]:
    """Firms from a ``submeters.csv`` (registry.read_submeters): its scenario column picks the behaviour."""
    rng = random.Random(seed)
    firms = []
    counters = dict.fromkeys(SCENARIOS, 0)
    for dev in devices.values():
        scenario = dev.get("scenario") or "normal"
        if scenario not in SCENARIOS:
            raise ValueError(f"MN {dev['mn']}: scenario {scenario!r} is not one of {SCENARIOS}")
        variant = VARIANTS[scenario][counters[scenario] % len(VARIANTS[scenario])]
        counters[scenario] += 1
        channels = [
            c
            if c.rated_kw
            else ChannelSpec(c.channel_id, c.kind, c.pairs_with, 20.0 if c.kind == "production" else 5.0)
            for c in dev["channels"]
        ]
        f = SimFirm(
            dev["enterprise_id"],
            dev.get("enterprise_name") or dev["enterprise_id"],
            dev.get("account_no") or "",
            dev["mn"],
            dev["password"],
            channels,
            scenario,
            variant,
            rng.randrange(2**31),
        )
        if scenario == "restricted":
            f.restriction = ("stop", 0.0) if f.seed % 2 else ("limit", 50.0)
        firms.append(f)
    return firms


class Curve:
    """Power of each channel of one firm at simulated minute ``k`` (deterministic per firm)."""

    def __init__(self, firm: SimFirm) -> None:
        self.firm = firm
        self.rng = random.Random(firm.seed)
        self.treat_ratio = {
            c.channel_id: self.rng.uniform(0.6, 0.9) for c in firm.channels if c.kind == "treatment"
        }
        self.stuck_value: float | None = None
        # confounders every firm has: a lunch break, and now and then a one-minute treatment dip
        self.lunch = self.rng.randrange(200, 240)
        self.dips = {self.rng.randrange(SHIFT_START_MIN, 300) for _ in range(3)}
        # how hard the cheat is to see: a weak fan at 35-75 % of its power, treatment off for 20-120 min
        self.weak_factor = self.rng.uniform(0.35, 0.75)
        self.off_len = self.rng.randrange(20, EVENT_LEN_MIN + 1)

    def in_event(self, k: int) -> bool:
        return EVENT_START_MIN <= k < EVENT_START_MIN + EVENT_LEN_MIN

    def production_level(self, k: int) -> float:
        """Share of rated power the production line draws."""
        if k < SHIFT_START_MIN:
            return 0.01
        if self.lunch <= k < self.lunch + 40:
            return 0.01
        base = 0.7 + 0.15 * math.sin(k / 17.0) + self.rng.gauss(0, 0.04)
        f = self.firm
        complying = f.variant == "comply" and EVENT_START_MIN - 2 <= k < EVENT_START_MIN + EVENT_LEN_MIN
        if complying:
            action, pct = f.restriction or ("limit", 50.0)
            return 0.01 if action == "stop" else base * (1 - pct / 100) * 0.85
        return max(base, 0.05)

    def powers(self, k: int) -> dict[str, float]:
        f = self.firm
        level = self.production_level(k)
        prod_on = level > 0.2
        out: dict[str, float] = {}
        by_id = {c.channel_id: c for c in f.channels}
        for c in f.channels:
            rated = c.rated_kw or 10.0
            if c.kind == "production":
                out[c.channel_id] = round(rated * level + self.rng.gauss(0, 0.02), 3)
                continue
            prod = by_id.get(c.pairs_with or "")
            # treatment starts a minute before production and follows its load
            running = prod_on or (k >= SHIFT_START_MIN - 1 and k < SHIFT_START_MIN + 1)
            if prod is None:
                running = True
            value = rated * self.treat_ratio[c.channel_id] * (0.6 + 0.4 * level) if running else 0.02
            if k in self.dips:
                value = 0.02
            if f.variant == "off" and EVENT_START_MIN <= k < EVENT_START_MIN + self.off_len:
                value = 0.02
            if f.variant == "weak" and self.in_event(k):
                value *= self.weak_factor
            out[c.channel_id] = round(max(value + self.rng.gauss(0, 0.03), 0.0), 3)
        if f.variant == "stuck" and self.in_event(k):
            if self.stuck_value is None:
                self.stuck_value = out[f.channels[0].channel_id]
            out = {
                cid: (self.stuck_value if cid == f.channels[0].channel_id else v) for cid, v in out.items()
            }
        if f.variant == "garbage" and self.in_event(k) and k % 10 < 5:
            first = f.channels[0]
            out[first.channel_id] = -abs(out[first.channel_id]) - 5 if k % 2 else (first.rated_kw or 10) * 9
        return out

    def sends(self, k: int) -> bool:
        """Whether the monitor sends the frame of minute ``k`` (a gap variant loses an hour)."""
        return not (self.firm.variant == "gap" and EVENT_START_MIN <= k < EVENT_START_MIN + 60)


def data_time(k: int, step_s: float) -> datetime:
    return SIM_START + timedelta(seconds=k * step_s)
