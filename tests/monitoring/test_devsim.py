"""The device simulator against an embedded gateway over real TCP on 127.0.0.1."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from gridwatch.cli.app import app
from gridwatch.monitoring.devsim.firms import EXPECTED, Curve, generate_firms


def test_generated_firms_cover_every_scenario() -> None:
    firms = generate_firms(20, seed=3)
    assert {f.scenario for f in firms} == {"normal", "cheating", "faulty", "restricted"}
    assert {f.variant for f in firms} == set(EXPECTED)
    a, b = Curve(firms[0]), Curve(generate_firms(20, seed=3)[0])
    assert [a.powers(k) for k in range(50)] == [b.powers(k) for k in range(50)]  # deterministic


def test_simulate_devices_scores_alarms(tmp_path) -> None:
    home = tmp_path / "home"
    report = tmp_path / "report.json"
    result = CliRunner().invoke(
        app,
        [
            "--home",
            str(home),
            "simulate-devices",
            "--embedded",
            "--port",
            "0",
            "-n",
            "20",
            "--minutes",
            "290",
            "--report",
            str(report),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["errors"] == []
    assert data["frames_acknowledged"] > 20 * 250
    s = data["scores"]
    assert s["normal"]["false_alarms"] == 0
    assert s["restricted/comply"]["false_alarms"] == 0
    assert s["cheating/off"]["caught"] == s["cheating/off"]["expected"] > 0
    assert s["restricted/defy"]["caught"] == s["restricted/defy"]["expected"] > 0
    assert s["faulty"]["caught"] == s["faulty"]["expected"] > 0


def test_simulate_from_submeters_csv(tmp_path) -> None:
    csv = tmp_path / "submeters.csv"
    csv.write_text(
        "enterprise_id,enterprise_name,account_no,mn,password,channel_id,facility_kind,pairs_with,rated_kw,scenario\n"
        "E1,甲,1,MNA,pa,p1,production,,30,normal\nE1,甲,1,MNA,pa,t1,treatment,p1,6,normal\n"
        "E2,乙,2,MNB,pb,p1,production,,40,cheating\nE2,乙,2,MNB,pb,t1,treatment,p1,8,cheating\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app,
        [
            "--home",
            str(tmp_path / "h"),
            "simulate-devices",
            "--embedded",
            "--port",
            "0",
            "--submeters",
            str(csv),
            "--minutes",
            "290",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["scores"]["cheating/off"]["caught"] == 1
    assert data["scores"]["normal"]["false_alarms"] == 0
