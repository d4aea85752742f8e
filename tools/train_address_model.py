"""Train an address labeller the way the shipped one is trained, and score it on a dev split.

Usage::

    PYTHONPATH=src python tools/train_address_model.py NAACL_DIR OUT_MODEL [--model crf|neural] \
        [--ccks CCKS_TRAIN --ccks-sample N] [--iterations 150] [--epochs 30] [--holdout 0]

Trains on ``NAACL_DIR/train.txt`` (plus ``N`` addresses drawn at random, seed 0, from a CCKS-style file,
labels mapped by :data:`gridwatch.address.corpus.CCKS_LABEL_MAP`), writes ``OUT_MODEL`` and its lexicon,
and prints conlleval chunk scores on ``NAACL_DIR/dev.txt`` with the training time and load average.  The
neural model also prints dev F1 after every epoch; ``--holdout K`` keeps every K-th training address out of
training and scores on those instead of dev (for tuning without looking at dev).  ``--test`` scores the
finished model on ``NAACL_DIR/test.txt`` as well.  A development tool (the product's
``gridwatch address train`` retrains on a user's own files); the shipped model is ``OUT_MODEL`` copied into
``gridwatch/address/model/``.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from gridwatch.address.corpus import Sentence, read_corpus
from gridwatch.address.evaluate import format_report, score
from gridwatch.address.tagger import MODEL_KINDS, TrainParams, load_tagger, train


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("naacl", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--model", choices=sorted(MODEL_KINDS), default="crf")
    ap.add_argument("--ccks", type=Path, default=None)
    ap.add_argument("--ccks-sample", type=int, default=0)
    ap.add_argument("--iterations", type=int, default=150)
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--holdout", type=int, default=0, help="score on every K-th train address instead of dev")
    ap.add_argument("--test", action="store_true", help="also score on NAACL_DIR/test.txt")
    ap.add_argument("--param", action="append", default=[], help="neural hyper-parameter NAME=VALUE")
    ap.add_argument("--score-every", type=int, default=1, help="neural: score every K-th epoch and the last")
    args = ap.parse_args()
    sents = list(read_corpus(args.naacl / "train.txt"))
    dev = list(read_corpus(args.naacl / "dev.txt"))
    if args.holdout:
        dev = sents[:: args.holdout]
        sents = [s for i, s in enumerate(sents) if i % args.holdout]
    if args.ccks is not None and args.ccks_sample:
        extra = list(read_corpus(args.ccks))
        random.Random(0).shuffle(extra)
        sents += extra[: args.ccks_sample]
    t0, c0 = time.perf_counter(), _cpu()
    if args.model == "crf":
        train(sents, args.out, TrainParams(max_iterations=args.iterations))
    else:
        _train_neural(sents, dev, args)
    secs, cpu = time.perf_counter() - t0, _cpu() - c0
    tagger = load_tagger(args.out)
    s = score((x.tags, tagger.tag(x.tokens)) for x in dev)
    print(
        f"trained on {len(sents)} addresses in {secs:.0f} s wall, {cpu:.0f} s CPU "
        f"(load average {os.getloadavg()[0]:.1f}), model {args.out.stat().st_size / 1e6:.1f} MB"
    )
    print(("holdout of train" if args.holdout else "dev") + "\n" + format_report(s))
    if args.test:
        t = score((x.tags, tagger.tag(x.tokens)) for x in read_corpus(args.naacl / "test.txt"))
        print("test\n" + format_report(t))


def _train_neural(sents: list[Sentence], dev: list[Sentence], args: argparse.Namespace) -> None:
    from dataclasses import fields, replace

    from gridwatch.address.neural_train import NeuralParams, train_neural

    p = NeuralParams()
    types = {f.name: type(getattr(p, f.name)) for f in fields(p)}
    for kv in args.param:
        name, _, value = kv.partition("=")
        p = replace(p, **{name: types[name](value)})
    if args.epochs:
        p = replace(p, epochs=args.epochs)
    print(p, flush=True)

    def on_epoch(epoch: int, loss: float, secs: float, decode: Callable[[Sequence[str]], list[str]]) -> None:
        if epoch % args.score_every and epoch != p.epochs:
            print(f"epoch {epoch:3d}  loss {loss:8.3f}  {secs:5.0f} s CPU", flush=True)
            return
        f1 = score((x.tags, decode(x.tokens)) for x in dev).overall()[2]
        print(
            f"epoch {epoch:3d}  loss {loss:8.3f}  {secs:5.0f} s CPU  F1 {f1:6.2f}  "
            f"load {os.getloadavg()[0]:.1f}",
            flush=True,
        )

    last: list[Callable[[Sequence[str]], list[str]]] = []
    train_neural(sents, args.out, p, lambda e, lo, se, de: (on_epoch(e, lo, se, de), last.append(de)))
    # the numpy forward pass must reproduce PyTorch's tags on every dev address
    numpy_tagger = load_tagger(args.out)
    differ = sum(last[-1](x.tokens) != numpy_tagger.tag(x.tokens) for x in dev)
    print(f"numpy vs torch: {differ} of {len(dev)} addresses tagged differently", flush=True)


if __name__ == "__main__":
    main()
