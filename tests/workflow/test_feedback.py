"""Field results back into the lake: re-checked outcomes → labels, orders closed after disposal → closures."""

from __future__ import annotations

from pathlib import Path

import duckdb
from typer.testing import CliRunner

from gridwatch.cli.app import app
from gridwatch.lake.layout import read_sql
from gridwatch.workflow.exports import closures_rows
from gridwatch.workflow.photos import Upload
from gridwatch.workflow.platform import Platform
from gridwatch.workspace import Workspace
from tests.workflow.fixtures import COMMUNITY, TOWN
from tests.workflow.helpers import PNG, add_order, user

STEPS = ("cut_water", "cut_power", "clear_materials", "clear_products", "clear_equipment")


def _close_after_shutdown(p: Platform, account: str, *, staff, reviewer, enforcer, admin) -> int:  # type: ignore[no-untyped-def]
    oid = add_order(p, account, COMMUNITY)
    p.orders.claim(staff, oid)
    p.orders.verify(staff, oid, outcome="confirmed", trade="wood", lon=113.3, lat=23.1, notes="",
                    uploads=[Upload("a.png", PNG)])
    p.orders.review(reviewer, oid, decision="approve")
    p.orders.dispose(enforcer, oid, measure="shutdown", days=10)
    for step in STEPS:
        p.orders.complete_step(enforcer, oid, step)
    p.orders.complete_disposal(enforcer, oid)
    p.orders.close(admin, oid, evidence="site empty", uploads=[])
    return oid


def _people(p: Platform):  # type: ignore[no-untyped-def]
    return {"staff": user(p, "staff1", "field_staff", COMMUNITY), "reviewer": user(p, "rev1", "reviewer", TOWN),
            "enforcer": user(p, "enf1", "enforcement", TOWN), "admin": user(p, "street1", "street_admin", TOWN)}


def test_closed_after_disposal_becomes_a_closure(platform) -> None:
    people = _people(platform)
    oid = _close_after_shutdown(platform, "0300000001", **people)
    open_oid = add_order(platform, "0300000002", COMMUNITY)  # still in the pool: no closure
    rows = closures_rows(platform.sessions)
    assert [(r["account_no"], r["measure"], r["source"]) for r in rows] == [
        ("0300000001", "shutdown", f"work_order:{oid}")]
    assert open_oid != oid and len(str(rows[0]["closed_on"])) == 10


def test_feed_lake_cli_is_idempotent(tmp_path: Path) -> None:
    home = tmp_path / "h"
    ws = Workspace.open(home)
    p = Platform.open(ws)
    p.accounts.sync_jurisdictions("4401")
    _close_after_shutdown(p, "0300000001", **_people(p))
    p.close()
    runner = CliRunner()
    r = runner.invoke(app, ["--home", str(home), "orders", "feed-lake"])
    assert r.exit_code == 0, r.output
    assert "labels: 1 from work orders, 1 new" in r.output and "closures: 1 from work orders, 1 new" in r.output
    con = duckdb.connect()
    labels = con.sql(f"SELECT account_no, is_workshop, trade FROM ({read_sql(ws.lake_dir, 'labels')})").fetchall()
    assert labels == [("0300000001", True, "wood")]
    closures = con.sql(f"SELECT account_no, measure FROM ({read_sql(ws.lake_dir, 'closures')})").fetchall()
    assert closures == [("0300000001", "shutdown")]
    r = runner.invoke(app, ["--home", str(home), "orders", "feed-lake"])
    assert r.exit_code == 0 and "0 new or changed in the lake, 1 already there" in r.output
