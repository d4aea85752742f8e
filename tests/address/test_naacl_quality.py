"""The shipped model on the NAACL 2019 dev split (only where the shared data is present)."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

from gridwatch.address.corpus import read_corpus
from gridwatch.address.evaluate import score
from gridwatch.address.tagger import load_tagger


def test_shipped_model_chunk_f1_on_dev_sample(naacl_dir: Path) -> None:
    """The first 400 dev addresses: the shipped neural model scores 89.5 there (the CRF it replaced 88.7);
    the bound leaves room for a retrained model's noise but not for the CRF's level."""
    tagger = load_tagger()
    sample = list(islice(read_corpus(naacl_dir / "dev.txt"), 400))
    s = score((x.tags, tagger.tag(x.tokens)) for x in sample)
    _p, _r, f1 = s.overall()
    assert f1 > 89.0, f1
    assert s.per_label()["district"][2] > 90.0
