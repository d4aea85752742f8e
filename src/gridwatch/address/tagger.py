"""Address labellers: the registry of model kinds, the CRF (python-crfsuite), loading the shipped model.

Two kinds of model label the tokens of an address (:data:`MODEL_KINDS`, chosen by the model file's
suffix): ``crf`` — a linear-chain CRF (``.crfsuite``, trained and run with python-crfsuite) — and
``neural`` — a BiLSTM-CRF (``.npz``, trained with PyTorch by :mod:`gridwatch.address.neural_train`, run in
numpy by :mod:`gridwatch.address.neural`).  The shipped model lives in ``gridwatch/address/model/`` (see
``model/README.md`` for its training data); ``gridwatch address train`` retrains either kind from labelled
files in the corpus format of :mod:`gridwatch.address.corpus`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Protocol

import pycrfsuite

from gridwatch.address.corpus import Sentence
from gridwatch.address.features import sentence_features
from gridwatch.address.gazetteer import division_gazetteer
from gridwatch.address.lexicon import (
    build_lexicon,
    jackknifed,
    lexicon_path,
    load_lexicon,
    retokenize,
    save_lexicon,
    training_sentences,
)

__all__ = [
    "MODEL_KINDS",
    "ModelKind",
    "SequenceTagger",
    "Tagger",
    "TrainParams",
    "build_lexicon",
    "lexicon_path",
    "load_tagger",
    "model_kind",
    "retokenize",
    "shipped_model_path",
    "train",
]

MODEL_NAME = "address.bilstm.npz"
"""File name of the shipped model in ``gridwatch/address/model/``."""


class SequenceTagger(Protocol):
    """What the parser needs of a labeller: BIO tags for a list of tokens."""

    path: Path

    def tag(self, tokens: Sequence[str]) -> list[str]: ...


@dataclass(frozen=True)
class TrainParams:
    """CRF training parameters (L-BFGS with elastic-net regularisation)."""

    c1: float = 0.05
    c2: float = 0.1
    max_iterations: int = 200
    min_freq: int = 1
    lexicon_folds: int = 5


def train(sentences: Iterable[Sentence], model_path: Path, params: TrainParams | None = None) -> Path:
    """Train a CRF on labelled sentences and write it (and its learned lexicon) beside ``model_path``.

    The lexicon features of each training sentence come from a lexicon built on the *other* folds
    (jackknifing), so that the model learns how far to trust a lexicon hit on unseen text.
    """
    p = params or TrainParams()
    trainer = pycrfsuite.Trainer(verbose=False)
    pairs, lexicon = jackknifed(training_sentences(sentences), p.lexicon_folds)
    for s, lex in pairs:
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
    save_lexicon(lexicon, lexicon_path(model_path))
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


def _train_crf(sentences: Sequence[Sentence], model_path: Path, steps: int | None) -> Path:
    return train(sentences, model_path, TrainParams(max_iterations=steps or TrainParams.max_iterations))


def _load_neural(model_path: Path) -> SequenceTagger:
    from gridwatch.address.neural import NeuralTagger

    return NeuralTagger(model_path)


def _train_neural(sentences: Sequence[Sentence], model_path: Path, steps: int | None) -> Path:
    from gridwatch.address.neural_train import NeuralParams, train_neural

    return train_neural(sentences, model_path, NeuralParams(epochs=steps or NeuralParams.epochs))


@dataclass(frozen=True)
class ModelKind:
    """One kind of address labeller: its model file suffix, loader and trainer (``steps``: L-BFGS
    iterations or epochs; None = the kind's default)."""

    name: str
    suffix: str
    default_file: str
    load: Callable[[Path], SequenceTagger]
    train: Callable[[Sequence[Sentence], Path, int | None], Path]
    description: str


MODEL_KINDS: dict[str, ModelKind] = {
    k.name: k
    for k in (
        ModelKind(
            "crf",
            ".crfsuite",
            "address.crfsuite",
            Tagger,
            _train_crf,
            "linear-chain CRF (python-crfsuite), trains in minutes on CPU",
        ),
        ModelKind(
            "neural",
            ".npz",
            "address.bilstm.npz",
            _load_neural,
            _train_neural,
            "BiLSTM-CRF run in numpy; training needs PyTorch (extra 'neural')",
        ),
    )
}
"""The labeller kinds, by name; a model file's suffix says which kind it is."""


def model_kind(model_path: Path) -> ModelKind:
    """The kind of the model stored at ``model_path`` (by its suffix)."""
    for kind in MODEL_KINDS.values():
        if model_path.name.endswith(kind.suffix):
            return kind
    known = ", ".join(f"{k.suffix} ({k.name})" for k in MODEL_KINDS.values())
    raise ValueError(f"{model_path}: unknown address model type; expected one of {known}")


def shipped_model_path() -> Path:
    return Path(str(resources.files("gridwatch.address") / "model" / MODEL_NAME))


@lru_cache(maxsize=4)
def load_tagger(model_path: Path | None = None) -> SequenceTagger:
    """The tagger of ``model_path`` (default: the model shipped with the package), loaded once."""
    path = model_path or shipped_model_path()
    if not path.exists():
        raise FileNotFoundError(f"{path}: no address model; train one with `gridwatch address train FILE`")
    return model_kind(path).load(path)
