"""Entity linking: power customers ↔ pollution permits ↔ business registry, by name and address.

Every address (customers' from ``matches.parquet``, permits' and registry entities' matched here the same
way) stands for a set of door plates: the matched one, or the candidates of an ``ambiguous`` match.
Candidates (blocking, on the engine): a customer and a permit (or registry entity) whose company-name cores
agree (:func:`gridwatch.address.company.company_key`), whose door-plate sets meet, or that the permit names
by account number.  Score: ``0.6 × name similarity + 0.4 × address agreement`` (address: 1.0 for the same
matched door plate, 0.8 when a matched plate is among the other side's candidates or both candidate sets
share one, 0.75 when two same-named parties' addresses name the same registry road and door number
without their door plates meeting; name: RapidFuzz ratio of the cores, halved when the names' place
prefixes name different districts — 广州荔湾广新物业 vs 广州黄埔广新物业), and 1.0 for an account number the
permit states.  Links at
or above ``address.link_min_score`` are written to ``results/address/links.parquet`` (account_no,
permit_no, uscc, score, evidence; ``evidence.rule`` is the link kind: account, name_address, address,
name); :func:`load_links` reads them for the screening models.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from rapidfuzz import fuzz

from gridwatch.address.admin import AdminResolver
from gridwatch.address.company import CompanyName, company_name
from gridwatch.address.match import MatchParams, build_extractor, registry_keys, run_match

LINK_COLUMNS = ("account_no", "permit_no", "uscc", "score", "evidence")
NAME_WEIGHT = 0.6
ADDRESS_WEIGHT = 0.4
CANDIDATE_AGREEMENT = 0.8
"""Address agreement when a door plate is only among the candidates of one or both sides."""
ROAD_NUMBER_AGREEMENT = 0.75
"""Address agreement when neither side's door plates meet but both addresses name the same registry road
and the same door number before any ``-`` (238之1号29号铺 and 238号-129号铺: 238 on the same road)."""
DISTRICT_CONFLICT_FACTOR = 0.5
"""Name similarity is multiplied by this when the two names' place prefixes name different districts."""
LINK_RULES = ("account", "name_address", "address", "name")
"""Link kinds, as ``evidence.rule``: account number on the permit; same name core and agreeing door plates
(or road and number); agreeing door plates with names only similar; name core only."""


@dataclass(frozen=True)
class Plates:
    """The door plates an address stands for: the matched one, else the candidates of an ambiguous match."""

    matched: str | None = None
    candidates: frozenset[str] = field(default_factory=frozenset)

    @property
    def all(self) -> frozenset[str]:
        return self.candidates | {self.matched} if self.matched else self.candidates

    def agreement(self, other: Plates) -> float:
        if self.matched and self.matched == other.matched:
            return 1.0
        return CANDIDATE_AGREEMENT if self.all & other.all else 0.0


def plates_of(matches: pa.Table, id_col: str = "account_no") -> dict[str, Plates]:
    """Door plates per id from a ``matches`` table (matched plate, or an ambiguous match's candidates)."""
    out: dict[str, Plates] = {}
    cols = [matches.column(c).to_pylist() for c in (id_col, "address_id", "status", "candidates")]
    for key, aid, status, cands in zip(*cols, strict=True):
        if status == "matched" and aid:
            out[key] = Plates(aid)
        elif status == "ambiguous" and cands:
            out[key] = Plates(None, frozenset(c["address_id"] for c in json.loads(cands)))
    return out


def _road_number(ex: object) -> tuple[str, str] | None:
    road, no = getattr(ex, "road", None), getattr(ex, "roadno", None)
    return (road, no.split("-")[0]) if road and no else None


def rule_of(by_account: bool, same_core: bool, address: float) -> str:
    if by_account:
        return "account"
    if address > 0:
        return "name_address" if same_core else "address"
    return "name"


LINK_SQL = """
WITH pairs AS (
    SELECT c.account_no, p.pid, 'name' AS rule FROM lc c JOIN lp p ON c.name_key = p.name_key
    UNION ALL
    SELECT DISTINCT c.account_no, p.pid, 'address' AS rule FROM lca c JOIN lpa p ON c.address_id = p.address_id
    UNION ALL
    SELECT c.account_no, p.pid, 'account' AS rule FROM lc c JOIN lp p ON c.account_no = p.account_no
)
SELECT account_no, pid, max(CASE WHEN rule = 'account' THEN 1 ELSE 0 END) AS by_account
FROM pairs GROUP BY account_no, pid
"""


def _plate_rows(ids: list[str], plates: dict[str, Plates], id_col: str) -> pa.Table:
    keys: list[str] = []
    aids: list[str] = []
    for i in ids:
        for aid in sorted(plates[i].all) if i in plates else ():
            keys.append(i)
            aids.append(aid)
    return pa.table({id_col: pa.array(keys, pa.string()), "address_id": pa.array(aids, pa.string())})


def _empty_links() -> pa.Table:
    return pa.table({c: pa.array([], pa.float64() if c == "score" else pa.string()) for c in LINK_COLUMNS})


def link_tables(
    engine: object,
    customers: pa.Table,
    matches: pa.Table | None,
    permits: pa.Table,
    registry: pa.Table,
    reg_addresses: pa.Table,
    min_score: float = 0.85,
    *,
    city_code: str | None = None,
    match_params: MatchParams | None = None,
    resolver: object | None = None,
    parser: object | None = None,
) -> pa.Table:
    """Links of customers to permits and registry entities (see the module docstring).

    ``matches`` are the customers' door-plate matches (``matches.parquet``); permits' and registry
    addresses are matched here with ``match_params``, ``resolver`` and ``parser`` (as for customers).
    ``city_code`` lets company names drop the short forms of that city's districts (广州白云…).
    """
    cust_plates = plates_of(matches) if matches is not None else {}
    accounts = customers.column("account_no").to_pylist()
    cnames = customers.column("name").to_pylist()
    cache: dict[str | None, CompanyName] = {}

    def cname(n: str | None) -> CompanyName:
        if n not in cache:
            cache[n] = company_name(n, city_code)
        return cache[n]

    lc = pa.table(
        {
            "account_no": pa.array(accounts, pa.string()),
            "name_key": pa.array([cname(n).core for n in cnames], pa.string()),
        }
    )
    # one party table: permits (with their uscc) and registry entities without a permit
    permit_uscc = set(v for v in permits.column("uscc").to_pylist() if v) if permits.num_rows else set()
    rows: list[dict[str, object]] = []
    for r in permits.to_pylist():
        rows.append(
            {
                "pid": f"P:{r['permit_no']}",
                "permit_no": r["permit_no"],
                "uscc": r.get("uscc"),
                "name": r.get("holder"),
                "address": r.get("address"),
                "account_no": r.get("account_no"),
            }
        )
    for r in registry.to_pylist():
        if r["uscc"] in permit_uscc:
            continue
        rows.append(
            {
                "pid": f"R:{r['uscc']}",
                "permit_no": None,
                "uscc": r["uscc"],
                "name": r.get("name"),
                "address": r.get("address"),
                "account_no": None,
            }
        )
    if not rows or lc.num_rows == 0:
        return _empty_links()
    parties = pa.Table.from_pylist(
        rows,
        schema=pa.schema(
            [(k, pa.string()) for k in ("pid", "permit_no", "uscc", "name", "address", "account_no")]
        ),
    )
    pids = parties.column("pid").to_pylist()
    party_plates: dict[str, Plates] = {}
    if reg_addresses.num_rows:
        pm = run_match(
            engine,
            pa.table({"account_no": parties.column("pid"), "address": parties.column("address")}),
            reg_addresses,
            None,
            match_params or MatchParams(),
            resolver,  # type: ignore[arg-type]
            parser,
        )
        party_plates = plates_of(pm)
    pnames = parties.column("name").to_pylist()
    lp = pa.table(
        {
            "pid": parties.column("pid"),
            "name_key": pa.array([cname(n).core for n in pnames], pa.string()),
            "account_no": parties.column("account_no"),
        }
    )
    engine.register_arrow("lc", lc)  # type: ignore[attr-defined]
    engine.register_arrow("lp", lp)  # type: ignore[attr-defined]
    engine.register_arrow("lca", _plate_rows(accounts, cust_plates, "account_no"))  # type: ignore[attr-defined]
    engine.register_arrow("lpa", _plate_rows(pids, party_plates, "pid"))  # type: ignore[attr-defined]
    pairs = engine.sql(LINK_SQL)  # type: ignore[attr-defined]
    cidx = {a: i for i, a in enumerate(accounts)}
    pidx = {p: i for i, p in enumerate(pids)}
    pcols = {c: parties.column(c).to_pylist() for c in ("permit_no", "uscc")}
    nobody = Plates()
    extractor = None
    road_numbers: dict[str | None, tuple[str, str] | None] = {}

    def road_number(address: str | None) -> tuple[str, str] | None:
        nonlocal extractor
        if address not in road_numbers:
            if extractor is None:
                extractor = build_extractor(
                    registry_keys(reg_addresses),
                    resolver or AdminResolver.for_city(city_code or "4401"),  # type: ignore[arg-type]
                    parser,
                )
            road_numbers[address] = _road_number(extractor.extract(address)) if address else None
        return road_numbers[address]

    caddrs = customers.column("address").to_pylist() if "address" in customers.column_names else None
    paddrs = parties.column("address").to_pylist()
    out: dict[str, list[object]] = {c: [] for c in LINK_COLUMNS}
    for acc, pid, by_acc in zip(
        *(pairs.column(c).to_pylist() for c in ("account_no", "pid", "by_account")), strict=True
    ):
        ci, pi = cidx[acc], pidx[pid]
        cn, pn = cname(cnames[ci]), cname(pnames[pi])
        name_sim = fuzz.ratio(cn.core, pn.core) / 100 if cn.core and pn.core else 0.0
        district_conflict = bool(cn.district and pn.district and cn.district != pn.district)
        if district_conflict:
            name_sim *= DISTRICT_CONFLICT_FACTOR
        cp, pp = cust_plates.get(acc, nobody), party_plates.get(pid, nobody)
        address = cp.agreement(pp)
        basis = "door_plate" if address == 1.0 else ("candidates" if address else None)
        same_core = bool(cn.core) and cn.core == pn.core
        if not address and not by_acc and same_core and caddrs is not None and reg_addresses.num_rows:
            rn = road_number(caddrs[ci])
            if rn is not None and rn == road_number(paddrs[pi]):
                address, basis = ROAD_NUMBER_AGREEMENT, "road_number"
        score = 1.0 if by_acc else NAME_WEIGHT * name_sim + ADDRESS_WEIGHT * address
        if score < min_score:
            continue
        shared = sorted(cp.all & pp.all)
        ev = {
            "rule": rule_of(bool(by_acc), same_core, address),
            "name_similarity": round(name_sim, 3),
            "district_conflict": district_conflict,
            "address_agreement": address,
            "address_basis": basis,
            "same_address_id": cp.matched if address == 1.0 else (shared[0] if shared else None),
            "account_no_on_permit": bool(by_acc),
            "customer_name": cnames[ci],
            "party_name": pnames[pi],
        }
        out["account_no"].append(acc)
        out["permit_no"].append(pcols["permit_no"][pi])
        out["uscc"].append(pcols["uscc"][pi])
        out["score"].append(round(score, 4))
        out["evidence"].append(json.dumps(ev, ensure_ascii=False))
    return pa.table(
        {c: pa.array(out[c], pa.float64() if c == "score" else pa.string()) for c in LINK_COLUMNS}
    )


def links_path(workspace: object) -> Path:
    return Path(workspace.results_dir) / "address" / "links.parquet"  # type: ignore[attr-defined]


def workspace_links(ws: object, min_score: float | None = None) -> pa.Table:
    """The links over the workspace's lake (customers are matched first if ``matches.parquet`` is missing);
    ``min_score`` defaults to ``address.link_min_score``."""
    from gridwatch.address.service import make_parser, match_params
    from gridwatch.engine import get_engine

    matches_path = Path(ws.results_dir) / "address" / "matches.parquet"  # type: ignore[attr-defined]
    if not matches_path.exists():
        from gridwatch.address.service import match_workspace

        match_workspace(ws)  # type: ignore[arg-type]
    matches = pq.read_table(matches_path)
    settings = ws.settings  # type: ignore[attr-defined]
    parser = make_parser(ws)  # type: ignore[arg-type]
    eng = get_engine(settings.engine.name, ws)
    try:
        tabs = {}
        for t in ("customers", "permits", "registry", "addresses"):
            eng.register_lake(t, as_name=f"lake_{t}")
            tabs[t] = eng.sql(f"SELECT * FROM lake_{t}")
        return link_tables(
            eng,
            tabs["customers"],
            matches,
            tabs["permits"],
            tabs["registry"],
            tabs["addresses"],
            settings.address.link_min_score if min_score is None else min_score,
            city_code=settings.city_code,
            match_params=match_params(settings.address),
            resolver=parser.resolver,
            parser=parser,
        )
    finally:
        eng.close()


def link_workspace(ws: object) -> tuple[Path, int]:
    """Compute the workspace's links (:func:`workspace_links`) and write links.parquet atomically."""
    links = workspace_links(ws)
    path = links_path(ws)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".parquet.tmp")
    pq.write_table(links, tmp)
    tmp.replace(path)
    return path, links.num_rows


def load_links(workspace: object, min_score: float | None = None) -> pa.Table:
    """The customer ↔ permit/registry links of a workspace (empty table when none were computed).

    Screening models use this instead of exact joins on account number or company name.
    """
    path = links_path(workspace)
    if not path.exists():
        return pa.table(
            {c: pa.array([], pa.float64() if c == "score" else pa.string()) for c in LINK_COLUMNS}
        )
    t = pq.read_table(path)
    if min_score is not None:
        import pyarrow.compute as pc

        t = t.filter(pc.greater_equal(t.column("score"), min_score))
    return t
