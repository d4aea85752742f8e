"""Write the reference outputs the numpy forward pass of a neural address model is tested against.

Usage::

    PYTHONPATH=src python tools/write_neural_reference.py MODEL.npz ADDRESSES.txt OUT.json

For each address (one raw address per line), PyTorch's own modules (embedding, LSTM, linear layer) compute
the tag scores of the exported weights (:func:`gridwatch.address.neural_train.torch_emissions`); the JSON
keeps the tokens, the scores (5 decimals) and the Viterbi tags.  The test suite's fixture
``tests/address/data/neural_reference.json`` is this file for the shipped model; regenerate it when the
shipped model changes.  Needs PyTorch.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from gridwatch.address.neural import NeuralTagger, neural_features, viterbi
from gridwatch.address.neural_train import torch_emissions
from gridwatch.address.normalise import normalise_text
from gridwatch.address.tokens import tokenize


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("model", type=Path)
    ap.add_argument("addresses", type=Path)
    ap.add_argument("out", type=Path)
    args = ap.parse_args()
    tagger = NeuralTagger(args.model)
    m = tagger.model
    rows = []
    for line in args.addresses.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        tokens = [t.text for t in tokenize(normalise_text(line).text)]
        ids = m.ids(neural_features(tokens, tagger.gazetteer, tagger.lexicon))
        em = torch_emissions(args.model, ids)
        tags = [m.tags[k] for k in viterbi(em, m.trans, m.start, m.end)]
        rows.append(
            {"tokens": tokens, "emissions": [[round(float(v), 5) for v in r] for r in em], "tags": tags}
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"model": args.model.name, "addresses": rows}, ensure_ascii=False), "utf-8"
    )
    print(f"{len(rows)} addresses → {args.out}")


if __name__ == "__main__":
    main()
