"""Quality of entity links (customers ↔ permits ↔ business registry) on a simulated city.

    gridwatch simulate --out SIM --customers 20000 --days 2 --interval-days 1
    PYTHONPATH=src python benchmarks/eval_address_links.py SIM [--home HOME] [--write-docs]

Ingests the simulated customers, addresses, permits and registry into a fresh workspace (or uses HOME as
it is with ``--skip-ingest``), matches the customers, computes every candidate link (score ≥ 0) with
:func:`gridwatch.address.links.workspace_links` and compares with ``SIM/truth/links.csv``: each permit and
each registry entity without a permit stands for exactly one power account.  Prints precision and recall
per link kind (``evidence.rule``) and per score threshold; ``--write-docs`` writes them into the links
section of docs/ADDRESS-MATCH-QUALITY.md (between the ``links:`` markers, one block per city label).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import tempfile
import time
from collections import Counter
from pathlib import Path

from typer.testing import CliRunner

from gridwatch.address.links import LINK_RULES, workspace_links
from gridwatch.cli.app import app
from gridwatch.workspace import Workspace

THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0)
DOC = Path(__file__).resolve().parents[1] / "docs" / "ADDRESS-MATCH-QUALITY.md"


def truth_pairs(sim: Path) -> tuple[set[tuple[str, str]], dict[str, str]]:
    """The true (party, account) pairs — party ``P:permit_no`` or ``R:uscc`` (registry entity without a
    permit) — and the source (permits/registry) of every party."""
    permit_uscc: set[str] = set()
    with open(sim / "permits.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            permit_uscc.add(row["uscc"])
    pairs: set[tuple[str, str]] = set()
    source: dict[str, str] = {}
    with open(sim / "truth" / "links.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["source"] == "permits":
                pid = f"P:{row['key']}"
            elif row["source"] == "registry" and row["key"] not in permit_uscc:
                pid = f"R:{row['key']}"
            else:
                continue
            pairs.add((pid, row["account_no"]))
            source[pid] = row["source"]
    return pairs, source


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.2f}%" if b else "–"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sim", type=Path)
    ap.add_argument("--home", type=Path, default=None)
    ap.add_argument("--skip-ingest", action="store_true", help="HOME already holds the simulated lake")
    ap.add_argument("--label", default="", help="city label for the docs block (default: from the manifest)")
    ap.add_argument("--write-docs", action="store_true")
    ap.add_argument("--show-errors", type=int, default=0)
    args = ap.parse_args()
    home = args.home or Path(tempfile.mkdtemp())
    runner = CliRunner()
    for table in () if args.skip_ingest else ("addresses", "customers", "permits", "registry"):
        r = runner.invoke(app, ["--home", str(home), "ingest", table, str(args.sim / f"{table}.csv")])
        if r.exit_code != 0:
            raise SystemExit(f"ingest {table} failed: {r.output}")
    if not (home / "results" / "address" / "matches.parquet").exists():
        r = runner.invoke(app, ["--home", str(home), "address", "match"])
        if r.exit_code != 0:
            raise SystemExit(r.output)
    ws = Workspace.open(home)
    t0 = time.perf_counter()
    links = workspace_links(ws, min_score=0.0).to_pylist()
    secs = time.perf_counter() - t0
    load = os.getloadavg()[0]
    truth, source = truth_pairs(args.sim)
    rows = []
    for link in links:
        pid = f"P:{link['permit_no']}" if link["permit_no"] else f"R:{link['uscc']}"
        ev = json.loads(link["evidence"])
        rows.append((pid, link["account_no"], link["score"], ev["rule"], (pid, link["account_no"]) in truth, ev))
    min_score = ws.settings.address.link_min_score
    kinds = ["| link kind (`evidence.rule`) | candidates | true | links ≥ "
             f"{min_score} | precision ≥ {min_score} |", "|---|---|---|---|---|"]
    for rule in LINK_RULES:
        sel = [r for r in rows if r[3] == rule]
        kept = [r for r in sel if r[2] >= min_score]
        kinds.append(f"| {rule} | {len(sel):,} | {sum(r[4] for r in sel):,} | {len(kept):,} | "
                     f"{_pct(sum(r[4] for r in kept), len(kept))} |")
    n_src = Counter(source[p] for p, _ in truth)
    thr = ["| min score | links | precision | recall (all) | recall permits | recall registry |",
           "|---|---|---|---|---|---|"]
    for t in THRESHOLDS:
        kept = [r for r in rows if r[2] >= t]
        tp = [r for r in kept if r[4]]
        found = Counter(source[r[0]] for r in tp)
        mark = " **(default)**" if abs(t - min_score) < 1e-9 else ""
        thr.append(f"| {t}{mark} | {len(kept):,} | {_pct(len(tp), len(kept))} | {_pct(len(tp), len(truth))} | "
                   f"{_pct(found['permits'], n_src['permits'])} | {_pct(found['registry'], n_src['registry'])} |")
    manifest = json.loads((args.sim / "manifest.json").read_text(encoding="utf-8"))
    par = manifest.get("parameters", {})
    label = args.label or f"{par.get('customers', '?'):,} customers, seed {par.get('seed', '?')}"
    block = (
        f"<!-- links: {label} -->\n"
        f"### {label}: {n_src['permits']:,} permits, {n_src['registry']:,} registry entities without a "
        f"permit\n\n" + "\n".join(kinds) + "\n\n" + "\n".join(thr) + "\n\n"
        f"Linking time {secs:.1f} s (all candidates, party addresses matched included; load average "
        f"{load:.1f}).\n<!-- /links: {label} -->\n"
    )
    print(block)
    shown = 0
    for r in sorted(rows, key=lambda r: -r[2]):
        if shown >= args.show_errors:
            break
        if not r[4] and r[2] >= min_score:
            shown += 1
            print("false link", r[2], r[0], r[1], r[5])
    linked = {(r[0], r[1]) for r in rows if r[2] >= min_score}
    for p, a in sorted(truth - linked)[: args.show_errors]:
        best = [r for r in rows if r[0] == p and r[1] == a]
        print("missed", p, a, best[0][2] if best else "no candidate", best[0][5] if best else "")
    if args.write_docs:
        text = DOC.read_text(encoding="utf-8")
        pat = re.compile(rf"<!-- links: {re.escape(label)} -->.*?<!-- /links: {re.escape(label)} -->\n", re.S)
        text = pat.sub(lambda _m: block, text) if pat.search(text) else text.rstrip("\n") + "\n\n" + block
        DOC.write_text(text, encoding="utf-8")
        print(f"written {DOC}")


if __name__ == "__main__":
    main()
