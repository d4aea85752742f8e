"""Fast component extraction guided by the standard registry's own vocabulary.

Matching millions of customer addresses needs more speed than a sequence labeller gives in Python.  Most customer
addresses name roads, communities and estates that the registry knows, so :class:`VocabularyExtractor`
finds registry names in the normalised text with an Aho–Corasick automaton (leftmost-longest,
non-overlapping), reads the numbers that follow them (号 / 栋 / 单元 / 层 / 室, and ``12-3-1001`` runs) and
resolves admin names through the division hierarchy.  A door number the registry does not know on that road
is read again with the registry's numbers (``15号之1403房`` → 15号之1, room 403; ``24号-3701房`` → 24号之3,
room 701 when the registry has 24号之3, else 24号, room 3701).  When it finds neither a road nor a POI, the
parser (if given) labels the address and its road/POI are resolved to registry names with RapidFuzz,
restricted to the district when one is known.  Extracted names are the registry's own spellings.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import ahocorasick
from rapidfuzz import fuzz, process

from gridwatch.address.admin import AdminResolver
from gridwatch.address.keys import name_key, number_key, number_key_normalised, plain_key
from gridwatch.address.normalise import normalise_text

FIELDS = ("district", "town", "community", "road", "poi")
_PRIORITY = {"road": 0, "poi": 1, "community": 2, "town": 3, "district": 4}
_SHORT_PRIORITY = {"road": 0, "poi": 1, "district": 2, "community": 3, "town": 4}
"""Which field a form names when two names share it: full names by ``_PRIORITY``; among short forms a
district comes first (白云 is far more often 白云区 written short than 越秀区's 白云街道)."""


def _rank(fld: str, is_full: bool) -> tuple[bool, int]:
    return is_full, -(_PRIORITY if is_full else _SHORT_PRIORITY)[fld]


_ROADNO = re.compile(r"(?:[东西南北]侧)?(\d+(?:-\d+)?)号(?!楼)")
_ROADNO_DASH = re.compile(r"(\d+-\d+)(?=[栋单元层室铺档]|$)")
"""A door number with a sub-number and no 号 right after the road (15-1403室: 15号之1403房 normalised)."""
_LEADING_SUB = re.compile(r"-(\d+)")
_BUILDING = re.compile(r"([0-9]+[A-Za-z]?|[A-Za-z]\d*)(?:栋|号厂房|号仓)")
_BUILDING_ANY = re.compile(r"(?:[0-9]+[A-Za-z]?|[A-Za-z]\d*)(?:栋|号厂房|号仓)")
_UNIT = re.compile(r"(\d+)单元")
_FLOOR = re.compile(r"(\d+)层")
_ROOMS = (
    re.compile(r"(\d+)室"),
    re.compile(r"(\d+)号?(?:铺|档)"),
    re.compile(r"(\d+)楼(\d{2})$"),
    re.compile(r"(?:^|栋|单元|层|号)(\d{3,4})$"),
)
"""Room forms, tried in order: 502室, 25号铺, 12楼03 (floor 12, room 03 = 1203), a bare trailing 1203."""
_TRIPLE = re.compile(r"(\d+|[A-Za-z])-(\d+)-(\d+)$")
_LOOSE_ROADNO = re.compile(r"(\d+(?:-\d+)?)号(?!楼)")


@dataclass
class Extracted:
    """Comparison keys of one address's components (None: not found)."""

    normalised: str
    district: str | None = None
    town: str | None = None
    community: str | None = None
    road: str | None = None
    roadno: str | None = None
    poi: str | None = None
    building: str | None = None
    unit: str | None = None
    floor: str | None = None
    room: str | None = None
    road_raw: str | None = None  # text where a road was expected but no registry road was found
    sources: dict[str, str] = field(default_factory=dict)  # component -> vocab | crf | fuzzy | regex


class VocabularyExtractor:
    """Extracts components using the registry's vocabulary (see the module docstring)."""

    def __init__(
        self,
        vocab: dict[str, Iterable[str]],
        resolver: AdminResolver,
        *,
        scopes: dict[str, dict[str, dict[str, set[str]]]] | None = None,
        parser: object | None = None,
        fuzzy_cutoff: float = 70.0,
        door_numbers: dict[str, set[str]] | None = None,
    ) -> None:
        vocab = {k: list(v) for k, v in vocab.items()}
        self.resolver = resolver
        self.door_numbers = door_numbers or {}  # road → the registry's door-number keys on it
        self.parser = parser
        self.fuzzy_cutoff = fuzzy_cutoff
        self.auto = ahocorasick.Automaton()
        entries: dict[str, tuple[str, str, bool]] = {}
        for fld in FIELDS:
            for name in vocab.get(fld, ()):
                full = plain_key(name)
                for form in self._forms(fld, name):
                    is_full = form == full
                    old = entries.get(form)
                    # a full name beats a short form of another name (岭南社区's 岭南 vs the town 岭南街道)
                    if old is None or _rank(fld, is_full) > _rank(old[0], old[2]):
                        entries[form] = (fld, name, is_full)
        # admin short and alias forms from the hierarchy
        for alias, target in resolver.aliases.items():
            if len(alias) >= 2 and alias not in entries:
                for fld in ("district", "town"):
                    if resolver.candidates(fld, target):
                        canon = next((n for n in vocab.get(fld, ()) if name_key(n) == name_key(target)), None)
                        if canon is not None:
                            entries[alias] = (fld, canon, True)
                        break
        for form, (fld, name, is_full) in entries.items():
            self.auto.add_word(form, (len(form), fld, name, is_full))
        if entries:
            self.auto.make_automaton()
        self._empty = not entries
        self.scopes: dict[str, dict[str, dict[str, list[str]]]] = {
            kind: {
                lvl: {k: sorted(v) for k, v in by.items()} for lvl, by in (scopes or {}).get(kind, {}).items()
            }
            for kind in ("road", "poi")
        }
        for kind in ("road", "poi"):
            for lvl in ("community", "town", "district"):
                self.scopes[kind].setdefault(lvl, {})
        self.all_roads = sorted(set(vocab.get("road", ())))
        self.all_pois = sorted(set(vocab.get("poi", ())))

    @staticmethod
    def _forms(fld: str, name: str) -> set[str]:
        full = plain_key(name)
        if not full:
            return set()
        forms = {full}
        if fld in ("town", "community", "district"):
            short = name_key(name)
            if short and len(short) >= 2:
                forms.add(short)
            if fld == "district" and full.endswith(("区", "县", "市")) and len(full) >= 3:
                forms.add(full[:-1])
            if fld == "town" and full.endswith("街道") and len(full) >= 4:
                forms.add(full[:-1])  # 岭南街道 is often written 岭南街
        return forms

    def _matches(self, text: str) -> list[tuple[int, int, str, str, bool]]:
        """Leftmost-longest non-overlapping vocabulary matches: (start, end, field, name)."""
        if self._empty:
            return []
        found = [
            (end - ln + 1, end + 1, fld, name, full) for end, (ln, fld, name, full) in self.auto.iter(text)
        ]
        found.sort(key=lambda m: (m[0], -(m[1] - m[0])))
        out: list[tuple[int, int, str, str, bool]] = []
        pos = 0
        for m in found:
            if m[0] >= pos:
                out.append(m)
                pos = m[1]
        return out

    def extract(self, address: str) -> Extracted:
        return self.extract_normalised(normalise_text(address).text, address)

    def extract_normalised(self, norm: str, address: str) -> Extracted:
        """:meth:`extract` of ``address`` whose :func:`normalise_text` is ``norm`` (already computed)."""
        ex = Extracted(norm)
        matches = self._matches(norm)
        by_field: dict[str, list[tuple[int, int, str, str, bool]]] = defaultdict(list)
        for m in matches:
            by_field[m[2]].append(m)
        for ms in by_field.values():
            ms.sort(key=lambda m: not m[4])  # full names first, then in text order
        road_end = poi_end = None
        for fld, ms in by_field.items():
            # a road followed by its number wins over one named in passing (岭南街 before 扬仁西中路12号)
            pick = next((m for m in ms if _ROADNO.match(norm, m[1])), ms[0]) if fld == "road" else ms[0]
            setattr(ex, fld, pick[3])
            ex.sources[fld] = "vocab"
            if fld == "road":
                road_end = pick[1]
            elif fld == "poi":
                poi_end = pick[1]
        if ex.road is None:
            road_end = self._fuzzy_road(ex, norm, matches)
        num_end = self._numbers(ex, norm, road_end, poi_end)
        if ex.poi is None and self.all_pois:
            self._fuzzy_poi(ex, norm, num_end)
        if ex.road is None and ex.poi is None and self.parser is not None:
            self._fallback(ex, address)
        return ex

    def _scope(self, ex: Extracted, kind: str) -> list[str]:
        maps = self.scopes[kind]
        for lvl in ("community", "town", "district"):
            key = getattr(ex, lvl)
            if key and key in maps[lvl]:
                return maps[lvl][key]
        return self.all_roads if kind == "road" else self.all_pois

    def _fuzzy_road(
        self, ex: Extracted, norm: str, matches: list[tuple[int, int, str, str, bool]]
    ) -> int | None:
        """A misspelt road (冬路 for 东路): the text before the first number, compared with the roads of the
        community (else town, district, city) by Levenshtein ratio."""
        m = _LOOSE_ROADNO.search(norm)
        if m is None:
            return None
        start = max((e for _s, e, *_ in matches if e <= m.start()), default=0)
        seg = norm[start : m.start()]
        if len(seg) < 2:
            return None
        ex.road_raw = seg  # compared with registry roads on the engine as well
        top = process.extract(
            seg, self._scope(ex, "road"), scorer=fuzz.ratio, score_cutoff=self.fuzzy_cutoff, limit=2
        )
        if top and (len(top) == 1 or top[0][1] > top[1][1]):  # a tie is left to the engine's scoring
            ex.road = top[0][0]
            ex.sources["road"] = "fuzzy"
        return m.start()

    def _fuzzy_poi(self, ex: Extracted, norm: str, start: int | None) -> None:
        m = _BUILDING_ANY.search(norm, start or 0)
        if m is None:
            return
        seg = norm[start or 0 : m.start()]
        if len(seg) < 2:
            return
        best = process.extractOne(
            seg, self._scope(ex, "poi"), scorer=fuzz.ratio, score_cutoff=self.fuzzy_cutoff
        )
        if best is not None:
            ex.poi = best[0]
            ex.sources["poi"] = "fuzzy"

    def _numbers(self, ex: Extracted, norm: str, road_end: int | None, poi_end: int | None) -> int | None:
        """Door number, building, unit, floor and room; returns where the door number ends."""
        num_end = None
        if road_end is not None and (
            (m := _ROADNO.match(norm, road_end)) is not None or (m := _ROADNO_DASH.match(norm, road_end)) is not None
        ):
            ex.roadno = number_key_normalised(m.group(1))
            num_end = m.end()
        m = _LOOSE_ROADNO.search(norm, road_end or 0) if ex.roadno is None else None
        if m is not None and (poi_end is None or m.start() < poi_end or road_end is not None):
            ex.roadno = number_key_normalised(m.group(1))
            num_end = m.end()
        start = max(num_end or 0, road_end or 0, poi_end or 0)
        tail = norm[start:]
        if ex.roadno is not None and ex.road is not None and start == num_end:
            ex.roadno, tail = self._registered_door(ex.road, ex.roadno, tail)
        if (m := _BUILDING.search(tail)) is not None:
            ex.building = number_key_normalised(m.group(1))
        if (m := _UNIT.search(tail)) is not None:
            ex.unit = number_key_normalised(m.group(1))
        if (m := _FLOOR.search(tail)) is not None:
            ex.floor = m.group(1)
        for pat in _ROOMS:
            if (m := pat.search(tail)) is not None:
                ex.room = "".join(g for g in m.groups() if g)
                break
        if ex.building is None and (m := _TRIPLE.search(tail)) is not None:
            ex.building, ex.unit, ex.room = number_key_normalised(m.group(1)), m.group(2), m.group(3)
        return num_end

    def _registered_door(self, road: str, key: str, tail: str) -> tuple[str, str]:
        """The door number on ``road`` that the registry knows, and the text left for building/room.

        Written without separators, a sub-number runs into what follows (15号之1403房 normalises to
        ``15-1403室``; 39号-2 6栋 to ``39号-26栋``): when ``key`` is not a registered number of the road,
        the shortest registered ``head-sub`` prefix is taken and the rest of the digits go back to the
        tail; failing that, a registered ``head`` alone (the dash only separated door and room)."""
        nums = self.door_numbers.get(road)
        if not nums or key in nums:
            return key, tail
        head, _, sub = key.partition("-")
        rest = tail
        if not sub and (m := _LEADING_SUB.match(tail)) is not None:
            sub, rest = m.group(1), tail[m.end() :]
        if not sub.isdigit():
            return key, tail
        for k in range(1, len(sub) + 1):
            if f"{head}-{sub[:k]}" in nums:
                return f"{head}-{sub[:k]}", sub[k:] + rest
        if head in nums and head != key:
            return head, sub + rest
        return key, tail

    def _fallback(self, ex: Extracted, address: str) -> None:
        parsed = self.parser.parse(address)  # type: ignore[attr-defined]
        if parsed.status != "ok":
            return
        comps = {c.label: c.text for c in reversed(parsed.components)}
        for lvl in ("district", "town", "community"):
            if getattr(ex, lvl) is None and comps.get(lvl):
                setattr(ex, lvl, comps[lvl])
                ex.sources[lvl] = "crf"
        for fld in ("road", "poi"):
            txt = comps.get(fld)
            if not txt:
                continue
            choices = self._scope(ex, fld)
            best = process.extractOne(txt, choices, scorer=fuzz.ratio, score_cutoff=self.fuzzy_cutoff)
            if best is not None:
                setattr(ex, fld, best[0])
                ex.sources[fld] = "fuzzy"
        for lbl, fld in (
            ("roadno", "roadno"),
            ("houseno", "building"),
            ("cellno", "unit"),
            ("roomno", "room"),
        ):
            if getattr(ex, fld) is None and comps.get(lbl):
                setattr(ex, fld, number_key(comps[lbl]))
                ex.sources[fld] = "crf"


def group_by(pairs: Iterable[tuple[str | None, str | None]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for k, v in pairs:
        if k and v:
            out[k].add(v)
    return out
