"""Pre-train token vectors (skip-gram with negative sampling) on unlabelled address text.

Usage::

    PYTHONPATH=src python tools/pretrain_token_vectors.py OUT.npz TEXT_FILE... \
        [--divisions 200000] [--simulated 20000] [--dim 96] [--epochs 3]

Each ``TEXT_FILE`` is either a labelled corpus (``token TAG`` lines; only the tokens are used) or one
raw address per line.  ``--divisions N`` adds N administrative-division names (full form) from the shipped
divisions; ``--simulated N`` adds N addresses of the synthetic Guangzhou city.  Tokens are normalised as
the ``w=`` feature is (digit runs → ``<D>``/``<DDD>``, letter runs → ``<A>``).  The vectors initialise
the neural labeller's token embeddings (``--param pretrained=OUT.npz`` of ``train_address_model.py``).
Needs PyTorch.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from pathlib import Path

import numpy as np
import torch

from gridwatch.address.corpus import read_corpus
from gridwatch.address.features import _norm_tok
from gridwatch.address.normalise import normalise_text
from gridwatch.address.tokens import tokenize


def _texts(path: Path) -> list[list[str]]:
    first = path.read_text(encoding="utf-8").split("\n", 1)[0].strip()
    if len(first.split()) == 2 and len(first.split()[0]) <= 4:
        return [s.tokens for s in read_corpus(path)]
    return [
        [t.text for t in tokenize(normalise_text(line).text)] for line in path.read_text("utf-8").splitlines()
    ]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("files", type=Path, nargs="*")
    ap.add_argument("--divisions", type=int, default=0)
    ap.add_argument("--simulated", type=int, default=0)
    ap.add_argument("--dim", type=int, default=96)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--window", type=int, default=3)
    ap.add_argument("--negatives", type=int, default=5)
    ap.add_argument("--min-count", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    sents: list[list[str]] = []
    for f in args.files:
        sents += _texts(f)
    if args.divisions:
        from gridwatch.geo.divisions import all_divisions

        names = [d.name for d in all_divisions().values()]
        random.Random(0).shuffle(names)
        sents += [[t.text for t in tokenize(n)] for n in names[: args.divisions]]
    if args.simulated:
        from gridwatch.address.synthetic import make_city, noisy_customers

        customers, _ = noisy_customers(make_city(400), args.simulated)
        sents += [
            [t.text for t in tokenize(normalise_text(a).text)]
            for a in customers.column("address").to_pylist()
        ]
    sents = [[_norm_tok(t) for t in s] for s in sents if s]
    counts = Counter(t for s in sents for t in s)
    vocab = [t for t, n in counts.most_common() if n >= args.min_count]
    index = {t: i for i, t in enumerate(vocab)}
    print(f"{len(sents)} texts, {sum(counts.values())} tokens, vocabulary {len(vocab)}", flush=True)
    centre, context = [], []
    for s in sents:
        ids = [index[t] for t in s if t in index]
        for i, c in enumerate(ids):
            for j in range(max(0, i - args.window), min(len(ids), i + args.window + 1)):
                if j != i:
                    centre.append(c)
                    context.append(ids[j])
    centre_a, context_a = np.array(centre), np.array(context)
    freq = np.array([counts[t] for t in vocab], dtype=np.float64) ** 0.75
    freq /= freq.sum()
    emb_in = torch.nn.Embedding(len(vocab), args.dim, sparse=True)
    emb_out = torch.nn.Embedding(len(vocab), args.dim, sparse=True)
    torch.nn.init.uniform_(emb_in.weight, -0.5 / args.dim, 0.5 / args.dim)
    torch.nn.init.zeros_(emb_out.weight)
    opt = torch.optim.SparseAdam([emb_in.weight, emb_out.weight], lr=0.003)
    batch = 4096
    for epoch in range(args.epochs):
        t0 = time.process_time()
        perm = rng.permutation(len(centre_a))
        total = 0.0
        for k in range(0, len(perm), batch):
            b = perm[k : k + batch]
            c = torch.from_numpy(centre_a[b])
            pos = torch.from_numpy(context_a[b])
            neg = torch.from_numpy(rng.choice(len(vocab), size=(len(b), args.negatives), p=freq))
            v = emb_in(c)
            loss = -torch.nn.functional.logsigmoid((v * emb_out(pos)).sum(1)).mean()
            loss = (
                loss
                - torch.nn.functional.logsigmoid(-(emb_out(neg) @ v.unsqueeze(2)).squeeze(2)).sum(1).mean()
            )
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(b)
        print(
            f"epoch {epoch + 1}: loss {total / len(perm):.4f}  {time.process_time() - t0:.0f} s CPU",
            flush=True,
        )
    vecs = emb_in.weight.detach().numpy().astype(np.float32)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, tokens=np.array(vocab), vectors=vecs)
    print(f"{len(vocab)} vectors → {args.out}")


if __name__ == "__main__":
    main()
