"""The CRF sequence labeller (python-crfsuite): train, save, load, tag.

The shipped model lives in ``gridwatch/address/model/address.crfsuite`` (see ``model/README.md`` for its
training data); :func:`train` retrains one from labelled files in the corpus format of
:mod:`gridwatch.address.corpus`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pycrfsuite

from gridwatch.address.corpus import Sentence
from gridwatch.address.features import sentence_features
from gridwatch.address.labels import chunks_from_tags, tags_from_chunks
from gridwatch.address.tokens import tokenize

MODEL_NAME = "address.crfsuite"


@dataclass(frozen=True)
class TrainParams:
    """CRF training parameters (L-BFGS with elastic-net regularisation)."""

    c1: float = 0.05
    c2: float = 0.01
    max_iterations: int = 200
    min_freq: int = 1


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


def train(sentences: Iterable[Sentence], model_path: Path, params: TrainParams | None = None) -> Path:
    """Train a CRF on labelled sentences and write it to ``model_path``."""
    p = params or TrainParams()
    trainer = pycrfsuite.Trainer(verbose=False)
    n = 0
    for s in sentences:
        s = retokenize(s)
        if not s.tokens:
            continue
        trainer.append(sentence_features(s.tokens), s.tags)
        n += 1
    if n == 0:
        raise ValueError("no labelled addresses to train on")
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
    return model_path


class Tagger:
    """A loaded CRF model."""

    def __init__(self, model_path: Path) -> None:
        self.path = model_path
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(model_path))

    def tag(self, tokens: Sequence[str]) -> list[str]:
        if not tokens:
            return []
        return list(self._tagger.tag(sentence_features(tokens)))


def shipped_model_path() -> Path:
    return Path(str(resources.files("gridwatch.address") / "model" / MODEL_NAME))


@lru_cache(maxsize=4)
def load_tagger(model_path: Path | None = None) -> Tagger:
    """The tagger of ``model_path`` (default: the model shipped with the package), loaded once."""
    path = model_path or shipped_model_path()
    if not path.exists():
        raise FileNotFoundError(f"{path}: no address model; train one with `gridwatch address train FILE`")
    return Tagger(path)
