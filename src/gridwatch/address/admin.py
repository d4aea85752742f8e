"""Administrative codes of a parsed address, inferred from the division hierarchy.

Given the admin components a parser found (any of prov, city, district, town, community, in full or short
form, possibly under an old name), :class:`AdminResolver` picks the divisions that agree with each other,
fills the missing levels from the hierarchy (a street implies its district, city and province) and returns
canonical names and codes.  Old and alternative names are mapped through ``data/aliases.csv``
(renamed districts such as 萝岗区 → 黄埔区).  A resolver can be scoped to one city (``city_code``), which
makes it fast to build and resolves ambiguous short names (many provinces have a 新塘镇) to that city.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources

from gridwatch.address.gazetteer import community_name, strip_suffix
from gridwatch.geo.divisions import Division, all_divisions, city_tree, province

ADMIN_LABELS: tuple[str, ...] = ("prov", "city", "district", "town", "community")
_LEVEL_OF = {
    "province": "prov",
    "city": "city",
    "district": "district",
    "town": "town",
    "community": "community",
}
_SUFFIXES = {
    "prov": ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市"),
    "city": ("自治州", "地区", "市", "盟"),
    "district": ("自治县", "新区", "区", "县", "市", "旗"),
    "town": ("街道办事处", "街道办", "街道", "镇", "乡"),
    "community": ("社区居委会", "居委会", "村委会", "社区", "村"),
}


@dataclass(frozen=True)
class AdminResolution:
    """Canonical names and codes per level (None where unknown), and how each was obtained."""

    names: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    inferred: tuple[str, ...] = ()  # levels filled from the hierarchy, not present in the text

    @property
    def code(self) -> str | None:
        """The most specific code resolved."""
        for lvl in reversed(ADMIN_LABELS):
            if lvl in self.codes:
                return self.codes[lvl]
        return None


def _key(level: str, name: str) -> str:
    return strip_suffix(name, _SUFFIXES[level])


def load_aliases(city_code: str | None = None) -> dict[str, str]:
    """Alias → canonical name, for one city (or all cities when ``city_code`` is None)."""
    ref = resources.files("gridwatch.address") / "data" / "aliases.csv"
    out: dict[str, str] = {}
    for row in csv.DictReader(ref.read_text(encoding="utf-8").splitlines()):
        if city_code is None or row["city_code"] == city_code[:4]:
            out[row["alias"]] = row["name"]
    return out


class AdminResolver:
    """Resolves admin components to divisions (see the module docstring)."""

    def __init__(self, divisions: Iterable[Division], aliases: dict[str, str] | None = None) -> None:
        self.by_code: dict[str, Division] = {}
        self.index: dict[str, dict[str, list[str]]] = {lvl: defaultdict(list) for lvl in ADMIN_LABELS}
        for d in divisions:
            lvl = _LEVEL_OF[d.level]
            name = community_name(d.name) if lvl == "community" else d.name
            self.by_code[d.code] = Division(d.code, name, d.level, d.parent)
            self.index[lvl][_key(lvl, name)].append(d.code)
        self.aliases = aliases or {}

    @classmethod
    def for_city(cls, city_code: str) -> AdminResolver:
        """A resolver over one city's divisions plus its province (fast to build)."""
        divs = list(city_tree(city_code[:4]))
        prov = province(city_code[:2])
        if prov is not None:
            divs.insert(0, prov)
        return cls(divs, load_aliases(city_code))

    @classmethod
    def national(cls) -> AdminResolver:
        return cls(all_divisions().values(), load_aliases(None))

    def _ancestors(self, code: str) -> dict[str, str]:
        out: dict[str, str] = {}
        cur: str | None = code
        while cur is not None and cur in self.by_code:
            d = self.by_code[cur]
            out[_LEVEL_OF[d.level]] = cur
            cur = d.parent
        return out

    def candidates(self, level: str, text: str) -> list[str]:
        """Codes of ``level`` divisions named ``text`` (full, short or alias form)."""
        name = self.aliases.get(text, text)
        codes = list(self.index[level].get(_key(level, name), ()))
        if not codes and name != text:
            # an alias may point to another level's name form (穗 → 广州市)
            codes = list(self.index[level].get(_key(level, text), ()))
        return codes

    def resolve(self, components: dict[str, str]) -> AdminResolution:
        """Pick the most specific consistent chain of divisions for the admin components given."""
        given = {lvl: components[lvl] for lvl in ADMIN_LABELS if components.get(lvl)}
        if not given:
            return AdminResolution()
        cands = {lvl: self.candidates(lvl, txt) for lvl, txt in given.items()}
        best: tuple[int, int, dict[str, str]] | None = None
        for lvl in reversed(ADMIN_LABELS):
            for code in cands.get(lvl, ()):
                chain = self._ancestors(code)
                agree = sum(1 for other, codes in cands.items() if chain.get(other) in codes)
                conflicts = sum(
                    1
                    for other, codes in cands.items()
                    if codes and other in chain and chain[other] not in codes
                )
                score = (agree - 2 * conflicts, ADMIN_LABELS.index(lvl))
                if best is None or score > best[:2]:
                    best = (score[0], score[1], chain)
            if best is not None and best[0] >= len([c for c in cands.values() if c]):
                break
        if best is None or best[0] <= 0:
            return AdminResolution()
        chain = best[2]
        names = {lvl: self.by_code[c].name for lvl, c in chain.items()}
        inferred = tuple(lvl for lvl in chain if lvl not in given)
        return AdminResolution(names=names, codes=dict(chain), inferred=inferred)
