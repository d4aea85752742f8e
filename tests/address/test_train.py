from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa
from typer.testing import CliRunner

from gridwatch.address.corpus import Sentence, read_corpus, write_corpus
from gridwatch.address.labels import chunks_from_tags
from gridwatch.address.tagger import Tagger, TrainParams, lexicon_path, train
from gridwatch.address.tokens import tokenize
from gridwatch.cli.app import app


def _labelled(city: pa.Table, n: int, seed: int) -> list[Sentence]:
    rng = random.Random(seed)
    rows = city.to_pylist()
    out = []
    for _ in range(n):
        r = rng.choice(rows)
        parts = [
            ("district", r["district"]),
            ("town", r["town"]),
            ("road", r["road"]),
            ("roadno", r["roadno"]),
        ]
        if r["poi"]:
            parts += [("poi", r["poi"]), ("houseno", r["building"])]
        parts += [("roomno", f"{rng.randint(1, 30)}0{rng.randint(1, 9)}室")]
        if rng.random() < 0.5:
            parts = parts[1:]
        toks, tags = [], []
        for label, text in parts:
            tt = [t.text for t in tokenize(text)]
            toks += tt
            tags += [f"B-{label}"] + [f"I-{label}"] * (len(tt) - 1)
        out.append(Sentence(toks, tags))
    return out


def test_training_path_learns_a_small_corpus(tmp_path: Path, city: pa.Table) -> None:
    corpus = tmp_path / "train.txt"
    write_corpus(_labelled(city, 250, 1), corpus)
    model = train(read_corpus(corpus), tmp_path / "m.crfsuite", TrainParams(max_iterations=40))
    assert model.exists() and lexicon_path(model).exists()
    tagger = Tagger(model)
    test = _labelled(city, 30, 2)
    exact = sum(chunks_from_tags(tagger.tag(s.tokens)) == chunks_from_tags(s.tags) for s in test)
    assert exact >= 25


def test_cli_train_and_evaluate(tmp_path: Path, city: pa.Table) -> None:
    corpus = tmp_path / "train.txt"
    write_corpus(_labelled(city, 120, 3), corpus)
    dev = tmp_path / "dev.txt"
    write_corpus(_labelled(city, 20, 4), dev)
    out = tmp_path / "mine.crfsuite"
    r = CliRunner().invoke(
        app,
        [
            "--home",
            str(tmp_path / "h"),
            "address",
            "train",
            str(corpus),
            "--out",
            str(out),
            "--dev",
            str(dev),
            "--iterations",
            "20",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "overall" in r.output and out.exists()
    bad = tmp_path / "bad.txt"
    bad.write_text("广 B-city\n州\n", encoding="utf-8")
    r = CliRunner().invoke(
        app, ["--home", str(tmp_path / "h"), "address", "train", str(bad), "--out", str(out)]
    )
    assert r.exit_code == 2 and "bad.txt:2" in r.output
