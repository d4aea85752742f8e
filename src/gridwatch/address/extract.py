"""Fast component extraction guided by the standard registry's own vocabulary.

Matching millions of customer addresses needs more speed than a CRF gives in Python.  Most customer
addresses name roads, communities and estates that the registry knows, so :class:`VocabularyExtractor`
finds registry names in the normalised text with an Aho–Corasick automaton (leftmost-longest,
non-overlapping), reads the numbers that follow them (号 / 栋 / 单元 / 层 / 室, and ``12-3-1001`` runs) and
resolves admin names through the division hierarchy.  When it finds neither a road nor a POI, the CRF
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

_ROADNO = re.compile(r"^(?:[东西南北]侧)?(\d+(?:-\d+)?)号(?!楼)")
_BUILDING = re.compile(r"([0-9]+[A-Za-z]?|[A-Za-z]\d*)栋")
_UNIT = re.compile(r"(\d+)单元")
_FLOOR = re.compile(r"(\d+)层")
_ROOM = re.compile(r"(\d+)室")
_TRIPLE = re.compile(r"(\d+|[A-Za-z])-(\d+)-(\d+)$")
_TAIL_ROOM = re.compile(r"(?:栋|单元|层)(\d{3,4})$")
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
    sources: dict[str, str] = field(default_factory=dict)  # component -> vocab | crf | fuzzy | regex


class VocabularyExtractor:
    """Extracts components using the registry's vocabulary (see the module docstring)."""

    def __init__(
        self,
        vocab: dict[str, Iterable[str]],
        resolver: AdminResolver,
        *,
        roads_by_district: dict[str, set[str]] | None = None,
        pois_by_district: dict[str, set[str]] | None = None,
        parser: object | None = None,
        fuzzy_cutoff: float = 85.0,
    ) -> None:
        vocab = {k: list(v) for k, v in vocab.items()}
        self.resolver = resolver
        self.parser = parser
        self.fuzzy_cutoff = fuzzy_cutoff
        self.auto = ahocorasick.Automaton()
        entries: dict[str, tuple[str, str]] = {}
        for fld in FIELDS:
            for name in vocab.get(fld, ()):
                for form in self._forms(fld, name):
                    old = entries.get(form)
                    if old is None or _PRIORITY[fld] < _PRIORITY[old[0]]:
                        entries[form] = (fld, name)
        # admin short and alias forms from the hierarchy
        for alias, target in resolver.aliases.items():
            if len(alias) >= 2 and alias not in entries:
                for fld in ("district", "town"):
                    if resolver.candidates(fld, target):
                        canon = next((n for n in vocab.get(fld, ()) if name_key(n) == name_key(target)), None)
                        if canon is not None:
                            entries[alias] = (fld, canon)
                        break
        for form, (fld, name) in entries.items():
            self.auto.add_word(form, (len(form), fld, name))
        if entries:
            self.auto.make_automaton()
        self._empty = not entries
        self.roads_by_district = roads_by_district or {}
        self.pois_by_district = pois_by_district or {}
        self.all_roads = sorted(
            {r for s in self.roads_by_district.values() for r in s} or set(vocab.get("road", ()))
        )
        self.all_pois = sorted(
            {p for s in self.pois_by_district.values() for p in s} or set(vocab.get("poi", ()))
        )

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
        return forms

    def _matches(self, text: str) -> list[tuple[int, int, str, str]]:
        """Leftmost-longest non-overlapping vocabulary matches: (start, end, field, name)."""
        if self._empty:
            return []
        found = [(end - ln + 1, end + 1, fld, name) for end, (ln, fld, name) in self.auto.iter(text)]
        found.sort(key=lambda m: (m[0], -(m[1] - m[0])))
        out: list[tuple[int, int, str, str]] = []
        pos = 0
        for m in found:
            if m[0] >= pos:
                out.append(m)
                pos = m[1]
        return out

    def extract(self, address: str) -> Extracted:
        norm = normalise_text(address).text
        ex = Extracted(norm)
        matches = self._matches(norm)
        road_end = poi_end = None
        for start, end, fld, name in matches:
            if getattr(ex, fld) is not None:
                continue
            setattr(ex, fld, name)
            ex.sources[fld] = "vocab"
            if fld == "road":
                road_end = end
            elif fld == "poi":
                poi_end = end
            del start
        self._numbers(ex, norm, road_end, poi_end)
        if ex.road is None and ex.poi is None and self.parser is not None:
            self._fallback(ex, address)
        return ex

    def _numbers(self, ex: Extracted, norm: str, road_end: int | None, poi_end: int | None) -> None:
        if road_end is not None:
            m = _ROADNO.match(norm, road_end)
            if m:
                ex.roadno = number_key_normalised(m.group(1))
        if ex.roadno is None:
            m = _LOOSE_ROADNO.search(norm, road_end or 0)
            if m and (poi_end is None or m.start() < poi_end or road_end is not None):
                ex.roadno = number_key_normalised(m.group(1))
        tail = norm[max(road_end or 0, poi_end or 0) :]
        if (m := _BUILDING.search(tail)) is not None:
            ex.building = number_key_normalised(m.group(1))
        if (m := _UNIT.search(tail)) is not None:
            ex.unit = number_key_normalised(m.group(1))
        if (m := _FLOOR.search(tail)) is not None:
            ex.floor = m.group(1)
        if (m := _ROOM.search(tail)) is not None:
            ex.room = number_key_normalised(m.group(1))
        elif (m := _TAIL_ROOM.search(tail)) is not None:
            ex.room = m.group(1)
        if ex.building is None and (m := _TRIPLE.search(tail)) is not None:
            ex.building, ex.unit, ex.room = number_key_normalised(m.group(1)), m.group(2), m.group(3)

    def _fallback(self, ex: Extracted, address: str) -> None:
        parsed = self.parser.parse(address)  # type: ignore[attr-defined]
        if parsed.status != "ok":
            return
        comps = {c.label: c.text for c in reversed(parsed.components)}
        for lvl in ("district", "town", "community"):
            if getattr(ex, lvl) is None and comps.get(lvl):
                setattr(ex, lvl, comps[lvl])
                ex.sources[lvl] = "crf"
        dcode = ex.district
        for fld, by_d, allv in (
            ("road", self.roads_by_district, self.all_roads),
            ("poi", self.pois_by_district, self.all_pois),
        ):
            txt = comps.get(fld)
            if not txt:
                continue
            choices = sorted(by_d.get(dcode, ())) if dcode and dcode in by_d else allv
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
