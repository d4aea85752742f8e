"""Entity linking: power customers ↔ pollution permits ↔ business registry, by name and address.

Candidates (blocking, on the engine): a customer and a permit (or registry entity) whose company-name cores
agree (:func:`gridwatch.address.company.company_key`), or whose addresses matched the same standard door
plate, or that the permit names by account number.  Scores: ``0.6 × name similarity + 0.4 × address
agreement`` (same door plate 1.0, same road and number 0.8), and 1.0 for an account number the permit
states.  Links at or above ``address.link_min_score`` are written to ``results/address/links.parquet``
(account_no, permit_no, uscc, score, evidence); :func:`load_links` reads them for the screening models.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from rapidfuzz import fuzz

from gridwatch.address.company import company_key
from gridwatch.address.match import MatchParams, run_match

LINK_COLUMNS = ("account_no", "permit_no", "uscc", "score", "evidence")
NAME_WEIGHT = 0.6
ADDRESS_WEIGHT = 0.4


def _keys(names: list[str | None]) -> list[str | None]:
    cache: dict[str | None, str | None] = {}
    return [cache[n] if n in cache else cache.setdefault(n, company_key(n)) for n in names]


def _address_ids(engine: object, table: pa.Table, id_col: str, reg: pa.Table) -> dict[str, str]:
    """Door plates matched to the addresses of a permit/registry table (id → address_id)."""
    if table.num_rows == 0 or reg.num_rows == 0:
        return {}
    t = pa.table(
        {
            "account_no": table.column(id_col).cast(pa.string()),
            "address": table.column("address").cast(pa.string()),
        }
    )
    m = run_match(engine, t, reg, None, MatchParams())
    return {
        a: aid
        for a, aid, s in zip(
            m.column("account_no").to_pylist(),
            m.column("address_id").to_pylist(),
            m.column("status").to_pylist(),
            strict=True,
        )
        if s == "matched"
    }


LINK_SQL = """
WITH pairs AS (
    SELECT c.account_no, p.pid, 'name' AS rule FROM lc c JOIN lp p ON c.name_key = p.name_key
    UNION ALL
    SELECT c.account_no, p.pid, 'address' AS rule FROM lc c JOIN lp p ON c.address_id = p.address_id
    UNION ALL
    SELECT c.account_no, p.pid, 'account' AS rule FROM lc c JOIN lp p ON c.account_no = p.account_no
)
SELECT account_no, pid, max(CASE WHEN rule = 'account' THEN 1 ELSE 0 END) AS by_account
FROM pairs GROUP BY account_no, pid
"""


def link_tables(
    engine: object,
    customers: pa.Table,
    matches: pa.Table | None,
    permits: pa.Table,
    registry: pa.Table,
    reg_addresses: pa.Table,
    min_score: float = 0.85,
) -> pa.Table:
    """Links of customers to permits and registry entities (see the module docstring)."""
    cust_aid: dict[str, str] = {}
    if matches is not None:
        cust_aid = {
            a: aid
            for a, aid in zip(
                matches.column("account_no").to_pylist(),
                matches.column("address_id").to_pylist(),
                strict=True,
            )
            if aid
        }
    accounts = customers.column("account_no").to_pylist()
    cnames = customers.column("name").to_pylist()
    lc = pa.table(
        {
            "account_no": pa.array(accounts, pa.string()),
            "name_key": pa.array(_keys(cnames), pa.string()),
            "address_id": pa.array([cust_aid.get(a) for a in accounts], pa.string()),
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
        return pa.table(
            {c: pa.array([], pa.float64() if c == "score" else pa.string()) for c in LINK_COLUMNS}
        )
    parties = pa.Table.from_pylist(
        rows,
        schema=pa.schema(
            [(k, pa.string()) for k in ("pid", "permit_no", "uscc", "name", "address", "account_no")]
        ),
    )
    party_aid = _address_ids(engine, parties, "pid", reg_addresses)
    lp = pa.table(
        {
            "pid": parties.column("pid"),
            "name_key": pa.array(_keys(parties.column("name").to_pylist()), pa.string()),
            "address_id": pa.array(
                [party_aid.get(p) for p in parties.column("pid").to_pylist()], pa.string()
            ),
            "account_no": parties.column("account_no"),
        }
    )
    engine.register_arrow("lc", lc)  # type: ignore[attr-defined]
    engine.register_arrow("lp", lp)  # type: ignore[attr-defined]
    pairs = engine.sql(LINK_SQL)  # type: ignore[attr-defined]
    cidx = {a: i for i, a in enumerate(accounts)}
    pidx = {p: i for i, p in enumerate(parties.column("pid").to_pylist())}
    pcols = {c: parties.column(c).to_pylist() for c in ("permit_no", "uscc", "name")}
    ckeys = lc.column("name_key").to_pylist()
    pkeys = lp.column("name_key").to_pylist()
    paids = lp.column("address_id").to_pylist()
    out: dict[str, list[object]] = {c: [] for c in LINK_COLUMNS}
    for acc, pid, by_acc in zip(
        *(pairs.column(c).to_pylist() for c in ("account_no", "pid", "by_account")), strict=True
    ):
        ci, pi = cidx[acc], pidx[pid]
        ck, pk = ckeys[ci], pkeys[pi]
        name_sim = fuzz.ratio(ck, pk) / 100 if ck and pk else 0.0
        same_addr = bool(cust_aid.get(acc)) and cust_aid.get(acc) == paids[pi]
        score = 1.0 if by_acc else NAME_WEIGHT * name_sim + ADDRESS_WEIGHT * (1.0 if same_addr else 0.0)
        if score < min_score:
            continue
        ev = {
            "name_similarity": round(name_sim, 3),
            "same_address_id": cust_aid.get(acc) if same_addr else None,
            "account_no_on_permit": bool(by_acc),
            "customer_name": cnames[ci],
            "party_name": pcols["name"][pi],
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


def link_workspace(ws: object) -> tuple[Path, int]:
    """Compute links over the workspace's lake and write links.parquet (matches customers first if needed)."""
    from gridwatch.engine import get_engine

    matches_path = Path(ws.results_dir) / "address" / "matches.parquet"  # type: ignore[attr-defined]
    if not matches_path.exists():
        from gridwatch.address.service import match_workspace

        match_workspace(ws)  # type: ignore[arg-type]
    matches = pq.read_table(matches_path)
    eng = get_engine(ws.settings.engine.name, ws)  # type: ignore[attr-defined]
    try:
        tabs = {}
        for t in ("customers", "permits", "registry", "addresses"):
            eng.register_lake(t, as_name=f"lake_{t}")
            tabs[t] = eng.sql(f"SELECT * FROM lake_{t}")
        links = link_tables(
            eng,
            tabs["customers"],
            matches,
            tabs["permits"],
            tabs["registry"],
            tabs["addresses"],
            ws.settings.address.link_min_score,
        )  # type: ignore[attr-defined]
    finally:
        eng.close()
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
