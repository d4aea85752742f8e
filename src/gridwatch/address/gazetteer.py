"""Gazetteers for the labeller: administrative division names and address suffix words.

Division names come from :func:`gridwatch.geo.divisions.all_divisions` (National Bureau of Statistics
codes) in full form (广州市, 天河区, 石牌街道, 华师社区) and short form (广州, 天河, 石牌, 华师); village
committees (``…村民委员会``, ``…社区居委会``) are reduced to the names used in addresses (``…村``,
``…社区``).  :class:`Gazetteer` finds, for each level, the longest name starting at every position.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

ADMIN_LEVELS: tuple[str, ...] = ("prov", "city", "district", "town", "community")
MAX_NAME_LEN = 12  # longer names are not looked up (they are rare and cost time)

_PROV_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市")
_CITY_SUFFIXES = ("自治州", "地区", "市", "盟")
_DISTRICT_SUFFIXES = ("自治县", "自治旗", "新区", "区", "县", "市", "旗")
_TOWN_SUFFIXES = ("街道办事处", "街道", "镇", "乡", "苏木")
_COMMITTEE_SUFFIXES = (
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("居民委员会", "社区"),
    ("居委会", "社区"),
    ("村民委员会", "村"),
    ("村委会", "村"),
    ("生活区", "生活区"),
    ("管理区", "管理区"),
)

SUFFIX_LEXICON: dict[str, tuple[str, ...]] = {
    "prov": ("省", "自治区"),
    "city": ("市", "州", "盟", "地区"),
    "district": ("区", "县", "旗", "新区"),
    "devzone": ("开发区", "工业园", "工业园区", "园区", "工业区", "高新区", "保税区", "产业园"),
    "town": ("镇", "乡", "街道", "街道办", "街道办事处"),
    "community": ("村", "社区", "居委会", "村委会", "新村", "片区"),
    "road": (
        "路",
        "街",
        "大道",
        "道",
        "巷",
        "胡同",
        "大街",
        "横路",
        "直街",
        "东路",
        "西路",
        "南路",
        "北路",
        "中路",
        "一路",
        "二路",
        "三路",
        "公路",
        "环路",
        "组",
        "坊",
        "里",
    ),
    "roadno": ("号", "弄", "号院", "号之", "之"),
    "poi": (
        "大厦",
        "广场",
        "中心",
        "花园",
        "小区",
        "苑",
        "园",
        "公寓",
        "酒店",
        "宾馆",
        "医院",
        "学校",
        "大学",
        "中学",
        "小学",
        "市场",
        "商城",
        "城",
        "厂",
        "公司",
        "店",
        "庄园",
        "山庄",
        "家园",
        "名苑",
        "府",
        "湾",
        "阁",
        "轩",
        "居",
        "城市花园",
        "村委",
        "楼",
    ),
    "houseno": ("栋", "幢", "座", "号楼", "楼", "区", "期", "排"),
    "cellno": ("单元", "梯"),
    "floorno": ("层", "楼", "F", "f"),
    "roomno": ("室", "房", "号房", "铺", "档", "号铺"),
    "assist": (
        "旁",
        "旁边",
        "对面",
        "附近",
        "门口",
        "东侧",
        "西侧",
        "南侧",
        "北侧",
        "隔壁",
        "后面",
        "内",
        "交叉口",
        "路口",
        "往东",
        "往西",
        "往南",
        "往北",
        "米",
    ),
}
"""Words that end address components, by the label they usually end."""


def strip_suffix(name: str, suffixes: Iterable[str]) -> str:
    for s in suffixes:
        if name.endswith(s) and len(name) - len(s) >= 2:
            return name[: -len(s)]
    return name


def community_name(raw: str) -> str:
    """The name a village/community committee goes by in addresses (华师社区居委会 → 华师社区)."""
    for suffix, repl in _COMMITTEE_SUFFIXES:
        if raw.endswith(suffix) and len(raw) > len(suffix):
            return raw[: -len(suffix)] + ("" if raw[: -len(suffix)].endswith(repl) else repl)
    return raw


class Gazetteer:
    """Longest-match lookup of names per level."""

    def __init__(self, names: dict[str, set[str]]) -> None:
        self.names = names
        self.maxlen = {
            lvl: min(MAX_NAME_LEN, max((len(n) for n in s), default=0)) for lvl, s in names.items()
        }

    def longest_matches(self, text: str, level: str) -> list[int]:
        """For each start position, the length of the longest ``level`` name starting there (0: none)."""
        names = self.names.get(level, set())
        m = self.maxlen.get(level, 0)
        n = len(text)
        out = [0] * n
        for i in range(n):
            for k in range(min(m, n - i), 1, -1):
                if text[i : i + k] in names:
                    out[i] = k
                    break
        return out

    def spans(self, text: str, level: str) -> list[tuple[int, int]]:
        """Non-overlapping longest matches of ``level`` names, left to right."""
        lens = self.longest_matches(text, level)
        out: list[tuple[int, int]] = []
        i = 0
        while i < len(text):
            if lens[i]:
                out.append((i, i + lens[i]))
                i += lens[i]
            else:
                i += 1
        return out


def _division_names() -> dict[str, set[str]]:
    from gridwatch.geo.divisions import all_divisions

    names: dict[str, set[str]] = {lvl: set() for lvl in ADMIN_LEVELS}
    level_map = {
        "province": "prov",
        "city": "city",
        "district": "district",
        "town": "town",
        "community": "community",
    }
    suffixes = {
        "prov": _PROV_SUFFIXES,
        "city": _CITY_SUFFIXES,
        "district": _DISTRICT_SUFFIXES,
        "town": _TOWN_SUFFIXES,
    }
    for d in all_divisions().values():
        lvl = level_map[d.level]
        name = d.name
        if name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
            continue
        if lvl == "community":
            full = community_name(name)
            names[lvl].add(full)
            continue
        names[lvl].add(name)
        short = strip_suffix(name, suffixes[lvl])
        if short != name:
            names[lvl].add(short)
    from gridwatch.address.admin import load_aliases

    for alias, target in load_aliases(None).items():  # old and alternative names (萝岗区 → 黄埔区)
        for lvl in ("district", "city"):
            if target in names[lvl] and len(alias) >= 2:
                names[lvl].add(alias)
                break
    return names


@lru_cache(maxsize=1)
def division_gazetteer() -> Gazetteer:
    """The gazetteer of all of China's divisions (built once per process, a few seconds)."""
    return Gazetteer(_division_names())


@lru_cache(maxsize=1)
def suffix_gazetteer() -> Gazetteer:
    return Gazetteer({lvl: set(words) for lvl, words in SUFFIX_LEXICON.items()})
