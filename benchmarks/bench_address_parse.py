"""Parse throughput (addresses per second, wall and CPU) of each address labeller model.

    PYTHONPATH=src python benchmarks/bench_address_parse.py NAACL_DEV [--model PATH ...] [--n 2000]

Parses the first ``N`` addresses of a labelled file (their raw text) and ``N`` synthetic Guangzhou customer
addresses with :class:`gridwatch.address.parse.AddressParser` once per model (default: the shipped model
and, when present beside it, the CRF ``address.crfsuite``), after one warm-up address (model loading counts
as set-up).  Prints addresses/s by wall clock and by process CPU time, with the load average; ``--write``
appends the table to docs/BENCHMARKS-address-parse.md.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from gridwatch.address.corpus import read_corpus
from gridwatch.address.parse import AddressParser
from gridwatch.address.synthetic import make_city, noisy_customers
from gridwatch.address.tagger import load_tagger, model_kind, shipped_model_path


def _time(parser: AddressParser, texts: list[str]) -> tuple[float, float]:
    w0, c0 = time.perf_counter(), time.process_time()
    for t in texts:
        parser.parse(t)
    return time.perf_counter() - w0, time.process_time() - c0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dev", type=Path)
    ap.add_argument("--model", type=Path, action="append", default=[])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--write", type=Path, default=None, help="markdown file to append the table to")
    args = ap.parse_args()
    models = args.model or [
        p for p in (shipped_model_path(), shipped_model_path().with_name("address.crfsuite")) if p.exists()
    ]
    dev = ["".join(s.tokens) for s in read_corpus(args.dev)][: args.n]
    customers, _ = noisy_customers(make_city(200, seed=1), args.n, seed=2)
    synth = customers.column("address").to_pylist()
    rows = []
    for path in dict.fromkeys(models):
        t0 = time.perf_counter()
        parser = AddressParser(load_tagger(path), city_code="4401")
        parser.parse(dev[0])
        setup = time.perf_counter() - t0
        for name, texts in (("naacl dev", dev), ("synthetic Guangzhou", synth)):
            load = os.getloadavg()[0]
            wall, cpu = _time(parser, texts)
            row = (model_kind(path).name, path.name, name, len(texts), len(texts) / wall, len(texts) / cpu, load)
            rows.append(row)
            print(
                f"{row[0]:7s} {row[1]:22s} {name:20s} {len(texts):6d}  {row[4]:8,.0f}/s wall  "
                f"{row[5]:8,.0f}/s CPU  load {load:.1f}  (set-up {setup:.1f} s)",
                flush=True,
            )
    if args.write:
        lines = [
            "",
            f"`PYTHONPATH=src python benchmarks/bench_address_parse.py NAACL_DEV --n {args.n}` "
            f"({os.cpu_count()} cores, shared):",
            "",
            "| kind | model | addresses | n | addresses/s (wall) | addresses/s (CPU) | load (1 min) |",
            "|---|---|---|---|---|---|---|",
            *(f"| {k} | `{m}` | {d} | {n:,} | {w:,.0f} | {c:,.0f} | {lo:.1f} |" for k, m, d, n, w, c, lo in rows),
        ]
        with open(args.write, "a", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
