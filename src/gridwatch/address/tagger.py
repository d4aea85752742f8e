"""The CRF sequence labeller (python-crfsuite): train, save, load, tag.

The shipped model lives in ``gridwatch/address/model/address.crfsuite`` (see ``model/README.md`` for its
training data); :func:`train` retrains one from labelled files in the corpus format of
:mod:`gridwatch.address.corpus`.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pycrfsuite

from gridwatch.address.corpus import Sentence
from gridwatch.address.features import LEXICON_LABELS, sentence_features
from gridwatch.address.gazetteer import Gazetteer, division_gazetteer
from gridwatch.address.labels import chunks_from_tags, tags_from_chunks
from gridwatch.address.tokens import tokenize

MODEL_NAME = "address.crfsuite"


@dataclass(frozen=True)
class TrainParams:
    """CRF training parameters (L-BFGS with elastic-net regularisation)."""

    c1: float = 0.05
    c2: float = 0.1
    max_iterations: int = 200
    min_freq: int = 1
    lexicon_folds: int = 5


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


def save_lexicon(lex: Gazetteer, path: Path) -> None:
    data = {lvl: sorted(names) for lvl, names in lex.names.items()}
    path.write_bytes(gzip.compress(json.dumps(data, ensure_ascii=False).encode("utf-8"), mtime=0))


def load_lexicon(path: Path) -> Gazetteer | None:
    if not path.exists():
        return None
    data = json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))
    return Gazetteer({lvl: set(names) for lvl, names in data.items()})


def train(sentences: Iterable[Sentence], model_path: Path, params: TrainParams | None = None) -> Path:
    """Train a CRF on labelled sentences and write it (and its learned lexicon) beside ``model_path``.

    The lexicon features of each training sentence come from a lexicon built on the *other* folds
    (jackknifing), so that the model learns how far to trust a lexicon hit on unseen text.
    """
    p = params or TrainParams()
    trainer = pycrfsuite.Trainer(verbose=False)
    sents = [r for r in (retokenize(s) for s in sentences) if r.tokens]
    if not sents:
        raise ValueError("no labelled addresses to train on")
    folds = max(2, p.lexicon_folds)
    fold_counts = [_chunk_texts(sents[k::folds]) for k in range(folds)]
    total = {lvl: sum((fc[lvl] for fc in fold_counts), Counter()) for lvl in LEXICON_LABELS}
    for k in range(folds):
        lex = Gazetteer(
            {
                lvl: {t for t, n in (total[lvl] - fold_counts[k][lvl]).items() if n >= 1}
                for lvl in LEXICON_LABELS
            }
        )
        for s in sents[k::folds]:
            trainer.append(sentence_features(s.tokens, lexicon=lex), s.tags)
    trainer.set_params(
        {
            "c1": p.c1,
            "c2": p.c2,
            "max_iterations": p.max_iterations,
            "feature.possible_transitions": True,
            "feature.minfreq": p.min_freq,
        }
    )
    model_path.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(model_path))
    save_lexicon(Gazetteer({lvl: set(total[lvl]) for lvl in LEXICON_LABELS}), lexicon_path(model_path))
    return model_path


class Tagger:
    """A loaded CRF model."""

    def __init__(self, model_path: Path) -> None:
        self.path = model_path
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(model_path))
        self.lexicon = load_lexicon(lexicon_path(model_path))
        # loaded here, not at the first address: whatever is built after the tagger (the admin resolver of
        # the city) then finds the divisions in memory instead of reading the files a second time
        self.gazetteer = division_gazetteer()

    def tag(self, tokens: Sequence[str]) -> list[str]:
        if not tokens:
            return []
        return list(self._tagger.tag(sentence_features(tokens, self.gazetteer, lexicon=self.lexicon)))


def shipped_model_path() -> Path:
    return Path(str(resources.files("gridwatch.address") / "model" / MODEL_NAME))


@lru_cache(maxsize=4)
def load_tagger(model_path: Path | None = None) -> Tagger:
    """The tagger of ``model_path`` (default: the model shipped with the package), loaded once."""
    path = model_path or shipped_model_path()
    if not path.exists():
        raise FileNotFoundError(f"{path}: no address model; train one with `gridwatch address train FILE`")
    return Tagger(path)
