"""Token features for the labellers (the CRF uses all of them, the neural model a subset).

Per token: the token and its neighbours (±2) as unigrams, bigrams and a trigram; the character class
(digit, latin, Chinese numeral, Han, punctuation) of the token and its neighbours; the digit-run length;
gazetteer membership (B/I/E/S of the longest administrative-division name of each level covering the
token); and suffix-lexicon features (a suffix word such as 路/号/栋/单元/室/街道 ending at this token, and
the category and distance of the next suffix word to the right and the previous one to the left).
"""

from __future__ import annotations

from collections.abc import Sequence

from gridwatch.address.gazetteer import ADMIN_LEVELS, Gazetteer, division_gazetteer, suffix_gazetteer
from gridwatch.address.tokens import char_class

_WINDOW = 8  # tokens searched for the next/previous suffix word


def _norm_tok(tok: str) -> str:
    c = tok[0]
    if c.isascii() and c.isdigit():
        return "<D>" if len(tok) < 3 else "<DDD>"
    if c.isascii() and c.isalpha():
        return "<A>"
    return tok


def _span_marks(spans: list[tuple[int, int]], starts: Sequence[int], ends: Sequence[int]) -> list[str]:
    """B/I/E/S mark per token of character spans (tokens not covered: empty)."""
    n = len(starts)
    marks = [""] * n
    if not spans:
        return marks
    for s, e in spans:
        idx = [i for i in range(n) if starts[i] >= s and ends[i] <= e]
        if not idx:
            continue
        if len(idx) == 1:
            marks[idx[0]] = marks[idx[0]] or "S"
            continue
        for k, i in enumerate(idx):
            if not marks[i]:
                marks[i] = "B" if k == 0 else ("E" if k == len(idx) - 1 else "I")
    return marks


def _repeats(text: str, min_len: int = 2, max_len: int = 12) -> list[tuple[int, int]]:
    """Spans that repeat text seen earlier in the address (the second 浙江省杭州市 is redundant)."""
    out: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        best = 0
        for k in range(min(max_len, n - i), min_len - 1, -1):
            if text[i : i + k] in text[:i]:
                best = k
                break
        if best:
            out.append((i, i + best))
            i += best
        else:
            i += 1
    return out


def _repeated_later(text: str, min_len: int = 2, max_len: int = 12) -> list[tuple[int, int]]:
    """Spans that occur again later in the address (the first of two copies)."""
    out: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        best = 0
        for k in range(min(max_len, n - i), min_len - 1, -1):
            if text.find(text[i : i + k], i + k) >= 0:
                best = k
                break
        if best:
            out.append((i, i + best))
            i += best
        else:
            i += 1
    return out


LEXICON_LABELS: tuple[str, ...] = (
    "poi",
    "subpoi",
    "road",
    "community",
    "town",
    "person",
    "devzone",
    "redundant",
)
"""Labels whose chunk texts from the training data form the learned lexicon."""


def sentence_features(
    tokens: Sequence[str],
    gazetteer: Gazetteer | None = None,
    suffixes: Gazetteer | None = None,
    lexicon: Gazetteer | None = None,
) -> list[list[str]]:
    """Feature strings for each token of one address."""
    gaz = gazetteer or division_gazetteer()
    sfx = suffixes or suffix_gazetteer()
    n = len(tokens)
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for t in tokens:
        starts.append(pos)
        pos += len(t)
        ends.append(pos)
    text = "".join(tokens)
    norm = [_norm_tok(t) for t in tokens]
    cls = [char_class(t) for t in tokens]
    gz_spans = {lvl: gaz.spans(text, lvl) for lvl in ADMIN_LEVELS}
    gz = {lvl: _span_marks(sp, starts, ends) for lvl, sp in gz_spans.items()}
    gz_again = {lvl: _span_marks(sp[1:], starts, ends) for lvl, sp in gz_spans.items()}
    rep = _span_marks(_repeats(text), starts, ends)
    rep_later = _span_marks(_repeated_later(text), starts, ends)
    lex = (
        {lvl: _span_marks(lexicon.spans(text, lvl), starts, ends) for lvl in lexicon.names}
        if lexicon is not None
        else {}
    )
    # suffix words ending at each token: category list
    end_index = {e: i for i, e in enumerate(ends)}
    sfx_end: list[list[str]] = [[] for _ in range(n)]
    for lvl in sfx.names:
        lens = sfx.longest_matches(text, lvl)
        for s, k in enumerate(lens):
            if k:
                j = end_index.get(s + k)
                if j is not None and s >= starts[j] - (k - 1):
                    sfx_end[j].append(lvl)
    for lvl, words in sfx.names.items():  # shorter words also count (号 inside 号楼)
        for i, t in enumerate(tokens):
            if t in words and lvl not in sfx_end[i]:
                sfx_end[i].append(lvl)
    nxt: list[str] = ["none"] * n
    prv: list[str] = ["none"] * n
    last: tuple[int, str] | None = None
    for i in range(n - 1, -1, -1):
        if last is not None and last[0] - i <= _WINDOW:
            nxt[i] = f"{last[1]}|{min(last[0] - i, 4)}"
        if sfx_end[i]:
            last = (i, sfx_end[i][0])
    last = None
    for i in range(n):
        if last is not None and i - last[0] <= _WINDOW:
            prv[i] = f"{last[1]}|{min(i - last[0], 4)}"
        if sfx_end[i]:
            last = (i, sfx_end[i][0])

    feats: list[list[str]] = []
    for i in range(n):
        w = norm[i]
        wp = norm[i - 1] if i > 0 else "<S>"
        wpp = norm[i - 2] if i > 1 else "<S>"
        wn = norm[i + 1] if i < n - 1 else "</S>"
        wnn = norm[i + 2] if i < n - 2 else "</S>"
        f = [
            "b",
            f"w={w}",
            f"w-1={wp}",
            f"w+1={wn}",
            f"w-2={wpp}",
            f"w+2={wnn}",
            f"w-1w={wp}{w}",
            f"ww+1={w}{wn}",
            f"w-2w-1={wpp}{wp}",
            f"w+1w+2={wn}{wnn}",
            f"w-1ww+1={wp}{w}{wn}",
            f"c={cls[i]}",
            f"c-1={cls[i - 1] if i > 0 else 'S'}",
            f"c+1={cls[i + 1] if i < n - 1 else 'S'}",
            f"nx={nxt[i]}",
            f"pv={prv[i]}",
            f"nxw={nxt[i]}|{w}",
            f"w-3={norm[i - 3] if i > 2 else '<S>'}",
            f"w+3={norm[i + 3] if i < n - 3 else '</S>'}",
            f"nxpv={nxt[i]}|{prv[i]}",
        ]
        if cls[i] == "digit":
            f.append(f"dlen={min(len(tokens[i]), 5)}")
        if i == 0:
            f.append("BOS")
        if i == n - 1:
            f.append("EOS")
        f.append(f"pos={min(i, 10)}")
        for lvl in ADMIN_LEVELS:
            m = gz[lvl][i]
            if m:
                f.append(f"gz_{lvl}={m}")
                if gz_again[lvl][i]:
                    f.append(f"gz2_{lvl}")
        if rep_later[i]:
            f.append(f"repl={rep_later[i]}")
        for lvl, marks in lex.items():
            if marks[i]:
                f.append(f"lx_{lvl}={marks[i]}")
        if rep[i]:
            f.append(f"rep={rep[i]}")
            f.append(f"repw={rep[i]}|{w}")
        for lvl in sfx_end[i]:
            f.append(f"se={lvl}")
        feats.append(f)
    return feats
