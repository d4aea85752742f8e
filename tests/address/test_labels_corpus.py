from __future__ import annotations

from pathlib import Path

import pytest

from gridwatch.address.corpus import CorpusError, read_corpus
from gridwatch.address.evaluate import score
from gridwatch.address.labels import Chunk, chunks_from_tags, tags_from_chunks
from gridwatch.address.tagger import retokenize


def test_chunks_follow_conlleval() -> None:
    tags = ["B-city", "I-city", "I-road", "O", "B-roadno", "B-roadno", "I-roadno"]
    assert chunks_from_tags(tags) == [
        Chunk("city", 0, 2),
        Chunk("road", 2, 3),
        Chunk("roadno", 4, 5),
        Chunk("roadno", 5, 7),
    ]
    assert tags_from_chunks(7, chunks_from_tags(tags))[:3] == ["B-city", "I-city", "B-road"]


def test_score_exact_chunks() -> None:
    gold = ["B-road", "I-road", "B-roadno"]
    s = score([(gold, gold), (gold, ["B-road", "B-road", "B-roadno"])])
    p, r, _f = s.overall()
    assert (round(p, 2), round(r, 2)) == (60.0, 75.0)
    assert s.per_label()["roadno"][2] == 100.0


def test_bmes_file_maps_labels_and_wordpieces(tmp_path: Path) -> None:
    f = tmp_path / "c.txt"
    f.write_text(
        "大 B-village\n源 M-village\n村 E-village\n5 B-group\n组 E-group\ne1 B-houseno\n##4 M-houseno\n"
        "栋 E-houseno\n\n",
        encoding="utf-8",
    )
    (s,) = list(read_corpus(f))
    assert s.tokens == ["大", "源", "村", "5", "组", "e14", "栋"]
    assert [c.label for c in chunks_from_tags(s.tags)] == ["community", "road", "houseno"]


def test_bad_row_names_file_and_line(tmp_path: Path) -> None:
    f = tmp_path / "bad.txt"
    f.write_text("广 B-city\n州 X-city\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"bad.txt:2"):
        list(read_corpus(f))
    f.write_text("广 B-nonsense\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="unknown label"):
        list(read_corpus(f))


def test_retokenize_keeps_chunks(tmp_path: Path) -> None:
    f = tmp_path / "n.txt"
    f.write_text("12-3 B-houseno\n栋 I-houseno\n", encoding="utf-8")
    (s,) = list(read_corpus(f))
    r = retokenize(s)
    assert r.tokens == ["12", "-", "3", "栋"]
    assert r.tags == ["B-houseno", "I-houseno", "I-houseno", "I-houseno"]
