"""`gridwatch screen` and `gridwatch evaluate` end to end on the small city."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from gridwatch.cli.app import app

from .conftest import build_city

CSV_COLUMNS = ["account_no", "score", "code", "model_hits", "reasons", "reasons_en", "evidence"]
RESULT_COLUMNS = ["account_no", "score", "code", "model_hits", "reasons_zh", "reasons_en", "evidence", "run_id", "as_of"]


def test_screen_writes_csv_and_run_and_evaluate_reports(tmp_path: Path) -> None:
    city = build_city(tmp_path / "home")
    home = str(city.ws.home)
    runner = CliRunner()
    out = tmp_path / "codes.csv"
    r = runner.invoke(app, ["--home", home, "screen", "--out", str(out)])
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out, dtype={"account_no": str})
    assert list(df.columns) == CSV_COLUMNS
    assert len(df) == len(city.daily)
    assert df["score"].between(0, 1).all()
    by = df.set_index("account_no")
    assert by.loc["W001", "code"] == "red" and "industrial_shape" in by.loc["W001", "model_hits"]
    assert "夜间用电占比83%" in by.loc["N001", "reasons"] and "night use 83% of daily" in by.loc["N001", "reasons_en"]
    assert json.loads(by.loc["N001", "evidence"])["night_production"]["night_share"] == round(40 / 48, 4)
    households = by[by.index.str.startswith("H")]
    assert (households["code"] == "green").all()
    assert by.loc["E001", "code"] == "green"  # the EV charger explains its extra night load
    # the closed-firm and permit models see through the entity links
    assert "closed_still_consuming" in by.loc["L001", "model_hits"]
    assert "unpermitted_industrial_load" in by.loc["I001", "model_hits"]
    assert "unpermitted_industrial_load" not in str(by.loc["I004", "model_hits"])

    base = Path(home) / "results" / "screening"
    run_id = (base / "LATEST").read_text().strip()
    res = pd.read_parquet(base / run_id / "results.parquet")
    assert list(res.columns) == RESULT_COLUMNS
    run = json.loads((base / run_id / "run.json").read_text())
    assert run["as_of"] == "2025-12-31" and run["engine"] == "duckdb"
    assert run["ruleset_version"] and run["model_version"]
    assert sum(run["counts"].values()) == len(city.daily)

    truth = tmp_path / "truth"
    truth.mkdir()
    pd.DataFrame({
        "account_no": list(city.daily),
        "is_workshop": [a in ("W001", "N001") for a in city.daily],
        "trade": ["wood" if a in ("W001", "N001") else "" for a in city.daily],
        "kind": ["factory_unpermitted" if a == "I001" else "factory_permitted" if a.startswith("I") else ""
                 for a in city.daily],
        "patterns": ["closed_firm_consuming" if a in ("D001", "L001") else "" for a in city.daily],
    }).to_csv(truth / "customers.csv", index=False)
    r = runner.invoke(app, ["--home", home, "evaluate", "--truth", str(truth), "--out", str(tmp_path / "rep")])
    assert r.exit_code == 0, r.output
    m = json.loads((tmp_path / "rep" / "metrics.json").read_text())["metrics"]
    assert m["recall"] == 1.0 and m["workshops"] == 2
    ent = m["entity_models"]
    assert ent["closed_firms_caught"] == {"n": 2, "alarms": 2, "rate": 1.0}
    assert ent["unpermitted_factories_caught"] == {"n": 1, "alarms": 1, "rate": 1.0}
    assert ent["permitted_factories_flagged_unpermitted"] == {"n": 3, "alarms": 0, "rate": 0.0}
    for f in ("report.md", "pr_curve.png", "score_hist.png"):
        assert (tmp_path / "rep" / f).stat().st_size > 0


def test_screen_rejects_a_bad_rule_file(tmp_path: Path) -> None:
    city = build_city(tmp_path / "home")
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: gridwatch-rules/1\nversion: x\n")
    r = CliRunner().invoke(app, ["--home", str(city.ws.home), "screen", "--rules", str(bad), "--out",
                                 str(tmp_path / "x.csv")])
    assert r.exit_code == 2
    assert "bad.yaml: invalid rule file" in r.output
