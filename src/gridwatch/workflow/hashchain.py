"""Tamper-evident event log: each event's hash covers its content and the previous event's hash.

``hash_n = sha256(prev_hash_n || canonical_json(content_n))``; changing, deleting or reordering any
event breaks every later link, and :func:`first_break` names the first broken event.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical(content: Mapping[str, Any]) -> str:
    """Deterministic JSON: sorted keys, no spaces, non-ASCII kept, values stringified when exotic."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def link_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(content)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainedEvent:
    seq: int
    prev_hash: str
    hash: str
    content: Mapping[str, Any]


@dataclass(frozen=True)
class Break:
    seq: int
    reason: str


def first_break(events: Iterable[ChainedEvent]) -> Break | None:
    """Walk events in ``seq`` order; return the first one whose link or hash does not verify."""
    prev = GENESIS
    expected_seq = 1
    for ev in events:
        if ev.seq != expected_seq:
            return Break(ev.seq, f"sequence gap: expected {expected_seq}, found {ev.seq}")
        if ev.prev_hash != prev:
            return Break(ev.seq, "prev_hash does not match the previous event's hash")
        if link_hash(ev.prev_hash, ev.content) != ev.hash:
            return Break(ev.seq, "content does not match its hash (event altered)")
        prev = ev.hash
        expected_seq += 1
    return None
