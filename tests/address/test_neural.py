"""The neural labeller: numpy inference against PyTorch reference outputs, Viterbi, training, model kinds."""

from __future__ import annotations

import itertools
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from gridwatch.address.corpus import Sentence, write_corpus
from gridwatch.address.labels import chunks_from_tags
from gridwatch.address.neural import NeuralTagger, neural_features, viterbi
from gridwatch.address.tagger import MODEL_KINDS, load_tagger, model_kind, shipped_model_path
from gridwatch.address.tokens import tokenize
from gridwatch.cli.app import app

REFERENCE = Path(__file__).parent / "data" / "neural_reference.json"


def test_numpy_forward_pass_equals_pytorch_reference_outputs() -> None:
    """Scores and tags of the shipped model, computed by PyTorch when it was exported (the fixture is
    written by tools/write_neural_reference.py), are reproduced by the numpy forward pass."""
    ref = json.loads(REFERENCE.read_text(encoding="utf-8"))
    assert ref["model"] == shipped_model_path().name
    tagger = load_tagger()
    assert isinstance(tagger, NeuralTagger)
    m = tagger.model
    assert len(ref["addresses"]) >= 20
    for row in ref["addresses"]:
        ids = m.ids(neural_features(row["tokens"], tagger.gazetteer, tagger.lexicon))
        em = m.emissions(ids)
        np.testing.assert_allclose(em, np.array(row["emissions"]), atol=2e-4)
        assert tagger.tag(row["tokens"]) == row["tags"]


def test_numpy_forward_pass_equals_pytorch_on_fresh_addresses(city_customers: tuple[pa.Table, dict]) -> None:
    pytest.importorskip("torch")
    from gridwatch.address.neural_train import torch_emissions

    tagger = load_tagger()
    assert isinstance(tagger, NeuralTagger)
    customers, _truth = city_customers
    for text in customers.column("address").to_pylist()[:40]:
        tokens = [t.text for t in tokenize(text)]
        ids = tagger.model.ids(neural_features(tokens, tagger.gazetteer, tagger.lexicon))
        np.testing.assert_allclose(
            tagger.model.emissions(ids), torch_emissions(tagger.path, ids), atol=2e-4, rtol=1e-4
        )


def test_viterbi_finds_the_best_path_by_exhaustive_search() -> None:
    rng = np.random.default_rng(3)
    for n in (1, 2, 4):
        em = rng.normal(size=(n, 3))
        trans, start, end = rng.normal(size=(3, 3)), rng.normal(size=3), rng.normal(size=3)

        def total(path: tuple[int, ...], em=em, trans=trans, start=start, end=end) -> float:
            s = start[path[0]] + end[path[-1]] + sum(em[t, k] for t, k in enumerate(path))
            return float(s + sum(trans[a, b] for a, b in itertools.pairwise(path)))

        best = max(itertools.product(range(3), repeat=n), key=total)
        assert tuple(viterbi(em, trans, start, end)) == best


def test_model_kind_is_chosen_by_file_suffix(tmp_path: Path) -> None:
    assert model_kind(Path("m.crfsuite")) is MODEL_KINDS["crf"]
    assert model_kind(Path("address.bilstm.npz")) is MODEL_KINDS["neural"]
    with pytest.raises(ValueError, match="unknown address model type"):
        model_kind(tmp_path / "m.bin")


def _corpus(city: pa.Table, n: int) -> list[Sentence]:
    out = []
    for r in city.to_pylist()[:n]:
        toks, tags = [], []
        for label, text in (("district", r["district"]), ("road", r["road"]), ("roadno", r["roadno"])):
            tt = [t.text for t in tokenize(text)]
            toks += tt
            tags += [f"B-{label}"] + [f"I-{label}"] * (len(tt) - 1)
        out.append(Sentence(toks, tags))
    return out


def test_neural_training_learns_a_small_corpus(tmp_path: Path, city: pa.Table) -> None:
    pytest.importorskip("torch")
    from gridwatch.address.neural_train import NeuralParams, train_neural

    sents = _corpus(city, 200)
    path = train_neural(
        sents[:160], tmp_path / "m.npz", NeuralParams(epochs=10, embedding=16, hidden=16, batch=8, lr=0.01)
    )
    tagger = NeuralTagger(path)
    exact = sum(chunks_from_tags(tagger.tag(s.tokens)) == chunks_from_tags(s.tags) for s in sents[160:])
    assert exact >= 30


def test_ensemble_of_networks_averages_their_scores_as_pytorch_does(tmp_path: Path, city: pa.Table) -> None:
    """Two networks trained with different seeds, stacked into one file: the numpy scores are the mean of
    the members' scores and equal PyTorch's; an ensemble of one network with itself tags as that network."""
    pytest.importorskip("torch")
    from gridwatch.address.neural_train import NeuralParams, export_ensemble, torch_emissions, train_neural

    sents = _corpus(city, 120)
    params = NeuralParams(epochs=3, embedding=8, hidden=8, batch=8, lr=0.01)
    paths = [
        train_neural(sents[:100], tmp_path / f"m{seed}.npz", replace(params, seed=seed)) for seed in (0, 1)
    ]
    both = NeuralTagger(export_ensemble(paths, tmp_path / "both.npz"))
    twice = NeuralTagger(export_ensemble([paths[0], paths[0]], tmp_path / "twice.npz"))
    single = [NeuralTagger(p) for p in paths]
    assert both.model.members == 2
    for s in sents[100:]:
        ids = both.model.ids(neural_features(s.tokens, both.gazetteer, both.lexicon))
        em = both.model.emissions(ids)
        np.testing.assert_allclose(em, torch_emissions(both.path, ids), atol=2e-4, rtol=1e-4)
        np.testing.assert_allclose(em, (single[0].model.emissions(ids) + single[1].model.emissions(ids)) / 2)
        assert twice.tag(s.tokens) == single[0].tag(s.tokens)


def test_ensemble_refuses_networks_of_different_vocabularies(tmp_path: Path, city: pa.Table) -> None:
    pytest.importorskip("torch")
    from gridwatch.address.neural_train import NeuralParams, export_ensemble, train_neural

    sents = _corpus(city, 120)
    params = NeuralParams(epochs=1, embedding=8, hidden=8, batch=8)
    a = train_neural(sents[:60], tmp_path / "a.npz", params)
    b = train_neural(sents[60:], tmp_path / "b.npz", params)
    with pytest.raises(ValueError, match="vocab"):
        export_ensemble([a, b], tmp_path / "ab.npz")


def test_cli_neural_training_without_pytorch_fails_clearly(
    tmp_path: Path, city: pa.Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "train.txt"
    write_corpus(_corpus(city, 20), corpus)
    monkeypatch.setitem(sys.modules, "torch", None)  # an absent package: `import torch` raises ImportError
    r = CliRunner().invoke(
        app, ["--home", str(tmp_path / "h"), "address", "train", str(corpus), "--model", "neural"]
    )
    assert r.exit_code == 2
    assert "PyTorch" in r.output and "--model crf" in r.output
    r = CliRunner().invoke(
        app,
        [
            "--home",
            str(tmp_path / "h"),
            "address",
            "train",
            str(corpus),
            "--model",
            "crf",
            "--out",
            str(tmp_path / "m.npz"),
        ],
    )
    assert r.exit_code == 2 and ".crfsuite" in r.output
