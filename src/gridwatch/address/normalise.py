"""Text normalisation of Chinese addresses.

:func:`normalise_text` applies deterministic rules, in order, and is idempotent
(``normalise_text(normalise_text(x)) == normalise_text(x)``):

1. Unicode NFKC: full-width letters, digits and punctuation become half-width (１２Ａ → 12A, （ → ().
2. Control characters and whitespace are removed; dashes and tildes (－—–~〜) become ``-``; ``#`` after a
   number becomes 号.
3. Bracketed notes (``(…)``, ``[…]``, ``【…】``, ``<…>``, ``《…》``) are removed from the text and returned
   as notes.
4. Chinese numerals before a unit word become Arabic (三栋 → 3栋, 二十一号 → 21号, 第五层 → 5层, 之一 → 之1), and
   so does a door number written before 之 or a dash without 号 (十五之1号 → 15-1号, 三十三-4号 → 33-4号).
5. Unit words get one spelling: 幢/座/号楼 → 栋, 房/号房 → 室 (after a number), N楼 (a floor) → N层,
   单元 stays, 号之一 / 之1 / 号-1 → ``-1号`` (12号之一 → 12-1号).
6. Immediately repeated spans (广州市广州市 → 广州市) are collapsed.

Administrative prefixes (province, city, district) are completed from the hierarchy by
:mod:`gridwatch.address.admin`, once the address is parsed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from gridwatch.address.numerals import CN_NUMERAL_CHARS, cn_to_int

UNIT_WORDS = (
    "号楼",
    "号房",
    "单元",
    "号",
    "栋",
    "幢",
    "座",
    "室",
    "房",
    "层",
    "楼",
    "弄",
    "组",
    "梯",
    "期",
    "排",
    "巷",
    "铺",
    "档",
    "街坊",
    "队",
)
"""Words after which a Chinese numeral is a number (三栋 = 3栋)."""

_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|<[^<>]*>|《[^《》]*》|〔[^〔〕]*〕")
_CTRL = re.compile(r"[\x00-\x1f\x7f-\x9f\s\u200b-\u200f\u2028\u2029\ufeff]+")
_DASHES = re.compile(r"[－—–―‐‑~〜～_]+")
_CN_NUM_BEFORE_UNIT = re.compile(r"(第?)([" + CN_NUMERAL_CHARS + r"]+)(?=" + "|".join(UNIT_WORDS) + r")")
_CN_NUM_AFTER_ZHI = re.compile(r"之([" + CN_NUMERAL_CHARS + r"]+)")
_ZHI_CN = re.compile(r"(\d+)号?之([" + CN_NUMERAL_CHARS + r"]+)号?")
_CN_NUM_BEFORE_SUB = re.compile(r"(?<![" + CN_NUMERAL_CHARS + r"])([" + CN_NUMERAL_CHARS + r"]+)(?=之\d|-\d)")
_ORDINAL = re.compile(r"第(\d+)(?=" + "|".join(UNIT_WORDS) + r")")
_ZHI = re.compile(r"(\d+)号?之(\d+)号?")
_NO_DASH = re.compile(r"(\d+)号-(\d+)(?![\d栋单元室层楼])")
_HASH = re.compile(r"(\d+)#")
_BUILDING = re.compile(r"(?<=[0-9A-Za-z])(?:号楼|幢|座)")
_ROOM = re.compile(r"(?<=\d)(?:号房|房)(?![间屋])")
_FLOOR = re.compile(r"(?<=\d)楼(?![\d栋])")
_REPEAT = re.compile(r"(.{2,12}?)\1+")


@dataclass
class Normalised:
    text: str
    notes: list[str] = field(default_factory=list)


def _numeral(m: re.Match[str]) -> str:
    value = cn_to_int(m.group(2))
    if value is None:
        return m.group(0)
    return m.group(1) + str(value)


def _drop_brackets(text: str, notes: list[str]) -> str:
    while True:
        m = _BRACKETS.search(text)
        if m is None:
            return text
        inner = m.group(0)[1:-1].strip()
        if inner:
            notes.append(inner)
        text = text[: m.start()] + text[m.end() :]


def _collapse_repeats(text: str) -> str:
    # only collapse repeats of Han text (广州市广州市), never of numbers (227号27号 is not a repeat)
    if not _has_repeated_pair(text):  # a repeated unit starts with a pair of characters seen twice
        return text

    def repl(m: re.Match[str]) -> str:
        unit = m.group(1)
        return unit if len(unit) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in unit) else m.group(0)

    prev = None
    while prev != text:
        prev = text
        text = _REPEAT.sub(repl, text)
    return text


_HAN_PAIR_TWICE = re.compile(r"([\u4e00-\u9fff]{2}).*?\1")


def _has_repeated_pair(text: str) -> bool:
    """Whether a pair of Han characters occurs twice (a repeated Han span starts with such a pair)."""
    return _HAN_PAIR_TWICE.search(text) is not None


def normalise_text(text: str) -> Normalised:
    """Normalise one raw address (see the module docstring for the rules).

    The rules are applied until the text no longer changes (removing a character can make two others
    meet that a rule rewrites), which makes the function idempotent.
    """
    notes: list[str] = []
    t = text
    for _ in range(_MAX_PASSES):
        new = _one_pass(t, notes)
        if new == t:
            break
        t = new
    return Normalised(t, notes)


_MAX_PASSES = 6


def _one_pass(text: str, notes: list[str]) -> str:
    # each rule runs only when the characters it needs are present (the common case is cheap)
    t = text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)
    if not t.isprintable() or " " in t:
        t = _CTRL.sub("", t)
    if not _DASH_CHARS.isdisjoint(t):
        t = _DASHES.sub("-", t)
    if not _BRACKET_CHARS.isdisjoint(t):
        t = _drop_brackets(t, notes)
        t = t.replace("(", "").replace(")", "").replace("[", "").replace("]", "")
    if "#" in t:
        t = _HASH.sub(r"\1号", t)
    if "号-" in t:  # before numerals are converted: 104号-1二十栋 must not become 104号-120栋
        t = _NO_DASH.sub(r"\1-\2号", t)
    has_cn = not _CN_CHARS.isdisjoint(t)
    if "之" in t:
        if has_cn:  # 38号之一101房: the number after 之 ends at the Chinese numeral, before 101
            t = _ZHI_CN.sub(_zhi_cn, t)
            t = _CN_NUM_AFTER_ZHI.sub(_zhi_numeral, t)
        t = _ZHI.sub(r"\1-\2号", t)
    if has_cn:
        t = _CN_NUM_BEFORE_UNIT.sub(_numeral, t)
        if "之" in t or "-" in t:
            t = _CN_NUM_BEFORE_SUB.sub(_plain_numeral, t)
        if "之" in t:
            t = _ZHI.sub(r"\1-\2号", t)
    if "第" in t:
        t = _ORDINAL.sub(r"\1", t)
    if "号-" in t:
        t = _NO_DASH.sub(r"\1-\2号", t)
    if "幢" in t or "座" in t or "号楼" in t:
        t = _BUILDING.sub("栋", t)
    if "房" in t:
        t = _ROOM.sub("室", t)
    if "楼" in t:
        t = _FLOOR.sub("层", t)
    t = _collapse_repeats(t)
    t = t.strip("-,，.。;；:：、 ")
    return t if unicodedata.is_normalized("NFKC", t) else unicodedata.normalize("NFKC", t)


def _plain_numeral(m: re.Match[str]) -> str:
    v = cn_to_int(m.group(1))
    return m.group(0) if v is None else str(v)


def _zhi_cn(m: re.Match[str]) -> str:
    v = cn_to_int(m.group(2))
    return m.group(0) if v is None else f"{m.group(1)}-{v}号"


def _zhi_numeral(m: re.Match[str]) -> str:
    v = cn_to_int(m.group(1))
    return "之" + (str(v) if v is not None else m.group(1))


_DASH_CHARS = frozenset("－—–―‐‑~〜～_")
_BRACKET_CHARS = frozenset("()[]【】<>《》〔〕")
_CN_CHARS = frozenset(CN_NUMERAL_CHARS)
