"""CLI: setup, demo users, audit verify (exit codes), labels export."""

from __future__ import annotations

import sqlite3

from typer.testing import CliRunner

from gridwatch.cli.app import app


def test_audit_verify_and_labels(tmp_path):
    home = tmp_path / "h"
    runner = CliRunner()
    r = runner.invoke(app, ["--home", str(home), "demo-users", "--district", "440106"])
    assert r.exit_code == 0, r.output
    assert "staff1" in r.output and "field_staff" in r.output
    from sqlalchemy import select

    from gridwatch.workflow.accounts import actor_of
    from gridwatch.workflow.actor import system_actor
    from gridwatch.workflow.jurisdiction import place_of
    from gridwatch.workflow.orders import SuspectIn
    from gridwatch.workflow.platform import Platform
    from gridwatch.workflow.tables import User
    from gridwatch.workspace import Workspace

    p = Platform.open(Workspace.open(home))
    with p.sessions() as s:
        staff = actor_of(s.scalars(select(User).where(User.username == "staff1")).one())
    with p.sessions.begin() as s:
        oid = p.orders.intake(
            s,
            system_actor("4401"),
            SuspectIn("X1", "screening", "r:X1", "red", 0.9),
            place_of(staff.jurisdiction_code),
            "matched",
        )
    p.orders.claim(staff, oid)
    p.close()
    r = runner.invoke(app, ["--home", str(home), "audit", "verify"])
    assert r.exit_code == 0 and "intact: 2 events" in r.output
    con = sqlite3.connect(home / "gridwatch.db")
    con.execute("UPDATE wf_event SET actor_role = 'city_admin' WHERE seq = 2")
    con.commit()
    con.close()
    r = runner.invoke(app, ["--home", str(home), "audit", "verify"])
    assert r.exit_code == 1 and "BROKEN at event 2" in r.output
    out = tmp_path / "labels.csv"
    r = runner.invoke(app, ["--home", str(home), "orders", "export-labels", "--out", str(out)])
    assert r.exit_code == 0
    assert out.read_text().splitlines()[0] == "account_no,verified_on,outcome,is_workshop,trade,source"


def test_user_commands_are_audited(tmp_path):
    home = tmp_path / "h"
    runner = CliRunner()
    r = runner.invoke(app, ["--home", str(home), "orders", "setup"])
    assert r.exit_code == 0, r.output
    base = ["--home", str(home), "users"]
    r = runner.invoke(app, [*base, "create", "w1", "field_staff", "440106001001", "--password", "password123"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, [*base, "create", "w2", "district_admin", "440106001", "--password", "password123"])
    assert r.exit_code == 2 and "district-level" in r.output
    assert runner.invoke(app, [*base, "disable", "w1"]).exit_code == 0
    assert runner.invoke(app, [*base, "enable", "w1"]).exit_code == 0
    r = runner.invoke(app, [*base, "reset-password", "w1", "--password", "password456"])
    assert r.exit_code == 0, r.output
    assert runner.invoke(app, [*base, "disable", "nobody"]).exit_code == 2
    r = runner.invoke(app, ["--home", str(home), "audit", "verify"])
    assert r.exit_code == 0 and "intact: 4 events" in r.output
    con = sqlite3.connect(home / "gridwatch.db")
    actions = [a for (a,) in con.execute("SELECT action FROM wf_event ORDER BY seq")]
    con.close()
    assert actions == ["user_create", "user_disable", "user_enable", "user_reset_password"]
