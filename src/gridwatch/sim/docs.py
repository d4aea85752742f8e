"""Generated parameter tables of docs/SIMULATOR.md (a test fails when the document is stale).

Update the document with ``python -m gridwatch.sim.docs docs/SIMULATOR.md``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from gridwatch.sim import (
    addresses,
    block,
    consumption,
    kinds,
    params,
    population,
    profiles,
    skeleton,
    weather,
)
from gridwatch.sim.params import BLOCK_SIZE, SimParams

START = "<!-- generated parameter tables: start -->"
END = "<!-- generated parameter tables: end -->"

CONSTANT_MODULES = (kinds, params, profiles, addresses, population, consumption, block, weather, skeleton)
"""Defining modules first: a constant imported elsewhere is listed once, under the first module."""


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, tuple):
        return "(" + ", ".join(_fmt(x) for x in v) + ")"
    return str(v)


def _constants(module: object) -> list[tuple[str, object]]:
    out = []
    for name, value in vars(module).items():
        if not name.isupper() or name.startswith("_") or name in ("K", "N_KINDS", "WORKSHOP", "RESIDENTIAL"):
            continue
        if isinstance(value, (int, float)) or (
            isinstance(value, tuple) and all(isinstance(x, (int, float)) for x in value)
        ):
            out.append((name, value))
    return out


def render() -> str:
    lines = [START, "", "### Run parameters (`SimParams`, CLI options)", "",
             "| parameter | default | meaning |", "|---|---|---|"]
    for name, f in SimParams.model_fields.items():
        lines.append(f"| `{name}` | {_fmt(f.default)} | {f.description} |")
    lines += ["", f"Block size (determinism unit): {BLOCK_SIZE} customers.", "",
              "### Customer kinds (`kinds.KINDS`)", "",
              "| kind | tariff | share | base shape | base kWh/d (σ) | AC kWh/°C·d | heat kWh/°C·d | EV kWh × p "
              "| work kWh/d (σ) | work shape | Spring Festival p, days, level | weekly closed p | Saturday p "
              "| 3-shift p | registered p | capacity kVA |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for k in kinds.KINDS:
        lines.append(
            f"| {k.name} | {k.tariff} | {_fmt(k.share)} | {k.profile} | {_fmt(k.base_kwh)} ({_fmt(k.base_sigma)}) "
            f"| {_fmt(k.ac_kwh_per_c)} ({k.ac_profile}) | {_fmt(k.heat_kwh_per_c)} | {_fmt(k.ev_kwh)} × "
            f"{_fmt(k.ev_prob)} | {_fmt(k.work_kwh)} ({_fmt(k.work_sigma)}) | {k.work_profile} "
            f"| {_fmt(k.travel_prob)}, {_fmt(k.travel_days)}, {_fmt(k.away_level)} | {_fmt(k.weekly_closed_prob)} "
            f"| {_fmt(k.six_day_prob)} | {_fmt(k.shifts3_prob)} | {_fmt(k.registered)} | {_fmt(k.capacity_kva)} |"
        )
    lines += ["", "### Workshop trades (`kinds.TRADES`)", "",
              "| trade | 中文 | share | shape | work kWh/d (σ) | p night shift | p all week | p rain burst "
              "| duty | on/off run (¼ h) | water m³/kWh | GB/T 4754 | share of factories |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for t in kinds.TRADES:
        lines.append(
            f"| {t.name} | {t.label} | {_fmt(t.share)} | {t.profile} | {_fmt(t.work_kwh)} ({_fmt(t.work_sigma)}) "
            f"| {_fmt(t.night_shift_prob)} | {_fmt(t.all_week_prob)} | {_fmt(t.rain_burst_prob)} | {_fmt(t.duty)} "
            f"| {_fmt(t.cycle_slots)} | {_fmt(t.water_m3_per_kwh)} | {t.industry_code} | {_fmt(t.factory_share)} |"
        )
    lines += ["", "### Address noise (`addresses.COMPONENT_NOISES`, `addresses.TEXT_NOISES`)", "",
              "| noise | applies to | probability |", "|---|---|---|"]
    for name, (p, _) in addresses.COMPONENT_NOISES.items():
        lines.append(f"| {name} | components | {_fmt(p)} |")
    for name, (p, _) in addresses.TEXT_NOISES.items():
        lines.append(f"| {name} | text | {_fmt(p)} |")
    lines += ["", "### Districts (`skeleton.DISTRICTS`)", "",
              "| code | centre lon, lat | spread ° | population (M) | workshop factor |", "|---|---|---|---|---|"]
    for code, d in skeleton.DISTRICTS.items():
        lines.append(f"| {code} | {d.lon:.3f}, {d.lat:.3f} | {_fmt(d.spread_deg)} | {_fmt(d.population_m)} "
                     f"| {_fmt(d.workshop_factor)} |")
    lines += ["", "### Other constants", "", "| module | constant | value |", "|---|---|---|"]
    seen: set[str] = set()
    for mod in CONSTANT_MODULES:
        for name, value in _constants(mod):
            if name in seen:
                continue
            seen.add(name)
            lines.append(f"| {mod.__name__.rsplit('.', 1)[1]} | `{name}` | {_fmt(value)} |")
    lines += ["", END]
    return "\n".join(lines)


def update(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    a, b = text.index(START), text.index(END) + len(END)
    path.write_text(text[:a] + render() + text[b:], encoding="utf-8")


if __name__ == "__main__":
    update(Path(sys.argv[1]))
