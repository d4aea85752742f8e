"""Intake from screening results, the outbox and the demo seed; dispatch by matched address."""

from __future__ import annotations

from datetime import datetime

import duckdb
from sqlalchemy import select

from gridwatch.store.outbox import SuspectOutbox
from gridwatch.workflow.intake import consume_outbox, demo_suspects, run_intake, screening_suspects
from gridwatch.workflow.tables import Jurisdiction, WorkOrder
from tests.workflow.fixtures import COMMUNITY, TOWN
from tests.workflow.helpers import user


def _screening(ws, rows) -> None:
    run = ws.results_dir / "screening" / "r1"
    run.mkdir(parents=True)
    values = ", ".join(
        f"('{a}', {s}, '{c}', '{h}', '夜间生产', 'night production', '{{\"night_ratio\": 2.1}}', 'r1', DATE '2026-11-01')"
        for a, s, c, h in rows
    )
    duckdb.sql(
        f"COPY (SELECT * FROM (VALUES {values}) t(account_no, score, code, model_hits, reasons_zh, reasons_en, "
        f"evidence, run_id, as_of)) TO '{run / 'results.parquet'}'"
    )
    (ws.results_dir / "screening" / "LATEST").write_text("r1\n")


def _matches(ws, rows) -> None:
    out = ws.results_dir / "address"
    out.mkdir(parents=True)
    values = ", ".join(
        f"('{a}', 'A{a}', 'matched', 0.9, '{c}', '{c[:9]}', '{c[:6]}', {g}, 113.3, 23.1)" for a, c, g in rows
    )
    duckdb.sql(
        f"COPY (SELECT * FROM (VALUES {values}) t(account_no, address_id, status, score, community_code, town_code, "
        f"district_code, grid_cell, lon, lat)) TO '{out / 'matches.parquet'}'"
    )


def test_screening_intake_dispatches_by_match_and_reopens_on_resurgence(platform):
    p = platform
    ws = p.workspace
    _screening(
        ws,
        [
            ("A1", 0.97, "red", "night_production"),
            ("A2", 0.9, "red", ""),
            ("A3", 0.4, "green", ""),
            ("A4", 0.6, "yellow", ""),
        ],
    )
    _matches(ws, [("A1", COMMUNITY, f"'{COMMUNITY}-G07'"), ("A2", "999999000000", "NULL")])
    sus = screening_suspects(ws, ["red"])
    assert [s.account_no for s in sus] == ["A1", "A2"]
    rep = run_intake(ws, p.orders, p.accounts, sus)
    assert rep.created == 2 and rep.by_basis == {"matched": 1, "city": 1}
    with p.sessions() as s:
        a1 = s.scalars(select(WorkOrder).where(WorkOrder.account_no == "A1")).one()
        assert (a1.grid_cell, a1.community_code, a1.town_code) == (f"{COMMUNITY}-G07", COMMUNITY, TOWN)
        assert a1.evidence == {"night_ratio": 2.1}
        assert s.get(Jurisdiction, f"{COMMUNITY}-G07").parent_code == COMMUNITY
        a2 = s.scalars(select(WorkOrder).where(WorkOrder.account_no == "A2")).one()
        assert a2.district_code is None and a2.city_code == "4401"  # foreign code is not trusted
    assert run_intake(ws, p.orders, p.accounts, sus).skipped_existing == 2  # idempotent
    # close A1 by re-check of a dismissed outcome, then a resurgence hit re-opens it
    staff = user(p, "s", "field_staff", COMMUNITY)
    rev = user(p, "r", "reviewer", TOWN)
    p.orders.claim(staff, a1.id)
    p.orders.verify(staff, a1.id, outcome="vacant", trade=None, lon=None, lat=None, notes="", uploads=[])
    p.orders.review(rev, a1.id, decision="approve")
    from gridwatch.workflow.orders import SuspectIn

    rep = run_intake(
        ws, p.orders, p.accounts, [SuspectIn("A1", "screening", "r2:A1", "red", 0.99, ("resurgence",))]
    )
    assert rep.reopened == 1
    assert p.orders.get(rev, a1.id).order.state == "pooled"


def test_outbox_is_consumed_once(platform):
    p = platform
    with p.sessions.begin() as s:
        s.add(
            SuspectOutbox(
                source="alarm",
                source_ref="42",
                account_no="B1",
                grade="severe",
                summary="治污设施停运而生产在运行",
                payload={},
                created_at=datetime(2026, 11, 1),
            )
        )
    rep = consume_outbox(p.workspace, p.orders, p.accounts)
    assert rep.outbox_consumed == 1 and rep.created == 1
    assert consume_outbox(p.workspace, p.orders, p.accounts).outbox_consumed == 0
    with p.sessions() as s:
        o = s.scalars(select(WorkOrder).where(WorkOrder.account_no == "B1")).one()
        assert o.source == "outbox:alarm" and o.health_code == "red"


def test_demo_seed_is_labelled_and_balanced(tmp_path):
    truth = tmp_path / "customers.csv"
    lines = ["account_no,is_workshop,kind,trade,address_id"]
    lines += [f"W{i},true,workshop,metal,AD{i}" for i in range(5)]
    lines += [f"H{i},false,household,,AD{100 + i}" for i in range(50)]
    truth.write_text("\n".join(lines) + "\n")
    sus = demo_suspects(truth)
    assert len(sus) == 10 and sum(s.account_no.startswith("W") for s in sus) == 5
    assert all(s.demo and s.source == "demo_truth" and "演示" in s.reasons_zh for s in sus)
