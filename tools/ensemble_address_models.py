"""Stack neural address models trained on the same data (e.g. with different seeds) into one ensemble.

Usage::

    PYTHONPATH=src python tools/ensemble_address_models.py OUT.bilstm.npz MODEL.npz... [--score DEV.txt]

Writes ``OUT`` (the members' weights stacked; parsing averages their tag and transition scores) and its
learned lexicon, with :func:`gridwatch.address.neural_train.export_ensemble`.  ``--score`` prints conlleval
chunk scores of the ensemble on a labelled file (``--score-members``: each member's F1 first) with the CPU
time of tagging.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from gridwatch.address.corpus import read_corpus
from gridwatch.address.evaluate import format_report, score
from gridwatch.address.neural import NeuralTagger
from gridwatch.address.neural_train import export_ensemble


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("models", type=Path, nargs="+")
    ap.add_argument("--score", type=Path, default=None, help="labelled file to score the ensemble on")
    ap.add_argument("--score-members", action="store_true", help="score each member too")
    args = ap.parse_args()
    export_ensemble(args.models, args.out)
    print(f"{args.out}: {len(args.models)} members, {args.out.stat().st_size / 1e6:.1f} MB", flush=True)
    if args.score is None:
        return
    sents = list(read_corpus(args.score))
    for path in [*(args.models if args.score_members else []), args.out]:
        tagger = NeuralTagger(path)
        c0 = time.process_time()
        s = score((x.tags, tagger.tag(x.tokens)) for x in sents)
        cpu = time.process_time() - c0
        print(
            f"{path.name}: F1 {s.overall()[2]:.2f}  ({len(sents) / cpu:.0f} addresses per CPU second, "
            f"load average {os.getloadavg()[0]:.1f})",
            flush=True,
        )
    print(format_report(s))


if __name__ == "__main__":
    main()
