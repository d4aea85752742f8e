"""Tokenisation of raw address text into the units the labeller tags.

As in the NAACL 2019 data, a run of ASCII digits is one token and a run of ASCII letters is one token;
every other character (Han characters, punctuation) is its own token; whitespace separates and is dropped.
Each token keeps its character offsets so that labels map back onto the original text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int


def _kind(ch: str) -> str:
    if "0" <= ch <= "9":
        return "d"
    if ("a" <= ch <= "z") or ("A" <= ch <= "Z"):
        return "a"
    if ch.isspace():
        return " "
    return "c"


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens (digit runs, letter runs, single other characters)."""
    out: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        k = _kind(text[i])
        if k == " ":
            i += 1
            continue
        j = i + 1
        if k in ("d", "a"):
            while j < n and _kind(text[j]) == k:
                j += 1
        out.append(Token(text[i:j], i, j))
        i = j
    return out


def char_class(tok: str) -> str:
    """Coarse class of a token: digit, latin, cnnum (Chinese numeral), han, punct or other."""
    ch = tok[0]
    if ch.isdigit() and ch.isascii():
        return "digit"
    if ch.isascii() and ch.isalpha():
        return "latin"
    if ch in CN_DIGITS:
        return "cnnum"
    if "\u4e00" <= ch <= "\u9fff":
        return "han"
    if ch in "-—－_~/\\#、,，.。:：;；()（）[]【】<>《》'\"“”":
        return "punct"
    return "other"


CN_DIGITS = frozenset("零〇一二三四五六七八九十百千两壹贰叁肆伍陆柒捌玖拾")
