"""Comparison keys of address components: the forms that two spellings of the same thing share.

Names lose their generic suffix where it is often dropped (石牌街道 → 石牌, 华师社区 → 华师, 大源村 → 大源);
numbers keep digits, letters and inner dashes only (12号之一 → 12-1, 3栋 → 3, B座 → B, 101室 → 101).
All functions accept None and return None for empty results.
"""

from __future__ import annotations

import re

from gridwatch.address.normalise import normalise_text

_NUM_KEEP = re.compile(r"[^0-9A-Za-z\-]")
_NAME_SUFFIXES = ("街道办事处", "街道办", "街道", "社区居委会", "居委会", "村委会", "社区", "镇", "乡", "村")


def number_key(text: str | None) -> str | None:
    """12号 → 12, 12号之一 → 12-1, 3栋 → 3, B座 → B, 二单元 → 2, 101房 → 101."""
    if not text:
        return None
    return number_key_normalised(normalise_text(text).text)


def number_key_normalised(text: str | None) -> str | None:
    """:func:`number_key` of text that is already normalised (skips normalisation)."""
    if not text:
        return None
    t = _NUM_KEEP.sub("", text).strip("-").upper()
    return t or None


def name_key(text: str | None) -> str | None:
    """A name without brackets, spaces or its admin suffix (石牌街道 → 石牌)."""
    if not text:
        return None
    t = normalise_text(text).text
    for s in _NAME_SUFFIXES:
        if t.endswith(s) and len(t) - len(s) >= 2:
            t = t[: -len(s)]
            break
    return t or None


def plain_key(text: str | None) -> str | None:
    """A road or POI name, normalised (no suffix stripping: 中山路 and 中山街 differ)."""
    if not text:
        return None
    t = normalise_text(text).text
    return t or None
