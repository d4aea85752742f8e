"""The city skeleton: Guangzhou's districts, streets/towns and communities with plausible coordinates,
population weights, workshop propensity and the road and estate names of each community.

Divisions come from :func:`gridwatch.geo.divisions.city_tree`; coordinates are not in that source, so each
district has a hand-set centre and spread (WGS-84, approximate), towns scatter around their district and
communities around their town, deterministically from the division code (independent of the run seed, so
the same community has the same roads and position in every run).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from gridwatch.geo.divisions import Division, city_tree

CITY_CODE = "4401"
CITY_NAME = "广州市"
PROVINCE_NAME = "广东省"


@dataclass(frozen=True)
class DistrictProfile:
    """Hand-set facts of one district: centre, spread, population and workshop propensity."""

    lon: float
    lat: float
    spread_deg: float  # standard deviation of town centres around the district centre [deg]
    population_m: float  # resident population, 2020 census [million]
    workshop_factor: float  # relative propensity of hidden workshops [-]


DISTRICTS: dict[str, DistrictProfile] = {
    "440103": DistrictProfile(113.244, 23.126, 0.020, 1.12, 0.6),  # 荔湾
    "440104": DistrictProfile(113.267, 23.129, 0.012, 1.04, 0.3),  # 越秀
    "440105": DistrictProfile(113.317, 23.084, 0.025, 1.82, 1.0),  # 海珠 (garment villages)
    "440106": DistrictProfile(113.361, 23.125, 0.030, 2.24, 0.5),  # 天河
    "440111": DistrictProfile(113.273, 23.258, 0.070, 3.74, 2.0),  # 白云
    "440112": DistrictProfile(113.480, 23.181, 0.050, 1.26, 0.8),  # 黄埔
    "440113": DistrictProfile(113.384, 22.938, 0.055, 2.65, 1.5),  # 番禺
    "440114": DistrictProfile(113.220, 23.404, 0.070, 1.64, 1.5),  # 花都
    "440115": DistrictProfile(113.525, 22.801, 0.070, 0.85, 1.0),  # 南沙
    "440117": DistrictProfile(113.586, 23.548, 0.100, 0.72, 1.0),  # 从化
    "440118": DistrictProfile(113.811, 23.261, 0.090, 1.47, 1.3),  # 增城
}
"""Centres are approximate district government seats; spreads are chosen so communities fall in the
district's rough extent.  Workshop factors follow where 散乱污 clean-ups were reported (Baiyun, Panyu,
Huadu, Zengcheng urban villages)."""

VILLAGE_WORKSHOP_FACTOR = 2.5
"""Villages (村, incl. urban villages 城中村) host workshops this many times more often than 社区."""

_ROAD_SUFFIXES = ("路", "路", "大道", "街", "大街", "东路", "西路", "北路", "南路", "中路", "新街")
_LANE_WORDS = ("一巷", "二巷", "三巷", "四巷", "五巷", "六巷", "七巷", "八巷", "大街", "新村", "东街", "西街")
_ESTATE_HEADS = (
    "金碧",
    "万科",
    "保利",
    "富力",
    "碧桂",
    "恒大",
    "合生",
    "雅居",
    "锦绣",
    "翠湖",
    "丽江",
    "星河",
    "华景",
    "天鹅",
    "帝景",
    "御景",
    "名雅",
    "嘉禾",
    "颐和",
    "荔景",
    "南国",
    "海怡",
    "珠江",
    "祈福",
    "锦城",
    "凤凰",
)
_ESTATE_TAILS = ("花园", "苑", "山庄", "新村", "大厦", "广场", "公寓", "雅苑", "小区", "家园", "华庭", "名苑")
_PARK_TAILS = ("工业园", "工业区", "科技园", "产业园", "工业村")


@dataclass(frozen=True)
class Community:
    code: str
    name: str  # short name as written in addresses, e.g. 棠溪村, 林和社区
    root: str  # name root used to build road names, e.g. 棠溪
    is_village: bool
    town_code: str
    town: str
    district_code: str
    district: str
    lon: float
    lat: float
    weight: float  # relative share of the city's customers
    workshop_factor: float
    roads: tuple[str, ...]
    estates: tuple[str, ...]
    park: str


def _hash_rng(code: str) -> np.random.Generator:
    digest = hashlib.sha256(code.encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def short_community_name(name: str) -> str:
    """NBS names carry the committee suffix: 林和社区居委会 → 林和社区, 棠溪村民委员会 → 棠溪村."""
    short = name
    for suffix, repl in (
        ("社区居民委员会", "社区"),
        ("社区居委会", "社区"),
        ("社区居委", "社区"),
        ("社区居", "社区"),
        ("居民委员会", ""),
        ("居委会", ""),
        ("村民委员会", "村"),
        ("村委会", "村"),
        ("村委会会", "村"),
        ("委会会", ""),
        ("委员会", ""),
    ):
        if name.endswith(suffix):
            short = name[: -len(suffix)] + repl
            break
    if not short.endswith(("社区", "村", "生活区")):
        short += "社区"
    return short


def _root(short: str) -> str:
    root = short
    for suffix in ("社区", "村", "生活区"):
        if short.endswith(suffix) and len(short) > len(suffix) + 1:
            root = short[: -len(suffix)]
            break
    for suffix in ("大道", "路", "街", "巷"):  # 水荫四横路社区 → roads 水荫四横大道, not 水荫四横路大道
        if root.endswith(suffix) and len(root) > len(suffix) + 1:
            return root[: -len(suffix)]
    return root


@dataclass(frozen=True)
class City:
    name: str
    code: str
    districts: dict[str, str]  # code -> name
    towns: dict[str, str]  # code -> name
    communities: tuple[Community, ...]

    @property
    def weights(self) -> np.ndarray:
        w = np.array([c.weight for c in self.communities])
        return w / w.sum()

    @property
    def workshop_weights(self) -> np.ndarray:
        """Relative workshop propensity per community, normalised to a customer-weighted mean of 1."""
        f = np.array([c.workshop_factor for c in self.communities])
        return f / float((f * self.weights).sum())


@lru_cache(maxsize=2)
def build_city(city_code: str = CITY_CODE) -> City:
    tree = city_tree(city_code)
    districts = {d.code: d.name for d in tree if d.level == "district"}
    towns: dict[str, Division] = {d.code: d for d in tree if d.level == "town"}
    comms = [d for d in tree if d.level == "community"]
    town_pos: dict[str, tuple[float, float]] = {}
    for t in towns.values():
        prof = DISTRICTS[t.parent or ""]
        r = _hash_rng(t.code)
        town_pos[t.code] = (
            prof.lon + r.normal(0, prof.spread_deg),
            prof.lat + r.normal(0, prof.spread_deg * 0.8),
        )
    per_district = {code: sum(1 for c in comms if (c.parent or "")[:6] == code) for code in districts}
    out: list[Community] = []
    for c in comms:
        town = towns[c.parent or ""]
        dcode = town.parent or ""
        prof = DISTRICTS[dcode]
        r = _hash_rng(c.code)
        short = short_community_name(c.name)
        root = _root(short)
        is_village = short.endswith("村")
        tlon, tlat = town_pos[town.code]
        spread = prof.spread_deg * 0.25
        n_roads = int(r.integers(3, 9))
        suffixes = (
            r.choice(len(_ROAD_SUFFIXES), n_roads, replace=False) if n_roads <= len(_ROAD_SUFFIXES) else []
        )
        roads = [root + _ROAD_SUFFIXES[i] for i in suffixes]
        if is_village:
            lanes = r.choice(len(_LANE_WORDS), int(r.integers(3, 8)), replace=False)
            roads += [root + _LANE_WORDS[i] for i in lanes]
        estates = tuple(
            str(_ESTATE_HEADS[r.integers(len(_ESTATE_HEADS))])
            + str(_ESTATE_TAILS[r.integers(len(_ESTATE_TAILS))])
            for _ in range(int(r.integers(1, 5)))
        )
        park = root + _PARK_TAILS[int(r.integers(len(_PARK_TAILS)))]
        weight = prof.population_m / per_district[dcode] * float(r.lognormal(0, 0.5))
        if "虚拟" in short:  # "virtual" communities (reservoirs, forest farms) have almost nobody
            weight *= 0.01
        out.append(
            Community(
                code=c.code,
                name=short,
                root=root,
                is_village=is_village,
                town_code=town.code,
                town=town.name,
                district_code=dcode,
                district=districts[dcode],
                lon=round(tlon + r.normal(0, spread), 6),
                lat=round(tlat + r.normal(0, spread), 6),
                weight=weight,
                workshop_factor=prof.workshop_factor * (VILLAGE_WORKSHOP_FACTOR if is_village else 1.0),
                roads=tuple(dict.fromkeys(roads)),
                estates=tuple(dict.fromkeys(estates)),
                park=park,
            )
        )
    return City(CITY_NAME, city_code, districts, {k: v.name for k, v in towns.items()}, tuple(out))
