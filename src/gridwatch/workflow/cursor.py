"""Keyset cursors of order lists: where the next page starts, instead of how many rows to skip.

A list is sorted by ``(score desc, id)`` or ``(due_at, id)``; the cursor names the last row of a page by
its sort key, so the next page is one index range read however deep it is (OFFSET reads and drops every
row before the page).  Cursors are opaque URL-safe strings; a malformed one is an :class:`InvalidInput`.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from gridwatch.workflow.errors import InvalidInput

ORDERINGS = ("score", "due")


def encode(order_by: str, row: Any) -> str:
    """The cursor after ``row`` (a list row with ``score``, ``due_at`` and ``id``)."""
    key = repr(float(row.score)) if order_by == "score" else row.due_at.isoformat()
    raw = f"{order_by}|{key}|{row.id}".encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode(order_by: str, cursor: str) -> dict[str, Any]:
    """The bound values of a cursor for a list in ``order_by``: ``{"ks" | "kd": key, "kid": id}``."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, key, oid = raw.split("|")
        if kind != order_by:
            raise ValueError(kind)
        value: float | datetime = float(key) if kind == "score" else datetime.fromisoformat(key)
        return {"ks" if kind == "score" else "kd": value, "kid": int(oid)}
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"after: not a cursor of this list ({cursor[:40]!r})") from exc
