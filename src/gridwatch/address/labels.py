"""The 21-label address scheme (NAACL 2019 Chinese address parsing) and chunk utilities.

Labels, in the partial order of the annotation guideline (coarse to fine)::

    country prov city district devzone town community road subroad roadno subroadno
    poi subpoi houseno cellno floorno roomno person assist redundant otherinfo

Tags are BIO (``B-road``, ``I-road``, ``O``).  A *chunk* is a maximal ``B- I- I- ...`` run with one label;
chunk-level scores compare exact (start, end, label) triples, as conlleval does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

LABELS: tuple[str, ...] = (
    "country",
    "prov",
    "city",
    "district",
    "devzone",
    "town",
    "community",
    "road",
    "subroad",
    "roadno",
    "subroadno",
    "poi",
    "subpoi",
    "houseno",
    "cellno",
    "floorno",
    "roomno",
    "person",
    "assist",
    "redundant",
    "otherinfo",
)
"""The 21 labels, in the guideline's coarse-to-fine order."""

LABEL_NAMES_ZH: dict[str, str] = {
    "country": "国家",
    "prov": "省",
    "city": "市",
    "district": "区县",
    "devzone": "开发区",
    "town": "街道/乡镇",
    "community": "社区/村",
    "road": "路",
    "subroad": "辅路",
    "roadno": "门牌号",
    "subroadno": "辅路号",
    "poi": "兴趣点",
    "subpoi": "子兴趣点",
    "houseno": "楼栋",
    "cellno": "单元",
    "floorno": "楼层",
    "roomno": "房号",
    "person": "单位/人",
    "assist": "方位词",
    "redundant": "冗余",
    "otherinfo": "其他",
}


@dataclass(frozen=True)
class Chunk:
    """A labelled span of tokens ``[start, end)``."""

    label: str
    start: int
    end: int


def chunks_from_tags(tags: Sequence[str]) -> list[Chunk]:
    """Exact chunks of a BIO tag sequence (conlleval semantics: an ``I-`` after a different label
    starts a new chunk)."""
    out: list[Chunk] = []
    label: str | None = None
    start = 0
    for i, tag in enumerate(tags):
        prefix, _, lab = tag.partition("-")
        if prefix == "B" or (prefix == "I" and lab != label):
            if label is not None:
                out.append(Chunk(label, start, i))
            label, start = lab, i
        elif prefix not in ("B", "I"):
            if label is not None:
                out.append(Chunk(label, start, i))
            label = None
    if label is not None:
        out.append(Chunk(label, start, len(tags)))
    return out


def tags_from_chunks(n: int, chunks: Sequence[Chunk]) -> list[str]:
    """BIO tags of ``n`` tokens covered by ``chunks`` (uncovered tokens get ``O``)."""
    tags = ["O"] * n
    for c in chunks:
        tags[c.start] = f"B-{c.label}"
        for i in range(c.start + 1, c.end):
            tags[i] = f"I-{c.label}"
    return tags
