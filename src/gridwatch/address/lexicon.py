"""Training data shared by the labellers: re-tokenised sentences and the learned lexicon.

The learned lexicon holds the chunk texts of :data:`gridwatch.address.features.LEXICON_LABELS` seen in
the training data; it is stored beside a model (``address.crfsuite`` → ``address.lexicon.json.gz``).
While training, each sentence's lexicon features come from a lexicon built on the *other* folds
(jackknifing, :func:`jackknifed`), so that a model learns how far to trust a lexicon hit on unseen text.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from gridwatch.address.corpus import Sentence
from gridwatch.address.features import LEXICON_LABELS
from gridwatch.address.gazetteer import Gazetteer
from gridwatch.address.labels import chunks_from_tags, tags_from_chunks
from gridwatch.address.tokens import tokenize


def retokenize(sentence: Sentence) -> Sentence:
    """Re-split a labelled sentence with :func:`tokenize` so that training sees the tokens that parsing
    will see (a file's ``2-1`` token becomes ``2``, ``-``, ``1``; chunk boundaries are kept)."""
    char_label: list[str | None] = []
    char_begin: list[bool] = []
    for chunk_tokens, tag in zip(sentence.tokens, sentence.tags, strict=True):
        prefix, _, lab = tag.partition("-")
        for k, _ch in enumerate(chunk_tokens):
            char_label.append(lab if prefix in ("B", "I") else None)
            char_begin.append(prefix == "B" and k == 0)
    text = sentence.text
    toks = tokenize(text)
    tags: list[str] = []
    prev: str | None = None
    for t in toks:
        lab = char_label[t.start]
        if lab is None:
            tags.append("O")
        elif char_begin[t.start] or prev != lab:
            tags.append(f"B-{lab}")
        else:
            tags.append(f"I-{lab}")
        prev = lab
    if not toks:
        return Sentence([], [])
    return Sentence([t.text for t in toks], tags_from_chunks(len(toks), chunks_from_tags(tags)))


def training_sentences(sentences: Iterable[Sentence]) -> list[Sentence]:
    """Re-tokenised, non-empty sentences; raises ValueError when none is left."""
    sents = [r for r in (retokenize(s) for s in sentences) if r.tokens]
    if not sents:
        raise ValueError("no labelled addresses to train on")
    return sents


def lexicon_path(model_path: Path) -> Path:
    """The learned lexicon stored beside a model (``address.crfsuite`` → ``address.lexicon.json.gz``)."""
    return model_path.with_name(model_path.stem + ".lexicon.json.gz")


def _chunk_texts(sentences: Iterable[Sentence]) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {lvl: Counter() for lvl in LEXICON_LABELS}
    for s in sentences:
        for c in chunks_from_tags(s.tags):
            if c.label in out:
                txt = "".join(s.tokens[c.start : c.end])
                if 2 <= len(txt) <= 12:
                    out[c.label][txt] += 1
    return out


def build_lexicon(sentences: Sequence[Sentence], min_count: int = 1) -> Gazetteer:
    """Chunk texts of the lexicon labels seen in ``sentences`` (at least ``min_count`` times)."""
    counts = _chunk_texts(sentences)
    return Gazetteer({lvl: {t for t, n in c.items() if n >= min_count} for lvl, c in counts.items()})


def jackknifed(
    sentences: Sequence[Sentence], folds: int = 5
) -> tuple[list[tuple[Sentence, Gazetteer]], Gazetteer]:
    """Each sentence with the lexicon of the other folds, and the lexicon of all sentences."""
    folds = max(2, folds)
    fold_counts = [_chunk_texts(sentences[k::folds]) for k in range(folds)]
    total = {lvl: sum((fc[lvl] for fc in fold_counts), Counter()) for lvl in LEXICON_LABELS}
    pairs: list[tuple[Sentence, Gazetteer]] = []
    for k in range(folds):
        lex = Gazetteer(
            {
                lvl: {t for t, n in (total[lvl] - fold_counts[k][lvl]).items() if n >= 1}
                for lvl in LEXICON_LABELS
            }
        )
        pairs.extend((s, lex) for s in sentences[k::folds])
    return pairs, Gazetteer({lvl: set(total[lvl]) for lvl in LEXICON_LABELS})


def save_lexicon(lex: Gazetteer, path: Path) -> None:
    data = {lvl: sorted(names) for lvl, names in lex.names.items()}
    path.write_bytes(gzip.compress(json.dumps(data, ensure_ascii=False).encode("utf-8"), mtime=0))


def load_lexicon(path: Path) -> Gazetteer | None:
    if not path.exists():
        return None
    data = json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))
    return Gazetteer({lvl: set(names) for lvl, names in data.items()})
