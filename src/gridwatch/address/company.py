"""Company-name keys for entity linking (有限公司 / 分公司 / 个体 variants).

``广州市白云区鑫达五金制品有限公司``, ``鑫达五金制品厂`` and ``广州鑫达五金制品有限公司(白云分公司)`` share the
core ``鑫达五金制品``: :func:`company_key` strips brackets, place prefixes (province, city, district
names and their short forms), legal-form and branch suffixes, and individual-business markers.
"""

from __future__ import annotations

import re
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


@lru_cache(maxsize=1)
def _place_prefixes() -> tuple[str, ...]:
    from gridwatch.geo.divisions import _rows

    names: set[str] = set()
    for f, suffixes in (
        ("provinces.csv", ("省", "市")),
        ("cities.csv", ("市",)),
        ("areas.csv", ("区", "县", "市")),
    ):
        for r in _rows(f):
            n = r["name"]
            if n in ("市辖区", "县"):
                continue
            names.add(n)
            for s in suffixes:
                if n.endswith(s) and len(n) - len(s) >= 2:
                    names.add(n[: -len(s)])
    return tuple(sorted(names, key=len, reverse=True))


def company_key(name: str | None) -> str | None:
    """The core of a company name (None when nothing distinctive is left)."""
    if not name:
        return None
    t = normalise_text(name).text
    t = re.sub(r"\(.*?\)|（.*?）", "", t)
    prefixes = _place_prefixes()
    changed = True
    while changed:
        changed = False
        for p in prefixes:
            if t.startswith(p) and len(t) - len(p) >= 2:
                t = t[len(p) :]
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
    return t if len(t) >= 2 else None


def is_branch(name: str | None) -> bool:
    return bool(name) and "分公司" in name  # type: ignore[operator]
