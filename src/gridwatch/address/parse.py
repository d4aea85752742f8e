"""Parsing raw addresses into labelled components, with a status for input that cannot be parsed.

:class:`AddressParser` normalises the text (:mod:`gridwatch.address.normalise`), tokenises it, tags the
tokens with the labeller (:mod:`gridwatch.address.tagger`: the shipped BiLSTM-CRF or a CRF), turns tags
into components and resolves the administrative codes (:mod:`gridwatch.address.admin`).  Input that is
empty, has no Chinese character, is longer than ``max_chars`` or looks binary gets a status and no
components — never an exception.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from gridwatch.address.admin import ADMIN_LABELS, AdminResolver
from gridwatch.address.labels import chunks_from_tags
from gridwatch.address.normalise import normalise_text
from gridwatch.address.tagger import SequenceTagger, load_tagger
from gridwatch.address.tokens import tokenize

MAX_CHARS = 200


@dataclass(frozen=True)
class Component:
    label: str
    text: str


@dataclass
class ParsedAddress:
    """One parsed address; ``status`` is ``ok`` or says why it was not parsed."""

    address: str
    status: str
    normalised: str = ""
    components: list[Component] = field(default_factory=list)
    admin_names: dict[str, str] = field(default_factory=dict)
    admin_codes: dict[str, str] = field(default_factory=dict)
    inferred: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)

    def first(self, label: str) -> str | None:
        """Text of the first component with ``label`` (None when absent)."""
        for c in self.components:
            if c.label == label:
                return c.text
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "components": [{"label": c.label, "text": c.text} for c in self.components],
            "status": self.status,
            "normalised": self.normalised,
            "admin": {
                lvl: {"name": self.admin_names[lvl], "code": self.admin_codes.get(lvl)}
                for lvl in ADMIN_LABELS
                if lvl in self.admin_names
            },
            "inferred": list(self.inferred),
            "notes": self.notes,
        }


def _is_binary(text: str) -> bool:
    if "\x00" in text or "\ufffd" in text:
        return True
    ctrl = sum(1 for c in text if (ord(c) < 32 and c not in "\t\r\n") or 0x7F <= ord(c) < 0xA0)
    return ctrl > max(2, len(text) // 10)


def _has_han(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" for c in text)


INPUT_CHECKS: tuple[tuple[str, Callable[[str, int], bool]], ...] = (
    ("binary", lambda t, _m: _is_binary(t)),
    ("empty", lambda t, _m: not t.strip()),
    ("too_long", lambda t, m: len(t) > m),
    ("not_chinese", lambda t, _m: not _has_han(t)),
)
"""Checks run before parsing, in order; the first that fires is the address's status."""


def input_status(text: str, max_chars: int = MAX_CHARS) -> str:
    """``ok`` or the name of the first input check that fails."""
    for name, check in INPUT_CHECKS:
        if check(text, max_chars):
            return name
    return "ok"


class AddressParser:
    """Parses addresses with a labeller model and an admin-division resolver."""

    def __init__(
        self,
        tagger: SequenceTagger | None = None,
        resolver: AdminResolver | None = None,
        *,
        city_code: str | None = "4401",
        max_chars: int = MAX_CHARS,
    ) -> None:
        self.tagger = tagger or load_tagger()
        self.resolver = resolver or (
            AdminResolver.for_city(city_code) if city_code else AdminResolver.national()
        )
        self.max_chars = max_chars

    @classmethod
    def from_model(cls, model_path: Path | None, **kw: Any) -> AddressParser:
        return cls(load_tagger(model_path), **kw)

    def parse(self, address: str) -> ParsedAddress:
        if not isinstance(address, str):
            return ParsedAddress(repr(address), "binary")
        status = input_status(address, self.max_chars)
        if status != "ok":
            return ParsedAddress(address, status)
        norm = normalise_text(address)
        toks = tokenize(norm.text)
        if not toks:
            return ParsedAddress(address, "empty", norm.text, notes=norm.notes)
        tags = self.tagger.tag([t.text for t in toks])
        comps = [
            Component(c.label, norm.text[toks[c.start].start : toks[c.end - 1].end])
            for c in chunks_from_tags(tags)
        ]
        comps = self._relabel_known_admin(comps)
        given = {}
        for c in comps:
            if c.label in ADMIN_LABELS and c.label not in given:
                given[c.label] = c.text
        res = self.resolver.resolve(given)
        return ParsedAddress(
            address, "ok", norm.text, comps, dict(res.names), dict(res.codes), res.inferred, norm.notes
        )

    def _relabel_known_admin(self, comps: list[Component]) -> list[Component]:
        """A leading component the model did not label as admin but that names an old or alternative
        district of the city (萝岗区) is relabelled as that level."""
        seen = {c.label for c in comps}
        out = []
        for i, c in enumerate(comps):
            if c.label not in ADMIN_LABELS and i < 3 and c.text in self.resolver.aliases:
                for lvl in ("district", "town"):
                    if lvl not in seen and self.resolver.candidates(lvl, c.text):
                        c = Component(lvl, c.text)
                        seen.add(lvl)
                        break
            out.append(c)
        return out

    def parse_many(self, addresses: Iterable[str]) -> Iterator[ParsedAddress]:
        for a in addresses:
            yield self.parse(a)


def parse(address: str) -> ParsedAddress:
    """Parse one address with the shipped model (Guangzhou-scoped admin resolution)."""
    return _default_parser().parse(address)


@lru_cache(maxsize=1)
def _default_parser() -> AddressParser:
    return AddressParser()
