"""The jurisdiction tree (辖区): city → district → street/town → community/village → grid cell (网格).

Codes follow the administrative divisions (4, 6, 9, 12 digits); a grid cell's code is its community's
code plus ``-`` and a suffix (``440106001001-G01``).  Every work order carries the code of each level, so
"is this order inside my jurisdiction" is one equality on the column of the user's level.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    CITY = "city"
    DISTRICT = "district"
    TOWN = "town"
    COMMUNITY = "community"
    GRID = "grid"


LEVEL_ORDER: tuple[Level, ...] = (Level.CITY, Level.DISTRICT, Level.TOWN, Level.COMMUNITY, Level.GRID)
ORDER_COLUMN: dict[Level, str] = {
    Level.CITY: "city_code",
    Level.DISTRICT: "district_code",
    Level.TOWN: "town_code",
    Level.COMMUNITY: "community_code",
    Level.GRID: "grid_cell",
}
"""The work-order column holding the code of each level."""

LEVEL_NAMES: dict[Level, tuple[str, str]] = {
    Level.CITY: ("市", "City"),
    Level.DISTRICT: ("区", "District"),
    Level.TOWN: ("街道/镇", "Street/town"),
    Level.COMMUNITY: ("社区/村", "Community/village"),
    Level.GRID: ("网格", "Grid cell"),
}


@dataclass(frozen=True)
class Place:
    """Codes of one location at every level (None where unknown)."""

    city_code: str
    district_code: str | None = None
    town_code: str | None = None
    community_code: str | None = None
    grid_cell: str | None = None

    def code_at(self, level: Level) -> str | None:
        return getattr(self, ORDER_COLUMN[level])

    @property
    def finest(self) -> tuple[Level, str]:
        """The most precise level known (the pool the order is dispatched to)."""
        for level in reversed(LEVEL_ORDER):
            code = self.code_at(level)
            if code:
                return level, code
        raise ValueError("a place needs at least the city code")


def level_of(code: str) -> Level:
    """Level of a jurisdiction code by its shape."""
    if "-" in code:
        return Level.GRID
    by_len = {4: Level.CITY, 6: Level.DISTRICT, 9: Level.TOWN, 12: Level.COMMUNITY}
    if code.isdigit() and len(code) in by_len:
        return by_len[len(code)]
    raise ValueError(f"not a jurisdiction code: {code!r}")


def place_of(code: str) -> Place:
    """The codes of every level above and including ``code`` (derivable from the code itself)."""
    level = level_of(code)
    community = code.split("-", 1)[0] if level is Level.GRID else None
    digits = community or code
    return Place(
        city_code=digits[:4],
        district_code=digits[:6] if len(digits) >= 6 else None,
        town_code=digits[:9] if len(digits) >= 9 else None,
        community_code=digits[:12] if len(digits) >= 12 else None,
        grid_cell=code if level is Level.GRID else None,
    )


def contains(outer: str, inner: str) -> bool:
    """True when jurisdiction ``outer`` contains (or is) ``inner``."""
    lvl = level_of(outer)
    return place_of(inner).code_at(lvl) == outer


def grid_cell_codes(community_code: str, count: int) -> list[str]:
    return [f"{community_code}-G{i:02d}" for i in range(1, count + 1)]
