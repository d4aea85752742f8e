"""Company-name keys for entity linking (有限公司 / 分公司 / 个体 variants).

``广州市白云区鑫达五金制品有限公司``, ``鑫达五金制品厂`` and ``广州鑫达五金制品有限公司(白云分公司)`` share the
core ``鑫达五金制品``: :func:`company_key` strips brackets, place prefixes (provinces and cities in full and
short form, counties in full form, the served city's districts also in short form), legal-form and branch
suffixes, and individual-business markers.  :func:`company_name` also returns the district the prefix
names, so that 广州荔湾广新物业 and 广州黄埔广新物业 are told apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from gridwatch.address.normalise import normalise_text

_LEGAL_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团公司",
    "分公司",
    "总公司",
    "公司",
    "个体工商户",
    "经营部",
    "商行",
    "门市部",
    "加工厂",
    "厂",
    "工作室",
    "店",
    "(个体)",
    "个体",
)
_BRANCH = re.compile(r"[^公司]{1,8}分公司$")


@lru_cache(maxsize=8)
def _place_prefixes(city_code: str | None) -> dict[str, str]:
    """Place names a company name may start with → the district name they stand for ('' above district).

    Provinces and prefecture-level cities in full and short form (广东省, 广东, 深圳市, 深圳); counties and
    districts of the whole country in full form only (长兴县, 东方市), because their short forms are also
    common shop brands (长兴, 东方, 兴业); the short forms of the served city's own districts (白云, 天河).
    """
    from gridwatch.geo.divisions import _rows

    names: dict[str, str] = {}
    for f, suffixes in (("provinces.csv", ("省", "市", "自治区")), ("cities.csv", ("市", "地区", "自治州"))):
        for r in _rows(f):
            n = r["name"]
            if n in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
                continue
            names.setdefault(n, "")
            for s in suffixes:
                if n.endswith(s) and len(n) - len(s) >= 2:
                    names.setdefault(n[: -len(s)], "")
    for r in _rows("areas.csv"):
        n = r["name"]
        if n in ("市辖区", "县"):
            continue
        names[n] = n
        if city_code is not None and r.get("cityCode") == city_code[:4]:
            for s in ("区", "县", "市"):
                if n.endswith(s) and len(n) - len(s) >= 2:
                    names[n[: -len(s)]] = n
    return names


@dataclass(frozen=True)
class CompanyName:
    """A company name split into its distinctive core and the place names written before it."""

    core: str | None
    district: str | None  # the county/district named in the prefix (白云区 for 广州白云…), if any


def company_name(name: str | None, city_code: str | None = None) -> CompanyName:
    """Core and district of a company name (see :func:`company_key`)."""
    if not name:
        return CompanyName(None, None)
    t = normalise_text(name).text
    t = re.sub(r"\(.*?\)|（.*?）", "", t)
    places = _place_prefixes(city_code[:4] if city_code else None)
    by_len = _by_length(city_code[:4] if city_code else None)
    district: str | None = None
    changed = True
    while changed:
        changed = False
        for p in by_len:
            if t.startswith(p) and len(t) - len(p) >= 2:
                t = t[len(p) :]
                district = district or places[p] or None
                changed = True
                break
    t = _BRANCH.sub("", t) if t.endswith("分公司") and "公司" in t[:-3] else t
    changed = True
    while changed:
        changed = False
        for s in _LEGAL_SUFFIXES:
            if t.endswith(s) and len(t) - len(s) >= 2:
                t = t[: -len(s)]
                changed = True
                break
    return CompanyName(t if len(t) >= 2 else None, district)


@lru_cache(maxsize=8)
def _by_length(city_code: str | None) -> tuple[str, ...]:
    return tuple(sorted(_place_prefixes(city_code), key=len, reverse=True))


def company_key(name: str | None, city_code: str | None = None) -> str | None:
    """The core of a company name (None when nothing distinctive is left).

    ``city_code`` (e.g. ``4401``) also strips the short forms of that city's districts (广州白云… → …).
    """
    return company_name(name, city_code).core


def is_branch(name: str | None) -> bool:
    return bool(name) and "分公司" in name  # type: ignore[operator]
