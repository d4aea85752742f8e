"""Matching customers' raw addresses to the standard door-plate registry (``gridwatch address match``).

Steps: load the registry (lake table ``addresses``) and compute its comparison keys; extract the
components of every distinct customer address (:mod:`gridwatch.address.extract`, registry-guided, CRF
fallback); hand both to the engine, which blocks, scores and ranks (:mod:`gridwatch.address.match_sql`);
decide a status per address (matched / ambiguous / unmatched) from the score and the margin to the
runner-up; write ``results/address/matches.parquet``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from gridwatch.address.admin import AdminResolver
from gridwatch.address.extract import FIELDS, Extracted, VocabularyExtractor, group_by
from gridwatch.address.keys import name_key, number_key, plain_key
from gridwatch.address.match_sql import MatchSQL
from gridwatch.address.normalise import normalise_text
from gridwatch.address.udf import register_udfs

KEY_FIELDS = ("district", "town", "community", "road", "roadno", "poi", "building", "unit", "room")
OUT_COLUMNS = (
    "account_no",
    "address_id",
    "status",
    "score",
    "evidence",
    "candidates",
    "district_code",
    "town_code",
    "community_code",
    "grid_cell",
    "lon",
    "lat",
)
STATUSES = ("matched", "ambiguous", "unmatched")
SHARED_CONTEXT = frozenset(("district_code", "town_code", "community_code", "grid_cell"))
"""Columns filled for an ambiguous address when all its candidates agree on them (dispatch by area)."""
HARD_CONFLICTS = frozenset(("roadno", "building", "unit", "room", "district", "town"))
"""Disagreements that forbid an automatic match (a community named differently does not: short forms of
community names are easily mistaken)."""


@dataclass(frozen=True)
class MatchParams:
    """Decision thresholds (see :class:`gridwatch.config.AddressSettings`)."""

    match_min_score: float = 0.80
    ambiguous_min_score: float = 0.50
    match_margin: float = 0.08
    max_candidates: int = 3


_NAME_KEY: dict[str, Callable[[str | None], str | None]] = {
    "district": plain_key,
    "town": plain_key,
    "community": plain_key,
    "road": plain_key,
    "poi": plain_key,
}


def registry_keys(reg: pa.Table) -> pa.Table:
    """The registry with its component columns replaced by comparison keys (registry spellings kept for
    names, numbers reduced by :func:`number_key`)."""
    cols: dict[str, list[object]] = {}
    for f, src in (
        ("district", "district"),
        ("town", "town"),
        ("community", "community"),
        ("road", "road"),
        ("poi", "poi"),
    ):
        vals = reg.column(src).to_pylist()
        cache: dict[str | None, str | None] = {}
        cols[f] = [cache.setdefault(v, plain_key(v)) if v not in cache else cache[v] for v in vals]
    for f, src in (("roadno", "roadno"), ("building", "building"), ("unit", "unit"), ("room", "room")):
        vals = reg.column(src).to_pylist()
        cache = {}
        cols[f] = [cache[v] if v in cache else cache.setdefault(v, number_key(v)) for v in vals]
    out = {"address_id": reg.column("address_id")}
    for f in KEY_FIELDS:
        out[f] = pa.array(cols[f], pa.string())
    for c in ("full_text", "district_code", "town_code", "community_code", "grid_cell"):
        out[c] = reg.column(c).cast(pa.string())
    for c in ("lon", "lat"):
        out[c] = reg.column(c).cast(pa.float64())
    return pa.table(out)


def build_extractor(
    reg_keys: pa.Table, resolver: AdminResolver, parser: object | None = None
) -> VocabularyExtractor:
    """An extractor whose vocabulary is the registry's names, with road/POI scopes per admin unit."""
    vocab = {f: {v for v in reg_keys.column(f).to_pylist() if v} for f in FIELDS}
    cols = {f: reg_keys.column(f).to_pylist() for f in ("district", "town", "community", "road", "poi")}
    scopes = {
        kind: {
            lvl: group_by(zip(cols[lvl], cols[kind], strict=True))
            for lvl in ("community", "town", "district")
        }
        for kind in ("road", "poi")
    }
    doors = group_by(zip(reg_keys.column("road").to_pylist(), reg_keys.column("roadno").to_pylist(), strict=True))
    return VocabularyExtractor(vocab, resolver, scopes=scopes, parser=parser, door_numbers=doors)


def _sources_json(sources: dict[str, str]) -> str:
    """``json.dumps(sources, sort_keys=True)`` for plain identifier keys and values, without the encoder."""
    if not sources:
        return "{}"
    return "{" + ", ".join(f'"{k}": "{sources[k]}"' for k in sorted(sources)) + "}"


def _extract_rows(
    addresses: Sequence[str], extractor: VocabularyExtractor, normalised: Sequence[str] | None = None
) -> list[tuple]:
    out = []
    for i, a in enumerate(addresses):
        ex: Extracted = (
            extractor.extract(a or "")
            if normalised is None
            else extractor.extract_normalised(normalised[i], a or "")
        )
        src = _sources_json(ex.sources)
        out.append((*(getattr(ex, f) for f in KEY_FIELDS), ex.road_raw, src))
    return out


_FORKED: list[VocabularyExtractor] = []
"""The extractor a forked worker inherits from its parent (set just before the pool forks)."""


def _extract_chunk(chunk: tuple[Sequence[str], Sequence[str] | None]) -> list[tuple]:
    return _extract_rows(chunk[0], _FORKED[0], chunk[1])


def extract_table(
    addresses: Sequence[str],
    extractor: VocabularyExtractor,
    workers: int = 1,
    normalised: Sequence[str] | None = None,
) -> pa.Table:
    """Component keys of distinct addresses (``akey`` = position in ``addresses``).

    ``normalised`` (optional) holds each address's :func:`normalise_text`, when the caller has it already.
    With ``workers`` > 1 (and a platform that forks) the addresses are split over worker processes that
    inherit the extractor; results keep the input order.
    """
    import multiprocessing as mp

    if workers > 1 and len(addresses) >= 4 * _CHUNK and "fork" in mp.get_all_start_methods():
        chunks = [
            (addresses[i : i + _CHUNK], None if normalised is None else normalised[i : i + _CHUNK])
            for i in range(0, len(addresses), _CHUNK)
        ]
        _FORKED[:] = [extractor]
        try:
            with mp.get_context("fork").Pool(workers) as pool:
                rows = [r for part in pool.map(_extract_chunk, chunks) for r in part]
        finally:
            _FORKED.clear()
    else:
        rows = _extract_rows(addresses, extractor, normalised)
    names = (*KEY_FIELDS, "road_raw", "sources")
    cols = {"akey": pa.array(range(len(addresses)), pa.int64())}
    for j, name in enumerate(names):
        cols[name] = pa.array([r[j] for r in rows], pa.string())
    return pa.table(cols)


_CHUNK = 5_000


def decide(best: float | None, margin: float | None, conflicts: str, p: MatchParams) -> str:
    """matched / ambiguous / unmatched from the best score and its lead over the runner-up."""
    if best is None or best < p.ambiguous_min_score:
        return "unmatched"
    hard = any(c in HARD_CONFLICTS for c in conflicts.split(",") if c)
    if best >= p.match_min_score and (margin is None or margin >= p.match_margin) and not hard:
        return "matched"
    return "ambiguous"


def run_match(
    engine: object,
    customers: pa.Table,
    reg: pa.Table,
    extractor: VocabularyExtractor | None,
    params: MatchParams,
    resolver: AdminResolver | None = None,
    parser: object | None = None,
    workers: int = 1,
) -> pa.Table:
    """Match ``customers`` (account_no, address) to ``reg`` (lake ``addresses`` rows) on ``engine``."""
    reg_k = registry_keys(reg)
    if extractor is None:
        extractor = build_extractor(reg_k, resolver or AdminResolver.for_city("4401"), parser)
    accounts = customers.column("account_no").to_pylist()
    raw = customers.column("address").to_pylist()
    # one extraction per distinct normalised text (１２号 and 12号 are the same address)
    norm_of: dict[str, str] = {}
    for a in raw:
        if (a := a or "") not in norm_of:
            norm_of[a] = normalise_text(a).text
    distinct: dict[str, int] = {}
    first_raw: list[str] = []
    for a, n in norm_of.items():
        if n not in distinct:
            distinct[n] = len(distinct)
            first_raw.append(a)
    akeys = [distinct[norm_of[a or ""]] for a in raw]
    cust = extract_table(first_raw, extractor, workers, normalised=list(distinct))
    engine.register_arrow("cust", cust)  # type: ignore[attr-defined]
    engine.register_arrow("reg", reg_k)  # type: ignore[attr-defined]
    register_udfs(engine)
    sql = MatchSQL(params.max_candidates)
    for stmt in (sql.tf(), sql.pairs(), sql.scored()):
        engine.execute(stmt)  # type: ignore[attr-defined]
    ranked = engine.sql(sql.ranked())  # type: ignore[attr-defined]
    return _assemble(accounts, akeys, cust, ranked, reg_k, params)


def _jlist(csv: str) -> str:
    """JSON list of the component names in ``csv`` (the SQL's agree/conflict lists: plain identifiers)."""
    return "[" + ",".join(f'"{x}"' for x in csv.split(",") if x) + "]" if csv else "[]"


def _assemble(
    accounts: list[str], akeys: list[int], cust: pa.Table, ranked: pa.Table, reg_k: pa.Table, p: MatchParams
) -> pa.Table:
    by_key: dict[int, list[tuple]] = {}
    cols = ("akey", "address_id", "score", "agree_list", "conflict_list", "rk", "margin")
    for akey, aid, score, agree, conf, rk, margin in zip(
        *(ranked.column(c).to_pylist() for c in cols), strict=True
    ):
        by_key.setdefault(akey, []).append((aid, float(score), agree or "", conf or "", float(margin), rk))
    reg_idx = {aid: i for i, aid in enumerate(reg_k.column("address_id").to_pylist())}
    ctx_cols = ("district_code", "town_code", "community_code", "grid_cell", "lon", "lat")
    reg_cols = {c: reg_k.column(c).to_pylist() for c in (*ctx_cols, "full_text")}
    text_json: dict[int, str] = {}

    def ftext(i: int) -> str:
        if i not in text_json:
            text_json[i] = json.dumps(reg_cols["full_text"][i], ensure_ascii=False)
        return text_json[i]

    sources = cust.column("sources").to_pylist()
    decided: dict[int, tuple] = {}
    for akey in set(akeys):
        cands = by_key.get(akey)
        if not cands:
            ev = f'{{"agree":[],"conflict":[],"margin":null,"extracted":{sources[akey]}}}'
            decided[akey] = (None, "unmatched", 0.0, ev, "[]", None, None)
            continue
        cands.sort(key=lambda t: t[5])
        aid, score, agree, conf, margin, _ = cands[0]
        has_second = len(cands) > 1
        status = decide(score, margin if has_second else None, conf, p)
        ev = (
            f'{{"agree":{_jlist(agree)},'
            f'"conflict":{_jlist(conf)},'
            f'"margin":{round(margin, 4) if has_second else "null"},"extracted":{sources[akey]}}}'
        )
        cj = (
            "["
            + ",".join(
                f'{{"address_id":{json.dumps(c[0])},"score":{round(c[1], 4)},"full_text":{ftext(reg_idx[c[0]])}}}'
                for c in cands
            )
            + "]"
        )
        ri = reg_idx[aid] if status == "matched" else None
        shared = None
        if status == "ambiguous":  # candidates in one community still route the address to its staff
            idx = [reg_idx[c[0]] for c in cands]
            shared = {
                c: reg_cols[c][idx[0]]
                for c in ctx_cols
                if c in SHARED_CONTEXT and len({reg_cols[c][i] for i in idx}) == 1
            }
        decided[akey] = (aid if status == "matched" else None, status, round(score, 4), ev, cj, ri, shared)
    # one row per distinct address, then spread to accounts with a vectorised take
    n = len(sources)
    per: dict[str, list[object]] = {c: [None] * n for c in OUT_COLUMNS if c != "account_no"}
    for akey, (aid, status, score, ev, cj, ri, shared) in decided.items():
        per["address_id"][akey] = aid
        per["status"][akey] = status
        per["score"][akey] = score
        per["evidence"][akey] = ev
        per["candidates"][akey] = cj
        for c in ctx_cols:
            per[c][akey] = reg_cols[c][ri] if ri is not None else (shared or {}).get(c)
    types = {"score": pa.float64(), "lon": pa.float64(), "lat": pa.float64()}
    idx = pa.array(akeys, pa.int64())
    cols = {"account_no": pa.array(accounts, pa.string())}
    for c in OUT_COLUMNS[1:]:
        cols[c] = pa.array(per[c], types.get(c, pa.string())).take(idx)
    return pa.table(cols)


def write_matches(table: pa.Table, results_dir: Path) -> Path:
    """Write ``matches.parquet`` atomically under ``results_dir/address``."""
    out_dir = results_dir / "address"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "matches.parquet"
    tmp = path.with_suffix(".parquet.tmp")
    pq.write_table(table, tmp)
    tmp.replace(path)
    return path


__all__ = [
    "MatchParams",
    "build_extractor",
    "decide",
    "name_key",
    "registry_keys",
    "run_match",
    "write_matches",
]
