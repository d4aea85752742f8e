"""Intake: suspects from screening results, the suspect outbox and (until screening lands) a demo seed.

Each suspect is dispatched to the pool of the finest jurisdiction known for its address, in this order:
1. ``results/address/matches.parquet`` (the address capability's matches) — basis ``matched``;
2. demo only: the simulated city's truth ``address_id`` joined to the lake's ``addresses`` — ``demo_truth``;
3. the district named in the raw customer address — ``raw_district``;
4. the city itself — ``city`` (a city administrator must reassign it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import duckdb
from sqlalchemy import select

from gridwatch.geo.divisions import city_tree
from gridwatch.lake.layout import has_data, read_sql
from gridwatch.store.outbox import SuspectOutbox
from gridwatch.workflow.accounts import AccountService
from gridwatch.workflow.actor import system_actor
from gridwatch.workflow.jurisdiction import Place
from gridwatch.workflow.orders import OrderService, SuspectIn
from gridwatch.workspace import Workspace

DEMO_REASON_ZH = "演示数据：来自模拟城市的真值，不是模型结果"
DEMO_REASON_EN = "Demo data: taken from the simulated city's ground truth, not a model result"


@dataclass
class IntakeReport:
    created: int = 0
    skipped_existing: int = 0
    reopened: int = 0
    outbox_consumed: int = 0
    by_basis: dict[str, int] | None = None


def _sql_str(path: Path) -> str:
    return str(path).replace("'", "''")


def screening_suspects(ws: Workspace, codes: list[str]) -> list[SuspectIn]:
    """Rows of the latest screening run whose code is in ``codes`` or that a resurgence model hit."""
    latest = ws.results_dir / "screening" / "LATEST"
    if not latest.exists():
        return []
    run_id = latest.read_text(encoding="utf-8").strip()
    path = ws.results_dir / "screening" / run_id / "results.parquet"
    if not path.exists():
        raise FileNotFoundError(f"{path}: named by {latest} but missing")
    con = duckdb.connect()
    rows = con.sql(
        f"SELECT account_no, score, code, model_hits, reasons_zh, reasons_en, evidence, run_id "
        f"FROM read_parquet('{_sql_str(path)}')"
    ).fetchall()
    out = []
    for acc, score, code, hits, rzh, ren, evidence, rid in rows:
        hit_list = tuple(h.strip() for h in (hits or "").split(",") if h.strip())
        if code not in codes and "resurgence" not in hit_list:
            continue
        try:
            ev = json.loads(evidence) if evidence else {}
        except json.JSONDecodeError:
            ev = {"raw": evidence}
        out.append(
            SuspectIn(
                str(acc),
                "screening",
                f"{rid}:{acc}",
                str(code),
                float(score or 0),
                hit_list,
                rzh or "",
                ren or "",
                ev if isinstance(ev, dict) else {"value": ev},
            )
        )
    return out


def demo_suspects(truth_csv: Path, extra_ratio: float = 1.0, seed: int = 7) -> list[SuspectIn]:
    """Demo seed: every true workshop plus as many ordinary accounts (so verification finds both)."""
    if not truth_csv.exists():
        raise FileNotFoundError(
            f"{truth_csv}: the simulated city's truth file is missing (run `gridwatch sim`)"
        )
    con = duckdb.connect()
    rel = con.sql(f"SELECT * FROM read_csv('{_sql_str(truth_csv)}', all_varchar = true)")
    need = {"account_no", "is_workshop"}
    missing = need - set(rel.columns)
    if missing:
        raise ValueError(f"{truth_csv}: missing columns {sorted(missing)}")
    rows = con.sql(
        f"""WITH t AS (SELECT account_no, lower(is_workshop) IN ('true', '1', 'yes') AS w FROM rel),
            n AS (SELECT count(*) FILTER (WHERE w) AS k FROM t),
            r AS (SELECT account_no, w, row_number() OVER (ORDER BY hash(account_no || '{seed}')) AS rn
                  FROM t WHERE NOT w)
        SELECT account_no, w FROM t WHERE w
        UNION ALL
        SELECT account_no, w FROM r, n WHERE rn <= k * {extra_ratio}"""
    ).fetchall()
    return [
        SuspectIn(
            str(a),
            "demo_truth",
            f"truth:{a}",
            "red",
            0.5,
            ("demo",),
            DEMO_REASON_ZH,
            DEMO_REASON_EN,
            {"demo": True},
            demo=True,
        )
        for a, _w in rows
    ]


class PlaceResolver:
    """Finds the jurisdiction (and customer facts) of accounts; see the module docstring for the order."""

    def __init__(self, ws: Workspace, truth_csv: Path | None = None) -> None:
        self.ws = ws
        self.city = ws.settings.city_code
        self.truth_csv = truth_csv
        self.districts = [(d.name, d.code) for d in city_tree(self.city) if d.level == "district"]

    def resolve(self, accounts: list[str]) -> dict[str, tuple[Place, str, dict[str, Any]]]:
        con = duckdb.connect()
        con.execute("CREATE TEMP TABLE acc(account_no VARCHAR)")
        con.executemany("INSERT INTO acc VALUES (?)", [(a,) for a in accounts])
        lake = self.ws.lake_dir
        cust = read_sql(lake, "customers")
        facts = {
            r[0]: r
            for r in con.sql(
                "SELECT a.account_no, c.name, c.address, c.lon, c.lat "
                f"FROM acc a LEFT JOIN ({cust}) c USING (account_no)"
            ).fetchall()
        }
        matched: dict[str, tuple] = {}
        mpath = self.ws.results_dir / "address" / "matches.parquet"
        if mpath.exists():
            for r in con.sql(
                "SELECT m.account_no, m.district_code, m.town_code, m.community_code, m.grid_cell, "
                "m.lon, m.lat "
                f"FROM read_parquet('{_sql_str(mpath)}') m JOIN acc USING (account_no)"
            ).fetchall():
                matched[r[0]] = (r, "matched")
        if self.truth_csv is not None and self.truth_csv.exists() and has_data(lake, "addresses"):
            for r in con.sql(
                "SELECT t.account_no, ad.district_code, ad.town_code, ad.community_code, ad.grid_cell, "
                "ad.lon, ad.lat "
                f"FROM read_csv('{_sql_str(self.truth_csv)}', all_varchar = true) t "
                "JOIN acc USING (account_no) "
                f"JOIN ({read_sql(lake, 'addresses')}) ad ON ad.address_id = t.address_id"
            ).fetchall():
                matched.setdefault(r[0], (r, "demo_truth"))
        out = {}
        for acc in accounts:
            f = facts.get(acc)
            info = {
                "name": f[1] if f else None,
                "address": f[2] if f else None,
                "lon": f[3] if f else None,
                "lat": f[4] if f else None,
            }
            if acc in matched:
                (r, basis) = matched[acc]
                place = self._place(r[1], r[2], r[3], r[4])
                if place is not None:
                    if info["lon"] is None:
                        info["lon"], info["lat"] = r[5], r[6]
                    out[acc] = (place, basis, info)
                    continue
            out[acc] = self._from_text(info)
        return out

    def _place(self, district: Any, town: Any, community: Any, grid: Any) -> Place | None:
        d, t, c, g = (str(x) if x not in (None, "") else None for x in (district, town, community, grid))
        if not d or not d.startswith(self.city):
            return None
        t = t if t and t.startswith(d) else None
        c = c if c and t and c.startswith(t) else None
        g = g if g and c and g.startswith(c + "-") else None
        return Place(self.city, d, t, c, g)

    def _from_text(self, info: dict[str, Any]) -> tuple[Place, str, dict[str, Any]]:
        text = info.get("address") or ""
        for name, code in self.districts:
            if name and name in text:
                return Place(self.city, code), "raw_district", info
        return Place(self.city), "city", info


def run_intake(
    ws: Workspace,
    orders: OrderService,
    accounts: AccountService,
    suspects: Iterable[SuspectIn],
    *,
    truth_csv: Path | None = None,
    batch: int = 2000,
) -> IntakeReport:
    """Turn suspects into orders (resurgence hits re-open closed orders instead)."""
    actor = system_actor(ws.settings.city_code)
    rep = IntakeReport(by_basis={})
    sus = list(suspects)
    resolver = PlaceResolver(ws, truth_csv)
    for i in range(0, len(sus), batch):
        chunk = sus[i : i + batch]
        places = resolver.resolve([x.account_no for x in chunk])
        fresh = []
        for x in chunk:
            if "resurgence" in x.model_hits and orders.reopen_on_resurgence(
                actor, x.account_no, {"signal": "screening", "source_ref": x.source_ref, "score": x.score}
            ):
                rep.reopened += 1
            else:
                fresh.append(x)
        with orders.sessions.begin() as s:
            for x in fresh:
                place, basis, info = places[x.account_no]
                if place.grid_cell:
                    accounts.ensure_grid_cell(s, place.grid_cell)
                x = replace(
                    x,
                    customer_name=x.customer_name or info["name"],
                    address_text=x.address_text or info["address"],
                    lon=x.lon if x.lon is not None else info["lon"],
                    lat=x.lat if x.lat is not None else info["lat"],
                )
                if orders.intake(s, actor, x, place, basis) is None:
                    rep.skipped_existing += 1
                else:
                    rep.created += 1
                    rep.by_basis[basis] = rep.by_basis.get(basis, 0) + 1  # type: ignore[index]
    return rep


def consume_outbox(ws: Workspace, orders: OrderService, accounts: AccountService) -> IntakeReport:
    """Take unconsumed outbox rows into the loop and mark them consumed (one transaction per batch)."""
    with orders.sessions() as s:
        rows = s.scalars(
            select(SuspectOutbox).where(SuspectOutbox.consumed_at.is_(None)).order_by(SuspectOutbox.id)
        ).all()
    sus = [
        SuspectIn(
            r.account_no or f"outbox-{r.id}",
            f"outbox:{r.source}",
            f"{r.source}:{r.source_ref}",
            "red" if r.grade in ("red", "severe") else "yellow",
            1.0 if r.grade in ("red", "severe") else 0.5,
            tuple(h for h in str((r.payload or {}).get("model_hits", "")).split(",") if h),
            r.summary,
            r.summary,
            dict(r.payload or {}),
        )
        for r in rows
    ]
    rep = run_intake(ws, orders, accounts, sus)
    now = orders.clock()
    with orders.sessions.begin() as s:
        for r in rows:
            row = s.get(SuspectOutbox, r.id)
            if row is not None and row.consumed_at is None:
                row.consumed_at = now
                rep.outbox_consumed += 1
    return rep
