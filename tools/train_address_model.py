"""Train an address labeller the way the shipped one is trained, and score it on a dev split.

Usage::

    PYTHONPATH=src python tools/train_address_model.py NAACL_DIR OUT_MODEL \
        [--ccks CCKS_TRAIN --ccks-sample N] [--iterations 150]

Trains on ``NAACL_DIR/train.txt`` (plus ``N`` addresses drawn at random, seed 0, from a CCKS-style file,
labels mapped by :data:`gridwatch.address.corpus.CCKS_LABEL_MAP`), writes ``OUT_MODEL`` and its lexicon,
and prints conlleval chunk scores on ``NAACL_DIR/dev.txt`` with the training time and load average.  A
development tool (the product's ``gridwatch address train`` retrains on a user's own files); the shipped
model is ``OUT_MODEL`` copied into ``gridwatch/address/model/``.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from pathlib import Path

from gridwatch.address.corpus import read_corpus
from gridwatch.address.evaluate import format_report, score
from gridwatch.address.tagger import Tagger, TrainParams, train


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("naacl", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--ccks", type=Path, default=None)
    ap.add_argument("--ccks-sample", type=int, default=0)
    ap.add_argument("--iterations", type=int, default=150)
    args = ap.parse_args()
    sents = list(read_corpus(args.naacl / "train.txt"))
    if args.ccks is not None and args.ccks_sample:
        extra = list(read_corpus(args.ccks))
        random.Random(0).shuffle(extra)
        sents += extra[: args.ccks_sample]
    t0 = time.perf_counter()
    train(sents, args.out, TrainParams(max_iterations=args.iterations))
    secs = time.perf_counter() - t0
    tagger = Tagger(args.out)
    s = score((x.tags, tagger.tag(x.tokens)) for x in read_corpus(args.naacl / "dev.txt"))
    print(
        f"trained on {len(sents)} addresses in {secs:.0f} s (load average {os.getloadavg()[0]:.1f}), "
        f"model {args.out.stat().st_size / 1e6:.1f} MB"
    )
    print(format_report(s))


if __name__ == "__main__":
    main()
