"""Workspace-level operations behind the ``gridwatch address`` commands (thin handlers call these)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from gridwatch.address.admin import AdminResolver
from gridwatch.address.match import MatchParams, run_match, write_matches
from gridwatch.address.parse import AddressParser
from gridwatch.address.tagger import load_tagger
from gridwatch.config import AddressSettings
from gridwatch.workspace import Workspace


def match_params(s: AddressSettings) -> MatchParams:
    return MatchParams(s.match_min_score, s.ambiguous_min_score, s.match_margin, s.max_candidates)


def make_parser(ws: Workspace) -> AddressParser:
    s = ws.settings.address
    tagger = load_tagger(Path(s.model_path) if s.model_path else None)
    return AddressParser(tagger, AdminResolver.for_city(ws.settings.city_code), max_chars=s.max_chars)


def read_lines(path: Path) -> Iterator[str]:
    """Lines of a text file; undecodable bytes become U+FFFD (the parser reports them as ``binary``)."""
    with open(path, "rb") as fh:
        for raw in fh:
            yield raw.rstrip(b"\r\n").decode("utf-8", errors="replace")


def parse_file(ws: Workspace, src: Path, out: Path) -> dict[str, int]:
    """Parse every line of ``src`` into ``out`` (JSON lines, input order); counts per status."""
    parser = make_parser(ws)
    counts: dict[str, int] = {}
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for line in read_lines(src):
            p = parser.parse(line)
            counts[p.status] = counts.get(p.status, 0) + 1
            fh.write(json.dumps(p.to_json(), ensure_ascii=False) + "\n")
    tmp.replace(out)
    return counts


def match_workspace(
    ws: Workspace, engine_name: str | None = None, use_parser: bool = True
) -> tuple[Path, dict]:
    """Match every customer of the lake to the lake's ``addresses`` registry; write matches.parquet."""
    from gridwatch.engine import get_engine

    eng = get_engine(engine_name or ws.settings.engine.name, ws)
    try:
        eng.register_lake("addresses", as_name="lake_addresses")
        eng.register_lake("customers", as_name="lake_customers")
        reg = eng.sql("SELECT * FROM lake_addresses")
        cust = eng.sql("SELECT account_no, address FROM lake_customers ORDER BY account_no")
        if reg.num_rows == 0:
            raise ValueError(
                "the lake has no standard addresses: ingest the registry with "
                "`gridwatch ingest addresses FILE`"
            )
        parser = make_parser(ws) if use_parser else None
        table = run_match(
            eng,
            cust,
            reg,
            None,
            match_params(ws.settings.address),
            parser.resolver if parser is not None else AdminResolver.for_city(ws.settings.city_code),
            parser,
            ws.settings.address.workers,
        )
    finally:
        eng.close()
    path = write_matches(table, ws.results_dir)
    counts: dict[str, int] = {}
    for s in table.column("status").to_pylist():
        counts[s] = counts.get(s, 0) + 1
    return path, counts


def table_counts(t: pa.Table, column: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in t.column(column).to_pylist():
        out[str(v)] = out.get(str(v), 0) + 1
    return out
