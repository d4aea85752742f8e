"""Intraday load shapes (96 quarter-hours) and weekly ratios.

Measured shapes come from ``data/load_shapes.csv``, derived by ``tools/derive_load_shapes.py`` from the
VDI 4657 reference load profiles (ttjaden/vdi4657.app; code MIT, data CC BY 4.0 — see
``data/LICENSE``): mean shape per day type (weekday, Saturday, Sunday), normalised to sum 1,
the day type's energy relative to weekdays (``ratio``) and the day-to-day coefficient of variation
(``day_cv``).  Air-conditioning and heating shapes are synthetic (see docs/SIMULATOR.md).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

SLOTS = 96
DAYTYPES = ("weekday", "saturday", "sunday")


@dataclass(frozen=True)
class ShapeBook:
    names: tuple[str, ...]
    shapes: np.ndarray  # (profile, daytype, 96), each row sums to 1
    ratio: np.ndarray  # (profile, daytype)
    day_cv: np.ndarray  # (profile, daytype)

    def index(self, name: str) -> int:
        return self.names.index(name)


def _synthetic(points: dict[float, float]) -> np.ndarray:
    """A 96-slot shape interpolated (cyclically) from hour → relative level, normalised to sum 1."""
    hours = np.array(sorted(points))
    vals = np.array([points[h] for h in hours])
    x = np.arange(SLOTS) / 4 + 0.125
    y = np.interp(x, np.concatenate([hours - 24, hours, hours + 24]), np.concatenate([vals, vals, vals]))
    return y / y.sum()


SYNTHETIC: dict[str, dict[float, float]] = {
    # Residential air-conditioning: bedrooms at night, living room in the evening, some afternoon use.
    "ac_home": {0: 1.0, 3: 0.9, 6: 0.6, 8: 0.15, 12: 0.25, 15: 0.35, 18: 0.55, 21: 0.9, 23: 1.0},
    # Commercial air-conditioning: business hours.
    "ac_business": {0: 0.05, 7: 0.1, 9: 0.8, 12: 1.0, 15: 1.0, 19: 0.9, 22: 0.3, 23: 0.1},
    # Electric heating: mornings and evenings at home.
    "heat_home": {0: 0.5, 5: 0.6, 7: 1.0, 9: 0.4, 12: 0.3, 17: 0.5, 19: 1.0, 22: 0.9},
    # Hostel (many rooms, people come and go): flattened household with a late evening peak.
    "hostel": {0: 0.8, 4: 0.55, 7: 0.7, 10: 0.6, 13: 0.65, 17: 0.75, 20: 1.0, 23: 0.95},
    # Home office: daytime computer, lighting and small equipment.
    "home_office": {0: 0.1, 7: 0.2, 9: 1.0, 12: 0.8, 14: 1.0, 18: 0.5, 21: 0.2},
    # Restaurants: lunch and dinner peaks (refrigeration keeps a base).
    "restaurant": {0: 0.25, 6: 0.25, 9: 0.5, 11: 1.0, 13: 0.8, 15: 0.5, 17: 0.9, 19: 1.0, 21: 0.6, 23: 0.3},
    # Agricultural pumps and sheds: daytime.
    "farm": {0: 0.2, 6: 0.4, 8: 1.0, 17: 1.0, 19: 0.4, 22: 0.2},
    # Public lighting and pumps: night lighting.
    "public": {0: 1.0, 6: 1.0, 7: 0.1, 17: 0.1, 18: 1.0, 23: 1.0},
}


@lru_cache(maxsize=1)
def shape_book() -> ShapeBook:
    raw = (resources.files("gridwatch.sim") / "data" / "load_shapes.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(raw)))
    names: list[str] = []
    for r in rows:
        if r["profile"] not in names:
            names.append(r["profile"])
    names += list(SYNTHETIC)
    n = len(names)
    shapes = np.zeros((n, 3, SLOTS))
    ratio = np.ones((n, 3))
    cv = np.full((n, 3), 0.1)
    for r in rows:
        i, j = names.index(r["profile"]), DAYTYPES.index(r["daytype"])
        shapes[i, j] = [float(r[f"s{k:02d}"]) for k in range(SLOTS)]
        ratio[i, j] = float(r["ratio"])
        cv[i, j] = float(r["day_cv"])
    for name, pts in SYNTHETIC.items():
        i = names.index(name)
        shapes[i, :] = _synthetic(pts)
    shapes /= shapes.sum(axis=2, keepdims=True)
    return ShapeBook(tuple(names), shapes, ratio, cv)
