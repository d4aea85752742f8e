"""Reading and writing labelled address files (one token per line, ``token TAG``, blank line between
addresses).

Two tag styles are read: BIO (NAACL 2019: ``B-road``/``I-road``/``O``) and BMES (``B-``/``M-``/``E-``/
``S-``, with 24 labels, as in the CCKS-style set).  BMES files are converted to BIO and their extra labels
are mapped onto the 21-label scheme by :data:`CCKS_LABEL_MAP`.  Word-piece tokens (``##4``) are merged.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from gridwatch.address.labels import LABELS

CCKS_LABEL_MAP: dict[str, str] = {
    "village": "community",  # 村 is a community-level unit in the 21-label scheme
    "group": "road",  # 村民小组: the guideline labels "5组" as road
    "direction": "assist",
    "distance": "assist",
    "intersection": "assist",
    "traffic_facility": "poi",
}
"""How labels outside the 21-label scheme are mapped when reading a BMES (CCKS-style) file."""


class CorpusError(ValueError):
    """A labelled file is malformed; the message names the file and line."""


@dataclass
class Sentence:
    tokens: list[str]
    tags: list[str]

    @property
    def text(self) -> str:
        return "".join(self.tokens)


def _to_bio(tag: str, prev_label: str | None) -> tuple[str, str | None]:
    if tag == "O":
        return "O", None
    prefix, sep, label = tag.partition("-")
    if not sep or not label:
        raise ValueError(f"bad tag {tag!r}")
    label = label.lower()  # the NAACL files spell some labels devZone, subRoad
    label = CCKS_LABEL_MAP.get(label, label)
    if label not in LABELS:
        raise ValueError(f"unknown label {label!r}")
    if prefix in ("B", "S"):
        return f"B-{label}", label
    if prefix in ("I", "M", "E"):
        return (f"I-{label}" if prev_label == label else f"B-{label}"), label
    raise ValueError(f"bad tag prefix in {tag!r}")


def read_corpus(path: Path) -> Iterator[Sentence]:
    """Sentences of a labelled file; raises :class:`CorpusError` naming the line on a bad row."""
    toks: list[str] = []
    tags: list[str] = []
    prev: str | None = None
    with open(path, encoding="utf-8") as fh:
        for lineno, raw in enumerate(fh, 1):
            line = raw.rstrip("\r\n")
            if not line.strip():
                if toks:
                    yield Sentence(toks, tags)
                toks, tags, prev = [], [], None
                continue
            parts = line.rsplit(" ", 1) if " " in line else line.rsplit("\t", 1)
            if len(parts) != 2 or not parts[0]:
                raise CorpusError(f"{path}:{lineno}: expected 'token TAG', got {line!r}")
            tok, tag = parts[0].strip(), parts[1].strip()
            if not tok:
                raise CorpusError(f"{path}:{lineno}: empty token")
            try:
                bio, label = _to_bio(tag, prev)
            except ValueError as exc:
                raise CorpusError(f"{path}:{lineno}: {exc}") from None
            if tok.startswith("##") and toks and len(tok) > 2:
                toks[-1] += tok[2:]  # word-piece continuation: same token, first tag wins
                continue
            toks.append(tok)
            tags.append(bio)
            prev = label
    if toks:
        yield Sentence(toks, tags)


def write_corpus(sentences: list[Sentence], path: Path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for s in sentences:
            for tok, tag in zip(s.tokens, s.tags, strict=True):
                fh.write(f"{tok} {tag}\n")
            fh.write("\n")
